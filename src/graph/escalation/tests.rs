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
            let mut world = World::new(&loaded.model, &[]);
            let assume = crate::graph::edges::build(&mut world, &[]);
            let edges = build_with(&mut world, &loaded.model, &assume, &[], prune, None);
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
