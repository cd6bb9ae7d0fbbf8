//! Lists by node in one array (counted, then placed): node `n`'s items are
//! `items[start[n]..start[n + 1]]`, in the order their pairs came. Millions of pairs
//! take two passes and no map of lists (which hashed every pair on one core).

use super::node;

#[derive(Debug, Default)]
pub(crate) struct Lists {
    start: Vec<usize>,
    items: Vec<u32>,
}

impl Lists {
    /// The lists of `(node, item)` pairs over nodes `0..nodes` (a pair of another
    /// node is left out).
    pub(crate) fn new(nodes: usize, pairs: impl Iterator<Item = (usize, usize)> + Clone) -> Lists {
        let mut start = vec![0usize; nodes + 1];
        for (n, _) in pairs.clone() {
            if let Some(c) = start.get_mut(n + 1) {
                *c += 1;
            }
        }
        let mut sum = 0;
        for c in &mut start {
            sum += *c;
            *c = sum;
        }
        let mut at = start.clone();
        let mut items = vec![0u32; sum];
        for (n, item) in pairs {
            if let Some(slot) = at.get_mut(n) {
                if let Some(x) = items.get_mut(*slot) {
                    *x = node(item);
                }
                *slot += 1;
            }
        }
        Lists { start, items }
    }

    /// Node `n`'s items, in order (none for a node past the end).
    pub(crate) fn of(&self, n: usize) -> impl Iterator<Item = usize> + '_ {
        let from = self.start.get(n).copied().unwrap_or(0);
        let to = self.start.get(n + 1).copied().unwrap_or(from);
        self.items
            .get(from..to)
            .unwrap_or(&[])
            .iter()
            .map(|x| *x as usize)
    }
}
