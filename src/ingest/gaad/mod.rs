//! `aws iam get-account-authorization-details` exports: users, groups, roles and
//! managed policies of one account.
//!
//! This file walks the export and merges it into its account; `identities` reads
//! users, groups and roles, `managed` the managed policies, and `parts` what their
//! entries share (head, inline and attached policies, boundary, tags, dates).

mod identities;
mod managed;
mod parts;

use std::collections::HashSet;

use super::LoadOptions;
use super::cx::{Cx, Fields};
use super::diag::{Diagnostic, Problem};
use crate::model::{FileId, Group, ManagedPolicy, Model, Role, Span, Spanned, User, is_account_id};
use crate::policy::arn::Arn;
use crate::source::decode::Layers;
use crate::source::json::{Node, Value};
use identities::{group, role, user};
use managed::managed;

/// True when a top-level object looks like a GAAD export.
pub fn is_export(root: &Fields) -> bool {
    ["UserDetailList", "GroupDetailList", "RoleDetailList"]
        .iter()
        .any(|k| root.get(k).is_some())
        || root.get("Policies").is_some_and(|p| p.as_array().is_some())
}

const TOP_KEYS: &[&str] = &[
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
    "IsTruncated",
    "Marker",
];

/// What one export file holds, before it is merged into its account.
#[derive(Default)]
struct Export {
    users: Vec<User>,
    groups: Vec<Group>,
    roles: Vec<Role>,
    policies: Vec<ManagedPolicy>,
    truncated: bool,
}

/// An export read from its tree without the model (the loader reads the files of a
/// batch in parallel), with the diagnostics of reading it, in their order; merged into
/// the model after, file by file, by [`ingest_read`].
pub struct Read {
    export: Option<Export>,
    root: Span,
    diags: Vec<Diagnostic>,
}

/// Reads an export without the model; `misplaced`: the file is in a service folder
/// (reported first).
pub fn read(file: FileId, text: &str, opts: &LoadOptions, root: &Node, misplaced: bool) -> Read {
    let layers = Layers::file();
    let mut diags = Vec::new();
    let mut cx = Cx {
        file,
        text,
        layers: &layers,
        opts,
        diags: &mut diags,
    };
    if misplaced {
        cx.report(Problem::Misplaced(MISPLACED.into()), cx.node_span(root));
    }
    let export = export(&mut cx, root);
    let root = cx.node_span(root);
    Read {
        export,
        root,
        diags,
    }
}

/// Merges an export [`read`] before into the account of its folder (`folder`), or,
/// outside an account folder, into the account its ARNs name; its diagnostics first.
pub fn ingest_read(
    cx: &mut Cx,
    read: Read,
    folder: Option<(String, Option<String>)>,
    model: &mut Model,
) {
    cx.diags.extend(read.diags);
    if let Some(export) = read.export {
        merge_into(cx, read.root, folder, model, export);
    }
}

/// Why an export in a service folder is reported.
const MISPLACED: &str = "an account authorization export belongs at the top of its account folder, not in a service folder";

/// The users, groups, roles and managed policies of an export.
fn export(cx: &mut Cx, root: &Node) -> Option<Export> {
    let top = cx.object(
        root,
        "export",
        "a get-account-authorization-details export",
        TOP_KEYS,
        false,
    )?;
    let mut export = Export::default();
    if let Some(t) = top.get("IsTruncated") {
        if matches!(t.value, Value::Bool(true)) {
            export.truncated = true;
            cx.report(Problem::Truncated, cx.node_span(t));
        }
    }
    let items = cx.list("UserDetailList", top.get("UserDetailList"));
    export.users.reserve_exact(items.len());
    for n in items {
        export.users.extend(user(cx, n));
    }
    let items = cx.list("GroupDetailList", top.get("GroupDetailList"));
    export.groups.reserve_exact(items.len());
    for n in items {
        export.groups.extend(group(cx, n));
    }
    let items = cx.list("RoleDetailList", top.get("RoleDetailList"));
    export.roles.reserve_exact(items.len());
    for n in items {
        export.roles.extend(role(cx, n));
    }
    let items = cx.list("Policies", top.get("Policies"));
    export.policies.reserve_exact(items.len());
    for n in items {
        export.policies.extend(managed(cx, n));
    }
    Some(export)
}

/// Merges an export into the account of its folder, or of its ARNs (`root`: the
/// export's span, where a missing account is reported).
fn merge_into(
    cx: &mut Cx,
    root: Span,
    folder: Option<(String, Option<String>)>,
    model: &mut Model,
    export: Export,
) {
    let arns: Vec<&Spanned<String>> = export
        .users
        .iter()
        .map(|u| &u.arn)
        .chain(export.groups.iter().map(|g| &g.arn))
        .chain(export.roles.iter().map(|r| &r.arn))
        .collect();
    let (id, alias) = match folder {
        Some(f) => f,
        None => match arns
            .iter()
            .filter_map(|a| Arn::parse(a))
            .map(|a| a.account)
            .find(|a| is_account_id(a))
        {
            Some(id) => (id.to_string(), None),
            None => {
                if !arns.is_empty() {
                    cx.report(Problem::NoAccount, root);
                }
                return;
            }
        },
    };
    check_accounts(cx, &id, &arns);
    let own_policy_arns: Vec<Spanned<String>> = export
        .policies
        .iter()
        .filter(|p| !p.aws_managed)
        .filter_map(|p| p.span.map(|s| Spanned::new(p.arn.clone(), s)))
        .collect();
    check_accounts(cx, &id, &own_policy_arns.iter().collect::<Vec<_>>());
    merge(cx, model, &id, alias, export);
}

fn check_accounts(cx: &mut Cx, folder: &str, arns: &[&Spanned<String>]) {
    for arn in arns {
        cx.check_account(arn, folder);
    }
}

fn merge(cx: &mut Cx, model: &mut Model, id: &str, alias: Option<String>, export: Export) {
    let account = model.account_mut(id);
    if account.alias.is_none() {
        account.alias = alias;
    }
    account.truncated |= export.truncated;
    let mut duplicates = Vec::new();
    add_new(
        &mut account.users,
        export.users,
        |u| &u.arn,
        &mut duplicates,
    );
    add_new(
        &mut account.groups,
        export.groups,
        |g| &g.arn,
        &mut duplicates,
    );
    add_new(
        &mut account.roles,
        export.roles,
        |r| &r.arn,
        &mut duplicates,
    );
    for p in export.policies {
        // The same AWS-managed policy in several exports is one policy.
        if p.aws_managed && account.managed_policies.contains_key(&p.arn) {
            continue;
        }
        match (account.managed_policies.contains_key(&p.arn), p.span) {
            (true, Some(span)) => duplicates.push(Spanned::new(p.arn, span)),
            _ => {
                account.managed_policies.insert(p.arn.clone(), p);
            }
        }
    }
    for d in duplicates {
        cx.report(Problem::Duplicate(d.value), d.span);
    }
}

/// Appends the entities whose ARN is not there yet; the others go to `duplicates`.
/// A set of the ARNs keeps this linear for accounts with thousands of roles.
fn add_new<T>(
    existing: &mut Vec<T>,
    new: Vec<T>,
    arn: impl Fn(&T) -> &Spanned<String>,
    duplicates: &mut Vec<Spanned<String>>,
) {
    let mut seen: HashSet<String> = existing.iter().map(|e| arn(e).value.clone()).collect();
    existing.reserve_exact(new.len());
    for e in new {
        if seen.insert(arn(&e).value.clone()) {
            existing.push(e);
        } else {
            duplicates.push(arn(&e).clone());
        }
    }
}
