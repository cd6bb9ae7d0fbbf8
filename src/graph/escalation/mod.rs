//! Privilege-escalation edges: every technique of the catalog (`catalog.rs`) that
//! iampath models becomes edges of the graph — to another principal it takes over, to a
//! changed copy of a principal (itself in a group, a role with a policy it wrote, …),
//! or to "an administrator" of the account. Every permission a technique needs is
//! decided by the evaluator on the concrete target ARN, with the context the real call
//! carries, through the caller's boundary, SCPs and RCPs; never by matching action names.

mod admin;
mod assumable;
mod catalog;
mod changed;
mod decide;
mod iam;
mod prefilter;
mod services;
pub mod symbolic;

pub use catalog::{Coverage, TECHNIQUES, Technique, coverage_markdown, technique};

use admin::administrators;
pub(crate) use admin::takeover_hop;
use assumable::Assumable;
use changed::{allows_everything, changed, materialize, only_adds};
use decide::{Verdicts, best_of_one, best_per_gain, decide_caller, evaluate};
use prefilter::{ActionSet, action_bits, bits_of_policies};

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::edges::{administrator, decide_in, edges_from};
use super::flags::Flags;
use super::world::{Fixed, NodeKind, Principal, World, allow_all, allow_all_origin};
use super::{Edge, Grant, Hop, HopKind, grants_of};
use crate::eval::{CompiledPolicy, Decision, Evaluation, ResourcePolicyKind, compile};
use crate::model::{Account, Model, OrgPolicyType, Role, User};
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
#[derive(Clone)]
pub struct Need {
    pub action: &'static str,
    /// The resources asked about; one allowed is enough (the name of a new resource is
    /// the attacker's to choose).
    pub resources: Vec<String>,
    /// Keys the real call carries (most named by the catalog, a resource tag's made).
    pub context: Vec<(Cow<'static, str>, Vec<String>)>,
    /// A key whose value is the attacker's choice among these (`iam:PolicyARN`): one
    /// allowed is enough.
    pub choice: Option<(&'static str, Vec<String>)>,
    /// Needs of one group act on the same resource: the same candidate must do for
    /// all of them (a new function's name must allow both its creation and its call).
    pub group: Option<u8>,
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
            choice: None,
            group: None,
            policy: None,
            kind: ResourcePolicyKind::Ordinary,
            account: None,
        }
    }

    /// The key's value is the attacker's to choose among `values`.
    pub fn choose(mut self, key: &'static str, values: Vec<String>) -> Need {
        self.choice = Some((key, values));
        self
    }

    pub fn with(mut self, key: &'static str, value: impl Into<String>) -> Need {
        self.context.push((key.into(), vec![value.into()]));
        self
    }

    /// `sts:AssumeRole` on a role, decided with its trust policy.
    pub fn assume(role: &Principal, trust: Option<Arc<CompiledPolicy>>) -> Need {
        Need {
            action: "sts:AssumeRole",
            resources: vec![role.id.to_string()],
            context: Vec::new(),
            choice: None,
            group: None,
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
    pub(crate) assumable: &'a Assumable,
    /// Instance profile ARN → the role in it.
    pub profiles: &'a HashMap<&'a str, usize>,
    /// The service techniques' lookups.
    services: services::Index,
    /// Per account: the managed policies that allow everything (to attach).
    pub admin_policies: HashMap<&'a str, Vec<String>>,
    /// The model record of each node made before the search (see [`Lookup`]).
    entities: &'a [Option<Entity<'a>>],
    /// Per principal (by node, `None` outside the sources): which relevant actions
    /// its identity Allows name.
    bits: Vec<Option<ActionSet>>,
    /// When set (sources that are changed principals), only gains that make an
    /// administrator are built: targets that are administrators, or would be with a
    /// policy of their attacker's making (decided when first asked).
    only_admin: Option<Flags>,
}

/// The accounts a search reads: every account, or (for the escalations of some
/// principals only, [`build_from`]) theirs. Escalations stay in their account: a
/// source's targets, the nodes it makes and what they do next are of its account,
/// so nothing of another account is asked about.
pub(super) struct Scope(Option<std::collections::HashSet<String>>);

impl Scope {
    fn of(world: &World, sources: Option<&[bool]>) -> Scope {
        Scope(sources.map(|marked| {
            let accounts = marked.iter().enumerate().filter(|(_, m)| **m);
            accounts
                .filter_map(|(i, _)| world.principals.get(i)?.account.clone())
                .collect()
        }))
    }

    pub(super) fn holds(&self, account: Option<&str>) -> bool {
        match &self.0 {
            None => true,
            Some(set) => account.is_some_and(|a| set.contains(a)),
        }
    }
}

/// The model record of each node by its ARN (a loaded user or role), and the roles of
/// instance profiles: the same in every round of the search (made once; the world
/// only grows, and a node made in the search is a changed copy of one made before, or
/// an administrator, which has no record). Only of the accounts in its scope.
pub(super) struct Lookup<'m> {
    entities: Vec<Option<Entity<'m>>>,
    profiles: HashMap<&'m str, usize>,
    scope: Scope,
}

impl<'m> Lookup<'m> {
    pub fn new(world: &World, model: &'m Model, scope: Scope) -> Self {
        // Found through the world's index of its nodes (a record whose ARN is no
        // node's is no one's), the last record of an ARN winning as in the world.
        let mut entities = vec![None; world.principals.len()];
        let mut profiles = HashMap::new();
        let accounts = model.accounts.values();
        for a in accounts.filter(|a| scope.holds(Some(&a.id))) {
            for u in &a.users {
                let slot = node_of(world, &u.arn.value).and_then(|i| entities.get_mut(i));
                if let Some(slot) = slot {
                    *slot = Some(Entity::User(a, u));
                }
            }
            for r in &a.roles {
                let Some(i) = node_of(world, &r.arn.value) else {
                    continue;
                };
                if let Some(slot) = entities.get_mut(i) {
                    *slot = Some(Entity::Role(a, r));
                }
                for ip in &r.instance_profiles {
                    profiles.insert(ip.as_str(), i);
                }
            }
        }
        // Nodes that share an ID (the index holds the last) have the same record.
        if world.by_id.len() != world.principals.len() {
            for (i, p) in world.principals.iter().enumerate() {
                let first = node_of(world, &p.id).filter(|j| *j != i);
                if let Some(e) = first.and_then(|j| entities.get(j).copied()) {
                    if let Some(slot) = entities.get_mut(i) {
                        *slot = e;
                    }
                }
            }
        }
        Lookup {
            entities,
            profiles,
            scope,
        }
    }
}

/// The node of a loaded user or role, by its ARN.
fn node_of(world: &World, arn: &str) -> Option<usize> {
    world.by_id.get(arn).copied()
}

impl<'a> Cx<'a> {
    fn new(
        world: &'a World,
        model: &'a Model,
        lookup: &'a Lookup<'a>,
        assumable: &'a Assumable,
        only_admin: bool,
        sources: &[usize],
    ) -> Self {
        let known = bits_of_policies(world, sources);
        let computed: Vec<(usize, ActionSet)> = sources
            .par_iter()
            .filter_map(|i| Some((*i, action_bits(world.principals.get(*i)?, &known))))
            .collect();
        drop(known);
        let mut bits = vec![None; world.principals.len()];
        for (i, b) in computed {
            if let Some(slot) = bits.get_mut(i) {
                *slot = Some(b);
            }
        }
        let (entities, profiles) = (&lookup.entities, &lookup.profiles);
        let only_admin = only_admin.then(|| Flags::new(world.principals.len()));
        let services = services::Index::new(world, profiles, &lookup.scope);
        let admin_policies = model
            .accounts
            .iter()
            .filter(|(id, _)| lookup.scope.holds(Some(id)))
            .map(|(id, a)| (id.as_str(), iam::admin_policies(a)))
            .collect();
        Cx {
            world,
            model,
            assumable,
            services,
            admin_policies,
            profiles,
            entities,
            bits,
            only_admin,
        }
    }

    /// False when only administrator-making gains are built and principal `t` can be
    /// no administrator.
    pub fn worth(&self, t: usize) -> bool {
        let Some(flags) = &self.only_admin else {
            return true;
        };
        flags.get(t, || {
            let (world, model) = (self.world, self.model);
            world.principals.get(t).is_some_and(|p| {
                p.admin != Tri::False
                    || (p.kind.is_loaded()
                        && changed(world, model, t, &Change::AllowAll)
                            .is_some_and(|c| administrator(world, &c) != Tri::False))
            })
        })
    }

    /// False when only administrator-making gains are built and becoming principal `t`
    /// makes no administrator.
    pub fn worth_becoming(&self, t: usize) -> bool {
        self.only_admin.is_none() || self.principal(t).is_some_and(|p| p.admin != Tri::False)
    }

    pub fn principal(&self, i: usize) -> Option<&'a Principal> {
        self.world.principals.get(i).map(|p| &**p)
    }

    /// The model record of a node (an escalated node's is its base's).
    pub fn entity(&self, i: usize) -> Option<Entity<'a>> {
        let at = self.principal(i)?.base.unwrap_or(i);
        self.entities.get(at).copied().flatten()
    }

    /// True when one of the principal's identity Allows names the action: only then
    /// can the evaluator allow it (IAM has no resource policies).
    pub fn may(&self, i: usize, action: &str) -> bool {
        let at = prefilter::action_slot(action);
        if let (Some(Some(bits)), Some(at)) = (self.bits.get(i), at) {
            return bits.contains(at);
        }
        self.principal(i)
            .is_some_and(|p| identity_allows(p, action))
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

    fn decide(
        &self,
        from: usize,
        need: &Need,
        resource: &str,
        choice: Option<(&'static str, &str)>,
    ) -> Evaluation {
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
        let mut keys = need.context.clone();
        if let Some((k, v)) = choice {
            keys.push((k.into(), vec![v.to_string()]));
        }
        let ctx = WithKeys::new(&p.context, &keys);
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
    /// The permissions used, joined by ` + `.
    action: Cow<'static, str>,
    grants: Vec<Grant>,
    conditions: Vec<String>,
    /// An administrator node's takeover: its edge makes its hop when first asked.
    takeover: bool,
}

impl Found {
    /// The escalation edge it makes to node `to`, when both ends are in the world.
    fn into_edge(self, world: &World, to: usize) -> Option<Edge> {
        let from_id = &world.principals.get(self.from)?.id;
        let to_id = &world.principals.get(to)?.id;
        if self.takeover {
            return Some(Edge::takeover(self.from, to));
        }
        Some(Edge::new(
            self.from,
            to,
            Arc::new(Hop {
                from: from_id.clone(),
                to: to_id.clone(),
                action: self.action,
                kind: HopKind::Escalation,
                decision: self.decision,
                grants: self.grants,
                conditions: self.conditions,
                technique: Some(self.technique),
            }),
        ))
    }
}

/// The techniques on others and through services a principal may use.
fn other_attempts(cx: &Cx, s: usize) -> Vec<Attempt> {
    let mut out = iam::other_attempts(cx, s);
    if cx
        .principal(s)
        .is_some_and(|p| p.kind != NodeKind::Administrator)
    {
        out.extend(services::attempts(cx, s));
    }
    out
}

/// Marks which loaded users and roles (of the accounts in `scope`) are administrators.
fn mark_administrators(world: &mut World, scope: &Scope) {
    let w: &World = world;
    let flags: Vec<(usize, Tri)> = (0..w.principals.len())
        .into_par_iter()
        .filter_map(|i| {
            let p = w.principals.get(i)?;
            (p.kind.is_loaded() && scope.holds(p.account.as_deref()))
                .then(|| (i, administrator(w, p)))
        })
        .collect();
    for (i, t) in flags {
        if let Some(p) = world.principals.get_mut(i) {
            p.admin = t;
        }
    }
}

/// How the search runs but in the tests that compare it with deciding every attempt
/// and making every copy.
const OUTSIDE_TESTS: (Prune, Copies) = (Prune::Yes, Copies::Useful);

/// How many rounds of escalation from escalated nodes are followed.
const ROUNDS: usize = 3;

/// Builds the escalation edges; `assume` are the assume-role edges already built.
pub fn build(world: &mut World, model: &Model, assume: &[Edge], fixed: &Fixed) -> Vec<Edge> {
    build_with(world, model, assume, fixed, OUTSIDE_TESTS, None)
}

/// [`build`] for the escalations of the principals `sources` marks only (and of the
/// nodes their escalations make): each principal's escalations are its own, found the
/// same way whoever else is searched (`assume` must hold every assume-role edge of
/// the marked principals that the search reads: those of [`reads_assumable`]). Only the marked administrators reach their account's node
/// (made for them, or by an escalation). A node made by the whole build but not by
/// this one is made by unmarked principals only.
pub(crate) fn build_from(
    world: &mut World,
    model: &Model,
    assume: &[Edge],
    fixed: &Fixed,
    sources: &[bool],
) -> Vec<Edge> {
    build_with(world, model, assume, fixed, OUTSIDE_TESTS, Some(sources))
}

/// Whether the search may ask which roles principal `i` may assume: its policies may
/// allow a technique on a role it assumes ([`iam::ON_ASSUMED_ROLES`]). The assume-role
/// edges of any other principal are read by the search only as edges of the graph.
pub(crate) fn reads_assumable(world: &World, i: usize) -> bool {
    world.principals.get(i).is_some_and(|p| {
        iam::ON_ASSUMED_ROLES
            .iter()
            .any(|action| identity_allows(p, action))
    })
}

/// [`reads_assumable`] for each node `callers` marks (false for the others).
pub(crate) fn reading_assumable(world: &World, callers: Option<&[bool]>) -> Vec<bool> {
    (0..world.principals.len())
        .into_par_iter()
        .map(|i| crate::graph::marked(callers, i) && reads_assumable(world, i))
        .collect()
}

/// True when one of the principal's identity Allows names the action (its Denies,
/// boundary and resources aside): without, no request of it is allowed.
fn identity_allows(p: &Principal, action: &str) -> bool {
    let service = crate::eval::service_mask::ServiceMask::of_action(action);
    p.identity
        .iter()
        .flat_map(|pol| &pol.statements)
        .any(|st| st.allows_action(action, service))
}

/// Whether a loaded user or role may escalate at all: the policies of one that may not
/// allow any action a technique needs besides `sts:AssumeRole` (every technique
/// pairs it with another) can give it no escalation edge. An administrator may (it
/// reaches its account's node).
pub(crate) fn may_escalate(world: &World, i: usize) -> bool {
    let Some(p) = world.principals.get(i).filter(|p| p.kind.is_loaded()) else {
        return false;
    };
    // Actions past the prefilter's capacity have no place: then any principal may.
    if prefilter::relevant_actions().len() > prefilter::ActionSet::CAPACITY {
        return true;
    }
    let mut bits = action_bits(p, &HashMap::new());
    if let Some(at) = prefilter::action_slot("sts:AssumeRole") {
        bits.remove(at);
    }
    !bits.is_empty() || administrator(world, p) != Tri::False
}

/// Whether a caller's attempts whose edge is known not to be kept, or that the
/// evaluator surely denies ([`decide::may_hold`]), are left undecided (see
/// [`decide_caller`]); the tests decide every one to show the edges are the same.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prune {
    Yes,
    #[cfg_attr(not(test), allow(dead_code))]
    No,
}

/// Whether the changes that can give their target nothing ([`only_adds`] to one that
/// allows everything) are tried: the tests make those copies too, to show that they
/// hide nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Copies {
    Useful,
    #[cfg_attr(not(test), allow(dead_code))]
    All,
}

/// [`build`], pruning the attempts decided or not.
fn build_with(
    world: &mut World,
    model: &Model,
    assume: &[Edge],
    fixed: &Fixed,
    (prune, copies): (Prune, Copies),
    sources: Option<&[bool]>,
) -> Vec<Edge> {
    let scope = Scope::of(world, sources);
    mark_administrators(world, &scope);
    let lookup = Lookup::new(world, model, scope);
    let mut assumable = Assumable::new(assume);
    let mut edges: Vec<Edge> = Vec::new();
    let mut kept: HashMap<(usize, usize), usize> = HashMap::new();
    let mut pending: Vec<usize> = (0..world.principals.len())
        .filter(|i| {
            world
                .principals
                .get(*i)
                .is_some_and(|p| p.kind.is_loaded() && p.admin != Tri::True)
                && crate::graph::marked(sources, *i)
        })
        .collect();
    for round in 0..ROUNDS {
        if pending.is_empty() {
            break;
        }
        // From a changed principal only what makes an administrator is followed: its
        // other gains are its base's already, and changes of changes would multiply.
        let only_admin = round > 0;
        let cx = Cx::new(world, model, &lookup, &assumable, only_admin, &pending);
        let verdicts = Verdicts::new(world, model);
        // Each caller's attempts are made, decided and dropped on one thread: only
        // what they find is kept (an organization makes millions of attempts).
        // Which gains may make an administrator is known before the attempts are
        // evaluated (once per gain) when the gains are shared by many callers (their
        // techniques on others); the gains of each caller on itself are its own, and
        // most of its attempts are denied: those are evaluated first (the found ones are
        // kept by their gain after).
        let decide = |attempts: Vec<Attempt>, shared_gains: bool| -> Vec<Found> {
            let attempts = if only_admin && shared_gains {
                attempts
                    .into_iter()
                    .filter(|a| verdicts.of(&a.gain).maybe)
                    .collect()
            } else {
                attempts
            };
            decide_caller(&cx, &verdicts, attempts, prune)
        };
        // Whether a change gives its target nothing ([`only_adds`]): whether the
        // target's identity policies allow everything is worked out once per round.
        let wide = Flags::new(cx.world.principals.len());
        let gives_nothing = |a: &Attempt| match &a.gain {
            Gain::Changed { who, change } if copies == Copies::Useful && only_adds(change) => {
                wide.get(*who, || allows_everything(cx.world, *who))
            }
            _ => false,
        };
        // A principal's attempts but those: a change of its own (a policy it writes, a
        // group it joins) or of another (a policy written for it, then its credentials
        // or its trust) gives a principal that allows everything no permission, and the
        // other becomes it without the change too (`iam-002`, `iam-003`, `iam-012`, an
        // assume-role edge: each needs a part of what the change needs).
        let useful = |mut attempts: Vec<Attempt>| -> Vec<Attempt> {
            attempts.retain(|a| !gives_nothing(a));
            attempts
        };
        // First what each principal can do to itself: one that surely becomes an
        // administrator that way reaches everything else through the administrator
        // node (which can become any principal of the account), so its techniques on
        // others are not built.
        let mut found: Vec<Found> = pending
            .par_iter()
            .flat_map_iter(|s| decide(useful(iam::self_attempts(&cx, *s)), false))
            .collect();
        let admins: std::collections::HashSet<usize> = found
            .iter()
            .filter(|f| f.decision == Decision::Allowed && verdicts.of(&f.gain).surely)
            .map(|f| f.from)
            .collect();
        let others: Vec<Found> = pending
            .par_iter()
            .filter(|s| !admins.contains(s))
            .flat_map_iter(|s| decide(useful(other_attempts(&cx, *s)), true))
            .collect();
        found.extend(others);
        let found: Vec<Found> = best_per_gain(found)
            .into_iter()
            .filter(|f| !only_admin || verdicts.of(&f.gain).maybe)
            .collect();
        drop(verdicts);
        drop(cx);
        let mut new_nodes = Vec::new();
        for f in found {
            let Some(to) = materialize(world, model, &f.gain, fixed, &mut new_nodes) else {
                continue;
            };
            if f.from == to {
                continue;
            }
            // One edge per (from, to): several changed roles that each make an
            // administrator of the account lead to the same node.
            let key = (f.from, to);
            let replace = match kept.get(&key) {
                Some(&at) => {
                    let better = edges.get(at).is_some_and(|e: &Edge| {
                        e.decision != Decision::Allowed && f.decision == Decision::Allowed
                    });
                    if !better {
                        continue;
                    }
                    Some(at)
                }
                None => None,
            };
            let Some(edge) = f.into_edge(world, to) else {
                continue;
            };
            match replace.and_then(|at| edges.get_mut(at)) {
                Some(slot) => *slot = edge,
                None => {
                    kept.insert(key, edges.len());
                    edges.push(edge);
                }
            }
        }
        // A changed principal has assume-role edges of its own, and may escalate on.
        // (Decided for all the new nodes at once: a few nodes, each with many roles.)
        let w: &World = world;
        let theirs: Vec<Edge> = new_nodes
            .par_iter()
            .flat_map_iter(|n| edges_from(w, *n))
            .collect();
        for e in theirs {
            assumable.add(e.from(), e.to());
            edges.push(e);
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
    drop(kept);
    administrators(world, model, &lookup, assumable, &mut edges, fixed, sources);
    // The list lives as long as the graph; grown by doubling, up to half of it would
    // be room never used (an organization has a million escalation edges).
    edges.shrink_to_fit();
    edges
}

#[cfg(test)]
mod tests;
