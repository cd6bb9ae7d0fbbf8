//! A value of one thread that lives for a scope: the caches that share what the
//! policies of one account compile (`arn::interning`, `eval::intern`).

use std::cell::RefCell;
use std::thread::LocalKey;

/// Runs `f` with `key` holding a fresh value for its duration (let go at the end);
/// a nested scope uses the outer one's.
pub fn scoped<T: Default + 'static, R>(
    key: &'static LocalKey<RefCell<Option<T>>>,
    f: impl FnOnce() -> R,
) -> R {
    let outer = key.with(|v| {
        let mut v = v.borrow_mut();
        let outer = v.is_some();
        if !outer {
            *v = Some(T::default());
        }
        outer
    });
    let out = f();
    if !outer {
        key.with(|v| *v.borrow_mut() = None);
    }
    out
}
