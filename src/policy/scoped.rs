//! A value of one thread that lives for a scope: the caches that share what the
//! policies of one account compile (`arn::interning`, `eval::intern`).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
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

/// The value for `text` in the map `pick` chooses of the scope `key` holds, made by
/// `make` the first time; outside a scope, made every time (and `text` not asked
/// for). `make` runs with the scope released, so it may use scopes of its own.
pub fn cached<'t, T: 'static, V: Clone>(
    key: &'static LocalKey<RefCell<Option<T>>>,
    pick: impl Fn(&mut T) -> &mut HashMap<Box<str>, V>,
    text: impl FnOnce() -> Cow<'t, str>,
    make: impl FnOnce() -> V,
) -> V {
    let found = key.with(|v| {
        let mut v = v.borrow_mut();
        let scope = v.as_mut()?;
        let text = text();
        let known = pick(scope).get(text.as_ref()).cloned();
        Some((text, known))
    });
    match found {
        None => make(),
        Some((_, Some(known))) => known,
        Some((text, None)) => {
            let made = make();
            key.with(|v| {
                if let Some(scope) = v.borrow_mut().as_mut() {
                    pick(scope).insert(text.into_owned().into_boxed_str(), made.clone());
                }
            });
            made
        }
    }
}
