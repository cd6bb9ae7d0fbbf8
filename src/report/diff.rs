//! `diff`: what a change adds and removes.

use std::fmt::Write;

use serde_json::{Value, json};

use super::lint::finding_json;
use crate::lint::diff::{Diff, PathChange};
use crate::source::SourceMap;

fn path_json(p: &PathChange) -> Value {
    json!({
        "from_account": p.from_account,
        "to_account": p.to_account,
        "from": p.hop.from,
        "to": p.hop.to,
        "action": p.hop.action,
        "decision": p.hop.decision.as_str(),
        "severity": p.severity.as_str(),
    })
}

pub fn json(d: &Diff, sources: &SourceMap) -> String {
    let doc = json!({
        "new_paths": d.new_paths.iter().map(path_json).collect::<Vec<_>>(),
        "removed_paths": d.removed_paths.iter().map(path_json).collect::<Vec<_>>(),
        "new_findings": d.new_findings.iter().map(|f| finding_json(f, sources)).collect::<Vec<_>>(),
        "fixed_findings": d.fixed_findings.iter().map(|f| json!({"rule": f.rule, "subject": f.subject, "statement": f.statement, "message": f.message})).collect::<Vec<_>>(),
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
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
                p.hop.from,
                p.hop.to,
                p.hop.action,
                p.from_account,
                p.to_account
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
