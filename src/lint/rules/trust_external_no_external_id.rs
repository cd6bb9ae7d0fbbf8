//! `trust-external-no-external-id`: trust to an account outside the loaded data
//! without an `sts:ExternalId` condition.

use crate::lint::{Context, Finding, Rule, Severity};
use crate::model::PrincipalKind;

use super::util::{builder, has_condition_key, is_allow, principal_account, trust_sites};

pub struct TrustExternalNoExternalId;

impl TrustExternalNoExternalId {
    pub const ID: &'static str = "trust-external-no-external-id";
}

pub const DOC: &str = r#"A role's trust policy admits an account that is not part of the loaded data (or a principal of such an account), typically a vendor, without an `sts:ExternalId` condition. A third party that assumes roles for many customers can be tricked by another customer into using its access to this role (the confused deputy problem); the external ID the vendor issues to this customer prevents that. Add the `sts:ExternalId` condition with the value the vendor gave you, or, if the account is your own, load its data.

Bad:

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}
```

Good:

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole",
 "Condition": {"StringEquals": {"sts:ExternalId": "d41d8cd98f00b204"}}}
```"#;

impl Rule for TrustExternalNoExternalId {
    fn id(&self) -> &'static str {
        Self::ID
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn summary(&self) -> &'static str {
        "a trust policy admits an account outside the loaded data without `sts:ExternalId`"
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let mut out = Vec::new();
        for site in trust_sites(cx) {
            for st in &site.policy.statements {
                if !is_allow(st) || has_condition_key(st, &["sts:ExternalId"]) {
                    continue;
                }
                let Some(principal) = st.principal.as_ref().filter(|p| !p.negated) else {
                    continue;
                };
                for e in &principal.entries {
                    if e.kind != PrincipalKind::Aws {
                        continue;
                    }
                    let Some(account) = principal_account(&e.value.value) else {
                        continue;
                    };
                    if cx.is_loaded(account) {
                        continue;
                    }
                    let message = format!(
                        "the trust policy of `{}` admits `{}` of account {account}, which is outside the loaded data, without an sts:ExternalId condition (confused deputy)",
                        site.subject, e.value.value
                    );
                    out.push(
                        builder(Self::ID, Severity::High, site, st)
                            .at(e.value.span)
                            .other_account(Some(account))
                            .message(message)
                            .build(),
                    );
                }
            }
        }
        out
    }
}
