//! `action-star`: `"*"` or `service:*` in the Action of an Allow.

use crate::lint::{Context, Finding, Rule, Severity};
use crate::model::PolicyKind;

use super::util::{builder, is_allow, sites};

pub struct ActionStar;

impl ActionStar {
    pub const ID: &'static str = "action-star";
}

pub const DOC: &str = r#"An Allow statement of an identity or resource policy names every action (`"*"`) or every action of a service (`"s3:*"`). Wildcard grants silently include actions the author never thought about, among them those AWS adds later, and usually far more than the principal needs. `"*"` is high; `"service:*"` is medium. AWS-managed policies and organization policies (where `Allow *` is the default filter) are not checked.

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
