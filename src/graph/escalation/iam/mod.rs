//! IAM techniques (catalog sections A and G): changing one's own permissions, taking
//! over another user's credentials, rewriting a role's trust, changing a principal one
//! can then become, and making a new principal.

mod others;

pub(crate) use others::ON_ASSUMED_ROLES;
use others::others;

use std::sync::Arc;

use super::catalog::technique;
use super::symbolic;
use super::{Attempt, Change, Cx, Entity, Gain, Need};
use crate::eval::{CompiledPolicy, ResourcePolicyKind};
use crate::graph::Principal;
use crate::model::{Account, Effect, ManagedPolicy};

/// Every action the IAM techniques may need (the prefilter's list).
pub(super) const ACTIONS: &[&str] = &[
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:DeleteAccessKey",
    "iam:DeleteGroupPolicy",
    "iam:DeletePolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteUserPolicy",
    "iam:DetachGroupPolicy",
    "iam:DetachRolePolicy",
    "iam:DetachUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:PutUserPolicy",
    "iam:RemoveUserFromGroup",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "sts:AssumeRole",
];

/// AWS's own policy that allows everything: what `iam:Attach*Policy` attaches when the
/// policy to attach is the attacker's choice (`iam:PolicyARN` is decided for it).
const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// An attempt of technique `id`, when the catalog has it.
fn attempt(from: usize, id: &str, gain: Gain, needs: Vec<Need>) -> Option<Attempt> {
    Some(Attempt {
        from,
        technique: technique(id)?,
        gain,
        needs,
        assumptions: Vec::new(),
    })
}

fn assuming(mut a: Attempt, assumption: String) -> Attempt {
    a.assumptions.push(assumption);
    a
}

/// Managed policies that allow everything and could be attached: AWS's
/// AdministratorAccess and any loaded policy of the account that allows `*` on `*`.
pub(super) fn admin_policies(account: &Account) -> Vec<String> {
    let mut out = vec![ADMINISTRATOR_ACCESS.to_string()];
    for (arn, m) in &account.managed_policies {
        if arn != ADMINISTRATOR_ACCESS && allows_everything(m) {
            out.push(arn.clone());
        }
    }
    out
}

fn allows_everything(m: &ManagedPolicy) -> bool {
    m.document.as_ref().is_some_and(|d| {
        d.statements.iter().any(|st| {
            st.effect.as_ref().is_some_and(|e| e.value == Effect::Allow)
                && st.conditions.is_empty()
                && st
                    .action
                    .as_ref()
                    .is_some_and(|a| !a.negated && a.values.iter().any(|v| v.value == "*"))
                && st
                    .resource
                    .as_ref()
                    .is_some_and(|r| !r.negated && r.values.iter().any(|v| v.value == "*"))
        })
    })
}

/// `iam:Attach*Policy` of an administrator policy: any policy that allows everything
/// will do (`iam:PolicyARN` is decided for each).
fn attach(cx: &Cx, action: &'static str, target: &str, account: &Account) -> Vec<Need> {
    let policies = match cx.admin_policies.get(account.id.as_str()) {
        Some(list) => list.clone(),
        None => admin_policies(account),
    };
    vec![Need::on(action, target).choose("iam:PolicyARN", policies)]
}

/// A trust policy that names `who` (what an attacker who may
/// `iam:UpdateAssumeRolePolicy` writes).
/// Compiled once per principal: a source tries it on every role of its account.
fn trust_naming(who: &Principal) -> Arc<CompiledPolicy> {
    static TRUSTS: crate::memo::Memo<String, Arc<CompiledPolicy>> = crate::memo::Memo::new();
    let arn = who.caller.principal_arn().unwrap_or_default();
    TRUSTS.get_or(arn.as_str(), || {
        Arc::new(crate::graph::compiled::trust_naming(&arn))
    })
}

/// The customer-managed policies attached to the principal (directly or through a
/// group), with where.
fn own_policies<'a>(p: &Principal, account: &'a Account) -> Vec<&'a ManagedPolicy> {
    let mut out: Vec<&ManagedPolicy> = p
        .origins
        .iter()
        .filter_map(|o| o.managed.as_deref())
        .filter_map(|arn| account.managed_policies.get(arn))
        .filter(|m| !m.aws_managed)
        .collect();
    out.sort_by(|a, b| a.arn.cmp(&b.arn));
    out.dedup_by(|a, b| a.arn == b.arn);
    out
}

/// True when a compiled policy holds a Deny.
fn has_deny(p: &CompiledPolicy) -> bool {
    p.statements
        .iter()
        .any(|st| st.effect == Some(Effect::Deny))
}

/// The techniques that change the principal itself or make it a new principal.
pub(super) fn self_attempts(cx: &Cx, s: usize) -> Vec<Attempt> {
    let Some(p) = cx.principal(s) else {
        return Vec::new();
    };
    let Some(entity) = cx.entity(s) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let account = match entity {
        Entity::User(account, _) => {
            self_user(cx, s, p, account, &mut out);
            account
        }
        Entity::Role(account, _) => {
            self_role(cx, s, p, account, &mut out);
            account
        }
    };
    own_policy_versions(cx, s, p, account, &mut out);
    new_principal(cx, s, p, account, &mut out);
    out
}

/// The techniques on the other users and roles of its account.
pub(super) fn other_attempts(cx: &Cx, s: usize) -> Vec<Attempt> {
    let mut out = Vec::new();
    let Some(p) = cx.principal(s) else {
        return out;
    };
    let account = match (cx.entity(s), p.account.as_deref()) {
        (Some(Entity::User(a, _) | Entity::Role(a, _)), _) => a,
        (None, Some(id)) => match cx.model.accounts.get(id) {
            Some(a) => a,
            None => return out,
        },
        (None, None) => return out,
    };
    if p.kind == crate::graph::NodeKind::Administrator {
        becomes(cx, s, account, &mut out);
    } else {
        others(cx, s, p, account, &mut out);
    }
    out
}

/// An administrator of the account can become any of its users and roles: the
/// credential and trust techniques, decided with its account's SCPs.
fn becomes(cx: &Cx, s: usize, account: &Account, out: &mut Vec<Attempt>) {
    for t in cx.others(s) {
        match cx.entity(t) {
            Some(Entity::User(_, u)) => {
                let arn = u.arn.value.as_str();
                out.extend(attempt(
                    s,
                    "iam-003",
                    Gain::Become(t),
                    vec![
                        Need::on("iam:CreateAccessKey", arn),
                        Need::on("iam:DeleteAccessKey", arn),
                    ],
                ));
                out.extend(attempt(
                    s,
                    "iam-004",
                    Gain::Become(t),
                    vec![
                        Need::on("iam:CreateLoginProfile", arn),
                        Need::on("iam:UpdateLoginProfile", arn),
                    ],
                ));
            }
            Some(Entity::Role(_, r)) => {
                let Some(target) = cx.principal(t) else {
                    continue;
                };
                if target.service_linked {
                    continue;
                }
                let Some(me) = cx.principal(s) else { continue };
                out.extend(attempt(
                    s,
                    "iam-012",
                    Gain::Become(t),
                    vec![
                        Need::on("iam:UpdateAssumeRolePolicy", r.arn.value.as_str()),
                        Need::assume(target, Some(trust_naming(me))),
                    ],
                ));
            }
            None => {}
        }
    }
    let _ = account;
}

/// Techniques on one's own user: iam-007/008/010/011/013/022/024/025/026, X-14.
fn self_user(cx: &Cx, s: usize, p: &Principal, account: &Account, out: &mut Vec<Attempt>) {
    let me = match cx.entity(s) {
        Some(Entity::User(_, u)) => u,
        _ => return,
    };
    let arn = me.arn.value.as_str();
    let all = || Gain::Changed {
        who: s,
        change: Change::AllowAll,
    };
    if cx.may(s, "iam:PutUserPolicy") {
        out.extend(attempt(
            s,
            "iam-007",
            all(),
            vec![Need::on("iam:PutUserPolicy", arn)],
        ));
    }
    if cx.may(s, "iam:AttachUserPolicy") {
        out.extend(attempt(
            s,
            "iam-008",
            all(),
            attach(cx, "iam:AttachUserPolicy", arn, account),
        ));
    }
    for g in &me.groups {
        let Some(group) = account.groups.iter().find(|x| x.name == g.value) else {
            continue;
        };
        let garn = group.arn.value.as_str();
        if cx.may(s, "iam:AttachGroupPolicy") {
            out.extend(attempt(
                s,
                "iam-010",
                all(),
                attach(cx, "iam:AttachGroupPolicy", garn, account),
            ));
        }
        if cx.may(s, "iam:PutGroupPolicy") {
            out.extend(attempt(
                s,
                "iam-011",
                all(),
                vec![Need::on("iam:PutGroupPolicy", garn)],
            ));
        }
    }
    if cx.may(s, "iam:AddUserToGroup") {
        for group in &account.groups {
            if me.groups.iter().any(|g| g.value == group.name) {
                continue;
            }
            let gain = Gain::Changed {
                who: s,
                change: Change::JoinGroup(group.name.clone()),
            };
            out.extend(attempt(
                s,
                "iam-013",
                gain,
                vec![Need::on("iam:AddUserToGroup", group.arn.value.as_str())],
            ));
        }
    }
    if p.boundary.is_some() {
        let gain = || Gain::Changed {
            who: s,
            change: Change::NoBoundary,
        };
        if cx.may(s, "iam:DeleteUserPermissionsBoundary") {
            out.extend(attempt(
                s,
                "iam-022",
                gain(),
                vec![Need::on("iam:DeleteUserPermissionsBoundary", arn)],
            ));
        }
        if cx.may(s, "iam:PutUserPermissionsBoundary") {
            let needs = vec![
                Need::on("iam:PutUserPermissionsBoundary", arn)
                    .with("iam:PermissionsBoundary", ADMINISTRATOR_ACCESS),
            ];
            out.extend(attempt(s, "iam-024", gain(), needs));
        }
    }
    deny_removal(cx, s, p, arn, "user", out);
}

/// Techniques on one's own role: iam-005/009, X-13, X-14.
fn self_role(cx: &Cx, s: usize, p: &Principal, account: &Account, out: &mut Vec<Attempt>) {
    if p.service_linked {
        return;
    }
    let arn = match cx.entity(s) {
        Some(Entity::Role(_, r)) => r.arn.value.as_str(),
        _ => return,
    };
    let all = || Gain::Changed {
        who: s,
        change: Change::AllowAll,
    };
    if cx.may(s, "iam:PutRolePolicy") {
        out.extend(attempt(
            s,
            "iam-005",
            all(),
            vec![Need::on("iam:PutRolePolicy", arn)],
        ));
    }
    if cx.may(s, "iam:AttachRolePolicy") {
        out.extend(attempt(
            s,
            "iam-009",
            all(),
            attach(cx, "iam:AttachRolePolicy", arn, account),
        ));
    }
    if p.boundary.is_some() {
        for action in [
            "iam:DeleteRolePermissionsBoundary",
            "iam:PutRolePermissionsBoundary",
        ] {
            if !cx.may(s, action) {
                continue;
            }
            let mut need = Need::on(action, arn);
            if action.starts_with("iam:Put") {
                need = need.with("iam:PermissionsBoundary", ADMINISTRATOR_ACCESS);
            }
            let gain = Gain::Changed {
                who: s,
                change: Change::NoBoundary,
            };
            out.extend(attempt(s, "X-13", gain, vec![need]));
        }
    }
    deny_removal(cx, s, p, arn, "role", out);
}

/// Removing one's own Deny: iam-025/026 for users, X-14 for roles and groups.
fn deny_removal(cx: &Cx, s: usize, p: &Principal, arn: &str, kind: &str, out: &mut Vec<Attempt>) {
    let (detach, delete, id) = if kind == "user" {
        (
            "iam:DetachUserPolicy",
            "iam:DeleteUserPolicy",
            ("iam-025", "iam-026"),
        )
    } else {
        (
            "iam:DetachRolePolicy",
            "iam:DeleteRolePolicy",
            ("X-14", "X-14"),
        )
    };
    let mut groups_done: Vec<&str> = Vec::new();
    for (i, (pol, origin)) in p.identity.iter().zip(&p.origins).enumerate() {
        if !has_deny(pol) {
            continue;
        }
        let gain = Gain::Changed {
            who: s,
            change: Change::Without(i),
        };
        match (&origin.group, &origin.managed) {
            (None, Some(managed)) if cx.may(s, detach) => {
                let need = Need::on(detach, arn).with("iam:PolicyARN", managed.to_string());
                out.extend(attempt(s, id.0, gain, vec![need]));
            }
            (None, None) if cx.may(s, delete) => {
                out.extend(attempt(s, id.1, gain, vec![Need::on(delete, arn)]));
            }
            (Some(g), managed) => {
                let Some(garn) = group_arn(cx, s, g) else {
                    continue;
                };
                let (action, need) = match managed {
                    Some(m) => (
                        "iam:DetachGroupPolicy",
                        Need::on("iam:DetachGroupPolicy", garn.clone())
                            .with("iam:PolicyARN", m.to_string()),
                    ),
                    None => (
                        "iam:DeleteGroupPolicy",
                        Need::on("iam:DeleteGroupPolicy", garn.clone()),
                    ),
                };
                if cx.may(s, action) {
                    out.extend(attempt(s, "X-14", gain, vec![need]));
                }
                if cx.may(s, "iam:RemoveUserFromGroup") && !groups_done.contains(&&**g) {
                    groups_done.push(g);
                    let leave = Gain::Changed {
                        who: s,
                        change: Change::LeaveGroup(g.to_string()),
                    };
                    out.extend(attempt(
                        s,
                        "X-14",
                        leave,
                        vec![Need::on("iam:RemoveUserFromGroup", garn)],
                    ));
                }
            }
            _ => {}
        }
    }
}

fn group_arn(cx: &Cx, s: usize, name: &str) -> Option<String> {
    let account = match cx.entity(s)? {
        Entity::User(a, _) | Entity::Role(a, _) => a,
    };
    account
        .groups
        .iter()
        .find(|g| g.name == name)
        .map(|g| g.arn.value.clone())
}

/// iam-001 (CreatePolicyVersion) and X-01 (SetDefaultPolicyVersion) on the
/// customer-managed policies attached to oneself.
fn own_policy_versions(
    cx: &Cx,
    s: usize,
    p: &Principal,
    account: &Account,
    out: &mut Vec<Attempt>,
) {
    let create = cx.may(s, "iam:CreatePolicyVersion");
    let set = cx.may(s, "iam:SetDefaultPolicyVersion");
    if !create && !set {
        return;
    }
    for m in own_policies(p, account) {
        if create {
            out.extend(attempt(
                s,
                "iam-001",
                Gain::Changed {
                    who: s,
                    change: Change::AllowAll,
                },
                create_version(m),
            ));
        }
        if set {
            for v in &m.other_versions {
                let gain = Gain::Changed {
                    who: s,
                    change: Change::Version {
                        policy: m.arn.clone(),
                        version: v.id.clone(),
                    },
                };
                out.extend(attempt(
                    s,
                    "X-01",
                    gain,
                    vec![Need::on("iam:SetDefaultPolicyVersion", m.arn.as_str())],
                ));
            }
        }
    }
}

/// `iam:CreatePolicyVersion` (and `iam:DeletePolicyVersion` when the policy already
/// has the most versions AWS keeps, 5).
fn create_version(m: &ManagedPolicy) -> Vec<Need> {
    let mut needs = vec![Need::on("iam:CreatePolicyVersion", m.arn.as_str())];
    if m.version_count >= 5 {
        needs.push(Need::on("iam:DeletePolicyVersion", m.arn.as_str()));
    }
    needs
}

/// a new role (or user) of its own making with an administrator policy.
fn new_principal(cx: &Cx, s: usize, p: &Principal, account: &Account, out: &mut Vec<Attempt>) {
    let id = account.id.as_str();
    let gain = || Gain::Administrator(account.id.clone());
    if cx.may(s, "iam:CreateRole") {
        let roles = symbolic::candidates(p, "iam:CreateRole", None, id);
        // The new role's trust names its maker, who then assumes it.
        let assume = || Need {
            action: "sts:AssumeRole",
            resources: roles.clone(),
            context: Vec::new(),
            choice: None,
            group: None,
            policy: Some(trust_naming(p)),
            kind: ResourcePolicyKind::RoleTrust,
            account: Some(account.id.clone()),
        };
        for grant in ["iam:PutRolePolicy", "iam:AttachRolePolicy"] {
            if !cx.may(s, grant) {
                continue;
            }
            let mut give = Need::any(grant, roles.clone());
            if grant == "iam:AttachRolePolicy" {
                give = give.with("iam:PolicyARN", ADMINISTRATOR_ACCESS);
            }
            let needs = vec![Need::any("iam:CreateRole", roles.clone()), give, assume()];
            out.extend(attempt(s, "X-08", gain(), needs));
        }
    }
    if cx.may(s, "iam:CreateUser") && cx.may(s, "iam:CreateAccessKey") {
        let users = symbolic::candidates(p, "iam:CreateUser", None, id);
        for grant in ["iam:PutUserPolicy", "iam:AttachUserPolicy"] {
            if !cx.may(s, grant) {
                continue;
            }
            let mut give = Need::any(grant, users.clone());
            if grant == "iam:AttachUserPolicy" {
                give = give.with("iam:PolicyARN", ADMINISTRATOR_ACCESS);
            }
            let needs = vec![
                Need::any("iam:CreateUser", users.clone()),
                Need::any("iam:CreateAccessKey", users.clone()),
                give,
            ];
            out.extend(attempt(s, "X-08", gain(), needs));
        }
    }
}
