//! Resource policies of a template: keys, repositories, Lambda permissions, and the
//! policies of any other service, placed by their resource's ARN.

use super::apply::Apply;
use super::value::Kind;
use crate::ingest::diag::{Diagnostic, Problem};
use crate::ingest::iac::write;
use crate::model::{PolicyKind, ResourceService};
use crate::source::json::Node;

/// Properties that hold the resource policy of a type iampath has no special reading
/// for (API Gateway, Backup, DynamoDB, Kinesis, OpenSearch, EFS, Logs, …).
const POLICY_PROPERTIES: &[&str] = &[
    "ResourcePolicy",
    "PolicyDocument",
    "PolicyText",
    "AccessPolicies",
    "AccessPolicy",
    "FileSystemPolicy",
    "Policy",
];

impl Apply<'_, '_, '_> {
    /// A resource policy iampath writes for a resource (a default key policy, a
    /// Lambda permission's statement); its spans are the resource's.
    fn synthesized(&mut self, r: &Node, text: &str) -> Option<crate::model::Policy> {
        let mut map = crate::source::decode::OffsetMap::default();
        map.push(0, r.start as usize);
        let kind = PolicyKind::Resource;
        write::lower_written(self.file, text, map, kind, self.opts, self.diags)
    }

    pub(super) fn key(&mut self, logical: &str, r: &Node) {
        let arn = self.t.attribute(logical, "Arn", r.start);
        let arn = arn.text().unwrap_or_default().to_string();
        if self.t.property(r, "KeyPolicy").is_some() {
            self.resource_policy(logical, r, "KeyPolicy", ResourceService::Kms, &arn);
            return;
        }
        let env = self.t.env;
        let text = write::default_key_policy(&env.account, env.partition());
        let policy = self.synthesized(r, &text);
        let name = arn.rsplit('/').next().unwrap_or_default().to_string();
        let span = self.span(r);
        let account = self.model.account_mut(&self.t.env.account);
        write::set_resource_policy(account, ResourceService::Kms, arn, name, policy, span);
    }

    pub(super) fn resource_policy(
        &mut self,
        logical: &str,
        r: &Node,
        key: &str,
        service: ResourceService,
        arn: &str,
    ) {
        let Some(v) = self.t.property(r, key) else {
            let what = format!("it has no {key}; not applied");
            self.unresolved(logical, r, what);
            return;
        };
        let policy = self.document(logical, r, &v, PolicyKind::Resource, arn, key);
        if policy.is_none() {
            return;
        }
        let name = match service {
            ResourceService::S3 => arn.rsplit(":::").next(),
            ResourceService::Kms | ResourceService::Ecr => arn.rsplit('/').next(),
            _ => arn.rsplit(':').next(),
        }
        .unwrap_or_default()
        .to_string();
        let span = self.span(r);
        let account = self.model.account_mut(&self.t.env.account);
        write::set_resource_policy(account, service, arn.to_string(), name, policy, span);
    }

    pub(super) fn lambda_permission(&mut self, logical: &str, r: &Node) {
        let env = self.t.env;
        let mut unknown: Option<String> = None;
        let mut known = |key: &str| -> Option<String> {
            let v = self.t.property(r, key)?;
            if let Some(why) = v.why() {
                unknown.get_or_insert_with(|| why.to_string());
                return None;
            }
            v.text().map(str::to_string).filter(|s| !s.is_empty())
        };
        let function = known("FunctionName");
        let mut p = write::Permission {
            action: known("Action"),
            principal: known("Principal"),
            source_arn: known("SourceArn"),
            ..write::Permission::default()
        };
        for (_, key, condition) in write::PERMISSION_CONDITIONS {
            if let Some(v) = known(key) {
                p.equals.push((condition, v));
            }
        }
        p.unknown = unknown.map(|w| format!("{logical}: {w}"));
        let function =
            function.unwrap_or_else(|| format!("{}-{logical}", crate::ingest::iac::UNKNOWN_NAME));
        let base =
            write::function_policy_arn(&function, env.partition(), &env.region, &env.account);
        // A qualified ARN (`…:function:f:live`) is the statement's resource as given.
        let resource = if function.starts_with("arn:") {
            function.clone()
        } else {
            base.clone()
        };
        let sid = logical.to_string();
        let text = write::permission_document(&p, &sid, &resource);
        let added = self.synthesized(r, &text);
        let span = self.span(r);
        let account = self.model.account_mut(&self.t.env.account);
        write::function_statement(account, &base, &sid, added, span);
    }

    /// Another service's resource policy, placed by the resource's ARN (its
    /// `ResourceArn`, its own `Arn`, else the resource the statements name); a type
    /// that holds a policy and cannot be placed is reported, never dropped.
    pub(super) fn generic(&mut self, logical: &str, r: &Node, kind: &str) {
        let identity = ["AWS::IAM::", "AWS::Organizations::", "AWS::SSO::"]
            .iter()
            .any(|p| kind.starts_with(p));
        let props = r.get("Properties");
        let key = POLICY_PROPERTIES
            .iter()
            .find(|k| props.and_then(|p| p.get(k)).is_some());
        let (Some(key), false) = (key, identity) else {
            if identity && (key.is_some() || props.and_then(|p| p.get("Content")).is_some()) {
                self.unsupported(logical, r, kind);
            }
            return;
        };
        let Some(mut v) = self.t.property(r, key) else {
            return;
        };
        // DynamoDB: `ResourcePolicy: {PolicyDocument: …}`.
        if let Some(inner) = v.get("PolicyDocument") {
            v = inner.clone();
        }
        // A document without principals is not a resource policy (an IoT policy, a
        // service's own permission document): not read as one.
        let principals = match &v.kind {
            Kind::Str(text) => text.contains("Principal"),
            _ => v.get("Statement").is_some_and(|st| {
                st.items().iter().any(|s| {
                    s.get("Principal")
                        .or_else(|| s.get("NotPrincipal"))
                        .is_some()
                })
            }),
        };
        if !principals {
            self.unsupported(logical, r, kind);
            return;
        }
        let given = ["ResourceArn", "TableBucketARN"]
            .iter()
            .find_map(|k| self.t.property(r, k))
            .or_else(|| {
                let own = self.t.attribute(logical, "Arn", r.start);
                own.unknown.is_none().then_some(own)
            })
            .and_then(|a| a.known().map(str::to_string))
            .filter(|a| a.starts_with("arn:"));
        let Some(policy) = self.document(logical, r, &v, PolicyKind::Resource, logical, key) else {
            return;
        };
        let Some(arn) = given.or_else(|| crate::ingest::resource::placed_arn(&policy, None)) else {
            self.unsupported(logical, r, kind);
            return;
        };
        let service = ResourceService::from_folder(arn.split(':').nth(2).unwrap_or_default());
        let name = arn
            .rsplit(['/', ':'])
            .next()
            .unwrap_or_default()
            .to_string();
        let span = self.span(r);
        let account = self.model.account_mut(&self.t.env.account);
        write::set_resource_policy(account, service, arn, name, Some(policy), span);
    }

    pub(super) fn unsupported(&mut self, logical: &str, r: &Node, kind: &str) {
        let address = logical.to_string();
        let kind = kind.to_string();
        let span = self.span(r);
        self.diags.push(Diagnostic::new(
            Problem::IacUnsupported { address, kind },
            span,
        ));
    }

    /// `AWS::Organizations::Policy`: an SCP or RCP of the loaded organization,
    /// attached to its `TargetIds`.
    pub(super) fn org_policy(&mut self, logical: &str, r: &Node) {
        let kind_text = self
            .t
            .property(r, "Type")
            .and_then(|v| v.known().map(str::to_string))
            .unwrap_or_default();
        let Some(kind) = write::org_policy_type(&kind_text) else {
            // Tag, backup and AI opt-out policies decide no access.
            return;
        };
        let id = format!("{}-{logical}", crate::ingest::iac::UNKNOWN_NAME);
        let subject = format!("organization policy {logical}");
        let document = self.t.property(r, "Content").and_then(|v| {
            self.document(
                logical,
                r,
                &v,
                write::org_policy_kind(kind),
                &subject,
                "Content",
            )
        });
        let span = self.span(r);
        let policy = crate::model::OrgPolicy {
            id: id.clone(),
            arn: None,
            name: self
                .t
                .property(r, "Name")
                .and_then(|v| v.known().map(str::to_string)),
            kind,
            aws_managed: false,
            document,
            span,
        };
        if let Err(what) = write::org_policy(self.model, policy) {
            self.unresolved(logical, r, what);
            return;
        }
        for target in self.names(logical, r, "TargetIds") {
            if let Err(what) = write::org_attach(self.model, &id, &target, true, span) {
                self.unresolved(logical, r, what);
            }
        }
    }
}
