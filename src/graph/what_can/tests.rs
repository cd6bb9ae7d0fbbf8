//! What a principal may do, decided by group, is what deciding every action on its
//! own says.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::allowed::{allowed_actions, better, granting};
use crate::eval::ResourcePolicyKind;
use crate::eval::actions::covered_actions;
use crate::graph::edges::decide;
use crate::graph::query::Answer;
use crate::graph::test_org as org_gen;
use crate::graph::{Graph, NodeKind};
use crate::ingest::{LoadOptions, load};

/// Every (action, resources, decision) the principal's identity Allows name, each
/// action asked of the evaluator on each of its resources (as `what-can` did before
/// actions were decided by group).
fn one_by_one(graph: &Graph, who: usize) -> Vec<(String, Vec<String>, Answer)> {
    let Some(p) = graph.world.principals.get(who) else {
        return Vec::new();
    };
    let mut candidates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (st, resources) in granting(p) {
        for a in covered_actions(st) {
            candidates
                .entry(a.full_name())
                .or_default()
                .extend(resources.iter().cloned());
        }
    }
    let account = p.account.as_deref();
    let mut out = Vec::new();
    for (action, resources) in candidates {
        let mut best = Answer::Denied;
        let mut on = Vec::new();
        for r in resources {
            let ev = decide(
                &graph.world,
                who,
                &action,
                &r,
                None,
                ResourcePolicyKind::Ordinary,
                account,
            );
            let answer = Answer::of(ev.decision);
            if answer != Answer::Denied {
                on.push(r);
                best = better(best, answer);
            }
        }
        if best != Answer::Denied {
            out.push((action, on, best));
        }
    }
    out
}

/// The same, read from [`allowed_actions`] (by service, each service's actions in
/// the order it gives them).
fn by_group(graph: &Graph, who: usize) -> Vec<(String, Vec<String>, Answer)> {
    allowed_actions(graph, who)
        .into_values()
        .flat_map(|s| s.actions)
        .map(|a| (a.action.to_string(), a.resources.to_vec(), a.decision))
        .collect()
}

/// Actions by service, then by name.
fn by_service(mut v: Vec<(String, Vec<String>, Answer)>) -> Vec<(String, Vec<String>, Answer)> {
    v.sort_by(|a, b| (a.0.split_once(':'), &a.0).cmp(&(b.0.split_once(':'), &b.0)));
    v
}

/// On every fixture, answer, scenario and corpus folder and a generated
/// organization, every loaded principal (and every node escalations make): the same
/// actions, resources and answers. Some principals are administrators, so that the
/// comparison covers the actions read from the catalog-wide sets.
#[test]
fn deciding_by_group_is_deciding_each_action() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let org = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary folder: {e}"));
    org_gen::write_org(org.path(), &org_gen::OrgOptions::new(3, 12))
        .unwrap_or_else(|e| panic!("writing the organization: {e}"));
    let mut folders = vec![org.path().to_path_buf()];
    for parent in [
        "tests/escalations",
        "tests/answers",
        "fixtures/scenarios",
        "../shared/corpus",
    ] {
        let mut found: Vec<_> = std::fs::read_dir(root.join(parent))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        found.retain(|p: &std::path::PathBuf| p.is_dir());
        found.sort();
        folders.extend(found);
    }
    assert!(folders.len() > 150, "fixtures missing: {}", folders.len());
    let (mut principals, mut actions, mut large) = (0, 0, 0);
    for folder in &folders {
        let loaded = load(std::slice::from_ref(folder), &LoadOptions::default());
        let graph = Graph::build(&loaded.model, &[]);
        for (i, p) in graph.world.principals.iter().enumerate() {
            if !(p.kind.is_loaded() || p.kind == NodeKind::Escalated) {
                continue;
            }
            let want = by_service(one_by_one(&graph, i));
            assert_eq!(by_group(&graph, i), want, "{}: {}", folder.display(), p.id);
            principals += 1;
            actions += want.len();
            large += usize::from(want.len() >= super::allowed::FROM_SETS);
        }
    }
    assert!(
        principals > 1_000 && actions > 100_000,
        "{principals} {actions}"
    );
    assert!(large > 20, "{large} principals allowed many actions");
}
