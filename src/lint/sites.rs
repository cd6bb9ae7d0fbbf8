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

/// One policy and its place. It borrows from the model and makes its label only
/// when a finding asks for it: an organization has millions of policies and few
/// findings about them.
#[derive(Debug, Clone)]
pub struct PolicySite<'a> {
    pub account: Option<&'a str>,
    pub owner: Owner,
    /// ARN of the user, group, role, managed policy or resource (or the org policy ID).
    pub subject: &'a str,
    named: Named<'a>,
    pub policy: &'a Policy,
}

/// What a policy's label is made of.
#[derive(Debug, Clone, Copy)]
enum Named<'a> {
    /// An inline policy: its name, the kind of its owner, the owner's name.
    Inline(&'a str, &'static str, &'a str),
    Trust(&'a str),
    Managed(&'a str),
    Resource(&'a str),
    Org(&'a str),
    Standalone(PolicyKind),
}

impl PolicySite<'_> {
    pub fn kind(&self) -> PolicyKind {
        self.policy.kind
    }

    /// Human label: "inline policy `p` of role `r`".
    pub fn label(&self) -> String {
        match self.named {
            Named::Inline(policy, kind, owner) => {
                format!("inline policy `{policy}` of {kind} `{owner}`")
            }
            Named::Trust(role) => format!("trust policy of role `{role}`"),
            Named::Managed(name) => format!("managed policy `{name}`"),
            Named::Resource(name) => format!("resource policy of `{name}`"),
            Named::Org(name) => format!("organization policy `{name}`"),
            Named::Standalone(kind) => format!("{kind} policy document"),
        }
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
                        subject: &u.arn.value,
                        named: Named::Inline(&p.name.value, "user", &u.name),
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
                        subject: &g.arn.value,
                        named: Named::Inline(&p.name.value, "group", &g.name),
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
                    subject: &r.arn.value,
                    named: Named::Trust(&r.name),
                    policy: t,
                });
            }
            for p in &r.inline {
                if let Some(doc) = &p.document {
                    out.push(PolicySite {
                        account: acct,
                        owner: Owner::Role,
                        subject: &r.arn.value,
                        named: Named::Inline(&p.name.value, "role", &r.name),
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
                    subject: &m.arn,
                    named: Named::Managed(&m.name),
                    policy: doc,
                });
            }
        }
        for r in &a.resources {
            if let Some(doc) = &r.policy {
                out.push(PolicySite {
                    account: acct,
                    owner: Owner::Resource,
                    subject: &r.arn,
                    named: Named::Resource(&r.name),
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
                    subject: &p.id,
                    named: Named::Org(name),
                    policy: doc,
                });
            }
        }
    }
    for doc in &model.standalone {
        out.push(PolicySite {
            account: None,
            owner: Owner::Standalone,
            subject: "",
            named: Named::Standalone(doc.kind),
            policy: doc,
        });
    }
    out
}
