//! Checks that need every file loaded: attached managed policies are found (in the
//! account's export, another export's copy of the same AWS-managed policy, or the
//! bundled copy), and group memberships name groups that exist.

use std::collections::{BTreeMap, BTreeSet};

use super::cx::Cx;
use super::diag::{Diagnostic, Problem};
use super::policy_doc;
use super::{LoadOptions, Loaded};
use crate::model::{ManagedPolicy, PolicyKind, PolicyOrigin, PolicyRef, Span};
use crate::policy::arn::Arn;
use crate::source::SourceFile;
use crate::source::decode::Layers;

/// One attachment to check: who attaches which ARN, and where.
struct Wanted {
    owner: String,
    arn: String,
    span: Span,
}

pub fn resolve(loaded: &mut Loaded, opts: &LoadOptions) {
    // AWS-managed policies any export carried, by ARN, for accounts whose export did not.
    let mut exported_aws: BTreeMap<String, ManagedPolicy> = BTreeMap::new();
    for account in loaded.model.accounts.values() {
        for (arn, p) in &account.managed_policies {
            if p.aws_managed && p.document.is_some() {
                exported_aws.entry(arn.clone()).or_insert_with(|| p.clone());
            }
        }
    }
    let ids: Vec<String> = loaded.model.accounts.keys().cloned().collect();
    for id in ids {
        let Some(account) = loaded.model.accounts.get(&id) else {
            continue;
        };
        let wanted = attachments(account);
        check_groups(account, &mut loaded.diagnostics);
        let mut reported: BTreeSet<String> = BTreeSet::new();
        for w in wanted {
            let present = loaded
                .model
                .accounts
                .get(&id)
                .is_some_and(|a| a.managed_policies.contains_key(&w.arn));
            if present || reported.contains(&w.arn) {
                continue;
            }
            reported.insert(w.arn.clone());
            let aws_managed = Arn::parse(&w.arn).is_some_and(|a| a.account == "aws");
            if !aws_managed {
                let problem = Problem::UnresolvedPolicy {
                    owner: w.owner,
                    arn: w.arn,
                };
                loaded.diagnostics.push(Diagnostic::new(problem, w.span));
                continue;
            }
            // The bundled copy first (issue 2); a policy newer than the bundle may still
            // be in another account's export.
            let found = bundled(loaded, &w, opts).or_else(|| {
                let p = exported_aws.get(&w.arn)?;
                let problem = Problem::OtherExportPolicy {
                    name: p.name.clone(),
                };
                loaded.diagnostics.push(Diagnostic::new(problem, w.span));
                Some(p.clone())
            });
            if found.is_none() {
                let problem = Problem::UnknownAwsPolicy {
                    owner: w.owner.clone(),
                    arn: w.arn.clone(),
                };
                loaded.diagnostics.push(Diagnostic::new(problem, w.span));
            }
            if let (Some(p), Some(account)) = (found, loaded.model.accounts.get_mut(&id)) {
                account.managed_policies.insert(w.arn.clone(), p);
            }
        }
    }
}

/// Every managed-policy reference in an account, with its owner.
fn attachments(account: &crate::model::Account) -> Vec<Wanted> {
    let mut out = Vec::new();
    let mut add = |owner: String, refs: &mut dyn Iterator<Item = &PolicyRef>| {
        for r in refs {
            out.push(Wanted {
                owner: owner.clone(),
                arn: r.arn.value.clone(),
                span: r.arn.span,
            });
        }
    };
    for u in &account.users {
        add(
            format!("user `{}`", u.arn.value),
            &mut u.attached.iter().chain(&u.boundary),
        );
    }
    for g in &account.groups {
        add(format!("group `{}`", g.arn.value), &mut g.attached.iter());
    }
    for r in &account.roles {
        add(
            format!("role `{}`", r.arn.value),
            &mut r.attached.iter().chain(&r.boundary),
        );
    }
    out
}

fn check_groups(account: &crate::model::Account, diags: &mut Vec<Diagnostic>) {
    let names: BTreeSet<&str> = account.groups.iter().map(|g| g.name.as_str()).collect();
    for u in &account.users {
        for g in u
            .groups
            .iter()
            .filter(|g| !names.contains(g.value.as_str()))
        {
            let problem = Problem::UnknownGroup {
                owner: format!("user `{}`", u.arn.value),
                group: g.value.clone(),
            };
            diags.push(Diagnostic::new(problem, g.span));
        }
    }
}

/// The bundled copy of an AWS-managed policy, parsed from a source entry of its own so
/// that its statements have spans like any other.
fn bundled(loaded: &mut Loaded, w: &Wanted, opts: &LoadOptions) -> Option<ManagedPolicy> {
    let data = crate::catalog::managed_policy(&w.arn)?;
    let problem = Problem::BundledPolicy {
        name: data.name.clone(),
        version: data.version_id.clone(),
    };
    loaded.diagnostics.push(Diagnostic::new(problem, w.span));
    let name = format!("<bundled>/aws-managed-policies/{}.json", data.name);
    let file = loaded.sources.add(SourceFile::made(&name, data.document));
    let text = loaded
        .sources
        .get(file)
        .map(|s| s.text.as_str())
        .unwrap_or_default();
    let layers = Layers::file();
    let mut cx = Cx {
        file,
        text,
        layers: &layers,
        opts,
        diags: &mut loaded.diagnostics,
    };
    let document = policy_doc::parse_document(&mut cx, PolicyKind::Identity, None);
    Some(ManagedPolicy {
        arn: w.arn.clone(),
        name: data.name,
        path: data.path,
        id: None,
        default_version: Some(data.version_id),
        document,
        other_versions: Vec::new(),
        version_count: 1,
        aws_managed: true,
        origin: PolicyOrigin::Bundled,
        span: None,
    })
}
