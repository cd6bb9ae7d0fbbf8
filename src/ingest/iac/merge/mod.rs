//! Applying a plan's resource changes to the loaded model: users, groups, roles,
//! their inline policies and attachments, managed policies, and the resource policies
//! of buckets, topics and queues. `create`, `update` and replacements write the object
//! as `after` says; `delete` removes it; `no-op` adds it when the exports lack it;
//! `forget` keeps it (AWS still has it).

mod identities;
mod org;
mod resources;

use super::plan::{Change, Plan};
use super::rebuild;
use super::write::{self, Owner};
use crate::ingest::LoadOptions;
use crate::ingest::cx::Cx;
use crate::ingest::diag::{Diagnostic, Problem};
use crate::ingest::policy_doc;
use crate::model::{
    Account, FileId, Model, Policy, PolicyKind, ResourceService, Span, UnknownPolicy,
};
use crate::source::decode::Layers;
use crate::source::json::{Node, Value};

/// Attributes that hold the resource policy of a resource type iampath has no
/// special reading for (API Gateway, Backup, DynamoDB, Kinesis, OpenSearch, EFS, …).
const GENERIC_POLICY_KEYS: &[&str] = &[
    "policy",
    "access_policies",
    "access_policy",
    "resource_policy",
    "policy_document",
];

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

    fn unsupported(&mut self, c: &Change) {
        let kind = c.kind.clone();
        let address = c.address.clone();
        self.report(c, Problem::IacUnsupported { address, kind });
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
        if c.deletes() && c.before.is_none() {
            let what = "deleted without its prior values (`before` is null): which object goes is not known; not applied".to_string();
            self.unresolved(c, what);
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
            "aws_iam_policy_attachment" => self.exclusive_attachment(c),
            "aws_iam_instance_profile" => self.instance_profile(c),
            "aws_kms_key" | "aws_kms_key_policy" => self.kms_policy(c),
            "aws_secretsmanager_secret_policy" => self.secret_policy(c),
            "aws_secretsmanager_secret" if c.configured("policy") => self.secret_policy(c),
            "aws_ecr_repository_policy" => self.ecr_policy(c),
            "aws_lambda_permission" => self.lambda_permission(c),
            "aws_organizations_policy" => self.org_policy(c),
            "aws_organizations_policy_attachment" => self.org_attachment(c),
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
                let identity = ["aws_iam_", "aws_organizations_", "aws_ssoadmin_"]
                    .iter()
                    .any(|p| other.starts_with(p));
                let key = GENERIC_POLICY_KEYS
                    .iter()
                    .find(|k| c.after(k).is_some() || c.configured(k));
                match key {
                    Some(key) if !identity => self.generic_policy(c, key),
                    _ => {
                        let carries = ["assume_role_policy", "content"]
                            .iter()
                            .any(|k| c.after(k).is_some() || c.configured(k));
                        if carries || key.is_some() {
                            self.unsupported(c);
                        }
                    }
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
        c.references(key)
            .into_iter()
            .find_map(|r| self.resolve(&c.module, r))
    }

    /// The value a reference (`aws_iam_role.r.id`, relative to `module`) names: the
    /// attribute of the object the plan makes, when all its instances agree.
    fn resolve(&self, module: &str, reference: &str) -> Option<String> {
        let parts: Vec<&str> = reference.split('.').collect();
        let [kind, name, attr] = parts.as_slice() else {
            return None;
        };
        let found: Vec<String> = self
            .plan
            .changes
            .iter()
            .filter(|t| t.managed && t.module == module && t.kind == *kind)
            .filter(|t| t.name == *name)
            .filter_map(|t| self.attribute(t, attr))
            .collect();
        let first = found.first()?;
        found.iter().all(|v| v == first).then(|| first.clone())
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
            "aws_iam_instance_profile" => iam("instance-profile"),
            "aws_iam_user" => iam("user"),
            "aws_iam_group" => iam("group"),
            "aws_iam_policy" => match attr {
                "arn" | "id" => {
                    Some(self.iam_arn("policy", &Self::path(t), &Self::name(t, "name")))
                }
                "name" => Some(Self::name(t, "name")),
                _ => None,
            },
            // `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH` of its URL.
            "aws_iam_openid_connect_provider" => {
                let url = t.after_str("url")?;
                let host = url.trim_start_matches("https://");
                matches!(attr, "arn" | "id")
                    .then(|| format!("arn:aws:iam::{acct}:oidc-provider/{host}"))
            }
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
            "aws_kms_key" => {
                let id = t
                    .after_str("key_id")
                    .map_or_else(|| format!("{UNKNOWN_NAME}-{}", t.address), str::to_string);
                match attr {
                    "id" | "key_id" => Some(id),
                    "arn" => Some(format!("arn:aws:kms:{region}:{acct}:key/{id}")),
                    _ => None,
                }
            }
            "aws_secretsmanager_secret" => {
                let name = Self::name(t, "name");
                match attr {
                    "id" | "arn" => Some(format!(
                        "arn:aws:secretsmanager:{region}:{acct}:secret:{name}-{UNKNOWN_NAME}"
                    )),
                    "name" => Some(name),
                    _ => None,
                }
            }
            "aws_ecr_repository" => {
                let name = Self::name(t, "name");
                match attr {
                    "id" | "name" => Some(name),
                    "arn" => Some(format!("arn:aws:ecr:{region}:{acct}:repository/{name}")),
                    _ => None,
                }
            }
            "aws_organizations_policy" => matches!(attr, "id").then(|| Self::org_policy_id(t)),
            "aws_lambda_function" => {
                let name = Self::name(t, "function_name");
                match attr {
                    "id" | "function_name" => Some(name),
                    "arn" => Some(format!("arn:aws:lambda:{region}:{acct}:function:{name}")),
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
        match self.deferred_document(c, key) {
            Some(data) => self.rebuilt(c, data, key, kind),
            None => Pol::Unknown(unknown_reason(c, key)),
        }
    }

    /// The deferred `aws_iam_policy_document` a policy attribute is built from: the one
    /// its reference names, of the same instance key when there are several (the plan
    /// loses the index of `data.x[each.key]`).
    fn deferred_document(&self, c: &Change, key: &str) -> Option<&'p Change<'p, 'a>> {
        let name = c.references(key).into_iter().find_map(|r| {
            let rest = r.strip_prefix("data.aws_iam_policy_document.")?;
            Some(rest.split('.').next()?.split('[').next()?.to_string())
        })?;
        let all: Vec<&'p Change<'p, 'a>> = self
            .plan
            .changes
            .iter()
            .filter(|d| !d.managed && d.kind == "aws_iam_policy_document")
            .filter(|d| d.module == c.module && d.name == name)
            .collect();
        let key_of = |address: &str| address.rfind('[').map(|i| address[i..].to_string());
        match all.as_slice() {
            [one] => Some(*one),
            many => {
                let mine = key_of(&c.address)?;
                many.iter()
                    .find(|d| key_of(&d.address).as_deref() == Some(mine.as_str()))
                    .copied()
            }
        }
    }

    /// A policy rebuilt from a deferred document's statements, or unknown when it
    /// cannot be.
    fn rebuilt(&mut self, c: &Change, data: &Change, key: &str, kind: PolicyKind) -> Pol {
        let Some(after) = data.after else {
            return Pol::Unknown(unknown_reason(c, key));
        };
        let resolve = |r: &str| self.resolve(&data.module, r);
        let Some(r) = rebuild::rebuild(
            self.text,
            &data.address,
            after,
            data.after_unknown,
            data.expressions,
            &resolve,
        ) else {
            return Pol::Unknown(format!(
                "{}, which merges other documents",
                unknown_reason(c, key)
            ));
        };
        match write::lower_written(self.file, &r.text, r.map, kind, self.opts, self.diags) {
            Some(p) => Pol::Read(p),
            None => Pol::Unknown(unknown_reason(c, key)),
        }
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

    /// A document iampath writes for a plan entry (a default key policy, a Lambda
    /// permission's statement); its spans are the entry's.
    fn synthesized(&mut self, c: &Change, text: &str) -> Option<Policy> {
        let mut map = crate::source::decode::OffsetMap::default();
        map.push(0, c.node.start as usize);
        write::lower_written(
            self.file,
            text,
            map,
            PolicyKind::Resource,
            self.opts,
            self.diags,
        )
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
