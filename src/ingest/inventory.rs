//! Inventory exports: the resources that run code as a role, in exactly the shape the
//! AWS CLI prints them, from `<account>/<service>/`. With them, escalation techniques
//! that need an existing resource become definite (or disappear).
//!
//! | folder | command | read |
//! |---|---|---|
//! | `lambda/` | `aws lambda list-functions` | `Functions[].{FunctionName, FunctionArn, Role}` |
//! | `ec2/` | `aws ec2 describe-instances` | `Reservations[].Instances[].{InstanceId, IamInstanceProfile.Arn, State.Name, Placement.AvailabilityZone, Tags}` |
//! | `cloudformation/` | `aws cloudformation describe-stacks` | `Stacks[].{StackName, StackId, RoleARN, StackStatus, Tags}` |
//! | `codebuild/` | `aws codebuild batch-get-projects` | `projects[].{name, arn, serviceRole, tags}` |
//! | `glue/` | `aws glue get-dev-endpoints` | `DevEndpoints[].{EndpointName, RoleArn, Status}` |

use super::cx::Cx;
use super::diag::Problem;
use super::resource::DEFAULT_REGION;
use crate::model::{InventoryItem, InventoryKind, Model, Tag};
use crate::source::json::Node;

/// The inventory kind a file of `service/` holds, by its shape.
pub fn kind_of(service: &str, root: &Node) -> Option<InventoryKind> {
    let has = |k: &str| root.get(k).is_some_and(|n| n.as_array().is_some());
    match service.to_ascii_lowercase().as_str() {
        "lambda" if has("Functions") => Some(InventoryKind::Function),
        "ec2" if has("Reservations") => Some(InventoryKind::Instance),
        "cloudformation" if has("Stacks") => Some(InventoryKind::Stack),
        "codebuild" if has("projects") => Some(InventoryKind::Project),
        "glue" if has("DevEndpoints") => Some(InventoryKind::DevEndpoint),
        _ => None,
    }
}

/// Reads one inventory file into `account`.
pub fn ingest(cx: &mut Cx, root: &Node, account: &str, kind: InventoryKind, model: &mut Model) {
    let items = match kind {
        InventoryKind::Function => functions(cx, root, account),
        InventoryKind::Instance => instances(cx, root, account),
        InventoryKind::Stack => stacks(cx, root, account),
        InventoryKind::Project => projects(cx, root, account),
        InventoryKind::DevEndpoint => dev_endpoints(cx, root, account),
    };
    let acct = model.account_mut(account);
    acct.inventoried.insert(kind);
    acct.inventory.extend(items);
}

/// A string member, reported when present with another type.
fn text(cx: &mut Cx, n: &Node, key: &str) -> Option<String> {
    cx.opt_string(key, n.get(key)).map(|s| s.value)
}

fn missing(cx: &mut Cx, n: &Node, key: &'static str, what: &str) {
    cx.report(
        Problem::MissingKey {
            key,
            context: what.to_string(),
        },
        cx.node_span(n),
    );
}

/// An ARN the export names, checked against the folder's account.
fn own_arn(cx: &mut Cx, n: &Node, key: &str, account: &str) -> Option<String> {
    let s = cx.opt_string(key, n.get(key))?;
    cx.check_account(&s, account);
    Some(s.value)
}

fn tags(cx: &mut Cx, n: Option<&Node>, key: &str, value: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    for t in cx.list("Tags", n) {
        if let Some(k) = t.get(key).and_then(Node::as_str) {
            out.push(Tag {
                key: k.to_string(),
                value: t
                    .get(value)
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
            });
        }
    }
    out
}

fn item(cx: &Cx, n: &Node, kind: InventoryKind, arn: String, name: String) -> InventoryItem {
    InventoryItem {
        kind,
        arn,
        name,
        role: None,
        instance_profile: None,
        state: None,
        tags: Vec::new(),
        span: cx.node_span(n),
    }
}

fn functions(cx: &mut Cx, root: &Node, account: &str) -> Vec<InventoryItem> {
    let mut out = Vec::new();
    for f in cx.list("Functions", root.get("Functions")) {
        let Some(name) = text(cx, f, "FunctionName") else {
            missing(cx, f, "FunctionName", "a function of list-functions");
            continue;
        };
        let arn = own_arn(cx, f, "FunctionArn", account).unwrap_or_else(|| {
            format!("arn:aws:lambda:{DEFAULT_REGION}:{account}:function:{name}")
        });
        let mut it = item(cx, f, InventoryKind::Function, arn, name);
        it.role = text(cx, f, "Role");
        out.push(it);
    }
    out
}

fn instances(cx: &mut Cx, root: &Node, account: &str) -> Vec<InventoryItem> {
    let mut out = Vec::new();
    for r in cx.list("Reservations", root.get("Reservations")) {
        for i in cx.list("Instances", r.get("Instances")) {
            let Some(id) = text(cx, i, "InstanceId") else {
                missing(cx, i, "InstanceId", "an instance of describe-instances");
                continue;
            };
            // `us-east-1a` → `us-east-1`.
            let region = i
                .get("Placement")
                .and_then(|p| p.get("AvailabilityZone"))
                .and_then(Node::as_str)
                .map(|az| az.trim_end_matches(|c: char| c.is_ascii_lowercase()))
                .filter(|r| !r.is_empty() && !r.ends_with('-'))
                .unwrap_or(DEFAULT_REGION)
                .to_string();
            let arn = format!("arn:aws:ec2:{region}:{account}:instance/{id}");
            let mut it = item(cx, i, InventoryKind::Instance, arn, id);
            it.instance_profile = i
                .get("IamInstanceProfile")
                .and_then(|p| p.get("Arn"))
                .and_then(Node::as_str)
                .map(str::to_string);
            it.state = i
                .get("State")
                .and_then(|s| s.get("Name"))
                .and_then(Node::as_str)
                .map(str::to_string);
            it.tags = tags(cx, i.get("Tags"), "Key", "Value");
            out.push(it);
        }
    }
    out
}

fn stacks(cx: &mut Cx, root: &Node, account: &str) -> Vec<InventoryItem> {
    let mut out = Vec::new();
    for s in cx.list("Stacks", root.get("Stacks")) {
        let Some(name) = text(cx, s, "StackName") else {
            missing(cx, s, "StackName", "a stack of describe-stacks");
            continue;
        };
        let arn = own_arn(cx, s, "StackId", account).unwrap_or_else(|| {
            format!("arn:aws:cloudformation:{DEFAULT_REGION}:{account}:stack/{name}/*")
        });
        let mut it = item(cx, s, InventoryKind::Stack, arn, name);
        it.role = text(cx, s, "RoleARN");
        it.state = text(cx, s, "StackStatus");
        it.tags = tags(cx, s.get("Tags"), "Key", "Value");
        out.push(it);
    }
    out
}

fn projects(cx: &mut Cx, root: &Node, account: &str) -> Vec<InventoryItem> {
    let mut out = Vec::new();
    for p in cx.list("projects", root.get("projects")) {
        let Some(name) = text(cx, p, "name") else {
            missing(cx, p, "name", "a project of batch-get-projects");
            continue;
        };
        let arn = own_arn(cx, p, "arn", account).unwrap_or_else(|| {
            format!("arn:aws:codebuild:{DEFAULT_REGION}:{account}:project/{name}")
        });
        let mut it = item(cx, p, InventoryKind::Project, arn, name);
        it.role = text(cx, p, "serviceRole");
        it.tags = tags(cx, p.get("tags"), "key", "value");
        out.push(it);
    }
    out
}

fn dev_endpoints(cx: &mut Cx, root: &Node, account: &str) -> Vec<InventoryItem> {
    let mut out = Vec::new();
    for e in cx.list("DevEndpoints", root.get("DevEndpoints")) {
        let Some(name) = text(cx, e, "EndpointName") else {
            missing(cx, e, "EndpointName", "a dev endpoint of get-dev-endpoints");
            continue;
        };
        let arn = format!("arn:aws:glue:{DEFAULT_REGION}:{account}:devEndpoint/{name}");
        let mut it = item(cx, e, InventoryKind::DevEndpoint, arn, name);
        it.role = text(cx, e, "RoleArn");
        it.state = text(cx, e, "Status");
        out.push(it);
    }
    out
}
