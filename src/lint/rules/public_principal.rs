//! `public-principal`: `Principal "*"` without a condition that makes the grant
//! non-public (decision-rules §7.4).

use crate::eval::compile;
use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::{KNOWN_AFTER_APPLY, PolicyKind};

use super::util::{actions_text, admitted, is_everyone};

pub struct PublicPrincipal;

static META: RuleMeta = RuleMeta {
    id: "public-principal",
    severity: Severity::High,
    summary: "a trust or resource policy grants to `Principal \"*\"` without a limiting condition",
    doc: DOC,
};

const DOC: &str = r#"A trust or resource policy allows `"Principal": "*"` (or `{"AWS": "*"}`) without a condition that limits it to fixed values of `aws:SourceIp`, `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:PrincipalArn` or `s3:x-amz-server-side-encryption-aws-kms-key-id` (S3's definition of public). Anyone, in any AWS account or anonymously, gets the granted actions. Critical for trust policies (anyone can assume the role), high for resource policies.

Bad:

```json
{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:jobs"}
```

Good:

```json
{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:jobs",
 "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
```"#;

impl Rule for PublicPrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::Kinds(&[PolicyKind::Trust, PolicyKind::Resource])
    }

    fn check_site(&self, _cx: &Context, site: &PolicySite, out: &mut Vec<Finding>) {
        let compiled = compile(site.policy, site.label());
        for (st, cst) in site.policy.statements.iter().zip(&compiled.statements) {
            if !cst.public {
                continue;
            }
            let Some(e) = admitted(st).iter().find(|e| is_everyone(e)) else {
                continue;
            };
            let b = META.finding_in(site, st).at(e.value.span);
            // A proposed change whose principal (or another value) is known only once
            // deployed: `*` stands for what it may be.
            let later = st
                .conditions
                .iter()
                .find(|c| c.key.value.eq_ignore_ascii_case(KNOWN_AFTER_APPLY))
                .and_then(|c| c.values.first())
                .map(|v| v.value.as_text().unwrap_or_default().to_string());
            let (admits, grants) = match &later {
                Some(_) => ("may admit everyone", "may grant"),
                None => ("admits everyone", "grants"),
            };
            let why = later.map_or_else(String::new, |w| {
                format!(" (a value of the statement is known only once deployed: {w})")
            });
            let b = if site.kind() == PolicyKind::Trust {
                b.severity(Severity::Critical).message(format!(
                    "the trust policy of `{}` {admits} (`Principal \"*\"`) with no condition limiting it to known accounts or sources: anyone can assume the role{why}",
                    site.subject
                ))
            } else {
                b.message(format!(
                    "{} {grants} {} to everyone (`Principal \"*\"`) with no condition limiting it to known accounts, networks or sources: the resource is public{why}",
                    site.label(),
                    actions_text(st)
                ))
            };
            out.push(b.build());
        }
    }
}
