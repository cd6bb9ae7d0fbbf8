//! Baselines: accept today's findings, fail only on new ones. A finding is keyed by
//! rule, subject and statement — not by line, which shifts when AWS re-exports.

use std::collections::BTreeSet;
use std::path::Path;

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

/// Why a baseline cannot be read or written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    #[error("cannot read the baseline {path}: {reason}")]
    #[diagnostic(code(iampath::baseline))]
    Read { path: String, reason: String },
    #[error("cannot write the baseline {path}: {reason}")]
    #[diagnostic(code(iampath::baseline))]
    Write { path: String, reason: String },
    #[error("the baseline {path} is not valid JSON: {reason}")]
    #[diagnostic(
        code(iampath::baseline),
        help("write one with `iampath lint --write-baseline FILE`")
    )]
    Syntax {
        path: String,
        reason: String,
        #[source_code]
        text: std::sync::Arc<miette::NamedSource<String>>,
        #[label("here")]
        at: miette::SourceSpan,
    },
    #[error("the baseline {path} is not a baseline: it holds {{\"findings\": [{{\"key\": …}}]}}")]
    #[diagnostic(
        code(iampath::baseline),
        help("write one with `iampath lint --write-baseline FILE`")
    )]
    Shape { path: String },
}

#[derive(serde::Serialize, serde::Deserialize)]
struct BaselineFile {
    #[serde(rename = "iampath-baseline", default)]
    version: u32,
    findings: Vec<BaselineEntry>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct BaselineEntry {
    key: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    statement: Option<String>,
    #[serde(default)]
    message: String,
}

/// Writes the keys of `findings` (with their messages, for people reading the file).
pub fn write(path: &Path, findings: &[Finding]) -> Result<(), BaselineError> {
    let mut entries: Vec<BaselineEntry> = findings
        .iter()
        .map(|f| BaselineEntry {
            key: key(f),
            rule: f.rule.to_string(),
            subject: f.subject.clone(),
            statement: f.statement.clone(),
            message: f.message.clone(),
        })
        .collect();
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    entries.dedup_by(|a, b| a.key == b.key);
    let doc = BaselineFile {
        version: 1,
        findings: entries,
    };
    let failed = |e: String| BaselineError::Write {
        path: path.display().to_string(),
        reason: e,
    };
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| failed(e.to_string()))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| failed(e.to_string()))
}

/// Reads the keys of a baseline file.
pub fn read(path: &Path) -> Result<BTreeSet<String>, BaselineError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Read {
        path: name.clone(),
        reason: e.to_string(),
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        let offset = offset_of(&text, e.line(), e.column());
        BaselineError::Syntax {
            path: name.clone(),
            reason: e.to_string(),
            at: (offset, 0).into(),
            text: std::sync::Arc::new(miette::NamedSource::new(name.clone(), text.clone())),
        }
    })?;
    let doc: BaselineFile =
        serde_json::from_value(value).map_err(|_| BaselineError::Shape { path: name })?;
    Ok(doc.findings.into_iter().map(|e| e.key).collect())
}

/// The byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// The findings not in the baseline.
pub fn new_findings(findings: Vec<Finding>, baseline: &BTreeSet<String>) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| !baseline.contains(&key(f)))
        .collect()
}
