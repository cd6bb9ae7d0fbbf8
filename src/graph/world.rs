//! Every principal of the loaded data with its compiled policies and known context
//! facts, plus the principals the data names but does not hold (external accounts,
//! services, identity providers, anonymous callers).

use std::collections::HashMap;
use std::sync::Arc;

use crate::eval::{Caller, CompiledPolicy, Level, compile};
use crate::model::{Account, Effect, InlinePolicy, Model, OrgPolicyType, PolicyRef};
use crate::policy::context::MapContext;

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
}

/// A principal of the graph, ready to be a caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: NodeKind,
    /// The ARN (or service name, provider, `*`) the principal is shown with.
    pub id: String,
    pub account: Option<String>,
    pub caller: Caller,
    pub identity: Vec<Arc<CompiledPolicy>>,
    pub boundary: Option<Arc<CompiledPolicy>>,
    /// For roles: the trust policy.
    pub trust: Option<CompiledPolicy>,
    pub service_linked: bool,
    /// Known facts (principal ARN, account, tags, org ID …); other keys unknown.
    pub context: MapContext,
    /// True for nodes whose identity side is assumed because its account is not loaded.
    pub assumed_identity: bool,
    /// (policy, statement) indexes of the identity statements that may allow the
    /// caller's assume action: the only ones that can make an assume-role edge.
    pub assume_grants: Vec<(usize, usize)>,
}

impl Principal {
    #[allow(clippy::too_many_arguments)]
    fn new(
        kind: NodeKind,
        id: String,
        account: Option<String>,
        caller: Caller,
        identity: Vec<Arc<CompiledPolicy>>,
        boundary: Option<Arc<CompiledPolicy>>,
        trust: Option<CompiledPolicy>,
        service_linked: bool,
        context: MapContext,
    ) -> Principal {
        let action = crate::graph::edges::assume_action(&caller);
        let assume_grants = identity
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
        Principal {
            kind,
            id,
            account,
            caller,
            identity,
            boundary,
            trust,
            service_linked,
            context,
            assumed_identity: false,
            assume_grants,
        }
    }
}

/// One level of an account's path: its label and the policies attached there.
#[derive(Debug)]
struct LevelIds {
    label: Arc<str>,
    ids: Vec<(String, OrgPolicyType)>,
}

/// The compiled organization: levels per account, by policy type.
#[derive(Debug, Default)]
pub struct OrgLevels {
    policies: HashMap<String, CompiledPolicy>,
    /// Account → its levels from the root down.
    paths: HashMap<String, Vec<LevelIds>>,
    pub management_account: Option<String>,
    pub org_id: Option<String>,
    /// The accounts whose data is loaded.
    pub loaded: std::collections::HashSet<String>,
}

impl OrgLevels {
    fn new(model: &Model) -> Self {
        let Some(org) = &model.organization else {
            return OrgLevels::default();
        };
        let mut policies = HashMap::new();
        for (id, p) in &org.policies {
            if let Some(doc) = &p.document {
                let kind = match p.kind {
                    OrgPolicyType::ServiceControl => "SCP",
                    OrgPolicyType::ResourceControl => "RCP",
                };
                let name = p.name.as_deref().unwrap_or(id);
                policies.insert(id.clone(), compile(doc, format!("{kind} `{name}`")));
            }
        }
        let mut paths = HashMap::new();
        for acct in org.accounts() {
            let Some(path) = org.path_to_account(&acct.id.value) else {
                continue;
            };
            let levels = path
                .iter()
                .map(|n| {
                    let label = match n.kind {
                        crate::model::OrgNodeKind::Root => format!("the root {}", n.id.value),
                        crate::model::OrgNodeKind::OrganizationalUnit => {
                            format!("OU {}", n.name.as_deref().unwrap_or(&n.id.value))
                        }
                        crate::model::OrgNodeKind::Account => format!("account {}", n.id.value),
                    };
                    let ids = n
                        .policies
                        .iter()
                        .filter_map(|id| {
                            org.policies
                                .get(&id.value)
                                .map(|p| (id.value.clone(), p.kind))
                        })
                        .collect();
                    LevelIds {
                        label: Arc::from(label.as_str()),
                        ids,
                    }
                })
                .collect();
            paths.insert(acct.id.value.clone(), levels);
        }
        OrgLevels {
            policies,
            paths,
            management_account: org.management_account.as_ref().map(|m| m.value.clone()),
            org_id: org.id.clone(),
            loaded: model.accounts.keys().cloned().collect(),
        }
    }

    /// The levels of `kind` for an account in the organization (empty outside it).
    pub fn levels(&self, account: &str, kind: OrgPolicyType) -> Vec<Level<'_>> {
        let Some(path) = self.paths.get(account) else {
            return Vec::new();
        };
        let any = path.iter().any(|l| l.ids.iter().any(|(_, k)| *k == kind));
        if !any {
            return Vec::new();
        }
        path.iter()
            .map(|l| Level {
                label: l.label.clone(),
                policies: l
                    .ids
                    .iter()
                    .filter(|(_, k)| *k == kind)
                    .filter_map(|(id, _)| self.policies.get(id))
                    .collect(),
            })
            .collect()
    }

    pub fn in_org(&self, account: &str) -> bool {
        self.paths.contains_key(account)
    }
}

/// All principals, indexed.
#[derive(Debug)]
pub struct World {
    pub principals: Vec<Principal>,
    pub by_id: HashMap<String, usize>,
    pub org: OrgLevels,
    pub loaded_accounts: Vec<String>,
    /// Each loaded account's users and roles are contiguous in `principals`.
    account_ranges: HashMap<String, std::ops::Range<usize>>,
}

/// Facts the graph fixes for `--context KEY=VALUE`.
pub type Fixed = [(String, String)];

impl World {
    pub fn new(model: &Model, fixed: &Fixed) -> World {
        let org = OrgLevels::new(model);
        let mut w = World {
            principals: Vec::new(),
            by_id: HashMap::new(),
            org,
            loaded_accounts: model.accounts.keys().cloned().collect(),
            account_ranges: HashMap::new(),
        };
        for account in model.accounts.values() {
            let first = w.principals.len();
            // Managed and group policies are compiled once per account and shared by
            // every principal that uses them.
            let mut shared = Shared::default();
            for u in &account.users {
                let owner = format!("user `{}`", u.name);
                let mut identity = inline(&u.inline, &owner);
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
                let mut ctx = base_context(&caller, &w.org, fixed);
                ctx.set_default("aws:username", vec![u.name.clone()]);
                ctx.set_default("aws:userid", vec![u.id.clone()]);
                for t in &u.tags {
                    ctx.set_default(
                        &format!("aws:PrincipalTag/{}", t.key),
                        vec![t.value.clone()],
                    );
                }
                w.add(Principal::new(
                    NodeKind::User,
                    u.arn.value.clone(),
                    Some(account.id.clone()),
                    caller,
                    identity,
                    shared.boundary(account, u.boundary.as_ref()),
                    None,
                    false,
                    ctx,
                ));
            }
            for r in &account.roles {
                let owner = format!("role `{}`", r.name);
                let mut identity = inline(&r.inline, &owner);
                identity.extend(shared.attached(account, &r.attached));
                let caller = Caller::RoleSession {
                    role_arn: r.arn.value.clone(),
                    role_name: r.name.clone(),
                    account: account.id.clone(),
                    session_arn: None,
                };
                let mut ctx = base_context(&caller, &w.org, fixed);
                for t in &r.tags {
                    ctx.set_default(
                        &format!("aws:PrincipalTag/{}", t.key),
                        vec![t.value.clone()],
                    );
                }
                let trust = r
                    .trust
                    .as_ref()
                    .map(|t| compile(t, format!("trust policy of {owner}")));
                let boundary = shared.boundary(account, r.boundary.as_ref());
                w.add(Principal::new(
                    NodeKind::Role,
                    r.arn.value.clone(),
                    Some(account.id.clone()),
                    caller,
                    identity,
                    boundary,
                    trust,
                    r.is_service_linked(),
                    ctx,
                ));
            }
            w.account_ranges
                .insert(account.id.clone(), first..w.principals.len());
        }
        w.add_anonymous();
        w
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

    /// The loaded users and roles of an account.
    pub fn of_account(&self, account: &str) -> std::ops::Range<usize> {
        self.account_ranges.get(account).cloned().unwrap_or(0..0)
    }

    /// Adds a principal (made after the build) and returns its index.
    pub fn push(&mut self, p: Principal) -> usize {
        self.add(p)
    }

    fn add(&mut self, p: Principal) -> usize {
        let i = self.principals.len();
        self.by_id.insert(p.id.clone(), i);
        self.principals.push(p);
        i
    }

    fn add_anonymous(&mut self) {
        self.add(Principal::new(
            NodeKind::Anonymous,
            "*".into(),
            None,
            Caller::Anonymous,
            Vec::new(),
            None,
            None,
            false,
            anonymous_context(),
        ));
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
            vec![Arc::new(assumed_identity(
                account.as_deref().unwrap_or_default(),
            ))]
        } else {
            Vec::new()
        };
        let mut context = base_context(&caller, &self.org, fixed);
        if assumed {
            // Nothing is known of a principal whose account is not loaded.
            context.absent.clear();
            context.absent_prefixes.clear();
        }
        let mut p = Principal::new(
            kind,
            id.to_string(),
            account,
            caller,
            identity,
            None,
            None,
            false,
            context,
        );
        p.assumed_identity = assumed;
        Some(self.add(p))
    }
}

/// An account that is not loaded: its principals' own policies are unknown, so the
/// graph assumes they may allow (the answer says which account is missing).
fn assumed_identity(account: &str) -> CompiledPolicy {
    let span = crate::model::Span::at(crate::model::FileId(u32::MAX), 0);
    let policy = crate::model::Policy {
        kind: crate::model::PolicyKind::Identity,
        version: None,
        id: None,
        statements: vec![crate::model::Statement {
            index: 0,
            sid: None,
            effect: Some(crate::model::Spanned::new(Effect::Allow, span)),
            action: Some(crate::model::Spanned::new(
                crate::model::ValueBlock {
                    negated: false,
                    values: vec![crate::model::Spanned::new("*".into(), span)],
                },
                span,
            )),
            resource: Some(crate::model::Spanned::new(
                crate::model::ValueBlock {
                    negated: false,
                    values: vec![crate::model::Spanned::new("*".into(), span)],
                },
                span,
            )),
            principal: None,
            conditions: Vec::new(),
            span,
        }],
        span,
        encoding: crate::model::Encoding::Object,
    };
    compile(
        &policy,
        format!("the policies of account {account} (not loaded: assumed to allow)"),
    )
}

fn inline(inline: &[InlinePolicy], owner: &str) -> Vec<Arc<CompiledPolicy>> {
    inline
        .iter()
        .filter_map(|p| {
            p.document.as_ref().map(|doc| {
                Arc::new(compile(
                    doc,
                    format!("inline policy `{}` of {owner}", p.name.value),
                ))
            })
        })
        .collect()
}

/// Policies compiled once per account: managed policies by ARN, boundaries by ARN,
/// and each group's policies by group name.
#[derive(Default)]
struct Shared {
    managed: HashMap<String, Arc<CompiledPolicy>>,
    boundaries: HashMap<String, Arc<CompiledPolicy>>,
    groups: HashMap<String, Vec<Arc<CompiledPolicy>>>,
}

impl Shared {
    fn managed(
        &mut self,
        account: &Account,
        arn: &str,
        owner: Option<&str>,
    ) -> Option<Arc<CompiledPolicy>> {
        if owner.is_none() {
            if let Some(p) = self.managed.get(arn) {
                return Some(p.clone());
            }
        }
        let m = account.managed_policies.get(arn)?;
        let doc = m.document.as_ref()?;
        let label = match owner {
            Some(o) => format!("managed policy `{}` of {o}", m.name),
            None => format!("managed policy `{}`", m.name),
        };
        let p = Arc::new(compile(doc, label));
        if owner.is_none() {
            self.managed.insert(arn.to_string(), p.clone());
        }
        Some(p)
    }

    fn attached(&mut self, account: &Account, refs: &[PolicyRef]) -> Vec<Arc<CompiledPolicy>> {
        refs.iter()
            .filter_map(|r| self.managed(account, &r.arn.value, None))
            .collect()
    }

    fn group(
        &mut self,
        account: &Account,
        group: &crate::model::Group,
    ) -> Vec<Arc<CompiledPolicy>> {
        if let Some(g) = self.groups.get(&group.name) {
            return g.clone();
        }
        let owner = format!("group `{}`", group.name);
        let mut out = inline(&group.inline, &owner);
        out.extend(
            group
                .attached
                .iter()
                .filter_map(|r| self.managed(account, &r.arn.value, Some(&owner))),
        );
        self.groups.insert(group.name.clone(), out.clone());
        out
    }

    fn boundary(
        &mut self,
        account: &Account,
        r: Option<&PolicyRef>,
    ) -> Option<Arc<CompiledPolicy>> {
        let r = r?;
        if let Some(p) = self.boundaries.get(&r.arn.value) {
            return Some(p.clone());
        }
        let m = account.managed_policies.get(&r.arn.value)?;
        let p = Arc::new(compile(
            m.document.as_ref()?,
            format!("permissions boundary `{}`", m.name),
        ));
        self.boundaries.insert(r.arn.value.clone(), p.clone());
        Some(p)
    }
}

/// Facts known for a caller; the rest of the context is unknown (§4.6).
fn base_context(caller: &Caller, org: &OrgLevels, fixed: &Fixed) -> MapContext {
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
fn anonymous_context() -> MapContext {
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
