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
