//! Differential test: iampath's `simulate` against an independent evaluator,
//! `@cloud-copilot/iam-simulate` (tools/differential/README.md).
//!
//! Generates random but realistic request files from a seed, decides each with
//! iampath (in-process, as `iampath simulate` does) and with iam-simulate (a separate
//! node program, tools/differential/iam-simulate.mjs, run once over a JSONL of all
//! cases), and compares the decisions. Cases that use a construct where iam-simulate
//! departs from AWS (tools/differential/DEVIATIONS.md) or where iampath is known to
//! (tools/differential/iampath-bugs/) are skipped, by construct
//! (tests/differential/constructs.rs).
//!
//! `IAMPATH_DIFF_SEED` (default 1) and `IAMPATH_DIFF_CASES` (default 2,000) set the
//! run; `IAMPATH_DIFF_COMPARE=construct,…` compares excluded constructs anyway;
//! `IAMPATH_SKIP_DIFFERENTIAL=1` skips it where node/npm are missing. Failing cases
//! are kept in `target/differential-failures/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "differential/constructs.rs"]
mod constructs;
#[path = "differential/generator.rs"]
mod generator;
#[path = "differential/rng.rs"]
mod rng;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use iampath::ingest::{LoadOptions, Severity};
use iampath::source::SourceMap;
use serde_json::Value;

const DEFAULT_SEED: u64 = 1;
const DEFAULT_CASES: u64 = 2_000;
/// Node processes run side by side over parts of the cases.
const NODE_WORKERS: usize = 2;
/// Disagreements listed in the failure message (all are kept on disk).
const LISTED: usize = 25;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tool_dir() -> PathBuf {
    repo().join("tools/differential")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { repo().join(p) })
        .unwrap_or_else(|| repo().join("target"))
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: expected a number")),
        _ => default,
    }
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The version of iam-simulate package.json pins.
fn pinned_version(tool: &Path) -> String {
    let text = std::fs::read_to_string(tool.join("package.json")).unwrap();
    let pkg: Value = serde_json::from_str(&text).unwrap();
    pkg.pointer("/dependencies/@cloud-copilot~1iam-simulate")
        .and_then(Value::as_str)
        .unwrap()
        .to_string()
}

fn installed_version(tool: &Path) -> Option<String> {
    let text =
        std::fs::read_to_string(tool.join("node_modules/@cloud-copilot/iam-simulate/package.json"))
            .ok()?;
    let pkg: Value = serde_json::from_str(&text).ok()?;
    pkg.get("version").and_then(Value::as_str).map(String::from)
}

/// Installs iam-simulate in tools/differential (once: `npm ci` from the lockfile).
fn ensure_iam_simulate(tool: &Path) {
    let pinned = pinned_version(tool);
    if installed_version(tool).as_deref() == Some(pinned.as_str()) {
        return;
    }
    let out = Command::new("npm")
        .args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--prefer-offline",
            "--loglevel=error",
        ])
        .current_dir(tool)
        .output()
        .expect("running npm ci");
    assert!(
        out.status.success(),
        "`npm ci` in {} failed:\n{}{}",
        tool.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        installed_version(tool).as_deref(),
        Some(pinned.as_str()),
        "npm ci did not install @cloud-copilot/iam-simulate {pinned}"
    );
}

/// iampath's decision on a request file, as `iampath simulate` makes it (src/run.rs).
fn iampath_decide(path: &Path) -> Result<&'static str, String> {
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let sim = iampath::ingest::request_file::read(
        path,
        &LoadOptions::default(),
        &mut sources,
        &mut diags,
    );
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .map(|d| iampath::report::diagnostics::render(d, &sources, false))
        .collect();
    if !errors.is_empty() {
        return Err(format!("iampath rejects the file:\n{}", errors.join("\n")));
    }
    let ev = iampath::eval::simulation::run(&sim).map_err(|e| e.to_string())?;
    // The evaluator's decision alone (what the graph's edges use) is the same.
    let alone = iampath::eval::simulation::decision_only(&sim).map_err(|e| e.to_string())?;
    if alone != ev.decision {
        return Err(format!(
            "the decision alone is {alone:?}, the evaluation's {:?}",
            ev.decision
        ));
    }
    Ok(ev.decision.as_str())
}

/// iam-simulate's answer on one case.
#[derive(Debug, Default, Clone)]
struct Theirs {
    decision: Option<String>,
    error: Option<String>,
    blocked_by: Vec<String>,
    ignored_keys: Vec<String>,
}

fn parse_theirs(line: &str) -> (usize, Theirs) {
    let v: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("iam-simulate printed a bad line ({e}): {line}"));
    let list = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let index = v.get("index").and_then(Value::as_u64).unwrap() as usize;
    let theirs = Theirs {
        decision: v.get("decision").and_then(Value::as_str).map(String::from),
        error: v.get("error").and_then(Value::as_str).map(String::from),
        blocked_by: list("blockedBy"),
        ignored_keys: list("ignoredContextKeys"),
    };
    (index, theirs)
}

/// iam-simulate's decision in iampath's vocabulary. iam-simulate reports S3 Block
/// Public Access denials as explicit denies; AWS calls them neither, and iampath
/// reports them as implicit denies (DEVIATIONS.md, "Vocabulary").
fn their_decision(t: &Theirs) -> Option<&str> {
    let d = t.decision.as_deref()?;
    if d == "explicit_deny" && t.blocked_by.iter().any(|b| b == "s3-bpa") {
        return Some("implicit_deny");
    }
    Some(d)
}

struct Case {
    path: PathBuf,
    constructs: Vec<&'static str>,
}

#[derive(Default)]
struct Tally {
    agreed: usize,
    skipped: usize,
    skipped_by: BTreeMap<&'static str, usize>,
    skipped_disagreeing: usize,
    decisions: BTreeMap<&'static str, usize>,
    bpa_normalised: usize,
}

fn spawn_node(tool: &Path, jsonl: &Path, out: &Path) -> Child {
    Command::new("node")
        .arg(tool.join("iam-simulate.mjs"))
        .arg(jsonl)
        .current_dir(tool)
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting node")
}

#[test]
fn iampath_agrees_with_iam_simulate() {
    if std::env::var("IAMPATH_SKIP_DIFFERENTIAL").as_deref() == Ok("1") {
        println!("differential: skipped (IAMPATH_SKIP_DIFFERENTIAL=1)");
        return;
    }
    if !have("node") || !have("npm") {
        panic!(
            "the differential test needs node and npm (apt-get install nodejs npm); \
             set IAMPATH_SKIP_DIFFERENTIAL=1 to skip it"
        );
    }
    let seed = env_u64("IAMPATH_DIFF_SEED", DEFAULT_SEED);
    let count = env_u64("IAMPATH_DIFF_CASES", DEFAULT_CASES) as usize;
    let tool = tool_dir();
    ensure_iam_simulate(&tool);
    let started = Instant::now();

    // 1. Generate the cases: one request file each, and the same as JSONL parts.
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("cases");
    std::fs::create_dir(&files).unwrap();
    let chunk = count.div_ceil(NODE_WORKERS).max(1);
    let mut parts: Vec<PathBuf> = Vec::new();
    let mut writer: Option<std::io::BufWriter<std::fs::File>> = None;
    let mut cases: Vec<Case> = Vec::with_capacity(count);
    for i in 0..count {
        if i % chunk == 0 {
            let p = dir.path().join(format!("part-{}.jsonl", parts.len()));
            writer = Some(std::io::BufWriter::new(std::fs::File::create(&p).unwrap()));
            parts.push(p);
        }
        let file = generator::case(seed, i as u64);
        let text = serde_json::to_string(&file).unwrap();
        let path = files.join(format!("case-{i:06}.json"));
        std::fs::write(&path, &text).unwrap();
        let w = writer.as_mut().unwrap();
        w.write_all(text.as_bytes()).unwrap();
        w.write_all(b"\n").unwrap();
        cases.push(Case {
            path,
            constructs: constructs::classify(&file),
        });
    }
    drop(writer);
    let generated = started.elapsed();

    // 2. iam-simulate, in the background, one node process per part.
    let outs: Vec<PathBuf> = (0..parts.len())
        .map(|i| dir.path().join(format!("out-{i}.jsonl")))
        .collect();
    let children: Vec<Child> = parts
        .iter()
        .zip(&outs)
        .map(|(p, o)| spawn_node(&tool, p, o))
        .collect();

    // 3. iampath, meanwhile.
    let t = Instant::now();
    let ours: Vec<Result<&'static str, String>> =
        cases.iter().map(|c| iampath_decide(&c.path)).collect();
    let iampath_time = t.elapsed();

    // 4. Collect iam-simulate's answers.
    let mut theirs: Vec<Option<Theirs>> = vec![None; count];
    for (k, (child, out)) in children.into_iter().zip(&outs).enumerate() {
        let done = child.wait_with_output().unwrap();
        assert!(
            done.status.success(),
            "node iam-simulate.mjs failed on {}:\n{}",
            parts[k].display(),
            String::from_utf8_lossy(&done.stderr)
        );
        for line in std::fs::read_to_string(out).unwrap().lines() {
            let (i, t) = parse_theirs(line);
            theirs[k * chunk + i] = Some(t);
        }
    }

    let node_time = started.elapsed() - generated;

    // 5. Compare.
    let failures_dir = target_dir().join("differential-failures");
    let _ = std::fs::remove_dir_all(&failures_dir);
    let mut tally = Tally::default();
    let mut problems: Vec<String> = Vec::new();
    let mut disagreed = 0usize;
    // `IAMPATH_DIFF_COMPARE=construct,…`: compare these excluded constructs anyway
    // (to see whether a fix has landed or a deviation is gone).
    let compare_anyway: Vec<String> = std::env::var("IAMPATH_DIFF_COMPARE")
        .unwrap_or_default()
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let compare_anyway: Vec<&str> = compare_anyway.iter().map(String::as_str).collect();
    for (i, case) in cases.iter().enumerate() {
        let t = theirs[i]
            .clone()
            .unwrap_or_else(|| panic!("iam-simulate gave no answer for case {i}"));
        let ours = &ours[i];
        let excluded: Vec<&'static str> = case
            .constructs
            .iter()
            .copied()
            .filter(|c| constructs::excluded(c) && !compare_anyway.contains(c))
            .collect();
        let theirs_d = their_decision(&t);
        let problem = match (ours, theirs_d) {
            (Err(e), _) => Some(format!("iampath: {e}")),
            (_, None) => Some(format!(
                "iam-simulate rejects the case: {}",
                t.error.as_deref().unwrap_or("?")
            )),
            (Ok(_), Some(_)) if !t.ignored_keys.is_empty() => Some(format!(
                "iam-simulate ignored context keys {:?} (not valid for the action in its data): the generator should not give them",
                t.ignored_keys
            )),
            (Ok(a), Some(b)) if *a != b => {
                if excluded.is_empty() {
                    disagreed += 1;
                    Some(format!("iampath {a}, iam-simulate {b}"))
                } else {
                    tally.skipped_disagreeing += 1;
                    None
                }
            }
            _ => None,
        };
        if !excluded.is_empty() && problem.is_none() {
            tally.skipped += 1;
            for c in excluded {
                *tally.skipped_by.entry(c).or_default() += 1;
            }
            continue;
        }
        match problem {
            None => {
                tally.agreed += 1;
                if let Ok(d) = ours {
                    *tally.decisions.entry(d).or_default() += 1;
                }
                if t.blocked_by.iter().any(|b| b == "s3-bpa") {
                    tally.bpa_normalised += 1;
                }
            }
            Some(what) => {
                std::fs::create_dir_all(&failures_dir).unwrap();
                let name = format!(
                    "seed{seed}-case{i:06}--iampath-{}--iam-simulate-{}.json",
                    ours.as_deref().unwrap_or("error"),
                    theirs_d
                        .or(t.error.as_ref().map(|_| "error"))
                        .unwrap_or("?"),
                );
                let kept = failures_dir.join(name);
                let file: Value =
                    serde_json::from_str(&std::fs::read_to_string(&case.path).unwrap()).unwrap();
                std::fs::write(&kept, serde_json::to_string_pretty(&file).unwrap() + "\n").unwrap();
                let mut line = format!("case {i}: {what}");
                if !case.constructs.is_empty() {
                    let _ = write!(line, " [constructs: {}]", case.constructs.join(", "));
                }
                let _ = write!(line, "\n    {}", kept.display());
                problems.push(line);
            }
        }
    }

    let skipped_by: Vec<String> = tally
        .skipped_by
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    let decisions: Vec<String> = tally
        .decisions
        .iter()
        .map(|(d, n)| format!("{d} {n}"))
        .collect();
    let summary = format!(
        "differential: seed {seed}, {count} cases: {} agreed ({}; {} Block Public Access denials normalised), \
         {} skipped by deviation ({}; {} of them disagreed), {disagreed} disagreed, {} other problems; \
         {:.1}s (generating {:.1}s, iampath {:.1}s, iam-simulate {:.1}s alongside)",
        tally.agreed,
        decisions.join(", "),
        tally.bpa_normalised,
        tally.skipped,
        if skipped_by.is_empty() {
            "none".to_string()
        } else {
            skipped_by.join(", ")
        },
        tally.skipped_disagreeing,
        problems.len() - disagreed,
        started.elapsed().as_secs_f64(),
        generated.as_secs_f64(),
        iampath_time.as_secs_f64(),
        node_time.as_secs_f64(),
    );
    println!("{summary}");
    if !problems.is_empty() {
        let mut msg = format!(
            "{summary}\n\n{} problem(s), kept in {} (rerun: IAMPATH_DIFF_SEED={seed} IAMPATH_DIFF_CASES={count}):\n",
            problems.len(),
            failures_dir.display()
        );
        for p in problems.iter().take(LISTED) {
            let _ = writeln!(msg, "  {p}");
        }
        if problems.len() > LISTED {
            let _ = writeln!(msg, "  … and {} more", problems.len() - LISTED);
        }
        panic!("{msg}");
    }
}

/// Every exclusion is documented in DEVIATIONS.md, and so is every repro file of an
/// iampath bug.
#[test]
fn every_exclusion_is_documented() {
    let md = std::fs::read_to_string(tool_dir().join("DEVIATIONS.md")).unwrap();
    let all = constructs::DEVIATIONS
        .iter()
        .chain(constructs::UNDOCUMENTED)
        .chain(constructs::KNOWN_IAMPATH_BUGS);
    for e in all {
        assert!(!e.summary.is_empty(), "{} has no summary", e.construct);
        assert!(
            md.contains(&format!("`{}`", e.construct)),
            "tools/differential/DEVIATIONS.md does not mention `{}`",
            e.construct
        );
    }
    for name in bug_files() {
        assert!(
            md.contains(&name),
            "DEVIATIONS.md does not list iampath-bugs/{name}"
        );
    }
}

/// The repro files under tools/differential/iampath-bugs/, by name.
fn bug_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(tool_dir().join("iampath-bugs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// A repro file whose bug has no `KNOWN_IAMPATH_BUGS` entry is fixed: iampath must
/// give the decision its name says (`NN-slug--EXPECTED.json`).
#[test]
fn fixed_iampath_bugs_stay_fixed() {
    for name in bug_files() {
        let number = name.split('-').next().unwrap().to_string();
        let open = constructs::KNOWN_IAMPATH_BUGS
            .iter()
            .any(|e| e.summary.contains(&format!("iampath-bugs/{number}")));
        if open {
            continue;
        }
        let expected = name
            .trim_end_matches(".json")
            .rsplit("--")
            .next()
            .unwrap()
            .to_string();
        let path = tool_dir().join("iampath-bugs").join(&name);
        let got = iampath_decide(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            got, expected,
            "iampath-bugs/{name} is fixed, but iampath says {got}"
        );
    }
}
