//! The assume-role grants of the loaded users and roles, indexed by the role they may
//! name. A trust policy that admits a whole account (or everyone) may admit each of its
//! principals, but only those with an identity statement that could allow
//! `sts:AssumeRole` on the role can make an edge: instead of listing every principal of
//! the account and checking each (quadratic in the principals of an account), the
//! candidates are read from this index — the callers whose grants name the role's
//! resource part literally (`role/NAME`, any account), and the callers whose grants
//! have a wildcard or variable in the resource part whose literal start (`role/team-a-`
//! of `role/team-a-*`) begins the role's resource part. A grant with `*`, `NotResource`
//! or no `Resource` starts with nothing: its caller is a candidate for every role.
//! Each component of an ARN pattern is matched on its own, so the resource part is
//! compared with the resource part only.

use std::collections::HashMap;

use rayon::prelude::*;

use super::world::{NodeKind, Principal, World};
use crate::eval::compile::ResourcePattern;
use crate::policy::arn::Arn;

/// Callers by the roles their assume-role grants may name.
#[derive(Debug, Default)]
pub struct GrantIndex {
    /// Lowercased resource part of a literal grant (`role/path/name`) → callers.
    by_resource: HashMap<String, Vec<usize>>,
    /// The same per account of the callers: an organization's roles of one name (one
    /// per account) would each read the callers of every account otherwise.
    by_account_resource: HashMap<String, HashMap<String, Vec<usize>>>,
    /// Callers with a grant that is not literal, by the literal start of its resource
    /// part (`role/team-a-` for `role/team-a-*`; empty for `*`, a variable first,
    /// `NotResource`, no `Resource` or text that is not an ARN): all of them, and by
    /// account.
    wild: Prefixes,
    wild_by_account: HashMap<String, Prefixes>,
}

/// Callers by the literal start of a wildcard grant's resource part.
#[derive(Debug, Default)]
struct Prefixes {
    by_prefix: HashMap<String, Vec<usize>>,
    /// The lengths of the prefixes, ascending: a role's part is looked up at these
    /// lengths only (an organization's grants have a few, its role names many).
    lengths: Vec<usize>,
    /// Every caller of any prefix (for a role ARN the parts do not split cleanly).
    all: Vec<usize>,
}

impl Prefixes {
    fn add(&mut self, prefix: &str, caller: usize) {
        with_slot(&mut self.by_prefix, prefix, |callers| callers.push(caller));
        if let Err(at) = self.lengths.binary_search(&prefix.len()) {
            self.lengths.insert(at, prefix.len());
        }
        if self.all.last() != Some(&caller) {
            self.all.push(caller);
        }
    }

    /// The callers whose prefix starts the lowercased resource part `part`.
    fn matching<'a>(&'a self, part: Option<&'a str>) -> Box<dyn Iterator<Item = usize> + 'a> {
        let Some(part) = part else {
            return Box::new(self.all.iter().copied());
        };
        Box::new(
            self.lengths
                .iter()
                .filter_map(move |k| part.get(..*k))
                .filter_map(|p| self.by_prefix.get(p))
                .flatten()
                .copied(),
        )
    }
}

impl GrantIndex {
    /// Indexes every loaded user and role of the world. What each one's grants name
    /// is read in parallel; the index is filled in node order after.
    pub fn new(world: &World) -> GrantIndex {
        let named: Vec<(usize, Named)> = (0..world.principals.len())
            .into_par_iter()
            .filter_map(|i| {
                let p = world.principals.get(i)?;
                matches!(p.kind, NodeKind::User | NodeKind::Role).then(|| (i, named(p)))
            })
            .collect();
        let mut index = GrantIndex::default();
        for (i, Named { keys, prefixes }) in named {
            let p = world.principals.get(i);
            let account = p.and_then(|p| p.account.as_ref());
            for prefix in &prefixes {
                index.wild.add(prefix, i);
                if let Some(a) = account {
                    with_slot(&mut index.wild_by_account, a, |w| w.add(prefix, i));
                }
            }
            for k in keys {
                if let Some(a) = account {
                    with_slot(&mut index.by_account_resource, a, |by| {
                        with_slot(by, &k, |callers| callers.push(i))
                    });
                }
                with_slot(&mut index.by_resource, &k, |callers| callers.push(i));
            }
        }
        index
    }

    /// The callers whose grants may name the role with this ARN — of `account` only,
    /// when given: a superset of those whose grants do (the evaluator decides). A
    /// caller may come more than once; the order is not meaningful.
    pub fn callers_for<'a>(
        &'a self,
        role_arn: &str,
        account: Option<&'a str>,
    ) -> impl Iterator<Item = usize> + 'a {
        let wild: Option<&Prefixes> = match account {
            Some(a) => self.wild_by_account.get(a),
            None => Some(&self.wild),
        };
        // A resource part with a colon (not a role a policy can name cleanly) is
        // checked against every wildcard grant.
        let part: Option<String> = Arn::parse(role_arn)
            .map(|a| a.resource.to_ascii_lowercase())
            .filter(|r| !r.contains(':'));
        let named: Option<&'a Vec<usize>> = part.as_deref().and_then(|r| match account {
            Some(a) => self.by_account_resource.get(a)?.get(r),
            None => self.by_resource.get(r),
        });
        let wild: Vec<usize> = wild
            .map(|w| w.matching(part.as_deref()).collect())
            .unwrap_or_default();
        wild.into_iter().chain(named.into_iter().flatten().copied())
    }
}

/// Applies `f` to the entry of `key`, made first when missing (the key is copied only
/// then: an organization's principals share a few accounts and role names).
fn with_slot<V: Default>(map: &mut HashMap<String, V>, key: &str, f: impl FnOnce(&mut V)) {
    match map.get_mut(key) {
        Some(v) => f(v),
        None => f(map.entry(key.to_string()).or_default()),
    }
}

/// What one principal's assume-role grants name: literal resource parts and the
/// literal starts of the others, each sorted and once.
struct Named {
    keys: Vec<String>,
    prefixes: Vec<String>,
}

fn named(p: &Principal) -> Named {
    let mut keys: Vec<String> = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    for (pi, si) in &p.assume_grants {
        let Some(st) = p.identity.get(*pi).and_then(|pol| pol.statements.get(*si)) else {
            continue;
        };
        let Some(res) = st.resources.as_ref().filter(|r| !r.negated) else {
            prefixes.push(String::new());
            continue;
        };
        for pat in res.patterns.iter() {
            match resource_part(pat) {
                Part::Literal(key) => keys.push(key),
                Part::Prefix(prefix) => prefixes.push(prefix),
            }
        }
    }
    prefixes.sort_unstable();
    prefixes.dedup();
    keys.sort_unstable();
    keys.dedup();
    Named { keys, prefixes }
}

/// What a Resource pattern says of the resource part of the roles it may name.
enum Part {
    /// Exactly this (lowercased): no wildcard, no variable.
    Literal(String),
    /// Anything that starts with this (lowercased; empty: anything).
    Prefix(String),
}

/// The lowercased resource part of a Resource pattern, literal or up to its first
/// wildcard or variable. The other components may have wildcards: they only narrow
/// the match (each component is matched on its own).
fn resource_part(pat: &ResourcePattern) -> Part {
    let ResourcePattern::Arn(arn) = pat else {
        return Part::Prefix(String::new());
    };
    let Some(part) = Arn::parse(arn.as_str()).map(|a| a.resource) else {
        return Part::Prefix(String::new());
    };
    let cut = [part.find('*'), part.find('?'), part.find("${")]
        .into_iter()
        .flatten()
        .min();
    match cut {
        None => Part::Literal(part.to_ascii_lowercase()),
        Some(i) => Part::Prefix(part.get(..i).unwrap_or_default().to_ascii_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resource_part_is_after_the_fifth_colon() {
        fn part(t: &str) -> Option<&str> {
            Arn::parse(t).map(|a| a.resource)
        }
        assert_eq!(part("arn:aws:iam::111111111111:role/a/b"), Some("role/a/b"));
        assert_eq!(part("arn:aws:iam::*:role/x:y"), Some("role/x:y"));
        assert_eq!(part("*"), None);
        assert_eq!(part("arn:aws:iam"), None);
    }

    fn prefix(text: &str) -> String {
        let pat = match crate::policy::arn::ArnPattern::with_variables(text) {
            Some(a) => ResourcePattern::Arn(a),
            None => ResourcePattern::Any,
        };
        match resource_part(&pat) {
            Part::Literal(l) => format!("={l}"),
            Part::Prefix(p) => format!("{p}*"),
        }
    }

    #[test]
    fn a_grant_is_keyed_by_its_literal_start() {
        assert_eq!(prefix("arn:aws:iam::1:role/Team-A"), "=role/team-a");
        assert_eq!(prefix("arn:aws:iam::*:role/team-a-*"), "role/team-a-*");
        assert_eq!(prefix("arn:aws:iam::1:role/a?c"), "role/a*");
        assert_eq!(prefix("arn:aws:iam::1:role/${aws:username}"), "role/*");
        assert_eq!(prefix("arn:aws:iam::1:*"), "*");
        assert_eq!(prefix("arn:aws:iam"), "*");
    }

    #[test]
    fn prefixes_find_the_callers_whose_start_begins_the_role() {
        let mut p = Prefixes::default();
        p.add("role/team-a-", 1);
        p.add("", 2);
        p.add("role/team-b-", 3);
        let mut found: Vec<usize> = p.matching(Some("role/team-a-x")).collect();
        found.sort_unstable();
        assert_eq!(found, vec![1, 2]);
        let mut all: Vec<usize> = p.matching(None).collect();
        all.sort_unstable();
        assert_eq!(all, vec![1, 2, 3]);
    }
}
