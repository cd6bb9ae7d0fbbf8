//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use iampath::ingest::{self, Diagnostic, LoadOptions, Loaded};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/corpus/<rel>` beside the checkout.
pub fn corpus(rel: &str) -> PathBuf {
    repo().join("../shared/corpus").join(rel)
}

pub fn load(paths: &[PathBuf]) -> Loaded {
    ingest::load(paths, &LoadOptions::default())
}

pub fn load_one(path: impl AsRef<Path>) -> Loaded {
    load(&[path.as_ref().to_path_buf()])
}

/// Codes of all diagnostics, in order.
pub fn codes(loaded: &Loaded) -> Vec<&'static str> {
    loaded.diagnostics.iter().map(Diagnostic::code).collect()
}

/// 1-based (line, column) of a diagnostic's start.
pub fn line_col(loaded: &Loaded, d: &Diagnostic) -> (usize, usize) {
    loaded
        .sources
        .get(d.span.file)
        .map(|f| f.line_col(d.span.start))
        .unwrap()
}

/// 1-based (line, column) of the first occurrence of `needle` in `text`.
pub fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, col)
}

pub fn only<'a>(loaded: &'a Loaded, code: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code() == code)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {code}, got {:?}",
        codes(loaded)
    );
    found[0]
}

/// Runs the binary in the repository: (exit code, stdout, stderr).
#[allow(clippy::unwrap_used)]
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("iampath")
        .unwrap()
        .current_dir(repo())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs the binary and reads its stdout as JSON: (exit code, document).
#[allow(clippy::panic)]
pub fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let (code, out, err) = run(args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

pub fn findings(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["findings"].as_array().cloned().unwrap_or_default()
}

/// (rule, subject, iac address, file line) of every finding, sorted.
pub fn summary(v: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    let mut out: Vec<_> = findings(v)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["subject"].as_str().unwrap_or_default().to_string(),
                f["iac"]["address"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The subfolders of `root` (relative to the checkout), sorted.
pub fn folders(root: &str) -> Vec<PathBuf> {
    let root = repo().join(root);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// The fixture data sets the graph is checked on: the reference scenarios, the quirks
/// and the escalation fixtures, one folder each.
pub fn graph_fixtures() -> Vec<PathBuf> {
    ["fixtures/scenarios", "fixtures/quirks", "tests/escalations"]
        .into_iter()
        .flat_map(folders)
        .collect()
}

/// Runs `check` on every graph fixture (named by its folder) and sums what it counts.
pub fn over_graph_fixtures(mut check: impl FnMut(&str, &[PathBuf]) -> usize) -> usize {
    graph_fixtures()
        .iter()
        .map(|dir| check(&dir.display().to_string(), std::slice::from_ref(dir)))
        .sum()
}

/// Runs `check` on every set of [`GRAPH_CORPUS`] and sums what it counts.
pub fn over_graph_corpus(mut check: impl FnMut(&str, &[PathBuf]) -> usize) -> usize {
    GRAPH_CORPUS
        .iter()
        .map(|set| check(set, &[corpus(set)]))
        .sum()
}

/// The sets of the shared corpus that hold IAM exports (with roles to assume).
pub const GRAPH_CORPUS: [&str; 4] = [
    "cloudsplaining",
    "iamspy",
    "aws-cli-example",
    "cloudmapper-demo",
];
