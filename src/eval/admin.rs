//! Is a principal an administrator: do its effective permissions — identity policies,
//! capped by its permissions boundary and the SCPs of its account, minus every Deny —
//! allow every action on every resource?

use super::compile::{CompiledPolicy, CompiledStatement, ResourcePattern};
use super::decide::Inputs;
use crate::model::Effect;
use crate::policy::condition::evaluate_all;
use crate::policy::context::{Context, Tri};

/// True when the statement's Action and Resource cover every action and resource.
fn covers_all(st: &CompiledStatement) -> bool {
    let actions = st.actions.as_ref().is_some_and(|a| {
        !a.negated
            && a.patterns
                .iter()
                .any(|p| p.matches_everything() || p.as_str() == "*:*")
    });
    let resources = st.resources.as_ref().is_some_and(|r| {
        !r.negated && r.patterns.iter().any(|p| matches!(p, ResourcePattern::Any))
    });
    actions && resources
}

/// True when a statement can match some request at all (an empty list matches none).
fn matches_something(st: &CompiledStatement) -> bool {
    let actions = st
        .actions
        .as_ref()
        .is_some_and(|a| a.negated || !a.patterns.is_empty());
    let resources = st
        .resources
        .as_ref()
        .is_none_or(|r| r.negated || !r.patterns.is_empty());
    actions && resources
}

/// How surely one of the policies allows everything (an `Allow` of every action on
/// every resource; Denies are not counted).
pub fn allows_all(policies: &[&CompiledPolicy], ctx: &dyn Context) -> Tri {
    policies
        .iter()
        .flat_map(|p| &p.statements)
        .filter(|st| st.effect == Some(Effect::Allow) && covers_all(st))
        .fold(Tri::False, |acc, st| {
            acc.or(evaluate_all(&st.conditions, ctx))
        })
}

/// How surely some Deny of the policies takes something away.
fn denies_some(policies: &[&CompiledPolicy], ctx: &dyn Context) -> Tri {
    policies
        .iter()
        .flat_map(|p| &p.statements)
        .filter(|st| st.effect == Some(Effect::Deny) && matches_something(st))
        .fold(Tri::False, |acc, st| {
            acc.or(evaluate_all(&st.conditions, ctx))
        })
}

/// Whether the principal of `inputs` may do anything its account may (iampath's
/// definition of an administrator): an `Allow * on *` in an identity policy and in its
/// boundary (and session policy), no Deny of its own that may apply, and every SCP level
/// allowing `*` on `*`. An SCP's Deny binds every principal of the account alike, so it
/// is the account's ceiling, not a lack of the principal's; an SCP level that allows only
/// some services makes nobody of the account an administrator. A Deny or an Allow that
/// depends on unknown context makes the answer unknown.
pub fn is_administrator(inputs: &Inputs, scps_apply: bool, ctx: &dyn Context) -> Tri {
    let mut all = allows_all(&inputs.identity, ctx);
    let mut deny = denies_some(&inputs.identity, ctx);
    if let Some(b) = inputs.boundary {
        all = all.and(allows_all(&[b], ctx));
        deny = deny.or(denies_some(&[b], ctx));
    }
    if let Some(s) = inputs.session {
        all = all.and(allows_all(&[s], ctx));
        deny = deny.or(denies_some(&[s], ctx));
    }
    if scps_apply {
        for level in &inputs.scp_levels {
            all = all.and(allows_all(&level.policies, ctx));
        }
    }
    all.and(!deny)
}
