//! `notresource-allow`: an Allow with `NotResource`.

use crate::lint::{Context, Finding, Rule, Severity};

use super::util::{GRANTING_KINDS, builder, is_allow, sites};

pub struct NotResourceAllow;

impl NotResourceAllow {
    pub const ID: &'static str = "notresource-allow";
}

pub const DOC: &str = r#"An Allow statement uses `NotResource`: it grants the actions on every resource, in every account, except those listed, including resources created later. A typo in the excluded ARN silently grants everything. List the resources to allow with `Resource`; to carve out exceptions, add a Deny statement.

Bad:

```json
{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::audit-logs/*"}
```

Good:

```json
{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::app-data/*"}
```"#;

impl Rule for NotResourceAllow {
    fn id(&self) -> &'static str {
        Self::ID
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn summary(&self) -> &'static str {
        "an Allow statement uses `NotResource` (grants on every resource not listed)"
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let mut out = Vec::new();
        for site in sites(cx, GRANTING_KINDS) {
            for st in &site.policy.statements {
                let Some(r) = st.resource.as_ref().filter(|r| r.negated) else {
                    continue;
                };
                if !is_allow(st) {
                    continue;
                }
                let listed: Vec<&str> = r.values.iter().map(|v| v.value.as_str()).collect();
                let message = format!(
                    "{} allows with NotResource: every resource of every account except {} is covered, including resources created later",
                    site.label,
                    listed.join(", ")
                );
                out.push(
                    builder(Self::ID, Severity::Medium, site, st)
                        .at(r.span)
                        .message(message)
                        .build(),
                );
            }
        }
        out
    }
}
