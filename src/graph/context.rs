//! What the graph knows of a caller's request context: the facts of the data
//! (principal ARN, account, tags, organization) are filled in; every other key is
//! unknown (iam-semantics §4.6).

use crate::eval::Caller;
use crate::policy::context::MapContext;

use super::org_levels::OrgLevels;
use super::world::Fixed;

/// Facts known for a caller; the rest of the context is unknown (§4.6).
pub(super) fn base_context(caller: &Caller, org: &OrgLevels, fixed: &Fixed) -> MapContext {
    let mut ctx = MapContext {
        missing_is_unknown: true,
        ..MapContext::default()
    };
    for (k, v) in fixed {
        ctx.values
            .entry(k.to_ascii_lowercase())
            .or_default()
            .push(v.clone());
    }
    if let Some(arn) = caller.principal_arn() {
        ctx.set_default("aws:PrincipalArn", vec![arn]);
    }
    if let Some(account) = caller.account() {
        ctx.set_default("aws:PrincipalAccount", vec![account.to_string()]);
        ctx.set_default("aws:PrincipalIsAWSService", vec!["false".into()]);
        match (&org.org_id, org.in_org(account)) {
            (Some(id), true) => ctx.set_default("aws:PrincipalOrgID", vec![id.clone()]),
            // A loaded account outside the tree is outside the organization: its
            // principals' org ID, if any, is not this one (design.md).
            (Some(id), false) if org.loaded.contains(account) => {
                ctx.excluded
                    .insert("aws:principalorgid".into(), vec![id.clone()]);
            }
            _ => {}
        }
        // A principal calling directly carries no service source keys (§4.5), and
        // its tags are all known from the export.
        for k in ["aws:sourcearn", "aws:sourceaccount", "aws:sourceowner"] {
            ctx.absent.insert(k.to_string());
        }
        ctx.absent_prefixes.push("aws:principaltag/".into());
    }
    if let Caller::Service(s) = caller {
        ctx.set_default("aws:PrincipalIsAWSService", vec!["true".into()]);
        ctx.set_default("aws:PrincipalServiceName", vec![s.clone()]);
    }
    ctx
}

/// An anonymous caller carries no principal keys and no service source keys (§4.5).
pub(super) fn anonymous_context() -> MapContext {
    let mut ctx = MapContext {
        missing_is_unknown: true,
        ..MapContext::default()
    };
    for k in [
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principaltype",
        "aws:username",
        "aws:userid",
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:principalisawsservice",
    ] {
        ctx.absent.insert(k.to_string());
    }
    ctx.absent_prefixes.push("aws:principaltag/".into());
    ctx
}
