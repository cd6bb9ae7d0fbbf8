//! Every policy of the model, with whose it is: the unit most rules walk over, and
//! the selections of them a rule can ask for.

use super::Context;
use crate::model::{Model, Policy, PolicyKind};

/// What owns a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    User,
    Group,
    Role,
    /// A customer-managed policy (AWS-managed ones are not the team's to fix).
    ManagedPolicy,
    Resource,
    OrgPolicy,
    /// A document outside any account folder.
    Standalone,
}

/// One policy and its place.
#[derive(Debug, Clone)]
pub struct PolicySite<'a> {
    pub account: Option<&'a str>,
    pub owner: Owner,
    /// ARN of the user, group, role, managed policy or resource (or the org policy ID).
    pub subject: String,
    /// Human label: "inline policy `p` of role `r`".
    pub label: String,
    pub policy: &'a Policy,
}

impl PolicySite<'_> {
    pub fn kind(&self) -> PolicyKind {
        self.policy.kind
    }
}

/// Which policies a rule walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sites {
    /// None: the rule looks at the graph or at the load diagnostics instead.
    None,
    /// The policies of these kinds, organization policies left out (their grammar
    /// and meaning differ: an SCP's `Allow *` is a filter, not a grant).
    Kinds(&'static [PolicyKind]),
    /// The policies of loaded resources (standalone resource documents belong to no
    /// resource and are left out).
    LoadedResources,
    /// Every policy of the model, organization policies included.
    All,
}

impl Sites {
    /// Identity policies: inline policies of users, groups and roles,
    /// customer-managed policies, and standalone identity documents.
    pub const IDENTITY: Sites = Sites::Kinds(&[PolicyKind::Identity]);
    /// Role trust policies (and standalone trust documents).
    pub const TRUST: Sites = Sites::Kinds(&[PolicyKind::Trust]);
    /// Policies whose Allow statements grant (organization policies only filter).
    pub const GRANTING: Sites = Sites::Kinds(&[
        PolicyKind::Identity,
        PolicyKind::Trust,
        PolicyKind::Resource,
        PolicyKind::Boundary,
        PolicyKind::Session,
    ]);

    /// True when the selection holds the policy.
    pub fn holds(self, site: &PolicySite) -> bool {
        match self {
            Sites::None => false,
            Sites::Kinds(kinds) => site.owner != Owner::OrgPolicy && kinds.contains(&site.kind()),
            Sites::LoadedResources => site.owner == Owner::Resource,
            Sites::All => true,
        }
    }

    /// The selected policies of the context, in model order.
    pub fn of<'b, 'a>(self, cx: &'b Context<'a>) -> impl Iterator<Item = &'b PolicySite<'a>> {
        cx.sites.iter().filter(move |s| self.holds(s))
    }
}

pub fn policy_sites(model: &Model) -> Vec<PolicySite<'_>> {
    let mut out = Vec::new();
    for a in model.accounts.values() {
        let acct = Some(a.id.as_str());
        for u in &a.users {
            for p in &u.inline {
                if let Some(doc) = &p.document {
                    out.push(PolicySite {
                        account: acct,
                        owner: Owner::User,
                        subject: u.arn.value.clone(),
                        label: format!("inline policy `{}` of user `{}`", p.name.value, u.name),
                        policy: doc,
                    });
                }
            }
        }
        for g in &a.groups {
            for p in &g.inline {
                if let Some(doc) = &p.document {
                    out.push(PolicySite {
                        account: acct,
                        owner: Owner::Group,
                        subject: g.arn.value.clone(),
                        label: format!("inline policy `{}` of group `{}`", p.name.value, g.name),
                        policy: doc,
                    });
                }
            }
        }
        for r in &a.roles {
            if let Some(t) = &r.trust {
                out.push(PolicySite {
                    account: acct,
                    owner: Owner::Role,
                    subject: r.arn.value.clone(),
                    label: format!("trust policy of role `{}`", r.name),
                    policy: t,
                });
            }
            for p in &r.inline {
                if let Some(doc) = &p.document {
                    out.push(PolicySite {
                        account: acct,
                        owner: Owner::Role,
                        subject: r.arn.value.clone(),
                        label: format!("inline policy `{}` of role `{}`", p.name.value, r.name),
                        policy: doc,
                    });
                }
            }
        }
        for m in a.own_policies() {
            if let Some(doc) = &m.document {
                out.push(PolicySite {
                    account: acct,
                    owner: Owner::ManagedPolicy,
                    subject: m.arn.clone(),
                    label: format!("managed policy `{}`", m.name),
                    policy: doc,
                });
            }
        }
        for r in &a.resources {
            if let Some(doc) = &r.policy {
                out.push(PolicySite {
                    account: acct,
                    owner: Owner::Resource,
                    subject: r.arn.clone(),
                    label: format!("resource policy of `{}`", r.name),
                    policy: doc,
                });
            }
        }
    }
    if let Some(org) = &model.organization {
        let mgmt = org.management_account.as_ref().map(|m| m.value.as_str());
        for p in org.policies.values() {
            if let Some(doc) = &p.document {
                let name = p.name.as_deref().unwrap_or(&p.id);
                out.push(PolicySite {
                    account: mgmt,
                    owner: Owner::OrgPolicy,
                    subject: p.id.clone(),
                    label: format!("organization policy `{name}`"),
                    policy: doc,
                });
            }
        }
    }
    for doc in &model.standalone {
        out.push(PolicySite {
            account: None,
            owner: Owner::Standalone,
            subject: String::new(),
            label: format!("{} policy document", doc.kind),
            policy: doc,
        });
    }
    out
}
