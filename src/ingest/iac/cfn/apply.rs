//! A template's resources written into its account: users, groups, roles, their
//! policies and attachments, managed policies, and the resource policies of buckets,
//! queues, topics, keys, secrets, repositories and Lambda functions.
//!
//! A template is the desired state of what it declares: a role it declares is the
//! role (trust, inline policies, attachments and boundary as written). Policies that
//! name identities (`AWS::IAM::Policy`, attachments, group additions) apply after
//! every identity of the template exists.

use super::render;
use super::value::{Kind, Template, Val};
use crate::ingest::LoadOptions;
use crate::ingest::diag::{Diagnostic, Problem};
use crate::ingest::iac::write::{self, Owner};
use crate::model::{
    Group, InlinePolicy, Model, Policy, PolicyKind, PolicyRef, ResourceService, Role, Span,
    Spanned, UnknownPolicy, User,
};
use crate::source::json::Node;

pub struct Apply<'m, 't, 'a> {
    pub model: &'m mut Model,
    pub t: &'t Template<'t, 'a>,
    pub file: crate::model::FileId,
    pub opts: &'m LoadOptions,
    pub diags: &'m mut Vec<Diagnostic>,
}

impl Apply<'_, '_, '_> {
    pub(super) fn span(&self, node: &Node) -> Span {
        Span {
            file: self.file,
            start: node.start,
            end: node.end,
        }
    }

    pub(super) fn at(&self, at: u32) -> Span {
        Span::at(self.file, at)
    }

    pub(super) fn unresolved(&mut self, logical: &str, r: &Node, what: String) {
        let address = logical.to_string();
        let span = self.span(r);
        self.diags.push(Diagnostic::new(
            Problem::IacUnresolved { address, what },
            span,
        ));
    }

    pub(super) fn account(&self) -> String {
        self.t.env.account.clone()
    }

    /// Applies every resource, identities first.
    pub fn all(&mut self) {
        let Some(resources) = self.t.root.get("Resources").and_then(Node::as_object) else {
            return;
        };
        let live: Vec<(&str, &Node)> = resources
            .iter()
            .filter(|m| {
                m.value
                    .get("Condition")
                    .and_then(Node::as_str)
                    .is_none_or(|c| self.t.condition(c) != Some(false))
            })
            .map(|m| (m.key.as_ref(), &m.value))
            .collect();
        for (logical, r) in &live {
            self.first(logical, r);
        }
        for (logical, r) in &live {
            self.second(logical, r);
        }
    }

    fn kind<'n>(r: &'n Node) -> &'n str {
        r.get("Type").and_then(Node::as_str).unwrap_or_default()
    }

    /// Identities, managed policies, and resources whose policy is their own.
    fn first(&mut self, logical: &str, r: &Node) {
        match Self::kind(r) {
            "AWS::IAM::Role" => self.identity(logical, r, Owner::Role),
            "AWS::IAM::User" => self.identity(logical, r, Owner::User),
            "AWS::IAM::Group" => self.identity(logical, r, Owner::Group),
            "AWS::IAM::ManagedPolicy" => self.managed(logical, r),
            "AWS::KMS::Key" => self.key(logical, r),
            "AWS::ECR::Repository" if self.t.property(r, "RepositoryPolicyText").is_some() => {
                let arn = self.t.attribute(logical, "Arn", r.start);
                let arn = arn.text().unwrap_or_default().to_string();
                let key = "RepositoryPolicyText";
                self.resource_policy(logical, r, key, ResourceService::Ecr, &arn);
            }
            _ => {}
        }
    }

    /// What names identities or resources declared elsewhere.
    fn second(&mut self, logical: &str, r: &Node) {
        match Self::kind(r) {
            "AWS::IAM::Policy" => self.named_inline(logical, r),
            "AWS::IAM::RolePolicy" => self.one_inline(logical, r, Owner::Role, "RoleName"),
            "AWS::IAM::UserPolicy" => self.one_inline(logical, r, Owner::User, "UserName"),
            "AWS::IAM::GroupPolicy" => self.one_inline(logical, r, Owner::Group, "GroupName"),
            "AWS::IAM::ManagedPolicy" => {
                let arn = self.t.attribute(logical, "Arn", r.start);
                let arn = arn.text().unwrap_or_default().to_string();
                self.attach_named(logical, r, &arn);
            }
            "AWS::IAM::UserToGroupAddition" => self.group_addition(logical, r),
            "AWS::IAM::InstanceProfile" => self.instance_profile(logical, r),
            "AWS::S3::BucketPolicy" => {
                for bucket in self.targets(logical, r, "Bucket") {
                    let arn = format!("arn:{}:s3:::{bucket}", self.t.env.partition());
                    self.resource_policy(logical, r, "PolicyDocument", ResourceService::S3, &arn);
                }
            }
            "AWS::SQS::QueuePolicy" | "AWS::SQS::QueueInlinePolicy" => {
                let key = if Self::kind(r).ends_with("InlinePolicy") {
                    "Queue"
                } else {
                    "Queues"
                };
                for url in self.targets(logical, r, key) {
                    let name = url.rsplit('/').next().unwrap_or_default();
                    let env = self.t.env;
                    let arn = format!(
                        "arn:{}:sqs:{}:{}:{name}",
                        env.partition(),
                        env.region,
                        env.account
                    );
                    self.resource_policy(logical, r, "PolicyDocument", ResourceService::Sqs, &arn);
                }
            }
            "AWS::SNS::TopicPolicy" | "AWS::SNS::TopicInlinePolicy" => {
                let key = if Self::kind(r).ends_with("InlinePolicy") {
                    "TopicArn"
                } else {
                    "Topics"
                };
                for arn in self.targets(logical, r, key) {
                    let env = self.t.env;
                    let arn = if arn.starts_with("arn:") {
                        arn
                    } else {
                        format!(
                            "arn:{}:sns:{}:{}:{arn}",
                            env.partition(),
                            env.region,
                            env.account
                        )
                    };
                    self.resource_policy(logical, r, "PolicyDocument", ResourceService::Sns, &arn);
                }
            }
            "AWS::SecretsManager::ResourcePolicy" => {
                for id in self.targets(logical, r, "SecretId") {
                    let env = self.t.env;
                    let arn = if id.starts_with("arn:") {
                        id
                    } else {
                        format!(
                            "arn:{}:secretsmanager:{}:{}:secret:{id}-{}",
                            env.partition(),
                            env.region,
                            env.account,
                            crate::ingest::iac::UNKNOWN_NAME
                        )
                    };
                    self.resource_policy(
                        logical,
                        r,
                        "ResourcePolicy",
                        ResourceService::SecretsManager,
                        &arn,
                    );
                }
            }
            "AWS::Lambda::Permission" => self.lambda_permission(logical, r),
            "AWS::Organizations::Policy" => self.org_policy(logical, r),
            "AWS::IAM::Role"
            | "AWS::IAM::User"
            | "AWS::IAM::Group"
            | "AWS::KMS::Key"
            | "AWS::ECR::Repository" => {}
            other => self.generic(logical, r, other),
        }
    }

    /// The name of a resource (or the one CloudFormation generates when it is not
    /// known).
    pub(super) fn name(&self, logical: &str, r: &Node) -> String {
        let v = self.t.physical_name(logical, r, r.start);
        match v.known() {
            Some(n) => n.to_string(),
            None => format!(
                "{}-{logical}-{}",
                self.t.env.stack,
                crate::ingest::iac::UNKNOWN_NAME
            ),
        }
    }

    /// The known strings of a property that is one value or a list of them; a value
    /// not known before deployment is reported and left out (a policy or attachment
    /// cannot be placed on it).
    pub(super) fn names(&mut self, logical: &str, r: &Node, key: &str) -> Vec<String> {
        let Some(v) = self.t.property(r, key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in v.items() {
            match item.known() {
                Some(text) => out.push(text.to_string()),
                None => {
                    let why = item.why().unwrap_or("it is not a string");
                    let what = format!("a value of {key} is not known ({why}); not applied to it");
                    self.unresolved(logical, r, what);
                }
            }
        }
        out
    }

    /// The resources a resource policy is for (`Bucket`, `Queues`, `Topics`, …): one not
    /// known before deployment is a resource named `(known-after-apply)-LOGICALID`, so
    /// that its policy is still read and checked (a public policy on a bucket whose
    /// name is a parameter is still public).
    pub(super) fn targets(&mut self, logical: &str, r: &Node, key: &str) -> Vec<String> {
        let Some(v) = self.t.property(r, key) else {
            return Vec::new();
        };
        v.items()
            .into_iter()
            .map(|item| match item.known() {
                Some(text) => text.to_string(),
                None => format!("{}-{logical}", crate::ingest::iac::UNKNOWN_NAME),
            })
            .collect()
    }

    /// A policy document property: read, or `None` (unknown ones recorded).
    pub(super) fn document(
        &mut self,
        logical: &str,
        r: &Node,
        v: &Val,
        kind: PolicyKind,
        subject: &str,
        attribute: &str,
    ) -> Option<Policy> {
        let rendered = match &v.kind {
            Kind::Str(s) if v.unknown.is_some() && s == "*" => {
                let reason = v.unknown.clone().unwrap_or_default();
                self.record_unknown(logical, r, attribute, subject, reason);
                return None;
            }
            Kind::Str(s) => {
                // A document given as a JSON string.
                let mut map = crate::source::decode::OffsetMap::default();
                map.push(0, v.at as usize);
                render::Rendered {
                    text: s.clone(),
                    map,
                }
            }
            Kind::Map(_) => render::policy(v),
            _ => {
                let what = format!(
                    "{attribute} is {}, not a policy document; not applied",
                    describe(v)
                );
                self.unresolved(logical, r, what);
                return None;
            }
        };
        if let Kind::Str(_) = v.kind
            && crate::source::json::parse(&rendered.text, self.opts.max_depth).is_err()
        {
            let what =
                format!("{attribute} is a string that is not a JSON policy document; not applied");
            self.unresolved(logical, r, what);
            return None;
        }
        write::lower_written(
            self.file,
            &rendered.text,
            rendered.map,
            kind,
            self.opts,
            self.diags,
        )
    }

    pub(super) fn record_unknown(
        &mut self,
        logical: &str,
        r: &Node,
        attribute: &str,
        subject: &str,
        reason: String,
    ) {
        let span = r.get("Type").map_or_else(|| self.span(r), |n| self.span(n));
        self.model.unknown_policies.push(UnknownPolicy {
            address: logical.to_string(),
            attribute: attribute.to_string(),
            subject: subject.to_string(),
            account: self.account(),
            reason,
            span,
        });
    }

    fn boundary(&self, r: &Node) -> Option<PolicyRef> {
        let v = self.t.property(r, "PermissionsBoundary")?;
        Some(PolicyRef {
            arn: Spanned::new(v.text()?.to_string(), self.at(v.at)),
            name: None,
        })
    }

    /// `Policies: [{PolicyName, PolicyDocument}]` of a role, user or group.
    fn inline_list(&mut self, logical: &str, r: &Node, subject: &str) -> Vec<InlinePolicy> {
        let Some(list) = self.t.property(r, "Policies") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in list.items() {
            let name = item
                .get("PolicyName")
                .and_then(Val::text)
                .unwrap_or("*")
                .to_string();
            let Some(doc) = item.get("PolicyDocument") else {
                continue;
            };
            let attribute = format!("Policies `{name}`");
            if let Some(document) =
                self.document(logical, r, doc, PolicyKind::Identity, subject, &attribute)
            {
                out.push(InlinePolicy {
                    name: Spanned::new(name, self.at(item.at)),
                    document: Some(document),
                });
            }
        }
        out
    }

    fn arn_list(&mut self, logical: &str, r: &Node, key: &str, subject: &str) -> Vec<PolicyRef> {
        let Some(list) = self.t.property(r, key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in list.items() {
            match item.known() {
                Some(arn) => out.push(PolicyRef {
                    arn: Spanned::new(arn.to_string(), self.at(item.at)),
                    name: None,
                }),
                None => {
                    let reason = item
                        .why()
                        .unwrap_or("not known before deployment")
                        .to_string();
                    self.record_unknown(logical, r, key, subject, reason);
                }
            }
        }
        out
    }

    fn identity(&mut self, logical: &str, r: &Node, owner: Owner) {
        let name = self.name(logical, r);
        let arn_val = self.t.attribute(logical, "Arn", r.start);
        let arn = arn_val.text().unwrap_or_default().to_string();
        let path = self
            .t
            .property(r, "Path")
            .and_then(|p| p.known().map(str::to_string))
            .unwrap_or_else(|| "/".to_string());
        let span = self.span(r);
        let inline = self.inline_list(logical, r, &arn);
        let attached = self.arn_list(logical, r, "ManagedPolicyArns", &arn);
        let boundary = self.boundary(r);
        let id = format!("iac:{logical}");
        match owner {
            Owner::Role => {
                let trust = self
                    .t
                    .property(r, "AssumeRolePolicyDocument")
                    .and_then(|v| {
                        self.document(
                            logical,
                            r,
                            &v,
                            PolicyKind::Trust,
                            &arn,
                            "AssumeRolePolicyDocument",
                        )
                    });
                let account = self.model.account_mut(&self.t.env.account);
                account.roles.retain(|x| x.arn.value != arn);
                account.roles.push(Role {
                    arn: Spanned::new(arn, span),
                    name,
                    path,
                    id,
                    create_date: None,
                    trust,
                    tags: Vec::new(),
                    inline,
                    attached,
                    boundary,
                    instance_profiles: Vec::new(),
                    last_used: None,
                    span,
                });
            }
            Owner::User => {
                let groups = self
                    .names(logical, r, "Groups")
                    .into_iter()
                    .map(|g| Spanned::new(g, span))
                    .collect();
                let account = self.model.account_mut(&self.t.env.account);
                account.users.retain(|x| x.arn.value != arn);
                account.users.push(User {
                    arn: Spanned::new(arn, span),
                    name,
                    path,
                    id,
                    create_date: None,
                    tags: Vec::new(),
                    inline,
                    attached,
                    groups,
                    boundary,
                    span,
                });
            }
            Owner::Group => {
                let account = self.model.account_mut(&self.t.env.account);
                account.groups.retain(|x| x.arn.value != arn);
                account.groups.push(Group {
                    arn: Spanned::new(arn, span),
                    name,
                    path,
                    id,
                    inline,
                    attached,
                    span,
                });
            }
        }
    }

    fn managed(&mut self, logical: &str, r: &Node) {
        let arn = self.t.attribute(logical, "Arn", r.start);
        let arn = arn.text().unwrap_or_default().to_string();
        let name = self.name(logical, r);
        let path = self
            .t
            .property(r, "Path")
            .and_then(|p| p.known().map(str::to_string))
            .unwrap_or_else(|| "/".to_string());
        let document = self.t.property(r, "PolicyDocument").and_then(|v| {
            self.document(logical, r, &v, PolicyKind::Identity, &arn, "PolicyDocument")
        });
        let span = self.span(r);
        let policy = write::managed_policy(arn.clone(), name, path, document, span);
        self.model
            .account_mut(&self.t.env.account)
            .managed_policies
            .insert(arn, policy);
    }

    /// `Roles`, `Users` and `Groups` of a managed policy: attach it to each.
    fn attach_named(&mut self, logical: &str, r: &Node, arn: &str) {
        for (owner, key) in [
            (Owner::Role, "Roles"),
            (Owner::User, "Users"),
            (Owner::Group, "Groups"),
        ] {
            for who in self.names(logical, r, key) {
                let span = self.span(r);
                let account = self.model.account_mut(&self.t.env.account);
                match write::owner(account, owner, &who) {
                    Some(o) => {
                        o.attached.retain(|p| p.arn.value != arn);
                        o.attached.push(PolicyRef {
                            arn: Spanned::new(arn.to_string(), span),
                            name: None,
                        });
                    }
                    None => {
                        let what = format!(
                            "{} `{who}` is in neither the exports nor the template; not attached",
                            owner.key()
                        );
                        self.unresolved(logical, r, what);
                    }
                }
            }
        }
    }

    /// `AWS::IAM::Policy`: one inline policy embedded in every identity it names.
    fn named_inline(&mut self, logical: &str, r: &Node) {
        for (owner, key) in [
            (Owner::Role, "Roles"),
            (Owner::User, "Users"),
            (Owner::Group, "Groups"),
        ] {
            for who in self.names(logical, r, key) {
                self.inline_into(logical, r, owner, &who);
            }
        }
    }

    fn one_inline(&mut self, logical: &str, r: &Node, owner: Owner, key: &str) {
        for who in self.names(logical, r, key) {
            self.inline_into(logical, r, owner, &who);
        }
    }

    fn inline_into(&mut self, logical: &str, r: &Node, owner: Owner, who: &str) {
        let name = self
            .t
            .property(r, "PolicyName")
            .and_then(|v| v.text().map(str::to_string))
            .unwrap_or_else(|| logical.to_string());
        let subject = {
            let account = self.model.account_mut(&self.t.env.account);
            write::owner(account, owner, who).map(|o| o.arn.clone())
        };
        let Some(subject) = subject else {
            let what = format!(
                "{} `{who}` is in neither the exports nor the template; not applied",
                owner.key()
            );
            self.unresolved(logical, r, what);
            return;
        };
        let Some(doc) = self.t.property(r, "PolicyDocument") else {
            return;
        };
        let Some(document) = self.document(
            logical,
            r,
            &doc,
            PolicyKind::Identity,
            &subject,
            "PolicyDocument",
        ) else {
            return;
        };
        let span = self.span(r);
        let account = self.model.account_mut(&self.t.env.account);
        if let Some(o) = write::owner(account, owner, who) {
            o.inline.retain(|p| p.name.value != name);
            o.inline.push(InlinePolicy {
                name: Spanned::new(name, span),
                document: Some(document),
            });
        }
    }

    fn group_addition(&mut self, logical: &str, r: &Node) {
        let Some(group) = self.names(logical, r, "GroupName").into_iter().next() else {
            return;
        };
        let span = self.span(r);
        for who in self.names(logical, r, "Users") {
            let account = self.model.account_mut(&self.t.env.account);
            match account.users.iter_mut().find(|u| u.name == who) {
                Some(u) => {
                    u.groups.retain(|g| g.value != group);
                    u.groups.push(Spanned::new(group.clone(), span));
                }
                None => {
                    let what = format!(
                        "user `{who}` is in neither the exports nor the template; not added"
                    );
                    self.unresolved(logical, r, what);
                }
            }
        }
    }

    fn instance_profile(&mut self, logical: &str, r: &Node) {
        let name = self.name(logical, r);
        for who in self.names(logical, r, "Roles") {
            let account = self.model.account_mut(&self.t.env.account);
            match account.roles.iter_mut().find(|x| x.name == who) {
                Some(role) => {
                    if !role.instance_profiles.contains(&name) {
                        role.instance_profiles.push(name.clone());
                    }
                }
                None => {
                    let what = format!(
                        "role `{who}` is in neither the exports nor the template; not added"
                    );
                    self.unresolved(logical, r, what);
                }
            }
        }
    }
}

fn describe(v: &Val) -> &'static str {
    match v.kind {
        Kind::Str(_) => "a string",
        Kind::Scalar(_) => "a number or boolean",
        Kind::Null | Kind::NoValue => "empty",
        Kind::List(_) | Kind::Both(_) => "a list",
        Kind::Map(_) => "an object",
    }
}
