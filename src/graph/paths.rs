//! `paths`: every access path that crosses an account boundary, from role
//! assumptions and from resource-policy grants, each checked with the evaluator.

use std::sync::Arc;

use rayon::prelude::*;

use super::world::NodeKind;
use super::{Graph, Hop};
use crate::eval::Decision;
use crate::model::{Effect, Model};

/// One edge that crosses from one account into another.
#[derive(Debug, Clone)]
pub struct Crossing {
    pub from_account: String,
    pub to_account: String,
    pub hop: Arc<Hop>,
}

/// The source account of a caller without one.
const OUTSIDE: &str = "outside AWS (identity providers, anonymous)";

/// How many crossings of edges get their hops at a time (in parallel) while listed.
const HOPS_AT_ONCE: usize = 4096;

/// `paths`: every assume-role edge whose two ends are in different accounts (or whose
/// caller has no account: services, identity providers), grouped by source → target,
/// one after another: the order is worked out first, and the hops of the edges are
/// made a few thousand at a time as the list is read, each dropped once read (an
/// organization has millions; kept all at once, and in their edges, they were the
/// largest part of the memory of `paths`).
pub fn crossings_in_order<'g>(
    graph: &'g Graph,
    model: &Model,
    from: Option<&str>,
    to: Option<&str>,
) -> Crossings<'g> {
    let w = &graph.world;
    let account = |i: usize| w.account_of(i);
    let mut list: Vec<Pending> = (0..graph.edges.len())
        .into_par_iter()
        .filter(|i| {
            graph.edges.get(*i).is_some_and(|e| {
                // A service assuming a role of the account is the account's own use of
                // AWS, not a way in from elsewhere. An account's administrator node is a
                // step of the paths of those who reach it (an administrator assumes
                // the roles that trust its account), not a principal to list.
                let service = w
                    .principals
                    .get(e.from())
                    .is_none_or(|p| matches!(p.kind, NodeKind::Service | NodeKind::Administrator));
                let (a, b) = (account(e.from()).unwrap_or(OUTSIDE), account(e.to()));
                !service && b.is_some_and(|b| a != b)
            })
        })
        .map(Pending::Edge)
        .collect();
    list.extend(resource_grants(graph, model, from, to));
    list.retain(|p| {
        key(graph, p)
            .is_some_and(|[a, b, _, _]| from.is_none_or(|f| a == f) && to.is_none_or(|t| b == t))
    });
    // A stable sort (the same order as a sequential one), in parallel. An edge's hop
    // runs between the IDs of its ends.
    list.par_sort_by(|x, y| key(graph, x).cmp(&key(graph, y)));
    Crossings {
        graph,
        list: list.into_iter(),
        ready: std::collections::VecDeque::new(),
    }
}

/// Whether `paths --from FROM --to TO` may list the assume-role edge of a candidate:
/// it crosses from the caller's account (or from outside) into another, between the
/// accounts asked for.
pub(super) fn may_list(
    w: &super::World,
    c: &super::edges::Candidate,
    from: Option<&str>,
    to: Option<&str>,
) -> bool {
    let account = |i: usize| w.account_of(i);
    let source = account(c.caller).unwrap_or(OUTSIDE);
    account(c.role).is_some_and(|target| {
        source != target && from.is_none_or(|f| f == source) && to.is_none_or(|t| t == target)
    })
}

/// The principals whose escalations `paths --from FROM --to TO` needs (`None`: every
/// one's). An escalation makes a changed copy of a principal of the escalating
/// principal's account, and only the copy's assume-role edges may be listed: into the
/// roles whose trust admits the copy's account, names its base, or admits everyone.
/// So the search is needed only in the accounts a role of another account admits
/// (of the `--to` account, when given), and of those only in the `--from` account.
/// In an organization whose members trust one identity account, that is one account.
pub(super) fn searched(
    w: &super::World,
    from: Option<&str>,
    to: Option<&str>,
) -> Option<Vec<bool>> {
    let account = |i: usize| w.account_of(i);
    let mut admitted = std::collections::HashSet::new();
    let mut everyone = false;
    for (admits, role) in w.trust_admits.each_admitted(w) {
        let target = account(role);
        if to.is_some_and(|t| target != Some(t)) {
            continue;
        }
        match admits {
            None => everyone = true,
            Some(a) if Some(a) != target => {
                admitted.insert(a);
            }
            Some(_) => {}
        }
    }
    let searched = |a: &str| (everyone || admitted.contains(a)) && from.is_none_or(|f| f == a);
    if everyone && from.is_none() {
        return None;
    }
    Some(
        w.principals
            .iter()
            .map(|p| p.account.as_deref().is_some_and(searched))
            .collect(),
    )
}

/// What a crossing is listed by: its accounts and the IDs of its hop's ends.
fn key<'a>(graph: &'a Graph, p: &'a Pending) -> Option<[&'a str; 4]> {
    let w = &graph.world;
    let account = |i: usize| w.account_of(i);
    let id = |n: usize| w.principals.get(n).map(|p| &*p.id);
    Some(match p {
        Pending::Edge(i) => {
            let e = graph.edges.get(*i)?;
            [
                account(e.from()).unwrap_or(OUTSIDE),
                account(e.to())?,
                id(e.from())?,
                id(e.to())?,
            ]
        }
        Pending::Grant(caller, g) => [
            account(*caller).unwrap_or(ANONYMOUS),
            &g.account,
            id(*caller)?,
            &g.resource,
        ],
    })
}

/// The source account of a resource grant's caller without one.
const ANONYMOUS: &str = "anonymous";

/// A crossing before its hop is made: an edge of the graph, or a caller a resource
/// grant allows (its hop made again, with the reasons, when listed).
enum Pending {
    Edge(usize),
    Grant(usize, Arc<GrantOf>),
}

/// A resource-policy statement's action tried on its resource, shared by the callers
/// it allows.
struct GrantOf {
    /// The resource's account.
    account: String,
    resource: Arc<str>,
    action: String,
    target: super::resources::Target,
}

/// [`super::edges::decide`] or [`super::edges::decision`]: a request of a graph
/// principal, answered with or without its reasons.
type Ask<T> = fn(
    &super::World,
    usize,
    &str,
    &str,
    Option<&crate::eval::CompiledPolicy>,
    crate::eval::ResourcePolicyKind,
    Option<&str>,
) -> T;

impl GrantOf {
    /// `caller`'s request of this grant, asked with `ask`: fully (with its reasons)
    /// or, for a first look, only its decision.
    fn ask<T>(&self, w: &super::World, caller: usize, ask: Ask<T>) -> T {
        let owner = self.caller_owner(w, caller);
        ask(
            w,
            caller,
            &self.action,
            &self.resource,
            self.target.policy.as_ref(),
            self.target.kind,
            owner,
        )
    }

    /// The resource's account for a request of `caller`.
    fn caller_owner<'a>(&'a self, w: &'a super::World, caller: usize) -> Option<&'a str> {
        let account = w.account_of(caller);
        self.target.account_for(account)
    }

    /// The hop of a caller this grant allows, with its reasons.
    fn hop(&self, w: &super::World, caller: usize) -> Option<Arc<Hop>> {
        super::edges::hop_of(
            w.principals
                .get(caller)
                .map(|p| p.id.clone())
                .unwrap_or_default(),
            self.resource.clone(),
            self.action.clone(),
            super::HopKind::Access,
            &self.ask(w, caller, super::edges::decide),
        )
    }
}

/// The crossings of [`crossings_in_order`], in order.
pub struct Crossings<'g> {
    graph: &'g Graph,
    list: std::vec::IntoIter<Pending>,
    ready: std::collections::VecDeque<Crossing>,
}

impl Iterator for Crossings<'_> {
    type Item = Crossing;

    fn next(&mut self) -> Option<Crossing> {
        if self.ready.is_empty() {
            let batch: Vec<Pending> = self.list.by_ref().take(HOPS_AT_ONCE).collect();
            let g = self.graph;
            let made: Vec<Crossing> = batch
                .into_par_iter()
                .filter_map(|p| {
                    let [from_account, to_account, _, _] = key(g, &p)?;
                    let hop = match &p {
                        Pending::Grant(caller, grant) => grant.hop(&g.world, *caller)?,
                        Pending::Edge(i) => g.edges.get(*i)?.hop_once(&g.world),
                    };
                    Some(Crossing {
                        from_account: from_account.to_string(),
                        to_account: to_account.to_string(),
                        hop,
                    })
                })
                .collect();
            self.ready.extend(made);
        }
        self.ready.pop_front()
    }
}

/// Grants of resource policies to principals of other loaded accounts (or to
/// anonymous callers), checked with the evaluator: both sides must allow. Each action
/// pattern of a statement is tried with one real action it covers, on the statement's
/// first Resource value. Only the callers allowed are kept (most that a shared bucket
/// names are denied), each with the grant to make its hop from when listed. Only the
/// grants `paths --from FROM --to TO` lists are checked.
fn resource_grants(
    graph: &Graph,
    model: &Model,
    from: Option<&str>,
    to: Option<&str>,
) -> Vec<Pending> {
    let w = &graph.world;
    let mut out = Vec::new();
    // Only the callers of `--from` (as [`key`] names their account) are asked.
    let asked = |c: &usize| {
        from.is_none_or(|f| {
            w.principals
                .get(*c)
                .map(|p| p.account.as_deref().unwrap_or(ANONYMOUS))
                == Some(f)
        })
    };
    for account in model
        .accounts
        .values()
        .filter(|a| to.is_none_or(|t| t == a.id))
    {
        for r in account.resources.iter().filter(|r| r.policy.is_some()) {
            let Some(doc) = &r.policy else { continue };
            for st in doc
                .statements
                .iter()
                .filter(|s| s.effect.as_ref().is_some_and(|e| e.value == Effect::Allow))
            {
                let mut callers = named_outside(w, st, &account.id);
                callers.retain(asked);
                if callers.is_empty() {
                    continue;
                }
                let resource = st
                    .resource
                    .as_ref()
                    .and_then(|b| b.values.first())
                    .map_or(r.arn.clone(), |v| v.value.clone());
                for action in representative_actions(st) {
                    let grant = Arc::new(GrantOf {
                        account: account.id.clone(),
                        target: super::resources::target(model, w, &resource, &action),
                        resource: resource.as_str().into(),
                        action,
                    });
                    // Each caller is decided on its own (a shared bucket may name every
                    // account of an organization): in parallel, kept in caller order.
                    let allowed: Vec<usize> = callers
                        .par_iter()
                        .copied()
                        .filter(|c| {
                            matches!(
                                grant.ask(w, *c, super::edges::decision),
                                Decision::Allowed | Decision::Conditional
                            )
                        })
                        .collect();
                    out.extend(
                        allowed
                            .into_iter()
                            .map(|c| Pending::Grant(c, grant.clone())),
                    );
                }
            }
        }
    }
    out
}

/// Principals of other loaded accounts (and anonymous callers) a statement names.
fn named_outside(w: &super::World, st: &crate::model::Statement, owner: &str) -> Vec<usize> {
    let Some(p) = st.principal.as_ref().filter(|p| !p.negated) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in &p.entries {
        let v = e.value.value.as_str();
        let everyone = e.kind == crate::model::PrincipalKind::Everyone
            || (e.kind == crate::model::PrincipalKind::Aws && v == "*");
        if everyone {
            out.extend(w.by_id.get("*").copied());
            continue;
        }
        if e.kind != crate::model::PrincipalKind::Aws {
            continue;
        }
        let acct = if crate::model::is_account_id(v) {
            Some(v.to_string())
        } else {
            crate::policy::arn::Arn::parse(v).map(|a| a.account.to_string())
        };
        let Some(acct) = acct.filter(|a| a != owner) else {
            continue;
        };
        if v.ends_with(":root") || crate::model::is_account_id(v) {
            out.extend(w.of_account(&acct));
        } else if let Some(i) = w.by_id.get(v) {
            out.push(*i);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// One real action per Action value (the value itself when it has no wildcard).
fn representative_actions(st: &crate::model::Statement) -> Vec<String> {
    let Some(block) = st.action.as_ref().filter(|a| !a.negated) else {
        return Vec::new();
    };
    block
        .values
        .iter()
        .filter_map(|v| {
            if !v.value.contains(['*', '?']) {
                return Some(v.value.clone());
            }
            crate::catalog::expand_action_pattern(&v.value)
                .first()
                .map(|a| a.full_name())
        })
        .collect()
}

#[cfg(test)]
mod tests;
