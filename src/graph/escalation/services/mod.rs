//! Service techniques (catalog sections C, D, E and some of G): passing a role to a
//! service that runs code with it, and using a resource that already runs as a role.
//! Each is a row of data: the actions it needs and on what, the `iam:PassedToService`
//! value, the service principal the role must trust.

mod pass_rows;
mod use_rows;

use pass_rows::*;
use use_rows::*;

use super::catalog::technique;
use super::symbolic;
use super::{Attempt, Cx, Gain, Need};
use crate::eval::{Caller, Decision, Inputs, Request, ResourcePolicyKind, evaluate};
use crate::graph::Principal;
use crate::graph::world::{NodeKind, World};
use crate::model::{InventoryItem, InventoryKind, OrgPolicyType, PrincipalKind};
use crate::policy::context::MapContext;
use std::collections::HashMap;
use std::sync::Mutex;

/// The service principal a listed kind runs as, and whether an instance profile holds
/// the role.
fn runtime(kind: InventoryKind) -> (&'static str, bool) {
    match kind {
        InventoryKind::Function => ("lambda.amazonaws.com", false),
        InventoryKind::Instance => ("ec2.amazonaws.com", true),
        InventoryKind::Stack => ("cloudformation.amazonaws.com", false),
        InventoryKind::Project => ("codebuild.amazonaws.com", false),
        InventoryKind::DevEndpoint => ("glue.amazonaws.com", false),
    }
}

/// Every action the service techniques need (the prefilter's list).
pub(super) fn actions() -> impl Iterator<Item = &'static str> {
    PASS.iter()
        .flat_map(|r| r.acts)
        .chain(USE.iter().flat_map(|r| r.acts))
        .map(|a| a.action)
}

pub(super) fn attempts(cx: &Cx, s: usize) -> Vec<Attempt> {
    let mut out = Vec::new();
    let Some(p) = cx.principal(s) else {
        return out;
    };
    let Some(account) = p.account.as_deref() else {
        return out;
    };
    let mut names = symbolic::Names::new(p, account);
    let pass = cx.may(s, "iam:PassRole");
    for row in PASS {
        if pass && row.acts.iter().all(|a| cx.may(s, a.action)) {
            pass_role(cx, s, &mut names, account, row, &mut out);
        }
    }
    for row in USE {
        if row.acts.iter().all(|a| cx.may(s, a.action)) {
            use_existing(cx, s, &mut names, account, row, &mut out);
        }
    }
    out
}

/// What the service techniques look up for every source, computed once per build:
/// which roles of an account trust a service, the instance profiles of each role, and
/// the decisions of trust policies for a service (they do not depend on the source).
#[derive(Debug, Default)]
pub(in crate::graph::escalation) struct Index {
    /// (account, service principal lowercased or `federated:` + provider) → the roles
    /// (not service-linked) whose trust names it in an Allow, in node order.
    by_service: HashMap<(String, String), Vec<usize>>,
    /// Role → the instance profiles that hold it, sorted.
    profiles: HashMap<usize, Vec<String>>,
    /// (role, services, resource made) → whether one of the services may assume it.
    trust: Mutex<HashMap<(usize, String, String), Decision>>,
}

impl Index {
    pub(in crate::graph::escalation) fn new(
        world: &World,
        profiles: &HashMap<&str, usize>,
        scope: &super::Scope,
    ) -> Index {
        let mut by_service: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (r, role) in world.principals.iter().enumerate() {
            if role.kind != NodeKind::Role || role.service_linked {
                continue;
            }
            let (Some(account), Some(trust)) = (role.account.as_ref(), role.trust.as_ref()) else {
                continue;
            };
            if !scope.holds(Some(account)) {
                continue;
            }
            let mut keys: Vec<String> = trust
                .statements
                .iter()
                .filter(|st| st.effect != Some(crate::model::Effect::Deny))
                .filter_map(|st| st.principal.as_ref())
                .flat_map(|spec| &spec.entries)
                .filter_map(|e| match e.kind {
                    PrincipalKind::Service => Some(e.value.value.to_ascii_lowercase()),
                    PrincipalKind::Federated => {
                        Some(format!("federated:{}", e.value.value.to_ascii_lowercase()))
                    }
                    _ => None,
                })
                .collect();
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                by_service.entry((account.clone(), k)).or_default().push(r);
            }
        }
        let mut by_role: HashMap<usize, Vec<String>> = HashMap::new();
        for (ip, r) in profiles {
            by_role.entry(*r).or_default().push((*ip).to_string());
        }
        for list in by_role.values_mut() {
            list.sort_unstable();
        }
        Index {
            by_service,
            profiles: by_role,
            trust: Mutex::new(HashMap::new()),
        }
    }
}

/// The roles of the account (not service-linked) that name one of the service
/// principals (or `federated:` providers) in an Allow of their trust policy, in node
/// order.
fn roles_trusting(cx: &Cx, account: &str, services: &[&str]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for s in services {
        let key = (account.to_string(), s.to_ascii_lowercase());
        if let Some(list) = cx.services.by_service.get(&key) {
            out.extend(list);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The instance profiles that hold role `r`, sorted.
fn profiles_of<'c>(cx: &'c Cx, r: usize) -> Vec<&'c str> {
    cx.services
        .profiles
        .get(&r)
        .map(|l| l.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

/// May the service (or identity provider) assume the role, as it would for a resource
/// of the account (`aws:SourceAccount`, `aws:SourceArn` set)?
fn service_may_assume(cx: &Cx, role: &Principal, service: &str, source_arn: &str) -> Decision {
    let account = role.account.as_deref().unwrap_or_default();
    let (caller, action) = match service.strip_prefix("federated:") {
        Some(f) => (
            Caller::Federated(f.to_string()),
            "sts:AssumeRoleWithWebIdentity",
        ),
        None => (Caller::Service(service.to_string()), "sts:AssumeRole"),
    };
    let mut ctx = MapContext {
        missing_is_unknown: true,
        ..MapContext::default()
    };
    if matches!(caller, Caller::Service(_)) {
        ctx.set("aws:SourceAccount", vec![account.to_string()]);
        ctx.set("aws:SourceArn", vec![source_arn.to_string()]);
        ctx.set("aws:PrincipalIsAWSService", vec!["true".into()]);
        ctx.set("aws:PrincipalServiceName", vec![service.to_string()]);
    }
    let inputs = Inputs {
        resource: role.trust.as_deref(),
        resource_kind: ResourcePolicyKind::RoleTrust,
        rcp_levels: cx.world.org.levels(account, OrgPolicyType::ResourceControl),
        management_account: cx.world.org.management_account.as_deref(),
        ..Inputs::default()
    };
    let req = Request {
        caller: &caller,
        action,
        resource: &role.id,
        resource_account: Some(account),
    };
    evaluate(req, &inputs, &ctx).decision
}

/// The best decision of any of the services the role may trust (remembered: it is the
/// same for every source principal).
fn trusted(cx: &Cx, r: usize, role: &Principal, services: &[&str], source_arn: &str) -> Decision {
    let key = (r, services.join(","), source_arn.to_string());
    if let Some(d) = cx
        .services
        .trust
        .lock()
        .ok()
        .and_then(|m| m.get(&key).copied())
    {
        return d;
    }
    let d = trusted_uncached(cx, role, services, source_arn);
    if let Ok(mut m) = cx.services.trust.lock() {
        m.insert(key, d);
    }
    d
}

fn trusted_uncached(cx: &Cx, role: &Principal, services: &[&str], source_arn: &str) -> Decision {
    let mut best = Decision::ImplicitDeny;
    for s in services {
        match service_may_assume(cx, role, s, source_arn) {
            Decision::Allowed => return Decision::Allowed,
            Decision::Conditional => best = Decision::Conditional,
            _ => {}
        }
    }
    best
}

/// Needs of a row: one per action; actions on a resource of the same type (the same
/// ARN template) act on the same resource, so they share one candidate list and group.
fn needs_of(
    names: &mut symbolic::Names,
    acts: &[Act],
    role: &Principal,
    profile: Option<&str>,
    item: Option<&InventoryItem>,
) -> Vec<Need> {
    let mut needs: Vec<Need> = acts
        .iter()
        .map(|a| need(names, a, role, profile, item))
        .collect();
    let templates: Vec<Option<String>> = acts
        .iter()
        .map(|a| match a.on {
            On::New(hint) | On::Existing(hint) => symbolic::template(a.action, hint),
        })
        .collect();
    let mut next = 0u8;
    for i in 0..needs.len() {
        let Some(Some(t)) = templates.get(i) else {
            continue;
        };
        let same: Vec<usize> = (0..needs.len())
            .filter(|j| templates.get(*j).and_then(Option::as_ref) == Some(t))
            .collect();
        if same.len() < 2 || needs.get(i).is_some_and(|n| n.group.is_some()) {
            continue;
        }
        let mut union: Vec<String> = Vec::new();
        for j in &same {
            for r in needs.get(*j).map_or(&[][..], |n| n.resources.as_slice()) {
                if !union.contains(r) {
                    union.push(r.clone());
                }
            }
        }
        for j in same {
            if let Some(n) = needs.get_mut(j) {
                n.resources = union.clone();
                n.group = Some(next);
            }
        }
        next += 1;
    }
    needs
}

/// The need for one action of a row.
fn need(
    names: &mut symbolic::Names,
    act: &Act,
    role: &Principal,
    profile: Option<&str>,
    item: Option<&InventoryItem>,
) -> Need {
    let resources = match (act.on, item) {
        (On::Existing(_), Some(item)) => vec![item.arn.clone()],
        (On::New(hint) | On::Existing(hint), _) => names.of(act.action, hint),
    };
    let mut n = Need::any(act.action, resources);
    for (key, value) in act.context {
        match value {
            Key::Role => n = n.with(key, role.id.to_string()),
            Key::Profile => {
                if let Some(v) = profile {
                    n = n.with(key, v);
                }
            }
            // An empty value list: the key is missing from the request.
            Key::Absent => n.context.push(((*key).into(), Vec::new())),
        }
    }
    if let (On::Existing(_), Some(item)) = (act.on, item) {
        for t in &item.tags {
            n = n.with_tag(&t.key, &t.value);
        }
    }
    n
}

impl Need {
    /// `aws:ResourceTag/KEY` of the existing resource.
    fn with_tag(mut self, key: &str, value: &str) -> Need {
        let key = format!("aws:ResourceTag/{key}");
        self.context.push((key.into(), vec![value.to_string()]));
        self
    }
}

fn pass_role(
    cx: &Cx,
    s: usize,
    names: &mut symbolic::Names,
    account: &str,
    row: &PassRow,
    out: &mut Vec<Attempt>,
) {
    let Some(t) = technique(row.id) else { return };
    // The second role the service needs (EMR's service role), passed too.
    let second: Option<Need> = match row.also_pass {
        Some(service) => {
            let roles: Vec<String> = roles_trusting(cx, account, std::slice::from_ref(&service))
                .into_iter()
                .filter_map(|r| cx.principal(r).map(|x| x.id.to_string()))
                .collect();
            if roles.is_empty() {
                return;
            }
            Some(Need::any("iam:PassRole", roles).with("iam:PassedToService", service))
        }
        None => None,
    };
    // The resource the role is passed into, when it must exist already.
    let items: Vec<Option<&InventoryItem>> = match row.into {
        Some(kind) => match cx.model.accounts.get(account) {
            Some(a) if a.inventoried.contains(&kind) => a
                .inventory
                .iter()
                .filter(|i| i.kind == kind)
                .map(Some)
                .take(1)
                .collect(),
            _ => vec![None],
        },
        None => vec![None],
    };
    // Only becoming the role is gained: in a round that follows administrators only,
    // a role that cannot be one is not worth an attempt.
    for r in roles_trusting(cx, account, row.trusts) {
        if !cx.worth_becoming(r) {
            continue;
        }
        let Some(role) = cx.principal(r) else {
            continue;
        };
        let profiles = profiles_of(cx, r);
        match row.profile {
            Profile::Needed if profiles.is_empty() => continue,
            Profile::Missing if !profiles.is_empty() => continue,
            _ => {}
        }
        let profile = profiles.first().copied();
        for item in &items {
            let acts = needs_of(names, row.acts, role, profile, *item);
            // The service assumes the role for the resource made (its ARN).
            let source = acts
                .first()
                .and_then(|n| n.resources.first().cloned())
                .unwrap_or_default();
            let trust = trusted(cx, r, role, row.trusts, &source);
            if matches!(trust, Decision::ExplicitDeny | Decision::ImplicitDeny) {
                continue;
            }
            let mut assumptions = Vec::new();
            if trust == Decision::Conditional {
                assumptions.push(format!(
                    "the trust policy of {} admits {} under its conditions",
                    role.id,
                    row.trusts.join(" or ")
                ));
            }
            if let Some(a) = row.assumes {
                assumptions.push(a.to_string());
            }
            if let (Some(kind), None) = (row.into, item) {
                assumptions.push(format!(
                    "{} exists (load `aws {}` to know)",
                    kind.noun(),
                    kind.export()
                ));
            }
            for passed in row.passed_to {
                let mut needs = vec![
                    Need::on("iam:PassRole", role.id.as_ref()).with("iam:PassedToService", *passed),
                ];
                if let Some(n) = &second {
                    needs.push(Need {
                        resources: n.resources.clone(),
                        context: n.context.clone(),
                        ..Need::any("iam:PassRole", Vec::new())
                    });
                }
                needs.extend(acts.iter().cloned());
                let mut assumes = assumptions.clone();
                if row.passed_to.len() > 1 {
                    assumes.push(format!(
                        "the service checks iam:PassedToService {passed} (unconfirmed for it)"
                    ));
                }
                out.push(Attempt {
                    from: s,
                    technique: t,
                    gain: Gain::Become(r),
                    needs,
                    assumptions: assumes,
                });
            }
        }
    }
}

fn use_existing(
    cx: &Cx,
    s: usize,
    names: &mut symbolic::Names,
    account: &str,
    row: &UseRow,
    out: &mut Vec<Attempt>,
) {
    let Some(t) = technique(row.id) else { return };
    let (service, needs_profile, noun, kind) = match row.runs {
        Runs::Listed(kind) => {
            let (service, profile) = runtime(kind);
            (service, profile, kind.noun(), Some(kind))
        }
        Runs::Unlisted(service, profile, noun) => (service, profile, noun, None),
    };
    let listed = kind.filter(|k| {
        cx.model
            .accounts
            .get(account)
            .is_some_and(|a| a.inventoried.contains(k))
    });
    if let Some(kind) = listed {
        // The export says which resources exist and as which role they run.
        let Some(a) = cx.model.accounts.get(account) else {
            return;
        };
        for item in a.inventory.iter().filter(|i| i.kind == kind) {
            let role = match (&item.role, &item.instance_profile) {
                (Some(r), _) => cx.world.by_id.get(r.as_str()).copied(),
                (None, Some(ip)) => cx.profiles.get(ip.as_str()).copied(),
                _ => None,
            };
            let Some(r) = role.filter(|r| *r != s && cx.worth_becoming(*r)) else {
                continue;
            };
            let Some(role) = cx.principal(r) else {
                continue;
            };
            let needs = row
                .acts
                .iter()
                .map(|act| {
                    need(
                        names,
                        act,
                        role,
                        item.instance_profile.as_deref(),
                        Some(item),
                    )
                })
                .collect();
            out.push(Attempt {
                from: s,
                technique: t,
                gain: Gain::Become(r),
                needs,
                assumptions: Vec::new(),
            });
        }
        return;
    }
    // Not listed: any role the resource could run as, on the condition that one does.
    for r in roles_trusting(cx, account, std::slice::from_ref(&service)) {
        if r == s || !cx.worth_becoming(r) {
            continue;
        }
        let Some(role) = cx.principal(r) else {
            continue;
        };
        let profiles = profiles_of(cx, r);
        if needs_profile && profiles.is_empty() {
            continue;
        }
        let needs = needs_of(names, row.acts, role, profiles.first().copied(), None);
        let know = kind
            .map(|k| format!(" (load `aws {}` to know)", k.export()))
            .unwrap_or_default();
        out.push(Attempt {
            from: s,
            technique: t,
            gain: Gain::Become(r),
            needs,
            assumptions: vec![format!("{noun} runs as {}{know}", role.id)],
        });
    }
}
