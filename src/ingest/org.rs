//! AWS Organizations data: `organization/organization.json` (iampath's documented
//! tree), `organization/policies/<id>.json` (`aws organizations describe-policy`),
//! and IAMSpy's organization tree, which carries its policies inline.

use super::cx::Cx;
use super::diag::{Diagnostic, Problem};
use super::policy_doc::{self, SizeLimit};
use crate::model::{
    Model, OrgNode, OrgNodeKind, OrgPolicy, OrgPolicyType, Organization, PolicyKind, Span, Spanned,
    is_account_id,
};
use crate::policy::arn::Arn;
use crate::source::json::{Node, Value};

pub fn is_tree(root: &Node) -> bool {
    root.get("root").is_some() || root.get("managementAccount").is_some()
}

pub fn is_describe_policy(root: &Node) -> bool {
    root.get("Policy")
        .is_some_and(|p| p.get("PolicySummary").is_some() || p.get("Content").is_some())
}

/// IAMSpy's tree: `{"Id": "r-…", "Arn": "arn:aws:organizations::…:root/…", "Policies": […], "Children": […]}`.
pub fn is_iamspy_tree(root: &Node) -> bool {
    root.get("Id")
        .and_then(Node::as_str)
        .is_some_and(|id| id.starts_with("r-"))
        && (root.get("Children").is_some() || root.get("Policies").is_some())
}

fn org_mut(model: &mut Model) -> &mut Organization {
    model.organization.get_or_insert_with(Organization::default)
}

/// Reads `organization.json`.
pub fn ingest_tree(cx: &mut Cx, root: &Node, model: &mut Model) {
    let Some(f) = cx.object(
        root,
        "organization",
        "organization.json",
        &["managementAccount", "organizationId", "root"],
        true,
    ) else {
        return;
    };
    let management = cx.opt_string("managementAccount", f.get("managementAccount"));
    if let Some(m) = &management {
        if !is_account_id(m) {
            cx.report(Problem::MalformedArn(m.value.clone()), m.span);
        }
    }
    let id = cx
        .opt_string("organizationId", f.get("organizationId"))
        .map(|s| s.value);
    let tree = f.get("root").and_then(|r| node(cx, r, OrgNodeKind::Root));
    if f.get("root").is_none() {
        cx.report(
            Problem::MissingKey {
                key: "root",
                context: "organization.json".into(),
            },
            cx.node_span(root),
        );
    }
    let org = org_mut(model);
    if org.root.is_some() && tree.is_some() {
        if let Some(t) = &tree {
            cx.report(
                Problem::Duplicate(format!("organization tree {}", t.id.value)),
                t.id.span,
            );
        }
        return;
    }
    org.management_account = management.or(org.management_account.take());
    org.id = id.or(org.id.take());
    org.root = tree;
}

fn node(cx: &mut Cx, n: &Node, kind: OrgNodeKind) -> Option<OrgNode> {
    let known: &[&str] = match kind {
        OrgNodeKind::Account => &["id", "name", "policies"],
        _ => &["id", "name", "policies", "accounts", "children"],
    };
    let context = match kind {
        OrgNodeKind::Root => "the organization root",
        OrgNodeKind::OrganizationalUnit => "an organizational unit",
        OrgNodeKind::Account => "an organization account",
    };
    let f = cx.object(n, "node", context, known, true)?;
    let Some(id) = f.get("id").and_then(|i| cx.string("id", i)) else {
        cx.report(
            Problem::MissingKey {
                key: "id",
                context: context.into(),
            },
            cx.node_span(n),
        );
        return None;
    };
    if kind == OrgNodeKind::Account && !is_account_id(&id) {
        cx.report(Problem::MalformedArn(id.value.clone()), id.span);
    }
    let name = cx.opt_string("name", f.get("name")).map(|s| s.value);
    let policies = cx
        .list("policies", f.get("policies"))
        .iter()
        .filter_map(|p| cx.string("policies", p))
        .collect();
    let mut children = Vec::new();
    for a in cx.list("accounts", f.get("accounts")) {
        children.extend(node(cx, a, OrgNodeKind::Account));
    }
    for c in cx.list("children", f.get("children")) {
        children.extend(node(cx, c, OrgNodeKind::OrganizationalUnit));
    }
    Some(OrgNode {
        kind,
        id,
        name,
        policies,
        children,
    })
}

/// Reads one `describe-policy` output.
pub fn ingest_policy(cx: &mut Cx, root: &Node, model: &mut Model) {
    let Some(top) = cx.object(
        root,
        "describe-policy",
        "a describe-policy output",
        &["Policy"],
        false,
    ) else {
        return;
    };
    let Some(p) = top.get("Policy") else { return };
    let Some(f) = cx.object(
        p,
        "Policy",
        "a describe-policy output",
        &["PolicySummary", "Content"],
        false,
    ) else {
        return;
    };
    let summary = f.get("PolicySummary");
    let s = summary.and_then(|s| {
        cx.object(
            s,
            "PolicySummary",
            "a policy summary",
            &["Id", "Arn", "Name", "Description", "Type", "AwsManaged"],
            false,
        )
    });
    let Some(id) = s.and_then(|s| s.get("Id")).and_then(|i| cx.string("Id", i)) else {
        cx.report(
            Problem::MissingKey {
                key: "Id",
                context: "the policy summary".into(),
            },
            cx.node_span(p),
        );
        return;
    };
    let Some(content) = f.get("Content") else {
        cx.report(
            Problem::MissingKey {
                key: "Content",
                context: format!("policy `{}`", id.value),
            },
            cx.node_span(p),
        );
        return;
    };
    let type_node = s.and_then(|s| s.get("Type"));
    let name = s.and_then(|s| s.str("Name")).map(str::to_string);
    let arn = s.and_then(|s| s.str("Arn")).map(str::to_string);
    let aws_managed = s
        .and_then(|s| s.get("AwsManaged"))
        .is_some_and(|a| matches!(a.value, Value::Bool(true)));
    add_policy(
        cx,
        model,
        NewPolicy {
            id,
            arn,
            name,
            aws_managed,
            span: cx.node_span(root),
        },
        type_node,
        content,
    );
}

/// What the file says of an organization policy besides its type and content.
struct NewPolicy {
    id: Spanned<String>,
    arn: Option<String>,
    name: Option<String>,
    aws_managed: bool,
    span: Span,
}

fn add_policy(
    cx: &mut Cx,
    model: &mut Model,
    new: NewPolicy,
    type_node: Option<&Node>,
    content: &Node,
) {
    let NewPolicy {
        id,
        arn,
        name,
        aws_managed,
        span,
    } = new;
    let kind = match type_node.and_then(Node::as_str) {
        Some("SERVICE_CONTROL_POLICY") => OrgPolicyType::ServiceControl,
        Some("RESOURCE_CONTROL_POLICY") => OrgPolicyType::ResourceControl,
        Some(other) => {
            let span = type_node.map_or(id.span, |t| cx.node_span(t));
            cx.report(Problem::OrgPolicyType(other.to_string()), span);
            return;
        }
        None => {
            cx.report(
                Problem::MissingKey {
                    key: "Type",
                    context: format!("policy `{}`", id.value),
                },
                id.span,
            );
            return;
        }
    };
    let (pk, limit) = match kind {
        OrgPolicyType::ServiceControl => (PolicyKind::ServiceControl, Some(SizeLimit::SCP)),
        OrgPolicyType::ResourceControl => (PolicyKind::ResourceControl, Some(SizeLimit::SCP)),
    };
    // AWS's own RCPFullAWSAccess is the one RCP allowed to Allow; skip the RCP check for it.
    let document = policy_doc::document(cx, "Content", content, pk, limit);
    let org = org_mut(model);
    if org.policies.contains_key(&id.value) {
        cx.report(Problem::Duplicate(id.value.clone()), id.span);
        return;
    }
    org.policies.insert(
        id.value.clone(),
        OrgPolicy {
            id: id.value,
            arn,
            name,
            kind,
            aws_managed,
            document,
            span,
        },
    );
}

/// Reads IAMSpy's organization tree, with its policies inline.
pub fn ingest_iamspy(cx: &mut Cx, root: &Node, model: &mut Model) {
    let management = root
        .get("Arn")
        .and_then(|a| cx.string("Arn", a))
        .and_then(|a| {
            Arn::parse(&a)
                .filter(|p| is_account_id(p.account))
                .map(|p| Spanned::new(p.account.to_string(), a.span))
        });
    let root_arn = root.get("Arn").and_then(Node::as_str).map(str::to_string);
    let tree = iamspy_node(cx, model, root, OrgNodeKind::Root);
    let org = org_mut(model);
    if org.root.is_none() {
        org.root = tree;
        org.root_arn = root_arn;
        org.management_account = management;
    } else if let Some(t) = tree {
        cx.report(
            Problem::Duplicate(format!("organization tree {}", t.id.value)),
            t.id.span,
        );
    }
}

fn iamspy_node(cx: &mut Cx, model: &mut Model, n: &Node, kind: OrgNodeKind) -> Option<OrgNode> {
    let id = n.get("Id").and_then(|i| cx.string("Id", i))?;
    let mut policies = Vec::new();
    for p in cx.list("Policies", n.get("Policies")) {
        let Some(pid) = p.get("Id").and_then(|i| cx.string("Id", i)) else {
            continue;
        };
        let known = model
            .organization
            .as_ref()
            .is_some_and(|o| o.policies.contains_key(&pid.value));
        if !known {
            if let Some(content) = p.get("Content") {
                let name = p.get("Name").and_then(Node::as_str).map(str::to_string);
                let aws = p
                    .get("AwsManaged")
                    .is_some_and(|a| matches!(a.value, Value::Bool(true)));
                let arn = p.get("Arn").and_then(Node::as_str).map(str::to_string);
                let new = NewPolicy {
                    id: pid.clone(),
                    arn,
                    name,
                    aws_managed: aws,
                    span: cx.node_span(p),
                };
                add_policy(cx, model, new, p.get("Type"), content);
            }
        }
        policies.push(pid);
    }
    let mut children = Vec::new();
    for c in cx.list("Children", n.get("Children")) {
        let child_kind = match c.get("Id").and_then(Node::as_str) {
            Some(id) if is_account_id(id) => OrgNodeKind::Account,
            _ => OrgNodeKind::OrganizationalUnit,
        };
        children.extend(iamspy_node(cx, model, c, child_kind));
    }
    let name = n.get("Name").and_then(Node::as_str).map(str::to_string);
    Some(OrgNode {
        kind,
        id,
        name,
        policies,
        children,
    })
}

/// Checks made once everything is loaded: attached IDs that have no policy file, and
/// levels that have no policy of a type while other levels do.
pub fn check(org: &Organization, diags: &mut Vec<Diagnostic>) {
    let Some(root) = &org.root else { return };
    let mut nodes = Vec::new();
    flatten(root, &mut nodes);
    for n in &nodes {
        for p in &n.policies {
            if !org.policies.contains_key(&p.value) {
                diags.push(Diagnostic::new(
                    Problem::MissingOrgPolicy(p.value.clone()),
                    p.span,
                ));
            }
        }
    }
    for (kind, label) in [
        (OrgPolicyType::ServiceControl, "SCP"),
        (OrgPolicyType::ResourceControl, "RCP"),
    ] {
        let used = nodes.iter().any(|n| !org.policies_at(n, kind).is_empty());
        if !used {
            continue;
        }
        for n in &nodes {
            let attached_missing = n
                .policies
                .iter()
                .any(|p| !org.policies.contains_key(&p.value));
            if org.policies_at(n, kind).is_empty() && !attached_missing {
                let what = match n.kind {
                    OrgNodeKind::Root => format!("the root {}", n.id.value),
                    OrgNodeKind::OrganizationalUnit => {
                        format!("OU {}", n.name.as_deref().unwrap_or(&n.id.value))
                    }
                    OrgNodeKind::Account => format!("account {}", n.id.value),
                };
                diags.push(Diagnostic::new(
                    Problem::EmptyOrgLevel {
                        node: what,
                        kind: label,
                    },
                    n.id.span,
                ));
            }
        }
    }
}

fn flatten<'a>(n: &'a OrgNode, out: &mut Vec<&'a OrgNode>) {
    out.push(n);
    for c in &n.children {
        flatten(c, out);
    }
}
