//! Who may assume whom, as the escalation search reads it: the roles each node's
//! assume-role edges enter, in the order of the edges.
//!
//! An organization has millions of assume-role edges: they are listed by node in one
//! array (counted, then placed), not in a map of lists, which hashed every edge and
//! grew a list per node on one core. The nodes made during the search (changed
//! copies) add theirs after, in a small map.

use std::collections::HashMap;

use crate::graph::lists::Lists;
use crate::graph::{Edge, node};

#[derive(Debug, Default)]
pub(crate) struct Assumable {
    /// The roles of each node made before the search.
    built: Lists,
    /// Edges added after (from nodes made during the search).
    added: HashMap<usize, Vec<u32>>,
}

impl Assumable {
    /// The roles each node may assume, from the assume-role edges.
    pub(crate) fn new(edges: &[Edge]) -> Assumable {
        let nodes = edges.iter().map(|e| e.from() + 1).max().unwrap_or(0);
        Assumable {
            built: Lists::new(nodes, edges.iter().map(|e| (e.from(), e.to()))),
            added: HashMap::new(),
        }
    }

    /// Records an edge made after (from a node made during the search).
    pub(crate) fn add(&mut self, from: usize, to: usize) {
        self.added.entry(from).or_default().push(node(to));
    }

    /// The roles node `s` may assume, in the order of its edges.
    pub(crate) fn of(&self, s: usize) -> impl Iterator<Item = usize> + '_ {
        let added = self.added.get(&s).map_or(&[][..], Vec::as_slice);
        self.built.of(s).chain(added.iter().map(|t| *t as usize))
    }

    /// Whether node `s` may assume some role.
    pub(crate) fn any(&self, s: usize) -> bool {
        self.of(s).next().is_some()
    }

    /// Whether node `s` may assume role `t`.
    pub(crate) fn contains(&self, s: usize, t: usize) -> bool {
        self.of(s).any(|r| r == t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Decision;

    /// Each node lists the roles its edges enter, in their order, as a map of lists
    /// built edge by edge would; edges added after come last.
    #[test]
    fn lists_each_nodes_roles_in_edge_order() {
        let pairs = [(3, 1), (0, 5), (3, 0), (7, 2), (0, 4), (3, 9)];
        let edges: Vec<Edge> = pairs
            .iter()
            .map(|(f, t)| Edge::assume(*f, *t, Decision::Allowed))
            .collect();
        let mut a = Assumable::new(&edges);
        a.add(3, 8);
        a.add(12, 1);
        let mut plain: HashMap<usize, Vec<usize>> = HashMap::new();
        for (f, t) in pairs.iter().chain(&[(3, 8), (12, 1)]) {
            plain.entry(*f).or_default().push(*t);
        }
        for s in 0..15 {
            let listed: Vec<usize> = a.of(s).collect();
            let want = plain.get(&s).cloned().unwrap_or_default();
            assert_eq!(listed, want, "node {s}");
            assert_eq!(a.any(s), !want.is_empty(), "node {s}");
            for t in 0..15 {
                assert_eq!(a.contains(s, t), want.contains(&t), "{s} → {t}");
            }
        }
        assert!(!Assumable::new(&[]).any(0));
    }
}
