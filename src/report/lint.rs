//! Lint findings as text (miette snippets), JSON and GitHub workflow commands; SARIF
//! is in `sarif.rs`. Each is a function from the same findings to output.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use super::diagnostics::{Shown, snippet};
use super::records::{Each, FindingJson, place, write_json};
use crate::lint::{Finding, Severity};
use crate::source::SourceMap;

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium => miette::Severity::Warning,
        Severity::Low | Severity::Info => miette::Severity::Advice,
    }
}

/// The findings for people, each with a snippet of its file, then a count by
/// severity. Written finding by finding (an organization has hundreds of thousands).
pub fn text(
    out: &mut dyn std::io::Write,
    findings: &[Finding],
    sources: &SourceMap,
    color: bool,
) -> std::io::Result<()> {
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
            Some(r) => out.write_all(r.as_bytes())?,
            None => writeln!(out, "{} {message} ({})", f.rule, f.subject)?,
        }
        for hop in &f.path {
            writeln!(out, "    path: {} → {} ({})", hop.from, hop.to, hop.action)?;
        }
        writeln!(out)?;
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    writeln!(
        out,
        "{} findings: {} critical, {} high, {} medium, {} low, {} info",
        findings.len(),
        count(Severity::Critical),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
        count(Severity::Info)
    )
}

/// `lint --format json`.
// `F` is a list of `FindingJson`, written as an `Each` (its records made as they are
// written).
#[derive(Serialize, JsonSchema)]
pub struct LintDoc<F> {
    pub findings: F,
}

pub fn json(
    out: &mut dyn std::io::Write,
    findings: &[Finding],
    sources: &SourceMap,
) -> std::io::Result<()> {
    let doc = LintDoc {
        findings: Each::new(findings, |f| FindingJson::new(f, sources)),
    };
    write_json(out, &doc)
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
            Some(p) => format!(
                "file={},line={},endLine={},col={},",
                escape_property(p.file),
                p.line,
                p.end_line,
                p.column
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
