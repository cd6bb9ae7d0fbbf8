//! Lint findings as text (miette snippets), JSON and GitHub workflow commands; SARIF
//! is in `sarif.rs`. Each is a function from the same findings to output.

use schemars::JsonSchema;
use serde::Serialize;

use super::diagnostics::{Shown, snippet_in};
use super::records::{Each, FindingJson, place, write_json};
use crate::lint::{Finding, Severity};
use crate::source::{Quotes, SourceMap};

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium => miette::Severity::Warning,
        Severity::Low | Severity::Info => miette::Severity::Advice,
    }
}

/// The findings for people, each with a snippet of its file, then a count by
/// severity. Written finding by finding (an organization has hundreds of thousands);
/// the files are read again to be quoted, one at a time (findings come by file). A
/// finding whose file cannot be quoted (it changed since it was loaded) is written
/// on one line with its place, and says so.
pub fn text(
    out: &mut dyn std::io::Write,
    findings: &[Finding],
    sources: &SourceMap,
    color: bool,
) -> std::io::Result<()> {
    let mut quotes = Quotes::new(sources);
    for f in findings {
        head(out, f, &mut quotes, color)?;
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

/// A finding's snippet, or its place on one line when its file cannot be quoted.
fn head(
    out: &mut dyn std::io::Write,
    f: &Finding,
    quotes: &mut Quotes,
    color: bool,
) -> std::io::Result<()> {
    let message = format!("[{}] {}", f.severity.as_str(), f.message);
    let Some((span, file)) = f.span.and_then(|s| Some((s, quotes.file(s.file)?))) else {
        return writeln!(out, "{} {message} ({})", f.rule, f.subject);
    };
    let quoted = quotes.of(span.file);
    let unquoted = quoted.is_none();
    let rendered = quoted.and_then(|(file, text)| {
        let shown = Shown {
            code: f.rule,
            message: message.clone(),
            severity: miette_severity(f.severity),
            span,
            related: &f.related,
        };
        snippet_in(&shown, file, text, color)
    });
    if let Some(r) = rendered {
        return out.write_all(r.as_bytes());
    }
    let (line, column) = file.line_col(span.start);
    let why = if unquoted {
        " (not quoted: the file changed or cannot be read since it was loaded)"
    } else {
        ""
    };
    writeln!(
        out,
        "{}:{line}:{column}: {} {message} ({}){why}",
        file.name, f.rule, f.subject
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
        findings: Each::new(findings.iter().map(|f| FindingJson::new(f, sources))),
    };
    write_json(out, &doc)
}

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`,
/// written finding by finding.
pub fn github(
    out: &mut dyn std::io::Write,
    findings: &[Finding],
    sources: &SourceMap,
) -> std::io::Result<()> {
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
        writeln!(
            out,
            "::{command} {props}title=iampath {}::{}",
            f.rule,
            escape_data(&message)
        )?;
    }
    Ok(())
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
