//! `escalations`: every principal that can become an administrator (or reach a given
//! principal), with its shortest path; each hop names its technique and the statements
//! that grant each permission it needs.

use schemars::JsonSchema;
use serde::Serialize;

use super::access::{Snippets, hop_text};
use super::records::{Each, HopJson, write_json};
use crate::graph::escalations::Escalation;
use crate::source::SourceMap;

/// `escalations --format json`.
// `E` is a list of `EscalationJson`, written as an `Each` (its records made as they
// are written).
#[derive(Serialize, JsonSchema)]
pub struct EscalationsDoc<E> {
    pub escalations: E,
}

/// One principal that can escalate.
#[derive(Serialize, JsonSchema)]
pub struct EscalationJson<'a> {
    pub principal: &'a str,
    #[schemars(extend("enum" = ["allowed", "conditional"]))]
    pub decision: &'static str,
    /// `admin`, or the ARN asked about with `--to`.
    pub target: &'a str,
    /// The principal's account.
    pub account: Option<&'a str>,
    /// The node the path ends at: an administrator's ARN, `administrator@ACCOUNT` (a
    /// principal of the attacker's own making or a changed copy), or the ARN asked about.
    pub reached: &'a str,
    pub hops: Vec<HopJson<'a>>,
}

pub fn json(
    out: &mut dyn std::io::Write,
    found: &[Escalation],
    sources: &SourceMap,
) -> std::io::Result<()> {
    let doc = EscalationsDoc {
        escalations: Each::new(found.iter().map(|e| EscalationJson {
            principal: &e.principal,
            decision: e.decision.as_str(),
            target: &e.target,
            account: e.account.as_deref(),
            reached: &e.reached,
            hops: e.hops.iter().map(|h| HopJson::new(h, sources)).collect(),
        })),
    };
    write_json(out, &doc)
}

/// `escalations` for people: each principal that can escalate and the hops of its
/// path, their statements quoted (see [`super::access::can_text`]).
pub fn text(
    out: &mut dyn std::io::Write,
    found: &[Escalation],
    sources: &SourceMap,
) -> std::io::Result<()> {
    let mut snippets = Snippets::new(sources);
    for e in found {
        let goal = if e.target == "admin" {
            format!(
                "an administrator of account {}",
                e.account.as_deref().unwrap_or("?")
            )
        } else {
            format!("`{}`", e.target)
        };
        writeln!(
            out,
            "{} can become {goal} ({}, {} hop{})",
            e.principal,
            e.decision.as_str(),
            e.hops.len(),
            if e.hops.len() == 1 { "" } else { "s" }
        )?;
        for (n, h) in e.hops.iter().enumerate() {
            hop_text(out, n + 1, h, sources, &mut snippets)?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} principal{} can escalate",
        found.len(),
        if found.len() == 1 { "" } else { "s" }
    )
}
