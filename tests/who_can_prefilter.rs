//! `who-can` answers the same with its cheap pre-check (principals whose identity
//! policies do not name the action, outside the resource's account, are not evaluated)
//! and without it (every principal evaluated), on every reference scenario, the
//! escalation fixtures, the shared corpus and a generated organization: the check may
//! only make the query faster, never hide a principal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/support/org_gen.rs"]
mod org_gen;
mod support;

use std::path::PathBuf;

use iampath::graph::Graph;
use iampath::graph::who_can::{WhoResult, who_can_with};
use iampath::ingest::{LoadOptions, load};
use iampath::model::{Model, ResourceService};

/// The questions asked of a data set: assuming and passing each role, and a few
/// actions on each resource with a policy.
fn questions(model: &Model) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in model.accounts.values() {
        for r in &a.roles {
            for action in ["sts:AssumeRole", "iam:PassRole"] {
                out.push((action.to_string(), r.arn.value.clone()));
            }
        }
        for res in &a.resources {
            let asks: &[(&str, String)] = &match res.service {
                ResourceService::S3 => vec![
                    ("s3:GetObject", format!("{}/some/key", res.arn)),
                    ("s3:PutObject", format!("{}/some/key", res.arn)),
                    ("s3:ListBucket", res.arn.clone()),
                ],
                ResourceService::Sqs => vec![("sqs:SendMessage", res.arn.clone())],
                ResourceService::Kms => vec![("kms:Decrypt", res.arn.clone())],
                _ => vec![],
            };
            for (action, arn) in asks {
                out.push((action.to_string(), arn.clone()));
            }
        }
    }
    out
}

/// An answer as comparable text: each principal, its decision and its path.
fn text(r: &WhoResult) -> Vec<String> {
    r.principals
        .iter()
        .map(|p| {
            let hops: Vec<String> = p
                .hops
                .iter()
                .map(|h| format!("{}->{} {} {}", h.from, h.to, h.action, h.decision.as_str()))
                .collect();
            format!("{} {:?} {}", p.principal, p.decision, hops.join(" | "))
        })
        .collect()
}

/// Asks every question with and without the check; returns how many principals the
/// answers listed.
fn same(name: &str, paths: &[PathBuf]) -> usize {
    let loaded = load(paths, &LoadOptions::default());
    let mut graph = Graph::build(&loaded.model, &[]);
    let mut listed = 0;
    for (action, resource) in questions(&loaded.model) {
        let with = who_can_with(&mut graph, &loaded.model, &action, &resource, true);
        let without = who_can_with(&mut graph, &loaded.model, &action, &resource, false);
        match (with, without) {
            (Ok(a), Ok(b)) => {
                assert_eq!(
                    text(&a),
                    text(&b),
                    "{name}: who-can {action} {resource} changes with the pre-check"
                );
                listed += a.principals.len();
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("{name}: {action} {resource}: {a:?} against {b:?}"),
        }
    }
    listed
}

#[test]
fn reference_scenarios_and_escalation_fixtures() {
    let total = support::over_graph_fixtures(same);
    assert!(total > 50, "too few principals listed to compare: {total}");
}

#[test]
fn the_shared_corpus() {
    let total = support::over_graph_corpus(same);
    assert!(total > 0, "the corpus lists no principal to compare");
}

#[test]
fn a_generated_organization() {
    let dir = std::env::temp_dir().join(format!("iampath-who-can-{}", std::process::id()));
    let opts = org_gen::OrgOptions::new(4, 60);
    let written = org_gen::write_org(&dir, &opts).expect("writing the organization");
    let paths = std::slice::from_ref(&written.root);
    let loaded = load(paths, &LoadOptions::default());
    let mut graph = Graph::build(&loaded.model, &[]);
    // The benchmark's question: a bucket every account may read.
    let resource = org_gen::who_can_resource();
    let with = who_can_with(
        &mut graph,
        &loaded.model,
        org_gen::WHO_CAN_ACTION,
        &resource,
        true,
    )
    .expect("who-can");
    let without = who_can_with(
        &mut graph,
        &loaded.model,
        org_gen::WHO_CAN_ACTION,
        &resource,
        false,
    )
    .expect("who-can");
    assert_eq!(text(&with), text(&without));
    assert!(with.principals.len() > 50, "too few principals listed");
    let n = same("generated organization", paths);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(n > 500, "too few principals listed to compare: {n}");
}
