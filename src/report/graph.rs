//! `graph`: the principal graph as Graphviz DOT or a Mermaid flowchart; conditional
//! edges are dashed.

use std::io::{self, Write};

use crate::graph::draw::node_label;
use crate::graph::{Edge, Graph, Hop};

fn nodes_of(edges: &[&Edge]) -> Vec<usize> {
    let mut n: Vec<usize> = edges.iter().flat_map(|e| [e.from(), e.to()]).collect();
    n.sort_unstable();
    n.dedup();
    n
}

/// An edge's label: the action, or an escalation's technique id.
fn edge_label(hop: &Hop) -> String {
    match hop.technique {
        Some(t) => format!("{} ({})", t.id, hop.action),
        None => hop.action.to_string(),
    }
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Graphviz DOT, written edge by edge. Each hop is made for its line and let go
/// (an organization has millions of edges, whose hops are made when first asked).
pub fn dot(out: &mut dyn Write, graph: &Graph, edges: &[&Edge]) -> io::Result<()> {
    out.write_all(
        b"digraph iampath {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    )?;
    for n in nodes_of(edges) {
        writeln!(out, "  n{n} [label=\"{}\"];", quote(&node_label(graph, n)))?;
    }
    for e in edges {
        let hop = &e.hop_once(&graph.world);
        let style = if hop.conditions.is_empty() {
            ""
        } else {
            ", style=dashed"
        };
        let color = if hop.technique.is_some() {
            ", color=red, fontcolor=red"
        } else {
            ""
        };
        writeln!(
            out,
            "  n{} -> n{} [label=\"{}\"{style}{color}];",
            e.from(),
            e.to(),
            quote(&edge_label(hop))
        )?;
    }
    writeln!(out, "}}")
}

/// A Mermaid flowchart, written as [`dot`].
pub fn mermaid(out: &mut dyn Write, graph: &Graph, edges: &[&Edge]) -> io::Result<()> {
    writeln!(out, "flowchart LR")?;
    for n in nodes_of(edges) {
        writeln!(
            out,
            "  n{n}[\"{}\"]",
            node_label(graph, n).replace('"', "'")
        )?;
    }
    for e in edges {
        let hop = &e.hop_once(&graph.world);
        let arrow = if hop.conditions.is_empty() {
            "-->"
        } else {
            "-.->"
        };
        let label = edge_label(hop).replace('|', "/").replace('"', "'");
        writeln!(out, "  n{} {arrow}|{label}| n{}", e.from(), e.to())?;
    }
    Ok(())
}
