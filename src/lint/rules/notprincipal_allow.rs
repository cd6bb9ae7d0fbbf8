//! `notprincipal-allow`: an Allow with `NotPrincipal`.

use crate::lint::{Context, Finding, Rule, Severity};

use super::util::{GRANTING_KINDS, builder, is_allow, sites};

pub struct NotPrincipalAllow;

impl NotPrincipalAllow {
    pub const ID: &'static str = "notprincipal-allow";
}

pub const DOC: &str = r#"An Allow statement uses `NotPrincipal`: it grants to every principal in every account, anonymous callers included, except the few it lists. AWS rejects this combination in most policy types, and where it is accepted it is almost never what was meant. Name the principals that should have access in `Principal` instead.

Bad:

```json
{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/mallory"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
```

Good:

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Reporting"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
```"#;

impl Rule for NotPrincipalAllow {
    fn id(&self) -> &'static str {
        Self::ID
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn summary(&self) -> &'static str {
        "an Allow statement uses `NotPrincipal` (grants to everyone not listed)"
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let mut out = Vec::new();
        for site in sites(cx, GRANTING_KINDS) {
            for st in &site.policy.statements {
                let Some(p) = st.principal.as_ref().filter(|p| p.negated) else {
                    continue;
                };
                if !is_allow(st) {
                    continue;
                }
                let message = format!(
                    "{} allows with NotPrincipal: every principal of every account, anonymous callers included, is granted except those listed",
                    site.label
                );
                out.push(
                    builder(Self::ID, Severity::High, site, st)
                        .at(p.span)
                        .message(message)
                        .build(),
                );
            }
        }
        out
    }
}
