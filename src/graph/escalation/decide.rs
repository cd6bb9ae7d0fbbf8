//! Deciding an attempt: every permission a technique needs, by the evaluator, on the
//! best candidate resource.

use super::*;

use std::collections::HashSet;

use crate::eval::service_mask::ServiceMask;
use crate::policy::arn::Arn;

/// The best evaluation of one need on one resource, over the values of its choice.
pub(super) fn best_choice(cx: &Cx, from: usize, need: &Need, resource: &str) -> Option<Evaluation> {
    let choices: Vec<Option<(&'static str, &str)>> = match &need.choice {
        Some((k, vs)) => vs.iter().map(|v| Some((*k, v.as_str()))).collect(),
        None => vec![None],
    };
    let mut best: Option<Evaluation> = None;
    for c in choices {
        let ev = cx.decide(from, need, resource, c);
        match ev.decision {
            Decision::Allowed => return Some(ev),
            Decision::Conditional if best.is_none() => best = Some(ev),
            _ => {}
        }
    }
    best
}

/// Decides the needs of one group (needs on the same new resource share its name),
/// or of one need alone: the evaluations of the best resource.
pub(super) fn decide_group(cx: &Cx, from: usize, needs: &[&Need]) -> Option<Vec<Evaluation>> {
    let first = needs.first()?;
    let mut best: Option<(Decision, Vec<Evaluation>)> = None;
    for (k, resource) in first.resources.iter().enumerate() {
        let mut evs = Vec::with_capacity(needs.len());
        let mut decision = Decision::Allowed;
        for n in needs {
            let r = n.resources.get(k).map_or(resource.as_str(), String::as_str);
            let Some(ev) = best_choice(cx, from, n, r) else {
                evs.clear();
                break;
            };
            if ev.decision == Decision::Conditional {
                decision = Decision::Conditional;
            }
            evs.push(ev);
        }
        if evs.len() != needs.len() {
            continue;
        }
        if decision == Decision::Allowed {
            return Some(evs);
        }
        if best.is_none() {
            best = Some((decision, evs));
        }
    }
    best.map(|(_, evs)| evs)
}

pub(super) fn evaluate(cx: &Cx, a: Attempt) -> Option<Found> {
    let mut decision = Decision::Allowed;
    let mut grants = Vec::new();
    let mut conditions = Vec::new();
    let mut actions: Vec<&str> = Vec::new();
    // Needs of one group are decided together; the others one by one.
    let mut groups: Vec<Vec<&Need>> = Vec::new();
    for need in &a.needs {
        match need.group {
            Some(g) => match groups
                .iter_mut()
                .find(|x| x.first().and_then(|n| n.group) == Some(g))
            {
                Some(x) => x.push(need),
                None => groups.push(vec![need]),
            },
            None => groups.push(vec![need]),
        }
    }
    for group in &groups {
        let evs = decide_group(cx, a.from, group)?;
        for (need, ev) in group.iter().zip(&evs) {
            if ev.decision == Decision::Conditional {
                decision = Decision::Conditional;
                conditions.extend(ev.conditions.iter().cloned());
            }
            grants.extend(grants_of(ev).into_iter().map(|mut g| {
                g.permission = Some(need.action);
                g
            }));
            if !actions.contains(&need.action) {
                actions.push(need.action);
            }
        }
    }
    // Keep the catalog's order of the needs in the hop's action.
    actions.sort_by_key(|x| a.needs.iter().position(|n| n.action == *x));
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
        action: match actions.as_slice() {
            [one] => Cow::Borrowed(*one),
            _ => Cow::Owned(actions.join(" + ")),
        },
        grants,
        conditions,
        takeover: false,
    })
}

/// What a gain makes of the caller, as far as administrators go.
#[derive(Clone)]
pub(super) struct Verdict {
    /// It may make an administrator (surely or maybe).
    pub maybe: bool,
    /// It surely makes an administrator.
    pub surely: bool,
    /// The account whose administrator node (`administrator@ACCOUNT`) it surely makes
    /// the caller: a gain of an administrator, or a changed principal that surely is
    /// one (becoming a principal that is one leads to that principal instead).
    pub node_of: Option<String>,
}

/// [`Verdict`]s of gains, each worked out once per round (a changed principal is
/// built and judged an administrator or not only once, however many callers gain it).
pub(super) struct Verdicts<'a> {
    world: &'a World,
    model: &'a Model,
    known: std::sync::RwLock<HashMap<Gain, Verdict>>,
}

impl<'a> Verdicts<'a> {
    pub fn new(world: &'a World, model: &'a Model) -> Self {
        Verdicts {
            world,
            model,
            known: std::sync::RwLock::new(HashMap::new()),
        }
    }

    pub fn of(&self, gain: &Gain) -> Verdict {
        // Only a changed principal takes work to judge: the rest are read directly,
        // without the lock and the hashing of the shared map.
        if !matches!(gain, Gain::Changed { .. }) {
            return self.judge(gain);
        }
        if let Some(v) = self.known.read().ok().and_then(|m| m.get(gain).cloned()) {
            return v;
        }
        let v = self.judge(gain);
        if let Ok(mut m) = self.known.write() {
            m.insert(gain.clone(), v.clone());
        }
        v
    }

    fn judge(&self, gain: &Gain) -> Verdict {
        match gain {
            Gain::Administrator(account) => Verdict {
                maybe: true,
                surely: true,
                node_of: Some(account.clone()),
            },
            Gain::Become(j) => {
                let admin = self.world.principals.get(*j).map(|p| p.admin);
                Verdict {
                    maybe: admin.is_some_and(|t| t != Tri::False),
                    surely: admin == Some(Tri::True),
                    node_of: None,
                }
            }
            Gain::Changed { who, change } => {
                let Some(p) = changed(self.world, self.model, *who, change) else {
                    return Verdict {
                        maybe: false,
                        surely: false,
                        node_of: None,
                    };
                };
                let t = administrator(self.world, &p);
                Verdict {
                    maybe: t != Tri::False,
                    surely: t == Tri::True,
                    node_of: if t == Tri::True { p.account } else { None },
                }
            }
        }
    }
}

/// Decides the attempts of one caller. Gains that surely make the caller an
/// administrator of an account all lead to one node (`administrator@ACCOUNT`), and one
/// edge is kept per (caller, node): the lowest-ranked allowed technique. So the
/// attempts are decided in catalog order, and once one of them surely makes it an
/// administrator of an account, its other attempts that would too are not decided —
/// the edge kept is the same. Likewise an attempt on a gain already allowed (one is
/// kept per gain by [`best_per_gain`]: several services' techniques all become the
/// same role). An attempt [`may_hold`] rules out is not decided either. With
/// [`Prune::No`] every attempt is decided.
pub(super) fn decide_caller(
    cx: &Cx,
    verdicts: &Verdicts,
    mut attempts: Vec<Attempt>,
    prune: Prune,
) -> Vec<Found> {
    attempts.sort_by_cached_key(|a| rank(a.technique));
    let mut done: Vec<String> = Vec::new();
    // Gains already allowed: a later attempt on one (same or higher rank) is never the
    // one kept (see `best_of_one`), so it is not decided.
    let mut allowed: HashSet<Gain> = HashSet::new();
    let mut out = Vec::new();
    for a in attempts {
        // Which administrator node the gain makes is asked only when it matters: to
        // skip once one is reached, to record an allowed one.
        if prune == Prune::Yes
            && (allowed.contains(&a.gain)
                || (!done.is_empty()
                    && verdicts
                        .of(&a.gain)
                        .node_of
                        .is_some_and(|acct| done.contains(&acct))))
        {
            continue;
        }
        if prune == Prune::Yes && !may_hold(cx, &a) {
            continue;
        }
        let gain = a.gain.clone();
        if let Some(f) = evaluate(cx, a) {
            if f.decision == Decision::Allowed {
                if let Some(acct) = verdicts.of(&gain).node_of {
                    done.push(acct);
                }
                allowed.insert(gain);
            }
            out.push(f);
        }
    }
    out
}

/// False when the evaluator surely denies one of the attempt's needs for want of an
/// identity Allow: a need that no resource policy decides (only the caller's own
/// policies can grant it) whose action no Allow statement of the caller's identity
/// policies names on any of its resources. Most attempts on others fail this way, and
/// this costs a fraction of their evaluations. A need whose resources are chosen
/// with another need's (a group after its first) or that carries a key of the
/// attacker's choosing is left to the evaluator.
pub(super) fn may_hold(cx: &Cx, a: &Attempt) -> bool {
    let Some(p) = cx.principal(a.from) else {
        return true;
    };
    if !matches!(
        p.kind,
        NodeKind::User | NodeKind::Role | NodeKind::Escalated
    ) {
        return true;
    }
    a.needs.iter().enumerate().all(|(i, need)| {
        let leads = need
            .group
            .is_none_or(|g| a.needs.iter().position(|n| n.group == Some(g)) == Some(i));
        if need.policy.is_some()
            || need.kind != ResourcePolicyKind::Ordinary
            || need.choice.is_some()
            || !leads
        {
            return true;
        }
        let ctx = WithKeys::new(&p.context, &need.context);
        let service = ServiceMask::of_action(need.action);
        need.resources.iter().any(|r| {
            let arn = Arn::parse(r);
            p.identity.iter().any(|pol| {
                pol.statements.iter().any(|st| {
                    st.allows_action(need.action, service)
                        && !st
                            .names_resource(pol.kind, r, arn.as_ref(), &ctx)
                            .is_false()
                })
            })
        })
    })
}

/// A technique's place in the catalog (earlier is preferred).
pub(super) fn rank(t: &Technique) -> usize {
    TECHNIQUES
        .iter()
        .position(|x| std::ptr::eq(x, t))
        .or_else(|| TECHNIQUES.iter().position(|x| x.id == t.id))
        .unwrap_or(usize::MAX)
}

/// One result per (principal, gain): allowed before conditional, then catalog order.
/// Listed by principal, each principal's results by catalog rank, ties in the order
/// they were found (the attempts' order), so the nodes the gains make are numbered
/// the same on every run. Each principal's results are sorted out on their own, in
/// parallel.
pub(super) fn best_per_gain(found: Vec<Found>) -> Vec<Found> {
    let mut by_source: std::collections::BTreeMap<usize, Vec<Found>> =
        std::collections::BTreeMap::new();
    for f in found {
        by_source.entry(f.from).or_default().push(f);
    }
    by_source
        .into_par_iter()
        .flat_map_iter(|(_, found)| best_of_one(found))
        .collect()
}

/// [`best_per_gain`] for the results of one principal, in the order they were found.
pub(super) fn best_of_one(found: Vec<Found>) -> Vec<Found> {
    // Each found with its preference (allowed first, then catalog rank), worked out
    // once; kept in the order the gains were first found.
    let mut at: HashMap<Gain, usize> = HashMap::new();
    let mut out: Vec<((u8, usize), Found)> = Vec::new();
    for f in found {
        let order = (u8::from(f.decision != Decision::Allowed), rank(f.technique));
        match at.get(&f.gain).and_then(|i| out.get_mut(*i)) {
            Some(slot) if order < slot.0 => *slot = (order, f),
            Some(_) => {}
            None => {
                at.insert(f.gain.clone(), out.len());
                out.push((order, f));
            }
        }
    }
    out.sort_by_key(|((_, r), _)| *r);
    out.into_iter().map(|(_, f)| f).collect()
}
