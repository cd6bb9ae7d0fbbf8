//! Assume-role edges, computed with the evaluator. Trust policies are indexed by the
//! principals they name, so a role is evaluated only against its candidates, and a
//! candidate trusted only through its account is kept only when one of its own Allow
//! statements could grant `sts:AssumeRole` on the role. Candidates are evaluated in
//! parallel.

use std::borrow::Cow;
use std::sync::Arc;

use rayon::prelude::*;

use super::grant_index::GrantIndex;
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
    build_with(world, fixed, true)
}

/// [`build`], with or without the index of assume-role grants (`grant_index`): without
/// it, a trust that admits an account lists every principal of the account as a
/// candidate. Both give the same edges (a test checks it); the index is only faster.
pub fn build_with(world: &mut World, fixed: &Fixed, indexed: bool) -> Vec<Edge> {
    let candidates = candidates(world, fixed, indexed);
    let w: &World = world;
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
    let scp_levels = match (&p.account, p.assumed_identity) {
        (Some(a), false) => w.org.levels(a, OrgPolicyType::ServiceControl),
        _ => Vec::new(),
    };
    let rcp_levels = asked
        .resource_account
        .map(|a| w.org.levels(a, OrgPolicyType::ResourceControl))
        .unwrap_or_default();
    let inputs = Inputs {
        identity: p.identity.iter().map(|a| a.as_ref()).collect(),
        boundary: p.boundary.as_deref(),
        session: None,
        resource: asked.resource_policy,
        resource_kind: asked.kind,
        scp_levels,
        rcp_levels,
        management_account: w.org.management_account.as_deref(),
        restrict_public_buckets: false,
        service_linked: p.service_linked,
    };
    let req = Request {
        caller: &p.caller,
        action: asked.action,
        resource: asked.resource,
        resource_account: asked.resource_account,
    };
    Some(f(req, &inputs))
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
    let scp_levels = p
        .account
        .as_deref()
        .map(|a| w.org.levels(a, OrgPolicyType::ServiceControl))
        .unwrap_or_default();
    let scps_apply = !p.service_linked
        && w.org
            .management_account
            .as_deref()
            .is_none_or(|m| Some(m) != p.account.as_deref());
    let inputs = Inputs {
        identity: p.identity.iter().map(|a| a.as_ref()).collect(),
        boundary: p.boundary.as_deref(),
        scp_levels,
        ..Inputs::default()
    };
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

/// Every (role, caller) pair a trust policy may admit, from the principals it names.
/// With `indexed`, a trust that admits an account (or everyone) yields only the
/// callers whose assume-role grants may name the role (`GrantIndex`); without, every
/// principal of the account. Also records, for changed copies made later, which roles
/// admit whom (`World::trust_admits`).
fn candidates(world: &mut World, fixed: &Fixed, indexed: bool) -> Vec<Candidate> {
    let roles: Vec<usize> = (0..world.principals.len())
        .filter(|i| {
            world
                .principals
                .get(*i)
                .is_some_and(|p| p.kind == NodeKind::Role)
        })
        .collect();
    let index = indexed.then(|| GrantIndex::new(world));
    let mut admits = TrustAdmits::default();
    let mut out = Vec::new();
    for role in roles {
        let mut named: Vec<(usize, bool)> = Vec::new();
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
        let role_id = world
            .principals
            .get(role)
            .map(|p| p.id.clone())
            .unwrap_or_default();
        for (kind, value, negated) in entries {
            match named_by(world, &kind, &value, negated, fixed) {
                Admits::Named(list) => {
                    for (caller, direct) in &list {
                        if *direct {
                            admits.direct.entry(*caller).or_default().push(role);
                        }
                    }
                    named.extend(list);
                }
                Admits::Account(account) => {
                    let in_account = world.of_account(&account);
                    match &index {
                        Some(ix) => named.extend(
                            ix.callers_for(&role_id, Some(&account))
                                .filter(|c| in_account.contains(c))
                                .map(|c| (c, false)),
                        ),
                        None => named.extend(in_account.map(|c| (c, false))),
                    }
                    admits.by_account.entry(account).or_default().push(role);
                }
                Admits::Everyone => {
                    match &index {
                        Some(ix) => {
                            named.extend(ix.callers_for(&role_id, None).map(|c| (c, false)))
                        }
                        None => named.extend(all_iam(world)),
                    }
                    admits.everyone.push(role);
                }
            }
        }
        // Named directly wins over named through the account. A role does not
        // implicitly trust itself (decision-rules §6.2), but it may be named.
        named.sort_unstable_by_key(|c| (c.0, !c.1));
        named.dedup_by_key(|c| c.0);
        out.extend(named.into_iter().map(|(caller, direct)| Candidate {
            role,
            caller,
            direct,
        }));
    }
    admits.finish();
    world.trust_admits = admits;
    out
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
