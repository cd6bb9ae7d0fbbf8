//! `external-access`: a principal outside the loaded accounts, or anyone, reaches a
//! loaded role or resource.

use std::sync::Arc;

use crate::eval::{CompiledStatement, Decision, StatementRef, compile};
use crate::graph::{Grant, GrantSource, Graph, Hop, HopKind, NodeKind};
use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::{ConditionValue, PrincipalEntry, PrincipalKind, Statement};

use super::util::{actions_text, admitted, is_everyone, principal_account, trust_entry};

pub struct ExternalAccess;

static META: RuleMeta = RuleMeta {
    id: "external-access",
    severity: Severity::High,
    summary: "a principal outside the loaded accounts (or anyone) reaches a loaded role or resource",
    doc: DOC,
};

const DOC: &str = r#"A principal outside the loaded accounts (an external account, a specific principal of one, or anyone at all) can assume a loaded role (the evaluator allows the assume-role edge) or is granted access to a loaded resource by its resource policy. Every such way in should be one the team knows and accepts (a vendor, a partner account): list accepted accounts in the configuration, and remove the rest. The finding carries the path.

Bad (account 999988887777 is not one of yours):

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
```

Good:

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Reporting"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
```"#;

fn conditions_text(st: &Statement) -> Vec<String> {
    st.conditions
        .iter()
        .map(|c| {
            let values: Vec<String> = c
                .values
                .iter()
                .filter_map(|v| match &v.value {
                    ConditionValue::Invalid => None,
                    other => other.as_text().map(|t| t.into_owned()),
                })
                .collect();
            format!("{} {} {}", c.operator.value, c.key.value, values.join(", "))
        })
        .collect()
}

impl Rule for ExternalAccess {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::LoadedResources
    }

    fn check_graph(&self, _cx: &Context, graph: &Graph, out: &mut Vec<Finding>) {
        assume_role_edges(graph, out);
    }

    /// Resource policies that grant to principals outside the loaded data.
    fn check_site(&self, cx: &Context, site: &PolicySite, out: &mut Vec<Finding>) {
        let compiled = compile(site.policy, site.label());
        for (st, cst) in site.policy.statements.iter().zip(&compiled.statements) {
            for e in admitted(st) {
                if let Some(f) = resource_grant(cx, site, st, cst, e) {
                    out.push(f);
                }
            }
        }
    }
}

/// Assume-role edges from outside into loaded roles.
fn assume_role_edges(graph: &Graph, out: &mut Vec<Finding>) {
    let w = &graph.world;
    for e in &graph.edges {
        let (Some(from), Some(to)) = (w.principals.get(e.from()), w.principals.get(e.to())) else {
            continue;
        };
        let who = match from.kind {
            NodeKind::ExternalAccount => format!(
                "any principal of account {} (not in the loaded data)",
                from.id
            ),
            NodeKind::ExternalPrincipal => {
                format!("`{}` (its account is not in the loaded data)", from.id)
            }
            NodeKind::Anonymous => "anyone (an anonymous caller)".to_string(),
            _ => continue,
        };
        if to.kind != NodeKind::Role {
            continue;
        }
        let hop = e.hop(w);
        let how = if e.decision == Decision::Allowed {
            "can assume"
        } else {
            "may assume (under conditions)"
        };
        let message = format!("{who} {how} role `{}` with {}", to.id, hop.action);
        let mut b = META
            .finding(to.id.to_string())
            .account(to.account.as_deref())
            .other_account(from.account.as_deref())
            .message(message);
        if let Some((span, statement)) = trust_entry(to, hop, from) {
            b = b.at(span);
            if let Some(s) = statement {
                b = b.statement(s);
            }
        }
        out.push(b.path(vec![hop.clone()]).build());
    }
}

/// The finding for one principal entry of a resource policy's Allow statement, when
/// it names anyone (and the statement is public) or an account outside the loaded
/// data.
fn resource_grant(
    cx: &Context,
    site: &PolicySite,
    st: &Statement,
    cst: &CompiledStatement,
    e: &PrincipalEntry,
) -> Option<Finding> {
    let (who, other) = if is_everyone(e) {
        if !cst.public {
            return None;
        }
        ("anyone".to_string(), None)
    } else if e.kind == PrincipalKind::Aws {
        let a = principal_account(&e.value.value).filter(|a| !cx.is_loaded(a))?;
        (
            format!("`{}` (account {a}, not in the loaded data)", e.value.value),
            Some(a),
        )
    } else {
        return None;
    };
    let actions = actions_text(st);
    let conditions = conditions_text(st);
    let decision = if conditions.is_empty() {
        Decision::Allowed
    } else {
        Decision::Conditional
    };
    let hop = Hop {
        from: e.value.value.as_str().into(),
        to: site.subject.into(),
        action: actions.clone().into(),
        kind: HopKind::Access,
        decision,
        grants: vec![Grant {
            source: GrantSource::Resource,
            permission: None,
            policy: Arc::from(site.label()),
            statement: Some(StatementRef {
                index: st.index,
                sid: st.sid.as_ref().map(|s| Arc::from(s.value.as_str())),
            }),
            span: Some(st.span),
        }],
        conditions: conditions.clone(),
        technique: None,
    };
    let under = if conditions.is_empty() {
        String::new()
    } else {
        format!(" if {}", conditions.join(" and "))
    };
    let message = format!(
        "{} grants {who} {actions} on `{}`{under}",
        site.label(),
        site.subject
    );
    Some(
        META.finding_in(site, st)
            .at(e.value.span)
            .other_account(other)
            .message(message)
            .path(vec![Arc::new(hop)])
            .build(),
    )
}
