//! A yes-or-no per node, worked out when first asked and kept: in one byte a node,
//! readable and settable from many threads (two threads asking at once both work it
//! out, and agree).

use std::sync::atomic::{AtomicU8, Ordering};

const UNKNOWN: u8 = 0;
const NO: u8 = 1;
const YES: u8 = 2;

pub(crate) struct Flags(Vec<AtomicU8>);

impl Flags {
    /// Nothing known yet of nodes `0..nodes`.
    pub(crate) fn new(nodes: usize) -> Flags {
        Flags((0..nodes).map(|_| AtomicU8::new(UNKNOWN)).collect())
    }

    /// The flag of node `i`, worked out by `work` the first time (and every time for
    /// a node past the end, which is not kept).
    pub(crate) fn get(&self, i: usize, work: impl FnOnce() -> bool) -> bool {
        let Some(slot) = self.0.get(i) else {
            return work();
        };
        match slot.load(Ordering::Relaxed) {
            NO => false,
            YES => true,
            _ => {
                let yes = work();
                slot.store(if yes { YES } else { NO }, Ordering::Relaxed);
                yes
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// Each node's flag is worked out once and kept; past the end, every time.
    #[test]
    fn works_each_flag_out_once() {
        let flags = Flags::new(3);
        let calls = Cell::new(0);
        let work = |v: bool| {
            calls.set(calls.get() + 1);
            v
        };
        assert!(flags.get(1, || work(true)));
        assert!(flags.get(1, || work(false)));
        assert!(!flags.get(2, || work(false)));
        assert!(!flags.get(2, || work(true)));
        assert_eq!(calls.get(), 2);
        assert!(flags.get(7, || work(true)));
        assert!(!flags.get(7, || work(false)));
        assert_eq!(calls.get(), 4);
    }
}
