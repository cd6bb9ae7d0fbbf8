//! Lint findings in four peer formats: text (miette snippets), JSON, SARIF 2.1.0 and
//! GitHub workflow commands. Each is a function from the same findings to text.

use std::fmt::Write;

use serde_json::{Value, json};

use super::diagnostics::{Shown, snippet};
use crate::lint::{Finding, Rule, Severity};
use crate::model::Span;
use crate::source::SourceMap;

/// File, line and column of a span in a loaded file.
fn place(span: Option<Span>, sources: &SourceMap) -> Option<(String, usize, usize, usize, usize)> {
    let span = span?;
    let f = sources.get(span.file)?;
    let (line, column) = f.line_col(span.start);
    let (end_line, end_column) = f.line_col(span.end.max(span.start));
    Some((f.name.clone(), line, column, end_line, end_column))
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium => miette::Severity::Warning,
        Severity::Low | Severity::Info => miette::Severity::Advice,
    }
}

pub fn text(findings: &[Finding], sources: &SourceMap, color: bool) -> String {
    let mut out = String::new();
    for f in findings {
        let message = format!("[{}] {}", f.severity.as_str(), f.message);
        let rendered = f.span.and_then(|span| {
            let shown = Shown {
                code: f.rule,
                message: message.clone(),
                severity: miette_severity(f.severity),
                span,
                related: &f.related,
            };
            snippet(&shown, sources, color)
        });
        match rendered {
            Some(r) => out.push_str(&r),
            None => {
                let _ = writeln!(out, "{} {message} ({})", f.rule, f.subject);
            }
        }
        for hop in &f.path {
            let _ = writeln!(out, "    path: {} → {} ({})", hop.from, hop.to, hop.action);
        }
        out.push('\n');
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "{} findings: {} critical, {} high, {} medium, {} low, {} info",
        findings.len(),
        count(Severity::Critical),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
        count(Severity::Info)
    );
    out
}

/// The JSON record of one finding (design.md's fields, plus `statement`).
pub fn finding_json(f: &Finding, sources: &SourceMap) -> Value {
    let (file, line, column) =
        place(f.span, sources).map_or((String::new(), 0, 0), |(file, l, c, _, _)| (file, l, c));
    json!({
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "message": f.message,
        "file": file,
        "line": line,
        "column": column,
        "account": f.account,
        "subject": f.subject,
        "statement": f.statement,
    })
}

pub fn json(findings: &[Finding], sources: &SourceMap) -> String {
    let doc = json!({ "findings": findings.iter().map(|f| finding_json(f, sources)).collect::<Vec<_>>() });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// A SARIF physical location; a finding without a place of its own points at the
/// start of the first file its path cites, else at the data root.
fn sarif_location(span: Option<Span>, sources: &SourceMap) -> Value {
    match place(span, sources) {
        Some((file, line, column, end_line, end_column)) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&file) },
                "region": { "startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column.max(1) },
            }
        }),
        None => json!({
            "physicalLocation": { "artifactLocation": { "uri": "." }, "region": { "startLine": 1 } }
        }),
    }
}

/// A relative file path as a URI reference (forward slashes, spaces escaped).
fn uri(path: &str) -> String {
    path.trim_start_matches("./")
        .replace('\\', "/")
        .replace(' ', "%20")
}

pub fn sarif(findings: &[Finding], rules: &[&dyn Rule], sources: &SourceMap) -> String {
    let rule_index = |id: &str| rules.iter().position(|r| r.id() == id);
    let driver_rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "name": r.id(),
                "shortDescription": { "text": r.summary() },
                "fullDescription": { "text": r.summary() },
                "help": { "text": r.doc(), "markdown": r.doc() },
                "defaultConfiguration": { "level": sarif_level(r.severity()) },
                "properties": { "tags": ["security", "iam"], "severity": r.severity().as_str() },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let span = f.span.or_else(|| f.path.iter().flat_map(|h| &h.grants).find_map(|g| g.span));
            let mut result = json!({
                "ruleId": f.rule,
                "level": sarif_level(f.severity),
                "message": { "text": f.message },
                "locations": [sarif_location(span, sources)],
                "partialFingerprints": { "iampath/subject/v1": format!("{}|{}|{}", f.rule, f.subject, f.statement.as_deref().unwrap_or("")) },
                "properties": { "severity": f.severity.as_str(), "subject": f.subject, "account": f.account },
            });
            if let (Some(i), Some(obj)) = (rule_index(f.rule), result.as_object_mut()) {
                obj.insert("ruleIndex".into(), json!(i));
            }
            if !f.related.is_empty() {
                let related: Vec<Value> = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, (span, note))| {
                        let mut loc = sarif_location(Some(*span), sources);
                        if let Some(obj) = loc.as_object_mut() {
                            obj.insert("id".into(), json!(i));
                            obj.insert("message".into(), json!({ "text": note }));
                        }
                        loc
                    })
                    .collect();
                if let Some(obj) = result.as_object_mut() {
                    obj.insert("relatedLocations".into(), json!(related));
                }
            }
            if !f.path.is_empty() {
                let steps: Vec<Value> = f
                    .path
                    .iter()
                    .map(|h| {
                        let span = h.grants.iter().find_map(|g| g.span);
                        let mut loc = sarif_location(span, sources);
                        if let Some(obj) = loc.as_object_mut() {
                            obj.insert("message".into(), json!({ "text": format!("{} → {} ({})", h.from, h.to, h.action) }));
                        }
                        json!({ "location": loc })
                    })
                    .collect();
                if let Some(obj) = result.as_object_mut() {
                    obj.insert("codeFlows".into(), json!([{ "threadFlows": [{ "locations": steps }] }]));
                }
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "iampath",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/iampath/iampath",
                "rules": driver_rules,
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
pub fn github(findings: &[Finding], sources: &SourceMap) -> String {
    let mut out = String::new();
    for f in findings {
        let command = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let props = match place(f.span, sources) {
            Some((file, line, col, end_line, _)) => format!(
                "file={},line={line},endLine={end_line},col={col},",
                escape_property(&file)
            ),
            None => String::new(),
        };
        let message = format!("{} ({}): {}", f.message, f.severity.as_str(), f.subject);
        let _ = writeln!(
            out,
            "::{command} {props}title=iampath {}::{}",
            f.rule,
            escape_data(&message)
        );
    }
    out
}

/// Workflow-command escaping of a message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command escaping of a property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
