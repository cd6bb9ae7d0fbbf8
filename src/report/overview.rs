//! `paths` and `graph` (DOT, Mermaid).

use std::fmt::Write;

use serde_json::json;

use crate::graph::overview::{Crossing, node_label};
use crate::graph::{Edge, Graph};

fn finish(doc: &serde_json::Value) -> String {
    let mut out = serde_json::to_string_pretty(doc).unwrap_or_default();
    out.push('\n');
    out
}

pub fn paths_json(c: &[Crossing]) -> String {
    finish(&json!({
        "paths": c.iter().map(|x| json!({
            "from_account": x.from_account,
            "to_account": x.to_account,
            "from": x.hop.from,
            "to": x.hop.to,
            "action": x.hop.action,
            "decision": x.hop.decision.as_str(),
            "conditions": x.hop.conditions,
        })).collect::<Vec<_>>(),
    }))
}

pub fn paths_text(c: &[Crossing]) -> String {
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

fn nodes_of(edges: &[&Edge]) -> Vec<usize> {
    let mut n: Vec<usize> = edges.iter().flat_map(|e| [e.from, e.to]).collect();
    n.sort_unstable();
    n.dedup();
    n
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

pub fn dot(graph: &Graph, edges: &[&Edge]) -> String {
    let mut out = String::from(
        "digraph iampath {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    for n in nodes_of(edges) {
        let _ = writeln!(out, "  n{n} [label=\"{}\"];", quote(&node_label(graph, n)));
    }
    for e in edges {
        let style = if e.hop.conditions.is_empty() {
            ""
        } else {
            ", style=dashed"
        };
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\"{style}];",
            e.from,
            e.to,
            quote(&e.hop.action)
        );
    }
    out.push_str("}\n");
    out
}

pub fn mermaid(graph: &Graph, edges: &[&Edge]) -> String {
    let mut out = String::from("flowchart LR\n");
    for n in nodes_of(edges) {
        let _ = writeln!(
            out,
            "  n{n}[\"{}\"]",
            node_label(graph, n).replace('"', "'")
        );
    }
    for e in edges {
        let arrow = if e.hop.conditions.is_empty() {
            "-->"
        } else {
            "-.->"
        };
        let _ = writeln!(out, "  n{} {arrow}|{}| n{}", e.from, e.hop.action, e.to);
    }
    out
}
