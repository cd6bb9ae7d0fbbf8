//! Assume-role edges, computed with the evaluator. Trust policies are indexed by the
//! principals they name, so a role is evaluated only against its candidates, and a
//! candidate trusted only through its account is kept only when one of its own Allow
//! statements could grant `sts:AssumeRole` on the role. Candidates are evaluated in
//! parallel.

use std::collections::BTreeSet;

use rayon::prelude::*;

use super::world::{Fixed, NodeKind, World};
use super::{Edge, Hop, HopKind, grants_of};
use crate::eval::{Caller, Decision, Evaluation, Inputs, Request, ResourcePolicyKind, evaluate};
use crate::model::{Effect, OrgPolicyType, PrincipalKind, is_account_id};
use crate::policy::arn::Arn;
use crate::policy::context::Tri;

/// A role and a principal its trust policy may admit.
struct Candidate {
    role: usize,
    caller: usize,
    /// The trust names the caller itself (not only its account).
    direct: bool,
}

pub fn build(world: &mut World, fixed: &Fixed) -> Vec<Edge> {
    let candidates = candidates(world, fixed);
    let w: &World = world;
    candidates
        .par_iter()
        .filter(|c| c.direct || may_assume(w, c.caller, c.role))
        .filter_map(|c| {
            let role = w.principals.get(c.role)?;
            let caller = w.principals.get(c.caller)?;
            let action = assume_action(&caller.caller);
            let ev = decide(
                w,
                c.caller,
                action,
                &role.id,
                role.trust.as_ref(),
                ResourcePolicyKind::RoleTrust,
                role.account.as_deref(),
            );
            edge(
                c.caller,
                c.role,
                caller.id.clone(),
                role.id.clone(),
                action,
                HopKind::AssumeRole,
                &ev,
            )
        })
        .collect()
}

/// The edge for an evaluation that allows (or may allow).
pub fn edge(
    from: usize,
    to: usize,
    from_id: String,
    to_id: String,
    action: &str,
    kind: HopKind,
    ev: &Evaluation,
) -> Option<Edge> {
    if !matches!(ev.decision, Decision::Allowed | Decision::Conditional) {
        return None;
    }
    Some(Edge {
        from,
        to,
        hop: Hop {
            from: from_id,
            to: to_id,
            action: action.to_string(),
            kind,
            decision: ev.decision,
            grants: grants_of(ev),
            conditions: ev.conditions.clone(),
        },
    })
}

/// The STS action a caller uses to assume a role.
pub fn assume_action(caller: &Caller) -> &'static str {
    match caller {
        Caller::Federated(p) if p.contains(":saml-provider/") => "sts:AssumeRoleWithSAML",
        Caller::Federated(_) => "sts:AssumeRoleWithWebIdentity",
        _ => "sts:AssumeRole",
    }
}

/// Decides one request of a graph principal.
pub fn decide(
    w: &World,
    caller: usize,
    action: &str,
    resource: &str,
    resource_policy: Option<&crate::eval::CompiledPolicy>,
    kind: ResourcePolicyKind,
    resource_account: Option<&str>,
) -> Evaluation {
    let Some(p) = w.principals.get(caller) else {
        return Evaluation {
            decision: Decision::ImplicitDeny,
            reasons: Vec::new(),
            conditions: Vec::new(),
        };
    };
    let scp_levels = match (&p.account, p.assumed_identity) {
        (Some(a), false) => w.org.levels(a, OrgPolicyType::ServiceControl),
        _ => Vec::new(),
    };
    let rcp_levels = resource_account
        .map(|a| w.org.levels(a, OrgPolicyType::ResourceControl))
        .unwrap_or_default();
    let inputs = Inputs {
        identity: p.identity.iter().collect(),
        boundary: p.boundary.as_ref(),
        session: None,
        resource: resource_policy,
        resource_kind: kind,
        scp_levels,
        rcp_levels,
        management_account: w.org.management_account.as_deref(),
        restrict_public_buckets: false,
        service_linked: p.service_linked,
    };
    let req = Request {
        caller: &p.caller,
        action,
        resource,
        resource_account,
    };
    evaluate(req, &inputs, &p.context)
}

/// A cheap check before the full evaluation: does any identity Allow of the caller
/// name an STS assume action and a resource that may be the role?
fn may_assume(w: &World, caller: usize, role: usize) -> bool {
    let (Some(p), Some(r)) = (w.principals.get(caller), w.principals.get(role)) else {
        return false;
    };
    if !matches!(
        p.caller,
        Caller::User { .. } | Caller::RoleSession { .. } | Caller::FederatedUser { .. }
    ) {
        return true;
    }
    let action = assume_action(&p.caller);
    let parsed = Arn::parse(&r.id);
    p.identity.iter().flat_map(|pol| &pol.statements).any(|st| {
        st.effect != Some(Effect::Deny)
            && st
                .actions
                .as_ref()
                .is_some_and(|a| a.matches_action(action))
            && st.resources.as_ref().is_none_or(|res| {
                res.matches_resource(&r.id, parsed.as_ref(), &p.context) != Tri::False
            })
    })
}

/// Every (role, caller) pair a trust policy may admit, from the principals it names.
fn candidates(world: &mut World, fixed: &Fixed) -> Vec<Candidate> {
    let roles: Vec<usize> = (0..world.principals.len())
        .filter(|i| {
            world
                .principals
                .get(*i)
                .is_some_and(|p| p.kind == NodeKind::Role)
        })
        .collect();
    let mut out = Vec::new();
    for role in roles {
        let mut named: BTreeSet<(usize, bool)> = BTreeSet::new();
        let entries: Vec<(PrincipalKind, String, bool)> = world
            .principals
            .get(role)
            .and_then(|p| p.trust.as_ref())
            .into_iter()
            .flat_map(|t| &t.statements)
            .filter(|s| s.effect != Some(Effect::Deny))
            .filter_map(|s| s.principal.as_ref())
            .flat_map(|p| {
                p.entries
                    .iter()
                    .map(move |e| (e.kind.clone(), e.value.value.clone(), p.negated))
            })
            .collect();
        for (kind, value, negated) in entries {
            for c in named_by(world, &kind, &value, negated, fixed) {
                named.insert(c);
            }
        }
        // A role does not implicitly trust itself (§6.2), but it may be named.
        let mut seen = BTreeSet::new();
        for (caller, direct) in named.into_iter().rev() {
            if seen.insert(caller) {
                out.push(Candidate {
                    role,
                    caller,
                    direct,
                });
            }
        }
    }
    out
}

/// The principals one trust-policy entry may name: (node, named directly).
fn named_by(
    world: &mut World,
    kind: &PrincipalKind,
    value: &str,
    negated: bool,
    fixed: &Fixed,
) -> Vec<(usize, bool)> {
    let all_iam = |w: &World| -> Vec<(usize, bool)> {
        w.principals
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.kind, NodeKind::User | NodeKind::Role))
            .map(|(i, _)| (i, false))
            .collect()
    };
    if negated {
        return all_iam(world);
    }
    match kind {
        PrincipalKind::Everyone => all_iam(world),
        PrincipalKind::Aws if value == "*" => all_iam(world),
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
                    return world
                        .principals
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| {
                            matches!(p.kind, NodeKind::User | NodeKind::Role)
                                && p.account.as_deref() == Some(acct.as_str())
                        })
                        .map(|(i, _)| (i, false))
                        .collect();
                }
                return world
                    .outside(NodeKind::ExternalAccount, &acct, fixed)
                    .map(|i| vec![(i, false)])
                    .unwrap_or_default();
            }
            if let Some(i) = world.by_id.get(value) {
                return vec![(*i, true)];
            }
            let Some(arn) = Arn::parse(value) else {
                return Vec::new();
            };
            if world.loaded_accounts.iter().any(|a| a == arn.account) {
                // A principal of a loaded account that the data does not hold: a
                // deleted principal or a session ARN; it names nobody loaded.
                return Vec::new();
            }
            world
                .outside(NodeKind::ExternalPrincipal, value, fixed)
                .map(|i| vec![(i, true)])
                .unwrap_or_default()
        }
        PrincipalKind::Service => world
            .outside(NodeKind::Service, value, fixed)
            .map(|i| vec![(i, true)])
            .unwrap_or_default(),
        PrincipalKind::Federated => world
            .outside(NodeKind::Federated, value, fixed)
            .map(|i| vec![(i, true)])
            .unwrap_or_default(),
        PrincipalKind::CanonicalUser | PrincipalKind::Unknown(_) => Vec::new(),
    }
}
