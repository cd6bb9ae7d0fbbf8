//! What the graph knows of a caller's request context: the facts of the data
//! (principal ARN, account, tags, organization) are filled in; every other key is
//! unknown (decision-rules §4.6).

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use crate::eval::Caller;
use crate::policy::context::{Clock, KeyMap, MapContext, Token, Values};

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
        ctx.set_default("aws:PrincipalAccount", account_values(account));
        ctx.set_default("aws:PrincipalIsAWSService", shared().no.clone());
        match (&org.org_id_values, org.in_org(account)) {
            (Some(id), true) => ctx.set_default("aws:PrincipalOrgID", id.clone()),
            // A loaded account outside the tree is outside the organization: its
            // principals' org ID, if any, is not this one (README, "How iampath decides").
            (Some(id), false) if org.loaded.contains(account) => {
                ctx.exclude("aws:PrincipalOrgID", id.clone());
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

/// `aws:PrincipalAccount` of a principal of `account`. The principals of an account
/// are made one after another, so each thread keeps the last account's values for
/// the next principal: one copy per account, not one per principal.
fn account_values(account: &str) -> Values {
    thread_local! {
        static LAST: RefCell<Option<Values>> = const { RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        match &*last {
            Some(v) if v.first().is_some_and(|a| a == account) => v.clone(),
            _ => {
                let v: Values = vec![account.to_string()].into();
                *last = Some(v.clone());
                v
            }
        }
    })
}

/// The values every principal's context shares: made once, held once.
struct Shared {
    /// The clock of a caller by the kind of its token: a session's, a user's (long-term
    /// keys or a session), none.
    session: Arc<Clock>,
    user: Arc<Clock>,
    tokenless: Arc<Clock>,
    yes: Values,
    no: Values,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let now: Values = vec![crate::policy::condition::date::format_utc(secs)].into();
        let epoch: Values = vec![secs.to_string()].into();
        let clock = |token| {
            Arc::new(Clock {
                now: now.clone(),
                epoch: epoch.clone(),
                token,
            })
        };
        Shared {
            session: clock(Token::Now),
            user: clock(Token::NoneOrNow),
            tokenless: clock(Token::Absent),
            yes: vec!["true".to_string()].into(),
            no: vec!["false".to_string()].into(),
        }
    })
}

/// The request is made now: `aws:CurrentTime` and `aws:EpochTime` are now; a role
/// session's token was issued now (`aws:TokenIssueTime`); a user may call with
/// long-term keys (no token) or a session token issued now. "Now" is one instant per
/// run, so every principal of a graph asks at the same time. A key `--context` gives
/// is the context's own and comes first.
fn set_time(ctx: &mut MapContext, caller: &Caller) {
    let shared = shared();
    let clock = match caller {
        Caller::RoleSession { .. } | Caller::Federated(_) => &shared.session,
        Caller::User { .. } | Caller::Root { .. } | Caller::FederatedUser { .. } => &shared.user,
        Caller::Anonymous | Caller::Service(_) => &shared.tokenless,
    };
    ctx.clock = Some(clock.clone());
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
