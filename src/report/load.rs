//! `iampath load`: the inventory per account, then every diagnostic.

use std::collections::BTreeMap;
use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use super::diagnostics;
use super::records::{DiagnosticJson, write_json};
use crate::ingest::{Loaded, Severity};
use crate::model::{Account, Model, OrgPolicyType, PolicyOrigin};

/// The services the inventory always lists, even at zero.
const SERVICES: [&str; 7] = ["s3", "sqs", "sns", "lambda", "kms", "secretsmanager", "ecr"];

/// Counts of one account, as both outputs show them.
struct Inventory {
    policies: usize,
    bundled: usize,
    resource_policies: BTreeMap<String, usize>,
    without_policy: BTreeMap<String, usize>,
    scps: usize,
    rcps: usize,
}

fn inventory(model: &Model, account: &Account) -> Inventory {
    let mut resource_policies: BTreeMap<String, usize> =
        SERVICES.iter().map(|s| (s.to_string(), 0)).collect();
    let mut without_policy = BTreeMap::new();
    for r in &account.resources {
        let counter = if r.policy.is_some() {
            &mut resource_policies
        } else {
            &mut without_policy
        };
        *counter.entry(r.service.as_str().to_string()).or_insert(0) += 1;
    }
    let from = |origin| {
        account
            .managed_policies
            .values()
            .filter(|p| p.origin == origin)
            .count()
    };
    let (scps, rcps) = org_counts(model, &account.id);
    Inventory {
        policies: from(PolicyOrigin::Export),
        bundled: from(PolicyOrigin::Bundled),
        resource_policies,
        without_policy,
        scps,
        rcps,
    }
}

/// Distinct SCPs and RCPs attached on the account's path from the root.
fn org_counts(model: &Model, account: &str) -> (usize, usize) {
    let Some(org) = &model.organization else {
        return (0, 0);
    };
    let Some(path) = org.path_to_account(account) else {
        return (0, 0);
    };
    let count = |kind| {
        let mut ids: Vec<&str> = path
            .iter()
            .flat_map(|n| org.policies_at(n, kind))
            .map(|p| p.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    (
        count(OrgPolicyType::ServiceControl),
        count(OrgPolicyType::ResourceControl),
    )
}

/// `load --format json`.
#[derive(Serialize, JsonSchema)]
pub struct LoadDoc<'a> {
    pub accounts: Vec<AccountJson<'a>>,
    /// Sorted by file and position.
    pub diagnostics: Vec<DiagnosticJson<'a>>,
}

/// The inventory of one account.
#[derive(Serialize, JsonSchema)]
pub struct AccountJson<'a> {
    /// The 12-digit account ID.
    pub id: &'a str,
    /// From the folder name `111111111111-alias`.
    pub alias: Option<&'a str>,
    pub users: usize,
    pub groups: usize,
    pub roles: usize,
    /// Managed policies the account's exports carry (bundled copies not counted).
    pub policies: usize,
    /// Resources whose file carries a policy, per service (the seven services iampath
    /// reads are always listed).
    pub resource_policies: BTreeMap<String, usize>,
    /// Distinct SCPs attached on the account's path, when an organization is loaded.
    pub scps: usize,
    pub rcps: usize,
}

pub fn json(out: &mut dyn std::io::Write, loaded: &Loaded) -> std::io::Result<()> {
    let doc = LoadDoc {
        accounts: loaded
            .model
            .accounts
            .values()
            .map(|a| {
                let inv = inventory(&loaded.model, a);
                AccountJson {
                    id: &a.id,
                    alias: a.alias.as_deref(),
                    users: a.users.len(),
                    groups: a.groups.len(),
                    roles: a.roles.len(),
                    policies: inv.policies,
                    resource_policies: inv.resource_policies,
                    scps: inv.scps,
                    rcps: inv.rcps,
                }
            })
            .collect(),
        diagnostics: diagnostics::sorted(&loaded.diagnostics)
            .into_iter()
            .map(|d| DiagnosticJson::new(d, &loaded.sources))
            .collect(),
    };
    write_json(out, &doc)
}

/// Text: an inventory block per account, the organization and standalone documents,
/// a summary line, then each diagnostic with its snippet.
pub fn text(loaded: &Loaded, color: bool) -> String {
    let mut out = String::new();
    let model = &loaded.model;
    for a in model.accounts.values() {
        let inv = inventory(model, a);
        let alias = a
            .alias
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "account {}{alias}{}",
            a.id,
            if a.truncated {
                "  [truncated export]"
            } else {
                ""
            }
        );
        let _ = writeln!(
            out,
            "  users {}, groups {}, roles {}",
            a.users.len(),
            a.groups.len(),
            a.roles.len()
        );
        let customer = a.own_policies().count();
        let _ = write!(
            out,
            "  managed policies {} ({customer} customer-managed)",
            inv.policies
        );
        if inv.bundled > 0 {
            let names: Vec<&str> = a
                .managed_policies
                .values()
                .filter(|p| p.origin == PolicyOrigin::Bundled)
                .map(|p| p.name.as_str())
                .collect();
            let _ = write!(
                out,
                ", {} from iampath's bundled AWS-managed policies: {}",
                inv.bundled,
                names.join(", ")
            );
        }
        out.push('\n');
        let rp: Vec<String> = inv
            .resource_policies
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "  resource policies: {}",
            if rp.is_empty() {
                "none".to_string()
            } else {
                rp.join(", ")
            }
        );
        if !inv.without_policy.is_empty() {
            let wp: Vec<String> = inv
                .without_policy
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect();
            let _ = writeln!(out, "  resources without a policy: {}", wp.join(", "));
        }
        if !a.listed_buckets.is_empty() {
            let _ = writeln!(out, "  buckets listed: {}", a.listed_buckets.len());
        }
        if model.organization.is_some() {
            let _ = writeln!(out, "  SCPs {}, RCPs {}", inv.scps, inv.rcps);
        }
    }
    if let Some(org) = &model.organization {
        let accounts = org.accounts();
        let loaded_n = accounts
            .iter()
            .filter(|n| model.accounts.contains_key(&n.id.value))
            .count();
        let kind_count = |k| org.policies.values().filter(|p| p.kind == k).count();
        let _ = writeln!(
            out,
            "organization {}: management account {}, {} accounts ({loaded_n} loaded), {} SCPs, {} RCPs",
            org.id.as_deref().unwrap_or("(no ID)"),
            org.management_account
                .as_ref()
                .map_or("unknown", |m| m.value.as_str()),
            accounts.len(),
            kind_count(OrgPolicyType::ServiceControl),
            kind_count(OrgPolicyType::ResourceControl),
        );
    }
    if !model.standalone.is_empty() {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &model.standalone {
            *kinds.entry(p.kind.as_str()).or_insert(0) += 1;
        }
        let k: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(
            out,
            "standalone policy documents (outside any account, attached to nothing): {} ({})",
            model.standalone.len(),
            k.join(", ")
        );
    }
    let errors = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let warnings = loaded.diagnostics.len() - errors;
    let _ = writeln!(
        out,
        "{} files read: {errors} errors, {warnings} warnings",
        loaded
            .sources
            .files()
            .filter(|(_, f)| !f.name.starts_with("<bundled>"))
            .count()
    );
    for d in diagnostics::sorted(&loaded.diagnostics) {
        out.push('\n');
        out.push_str(&diagnostics::render(d, &loaded.sources, color));
    }
    out
}
