//! Sharing what the policies of one scope (the accounts of a world, one at a time)
//! compile over and over: the action lists and resource lists of their statements,
//! by text (an account's hundreds of inline policies name a handful of action lists),
//! and, through [`crate::policy::arn::interning`], each ARN pattern. Outside a scope,
//! everything is compiled anew.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::compile::ResourcePattern;
use crate::model::Spanned;
use crate::policy::pattern::Pattern;

type Shared<T> = HashMap<Box<str>, Arc<[T]>>;

#[derive(Default)]
struct Lists {
    actions: Shared<Pattern>,
    resources: Shared<ResourcePattern>,
    resources_with_variables: Shared<ResourcePattern>,
}

std::thread_local! {
    static LISTS: RefCell<Option<Lists>> = const { RefCell::new(None) };
}

/// Runs `f` with what it compiles on this thread shared (let go at the end of the
/// scope; a nested scope shares the outer one's).
pub fn interning<R>(f: impl FnOnce() -> R) -> R {
    crate::policy::arn::interning(|| crate::policy::scoped::scoped(&LISTS, f))
}

/// The compiled patterns of a statement's `Action` (or `NotAction`) values.
pub(super) fn actions(
    values: &[Spanned<String>],
    make: impl FnOnce() -> Arc<[Pattern]>,
) -> Arc<[Pattern]> {
    shared(|l| &mut l.actions, values, make)
}

/// The compiled patterns of a statement's `Resource` (or `NotResource`) values.
pub(super) fn resources(
    values: &[Spanned<String>],
    variables: bool,
    make: impl FnOnce() -> Arc<[ResourcePattern]>,
) -> Arc<[ResourcePattern]> {
    shared(
        |l| match variables {
            true => &mut l.resources_with_variables,
            false => &mut l.resources,
        },
        values,
        make,
    )
}

fn shared<T>(
    pick: impl Fn(&mut Lists) -> &mut Shared<T>,
    values: &[Spanned<String>],
    make: impl FnOnce() -> Arc<[T]>,
) -> Arc<[T]> {
    // Each value with its length first: no two lists have the same key.
    let key = || {
        let mut key = String::new();
        for v in values {
            key.push_str(&v.value.len().to_string());
            key.push(':');
            key.push_str(&v.value);
        }
        Cow::Owned(key)
    };
    crate::policy::scoped::cached(&LISTS, pick, key, make)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileId, Span};

    fn values(texts: &[&str]) -> Vec<Spanned<String>> {
        texts
            .iter()
            .map(|t| Spanned::new(t.to_string(), Span::at(FileId(0), 0)))
            .collect()
    }

    fn compiled(texts: &[&str]) -> Arc<[Pattern]> {
        let vals = values(texts);
        actions(&vals, || {
            vals.iter()
                .map(|v| Pattern::new(v, crate::policy::pattern::CaseMode::Insensitive))
                .collect()
        })
    }

    /// In a scope the same list is one; lists whose joined texts agree are not; out
    /// of a scope nothing is shared.
    #[test]
    fn lists_are_shared_by_text_in_a_scope_only() {
        interning(|| {
            let a = compiled(&["s3:GetObject", "s3:PutObject"]);
            let b = compiled(&["s3:GetObject", "s3:PutObject"]);
            assert!(Arc::ptr_eq(&a, &b));
            let c = compiled(&["s3:GetObject:s3:PutObject"]);
            let d = compiled(&["s3:GetObject", ":s3:PutObject"]);
            assert!(!Arc::ptr_eq(&a, &c));
            assert!(!Arc::ptr_eq(&c, &d));
            assert_eq!(c.len(), 1);
            assert_eq!(d.len(), 2);
        });
        let a = compiled(&["s3:GetObject"]);
        let b = compiled(&["s3:GetObject"]);
        assert!(!Arc::ptr_eq(&a, &b));
    }
}
