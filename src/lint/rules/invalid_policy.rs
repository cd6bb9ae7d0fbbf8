//! `invalid-policy`: the loader's errors (grammar and structure), as findings.

use crate::ingest::{Diagnostic, Severity as DiagSeverity};
use crate::lint::{Context, Finding, Rule, RuleMeta, Severity};
use crate::model::Span;

pub struct InvalidPolicy;

static META: RuleMeta = RuleMeta {
    id: "invalid-policy",
    severity: Severity::Medium,
    summary: "a policy or export the loader could not read correctly (grammar errors)",
    doc: DOC,
};

const DOC: &str = r#"The loader found an error in a policy or its file: invalid JSON, a missing or misspelt Effect, both `Action` and `NotAction`, a Principal where none is allowed, an unknown condition operator, a value of the wrong type, a policy an export attaches but does not hold. AWS would reject most of these documents, and for the rest iampath (and a reader) cannot tell what they grant. The message names the problem; fix the document. Load warnings are not findings, and problems a dedicated rule reports (`notprincipal-allow`) are left to that rule.

Bad:

```json
{"Effect": "allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
```

Good:

```json
{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
```"#;

/// Diagnostic codes another rule reports.
const COVERED: &[&str] = &["notprincipal-allow"];

fn contains(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.start <= inner.start && inner.end <= outer.end
}

/// What a diagnostic is about: subject (ARN), account and statement, when known.
struct Owner {
    subject: String,
    account: Option<String>,
    statement: Option<String>,
}

fn owner(cx: &Context, d: &Diagnostic) -> Owner {
    let site = cx
        .sites
        .iter()
        .filter(|s| contains(s.policy.span, d.span))
        .min_by_key(|s| s.policy.span.end - s.policy.span.start);
    if let Some(s) = site {
        let statement = s
            .policy
            .statements
            .iter()
            .find(|st| contains(st.span, d.span))
            .map(|st| st.label());
        return Owner {
            subject: s.subject.to_string(),
            account: s.account.map(str::to_string),
            statement,
        };
    }
    for a in cx.model.accounts.values() {
        let entity = a
            .users
            .iter()
            .map(|u| (u.span, &u.arn.value))
            .chain(a.groups.iter().map(|g| (g.span, &g.arn.value)))
            .chain(a.roles.iter().map(|r| (r.span, &r.arn.value)))
            .filter(|(span, _)| contains(*span, d.span))
            .min_by_key(|(span, _)| span.end - span.start);
        let resource = || {
            a.resources
                .iter()
                .find(|r| r.span.file == d.span.file)
                .map(|r| &r.arn)
        };
        if let Some(arn) = entity.map(|(_, arn)| arn).or_else(resource) {
            return Owner {
                subject: arn.clone(),
                account: Some(a.id.clone()),
                statement: None,
            };
        }
    }
    Owner {
        subject: String::new(),
        account: None,
        statement: None,
    }
}

impl Rule for InvalidPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let errors = cx
            .diagnostics
            .iter()
            .filter(|d| d.severity() == DiagSeverity::Error && !COVERED.contains(&d.code()));
        for d in errors {
            let o = owner(cx, d);
            let mut b = META.finding(o.subject).account(o.account.as_deref());
            if let Some(st) = o.statement {
                b = b.statement(st);
            }
            out.push(
                b.at(d.span)
                    .message(format!("{} ({})", d.problem, d.code()))
                    .build(),
            );
        }
    }
}
