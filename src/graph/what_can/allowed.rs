//! What one principal's policies allow: every action an identity Allow names, on the
//! resources it names, decided by the evaluator.
//!
//! An administrator's policies name every action there is (twenty thousand), and an
//! organization's administrator reaches thousands of administrators. The evaluator
//! reads a request's action only to see which statements match it (`eval::decide`):
//! two actions matched by the same statements of every policy the request is decided
//! with, and named by the same granting statements, have the same answer on each
//! resource. So the actions are grouped by the statements that match them, and each
//! group is decided once per resource (a test compares this with deciding every
//! action on its own, on every fixture and corpus folder).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use super::{ActionAccess, ServiceAccess};
use crate::eval::action_sets::{self, Catalog};
use crate::eval::actions::covered;
use crate::eval::compile::ResourcePattern;
use crate::eval::{CompiledStatement, Inputs, Request, ResourcePolicyKind};
use crate::graph::Graph;
use crate::graph::edges::inputs_of;
use crate::graph::query::Answer;
use crate::model::Effect;
use crate::policy::context::MapContext;
use crate::policy::variables::{Resolved, substitute};

/// Most resource patterns shown per service.
const RESOURCES_SHOWN: usize = 5;

/// From how many actions the statements' matches are read from the sets of
/// `eval::action_sets` (worked out once per action list over the whole catalog)
/// rather than matched action by action.
pub(super) const FROM_SETS: usize = 1024;

/// Groups decided in parallel from this many.
const PARALLEL: usize = 64;

/// Every (action, resource pattern) an identity Allow of the principal names, each
/// decided by the evaluator in the principal's own account.
pub(super) fn allowed_actions(graph: &Graph, who: usize) -> BTreeMap<String, ServiceAccess> {
    let Some(p) = graph.world.principals.get(who) else {
        return BTreeMap::new();
    };
    let catalog = Catalog::get();
    let granting = granting(p);
    let candidates = Candidates::of(&granting);
    // The question is what the principal's own policies allow: the resource is taken
    // to be in its account (another account's resource also needs that account's
    // resource policy).
    let account = p.account.as_deref();
    let inputs = inputs_of(&graph.world, p, None, ResourcePolicyKind::Ordinary, account);
    let consulted = consulted(&inputs);
    let groups = Groups::of(catalog, &candidates, &consulted);
    // A group is asked about with its first action: all of them have its answers.
    let decide = |number: usize, resources: BTreeSet<&str>| -> (Answer, Arc<[String]>) {
        let action = catalog.name(number).unwrap_or_default();
        let mut best = Answer::Denied;
        let mut on = Vec::new();
        for r in resources {
            let req = Request {
                caller: &p.caller,
                action,
                resource: r,
                resource_account: account,
            };
            let answer = Answer::of(crate::eval::decision(req, &inputs, &p.context));
            if answer != Answer::Denied {
                on.push(r.to_string());
                best = better(best, answer);
            }
        }
        (best, on.into())
    };
    let asked: Vec<(usize, BTreeSet<&str>)> = groups
        .first
        .iter()
        .map(|&k| {
            let resources = candidates
                .granted_by(k)
                .filter_map(|j| granting.get(j))
                .flat_map(|(_, r)| r.iter().map(String::as_str))
                .collect();
            (
                candidates.actions.get(k).copied().unwrap_or_default(),
                resources,
            )
        })
        .collect();
    let decided: Vec<(Answer, Arc<[String]>)> = if asked.len() >= PARALLEL {
        asked.into_par_iter().map(|(a, r)| decide(a, r)).collect()
    } else {
        asked.into_iter().map(|(a, r)| decide(a, r)).collect()
    };
    // The candidates are in name order (`service:Name`), so each service's actions
    // come together, in order.
    let mut services: Vec<(&'static str, ServiceAccess)> = Vec::new();
    for (k, &action) in candidates.actions.iter().enumerate() {
        let Some((decision, on)) = groups.of.get(k).and_then(|g| decided.get(*g)) else {
            continue;
        };
        let (Some(info), Some(name), false) = (
            catalog.info(action),
            catalog.name(action),
            *decision == Answer::Denied,
        ) else {
            continue;
        };
        if services.last().is_none_or(|(s, _)| *s != info.service) {
            services.push((&info.service, ServiceAccess::default()));
        }
        let Some((_, entry)) = services.last_mut() else {
            continue;
        };
        entry.levels.insert(info.access_level);
        for r in on.iter() {
            if entry.resources.len() < RESOURCES_SHOWN {
                entry.resources.insert(r.clone());
            }
        }
        entry.actions.push(ActionAccess {
            action: name,
            level: info.access_level,
            decision: *decision,
            resources: on.clone(),
        });
    }
    services
        .into_iter()
        .map(|(service, s)| (service.to_string(), s))
        .collect()
}

/// The identity statements that may grant (an invalid Effect may allow: it is
/// treated in the direction that hides nothing; a Deny never grants), each with the
/// resources it is asked about.
pub(super) fn granting(p: &crate::graph::Principal) -> Vec<(&CompiledStatement, Vec<String>)> {
    p.identity
        .iter()
        .flat_map(|pol| &pol.statements)
        .filter(|s| s.effect != Some(Effect::Deny))
        .map(|st| {
            let resources = match &st.resources {
                Some(r) if !r.negated => r
                    .patterns
                    .iter()
                    .filter_map(|x| representative(x, &p.context))
                    .collect(),
                // NotResource allows everything but what it lists: ask about `*`.
                _ => vec!["*".to_string()],
            };
            (st, resources)
        })
        .collect()
}

/// The actions the granting statements name (by catalog number, in name order), and
/// for each the statements that name it.
struct Candidates {
    actions: Vec<usize>,
    /// Per action, a bit per granting statement (`words` words each).
    named_by: Vec<u64>,
    words: usize,
}

impl Candidates {
    fn of(granting: &[(&CompiledStatement, Vec<String>)]) -> Candidates {
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for (j, (st, _)) in granting.iter().enumerate() {
            pairs.extend(action_sets::numbers(&covered(st)).iter().map(|&i| (i, j)));
        }
        // Runs in order, one per statement (most principals' actions are one run).
        pairs.sort();
        let words = granting.len().div_ceil(64);
        let mut actions: Vec<usize> = Vec::new();
        let mut named_by: Vec<u64> = Vec::new();
        for (i, j) in pairs {
            if actions.last() != Some(&i) {
                actions.push(i);
                named_by.resize(named_by.len() + words, 0);
            }
            let row = (actions.len() - 1) * words;
            if let Some(w) = named_by.get_mut(row + j / 64) {
                *w |= 1 << (j % 64);
            }
        }
        Candidates {
            actions,
            named_by,
            words,
        }
    }

    fn row(&self, k: usize) -> &[u64] {
        self.named_by
            .get(k * self.words..(k + 1) * self.words)
            .unwrap_or_default()
    }

    /// The granting statements that name the `k`th action.
    fn granted_by(&self, k: usize) -> impl Iterator<Item = usize> + '_ {
        bits(self.row(k))
    }
}

/// The numbers of the set bits of some words.
fn bits(words: &[u64]) -> impl Iterator<Item = usize> + '_ {
    words.iter().enumerate().flat_map(|(w, &word)| {
        (0..64)
            .filter(move |b| word & (1 << b) != 0)
            .map(move |b| w * 64 + b)
    })
}

/// Every statement with an action list of the policies a request is decided with:
/// the only ones whose match depends on the action.
fn consulted<'p>(inputs: &Inputs<'p>) -> Vec<&'p CompiledStatement> {
    let levels = inputs
        .scp_levels
        .iter()
        .chain(&inputs.rcp_levels)
        .flat_map(|l| l.policies.iter().copied());
    inputs
        .identity
        .iter()
        .copied()
        .chain(inputs.boundary)
        .chain(inputs.session)
        .chain(inputs.resource)
        .chain(levels)
        .flat_map(|p| &p.statements)
        .filter(|s| s.actions.is_some())
        .collect()
}

/// The candidates grouped by the statements that name them and the statements the
/// evaluator would find matching them: one group's actions have one answer.
struct Groups {
    /// The group of each candidate.
    of: Vec<usize>,
    /// Each group's first candidate.
    first: Vec<usize>,
}

impl Groups {
    fn of(catalog: &Catalog, c: &Candidates, consulted: &[&CompiledStatement]) -> Groups {
        let sets: Option<Vec<_>> = (c.actions.len() >= FROM_SETS).then(|| {
            consulted
                .iter()
                .map(|s| s.actions.as_ref().map(action_sets::matched))
                .collect()
        });
        let matches = |t: usize, s: &CompiledStatement, action: usize| -> bool {
            if !s.services.may_match(catalog.service(action)) {
                return false;
            }
            match sets.as_ref().and_then(|v| v.get(t)) {
                Some(set) => set.as_ref().is_some_and(|set| set.contains(action)),
                None => s.actions.as_ref().is_some_and(|m| {
                    catalog
                        .name(action)
                        .is_some_and(|name| m.matches_action(name))
                }),
            }
        };
        // Each candidate's key: the granting statements that name it, then a bit per
        // consulted statement that matches it.
        let width = c.words + consulted.len().div_ceil(64);
        let mut keys = vec![0u64; c.actions.len() * width];
        for (k, &action) in c.actions.iter().enumerate() {
            let Some(key) = keys.get_mut(k * width..(k + 1) * width) else {
                continue;
            };
            let (named, matched) = key.split_at_mut(c.words);
            named.copy_from_slice(c.row(k));
            for (t, s) in consulted.iter().enumerate() {
                if matches(t, s, action)
                    && let Some(w) = matched.get_mut(t / 64)
                {
                    *w |= 1 << (t % 64);
                }
            }
        }
        let mut found: HashMap<&[u64], usize> = HashMap::new();
        let mut groups = Groups {
            of: Vec::with_capacity(c.actions.len()),
            first: Vec::new(),
        };
        let mut last: Option<(&[u64], usize)> = None;
        for (k, key) in keys.chunks(width.max(1)).enumerate().take(c.actions.len()) {
            let next = groups.first.len();
            // An administrator's actions come in long runs with one key.
            let g = match last {
                Some((before, g)) if before == key => g,
                _ => *found.entry(key).or_insert(next),
            };
            last = Some((key, g));
            if g == next {
                groups.first.push(k);
            }
            groups.of.push(g);
        }
        groups
    }
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

pub(super) fn better(a: Answer, b: Answer) -> Answer {
    match (a, b) {
        (Answer::Allowed, _) | (_, Answer::Allowed) => Answer::Allowed,
        (Answer::Conditional, _) | (_, Answer::Conditional) => Answer::Conditional,
        _ => Answer::Denied,
    }
}
