//! `iampath simulate`: the decision and its reasons.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::eval::{Evaluation, Reason, StatementRef};
use crate::model::Simulation;
use crate::source::SourceMap;

fn location(r: &Reason, sources: &SourceMap) -> Option<(String, usize, usize)> {
    let span = r.span?;
    let file = sources.get(span.file)?;
    let (line, column) = file.line_col(span.start);
    Some((file.name.clone(), line, column))
}

pub fn json(ev: &Evaluation, sim: &Simulation, sources: &SourceMap) -> String {
    let (caller, action, resource) = subject(sim);
    let reasons: Vec<Value> = ev
        .reasons
        .iter()
        .map(|r| {
            let mut v = json!({
                "gate": r.gate.as_str(),
                "verdict": r.verdict.as_str(),
                "policy": &*r.policy,
                "statement": r.statement.as_ref().map(StatementRef::label),
                "message": r.message(caller, action, resource),
            });
            if let (Some((file, line, column)), Some(obj)) =
                (location(r, sources), v.as_object_mut())
            {
                obj.insert("file".into(), json!(file));
                obj.insert("line".into(), json!(line));
                obj.insert("column".into(), json!(column));
            }
            v
        })
        .collect();
    let doc = json!({ "decision": ev.decision.as_str(), "reasons": reasons });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

pub fn text(ev: &Evaluation, sim: &Simulation, sources: &SourceMap) -> String {
    let (caller, action, resource) = subject(sim);
    let mut out = String::new();
    let _ = writeln!(out, "decision: {}", ev.decision.as_str());
    for r in &ev.reasons {
        let at = location(r, sources)
            .map(|(f, l, c)| format!("  ({f}:{l}:{c})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  [{} {}] {}{at}",
            r.gate.as_str(),
            r.verdict.as_str(),
            r.message(caller, action, resource)
        );
    }
    out
}

/// Who asked what, as the request file wrote it.
fn subject(sim: &Simulation) -> (&str, &str, &str) {
    (
        text_of(&sim.principal),
        text_of(&sim.action),
        text_of(&sim.resource),
    )
}

fn text_of(s: &Option<crate::model::Spanned<String>>) -> &str {
    s.as_ref().map_or("", |v| v.value.as_str())
}
