//! Which edges leave and enter each node: for the edges of the build, one compressed
//! list per direction (8 bytes per edge each: the node at the other end and the
//! edge's id, the edges of a node side by side, so that a search can skip the edges
//! to nodes it has seen without reading them), and
//! a short list for the few edges added after it (a role session named on the
//! command line).
//!
//! A node lists its edges newest first (the last added first), so that a search that
//! keeps the first edge it meets to each node picks the same edge whatever the layout.

/// One direction: node `n`'s edges are `ids[start[n]..start[n + 1]]` (the node at
/// the other end, the edge's id), in the order they were added.
#[derive(Debug, Default)]
struct Compressed {
    start: Vec<u32>,
    ids: Vec<(u32, u32)>,
}

impl Compressed {
    /// `end` gives the node an edge is listed under and the node at its other end
    /// (`None`: not listed).
    fn new(
        nodes: usize,
        edges: usize,
        end: impl Fn(usize) -> Option<(usize, usize)>,
    ) -> Compressed {
        let mut count = vec![0u32; nodes + 1];
        for (n, _) in (0..edges).filter_map(&end) {
            if let Some(c) = count.get_mut(n + 1) {
                *c += 1;
            }
        }
        for n in 1..count.len() {
            let before = count.get(n - 1).copied().unwrap_or(0);
            if let Some(c) = count.get_mut(n) {
                *c += before;
            }
        }
        let start = count;
        let mut next = start.clone();
        let mut ids = vec![(0u32, 0u32); start.last().copied().unwrap_or(0) as usize];
        for (id, (n, other)) in (0..edges).filter_map(|id| end(id).map(|e| (id, e))) {
            let (Some(at), Ok(id), Ok(other)) =
                (next.get_mut(n), u32::try_from(id), u32::try_from(other))
            else {
                continue;
            };
            if let Some(slot) = ids.get_mut(*at as usize) {
                *slot = (other, id);
            }
            *at += 1;
        }
        Compressed { start, ids }
    }

    fn of(&self, n: usize) -> &[(u32, u32)] {
        let from = self.start.get(n).copied().unwrap_or(0) as usize;
        let to = self.start.get(n + 1).copied().unwrap_or(0) as usize;
        self.ids.get(from..to).unwrap_or(&[])
    }
}

/// The edges of every node, both ways.
#[derive(Debug, Default)]
pub(super) struct Adjacency {
    out: Compressed,
    into: Compressed,
    /// Edges added after the build (and any the compressed lists cannot number):
    /// `(from, to, id)`, oldest first.
    late: Vec<(usize, usize, usize)>,
}

impl Adjacency {
    /// The adjacency of `count` edges whose ends (`(from, to)`) `ends` gives by id,
    /// between `nodes` nodes; an edge with an end that is not a node is left out.
    pub(super) fn new(
        nodes: usize,
        count: usize,
        ends: impl Fn(usize) -> Option<(usize, usize)>,
    ) -> Adjacency {
        // Ids and nodes past `u32::MAX` (never met: the edges would not fit in memory)
        // go to the short list, which takes any.
        let fits = |id: usize| u32::try_from(id.max(nodes)).is_ok();
        let known = |id: usize| ends(id).filter(|(a, b)| *a < nodes && *b < nodes);
        Adjacency {
            out: Compressed::new(nodes, count, |id| known(id).filter(|_| fits(id))),
            into: Compressed::new(nodes, count, |id| {
                known(id).filter(|_| fits(id)).map(|(a, b)| (b, a))
            }),
            late: (0..count)
                .filter(|id| !fits(*id))
                .filter_map(|id| known(id).map(|(a, b)| (a, b, id)))
                .collect(),
        }
    }

    /// Records an edge added after the build.
    pub(super) fn push(&mut self, from: usize, to: usize, id: usize) {
        self.late.push((from, to, id));
    }

    /// The edges out of `n`, newest first: `(to, id)`.
    pub(super) fn leaving(&self, n: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.of(n, &self.out, |(from, to)| (from, to))
    }

    /// The edges into `n`, newest first: `(from, id)`.
    pub(super) fn entering(&self, n: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.of(n, &self.into, |(from, to)| (to, from))
    }

    /// `n`'s edges in one direction, newest first: `(other end, id)`. `ends` turns a
    /// late edge's `(from, to)` into (the end it is listed under, the other end).
    fn of<'a>(
        &'a self,
        n: usize,
        compressed: &'a Compressed,
        ends: fn((usize, usize)) -> (usize, usize),
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.late
            .iter()
            .rev()
            .filter_map(move |(a, b, id)| {
                let (at, other) = ends((*a, *b));
                (at == n).then_some((other, *id))
            })
            .chain(widen(compressed.of(n)))
    }
}

/// A node's compressed edges, newest first.
fn widen(edges: &[(u32, u32)]) -> impl Iterator<Item = (usize, usize)> + '_ {
    edges
        .iter()
        .rev()
        .map(|(other, id)| (*other as usize, *id as usize))
}

#[cfg(test)]
mod tests {
    use super::Adjacency;

    /// Every edge out of and into each node, newest first, as a plain scan of the
    /// list finds them.
    fn scan(ends: &[(usize, usize)], n: usize, out: bool) -> Vec<(usize, usize)> {
        let mut ids: Vec<(usize, usize)> = ends
            .iter()
            .enumerate()
            .filter(|(_, (a, b))| if out { *a == n } else { *b == n })
            .map(|(id, (a, b))| (if out { *b } else { *a }, id))
            .collect();
        ids.reverse();
        ids
    }

    #[test]
    fn lists_every_edge_of_a_node_newest_first() {
        // Self-loops, repeated edges, a node with none, nodes in any order.
        let mut ends = vec![(0, 1), (1, 0), (2, 2), (0, 1), (3, 1), (1, 3), (0, 3)];
        let nodes = 5;
        let mut adj = Adjacency::new(nodes, ends.len(), |id| ends.get(id).copied());
        for late in [(4, 0), (0, 1)] {
            adj.push(late.0, late.1, ends.len());
            ends.push(late);
        }
        for n in 0..nodes + 1 {
            assert_eq!(
                adj.leaving(n).collect::<Vec<_>>(),
                scan(&ends, n, true),
                "out of {n}"
            );
            assert_eq!(
                adj.entering(n).collect::<Vec<_>>(),
                scan(&ends, n, false),
                "into {n}"
            );
        }
    }

    #[test]
    fn leaves_out_edges_whose_ends_are_not_nodes() {
        let ends = [(0, 1), (0, 7), (7, 1)];
        let adj = Adjacency::new(2, ends.len(), |id| ends.get(id).copied());
        assert_eq!(adj.leaving(0).collect::<Vec<_>>(), vec![(1, 0)]);
        assert_eq!(adj.entering(1).collect::<Vec<_>>(), vec![(0, 0)]);
        assert_eq!(adj.leaving(7).count(), 0);
    }
}
