//! The catalog's actions an action list matches, as the evaluator matches them: a set
//! with one bit per action of the bundled service reference.
//!
//! Requests that differ only in their action are decided alike when the same
//! statements match them (the action is read nowhere else, [`super::decide`]). So
//! `what-can`, which asks about every action an administrator may perform (twenty
//! thousand, for each of thousands of administrators in an organization), decides
//! each set of matching statements once; these sets say which statements match which
//! actions without matching every pattern against every action again.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::compile::Matcher;
use super::service_mask::ServiceMask;
use crate::catalog::{self, ActionInfo};
use crate::memo::Memo;
use crate::policy::pattern::Pattern;

/// The catalog's actions, numbered in the order of their names (`service:Name`).
pub struct Catalog {
    info: Vec<&'static ActionInfo>,
    names: Vec<String>,
    services: Vec<ServiceMask>,
    /// Where each action is, by the address of its entry in the catalog.
    at: HashMap<usize, usize>,
}

impl Catalog {
    /// The catalog's actions, numbered once per process.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let mut all: Vec<(String, &'static ActionInfo)> = catalog::expand_action_pattern("*")
                .into_iter()
                .map(|a| (a.full_name(), a))
                .collect();
            all.sort_by(|a, b| a.0.cmp(&b.0));
            // An action the reference lists twice is one action: both entries are
            // found at its number.
            let mut catalog = Catalog {
                info: Vec::new(),
                names: Vec::new(),
                services: Vec::new(),
                at: HashMap::new(),
            };
            for (name, a) in all {
                if catalog.names.last() != Some(&name) {
                    catalog.services.push(ServiceMask::of_action(&name));
                    catalog.info.push(a);
                    catalog.names.push(name);
                }
                catalog.at.insert(address(a), catalog.names.len() - 1);
            }
            catalog
        })
    }

    pub fn len(&self) -> usize {
        self.info.len()
    }

    pub fn is_empty(&self) -> bool {
        self.info.is_empty()
    }

    /// The number of an action of the catalog.
    pub fn index_of(&self, a: &'static ActionInfo) -> Option<usize> {
        self.at.get(&address(a)).copied()
    }

    pub fn info(&self, i: usize) -> Option<&'static ActionInfo> {
        self.info.get(i).copied()
    }

    /// `service:Name` of an action.
    pub fn name(&self, i: usize) -> Option<&str> {
        self.names.get(i).map(String::as_str)
    }

    /// The service of an action, as a request's is summarised for statements'.
    pub fn service(&self, i: usize) -> ServiceMask {
        self.services.get(i).copied().unwrap_or(ServiceMask::ANY)
    }
}

fn address(a: &ActionInfo) -> usize {
    std::ptr::from_ref(a) as usize
}

/// A set of the catalog's actions (by [`Catalog`] number).
#[derive(Clone, Debug)]
pub struct ActionSet(Arc<[u64]>);

impl ActionSet {
    pub fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

/// The catalog's actions a list matches (`Matcher::matches_action` of each name),
/// worked out once per shared list: lists are shared by the statements that write the
/// same one ([`super::intern`]), and the memo holds each list it has seen, so an
/// address names one list for the whole process.
pub fn matched(m: &Matcher<Pattern>) -> ActionSet {
    // By the list's address (and NotAction), with the list, which the memo keeps alive.
    type Sets = Memo<(usize, bool), (Arc<[Pattern]>, ActionSet)>;
    static SETS: Sets = Memo::new();
    // A list that no other statement shares (and the memo does not hold) is asked
    // about once: its set is not kept (a principal's own lists, thousands of them).
    if Arc::strong_count(&m.patterns) == 1 {
        return set_of(m);
    }
    let key = (Arc::as_ptr(&m.patterns).cast::<()>() as usize, m.negated);
    SETS.get_or(&key, || (m.patterns.clone(), set_of(m))).1
}

fn set_of(m: &Matcher<Pattern>) -> ActionSet {
    let catalog = Catalog::get();
    let mut words = vec![0u64; catalog.len().div_ceil(64)];
    for p in m.patterns.iter() {
        for &i in pattern_matches(p).iter() {
            if let Some(w) = words.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        }
    }
    // `NotAction`: every other action of the catalog.
    if m.negated {
        for (at, w) in words.iter_mut().enumerate() {
            let beyond = (at * 64 + 64).saturating_sub(catalog.len());
            *w = !*w & (u64::MAX >> beyond.min(63));
            if beyond >= 64 {
                *w = 0;
            }
        }
    }
    ActionSet(words.into())
}

/// The catalog's actions one pattern matches (by number), worked out once per pattern:
/// lists are often written once, but made of the same few patterns.
fn pattern_matches(p: &Pattern) -> Arc<[usize]> {
    static MATCHES: Memo<Pattern, Arc<[usize]>> = Memo::new();
    MATCHES.get_or(p, || {
        Catalog::get()
            .names
            .iter()
            .enumerate()
            .filter(|(_, name)| p.matches(name))
            .map(|(i, _)| i)
            .collect()
    })
}

/// The numbers of a list of the catalog's actions ([`super::actions::covered`]), in
/// order, worked out once per list (held by the memo, so an address names one list).
pub fn numbers(list: &Arc<Vec<&'static ActionInfo>>) -> Arc<[usize]> {
    type Numbers = Memo<usize, (Arc<Vec<&'static ActionInfo>>, Arc<[usize]>)>;
    static NUMBERS: Numbers = Memo::new();
    let key = Arc::as_ptr(list) as usize;
    NUMBERS
        .get_or(&key, || {
            let catalog = Catalog::get();
            let mut found: Vec<usize> = list.iter().filter_map(|a| catalog.index_of(a)).collect();
            found.sort_unstable();
            found.dedup();
            (list.clone(), found.into())
        })
        .1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::pattern::CaseMode;

    fn matcher(negated: bool, patterns: &[&str]) -> Matcher<Pattern> {
        Matcher {
            negated,
            patterns: patterns
                .iter()
                .map(|p| Pattern::new(p, CaseMode::Insensitive))
                .collect(),
            spans: Box::default(),
        }
    }

    #[test]
    fn a_set_holds_the_actions_the_list_matches_and_no_other() {
        let catalog = Catalog::get();
        assert!(catalog.len() > 10_000);
        for (negated, patterns) in [
            (false, vec!["*"]),
            (false, vec!["s3:Get*", "IAM:passrole"]),
            (true, vec!["iam:*", "sts:AssumeRole"]),
            (false, vec!["ec2:Describe?nstances", "nosuch:Action"]),
            (false, vec![]),
        ] {
            let m = matcher(negated, &patterns);
            let set = matched(&m);
            let mut hits = 0;
            for i in 0..catalog.len() {
                let name = catalog.name(i).unwrap_or_default();
                assert_eq!(
                    set.contains(i),
                    m.matches_action(name),
                    "{patterns:?} {name}"
                );
                hits += usize::from(set.contains(i));
            }
            // Asked again, the same list gives the remembered set.
            assert_eq!(matched(&m).0, set.0);
            match (negated, patterns.first().copied()) {
                (false, Some("*")) => assert_eq!(hits, catalog.len()),
                (false, None) => assert_eq!(hits, 0),
                (true, _) => assert!(hits > 10_000 && hits < catalog.len()),
                (false, Some("s3:Get*")) => assert!(hits > 60 && hits < 200, "{hits}"),
                _ => assert_eq!(hits, 1),
            }
        }
    }

    #[test]
    fn actions_are_numbered_in_name_order() {
        let catalog = Catalog::get();
        let names: Vec<&str> = (0..catalog.len()).filter_map(|i| catalog.name(i)).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        let get_object = crate::catalog::expand_action_pattern("s3:GetObject");
        let at = get_object.first().and_then(|a| catalog.index_of(a));
        assert_eq!(at.and_then(|i| catalog.name(i)), Some("s3:GetObject"));
    }
}
