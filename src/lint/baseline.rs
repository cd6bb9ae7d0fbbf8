//! Baselines: accept today's findings, fail only on new ones. A finding is keyed by
//! rule, subject and statement — not by line, which shifts when AWS re-exports.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};

use super::Finding;

/// The stable key of a finding.
pub fn key(f: &Finding) -> String {
    format!(
        "{}|{}|{}",
        f.rule,
        f.subject,
        f.statement.as_deref().unwrap_or("")
    )
}

/// Writes the keys of `findings` (with their messages, for people reading the file).
pub fn write(path: &Path, findings: &[Finding]) -> std::io::Result<()> {
    let mut entries: Vec<Value> = findings
        .iter()
        .map(|f| json!({ "key": key(f), "rule": f.rule, "subject": f.subject, "statement": f.statement, "message": f.message }))
        .collect();
    entries.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
    entries.dedup_by(|a, b| a["key"] == b["key"]);
    let doc = json!({ "iampath-baseline": 1, "findings": entries });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text)
}

/// Reads the keys of a baseline file.
pub fn read(path: &Path) -> Result<BTreeSet<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the baseline: {e}", path.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: the baseline is not valid JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    let entries = doc["findings"].as_array().ok_or_else(|| {
        format!(
            "{}: a baseline holds {{\"findings\": [...]}}",
            path.display()
        )
    })?;
    Ok(entries
        .iter()
        .filter_map(|e| e["key"].as_str().map(str::to_string))
        .collect())
}

/// The findings not in the baseline.
pub fn new_findings(findings: Vec<Finding>, baseline: &BTreeSet<String>) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| !baseline.contains(&key(f)))
        .collect()
}
