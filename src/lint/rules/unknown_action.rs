//! `unknown-action`: an action or service that does not exist.

use crate::catalog;
use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::Statement;

pub struct UnknownAction;

static META: RuleMeta = RuleMeta {
    id: "unknown-action",
    severity: Severity::Low,
    summary: "an action or service that does not exist (a typo grants nothing)",
    doc: DOC,
};

const DOC: &str = r#"An `Action` or `NotAction` value names a service prefix or an action that AWS's service authorization reference does not know, or a pattern that matches no action. IAM accepts it silently, and it grants (or denies) nothing: usually a typo, an action that was renamed, or a service name written the way the console spells it rather than its prefix. In a Deny or NotAction, the typo quietly removes a protection. Fix the spelling; `iampath explain` and the service reference list the real names.

Bad:

```json
{"Effect": "Allow", "Action": ["s3:GetObjects", "dynamo:GetItem"], "Resource": "*"}
```

Good:

```json
{"Effect": "Allow", "Action": ["s3:GetObject", "dynamodb:GetItem"], "Resource": "*"}
```"#;

/// Actions AWS itself writes into the default policies it generates (the SNS
/// default topic policy's `SNS:Receive`) although the service reference lists no
/// such action: not the author's typo.
const AWS_DEFAULTS: &[&str] = &["sns:Receive"];

/// What is wrong with an action value, or `None`.
fn problem(text: &str) -> Option<String> {
    if text == "*" || AWS_DEFAULTS.iter().any(|a| a.eq_ignore_ascii_case(text)) {
        return None;
    }
    let Some((service, _)) = text.split_once(':') else {
        return Some(format!(
            "`{text}` is not of the form `service:Action`: it matches no action"
        ));
    };
    if service.contains(['*', '?']) {
        return None;
    }
    if catalog::service(service).is_none() {
        return Some(format!(
            "`{service}` in `{text}` is not a service prefix AWS knows: the value matches no action (a typo?)"
        ));
    }
    if catalog::expand_action_pattern(text).is_empty() {
        return Some(format!(
            "`{text}` matches no {service} action in AWS's service reference: it grants nothing (a typo?)"
        ));
    }
    None
}

impl Rule for UnknownAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::All
    }

    fn check_statement(
        &self,
        _cx: &Context,
        site: &PolicySite,
        st: &Statement,
        out: &mut Vec<Finding>,
    ) {
        for v in st.action.iter().flat_map(|a| &a.values) {
            let Some(why) = problem(&v.value) else {
                continue;
            };
            out.push(
                META.finding_in(site, st)
                    .at(v.span)
                    .message(format!("{}: {why}", site.label()))
                    .build(),
            );
        }
    }
}
