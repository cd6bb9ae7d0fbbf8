//! The candidates of the assume-role edges: every (role, caller) pair a trust policy
//! may admit, from the principals it names. Which roles admit whom is kept in the
//! world ([`TrustAdmits`]) for the principals made after the build.

use rayon::prelude::*;

use super::grant_index::GrantIndex;
use super::world::{Fixed, NodeKind, World};
use crate::eval::CompiledPolicy;
use crate::model::{Effect, PrincipalKind, is_account_id};
use crate::policy::arn::Arn;

/// A role and a principal its trust policy may admit.
pub(super) struct Candidate {
    pub role: usize,
    pub caller: usize,
    /// The trust names the caller itself (not only its account).
    pub direct: bool,
}

/// How many roles' candidates are found in parallel at a time (their lists are
/// joined in role order after each batch, so only a batch's lists exist at once).
const BATCH: usize = 4096;

/// Every (role, caller) pair a trust policy may admit, in the order of the roles
/// (each role's callers in node order). With `indexed`, a trust that admits an
/// account (or everyone) yields only the callers whose assume-role grants may name
/// the role (`GrantIndex`); without, every principal of the account. Also records, for
/// changed copies made later, which roles admit whom (`World::trust_admits`). With
/// `within`, a caller of the role's own account is a candidate only when `within`
/// marks it (`paths`: see [`super::Graph::build_crossings`]); which roles admit whom is
/// recorded in full all the same.
pub(super) fn candidates(
    world: &mut World,
    fixed: &Fixed,
    indexed: bool,
    within: Option<&[bool]>,
) -> Vec<Candidate> {
    let roles = roles_of(world);
    // Whom each trust entry admits, role after role and entry after entry, on one
    // core: this makes the nodes of the principals outside the data in that order (and
    // an entry may find a node an earlier one made). It is the cheap part.
    let mut admitted: Vec<Vec<Admits>> = Vec::with_capacity(roles.len());
    for role in &roles {
        // The trust is shared: held a moment so the world can take new nodes.
        let trust = world.principals.get(*role).and_then(|p| p.trust.clone());
        let mut found = Vec::new();
        for (kind, value, negated) in trust_entries(trust.as_deref()) {
            found.push(named_by(world, kind, value, negated, fixed));
        }
        admitted.push(found);
    }
    // The callers each role admits, read from the grant index: in parallel.
    let w: &World = world;
    let index = indexed.then(|| GrantIndex::new(w));
    let mut admits = TrustAdmits::default();
    let mut out = Vec::new();
    let mut admitted = admitted.into_iter();
    for batch in roles.chunks(BATCH) {
        let batch: Vec<(usize, Vec<Admits>)> =
            batch.iter().copied().zip(admitted.by_ref()).collect();
        let found: Vec<(usize, RoleAdmits)> = batch
            .into_par_iter()
            .map(|(role, entries)| {
                let found = role_admits(w, index.as_ref(), role, entries, within);
                (role, found)
            })
            .collect();
        for (role, found) in found {
            for caller in found.direct {
                admits.direct.entry(caller).or_default().push(role);
            }
            for account in found.accounts {
                admits.by_account.entry(account).or_default().push(role);
            }
            if found.everyone {
                admits.everyone.push(role);
            }
            out.extend(found.callers.into_iter().map(|(caller, direct)| Candidate {
                role,
                caller,
                direct,
            }));
        }
    }
    admits.finish();
    world.trust_admits = admits;
    out
}

/// The roles of the world, in node order.
fn roles_of(world: &World) -> Vec<usize> {
    (0..world.principals.len())
        .filter(|i| {
            world
                .principals
                .get(*i)
                .is_some_and(|p| p.kind == NodeKind::Role)
        })
        .collect()
}

/// The principal entries of a trust policy's statements that may allow: (kind,
/// value, in a `NotPrincipal`).
fn trust_entries(
    trust: Option<&CompiledPolicy>,
) -> impl Iterator<Item = (&PrincipalKind, &str, bool)> {
    trust
        .into_iter()
        .flat_map(|t| &t.statements)
        .filter(|s| s.effect != Some(Effect::Deny))
        .filter_map(|s| s.principal.as_ref())
        .flat_map(|p| {
            p.entries
                .iter()
                .map(move |e| (&e.kind, e.value.value.as_str(), p.negated))
        })
}

/// Whom one role's trust admits.
struct RoleAdmits {
    /// The callers: (node, named directly), each once, in node order.
    callers: Vec<(usize, bool)>,
    /// The callers its trust names directly.
    direct: Vec<usize>,
    /// The loaded accounts it admits as a whole (an entry each).
    accounts: Vec<String>,
    /// It admits everyone.
    everyone: bool,
}

/// The callers a role's trust entries admit (`entries`: whom each admits).
fn role_admits(
    world: &World,
    index: Option<&GrantIndex>,
    role: usize,
    entries: Vec<Admits>,
    within: Option<&[bool]>,
) -> RoleAdmits {
    let role_id = world
        .principals
        .get(role)
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let account = |i: usize| world.account_of(i);
    let own = account(role);
    // Whether a caller of the role's own account stays a candidate.
    let within_kept = |c: &usize| super::marked(within, *c);
    let mut found = RoleAdmits {
        callers: Vec::new(),
        direct: Vec::new(),
        accounts: Vec::new(),
        everyone: false,
    };
    let named = &mut found.callers;
    for entry in entries {
        match entry {
            Admits::Named(list) => {
                found
                    .direct
                    .extend(list.iter().filter(|c| c.1).map(|c| c.0));
                named.extend(list);
            }
            Admits::Account(admitted) => {
                let in_account = world.of_account(&admitted);
                let kept = |c: &usize| own != Some(admitted.as_str()) || within_kept(c);
                match index {
                    Some(ix) => named.extend(
                        ix.callers_for(&role_id, Some(&admitted))
                            .filter(|c| in_account.contains(c) && kept(c))
                            .map(|c| (c, false)),
                    ),
                    None => named.extend(in_account.filter(kept).map(|c| (c, false))),
                }
                found.accounts.push(admitted);
            }
            Admits::Everyone => {
                match index {
                    Some(ix) => named.extend(ix.callers_for(&role_id, None).map(|c| (c, false))),
                    None => named.extend(all_iam(world)),
                }
                found.everyone = true;
            }
        }
    }
    // Named directly wins over named through the account. A role does not
    // implicitly trust itself (decision-rules §6.2), but it may be named.
    named.sort_unstable_by_key(|c| (c.0, !c.1));
    named.dedup_by_key(|c| c.0);
    if within.is_some() {
        named.retain(|(c, _)| account(*c) != own || within_kept(c));
    }
    found
}

/// Every loaded user and role, as candidates not named directly.
fn all_iam(w: &World) -> Vec<(usize, bool)> {
    w.principals
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, NodeKind::User | NodeKind::Role))
        .map(|(i, _)| (i, false))
        .collect()
}

/// Whom one trust-policy entry admits.
enum Admits {
    /// These nodes: (node, named directly).
    Named(Vec<(usize, bool)>),
    /// Every principal of this loaded account.
    Account(String),
    /// Every principal (`*`, or a `NotPrincipal` that may let anyone in).
    Everyone,
}

/// Which roles admit whom, kept after the build for principals made later (a changed
/// copy is admitted wherever its base is).
#[derive(Debug, Default)]
pub struct TrustAdmits {
    /// Caller → the roles whose trust names it directly.
    direct: std::collections::HashMap<usize, Vec<usize>>,
    /// Loaded account → the roles whose trust admits the account as a whole.
    by_account: std::collections::HashMap<String, Vec<usize>>,
    /// The roles whose trust admits everyone.
    everyone: Vec<usize>,
}

impl TrustAdmits {
    fn finish(&mut self) {
        for list in self.direct.values_mut().chain(self.by_account.values_mut()) {
            list.sort_unstable();
            list.dedup();
        }
        self.everyone.sort_unstable();
        self.everyone.dedup();
    }

    /// Each role with an account whose principals its trust may admit (by the account
    /// as a whole, or by naming one of its loaded principals): `None` for a trust
    /// that admits everyone. A role may come more than once.
    pub(crate) fn each_admitted<'w>(
        &'w self,
        world: &'w World,
    ) -> impl Iterator<Item = (Option<&'w str>, usize)> + 'w {
        let named = self.direct.iter().flat_map(move |(caller, roles)| {
            let account = world
                .principals
                .get(*caller)
                .filter(|p| p.kind.is_loaded())
                .and_then(|p| p.account.as_deref());
            account
                .into_iter()
                .flat_map(move |a| roles.iter().map(move |r| (Some(a), *r)))
        });
        let by_account = self
            .by_account
            .iter()
            .flat_map(|(a, roles)| roles.iter().map(move |r| (Some(a.as_str()), *r)));
        let everyone = self.everyone.iter().map(|r| (None, *r));
        named.chain(by_account).chain(everyone)
    }

    /// The roles whose trust admits the account as a whole, or everyone, in order.
    pub(crate) fn roles_admitting(&self, account: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .by_account
            .get(account)
            .into_iter()
            .flatten()
            .chain(&self.everyone)
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The roles that may admit a copy of `base` in `account`: (role, named directly).
    pub fn roles_for(&self, base: usize, account: Option<&str>) -> Vec<(usize, bool)> {
        let mut out: Vec<(usize, bool)> = self
            .direct
            .get(&base)
            .into_iter()
            .flatten()
            .map(|r| (*r, true))
            .collect();
        let shared = account
            .and_then(|a| self.by_account.get(a))
            .into_iter()
            .flatten()
            .chain(&self.everyone);
        out.extend(shared.map(|r| (*r, false)));
        out.sort_unstable_by_key(|c| (c.0, !c.1));
        out.dedup_by_key(|c| c.0);
        out
    }
}

/// Whom one trust-policy entry admits.
fn named_by(
    world: &mut World,
    kind: &PrincipalKind,
    value: &str,
    negated: bool,
    fixed: &Fixed,
) -> Admits {
    if negated {
        return Admits::Everyone;
    }
    let named = Admits::Named;
    match kind {
        PrincipalKind::Everyone => Admits::Everyone,
        PrincipalKind::Aws if value == "*" => Admits::Everyone,
        PrincipalKind::Aws => {
            let account = if is_account_id(value) {
                Some(value.to_string())
            } else {
                Arn::parse(value)
                    .filter(|a| a.resource == "root")
                    .map(|a| a.account.to_string())
            };
            if let Some(acct) = account {
                if world.loaded_accounts.contains(&acct) {
                    return Admits::Account(acct);
                }
                return named(
                    world
                        .outside(NodeKind::ExternalAccount, &acct, fixed)
                        .map(|i| vec![(i, false)])
                        .unwrap_or_default(),
                );
            }
            if let Some(i) = world.by_id.get(value) {
                return named(vec![(*i, true)]);
            }
            let Some(arn) = Arn::parse(value) else {
                return named(Vec::new());
            };
            if world.loaded_accounts.contains(arn.account) {
                // §2.8: a session of a loaded role names that role (conditionally on
                // the session name, which the evaluator says). Any other principal
                // of a loaded account that the data does not hold was deleted.
                let (kind, rest) = arn.resource_type_and_name();
                if arn.service == "sts" && kind == "assumed-role" {
                    let role = rest.split_once('/').map_or(rest, |(r, _)| r);
                    return named(
                        world
                            .role_named(arn.account, role)
                            .map(|i| vec![(i, true)])
                            .unwrap_or_default(),
                    );
                }
                return named(Vec::new());
            }
            named(
                world
                    .outside(NodeKind::ExternalPrincipal, value, fixed)
                    .map(|i| vec![(i, true)])
                    .unwrap_or_default(),
            )
        }
        PrincipalKind::Service => named(
            world
                .outside(NodeKind::Service, value, fixed)
                .map(|i| vec![(i, true)])
                .unwrap_or_default(),
        ),
        PrincipalKind::Federated => named(
            world
                .outside(NodeKind::Federated, value, fixed)
                .map(|i| vec![(i, true)])
                .unwrap_or_default(),
        ),
        PrincipalKind::CanonicalUser | PrincipalKind::Unknown(_) => named(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_org as org_gen;
    use crate::ingest::{LoadOptions, load};

    /// The candidates made role after role on one thread, as before they were found in
    /// parallel: each trust entry resolved (making outside nodes) just before its
    /// callers are read.
    fn one_by_one(world: &mut World, indexed: bool) -> Vec<(usize, usize, bool)> {
        let roles = roles_of(world);
        let index = indexed.then(|| GrantIndex::new(world));
        let mut out = Vec::new();
        for role in roles {
            let trust = world.principals.get(role).and_then(|p| p.trust.clone());
            let entries: Vec<Admits> = trust_entries(trust.as_deref())
                .map(|(kind, value, negated)| named_by(world, kind, value, negated, &[]))
                .collect();
            let found = role_admits(world, index.as_ref(), role, entries, None);
            out.extend(found.callers.into_iter().map(|(c, d)| (role, c, d)));
        }
        out
    }

    /// The nodes of a world by ID, in node order.
    fn nodes(world: &World) -> Vec<String> {
        world.principals.iter().map(|p| p.id.to_string()).collect()
    }

    /// The parallel search gives the candidates, and makes the outside nodes in the
    /// order, of the search one role at a time: on a trust that names services,
    /// accounts and principals outside the data, an `AWS` entry naming a service before
    /// and after the service's node is made, and everyone; on the escalation fixtures;
    /// and on a generated organization (more roles than one batch).
    #[test]
    fn the_same_as_one_role_at_a_time() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut folders = vec![root.join("src/graph/testdata/trust-outside")];
        let mut fixtures: Vec<std::path::PathBuf> =
            std::fs::read_dir(root.join("tests/escalations"))
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
        fixtures.sort();
        assert!(fixtures.len() > 50, "no escalation fixtures");
        folders.extend(fixtures);
        let org = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary folder: {e}"));
        org_gen::write_org(org.path(), &org_gen::OrgOptions::new(3, 3000))
            .unwrap_or_else(|e| panic!("writing the organization: {e}"));
        folders.push(org.path().to_path_buf());
        let mut outside_named = 0;
        for folder in &folders {
            let loaded = load(std::slice::from_ref(folder), &LoadOptions::default());
            for indexed in [true, false] {
                let mut before = World::new(&loaded.model, &[]);
                let want = one_by_one(&mut before, indexed);
                let mut world = World::new(&loaded.model, &[]);
                let found: Vec<(usize, usize, bool)> = candidates(&mut world, &[], indexed, None)
                    .into_iter()
                    .map(|c| (c.role, c.caller, c.direct))
                    .collect();
                assert_eq!(found, want, "{}", folder.display());
                assert_eq!(nodes(&world), nodes(&before), "{}", folder.display());
                outside_named += found
                    .iter()
                    .filter(|c| {
                        world
                            .principals
                            .get(c.1)
                            .is_some_and(|p| !p.kind.is_loaded())
                    })
                    .count();
            }
        }
        assert!(
            outside_named > 10,
            "too few outside callers to compare: {outside_named}"
        );
        // The service named in an `AWS` entry after its node was made is a candidate of
        // that role; before, it is not (nothing named it yet).
        let loaded = load(&folders[..1], &LoadOptions::default());
        let mut world = World::new(&loaded.model, &[]);
        let found = candidates(&mut world, &[], true, None);
        let id = |i: usize| {
            world
                .principals
                .get(i)
                .map(|p| p.id.to_string())
                .unwrap_or_default()
        };
        let pairs: Vec<(String, String)> =
            found.iter().map(|c| (id(c.role), id(c.caller))).collect();
        let after = "arn:aws:iam::111111111111:role/an-aws-entry-after-the-service";
        let before = "arn:aws:iam::111111111111:role/an-aws-entry-before-the-service";
        assert!(pairs.contains(&(after.into(), "lambda.amazonaws.com".into())));
        assert!(!pairs.contains(&(before.into(), "ec2.amazonaws.com".into())));
    }
}
