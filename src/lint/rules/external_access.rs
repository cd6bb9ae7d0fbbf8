//! `external-access`: a principal outside the loaded accounts, or anyone, reaches a
//! loaded role or resource.

use std::sync::Arc;

use crate::eval::{Decision, StatementRef, compile};
use crate::graph::{Grant, GrantSource, Hop, HopKind, NodeKind};
use crate::lint::sites::Owner;
use crate::lint::{Context, Finding, FindingBuilder, Rule, Severity};
use crate::model::{ConditionValue, PrincipalKind, Statement};

use super::util::{builder, is_allow, is_everyone, principal_account, trust_entry};

pub struct ExternalAccess;

impl ExternalAccess {
    pub const ID: &'static str = "external-access";
}

pub const DOC: &str = r#"A principal outside the loaded accounts (an external account, a specific principal of one, or anyone at all) can assume a loaded role (the evaluator allows the assume-role edge) or is granted access to a loaded resource by its resource policy. Every such way in should be one the team knows and accepts (a vendor, a partner account): list accepted accounts in the configuration, and remove the rest. The finding carries the path.

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
    fn id(&self) -> &'static str {
        Self::ID
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn summary(&self) -> &'static str {
        "a principal outside the loaded accounts (or anyone) reaches a loaded role or resource"
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let mut out = Vec::new();
        let w = &cx.graph.world;
        // Assume-role edges from outside into loaded roles.
        for e in &cx.graph.edges {
            let (Some(from), Some(to)) = (w.principals.get(e.from), w.principals.get(e.to)) else {
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
            let how = if e.hop.decision == Decision::Allowed {
                "can assume"
            } else {
                "may assume (under conditions)"
            };
            let message = format!("{who} {how} role `{}` with {}", to.id, e.hop.action);
            let mut b = FindingBuilder::new(Self::ID, Severity::High, to.id.clone())
                .account(to.account.as_deref())
                .other_account(from.account.as_deref())
                .message(message);
            if let Some((span, statement)) = trust_entry(cx, &to.id, &e.hop, from) {
                b = b.at(span);
                if let Some(s) = statement {
                    b = b.statement(s);
                }
            }
            out.push(b.path(vec![e.hop.clone()]).build());
        }
        // Resource policies that grant to principals outside the loaded data.
        for site in cx.sites.iter().filter(|s| s.owner == Owner::Resource) {
            let compiled = compile(site.policy, site.label.as_str());
            for (st, cst) in site.policy.statements.iter().zip(&compiled.statements) {
                if !is_allow(st) {
                    continue;
                }
                let Some(principal) = st.principal.as_ref().filter(|p| !p.negated) else {
                    continue;
                };
                for e in &principal.entries {
                    let (who, other) = if is_everyone(e) {
                        if !cst.public {
                            continue;
                        }
                        ("anyone".to_string(), None)
                    } else if e.kind == PrincipalKind::Aws {
                        match principal_account(&e.value.value) {
                            Some(a) if !cx.is_loaded(a) => (
                                format!(
                                    "`{}` (account {a}, not in the loaded data)",
                                    e.value.value
                                ),
                                Some(a),
                            ),
                            _ => continue,
                        }
                    } else {
                        continue;
                    };
                    let actions = st
                        .action
                        .as_ref()
                        .map(|a| {
                            let v: Vec<&str> = a.values.iter().map(|v| v.value.as_str()).collect();
                            let list = v.join(", ");
                            if a.negated {
                                format!("every action but {list}")
                            } else {
                                list
                            }
                        })
                        .unwrap_or_default();
                    let conditions = conditions_text(st);
                    let decision = if conditions.is_empty() {
                        Decision::Allowed
                    } else {
                        Decision::Conditional
                    };
                    let hop = Hop {
                        from: e.value.value.clone(),
                        to: site.subject.clone(),
                        action: actions.clone(),
                        kind: HopKind::Access,
                        decision,
                        grants: vec![Grant {
                            source: GrantSource::Resource,
                            policy: Arc::from(site.label.as_str()),
                            statement: Some(StatementRef {
                                index: st.index,
                                sid: st.sid.as_ref().map(|s| Arc::from(s.value.as_str())),
                            }),
                            span: Some(st.span),
                        }],
                        conditions: conditions.clone(),
                    };
                    let under = if conditions.is_empty() {
                        String::new()
                    } else {
                        format!(" if {}", conditions.join(" and "))
                    };
                    let message = format!(
                        "{} grants {who} {actions} on `{}`{under}",
                        site.label, site.subject
                    );
                    out.push(
                        builder(Self::ID, Severity::High, site, st)
                            .at(e.value.span)
                            .other_account(other)
                            .message(message)
                            .path(vec![Arc::new(hop)])
                            .build(),
                    );
                }
            }
        }
        out
    }
}
