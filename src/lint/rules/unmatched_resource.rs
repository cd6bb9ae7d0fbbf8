//! `unmatched-resource`: a Resource value that can match nothing that exists or
//! could exist.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use crate::catalog;
use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::memo::Memo;
use crate::model::{Statement, is_account_id};
use crate::policy::arn::Arn;
use crate::policy::pattern::{CaseMode, Pattern};

pub struct UnmatchedResource;

static META: RuleMeta = RuleMeta {
    id: "unmatched-resource",
    severity: Severity::Medium,
    summary: "a Resource ARN that can match nothing (no name, malformed, or an impossible shape)",
    doc: DOC,
};

const DOC: &str = r#"A `Resource` (or `NotResource`) value can match nothing that exists or could exist: an IAM ARN whose resource part has no name (`arn:aws:iam::111122223333:role`, `…:user/`), a malformed ARN (not six colon-separated components, an unknown partition, an account that is not 12 digits), a value that is not an ARN at all, or an ARN of a known service whose shape fits none of the service's resource types. IAM accepts the policy, but the statement grants nothing (or, in NotResource, excludes nothing), so whatever it was written for silently does not work. Values with wildcards or policy variables are checked only where the answer is certain.

Bad:

```json
{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role"}
```

Good:

```json
{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/CrossAccountRoleS3"}
```"#;

/// AWS partitions (decision-rules §3.3 and the isolated ones).
const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Every service name that appears in an ARN format of the service reference
/// (ARN service names are not always action prefixes). Decodes every service, once.
fn arn_services() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        catalog::service_prefixes()
            .into_iter()
            .filter_map(catalog::service)
            .flat_map(|s| &s.resource_types)
            .flat_map(|r| &r.arn_formats)
            .filter_map(|f| Arn::parse(f).map(|a| a.service.to_ascii_lowercase()))
            .collect()
    })
}

fn known_service(service: &str) -> bool {
    catalog::service(service).is_some() || arn_services().contains(&service.to_ascii_lowercase())
}

/// `${Name}` placeholders of an ARN format as `*`.
fn format_glob(format: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or_default());
        out.push('*');
        rest = match rest.get(i..).and_then(|r| r.find('}')) {
            Some(j) => rest.get(i + j + 1..).unwrap_or_default(),
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// True when a literal ARN fits one of the service's resource types (or when the
/// service reference gives no shapes to compare with).
fn fits_a_resource_type(arn: &Arn, text: &str) -> bool {
    let shapes = resource_shapes(arn.service);
    shapes.is_empty() || shapes.iter().any(|p| p.matches(text))
}

/// The ARN formats of a service's resource types as patterns, made once per service
/// (a policy of every principal names `s3` or `iam` resources).
fn resource_shapes(service: &str) -> Arc<Vec<Pattern>> {
    static SHAPES: Memo<String, Arc<Vec<Pattern>>> = Memo::new();
    SHAPES.get_or(service, || {
        Arc::new(
            catalog::service(service)
                .into_iter()
                .flat_map(|s| &s.resource_types)
                .flat_map(|r| &r.arn_formats)
                .filter(|f| Arn::parse(f).is_some_and(|a| a.service.eq_ignore_ascii_case(service)))
                .map(|f| Pattern::new(&format_glob(f), CaseMode::Insensitive))
                .collect(),
        )
    })
}

/// Why a Resource value matches nothing, or `None` when it may match something.
fn problem(text: &str) -> Option<String> {
    if text == "*" || text.contains("${") {
        return None;
    }
    let wild = text.contains(['*', '?']);
    if !text.starts_with("arn:") {
        return (!wild)
            .then(|| format!("`{text}` is not an ARN (nor `*`): it matches no resource"));
    }
    let Some(a) = Arn::parse(text) else {
        let n = text.split(':').count();
        return (!wild).then(|| {
            format!(
                "`{text}` has {n} components where an ARN has six (arn:partition:service:region:account:resource): it matches no resource"
            )
        });
    };
    if !a.partition.contains(['*', '?']) && !PARTITIONS.contains(&a.partition) {
        return Some(format!(
            "`{text}` has the unknown partition `{}` (expected aws, aws-cn, aws-us-gov …): it matches no resource",
            a.partition
        ));
    }
    if a.service.is_empty() {
        return Some(format!("`{text}` has no service: it matches no resource"));
    }
    if !a.service.contains(['*', '?']) && !known_service(a.service) {
        return Some(format!(
            "`{text}` names the service `{}`, which AWS's service reference does not know: it matches no resource",
            a.service
        ));
    }
    if !a.account.is_empty()
        && !a.account.contains(['*', '?'])
        && a.account != "aws"
        && !is_account_id(a.account)
    {
        return Some(format!(
            "`{text}` has the account `{}`, which is not a 12-digit account ID: it matches no resource",
            a.account
        ));
    }
    if a.service.eq_ignore_ascii_case("iam") && !a.resource.contains(['*', '?']) {
        if a.resource == "root" {
            return None;
        }
        let (kind, name) = match a.resource.split_once('/') {
            Some((k, rest)) => (k, rest.rsplit('/').next().unwrap_or_default()),
            None => (a.resource, ""),
        };
        if name.is_empty() {
            let kind = if kind.is_empty() { "resource" } else { kind };
            return Some(format!(
                "`{text}` names no {kind}, only the resource type: it matches no {kind} (add the name, e.g. `{}/NAME`)",
                text.trim_end_matches('/')
            ));
        }
    }
    if !wild && !fits_a_resource_type(&a, text) {
        return Some(format!(
            "`{text}` fits none of the ARN formats of {}'s resource types: it matches no resource",
            a.service
        ));
    }
    None
}

impl Rule for UnmatchedResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::All
    }

    fn check_statement(
        &self,
        _cx: &Context,
        site: &PolicySite,
        st: &Statement,
        out: &mut Vec<Finding>,
    ) {
        let Some(block) = &st.resource else {
            return;
        };
        let effect = if block.negated {
            "; as a NotResource value it excludes nothing"
        } else {
            ""
        };
        for v in &block.values {
            let Some(why) = problem(&v.value) else {
                continue;
            };
            out.push(
                META.finding_in(site, st)
                    .at(v.span)
                    .message(format!("{}: {why}{effect}", site.label()))
                    .build(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(problem("arn:aws:iam::472643299612:role").is_some());
        assert!(problem("arn:aws:iam::472643299612:role/").is_some());
        assert!(problem("arn:aws:iam::472643299612:role/x").is_none());
        assert!(problem("arn:aws:iam::472643299612:root").is_none());
        assert!(problem("arn:aws:iam::*:role/x").is_none());
        assert!(problem("arn:aws:s3:::bucket").is_none());
        assert!(problem("arn:aws:s3:::bucket/*").is_none());
        assert!(problem("arn:aws:s3::bucket").is_some());
        assert!(problem("arn:awz:s3:::bucket").is_some());
        assert!(problem("arn:aws:sqs:us-east-1:12345:q").is_some());
        assert!(problem("bucket").is_some());
        assert!(problem("arn:aws:iam::${aws:userid}:role").is_none());
        assert!(problem("arn:aws:lambda:us-east-1:111111111111:function:f").is_none());
        assert_eq!(
            format_glob("arn:${Partition}:s3:::${BucketName}"),
            "arn:*:s3:::*"
        );
    }
}
