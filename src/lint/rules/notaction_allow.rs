//! `notaction-allow`: an Allow with `NotAction`.

use crate::lint::{Context, Finding, Rule, Severity};

use super::util::negated_allows;

pub struct NotActionAllow;

impl NotActionAllow {
    pub const ID: &'static str = "notaction-allow";
}

pub const DOC: &str = r#"An Allow statement uses `NotAction`: it grants every action of every service except those listed, including actions and services AWS adds later. It is an easy way to grant far more than intended (`"NotAction": "iam:*"` still allows `organizations:*` and `sts:AssumeRole`). List the actions to allow with `Action`; to carve out exceptions, add a Deny statement.

Bad:

```json
{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
```

Good:

```json
{"Effect": "Allow", "Action": ["ec2:Describe*", "s3:GetObject"], "Resource": "*"}
```"#;

impl Rule for NotActionAllow {
    fn id(&self) -> &'static str {
        Self::ID
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn summary(&self) -> &'static str {
        "an Allow statement uses `NotAction` (grants every action not listed)"
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        negated_allows(
            cx,
            Self::ID,
            Severity::Medium,
            |st| st.action.as_ref(),
            |label, listed| {
                format!(
                    "{label} allows with NotAction: every action of every service except {listed} is granted, including actions AWS adds later"
                )
            },
        )
    }
}
