//! Administrator nodes: every administrator reaches its account's node (`X-00`), and
//! the node takes over each principal of the account its SCPs and RCPs allow.

use super::*;

/// The administrator node of every account that has administrators or that an
/// escalation reaches: an administrator (`X-00`) and the node may act as any principal
/// of the account (it can take over each one, as its SCPs allow).
pub(super) fn administrators(
    world: &mut World,
    model: &Model,
    lookup: &Lookup,
    assumable: &HashMap<usize, Vec<usize>>,
    edges: &mut Vec<Edge>,
    fixed: &Fixed,
) {
    let Some(already) = technique("X-00") else {
        return;
    };
    let real: Vec<(usize, String)> = world
        .principals
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind.is_loaded() && p.admin == Tri::True)
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
    let mut found: Vec<Found> = {
        let cx = Cx::new(world, model, lookup, assumable, false, &governed);
        governed
            .par_iter()
            .flat_map_iter(|s| iam::other_attempts(&cx, *s))
            .filter_map(|a| evaluate(&cx, a))
            .collect()
    };
    let w: &World = world;
    found.par_extend(
        free.par_iter()
            .flat_map_iter(|s| unchecked_takeovers(w, *s)),
    );
    for f in best_per_gain(found) {
        let Gain::Become(to) = f.gain else { continue };
        edges.extend(f.into_edge(world, to));
    }
}

/// What an administrator node under no SCP or RCP can do: become every user (a new
/// access key, iam-003) and role (a trust naming itself, iam-012) of its account.
pub(super) fn unchecked_takeovers(world: &World, sink: usize) -> Vec<Found> {
    let Some(p) = world.principals.get(sink) else {
        return Vec::new();
    };
    let account = p.account.as_deref().unwrap_or_default();
    let grant = |action: &'static str| Grant {
        source: crate::graph::GrantSource::Identity,
        permission: Some(action),
        policy: p
            .identity
            .first()
            .map_or_else(|| Arc::from(""), |x| x.label.clone()),
        statement: Some(crate::eval::StatementRef {
            index: 0,
            sid: None,
        }),
        span: None,
    };
    world
        .of_account(account)
        .filter_map(|t| {
            let target = world.principals.get(t)?;
            // (The hop's action is the permissions joined by ` + `.)
            let (id, actions, joined): (&str, &[&'static str], &'static str) = match target.kind {
                NodeKind::User => (
                    "iam-003",
                    &["iam:CreateAccessKey", "iam:DeleteAccessKey"],
                    "iam:CreateAccessKey + iam:DeleteAccessKey",
                ),
                NodeKind::Role if !target.service_linked => (
                    "iam-012",
                    &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
                    "iam:UpdateAssumeRolePolicy + sts:AssumeRole",
                ),
                _ => return None,
            };
            Some(Found {
                from: sink,
                technique: technique(id)?,
                gain: Gain::Become(t),
                decision: Decision::Allowed,
                action: std::borrow::Cow::Borrowed(joined),
                grants: actions.iter().map(|a| grant(a)).collect(),
                conditions: Vec::new(),
            })
        })
        .collect()
}
