//! `load` and `simulate`: the data as read, and one request decided on its own.

use std::path::Path;

use super::{Env, RunError, exit, leak, write_out, write_with};
use crate::cli::Format;
use crate::ingest::{self, Severity};
use crate::report;

pub(super) fn load(env: &Env) -> Result<u8, RunError> {
    let loaded = env.load(&env.cli.data)?;
    match env.cli.format {
        Format::Json => write_with(|out| report::load::json(out, &loaded)),
        _ => write_out(&report::load::text(&loaded, env.color())),
    }
    let code = if loaded.has_errors() {
        exit::BAD_INPUT
    } else {
        exit::OK
    };
    leak(loaded);
    Ok(code)
}

pub(super) fn simulate(env: &Env, path: &Path) -> Result<u8, RunError> {
    let mut sources = crate::source::SourceMap::default();
    let mut diags = Vec::new();
    let mut sim = ingest::request_file::read(path, &env.opts, &mut sources, &mut diags);
    sim.context.extend(super::parse_context(&env.cli.context)?);
    for d in report::diagnostics::sorted(&diags) {
        eprintln!("{}", report::diagnostics::render(d, &sources, env.color()));
    }
    if diags.iter().any(|d| d.severity() == Severity::Error) {
        return Ok(exit::BAD_INPUT);
    }
    let ev = crate::eval::simulation::run(&sim)?;
    match env.cli.format {
        Format::Json => write_with(|out| report::simulate::json(out, &ev, &sim, &sources)),
        _ => write_out(&report::simulate::text(&ev, &sim, &sources)),
    }
    Ok(if ev.decision.is_allowed() {
        exit::OK
    } else {
        exit::DENIED_OR_FINDINGS
    })
}
