//! Runs a parsed command line: load, then the command, then the report. Returns the
//! process exit code; the binary only forwards it.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::{Cli, Color, Command, Format};
use crate::ingest::{self, LoadOptions, Severity};
use crate::report;

/// Exit codes shared by every command.
pub mod exit {
    pub const OK: u8 = 0;
    pub const DENIED_OR_FINDINGS: u8 = 1;
    pub const BAD_INPUT: u8 = 2;
}

pub fn run(cli: &Cli) -> u8 {
    let opts = LoadOptions {
        max_depth: cli.max_depth,
        max_file_size: cli.max_file_size,
    };
    match &cli.command {
        Command::Load => load(cli, &opts),
        Command::Simulate { request } => simulate(cli, request, &opts),
    }
}

fn load(cli: &Cli, opts: &LoadOptions) -> u8 {
    if cli.data.is_empty() {
        eprintln!(
            "error: no data given: pass --data PATH (a folder of account folders, or export files)"
        );
        return exit::BAD_INPUT;
    }
    let loaded = ingest::load(&cli.data, opts);
    write_out(&match cli.format {
        Format::Json => report::load::json(&loaded),
        Format::Text => report::load::text(&loaded, color_enabled(cli.color)),
    });
    let code = if loaded.has_errors() {
        exit::BAD_INPUT
    } else {
        exit::OK
    };
    // The process ends now: freeing a large model piece by piece would cost a tenth
    // of the run for nothing.
    std::mem::forget(loaded);
    code
}

fn simulate(cli: &Cli, path: &Path, opts: &LoadOptions) -> u8 {
    let mut sources = crate::source::SourceMap::default();
    let mut diags = Vec::new();
    let sim = ingest::request_file::read(path, opts, &mut sources, &mut diags);
    let color = color_enabled(cli.color);
    for d in report::diagnostics::sorted(&diags) {
        eprintln!("{}", report::diagnostics::render(d, &sources, color));
    }
    if diags.iter().any(|d| d.severity() == Severity::Error) {
        return exit::BAD_INPUT;
    }
    let ev = match crate::eval::simulation::run(&sim) {
        Ok(ev) => ev,
        Err(msg) => {
            eprintln!("error: {msg}");
            return exit::BAD_INPUT;
        }
    };
    write_out(&match cli.format {
        Format::Json => report::simulate::json(&ev, &sim, &sources),
        Format::Text => report::simulate::text(&ev, &sim, &sources),
    });
    if ev.decision.is_allowed() {
        exit::OK
    } else {
        exit::DENIED_OR_FINDINGS
    }
}

fn write_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
}

fn color_enabled(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}
