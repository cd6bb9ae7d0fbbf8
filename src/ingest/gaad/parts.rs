//! The parts every kind of entry shares: the head (ARN, name, path, ID, creation
//! date), inline policies, attached managed policies, the permissions boundary, tags,
//! and the dates exports print.

use crate::ingest::cx::{Cx, Fields};
use crate::ingest::diag::Problem;
use crate::ingest::policy_doc::{self, SizeLimit};
use crate::model::{InlinePolicy, PolicyKind, PolicyRef, Spanned, Tag};
use crate::policy::arn::Arn;
use crate::source::json::{Node, Value};

/// The common head of every entity: ARN, name, path, unique ID.
pub(super) struct Head {
    pub(super) arn: Spanned<String>,
    pub(super) name: String,
    pub(super) path: String,
    pub(super) id: String,
}

pub(super) fn head(
    cx: &mut Cx,
    node: &Node,
    f: &Fields,
    name_key: &'static str,
    id_key: &'static str,
    context: &str,
) -> Option<Head> {
    let Some(arn) = f.get("Arn").and_then(|n| cx.string("Arn", n)) else {
        let problem = Problem::MissingKey {
            key: "Arn",
            context: context.to_string(),
        };
        cx.report(problem, cx.node_span(node));
        return None;
    };
    let name = cx.opt_string(name_key, f.get(name_key)).map(|s| s.value);
    let name = name.unwrap_or_else(|| {
        Arn::parse(&arn)
            .map(|a| a.resource_name().to_string())
            .unwrap_or_default()
    });
    let path = cx
        .opt_string("Path", f.get("Path"))
        .map_or_else(|| "/".to_string(), |s| s.value);
    let id = cx
        .opt_string(id_key, f.get(id_key))
        .map(|s| s.value)
        .unwrap_or_default();
    if let Some(d) = f.get("CreateDate") {
        date(cx, "CreateDate", d);
    }
    Some(Head {
        arn,
        name,
        path,
        id,
    })
}

pub(super) fn inline(
    cx: &mut Cx,
    node: Option<&Node>,
    key: &str,
    limit: SizeLimit,
) -> Vec<InlinePolicy> {
    let items = cx.list(key, node);
    let mut out = Vec::with_capacity(items.len());
    for n in items {
        let Some(f) = cx.object(
            n,
            key,
            "an inline policy",
            &["PolicyName", "PolicyDocument"],
            false,
        ) else {
            continue;
        };
        let name = f
            .get("PolicyName")
            .and_then(|p| cx.string("PolicyName", p))
            .unwrap_or_else(|| Spanned::new(String::new(), cx.node_span(n)));
        let document = match f.get("PolicyDocument") {
            Some(doc) => {
                policy_doc::document(cx, "PolicyDocument", doc, PolicyKind::Identity, Some(limit))
            }
            None => {
                let problem = Problem::MissingKey {
                    key: "PolicyDocument",
                    context: format!("inline policy `{}`", name.value),
                };
                cx.report(problem, cx.node_span(n));
                None
            }
        };
        out.push(InlinePolicy { name, document });
    }
    out
}

pub(super) fn attached(cx: &mut Cx, node: Option<&Node>) -> Vec<PolicyRef> {
    let items = cx.list("AttachedManagedPolicies", node);
    let mut out = Vec::with_capacity(items.len());
    for n in items {
        let Some(f) = cx.object(
            n,
            "AttachedManagedPolicies",
            "an attached policy",
            &["PolicyName", "PolicyArn"],
            false,
        ) else {
            continue;
        };
        match f.get("PolicyArn").and_then(|a| cx.string("PolicyArn", a)) {
            Some(arn) => out.push(PolicyRef {
                arn,
                name: f.str("PolicyName").map(str::to_string),
            }),
            None => {
                let problem = Problem::MissingKey {
                    key: "PolicyArn",
                    context: "an attached policy".into(),
                };
                cx.report(problem, cx.node_span(n));
            }
        }
    }
    out
}

pub(super) fn boundary(cx: &mut Cx, node: Option<&Node>) -> Option<PolicyRef> {
    let n = node.filter(|n| !matches!(n.value, Value::Null))?;
    let f = cx.object(
        n,
        "PermissionsBoundary",
        "a permissions boundary",
        &["PermissionsBoundaryType", "PermissionsBoundaryArn"],
        false,
    )?;
    let arn = f
        .get("PermissionsBoundaryArn")
        .and_then(|a| cx.string("PermissionsBoundaryArn", a));
    if arn.is_none() {
        let problem = Problem::MissingKey {
            key: "PermissionsBoundaryArn",
            context: "a permissions boundary".into(),
        };
        cx.report(problem, cx.node_span(n));
    }
    arn.map(|arn| PolicyRef { arn, name: None })
}

pub(super) fn tags(cx: &mut Cx, node: Option<&Node>) -> Vec<Tag> {
    let items = cx.list("Tags", node);
    let mut out = Vec::with_capacity(items.len());
    for n in items {
        let Some(f) = cx.object(n, "Tags", "a tag", &["Key", "Value"], false) else {
            continue;
        };
        let key = f.get("Key").and_then(|k| cx.string("Key", k));
        let value = f.get("Value").and_then(|v| cx.string("Value", v));
        if let Some(key) = key {
            out.push(Tag {
                key: key.value,
                value: value.map(|v| v.value).unwrap_or_default(),
            });
        }
    }
    out
}

/// Checks a date as exports print it: `2014-07-30T17:09:20Z`,
/// `2023-03-09T10:41:34+00:00` or `2023-03-09 10:41:34+00:00` (fractions allowed).
fn date(cx: &mut Cx, key: &str, node: &Node) {
    let Some(s) = cx.opt_string(key, Some(node)) else {
        return;
    };
    if !is_export_date(&s.value) {
        cx.report(
            Problem::BadDate {
                key: key.to_string(),
                value: s.value.clone(),
            },
            s.span,
        );
    }
}

pub fn is_export_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let head = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10);
    if !head {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    let time = matches!(b.get(10), Some(b'T' | b' '))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    if !time {
        return false;
    }
    let mut rest = s.get(19..).unwrap_or_default();
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = frac.get(n..).unwrap_or_default();
    }
    match rest.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_dates() {
        for ok in [
            "2014-07-30T17:09:20Z",
            "2023-03-09 10:41:34+00:00",
            "2023-03-09T10:41:34.123+00:00",
            "2023-03-09",
        ] {
            assert!(is_export_date(ok), "{ok}");
        }
        for bad in [
            "yesterday",
            "2023-3-9",
            "2023-03-09T10:41",
            "2023-03-09T10:41:34+0000",
        ] {
            assert!(!is_export_date(bad), "{bad}");
        }
    }
}
