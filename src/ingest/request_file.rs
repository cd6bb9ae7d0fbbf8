//! The `simulate` request file (docs/commands.md): one request and the policies around it.

use std::path::Path;

use super::cx::Cx;
use super::diag::{Diagnostic, Problem};
use super::policy_doc;
use super::{LoadOptions, parse_reported, read_source};
use crate::model::{PolicyKind, Simulation, Spanned};
use crate::policy::arn::Arn;
use crate::source::SourceMap;
use crate::source::decode::Layers;
use crate::source::json::{Node, Value};

const TOP_KEYS: &[&str] = &[
    "request",
    "identityPolicies",
    "permissionsBoundary",
    "sessionPolicy",
    "resourcePolicy",
    "serviceControlPolicies",
    "resourceControlPolicies",
    "managementAccount",
    "restrictPublicBuckets",
];
const REQUEST_KEYS: &[&str] = &[
    "principal",
    "action",
    "resource",
    "resourceAccount",
    "context",
];

/// Reads a request file. Diagnostics go to `diags`; the simulation is returned even
/// when some parts were bad (the caller decides not to run it then).
pub fn read(
    path: &Path,
    opts: &LoadOptions,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Simulation {
    let Some(file) = read_source(path, opts, sources, diags) else {
        return Simulation::default();
    };
    let Some(source) = sources.get(file) else {
        return Simulation::default();
    };
    let layers = Layers::file();
    let mut cx = Cx {
        file,
        text: &source.text,
        layers: &layers,
        opts,
        diags,
    };
    let Some(tree) = parse_reported(&mut cx) else {
        return Simulation::default();
    };
    lower(&mut cx, &tree)
}

fn lower(cx: &mut Cx, tree: &Node) -> Simulation {
    let mut sim = Simulation::default();
    let Some(top) = cx.object(
        tree,
        "request file",
        "a simulate request file",
        TOP_KEYS,
        true,
    ) else {
        return sim;
    };
    match top.get("request") {
        Some(r) => request(cx, r, &mut sim),
        None => cx.report(
            Problem::MissingKey {
                key: "request",
                context: "the request file".into(),
            },
            cx.node_span(tree),
        ),
    }
    let action = sim
        .action
        .as_ref()
        .map(|a| a.value.to_ascii_lowercase())
        .unwrap_or_default();
    let role_target = sim
        .resource
        .as_ref()
        .and_then(|r| Arn::parse(r))
        .is_some_and(|a| a.service == "iam" && a.resource.starts_with("role/"));
    let resource_kind = if role_target && action.starts_with("sts:") {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    };
    for p in cx.list("identityPolicies", top.get("identityPolicies")) {
        sim.identity_policies.extend(policy_doc::document(
            cx,
            "identityPolicies",
            p,
            PolicyKind::Identity,
            None,
        ));
    }
    let one = |cx: &mut Cx, key: &str, kind| {
        top.get(key)
            .filter(|n| !matches!(n.value, Value::Null))
            .and_then(|n| policy_doc::document(cx, key, n, kind, None))
    };
    sim.permissions_boundary = one(cx, "permissionsBoundary", PolicyKind::Boundary);
    sim.session_policy = one(cx, "sessionPolicy", PolicyKind::Session);
    sim.resource_policy = one(cx, "resourcePolicy", resource_kind);
    sim.service_control_policies = levels(
        cx,
        top.get("serviceControlPolicies"),
        "serviceControlPolicies",
        PolicyKind::ServiceControl,
    );
    sim.resource_control_policies = levels(
        cx,
        top.get("resourceControlPolicies"),
        "resourceControlPolicies",
        PolicyKind::ResourceControl,
    );
    sim.management_account = cx.opt_string("managementAccount", top.get("managementAccount"));
    check_actions(&sim, cx.diags);
    if let Some(n) = top.get("restrictPublicBuckets") {
        match n.value {
            Value::Bool(b) => sim.restrict_public_buckets = b,
            _ => cx.wrong_type("restrictPublicBuckets", "a boolean", n),
        }
    }
    sim
}

fn request(cx: &mut Cx, node: &Node, sim: &mut Simulation) {
    let Some(f) = cx.object(node, "request", "the request", REQUEST_KEYS, true) else {
        return;
    };
    sim.span = Some(cx.node_span(node));
    for (key, slot) in [
        ("principal", &mut sim.principal),
        ("action", &mut sim.action),
        ("resource", &mut sim.resource),
    ] {
        match f.get(key) {
            Some(n) => *slot = cx.string(key, n),
            None => cx.report(
                Problem::MissingKey {
                    key,
                    context: "the request".into(),
                },
                cx.node_span(node),
            ),
        }
    }
    sim.resource_account = cx.opt_string("resourceAccount", f.get("resourceAccount"));
    let Some(ctx) = f.get("context") else { return };
    let Some(keys) = cx.object(ctx, "context", "the request context", &[], true) else {
        return;
    };
    for m in keys.members {
        let text = |n: &Node| match &n.value {
            Value::String(s) => Some(s.to_string()),
            Value::Number(s) => Some(s.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let values: Vec<String> = match &m.value.value {
            Value::Array(items) => items
                .iter()
                .filter_map(|i| {
                    let v = text(i);
                    if v.is_none() {
                        cx.wrong_type(&m.key, "a string, number or boolean", i);
                    }
                    v
                })
                .collect(),
            _ => match text(&m.value) {
                Some(v) => vec![v],
                None => {
                    cx.wrong_type(
                        &m.key,
                        "a string, number, boolean or a list of them",
                        &m.value,
                    );
                    continue;
                }
            },
        };
        sim.context
            .push((Spanned::new(m.key.to_string(), cx.key_span(m)), values));
    }
}

fn levels(
    cx: &mut Cx,
    node: Option<&Node>,
    key: &str,
    kind: PolicyKind,
) -> Vec<Vec<crate::model::Policy>> {
    let mut out = Vec::new();
    for level in cx.list(key, node) {
        let policies = match &level.value {
            Value::Array(items) => items
                .iter()
                .filter_map(|p| policy_doc::document(cx, key, p, kind, None))
                .collect(),
            _ => {
                cx.wrong_type(key, "an array of levels, each an array of policies", level);
                Vec::new()
            }
        };
        out.push(policies);
    }
    out
}

/// Warns about actions the service reference does not know, in the request and in
/// every policy of the file.
fn check_actions(sim: &Simulation, diags: &mut Vec<Diagnostic>) {
    if let Some(a) = &sim.action {
        super::actions::check_action(a, diags);
    }
    let singles = [
        &sim.permissions_boundary,
        &sim.session_policy,
        &sim.resource_policy,
    ];
    let levels = sim
        .service_control_policies
        .iter()
        .chain(&sim.resource_control_policies)
        .flatten();
    for p in sim
        .identity_policies
        .iter()
        .chain(singles.into_iter().flatten())
        .chain(levels)
    {
        super::actions::check_policy(p, diags);
    }
}
