//! Users, groups, roles, managed policies, inline policies, attachments and group
//! memberships of a plan.

use super::{Merge, Pol, unknown_reason};
use crate::ingest::iac::plan::Change;
use crate::ingest::iac::write::{self, Owned, Owner};
use crate::model::{Group, InlinePolicy, PolicyKind, PolicyRef, Role, Spanned, User};
use crate::source::json::{Node, Value};

impl Merge<'_, '_, '_> {
    pub(super) fn role(&mut self, c: &Change) {
        let name = Self::name(c, "name");
        let path = Self::path(c);
        let arn = self.iam_arn("role", &path, &name);
        if c.deletes() {
            self.acct().roles.retain(|r| r.arn.value != arn);
            return;
        }
        let exists = self.acct().roles.iter().any(|r| r.arn.value == arn);
        if c.keeps() && exists {
            return;
        }
        let span = self.span(c.node);
        if !exists {
            let role = Role {
                arn: Spanned::new(arn.clone(), span),
                name: name.clone(),
                path: path.clone(),
                id: format!("iac:{}", c.address),
                create_date: None,
                trust: None,
                tags: Vec::new(),
                inline: Vec::new(),
                attached: Vec::new(),
                boundary: None,
                instance_profiles: Vec::new(),
                last_used: None,
                span,
            };
            self.acct().roles.push(role);
        }
        let trust = match self.policy(c, "assume_role_policy", PolicyKind::Trust) {
            Pol::Read(p) => Some(p),
            Pol::Absent => None,
            Pol::Unknown(reason) => {
                self.record_unknown(c, "assume_role_policy", &arn, reason);
                None
            }
        };
        let boundary = self.boundary(c);
        let inline = c
            .configured("inline_policy")
            .then(|| self.inline_blocks(c, &arn));
        let attached = c
            .configured("managed_policy_arns")
            .then(|| self.arn_list(c, "managed_policy_arns", &arn));
        let Some(role) = self.acct().roles.iter_mut().find(|r| r.arn.value == arn) else {
            return;
        };
        if trust.is_some() || !exists {
            role.trust = trust;
        }
        if boundary.is_some() || c.upserts() {
            role.boundary = boundary;
        }
        if let Some(inline) = inline {
            role.inline = inline;
        }
        if let Some(Some(attached)) = attached {
            role.attached = attached;
        }
        role.span = span;
    }

    fn boundary(&self, c: &Change) -> Option<PolicyRef> {
        let arn = self
            .value(c, "permissions_boundary")
            .filter(|a| !a.is_empty())?;
        let span = c
            .after("permissions_boundary")
            .map_or_else(|| self.span(c.node), |n| self.span(n));
        Some(PolicyRef {
            arn: Spanned::new(arn, span),
            name: None,
        })
    }

    /// A role's `inline_policy` blocks (exclusive when configured).
    fn inline_blocks(&mut self, c: &Change, subject: &str) -> Vec<InlinePolicy> {
        let blocks: Vec<&Node> = c
            .after("inline_policy")
            .and_then(Node::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let unknown: Vec<bool> = match c.after_unknown.and_then(|u| u.get("inline_policy")) {
            Some(n) => match &n.value {
                Value::Bool(b) => vec![*b; blocks.len().max(1)],
                Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.get("policy")
                            .is_some_and(|p| matches!(p.value, Value::Bool(true)))
                    })
                    .collect(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for (i, b) in blocks.iter().enumerate() {
            let name = b.get("name").and_then(Node::as_str).unwrap_or_default();
            let policy = b.get("policy").filter(|p| !matches!(p.value, Value::Null));
            let document = match policy {
                Some(p) => match self.parse(p, "inline_policy", PolicyKind::Identity) {
                    Pol::Read(p) => Some(p),
                    _ => None,
                },
                None => {
                    if unknown.get(i).copied().unwrap_or(false) {
                        let reason = unknown_reason(c, "inline_policy");
                        let attribute = format!("inline_policy `{name}`");
                        self.record_unknown(c, &attribute, subject, reason);
                    }
                    None
                }
            };
            if document.is_none() {
                continue;
            }
            out.push(InlinePolicy {
                name: Spanned::new(name.to_string(), self.span(b)),
                document,
            });
        }
        if blocks.is_empty() && unknown.first().copied().unwrap_or(false) {
            let reason = unknown_reason(c, "inline_policy");
            self.record_unknown(c, "inline_policy", subject, reason);
        }
        out
    }

    /// A list of policy ARNs (`managed_policy_arns`); `None` (reported) when unknown.
    fn arn_list(&mut self, c: &Change, key: &str, subject: &str) -> Option<Vec<PolicyRef>> {
        if c.unknown(key) {
            let reason = unknown_reason(c, key);
            self.record_unknown(c, key, subject, reason);
            return None;
        }
        Some(
            c.after(key)
                .and_then(Node::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(|n| {
                    Some(PolicyRef {
                        arn: Spanned::new(n.as_str()?.to_string(), self.span(n)),
                        name: None,
                    })
                })
                .collect(),
        )
    }

    pub(super) fn user(&mut self, c: &Change) {
        let name = Self::name(c, "name");
        let path = Self::path(c);
        let arn = self.iam_arn("user", &path, &name);
        if c.deletes() {
            self.acct().users.retain(|u| u.arn.value != arn);
            return;
        }
        let span = self.span(c.node);
        let boundary = self.boundary(c);
        let account = self.acct();
        match account.users.iter_mut().find(|u| u.arn.value == arn) {
            Some(u) => {
                if !c.keeps() {
                    u.boundary = boundary;
                }
            }
            None => account.users.push(User {
                arn: Spanned::new(arn, span),
                name,
                path,
                id: format!("iac:{}", c.address),
                create_date: None,
                tags: Vec::new(),
                inline: Vec::new(),
                attached: Vec::new(),
                groups: Vec::new(),
                boundary,
                span,
            }),
        }
    }

    pub(super) fn group(&mut self, c: &Change) {
        let name = Self::name(c, "name");
        let path = Self::path(c);
        let arn = self.iam_arn("group", &path, &name);
        if c.deletes() {
            self.acct().groups.retain(|g| g.arn.value != arn);
            return;
        }
        let span = self.span(c.node);
        let account = self.acct();
        if !account.groups.iter().any(|g| g.arn.value == arn) {
            account.groups.push(Group {
                arn: Spanned::new(arn, span),
                name,
                path,
                id: format!("iac:{}", c.address),
                inline: Vec::new(),
                attached: Vec::new(),
                span,
            });
        }
    }

    pub(super) fn managed(&mut self, c: &Change) {
        let name = Self::name(c, "name");
        let path = Self::path(c);
        let arn = self.iam_arn("policy", &path, &name);
        if c.deletes() {
            self.acct().managed_policies.remove(&arn);
            return;
        }
        let exists = self.acct().managed_policies.contains_key(&arn);
        if c.keeps() && exists {
            return;
        }
        let document = match self.policy(c, "policy", PolicyKind::Identity) {
            Pol::Read(p) => Some(p),
            Pol::Absent => None,
            Pol::Unknown(reason) => {
                self.record_unknown(c, "policy", &arn, reason);
                None
            }
        };
        let span = self.span(c.node);
        let policy = write::managed_policy(arn.clone(), name, path, document, span);
        self.acct().managed_policies.insert(arn, policy);
    }

    /// The identity an inline policy or attachment is for, by name.
    fn owner_name(&mut self, c: &Change, owner: Owner) -> Option<String> {
        self.required(c, owner.key())
    }

    /// A value the change cannot be applied without; when missing, says why.
    pub(super) fn required(&mut self, c: &Change, key: &str) -> Option<String> {
        let value = self.value(c, key);
        if value.is_some() {
            return value;
        }
        let what = if c.after(key).is_some() {
            format!("its {key} is not a string; not applied")
        } else if !c.upserts() {
            format!("its {key} is not in the plan (`before` does not say); not applied")
        } else {
            let refs = c.references(key);
            let named = if refs.is_empty() {
                String::new()
            } else {
                format!(" ({})", refs.join(", "))
            };
            format!(
                "its {key} is known only after apply and names no object of the plan{named}; not applied"
            )
        };
        self.unresolved(c, what);
        None
    }

    pub(super) fn inline(&mut self, c: &Change, owner: Owner) {
        let Some(who) = self.owner_name(c, owner) else {
            return;
        };
        let name = Self::name(c, "name");
        let subject = self.owner_arn(owner, &who);
        let document = if c.deletes() {
            None
        } else {
            match self.policy(c, "policy", PolicyKind::Identity) {
                Pol::Read(p) => Some(p),
                Pol::Absent => None,
                Pol::Unknown(reason) => {
                    self.record_unknown(c, "policy", &subject, reason);
                    None
                }
            }
        };
        let span = c
            .after("name")
            .map_or_else(|| self.span(c.node), |n| self.span(n));
        let Some(list) = self.inline_list(owner, &who) else {
            let what = format!(
                "{} `{who}` is in neither the exports nor the plan; not applied",
                owner.key()
            );
            self.unresolved(c, what);
            return;
        };
        list.retain(|p| p.name.value != name);
        if let Some(document) = document {
            list.push(InlinePolicy {
                name: Spanned::new(name, span),
                document: Some(document),
            });
        }
    }

    fn owner_arn(&mut self, owner: Owner, name: &str) -> String {
        match self.owner(owner, name) {
            Some(o) => o.arn.clone(),
            None => self.iam_arn(owner.key(), "/", name),
        }
    }

    fn inline_list(&mut self, owner: Owner, name: &str) -> Option<&mut Vec<InlinePolicy>> {
        self.owner(owner, name).map(|o| o.inline)
    }

    fn attached_list(&mut self, owner: Owner, name: &str) -> Option<&mut Vec<PolicyRef>> {
        self.owner(owner, name).map(|o| o.attached)
    }

    /// The user, group or role of the account with this name: its ARN and policies.
    fn owner(&mut self, owner: Owner, name: &str) -> Option<Owned<'_>> {
        write::owner(self.acct(), owner, name)
    }

    pub(super) fn attach(&mut self, c: &Change, owner: Owner) {
        let Some(who) = self.owner_name(c, owner) else {
            return;
        };
        let Some(arn) = self.value(c, "policy_arn") else {
            if c.unknown("policy_arn") {
                let subject = self.owner_arn(owner, &who);
                let reason = "the attached policy's ARN is known only after apply".to_string();
                self.record_unknown(c, "policy_arn", &subject, reason);
            } else {
                self.required(c, "policy_arn");
            }
            return;
        };
        let span = c
            .after("policy_arn")
            .map_or_else(|| self.span(c.node), |n| self.span(n));
        let deletes = c.deletes();
        let Some(list) = self.attached_list(owner, &who) else {
            let what = format!(
                "{} `{who}` is in neither the exports nor the plan; not applied",
                owner.key()
            );
            self.unresolved(c, what);
            return;
        };
        list.retain(|p| p.arn.value != arn);
        if !deletes {
            list.push(PolicyRef {
                arn: Spanned::new(arn, span),
                name: None,
            });
        }
    }

    pub(super) fn membership(&mut self, c: &Change) {
        let Some(who) = self.owner_name(c, Owner::User) else {
            return;
        };
        let groups: Vec<Spanned<String>> = c
            .after("groups")
            .or_else(|| c.before.and_then(|b| b.get("groups")))
            .and_then(Node::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| Some(Spanned::new(n.as_str()?.to_string(), self.span(n))))
            .collect();
        let deletes = c.deletes();
        let account = self.acct();
        let Some(user) = account.users.iter_mut().find(|u| u.name == who) else {
            let what = format!("user `{who}` is in neither the exports nor the plan; not applied");
            self.unresolved(c, what);
            return;
        };
        user.groups
            .retain(|g| !groups.iter().any(|x| x.value == g.value));
        if !deletes {
            user.groups.extend(groups);
        }
    }

    /// `aws_iam_policy_attachment`: the policy is attached to exactly the users, roles
    /// and groups it lists, across the account (it detaches it from any other).
    pub(super) fn exclusive_attachment(&mut self, c: &Change) {
        let Some(arn) = self.value(c, "policy_arn") else {
            let what = "its policy_arn is known only after apply and names no policy of the plan; not applied".to_string();
            self.unresolved(c, what);
            return;
        };
        let names = |key: &str| -> Vec<String> {
            let side = if c.deletes() { c.before } else { c.after };
            side.and_then(|n| n.get(key))
                .and_then(Node::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        };
        let lists = [
            (Owner::User, names("users")),
            (Owner::Role, names("roles")),
            (Owner::Group, names("groups")),
        ];
        if ["users", "roles", "groups"].iter().any(|k| c.unknown(k)) {
            let what = "some of the users, roles or groups it lists are known only after apply; those are not attached".to_string();
            self.unresolved(c, what);
        }
        let span = c
            .after("policy_arn")
            .map_or_else(|| self.span(c.node), |n| self.span(n));
        let deletes = c.deletes();
        let account = self.acct();
        if !deletes {
            for u in &mut account.users {
                u.attached.retain(|p| p.arn.value != arn);
            }
            for r in &mut account.roles {
                r.attached.retain(|p| p.arn.value != arn);
            }
            for g in &mut account.groups {
                g.attached.retain(|p| p.arn.value != arn);
            }
        }
        for (owner, names) in lists {
            for name in names {
                let Some(list) = self.attached_list(owner, &name) else {
                    let what = format!(
                        "{} `{name}` is in neither the exports nor the plan; not attached",
                        owner.key()
                    );
                    self.unresolved(c, what);
                    continue;
                };
                list.retain(|p| p.arn.value != arn);
                if !deletes {
                    list.push(PolicyRef {
                        arn: Spanned::new(arn.clone(), span),
                        name: None,
                    });
                }
            }
        }
    }

    /// `aws_iam_instance_profile`: the role it holds gets the profile (what EC2
    /// escalations look for).
    pub(super) fn instance_profile(&mut self, c: &Change) {
        let name = Self::name(c, "name");
        let Some(role) = self.required(c, "role") else {
            return;
        };
        let deletes = c.deletes();
        let account = self.acct();
        for r in &mut account.roles {
            r.instance_profiles.retain(|p| *p != name);
        }
        if deletes {
            return;
        }
        match account.roles.iter_mut().find(|r| r.name == role) {
            Some(r) => r.instance_profiles.push(name),
            None => {
                let what =
                    format!("role `{role}` is in neither the exports nor the plan; not applied");
                self.unresolved(c, what);
            }
        }
    }
}
