//! `trust-account-root`: a trust policy trusts a whole account.

use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::{PrincipalKind, Statement};

use super::util::{admitted, is_admin, node, whole_account};

pub struct TrustAccountRoot;

static META: RuleMeta = RuleMeta {
    id: "trust-account-root",
    severity: Severity::Medium,
    summary: "a trust policy trusts a whole account (`:root` or a bare account ID)",
    doc: DOC,
};

const DOC: &str = r#"A role's trust policy names a whole account (`arn:aws:iam::111122223333:root` or the bare ID `111122223333`). That delegates the decision to the trusted account: every user and role there whose own policies allow `sts:AssumeRole` on the role can assume it, including principals created later. Medium for another loaded account (low for the role's own account); one level higher when the trusted account is outside the loaded data (its policies cannot be checked), and one more when the role is admin-equivalent (an identity policy allows `*` on `*`, such as `AdministratorAccess`). Name the principals that need the role instead, or limit the statement with `aws:PrincipalArn`.

Bad:

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}
```

Good:

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/DeployRole"}, "Action": "sts:AssumeRole"}
```"#;

impl Rule for TrustAccountRoot {
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
        for e in admitted(st) {
            if e.kind != PrincipalKind::Aws {
                continue;
            }
            let Some(account) = whole_account(&e.value.value) else {
                continue;
            };
            let own = site.account == Some(account);
            let mut severity = if own { Severity::Low } else { META.severity };
            let mut why = if own {
                format!(
                    "trusts its own account {account} as a whole: every principal of the account whose policies allow sts:AssumeRole on it can assume it"
                )
            } else if cx.is_loaded(account) {
                format!(
                    "trusts account {account} as a whole: every principal there whose policies allow sts:AssumeRole on it can assume it"
                )
            } else {
                severity = severity.raise();
                format!(
                    "trusts account {account}, which is not in the loaded data, as a whole: any principal there that its administrators allow can assume it"
                )
            };
            if node(cx.graph, &site.subject).is_some_and(is_admin) {
                severity = severity.raise();
                why.push_str(", and the role is admin-equivalent");
            }
            let message = format!(
                "the trust policy of `{}` {why}; name the principals that need it",
                site.subject
            );
            out.push(
                META.finding_in(site, st)
                    .severity(severity)
                    .at(e.value.span)
                    .other_account((!own).then_some(account))
                    .message(message)
                    .build(),
            );
        }
    }
}
