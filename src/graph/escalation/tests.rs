//! The prefilter is exact in one direction: an action outside a principal's bits is
//! denied by the evaluator on every resource (so leaving its attempts unbuilt hides
//! nothing). Pruning the attempts decided, and the number of threads, change no edge.

use super::*;
use crate::ingest::{LoadOptions, load};

/// The escalation fixture folders, in name order.
fn escalation_fixtures() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/escalations");
    let mut folders: Vec<std::path::PathBuf> = std::fs::read_dir(root)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    folders.sort();
    folders
}

#[test]
fn an_action_outside_the_bits_is_denied_everywhere() {
    let mut folders = escalation_fixtures();
    assert!(
        folders.len() > 50,
        "no escalation fixtures under tests/escalations"
    );
    // Denies that do not cover every resource or every request, next to ones that do.
    folders.push(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/graph/escalation/testdata/near-misses"),
    );
    let list = prefilter::relevant_actions();
    // Cases where the bits say no although an identity Allow names the action: the
    // boundary or an unconditional Deny. Without some, the test proves nothing.
    let mut narrowed = 0;
    for folder in folders {
        let loaded = load(std::slice::from_ref(&folder), &LoadOptions::default());
        let world = World::new(&loaded.model, &[]);
        let targets: Vec<String> = world
            .principals
            .iter()
            .map(|p| p.id.to_string())
            .chain(["*".to_string()])
            .collect();
        for (i, p) in world.principals.iter().enumerate() {
            if !p.kind.is_loaded() {
                continue;
            }
            let bits = action_bits(p, &HashMap::new());
            for action in list {
                let named = p.identity.iter().flat_map(|pol| &pol.statements).any(|st| {
                    st.effect != Some(crate::model::Effect::Deny)
                        && st
                            .actions
                            .as_ref()
                            .is_some_and(|a| a.matches_action(action))
                });
                if prefilter::action_slot(action).is_none_or(|at| bits.contains(at)) || !named {
                    continue;
                }
                narrowed += 1;
                let account = p.account.as_deref();
                let mut resources = targets.clone();
                if let Some(acct) = account {
                    resources.extend(symbolic::candidates(p, action, None, acct));
                }
                for r in &resources {
                    let ev = decide_in(
                        &world,
                        i,
                        action,
                        r,
                        None,
                        ResourcePolicyKind::Ordinary,
                        account,
                        &p.context,
                    );
                    assert!(
                        matches!(ev.decision, Decision::ExplicitDeny | Decision::ImplicitDeny),
                        "{}: {} {action} on {r} is {:?} although the prefilter says no",
                        folder.display(),
                        p.id,
                        ev.decision
                    );
                }
            }
        }
    }
    assert!(
        narrowed > 0,
        "no fixture has a boundary or a Deny that narrows the bits"
    );
}

/// Every relevant action is found at its place in the sorted list, and nothing else
/// (not another spelling) is.
#[test]
fn action_slots_agree_with_the_sorted_list() {
    let list = prefilter::relevant_actions();
    for (i, a) in list.iter().enumerate() {
        assert_eq!(prefilter::action_slot(a), Some(i), "{a}");
        assert_eq!(list.binary_search(a), Ok(i));
    }
    for a in [
        "iam:passrole",
        "IAM:PassRole",
        "",
        "iam:PassRole ",
        "s3:GetObject",
    ] {
        assert_eq!(
            prefilter::action_slot(a),
            list.binary_search(&a).ok(),
            "{a}"
        );
    }
}

/// The escalation edges of every fixture and of a generated organization, with the
/// pruned attempts decided too, and on one thread: the same edges, hops and new nodes,
/// in the same order (the order of what is found numbers the changed principals).
#[test]
fn pruning_and_threads_change_no_edge() {
    let mut folders = escalation_fixtures();
    let picture = |folder: &std::path::Path, prune: Prune, threads: usize| -> Vec<String> {
        let loaded = load(&[folder.to_path_buf()], &LoadOptions::default());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap_or_else(|e| panic!("a thread pool: {e}"));
        pool.install(|| {
            let (world, _, edges) = built(&loaded, (prune, Copies::Useful));
            let nodes = world.principals.iter().map(|p| p.id.to_string());
            let hops = edges.iter().map(|e| format!("{:?}", e.hop(&world)));
            nodes.chain(hops).collect()
        })
    };
    let org = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary folder: {e}"));
    org_gen::write_org(org.path(), &org_gen::OrgOptions::new(3, 60))
        .unwrap_or_else(|e| panic!("writing the organization: {e}"));
    folders.push(org.path().to_path_buf());
    let mut edges = 0;
    for folder in &folders {
        let pruned = picture(folder, Prune::Yes, 4);
        assert_eq!(picture(folder, Prune::No, 4), pruned, "{folder:?}");
        assert_eq!(picture(folder, Prune::Yes, 1), pruned, "{folder:?}");
        edges += pruned.len();
    }
    assert!(
        folders.len() > 50 && edges > 500,
        "too little to compare: {edges}"
    );
}

use crate::graph::test_org as org_gen;

/// The bits of a policy, the plain way: each relevant action against each statement.
fn plain_policy_bits(pol: &CompiledPolicy) -> prefilter::PolicyBits {
    let names = |st: &crate::eval::CompiledStatement, a: &str| {
        st.actions.as_ref().is_some_and(|m| m.matches_action(a))
    };
    let list = prefilter::relevant_actions();
    let (mut allow, mut deny) = (
        prefilter::ActionSet::default(),
        prefilter::ActionSet::default(),
    );
    for (at, a) in list.iter().enumerate() {
        if pol
            .statements
            .iter()
            .any(|st| st.effect != Some(crate::model::Effect::Deny) && names(st, a))
        {
            allow.insert(at);
        }
        let denied = pol.statements.iter().any(|st| {
            st.effect == Some(crate::model::Effect::Deny)
                && st.conditions.is_empty()
                && st.resources.as_ref().is_some_and(|r| {
                    !r.negated
                        && r.patterns
                            .iter()
                            .any(|p| matches!(p, crate::eval::compile::ResourcePattern::Any))
                })
                && names(st, a)
        });
        if denied {
            deny.insert(at);
        }
    }
    (allow, deny)
}

#[test]
fn policy_bits_agree_with_matching_every_action_against_every_statement() {
    let mut folders = escalation_fixtures();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    folders.push(root.join("src/graph/escalation/testdata/near-misses"));
    folders.push(root.join("../shared/corpus"));
    let (mut policies, mut named) = (0, 0);
    for folder in folders {
        let loaded = load(std::slice::from_ref(&folder), &LoadOptions::default());
        let world = World::new(&loaded.model, &[]);
        for p in &world.principals {
            for pol in p.identity.iter().chain(&p.boundary) {
                let bits = prefilter::policy_bits(pol);
                assert_eq!(bits, plain_policy_bits(pol), "{}", pol.label);
                policies += 1;
                named += bits.0.len() + bits.1.len();
            }
        }
    }
    // Policies that name relevant actions, or the comparison proves little.
    assert!(
        policies > 500 && named > 1000,
        "{policies} policies, {named} bits set"
    );
}

/// The world of a folder, its assume-role edges and its escalation edges, searched
/// `how`.
fn built(loaded: &crate::ingest::Loaded, how: (Prune, Copies)) -> (World, Vec<Edge>, Vec<Edge>) {
    let mut world = World::new(&loaded.model, &[]);
    let assume = crate::graph::edges::build(&mut world, &[]);
    let more = build_with(&mut world, &loaded.model, &assume, &[], how, None);
    (world, assume, more)
}

/// The nodes of a folder's graph and its edges as (from, to, allowed), made with or
/// without the copies that only add ([`changed::only_adds`]).
fn edges_of(loaded: &crate::ingest::Loaded, copies: Copies) -> (World, Vec<(usize, usize, bool)>) {
    let (world, assume, more) = built(loaded, (Prune::Yes, copies));
    let edges = assume
        .iter()
        .chain(&more)
        .map(|e| (e.from(), e.to(), e.decision == Decision::Allowed))
        .collect();
    (world, edges)
}

/// The nodes node `from` reaches, by ID, each with whether it reaches it surely (by
/// allowed edges only).
fn reach(
    world: &World,
    edges: &[(usize, usize, bool)],
    from: usize,
) -> std::collections::BTreeMap<String, bool> {
    let n = world.principals.len();
    let mut out: Vec<Vec<(usize, bool)>> = vec![Vec::new(); n];
    for &(a, b, allowed) in edges {
        if let Some(list) = out.get_mut(a) {
            list.push((b, allowed));
        }
    }
    let search = |surely: bool| -> Vec<bool> {
        let mut seen = vec![false; n];
        let mut stack = vec![from];
        while let Some(x) = stack.pop() {
            for &(y, allowed) in out.get(x).into_iter().flatten() {
                if (allowed || !surely) && seen.get(y) == Some(&false) {
                    if let Some(s) = seen.get_mut(y) {
                        *s = true;
                    }
                    stack.push(y);
                }
            }
        }
        seen
    };
    let (any, sure) = (search(false), search(true));
    world
        .principals
        .iter()
        .enumerate()
        .filter(|(i, _)| any.get(*i) == Some(&true))
        .map(|(i, p)| (p.id.to_string(), sure.get(i) == Some(&true)))
        .collect()
}

/// The ID of the node a changed copy was made from, and the last change: `B (x, y)` is
/// `B (x)` changed by `y`, `B (x)` is `B` changed by `x`.
fn copy_of(id: &str) -> Option<(String, String)> {
    let (base, changes) = id.split_once(" (")?;
    let changes = changes.strip_suffix(')')?;
    Some(match changes.rsplit_once(", ") {
        Some((before, last)) => (format!("{base} ({before})"), last.to_string()),
        None => (base.to_string(), changes.to_string()),
    })
}

/// A principal whose identity policies already allow everything gains nothing by a
/// policy of its own or by joining a group, and those copies of it are not made. On
/// every fixture, answer, scenario and corpus folder, the near misses, a folder of
/// such principals and a generated organization: only such copies are left out, and
/// every loaded principal reaches what it reaches when they are made, as surely (or the
/// principal a left-out copy was made from), and nothing more.
#[test]
fn copies_that_only_add_hide_nothing() {
    let org = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary folder: {e}"));
    org_gen::write_org(org.path(), &org_gen::OrgOptions::new(2, 400))
        .unwrap_or_else(|e| panic!("writing the organization: {e}"));
    let here =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/graph/escalation/testdata");
    let mut folders = crate::graph::test_folders();
    folders.extend([here.join("allow-all-copies"), here.join("near-misses")]);
    folders.push(org.path().to_path_buf());
    let (mut left_out, mut compared) = (0, 0);
    for folder in &folders {
        let loaded = load(std::slice::from_ref(folder), &LoadOptions::default());
        let (all, all_edges) = edges_of(&loaded, Copies::All);
        let (world, edges) = edges_of(&loaded, Copies::Useful);
        let kept: std::collections::HashSet<&str> =
            world.principals.iter().map(|p| &*p.id).collect();
        for (i, p) in all.principals.iter().enumerate() {
            if kept.contains(&*p.id) {
                continue;
            }
            assert!(
                p.kind == NodeKind::Escalated
                    && (p.id.contains("with a policy of its own") || p.id.contains("in group `"))
                    && changed::allows_everything(&all, i),
                "{}: {} left out",
                folder.display(),
                p.id
            );
            left_out += 1;
        }
        // Reached in the whole graph, as surely: the node itself, or (for a copy that
        // only adds to one that allows everything) the node it is a copy of.
        let loaded_nodes = world.principals.iter().enumerate();
        for (i, p) in loaded_nodes.filter(|(_, p)| p.kind.is_loaded()) {
            let (want, got) = (reach(&all, &all_edges, i), reach(&world, &edges, i));
            for (id, surely) in &want {
                let mut at = id.clone();
                loop {
                    if got.get(&at).is_some_and(|s| *s || !*surely) {
                        break;
                    }
                    let by_id = |id: &str| all.principals.iter().position(|p| &*p.id == id);
                    let up = copy_of(&at).filter(|(_, change)| {
                        change.starts_with("with a policy of its own")
                            || change.starts_with("in group `")
                    });
                    let parent = up.map(|(parent, _)| parent);
                    assert!(
                        parent
                            .as_deref()
                            .and_then(by_id)
                            .is_some_and(|j| changed::allows_everything(&all, j)),
                        "{}: {} no longer reaches {id} (surely: {surely})",
                        folder.display(),
                        p.id
                    );
                    at = parent.unwrap_or_default();
                }
            }
            for (id, surely) in &got {
                assert!(
                    want.get(id).is_some_and(|s| *s || !*surely),
                    "{}: {} reaches {id} only now",
                    folder.display(),
                    p.id
                );
            }
            compared += 1;
        }
    }
    assert!(
        left_out >= 10 && compared > 2000,
        "too little to compare: {left_out} left out, {compared} principals"
    );
}
