//! Writing proposed objects into an account of the model: what Terraform plans and
//! CloudFormation templates share once their values are read.

use crate::ingest::LoadOptions;
use crate::ingest::cx::Cx;
use crate::ingest::diag::Diagnostic;
use crate::ingest::policy_doc;
use crate::model::{
    Account, Encoding, FileId, InlinePolicy, Policy, PolicyKind, PolicyRef, Resource,
    ResourceService, Span,
};
use crate::source::decode::{Layers, OffsetMap};

/// Which kind of identity an inline policy or an attachment is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    User,
    Group,
    Role,
}

impl Owner {
    pub fn key(self) -> &'static str {
        match self {
            Owner::User => "user",
            Owner::Group => "group",
            Owner::Role => "role",
        }
    }
}

/// A user's, group's or role's ARN and policy lists.
pub struct Owned<'a> {
    pub arn: &'a String,
    pub inline: &'a mut Vec<InlinePolicy>,
    pub attached: &'a mut Vec<PolicyRef>,
}

/// The user, group or role of the account with this name.
pub fn owner<'a>(account: &'a mut Account, owner: Owner, name: &str) -> Option<Owned<'a>> {
    match owner {
        Owner::User => account
            .users
            .iter_mut()
            .find(|u| u.name == name)
            .map(|u| Owned {
                arn: &u.arn.value,
                inline: &mut u.inline,
                attached: &mut u.attached,
            }),
        Owner::Group => account
            .groups
            .iter_mut()
            .find(|g| g.name == name)
            .map(|g| Owned {
                arn: &g.arn.value,
                inline: &mut g.inline,
                attached: &mut g.attached,
            }),
        Owner::Role => account
            .roles
            .iter_mut()
            .find(|r| r.name == name)
            .map(|r| Owned {
                arn: &r.arn.value,
                inline: &mut r.inline,
                attached: &mut r.attached,
            }),
    }
}

/// Replaces a resource's policy (removes the resource without one).
pub fn set_resource_policy(
    account: &mut Account,
    service: ResourceService,
    arn: String,
    name: String,
    policy: Option<Policy>,
    span: Span,
) {
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

/// Puts one statement into a Lambda function's policy as `AddPermission` does: it
/// replaces a statement of the same Sid (`added` is `None` to only remove it).
pub fn function_statement(
    account: &mut Account,
    function: &str,
    sid: &str,
    added: Option<Policy>,
    span: Span,
) {
    let existing = account.resources.iter().position(|r| r.arn == function);
    if let Some(policy) = existing
        .and_then(|i| account.resources.get_mut(i))
        .and_then(|r| r.policy.as_mut())
    {
        policy
            .statements
            .retain(|st| st.sid.as_ref().is_none_or(|s| s.value != sid));
    }
    let Some(added) = added else {
        return;
    };
    match existing
        .and_then(|i| account.resources.get_mut(i))
        .map(|r| &mut r.policy)
    {
        Some(Some(policy)) => {
            let mut statements = added.statements;
            let start = policy.statements.len();
            for (k, st) in statements.iter_mut().enumerate() {
                st.index = start + k;
            }
            policy.statements.extend(statements);
        }
        Some(slot) => *slot = Some(added),
        None => account.resources.push(Resource {
            arn: function.to_string(),
            service: ResourceService::Lambda,
            name: function.rsplit(':').next().unwrap_or_default().to_string(),
            policy: Some(added),
            span,
        }),
    }
}

/// The function whose policy a permission goes into: an ARN (`…:function:NAME`, a
/// qualifier `:ALIAS` dropped: the policy is the function's), or a name in the
/// account and region.
pub fn function_policy_arn(function: &str, partition: &str, region: &str, account: &str) -> String {
    if function.starts_with("arn:") {
        let parts: Vec<&str> = function.splitn(8, ':').collect();
        parts
            .get(..7)
            .map_or_else(|| function.to_string(), |p| p.join(":"))
    } else {
        format!("arn:{partition}:lambda:{region}:{account}:function:{function}")
    }
}

/// The conditions a Lambda permission adds, as `(plan attribute, template property,
/// condition key)`; the source ARN is an `ArnLike` of its own.
pub const PERMISSION_CONDITIONS: [(&str, &str, &str); 4] = [
    ("source_account", "SourceAccount", "AWS:SourceAccount"),
    ("principal_org_id", "PrincipalOrgID", "aws:PrincipalOrgID"),
    (
        "event_source_token",
        "EventSourceToken",
        "lambda:EventSourceToken",
    ),
    (
        "function_url_auth_type",
        "FunctionUrlAuthType",
        "lambda:FunctionUrlAuthType",
    ),
];

/// A customer-managed policy as a plan or a template makes it: one version, the
/// default.
pub fn managed_policy(
    arn: String,
    name: String,
    path: String,
    document: Option<Policy>,
    span: Span,
) -> crate::model::ManagedPolicy {
    crate::model::ManagedPolicy {
        arn,
        name,
        path,
        id: None,
        default_version: Some("v1".to_string()),
        document,
        other_versions: Vec::new(),
        version_count: 1,
        aws_managed: false,
        origin: crate::model::PolicyOrigin::Export,
        span: Some(span),
    }
}

/// What a Lambda permission (`AddPermission`) says, read from a plan or a template.
#[derive(Default)]
pub struct Permission {
    pub action: Option<String>,
    pub principal: Option<String>,
    pub source_arn: Option<String>,
    /// `(condition key, value)`: source account, organization, event source token,
    /// function URL auth type.
    pub equals: Vec<(&'static str, String)>,
    /// Why some value is known only after apply (the statement is then conditional).
    pub unknown: Option<String>,
}

/// The statement Lambda writes for a permission on `resource`, as a policy document.
/// A value not known widens it (`*`, or the condition left out) and marks it
/// conditional.
pub fn permission_document(p: &Permission, sid: &str, resource: &str) -> String {
    let action = p.action.clone().unwrap_or_else(|| "lambda:*".to_string());
    let principal = match p.principal.as_deref() {
        None | Some("*") => serde_json::json!("*"),
        Some(s) if s.ends_with(".amazonaws.com") || s.ends_with(".amazonaws.com.cn") => {
            serde_json::json!({ "Service": s })
        }
        Some(s) => serde_json::json!({ "AWS": s }),
    };
    let mut equals = serde_json::Map::new();
    for (key, value) in &p.equals {
        equals.insert((*key).into(), value.clone().into());
    }
    if let Some(why) = &p.unknown {
        equals.insert(super::rebuild::UNKNOWN_KEY.into(), why.clone().into());
    }
    let mut condition = serde_json::Map::new();
    if let Some(arn) = &p.source_arn {
        condition.insert(
            "ArnLike".into(),
            serde_json::json!({ "AWS:SourceArn": arn }),
        );
    }
    if !equals.is_empty() {
        condition.insert("StringEquals".into(), equals.into());
    }
    let mut st = serde_json::json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": resource,
    });
    if !condition.is_empty()
        && let Some(o) = st.as_object_mut()
    {
        o.insert("Condition".into(), condition.into());
    }
    serde_json::json!({ "Version": "2012-10-17", "Statement": [st] }).to_string()
}

/// The key policy AWS gives a key created without one: the account decides through
/// IAM policies.
pub fn default_key_policy(account: &str, partition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{{"AWS":"arn:{partition}:iam::{account}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
    )
}

/// A policy document iampath wrote (rebuilt, resolved or synthesized), read through
/// `map` back to the file it came from.
pub fn lower_written(
    file: FileId,
    text: &str,
    map: OffsetMap,
    kind: PolicyKind,
    opts: &LoadOptions,
    diags: &mut Vec<Diagnostic>,
) -> Option<Policy> {
    let tree = crate::source::json::parse(text, opts.max_depth).ok()?;
    let layers = Layers::file().push(map);
    let mut cx = Cx {
        file,
        text,
        layers: &layers,
        opts,
        diags,
    };
    policy_doc::lower(&mut cx, &tree, kind, Encoding::Object)
}

/// The type of an organization policy as plans (`SERVICE_CONTROL_POLICY`) and
/// templates write it; `None` for the types that do not decide access (tag, backup,
/// AI opt-out policies …).
pub fn org_policy_type(text: &str) -> Option<crate::model::OrgPolicyType> {
    match text {
        "SERVICE_CONTROL_POLICY" => Some(crate::model::OrgPolicyType::ServiceControl),
        "RESOURCE_CONTROL_POLICY" => Some(crate::model::OrgPolicyType::ResourceControl),
        _ => None,
    }
}

/// The policy kind an organization policy's document is read as.
pub fn org_policy_kind(kind: crate::model::OrgPolicyType) -> PolicyKind {
    match kind {
        crate::model::OrgPolicyType::ServiceControl => PolicyKind::ServiceControl,
        crate::model::OrgPolicyType::ResourceControl => PolicyKind::ResourceControl,
    }
}

/// Puts an SCP or RCP into the loaded organization (replacing one of the same ID).
/// `Err` when no organization is loaded: a policy of an organization iampath does not
/// see cannot be placed.
pub fn org_policy(
    model: &mut crate::model::Model,
    policy: crate::model::OrgPolicy,
) -> Result<(), String> {
    let Some(org) = model.organization.as_mut() else {
        return Err(
            "no organization is loaded (organization/ in --data): the policy cannot be placed; not applied"
                .to_string(),
        );
    };
    org.policies.insert(policy.id.clone(), policy);
    Ok(())
}

/// Removes an organization policy and its attachments.
pub fn org_policy_removed(model: &mut crate::model::Model, id: &str) {
    if let Some(org) = model.organization.as_mut() {
        org.policies.remove(id);
        if let Some(root) = org.root.as_mut() {
            detach_all(root, id);
        }
    }
}

fn detach_all(node: &mut crate::model::OrgNode, id: &str) {
    node.policies.retain(|p| p.value != id);
    for child in &mut node.children {
        detach_all(child, id);
    }
}

/// Attaches (or detaches) an organization policy at the root, OU or account `target`.
pub fn org_attach(
    model: &mut crate::model::Model,
    policy: &str,
    target: &str,
    attach: bool,
    span: Span,
) -> Result<(), String> {
    let Some(root) = model.organization.as_mut().and_then(|o| o.root.as_mut()) else {
        return Err(format!(
            "no organization tree is loaded (organization/ in --data): cannot attach to `{target}`; not applied"
        ));
    };
    let Some(node) = find_node(root, target) else {
        return Err(format!(
            "`{target}` is not in the loaded organization; not applied"
        ));
    };
    node.policies.retain(|p| p.value != policy);
    if attach {
        node.policies
            .push(crate::model::Spanned::new(policy.to_string(), span));
    }
    Ok(())
}

fn find_node<'a>(
    node: &'a mut crate::model::OrgNode,
    id: &str,
) -> Option<&'a mut crate::model::OrgNode> {
    if node.id.value == id {
        return Some(node);
    }
    node.children.iter_mut().find_map(|c| find_node(c, id))
}
