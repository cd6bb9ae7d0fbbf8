//! A value known only after apply never hides access (property): in a plan whose
//! trust, identity and bucket policies are deferred `aws_iam_policy_document`s,
//! replacing any set of known values (actions, resources, principals, condition
//! values) by unknown ones never turns an allowed or conditional answer into a denial.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use proptest::prelude::*;
use serde_json::{Value, json};
use support::*;

/// One statement of a policy document data source: (effect, actions, resources,
/// principals as (type, identifiers), conditions as (test, variable, values)).
type Statement = (
    &'static str,
    Vec<&'static str>,
    Vec<&'static str>,
    Vec<(&'static str, Vec<&'static str>)>,
    Vec<(&'static str, &'static str, Vec<&'static str>)>,
);

fn documents() -> Vec<(&'static str, Vec<Statement>)> {
    vec![
        (
            "trust",
            vec![(
                "Allow",
                vec!["sts:AssumeRole"],
                vec![],
                vec![("AWS", vec!["arn:aws:iam::222222222222:root"])],
                vec![],
            )],
        ),
        (
            "perm",
            vec![
                (
                    "Allow",
                    vec!["s3:GetObject", "s3:PutObject"],
                    vec!["arn:aws:s3:::shared-data/*"],
                    vec![],
                    vec![],
                ),
                (
                    "Deny",
                    vec!["s3:DeleteObject"],
                    vec!["arn:aws:s3:::shared-data/locked/*"],
                    vec![],
                    vec![],
                ),
                (
                    "Deny",
                    vec!["s3:PutObject"],
                    vec!["*"],
                    vec![],
                    vec![("StringEquals", "aws:RequestedRegion", vec!["ap-south-2"])],
                ),
            ],
        ),
        (
            "bucket",
            vec![(
                "Allow",
                vec!["s3:GetObject"],
                vec!["arn:aws:s3:::shared-data/*"],
                vec![("AWS", vec!["arn:aws:iam::333333333333:root"])],
                vec![("StringEquals", "aws:PrincipalAccount", vec!["333333333333"])],
            )],
        ),
    ]
}

/// How many values the plan's documents hold (the leaves that may become unknown).
fn leaves() -> usize {
    documents()
        .iter()
        .flat_map(|(_, sts)| sts)
        .map(|(_, a, r, p, c)| {
            a.len()
                + r.len()
                + p.iter().map(|(_, ids)| ids.len()).sum::<usize>()
                + c.iter().map(|(_, _, v)| v.len()).sum::<usize>()
        })
        .sum()
}

/// The data source of a document, with the leaves `unknown` says unknown (by their
/// order across all documents, from `next`).
fn data_source(name: &str, sts: &[Statement], unknown: &[bool], next: &mut usize) -> Value {
    let mut take = |v: &str| -> (Value, Value) {
        let u = unknown.get(*next).copied().unwrap_or(false);
        *next += 1;
        if u {
            (Value::Null, Value::Bool(true))
        } else {
            (Value::String(v.to_string()), Value::Bool(false))
        }
    };
    let mut after = Vec::new();
    let mut flags = Vec::new();
    for (effect, actions, resources, principals, conditions) in sts {
        let (a, au): (Vec<_>, Vec<_>) = actions.iter().map(|x| take(x)).unzip();
        let (r, ru): (Vec<_>, Vec<_>) = resources.iter().map(|x| take(x)).unzip();
        let mut p = Vec::new();
        let mut pu = Vec::new();
        for (kind, ids) in principals {
            let (i, iu): (Vec<_>, Vec<_>) = ids.iter().map(|x| take(x)).unzip();
            p.push(json!({"type": kind, "identifiers": i}));
            pu.push(json!({"identifiers": iu}));
        }
        let mut c = Vec::new();
        let mut cu = Vec::new();
        for (test, variable, values) in conditions {
            let (v, vu): (Vec<_>, Vec<_>) = values.iter().map(|x| take(x)).unzip();
            c.push(json!({"test": test, "variable": variable, "values": v}));
            cu.push(json!({"values": vu}));
        }
        let resources = if r.is_empty() { Value::Null } else { json!(r) };
        after.push(json!({
            "effect": effect, "actions": a, "resources": resources, "principals": p,
            "condition": c, "not_actions": null, "not_resources": null, "not_principals": [],
            "sid": null
        }));
        flags.push(json!({"actions": au, "resources": ru, "principals": pu, "condition": cu}));
    }
    json!({
        "address": format!("data.aws_iam_policy_document.{name}"),
        "mode": "data", "type": "aws_iam_policy_document", "name": name,
        "change": {
            "actions": ["read"], "before": null,
            "after": {"statement": after, "source_policy_documents": null,
                      "override_policy_documents": null, "version": null, "policy_id": null},
            "after_unknown": {"id": true, "json": true, "statement": flags}
        }
    })
}

fn managed(address: &str, kind: &str, after: Value, unknown_key: &str, doc: &str) -> Value {
    json!({
        "address": address, "mode": "managed", "type": kind,
        "name": address.split('.').nth(1).unwrap(),
        "change": {"actions": ["create"], "before": null, "after": after,
                   "after_unknown": {unknown_key: true}},
        "_doc": doc
    })
}

fn plan(unknown: &[bool]) -> Value {
    let mut next = 0;
    let mut changes: Vec<Value> = documents()
        .iter()
        .map(|(name, sts)| data_source(name, sts, unknown, &mut next))
        .collect();
    changes.push(managed(
        "aws_iam_role.deploy",
        "aws_iam_role",
        json!({"name": "deploy", "path": "/"}),
        "assume_role_policy",
        "trust",
    ));
    changes.push(managed(
        "aws_iam_role_policy.perm",
        "aws_iam_role_policy",
        json!({"name": "perm", "role": "deploy"}),
        "policy",
        "perm",
    ));
    changes.push(managed(
        "aws_s3_bucket_policy.shared",
        "aws_s3_bucket_policy",
        json!({"bucket": "shared-data"}),
        "policy",
        "bucket",
    ));
    let config: Vec<Value> = changes
        .iter()
        .filter(|c| c["mode"] == "managed")
        .map(|c| {
            let key = c["change"]["after_unknown"]
                .as_object()
                .unwrap()
                .keys()
                .next()
                .unwrap()
                .clone();
            let doc = c["_doc"].as_str().unwrap();
            json!({
                "address": c["address"], "mode": "managed", "type": c["type"], "name": c["name"],
                "expressions": {key: {"references": [
                    format!("data.aws_iam_policy_document.{doc}.json"),
                    format!("data.aws_iam_policy_document.{doc}")
                ]}}
            })
        })
        .collect();
    json!({
        "format_version": "1.2",
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": config}}
    })
}

const QUERIES: &[(&str, &str, &str)] = &[
    (
        "arn:aws:iam::222222222222:root",
        "sts:AssumeRole",
        "arn:aws:iam::111111111111:role/deploy",
    ),
    (
        "arn:aws:iam::111111111111:role/deploy",
        "s3:GetObject",
        "arn:aws:s3:::shared-data/report.csv",
    ),
    (
        "arn:aws:iam::111111111111:role/deploy",
        "s3:PutObject",
        "arn:aws:s3:::shared-data/report.csv",
    ),
    (
        "arn:aws:iam::333333333333:root",
        "s3:GetObject",
        "arn:aws:s3:::shared-data/report.csv",
    ),
];

/// The answer (`allowed`, `conditional`, `denied`) of each query.
fn answers(unknown: &[bool]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, plan(unknown).to_string()).unwrap();
    let p = path.display().to_string();
    QUERIES
        .iter()
        .map(|(who, action, what)| {
            let base = ["--plan", &p, "--account", "111111111111"];
            if who.starts_with("arn:aws:iam::111111111111:") {
                let mut args = base.to_vec();
                args.extend(["can", who, action, what, "--format", "json"]);
                let (_, v) = json(&args);
                return v["decision"].as_str().unwrap_or_default().to_string();
            }
            // A principal outside the loaded data: the best answer of `who-can` for its
            // account, or for anyone (`*` admits it too).
            let account = who.split(':').nth(4).unwrap();
            let mut args = base.to_vec();
            args.extend(["who-can", action, what, "--format", "json"]);
            let (_, v) = json(&args);
            let mut best = "denied".to_string();
            for entry in v["principals"].as_array().cloned().unwrap_or_default() {
                let principal = entry["principal"].as_str().unwrap_or_default();
                if principal == account || principal == *who || principal == "*" {
                    let d = entry["decision"].as_str().unwrap_or_default();
                    if d == "allowed" || (d == "conditional" && best == "denied") {
                        best = d.to_string();
                    }
                }
            }
            best
        })
        .collect()
}

#[test]
fn the_plan_with_every_value_known_allows_every_query() {
    let known = answers(&vec![false; leaves()]);
    assert_eq!(
        known,
        vec!["allowed", "allowed", "conditional", "allowed"],
        "the base case must grant, or the property below tests nothing"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn an_unknown_value_never_turns_a_grant_into_a_denial(
        unknown in proptest::collection::vec(any::<bool>(), leaves())
    ) {
        let got = answers(&unknown);
        for ((q, a), base) in QUERIES.iter().zip(&got).zip(["allowed", "allowed", "conditional", "allowed"]) {
            prop_assert!(
                a == "allowed" || a == "conditional",
                "{q:?} was {base}, is {a} with unknown leaves {unknown:?}"
            );
        }
    }
}
