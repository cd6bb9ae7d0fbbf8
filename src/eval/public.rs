//! Is a resource policy public (S3's definition, decision-rules §7.4)? A policy is
//! public unless every Allow is limited to fixed values of a specific principal or of
//! one of the keys below.

use super::compile::CompiledPolicy;
use crate::model::{ConditionValue, Effect, PrincipalKind, Statement};

/// Condition keys whose fixed values make a grant non-public.
const LIMITING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
];

/// Operators that pin a key to the listed values.
const PINNING_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringEqualsIgnoreCase",
    "ArnEquals",
    "ArnLike",
    "IpAddress",
];

pub fn is_public(policy: &CompiledPolicy) -> bool {
    policy.statements.iter().any(|s| s.public)
}

/// True when an Allow statement grants to the public.
pub fn statement_is_public(st: &Statement) -> bool {
    if st.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
        return false;
    }
    let fixed = |v: &str| !v.contains(['*', '?']) && !v.contains("${");
    let specific_principal = st.principal.as_ref().is_some_and(|p| {
        !p.negated
            && !p.entries.is_empty()
            && p.entries.iter().all(|e| match e.kind {
                PrincipalKind::Everyone => false,
                _ => fixed(&e.value.value),
            })
    });
    if specific_principal {
        return false;
    }
    let limited = st.conditions.iter().any(|c| {
        PINNING_OPERATORS.contains(&c.operator.value.as_str())
            && LIMITING_KEYS.contains(&c.key.value.to_ascii_lowercase().as_str())
            && !c.values.is_empty()
            && c.values.iter().all(|v| match &v.value {
                ConditionValue::String(s) => fixed(s),
                ConditionValue::Number(_) => true,
                _ => false,
            })
    });
    !limited
}
