//! `iampath report`: one self-contained HTML page for a security review — the summary,
//! escalation and cross-account paths drawn as graphs, findings by severity with the
//! statement and its file:line, and an inventory per account. No network: the style,
//! the script and the drawings are inline. Long lists are cut at fixed sizes (and say
//! so) so that a page for a thousand accounts stays a few megabytes.

mod diagram;
mod layout;
mod paths;
mod sections;

pub use paths::CrossingSummary;

use std::fmt::Write as _;

use crate::graph::Graph;
use crate::graph::escalations::Escalation;
use crate::ingest::Diagnostic;
use crate::lint::{Finding, Severity};
use crate::model::Model;
use crate::source::SourceMap;

pub use diagram::MAX_NODES;

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("script.js");

/// Everything the report shows, computed by the commands it summarises.
pub struct ReportInput<'a> {
    /// What was loaded, as the user named it (`--data` values).
    pub data: Vec<String>,
    pub model: &'a Model,
    pub graph: &'a Graph,
    pub diagnostics: &'a [Diagnostic],
    pub sources: &'a SourceMap,
    pub findings: &'a [Finding],
    pub crossings: &'a CrossingSummary,
    pub escalations: &'a [Escalation],
}

/// Writes the page.
pub fn write(out: &mut dyn std::io::Write, r: &ReportInput) -> std::io::Result<()> {
    out.write_all(page(r).as_bytes())
}

/// The page as one string (a few megabytes at most: every list is capped).
pub fn page(r: &ReportInput) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let title = format!("iampath report: {}", r.data.join(", "));
    let _ = write!(
        s,
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            "<meta name=\"generator\" content=\"iampath {version}\">\n",
            "<title>{title}</title>\n<style>\n{style}</style>\n</head>\n<body>\n"
        ),
        version = env!("CARGO_PKG_VERSION"),
        title = esc(&title),
        style = STYLE
    );
    header(&mut s, r);
    filters(&mut s, r);
    s.push_str("<main>\n");
    paths::escalations(&mut s, r);
    paths::crossings(&mut s, r);
    sections::findings(&mut s, r);
    sections::accounts(&mut s, r);
    sections::diagnostics(&mut s, r);
    s.push_str("</main>\n");
    let _ = write!(
        s,
        "<footer>iampath {} · offline analysis of the exports listed above; nothing was asked of AWS.</footer>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    s
}

fn header(s: &mut String, r: &ReportInput) {
    let principals: usize = r
        .model
        .accounts
        .values()
        .map(|a| a.users.len() + a.roles.len())
        .sum();
    let _ = write!(
        s,
        "<header>\n<h1>iampath report</h1>\n<p class=\"data\">{}</p>\n<div class=\"cards\">",
        esc(&r.data.join(", "))
    );
    card(s, r.model.accounts.len(), "accounts", "", "#accounts");
    card(s, principals, "users and roles", "", "#accounts");
    let admin_paths = r.escalations.iter().filter(|e| e.target == "admin").count();
    card(
        s,
        admin_paths,
        "can become administrator",
        if admin_paths > 0 { "critical" } else { "" },
        "#escalations",
    );
    card(s, r.crossings.total, "cross-account paths", "", "#paths");
    for sev in SEVERITIES {
        let n = r.findings.iter().filter(|f| f.severity == sev).count();
        card(
            s,
            n,
            &format!("{} findings", sev.as_str()),
            if n > 0 { sev.as_str() } else { "" },
            &format!("#findings-{}", sev.as_str()),
        );
    }
    s.push_str("</div>\n</header>\n");
}

fn card(s: &mut String, n: usize, what: &str, class: &str, href: &str) {
    let _ = write!(
        s,
        "<a class=\"card {class}\" href=\"{href}\"><b>{n}</b><span>{}</span></a>",
        esc(what)
    );
}

/// The account and severity filters: they hide (or dim, in drawings) what does not
/// match, in the page itself.
fn filters(s: &mut String, r: &ReportInput) {
    s.push_str("<nav class=\"filters\" aria-label=\"filters\">\n<label>Account <select id=\"account-filter\"><option value=\"\">all accounts</option>");
    for a in r.model.accounts.values() {
        let name = account_label(a);
        let _ = write!(
            s,
            "<option value=\"{}\">{}</option>",
            esc(&a.id),
            esc(&name)
        );
    }
    s.push_str("</select></label>\n<span class=\"severity-filter\">Severity ");
    for sev in SEVERITIES {
        let _ = write!(
            s,
            "<label class=\"sev {0}\"><input type=\"checkbox\" value=\"{0}\" checked> {0}</label>",
            sev.as_str()
        );
    }
    s.push_str("</span>\n<button type=\"button\" id=\"expand-all\">expand all</button><button type=\"button\" id=\"collapse-all\">collapse all</button>\n</nav>\n");
}

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// An account as people know it: `111111111111 (alias)`.
fn account_label(a: &crate::model::Account) -> String {
    match &a.alias {
        Some(alias) => format!("{} ({alias})", a.id),
        None => a.id.clone(),
    }
}

/// HTML-escapes text for element content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `n thing` or `n things` (`policy` → `policies`).
fn plural(n: usize, thing: &str) -> String {
    match (n, thing.strip_suffix('y')) {
        (1, _) => format!("{n} {thing}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {thing}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_script_and_style_cannot_close_their_elements_early() {
        assert!(!SCRIPT.contains("</script"));
        assert!(!STYLE.contains("</style"));
    }
}
