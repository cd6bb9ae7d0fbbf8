//! Which principals' edges one question needs. `who-can` asks what reaches one
//! resource and `can` what one principal reaches: the answer is read from the edges
//! of the principals that may reach the resource (for `can`, those of them that the
//! principal may reach) only, and in an organization most principals are not. Their
//! assume-role and escalation edges are left unmade. `what-can` reads the edges of
//! the principals the principal may reach.
//!
//! Which principals those are is worked out before the edges are decided, on a graph
//! that has every edge the real one may have (and more), made without the evaluator:
//!
//! * a caller to each role whose trust may admit it (the trust candidates, a superset
//!   of the assume-role edges);
//! * a principal whose policies may allow an action some technique needs (besides
//!   `sts:AssumeRole`, which every technique pairs with another) to "what an
//!   escalation makes in its account": every escalation stays in the caller's account
//!   (its targets are the account's users and roles, a changed copy of one of them,
//!   or the account's administrator node);
//! * from that to every user and role of the account, and to every role whose trust
//!   admits the account, one of its principals, or everyone (where a changed copy or
//!   the administrator node may go); it may also do anything the account may be
//!   allowed to do on the resource.
//!
//! The principals on no path to the resource of that graph (for `can`: on no path
//! from the principal to one that may have access) are on none of the real one. For
//! `who-can` and `can`, an assume-role edge into such a role is on no path either and
//! is not made, unless its caller may change a role it assumes (the escalation search asks
//! which roles it may assume: a role that reaches nothing may, changed, reach the
//! resource). The
//! edges of every other principal are made exactly as in the whole graph, in the
//! same order, so the answer is the same (a test
//! compares both on every fixture, answer, scenario and corpus folder). So are the
//! nodes escalations make (changed copies, administrator nodes), in the same round
//! with the same edges: each is made by every principal with an edge to it, so one
//! on a path to the resource is made only by principals on such paths. For `can`, a
//! maker need not be one the principal reaches, so every principal that may escalate
//! in an account on a path is kept too: a node made later than in the whole graph
//! could miss the last round of the escalation search.

use std::collections::HashMap;

use rayon::prelude::*;

use super::edges::Candidate;
use super::flags::Flags;
use super::input::{check_action, check_resource};
use super::lists::Lists;
use super::resources::{Target, target};
use super::world::World;
use crate::eval::Caller;
use crate::eval::service_mask::ServiceMask;
use crate::model::{Effect, Model};
use crate::policy::arn::Arn;

/// A question about one resource or one principal.
#[derive(Debug, Clone, Copy)]
pub enum Question<'q> {
    /// Who may perform the action on the resource (`who-can`).
    To { action: &'q str, resource: &'q str },
    /// Whether the principal may perform the action on the resource (`can`): whom it
    /// may reach.
    From {
        principal: &'q str,
        action: &'q str,
        resource: &'q str,
    },
    /// Whom the principal reaches, and what each may do (`what-can`).
    Reach { principal: &'q str },
}

/// The principals whose edges the question needs (by node), or `None` when every
/// principal's are needed (the principal asked about is made when asked: a service
/// or a federated identity); none for a question refused for its action, resource or
/// principal (the queries check them first).
pub(super) fn needed(
    world: &World,
    model: &Model,
    candidates: &[Candidate],
    question: &Question,
) -> Option<Vec<bool>> {
    if let Question::To { action, resource }
    | Question::From {
        action, resource, ..
    } = *question
        && (check_action(action).is_err() || check_resource(action, resource).is_err())
    {
        return Some(vec![false; world.principals.len()]);
    }
    let escalates = Escalates::new(world);
    let start = |principal: &str| match start_of(world, principal) {
        Start::Node(i) => Ok(i),
        Start::Refused => Err(Some(vec![false; world.principals.len()])),
        Start::Whole => Err(None),
    };
    let mut reached = match *question {
        Question::To { action, resource } => {
            let t = target(model, world, resource, action);
            let over = Over::new(world, candidates, &escalates, Direction::Backward);
            let start = over.with_access(&t, action, None);
            over.search(start, None)
        }
        Question::From {
            principal,
            action,
            resource,
        } => {
            let start = match start(principal) {
                Ok(i) => i,
                Err(answer) => return answer,
            };
            let forward = Over::new(world, candidates, &escalates, Direction::Forward);
            let from = forward.search(vec![start], None);
            drop(forward);
            let t = target(model, world, resource, action);
            let over = Over::new(world, candidates, &escalates, Direction::Backward);
            let to = over.with_access(&t, action, Some(&from));
            let mut reached = over.search(to, Some(&from));
            over.add_makers(&mut reached);
            reached
        }
        Question::Reach { principal } => {
            let start = match start(principal) {
                Ok(i) => i,
                Err(answer) => return answer,
            };
            let forward = Over::new(world, candidates, &escalates, Direction::Forward);
            let mut reached = forward.search(vec![start], None);
            // Forward, an account whose escalations are reached is reached whole
            // (what an escalation makes may become any of its principals), makers
            // included; said again so that it holds whatever the search becomes.
            forward.add_makers(&mut reached);
            reached
        }
    };
    reached.truncate(world.principals.len());
    Some(reached)
}

/// Where `can` starts for the principal asked about (as `query::resolve` finds it).
enum Start {
    /// A node of the world; for a named session of a loaded role, the role: the
    /// session is added after the build and does what its role does.
    Node(usize),
    /// A principal `resolve` refuses (not loaded, or no principal at all): no edge is
    /// needed to say so.
    Refused,
    /// A principal made when asked (a service, a federated identity): every edge.
    Whole,
}

fn start_of(world: &World, principal: &str) -> Start {
    if let Some(i) = super::query::find(world, principal) {
        return Start::Node(i);
    }
    match Caller::parse(principal) {
        Err(_) | Ok(Caller::User { .. } | Caller::Root { .. } | Caller::FederatedUser { .. }) => {
            Start::Refused
        }
        Ok(Caller::RoleSession {
            role_name, account, ..
        }) => world
            .role_named(&account, &role_name)
            .map_or(Start::Refused, Start::Node),
        Ok(Caller::Anonymous | Caller::Service(_) | Caller::Federated(_)) => Start::Whole,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Forward,
    Backward,
}

/// The graph of every edge the real one may have, one way: node `i < nodes` is
/// principal `i`; node `nodes + k` is what an escalation makes in the `k`-th account.
/// Its edges are worked out when a node is reached, not listed.
struct Over<'w> {
    world: &'w World,
    escalates: &'w Escalates,
    direction: Direction,
    nodes: usize,
    /// The loaded accounts, in the order of their IDs, with their nodes.
    accounts: Vec<(&'w str, std::ops::Range<usize>)>,
    /// The account of each node (its place in `accounts`), for loaded principals.
    account_of: Vec<u32>,
    /// The trust candidates by node: forward, the roles a caller may assume;
    /// backward, the callers a role may admit.
    candidates: Lists,
    /// Forward, the roles whose trust admits an account, by account; backward, the
    /// accounts a role's trust admits, by role.
    admitted: Lists,
    /// The roles whose trust admits everyone.
    everyone: Vec<usize>,
}

impl<'w> Over<'w> {
    fn new(
        world: &'w World,
        candidates: &[Candidate],
        escalates: &'w Escalates,
        direction: Direction,
    ) -> Over<'w> {
        let nodes = world.principals.len();
        let mut accounts: Vec<(&str, std::ops::Range<usize>)> = world.accounts().collect();
        accounts.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut account_of = vec![u32::MAX; nodes];
        for (k, (_, range)) in accounts.iter().enumerate() {
            let k = super::node(k);
            for slot in account_of.get_mut(range.clone()).into_iter().flatten() {
                *slot = k;
            }
        }
        let forward = direction == Direction::Forward;
        let candidates = Lists::new(
            nodes,
            candidates.iter().map(|c| {
                if forward {
                    (c.caller, c.role)
                } else {
                    (c.role, c.caller)
                }
            }),
        );
        let index: HashMap<&str, usize> = accounts
            .iter()
            .enumerate()
            .map(|(k, (a, _))| (*a, k))
            .collect();
        let mut everyone = Vec::new();
        let mut pairs = Vec::new();
        for (account, role) in world.trust_admits.each_admitted(world) {
            match account.map(|a| index.get(a)) {
                Some(Some(k)) if forward => pairs.push((*k, role)),
                Some(Some(k)) => pairs.push((role, *k)),
                Some(None) => {}
                None => everyone.push(role),
            }
        }
        everyone.sort_unstable();
        everyone.dedup();
        let admitted = Lists::new(
            if forward { accounts.len() } else { nodes },
            pairs.into_iter(),
        );
        Over {
            world,
            escalates,
            direction,
            nodes,
            accounts,
            account_of,
            candidates,
            admitted,
            everyone,
        }
    }

    /// The nodes that may have access to the target themselves: what an escalation
    /// makes in an account whose principals the resource's owner may let in, the
    /// principals of those accounts that the cheap check of `who-can` keeps (and the
    /// nodes of principals outside the data it keeps), and the role asked about; with
    /// `within`, only those of its nodes.
    fn with_access(&self, t: &Target, action: &str, within: Option<&[bool]>) -> Vec<usize> {
        let world = self.world;
        let let_in: Vec<bool> = self
            .accounts
            .par_iter()
            .map(|(account, range)| account_may(world, t, account, range.clone()))
            .collect();
        let arn = Arn::parse(&t.arn);
        let service = ServiceMask::of_action(action);
        let inside = |i: &usize| super::marked(within, *i);
        let mut start: Vec<usize> = (0..self.nodes)
            .into_par_iter()
            .filter(inside)
            .filter(|i| {
                let k = self.account_of.get(*i).copied().unwrap_or(u32::MAX);
                k == u32::MAX || let_in.get(k as usize).copied().unwrap_or(true)
            })
            .filter(|i| super::who_can::may_access(world, t, arn.as_ref(), *i, action, service))
            .collect();
        if t.kind == crate::eval::ResourcePolicyKind::RoleTrust {
            start.extend(world.by_id.get(t.arn.as_str()).copied().filter(inside));
        }
        let made = let_in.iter().enumerate().filter(|(_, m)| **m);
        start.extend(made.map(|(k, _)| self.nodes + k).filter(inside));
        start
    }

    /// Backward, with `reached` the nodes on a path from the principal to the
    /// resource: every principal that may make a node an escalation makes in an
    /// account on such a path (it may escalate, and the node is in its account), so
    /// that each node made on a path comes out in the same round as in the whole
    /// graph, whether the principal reaches its makers or not.
    fn add_makers(&self, reached: &mut [bool]) {
        for (k, (_, range)) in self.accounts.iter().enumerate() {
            if !reached.get(self.nodes + k).copied().unwrap_or(false) {
                continue;
            }
            let may = self.may_escalate(range.clone());
            for (i, m) in range.clone().zip(may) {
                if let Some(slot) = reached.get_mut(i).filter(|_| m) {
                    *slot = true;
                }
            }
        }
    }

    /// Which principals of a range may escalate, in parallel.
    fn may_escalate(&self, range: std::ops::Range<usize>) -> Vec<bool> {
        range
            .into_par_iter()
            .map(|i| self.escalates.of(self.world, i))
            .collect()
    }

    /// The nodes one edge away from `n` in the search's direction.
    fn next(&self, n: usize, out: &mut Vec<usize>) {
        let forward = self.direction == Direction::Forward;
        if let Some(k) = n.checked_sub(self.nodes) {
            let Some((_, range)) = self.accounts.get(k) else {
                return;
            };
            if forward {
                // It may become any principal of the account, and go where a trust
                // admits the account, one of its principals or everyone.
                out.extend(range.clone());
                out.extend(self.admitted.of(k));
                out.extend(self.everyone.iter().copied());
            } else {
                let may = self.may_escalate(range.clone());
                out.extend(range.clone().zip(may).filter(|(_, m)| *m).map(|(i, _)| i));
            }
            return;
        }
        out.extend(self.candidates.of(n));
        let made = self
            .account_of
            .get(n)
            .filter(|k| **k != u32::MAX)
            .map(|k| self.nodes + *k as usize);
        if forward {
            if self.escalates.of(self.world, n) {
                out.extend(made);
            }
        } else {
            // An escalation may become it; one may go where its trust admits.
            out.extend(made);
            let admits = self.admitted.of(n).map(|k| self.nodes + k);
            out.extend(admits);
            if self.everyone.binary_search(&n).is_ok() {
                out.extend((0..self.accounts.len()).map(|k| self.nodes + k));
            }
        }
    }

    /// Every node on a path from `start` (backward: to `start`), by node; with
    /// `within`, on a path through those nodes only. Searched a level at a time, the
    /// nodes of a level in parallel (what a node leads to takes policy reads).
    fn search(&self, start: Vec<usize>, within: Option<&[bool]>) -> Vec<bool> {
        let mut seen = vec![false; self.nodes + self.accounts.len()];
        let mut level = Vec::new();
        let mut visit = |m: usize, level: &mut Vec<usize>| {
            if !super::marked(within, m) {
                return;
            }
            if let Some(slot) = seen.get_mut(m).filter(|x| !**x) {
                *slot = true;
                level.push(m);
            }
        };
        for s in start {
            visit(s, &mut level);
        }
        while !level.is_empty() {
            let next: Vec<usize> = level
                .par_iter()
                .flat_map_iter(|n| {
                    let mut out = Vec::new();
                    self.next(*n, &mut out);
                    out
                })
                .collect();
            level.clear();
            for m in next {
                visit(m, &mut level);
            }
        }
        seen
    }
}

/// Whether each principal may escalate, worked out when first asked (by either
/// direction's search) and kept.
struct Escalates(Flags);

impl Escalates {
    fn new(world: &World) -> Escalates {
        Escalates(Flags::new(world.principals.len()))
    }

    fn of(&self, world: &World, i: usize) -> bool {
        self.0.get(i, || super::escalation::may_escalate(world, i))
    }
}

/// Whether a principal of `account` (with every permission, or its own) may be let in
/// by the resource's owner: it owns the resource (or the owner is unknown), or an
/// Allow of the resource policy may name one of the account's principals. Across
/// accounts both sides must allow: without, no principal of the account has access.
fn account_may(world: &World, t: &Target, account: &str, members: std::ops::Range<usize>) -> bool {
    match t.account_for(Some(account)) {
        Some(owner) if owner != account => {}
        _ => return true,
    }
    let Some(policy) = &t.policy else {
        return false;
    };
    policy
        .statements
        .iter()
        .filter(|st| st.effect != Some(Effect::Deny))
        .any(|st| match &st.principal {
            None => true,
            Some(spec) => members.clone().any(|i| {
                world.principals.get(i).is_some_and(|p| {
                    !crate::eval::principal::naming(spec, &p.caller, p.boundary.is_some(), true)
                        .any()
                        .is_false()
                })
            }),
        })
}

#[cfg(test)]
mod tests;
