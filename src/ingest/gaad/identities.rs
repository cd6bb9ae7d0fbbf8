//! The identity entries of an export: users (`UserDetailList`), groups
//! (`GroupDetailList`) and roles (`RoleDetailList`, with their trust policy).

use super::parts::{attached, boundary, head, inline, tags};
use crate::ingest::cx::Cx;
use crate::ingest::diag::Problem;
use crate::ingest::policy_doc::{self, SizeLimit};
use crate::model::{Group, PolicyKind, Role, User};
use crate::source::json::Node;

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

pub(super) fn user(cx: &mut Cx, node: &Node) -> Option<User> {
    let f = cx.object(node, "UserDetailList", "a user entry", USER_KEYS, false)?;
    let h = head(cx, node, &f, "UserName", "UserId", "a user entry")?;
    let mut groups: Vec<_> = cx
        .list("GroupList", f.get("GroupList"))
        .iter()
        .filter_map(|g| cx.string("GroupList", g))
        .collect();
    groups.shrink_to_fit();
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

pub(super) fn group(cx: &mut Cx, node: &Node) -> Option<Group> {
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

pub(super) fn role(cx: &mut Cx, node: &Node) -> Option<Role> {
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
    let mut instance_profiles: Vec<_> = cx
        .list("InstanceProfileList", f.get("InstanceProfileList"))
        .iter()
        .filter_map(|p| p.get("Arn").and_then(Node::as_str).map(str::to_string))
        .collect();
    instance_profiles.shrink_to_fit();
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
