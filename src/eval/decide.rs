//! The decision flow of decision-rules §1, §6 and §7 for one request, in three-valued
//! logic so the same code serves `simulate` (every key known or absent) and the graph
//! (some keys unknown → a conditional answer carrying the conditions that must hold).

use super::compile::{CompiledPolicy, CompiledStatement};
use super::principal::{KINDS, Names, Naming, naming};
use super::public::is_public;
use super::request::Caller;
use super::service_mask::ServiceMask;
use std::sync::Arc;

use super::{Decision, Detail, Evaluation, Gate, Reason, StatementRef, Verdict};
use crate::model::{Effect, PolicyKind};
use crate::policy::arn::Arn;
use crate::policy::condition::evaluate_all;
use crate::policy::context::{Context, Tri};

/// One request: who, what, on which resource.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub caller: &'a Caller,
    pub action: &'a str,
    pub resource: &'a str,
    /// The account that owns the resource (S3 ARNs carry none: the caller says).
    pub resource_account: Option<&'a str>,
}

/// What the resource policy is, for the exceptions of §1.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResourcePolicyKind {
    #[default]
    Ordinary,
    /// A role's trust policy: must allow even in the same account.
    RoleTrust,
    /// A KMS key policy: must allow even in the same account.
    KmsKey,
}

/// One level of an organization (root, an OU, the account) and its policies of a type.
#[derive(Debug, Clone)]
pub struct Level<'a> {
    pub label: Arc<str>,
    pub policies: Vec<&'a CompiledPolicy>,
}

/// Every policy that may bear on the request.
#[derive(Debug, Clone, Default)]
pub struct Inputs<'a> {
    pub identity: Vec<&'a CompiledPolicy>,
    pub boundary: Option<&'a CompiledPolicy>,
    pub session: Option<&'a CompiledPolicy>,
    pub resource: Option<&'a CompiledPolicy>,
    pub resource_kind: ResourcePolicyKind,
    /// SCP levels of the caller's account, root first.
    pub scp_levels: Vec<Level<'a>>,
    /// RCP levels of the resource's account, root first.
    pub rcp_levels: Vec<Level<'a>>,
    pub management_account: Option<&'a str>,
    /// S3 Block Public Access `RestrictPublicBuckets` on the bucket or its account.
    pub restrict_public_buckets: bool,
    /// The caller is a service-linked role (SCPs do not apply, §1.4 [unconfirmed]).
    pub service_linked: bool,
}

/// A statement that applies (surely or maybe) to the request.
#[derive(Clone, Copy)]
struct Hit<'p> {
    policy: &'p CompiledPolicy,
    statement: &'p CompiledStatement,
    tri: Tri,
    /// For statements that name principals: how they name the caller.
    names: Option<Names<'p>>,
}

/// The statements of one policy that apply, by effect; each policy is scanned once.
struct Scanned<'p> {
    policy: &'p CompiledPolicy,
    deny: Vec<Hit<'p>>,
    allow: Vec<Hit<'p>>,
}

struct Eval<'a, 'c, 'p> {
    req: Request<'a>,
    /// The request's resource split as an ARN, once.
    resource_arn: Option<Arn<'a>>,
    /// The request's service, as statements' action lists summarise theirs.
    service: ServiceMask,
    ctx: &'c dyn Context,
    has_boundary: bool,
    scanned: Vec<Scanned<'p>>,
    record: Record,
}

/// The reasons and the conditions of a conditional answer, as they are found (apart
/// from the scans, so that citing a hit does not copy the hits of its policy).
#[derive(Default)]
struct Record {
    /// Only the decision is asked for: nothing is recorded (see [`decision`]).
    quiet: bool,
    reasons: Vec<Reason>,
    residual: Vec<String>,
    /// The empty label of notes about the flow, allocated once per request.
    none: Option<Arc<str>>,
}

/// Decides one request.
pub fn evaluate(req: Request, inputs: &Inputs, ctx: &dyn Context) -> Evaluation {
    run(req, inputs, ctx, false)
}

/// The decision of [`evaluate`] alone, without its reasons and conditions: the same
/// rules, at the cost of none of the records (the graph decides millions of
/// requests whose reasons it never shows).
pub fn decision(req: Request, inputs: &Inputs, ctx: &dyn Context) -> Decision {
    run(req, inputs, ctx, true).decision
}

fn run(req: Request, inputs: &Inputs, ctx: &dyn Context, quiet: bool) -> Evaluation {
    let mut ev = Eval {
        req,
        resource_arn: Arn::parse(req.resource),
        service: ServiceMask::of_action(req.action),
        ctx,
        has_boundary: inputs.boundary.is_some(),
        scanned: Vec::new(),
        record: Record {
            quiet,
            ..Record::default()
        },
    };
    let caller = req.caller;
    let resource_account = req.resource_account;
    let scps_apply = caller.is_iam()
        && !inputs.service_linked
        && inputs
            .management_account
            .is_none_or(|m| Some(m) != caller.account());
    let rcps_apply = inputs
        .management_account
        .is_none_or(|m| Some(m) != resource_account);

    // 1.2: explicit deny anywhere.
    let mut deny = Tri::False;
    if caller.is_iam() {
        deny = deny.or(ev.deny_of(inputs.identity.iter().copied(), Gate::Identity));
        deny = deny.or(ev.deny_of(inputs.boundary, Gate::Boundary));
        deny = deny.or(ev.deny_of(inputs.session, Gate::Session));
    }
    deny = deny.or(ev.deny_of(inputs.resource, Gate::Resource));
    if scps_apply {
        for l in &inputs.scp_levels {
            deny = deny.or(ev.deny_of(l.policies.iter().copied(), Gate::Scp));
        }
    }
    if rcps_apply {
        for l in &inputs.rcp_levels {
            deny = deny.or(ev.deny_of(l.policies.iter().copied(), Gate::Rcp));
        }
    }

    // 1.3 / 1.4: every organization level must allow.
    let rcp_ok = if rcps_apply {
        ev.levels(&inputs.rcp_levels, Gate::Rcp)
    } else {
        Tri::True
    };
    let scp_ok = if scps_apply {
        ev.levels(&inputs.scp_levels, Gate::Scp)
    } else {
        Tri::True
    };

    // Identity side: identity ∧ boundary ∧ session.
    let identity_allow = match caller {
        // The root user is not governed by identity policies.
        Caller::Root { .. } => Tri::True,
        c if c.is_iam() => ev.allow_of(&inputs.identity, Gate::Identity),
        _ => Tri::False,
    };
    let boundary_ok = match inputs.boundary {
        Some(b) => ev.allow_of(&[b], Gate::Boundary),
        None => Tri::True,
    };
    let session_ok = match inputs.session {
        Some(s) => ev.allow_of(&[s], Gate::Session),
        None => Tri::True,
    };
    let identity_side = identity_allow.and(boundary_ok).and(session_ok);

    // Resource side, by how the resource policy names the caller.
    let public = inputs.resource.is_some_and(is_public);
    // Per way of naming the caller: how surely an Allow of the resource policy names
    // it that way; and whether any names it at all.
    let mut named = [Tri::False; KINDS.len()];
    let mut resource_names = false;
    if let Some(p) = inputs.resource {
        let at = ev.scan_of(p);
        if let Some(s) = ev.scanned.get(at) {
            for h in &s.allow {
                if let Some(n) = h.names {
                    for (slot, k) in named.iter_mut().zip(KINDS) {
                        let t = h.tri.and(n.get(k));
                        if !t.is_false() {
                            *slot = slot.or(t);
                            resource_names = true;
                        }
                    }
                }
                ev.record.cite(h, Gate::Resource, Effect::Allow);
            }
        }
    }
    let named = |k: Naming| named.get(k as usize).copied().unwrap_or(Tri::False);
    let same_account = caller.account().is_some() && caller.account() == resource_account;
    let mut everyone = named(Naming::Everyone);
    let mut account = named(Naming::Account);
    let mut entity = named(Naming::Entity);
    let mut role = named(Naming::Role);
    let service = named(Naming::Service);
    // 7.3: with RestrictPublicBuckets a public policy grants only to services and to
    // principals of the owning account.
    if inputs.restrict_public_buckets
        && public
        && !same_account
        && !matches!(caller, Caller::Service(_))
    {
        if !everyone.is_false() || !account.is_false() || !entity.is_false() || !role.is_false() {
            ev.record
                .note_unlabelled(Gate::BlockPublicAccess, Detail::BlockPublicAccess);
        }
        everyone = Tri::False;
        account = Tri::False;
        entity = Tri::False;
        role = Tri::False;
    }
    let is_role_session = matches!(caller, Caller::RoleSession { .. });
    // `*` names a user like its own ARN and a session like its role (§1.5, §1.6).
    let (direct, role) = if is_role_session {
        (entity, role.or(everyone))
    } else {
        (entity.or(everyone), role)
    };
    let via_role = role.and(boundary_ok).and(session_ok);

    let allowed = match caller {
        // 6.3: the root user cannot assume roles.
        Caller::Root { .. } if inputs.resource_kind == ResourcePolicyKind::RoleTrust => {
            ev.record
                .note_unlabelled(Gate::Identity, Detail::RootCannotAssume);
            Tri::False
        }
        Caller::Anonymous => everyone,
        // 1.8: a service (or identity provider) gets access only from a policy naming it.
        Caller::Service(_) | Caller::Federated(_) => service,
        _ if inputs.resource_kind != ResourcePolicyKind::Ordinary => {
            // Trust and key policies must allow even in the same account; naming the
            // caller directly is enough, but its boundary must still allow (§1.5).
            let named_directly = direct.or(via_role).and(boundary_ok).and(session_ok);
            let via_account = account.and(identity_side);
            if same_account {
                named_directly.or(via_account)
            } else {
                identity_side.and(direct.or(via_role).or(account))
            }
        }
        _ if same_account => identity_side
            .or(direct)
            .or(via_role)
            .or(account.and(identity_side)),
        _ => {
            let resource_side = direct.or(role).or(account);
            if inputs.resource.is_none() && !identity_side.is_false() {
                ev.record
                    .note_unlabelled(Gate::CrossAccount, Detail::CrossAccountNoResourcePolicy);
            } else if let (Some(p), true) = (
                inputs.resource,
                resource_side.is_false() && !identity_side.is_false(),
            ) {
                ev.record.note(
                    Gate::CrossAccount,
                    p.label.clone(),
                    Detail::CrossAccountNotNamed,
                );
            }
            identity_side.and(resource_side)
        }
    };
    if allowed.is_false() && !ev.record.quiet {
        let resource_needed = inputs.resource_kind != ResourcePolicyKind::Ordinary
            || !caller.is_iam()
            || !same_account;
        let quiet_resource = resource_names || !resource_needed;
        ev.missing(
            inputs,
            identity_allow,
            boundary_ok,
            session_ok,
            quiet_resource,
        );
    }
    let total = (!deny).and(scp_ok).and(rcp_ok).and(allowed);
    let decision = match total {
        Tri::True => Decision::Allowed,
        Tri::Unknown => Decision::Conditional,
        Tri::False if deny.is_true() => Decision::ExplicitDeny,
        Tri::False => Decision::ImplicitDeny,
    };
    Evaluation {
        decision,
        resource_kind: inputs.resource_kind,
        reasons: ev.record.reasons,
        conditions: ev.record.residual,
    }
}

impl<'a, 'c, 'p> Eval<'a, 'c, 'p> {
    /// Where the statements of `policy` that apply or may apply are in `scanned`
    /// (each policy is scanned once per request).
    fn scan_of(&mut self, policy: &'p CompiledPolicy) -> usize {
        match self
            .scanned
            .iter()
            .position(|s| std::ptr::eq(s.policy, policy))
        {
            Some(i) => i,
            None => {
                let (deny, allow) = self.scan(policy);
                self.scanned.push(Scanned {
                    policy,
                    deny,
                    allow,
                });
                self.scanned.len() - 1
            }
        }
    }

    /// OR of the Deny statements of some policies, citing each.
    fn deny_of(
        &mut self,
        policies: impl IntoIterator<Item = &'p CompiledPolicy>,
        gate: Gate,
    ) -> Tri {
        let mut t = Tri::False;
        for p in policies {
            let at = self.scan_of(p);
            if let Some(s) = self.scanned.get(at) {
                for h in &s.deny {
                    t = t.or(h.tri);
                    self.record.cite(h, gate, Effect::Deny);
                }
            }
        }
        t
    }

    /// One pass over a policy: the Deny and the Allow statements that apply.
    fn scan(&self, policy: &'p CompiledPolicy) -> (Vec<Hit<'p>>, Vec<Hit<'p>>) {
        let check_principal = matches!(
            policy.kind,
            PolicyKind::Resource | PolicyKind::Trust | PolicyKind::ResourceControl
        );
        let (mut deny, mut allow) = (Vec::new(), Vec::new());
        for st in &policy.statements {
            // An invalid Effect is treated in the direction that cannot hide access:
            // it may allow, and it never denies.
            let effect = st.effect.unwrap_or(Effect::Allow);
            let invalid_effect = st.effect.is_none();
            if !st.services.may_match(self.service)
                || !st
                    .actions
                    .as_ref()
                    .is_some_and(|a| a.matches_action(self.req.action))
            {
                continue;
            }
            let resource = st.names_resource(
                policy.kind,
                self.req.resource,
                self.resource_arn.as_ref(),
                self.ctx,
            );
            if resource.is_false() {
                continue;
            }
            let names = match (&st.principal, check_principal) {
                (Some(p), true) => {
                    let n = naming(
                        p,
                        self.req.caller,
                        self.has_boundary,
                        self.ctx.unknown_by_default(),
                    );
                    if n.any().is_false() {
                        continue;
                    }
                    Some(n)
                }
                (None, true) => continue,
                (_, false) => None,
            };
            let mut tri = resource.and(evaluate_all(&st.conditions, self.ctx));
            if let Some(n) = &names {
                tri = tri.and(n.any());
            }
            if invalid_effect {
                tri = tri.and(Tri::Unknown);
            }
            // An operator AWS does not define: an Allow it guards may apply, a Deny it
            // guards may not protect (§4, issue 3).
            if st.has_unknown_operator() && effect == Effect::Deny && tri == Tri::Unknown {
                continue;
            }
            if tri.is_false() {
                continue;
            }
            let hit = Hit {
                policy,
                statement: st,
                tri,
                names,
            };
            match effect {
                Effect::Deny => deny.push(hit),
                Effect::Allow => allow.push(hit),
            }
        }
        (deny, allow)
    }

    /// OR of the Allow statements of some policies, citing each.
    fn allow_of(&mut self, policies: &[&'p CompiledPolicy], gate: Gate) -> Tri {
        let mut t = Tri::False;
        for p in policies {
            let at = self.scan_of(p);
            if let Some(s) = self.scanned.get(at) {
                for h in &s.allow {
                    t = t.or(h.tri);
                    self.record.cite(h, gate, Effect::Allow);
                }
            }
        }
        t
    }

    /// AND over levels of (OR of each level's Allow statements).
    fn levels(&mut self, levels: &[Level<'p>], gate: Gate) -> Tri {
        let mut all = Tri::True;
        for level in levels {
            let t = self.allow_of(&level.policies, gate);
            if t.is_false() {
                self.record
                    .note(gate, level.label.clone(), Detail::NoLevelAllow);
            }
            all = all.and(t);
        }
        all
    }

    /// Says which gate had no Allow, when nothing allowed.
    fn missing(
        &mut self,
        inputs: &Inputs,
        identity: Tri,
        boundary: Tri,
        session: Tri,
        quiet_resource: bool,
    ) {
        let caller = self.req.caller;
        let r = &mut self.record;
        if caller.is_iam() && identity.is_false() && !matches!(caller, Caller::Root { .. }) {
            let detail = if inputs.identity.is_empty() {
                Detail::NoIdentityPolicy
            } else {
                Detail::NoIdentityAllow
            };
            r.note_unlabelled(Gate::Identity, detail);
        }
        if let (Some(b), true) = (inputs.boundary, boundary.is_false()) {
            r.note(Gate::Boundary, b.label.clone(), Detail::PolicyDoesNotAllow);
        }
        if let (Some(s), true) = (inputs.session, session.is_false()) {
            r.note(Gate::Session, s.label.clone(), Detail::PolicyDoesNotAllow);
        }
        // `quiet_resource`: the resource policy named the caller (its statements are
        // cited) or it is not needed (same account, ordinary resource).
        if !quiet_resource {
            let label = match inputs.resource {
                Some(p) => p.label.clone(),
                None => r.none(),
            };
            r.note(Gate::Resource, label, Detail::PolicyDoesNotAllow);
        }
    }
}

impl Record {
    /// The empty label (one allocation per request, shared by its notes).
    fn none(&mut self) -> Arc<str> {
        self.none.get_or_insert_with(|| Arc::from("")).clone()
    }

    fn cite(&mut self, h: &Hit, gate: Gate, effect: Effect) {
        if self.quiet {
            return;
        }
        let conditional = h.tri == Tri::Unknown;
        let verdict = match (effect, conditional) {
            (_, true) => Verdict::Conditional,
            (Effect::Allow, false) => Verdict::Allow,
            (Effect::Deny, false) => Verdict::Deny,
        };
        // Texts are built only for conditional statements: the graph decides many
        // requests and reads the reasons of few.
        let conditions = conditional.then(|| {
            let session = h.names.and_then(|n| n.session).map(|s| s.describe());
            let cond = match (h.statement.conditions.is_empty(), session) {
                (true, None) => "its Effect is valid".to_string(),
                (true, Some(s)) => s,
                (false, None) => h.statement.conditions_text().to_string(),
                (false, Some(s)) => format!("{} and {s}", h.statement.conditions_text()),
            };
            self.residual.push(match effect {
                Effect::Allow => format!("allowed if {cond}"),
                Effect::Deny => format!("denied if {cond}"),
            });
            cond
        });
        self.reasons.push(Reason {
            gate,
            verdict,
            policy: h.policy.label.clone(),
            statement: Some(StatementRef {
                index: h.statement.index,
                sid: h.statement.sid.clone(),
            }),
            span: Some(h.statement.span),
            detail: Detail::Statement {
                effect,
                conditions,
                unknown_operator: h.statement.has_unknown_operator(),
            },
        });
    }

    /// A note with the empty label.
    fn note_unlabelled(&mut self, gate: Gate, detail: Detail) {
        if self.quiet {
            return;
        }
        let none = self.none();
        self.note(gate, none, detail);
    }

    fn note(&mut self, gate: Gate, policy: Arc<str>, detail: Detail) {
        if self.quiet {
            return;
        }
        self.reasons.push(Reason {
            gate,
            verdict: Verdict::Missing,
            policy,
            statement: None,
            span: None,
            detail,
        });
    }
}
