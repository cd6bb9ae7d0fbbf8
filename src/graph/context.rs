//! What the graph knows of a caller's request context: the facts of the data
//! (principal ARN, account, tags, organization) are filled in; every other key is
//! unknown (decision-rules §4.6).

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
            .get_or_insert_with(k.to_ascii_lowercase(), Vec::new)
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
            // principals' org ID, if any, is not this one (README, "How iampath decides").
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
    set_time(&mut ctx, caller);
    ctx
}

/// The request is made now: `aws:CurrentTime` and `aws:EpochTime` are now; a role
/// session's token was issued now (`aws:TokenIssueTime`); a user may call with
/// long-term keys (no token) or a session token issued now.
fn set_time(ctx: &mut MapContext, caller: &Caller) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let now = crate::policy::condition::date::format_utc(secs);
    ctx.set_default("aws:CurrentTime", vec![now.clone()]);
    ctx.set_default("aws:EpochTime", vec![secs.to_string()]);
    if ctx.values.contains_key("aws:tokenissuetime") {
        return;
    }
    match caller {
        Caller::RoleSession { .. } | Caller::Federated(_) => {
            ctx.set("aws:TokenIssueTime", vec![now]);
        }
        Caller::User { .. } | Caller::Root { .. } | Caller::FederatedUser { .. } => {
            ctx.either.insert("aws:tokenissuetime".into(), vec![now]);
        }
        Caller::Anonymous | Caller::Service(_) => {
            ctx.absent.insert("aws:tokenissuetime".into());
        }
    }
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
    set_time(&mut ctx, &Caller::Anonymous);
    ctx
}
