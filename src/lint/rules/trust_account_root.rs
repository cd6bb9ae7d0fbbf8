//! `trust-account-root`: a trust policy trusts a whole account.

use crate::graph::{Graph, NodeKind};
use crate::lint::sites::Owner;
use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::{PrincipalEntry, PrincipalKind, Span, Statement};

use super::util::{admitted, admitted_compiled, compiled_label, is_admin, whole_account};

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

    /// Standalone trust documents; the trust policies of loaded roles are read from
    /// the graph, which knows whether the role is admin-equivalent.
    fn check_statement(
        &self,
        cx: &Context,
        site: &PolicySite,
        st: &Statement,
        out: &mut Vec<Finding>,
    ) {
        if site.owner == Owner::Role {
            return;
        }
        let trust = Trust {
            role: site.subject,
            account: site.account,
            admin: false,
        };
        let at = (st.label(), st.span);
        check(cx, &trust, at, admitted(st), out);
    }

    fn check_graph(&self, cx: &Context, graph: &Graph, out: &mut Vec<Finding>) {
        for role in &graph.world.principals {
            // A changed copy (an escalation) has the trust policy of its role.
            if role.kind != NodeKind::Role || role.base.is_some() {
                continue;
            }
            let Some(policy) = role.trust.as_deref() else {
                continue;
            };
            let trust = Trust {
                role: &role.id,
                account: role.account.as_deref(),
                admin: is_admin(role),
            };
            for st in &policy.statements {
                let at = (compiled_label(st), st.span);
                check(cx, &trust, at, admitted_compiled(st), out);
            }
        }
    }
}

/// The role a trust policy belongs to.
struct Trust<'a> {
    /// Its ARN (empty for a standalone document).
    role: &'a str,
    account: Option<&'a str>,
    admin: bool,
}

/// The findings of one statement (its label and place) that admits `entries`.
fn check(
    cx: &Context,
    trust: &Trust,
    (statement, span): (String, Span),
    entries: &[PrincipalEntry],
    out: &mut Vec<Finding>,
) {
    for e in entries {
        if e.kind != PrincipalKind::Aws {
            continue;
        }
        let Some(account) = whole_account(&e.value.value) else {
            continue;
        };
        let own = trust.account == Some(account);
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
        if trust.admin {
            severity = severity.raise();
            why.push_str(", and the role is admin-equivalent");
        }
        let message = format!(
            "the trust policy of `{}` {why}; name the principals that need it",
            trust.role
        );
        out.push(
            META.finding(trust.role)
                .account(trust.account)
                .statement(statement.clone())
                .at(span)
                .severity(severity)
                .at(e.value.span)
                .other_account((!own).then_some(account))
                .message(message)
                .build(),
        );
    }
}
