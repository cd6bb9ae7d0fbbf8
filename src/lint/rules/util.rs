//! Helpers the rules share: statement tests, account and principal shapes,
//! admin-equivalence and graph paths.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::catalog::AccessLevel;
use crate::eval::{CompiledPolicy, CompiledStatement, StatementRef};
use crate::graph::{Graph, Hop, NodeKind, Principal};
use crate::model::{
    Effect, PrincipalEntry, PrincipalKind, Span, Spanned, Statement, ValueBlock, is_account_id,
};
use crate::policy::arn::Arn;

/// True for a statement whose Effect is exactly `Allow`.
pub fn is_allow(st: &Statement) -> bool {
    st.effect.as_ref().is_some_and(|e| e.value == Effect::Allow)
}

/// `Sid` or `#index` of a statement reference.
pub fn statement_label(r: &StatementRef) -> String {
    match &r.sid {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => format!("#{}", r.index),
    }
}

/// Permissions management above write, write above tagging, read and list.
pub fn level_rank(level: AccessLevel) -> u8 {
    match level {
        AccessLevel::List => 0,
        AccessLevel::Read => 1,
        AccessLevel::Tagging => 2,
        AccessLevel::Write => 3,
        AccessLevel::PermissionsManagement => 4,
    }
}

/// True for a condition key, compared without case.
pub fn has_condition_key(st: &Statement, keys: &[&str]) -> bool {
    st.conditions
        .iter()
        .any(|c| keys.iter().any(|k| c.key.value.eq_ignore_ascii_case(k)))
}

/// The account a principal value names: a bare account ID, or the account of an
/// ARN with a 12-digit account.
pub fn principal_account(value: &str) -> Option<&str> {
    if is_account_id(value) {
        return Some(value);
    }
    Arn::parse(value)
        .map(|a| a.account)
        .filter(|a| is_account_id(a))
}

/// The account a principal value names as a whole: `123456789012` or
/// `arn:aws:iam::123456789012:root`.
pub fn whole_account(value: &str) -> Option<&str> {
    if is_account_id(value) {
        return Some(value);
    }
    Arn::parse(value)
        .filter(|a| a.service == "iam" && a.resource == "root" && is_account_id(a.account))
        .map(|a| a.account)
}

/// True for `"*"` or `{"AWS": "*"}`.
pub fn is_everyone(e: &PrincipalEntry) -> bool {
    match e.kind {
        PrincipalKind::Everyone => true,
        PrincipalKind::Aws => e.value.value == "*",
        _ => false,
    }
}

/// Unique-ID prefixes of IAM entities (users, roles, groups, policies, instance
/// profiles, certificates, keys): a bare unique ID in a policy names an entity
/// that was deleted.
const UNIQUE_ID_PREFIXES: &[&str] = &[
    "AIDA", "AROA", "AGPA", "ANPA", "ANVA", "AIPA", "APKA", "ASCA", "ACCA",
];

/// True for a bare IAM unique ID such as `AROAVYDLTOJL5J4TXDY2G`.
pub fn is_unique_id(value: &str) -> bool {
    value.len() == 21
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && UNIQUE_ID_PREFIXES.iter().any(|p| value.starts_with(p))
}

/// True when a compiled policy allows every action on every resource without
/// conditions (`AdministratorAccess`).
fn allows_everything(policy: &CompiledPolicy) -> bool {
    policy.statements.iter().any(|st| {
        st.effect == Some(Effect::Allow)
            && st.conditions.is_empty()
            && st.actions.as_ref().is_some_and(|a| {
                !a.negated && a.patterns.iter().any(|p| matches!(p.as_str(), "*" | "*:*"))
            })
            && st.resources.as_ref().is_some_and(|r| {
                !r.negated
                    && r.patterns
                        .iter()
                        .any(|p| matches!(p, crate::eval::compile::ResourcePattern::Any))
            })
    })
}

/// Admin-equivalent: an identity policy allows `*` on `*` (and a permissions
/// boundary, if any, does too). Denies are not subtracted.
pub fn is_admin(p: &Principal) -> bool {
    matches!(p.kind, NodeKind::User | NodeKind::Role)
        && !p.assumed_identity
        && p.identity.iter().any(|x| allows_everything(x))
        && p.boundary.as_deref().is_none_or(allows_everything)
}

/// Every node that reaches `target` through assume-role edges, with its shortest
/// path (first hop first). `target` itself is not included.
pub fn reaching(graph: &Graph, target: usize) -> HashMap<usize, Vec<Arc<Hop>>> {
    let mut best: HashMap<usize, Vec<Arc<Hop>>> = HashMap::new();
    best.insert(target, Vec::new());
    let mut queue = VecDeque::from([target]);
    while let Some(at) = queue.pop_front() {
        let Some(tail) = best.get(&at).cloned() else {
            continue;
        };
        for e in graph.in_edges(at) {
            if best.contains_key(&e.from()) {
                continue;
            }
            let mut path = Vec::with_capacity(tail.len() + 1);
            path.push(e.hop(&graph.world).clone());
            path.extend(tail.iter().cloned());
            best.insert(e.from(), path);
            queue.push_back(e.from());
        }
    }
    best.remove(&target);
    best
}

/// Ordering for representatives: "any principal of account X" first, then specific
/// external principals, then loaded users and roles.
pub fn kind_rank(kind: &NodeKind) -> u8 {
    match kind {
        NodeKind::ExternalAccount => 0,
        NodeKind::ExternalPrincipal => 1,
        NodeKind::Anonymous => 2,
        NodeKind::User => 3,
        NodeKind::Role => 4,
        NodeKind::Service => 5,
        NodeKind::Federated => 6,
        NodeKind::Administrator => 7,
        NodeKind::Escalated => 8,
    }
}

/// A path as `a → b → c` for messages.
pub fn path_text(path: &[Arc<Hop>]) -> String {
    let mut out = String::new();
    for (i, h) in path.iter().enumerate() {
        if i == 0 {
            out.push_str(&h.from);
        }
        out.push_str(" → ");
        out.push_str(&h.to);
    }
    out
}

/// Up to `n` items joined with `, `, with "and N more".
pub fn some_of(items: &[String], n: usize) -> String {
    let shown: Vec<&str> = items.iter().take(n).map(String::as_str).collect();
    let mut out = shown.join(", ");
    if items.len() > n {
        out.push_str(&format!(" and {} more", items.len() - n));
    }
    out
}

/// Where the trust policy of `role` (a loaded role of the graph) admits `from` for
/// an assume-role hop: the principal entry naming it (by ARN, then by account, then
/// `*`), else the granting statement; with the statement's label. The trust policy
/// is read compiled, from the graph: the documents may be gone by then.
pub fn trust_entry(
    role: &Principal,
    hop: &Hop,
    from: &Principal,
) -> Option<(Span, Option<String>)> {
    let grant = hop
        .grants
        .iter()
        .find(|g| g.source == crate::graph::GrantSource::Trust)?;
    let fallback = grant
        .span
        .map(|s| (s, grant.statement.as_ref().map(statement_label)));
    let index = grant.statement.as_ref().map(|s| s.index);
    // A changed copy of a role (an escalation) may trust through a policy it wrote
    // itself, which is in no file.
    let trust = role.trust.as_deref().filter(|_| role.base.is_none());
    let st = trust.and_then(|t| t.statements.iter().find(|st| Some(st.index) == index));
    let Some(st) = st else {
        return fallback;
    };
    let entries: Vec<&PrincipalEntry> = st
        .principal
        .iter()
        .filter(|p| !p.negated)
        .flat_map(|p| &p.entries)
        .collect();
    let by_id = entries.iter().find(|e| *e.value.value == *from.id);
    let by_account = || {
        entries.iter().find(|e| {
            e.kind == PrincipalKind::Aws
                && whole_account(&e.value.value)
                    .is_some_and(|a| from.account.as_deref() == Some(a) || &*from.id == a)
        })
    };
    let by_everyone = || entries.iter().find(|e| is_everyone(e));
    let span = by_id
        .or_else(by_account)
        .or_else(by_everyone)
        .map_or(st.span, |e| e.value.span);
    Some((span, Some(compiled_label(st))))
}

/// `Sid` or `#index` of a compiled statement, as [`Statement::label`] words it.
pub fn compiled_label(st: &CompiledStatement) -> String {
    statement_label(&StatementRef {
        index: st.index,
        sid: st.sid.clone(),
    })
}

/// [`admitted`] of a compiled statement.
pub fn admitted_compiled(st: &CompiledStatement) -> &[PrincipalEntry] {
    match &st.principal {
        Some(p) if st.effect == Some(Effect::Allow) && !p.negated => &p.entries,
        _ => &[],
    }
}

/// The principal entries an Allow statement grants to: none for a Deny, a
/// `NotPrincipal` or a statement without Principal.
pub fn admitted(st: &Statement) -> &[PrincipalEntry] {
    match &st.principal {
        Some(p) if is_allow(st) && !p.negated => &p.entries,
        _ => &[],
    }
}

/// The Action of a statement for messages: `a, b`, or `every action but a, b`.
pub fn actions_text(st: &Statement) -> String {
    st.action
        .as_ref()
        .map(|a| {
            let names: Vec<&str> = a.values.iter().map(|v| v.value.as_str()).collect();
            let list = names.join(", ");
            if a.negated {
                format!("every action but {list}")
            } else {
                list
            }
        })
        .unwrap_or_default()
}

/// `block` (the statement's Action or Resource) when it is the `Not…` form in an
/// Allow statement, with its values listed for messages.
pub fn negated_in_allow<'s>(
    st: &Statement,
    block: Option<&'s Spanned<ValueBlock>>,
) -> Option<(&'s Spanned<ValueBlock>, String)> {
    if !is_allow(st) {
        return None;
    }
    let b = block.filter(|b| b.negated)?;
    let listed: Vec<&str> = b.values.iter().map(|v| v.value.as_str()).collect();
    Some((b, listed.join(", ")))
}
