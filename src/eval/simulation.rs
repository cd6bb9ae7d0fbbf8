//! Runs a [`Simulation`] (a `simulate` request file): every context key not given is
//! absent, so the answer is definite.

use super::compile::{CompiledPolicy, compile};
use super::decide::{Inputs, Level, Request, ResourcePolicyKind, decision, evaluate};
use super::request::Caller;
use super::{Decision, Evaluation};
use crate::model::{Policy, Simulation, is_account_id};
use crate::policy::arn::Arn;
use crate::policy::context::MapContext;

/// The compiled policies of a simulation, kept together so `Inputs` can borrow them.
struct Compiled {
    identity: Vec<CompiledPolicy>,
    boundary: Option<CompiledPolicy>,
    session: Option<CompiledPolicy>,
    resource: Option<CompiledPolicy>,
    scps: Vec<Vec<CompiledPolicy>>,
    rcps: Vec<Vec<CompiledPolicy>>,
}

fn levels(levels: &[Vec<Policy>], what: &str) -> Vec<Vec<CompiledPolicy>> {
    levels
        .iter()
        .enumerate()
        .map(|(l, ps)| {
            ps.iter()
                .enumerate()
                .map(|(i, p)| compile(p, format!("{what}[{l}][{i}]")))
                .collect()
        })
        .collect()
}

fn to_levels(ls: &[Vec<CompiledPolicy>]) -> Vec<Level<'_>> {
    ls.iter()
        .enumerate()
        .map(|(i, ps)| Level {
            label: level_label(i, ls.len()).into(),
            policies: ps.iter().collect(),
        })
        .collect()
}

fn level_label(i: usize, n: usize) -> String {
    match i {
        0 => "the organization root".to_string(),
        i if i + 1 == n => "the account".to_string(),
        i => format!("OU level {i}"),
    }
}

/// Why a simulation cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum SimulationError {
    #[error("the request has no `{0}`")]
    #[diagnostic(
        code(iampath::request),
        help("a request names its principal, action and resource")
    )]
    Missing(&'static str),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Principal(#[from] super::request::PrincipalError),
}

/// Decides the request of a simulation; `Err` says what is missing from the request.
pub fn run(sim: &Simulation) -> Result<Evaluation, SimulationError> {
    let mut ev = decide_with(sim, evaluate)?;
    ev.decision = known(ev.decision);
    Ok(ev)
}

/// The decision alone of [`run`], by the evaluator's [`decision`] (no reasons): the
/// same rules, so the same answer (tests compare both on every simulation).
pub fn decision_only(sim: &Simulation) -> Result<Decision, SimulationError> {
    decide_with(sim, decision).map(known)
}

/// Every key is known here: a conditional answer can only come from an unknown
/// operator or an invalid Effect, treated in the direction that hides no access.
fn known(d: Decision) -> Decision {
    match d {
        Decision::Conditional => Decision::Allowed,
        d => d,
    }
}

/// The request of a simulation, compiled, decided by `decide`.
fn decide_with<R>(
    sim: &Simulation,
    decide: impl FnOnce(Request, &Inputs, &dyn crate::policy::context::Context) -> R,
) -> Result<R, SimulationError> {
    let principal = sim
        .principal
        .as_ref()
        .ok_or(SimulationError::Missing("principal"))?;
    let action = sim
        .action
        .as_ref()
        .ok_or(SimulationError::Missing("action"))?;
    let resource = sim
        .resource
        .as_ref()
        .ok_or(SimulationError::Missing("resource"))?;
    let caller = Caller::parse(principal)?;
    let resource_account = match &sim.resource_account {
        Some(a) => Some(a.value.clone()),
        None => Arn::parse(resource)
            .map(|a| a.account.to_string())
            .filter(|a| is_account_id(a)),
    };
    let c = Compiled {
        identity: sim
            .identity_policies
            .iter()
            .enumerate()
            .map(|(i, p)| compile(p, format!("identityPolicies[{i}]")))
            .collect(),
        boundary: sim
            .permissions_boundary
            .as_ref()
            .map(|p| compile(p, "permissionsBoundary")),
        session: sim
            .session_policy
            .as_ref()
            .map(|p| compile(p, "sessionPolicy")),
        resource: sim
            .resource_policy
            .as_ref()
            .map(|p| compile(p, "resourcePolicy")),
        scps: levels(&sim.service_control_policies, "serviceControlPolicies"),
        rcps: levels(&sim.resource_control_policies, "resourceControlPolicies"),
    };
    let resource_kind = match (Arn::parse(resource), &sim.resource_policy) {
        (_, Some(p)) if p.kind == crate::model::PolicyKind::Trust => ResourcePolicyKind::RoleTrust,
        (Some(a), _) if a.service == "kms" => ResourcePolicyKind::KmsKey,
        _ => ResourcePolicyKind::Ordinary,
    };
    let inputs = Inputs {
        identity: c.identity.iter().collect(),
        boundary: c.boundary.as_ref(),
        session: c.session.as_ref(),
        resource: c.resource.as_ref(),
        resource_kind,
        scp_levels: to_levels(&c.scps),
        rcp_levels: to_levels(&c.rcps),
        management_account: sim.management_account.as_ref().map(|m| m.value.as_str()),
        restrict_public_buckets: sim.restrict_public_buckets,
        service_linked: false,
    };
    let ctx = context(sim, &caller);
    let req = Request {
        caller: &caller,
        action,
        resource,
        resource_account: resource_account.as_deref(),
    };
    Ok(decide(req, &inputs, &ctx))
}

/// The request context: the keys given, plus the facts the principal implies when
/// not given (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:username`,
/// `aws:PrincipalIsAWSService`, and `aws:PrincipalServiceName` for a service).
fn context(sim: &Simulation, caller: &Caller) -> MapContext {
    let mut ctx = MapContext::default();
    for (k, v) in &sim.context {
        ctx.set(k, v.clone());
    }
    if let Some(arn) = caller.principal_arn() {
        ctx.set_default("aws:PrincipalArn", vec![arn]);
    }
    if let Some(account) = caller.account() {
        ctx.set_default("aws:PrincipalAccount", vec![account.to_string()]);
    }
    if let Some(name) = caller.user_name() {
        ctx.set_default("aws:username", vec![name.to_string()]);
    }
    match caller {
        Caller::Service(s) => {
            ctx.set_default("aws:PrincipalIsAWSService", vec!["true".into()]);
            ctx.set_default("aws:PrincipalServiceName", vec![s.clone()]);
        }
        c if c.is_iam() => ctx.set_default("aws:PrincipalIsAWSService", vec!["false".into()]),
        _ => {}
    }
    ctx
}
