//! Resource policies in a plan: buckets, topics, queues, KMS keys, secrets and ECR
//! repositories.

use super::{Merge, Pol, UNKNOWN_NAME};
use crate::ingest::iac::plan::Change;
use crate::ingest::iac::write;
use crate::model::{Policy, PolicyKind, ResourceService};

impl Merge<'_, '_, '_> {
    /// The name of an object whose ID only apply makes (a KMS key ID, a secret's
    /// suffix): unknown, and distinct per plan entry.
    pub(super) fn made_at_apply(c: &Change) -> String {
        format!("{UNKNOWN_NAME}-{}", c.address)
    }

    /// `aws_kms_key` (its `policy`; without one, AWS's default key policy) and
    /// `aws_kms_key_policy` (`key_id`, `policy`).
    pub(super) fn kms_policy(&mut self, c: &Change) {
        let region = self.plan.region.clone();
        let acct = self.account.clone();
        let id = if c.kind == "aws_kms_key" {
            c.after_str("key_id").map(str::to_string)
        } else {
            self.value(c, "key_id")
                .map(|k| k.rsplit('/').next().unwrap_or(&k).to_string())
        };
        let id = id.unwrap_or_else(|| Self::made_at_apply(c));
        let arn = format!("arn:aws:kms:{region}:{acct}:key/{id}");
        if c.kind == "aws_kms_key" && !c.configured("policy") && c.after("policy").is_none() {
            // A new key without a policy gets the default one: the account decides
            // through IAM policies.
            if c.deletes() || !c.upserts() {
                self.set_policy(c, ResourceService::Kms, arn, id, None);
                return;
            }
            let text = write::default_key_policy(&acct, "aws");
            let policy = self.synthesized(c, &text);
            self.set_policy(c, ResourceService::Kms, arn, id, policy);
            return;
        }
        let policy = self.read_resource_policy(c, &arn);
        self.set_policy(c, ResourceService::Kms, arn, id, policy);
    }

    /// `aws_secretsmanager_secret_policy` (`secret_arn`, `policy`) and a secret's own
    /// `policy`.
    pub(super) fn secret_policy(&mut self, c: &Change) {
        let arn = if c.kind == "aws_secretsmanager_secret" {
            self.attribute(c, "arn")
        } else {
            self.value(c, "secret_arn")
        };
        let region = self.plan.region.clone();
        let acct = self.account.clone();
        let arn = arn.unwrap_or_else(|| {
            format!(
                "arn:aws:secretsmanager:{region}:{acct}:secret:{}",
                Self::made_at_apply(c)
            )
        });
        let name = arn.rsplit(':').next().unwrap_or_default().to_string();
        let policy = self.read_resource_policy(c, &arn);
        self.set_policy(c, ResourceService::SecretsManager, arn, name, policy);
    }

    /// `aws_ecr_repository_policy` (`repository`, `policy`).
    pub(super) fn ecr_policy(&mut self, c: &Change) {
        let name = self
            .value(c, "repository")
            .unwrap_or_else(|| Self::made_at_apply(c));
        let region = self.plan.region.clone();
        let arn = format!("arn:aws:ecr:{region}:{}:repository/{name}", self.account);
        let policy = self.read_resource_policy(c, &arn);
        self.set_policy(c, ResourceService::Ecr, arn, name, policy);
    }

    /// The `policy` of a resource change (none for a delete; an unknown one recorded).
    fn read_resource_policy(&mut self, c: &Change, arn: &str) -> Option<Policy> {
        if c.deletes() {
            return None;
        }
        match self.policy(c, "policy", PolicyKind::Resource) {
            Pol::Read(p) => Some(p),
            Pol::Absent => None,
            Pol::Unknown(reason) => {
                self.record_unknown(c, "policy", arn, reason);
                None
            }
        }
    }

    /// Replaces the resource's policy (removes the resource without one).
    fn set_policy(
        &mut self,
        c: &Change,
        service: ResourceService,
        arn: String,
        name: String,
        policy: Option<Policy>,
    ) {
        let span = self.span(c.node);
        write::set_resource_policy(self.acct(), service, arn, name, policy, span);
    }

    pub(super) fn resource_policy(&mut self, c: &Change, service: ResourceService, key: &str) {
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
        let policy = self.read_resource_policy(c, &arn);
        self.set_policy(c, service, arn, name, policy);
    }

    /// `aws_lambda_permission`: one statement of the function's policy, written as
    /// Lambda writes it (`AddPermission`).
    pub(super) fn lambda_permission(&mut self, c: &Change) {
        let region = self.plan.region.clone();
        let acct = self.account.clone();
        let function = self
            .value(c, "function_name")
            .unwrap_or_else(|| Self::made_at_apply(c));
        let base = write::function_policy_arn(&function, "aws", &region, &acct);
        let sid = c
            .after_str("statement_id")
            .or_else(|| c.before_str("statement_id"))
            .map_or_else(|| format!("iampath-{}", c.address), str::to_string);
        let span = self.span(c.node);
        let added = if c.deletes() {
            None
        } else {
            let text = self.permission_statement(c, &base, &sid);
            self.synthesized(c, &text)
        };
        write::function_statement(self.acct(), &base, &sid, added, span);
    }

    /// The statement of a Lambda permission as JSON. A value known only after apply
    /// widens it (`*`, or the condition left out) and marks it conditional.
    fn permission_statement(&self, c: &Change, function: &str, sid: &str) -> String {
        let mut unknown = false;
        let mut known = |key: &str| -> Option<String> {
            let v = self.value(c, key);
            if v.is_none() && c.unknown(key) {
                unknown = true;
            }
            v.filter(|v| !v.is_empty())
        };
        let resource = match known("qualifier") {
            Some(q) => format!("{function}:{q}"),
            None => function.to_string(),
        };
        let mut p = write::Permission {
            action: known("action"),
            principal: known("principal"),
            source_arn: known("source_arn"),
            ..write::Permission::default()
        };
        for (key, _, condition) in write::PERMISSION_CONDITIONS {
            if let Some(v) = known(key) {
                p.equals.push((condition, v));
            }
        }
        if unknown {
            p.unknown = Some(format!("{} (known after apply)", c.address));
        }
        write::permission_document(&p, sid, &resource)
    }

    /// The resource policy of another service's resource, placed by its ARN: the
    /// change's `resource_arn` (or `arn`), else the resource its statements name.
    /// A policy that names no single resource is reported, not dropped.
    pub(super) fn generic_policy(&mut self, c: &Change, key: &str) {
        // A document without principals is not a resource policy (an IoT policy, a
        // service's own permission document): not read as one.
        if c.after_str(key).is_some_and(|s| !s.contains("Principal")) {
            self.unsupported(c);
            return;
        }
        let policy = if c.deletes() {
            None
        } else {
            match self.policy(c, key, PolicyKind::Resource) {
                Pol::Read(p) => Some(p),
                Pol::Absent => None,
                Pol::Unknown(reason) => {
                    let subject = c.address.clone();
                    self.record_unknown(c, key, &subject, reason);
                    return;
                }
            }
        };
        let given = ["resource_arn", "table_bucket_arn", "arn"]
            .iter()
            .find_map(|k| self.value(c, k))
            .filter(|a| a.starts_with("arn:"));
        let placed = given.or_else(|| {
            let p = policy.as_ref()?;
            crate::ingest::resource::placed_arn(p, None)
        });
        let Some(arn) = placed else {
            if policy.is_some() || c.deletes() {
                self.unsupported(c);
            }
            return;
        };
        let service = ResourceService::from_folder(arn.split(':').nth(2).unwrap_or_default());
        let name = arn
            .rsplit(['/', ':'])
            .next()
            .unwrap_or_default()
            .to_string();
        self.set_policy(c, service, arn, name, policy);
    }
}
