//! The access graph on a generated organization (`benches/support/org_gen.rs`):
//! roles trusting their account root, specific roles and users, other accounts and
//! services; `sts:AssumeRole` grants on specific roles, `team-*` wildcards, any
//! account's role and `*`.
//!
//! ```text
//! cargo bench --bench graph                      # the sizes below
//! IAMPATH_BENCH_SMALL=1 cargo bench --bench graph  # tiny sizes, in seconds
//! cargo test --benches                           # test mode: tiny sizes, each bench once
//! ```
//!
//! * `edges_one_account`: `Graph::build` (principals, compiled policies, every
//!   assume-role edge) of 1 account × 800 principals. Target: under 50 ms.
//! * `edges_org`: `Graph::build` of 10 accounts × 2,000 principals.
//! * `who_can_org`: `who_can(s3:GetObject, <object of the shared bucket>)` over the
//!   10 × 2,000 graph, built once outside the timing (the first query, which adds the
//!   nodes the bucket policy names, is also made outside it). Target: under 10 ms.
//! * `what_can_org`: `what-can` from the organization's administrator over the same
//!   graph: the principals it reaches and what the evaluator allows each.
//! * `edges_scaling`: `Graph::build` from 1 × 250 to 8 × 1,000, to show how the time
//!   grows with the size of an account and with the number of accounts.
//!
//! Divan's item counter is the number of generated principals (users and roles), so
//! its throughput column gives the time per principal. Before the table, one build
//! per size prints the numbers of nodes and edges, and the who-can answer its size.
//!
//! Needs `[[bench]] name = "graph" harness = false` in Cargo.toml.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/org_gen.rs"]
mod org_gen;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use divan::Bencher;
use divan::counter::ItemsCount;
use iampath::graph::Graph;
use iampath::graph::query::resolve;
use iampath::graph::what_can::{reaches, what_can};
use iampath::graph::who_can::who_can;
use iampath::ingest::{LoadOptions, Loaded, Severity, load};

/// The binary's allocator (`src/main.rs`), so the figures are what `iampath` runs.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    // Generate, load and check every organization before divan prints its table, so
    // that these reports do not break it up.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--list") {
        for size in [one_account_size(), org_size()]
            .into_iter()
            .chain(scaling_sizes())
        {
            let org = org(size);
            report_build(size, org);
        }
        let _ = who_can_graph();
    }
    divan::main();
}

/// Accounts × principals per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Size {
    accounts: usize,
    principals: usize,
}

impl Size {
    const fn new(accounts: usize, principals: usize) -> Size {
        Size {
            accounts,
            principals,
        }
    }

    fn total(self) -> usize {
        self.accounts * self.principals
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.accounts, self.principals)
    }
}

/// True when divan will run each benchmark once as a test: `--test`, or no `--bench`
/// (`cargo test --benches` runs bench targets without it).
fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

/// Tiny sizes: in test mode, or when `IAMPATH_BENCH_SMALL` is set.
fn small() -> bool {
    test_mode() || std::env::var_os("IAMPATH_BENCH_SMALL").is_some()
}

fn one_account_size() -> Size {
    if small() {
        Size::new(1, 40)
    } else {
        Size::new(1, 800)
    }
}

fn org_size() -> Size {
    if small() {
        Size::new(3, 60)
    } else {
        Size::new(10, 2000)
    }
}

fn scaling_sizes() -> Vec<Size> {
    if small() {
        vec![Size::new(1, 25), Size::new(1, 50), Size::new(2, 50)]
    } else {
        vec![
            Size::new(1, 250),
            Size::new(1, 500),
            Size::new(1, 1000),
            Size::new(2, 1000),
            Size::new(4, 1000),
            Size::new(8, 1000),
        ]
    }
}

/// A generated organization, loaded (the files are deleted once loaded).
struct Org {
    loaded: Loaded,
}

/// The organization of a size, generated and loaded on first use.
fn org(size: Size) -> &'static Org {
    static ORGS: OnceLock<Mutex<HashMap<Size, &'static Org>>> = OnceLock::new();
    let mut orgs = ORGS
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap();
    if let Some(org) = orgs.get(&size).copied() {
        return org;
    }
    let org: &'static Org = Box::leak(Box::new(prepare(size)));
    orgs.insert(size, org);
    org
}

fn prepare(size: Size) -> Org {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let opts = org_gen::OrgOptions::new(size.accounts, size.principals);
    let started = Instant::now();
    let written = org_gen::write_org(dir.path(), &opts).expect("writing the organization");
    let generated = started.elapsed();
    let started = Instant::now();
    let loaded = load(std::slice::from_ref(&written.root), &LoadOptions::default());
    let load_time = started.elapsed();
    let st = &written.stats;
    eprintln!(
        "[{size}] generated {:.1} MB in {generated:.2?}, loaded in {load_time:.2?}: \
         {} users, {} roles, {} groups, {} managed policies, {} bucket policies; \
         trust: {} own root, {} other account root, {} specific, {} outside, {} service; \
         assume grants: {} specific, {} team-*, {} any account, {} *",
        st.bytes as f64 / 1e6,
        st.users,
        st.roles,
        st.groups,
        st.managed_policies,
        st.bucket_policies,
        st.trust_own_root,
        st.trust_other_account_root,
        st.trust_specific,
        st.trust_outside_account,
        st.trust_service,
        st.grant_specific_roles,
        st.grant_team_wildcard,
        st.grant_any_account_role,
        st.grant_star,
    );
    check(size, &loaded);
    Org { loaded }
}

/// The organization must load without errors or warnings, and hold what was generated.
fn check(size: Size, loaded: &Loaded) {
    if !loaded.diagnostics.is_empty() {
        let first: Vec<String> = loaded
            .diagnostics
            .iter()
            .take(10)
            .map(|d| {
                let (line, col) = loaded
                    .sources
                    .get(d.span.file)
                    .map_or((0, 0), |f| f.line_col(d.span.start));
                let severity = if d.severity() == Severity::Error {
                    "error"
                } else {
                    "warning"
                };
                format!("  {line}:{col}: {severity} {}: {}", d.code(), d.problem)
            })
            .collect();
        panic!(
            "[{size}] the generated organization loads with {} diagnostics; the first:\n{}",
            loaded.diagnostics.len(),
            first.join("\n")
        );
    }
    assert_eq!(
        loaded.model.accounts.len(),
        size.accounts,
        "[{size}] accounts"
    );
    let principals: usize = loaded
        .model
        .accounts
        .values()
        .map(|a| a.users.len() + a.roles.len())
        .sum();
    assert_eq!(principals, size.total(), "[{size}] users and roles");
}

/// One build outside the measurements: its time and what it made.
fn report_build(size: Size, org: &Org) {
    let started = Instant::now();
    let graph = Graph::build(&org.loaded.model, &[]);
    let took = started.elapsed();
    let conditional = graph
        .edges
        .iter()
        .filter(|e| e.decision != iampath::eval::Decision::Allowed)
        .count();
    let cross = graph
        .edges
        .iter()
        .filter(|e| {
            let acct = |i: usize| {
                graph
                    .world
                    .principals
                    .get(i)
                    .and_then(|p| p.account.clone())
            };
            acct(e.from()) != acct(e.to())
        })
        .count();
    eprintln!(
        "[{size}] Graph::build in {took:.2?}: {} nodes, {} edges ({conditional} conditional, \
         {cross} from another account or from outside)",
        graph.world.principals.len(),
        graph.edges.len(),
    );
    assert!(!graph.edges.is_empty(), "[{size}] the graph has no edges");
}

/// The graph of `org_size()` for the who-can benchmark, built once; the first query
/// (made here) adds the nodes its bucket policy names, so the timed ones do not.
fn who_can_graph() -> &'static Mutex<Graph> {
    static GRAPH: OnceLock<Mutex<Graph>> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let size = org_size();
        let model = &org(size).loaded.model;
        let mut graph = Graph::build(model, &[]);
        let resource = org_gen::who_can_resource();
        let started = Instant::now();
        let answer = who_can(&mut graph, model, org_gen::WHO_CAN_ACTION, &resource)
            .expect("a valid who-can query");
        let took = started.elapsed();
        let mut by_hops: Vec<usize> = Vec::new();
        for p in &answer.principals {
            let hops = p.hops.len();
            if by_hops.len() < hops {
                by_hops.resize(hops, 0);
            }
            by_hops[hops - 1] += 1;
        }
        eprintln!(
            "[{size}] who-can {} {resource}: {} principals (by hops, 1 = directly: {by_hops:?}), \
             first query in {took:.2?}",
            org_gen::WHO_CAN_ACTION,
            answer.principals.len(),
        );
        assert!(
            !answer.principals.is_empty(),
            "[{size}] nobody can read the shared bucket"
        );
        Mutex::new(graph)
    })
}

fn bench_build(bencher: Bencher, size: Size) {
    let model = &org(size).loaded.model;
    bencher
        .counter(ItemsCount::new(size.total()))
        .bench(|| Graph::build(model, &[]));
}

/// 1 account × 800 principals. Target: under 50 ms.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn edges_one_account(bencher: Bencher) {
    bench_build(bencher, one_account_size());
}

/// 1 account × 800 principals, the assume-role edges alone (the graph before
/// escalation edges): the baseline of the "within 2×" target of `edges_one_account`,
/// measured in the same run so that both see the same machine.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn assume_edges_one_account(bencher: Bencher) {
    let size = one_account_size();
    let model = &org(size).loaded.model;
    bencher.counter(ItemsCount::new(size.total())).bench(|| {
        let mut world = iampath::graph::World::new(model, &[]);
        iampath::graph::edges::build(&mut world, &[]).len()
    });
}

/// 10 accounts × 2,000 principals.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn edges_org(bencher: Bencher) {
    bench_build(bencher, org_size());
}

/// who-can `s3:GetObject` on an object of the shared bucket, over 10 × 2,000.
/// Target: under 10 ms.
#[divan::bench(sample_count = 30, sample_size = 1)]
fn who_can_org(bencher: Bencher) {
    let model = &org(org_size()).loaded.model;
    let resource = org_gen::who_can_resource();
    let mut graph = who_can_graph().lock().unwrap();
    bencher
        .counter(ItemsCount::new(org_size().total()))
        .bench_local(|| who_can(&mut graph, model, org_gen::WHO_CAN_ACTION, &resource));
}

/// `what-can` from the organization's administrator (the first user of the
/// management account, in its `admins` group) over 10 × 2,000: every principal it
/// reaches (every account's `OrganizationAccountAccessRole`, and from there everyone)
/// and what each may do, by the evaluator. The graph is the who-can benchmark's.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn what_can_org(bencher: Bencher) {
    let model = &org(org_size()).loaded.model;
    let admin = model
        .accounts
        .values()
        .next()
        .and_then(|a| a.users.first())
        .map(|u| u.arn.value.clone())
        .expect("a user in the management account");
    let mut graph = who_can_graph().lock().unwrap();
    let start = resolve(&mut graph, &admin).expect("the administrator is loaded");
    let graph = &*graph;
    let reached = what_can(graph, start, 8);
    let actions = |reached: &[_]| -> usize {
        reaches(graph, reached)
            .flat_map(|r| r.services.into_values())
            .map(|s| s.actions.len())
            .sum()
    };
    eprintln!(
        "[{}] what-can {admin}: {} principals reached, {} actions allowed",
        org_size(),
        reached.len(),
        actions(&reached),
    );
    bencher
        .counter(ItemsCount::new(org_size().total()))
        .bench_local(|| actions(&what_can(graph, start, 8)));
}

/// How `Graph::build` grows: with the size of one account, then with the number of
/// accounts.
#[divan::bench(args = scaling_sizes(), sample_count = 5, sample_size = 1)]
fn edges_scaling(bencher: Bencher, size: Size) {
    bench_build(bencher, size);
}
