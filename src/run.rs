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
        Command::Lint { fail_on } => {
            let threshold =
                crate::lint::Severity::parse(fail_on).unwrap_or(crate::lint::Severity::High);
            with_graph(cli, &opts, |graph, loaded| {
                let cx = crate::lint::Context::new(&loaded.model, graph, &loaded.diagnostics);
                let findings = crate::lint::run(&cx);
                let rules = crate::lint::rules::registry();
                write_out(&match cli.format {
                    Format::Json => report::lint::json(&findings, &loaded.sources),
                    Format::Sarif => report::lint::sarif(&findings, &rules, &loaded.sources),
                    Format::Github => report::lint::github(&findings, &loaded.sources),
                    _ => report::lint::text(&findings, &loaded.sources, color_enabled(cli.color)),
                });
                if findings.iter().any(|f| f.severity >= threshold) {
                    exit::DENIED_OR_FINDINGS
                } else {
                    exit::OK
                }
            })
        }
        Command::Rules => {
            let mut out = String::new();
            for r in crate::lint::rules::registry() {
                out.push_str(&format!(
                    "{:<32} {:<9} {}\n",
                    r.id(),
                    r.severity().as_str(),
                    r.summary()
                ));
            }
            write_out(&out);
            exit::OK
        }
        Command::Explain { rule } => match crate::lint::rules::registry()
            .into_iter()
            .find(|r| r.id() == rule)
        {
            Some(r) => {
                write_out(&format!(
                    "{} ({})\n\n{}\n",
                    r.id(),
                    r.severity().as_str(),
                    r.doc()
                ));
                exit::OK
            }
            None => {
                eprintln!("error: no rule `{rule}` (run `iampath rules`)");
                exit::BAD_INPUT
            }
        },
        Command::WhatCan {
            principal,
            max_hops,
        } => with_graph(cli, &opts, |graph, _| {
            match crate::graph::query::resolve(graph, principal) {
                Ok(start) => {
                    let reach = crate::graph::overview::what_can(graph, start, *max_hops);
                    let id = graph
                        .world
                        .principals
                        .get(start)
                        .map(|p| p.id.clone())
                        .unwrap_or_default();
                    write_out(&match cli.format {
                        Format::Json => report::overview::what_can_json(&id, &reach),
                        _ => report::overview::what_can_text(&id, &reach),
                    });
                    exit::OK
                }
                Err(msg) => {
                    eprintln!("error: {msg}");
                    exit::BAD_INPUT
                }
            }
        }),
        Command::Paths { from, to } => with_graph(cli, &opts, |graph, loaded| {
            let c = crate::graph::overview::crossings(
                graph,
                &loaded.model,
                from.as_deref(),
                to.as_deref(),
            );
            write_out(&match cli.format {
                Format::Json => report::overview::paths_json(&c),
                _ => report::overview::paths_text(&c),
            });
            exit::OK
        }),
        Command::Graph { account, principal } => with_graph(cli, &opts, |graph, _| {
            let start = match principal
                .as_deref()
                .map(|p| crate::graph::query::resolve(graph, p))
            {
                Some(Err(msg)) => {
                    eprintln!("error: {msg}");
                    return exit::BAD_INPUT;
                }
                Some(Ok(i)) => Some(i),
                None => None,
            };
            let edges = crate::graph::overview::subgraph(graph, account.as_deref(), start);
            write_out(&match cli.format {
                Format::Mermaid => report::overview::mermaid(graph, &edges),
                _ => report::overview::dot(graph, &edges),
            });
            exit::OK
        }),
        Command::Can {
            principal,
            action,
            resource,
            max_hops,
            max_paths,
        } => {
            let limits = crate::graph::query::Limits {
                max_hops: *max_hops,
                max_paths: *max_paths,
            };
            with_graph(cli, &opts, |graph, loaded| {
                match crate::graph::query::can(
                    graph,
                    &loaded.model,
                    principal,
                    action,
                    resource,
                    limits,
                ) {
                    Ok(r) => {
                        write_out(&match cli.format {
                            Format::Json => report::access::can_json(&r, &loaded.sources),
                            _ => report::access::can_text(&r, &loaded.sources),
                        });
                        if r.decision == crate::graph::query::Answer::Denied {
                            exit::DENIED_OR_FINDINGS
                        } else {
                            exit::OK
                        }
                    }
                    Err(msg) => {
                        eprintln!("error: {msg}");
                        exit::BAD_INPUT
                    }
                }
            })
        }
        Command::WhoCan { action, resource } => with_graph(cli, &opts, |graph, loaded| {
            let r = crate::graph::who_can::who_can(graph, &loaded.model, action, resource);
            write_out(&match cli.format {
                Format::Json => report::access::who_json(&r, &loaded.sources),
                _ => report::access::who_text(&r, &loaded.sources),
            });
            exit::OK
        }),
    }
}

/// Loads the data (diagnostics to stderr), builds the graph and runs `f` on it.
fn with_graph(
    cli: &Cli,
    opts: &LoadOptions,
    f: impl FnOnce(&mut crate::graph::Graph, &ingest::Loaded) -> u8,
) -> u8 {
    if cli.data.is_empty() {
        eprintln!(
            "error: no data given: pass --data PATH (a folder of account folders, or export files)"
        );
        return exit::BAD_INPUT;
    }
    let fixed = match parse_context(&cli.context) {
        Ok(pairs) => pairs
            .into_iter()
            .flat_map(|(k, vs)| vs.into_iter().map(move |v| (k.value.clone(), v)))
            .collect::<Vec<_>>(),
        Err(msg) => {
            eprintln!("error: {msg}");
            return exit::BAD_INPUT;
        }
    };
    let loaded = ingest::load(&cli.data, opts);
    let errors = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    if errors > 0 {
        eprintln!(
            "warning: {errors} input errors (run `iampath load` to see them); answering from what loaded"
        );
    }
    let mut graph = crate::graph::Graph::build(&loaded.model, &fixed);
    let code = f(&mut graph, &loaded);
    std::mem::forget(graph);
    std::mem::forget(loaded);
    code
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
        _ => report::load::text(&loaded, color_enabled(cli.color)),
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
    let mut sim = ingest::request_file::read(path, opts, &mut sources, &mut diags);
    match parse_context(&cli.context) {
        Ok(pairs) => sim.context.extend(pairs),
        Err(msg) => {
            eprintln!("error: {msg}");
            return exit::BAD_INPUT;
        }
    }
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
        _ => report::simulate::text(&ev, &sim, &sources),
    });
    if ev.decision.is_allowed() {
        exit::OK
    } else {
        exit::DENIED_OR_FINDINGS
    }
}

/// `--context KEY=VALUE` pairs; the same key given twice collects both values.
fn parse_context(args: &[String]) -> Result<Vec<crate::model::ContextEntry>, String> {
    let mut out: Vec<crate::model::ContextEntry> = Vec::new();
    for a in args {
        let (k, v) = a
            .split_once('=')
            .ok_or_else(|| format!("--context `{a}`: expected KEY=VALUE"))?;
        let span = crate::model::Span::at(crate::model::FileId(u32::MAX), 0);
        match out
            .iter_mut()
            .find(|(key, _)| key.value.eq_ignore_ascii_case(k))
        {
            Some((_, values)) => values.push(v.to_string()),
            None => out.push((
                crate::model::Spanned::new(k.to_string(), span),
                vec![v.to_string()],
            )),
        }
    }
    Ok(out)
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
