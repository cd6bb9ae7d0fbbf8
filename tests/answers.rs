//! Fixture folders with the answers iampath must give, as data: every folder under
//! `tests/answers/` is a small world in the data layout plus an `expect.txt` whose lines
//! are queries and their expected answers, run through the binary.
//!
//! Line forms (`#` starts a comment; `;` separates extra checks):
//!
//! ```text
//! can PRINCIPAL ACTION RESOURCE => DECISION [; note ~ TEXT] [; condition ~ TEXT] [; why ~ TEXT]
//! who-can ACTION RESOURCE => PRINCIPAL=DECISION, … | nobody     (the exact set)
//! what-can PRINCIPAL => has ACTION[=DECISION]; lacks ACTION; services N
//! escalations [--to ARN] => PRINCIPAL=DECISION[@TECHNIQUE+…], … | nobody   (the exact
//!                                    set; `@` lists the path's techniques, `assume` for a role assumed)
//! exit ARGS… => CODE [; stderr ~ TEXT] [; stdout ~ TEXT]   (`{data}` is the case folder;
//!                                                          no `--data` is added)
//! ```
//!
//! Adding a case is adding a folder; every line runs, and one failure lists them all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// The binary under test: this crate's, or `IAMPATH_BIN` (to check that a case fails
/// on an older build).
fn iampath() -> Command {
    match std::env::var_os("IAMPATH_BIN") {
        Some(bin) => Command::new(bin),
        None => Command::cargo_bin("iampath").unwrap(),
    }
}

fn run(data: &Path, args: &[&str]) -> Run {
    let out = iampath()
        .current_dir(repo())
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(r: &Run, line: &str) -> Result<Value, String> {
    serde_json::from_str(&r.stdout).map_err(|e| {
        format!(
            "`{line}`: output is not JSON ({e}); exit {:?}; stderr: {}",
            r.code, r.stderr
        )
    })
}

/// The extra checks after `;`: `what ~ text`.
fn extras(parts: &[&str]) -> Vec<(String, String)> {
    parts
        .iter()
        .filter_map(|p| {
            let (what, text) = p.split_once('~')?;
            Some((what.trim().to_owned(), text.trim().to_owned()))
        })
        .collect()
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn check_can(data: &Path, query: &str, expected: &str, extra: &[&str]) -> Result<(), String> {
    let words: Vec<&str> = query.split_whitespace().collect();
    let r = run(
        data,
        &[&["can"], &words[..], &["--format", "json"]].concat(),
    );
    let v = json(&r, query)?;
    let got = v.get("decision").and_then(Value::as_str).unwrap_or("?");
    if got != expected {
        return Err(format!(
            "`can {query}`: expected {expected}, got {got}; why_not: {}; notes: {:?}",
            v.get("why_not").unwrap_or(&Value::Null),
            strings(&v, "notes")
        ));
    }
    let want_code = if expected == "denied" { 1 } else { 0 };
    if r.code != Some(want_code) {
        return Err(format!(
            "`can {query}`: exit {want_code} expected, got {:?}",
            r.code
        ));
    }
    for (what, text) in extras(extra) {
        let hay = match what.as_str() {
            "note" => strings(&v, "notes").join("\n"),
            "why" => v
                .get("why_not")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            "condition" => v
                .get("paths")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .flat_map(|p| {
                    p.get("hops")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                })
                .flat_map(|h| strings(h, "conditions"))
                .collect::<Vec<_>>()
                .join("\n"),
            "from" => v
                .pointer("/paths/0/hops/0/from")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            other => return Err(format!("`can {query}`: unknown check `{other}`")),
        };
        if !hay.contains(&text) {
            return Err(format!(
                "`can {query}`: {what} should mention `{text}`, got: {hay}"
            ));
        }
    }
    Ok(())
}

fn check_who_can(data: &Path, query: &str, expected: &str) -> Result<(), String> {
    let words: Vec<&str> = query.split_whitespace().collect();
    let r = run(
        data,
        &[&["who-can"], &words[..], &["--format", "json"]].concat(),
    );
    let v = json(&r, query)?;
    let mut got: Vec<String> = v
        .get("principals")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            format!(
                "{}={}",
                p.get("principal").and_then(Value::as_str).unwrap_or("?"),
                p.get("decision").and_then(Value::as_str).unwrap_or("?")
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<String> = if expected == "nobody" {
        Vec::new()
    } else {
        expected.split(',').map(|s| s.trim().to_owned()).collect()
    };
    want.sort();
    if got != want {
        return Err(format!(
            "`who-can {query}`:\n    expected {want:?}\n    got      {got:?}\n    notes: {:?}",
            strings(&v, "notes")
        ));
    }
    Ok(())
}

fn check_what_can(data: &Path, principal: &str, checks: &[&str]) -> Result<(), String> {
    let r = run(data, &["what-can", principal, "--format", "json"]);
    let v = json(&r, principal)?;
    let first = v.pointer("/reaches/0").cloned().unwrap_or(Value::Null);
    let services = first
        .get("services")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let actions: Vec<(String, String)> = services
        .iter()
        .flat_map(|s| {
            s.get("actions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .map(|a| {
            (
                a.get("action")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                a.get("decision")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect();
    for c in checks {
        let (verb, arg) = c.trim().split_once(' ').unwrap_or((c.trim(), ""));
        let arg = arg.trim();
        match verb {
            "has" => {
                let (action, decision) = arg.split_once('=').unwrap_or((arg, ""));
                let found = actions.iter().find(|(a, _)| a.eq_ignore_ascii_case(action));
                match found {
                    None => {
                        return Err(format!(
                            "`what-can {principal}`: {action} expected among {} actions",
                            actions.len()
                        ));
                    }
                    Some((_, d)) if !decision.is_empty() && d != decision => {
                        return Err(format!(
                            "`what-can {principal}`: {action} expected {decision}, got {d}"
                        ));
                    }
                    Some(_) => {}
                }
            }
            "lacks" => {
                if actions.iter().any(|(a, _)| a.eq_ignore_ascii_case(arg)) {
                    return Err(format!("`what-can {principal}`: {arg} must not be listed"));
                }
            }
            "services" => {
                let n: usize = arg.parse().map_err(|_| format!("bad count `{arg}`"))?;
                if services.len() != n {
                    let names: Vec<&str> = services
                        .iter()
                        .filter_map(|s| s.get("service").and_then(Value::as_str))
                        .collect();
                    return Err(format!(
                        "`what-can {principal}`: {n} services expected, got {}: {names:?}",
                        services.len()
                    ));
                }
            }
            other => return Err(format!("`what-can {principal}`: unknown check `{other}`")),
        }
    }
    Ok(())
}

fn check_exit(data: &Path, args: &str, expected: &str, extra: &[&str]) -> Result<(), String> {
    let folder = data.display().to_string();
    let words: Vec<String> = args
        .split_whitespace()
        .map(|w| w.replace("{data}", &folder))
        .collect();
    let out = iampath().current_dir(repo()).args(&words).output().unwrap();
    let r = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    let code: i32 = expected
        .trim()
        .parse()
        .map_err(|_| format!("`exit {args}`: bad code `{expected}`"))?;
    if r.code != Some(code) {
        return Err(format!(
            "`{args}`: exit {code} expected, got {:?}\n    stdout: {}\n    stderr: {}",
            r.code,
            r.stdout.lines().take(5).collect::<Vec<_>>().join(" | "),
            r.stderr.lines().take(8).collect::<Vec<_>>().join(" | ")
        ));
    }
    for (what, text) in extras(extra) {
        let hay = match what.as_str() {
            "stderr" => &r.stderr,
            "stdout" => &r.stdout,
            other => return Err(format!("`{args}`: unknown check `{other}`")),
        };
        if !hay.contains(&text) {
            return Err(format!(
                "`{args}`: {what} should mention `{text}`, got:\n{hay}"
            ));
        }
    }
    Ok(())
}

fn check_escalations(data: &Path, args: &str, expected: &str) -> Result<(), String> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let r = run(
        data,
        &[&["escalations"], &words[..], &["--format", "json"]].concat(),
    );
    let v = json(&r, args)?;
    let mut got: Vec<String> = v
        .get("escalations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            let techniques: Vec<String> = e
                .get("hops")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|h| match h.get("technique").and_then(Value::as_str) {
                    Some(t) => t.to_owned(),
                    None => "assume".to_owned(),
                })
                .collect();
            format!(
                "{}={}@{}",
                e.get("principal").and_then(Value::as_str).unwrap_or("?"),
                e.get("decision").and_then(Value::as_str).unwrap_or("?"),
                techniques.join("+")
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<String> = if expected == "nobody" {
        Vec::new()
    } else {
        expected.split(',').map(|s| s.trim().to_owned()).collect()
    };
    // An entry without `@…` accepts any path.
    for w in &mut want {
        if !w.contains('@') {
            if let Some(g) = got.iter().find(|g| g.starts_with(&format!("{w}@"))) {
                *w = g.clone();
            }
        }
    }
    want.sort();
    if got != want {
        return Err(format!(
            "`escalations {args}`:\n    expected {want:?}\n    got      {got:?}"
        ));
    }
    Ok(())
}

fn check_line(data: &Path, line: &str) -> Result<(), String> {
    let (query, answer) = line
        .split_once("=>")
        .ok_or_else(|| format!("`{line}`: no `=>`"))?;
    let (command, rest) = query.trim().split_once(' ').unwrap_or((query.trim(), ""));
    let mut parts: Vec<&str> = answer.split(';').collect();
    let head = parts.remove(0).trim();
    match command {
        "can" => check_can(data, rest.trim(), head, &parts),
        "who-can" => check_who_can(data, rest.trim(), head),
        "what-can" => {
            let mut checks = vec![head];
            checks.extend(parts.iter().copied());
            check_what_can(data, rest.trim(), &checks)
        }
        "exit" => check_exit(data, rest.trim(), head, &parts),
        "escalations" => check_escalations(data, rest.trim(), head),
        other => Err(format!("`{line}`: unknown command `{other}`")),
    }
}

/// The case folders under `tests/<root>/`.
fn cases_of(root: &str) -> Vec<PathBuf> {
    let dir = repo().join("tests").join(root);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    cases.retain(|p| p.join("expect.txt").is_file());
    cases.sort();
    cases
}

#[test]
fn every_fixture_answers_as_expected() {
    check_cases(&cases_of("answers"));
}

/// The privilege-escalation techniques, one folder each (`tests/escalations/`): the
/// positive case and the negatives that catch false positives.
#[test]
fn every_escalation_fixture_answers_as_expected() {
    let cases = cases_of("escalations");
    if !cases.is_empty() {
        check_cases(&cases);
    }
}

fn check_cases(cases: &[PathBuf]) {
    assert!(!cases.is_empty(), "no cases");
    let mut failures = String::new();
    let mut lines = 0;
    for case in cases {
        let text = std::fs::read_to_string(case.join("expect.txt")).unwrap();
        let rel = case.strip_prefix(repo()).unwrap_or(case).to_path_buf();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            lines += 1;
            if let Err(e) = check_line(&rel, line) {
                let _ = writeln!(failures, "{}/expect.txt:{}: {e}", rel.display(), n + 1);
            }
        }
    }
    assert!(lines > 0);
    assert!(failures.is_empty(), "{failures}");
}
