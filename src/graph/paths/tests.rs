//! `paths` on the graph built for it lists the same crossings as on the whole graph.

use crate::graph::test_org as org_gen;
use crate::graph::{Graph, paths};
use crate::ingest::{LoadOptions, load};
use crate::model::Model;

/// The crossings `paths` lists on a graph, as their debug output, one per line.
fn listed(graph: &Graph, model: &Model) -> Vec<String> {
    paths::crossings_in_order(graph, model, None, None)
        .map(|c| format!("{c:?}"))
        .collect()
}

/// Every escalation fixture, answer folder, scenario and corpus set, and two generated
/// organizations: the same crossings, in the same order, from the whole graph and from
/// [`Graph::build_crossings`]; and on enough of them with fewer edges that the
/// comparison means something. `testdata/assumed-role-crossing` fails it when the
/// edges within an account of a caller that may change a role it assumes are left out
/// too: the changed role's way into the other account goes with them.
#[test]
fn the_same_crossings_as_the_whole_graph() {
    let org = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary folder: {e}"));
    let mut folders = crate::graph::test_folders();
    assert!(folders.len() > 150, "fixtures missing: {}", folders.len());
    for (name, accounts, principals) in [("small", 6, 40), ("one", 1, 120)] {
        let at = org.path().join(name);
        org_gen::write_org(&at, &org_gen::OrgOptions::new(accounts, principals))
            .unwrap_or_else(|e| panic!("writing the organization: {e}"));
        folders.push(at);
    }
    let (mut fewer, mut listed_any) = (0, 0);
    for folder in &folders {
        let loaded = load(std::slice::from_ref(folder), &LoadOptions::default());
        let mut model = loaded.model.clone();
        let whole = Graph::build(&model, &[]);
        let want = listed(&whole, &model);
        let crossings = Graph::build_crossings(&mut model, &[]);
        let got = listed(&crossings, &model);
        assert_eq!(got, want, "{}", folder.display());
        fewer += usize::from(crossings.edges.len() < whole.edges.len());
        listed_any += usize::from(!want.is_empty());
    }
    // Most fixtures cross accounts only; the generated organizations, the corpus's
    // `iam-vulnerable` and a few more have edges within an account.
    assert!(fewer >= 6, "only {fewer} folders with fewer edges");
    assert!(
        listed_any >= 10,
        "only {listed_any} folders list a crossing"
    );
}
