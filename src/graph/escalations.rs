//! `escalations`: every principal that is not an administrator but can become one (or
//! reach a given principal), each with its shortest path over assume-role and
//! escalation edges.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::query::Answer;
use super::world::NodeKind;
use super::{Graph, Hop, HopKind};
use crate::eval::Decision;
use crate::policy::context::Tri;

/// What the search is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Any administrator (iampath's definition: see `eval::admin`).
    Admin,
    /// One principal (its node: see `query::resolve`).
    Principal(usize),
}

/// One principal that can escalate, with its shortest path.
#[derive(Debug, Clone)]
pub struct Escalation {
    pub principal: String,
    pub kind: NodeKind,
    pub account: Option<String>,
    pub decision: Answer,
    /// `admin`, or the ARN asked about.
    pub target: String,
    /// The node reached (an administrator's ARN, `administrator@ACCOUNT` …).
    pub reached: String,
    pub hops: Vec<Arc<Hop>>,
}

impl Escalation {
    /// True when a hop of the path is an escalation technique (not only roles assumed).
    pub fn uses_a_technique(&self) -> bool {
        self.hops.iter().any(|h| h.kind == HopKind::Escalation)
    }
}

/// `escalations [--to admin|ARN]`.
pub fn escalations(graph: &Graph, to: &Target) -> Vec<Escalation> {
    let target_label = match to {
        Target::Admin => "admin".to_string(),
        Target::Principal(i) => graph
            .world
            .principals
            .get(*i)
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
    };
    // The nodes the paths end at, and how surely each is what is asked for.
    let targets: Vec<(usize, Tri)> = match to {
        Target::Admin => graph
            .world
            .principals
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.kind == NodeKind::Administrator
                    || (matches!(
                        p.kind,
                        NodeKind::User | NodeKind::Role | NodeKind::Escalated
                    ) && p.admin != Tri::False)
            })
            .map(|(i, p)| (i, p.admin))
            .collect(),
        Target::Principal(i) => vec![(*i, Tri::True)],
    };
    // Reverse breadth first from every target: the shortest path of each source.
    let mut best: HashMap<usize, (usize, Vec<Arc<Hop>>)> = HashMap::new();
    let mut queue = VecDeque::new();
    for (t, _) in &targets {
        best.insert(*t, (*t, Vec::new()));
        queue.push_back(*t);
    }
    while let Some(node) = queue.pop_front() {
        let Some((reached, tail)) = best.get(&node).cloned() else {
            continue;
        };
        for e in graph.in_edges(node) {
            if best.contains_key(&e.from()) {
                continue;
            }
            let mut path = vec![e.hop(&graph.world).clone()];
            path.extend(tail.iter().cloned());
            best.insert(e.from(), (reached, path));
            queue.push_back(e.from());
        }
    }
    let certainty: HashMap<usize, Tri> = targets.into_iter().collect();
    let w = &graph.world;
    let mut out: Vec<Escalation> = best
        .into_iter()
        .filter(|(_, (_, hops))| !hops.is_empty())
        .filter_map(|(i, (reached, hops))| {
            let p = w.principals.get(i)?;
            // Sources are the loaded users and roles that are not administrators
            // already (a conditional administrator may still escalate for sure).
            let source = p.kind.is_loaded() && (to != &Target::Admin || p.admin != Tri::True);
            if !source {
                return None;
            }
            let sure = certainty.get(&reached).copied().unwrap_or(Tri::False);
            let decision =
                if sure == Tri::True && hops.iter().all(|h| h.decision == Decision::Allowed) {
                    Answer::Allowed
                } else {
                    Answer::Conditional
                };
            Some(Escalation {
                principal: p.id.to_string(),
                kind: p.kind.clone(),
                account: p.account.clone(),
                decision,
                target: target_label.clone(),
                reached: w.principals.get(reached).map(|r| r.id.to_string())?,
                hops,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.account, a.hops.len(), &a.principal).cmp(&(&b.account, b.hops.len(), &b.principal))
    });
    out
}
