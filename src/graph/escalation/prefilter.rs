//! The per-principal prefilter of the escalation search: which of the actions the
//! techniques need a principal's policies could allow at all (counting its
//! boundary and its unconditional Denies), so that techniques it cannot use are not
//! tried.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::super::world::{Principal, World};
use super::{iam, services};
use crate::eval::CompiledPolicy;
use crate::eval::service_mask::ServiceMask;

/// The actions the techniques need, for the per-principal prefilter, sorted: the
/// techniques name actions as the service reference spells them, so an action's place
/// is found by binary search (no lowercasing, no hashing per call).
pub(super) fn relevant_actions() -> &'static [&'static str] {
    static ACTIONS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    ACTIONS.get_or_init(|| {
        let mut list: Vec<&'static str> = iam::ACTIONS.to_vec();
        list.extend(services::actions());
        list.push("iam:PassRole");
        list.sort_unstable();
        list.dedup();
        list
    })
}

/// The place of an action in [`relevant_actions`]. Asked hundreds of thousands of
/// times per build (`Cx::may`): a map with a short multiplicative hash finds it in
/// one probe, where the binary search compared about eight names.
pub(super) fn action_slot(action: &str) -> Option<usize> {
    type Slots = HashMap<&'static str, usize, std::hash::BuildHasherDefault<NameHasher>>;
    static SLOTS: std::sync::OnceLock<Slots> = std::sync::OnceLock::new();
    SLOTS
        .get_or_init(|| {
            relevant_actions()
                .iter()
                .enumerate()
                .map(|(i, a)| (*a, i))
                .collect()
        })
        .get(action)
        .copied()
        .filter(|i| *i < ActionSet::CAPACITY)
}

/// A set of places in [`relevant_actions`]: 32 bytes, where a list of flags took 150
/// per principal and two per policy (hundreds of megabytes for an organization). An
/// action past its capacity has no place ([`action_slot`]), and is asked of the
/// policies themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ActionSet([u64; 4]);

impl ActionSet {
    pub(super) const CAPACITY: usize = 256;

    pub(super) fn insert(&mut self, at: usize) {
        if let Some(word) = self.0.get_mut(at / 64) {
            *word |= 1 << (at % 64);
        }
    }

    pub(super) fn remove(&mut self, at: usize) {
        if let Some(word) = self.0.get_mut(at / 64) {
            *word &= !(1 << (at % 64));
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    pub(super) fn contains(&self, at: usize) -> bool {
        self.0
            .get(at / 64)
            .is_some_and(|w| (w >> (at % 64)) & 1 == 1)
    }

    fn union(self, other: ActionSet) -> ActionSet {
        let mut out = self;
        for (x, y) in out.0.iter_mut().zip(other.0) {
            *x |= y;
        }
        out
    }

    fn intersection(self, other: ActionSet) -> ActionSet {
        let mut out = self;
        for (x, y) in out.0.iter_mut().zip(other.0) {
            *x &= y;
        }
        out
    }

    fn difference(self, other: ActionSet) -> ActionSet {
        let mut out = self;
        for (x, y) in out.0.iter_mut().zip(other.0) {
            *x &= !y;
        }
        out
    }

    /// How many places are in the set.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// FNV-1a over the bytes of an action name: fast for short keys, and the keys are a
/// fixed list of ours (no hash flooding to guard against).
#[derive(Default)]
pub(super) struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Which of the relevant actions the principal's evaluation could allow: some identity
/// Allow names it, its permissions boundary (if any) has an Allow that names it, and no
/// Deny of its own policies or boundary denies it on every resource without a
/// condition. The escalation needs are decided without resource policies (IAM has
/// none), so an action outside these bits is denied for every target.
pub(super) fn action_bits(p: &Principal, known: &HashMap<usize, PolicyBits>) -> ActionSet {
    let of = |pol: &Arc<CompiledPolicy>| -> PolicyBits {
        match known.get(&(Arc::as_ptr(pol) as usize)) {
            Some(b) => *b,
            None => policy_bits(pol),
        }
    };
    let (mut allow, mut deny) = (ActionSet::default(), ActionSet::default());
    for pol in &p.identity {
        let (a, d) = of(pol);
        allow = allow.union(a);
        deny = deny.union(d);
    }
    if let Some(b) = &p.boundary {
        let (a, d) = of(b);
        allow = allow.intersection(a);
        deny = deny.union(d);
    }
    allow.difference(deny)
}

/// [`policy_bits`] of every identity policy and boundary of these principals, each
/// shared policy once (by address: the world holds them all while the search runs).
pub(super) fn bits_of_policies(world: &World, sources: &[usize]) -> HashMap<usize, PolicyBits> {
    let mut unique: HashMap<usize, &Arc<CompiledPolicy>> = HashMap::new();
    for p in sources.iter().filter_map(|i| world.principals.get(*i)) {
        for pol in p.identity.iter().chain(&p.boundary) {
            unique.insert(Arc::as_ptr(pol) as usize, pol);
        }
    }
    unique
        .into_par_iter()
        .map(|(k, pol)| (k, policy_bits(pol)))
        .collect()
}

/// The relevant actions named by an Allow, and those denied everywhere by a Deny.
pub(super) type PolicyBits = (ActionSet, ActionSet);

/// The places in [`relevant_actions`] of the actions of each service, by the
/// service's mask: a statement is matched against the actions of the services its
/// action list may name only.
fn by_service() -> &'static [(ServiceMask, Vec<usize>)] {
    static GROUPS: std::sync::OnceLock<Vec<(ServiceMask, Vec<usize>)>> = std::sync::OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut groups: Vec<(ServiceMask, Vec<usize>)> = Vec::new();
        for (i, a) in relevant_actions().iter().enumerate() {
            let mask = ServiceMask::of_action(a);
            match groups.iter_mut().find(|(m, _)| *m == mask) {
                Some((_, list)) => list.push(i),
                None => groups.push((mask, vec![i])),
            }
        }
        groups
    })
}

/// Per relevant action: whether an Allow of the policy names it, and whether a Deny
/// denies it on every resource with no condition.
pub(super) fn policy_bits(pol: &CompiledPolicy) -> PolicyBits {
    let list = relevant_actions();
    let (mut allow, mut deny) = (ActionSet::default(), ActionSet::default());
    for st in &pol.statements {
        let Some(actions) = st.actions.as_ref() else {
            continue;
        };
        let bits = if st.effect == Some(crate::model::Effect::Deny) {
            let everywhere = st.conditions.is_empty()
                && st.resources.as_ref().is_some_and(|r| {
                    !r.negated
                        && r.patterns
                            .iter()
                            .any(|p| matches!(p, crate::eval::compile::ResourcePattern::Any))
                });
            if !everywhere {
                continue;
            }
            &mut deny
        } else {
            &mut allow
        };
        for (mask, group) in by_service() {
            if !st.services.may_match(*mask) {
                continue;
            }
            for i in group {
                if let Some(a) = list.get(*i)
                    && !bits.contains(*i)
                    && actions.matches_action(a)
                {
                    bits.insert(*i);
                }
            }
        }
    }
    (allow, deny)
}
