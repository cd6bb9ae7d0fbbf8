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

/// `paths`: every assume-role edge whose two ends are in different accounts (or whose
/// caller has no account: services, identity providers), grouped by source → target.
pub fn crossings(
    graph: &Graph,
    model: &Model,
    from: Option<&str>,
    to: Option<&str>,
) -> Vec<Crossing> {
    let account = |i: usize| {
        graph
            .world
            .principals
            .get(i)
            .and_then(|p| p.account.clone())
    };
    let mut out: Vec<Crossing> = graph
        .edges
        .par_iter()
        // A service assuming a role of the account is the account's own use of AWS,
        // not a way in from elsewhere.
        .filter(|e| {
            graph
                .world
                .principals
                .get(e.from)
                .is_some_and(|p| p.kind != NodeKind::Service)
        })
        .filter_map(|e| {
            let (a, b) = (account(e.from), account(e.to)?);
            let a = a.unwrap_or_else(|| "outside AWS (identity providers, anonymous)".to_string());
            (a != b).then(|| Crossing {
                from_account: a,
                to_account: b,
                hop: e.hop(&graph.world).clone(),
            })
        })
        .collect();
    out.extend(resource_crossings(graph, model));
    out.retain(|c| {
        from.is_none_or(|f| c.from_account == f) && to.is_none_or(|t| c.to_account == t)
    });
    // A stable sort (the same order as a sequential one), in parallel.
    out.par_sort_by(|x, y| {
        (&x.from_account, &x.to_account, &x.hop.from, &x.hop.to).cmp(&(
            &y.from_account,
            &y.to_account,
            &y.hop.from,
            &y.hop.to,
        ))
    });
    out
}

/// Grants of resource policies to principals of other loaded accounts (or to
/// anonymous callers), checked with the evaluator: both sides must allow. Each action
/// pattern of a statement is tried with one real action it covers, on the statement's
/// first Resource value.
fn resource_crossings(graph: &Graph, model: &Model) -> Vec<Crossing> {
    let w = &graph.world;
    let mut out = Vec::new();
    for account in model.accounts.values() {
        for r in account.resources.iter().filter(|r| r.policy.is_some()) {
            let Some(doc) = &r.policy else { continue };
            for st in doc
                .statements
                .iter()
                .filter(|s| s.effect.as_ref().is_some_and(|e| e.value == Effect::Allow))
            {
                let callers = named_outside(w, st, &account.id);
                if callers.is_empty() {
                    continue;
                }
                let resource = st
                    .resource
                    .as_ref()
                    .and_then(|b| b.values.first())
                    .map_or(r.arn.clone(), |v| v.value.clone());
                for action in representative_actions(st) {
                    let t = super::resources::target(model, w, &resource, &action);
                    // Each caller is decided on its own (a shared bucket may name every
                    // account of an organization): in parallel, kept in caller order.
                    let found: Vec<Crossing> = callers
                        .par_iter()
                        .filter_map(|&c| {
                            let owner = t.account_for(
                                w.principals.get(c).and_then(|p| p.account.as_deref()),
                            );
                            let (a, r, policy) =
                                (action.as_str(), resource.as_str(), t.policy.as_ref());
                            // Most callers named are denied: their decision alone first
                            // (without reasons), the evaluation for the hop only after.
                            let d = super::edges::decision(w, c, a, r, policy, t.kind, owner);
                            if !matches!(d, Decision::Allowed | Decision::Conditional) {
                                return None;
                            }
                            let ev = super::edges::decide(w, c, a, r, policy, t.kind, owner);
                            let from_id = w
                                .principals
                                .get(c)
                                .map(|p| p.id.clone())
                                .unwrap_or_default();
                            let hop = super::edges::hop_of(
                                from_id,
                                resource.as_str().into(),
                                action.clone(),
                                super::HopKind::Access,
                                &ev,
                            )?;
                            let from_account = w
                                .principals
                                .get(c)
                                .and_then(|p| p.account.clone())
                                .unwrap_or_else(|| "anonymous".to_string());
                            Some(Crossing {
                                from_account,
                                to_account: account.id.clone(),
                                hop,
                            })
                        })
                        .collect();
                    out.extend(found);
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
