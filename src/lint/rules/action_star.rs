//! `action-star`: `"*"` or `service:*` in the Action of an Allow.

use crate::lint::{Context, Finding, Rule, Severity};
use crate::model::{PolicyKind, PrincipalKind};

use super::util::{builder, is_allow, sites, whole_account};

pub struct ActionStar;

impl ActionStar {
    pub const ID: &'static str = "action-star";
}

pub const DOC: &str = r#"An Allow statement of an identity or resource policy names every action (`"*"`) or every action of a service (`"s3:*"`). Wildcard grants silently include actions the author never thought about, among them those AWS adds later, and usually far more than the principal needs. `"*"` is high; `"service:*"` is medium. AWS-managed policies and organization policies (where `Allow *` is the default filter) are not checked, nor resource-policy statements that name only the resource's own account (such as the default KMS key policy): those delegate to the account's identity policies, which are checked themselves.

Bad:

```json
{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}
```

Good:

```json
{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::reports/*"}
```"#;

/// `*`, `*:*`, `**`: every action of every service.
fn is_everything(v: &str) -> bool {
    !v.is_empty() && v.chars().all(|c| c == '*' || c == ':') && v.matches(':').count() <= 1
}

impl Rule for ActionStar {
    fn id(&self) -> &'static str {
        Self::ID
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn summary(&self) -> &'static str {
        "an Allow grants `\"*\"` or `service:*` actions"
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let mut out = Vec::new();
        for site in sites(cx, &[PolicyKind::Identity, PolicyKind::Resource]) {
            for st in &site.policy.statements {
                if !is_allow(st) {
                    continue;
                }
                let Some(actions) = st.action.as_ref().filter(|a| !a.negated) else {
                    continue;
                };
                // A resource policy that names only its own account delegates to that
                // account's identity policies (the default KMS key policy): they decide.
                let delegation = site.kind() == PolicyKind::Resource
                    && st.principal.as_ref().is_some_and(|p| {
                        !p.negated
                            && !p.entries.is_empty()
                            && p.entries.iter().all(|e| {
                                e.kind == PrincipalKind::Aws
                                    && site.account.is_some()
                                    && whole_account(&e.value.value) == site.account
                            })
                    });
                if delegation {
                    continue;
                }
                for v in &actions.values {
                    let text = v.value.as_str();
                    let (severity, message) = if is_everything(text) {
                        (
                            Severity::High,
                            format!(
                                "{} allows every action of every service (`\"{text}\"`): list the actions the principal needs",
                                site.label
                            ),
                        )
                    } else if let Some(service) = text.strip_suffix(":*") {
                        if service.is_empty() || service.contains(['*', '?']) {
                            continue;
                        }
                        (
                            Severity::Medium,
                            format!(
                                "{} allows every {service} action (`\"{text}\"`), including those AWS adds later: list the actions the principal needs",
                                site.label
                            ),
                        )
                    } else {
                        continue;
                    };
                    out.push(
                        builder(Self::ID, severity, site, st)
                            .at(v.span)
                            .message(message)
                            .build(),
                    );
                }
            }
        }
        out
    }
}
