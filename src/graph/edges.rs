//! Assume-role edges, computed with the evaluator. Trust policies are indexed by the
//! principals they name, so a role is evaluated only against its candidates, and a
//! candidate trusted only through its account is kept only when one of its own Allow
//! statements could grant `sts:AssumeRole` on the role. Candidates are evaluated in
//! parallel.

use std::borrow::Cow;
use std::sync::Arc;

use rayon::prelude::*;

pub use super::trust_candidates::TrustAdmits;
pub(super) use super::trust_candidates::{Candidate, candidates};
use super::world::{Fixed, NodeKind, World};
use super::{Edge, Hop, HopKind, grants_of};
use crate::eval::{Caller, Decision, Evaluation, Inputs, Request, ResourcePolicyKind, evaluate};
use crate::model::OrgPolicyType;
use crate::policy::arn::Arn;
use crate::policy::context::Tri;

pub fn build(world: &mut World, fixed: &Fixed) -> Vec<Edge> {
    build_with(world, fixed, true)
}

/// [`build`], with or without the index of assume-role grants (`grant_index`): without
/// it, a trust that admits an account lists every principal of the account as a
/// candidate. Both give the same edges (a test checks it); the index is only faster.
pub fn build_with(world: &mut World, fixed: &Fixed, indexed: bool) -> Vec<Edge> {
    let candidates = candidates(world, fixed, indexed, None);
    decide_candidates(world, &candidates, None, Reads::Every)
}

/// Which of the assume-role edges a build makes. The callers whose edges the escalation
/// search reads ([`super::escalation::reads_assumable`]) get every edge whatever it is.
#[derive(Clone, Copy)]
pub(super) enum Reads<'a> {
    /// Every edge.
    Every,
    /// The edges into the roles marked (`who-can`, `can`: the roles that may reach
    /// the resource).
    Into(&'a [bool]),
}

/// The assume-role edges of the candidates, in their order; with `callers`, only those
/// of the callers it marks (the others' edges are left out), and of those only the
/// ones `reads` names.
pub(super) fn decide_candidates(
    w: &World,
    candidates: &[Candidate],
    callers: Option<&[bool]>,
    reads: Reads,
) -> Vec<Edge> {
    let every_role: Option<Vec<bool>> = match reads {
        Reads::Every => None,
        Reads::Into(_) => Some(super::escalation::reading_assumable(w, callers)),
    };
    let read = |c: &Candidate| match reads {
        Reads::Every => true,
        Reads::Into(roles) => super::marked(Some(roles), c.role),
    };
    let wanted = |c: &Candidate| {
        super::marked(callers, c.caller)
            && (read(c)
                || every_role
                    .as_ref()
                    .is_none_or(|e| e.get(c.caller).copied().unwrap_or(true)))
    };
    let role_arns: Vec<Option<Arn>> = w
        .principals
        .iter()
        .map(|p| {
            if p.kind == NodeKind::Role {
                Arn::parse(&p.id)
            } else {
                None
            }
        })
        .collect();
    candidates
        .par_iter()
        .filter(|c| wanted(c))
        .filter(|c| {
            c.direct
                || may_assume(
                    w,
                    c.caller,
                    c.role,
                    role_arns.get(c.role).and_then(Option::as_ref),
                )
        })
        .filter_map(|c| assume_edge(w, c.caller, c.role))
        .collect()
}

/// The assume-role edges out of one principal added after the build: a changed copy
/// of a principal (escalation) is evaluated against the roles whose trust may admit
/// its base (trust admits by who the caller is, which a copy shares: the roles naming
/// it, trusting its account, or everyone); any other node (a named role session)
/// against every loaded role.
pub fn edges_from(w: &World, caller: usize) -> Vec<Edge> {
    let Some(p) = w.principals.get(caller) else {
        return Vec::new();
    };
    let roles: Vec<(usize, bool)> = match p.base {
        Some(base) => w.trust_admits.roles_for(base, p.account.as_deref()),
        None => (0..w.principals.len()).map(|r| (r, false)).collect(),
    };
    roles
        .into_par_iter()
        .filter(|(r, _)| *r != caller)
        .filter(|(r, direct)| {
            *direct
                || w.principals.get(*r).is_some_and(|role| {
                    role.kind == NodeKind::Role
                        && may_assume(w, caller, *r, Arn::parse(&role.id).as_ref())
                })
        })
        .filter_map(|(r, _)| assume_edge(w, caller, r))
        .collect()
}

/// The assume-role edges of an administrator node (escalation): into the roles of
/// other accounts whose trust admits its account or everyone (its `Allow *` grants
/// `sts:AssumeRole`, within its account's SCPs). The roles of its own account it
/// takes over instead (its takeover edges).
pub fn administrator_edges(w: &World, sink: usize) -> Vec<Edge> {
    let Some(account) = w.account_of(sink) else {
        return Vec::new();
    };
    w.trust_admits
        .roles_admitting(account)
        .into_iter()
        .filter(|r| {
            w.principals
                .get(*r)
                .is_some_and(|role| role.account.as_deref() != Some(account))
        })
        .filter_map(|r| assume_edge(w, sink, r))
        .collect()
}

/// The assume-role request from `caller` into role `r` (`None` when `r` is not a
/// role): the caller's assume action on the role, decided with its trust policy.
fn assume_request(w: &World, caller: usize, r: usize) -> Option<Asked<'_>> {
    let role = w.principals.get(r).filter(|x| x.kind == NodeKind::Role)?;
    let p = w.principals.get(caller)?;
    Some(Asked {
        caller,
        action: assume_action(&p.caller),
        resource: &role.id,
        resource_policy: role.trust.as_deref(),
        kind: ResourcePolicyKind::RoleTrust,
        resource_account: role.account.as_deref(),
    })
}

/// The assume-role evaluation from `caller` into role `r`, with its action.
fn assume_evaluation(w: &World, caller: usize, r: usize) -> Option<(&'static str, Evaluation)> {
    let asked = assume_request(w, caller, r)?;
    let p = w.principals.get(caller)?;
    let ev = with_inputs(w, &asked, |req, inputs| evaluate(req, inputs, &p.context))?;
    Some((assume_action(&p.caller), ev))
}

/// The assume-role edge from `caller` into role `r`, when its trust and the caller's
/// policies allow (or may allow) it. Only the decision is kept, decided without
/// reasons: the hop is made again when asked ([`assume_hop`]).
fn assume_edge(w: &World, caller: usize, r: usize) -> Option<Edge> {
    let decision = decision_of(w, &assume_request(w, caller, r)?);
    matches!(decision, Decision::Allowed | Decision::Conditional)
        .then(|| Edge::assume(caller, r, decision))
}

/// The hop of the assume-role edge from `caller` into role `r`: the same evaluation
/// as when the edge was made (the policies of both ends do not change after the
/// build), with its grants and conditions.
pub(super) fn assume_hop(w: &World, caller: usize, r: usize, decision: Decision) -> Arc<Hop> {
    let id = |i: usize| {
        w.principals
            .get(i)
            .map(|p| p.id.clone())
            .unwrap_or_default()
    };
    let found = assume_evaluation(w, caller, r)
        .and_then(|(action, ev)| hop_of(id(caller), id(r), action, HopKind::AssumeRole, &ev));
    // Not reached: the evaluation that made the edge allowed it. Should it ever not,
    // the edge still shows, with its decision and without grants.
    found.unwrap_or_else(|| {
        Arc::new(Hop {
            from: id(caller),
            to: id(r),
            action: w
                .principals
                .get(caller)
                .map_or("sts:AssumeRole", |p| assume_action(&p.caller))
                .into(),
            kind: HopKind::AssumeRole,
            decision,
            grants: Vec::new(),
            conditions: Vec::new(),
            technique: None,
        })
    })
}

/// True for a decision that makes an edge: allowed, or allowed under conditions.
fn allows(ev: &Evaluation) -> bool {
    matches!(ev.decision, Decision::Allowed | Decision::Conditional)
}

/// The hop for an evaluation that allows (or may allow).
pub fn hop_of(
    from_id: Arc<str>,
    to_id: Arc<str>,
    action: impl Into<Cow<'static, str>>,
    kind: HopKind,
    ev: &Evaluation,
) -> Option<Arc<Hop>> {
    allows(ev).then(|| {
        Arc::new(Hop {
            from: from_id,
            to: to_id,
            action: action.into(),
            kind,
            decision: ev.decision,
            grants: grants_of(ev),
            conditions: ev.conditions.clone(),
            technique: None,
        })
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
        return denied(kind);
    };
    decide_in(
        w,
        caller,
        action,
        resource,
        resource_policy,
        kind,
        resource_account,
        &p.context,
    )
}

/// The decision alone of [`decide`] (no reasons, no conditions): cheaper, for the
/// many requests that are denied before their evaluation is wanted.
pub fn decision(
    w: &World,
    caller: usize,
    action: &str,
    resource: &str,
    resource_policy: Option<&crate::eval::CompiledPolicy>,
    kind: ResourcePolicyKind,
    resource_account: Option<&str>,
) -> Decision {
    decision_of(
        w,
        &Asked {
            caller,
            action,
            resource,
            resource_policy,
            kind,
            resource_account,
        },
    )
}

fn denied(kind: ResourcePolicyKind) -> Evaluation {
    Evaluation {
        decision: Decision::ImplicitDeny,
        resource_kind: kind,
        reasons: Vec::new(),
        conditions: Vec::new(),
    }
}

/// [`decide`] with a context of the caller's own (its facts plus keys the request
/// carries, such as `iam:PassedToService`).
#[allow(clippy::too_many_arguments)]
pub fn decide_in(
    w: &World,
    caller: usize,
    action: &str,
    resource: &str,
    resource_policy: Option<&crate::eval::CompiledPolicy>,
    kind: ResourcePolicyKind,
    resource_account: Option<&str>,
    ctx: &dyn crate::policy::context::Context,
) -> Evaluation {
    let asked = Asked {
        caller,
        action,
        resource,
        resource_policy,
        kind,
        resource_account,
    };
    with_inputs(w, &asked, |req, inputs| evaluate(req, inputs, ctx)).unwrap_or_else(|| denied(kind))
}

/// The decision alone of [`decide`] (no reasons, no conditions): for edges that keep
/// only their decision and make their hop when asked.
fn decision_of(w: &World, asked: &Asked) -> Decision {
    with_inputs(w, asked, |req, inputs| {
        let ctx = w.principals.get(asked.caller).map(|p| &p.context);
        match ctx {
            Some(ctx) => crate::eval::decision(req, inputs, ctx),
            None => Decision::ImplicitDeny,
        }
    })
    .unwrap_or(Decision::ImplicitDeny)
}

/// One request of a graph principal, as [`decide`] takes it.
struct Asked<'a> {
    caller: usize,
    action: &'a str,
    resource: &'a str,
    resource_policy: Option<&'a crate::eval::CompiledPolicy>,
    kind: ResourcePolicyKind,
    resource_account: Option<&'a str>,
}

/// The evaluator's request and inputs for a request of a graph principal (its
/// policies, boundary, and the organization's levels over both ends), given to `f`;
/// `None` when the caller is not in the world.
fn with_inputs<R>(w: &World, asked: &Asked, f: impl FnOnce(Request, &Inputs) -> R) -> Option<R> {
    let p = w.principals.get(asked.caller)?;
    let inputs = inputs_of(
        w,
        p,
        asked.resource_policy,
        asked.kind,
        asked.resource_account,
    );
    let req = Request {
        caller: &p.caller,
        action: asked.action,
        resource: asked.resource,
        resource_account: asked.resource_account,
    };
    Some(f(req, &inputs))
}

/// The evaluator's inputs for a request of a graph principal: its policies and
/// boundary, the resource policy, and the organization's levels over both ends.
pub(crate) fn inputs_of<'w>(
    w: &'w World,
    p: &'w super::Principal,
    resource_policy: Option<&'w crate::eval::CompiledPolicy>,
    kind: ResourcePolicyKind,
    resource_account: Option<&str>,
) -> Inputs<'w> {
    let scp_levels = match (&p.account, p.assumed_identity) {
        (Some(a), false) => w.org.levels(a, OrgPolicyType::ServiceControl),
        _ => Vec::new(),
    };
    let rcp_levels = resource_account
        .map(|a| w.org.levels(a, OrgPolicyType::ResourceControl))
        .unwrap_or_default();
    Inputs {
        identity: p.identity.iter().map(|a| a.as_ref()).collect(),
        boundary: p.boundary.as_deref(),
        session: None,
        resource: resource_policy,
        resource_kind: kind,
        scp_levels,
        rcp_levels,
        management_account: w.org.management_account.as_deref(),
        restrict_public_buckets: false,
        service_linked: p.service_linked,
    }
}

/// Whether a principal is an administrator (`eval::admin`), with its identity
/// policies, boundary and the SCPs of its account.
pub fn administrator(w: &World, p: &super::Principal) -> Tri {
    if !matches!(
        p.kind,
        NodeKind::User | NodeKind::Role | NodeKind::Escalated
    ) || p.assumed_identity
    {
        return Tri::False;
    }
    let scps_apply = !p.service_linked
        && w.org
            .management_account
            .as_deref()
            .is_none_or(|m| Some(m) != p.account.as_deref());
    // Its own policies, boundary and SCPs (no resource, so no RCP).
    let inputs = inputs_of(w, p, None, ResourcePolicyKind::Ordinary, None);
    crate::eval::admin::is_administrator(&inputs, scps_apply, &p.context)
}

/// A cheap check before the full evaluation: may one of the caller's identity
/// statements that allow its assume action name the role?
fn may_assume(w: &World, caller: usize, role: usize, role_arn: Option<&Arn>) -> bool {
    let (Some(p), Some(r)) = (w.principals.get(caller), w.principals.get(role)) else {
        return false;
    };
    if !matches!(
        p.caller,
        Caller::User { .. } | Caller::RoleSession { .. } | Caller::FederatedUser { .. }
    ) {
        return true;
    }
    p.assume_grants.iter().any(|(pi, si)| {
        p.identity
            .get(*pi)
            .and_then(|pol| pol.statements.get(*si))
            .is_some_and(|st| {
                st.resources.as_ref().is_none_or(|res| {
                    res.matches_resource(&r.id, role_arn, &p.context) != Tri::False
                })
            })
    })
}
