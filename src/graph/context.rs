//! What the graph knows of a caller's request context: the facts of the data
//! (principal ARN, account, tags, organization) are filled in; every other key is
//! unknown (decision-rules §4.6).

use std::sync::OnceLock;

use crate::eval::Caller;
use crate::policy::context::{KeyMap, MapContext, Values};

use super::org_levels::OrgLevels;
use super::world::Fixed;

/// Facts known for a caller; the rest of the context is unknown (§4.6).
pub(super) fn base_context(caller: &Caller, org: &OrgLevels, fixed: &Fixed) -> MapContext {
    let mut ctx = MapContext {
        missing_is_unknown: true,
        ..MapContext::default()
    };
    let mut given: KeyMap<Vec<String>> = KeyMap::default();
    for (k, v) in fixed {
        given
            .get_or_insert_with(k.to_ascii_lowercase(), Vec::new)
            .push(v.clone());
    }
    for (k, v) in given.iter() {
        ctx.values.insert(k.to_string(), v.clone().into());
    }
    if let Some(arn) = caller.principal_arn() {
        ctx.set_default("aws:PrincipalArn", vec![arn]);
    }
    if let Some(account) = caller.account() {
        ctx.set_default("aws:PrincipalAccount", vec![account.to_string()]);
        ctx.set_default("aws:PrincipalIsAWSService", shared().no.clone());
        match (&org.org_id_values, org.in_org(account)) {
            (Some(id), true) => ctx.set_default("aws:PrincipalOrgID", id.clone()),
            // A loaded account outside the tree is outside the organization: its
            // principals' org ID, if any, is not this one (README, "How iampath decides").
            (Some(id), false) if org.loaded.contains(account) => {
                ctx.excluded.insert("aws:principalorgid".into(), id.clone());
            }
            _ => {}
        }
        // A principal calling directly carries no service source keys (§4.5). A tag
        // the export does not list stays unknown: a role session may carry session
        // tags (`sts:TagSession`) that no export shows.
        for k in ["aws:sourcearn", "aws:sourceaccount", "aws:sourceowner"] {
            ctx.absent.insert(k.to_string());
        }
    }
    if let Caller::Service(s) = caller {
        ctx.set_default("aws:PrincipalIsAWSService", shared().yes.clone());
        ctx.set_default("aws:PrincipalServiceName", vec![s.clone()]);
    }
    set_time(&mut ctx, caller);
    ctx
}

/// The values every principal's context shares: made once, held once.
struct Shared {
    /// `aws:CurrentTime` and a session's `aws:TokenIssueTime`: now, when the run began.
    now: Values,
    /// `aws:EpochTime`, the same instant.
    epoch: Values,
    yes: Values,
    no: Values,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let now = crate::policy::condition::date::format_utc(secs);
        Shared {
            now: vec![now].into(),
            epoch: vec![secs.to_string()].into(),
            yes: vec!["true".to_string()].into(),
            no: vec!["false".to_string()].into(),
        }
    })
}

/// The request is made now: `aws:CurrentTime` and `aws:EpochTime` are now; a role
/// session's token was issued now (`aws:TokenIssueTime`); a user may call with
/// long-term keys (no token) or a session token issued now. "Now" is one instant per
/// run, so every principal of a graph asks at the same time.
fn set_time(ctx: &mut MapContext, caller: &Caller) {
    let shared = shared();
    ctx.set_default("aws:CurrentTime", shared.now.clone());
    ctx.set_default("aws:EpochTime", shared.epoch.clone());
    if ctx.values.contains_key("aws:tokenissuetime") {
        return;
    }
    match caller {
        Caller::RoleSession { .. } | Caller::Federated(_) => {
            ctx.set("aws:TokenIssueTime", shared.now.clone());
        }
        Caller::User { .. } | Caller::Root { .. } | Caller::FederatedUser { .. } => {
            ctx.either
                .insert("aws:tokenissuetime".into(), shared.now.clone());
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
    set_time(&mut ctx, &Caller::Anonymous);
    ctx
}
