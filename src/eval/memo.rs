//! Values worked out once per process by key (the catalog's expansions of action
//! lists and patterns, which organization-scale runs ask for again and again).

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
    /// two threads may both make it, and the last one is kept).
    pub fn get_or(&self, key: K, make: impl FnOnce() -> V) -> V {
        let cache = self.0.get_or_init(Mutex::default);
        if let Some(known) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return known;
        }
        let made = make();
        if let Ok(mut c) = cache.lock() {
            c.insert(key, made.clone());
        }
        made
    }
}
