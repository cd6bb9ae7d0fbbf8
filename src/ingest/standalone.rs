//! Policy documents outside any account folder, and IAMSpy's resource lists.
//!
//! A bare document outside the layout (a sample SCP, a policy under review) is
//! validated as the kind its name or content says and kept in `Model::standalone`;
//! it is attached to nothing, so it grants nothing.

use std::path::Path;

use super::cx::Cx;
use super::diag::Problem;
use super::policy_doc::{self, SizeLimit};
use crate::model::{Model, PolicyKind, Resource, ResourceService, is_account_id};
use crate::policy::arn::Arn;
use crate::source::json::Node;

/// Guesses a bare document's kind: the path names SCPs and RCPs; otherwise a
/// Principal makes it a resource policy (a trust policy when it only assumes roles).
pub fn guess_kind(path: &Path, doc: &Node) -> PolicyKind {
    let p = path
        .to_string_lossy()
        .to_ascii_lowercase()
        .replace(['-', ' '], "_");
    let words: Vec<&str> = p.split(['/', '\\', '_', '.']).collect();
    if words.contains(&"rcp") || p.contains("resource_control_polic") {
        return PolicyKind::ResourceControl;
    }
    if words.contains(&"scp") || p.contains("service_control_polic") {
        return PolicyKind::ServiceControl;
    }
    let statements: Vec<&Node> = match doc.get("Statement") {
        Some(s) if s.as_array().is_some() => s.as_array().unwrap_or_default().iter().collect(),
        Some(s) => vec![s],
        None => Vec::new(),
    };
    let has_principal = statements
        .iter()
        .any(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some());
    if !has_principal {
        return PolicyKind::Identity;
    }
    let assumes_only = statements.iter().all(|s| {
        let actions: Vec<&str> = match s.get("Action") {
            Some(a) => match a.as_array() {
                Some(items) => items.iter().filter_map(Node::as_str).collect(),
                None => a.as_str().into_iter().collect(),
            },
            None => Vec::new(),
        };
        !actions.is_empty()
            && actions
                .iter()
                .all(|a| a.to_ascii_lowercase().starts_with("sts:"))
    });
    if assumes_only && statements.iter().all(|s| s.get("Resource").is_none()) {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    }
}

pub fn ingest_document(cx: &mut Cx, doc: &Node, path: &Path, model: &mut Model) {
    let kind = guess_kind(path, doc);
    let limit = match kind {
        PolicyKind::ServiceControl | PolicyKind::ResourceControl => Some(SizeLimit::SCP),
        _ => None,
    };
    if let Some(p) = policy_doc::document(cx, "policy document", doc, kind, limit) {
        model.standalone.push(p);
    }
}

/// IAMSpy's resource files: `[{"Resource": ARN, "Policy": document, "Account": ID}]`.
pub fn is_resource_list(root: &Node) -> bool {
    root.as_array().is_some_and(|items| {
        !items.is_empty()
            && items
                .iter()
                .all(|i| i.get("Resource").is_some() && i.get("Policy").is_some())
    })
}

pub fn ingest_resource_list(cx: &mut Cx, root: &Node, model: &mut Model) {
    for item in root.as_array().unwrap_or_default() {
        let Some(f) = cx.object(
            item,
            "resource",
            "a resource entry",
            &["Resource", "Policy", "Account"],
            false,
        ) else {
            continue;
        };
        let Some(arn) = f.get("Resource").and_then(|r| cx.string("Resource", r)) else {
            continue;
        };
        let parsed = Arn::parse(&arn);
        let account = f
            .get("Account")
            .and_then(|a| cx.string("Account", a))
            .map(|a| a.value)
            .or_else(|| parsed.map(|p| p.account.to_string()))
            .filter(|a| is_account_id(a));
        let Some(account) = account else {
            cx.report(
                Problem::MissingKey {
                    key: "Account",
                    context: format!("resource `{}`", arn.value),
                },
                arn.span,
            );
            continue;
        };
        let service = ResourceService::from_folder(parsed.map_or("", |p| p.service));
        let policy = f
            .get("Policy")
            .and_then(|p| policy_doc::document(cx, "Policy", p, PolicyKind::Resource, None));
        let name = parsed.map_or_else(String::new, |p| p.resource_name().to_string());
        model.account_mut(&account).resources.push(Resource {
            arn: arn.value.clone(),
            service,
            name,
            policy,
            span: arn.span,
        });
    }
}
