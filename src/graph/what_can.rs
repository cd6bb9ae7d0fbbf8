//! `what-can PRINCIPAL`: the roles a principal reaches and, for it and each of them,
//! the actions the evaluator allows: every action an identity Allow names, decided with
//! the principal's denies, permissions boundary and SCPs (never by reading Allows alone).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use rayon::prelude::*;

use super::edges::decide;
use super::query::Answer;
use super::{Graph, Hop};
use crate::catalog::{AccessLevel, ActionInfo};
use crate::eval::ResourcePolicyKind;
use crate::eval::actions::covered_actions;
use crate::eval::compile::ResourcePattern;
use crate::model::Effect;
use crate::policy::context::MapContext;
use crate::policy::variables::{Resolved, substitute};

/// What one principal (the start, or a role it reaches) may do.
#[derive(Debug, Clone)]
pub struct Reach {
    pub principal: String,
    /// The assume-role hops from the start (empty for the start itself).
    pub hops: Vec<Arc<Hop>>,
    /// Service → what the evaluator allows there.
    pub services: BTreeMap<String, ServiceAccess>,
}

/// The actions of one service the principal may perform.
#[derive(Debug, Clone, Default)]
pub struct ServiceAccess {
    pub levels: BTreeSet<AccessLevel>,
    /// Resource patterns the allowed actions are granted on (at most a few).
    pub resources: BTreeSet<String>,
    /// Sorted by name.
    pub actions: Vec<ActionAccess>,
}

impl ServiceAccess {
    /// How many actions are allowed outright and how many only under conditions.
    pub fn counts(&self) -> (usize, usize) {
        let allowed = self
            .actions
            .iter()
            .filter(|a| a.decision == Answer::Allowed)
            .count();
        (allowed, self.actions.len() - allowed)
    }
}

/// One action the evaluator allows (or may allow).
#[derive(Debug, Clone)]
pub struct ActionAccess {
    /// `service:Name`.
    pub action: String,
    pub level: AccessLevel,
    pub decision: Answer,
    /// The resource patterns of the granting statements it is allowed on.
    pub resources: Vec<String>,
}

/// Most resource patterns shown per service.
const RESOURCES_SHOWN: usize = 5;

/// A principal `what-can` reaches: the start, or a principal it reaches.
#[derive(Debug, Clone)]
pub struct Reached {
    pub node: usize,
    pub principal: String,
    /// The hops from the start (empty for the start itself).
    pub hops: Vec<Arc<Hop>>,
}

impl Reached {
    /// What it may do. Made one principal at a time, as it is written: an
    /// administrator of an organization reaches every principal of it, and may do
    /// each of the thousands of actions there are as most of them.
    pub fn reach(&self, graph: &Graph) -> Reach {
        Reach {
            principal: self.principal.clone(),
            hops: self.hops.clone(),
            services: allowed_actions(graph, self.node),
        }
    }
}

/// `what-can PRINCIPAL`: the start and every principal it reaches within
/// `max_hops`, in the order they are reached (what each may do: [`Reached::reach`]).
pub fn what_can(graph: &Graph, start: usize, max_hops: usize) -> Vec<Reached> {
    let mut prev: HashMap<usize, (usize, Arc<Hop>)> = HashMap::new();
    let mut depth = HashMap::from([(start, 0usize)]);
    let mut order = vec![start];
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        let d = depth.get(&n).copied().unwrap_or(0);
        if d >= max_hops {
            continue;
        }
        for e in graph.out_edges(n) {
            if let std::collections::hash_map::Entry::Vacant(v) = depth.entry(e.to()) {
                v.insert(d + 1);
                prev.insert(e.to(), (n, e.hop_once(&graph.world)));
                order.push(e.to());
                queue.push_back(e.to());
            }
        }
    }
    order
        .into_iter()
        .filter_map(|n| {
            let p = graph.world.principals.get(n)?;
            let mut hops = Vec::new();
            let mut cur = n;
            while let Some((from, hop)) = prev.get(&cur) {
                hops.push(hop.clone());
                cur = *from;
            }
            hops.reverse();
            Some(Reached {
                node: n,
                principal: p.id.to_string(),
                hops,
            })
        })
        .collect()
}

/// Every (action, resource pattern) an identity Allow of the principal names, each
/// decided by the evaluator in the principal's own account.
fn allowed_actions(graph: &Graph, who: usize) -> BTreeMap<String, ServiceAccess> {
    let Some(p) = graph.world.principals.get(who) else {
        return BTreeMap::new();
    };
    // Action → (info, resource patterns of the statements that name it).
    let mut candidates: BTreeMap<String, (&'static ActionInfo, BTreeSet<String>)> = BTreeMap::new();
    for pol in &p.identity {
        // An invalid Effect may allow (it is treated in the direction that hides
        // nothing); a Deny never grants.
        for st in pol
            .statements
            .iter()
            .filter(|s| s.effect != Some(Effect::Deny))
        {
            let resources: Vec<String> = match &st.resources {
                Some(r) if !r.negated => r
                    .patterns
                    .iter()
                    .filter_map(|x| representative(x, &p.context))
                    .collect(),
                // NotResource allows everything but what it lists: ask about `*`.
                _ => vec!["*".to_string()],
            };
            for a in covered_actions(st) {
                let entry = candidates
                    .entry(a.full_name())
                    .or_insert_with(|| (a, BTreeSet::new()));
                entry.1.extend(resources.iter().cloned());
            }
        }
    }
    let account = p.account.as_deref();
    let decided: Vec<(String, ActionAccess)> = candidates
        .into_par_iter()
        .filter_map(|(name, (info, resources))| {
            let mut best = Answer::Denied;
            let mut on = Vec::new();
            for r in &resources {
                // The question is what the principal's own policies allow: the
                // resource is taken to be in its account (another account's resource
                // also needs that account's resource policy).
                let ev = decide(
                    &graph.world,
                    who,
                    &name,
                    r,
                    None,
                    ResourcePolicyKind::Ordinary,
                    account,
                );
                let answer = Answer::of(ev.decision);
                if answer != Answer::Denied {
                    on.push(r.clone());
                    best = better(best, answer);
                }
            }
            (best != Answer::Denied).then(|| {
                (
                    info.service.clone(),
                    ActionAccess {
                        action: name,
                        level: info.access_level,
                        decision: best,
                        resources: on,
                    },
                )
            })
        })
        .collect();
    let mut out: BTreeMap<String, ServiceAccess> = BTreeMap::new();
    for (service, a) in decided {
        let entry = out.entry(service).or_default();
        entry.levels.insert(a.level);
        for r in &a.resources {
            if entry.resources.len() < RESOURCES_SHOWN {
                entry.resources.insert(r.clone());
            }
        }
        entry.actions.push(a);
    }
    for s in out.values_mut() {
        s.actions.sort_by(|a, b| a.action.cmp(&b.action));
    }
    out
}

/// The resource a Resource pattern is asked about: the pattern itself, with the
/// principal's policy variables filled in (`${aws:username}`); `None` when a variable
/// cannot be resolved, so the pattern matches nothing (§5.3).
fn representative(p: &ResourcePattern, ctx: &MapContext) -> Option<String> {
    let variables = match p {
        ResourcePattern::Template(_) => true,
        ResourcePattern::Arn(a) => a.has_variables(),
        _ => false,
    };
    if !variables {
        return Some(p.as_str().to_string());
    }
    match substitute(p.as_str(), ctx) {
        Resolved::Text(t) => Some(t.into_owned()),
        Resolved::Unresolvable => None,
        Resolved::Unknown => Some(p.as_str().to_string()),
    }
}

fn better(a: Answer, b: Answer) -> Answer {
    match (a, b) {
        (Answer::Allowed, _) | (_, Answer::Allowed) => Answer::Allowed,
        (Answer::Conditional, _) | (_, Answer::Conditional) => Answer::Conditional,
        _ => Answer::Denied,
    }
}
