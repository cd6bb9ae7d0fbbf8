//! `notresource-allow`: an Allow with `NotResource`.

use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::Statement;

use super::util::negated_in_allow;

pub struct NotResourceAllow;

static META: RuleMeta = RuleMeta {
    id: "notresource-allow",
    severity: Severity::Medium,
    summary: "an Allow statement uses `NotResource` (grants on every resource not listed)",
    doc: DOC,
};

const DOC: &str = r#"An Allow statement uses `NotResource`: it grants the actions on every resource, in every account, except those listed, including resources created later. A typo in the excluded ARN silently grants everything. List the resources to allow with `Resource`; to carve out exceptions, add a Deny statement.

Bad:

```json
{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::audit-logs/*"}
```

Good:

```json
{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::app-data/*"}
```"#;

impl Rule for NotResourceAllow {
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
        let Some((block, listed)) = negated_in_allow(st, st.resource.as_ref()) else {
            return;
        };
        let message = format!(
            "{} allows with NotResource: every resource of every account except {listed} is covered, including resources created later",
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
