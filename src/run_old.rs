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
        Command::Lint {
            fail_on,
            config,
            baseline,
            write_baseline,
        } => {
            let threshold =
                crate::lint::Severity::parse(fail_on).unwrap_or(crate::lint::Severity::High);
            let config = match read_config(config.as_deref()) {
                Ok(c) => c,
                Err(code) => return code,
            };
            with_graph(cli, &opts, |graph, loaded| {
                let findings = match lint_findings(
                    graph,
                    loaded,
                    &config,
                    baseline.as_deref(),
                    write_baseline.as_deref(),
                ) {
                    Ok(f) => f,
                    Err(msg) => {
                        eprintln!("error: {msg}");
                        return exit::BAD_INPUT;
                    }
                };
                write_findings(cli, &findings, &loaded.sources);
                if findings.iter().any(|f| f.severity >= threshold) {
                    exit::DENIED_OR_FINDINGS
                } else {
                    exit::OK
                }
            })
        }
        Command::Diff {
            before,
            after,
            fail_on,
            config,
        } => {
            let threshold =
                crate::lint::Severity::parse(fail_on).unwrap_or(crate::lint::Severity::High);
            let config = match read_config(config.as_deref()) {
                Ok(c) => c,
                Err(code) => return code,
            };
            diff(cli, &opts, before, after, &config, threshold)
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

/// The configuration: `--config`, else `./iampath.toml` when it exists, else defaults.
fn read_config(path: Option<&Path>) -> Result<crate::lint::config::Config, u8> {
    let default = Path::new("iampath.toml");
    let path = match path {
        Some(p) => p,
        None if default.exists() => default,
        None => return Ok(crate::lint::config::Config::default()),
    };
    crate::lint::config::Config::read(path).map_err(|e| {
        eprintln!("error: {e}");
        exit::BAD_INPUT
    })
}

/// Runs the rules and the assertions, then the configuration and the baseline.
fn lint_findings(
    graph: &mut crate::graph::Graph,
    loaded: &ingest::Loaded,
    config: &crate::lint::config::Config,
    baseline: Option<&Path>,
    write_baseline: Option<&Path>,
) -> Result<Vec<crate::lint::Finding>, String> {
    let mut findings = {
        let cx = crate::lint::Context::new(&loaded.model, graph, &loaded.diagnostics);
        crate::lint::run(&cx)
    };
    findings.extend(crate::lint::assertions::check(
        graph,
        &loaded.model,
        &config.assertions,
    ));
    let findings = config.apply(findings);
    if let Some(p) = write_baseline {
        crate::lint::baseline::write(p, &findings)
            .map_err(|e| format!("{}: cannot write the baseline: {e}", p.display()))?;
    }
    match baseline {
        Some(p) => Ok(crate::lint::baseline::new_findings(
            findings,
            &crate::lint::baseline::read(p)?,
        )),
        None => Ok(findings),
    }
}

fn write_findings(
    cli: &Cli,
    findings: &[crate::lint::Finding],
    sources: &crate::source::SourceMap,
) {
    let rules = crate::lint::rules::registry();
    write_out(&match cli.format {
        Format::Json => report::lint::json(findings, sources),
        Format::Sarif => report::lint::sarif(findings, &rules, sources),
        Format::Github => report::lint::github(findings, sources),
        _ => report::lint::text(findings, sources, color_enabled(cli.color)),
    });
}

/// `diff BEFORE AFTER`: each snapshot is loaded, graphed and linted on its own.
fn diff(
    cli: &Cli,
    opts: &LoadOptions,
    before: &Path,
    after: &Path,
    config: &crate::lint::config::Config,
    threshold: crate::lint::Severity,
) -> u8 {
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
    let snapshot = |path: &Path| {
        let loaded = ingest::load(&[path.to_path_buf()], opts);
        let mut graph = crate::graph::Graph::build(&loaded.model, &fixed);
        let findings = lint_findings(&mut graph, &loaded, config, None, None).unwrap_or_default();
        let crossings = crate::graph::overview::crossings(&graph, &loaded.model, None, None);
        (loaded, crossings, findings)
    };
    let (_, before_paths, before_findings) = snapshot(before);
    let (after_loaded, after_paths, after_findings) = snapshot(after);
    let accounts: Vec<String> = after_loaded.model.accounts.keys().cloned().collect();
    let d = crate::lint::diff::diff(
        (&before_paths, &before_findings),
        (&after_paths, &after_findings),
        &accounts,
    );
    match cli.format {
        Format::Json => write_out(&report::diff::json(&d, &after_loaded.sources)),
        Format::Sarif | Format::Github => {
            write_findings(cli, &d.new_findings, &after_loaded.sources)
        }
        _ => write_out(&report::diff::text(&d)),
    }
    if d.fails(threshold) {
        exit::DENIED_OR_FINDINGS
    } else {
        exit::OK
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
