//! Deciding an attempt: every permission a technique needs, by the evaluator, on the
//! best candidate resource.

use super::*;

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
            let permission: Arc<str> = Arc::from(need.action);
            grants.extend(grants_of(ev).into_iter().map(|mut g| {
                g.permission = Some(permission.clone());
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
        action: actions.join(" + "),
        grants,
        conditions,
    })
}

/// Decides many attempts. Gains that surely make the caller an administrator of an
/// account all lead to one node (`administrator@ACCOUNT`), and one edge is kept per
/// (caller, node): the lowest-ranked allowed technique. So each caller's attempts are
/// decided in catalog order, and once one of them surely makes it an administrator of
/// an account, its other attempts that would too are not decided — the edge kept is
/// the same.
pub(super) fn decide_all(cx: &Cx, model: &Model, all: Vec<Attempt>) -> Vec<Found> {
    let world = cx.world;
    let mut by_source: std::collections::BTreeMap<usize, Vec<Attempt>> =
        std::collections::BTreeMap::new();
    for a in all {
        by_source.entry(a.from).or_default().push(a);
    }
    // Which account's administrator a gain surely makes (shared by every caller).
    let sure: std::sync::Mutex<HashMap<Gain, Option<String>>> =
        std::sync::Mutex::new(HashMap::new());
    let admin_of = |gain: &Gain| -> Option<String> {
        if let Some(known) = sure.lock().ok().and_then(|m| m.get(gain).cloned()) {
            return known;
        }
        let account = surely_admin_of(world, model, gain);
        if let Ok(mut m) = sure.lock() {
            m.insert(gain.clone(), account.clone());
        }
        account
    };
    by_source
        .into_par_iter()
        .flat_map_iter(|(_, mut attempts)| {
            attempts.sort_by_cached_key(|a| rank(a.technique));
            let mut done: Vec<String> = Vec::new();
            let mut out = Vec::new();
            for a in attempts {
                let admin = admin_of(&a.gain);
                if admin.as_ref().is_some_and(|acct| done.contains(acct)) {
                    continue;
                }
                if let Some(f) = evaluate(cx, a) {
                    if let (Decision::Allowed, Some(acct)) = (f.decision, admin) {
                        done.push(acct);
                    }
                    out.push(f);
                }
            }
            out
        })
        .collect()
}

/// The account whose administrator a gain surely makes the caller (the node the gain
/// materialises as `administrator@ACCOUNT`).
fn surely_admin_of(world: &World, model: &Model, gain: &Gain) -> Option<String> {
    match gain {
        Gain::Administrator(account) => Some(account.clone()),
        Gain::Become(_) => None,
        Gain::Changed { who, change } => changed(world, model, *who, change)
            .filter(|p| administrator(world, p) == Tri::True)
            .and_then(|p| p.account),
    }
}

/// A technique's place in the catalog (earlier is preferred).
pub(super) fn rank(t: &Technique) -> usize {
    TECHNIQUES
        .iter()
        .position(|x| std::ptr::eq(x, t))
        .or_else(|| TECHNIQUES.iter().position(|x| x.id == t.id))
        .unwrap_or(usize::MAX)
}

/// True when a gain surely makes the principal an administrator.
pub(super) fn leads_to_admin_surely(world: &World, model: &Model, gain: &Gain) -> bool {
    match gain {
        Gain::Administrator(_) => true,
        Gain::Become(j) => world
            .principals
            .get(*j)
            .is_some_and(|p| p.admin == Tri::True),
        Gain::Changed { who, change } => changed(world, model, *who, change)
            .is_some_and(|p| administrator(world, &p) == Tri::True),
    }
}

/// True when a gain makes the principal an administrator (surely or maybe).
pub(super) fn leads_to_admin(world: &World, model: &Model, gain: &Gain) -> bool {
    match gain {
        Gain::Administrator(_) => true,
        Gain::Become(j) => world
            .principals
            .get(*j)
            .is_some_and(|p| p.admin != Tri::False),
        Gain::Changed { who, change } => changed(world, model, *who, change)
            .is_some_and(|p| administrator(world, &p) != Tri::False),
    }
}

/// One result per (principal, gain): allowed before conditional, then catalog order.
pub(super) fn best_per_gain(found: Vec<Found>) -> Vec<Found> {
    let mut best: HashMap<(usize, Gain), Found> = HashMap::new();
    for f in found {
        let key = (f.from, f.gain.clone());
        let better = match best.get(&key) {
            None => true,
            Some(b) => {
                let d = |x: Decision| u8::from(x != Decision::Allowed);
                (d(f.decision), rank(f.technique)) < (d(b.decision), rank(b.technique))
            }
        };
        if better {
            best.insert(key, f);
        }
    }
    let mut out: Vec<Found> = best.into_values().collect();
    out.sort_by_key(|f| (f.from, rank(f.technique)));
    out
}
