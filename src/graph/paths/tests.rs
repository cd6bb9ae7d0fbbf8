//! `paths` on the graph built for it lists the same crossings as on the whole graph.

use crate::graph::test_org as org_gen;
use crate::graph::{Graph, paths};
use crate::ingest::{LoadOptions, load};
use crate::model::Model;

/// The crossings `paths --from FROM --to TO` lists on a graph, as their debug output.
fn listed(graph: &Graph, model: &Model, from: Option<&str>, to: Option<&str>) -> Vec<String> {
    paths::crossings_in_order(graph, model, from, to)
        .map(|c| format!("{c:?}"))
        .collect()
}

/// The `--from` and `--to` options asked of a folder: none, each account alone on
/// either side, and each pair of its first three accounts.
fn questions(model: &Model) -> Vec<(Option<String>, Option<String>)> {
    let accounts: Vec<String> = model.accounts.keys().cloned().collect();
    let mut out = vec![(None, None)];
    for a in &accounts {
        out.push((Some(a.clone()), None));
        out.push((None, Some(a.clone())));
    }
    for a in accounts.iter().take(3) {
        for b in accounts.iter().take(3).filter(|b| *b != a) {
            out.push((Some(a.clone()), Some(b.clone())));
        }
    }
    out
}

/// Every escalation fixture, answer folder, scenario and corpus set, and two generated
/// organizations: the same crossings, in the same order, from the whole graph and from
/// [`Graph::build_crossings`], for every account asked about on either side; and on
/// enough of them with fewer edges that the comparison means something.
/// `testdata/assumed-role-crossing` fails it when the edges within an account of a
/// caller that may change a role it assumes are left out too (the changed role's way
/// into the other account goes with them), or when its escalations are not searched
/// for `--to 222222222222`.
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
    let (mut fewer, mut listed_any, mut asked) = (0, 0, 0);
    for folder in &folders {
        let loaded = load(std::slice::from_ref(folder), &LoadOptions::default());
        let whole = Graph::build(&loaded.model, &[]);
        for (from, to) in questions(&loaded.model) {
            let (from, to) = (from.as_deref(), to.as_deref());
            let want = listed(&whole, &loaded.model, from, to);
            let mut model = loaded.model.clone();
            let built = Graph::build_crossings(&mut model, &[], from, to);
            let got = listed(&built, &model, from, to);
            assert_eq!(
                got,
                want,
                "{} --from {from:?} --to {to:?}",
                folder.display()
            );
            asked += 1;
            fewer += usize::from(built.edges.len() < whole.edges.len());
            listed_any += usize::from(!want.is_empty());
        }
    }
    // Most fixtures cross accounts only; the generated organizations, the corpus's
    // `iam-vulnerable` and a few more have edges within an account, and each account
    // asked about on one side leaves out the edges of the others.
    assert!(asked > 500, "only {asked} questions");
    assert!(fewer >= 100, "only {fewer} questions with fewer edges");
    assert!(
        listed_any >= 50,
        "only {listed_any} questions list a crossing"
    );
}
