//! `notresource-allow`: an Allow with `NotResource`.

use crate::lint::{Context, Finding, Rule, Severity};

use super::util::negated_allows;

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
        negated_allows(
            cx,
            Self::ID,
            Severity::Medium,
            |st| st.resource.as_ref(),
            |label, listed| {
                format!(
                    "{label} allows with NotResource: every resource of every account except {listed} is covered, including resources created later"
                )
            },
        )
    }
}
