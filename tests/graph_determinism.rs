//! The graph is the same on every build: its nodes (the principals an escalation
//! changes are numbered in the order they are found) and its edges, with the hops an
//! answer shows. `graph`, `what-can` and SARIF output are listed in this order, and a
//! CI job compares runs; hash maps with a new seed per map must not reorder it.
//! A build that drops the user and role policy documents as it compiles them
//! (`Graph::build_releasing`, for `paths`, `graph`, `what-can`) builds the same graph.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/support/org_gen.rs"]
mod org_gen;
mod support;

use std::path::PathBuf;

use iampath::graph::Graph;
use iampath::ingest::{LoadOptions, load};

/// Nodes in order, then edges in order with their hops.
fn picture(paths: &[PathBuf]) -> Vec<String> {
    let loaded = load(paths, &LoadOptions::default());
    let graph = Graph::build(&loaded.model, &[]);
    picture_of(&graph)
}

fn picture_of(graph: &Graph) -> Vec<String> {
    let nodes = graph.world.principals.iter().map(|p| p.id.to_string());
    let edges = graph.edges.iter().map(|e| {
        let hop = e.hop(&graph.world);
        let grants: Vec<String> = hop.grants.iter().map(|g| g.policy.to_string()).collect();
        format!(
            "{} -> {} {} {} {:?} {:?}",
            e.from(),
            e.to(),
            hop.action,
            e.decision.as_str(),
            grants,
            hop.conditions
        )
    });
    nodes.chain(edges).collect()
}

/// A generated organization of 4 accounts × 60 principals, in a temporary folder.
fn generated_org() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let opts = org_gen::OrgOptions::new(4, 60);
    org_gen::write_org(dir.path(), &opts).expect("writing the organization");
    dir
}

fn same_every_time(name: &str, paths: &[PathBuf]) -> usize {
    let first = picture(paths);
    for _ in 0..3 {
        assert_eq!(
            picture(paths),
            first,
            "{name}: the graph changes between builds"
        );
    }
    first.len()
}

#[test]
fn fixtures_build_the_same_graph_every_time() {
    let total = support::over_graph_fixtures(same_every_time);
    assert!(total > 100, "too little graph to compare: {total}");
}

#[test]
fn a_generated_organization_builds_the_same_graph_every_time() {
    let dir = generated_org();
    let n = same_every_time("generated", &[dir.path().to_path_buf()]);
    assert!(n > 500, "too little graph to compare: {n}");
}

/// The whole picture, every hop in full (grants with their statements and spans),
/// from both builds; and the releasing build did let go of the documents.
fn same_when_released(name: &str, paths: &[PathBuf]) -> usize {
    let loaded = load(paths, &LoadOptions::default());
    let kept = Graph::build(&loaded.model, &[]);
    let mut model = loaded.model.clone();
    let released = Graph::build_releasing(&mut model, &[]);
    let full = |g: &Graph| -> Vec<String> {
        let hops = g.edges.iter().map(|e| format!("{:?}", e.hop(&g.world)));
        picture_of(g).into_iter().chain(hops).collect()
    };
    assert_eq!(
        full(&released),
        full(&kept),
        "{name}: releasing changes the graph"
    );
    let left = model.accounts.values().flat_map(|a| {
        let users = a.users.iter().flat_map(|u| &u.inline);
        let roles = a.roles.iter().flat_map(|r| &r.inline);
        let trust = a.roles.iter().filter(|r| r.trust.is_some()).count();
        users
            .chain(roles)
            .filter(|p| p.document.is_some())
            .map(|_| 1)
            .chain([trust])
    });
    assert_eq!(left.sum::<usize>(), 0, "{name}: documents were kept");
    kept.edges.len()
}

#[test]
fn releasing_the_documents_builds_the_same_graph() {
    let fixtures = support::over_graph_fixtures(same_when_released);
    let corpus = support::over_graph_corpus(same_when_released);
    let dir = generated_org();
    let generated = same_when_released("generated", &[dir.path().to_path_buf()]);
    assert!(
        fixtures > 100 && corpus > 0 && generated > 100,
        "too little graph to compare: {fixtures} {corpus} {generated}"
    );
}
