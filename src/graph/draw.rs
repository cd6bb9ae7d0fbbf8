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
    // On the way from the principal (everything it reaches) or to it (everything
    // that reaches it); a neighbour of a neighbour that is neither is left out.
    let near = principal.map(|start| {
        (
            reach(start, |n| graph.out_edges(n).map(|e| e.to()).collect()),
            reach(start, |n| graph.in_edges(n).map(|e| e.from()).collect()),
        )
    });
    graph
        .edges
        .iter()
        .filter(|e| in_account(e.from()) || in_account(e.to()))
        .filter(|e| {
            near.as_ref().is_none_or(|(from, to)| {
                (from.contains(&e.from()) && from.contains(&e.to()))
                    || (to.contains(&e.from()) && to.contains(&e.to()))
            })
        })
        .collect()
}

/// The nodes reachable from `start` by `next`, `start` included.
fn reach(start: usize, next: impl Fn(usize) -> Vec<usize>) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for m in next(n) {
            if seen.insert(m) {
                queue.push_back(m);
            }
        }
    }
    seen
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
        NodeKind::Administrator => {
            format!("an administrator of {}", p.account.as_deref().unwrap_or(""))
        }
        _ => p.id.to_string(),
    }
}
