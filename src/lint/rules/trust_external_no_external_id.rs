//! `trust-external-no-external-id`: trust to an account outside the loaded data
//! without an `sts:ExternalId` condition.

use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::{PrincipalKind, Statement};

use super::util::{admitted, has_condition_key, principal_account};

pub struct TrustExternalNoExternalId;

static META: RuleMeta = RuleMeta {
    id: "trust-external-no-external-id",
    severity: Severity::High,
    summary: "a trust policy admits an account outside the loaded data without `sts:ExternalId`",
    doc: DOC,
};

const DOC: &str = r#"A role's trust policy admits an account that is not part of the loaded data (or a principal of such an account), typically a vendor, without an `sts:ExternalId` condition. A third party that assumes roles for many customers can be tricked by another customer into using its access to this role (the confused deputy problem); the external ID the vendor issues to this customer prevents that. Add the `sts:ExternalId` condition with the value the vendor gave you, or, if the account is your own, load its data.

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
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::TRUST
    }

    fn check_statement(
        &self,
        cx: &Context,
        site: &PolicySite,
        st: &Statement,
        out: &mut Vec<Finding>,
    ) {
        if has_condition_key(st, &["sts:ExternalId"]) {
            return;
        }
        for e in admitted(st) {
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
                META.finding_in(site, st)
                    .at(e.value.span)
                    .other_account(Some(account))
                    .message(message)
                    .build(),
            );
        }
    }
}
