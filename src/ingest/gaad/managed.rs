//! The managed policies of an export (`Policies`): the default version's document,
//! and the other versions of a customer-managed policy.

use super::parts::head;
use crate::ingest::cx::Cx;
use crate::ingest::diag::Problem;
use crate::ingest::policy_doc::{self, SizeLimit};
use crate::model::{ManagedPolicy, PolicyKind, PolicyOrigin, PolicyVersion};
use crate::policy::arn::Arn;
use crate::source::json::{Node, Value};

const POLICY_KEYS: &[&str] = &[
    "PolicyName",
    "PolicyId",
    "Arn",
    "Path",
    "DefaultVersionId",
    "AttachmentCount",
    "PermissionsBoundaryUsageCount",
    "IsAttachable",
    "CreateDate",
    "UpdateDate",
    "PolicyVersionList",
    "Description",
    "Tags",
];
const VERSION_KEYS: &[&str] = &["Document", "VersionId", "IsDefaultVersion", "CreateDate"];

pub(super) fn managed(cx: &mut Cx, node: &Node) -> Option<ManagedPolicy> {
    let f = cx.object(
        node,
        "Policies",
        "a managed policy entry",
        POLICY_KEYS,
        false,
    )?;
    let h = head(
        cx,
        node,
        &f,
        "PolicyName",
        "PolicyId",
        "a managed policy entry",
    )?;
    let aws_managed = Arn::parse(&h.arn).is_some_and(|a| a.account == "aws");
    let default_version = cx
        .opt_string("DefaultVersionId", f.get("DefaultVersionId"))
        .map(|s| s.value);
    let versions = cx.list("PolicyVersionList", f.get("PolicyVersionList"));
    let mut chosen: Option<&Node> = None;
    for v in versions {
        let Some(vf) = cx.object(
            v,
            "PolicyVersionList",
            "a policy version",
            VERSION_KEYS,
            false,
        ) else {
            continue;
        };
        let is_default = matches!(
            vf.get("IsDefaultVersion").map(|n| &n.value),
            Some(Value::Bool(true))
        ) || (default_version.is_some()
            && vf.str("VersionId") == default_version.as_deref());
        if is_default && chosen.is_none() {
            chosen = vf.get("Document");
        }
    }
    // A single version is the default when the export does not say otherwise; one
    // marked `IsDefaultVersion: false`, or another version named by `DefaultVersionId`,
    // means the default version is missing from the export.
    if let (None, [only]) = (chosen, versions) {
        let not_default = matches!(
            only.get("IsDefaultVersion").map(|n| &n.value),
            Some(Value::Bool(false))
        );
        let other_named = default_version
            .as_deref()
            .is_some_and(|d| only.get("VersionId").and_then(Node::as_str) != Some(d));
        if !not_default && !other_named {
            chosen = only.get("Document");
        }
    }
    let document = match chosen {
        // AWS's own policies are not bound by the customer-managed size limit.
        Some(doc) => {
            let limit = (!aws_managed).then_some(SizeLimit::MANAGED);
            policy_doc::document(cx, "Document", doc, PolicyKind::Identity, limit)
        }
        None => {
            cx.report(Problem::NoDefaultVersion(h.arn.value.clone()), h.arn.span);
            None
        }
    };
    let other_versions = if aws_managed {
        Vec::new()
    } else {
        other_versions(cx, versions, chosen)
    };
    Some(ManagedPolicy {
        arn: h.arn.value,
        name: h.name,
        path: h.path,
        id: Some(h.id).filter(|s| !s.is_empty()),
        default_version,
        document,
        other_versions,
        version_count: versions.len(),
        aws_managed,
        origin: PolicyOrigin::Export,
        span: Some(h.arn.span),
    })
}

/// The versions of a customer-managed policy that are not its default: inert until
/// someone sets one as the default (an escalation technique), so their grammar is not
/// reported again (AWS checked it when the version was created).
fn other_versions(cx: &mut Cx, versions: &[Node], chosen: Option<&Node>) -> Vec<PolicyVersion> {
    let mut quiet = Vec::new();
    let mut out = Vec::new();
    for v in versions {
        let (Some(doc), Some(id)) = (v.get("Document"), v.get("VersionId").and_then(Node::as_str))
        else {
            continue;
        };
        if chosen.is_some_and(|c| std::ptr::eq(c, doc)) {
            continue;
        }
        let mut inner = Cx {
            file: cx.file,
            text: cx.text,
            layers: cx.layers,
            opts: cx.opts,
            diags: &mut quiet,
        };
        if let Some(document) =
            policy_doc::document(&mut inner, "Document", doc, PolicyKind::Identity, None)
        {
            out.push(PolicyVersion {
                id: id.to_string(),
                document,
            });
        }
    }
    out
}
