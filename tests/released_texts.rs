//! `can`, `who-can` and `escalations` let the file texts go before the build when
//! they print JSON or SARIF (`Env::graph_for_answers`): those outputs name places
//! (file, line, column), which the line index keeps, and never quote a statement.
//! Each output here is written with the texts and again after they are released;
//! the two must be the same, byte for byte, on every reference scenario, every
//! escalation fixture and a corpus export.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::PathBuf;

use iampath::graph::Graph;
use iampath::graph::escalations::{Target, escalations};
use iampath::graph::query::{Limits, can};
use iampath::graph::who_can::who_can;
use iampath::graph::world::NodeKind;
use iampath::ingest::Loaded;
use iampath::report;

fn dirs(parent: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(support::repo().join(parent))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    found
}

/// Every JSON and SARIF output of the three commands on one data folder, written
/// with the sources as they are.
fn outputs(loaded: &Loaded, graph: &mut Graph) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut write = |label: String, f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut bytes = Vec::new();
        f(&mut bytes).unwrap();
        out.push((label, bytes));
    };
    let found = escalations(graph, &Target::Admin);
    write("escalations json".into(), &|o| {
        report::escalations::json(o, &found, &loaded.sources)
    });
    let findings = iampath::lint::rules::privilege_escalation::findings(graph);
    let rules = iampath::lint::rules::registry();
    write("escalations sarif".into(), &|o| {
        report::sarif::write(o, &findings, &rules, &loaded.sources)
    });
    let principals: Vec<String> = graph
        .world
        .principals
        .iter()
        .filter(|p| matches!(p.kind, NodeKind::User | NodeKind::Role))
        .map(|p| p.id.to_string())
        .take(12)
        .collect();
    // An object of each bucket with a policy (its statements are grants too).
    let buckets: Vec<String> = loaded
        .model
        .accounts
        .values()
        .flat_map(|a| &a.resources)
        .filter(|r| r.policy.is_some() && r.arn.starts_with("arn:aws:s3:::"))
        .map(|r| format!("{}/reports/a.csv", r.arn))
        .take(4)
        .collect();
    let roles: Vec<&String> = principals.iter().filter(|p| p.contains(":role/")).collect();
    let mut asks: Vec<(String, String)> = buckets
        .iter()
        .map(|b| ("s3:GetObject".to_string(), b.clone()))
        .collect();
    asks.extend(
        roles
            .iter()
            .map(|r| ("sts:AssumeRole".to_string(), r.to_string())),
    );
    for (action, resource) in &asks {
        let r = who_can(graph, &loaded.model, action, resource).unwrap();
        write(format!("who-can {action} {resource}"), &|o| {
            report::access::who_json(o, &r, &loaded.sources)
        });
    }
    let limits = Limits {
        max_hops: 5,
        max_paths: 10,
    };
    for p in &principals {
        for (action, resource) in &asks {
            let Ok(r) = can(graph, &loaded.model, p, action, resource, limits) else {
                continue;
            };
            write(format!("can {p} {action} {resource}"), &|o| {
                report::access::can_json(o, &r, &loaded.sources)
            });
        }
    }
    out
}

#[test]
fn json_and_sarif_answers_are_the_same_without_the_file_texts() {
    let mut folders = dirs("fixtures/scenarios");
    folders.extend(dirs("tests/escalations"));
    folders.push(support::corpus("cloudmapper-demo"));
    let mut compared = 0;
    let mut with_grants = 0;
    for folder in &folders {
        let mut loaded = support::load_one(folder);
        let mut graph = Graph::build(&loaded.model, &[]);
        let before = outputs(&loaded, &mut graph);
        loaded.sources.release_texts();
        let after = outputs(&loaded, &mut graph);
        assert_eq!(before.len(), after.len(), "{}", folder.display());
        for ((label, a), (_, b)) in before.iter().zip(&after) {
            assert!(
                a == b,
                "{}: {label} changes when the file texts are released",
                folder.display()
            );
            compared += 1;
            // Outputs that name a place, where a quote would show.
            if String::from_utf8_lossy(a).contains("\"line\"") {
                with_grants += 1;
            }
        }
    }
    assert!(compared > 100, "only {compared} outputs compared");
    assert!(with_grants > 50, "only {with_grants} outputs name a place");
}
