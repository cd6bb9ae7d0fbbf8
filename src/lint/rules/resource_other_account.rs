//! `resource-other-account`: a resource policy whose `Resource` names a resource of
//! another account than the one whose folder holds it.

use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::{Statement, is_account_id};
use crate::policy::arn::Arn;

pub struct ResourceOtherAccount;

static META: RuleMeta = RuleMeta {
    id: "resource-other-account",
    severity: Severity::Medium,
    summary: "a resource policy names a resource of another account than its own",
    doc: DOC,
};

const DOC: &str = r#"A resource policy (a function's, a queue's, a key's …) names in its `Resource` a resource of another account than the one whose folder holds it. A resource policy governs only its own resource, so the statement grants nothing where it sits; either the file is in the wrong account folder (the answers about that resource are then wrong too), or the policy was copied from another account and does not do what it says. Move the file to its account's folder, or fix the ARN.

Bad (in `111111111111/lambda/report-builder.json`):

```json
{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "lambda:InvokeFunction",
 "Resource": "arn:aws:lambda:us-east-1:222222222222:function:report-builder"}
```

Good:

```json
{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "lambda:InvokeFunction",
 "Resource": "arn:aws:lambda:us-east-1:111111111111:function:report-builder"}
```"#;

impl Rule for ResourceOtherAccount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::LoadedResources
    }

    fn check_statement(
        &self,
        _cx: &Context,
        site: &PolicySite,
        st: &Statement,
        out: &mut Vec<Finding>,
    ) {
        let Some(own) = site.account else {
            return;
        };
        let Some(block) = st.resource.as_ref().filter(|b| !b.negated) else {
            return;
        };
        for v in &block.values {
            let Some(other) = Arn::parse(&v.value)
                .map(|a| a.account)
                .filter(|a| is_account_id(a) && *a != own)
            else {
                continue;
            };
            let message = format!(
                "{} is in account {own}'s folder but names `{}` of account {other}: a resource policy governs only its own resource, so this grants nothing (is the file in the wrong account folder?)",
                site.label(),
                v.value
            );
            out.push(
                META.finding_in(site, st)
                    .at(v.span)
                    .other_account(Some(other))
                    .message(message)
                    .build(),
            );
        }
    }
}
