//! `aws iam get-account-authorization-details` exports: users, groups, roles and
//! managed policies of one account.

use std::collections::HashSet;

use super::cx::{Cx, Fields};
use super::diag::Problem;
use super::policy_doc::{self, SizeLimit};
use crate::model::{
    Group, InlinePolicy, ManagedPolicy, Model, PolicyKind, PolicyOrigin, PolicyRef, PolicyVersion,
    Role, Spanned, Tag, User, is_account_id,
};
use crate::policy::arn::Arn;
use crate::source::json::{Node, Value};

/// True when a top-level object looks like a GAAD export.
pub fn is_export(root: &Fields) -> bool {
    ["UserDetailList", "GroupDetailList", "RoleDetailList"]
        .iter()
        .any(|k| root.get(k).is_some())
        || root.get("Policies").is_some_and(|p| p.as_array().is_some())
}

const TOP_KEYS: &[&str] = &[
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
    "IsTruncated",
    "Marker",
];
const USER_KEYS: &[&str] = &[
    "Path",
    "UserName",
    "UserId",
    "Arn",
    "CreateDate",
    "UserPolicyList",
    "GroupList",
    "AttachedManagedPolicies",
    "PermissionsBoundary",
    "Tags",
    "PasswordLastUsed",
];
const GROUP_KEYS: &[&str] = &[
    "Path",
    "GroupName",
    "GroupId",
    "Arn",
    "CreateDate",
    "GroupPolicyList",
    "AttachedManagedPolicies",
];
const ROLE_KEYS: &[&str] = &[
    "Path",
    "RoleName",
    "RoleId",
    "Arn",
    "CreateDate",
    "AssumeRolePolicyDocument",
    "InstanceProfileList",
    "RolePolicyList",
    "AttachedManagedPolicies",
    "PermissionsBoundary",
    "Tags",
    "RoleLastUsed",
    "Description",
    "MaxSessionDuration",
];
const POLICY_KEYS: &[&str] = &[
    "PolicyName",
    "PolicyId",
    "Arn",
    "Path",
    "DefaultVersionId",
    "AttachmentCount",
    "PermissionsBoundaryUsageCount",
    "IsAttachable",
    "CreateDate",
    "UpdateDate",
    "PolicyVersionList",
    "Description",
    "Tags",
];
const VERSION_KEYS: &[&str] = &["Document", "VersionId", "IsDefaultVersion", "CreateDate"];

/// What one export file holds, before it is merged into its account.
#[derive(Default)]
struct Export {
    users: Vec<User>,
    groups: Vec<Group>,
    roles: Vec<Role>,
    policies: Vec<ManagedPolicy>,
    truncated: bool,
}

/// Reads an export and merges it into the account of its folder (`folder`), or,
/// outside an account folder, into the account its ARNs name.
pub fn ingest(
    cx: &mut Cx,
    root: &Node,
    folder: Option<(String, Option<String>)>,
    model: &mut Model,
) {
    let Some(top) = cx.object(
        root,
        "export",
        "a get-account-authorization-details export",
        TOP_KEYS,
        false,
    ) else {
        return;
    };
    let mut export = Export::default();
    if let Some(t) = top.get("IsTruncated") {
        if matches!(t.value, Value::Bool(true)) {
            export.truncated = true;
            cx.report(Problem::Truncated, cx.node_span(t));
        }
    }
    for n in cx.list("UserDetailList", top.get("UserDetailList")) {
        export.users.extend(user(cx, n));
    }
    for n in cx.list("GroupDetailList", top.get("GroupDetailList")) {
        export.groups.extend(group(cx, n));
    }
    for n in cx.list("RoleDetailList", top.get("RoleDetailList")) {
        export.roles.extend(role(cx, n));
    }
    for n in cx.list("Policies", top.get("Policies")) {
        export.policies.extend(managed(cx, n));
    }
    let arns: Vec<&Spanned<String>> = export
        .users
        .iter()
        .map(|u| &u.arn)
        .chain(export.groups.iter().map(|g| &g.arn))
        .chain(export.roles.iter().map(|r| &r.arn))
        .collect();
    let (id, alias) = match folder {
        Some(f) => f,
        None => match arns
            .iter()
            .filter_map(|a| Arn::parse(a))
            .map(|a| a.account)
            .find(|a| is_account_id(a))
        {
            Some(id) => (id.to_string(), None),
            None => {
                if !arns.is_empty() {
                    cx.report(Problem::NoAccount, cx.node_span(root));
                }
                return;
            }
        },
    };
    check_accounts(cx, &id, &arns);
    let own_policy_arns: Vec<Spanned<String>> = export
        .policies
        .iter()
        .filter(|p| !p.aws_managed)
        .filter_map(|p| p.span.map(|s| Spanned::new(p.arn.clone(), s)))
        .collect();
    check_accounts(cx, &id, &own_policy_arns.iter().collect::<Vec<_>>());
    merge(cx, model, &id, alias, export);
}

fn check_accounts(cx: &mut Cx, folder: &str, arns: &[&Spanned<String>]) {
    for arn in arns {
        cx.check_account(arn, folder);
    }
}

fn merge(cx: &mut Cx, model: &mut Model, id: &str, alias: Option<String>, export: Export) {
    let account = model.account_mut(id);
    if account.alias.is_none() {
        account.alias = alias;
    }
    account.truncated |= export.truncated;
    let mut duplicates = Vec::new();
    add_new(
        &mut account.users,
        export.users,
        |u| &u.arn,
        &mut duplicates,
    );
    add_new(
        &mut account.groups,
        export.groups,
        |g| &g.arn,
        &mut duplicates,
    );
    add_new(
        &mut account.roles,
        export.roles,
        |r| &r.arn,
        &mut duplicates,
    );
    for p in export.policies {
        // The same AWS-managed policy in several exports is one policy.
        if p.aws_managed && account.managed_policies.contains_key(&p.arn) {
            continue;
        }
        match (account.managed_policies.contains_key(&p.arn), p.span) {
            (true, Some(span)) => duplicates.push(Spanned::new(p.arn, span)),
            _ => {
                account.managed_policies.insert(p.arn.clone(), p);
            }
        }
    }
    for d in duplicates {
        cx.report(Problem::Duplicate(d.value), d.span);
    }
}

/// Appends the entities whose ARN is not there yet; the others go to `duplicates`.
/// A set of the ARNs keeps this linear for accounts with thousands of roles.
fn add_new<T>(
    existing: &mut Vec<T>,
    new: Vec<T>,
    arn: impl Fn(&T) -> &Spanned<String>,
    duplicates: &mut Vec<Spanned<String>>,
) {
    let mut seen: HashSet<String> = existing.iter().map(|e| arn(e).value.clone()).collect();
    for e in new {
        if seen.insert(arn(&e).value.clone()) {
            existing.push(e);
        } else {
            duplicates.push(arn(&e).clone());
        }
    }
}

/// The common head of every entity: ARN, name, path, unique ID.
struct Head {
    arn: Spanned<String>,
    name: String,
    path: String,
    id: String,
}

fn head(
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

fn user(cx: &mut Cx, node: &Node) -> Option<User> {
    let f = cx.object(node, "UserDetailList", "a user entry", USER_KEYS, false)?;
    let h = head(cx, node, &f, "UserName", "UserId", "a user entry")?;
    let groups = cx
        .list("GroupList", f.get("GroupList"))
        .iter()
        .filter_map(|g| cx.string("GroupList", g))
        .collect();
    Some(User {
        create_date: f.str("CreateDate").map(str::to_string),
        tags: tags(cx, f.get("Tags")),
        inline: inline(
            cx,
            f.get("UserPolicyList"),
            "UserPolicyList",
            SizeLimit::USER_INLINE,
        ),
        attached: attached(cx, f.get("AttachedManagedPolicies")),
        groups,
        boundary: boundary(cx, f.get("PermissionsBoundary")),
        span: cx.node_span(node),
        arn: h.arn,
        name: h.name,
        path: h.path,
        id: h.id,
    })
}

fn group(cx: &mut Cx, node: &Node) -> Option<Group> {
    let f = cx.object(node, "GroupDetailList", "a group entry", GROUP_KEYS, false)?;
    let h = head(cx, node, &f, "GroupName", "GroupId", "a group entry")?;
    Some(Group {
        inline: inline(
            cx,
            f.get("GroupPolicyList"),
            "GroupPolicyList",
            SizeLimit::GROUP_INLINE,
        ),
        attached: attached(cx, f.get("AttachedManagedPolicies")),
        span: cx.node_span(node),
        arn: h.arn,
        name: h.name,
        path: h.path,
        id: h.id,
    })
}

fn role(cx: &mut Cx, node: &Node) -> Option<Role> {
    let f = cx.object(node, "RoleDetailList", "a role entry", ROLE_KEYS, false)?;
    let h = head(cx, node, &f, "RoleName", "RoleId", "a role entry")?;
    let trust = match f.get("AssumeRolePolicyDocument") {
        Some(doc) => policy_doc::document(
            cx,
            "AssumeRolePolicyDocument",
            doc,
            PolicyKind::Trust,
            Some(SizeLimit::TRUST),
        ),
        None => {
            let problem = Problem::MissingKey {
                key: "AssumeRolePolicyDocument",
                context: format!("role `{}`", h.arn.value),
            };
            cx.report(problem, cx.node_span(node));
            None
        }
    };
    let instance_profiles = cx
        .list("InstanceProfileList", f.get("InstanceProfileList"))
        .iter()
        .filter_map(|p| p.get("Arn").and_then(Node::as_str).map(str::to_string))
        .collect();
    let last_used = f
        .get("RoleLastUsed")
        .and_then(|r| r.get("LastUsedDate"))
        .and_then(Node::as_str)
        .map(str::to_string);
    Some(Role {
        create_date: f.str("CreateDate").map(str::to_string),
        trust,
        tags: tags(cx, f.get("Tags")),
        inline: inline(
            cx,
            f.get("RolePolicyList"),
            "RolePolicyList",
            SizeLimit::ROLE_INLINE,
        ),
        attached: attached(cx, f.get("AttachedManagedPolicies")),
        boundary: boundary(cx, f.get("PermissionsBoundary")),
        instance_profiles,
        last_used,
        span: cx.node_span(node),
        arn: h.arn,
        name: h.name,
        path: h.path,
        id: h.id,
    })
}

fn managed(cx: &mut Cx, node: &Node) -> Option<ManagedPolicy> {
    let f = cx.object(
        node,
        "Policies",
        "a managed policy entry",
        POLICY_KEYS,
        false,
    )?;
    let h = head(
        cx,
        node,
        &f,
        "PolicyName",
        "PolicyId",
        "a managed policy entry",
    )?;
    let aws_managed = Arn::parse(&h.arn).is_some_and(|a| a.account == "aws");
    let default_version = cx
        .opt_string("DefaultVersionId", f.get("DefaultVersionId"))
        .map(|s| s.value);
    let versions = cx.list("PolicyVersionList", f.get("PolicyVersionList"));
    let mut chosen: Option<&Node> = None;
    for v in versions {
        let Some(vf) = cx.object(
            v,
            "PolicyVersionList",
            "a policy version",
            VERSION_KEYS,
            false,
        ) else {
            continue;
        };
        let is_default = matches!(
            vf.get("IsDefaultVersion").map(|n| &n.value),
            Some(Value::Bool(true))
        ) || (default_version.is_some()
            && vf.str("VersionId") == default_version.as_deref());
        if is_default && chosen.is_none() {
            chosen = vf.get("Document");
        }
    }
    // A single version is the default when the export does not say otherwise; one
    // marked `IsDefaultVersion: false`, or another version named by `DefaultVersionId`,
    // means the default version is missing from the export.
    if let (None, [only]) = (chosen, versions) {
        let not_default = matches!(
            only.get("IsDefaultVersion").map(|n| &n.value),
            Some(Value::Bool(false))
        );
        let other_named = default_version
            .as_deref()
            .is_some_and(|d| only.get("VersionId").and_then(Node::as_str) != Some(d));
        if !not_default && !other_named {
            chosen = only.get("Document");
        }
    }
    let document = match chosen {
        // AWS's own policies are not bound by the customer-managed size limit.
        Some(doc) => {
            let limit = (!aws_managed).then_some(SizeLimit::MANAGED);
            policy_doc::document(cx, "Document", doc, PolicyKind::Identity, limit)
        }
        None => {
            cx.report(Problem::NoDefaultVersion(h.arn.value.clone()), h.arn.span);
            None
        }
    };
    let other_versions = if aws_managed {
        Vec::new()
    } else {
        other_versions(cx, versions, chosen)
    };
    Some(ManagedPolicy {
        arn: h.arn.value,
        name: h.name,
        path: h.path,
        id: Some(h.id).filter(|s| !s.is_empty()),
        default_version,
        document,
        other_versions,
        version_count: versions.len(),
        aws_managed,
        origin: PolicyOrigin::Export,
        span: Some(h.arn.span),
    })
}

/// The versions of a customer-managed policy that are not its default: inert until
/// someone sets one as the default (an escalation technique), so their grammar is not
/// reported again (AWS checked it when the version was created).
fn other_versions(cx: &mut Cx, versions: &[Node], chosen: Option<&Node>) -> Vec<PolicyVersion> {
    let mut quiet = Vec::new();
    let mut out = Vec::new();
    for v in versions {
        let (Some(doc), Some(id)) = (v.get("Document"), v.get("VersionId").and_then(Node::as_str))
        else {
            continue;
        };
        if chosen.is_some_and(|c| std::ptr::eq(c, doc)) {
            continue;
        }
        let mut inner = Cx {
            file: cx.file,
            text: cx.text,
            layers: cx.layers,
            opts: cx.opts,
            diags: &mut quiet,
        };
        if let Some(document) =
            policy_doc::document(&mut inner, "Document", doc, PolicyKind::Identity, None)
        {
            out.push(PolicyVersion {
                id: id.to_string(),
                document,
            });
        }
    }
    out
}

fn inline(cx: &mut Cx, node: Option<&Node>, key: &str, limit: SizeLimit) -> Vec<InlinePolicy> {
    let mut out = Vec::new();
    for n in cx.list(key, node) {
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

fn attached(cx: &mut Cx, node: Option<&Node>) -> Vec<PolicyRef> {
    let mut out = Vec::new();
    for n in cx.list("AttachedManagedPolicies", node) {
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

fn boundary(cx: &mut Cx, node: Option<&Node>) -> Option<PolicyRef> {
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

fn tags(cx: &mut Cx, node: Option<&Node>) -> Vec<Tag> {
    let mut out = Vec::new();
    for n in cx.list("Tags", node) {
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
