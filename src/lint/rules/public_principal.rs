//! `public-principal`: `Principal "*"` without a condition that makes the grant
//! non-public (iam-semantics §7.4).

use crate::eval::compile;
use crate::lint::{Context, Finding, Rule, Severity};
use crate::model::PolicyKind;

use super::util::{builder, is_allow, is_everyone, sites};

pub struct PublicPrincipal;

impl PublicPrincipal {
    pub const ID: &'static str = "public-principal";
}

pub const DOC: &str = r#"A trust or resource policy allows `"Principal": "*"` (or `{"AWS": "*"}`) without a condition that limits it to fixed values of `aws:SourceIp`, `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:PrincipalArn` or `s3:x-amz-server-side-encryption-aws-kms-key-id` (S3's definition of public). Anyone, in any AWS account or anonymously, gets the granted actions. Critical for trust policies (anyone can assume the role), high for resource policies.

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
    fn id(&self) -> &'static str {
        Self::ID
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn summary(&self) -> &'static str {
        "a trust or resource policy grants to `Principal \"*\"` without a limiting condition"
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let mut out = Vec::new();
        for site in sites(cx, &[PolicyKind::Trust, PolicyKind::Resource]) {
            let compiled = compile(site.policy, site.label.as_str());
            let trust = site.kind() == PolicyKind::Trust;
            for (st, cst) in site.policy.statements.iter().zip(&compiled.statements) {
                if !is_allow(st) || !cst.public {
                    continue;
                }
                let Some(principal) = st.principal.as_ref().filter(|p| !p.negated) else {
                    continue;
                };
                let Some(e) = principal.entries.iter().find(|e| is_everyone(e)) else {
                    continue;
                };
                let actions = st
                    .action
                    .as_ref()
                    .map(|a| {
                        let names: Vec<&str> = a.values.iter().map(|v| v.value.as_str()).collect();
                        let list = names.join(", ");
                        if a.negated {
                            format!("every action but {list}")
                        } else {
                            list
                        }
                    })
                    .unwrap_or_default();
                let (severity, message) = if trust {
                    (
                        Severity::Critical,
                        format!(
                            "the trust policy of `{}` admits everyone (`Principal \"*\"`) with no condition limiting it to known accounts or sources: anyone can assume the role",
                            site.subject
                        ),
                    )
                } else {
                    (
                        Severity::High,
                        format!(
                            "{} grants {actions} to everyone (`Principal \"*\"`) with no condition limiting it to known accounts, networks or sources: the resource is public",
                            site.label
                        ),
                    )
                };
                out.push(
                    builder(Self::ID, severity, site, st)
                        .at(e.value.span)
                        .message(message)
                        .build(),
                );
            }
        }
        out
    }
}
