//! `diff`: what a change adds and removes.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use super::records::{FindingJson, write_json};
use crate::lint::diff::{Diff, PathChange};
use crate::source::SourceMap;

/// `diff --format json`.
#[derive(Serialize, JsonSchema)]
pub struct DiffDoc<'a> {
    pub new_paths: Vec<PathChangeJson<'a>>,
    pub removed_paths: Vec<PathChangeJson<'a>>,
    pub new_findings: Vec<FindingJson<'a>>,
    pub fixed_findings: Vec<FixedJson<'a>>,
}

/// An access path across accounts that a change adds or removes.
#[derive(Serialize, JsonSchema)]
pub struct PathChangeJson<'a> {
    pub from_account: &'a str,
    pub to_account: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub action: &'a str,
    #[schemars(extend("enum" = ["allowed", "conditional"]))]
    pub decision: &'static str,
    /// How bad it is to gain this path (`high` from outside the loaded accounts).
    #[schemars(extend("enum" = ["critical", "high", "medium", "low", "info"]))]
    pub severity: &'static str,
}

/// A finding the change fixes.
#[derive(Serialize, JsonSchema)]
pub struct FixedJson<'a> {
    pub rule: &'a str,
    pub subject: &'a str,
    pub statement: Option<&'a str>,
    pub message: &'a str,
}

fn path_json(p: &PathChange) -> PathChangeJson<'_> {
    PathChangeJson {
        from_account: &p.path.from_account,
        to_account: &p.path.to_account,
        from: &p.path.from,
        to: &p.path.to,
        action: &p.path.action,
        decision: p.path.decision.as_str(),
        severity: p.severity.as_str(),
    }
}

pub fn json(out: &mut dyn std::io::Write, d: &Diff, sources: &SourceMap) -> std::io::Result<()> {
    let doc = DiffDoc {
        new_paths: d.new_paths.iter().map(path_json).collect(),
        removed_paths: d.removed_paths.iter().map(path_json).collect(),
        new_findings: d
            .new_findings
            .iter()
            .map(|f| FindingJson::new(f, sources))
            .collect(),
        fixed_findings: d
            .fixed_findings
            .iter()
            .map(|f| FixedJson {
                rule: f.rule,
                subject: &f.subject,
                statement: f.statement.as_deref(),
                message: &f.message,
            })
            .collect(),
    };
    write_json(out, &doc)
}

pub fn text(d: &Diff) -> String {
    let mut out = String::new();
    let section = |out: &mut String, title: &str, paths: &[PathChange]| {
        if paths.is_empty() {
            return;
        }
        let _ = writeln!(out, "{title}:");
        for p in paths {
            let _ = writeln!(
                out,
                "  [{}] {} → {} ({}; {} → {})",
                p.severity.as_str(),
                p.path.from,
                p.path.to,
                p.path.action,
                p.path.from_account,
                p.path.to_account
            );
        }
    };
    section(&mut out, "new access paths", &d.new_paths);
    section(&mut out, "removed access paths", &d.removed_paths);
    if !d.new_findings.is_empty() {
        let _ = writeln!(out, "new findings:");
        for f in &d.new_findings {
            let _ = writeln!(
                out,
                "  [{}] {}: {} ({})",
                f.severity.as_str(),
                f.rule,
                f.message,
                f.subject
            );
        }
    }
    if !d.fixed_findings.is_empty() {
        let _ = writeln!(out, "fixed findings:");
        for f in &d.fixed_findings {
            let _ = writeln!(out, "  {}: {} ({})", f.rule, f.message, f.subject);
        }
    }
    if out.is_empty() {
        out.push_str("no change in access paths or findings\n");
    }
    out
}
