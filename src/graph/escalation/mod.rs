//! Privilege-escalation edges: every technique of the catalog (`catalog.rs`) that
//! iampath models becomes edges of the graph — to another principal it takes over, to a
//! changed copy of a principal (itself in a group, a role with a policy it wrote, …),
//! or to "an administrator" of the account. Every permission a technique needs is
//! decided by the evaluator on the concrete target ARN, with the context the real call
//! carries, through the caller's boundary, SCPs and RCPs; never by matching action names.

mod catalog;
mod iam;
mod services;
pub mod symbolic;

pub use catalog::{Coverage, TECHNIQUES, Technique, technique};

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::edges::{administrator, decide_in, edges_from};
use super::world::{Fixed, NodeKind, Principal, World, allow_all, allow_all_origin};
use super::{Edge, Grant, Hop, HopKind, grants_of};
use crate::eval::{CompiledPolicy, Decision, Evaluation, ResourcePolicyKind, compile};
use crate::model::{Account, Model, Role, User};
use crate::policy::context::{Tri, WithKeys};

/// A change of a principal's permissions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Change {
    /// It writes or attaches a policy of its choosing: anything.
    AllowAll,
    /// It joins the group: the group's policies are added.
    JoinGroup(String),
    /// A managed policy of it gets another default version.
    Version { policy: String, version: String },
    /// Its permissions boundary is gone.
    NoBoundary,
    /// One of its identity policies (by index) is gone.
    Without(usize),
    /// It leaves a group: that group's policies are gone.
    LeaveGroup(String),
}

/// What an escalation gains.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Gain {
    /// It becomes this principal.
    Become(usize),
    /// This principal (itself or one it then becomes), with changed permissions.
    Changed { who: usize, change: Change },
    /// A principal of its own making with every permission, in this account.
    Administrator(String),
}

/// One permission a technique needs.
pub struct Need {
    pub action: &'static str,
    /// The resources asked about; one allowed is enough (the name of a new resource is
    /// the attacker's to choose).
    pub resources: Vec<String>,
    /// Keys the real call carries.
    pub context: Vec<(&'static str, Vec<String>)>,
    /// A resource policy that decides too (a trust policy).
    pub policy: Option<Arc<CompiledPolicy>>,
    pub kind: ResourcePolicyKind,
    /// The account of the resource; the caller's when `None`.
    pub account: Option<String>,
}

impl Need {
    pub fn on(action: &'static str, resource: impl Into<String>) -> Need {
        Need::any(action, vec![resource.into()])
    }

    pub fn any(action: &'static str, resources: Vec<String>) -> Need {
        Need {
            action,
            resources,
            context: Vec::new(),
            policy: None,
            kind: ResourcePolicyKind::Ordinary,
            account: None,
        }
    }

    pub fn with(mut self, key: &'static str, value: impl Into<String>) -> Need {
        self.context.push((key, vec![value.into()]));
        self
    }

    /// `sts:AssumeRole` on a role, decided with its trust policy.
    pub fn assume(role: &Principal, trust: Option<Arc<CompiledPolicy>>) -> Need {
        Need {
            action: "sts:AssumeRole",
            resources: vec![role.id.clone()],
            context: Vec::new(),
            policy: trust,
            kind: ResourcePolicyKind::RoleTrust,
            account: role.account.clone(),
        }
    }
}

/// A technique that may apply: who, what it gains, what it needs.
pub struct Attempt {
    pub from: usize,
    pub technique: &'static Technique,
    pub gain: Gain,
    pub needs: Vec<Need>,
    /// Facts the data does not show that the answer rests on ("a Lambda function runs
    /// as R"): the edge is conditional on them.
    pub assumptions: Vec<String>,
}

/// A loaded user or role of the model.
#[derive(Clone, Copy)]
pub enum Entity<'a> {
    User(&'a Account, &'a User),
    Role(&'a Account, &'a Role),
}

/// What the technique builders read.
pub struct Cx<'a> {
    pub world: &'a World,
    pub model: &'a Model,
    /// Who may assume whom (the assume-role edges).
    pub assumable: &'a HashMap<usize, Vec<usize>>,
    /// Each role's trust policy, shared.
    pub trusts: HashMap<usize, Arc<CompiledPolicy>>,
    /// Instance profile ARN → the role in it.
    pub profiles: HashMap<&'a str, usize>,
    entities: HashMap<&'a str, Entity<'a>>,
}

impl<'a> Cx<'a> {
    fn new(world: &'a World, model: &'a Model, assumable: &'a HashMap<usize, Vec<usize>>) -> Self {
        let mut entities = HashMap::new();
        let mut profiles = HashMap::new();
        for a in model.accounts.values() {
            for u in &a.users {
                entities.insert(u.arn.value.as_str(), Entity::User(a, u));
            }
            for r in &a.roles {
                entities.insert(r.arn.value.as_str(), Entity::Role(a, r));
                if let Some(i) = world.by_id.get(&r.arn.value) {
                    for ip in &r.instance_profiles {
                        profiles.insert(ip.as_str(), *i);
                    }
                }
            }
        }
        let trusts = world
            .principals
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((i, Arc::new(p.trust.clone()?))))
            .collect();
        Cx {
            world,
            model,
            assumable,
            trusts,
            profiles,
            entities,
        }
    }

    pub fn principal(&self, i: usize) -> Option<&'a Principal> {
        self.world.principals.get(i)
    }

    /// The model record of a node (an escalated node's is its base's).
    pub fn entity(&self, i: usize) -> Option<Entity<'a>> {
        let p = self.principal(i)?;
        let base = match p.base {
            Some(b) => self.principal(b)?,
            None => p,
        };
        self.entities.get(base.id.as_str()).copied()
    }

    /// True when one of the principal's identity Allows names the action: only then
    /// can the evaluator allow it (IAM has no resource policies).
    pub fn may(&self, i: usize, action: &str) -> bool {
        self.principal(i).is_some_and(|p| {
            p.identity.iter().flat_map(|pol| &pol.statements).any(|st| {
                st.effect != Some(crate::model::Effect::Deny)
                    && st
                        .actions
                        .as_ref()
                        .is_some_and(|a| a.matches_action(action))
            })
        })
    }

    /// The loaded users and roles of the principal's account (not itself).
    pub fn others(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let base = self.principal(i).and_then(|p| p.base).unwrap_or(i);
        let account = self
            .principal(i)
            .and_then(|p| p.account.as_deref())
            .unwrap_or_default();
        self.world
            .of_account(account)
            .filter(move |j| *j != i && *j != base)
    }

    fn decide(&self, from: usize, need: &Need, resource: &str) -> Evaluation {
        let Some(p) = self.principal(from) else {
            return super::edges::decide(
                self.world,
                from,
                need.action,
                resource,
                None,
                need.kind,
                None,
            );
        };
        let ctx = WithKeys::new(&p.context, &need.context);
        let account = need.account.as_deref().or(p.account.as_deref());
        decide_in(
            self.world,
            from,
            need.action,
            resource,
            need.policy.as_deref(),
            need.kind,
            account,
            &ctx,
        )
    }
}

/// An attempt that the evaluator allows (or may allow).
struct Found {
    from: usize,
    technique: &'static Technique,
    gain: Gain,
    decision: Decision,
    action: String,
    grants: Vec<Grant>,
    conditions: Vec<String>,
}

fn evaluate(cx: &Cx, a: Attempt) -> Option<Found> {
    let mut decision = Decision::Allowed;
    let mut grants = Vec::new();
    let mut conditions = Vec::new();
    let mut actions: Vec<&str> = Vec::new();
    for need in &a.needs {
        let mut best: Option<Evaluation> = None;
        for r in &need.resources {
            let ev = cx.decide(a.from, need, r);
            match ev.decision {
                Decision::Allowed => {
                    best = Some(ev);
                    break;
                }
                Decision::Conditional if best.is_none() => best = Some(ev),
                _ => {}
            }
        }
        let ev = best?;
        if ev.decision == Decision::Conditional {
            decision = Decision::Conditional;
            conditions.extend(ev.conditions.iter().cloned());
        }
        let permission: Arc<str> = Arc::from(need.action);
        grants.extend(grants_of(&ev).into_iter().map(|mut g| {
            g.permission = Some(permission.clone());
            g
        }));
        if !actions.contains(&need.action) {
            actions.push(need.action);
        }
    }
    if !a.assumptions.is_empty() {
        decision = Decision::Conditional;
        conditions.extend(a.assumptions.iter().map(|t| format!("if {t}")));
    }
    conditions.dedup();
    Some(Found {
        from: a.from,
        technique: a.technique,
        gain: a.gain,
        decision,
        action: actions.join(" + "),
        grants,
        conditions,
    })
}

/// Every technique a principal may use.
fn attempts(cx: &Cx, s: usize) -> Vec<Attempt> {
    let mut out = iam::attempts(cx, s);
    out.extend(services::attempts(cx, s));
    out
}

/// Marks which loaded users and roles are administrators.
fn mark_administrators(world: &mut World) {
    let w: &World = world;
    let flags: Vec<(usize, Tri)> = (0..w.principals.len())
        .into_par_iter()
        .filter_map(|i| {
            let p = w.principals.get(i)?;
            p.kind.is_loaded().then(|| (i, administrator(w, p)))
        })
        .collect();
    for (i, t) in flags {
        if let Some(p) = world.principals.get_mut(i) {
            p.admin = t;
        }
    }
}

/// How many rounds of escalation from escalated nodes are followed.
const ROUNDS: usize = 3;

/// Builds the escalation edges; `assume` are the assume-role edges already built.
pub fn build(world: &mut World, model: &Model, assume: &[Edge], fixed: &Fixed) -> Vec<Edge> {
    mark_administrators(world);
    let mut assumable: HashMap<usize, Vec<usize>> = HashMap::new();
    for e in assume {
        assumable.entry(e.from).or_default().push(e.to);
    }
    let mut edges: Vec<Edge> = Vec::new();
    let mut pending: Vec<usize> = (0..world.principals.len())
        .filter(|i| {
            world
                .principals
                .get(*i)
                .is_some_and(|p| p.kind.is_loaded() && p.admin != Tri::True)
        })
        .collect();
    for _ in 0..ROUNDS {
        if pending.is_empty() {
            break;
        }
        let found: Vec<Found> = {
            let cx = Cx::new(world, model, &assumable);
            pending
                .par_iter()
                .flat_map_iter(|s| attempts(&cx, *s))
                .filter_map(|a| evaluate(&cx, a))
                .collect()
        };
        let mut new_nodes = Vec::new();
        for f in best_per_gain(found) {
            let Some(to) = materialize(world, model, &f.gain, fixed, &mut new_nodes) else {
                continue;
            };
            let (Some(from_id), Some(to_id)) = (
                world.principals.get(f.from).map(|p| p.id.clone()),
                world.principals.get(to).map(|p| p.id.clone()),
            ) else {
                continue;
            };
            if f.from == to {
                continue;
            }
            edges.push(Edge {
                from: f.from,
                to,
                hop: Arc::new(Hop {
                    from: from_id,
                    to: to_id,
                    action: f.action,
                    kind: HopKind::Escalation,
                    decision: f.decision,
                    grants: f.grants,
                    conditions: f.conditions,
                    technique: Some(f.technique),
                }),
            });
        }
        // A changed principal has assume-role edges of its own, and may escalate on.
        for n in &new_nodes {
            for e in edges_from(world, *n) {
                assumable.entry(e.from).or_default().push(e.to);
                edges.push(e);
            }
        }
        pending = new_nodes
            .into_iter()
            .filter(|n| {
                world
                    .principals
                    .get(*n)
                    .is_some_and(|p| p.admin != Tri::True)
            })
            .collect();
    }
    edges
}

/// One result per (principal, gain): allowed before conditional, then catalog order.
fn best_per_gain(found: Vec<Found>) -> Vec<Found> {
    let rank = |t: &Technique| {
        TECHNIQUES
            .iter()
            .position(|x| x.id == t.id)
            .unwrap_or(usize::MAX)
    };
    let mut best: HashMap<(usize, Gain), Found> = HashMap::new();
    for f in found {
        let key = (f.from, f.gain.clone());
        let better = match best.get(&key) {
            None => true,
            Some(b) => {
                let d = |x: Decision| u8::from(x != Decision::Allowed);
                (d(f.decision), rank(f.technique)) < (d(b.decision), rank(b.technique))
            }
        };
        if better {
            best.insert(key, f);
        }
    }
    let mut out: Vec<Found> = best.into_values().collect();
    out.sort_by_key(|f| (f.from, rank(f.technique)));
    out
}

/// The node a gain leads to, made when it does not exist yet.
fn materialize(
    world: &mut World,
    model: &Model,
    gain: &Gain,
    fixed: &Fixed,
    new_nodes: &mut Vec<usize>,
) -> Option<usize> {
    match gain {
        Gain::Become(j) => Some(*j),
        Gain::Administrator(account) => Some(world.administrator(account, fixed)),
        Gain::Changed { who, change } => {
            let p = changed(world, model, *who, change)?;
            let admin = administrator(world, &p);
            if admin == Tri::True {
                let account = p.account.clone()?;
                return Some(world.administrator(&account, fixed));
            }
            if let Some(i) = world.by_id.get(&p.id) {
                return Some(*i);
            }
            let mut p = p;
            p.admin = admin;
            let i = world.push(p);
            new_nodes.push(i);
            Some(i)
        }
    }
}

/// A copy of principal `who` with `change` applied.
fn changed(world: &World, model: &Model, who: usize, change: &Change) -> Option<Principal> {
    let base = world.principals.get(who)?;
    let mut p = base.clone();
    p.kind = NodeKind::Escalated;
    p.base = Some(base.base.unwrap_or(who));
    let mut label = String::new();
    match change {
        Change::AllowAll => {
            p.identity.push(allow_all());
            p.origins.push(allow_all_origin());
            label.push_str("with a policy of its own");
        }
        Change::JoinGroup(g) => {
            let account = model.accounts.get(p.account.as_deref()?)?;
            let group = account.groups.iter().find(|x| &x.name == g)?;
            let mut shared = super::compiled::Shared::default();
            for (pol, origin) in shared.group(account, group) {
                p.identity.push(pol);
                p.origins.push(origin);
            }
            label = format!("in group `{g}`");
        }
        Change::Version { policy, version } => {
            let account = model.accounts.get(p.account.as_deref()?)?;
            let m = account.managed_policies.get(policy)?;
            let v = m.other_versions.iter().find(|v| &v.id == version)?;
            let compiled = Arc::new(compile(
                &v.document,
                format!("managed policy `{}` at version {version}", m.name),
            ));
            for (pol, origin) in p.identity.iter_mut().zip(&p.origins) {
                if origin.managed.as_deref() == Some(policy.as_str()) {
                    *pol = compiled.clone();
                }
            }
            label = format!("with `{}` at version {version}", m.name);
        }
        Change::NoBoundary => {
            p.boundary = None;
            label.push_str("without its permissions boundary");
        }
        Change::Without(i) => {
            let name = p.origins.get(*i)?.name.clone();
            p.identity.remove(*i);
            p.origins.remove(*i);
            label = format!("without policy `{name}`");
        }
        Change::LeaveGroup(g) => {
            let keep: Vec<bool> = p
                .origins
                .iter()
                .map(|o| o.group.as_deref() != Some(g.as_str()))
                .collect();
            let mut k = keep.iter();
            p.identity.retain(|_| k.next().copied().unwrap_or(true));
            let mut k = keep.iter();
            p.origins.retain(|_| k.next().copied().unwrap_or(true));
            label = format!("out of group `{g}`");
        }
    }
    let base_id = world
        .principals
        .get(p.base.unwrap_or(who))
        .map_or(p.id.clone(), |b| b.id.clone());
    let prior = base
        .id
        .strip_prefix(base_id.as_str())
        .filter(|rest| !rest.is_empty())
        .map(|rest| {
            rest.trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .to_string()
        });
    p.id = match prior {
        Some(prior) => format!("{base_id} ({prior}, {label})"),
        None => format!("{base_id} ({label})"),
    };
    p.index_grants();
    Some(p)
}
