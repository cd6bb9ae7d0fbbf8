//! `resource-star`: an identity-policy Allow on `Resource "*"` for actions that could
//! be scoped to specific resources.

use crate::catalog::AccessLevel;
use crate::eval::actions::covered_actions;
use crate::eval::compile;
use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};

use super::util::{is_allow, level_rank};

pub struct ResourceStar;

static META: RuleMeta = RuleMeta {
    id: "resource-star",
    severity: Severity::Medium,
    summary: "an identity policy allows actions that support resource-level permissions on `Resource \"*\"`",
    doc: DOC,
};

const DOC: &str = r#"An identity policy (an inline policy of a user, group or role, or a customer-managed policy) allows actions on `"Resource": "*"` although those actions support resource-level permissions: the grant reaches every bucket, key, role or table of the account instead of the ones the principal needs. Actions that accept only `*` (such as `s3:ListAllMyBuckets` or `ec2:DescribeInstances`) are not findings, since no narrower Resource exists for them. `sts:AssumeRole` on `*` is left to `assume-role-any`. The severity follows the highest access level among the scopable actions: permissions management is high, write is medium, read, list and tagging are low.

Bad:

```json
{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}
```

Good:

```json
{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::app-uploads/*"}
```"#;

impl Rule for ResourceStar {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::IDENTITY
    }

    fn check_site(&self, _cx: &Context, site: &PolicySite, out: &mut Vec<Finding>) {
        let compiled = compile(site.policy, site.label());
        for (st, cst) in site.policy.statements.iter().zip(&compiled.statements) {
            if !is_allow(st) {
                continue;
            }
            let span = match &st.resource {
                None => st.span,
                Some(r) if r.negated => continue,
                Some(r) => match r.values.iter().find(|v| v.value == "*") {
                    Some(v) => v.span,
                    None => continue,
                },
            };
            let scoped: Vec<_> = covered_actions(cst)
                .into_iter()
                .filter(|a| !a.accepts_only_star())
                // `sts:AssumeRole` on `*` is `assume-role-any`'s finding.
                .filter(|a| !(a.service == "sts" && a.name == "AssumeRole"))
                .collect();
            let Some(level) = scoped
                .iter()
                .map(|a| a.access_level)
                .max_by_key(|l| level_rank(*l))
            else {
                continue;
            };
            // The severity follows the access level (the rule's default is write's).
            let severity = match level {
                AccessLevel::PermissionsManagement => Severity::High,
                AccessLevel::Write => Severity::Medium,
                _ => Severity::Low,
            };
            let examples: Vec<String> = scoped
                .iter()
                .filter(|a| a.access_level == level)
                .take(3)
                .map(|a| a.full_name())
                .collect();
            let count = scoped.len();
            let what = if count == 1 {
                "1 action that supports".to_string()
            } else {
                format!("{count} actions that support")
            };
            let message = format!(
                "{} allows {what} resource-level permissions on `\"Resource\": \"*\"` (highest access level: {}, e.g. {}): name the resources instead",
                site.label(),
                level.as_str().to_ascii_lowercase(),
                examples.join(", ")
            );
            out.push(
                META.finding_in(site, st)
                    .severity(severity)
                    .at(span)
                    .message(message)
                    .build(),
            );
        }
    }
}
