//! `graph`: the part of the principal graph to draw, and how its nodes are labelled.

use std::collections::{BTreeSet, VecDeque};

use super::world::NodeKind;
use super::{Edge, Graph};

/// The edges to draw: all, or those touching an account, or those on the way from or
/// to a principal.
pub fn subgraph<'g>(
    graph: &'g Graph,
    account: Option<&str>,
    principal: Option<usize>,
) -> Vec<&'g Edge> {
    let in_account = |i: usize| {
        account.is_none_or(|a| {
            graph
                .world
                .principals
                .get(i)
                .and_then(|p| p.account.as_deref())
                == Some(a)
        })
    };
    let near: Option<BTreeSet<usize>> = principal.map(|start| {
        let mut seen = BTreeSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            for e in graph.out_edges(n).chain(graph.in_edges(n)) {
                for m in [e.from, e.to] {
                    if seen.insert(m) {
                        queue.push_back(m);
                    }
                }
            }
        }
        seen
    });
    graph
        .edges
        .iter()
        .filter(|e| in_account(e.from) || in_account(e.to))
        .filter(|e| {
            near.as_ref()
                .is_none_or(|s| s.contains(&e.from) && s.contains(&e.to))
        })
        .collect()
}

/// A short label for a node in a picture: `name (account)` or the service.
pub fn node_label(graph: &Graph, i: usize) -> String {
    let Some(p) = graph.world.principals.get(i) else {
        return String::new();
    };
    match p.kind {
        NodeKind::User | NodeKind::Role => {
            let name = p.id.rsplit('/').next().unwrap_or(&p.id);
            let kind = if p.kind == NodeKind::User {
                "user"
            } else {
                "role"
            };
            format!("{kind} {name} ({})", p.account.as_deref().unwrap_or(""))
        }
        NodeKind::ExternalAccount => format!("any principal of {}", p.id),
        _ => p.id.clone(),
    }
}
