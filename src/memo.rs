//! Values worked out once per process by key: expansions of action lists and
//! patterns over the bundled catalog, resource shapes, trust policies made for a
//! principal, which organization-scale runs ask for again and again.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, OnceLock};

/// A process-wide memo: a value is made the first time its key is asked for. A
/// poisoned lock only loses the memory (the value is made again).
pub struct Memo<K, V>(OnceLock<Mutex<HashMap<K, V>>>);

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub const fn new() -> Self {
        Memo(OnceLock::new())
    }

    /// The value of `key`, made by `make` when it is not known yet (outside the lock:
    /// two threads may both make it, and the last one is kept). The key is copied
    /// only when a value is made.
    pub fn get_or<Q>(&self, key: &Q, make: impl FnOnce() -> V) -> V
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let cache = self.0.get_or_init(Mutex::default);
        if let Some(known) = cache.lock().ok().and_then(|c| c.get(key).cloned()) {
            return known;
        }
        let made = make();
        if let Ok(mut c) = cache.lock() {
            c.insert(key.to_owned(), made.clone());
        }
        made
    }
}
