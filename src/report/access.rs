//! `can` and `who-can`: paths with the statements that grant every hop.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use super::records::{Each, HopJson, write_json};

use crate::graph::query::{CanResult, Miss};
use crate::graph::who_can::WhoResult;
use crate::graph::{Hop, HopKind, NodeKind};
use crate::model::Span;
use crate::source::SourceMap;

/// File, line and column of a span, when it is in a loaded file.
fn place(span: Option<Span>, sources: &SourceMap) -> Option<(&str, usize, usize)> {
    let span = span?;
    let f = sources.get(span.file)?;
    let (line, column) = f.line_col(span.start);
    Some((f.name.as_str(), line, column))
}

/// The text at a span on one line (whitespace collapsed, cut at 120 characters): a
/// statement reads as `{ "Effect": "Allow", "Action": … }`.
fn snippet(span: Option<Span>, sources: &SourceMap) -> Option<String> {
    let span = span?;
    let f = sources.get(span.file)?;
    let text = f.text.get(span.start as usize..span.end as usize)?;
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return None;
    }
    Some(if collapsed.chars().count() > 120 {
        format!("{}…", collapsed.chars().take(120).collect::<String>())
    } else {
        collapsed
    })
}

fn miss_text(m: &Miss, sources: &SourceMap) -> String {
    match place(m.span, sources) {
        Some((f, l, c)) => format!("{} ({f}:{l}:{c})", m.text),
        None => m.text.clone(),
    }
}

/// `can --format json`.
#[derive(Serialize, JsonSchema)]
pub struct CanDoc<'a> {
    /// `allowed`, `conditional` or `denied`.
    #[schemars(extend("enum" = ["allowed", "conditional", "denied"]))]
    pub decision: &'static str,
    pub principal: &'a str,
    pub action: &'a str,
    pub resource: &'a str,
    /// Every path found, shortest first.
    pub paths: Vec<PathJson<'a>>,
    /// When denied: why not, one line per miss.
    pub why_not: Option<String>,
    /// What the answer rests on (an unknown bucket owner, an account not loaded).
    pub notes: &'a [String],
}

/// One way in.
#[derive(Serialize, JsonSchema)]
pub struct PathJson<'a> {
    /// `allowed`, or `conditional` when a hop is.
    #[schemars(extend("enum" = ["allowed", "conditional"]))]
    pub decision: &'static str,
    pub hops: Vec<HopJson<'a>>,
}

pub fn can_json(
    out: &mut dyn std::io::Write,
    r: &CanResult,
    sources: &SourceMap,
) -> std::io::Result<()> {
    let why: Vec<String> = r.why_not.iter().map(|m| miss_text(m, sources)).collect();
    let doc = CanDoc {
        decision: r.decision.as_str(),
        principal: &r.principal,
        action: &r.action,
        resource: &r.resource,
        paths: r
            .paths
            .iter()
            .map(|p| PathJson {
                decision: p.decision.as_str(),
                hops: p.hops.iter().map(|h| HopJson::new(h, sources)).collect(),
            })
            .collect(),
        why_not: (!why.is_empty()).then(|| why.join("\n")),
        notes: &r.notes,
    };
    write_json(out, &doc)
}

/// One hop as text: who, what, how; then each granting statement with its place and
/// a one-line snippet (for an escalation, the permissions it grants).
pub fn hop_text(out: &mut String, n: usize, h: &Hop, sources: &SourceMap) {
    let cond = if h.conditions.is_empty() {
        String::new()
    } else {
        format!("  [{}]", h.conditions.join("; "))
    };
    let how = match h.technique {
        Some(t) => format!("escalation {}: {}", t.id, t.name),
        None => h.kind.as_str().to_string(),
    };
    let _ = writeln!(
        out,
        "  {n}. {} → {}  {} ({how}){cond}",
        h.from, h.to, h.action
    );
    // One line per statement, naming every permission it grants in the hop.
    type Statement<'h> = (&'h str, Option<usize>, Option<Span>, Vec<&'h str>);
    let mut seen: Vec<Statement> = Vec::new();
    for g in &h.grants {
        let key = (&*g.policy, g.statement.as_ref().map(|s| s.index), g.span);
        match seen.iter_mut().find(|s| (s.0, s.1, s.2) == key) {
            Some(s) => s.3.extend(g.permission),
            None => seen.push((key.0, key.1, key.2, g.permission.into_iter().collect())),
        }
    }
    for (policy, _, span, permissions) in &seen {
        let g = h
            .grants
            .iter()
            .find(|g| &*g.policy == *policy && g.span == *span);
        let stmt = g
            .and_then(|g| g.statement.as_ref())
            .map(|s| s.label())
            .unwrap_or_default();
        let at = place(*span, sources)
            .map(|(f, l, c)| format!("  {f}:{l}:{c}"))
            .unwrap_or_default();
        let what = if permissions.is_empty() {
            String::new()
        } else {
            format!("{} ", permissions.join(", "))
        };
        let _ = writeln!(out, "       {what}granted by {policy} statement {stmt}{at}");
        if let Some(line) = snippet(*span, sources) {
            let _ = writeln!(out, "         │ {line}");
        }
    }
}

pub fn can_text(r: &CanResult, sources: &SourceMap) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} → {} on {}",
        r.decision.as_str(),
        r.principal,
        r.action,
        r.resource
    );
    for (i, p) in r.paths.iter().enumerate() {
        let _ = writeln!(
            out,
            "path {} ({}, {} hop{}):",
            i + 1,
            p.decision.as_str(),
            p.hops.len(),
            if p.hops.len() == 1 { "" } else { "s" }
        );
        for (n, h) in p.hops.iter().enumerate() {
            hop_text(&mut out, n + 1, h, sources);
        }
    }
    if !r.why_not.is_empty() {
        let _ = writeln!(out, "why not:");
        for m in &r.why_not {
            let _ = writeln!(out, "  - {}", miss_text(m, sources));
            if let Some(line) = snippet(m.span, sources) {
                let _ = writeln!(out, "      │ {line}");
            }
        }
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

pub fn kind_str(k: &NodeKind) -> &'static str {
    k.as_str()
}

/// How a who-can entry is named: an external account is "any principal of account X".
fn who_name(principal: &str, kind: &NodeKind) -> String {
    match kind {
        NodeKind::ExternalAccount => format!("any principal of account {principal}"),
        NodeKind::Anonymous => "anonymous (*)".to_string(),
        _ => principal.to_string(),
    }
}

/// `who-can --format json`.
// Written with its principals made as they are written (`P` is then an `Each`): an
// answer may hold half an organization.
#[derive(Serialize, JsonSchema)]
pub struct WhoDoc<'a, P = Vec<WhoJson<'a>>> {
    pub action: &'a str,
    pub resource: &'a str,
    /// Every principal that can (or may), shortest path first.
    pub principals: P,
    pub notes: &'a [String],
}

/// One principal of a who-can answer.
#[derive(Serialize, JsonSchema)]
pub struct WhoJson<'a> {
    /// Its ARN; the 12-digit ID for "any principal of account X"; `*` for anonymous.
    pub principal: &'a str,
    /// `user`, `role`, `external-account`, `external-principal`, `service`,
    /// `federated` or `anonymous`.
    #[schemars(extend("enum" = ["user", "role", "external-account", "external-principal", "service", "federated", "anonymous"]))]
    pub kind: &'static str,
    #[schemars(extend("enum" = ["allowed", "conditional"]))]
    pub decision: &'static str,
    pub hops: Vec<HopJson<'a>>,
}

pub fn who_json(
    out: &mut dyn std::io::Write,
    r: &WhoResult,
    sources: &SourceMap,
) -> std::io::Result<()> {
    let doc = WhoDoc {
        action: &r.action,
        resource: &r.resource,
        principals: Each::new(&r.principals, |e| WhoJson {
            principal: &e.principal,
            kind: kind_str(&e.kind),
            decision: e.decision.as_str(),
            hops: e.hops.iter().map(|h| HopJson::new(h, sources)).collect(),
        }),
        notes: &r.notes,
    };
    write_json(out, &doc)
}

pub fn who_text(r: &WhoResult, sources: &SourceMap) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "who can {} on {}: {} principal{}",
        r.action,
        r.resource,
        r.principals.len(),
        if r.principals.len() == 1 { "" } else { "s" }
    );
    for e in &r.principals {
        let escalations = e
            .hops
            .iter()
            .filter(|h| h.kind == HopKind::Escalation)
            .count();
        let steps = e.hops.len().saturating_sub(1);
        let via = match (escalations, steps) {
            (0, 0) => " directly".to_string(),
            (0, n) => format!(" through {n} role{}", if n == 1 { "" } else { "s" }),
            (k, _) => format!(
                " in {} hop{}, {k} by escalation",
                e.hops.len(),
                if e.hops.len() == 1 { "" } else { "s" }
            ),
        };
        let _ = writeln!(
            out,
            "{} {} ({}){via}",
            e.decision.as_str(),
            who_name(&e.principal, &e.kind),
            kind_str(&e.kind)
        );
        for (n, h) in e.hops.iter().enumerate() {
            hop_text(&mut out, n + 1, h, sources);
        }
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}
