//! Every principal of the loaded data with its compiled policies and known context
//! facts, plus the principals the data names but does not hold (external accounts,
//! services, identity providers, anonymous callers).

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::compiled::{PolicyOrigin, Shared, Sourced, assumed_identity, inline};
use super::context::{anonymous_context, base_context};
use super::org_levels::OrgLevels;
use crate::eval::{Caller, CompiledPolicy, compile};
use crate::model::{Account, Effect, Model};
use crate::policy::context::{MapContext, Tri};

/// What a principal node is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeKind {
    User,
    Role,
    /// "Any principal of account X": trusted, but X is not loaded.
    ExternalAccount,
    /// A specific principal ARN of an account that is not loaded.
    ExternalPrincipal,
    Service,
    Federated,
    Anonymous,
    /// "An administrator of account X": what a self-escalation to administrator gains.
    Administrator,
    /// A loaded user or role after an escalation that changed its permissions (in a
    /// group, without its boundary, with a policy version …).
    Escalated,
}

impl NodeKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            NodeKind::User => "user",
            NodeKind::Role => "role",
            NodeKind::ExternalAccount => "external-account",
            NodeKind::ExternalPrincipal => "external-principal",
            NodeKind::Service => "service",
            NodeKind::Federated => "federated",
            NodeKind::Anonymous => "anonymous",
            NodeKind::Administrator => "administrator",
            NodeKind::Escalated => "escalated",
        }
    }

    /// A user or role the data holds (not a node iampath made up).
    pub fn is_loaded(&self) -> bool {
        matches!(self, NodeKind::User | NodeKind::Role)
    }
}

/// A principal of the graph, ready to be a caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: NodeKind,
    /// The ARN (or service name, provider, `*`) the principal is shown with.
    pub id: Arc<str>,
    pub account: Option<String>,
    pub caller: Caller,
    pub identity: Vec<Arc<CompiledPolicy>>,
    /// Where each identity policy comes from (same order as `identity`).
    pub origins: Vec<PolicyOrigin>,
    pub boundary: Option<Arc<CompiledPolicy>>,
    /// For roles: the trust policy.
    pub trust: Option<Arc<CompiledPolicy>>,
    pub service_linked: bool,
    /// Known facts (principal ARN, account, tags, org ID …); other keys unknown.
    pub context: MapContext,
    /// True for nodes whose identity side is assumed because its account is not loaded.
    pub assumed_identity: bool,
    /// (policy, statement) indexes of the identity statements that may allow the
    /// caller's assume action: the only ones that can make an assume-role edge.
    pub assume_grants: Vec<(usize, usize)>,
    /// Whether it is an administrator (iampath's definition: see `eval::admin`);
    /// computed for loaded users and roles when the escalation edges are built.
    pub admin: Tri,
    /// For an escalated node: the loaded user or role it is a changed copy of.
    pub base: Option<usize>,
}

impl Principal {
    /// A principal without policies.
    pub fn new(
        kind: NodeKind,
        id: String,
        account: Option<String>,
        caller: Caller,
        mut context: MapContext,
    ) -> Principal {
        context.shrink_to_fit();
        Principal {
            kind,
            id: id.into(),
            account,
            caller,
            identity: Vec::new(),
            origins: Vec::new(),
            boundary: None,
            trust: None,
            service_linked: false,
            context,
            assumed_identity: false,
            assume_grants: Vec::new(),
            admin: Tri::False,
            base: None,
        }
    }

    /// Sets the identity policies (with their origins) and indexes its grants.
    pub fn with_identity(mut self, identity: Vec<Sourced>) -> Principal {
        let (policies, origins): (Vec<_>, Vec<_>) = identity.into_iter().unzip();
        self.identity = policies;
        self.origins = origins;
        self.index_grants();
        self
    }

    /// Recomputes which identity statements may allow the principal's assume action.
    pub fn index_grants(&mut self) {
        let action = crate::graph::edges::assume_action(&self.caller);
        self.assume_grants = self
            .identity
            .iter()
            .enumerate()
            .flat_map(|(pi, p)| {
                p.statements
                    .iter()
                    .enumerate()
                    .map(move |(si, st)| (pi, si, st))
            })
            .filter(|(_, _, st)| {
                st.effect != Some(Effect::Deny)
                    && st
                        .actions
                        .as_ref()
                        .is_some_and(|a| a.matches_action(action))
            })
            .map(|(pi, si, _)| (pi, si))
            .collect();
    }
}

/// All principals, indexed.
#[derive(Debug)]
pub struct World {
    /// Boxed: nodes are added after the build (outside principals, escalated copies),
    /// and a growing `Vec` of whole principals would hold room for as many again.
    pub principals: Vec<Box<Principal>>,
    pub by_id: HashMap<Arc<str>, usize>,
    pub org: OrgLevels,
    pub loaded_accounts: std::collections::HashSet<String>,
    /// Each loaded account's users and roles are contiguous in `principals`.
    account_ranges: HashMap<String, std::ops::Range<usize>>,
    /// Which roles' trust policies admit whom (filled by the assume-role edge build): a
    /// changed copy of a principal (escalation) is admitted by the same trusts.
    pub trust_admits: crate::graph::edges::TrustAdmits,
}

/// The users and roles of one account, ready to be callers: managed and group
/// policies are compiled once per account and shared by every principal that uses
/// them.
fn account_principals(account: &Account, org: &OrgLevels, fixed: &Fixed) -> Vec<Principal> {
    // The account's policies name the same actions and ARNs over and over: each list
    // and pattern is compiled once and shared.
    crate::eval::intern::interning(|| compile_principals(account, org, fixed))
}

fn compile_principals(account: &Account, org: &OrgLevels, fixed: &Fixed) -> Vec<Principal> {
    let mut out = Vec::with_capacity(account.users.len() + account.roles.len());
    // Managed and group policies are compiled once per account and shared by
    // every principal that uses them.
    let mut shared = Shared::default();
    for u in &account.users {
        let owner = format!("user `{}`", u.name);
        let mut identity = inline(&u.inline, &owner, None);
        identity.extend(shared.attached(account, &u.attached));
        for g in &u.groups {
            if let Some(group) = account.groups.iter().find(|x| x.name == g.value) {
                identity.extend(shared.group(account, group));
            }
        }
        let caller = Caller::User {
            arn: u.arn.value.clone(),
            account: account.id.clone(),
        };
        let mut ctx = base_context(&caller, org, fixed);
        ctx.set_default("aws:username", vec![u.name.clone()]);
        ctx.set_default("aws:userid", vec![u.id.clone()]);
        set_tags(&mut ctx, &u.tags);
        let mut p = Principal::new(
            NodeKind::User,
            u.arn.value.clone(),
            Some(account.id.clone()),
            caller,
            ctx,
        )
        .with_identity(identity);
        p.boundary = shared.boundary(account, u.boundary.as_ref());
        out.push(p);
    }
    for r in &account.roles {
        let owner = format!("role `{}`", r.name);
        let mut identity = inline(&r.inline, &owner, None);
        identity.extend(shared.attached(account, &r.attached));
        let caller = Caller::RoleSession {
            role_arn: r.arn.value.clone(),
            role_name: r.name.clone(),
            account: account.id.clone(),
            session_arn: None,
        };
        let mut ctx = base_context(&caller, org, fixed);
        set_tags(&mut ctx, &r.tags);
        let trust = r
            .trust
            .as_ref()
            .map(|t| Arc::new(compile(t, format!("trust policy of {owner}"))));
        let mut p = Principal::new(
            NodeKind::Role,
            r.arn.value.clone(),
            Some(account.id.clone()),
            caller,
            ctx,
        )
        .with_identity(identity);
        p.boundary = shared.boundary(account, r.boundary.as_ref());
        p.trust = trust;
        p.service_linked = r.is_service_linked();
        out.push(p);
    }
    out
}

/// Drops the policy documents of an account's users and roles (see
/// [`World::new_releasing`]); their names and everything else stay.
fn release_documents(account: &mut Account) {
    for u in &mut account.users {
        u.inline.iter_mut().for_each(|p| p.document = None);
    }
    for r in &mut account.roles {
        r.trust = None;
        r.inline.iter_mut().for_each(|p| p.document = None);
    }
}

/// A principal's tags as `aws:PrincipalTag/KEY` (unless `--context` gives the key).
fn set_tags(ctx: &mut MapContext, tags: &[crate::model::Tag]) {
    for t in tags {
        ctx.set_default(
            &format!("aws:PrincipalTag/{}", t.key),
            vec![t.value.clone()],
        );
    }
}

/// Facts the graph fixes for `--context KEY=VALUE`.
pub type Fixed = [(String, String)];

impl World {
    pub fn new(model: &Model, fixed: &Fixed) -> World {
        let mut w = World::empty(model);
        // Each account's principals are made on their own (policies compiled, context
        // facts set), in parallel; then numbered in account order.
        let accounts: Vec<&Account> = model.accounts.values().collect();
        let made: Vec<Vec<Principal>> = accounts
            .par_iter()
            .map(|account| account_principals(account, &w.org, fixed))
            .collect();
        w.number(accounts.iter().map(|a| a.id.as_str()), made);
        w
    }

    /// [`World::new`], letting go of each account's user and role policy documents
    /// (inline policies, trust policies) as soon as they are compiled, so that the
    /// build reuses their memory. Nothing after the build reads them: the principals
    /// hold them compiled, with their spans. Group and managed policies stay (an
    /// escalation into a group or to another policy version compiles them again).
    pub fn new_releasing(model: &mut Model, fixed: &Fixed) -> World {
        let mut w = World::empty(model);
        let mut accounts: Vec<&mut Account> = model.accounts.values_mut().collect();
        let made: Vec<Vec<Principal>> = accounts
            .par_iter_mut()
            .map(|account| {
                let principals = account_principals(account, &w.org, fixed);
                release_documents(account);
                principals
            })
            .collect();
        w.number(accounts.iter().map(|a| a.id.as_str()), made);
        w
    }

    fn empty(model: &Model) -> World {
        World {
            principals: Vec::new(),
            by_id: HashMap::new(),
            org: OrgLevels::new(model),
            loaded_accounts: model.accounts.keys().cloned().collect(),
            account_ranges: HashMap::new(),
            trust_admits: Default::default(),
        }
    }

    /// Numbers each account's principals (`made`, one list per account of
    /// `accounts`) in account order, then the anonymous caller.
    fn number<'a>(&mut self, accounts: impl Iterator<Item = &'a str>, made: Vec<Vec<Principal>>) {
        self.principals
            .reserve_exact(made.iter().map(Vec::len).sum::<usize>() + 1);
        self.by_id.reserve(self.principals.capacity());
        for (account, principals) in accounts.zip(made) {
            let first = self.principals.len();
            for p in principals {
                self.add(p);
            }
            self.account_ranges
                .insert(account.to_string(), first..self.principals.len());
        }
        self.add_anonymous();
    }

    /// The loaded role of an account with this name (whatever its path).
    pub fn role_named(&self, account: &str, name: &str) -> Option<usize> {
        self.of_account(account).find(|i| {
            self.principals.get(*i).is_some_and(|p| {
                p.kind == NodeKind::Role
                    && matches!(&p.caller, Caller::RoleSession { role_name, .. } if role_name == name)
            })
        })
    }

    /// The account of node `i` (none for a node outside the accounts, or past the end).
    pub fn account_of(&self, i: usize) -> Option<&str> {
        self.principals.get(i).and_then(|p| p.account.as_deref())
    }

    /// The loaded users and roles of an account.
    pub fn of_account(&self, account: &str) -> std::ops::Range<usize> {
        self.account_ranges.get(account).cloned().unwrap_or(0..0)
    }

    /// Each loaded account with the range of its users and roles.
    pub(crate) fn accounts(&self) -> impl Iterator<Item = (&str, std::ops::Range<usize>)> {
        self.account_ranges
            .iter()
            .map(|(a, r)| (a.as_str(), r.clone()))
    }

    /// Adds a principal (made after the build) and returns its index.
    pub fn push(&mut self, p: Principal) -> usize {
        self.add(p)
    }

    fn add(&mut self, p: Principal) -> usize {
        let i = self.principals.len();
        self.by_id.insert(p.id.clone(), i);
        self.principals.push(Box::new(p));
        i
    }

    fn add_anonymous(&mut self) {
        self.add(Principal::new(
            NodeKind::Anonymous,
            "*".into(),
            None,
            Caller::Anonymous,
            anonymous_context(),
        ));
    }

    /// "An administrator of account A": what a self-escalation to administrator gains,
    /// created on first use. It may do anything (`Allow *`), within the account's SCPs.
    pub fn administrator(&mut self, account: &str, fixed: &Fixed) -> usize {
        let id = administrator_id(account);
        if let Some(i) = self.by_id.get(id.as_str()) {
            return *i;
        }
        let caller = Caller::RoleSession {
            role_arn: format!("arn:aws:iam::{account}:role/iampath-administrator"),
            role_name: "iampath-administrator".into(),
            account: account.to_string(),
            session_arn: None,
        };
        let context = base_context(&caller, &self.org, fixed);
        let mut p = Principal::new(
            NodeKind::Administrator,
            id,
            Some(account.to_string()),
            caller,
            context,
        )
        .with_identity(vec![(allow_all(), allow_all_origin())]);
        p.admin = Tri::True;
        self.add(p)
    }

    /// The node for a principal the data names but does not hold, created on first use.
    pub fn outside(&mut self, kind: NodeKind, id: &str, fixed: &Fixed) -> Option<usize> {
        if let Some(i) = self.by_id.get(id) {
            return Some(*i);
        }
        let (caller, account) = match kind {
            NodeKind::ExternalAccount => {
                let c = Caller::User {
                    arn: format!("arn:aws:iam::{id}:user/*"),
                    account: id.to_string(),
                };
                (c, Some(id.to_string()))
            }
            NodeKind::ExternalPrincipal => {
                let c = Caller::parse(id).ok()?;
                let a = c.account().map(str::to_string);
                (c, a)
            }
            NodeKind::Service => (Caller::Service(id.to_string()), None),
            NodeKind::Federated => (Caller::Federated(id.to_string()), None),
            _ => return None,
        };
        let assumed = matches!(
            kind,
            NodeKind::ExternalAccount | NodeKind::ExternalPrincipal
        );
        let identity = if assumed {
            let policy = Arc::new(assumed_identity(account.as_deref().unwrap_or_default()));
            vec![(
                policy,
                PolicyOrigin {
                    group: None,
                    managed: None,
                    name: Arc::from("assumed"),
                },
            )]
        } else {
            Vec::new()
        };
        let mut context = base_context(&caller, &self.org, fixed);
        if assumed {
            // Nothing is known of a principal whose account is not loaded.
            context.absent.clear();
        }
        let mut p =
            Principal::new(kind, id.to_string(), account, caller, context).with_identity(identity);
        p.assumed_identity = assumed;
        Some(self.add(p))
    }
}

/// The id of account A's administrator node.
pub fn administrator_id(account: &str) -> String {
    format!("administrator@{account}")
}

/// `Allow * on *`, the policy an escalation to administrator writes.
pub fn allow_all() -> Arc<CompiledPolicy> {
    static POLICY: std::sync::OnceLock<Arc<CompiledPolicy>> = std::sync::OnceLock::new();
    POLICY
        .get_or_init(|| {
            Arc::new(super::compiled::allow_everything(
                "a policy it writes itself (Allow * on *)",
            ))
        })
        .clone()
}

/// Where [`allow_all`] comes from.
pub fn allow_all_origin() -> PolicyOrigin {
    PolicyOrigin {
        group: None,
        managed: None,
        name: Arc::from("escalation"),
    }
}
