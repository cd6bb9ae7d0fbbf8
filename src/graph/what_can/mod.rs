//! `what-can PRINCIPAL`: the roles a principal reaches and, for it and each of them,
//! the actions the evaluator allows: every action an identity Allow names, decided with
//! the principal's denies, permissions boundary and SCPs (never by reading Allows alone).

mod allowed;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use rayon::prelude::*;

use super::query::Answer;
use super::{Graph, Hop};
use crate::catalog::AccessLevel;

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
    pub action: &'static str,
    pub level: AccessLevel,
    pub decision: Answer,
    /// The resource patterns of the granting statements it is allowed on (shared by
    /// the actions decided together).
    pub resources: Arc<[String]>,
}

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
            services: allowed::allowed_actions(graph, self.node),
        }
    }
}

/// How many reached principals' actions are worked out at a time, in parallel.
const AT_ONCE: usize = 16;

/// What each of `reached` may do ([`Reached::reach`]), in order: worked out in
/// parallel a few at a time, and only those few held at once (an administrator's is
/// twenty thousand actions).
pub fn reaches<'a>(
    graph: &'a Graph,
    reached: &'a [Reached],
) -> impl Iterator<Item = Reach> + Clone + 'a {
    reached
        .chunks(AT_ONCE)
        .flat_map(move |c| c.par_iter().map(|r| r.reach(graph)).collect::<Vec<_>>())
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

#[cfg(test)]
mod tests;
