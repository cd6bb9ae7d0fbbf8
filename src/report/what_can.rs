//! `what-can`: the roles a principal reaches and the actions the evaluator allows each.

use schemars::JsonSchema;
use serde::Serialize;

use super::records::{Each, write_json};

use crate::graph::what_can::{ActionAccess, Reach, Reached, ServiceAccess, reaches};
use crate::graph::{Graph, Hop};

// `R` is a list of `ReachJson`, written as an `Each` (its records made a few at a
// time as they are written).
#[derive(Serialize, JsonSchema)]
pub struct WhatCanDoc<'a, R = Vec<ReachJson<'a>>> {
    principal: &'a str,
    reaches: R,
}

#[derive(Serialize, JsonSchema)]
pub struct ReachJson<'a> {
    principal: &'a str,
    hops: Vec<ViaJson<'a>>,
    services: Vec<ServiceJson<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct ViaJson<'a> {
    from: &'a str,
    to: &'a str,
    action: &'a str,
    decision: &'static str,
    conditions: &'a [String],
}

#[derive(Serialize, JsonSchema)]
pub struct ServiceJson<'a> {
    service: &'a str,
    access_levels: Vec<&'static str>,
    /// Actions allowed outright, and only under conditions.
    allowed: usize,
    conditional: usize,
    resources: Vec<&'a str>,
    actions: Vec<ActionJson<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct ActionJson<'a> {
    action: &'a str,
    access_level: &'static str,
    decision: &'static str,
    resources: &'a [String],
}

fn hop_json(h: &Hop) -> ViaJson<'_> {
    ViaJson {
        from: &h.from,
        to: &h.to,
        action: &h.action,
        decision: h.decision.as_str(),
        conditions: &h.conditions,
    }
}

fn action_json(a: &ActionAccess) -> ActionJson<'_> {
    ActionJson {
        action: a.action,
        access_level: a.level.as_str(),
        decision: a.decision.as_str(),
        resources: &a.resources,
    }
}

fn service_json<'a>(name: &'a str, s: &'a ServiceAccess) -> ServiceJson<'a> {
    let (allowed, conditional) = s.counts();
    ServiceJson {
        service: name,
        access_levels: s.levels.iter().map(|l| l.as_str()).collect(),
        allowed,
        conditional,
        resources: s.resources.iter().map(String::as_str).collect(),
        actions: s.actions.iter().map(action_json).collect(),
    }
}

/// A reached principal's record, made as it is written and let go after.
struct Record(Reach);

impl Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.0;
        ReachJson {
            principal: &r.principal,
            hops: r.hops.iter().map(|h| hop_json(h)).collect(),
            services: r.services.iter().map(|(n, s)| service_json(n, s)).collect(),
        }
        .serialize(s)
    }
}

/// The JSON document (`{"principal", "reaches": [...]}`), written to `out`: what
/// each reached principal may do is worked out as its record is written.
pub fn json(
    out: &mut dyn std::io::Write,
    graph: &Graph,
    principal: &str,
    reached: &[Reached],
) -> std::io::Result<()> {
    let doc = WhatCanDoc {
        principal,
        reaches: Each::new(reaches(graph, reached).map(Record)),
    };
    write_json(out, &doc)
}

/// The text summary: per reached principal, per service, the access levels and how
/// many actions are allowed (with `verbose`, each action by name). Written
/// principal by principal, as [`json`].
pub fn text(
    out: &mut dyn std::io::Write,
    graph: &Graph,
    principal: &str,
    reached: &[Reached],
    verbose: bool,
) -> std::io::Result<()> {
    let others = reached.len().saturating_sub(1);
    writeln!(
        out,
        "{principal} reaches {others} other principal{}",
        if others == 1 { "" } else { "s" }
    )?;
    for r in reaches(graph, reached) {
        let via = if r.hops.is_empty() {
            "itself".to_string()
        } else {
            format!(
                "{} hop{}",
                r.hops.len(),
                if r.hops.len() == 1 { "" } else { "s" }
            )
        };
        writeln!(out, "\n{} ({via})", r.principal)?;
        for h in &r.hops {
            let cond = if h.conditions.is_empty() {
                String::new()
            } else {
                format!(" [{}]", h.conditions.join("; "))
            };
            writeln!(out, "  via {} → {}{cond}", h.from, h.to)?;
        }
        if r.services.is_empty() {
            writeln!(out, "  no action is allowed")?;
        }
        for (name, s) in &r.services {
            let levels: Vec<&str> = s.levels.iter().map(|l| l.as_str()).collect();
            let res: Vec<&str> = s.resources.iter().map(String::as_str).collect();
            let (allowed, conditional) = s.counts();
            let cond = if conditional > 0 {
                format!(", {conditional} conditional")
            } else {
                String::new()
            };
            writeln!(
                out,
                "  {name:<20} {} ({allowed} action{}{cond}) on {}",
                levels.join(", "),
                if allowed == 1 { "" } else { "s" },
                res.join(", ")
            )?;
            if verbose {
                for a in &s.actions {
                    let mark = if a.decision == crate::graph::query::Answer::Allowed {
                        ""
                    } else {
                        " (conditional)"
                    };
                    writeln!(out, "      {}{mark}", a.action)?;
                }
            }
        }
    }
    Ok(())
}
