//! `can` and `who-can`: direct access, access through chains of roles (breadth first,
//! shortest first), and why not.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use rayon::prelude::*;

use super::edges::{assume_action, decide, hop_of};
use super::input::{QueryError, check_action, check_resource};
use super::resources::{Target, target};
use super::world::{NodeKind, World};
use super::{Edge, Graph, Hop, HopKind};
use crate::eval::{Caller, Decision, Evaluation, Verdict};
use crate::model::{Effect, Model};
use crate::policy::arn::Arn;

/// Limits of the path search.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_hops: usize,
    pub max_paths: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_hops: 5,
            max_paths: 10,
        }
    }
}

/// The overall answer of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Allowed,
    Conditional,
    Denied,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Allowed => "allowed",
            Answer::Conditional => "conditional",
            Answer::Denied => "denied",
        }
    }

    pub fn of(d: Decision) -> Answer {
        match d {
            Decision::Allowed => Answer::Allowed,
            Decision::Conditional => Answer::Conditional,
            _ => Answer::Denied,
        }
    }
}

/// A way in: hops from the principal to the resource.
#[derive(Debug, Clone)]
pub struct Path {
    pub decision: Answer,
    pub hops: Vec<Arc<Hop>>,
}

/// One reason a path does not exist.
#[derive(Debug, Clone)]
pub struct Miss {
    pub text: String,
    pub span: Option<crate::model::Span>,
}

#[derive(Debug, Clone)]
pub struct CanResult {
    pub decision: Answer,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub paths: Vec<Path>,
    /// When denied: the closest misses, each with the place it is about when known.
    pub why_not: Vec<Miss>,
    pub notes: Vec<String>,
}

/// The node of a principal given on the command line that the world holds already
/// (by its ID, or a user or role ARN written without its path); `None` for one
/// [`resolve`] would make (a named role session) or refuse.
pub fn find(w: &World, principal: &str) -> Option<usize> {
    if let Some(i) = w.by_id.get(principal) {
        return Some(*i);
    }
    let caller = crate::eval::Caller::parse(principal).ok()?;
    find_pathless(w, principal, &caller)
}

/// A user or role ARN written without its path still names it.
fn find_pathless(w: &World, principal: &str, caller: &Caller) -> Option<usize> {
    let (
        Some(a),
        Caller::User { .. }
        | Caller::RoleSession {
            session_arn: None, ..
        },
    ) = (Arn::parse(principal), caller)
    else {
        return None;
    };
    let kind = if matches!(caller, Caller::User { .. }) {
        NodeKind::User
    } else {
        NodeKind::Role
    };
    w.principals.iter().position(|p| {
        p.kind == kind
            && p.account.as_deref() == Some(a.account)
            && Arn::parse(&p.id).is_some_and(|x| x.resource_name() == a.resource_name())
    })
}

/// Finds the graph node of a principal given on the command line.
pub fn resolve(graph: &mut Graph, principal: &str) -> Result<usize, QueryError> {
    let w = &graph.world;
    if let Some(i) = w.by_id.get(principal) {
        return Ok(*i);
    }
    let caller = crate::eval::Caller::parse(principal)?;
    if let Some(i) = find_pathless(w, principal, &caller) {
        return Ok(i);
    }
    // A named session of a loaded role: the role's policies, with its session ARN
    // (trust and resource policies may name the session, §2.8).
    if let Caller::RoleSession {
        session_arn: Some(session),
        role_name,
        account,
        ..
    } = &caller
    {
        let not_loaded = || QueryError::PrincipalNotLoaded {
            principal: principal.to_string(),
        };
        let role = w.role_named(account, role_name).ok_or_else(not_loaded)?;
        let mut p = w
            .principals
            .get(role)
            .map(|p| (**p).clone())
            .ok_or_else(not_loaded)?;
        if let Caller::RoleSession { session_arn, .. } = &mut p.caller {
            *session_arn = Some(session.clone());
        }
        let id: Arc<str> = session.as_str().into();
        p.id = id.clone();
        let i = graph.add_principal(p);
        // A session can do what its role can: the role's escalations are its own.
        let escalations: Vec<Edge> = graph
            .out_edges(role)
            .filter(|e| e.kind == HopKind::Escalation)
            .map(|e| {
                let hop = Hop {
                    from: id.clone(),
                    ..(**e.hop(&graph.world)).clone()
                };
                Edge::new(i, e.to(), Arc::new(hop))
            })
            .collect();
        for e in escalations {
            graph.push_edge(e);
        }
        return Ok(i);
    }
    let not_loaded = || QueryError::PrincipalNotLoaded {
        principal: principal.to_string(),
    };
    match caller {
        Caller::RoleSession {
            role_name, account, ..
        } => w.role_named(&account, &role_name).ok_or_else(not_loaded),
        Caller::Anonymous => w.by_id.get("*").copied().ok_or_else(not_loaded),
        Caller::Service(s) => graph
            .world
            .outside(NodeKind::Service, &s, &graph.fixed)
            .ok_or_else(not_loaded),
        Caller::Federated(s) => graph
            .world
            .outside(NodeKind::Federated, &s, &graph.fixed)
            .ok_or_else(not_loaded),
        _ => Err(not_loaded()),
    }
}

/// Asking whether one may assume a role is an assume-role hop; anything else is access.
pub(super) fn hop_kind(t: &Target) -> HopKind {
    match t.kind {
        crate::eval::ResourcePolicyKind::RoleTrust => HopKind::AssumeRole,
        _ => HopKind::Access,
    }
}

/// The decision on one principal's final access to the target.
pub(super) fn access_decision(graph: &Graph, t: &Target, who: usize, action: &str) -> Evaluation {
    let caller_account = graph
        .world
        .principals
        .get(who)
        .and_then(|p| p.account.as_deref());
    decide(
        &graph.world,
        who,
        action,
        &t.arn,
        t.policy.as_ref(),
        t.kind,
        t.account_for(caller_account),
    )
}

/// The final access of one principal to the target, and its hop.
pub(super) fn access(
    graph: &Graph,
    t: &Target,
    who: usize,
    action: &str,
) -> (Evaluation, Option<Arc<Hop>>) {
    let ev = access_decision(graph, t, who, action);
    let id = graph
        .world
        .principals
        .get(who)
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let hop = hop_of(
        id,
        t.arn.as_str().into(),
        action.to_string(),
        hop_kind(t),
        &ev,
    );
    (ev, hop)
}

/// `can PRINCIPAL ACTION RESOURCE`.
pub fn can(
    graph: &mut Graph,
    model: &Model,
    principal: &str,
    action: &str,
    resource: &str,
    limits: Limits,
) -> Result<CanResult, QueryError> {
    check_action(action)?;
    check_resource(action, resource)?;
    let start = resolve(graph, principal)?;
    let graph: &Graph = graph;
    let t = target(model, &graph.world, resource, action);
    // Breadth first over assume-role edges: the shortest chain to each principal.
    let mut prev: HashMap<usize, Option<usize>> = HashMap::from([(start, None)]);
    let mut depth: HashMap<usize, usize> = HashMap::from([(start, 0)]);
    let mut queue = VecDeque::from([start]);
    let mut paths = Vec::new();
    let mut direct_eval = None;
    // Asking about assuming a role: a principal that becomes the role by an escalation
    // (passing it to a service, rewriting its trust, …) can act as it too. An
    // administrator's own power to rewrite any trust policy is not counted, as its
    // power to rewrite any resource policy is not: `escalations` reports who is one.
    let role_node = match t.kind {
        crate::eval::ResourcePolicyKind::RoleTrust => {
            graph.world.by_id.get(t.arn.as_str()).copied()
        }
        _ => None,
    };
    while let Some(node) = queue.pop_front() {
        if Some(node) == role_node && node != start && paths.len() < limits.max_paths {
            let hops = chain(graph, &prev, node);
            let from_admin = prev.get(&node).copied().flatten().is_some_and(|p| {
                graph
                    .world
                    .principals
                    .get(p)
                    .is_some_and(|p| p.kind == NodeKind::Administrator)
            });
            if !from_admin && hops.last().is_some_and(|h| h.kind == HopKind::Escalation) {
                let decision = if hops.iter().all(|h| h.decision == Decision::Allowed) {
                    Answer::Allowed
                } else {
                    Answer::Conditional
                };
                paths.push(Path { decision, hops });
            }
        }
        let (ev, hop) = access(graph, &t, node, action);
        if node == start {
            direct_eval = Some(ev);
        }
        if let Some(last) = hop {
            if paths.len() < limits.max_paths {
                let mut hops = chain(graph, &prev, node);
                hops.push(last);
                let decision = if hops.iter().all(|h| h.decision == Decision::Allowed) {
                    Answer::Allowed
                } else {
                    Answer::Conditional
                };
                paths.push(Path { decision, hops });
            }
        }
        let d = depth.get(&node).copied().unwrap_or(0);
        if d >= limits.max_hops {
            continue;
        }
        for e in graph.out_edges(node) {
            if let std::collections::hash_map::Entry::Vacant(v) = prev.entry(e.to()) {
                v.insert(Some(node));
                depth.insert(e.to(), d + 1);
                queue.push_back(e.to());
            }
        }
    }
    // A path that needs no escalation answers the question; the same access reached
    // again by first becoming someone else (an administrator reaches everyone of its
    // account) is noise beside it.
    let escalates = |p: &Path| p.hops.iter().any(|h| h.kind == HopKind::Escalation);
    if paths
        .iter()
        .any(|p| p.decision == Answer::Allowed && !escalates(p))
    {
        paths.retain(|p| !escalates(p));
    }
    paths.sort_by_key(|p| (p.decision != Answer::Allowed, p.hops.len()));
    let decision = if paths.iter().any(|p| p.decision == Answer::Allowed) {
        Answer::Allowed
    } else if paths.is_empty() {
        Answer::Denied
    } else {
        Answer::Conditional
    };
    let why_not = if decision == Answer::Denied {
        why_not(graph, &t, start, action, direct_eval.as_ref())
    } else {
        Vec::new()
    };
    Ok(CanResult {
        decision,
        principal: graph
            .world
            .principals
            .get(start)
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
        action: action.to_string(),
        resource: resource.to_string(),
        paths,
        why_not,
        notes: t.notes.clone(),
    })
}

/// The assume-role hops that lead from the start to `node`.
fn chain(graph: &Graph, prev: &HashMap<usize, Option<usize>>, node: usize) -> Vec<Arc<Hop>> {
    let mut hops = Vec::new();
    let mut cur = node;
    while let Some(Some(p)) = prev.get(&cur) {
        if let Some(e) = graph.out_edges(*p).find(|e| e.to() == cur) {
            hops.push(e.hop(&graph.world).clone());
        }
        cur = *p;
    }
    hops.reverse();
    hops
}

/// The closest miss: the gate that fails for direct access, and for each role that
/// could reach the resource, why the principal cannot assume it.
fn why_not(
    graph: &Graph,
    t: &Target,
    start: usize,
    action: &str,
    direct: Option<&Evaluation>,
) -> Vec<Miss> {
    let w = &graph.world;
    let caller = w
        .principals
        .get(start)
        .map(|p| p.caller.display())
        .unwrap_or_default();
    let mut lines = Vec::new();
    if let Some(ev) = direct {
        let missing: Vec<String> = ev
            .reasons
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Missing | Verdict::Deny))
            .map(|r| r.message(&caller, action, &t.arn))
            .collect();
        if !missing.is_empty() {
            lines.push(Miss {
                text: format!("directly: {}", missing.join("; ")),
                span: None,
            });
        }
    }
    // Roles that have the access themselves (decided in parallel: an organization has
    // hundreds of thousands of roles; the first three in node order are told).
    let roles: Vec<usize> = (0..w.principals.len())
        .into_par_iter()
        .filter(|i| {
            *i != start
                && w.principals
                    .get(*i)
                    .is_some_and(|p| p.kind == NodeKind::Role)
        })
        .filter(|i| {
            matches!(
                access_decision(graph, t, *i, action).decision,
                Decision::Allowed | Decision::Conditional
            )
        })
        .collect();
    for role in roles.iter().take(3) {
        let Some(r) = w.principals.get(*role) else {
            continue;
        };
        let assume = assume_action(
            &w.principals
                .get(start)
                .map_or(crate::eval::Caller::Anonymous, |p| p.caller.clone()),
        );
        let ev = decide(
            w,
            start,
            assume,
            &r.id,
            r.trust.as_deref(),
            crate::eval::ResourcePolicyKind::RoleTrust,
            r.account.as_deref(),
        );
        let why: Vec<String> = ev
            .reasons
            .iter()
            .filter(|x| matches!(x.verdict, Verdict::Missing | Verdict::Deny))
            .map(|x| x.message(&caller, assume, &r.id))
            .collect();
        if !why.is_empty() {
            lines.push(Miss {
                text: format!(
                    "through {} (which has the access): {}",
                    r.id,
                    why.join("; ")
                ),
                span: None,
            });
        }
    }
    lines.extend(dangling_assume_grants(graph, start));
    if lines.is_empty() {
        lines.push(Miss {
            text: format!(
                "no statement of any loaded policy allows {action} on {} for {caller}",
                t.arn
            ),
            span: None,
        });
    }
    lines
}

/// Identity Allows of `sts:AssumeRole` whose Resource names no role that exists or
/// could exist (reference scenario 2: `arn:aws:iam::A:role`).
fn dangling_assume_grants(graph: &Graph, start: usize) -> Vec<Miss> {
    let w = &graph.world;
    let Some(p) = w.principals.get(start) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for pol in &p.identity {
        for st in &pol.statements {
            if st.effect != Some(Effect::Allow)
                || !st
                    .actions
                    .as_ref()
                    .is_some_and(|a| a.matches_action("sts:AssumeRole"))
            {
                continue;
            }
            let Some(res) = st.resources.as_ref().filter(|r| !r.negated) else {
                continue;
            };
            for (i, pat) in res.patterns.iter().enumerate() {
                let text = pat.as_str();
                let names_no_role = Arn::parse(text).is_some_and(|a| {
                    a.service == "iam"
                        && !a.resource.starts_with("role/")
                        && !a.resource.contains('*')
                });
                if names_no_role {
                    out.push(Miss {
                        text: format!(
                            "{} statement {} allows sts:AssumeRole on `{text}`, which names no role (a role ARN is arn:aws:iam::ACCOUNT:role/NAME)",
                            pol.label,
                            crate::eval::StatementRef { index: st.index, sid: st.sid.clone() }.label()
                        ),
                        span: res.spans.get(i).copied(),
                    });
                }
            }
        }
    }
    out
}
