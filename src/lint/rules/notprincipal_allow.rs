//! `notprincipal-allow`: an Allow with `NotPrincipal`.

use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::Statement;

use super::util::is_allow;

pub struct NotPrincipalAllow;

static META: RuleMeta = RuleMeta {
    id: "notprincipal-allow",
    severity: Severity::High,
    summary: "an Allow statement uses `NotPrincipal` (grants to everyone not listed)",
    doc: DOC,
};

const DOC: &str = r#"An Allow statement uses `NotPrincipal`: it grants to every principal in every account, anonymous callers included, except the few it lists. AWS rejects this combination in most policy types, and where it is accepted it is almost never what was meant. Name the principals that should have access in `Principal` instead.

Bad:

```json
{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/mallory"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
```

Good:

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Reporting"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
```"#;

impl Rule for NotPrincipalAllow {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::GRANTING
    }

    fn check_statement(
        &self,
        _cx: &Context,
        site: &PolicySite,
        st: &Statement,
        out: &mut Vec<Finding>,
    ) {
        let Some(p) = st.principal.as_ref().filter(|p| p.negated) else {
            return;
        };
        if !is_allow(st) {
            return;
        }
        let message = format!(
            "{} allows with NotPrincipal: every principal of every account, anonymous callers included, is granted except those listed",
            site.label()
        );
        out.push(
            META.finding_in(site, st)
                .at(p.span)
                .message(message)
                .build(),
        );
    }
}
