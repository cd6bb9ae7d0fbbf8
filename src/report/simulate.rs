//! `iampath simulate`: the decision and its reasons.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use super::records::write_json;

use crate::eval::{Evaluation, Reason, StatementRef};
use crate::model::Simulation;
use crate::source::SourceMap;

fn location(r: &Reason, sources: &SourceMap) -> Option<(String, usize, usize)> {
    let span = r.span?;
    let file = sources.get(span.file)?;
    let (line, column) = file.line_col(span.start);
    Some((file.name.clone(), line, column))
}

/// `simulate --format json`.
#[derive(Serialize, JsonSchema)]
pub struct SimulateDoc<'a> {
    /// `allowed`, `explicit_deny` or `implicit_deny`.
    #[schemars(extend("enum" = ["allowed", "explicit_deny", "implicit_deny"]))]
    pub decision: &'static str,
    pub reasons: Vec<ReasonJson<'a>>,
}

/// A statement that allowed or denied, or a gate where nothing allowed.
#[derive(Serialize, JsonSchema)]
pub struct ReasonJson<'a> {
    /// `identity`, `boundary`, `session`, `resource`, `scp`, `rcp`,
    /// `block-public-access` or `cross-account`.
    #[schemars(extend("enum" = ["identity", "boundary", "session", "resource", "scp", "rcp", "block-public-access", "cross-account"]))]
    pub gate: &'static str,
    /// `allow`, `deny`, `conditional` or `missing`.
    #[schemars(extend("enum" = ["allow", "deny", "conditional", "missing"]))]
    pub verdict: &'static str,
    pub policy: &'a str,
    /// The statement's Sid (in backquotes) or `#index`.
    pub statement: Option<String>,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

pub fn json(
    out: &mut dyn std::io::Write,
    ev: &Evaluation,
    sim: &Simulation,
    sources: &SourceMap,
) -> std::io::Result<()> {
    let (caller, action, resource) = subject(sim);
    let doc = SimulateDoc {
        decision: ev.decision.as_str(),
        reasons: ev
            .reasons
            .iter()
            .map(|r| {
                let at = location(r, sources);
                ReasonJson {
                    gate: r.gate.as_str(),
                    verdict: r.verdict.as_str(),
                    policy: &r.policy,
                    statement: r.statement.as_ref().map(StatementRef::label),
                    message: r.message(caller, action, resource),
                    line: at.as_ref().map(|a| a.1),
                    column: at.as_ref().map(|a| a.2),
                    file: at.map(|a| a.0),
                }
            })
            .collect(),
    };
    write_json(out, &doc)
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
