//! Policies compiled for the principals of the graph, once per account and shared:
//! managed policies by ARN, boundaries by ARN, each group's policies by name; and where
//! each identity policy of a principal comes from.

use std::collections::HashMap;
use std::sync::Arc;

use crate::eval::{CompiledPolicy, compile};
use crate::model::{Account, Effect, InlinePolicy, PolicyRef};

/// An account that is not loaded: its principals' own policies are unknown, so the
/// graph assumes they may allow (the answer says which account is missing).
pub(super) fn assumed_identity(account: &str) -> CompiledPolicy {
    allow_everything(&format!(
        "the policies of account {account} (not loaded: assumed to allow)"
    ))
}

/// `Allow * on *`, labelled.
pub(super) fn allow_everything(label: &str) -> CompiledPolicy {
    let span = crate::model::Span::at(crate::model::FileId(u32::MAX), 0);
    let policy = crate::model::Policy {
        kind: crate::model::PolicyKind::Identity,
        version: None,
        id: None,
        statements: vec![crate::model::Statement {
            index: 0,
            sid: None,
            effect: Some(crate::model::Spanned::new(Effect::Allow, span)),
            action: Some(crate::model::Spanned::new(
                crate::model::ValueBlock {
                    negated: false,
                    values: vec![crate::model::Spanned::new("*".into(), span)],
                },
                span,
            )),
            resource: Some(crate::model::Spanned::new(
                crate::model::ValueBlock {
                    negated: false,
                    values: vec![crate::model::Spanned::new("*".into(), span)],
                },
                span,
            )),
            principal: None,
            conditions: Vec::new(),
            span,
        }],
        span,
        encoding: crate::model::Encoding::Object,
    };
    compile(&policy, label)
}

/// Where an identity policy of a principal comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyOrigin {
    /// The group that carries it, for a user's group policies.
    pub group: Option<Arc<str>>,
    /// A managed policy's ARN; `None` for an inline policy.
    pub managed: Option<Arc<str>>,
    /// The inline policy's name, or the managed policy's.
    pub name: Arc<str>,
}

/// A compiled identity policy and where it comes from.
pub type Sourced = (Arc<CompiledPolicy>, PolicyOrigin);

/// The inline policies of a user, role or group (`group` names the group).
pub(super) fn inline(inline: &[InlinePolicy], owner: &str, group: Option<&str>) -> Vec<Sourced> {
    inline
        .iter()
        .filter_map(|p| {
            p.document.as_ref().map(|doc| {
                let compiled = Arc::new(compile(
                    doc,
                    format!("inline policy `{}` of {owner}", p.name.value),
                ));
                let origin = PolicyOrigin {
                    group: group.map(Arc::from),
                    managed: None,
                    name: Arc::from(p.name.value.as_str()),
                };
                (compiled, origin)
            })
        })
        .collect()
}

fn managed_origin(account: &Account, arn: &str, group: Option<&str>) -> PolicyOrigin {
    let name = account
        .managed_policies
        .get(arn)
        .map_or(arn, |m| m.name.as_str());
    PolicyOrigin {
        group: group.map(Arc::from),
        managed: Some(Arc::from(arn)),
        name: Arc::from(name),
    }
}

/// Policies compiled once per account: managed policies by ARN, boundaries by ARN,
/// and each group's policies by group name.
#[derive(Default)]
pub(super) struct Shared {
    managed: HashMap<String, Arc<CompiledPolicy>>,
    boundaries: HashMap<String, Arc<CompiledPolicy>>,
    groups: HashMap<String, Vec<Sourced>>,
}

impl Shared {
    pub(super) fn managed(
        &mut self,
        account: &Account,
        arn: &str,
        owner: Option<&str>,
    ) -> Option<Arc<CompiledPolicy>> {
        if owner.is_none() {
            if let Some(p) = self.managed.get(arn) {
                return Some(p.clone());
            }
        }
        let m = account.managed_policies.get(arn)?;
        let doc = m.document.as_ref()?;
        let label = match owner {
            Some(o) => format!("managed policy `{}` of {o}", m.name),
            None => format!("managed policy `{}`", m.name),
        };
        let p = Arc::new(compile(doc, label));
        if owner.is_none() {
            self.managed.insert(arn.to_string(), p.clone());
        }
        Some(p)
    }

    pub(super) fn attached(&mut self, account: &Account, refs: &[PolicyRef]) -> Vec<Sourced> {
        refs.iter()
            .filter_map(|r| {
                let p = self.managed(account, &r.arn.value, None)?;
                Some((p, managed_origin(account, &r.arn.value, None)))
            })
            .collect()
    }

    pub(super) fn group(&mut self, account: &Account, group: &crate::model::Group) -> Vec<Sourced> {
        if let Some(g) = self.groups.get(&group.name) {
            return g.clone();
        }
        let owner = format!("group `{}`", group.name);
        let mut out = inline(&group.inline, &owner, Some(&group.name));
        out.extend(group.attached.iter().filter_map(|r| {
            let p = self.managed(account, &r.arn.value, Some(&owner))?;
            Some((p, managed_origin(account, &r.arn.value, Some(&group.name))))
        }));
        self.groups.insert(group.name.clone(), out.clone());
        out
    }

    pub(super) fn boundary(
        &mut self,
        account: &Account,
        r: Option<&PolicyRef>,
    ) -> Option<Arc<CompiledPolicy>> {
        let r = r?;
        if let Some(p) = self.boundaries.get(&r.arn.value) {
            return Some(p.clone());
        }
        let m = account.managed_policies.get(&r.arn.value)?;
        let p = Arc::new(compile(
            m.document.as_ref()?,
            format!("permissions boundary `{}`", m.name),
        ));
        self.boundaries.insert(r.arn.value.clone(), p.clone());
        Some(p)
    }
}

/// A trust policy that admits one principal ARN to `sts:AssumeRole`: the trust an
/// attacker who may `iam:UpdateAssumeRolePolicy` (or `iam:CreateRole`) writes.
pub(crate) fn trust_naming(principal_arn: &str) -> CompiledPolicy {
    use crate::model::{
        Encoding, Policy, PolicyKind, PrincipalBlock, PrincipalEntry, PrincipalKind, Spanned,
        Statement, ValueBlock,
    };
    let span = crate::model::Span::at(crate::model::FileId(u32::MAX), 0);
    let at = |v: &str| Spanned::new(v.to_string(), span);
    let policy = Policy {
        kind: PolicyKind::Trust,
        version: Some(at("2012-10-17")),
        id: None,
        statements: vec![Statement {
            index: 0,
            sid: None,
            effect: Some(Spanned::new(Effect::Allow, span)),
            action: Some(Spanned::new(
                ValueBlock {
                    negated: false,
                    values: vec![at("sts:AssumeRole")],
                },
                span,
            )),
            resource: None,
            principal: Some(Spanned::new(
                PrincipalBlock {
                    negated: false,
                    entries: vec![PrincipalEntry {
                        kind: PrincipalKind::Aws,
                        value: at(principal_arn),
                    }],
                },
                span,
            )),
            conditions: Vec::new(),
            span,
        }],
        span,
        encoding: Encoding::Object,
    };
    compile(&policy, "a trust policy it writes itself")
}
