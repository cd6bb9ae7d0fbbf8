//! The assume-role edges are the same with the grant index (callers of an account-wide
//! trust read from the index of their `sts:AssumeRole` grants) and without it (every
//! principal of the account a candidate), on every reference scenario, the quirks, the
//! escalation fixtures, the generated organization of the benches and the shared corpus: the
//! index may only make the build faster, never change an answer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/support/org_gen.rs"]
mod org_gen;
mod support;

use std::path::PathBuf;

use iampath::graph::World;
use iampath::graph::edges::build_with;
use iampath::ingest::{LoadOptions, load};

/// The edges of a data set, as comparable text: from, to, action, decision, grants.
fn edges(paths: &[PathBuf], indexed: bool) -> Vec<String> {
    let loaded = load(paths, &LoadOptions::default());
    let mut world = World::new(&loaded.model, &[]);
    let edges = build_with(&mut world, &[], indexed);
    let mut out: Vec<String> = edges
        .iter()
        .map(|e| {
            let hop = e.hop(&world);
            // The hop is made again when asked: the same evaluation as the edge's.
            assert_eq!(
                (e.kind, e.decision),
                (hop.kind, hop.decision),
                "{} -> {}",
                hop.from,
                hop.to
            );
            let grants: Vec<String> = hop
                .grants
                .iter()
                .map(|g| format!("{}#{:?}", g.policy, g.statement.as_ref().map(|s| s.index)))
                .collect();
            format!(
                "{} -> {} {} {} [{}] {:?}",
                hop.from,
                hop.to,
                hop.action,
                hop.decision.as_str(),
                grants.join(", "),
                hop.conditions
            )
        })
        .collect();
    out.sort();
    out
}

fn same(name: &str, paths: &[PathBuf]) -> usize {
    let with = edges(paths, true);
    let without = edges(paths, false);
    assert_eq!(with, without, "{name}: the index changes the edges");
    with.len()
}

#[test]
fn reference_scenarios_and_escalation_fixtures() {
    let total = support::over_graph_fixtures(same);
    assert!(total > 50, "too few edges to compare: {total}");
}

#[test]
fn the_shared_corpus() {
    let total = support::over_graph_corpus(same);
    assert!(total > 0, "the corpus has no assume-role edge to compare");
}

#[test]
fn a_generated_organization() {
    let dir = std::env::temp_dir().join(format!("iampath-grant-index-{}", std::process::id()));
    let opts = org_gen::OrgOptions::new(4, 120);
    let written = org_gen::write_org(&dir, &opts).expect("writing the organization");
    let n = same(
        "generated organization",
        std::slice::from_ref(&written.root),
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(n > 500, "too few edges to compare: {n}");
}
