//! Administrator nodes: every administrator reaches its account's node (`X-00`), and
//! the node takes over each principal of the account its SCPs and RCPs allow, and
//! assumes the roles of other accounts that trust its account.

use super::*;

/// The administrator node of every account that has administrators or that an
/// escalation reaches: an administrator (`X-00`) and the node may act as any principal
/// of the account (it can take over each one, as its SCPs allow).
pub(super) fn administrators(
    world: &mut World,
    model: &Model,
    lookup: &Lookup,
    assumable: Assumable,
    edges: &mut Vec<Edge>,
    fixed: &Fixed,
    sources: Option<&[bool]>,
) {
    let Some(already) = technique("X-00") else {
        return;
    };
    let real: Vec<(usize, String)> = world
        .principals
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            p.kind.is_loaded() && p.admin == Tri::True && crate::graph::marked(sources, *i)
        })
        .filter_map(|(i, p)| Some((i, p.account.clone()?)))
        .collect();
    // The statements that make each one an administrator: those allowing an action
    // and a resource no narrower pattern than `*` matches.
    let w: &World = world;
    let grants: Vec<Vec<Grant>> = real
        .par_iter()
        .map(|(i, account)| {
            let ev = crate::graph::edges::decide(
                w,
                *i,
                "iampath:AnyAction",
                &format!("arn:aws:iampath::{account}:any-resource"),
                None,
                ResourcePolicyKind::Ordinary,
                Some(account),
            );
            grants_of(&ev)
        })
        .collect();
    let mut sinks: Vec<usize> = Vec::new();
    for ((i, account), grants) in real.iter().zip(grants) {
        let sink = world.administrator(account, fixed);
        if !sinks.contains(&sink) {
            sinks.push(sink);
        }
        let (Some(from), Some(to)) = (
            world.principals.get(*i).map(|p| p.id.clone()),
            world.principals.get(sink).map(|p| p.id.clone()),
        ) else {
            continue;
        };
        edges.push(Edge::new(
            *i,
            sink,
            Arc::new(Hop {
                from,
                to,
                action: "*".into(),
                kind: HopKind::Escalation,
                decision: Decision::Allowed,
                grants,
                conditions: Vec::new(),
                technique: Some(already),
            }),
        ));
    }
    for (i, p) in world.principals.iter().enumerate() {
        if p.kind == NodeKind::Administrator && !sinks.contains(&i) {
            sinks.push(i);
        }
    }
    // Without SCPs or RCPs an administrator's `Allow *` allows every technique: the
    // edges need no evaluation.
    let (free, governed): (Vec<usize>, Vec<usize>) = sinks.iter().partition(|s| {
        world
            .principals
            .get(**s)
            .and_then(|p| p.account.as_deref())
            .is_some_and(|a| {
                world
                    .org
                    .levels(a, OrgPolicyType::ServiceControl)
                    .is_empty()
                    && world
                        .org
                        .levels(a, OrgPolicyType::ResourceControl)
                        .is_empty()
            })
    });
    let found: Vec<Found> = {
        let cx = Cx::new(world, model, lookup, &assumable, false, &governed);
        governed
            .par_iter()
            .flat_map_iter(|s| iam::other_attempts(&cx, *s))
            .filter_map(|a| evaluate(&cx, a))
            .collect()
    };
    // Not asked again: dropped before the takeovers are made.
    drop(assumable);
    // The takeovers of the nodes under no SCP or RCP (an account's worth of edges
    // each, a million in an organization) become edges a few nodes at a time, without
    // a list of all of them first; listed by node as [`best_per_gain`] lists the rest.
    let w: &World = world;
    let mut free = free;
    free.sort_unstable();
    let governed = become_edges(w, best_per_gain(found));
    let most: usize = free
        .par_iter()
        .map(|s| unchecked_takeovers(w, *s).count())
        .sum();
    edges.reserve_exact(governed.len() + most);
    let mut governed = governed.into_iter().peekable();
    for chunk in free.chunks(SINKS_AT_ONCE) {
        let made: Vec<Vec<Edge>> = chunk
            .par_iter()
            .map(|s| become_edges(w, best_of_one(unchecked_takeovers(w, *s).collect())))
            .collect();
        for (s, list) in chunk.iter().zip(made) {
            while let Some(e) = governed.next_if(|e| e.from() < *s) {
                edges.push(e);
            }
            edges.extend(list);
        }
    }
    edges.extend(governed);
    // Then the roles of other accounts each may assume, node after node.
    sinks.sort_unstable();
    let assumed: Vec<Edge> = sinks
        .par_iter()
        .flat_map_iter(|s| crate::graph::edges::administrator_edges(w, *s))
        .collect();
    edges.extend(assumed);
}

/// How many administrator nodes have their takeovers made at a time.
const SINKS_AT_ONCE: usize = 64;

/// The edges of what was found that makes its caller another principal, in order.
fn become_edges(world: &World, found: Vec<Found>) -> Vec<Edge> {
    found
        .into_iter()
        .filter_map(|f| match f.gain {
            Gain::Become(to) => f.into_edge(world, to),
            _ => None,
        })
        .collect()
}

/// What an administrator node under no SCP or RCP can do: become every user (a new
/// access key, iam-003) and role (a trust naming itself, iam-012) of its account.
/// An account has as many of these edges as principals: each edge makes its hop when
/// first asked ([`takeover_hop`]), as an assume-role edge does.
pub(super) fn unchecked_takeovers(world: &World, sink: usize) -> impl Iterator<Item = Found> + '_ {
    let account = world
        .principals
        .get(sink)
        .and_then(|p| p.account.as_deref())
        .unwrap_or_default();
    world.of_account(account).filter_map(move |t| {
        let (id, _, joined) = takeover_of(world.principals.get(t)?)?;
        Some(Found {
            from: sink,
            technique: technique(id)?,
            gain: Gain::Become(t),
            decision: Decision::Allowed,
            action: std::borrow::Cow::Borrowed(joined),
            grants: Vec::new(),
            conditions: Vec::new(),
            takeover: true,
        })
    })
}

/// The technique an administrator takes a principal over with, its permissions and
/// those joined as a hop's action; `None` for one it does not take over.
fn takeover_of(
    target: &Principal,
) -> Option<(&'static str, &'static [&'static str], &'static str)> {
    match target.kind {
        NodeKind::User => Some((
            "iam-003",
            &["iam:CreateAccessKey", "iam:DeleteAccessKey"],
            "iam:CreateAccessKey + iam:DeleteAccessKey",
        )),
        NodeKind::Role if !target.service_linked => Some((
            "iam-012",
            &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
            "iam:UpdateAssumeRolePolicy + sts:AssumeRole",
        )),
        _ => None,
    }
}

/// The hop of an administrator node's takeover of `target` (see
/// [`unchecked_takeovers`]): its permissions granted by the node's `Allow *`.
pub(crate) fn takeover_hop(world: &World, sink: usize, target: usize) -> Arc<Hop> {
    let id = |i: usize| {
        world
            .principals
            .get(i)
            .map(|p| p.id.clone())
            .unwrap_or_default()
    };
    let policy = world
        .principals
        .get(sink)
        .and_then(|p| p.identity.first())
        .map_or_else(|| Arc::from(""), |x| x.label.clone());
    let made = world.principals.get(target).and_then(|p| takeover_of(p));
    let grants = made.map_or_else(Vec::new, |(_, actions, _)| {
        actions
            .iter()
            .map(|action| Grant {
                source: crate::graph::GrantSource::Identity,
                permission: Some(*action),
                policy: policy.clone(),
                statement: Some(crate::eval::StatementRef {
                    index: 0,
                    sid: None,
                }),
                span: None,
            })
            .collect()
    });
    Arc::new(Hop {
        from: id(sink),
        to: id(target),
        action: made.map_or("", |(_, _, joined)| joined).into(),
        kind: HopKind::Escalation,
        decision: Decision::Allowed,
        grants,
        conditions: Vec::new(),
        technique: made.and_then(|(t, _, _)| technique(t)),
    })
}
