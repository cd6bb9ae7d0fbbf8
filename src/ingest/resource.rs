//! Resource-based policies in `<account>/<service>/<name>.json`, in the shapes the
//! AWS CLI prints them, or as bare policy documents.

use super::cx::Cx;
use super::diag::Problem;
use super::policy_doc;
use crate::model::{Model, Policy, PolicyKind, Resource, ResourceService, Spanned};
use crate::policy::arn::Arn;
use crate::source::json::{Node, Value};

/// The region used when neither the export nor the policy names one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// True for the shapes of CLI resource-policy outputs (used to tell a misplaced
/// resource-policy file from other JSON).
pub fn is_cli_shape(root: &Node) -> bool {
    root.get("Policy").is_some_and(|p| p.as_str().is_some())
        || root.get("Attributes").is_some_and(|a| {
            a.get("Policy").is_some() || a.get("QueueArn").is_some() || a.get("TopicArn").is_some()
        })
        || root.get("policyText").is_some()
        || root.get("ResourcePolicy").is_some()
        || (root.get("ARN").is_some() && root.get("Name").is_some())
}

/// True for `aws s3api list-buckets` output.
pub fn is_bucket_list(root: &Node) -> bool {
    root.get("Buckets").is_some_and(|b| b.as_array().is_some())
}

/// Reads one resource-policy file of `account` in the folder of `service`;
/// `stem` is the file name without `.json`.
pub fn ingest(
    cx: &mut Cx,
    root: &Node,
    account: &str,
    service: &ResourceService,
    stem: &str,
    model: &mut Model,
) {
    let file_span = cx.span(0, 0);
    if *service == ResourceService::S3 && is_bucket_list(root) {
        let buckets = bucket_list(cx, root);
        model.account_mut(account).listed_buckets.extend(buckets);
        return;
    }
    let (policy_node, exported_arn) = locate(cx, root);
    let policy = policy_node
        .and_then(|(key, node)| policy_doc::document(cx, key, node, PolicyKind::Resource, None));
    if policy_node.is_none() && root.get("Statement").is_none() && !is_cli_shape(root) {
        cx.report(
            Problem::WrongShape(format!(
                "a file in the `{}/` folder must be the AWS CLI's output for a {} resource policy, or a bare policy document; this one is neither, so the resource's policy is unknown",
                service.as_str(),
                service.as_str()
            )),
            cx.node_span(root),
        );
        return;
    }
    let arn = match exported_arn {
        Some(arn) => {
            cx.check_account(&arn, account);
            arn.value
        }
        None => derived_arn(service, account, stem, policy.as_ref()),
    };
    let name = match service {
        ResourceService::S3 => stem.to_string(),
        _ => Arn::parse(&arn).map_or_else(|| stem.to_string(), |a| resource_short_name(a.resource)),
    };
    model.account_mut(account).resources.push(Resource {
        arn,
        service: service.clone(),
        name,
        policy,
        span: file_span,
    });
}

/// Where the policy document and the resource's own ARN are in each CLI shape.
fn locate<'n, 'a>(
    cx: &mut Cx,
    root: &'n Node<'a>,
) -> (
    Option<(&'static str, &'n Node<'a>)>,
    Option<Spanned<String>>,
) {
    if root.get("Statement").is_some() {
        return (Some(("policy document", root)), None);
    }
    let string_at =
        |cx: &mut Cx, node: Option<&Node>, key: &str| node.and_then(|n| cx.string(key, n));
    if let Some(attrs) = root.get("Attributes") {
        // get-queue-attributes / get-topic-attributes: a policy-less queue has no Policy.
        let arn_key = if attrs.get("QueueArn").is_some() {
            "QueueArn"
        } else {
            "TopicArn"
        };
        let arn = string_at(cx, attrs.get(arn_key), arn_key);
        return (attrs.get("Policy").map(|p| ("Policy", p)), arn);
    }
    if let Some(text) = root.get("policyText") {
        // get-repository-policy
        return (Some(("policyText", text)), ecr_arn(root, cx));
    }
    if root.get("ResourcePolicy").is_some() || root.get("ARN").is_some() {
        // get-resource-policy (Secrets Manager): no ResourcePolicy = no policy
        let arn = string_at(cx, root.get("ARN"), "ARN");
        return (
            root.get("ResourcePolicy")
                .filter(|p| !matches!(p.value, Value::Null))
                .map(|p| ("ResourcePolicy", p)),
            arn,
        );
    }
    if let Some(p) = root.get("Policy") {
        // get-bucket-policy, get-policy (Lambda), get-key-policy (KMS)
        return (Some(("Policy", p)), None);
    }
    (None, None)
}

/// ECR's ARN carries the registry account and repository name, but not the region:
/// that comes later from the policy or the default.
fn ecr_arn(root: &Node, cx: &mut Cx) -> Option<Spanned<String>> {
    let reg = root.get("registryId").and_then(Node::as_str)?;
    let repo = root.get("repositoryName").and_then(Node::as_str)?;
    let span = cx.node_span(root.get("registryId")?);
    Some(Spanned::new(
        format!("arn:aws:ecr:{DEFAULT_REGION}:{reg}:repository/{repo}"),
        span,
    ))
}

/// The resource a resource policy is about, by the ARNs its statements name: the
/// shortest concrete ARN (`arn:aws:dynamodb:…:table/orders`, with a trailing `/*` or
/// `*` taken off) that every other concrete ARN of the policy starts with. `None` when
/// the statements name none, or resources that are not one.
pub(crate) fn placed_arn(policy: &Policy, service: Option<&str>) -> Option<String> {
    let mut arns: Vec<&str> = policy
        .statements
        .iter()
        .filter_map(|s| s.resource.as_ref())
        .filter(|r| !r.value.negated)
        .flat_map(|r| &r.value.values)
        .map(|v| {
            let v = v.value.as_str();
            v.strip_suffix("/*")
                .or_else(|| v.strip_suffix('*'))
                .unwrap_or(v)
        })
        .filter(|v| {
            Arn::parse(v).is_some_and(|a| {
                service.is_none_or(|s| a.service.eq_ignore_ascii_case(s))
                    && !a.resource.is_empty()
                    && !a.account.contains(['*', '?'])
            }) && !v.contains(['*', '?'])
        })
        .collect();
    arns.sort_by_key(|a| a.len());
    let first = *arns.first()?;
    arns.iter()
        .all(|a| a.starts_with(first))
        .then(|| first.to_string())
}

/// The ARN from the folder, the file name and the account, with the region of the
/// first ARN of the same service in the policy's own Resource, or the default.
fn derived_arn(
    service: &ResourceService,
    account: &str,
    stem: &str,
    policy: Option<&Policy>,
) -> String {
    let svc = service.as_str();
    let region = policy
        .into_iter()
        .flat_map(|p| &p.statements)
        .filter_map(|s| s.resource.as_ref())
        .flat_map(|r| &r.values)
        .filter_map(|v| Arn::parse(v))
        .find(|a| {
            a.service.eq_ignore_ascii_case(svc)
                && !a.region.is_empty()
                && !a.region.contains(['*', '?'])
        })
        .map_or(DEFAULT_REGION, |a| a.region);
    match service {
        ResourceService::S3 => format!("arn:aws:s3:::{stem}"),
        ResourceService::Sqs => format!("arn:aws:sqs:{region}:{account}:{stem}"),
        ResourceService::Sns => format!("arn:aws:sns:{region}:{account}:{stem}"),
        ResourceService::Lambda => format!("arn:aws:lambda:{region}:{account}:function:{stem}"),
        ResourceService::Kms => format!("arn:aws:kms:{region}:{account}:key/{stem}"),
        ResourceService::SecretsManager => {
            format!("arn:aws:secretsmanager:{region}:{account}:secret:{stem}")
        }
        ResourceService::Ecr => format!("arn:aws:ecr:{region}:{account}:repository/{stem}"),
        ResourceService::Other(s) => policy
            .and_then(|p| placed_arn(p, Some(s)))
            .filter(|a| Arn::parse(a).is_some_and(|a| a.account == account))
            .unwrap_or_else(|| format!("arn:aws:{s}:{region}:{account}:{stem}")),
    }
}

fn resource_short_name(resource: &str) -> String {
    resource
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(resource)
        .to_string()
}

fn bucket_list(cx: &mut Cx, root: &Node) -> Vec<Spanned<String>> {
    let mut out = Vec::new();
    for b in cx.list("Buckets", root.get("Buckets")) {
        match b.get("Name") {
            Some(n) => out.extend(cx.string("Name", n)),
            None => {
                let problem = Problem::MissingKey {
                    key: "Name",
                    context: "a bucket entry".into(),
                };
                cx.report(problem, cx.node_span(b));
            }
        }
    }
    out
}
