//! `iampath simulate` on request files: every case of docs/decision-rules.md §9 and more
//! (`tests/simulate/NN-slug--EXPECTED.json`), the README's examples
//! (`fixtures/simulate/`), and bad request files.
//!
//! Adding a case is adding a file: the expected decision is the part of its name
//! after the last `--`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const DECISIONS: &[&str] = &["allowed", "explicit_deny", "implicit_deny"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one run of the binary printed.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn simulate(path: &Path, extra: &[&str]) -> Outcome {
    let out = Command::cargo_bin("iampath")
        .unwrap()
        .current_dir(repo())
        .arg("simulate")
        .arg(path)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `NN-slug--EXPECTED.json` → `EXPECTED`, when it is a decision.
fn expected_of(name: &str) -> Option<&str> {
    let stem = name.strip_suffix(".json")?;
    let (_, expected) = stem.rsplit_once("--")?;
    DECISIONS.contains(&expected).then_some(expected)
}

fn request_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// True when the request file holds no policy at all: then nothing applies and a
/// denial may come without reasons.
fn has_no_policies(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc.as_object()
        .is_some_and(|o| o.keys().all(|k| k == "request"))
}

/// Checks one request file against an expected decision; `Err` says how it failed.
fn check(path: &Path, expected: &str) -> Result<(), String> {
    let out = simulate(path, &[]);
    let doc: Value = match serde_json::from_str(&out.stdout) {
        Ok(v) => v,
        Err(e) => {
            return Err(format!(
                "exit {:?}, stdout is not JSON ({e}); stderr:\n{}",
                out.code,
                indent(&out.stderr)
            ));
        }
    };
    let decision = doc["decision"].as_str().unwrap_or("<none>");
    let reasons = doc["reasons"].as_array().cloned().unwrap_or_default();
    let mut problems = Vec::new();
    if decision != expected {
        problems.push(format!("expected {expected}, got {decision}"));
    }
    let want_code = if decision == "allowed" { 0 } else { 1 };
    if out.code != Some(want_code) {
        problems.push(format!(
            "decision {decision} exited with {:?}, expected {want_code}",
            out.code
        ));
    }
    if decision != "allowed" && reasons.is_empty() && !has_no_policies(path) {
        problems.push(format!("{decision} without reasons"));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut msg = problems.join("; ");
    for r in &reasons {
        let _ = write!(
            msg,
            "\n      [{} {}] {}",
            r["gate"].as_str().unwrap_or("?"),
            r["verdict"].as_str().unwrap_or("?"),
            r["message"].as_str().unwrap_or("?")
        );
    }
    if !out.stderr.trim().is_empty() {
        let _ = write!(msg, "\n    stderr:\n{}", indent(&out.stderr));
    }
    Err(msg)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs every file and fails once, listing every case that went wrong.
fn check_all(files: &[(PathBuf, String)]) {
    let mut failures = Vec::new();
    for (path, expected) in files {
        if let Err(msg) = check(path, expected) {
            let name = path.file_name().unwrap().to_string_lossy();
            failures.push(format!("  {name}: {msg}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} request files got a wrong answer:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_request_file_gets_the_decision_its_name_says() {
    let dir = repo().join("tests/simulate");
    let mut files = Vec::new();
    let mut badly_named = Vec::new();
    for path in request_files(&dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match expected_of(&name) {
            Some(e) => files.push((path, e.to_string())),
            None => badly_named.push(name),
        }
    }
    assert!(
        badly_named.is_empty(),
        "request files must be named NN-slug--{{{}}}.json: {badly_named:?}",
        DECISIONS.join(",")
    );
    // Every case of docs/decision-rules.md §9 has at least one file.
    let names: Vec<String> = files
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let missing: Vec<u32> = (1..=26)
        .filter(|n| {
            let prefix = format!("{n:02}");
            !names.iter().any(|f| {
                f.strip_prefix(&prefix).is_some_and(|rest| {
                    rest.starts_with(|c: char| c == '-' || c.is_ascii_lowercase())
                })
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "no request file for §9 cases {missing:?}"
    );
    check_all(&files);
}

#[test]
fn readme_examples_get_their_documented_decisions() {
    let dir = repo().join("fixtures/simulate");
    let files: Vec<(PathBuf, String)> = [
        ("cross-account-get-object.json", "allowed"),
        ("scp-explicit-deny.json", "explicit_deny"),
        ("trust-external-id.json", "allowed"),
        ("anonymous-restrict-public-buckets.json", "implicit_deny"),
    ]
    .iter()
    .map(|(f, d)| (dir.join(f), d.to_string()))
    .collect();
    assert_eq!(
        request_files(&dir).len(),
        files.len(),
        "every example in fixtures/simulate/ is checked here"
    );
    check_all(&files);
}

/// A request file written to a temporary folder.
fn temp_request(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("request.json");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

const MINIMAL_REQUEST: &str = r#""request": {
    "principal": "arn:aws:iam::111111111111:user/alice",
    "action": "s3:GetObject",
    "resource": "arn:aws:s3:::example-bucket/key",
    "resourceAccount": "111111111111"
  }"#;

#[test]
fn a_syntax_error_is_exit_2_naming_the_file_line_and_column() {
    // Line 4 lacks the colon after "action": the value starts at column 14.
    let text = "{\n  \"request\": {\n    \"principal\": \"*\",\n    \"action\" \"s3:GetObject\",\n    \"resource\": \"arn:aws:s3:::b/k\"\n  }\n}\n";
    let (_dir, path) = temp_request(text);
    let out = simulate(&path, &["--color", "never"]);
    assert_eq!(out.code, Some(2), "stderr:\n{}", out.stderr);
    assert!(
        out.stdout.is_empty(),
        "no decision for a bad file: {}",
        out.stdout
    );
    assert!(
        out.stderr.contains("request.json:4:14"),
        "stderr names request.json:4:14, where `:` was expected:\n{}",
        out.stderr
    );
}

#[test]
fn an_unknown_top_level_key_is_exit_2() {
    let text = format!(
        "{{\n  {MINIMAL_REQUEST},\n  \"identityPolicy\": {{ \"Version\": \"2012-10-17\", \"Statement\": [] }}\n}}\n"
    );
    let (_dir, path) = temp_request(&text);
    let out = simulate(&path, &["--color", "never"]);
    assert_eq!(
        out.code,
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    assert!(
        out.stderr.contains("identityPolicy"),
        "stderr names the key:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("request.json:"),
        "stderr names the file:\n{}",
        out.stderr
    );
}

#[test]
fn an_unknown_key_in_the_request_is_exit_2() {
    let text = "{\n  \"request\": {\n    \"principal\": \"*\",\n    \"action\": \"s3:GetObject\",\n    \"resource\": \"arn:aws:s3:::example-bucket/k\",\n    \"account\": \"111111111111\"\n  }\n}\n";
    let (_dir, path) = temp_request(text);
    let out = simulate(&path, &["--color", "never"]);
    assert_eq!(
        out.code,
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    assert!(
        out.stderr.contains("account"),
        "stderr names the key:\n{}",
        out.stderr
    );
}

#[test]
fn a_missing_request_is_exit_2() {
    let text = "{\n  \"identityPolicies\": []\n}\n";
    let (_dir, path) = temp_request(text);
    let out = simulate(&path, &["--color", "never"]);
    assert_eq!(
        out.code,
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    assert!(
        out.stderr.contains("request"),
        "stderr names the missing key:\n{}",
        out.stderr
    );
    assert!(
        out.stdout.is_empty(),
        "no decision without a request: {}",
        out.stdout
    );
}

/// A denial's reasons do not contradict each other: when a resource-policy statement
/// is cited as allowing, no reason may say that the resource policy does not allow
/// (unless Block Public Access took that allow away).
#[test]
fn denial_reasons_do_not_say_a_citing_resource_policy_does_not_allow() {
    let mut contradictions = Vec::new();
    let files = request_files(&repo().join("tests/simulate"));
    for path in &files {
        let out = simulate(path, &[]);
        let Ok(doc) = serde_json::from_str::<Value>(&out.stdout) else {
            continue; // reported by every_request_file_gets_the_decision_its_name_says
        };
        if doc["decision"] == "allowed" {
            continue;
        }
        let reasons = doc["reasons"].as_array().cloned().unwrap_or_default();
        let has = |gate: &str, verdict: &str| {
            reasons
                .iter()
                .any(|r| r["gate"] == gate && (verdict.is_empty() || r["verdict"] == verdict))
        };
        if has("resource", "allow") && has("resource", "missing") && !has("block-public-access", "")
        {
            let said: Vec<&str> = reasons
                .iter()
                .filter(|r| r["gate"] == "resource")
                .filter_map(|r| r["message"].as_str())
                .collect();
            let name = path.file_name().unwrap().to_string_lossy();
            contradictions.push(format!("  {name}:\n      {}", said.join("\n      ")));
        }
    }
    assert!(
        contradictions.is_empty(),
        "{} of {} request files give contradicting resource reasons:\n{}",
        contradictions.len(),
        files.len(),
        contradictions.join("\n")
    );
}
