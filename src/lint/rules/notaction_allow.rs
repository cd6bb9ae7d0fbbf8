//! `notaction-allow`: an Allow with `NotAction`.

use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::Statement;

use super::util::negated_in_allow;

pub struct NotActionAllow;

static META: RuleMeta = RuleMeta {
    id: "notaction-allow",
    severity: Severity::Medium,
    summary: "an Allow statement uses `NotAction` (grants every action not listed)",
    doc: DOC,
};

const DOC: &str = r#"An Allow statement uses `NotAction`: it grants every action of every service except those listed, including actions and services AWS adds later. It is an easy way to grant far more than intended (`"NotAction": "iam:*"` still allows `organizations:*` and `sts:AssumeRole`). List the actions to allow with `Action`; to carve out exceptions, add a Deny statement.

Bad:

```json
{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
```

Good:

```json
{"Effect": "Allow", "Action": ["ec2:Describe*", "s3:GetObject"], "Resource": "*"}
```"#;

impl Rule for NotActionAllow {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::GRANTING
    }

    fn check_statement(
        &self,
        _cx: &Context,
        site: &PolicySite,
        st: &Statement,
        out: &mut Vec<Finding>,
    ) {
        let Some((block, listed)) = negated_in_allow(st, st.action.as_ref()) else {
            return;
        };
        let message = format!(
            "{} allows with NotAction: every action of every service except {listed} is granted, including actions AWS adds later",
            site.label()
        );
        out.push(
            META.finding_in(site, st)
                .at(block.span)
                .message(message)
                .build(),
        );
    }
}
