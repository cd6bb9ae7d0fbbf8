//! `lint`, `diff`, `rules` and `explain`: the rule catalog and the CI gate.

use std::path::{Path, PathBuf};

use super::progress::Progress;
use super::{Env, RunError, exit, leak, read_config, threshold, write_out, write_with};
use crate::cli::Format;
use crate::graph::Graph;
use crate::ingest::Loaded;
use crate::ingest::iac::IacInput;
use crate::lint::config::Config;
use crate::lint::diff::Crossed;
use crate::lint::{Context, Finding};
use crate::report;

pub(super) fn lint(
    env: &Env,
    fail_on: &str,
    config: Option<&Path>,
    baseline: Option<&Path>,
    write_baseline: Option<&Path>,
) -> Result<u8, RunError> {
    let threshold = threshold(fail_on);
    let config = read_config(config)?;
    let progress = env.progress();
    let mut loaded = env.load_for_findings(&progress)?;
    let (graph, mut findings) = lint_load(env, &progress, &mut loaded, &config);
    drop(progress);
    if let Some(p) = write_baseline {
        crate::lint::baseline::write(p, &findings)?;
    }
    if let Some(p) = baseline {
        findings = crate::lint::baseline::new_findings(findings, &crate::lint::baseline::read(p)?);
    }
    write_findings(env, &findings, &loaded.sources);
    let code = if findings.iter().any(|f| f.severity >= threshold) {
        exit::DENIED_OR_FINDINGS
    } else {
        exit::OK
    };
    leak((loaded, graph));
    Ok(code)
}

/// Lints a load: the rules read the documents first; then the graph is built,
/// letting the user and role policy documents go as it compiles them (they are the
/// largest part of the load, and the graph holds them compiled, with their places),
/// and the rules that read the graph and the assertions run on it; then the
/// configuration. The same findings as [`findings`] on the whole load.
pub(super) fn lint_load(
    env: &Env,
    progress: &Progress,
    loaded: &mut Loaded,
    config: &Config,
) -> (Graph, Vec<Finding>) {
    progress.step("running the rules on the documents");
    let mut found = crate::lint::run_documents(&Context::new(&loaded.model, &loaded.diagnostics));
    progress.step(super::BUILDING);
    let mut graph = Graph::build_releasing(&mut loaded.model, &env.fixed);
    progress.step("running the rules on the graph");
    let cx = Context::new(&loaded.model, &loaded.diagnostics);
    crate::lint::run_graph(&cx, &graph, &mut found);
    drop(cx);
    crate::lint::sort(&mut found);
    let found = with_assertions(found, &mut graph, loaded, config);
    (graph, found)
}

/// The rules' findings (sorted) with the assertions' after them, then the
/// configuration.
fn with_assertions(
    mut findings: Vec<Finding>,
    graph: &mut Graph,
    loaded: &Loaded,
    config: &Config,
) -> Vec<Finding> {
    findings.extend(crate::lint::assertions::check(
        graph,
        &loaded.model,
        &config.assertions,
    ));
    to_tf_source(&mut findings, &loaded.sources);
    config.apply(findings, &loaded.sources)
}

/// With `--tf-source`, a finding about a plan object points at the `.tf` attribute or
/// block that wrote it; the plan's place becomes a related location.
fn to_tf_source(findings: &mut [Finding], sources: &crate::source::SourceMap) {
    for f in findings {
        let Some(span) = f.span else { continue };
        if let Some(tf) = sources.tf_source(span) {
            f.related.insert(0, (span, "in the plan".to_string()));
            f.span = Some(tf);
        }
    }
}

fn write_findings(env: &Env, findings: &[Finding], sources: &crate::source::SourceMap) {
    let rules = crate::lint::rules::registry();
    match env.cli.format {
        Format::Json => write_with(|out| report::lint::json(out, findings, sources)),
        Format::Sarif => write_with(|out| report::sarif::write(out, findings, &rules, sources)),
        Format::Github => write_with(|out| report::lint::github(out, findings, sources)),
        _ => write_with(|out| report::lint::text(out, findings, sources, env.color())),
    }
}

/// `diff BEFORE AFTER`: each snapshot is loaded, graphed and linted on its own.
pub(super) fn diff(
    env: &Env,
    snapshots: Option<(&Path, &Path)>,
    fail_on: &str,
    config: Option<&Path>,
) -> Result<u8, RunError> {
    let threshold = threshold(fail_on);
    let config = read_config(config)?;
    let iac = env.iac();
    let none = IacInput::default();
    // Two snapshots (the plans, if any, applied to the second), or --data alone and
    // --data with the plans.
    let (before, after): (Vec<PathBuf>, Vec<PathBuf>) = match snapshots {
        Some((b, a)) => (vec![b.to_path_buf()], vec![a.to_path_buf()]),
        None if !iac.is_empty() => (env.cli.data.clone(), env.cli.data.clone()),
        None => return Err(RunError::NothingToCompare),
    };
    let snapshot = |paths: &[PathBuf], iac: &IacInput| -> Result<_, RunError> {
        let progress = env.progress();
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        progress.step(&format!("loading {}", names.join(", ")));
        let mut loaded = if paths.is_empty() && iac.is_empty() {
            // Only a plan: before it, there is nothing.
            Loaded::default()
        } else {
            env.load_accounts_with(paths, iac)?
        };
        // Nothing `diff` writes quotes a file (its places stay exact): the texts of
        // both snapshots need not be held while the graphs are built.
        loaded.sources.release_texts();
        let (graph, findings) = lint_load(env, &progress, &mut loaded, &config);
        // Each crossing's hop is made, read and let go: only who, what and where are
        // kept.
        let crossings: Vec<Crossed> =
            crate::graph::paths::crossings_in_order(&graph, &loaded.model, None, None)
                .map(|c| Crossed::of(&c))
                .collect();
        Ok((loaded, crossings, findings))
    };
    let (before_loaded, before_paths, before_findings) = snapshot(&before, &none)?;
    // Nothing of the first snapshot's load is read again (its paths and findings are
    // its own): it is let go on another thread while the second is loaded.
    std::thread::spawn(move || drop(before_loaded));
    let (after_loaded, after_paths, after_findings) = snapshot(&after, &iac)?;
    let accounts: Vec<String> = after_loaded.model.accounts.keys().cloned().collect();
    let d = crate::lint::diff::diff(
        (&before_paths, &before_findings),
        (&after_paths, &after_findings),
        &accounts,
    );
    match env.cli.format {
        Format::Json => write_with(|out| report::diff::json(out, &d, &after_loaded.sources)),
        Format::Sarif | Format::Github => {
            write_findings(env, &d.new_findings, &after_loaded.sources)
        }
        _ => write_out(&report::diff::text(&d)),
    }
    let code = if d.fails(threshold) {
        exit::DENIED_OR_FINDINGS
    } else {
        exit::OK
    };
    leak(after_loaded);
    Ok(code)
}

pub(super) fn rules() -> Result<u8, RunError> {
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
    Ok(exit::OK)
}

pub(super) fn explain(rule: &str) -> Result<u8, RunError> {
    let r =
        crate::lint::rules::find(rule).ok_or_else(|| RunError::UnknownRule(rule.to_string()))?;
    write_out(&format!(
        "{} ({})\n\n{}\n",
        r.id(),
        r.severity().as_str(),
        r.doc()
    ));
    Ok(exit::OK)
}
