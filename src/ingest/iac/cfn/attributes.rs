//! What `Ref` and `Fn::GetAtt` give for the resource types iampath knows: physical
//! names (given, or the ones CloudFormation generates) and ARNs.

use super::value::{Kind, Template, Val};
use crate::ingest::iac::UNKNOWN_NAME;
use crate::source::json::Node;

/// The physical-name property and what `Ref` and `Fn::GetAtt` give, per type.
struct TypeInfo {
    name_property: &'static str,
    /// Generated names are lower case (buckets, repositories).
    lower: bool,
}

fn type_info(kind: &str) -> Option<TypeInfo> {
    let (name_property, lower) = match kind {
        "AWS::IAM::Role" => ("RoleName", false),
        "AWS::IAM::User" => ("UserName", false),
        "AWS::IAM::Group" => ("GroupName", false),
        "AWS::IAM::ManagedPolicy" => ("ManagedPolicyName", false),
        "AWS::IAM::InstanceProfile" => ("InstanceProfileName", false),
        "AWS::S3::Bucket" => ("BucketName", true),
        "AWS::SNS::Topic" => ("TopicName", false),
        "AWS::SQS::Queue" => ("QueueName", false),
        "AWS::Lambda::Function" => ("FunctionName", false),
        "AWS::SecretsManager::Secret" => ("Name", false),
        "AWS::ECR::Repository" => ("RepositoryName", true),
        "AWS::DynamoDB::Table" => ("TableName", false),
        "AWS::KMS::Key" => ("", false),
        "AWS::IAM::OIDCProvider" => ("", false),
        _ => return None,
    };
    Some(TypeInfo {
        name_property,
        lower,
    })
}

impl Template<'_, '_> {
    /// The physical name of a resource: its name property, else the name
    /// CloudFormation generates (`STACK-LOGICALID-…`, the end known only once created).
    pub fn physical_name(&self, logical: &str, resource: &Node, at: u32) -> Val {
        let kind = resource
            .get("Type")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let info = type_info(kind);
        if let Some(info) = &info
            && !info.name_property.is_empty()
            && let Some(v) = self.property(resource, info.name_property)
        {
            return v;
        }
        let generated = format!("{}-{logical}-{UNKNOWN_NAME}", self.env.stack);
        if info.is_some_and(|i| i.lower) {
            return Val::str(generated.to_ascii_lowercase(), at);
        }
        Val::str(generated, at)
    }

    pub(super) fn path(&self, resource: &Node) -> String {
        self.property(resource, "Path")
            .and_then(|p| p.known().map(str::to_string))
            .unwrap_or_else(|| "/".to_string())
    }

    pub(super) fn resource_ref(&self, logical: &str, r: &Node, at: u32) -> Val {
        let kind = r.get("Type").and_then(Node::as_str).unwrap_or_default();
        match kind {
            "AWS::IAM::ManagedPolicy"
            | "AWS::SNS::Topic"
            | "AWS::SecretsManager::Secret"
            | "AWS::IAM::OIDCProvider" => self.attribute(logical, "Arn", at),
            "AWS::SQS::Queue" => self.attribute(logical, "QueueUrl", at),
            "AWS::KMS::Key" => self.attribute(logical, "KeyId", at),
            _ if type_info(kind).is_some() => self.physical_name(logical, r, at),
            _ => Val::unknown(format!("the physical ID of `{logical}` ({kind})"), at),
        }
    }

    /// `Fn::GetAtt`: the ARN and names of the types iampath knows, else a property of
    /// the same name, else unknown.
    pub fn attribute(&self, logical: &str, attr: &str, at: u32) -> Val {
        let Some(r) = self.resource(logical) else {
            return Val::unknown(
                format!("Fn::GetAtt of `{logical}`, which the template does not define"),
                at,
            );
        };
        let kind = r.get("Type").and_then(Node::as_str).unwrap_or_default();
        let env = self.env;
        let (p, region, acct) = (env.partition(), &env.region, &env.account);
        let name = || self.physical_name(logical, r, at);
        let with = |f: &dyn Fn(&str) -> String| {
            let n = name();
            let text = f(n.text().unwrap_or("*"));
            Val {
                kind: Kind::Str(text),
                at,
                unknown: n.unknown,
            }
        };
        let iam = |what: &str| {
            let path = self.path(r);
            with(&|n| format!("arn:{p}:iam::{acct}:{what}{path}{n}"))
        };
        let made = format!("{UNKNOWN_NAME}-{logical}");
        let v = match (kind, attr) {
            ("AWS::IAM::Role", "Arn") => Some(iam("role")),
            ("AWS::IAM::User", "Arn") => Some(iam("user")),
            ("AWS::IAM::Group", "Arn") => Some(iam("group")),
            ("AWS::IAM::ManagedPolicy", "Arn" | "PolicyArn") => Some(iam("policy")),
            ("AWS::IAM::InstanceProfile", "Arn") => Some(iam("instance-profile")),
            (
                "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" | "AWS::IAM::ManagedPolicy",
                "RoleName" | "UserName" | "GroupName" | "PolicyName",
            ) => Some(name()),
            ("AWS::S3::Bucket", "Arn") => Some(with(&|n| format!("arn:{p}:s3:::{n}"))),
            ("AWS::SNS::Topic", "Arn" | "TopicArn") => {
                Some(with(&|n| format!("arn:{p}:sns:{region}:{acct}:{n}")))
            }
            ("AWS::SNS::Topic", "TopicName") | ("AWS::SQS::Queue", "QueueName") => Some(name()),
            ("AWS::SQS::Queue", "Arn") => {
                Some(with(&|n| format!("arn:{p}:sqs:{region}:{acct}:{n}")))
            }
            ("AWS::SQS::Queue", "QueueUrl") => Some(with(&|n| {
                format!("https://sqs.{region}.{}/{acct}/{n}", env.url_suffix())
            })),
            ("AWS::Lambda::Function", "Arn") => Some(with(&|n| {
                format!("arn:{p}:lambda:{region}:{acct}:function:{n}")
            })),
            ("AWS::SecretsManager::Secret", "Arn" | "Id") => Some(with(&|n| {
                format!("arn:{p}:secretsmanager:{region}:{acct}:secret:{n}-{UNKNOWN_NAME}")
            })),
            ("AWS::ECR::Repository", "Arn") => Some(with(&|n| {
                format!("arn:{p}:ecr:{region}:{acct}:repository/{n}")
            })),
            ("AWS::DynamoDB::Table", "Arn") => Some(with(&|n| {
                format!("arn:{p}:dynamodb:{region}:{acct}:table/{n}")
            })),
            ("AWS::KMS::Key", "KeyId") => Some(Val::str(made.clone(), at)),
            ("AWS::KMS::Key", "Arn") => Some(Val::str(
                format!("arn:{p}:kms:{region}:{acct}:key/{made}"),
                at,
            )),
            ("AWS::IAM::OIDCProvider", "Arn") => self.property(r, "Url").map(|u| {
                let host = u
                    .text()
                    .unwrap_or("*")
                    .trim_start_matches("https://")
                    .to_string();
                Val {
                    kind: Kind::Str(format!("arn:{p}:iam::{acct}:oidc-provider/{host}")),
                    at,
                    unknown: u.unknown,
                }
            }),
            _ => None,
        };
        if let Some(v) = v {
            return v;
        }
        // A property of the same name (dotted names walk nested properties).
        let mut node = r.get("Properties");
        for part in attr.split('.') {
            node = node.and_then(|n| n.get(part));
        }
        match node {
            Some(n) => self.eval(n),
            None => Val::unknown(
                format!("{logical}.{attr} is known only once the stack is deployed"),
                at,
            ),
        }
    }
}
