//! Applying a plan's resource changes to the loaded model: users, groups, roles,
//! their inline policies and attachments, managed policies, and the resource policies
//! of buckets, topics and queues. `create`, `update` and replacements write the object
//! as `after` says; `delete` removes it; `no-op` adds it when the exports lack it;
//! `forget` keeps it (AWS still has it).

use super::plan::{Change, Plan};
use crate::ingest::LoadOptions;
use crate::ingest::cx::Cx;
use crate::ingest::diag::{Diagnostic, Problem};
use crate::ingest::policy_doc;
use crate::model::{
    Account, FileId, Group, InlinePolicy, ManagedPolicy, Model, Policy, PolicyKind, PolicyOrigin,
    PolicyRef, Resource, ResourceService, Role, Span, Spanned, UnknownPolicy, User,
};
use crate::source::decode::Layers;
use crate::source::json::{Node, Value};

/// The name given to what a plan leaves unknown until apply.
pub const UNKNOWN_NAME: &str = "(known-after-apply)";

/// A policy attribute as the plan gives it.
enum Pol {
    Read(Policy),
    /// Not set (or computed and not configured: whatever AWS has, nothing for a new
    /// object), or unreadable (reported).
    Absent,
    /// Configured, but known only after apply.
    Unknown(String),
}

/// Which kind of identity an inline policy or an attachment is for.
#[derive(Clone, Copy)]
enum Owner {
    User,
    Group,
    Role,
}

impl Owner {
    fn key(self) -> &'static str {
        match self {
            Owner::User => "user",
            Owner::Group => "group",
            Owner::Role => "role",
        }
    }
}

pub struct Merge<'m, 'p, 'a> {
    pub model: &'m mut Model,
    pub plan: &'p Plan<'p, 'a>,
    pub account: String,
    pub file: FileId,
    pub text: &'a str,
    pub opts: &'m LoadOptions,
    pub diags: &'m mut Vec<Diagnostic>,
}

impl<'m, 'p, 'a> Merge<'m, 'p, 'a> {
    fn span(&self, node: &Node) -> Span {
        Span {
            file: self.file,
            start: node.start,
            end: node.end,
        }
    }

    fn report(&mut self, c: &Change, problem: Problem) {
        let span = self.span(c.node);
        self.diags.push(Diagnostic::new(problem, span));
    }

    fn unresolved(&mut self, c: &Change, what: String) {
        let address = c.address.clone();
        self.report(c, Problem::IacUnresolved { address, what });
    }

    fn acct(&mut self) -> &mut Account {
        self.model.account_mut(&self.account.clone())
    }

    /// Applies one change; the caller records which span is which address.
    pub fn apply(&mut self, c: &Change) {
        if !c.managed || c.actions.iter().any(|a| a == "forget") && !c.upserts() {
            return;
        }
        match c.kind.as_str() {
            "aws_iam_role" => self.role(c),
            "aws_iam_user" => self.user(c),
            "aws_iam_group" => self.group(c),
            "aws_iam_policy" => self.managed(c),
            "aws_iam_role_policy" => self.inline(c, Owner::Role),
            "aws_iam_user_policy" => self.inline(c, Owner::User),
            "aws_iam_group_policy" => self.inline(c, Owner::Group),
            "aws_iam_role_policy_attachment" => self.attach(c, Owner::Role),
            "aws_iam_user_policy_attachment" => self.attach(c, Owner::User),
            "aws_iam_group_policy_attachment" => self.attach(c, Owner::Group),
            "aws_iam_user_group_membership" => self.membership(c),
            "aws_s3_bucket_policy" => self.resource_policy(c, ResourceService::S3, "bucket"),
            "aws_sns_topic_policy" => self.resource_policy(c, ResourceService::Sns, "arn"),
            "aws_sqs_queue_policy" => self.resource_policy(c, ResourceService::Sqs, "queue_url"),
            "aws_s3_bucket" | "aws_sns_topic" | "aws_sqs_queue" => {
                if c.configured("policy") {
                    let service = match c.kind.as_str() {
                        "aws_s3_bucket" => ResourceService::S3,
                        "aws_sns_topic" => ResourceService::Sns,
                        _ => ResourceService::Sqs,
                    };
                    self.resource_policy(c, service, "");
                }
            }
            other => {
                let carries = ["policy", "assume_role_policy", "access_policies", "content"]
                    .iter()
                    .any(|k| c.after(k).is_some() || c.configured(k));
                if carries || other == "aws_lambda_permission" {
                    let kind = other.to_string();
                    let address = c.address.clone();
                    self.report(c, Problem::IacUnsupported { address, kind });
                }
            }
        }
    }

    // --- names and references ------------------------------------------------------

    /// The object's name: planned, else as it was, else its prefix and an unknown rest.
    fn name(c: &Change, key: &str) -> String {
        if let Some(n) = c.after_str(key).or_else(|| c.before_str(key)) {
            return n.to_string();
        }
        let prefix = c.after_str(&format!("{key}_prefix")).unwrap_or_default();
        format!("{prefix}{UNKNOWN_NAME}")
    }

    fn path(c: &Change) -> String {
        c.after_str("path")
            .or_else(|| c.before_str("path"))
            .unwrap_or("/")
            .to_string()
    }

    fn iam_arn(&self, what: &str, path: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:{what}{path}{name}", self.account)
    }

    /// The value of an attribute: planned, else resolved through the configuration's
    /// reference to another object of the plan (`aws_iam_role.r.id` on create).
    fn value(&self, c: &Change, key: &str) -> Option<String> {
        if let Some(v) = c.after_str(key) {
            return Some(v.to_string());
        }
        if c.deletes() {
            return c.before_str(key).map(str::to_string);
        }
        for r in c.references(key) {
            let parts: Vec<&str> = r.split('.').collect();
            let [kind, name, attr] = parts.as_slice() else {
                continue;
            };
            let found: Vec<String> = self
                .plan
                .changes
                .iter()
                .filter(|t| t.managed && t.module == c.module && t.kind == *kind)
                .filter(|t| t.name == *name)
                .filter_map(|t| self.attribute(t, attr))
                .collect();
            if let Some(first) = found.first()
                && found.iter().all(|v| v == first)
            {
                return Some(first.clone());
            }
        }
        None
    }

    /// An attribute of a planned object, computed from its type when the plan leaves it
    /// unknown (`id`, `name`, `arn` of a new role …).
    fn attribute(&self, t: &Change, attr: &str) -> Option<String> {
        if let Some(v) = t.after_str(attr) {
            return Some(v.to_string());
        }
        let region = &self.plan.region;
        let acct = &self.account;
        let iam = |what: &str| {
            let name = Self::name(t, "name");
            match attr {
                "id" | "name" => Some(name),
                "arn" => Some(self.iam_arn(what, &Self::path(t), &name)),
                _ => None,
            }
        };
        match t.kind.as_str() {
            "aws_iam_role" => iam("role"),
            "aws_iam_user" => iam("user"),
            "aws_iam_group" => iam("group"),
            "aws_iam_policy" => match attr {
                "arn" | "id" => {
                    Some(self.iam_arn("policy", &Self::path(t), &Self::name(t, "name")))
                }
                "name" => Some(Self::name(t, "name")),
                _ => None,
            },
            "aws_s3_bucket" => {
                let bucket = Self::name(t, "bucket");
                match attr {
                    "id" | "bucket" => Some(bucket),
                    "arn" => Some(format!("arn:aws:s3:::{bucket}")),
                    _ => None,
                }
            }
            "aws_sns_topic" => {
                let name = Self::name(t, "name");
                match attr {
                    "id" | "arn" => Some(format!("arn:aws:sns:{region}:{acct}:{name}")),
                    "name" => Some(name),
                    _ => None,
                }
            }
            "aws_sqs_queue" => {
                let name = Self::name(t, "name");
                match attr {
                    "id" | "url" => {
                        Some(format!("https://sqs.{region}.amazonaws.com/{acct}/{name}"))
                    }
                    "arn" => Some(format!("arn:aws:sqs:{region}:{acct}:{name}")),
                    "name" => Some(name),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    // --- policies ------------------------------------------------------------------------

    /// Reads a policy attribute (a JSON string in the plan).
    fn policy(&mut self, c: &Change, key: &str, kind: PolicyKind) -> Pol {
        if let Some(node) = c.after(key) {
            return self.parse(node, key, kind);
        }
        if !c.unknown(key) || !c.configured(key) {
            return Pol::Absent;
        }
        Pol::Unknown(unknown_reason(c, key))
    }

    fn parse(&mut self, node: &Node, key: &str, kind: PolicyKind) -> Pol {
        if let Value::String(s) = &node.value
            && s.trim().is_empty()
        {
            return Pol::Absent;
        }
        let layers = Layers::file();
        let mut cx = Cx {
            file: self.file,
            text: self.text,
            layers: &layers,
            opts: self.opts,
            diags: self.diags,
        };
        match policy_doc::document(&mut cx, key, node, kind, None) {
            Some(p) => Pol::Read(p),
            None => Pol::Absent,
        }
    }

    fn record_unknown(&mut self, c: &Change, attribute: &str, subject: &str, reason: String) {
        // The entry's address line: the entry itself may be hundreds of lines.
        let span = c
            .node
            .get("address")
            .map_or_else(|| self.span(c.node), |n| self.span(n));
        self.model.unknown_policies.push(UnknownPolicy {
            address: c.address.clone(),
            attribute: attribute.to_string(),
            subject: subject.to_string(),
            account: self.account.clone(),
            reason,
            span,
        });
    }

    // --- identities ----------------------------------------------------------------------

    fn role(&mut self, c: &Change) {
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

    fn user(&mut self, c: &Change) {
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

    fn group(&mut self, c: &Change) {
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

    fn managed(&mut self, c: &Change) {
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
        let policy = ManagedPolicy {
            arn: arn.clone(),
            name,
            path,
            id: None,
            default_version: Some("v1".to_string()),
            document,
            other_versions: Vec::new(),
            version_count: 1,
            aws_managed: false,
            origin: PolicyOrigin::Export,
            span: Some(span),
        };
        self.acct().managed_policies.insert(arn, policy);
    }

    /// The identity an inline policy or attachment is for, by name.
    fn owner_name(&mut self, c: &Change, owner: Owner) -> Option<String> {
        let name = self.value(c, owner.key());
        if name.is_none() {
            let what = format!(
                "its {} is known only after apply and names no object of the plan; not applied",
                owner.key()
            );
            self.unresolved(c, what);
        }
        name
    }

    fn inline(&mut self, c: &Change, owner: Owner) {
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
        let account = self.acct();
        let found = match owner {
            Owner::User => account
                .users
                .iter()
                .find(|u| u.name == name)
                .map(|u| u.arn.value.clone()),
            Owner::Group => account
                .groups
                .iter()
                .find(|g| g.name == name)
                .map(|g| g.arn.value.clone()),
            Owner::Role => account
                .roles
                .iter()
                .find(|r| r.name == name)
                .map(|r| r.arn.value.clone()),
        };
        found.unwrap_or_else(|| self.iam_arn(owner.key(), "/", name))
    }

    fn inline_list(&mut self, owner: Owner, name: &str) -> Option<&mut Vec<InlinePolicy>> {
        let account = self.acct();
        match owner {
            Owner::User => account
                .users
                .iter_mut()
                .find(|u| u.name == name)
                .map(|u| &mut u.inline),
            Owner::Group => account
                .groups
                .iter_mut()
                .find(|g| g.name == name)
                .map(|g| &mut g.inline),
            Owner::Role => account
                .roles
                .iter_mut()
                .find(|r| r.name == name)
                .map(|r| &mut r.inline),
        }
    }

    fn attached_list(&mut self, owner: Owner, name: &str) -> Option<&mut Vec<PolicyRef>> {
        let account = self.acct();
        match owner {
            Owner::User => account
                .users
                .iter_mut()
                .find(|u| u.name == name)
                .map(|u| &mut u.attached),
            Owner::Group => account
                .groups
                .iter_mut()
                .find(|g| g.name == name)
                .map(|g| &mut g.attached),
            Owner::Role => account
                .roles
                .iter_mut()
                .find(|r| r.name == name)
                .map(|r| &mut r.attached),
        }
    }

    fn attach(&mut self, c: &Change, owner: Owner) {
        let Some(who) = self.owner_name(c, owner) else {
            return;
        };
        let Some(arn) = self.value(c, "policy_arn") else {
            let subject = self.owner_arn(owner, &who);
            let reason = "the attached policy's ARN is known only after apply".to_string();
            self.record_unknown(c, "policy_arn", &subject, reason);
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

    fn membership(&mut self, c: &Change) {
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

    // --- resource policies ---------------------------------------------------------------

    fn resource_policy(&mut self, c: &Change, service: ResourceService, key: &str) {
        let region = self.plan.region.clone();
        let acct = self.account.clone();
        let (arn, name) = match service {
            ResourceService::S3 => {
                let bucket = if key.is_empty() {
                    Some(Self::name(c, "bucket"))
                } else {
                    self.value(c, key)
                };
                match bucket {
                    Some(b) => (format!("arn:aws:s3:::{b}"), b),
                    None => (
                        format!("arn:aws:s3:::{UNKNOWN_NAME}"),
                        UNKNOWN_NAME.to_string(),
                    ),
                }
            }
            ResourceService::Sns => {
                let arn = if key.is_empty() {
                    self.attribute(c, "arn")
                } else {
                    self.value(c, key)
                };
                let arn =
                    arn.unwrap_or_else(|| format!("arn:aws:sns:{region}:{acct}:{UNKNOWN_NAME}"));
                let name = arn.rsplit(':').next().unwrap_or_default().to_string();
                (arn, name)
            }
            _ => {
                let url = if key.is_empty() {
                    self.attribute(c, "url")
                } else {
                    self.value(c, key)
                };
                let name = url
                    .as_deref()
                    .and_then(|u| u.rsplit('/').next())
                    .unwrap_or(UNKNOWN_NAME)
                    .to_string();
                (format!("arn:aws:sqs:{region}:{acct}:{name}"), name)
            }
        };
        let policy = if c.deletes() {
            None
        } else {
            match self.policy(c, "policy", PolicyKind::Resource) {
                Pol::Read(p) => Some(p),
                Pol::Absent => None,
                Pol::Unknown(reason) => {
                    self.record_unknown(c, "policy", &arn, reason);
                    None
                }
            }
        };
        let span = self.span(c.node);
        let account = self.acct();
        account.resources.retain(|r| r.arn != arn);
        if let Some(policy) = policy {
            account.resources.push(Resource {
                arn,
                service,
                name,
                policy: Some(policy),
                span,
            });
        }
    }
}

/// Why a configured attribute is unknown, from its references.
fn unknown_reason(c: &Change, key: &str) -> String {
    let refs = c.references(key);
    let module = if c.module.is_empty() {
        String::new()
    } else {
        format!("{}.", c.module)
    };
    match refs
        .iter()
        .find(|r| r.starts_with("data.aws_iam_policy_document."))
    {
        Some(r) => format!(
            "built by {module}{}, which Terraform reads only at apply because its inputs are unknown at plan time",
            r.trim_end_matches(".json")
        ),
        None => match refs.first() {
            Some(r) => format!("it depends on {module}{r}, unknown at plan time"),
            None => "its value is unknown at plan time".to_string(),
        },
    }
}
