//! The assume-role grants of the loaded users and roles, indexed by the role they may
//! name. A trust policy that admits a whole account (or everyone) may admit each of its
//! principals, but only those with an identity statement that could allow
//! `sts:AssumeRole` on the role can make an edge: instead of listing every principal of
//! the account and checking each (quadratic in the principals of an account), the
//! candidates are read from this index — the callers whose grants name the role's
//! resource part literally (`role/NAME`, any account) and the callers with a wildcard,
//! variable or `NotResource` grant, which are checked one by one as before.

use std::collections::HashMap;

use super::world::{NodeKind, World};
use crate::eval::compile::ResourcePattern;
use crate::policy::arn::Arn;

/// Callers by the roles their assume-role grants may name.
#[derive(Debug, Default)]
pub struct GrantIndex {
    /// Lowercased resource part of a literal grant (`role/path/name`) → callers.
    by_resource: HashMap<String, Vec<usize>>,
    /// Callers with a grant that is not literal: wildcards, variables, `NotResource`,
    /// no `Resource`, or text that is not an ARN; all of them, and by account.
    wild: Vec<usize>,
    wild_by_account: HashMap<String, Vec<usize>>,
}

impl GrantIndex {
    /// Indexes every loaded user and role of the world.
    pub fn new(world: &World) -> GrantIndex {
        let mut index = GrantIndex::default();
        for (i, p) in world.principals.iter().enumerate() {
            if !matches!(p.kind, NodeKind::User | NodeKind::Role) {
                continue;
            }
            let mut keys: Vec<String> = Vec::new();
            let mut wild = false;
            for (pi, si) in &p.assume_grants {
                let Some(st) = p.identity.get(*pi).and_then(|pol| pol.statements.get(*si)) else {
                    continue;
                };
                let Some(res) = st.resources.as_ref().filter(|r| !r.negated) else {
                    wild = true;
                    continue;
                };
                for pat in &res.patterns {
                    match literal_resource_part(pat) {
                        Some(key) => keys.push(key),
                        None => wild = true,
                    }
                }
            }
            if wild {
                index.wild.push(i);
                if let Some(a) = &p.account {
                    index.wild_by_account.entry(a.clone()).or_default().push(i);
                }
            }
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                index.by_resource.entry(k).or_default().push(i);
            }
        }
        index
    }

    /// The callers whose grants may name the role with this ARN — of `account` only,
    /// when given: a superset of those whose grants do (the evaluator decides). A
    /// caller may come twice; the order is not meaningful.
    pub fn callers_for<'a>(
        &'a self,
        role_arn: &str,
        account: Option<&'a str>,
        world: &'a World,
    ) -> impl Iterator<Item = usize> + 'a {
        let wild: &[usize] = match account {
            Some(a) => self.wild_by_account.get(a).map_or(&[], Vec::as_slice),
            None => &self.wild,
        };
        let named: &[usize] = Arn::parse(role_arn)
            .and_then(|a| self.by_resource.get(&a.resource.to_ascii_lowercase()))
            .map_or(&[], Vec::as_slice);
        let named = named.iter().copied().filter(move |c| {
            account.is_none_or(|a| {
                world
                    .principals
                    .get(*c)
                    .is_some_and(|p| p.account.as_deref() == Some(a))
            })
        });
        wild.iter().copied().chain(named)
    }
}

/// The lowercased resource part of a Resource pattern when it has no wildcard and no
/// variable (the other components may have wildcards: they only narrow the match).
fn literal_resource_part(pat: &ResourcePattern) -> Option<String> {
    let ResourcePattern::Arn(arn) = pat else {
        return None;
    };
    let part = Arn::parse(arn.as_str())?.resource;
    (!part.contains(['*', '?']) && !part.contains("${")).then(|| part.to_ascii_lowercase())
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
}
