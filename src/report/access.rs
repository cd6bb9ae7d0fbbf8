//! `can` and `who-can`: paths with the statements that grant every hop.

use std::collections::HashMap;
use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use super::records::{Each, HopJson, write_json};

use crate::graph::query::{CanResult, Miss};
use crate::graph::who_can::WhoResult;
use crate::graph::{Hop, HopKind, NodeKind};
use crate::model::Span;
use crate::source::{Quotes, SourceMap};

/// File, line and column of a span, when it is in a loaded file.
fn place(span: Option<Span>, sources: &SourceMap) -> Option<(&str, usize, usize)> {
    let span = span?;
    let f = sources.get(span.file)?;
    let (line, column) = f.line_col(span.start);
    Some((f.name.as_str(), line, column))
}

/// The one-line snippets of an answer's statements ([`collapse`]), each made once: a
/// statement on many paths (a bucket policy's, a peer role's trust) is quoted on
/// each, and its file is read again only when no snippet of it is held.
pub(super) struct Snippets<'s> {
    quotes: Quotes<'s>,
    made: HashMap<Span, Option<String>>,
}

impl<'s> Snippets<'s> {
    pub(super) fn new(sources: &'s SourceMap) -> Self {
        Snippets {
            quotes: Quotes::new(sources),
            made: HashMap::new(),
        }
    }

    fn of(&mut self, span: Option<Span>) -> Option<&str> {
        let span = span?;
        let quotes = &mut self.quotes;
        let made = self
            .made
            .entry(span)
            .or_insert_with(|| collapse(quotes.at(span)?));
        made.as_deref()
    }
}

/// The text at a span on one line: whitespace collapsed to single spaces, cut at 120
/// characters (`…` after a cut); a statement reads as `{ "Effect": "Allow", … }`.
/// Read only up to the cut: a statement naming every account of an organization is
/// long, and quoted on each path through it.
fn collapse(text: &str) -> Option<String> {
    const MAX: usize = 120;
    let mut words = text.split_whitespace();
    let first = words.next()?;
    let mut chars = first
        .chars()
        .chain(words.flat_map(|w| std::iter::once(' ').chain(w.chars())));
    let mut collapsed: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        collapsed.push('…');
    }
    Some(collapsed)
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
pub(super) fn hop_text(
    out: &mut dyn Write,
    n: usize,
    h: &Hop,
    sources: &SourceMap,
    snippets: &mut Snippets,
) -> io::Result<()> {
    let cond = if h.conditions.is_empty() {
        String::new()
    } else {
        format!("  [{}]", h.conditions.join("; "))
    };
    let how = match h.technique {
        Some(t) => format!("escalation {}: {}", t.id, t.name),
        None => h.kind.as_str().to_string(),
    };
    writeln!(
        out,
        "  {n}. {} → {}  {} ({how}){cond}",
        h.from, h.to, h.action
    )?;
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
        writeln!(out, "       {what}granted by {policy} statement {stmt}{at}")?;
        if let Some(line) = snippets.of(*span) {
            writeln!(out, "         │ {line}")?;
        }
    }
    Ok(())
}

/// `can` for people: each path with its hops and their statements, quoted (the
/// files are read again when their texts were let go: [`Snippets`]), or why not.
pub fn can_text(out: &mut dyn Write, r: &CanResult, sources: &SourceMap) -> io::Result<()> {
    let mut snippets = Snippets::new(sources);
    writeln!(
        out,
        "{}: {} → {} on {}",
        r.decision.as_str(),
        r.principal,
        r.action,
        r.resource
    )?;
    for (i, p) in r.paths.iter().enumerate() {
        writeln!(
            out,
            "path {} ({}, {} hop{}):",
            i + 1,
            p.decision.as_str(),
            p.hops.len(),
            if p.hops.len() == 1 { "" } else { "s" }
        )?;
        for (n, h) in p.hops.iter().enumerate() {
            hop_text(out, n + 1, h, sources, &mut snippets)?;
        }
    }
    if !r.why_not.is_empty() {
        writeln!(out, "why not:")?;
        for m in &r.why_not {
            writeln!(out, "  - {}", miss_text(m, sources))?;
            if let Some(line) = snippets.of(m.span) {
                writeln!(out, "      │ {line}")?;
            }
        }
    }
    for n in &r.notes {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
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
        principals: Each::new(r.principals.iter().map(|e| WhoJson {
            principal: &e.principal,
            kind: kind_str(&e.kind),
            decision: e.decision.as_str(),
            hops: e.hops.iter().map(|h| HopJson::new(h, sources)).collect(),
        })),
        notes: &r.notes,
    };
    write_json(out, &doc)
}

/// `who-can` for people: each principal, then the hops of its path with their
/// statements, quoted (see [`can_text`]). Written principal by principal.
pub fn who_text(out: &mut dyn Write, r: &WhoResult, sources: &SourceMap) -> io::Result<()> {
    let mut snippets = Snippets::new(sources);
    writeln!(
        out,
        "who can {} on {}: {} principal{}",
        r.action,
        r.resource,
        r.principals.len(),
        if r.principals.len() == 1 { "" } else { "s" }
    )?;
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
        writeln!(
            out,
            "{} {} ({}){via}",
            e.decision.as_str(),
            who_name(&e.principal, &e.kind),
            kind_str(&e.kind)
        )?;
        for (n, h) in e.hops.iter().enumerate() {
            hop_text(out, n + 1, h, sources, &mut snippets)?;
        }
    }
    for n in &r.notes {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// The whole text collapsed, then cut.
    fn collapse_whole(text: &str) -> Option<String> {
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

    proptest! {
        /// Collapsing word by word up to the cut gives what collapsing the whole
        /// text and cutting it gives.
        #[test]
        fn collapsing_up_to_the_cut_is_collapsing_the_whole(text in "[a é\\n\\t\"{}]{0,300}") {
            prop_assert_eq!(super::collapse(&text), collapse_whole(&text));
        }
    }

    #[test]
    fn a_long_statement_is_cut_at_120_characters() {
        let text = format!("{{ \"Principal\": [{}] }}", "\"x\",\n  ".repeat(100));
        let got = super::collapse(&text).unwrap_or_default();
        assert_eq!(got.chars().count(), 121);
        assert!(got.ends_with('…'));
        assert_eq!(Some(got), collapse_whole(&text));
    }
}
