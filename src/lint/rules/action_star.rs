//! `action-star`: `"*"` or `service:*` in the Action of an Allow.

use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::{PolicyKind, PrincipalKind, Statement};

use super::util::{is_allow, whole_account};

pub struct ActionStar;

static META: RuleMeta = RuleMeta {
    id: "action-star",
    severity: Severity::High,
    summary: "an Allow grants `\"*\"` or `service:*` actions",
    doc: DOC,
};

const DOC: &str = r#"An Allow statement of an identity or resource policy names every action (`"*"`) or every action of a service (`"s3:*"`). Wildcard grants silently include actions the author never thought about, among them those AWS adds later, and usually far more than the principal needs. `"*"` is high; `"service:*"` is medium. AWS-managed policies and organization policies (where `Allow *` is the default filter) are not checked, nor resource-policy statements that name only the resource's own account (such as the default KMS key policy): those delegate to the account's identity policies, which are checked themselves.

Bad:

```json
{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}
```

Good:

```json
{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::reports/*"}
```"#;

/// `*`, `*:*`, `**`: every action of every service.
fn is_everything(v: &str) -> bool {
    !v.is_empty() && v.chars().all(|c| c == '*' || c == ':') && v.matches(':').count() <= 1
}

/// A resource policy that names only its own account delegates to that account's
/// identity policies (the default KMS key policy): they decide.
fn delegates_to_own_account(site: &PolicySite, st: &Statement) -> bool {
    site.kind() == PolicyKind::Resource
        && st.principal.as_ref().is_some_and(|p| {
            !p.negated
                && !p.entries.is_empty()
                && p.entries.iter().all(|e| {
                    e.kind == PrincipalKind::Aws
                        && site.account.is_some()
                        && whole_account(&e.value.value) == site.account
                })
        })
}

impl Rule for ActionStar {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::Kinds(&[PolicyKind::Identity, PolicyKind::Resource])
    }

    fn check_statement(
        &self,
        _cx: &Context,
        site: &PolicySite,
        st: &Statement,
        out: &mut Vec<Finding>,
    ) {
        if !is_allow(st) || delegates_to_own_account(site, st) {
            return;
        }
        let Some(actions) = st.action.as_ref().filter(|a| !a.negated) else {
            return;
        };
        for v in &actions.values {
            let text = v.value.as_str();
            let b = META.finding_in(site, st).at(v.span);
            let b = if is_everything(text) {
                b.message(format!(
                    "{} allows every action of every service (`\"{text}\"`): list the actions the principal needs",
                    site.label()
                ))
            } else if let Some(service) = text
                .strip_suffix(":*")
                .filter(|s| !s.is_empty() && !s.contains(['*', '?']))
            {
                b.severity(Severity::Medium).message(format!(
                    "{} allows every {service} action (`\"{text}\"`), including those AWS adds later: list the actions the principal needs",
                    site.label()
                ))
            } else {
                continue;
            };
            out.push(b.build());
        }
    }
}
