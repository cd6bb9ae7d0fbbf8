//! `dangling-principal`: a bare unique ID where a principal ARN belongs.

use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::{ConditionValue, PrincipalKind, Statement};

use super::util::is_unique_id;

pub struct DanglingPrincipal;

static META: RuleMeta = RuleMeta {
    id: "dangling-principal",
    severity: Severity::Low,
    summary: "a policy names a bare unique ID (AROA…/AIDA…): a deleted principal",
    doc: DOC,
};

const DOC: &str = r#"A `Principal` (or an `aws:PrincipalArn` condition value) is a bare unique ID such as `AROAVYDLTOJL5J4TXDY2G` instead of an ARN. IAM rewrites a principal ARN to the entity's unique ID when the user or role is deleted, so the statement now names a principal that no longer exists; it matches nobody, not even a new principal created with the same name. Remove the entry, or name the current principal by its ARN.

Bad:

```json
{"Effect": "Allow", "Principal": {"AWS": "AROAVYDLTOJL5J4TXDY2G"}, "Action": "sts:AssumeRole"}
```

Good:

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Deployer"}, "Action": "sts:AssumeRole"}
```"#;

impl Rule for DanglingPrincipal {
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
        let entries = st
            .principal
            .iter()
            .flat_map(|p| &p.entries)
            .filter(|e| matches!(e.kind, PrincipalKind::Aws))
            .map(|e| (&e.value.value, e.value.span, "Principal"));
        let conditions = st
            .conditions
            .iter()
            .filter(|c| c.key.value.eq_ignore_ascii_case("aws:PrincipalArn"))
            .flat_map(|c| &c.values)
            .filter_map(|v| match &v.value {
                ConditionValue::String(s) => Some((s, v.span, "aws:PrincipalArn condition")),
                _ => None,
            });
        for (value, span, place) in entries.chain(conditions) {
            if !is_unique_id(value) {
                continue;
            }
            let message = format!(
                "{} names `{value}` in its {place}: a bare unique ID is what IAM leaves when the principal was deleted; it matches nobody, not even a new principal of the same name",
                site.label()
            );
            out.push(META.finding_in(site, st).at(span).message(message).build());
        }
    }
}
