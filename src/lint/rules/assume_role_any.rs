//! `assume-role-any`: an identity policy allows `sts:AssumeRole` on any role of any
//! account.

use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::Statement;
use crate::policy::arn::Arn;
use crate::policy::pattern::{CaseMode, Pattern};

use super::util::is_allow;

pub struct AssumeRoleAny;

static META: RuleMeta = RuleMeta {
    id: "assume-role-any",
    severity: Severity::High,
    summary: "an identity policy allows `sts:AssumeRole` on `*` or on roles of any account",
    doc: DOC,
};

const DOC: &str = r#"An identity policy allows `sts:AssumeRole` (directly, or through `sts:*`, `sts:Assume*` or `*`) on `"Resource": "*"` or on a role pattern whose account is a wildcard (`arn:aws:iam::*:role/…`). The principal can then assume every role, in any account, whose trust policy admits it or its account, today and in the future: the reach of the grant is decided by other people's trust policies, not by this one. Name the roles (with their account IDs) the principal is meant to use.

Bad:

```json
{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/CrossAccountReadOnlyRole"}
```

Good:

```json
{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/CrossAccountReadOnlyRole"}
```"#;

/// Why a Resource value names roles of any account, or `None`.
fn any_account(value: &str) -> Option<&'static str> {
    if value == "*" {
        return Some("every role of every account");
    }
    if let Some(a) = Arn::parse(value) {
        let service = Pattern::new(a.service, CaseMode::Insensitive);
        let resource = Pattern::new(a.resource, CaseMode::Sensitive);
        let prefix = resource.literal_prefix();
        let role_like = prefix.starts_with("role/") || "role/".starts_with(prefix);
        return (service.matches("iam") && a.account.contains(['*', '?']) && role_like)
            .then_some("roles of any account");
    }
    // Not six components: matched as text, where a `*` crosses colons.
    let text = Pattern::new(value, CaseMode::Sensitive);
    let probes = [
        "arn:aws:iam::111111111111:role/any",
        "arn:aws:iam::999999999999:role/any",
    ];
    probes
        .iter()
        .all(|p| text.matches(p))
        .then_some("roles of any account")
}

impl Rule for AssumeRoleAny {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::IDENTITY
    }

    fn check_statement(
        &self,
        _cx: &Context,
        site: &PolicySite,
        st: &Statement,
        out: &mut Vec<Finding>,
    ) {
        if !is_allow(st) {
            return;
        }
        let Some(actions) = &st.action else {
            return;
        };
        let named = actions
            .values
            .iter()
            .find(|v| Pattern::new(v, CaseMode::Insensitive).matches("sts:AssumeRole"));
        let action_text = match (actions.negated, named) {
            (false, Some(v)) => v.value.clone(),
            (true, None) => "everything but the listed NotAction".to_string(),
            _ => return,
        };
        let Some(resources) = st.resource.as_ref().filter(|r| !r.negated) else {
            return;
        };
        let via = if action_text.eq_ignore_ascii_case("sts:AssumeRole") {
            String::new()
        } else {
            format!(" (through `{action_text}`)")
        };
        for v in &resources.values {
            let Some(what) = any_account(&v.value) else {
                continue;
            };
            let message = format!(
                "{} allows sts:AssumeRole{via} on `{}`: {what} whose trust policy admits the principal can be assumed; name the roles instead",
                site.label(),
                v.value
            );
            out.push(
                META.finding_in(site, st)
                    .at(v.span)
                    .message(message)
                    .build(),
            );
        }
    }
}
