//! `paths`: access paths that cross account boundaries, grouped by source → target.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use super::records::write_json;
use crate::graph::paths::Crossing;

/// `paths --format json`.
#[derive(Serialize, JsonSchema)]
pub struct PathsDoc<'a> {
    pub paths: Vec<CrossingJson<'a>>,
}

/// One hop that crosses from one account into another.
#[derive(Serialize, JsonSchema)]
pub struct CrossingJson<'a> {
    /// The source account (`anonymous`, or "outside AWS" for identity providers).
    pub from_account: &'a str,
    pub to_account: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub action: &'a str,
    /// `assume-role` or `access`.
    #[schemars(extend("enum" = ["assume-role", "access"]))]
    pub kind: &'static str,
    #[schemars(extend("enum" = ["allowed", "conditional"]))]
    pub decision: &'static str,
    pub conditions: &'a [String],
}

pub fn json(out: &mut dyn std::io::Write, c: &[Crossing]) -> std::io::Result<()> {
    let doc = PathsDoc {
        paths: c
            .iter()
            .map(|x| CrossingJson {
                from_account: &x.from_account,
                to_account: &x.to_account,
                from: &x.hop.from,
                to: &x.hop.to,
                action: &x.hop.action,
                kind: x.hop.kind.as_str(),
                decision: x.hop.decision.as_str(),
                conditions: &x.hop.conditions,
            })
            .collect(),
    };
    write_json(out, &doc)
}

pub fn text(c: &[Crossing]) -> String {
    let mut out = String::new();
    let mut group = None;
    for x in c {
        let g = (x.from_account.as_str(), x.to_account.as_str());
        if group != Some(g) {
            let _ = writeln!(out, "{} → {}", g.0, g.1);
            group = Some(g);
        }
        let cond = if x.hop.conditions.is_empty() {
            String::new()
        } else {
            format!(" [{}]", x.hop.conditions.join("; "))
        };
        let _ = writeln!(
            out,
            "  {} → {} ({}, {}){cond}",
            x.hop.from,
            x.hop.to,
            x.hop.action,
            x.hop.decision.as_str()
        );
    }
    if c.is_empty() {
        out.push_str("no path crosses an account boundary\n");
    }
    out
}
