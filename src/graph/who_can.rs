//! `who-can`: every principal that can perform an action on a resource, directly or
//! through role chains (a reverse breadth-first search from those with access).

use std::collections::VecDeque;
use std::sync::Arc;

use rayon::prelude::*;

use super::input::{QueryError, check_action, check_resource};
use super::query::{Answer, access_decision, hop_kind};
use super::resources::{Target, target};
use super::world::{NodeKind, World};
use super::{Graph, Hop, HopKind, grants_of};
use crate::eval::Decision;
use crate::eval::service_mask::ServiceMask;
use crate::model::{Effect, Model};
use crate::policy::arn::Arn;

/// The first step of a principal's path in the reverse search.
#[derive(Clone)]
enum Step<'g> {
    /// The role asked about (its path is empty).
    Arrived,
    /// The principal has access itself: the last hop.
    Access(Arc<Hop>),
    /// Along an edge, then the next node's path.
    Edge(&'g super::Edge, usize),
}

/// One principal that can (or may) perform the action on the resource.
#[derive(Debug, Clone)]
pub struct WhoEntry {
    pub principal: String,
    pub kind: NodeKind,
    pub decision: Answer,
    pub hops: Vec<Arc<Hop>>,
}

#[derive(Debug, Clone)]
pub struct WhoResult {
    pub action: String,
    pub resource: String,
    pub principals: Vec<WhoEntry>,
    pub notes: Vec<String>,
}

/// A cheap check before the full evaluation: a user or role can have access only if
/// one of its identity Allow statements names the action and may name the resource
/// (`arn`: the resource parsed), or, in the resource's own account, the resource
/// policy names the action and the caller.
/// (`service` is the action's [`ServiceMask`]: most statements are ruled out by it.)
pub(super) fn may_access(
    world: &World,
    t: &Target,
    arn: Option<&Arn>,
    i: usize,
    action: &str,
    service: ServiceMask,
) -> bool {
    let Some(p) = world.principals.get(i) else {
        return false;
    };
    if !matches!(p.kind, NodeKind::User | NodeKind::Role) {
        return true;
    }
    if p.identity.iter().any(|pol| {
        pol.statements.iter().any(|st| {
            st.allows_action(action, service)
                && !st
                    .names_resource(pol.kind, &t.arn, arn, &p.context)
                    .is_false()
        })
    }) {
        return true;
    }
    // Without an identity Allow only a resource policy of the caller's own account can
    // grant (across accounts both sides must allow, as the evaluator decides it).
    let same_account =
        p.caller.account().is_some() && p.caller.account() == t.account_for(p.account.as_deref());
    if !same_account {
        return false;
    }
    let has_boundary = p.boundary.is_some();
    t.policy.as_ref().is_some_and(|rp| {
        rp.statements
            .iter()
            .filter(|st| st.allows_action(action, service))
            .any(|st| {
                st.principal.as_ref().is_some_and(|spec| {
                    !crate::eval::principal::naming(spec, &p.caller, has_boundary, true)
                        .any()
                        .is_false()
                })
            })
    })
}

/// `who-can ACTION RESOURCE`.
pub fn who_can(
    graph: &mut Graph,
    model: &Model,
    action: &str,
    resource: &str,
) -> Result<WhoResult, QueryError> {
    who_can_with(graph, model, action, resource, true)
}

/// [`who_can`], with or without the cheap check that skips the evaluation of
/// principals that cannot have access (tests compare both: the check may only make
/// the query faster, never change its answer).
pub fn who_can_with(
    graph: &mut Graph,
    model: &Model,
    action: &str,
    resource: &str,
    prefilter: bool,
) -> Result<WhoResult, QueryError> {
    check_action(action)?;
    check_resource(action, resource)?;
    // Principals the resource policy names, loaded or not, must be nodes too.
    let pre = target(model, &graph.world, resource, action);
    if let Some(p) = &pre.policy {
        let fixed = graph.fixed.clone();
        let named: Vec<(crate::model::PrincipalKind, String)> = p
            .statements
            .iter()
            .filter(|s| s.effect == Some(Effect::Allow))
            .filter_map(|s| s.principal.as_ref())
            .flat_map(|p| {
                p.entries
                    .iter()
                    .map(|e| (e.kind.clone(), e.value.value.clone()))
            })
            .collect();
        // An account or principal a condition names is a caller too: `Principal "*"`
        // with `aws:PrincipalAccount` (or `aws:PrincipalArn`) grants exactly them.
        let conditioned: Vec<(crate::model::PrincipalKind, String)> = p
            .statements
            .iter()
            .filter(|s| s.effect == Some(Effect::Allow))
            .flat_map(|s| &s.conditions)
            .filter(|c| matches!(c.key_lower(), "aws:principalaccount" | "aws:principalarn"))
            .flat_map(|c| c.values())
            .filter_map(|v| v.as_text().map(|t| t.to_string()))
            .filter_map(|v| {
                if !v.contains(['*', '?']) {
                    return Some(v);
                }
                // A pattern: its account, when that is fixed.
                Arn::parse(&v)
                    .map(|a| a.account.to_string())
                    .filter(|a| crate::model::is_account_id(a))
            })
            .map(|v| (crate::model::PrincipalKind::Aws, v))
            .collect();
        for (kind, value) in named.into_iter().chain(conditioned) {
            add_named(graph, &kind, &value, &fixed);
        }
    }
    graph.sort_by_name();
    let graph: &Graph = graph;
    let t = target(model, &graph.world, resource, action);
    let w = &graph.world;
    let service = ServiceMask::of_action(action);
    let arn = Arn::parse(&t.arn);
    let to: Arc<str> = t.arn.as_str().into();
    // Each principal with access, its answer and its last hop.
    let direct: Vec<(usize, Answer, Arc<Hop>)> = (0..w.principals.len())
        .into_par_iter()
        .filter(|i| graph.may_reach_target(*i))
        .filter(|i| !prefilter || may_access(w, &t, arn.as_ref(), *i, action, service))
        .filter_map(|i| {
            let ev = access_decision(graph, &t, i, action);
            if !matches!(ev.decision, Decision::Allowed | Decision::Conditional) {
                return None;
            }
            let hop = Hop {
                from: w.principals.get(i)?.id.clone(),
                to: to.clone(),
                action: action.to_string().into(),
                kind: hop_kind(&t),
                decision: ev.decision,
                grants: grants_of(&ev),
                conditions: ev.conditions,
                technique: None,
            };
            Some((i, Answer::of(ev.decision), Arc::new(hop)))
        })
        .collect();
    // Reverse breadth first from every principal with access: per node, the answer
    // and the first step of the shortest path found (the rest is the next node's).
    let mut best: Vec<Option<(Answer, Step)>> = vec![None; w.principals.len()];
    let mut queue = VecDeque::new();
    // Asking about assuming a role: whoever becomes the role by an escalation can
    // assume it too (the role itself is not listed).
    let role_node = match t.kind {
        crate::eval::ResourcePolicyKind::RoleTrust => w.by_id.get(t.arn.as_str()).copied(),
        _ => None,
    };
    if let Some(slot) = role_node.and_then(|r| best.get_mut(r)) {
        *slot = Some((Answer::Allowed, Step::Arrived));
        queue.extend(role_node);
    }
    for (i, answer, hop) in &direct {
        if let Some(slot) = best.get_mut(*i) {
            *slot = Some((*answer, Step::Access(hop.clone())));
            queue.push_back(*i);
        }
    }
    // Which nodes have an answer, in a list small enough to stay in the cache: most
    // edges lead from a node already seen.
    let mut seen: Vec<bool> = best.iter().map(Option::is_some).collect();
    while let Some(node) = queue.pop_front() {
        let Some(answer) = best.get(node).and_then(|b| b.as_ref()).map(|(a, _)| *a) else {
            continue;
        };
        for (from, e) in graph.in_edges_from(node) {
            if from == node || seen.get(from).is_none_or(|s| *s) {
                continue;
            }
            // Into the role itself only escalations count (its assume-role edges are
            // the direct answers already), and not an administrator's own power to
            // rewrite any trust policy.
            if Some(node) == role_node
                && (e.kind != HopKind::Escalation
                    || w.principals
                        .get(e.from())
                        .is_some_and(|p| p.kind == NodeKind::Administrator))
            {
                continue;
            }
            let a = if answer == Answer::Allowed && e.decision == Decision::Allowed {
                Answer::Allowed
            } else {
                Answer::Conditional
            };
            if let (Some(slot), Some(s)) = (best.get_mut(from), seen.get_mut(from)) {
                *slot = Some((a, Step::Edge(e, node)));
                *s = true;
                queue.push_back(from);
            }
        }
    }
    // The hops of the edges the paths take, made in parallel (an assume-role edge
    // makes its hop when first asked).
    best.par_iter().for_each(|b| {
        if let Some((_, Step::Edge(e, _))) = b {
            e.hop(w);
        }
    });
    let path = |mut at: usize| -> Vec<Arc<Hop>> {
        let mut hops = Vec::new();
        while let Some((_, step)) = best.get(at).and_then(Option::as_ref) {
            match step {
                Step::Arrived => break,
                Step::Access(hop) => {
                    hops.push(hop.clone());
                    break;
                }
                Step::Edge(e, next) => {
                    hops.push(e.hop(w).clone());
                    at = *next;
                }
            }
        }
        hops
    };
    // Listed by the number of hops, then by ID: the nodes with an answer in the order
    // of their IDs, their entries made in parallel, then a stable sort by hops.
    let listed: Vec<usize> = graph
        .by_name()
        .iter()
        .copied()
        .filter(|i| {
            best.get(*i).is_some_and(Option::is_some)
                // Nodes iampath makes up (an administrator of the account, a changed
                // principal) are steps of paths, not principals to list; nor is the
                // role asked about.
                && Some(*i) != role_node
                && w.principals.get(*i).is_some_and(|p| {
                    !matches!(p.kind, NodeKind::Administrator | NodeKind::Escalated)
                })
        })
        .collect();
    let mut principals: Vec<WhoEntry> = listed
        .par_iter()
        .filter_map(|i| {
            let (decision, _) = best.get(*i)?.as_ref()?;
            let p = w.principals.get(*i)?;
            Some(WhoEntry {
                principal: p.id.to_string(),
                kind: p.kind.clone(),
                decision: *decision,
                hops: path(*i),
            })
        })
        .collect();
    principals.sort_by_key(|e| e.hops.len());
    Ok(WhoResult {
        action: action.to_string(),
        resource: resource.to_string(),
        principals,
        notes: t.notes,
    })
}

fn add_named(
    graph: &mut Graph,
    kind: &crate::model::PrincipalKind,
    value: &str,
    fixed: &[(String, String)],
) {
    use crate::model::PrincipalKind as K;
    let w = &mut graph.world;
    let _ = match kind {
        K::Aws if value != "*" => {
            let account = if crate::model::is_account_id(value) {
                Some(value.to_string())
            } else {
                Arn::parse(value)
                    .filter(|a| a.resource == "root")
                    .map(|a| a.account.to_string())
            };
            match account {
                Some(a) if !w.loaded_accounts.contains(&a) => {
                    w.outside(NodeKind::ExternalAccount, &a, fixed)
                }
                Some(_) => None,
                None if w.by_id.contains_key(value) => None,
                None => match Arn::parse(value) {
                    Some(a) if !w.loaded_accounts.contains(a.account) => {
                        w.outside(NodeKind::ExternalPrincipal, value, fixed)
                    }
                    _ => None,
                },
            }
        }
        K::Service => w.outside(NodeKind::Service, value, fixed),
        K::Federated => w.outside(NodeKind::Federated, value, fixed),
        _ => None,
    };
}
