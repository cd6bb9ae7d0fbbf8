//! End-to-end load throughput: a generated `get-account-authorization-details`
//! export, read, parsed, lowered and resolved by `iampath::ingest::load`.
//!
//! ```text
//! cargo bench --bench load                       # ~110 MB plain, ~50 MB URL-encoded mix
//! IAMPATH_BENCH_MB=20 cargo bench --bench load   # both exports ~20 MB
//! cargo test --benches                           # test mode: each bench once on ~2 MB
//! ```
//!
//! Divan prints the throughput (bytes of `iam.json` per second) of each benchmark.
//! The product target is at least 100 MB/s on one core.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/gen.rs"]
mod generator;

use std::path::PathBuf;
use std::sync::OnceLock;

use divan::Bencher;
use divan::counter::BytesCount;
use iampath::ingest::{LoadOptions, Loaded, Severity, load};

const MB: usize = 1_000_000;

/// The binary's allocator (`src/main.rs`), so the figures are what `iampath` runs.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    // Generate (and check) both exports before divan prints its table, so that the
    // generator's report does not break it up.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--list") {
        plain();
        url_encoded_mix();
    }
    divan::main();
}

/// A generated export on disk; the temporary folder lives as long as the process.
struct Input {
    _dir: tempfile::TempDir,
    root: PathBuf,
    bytes: usize,
}

/// True when divan will run each benchmark once as a test: `--test`, or no `--bench`
/// (`cargo test --benches` runs bench targets without it).
fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

/// The size of an export in MB: `IAMPATH_BENCH_MB` when set, else 2 in test mode and
/// `full` in a real run.
fn size_mb(full: usize) -> usize {
    match std::env::var("IAMPATH_BENCH_MB") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("IAMPATH_BENCH_MB must be a whole number, not {v:?}")),
        Err(_) if test_mode() => 2,
        Err(_) => full,
    }
}

fn prepare(label: &str, full_mb: usize, url_encoded: bool) -> Input {
    let mb = size_mb(full_mb);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut opts = generator::Options::new(mb * MB);
    opts.url_encoded = url_encoded;
    let started = std::time::Instant::now();
    let written = generator::write_export(dir.path(), &opts).expect("writing the export");
    let st = &written.stats;
    eprintln!(
        "[{label}] generated {:.1} MB in {:.2?}: {} users, {} groups, {} roles, {} policies \
         ({} versions), {} documents ({} URL-encoded)",
        st.bytes as f64 / MB as f64,
        started.elapsed(),
        st.users,
        st.groups,
        st.roles,
        st.policies,
        st.policy_versions,
        st.documents,
        st.url_encoded_documents,
    );
    let input = Input {
        root: written.root,
        bytes: st.bytes,
        _dir: dir,
    };
    check(label, &input);
    input
}

/// One load outside the measurements: the export must load without errors, and hold
/// what was generated.
fn check(label: &str, input: &Input) {
    let loaded = run(input);
    if loaded.has_errors() {
        let errors: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .take(10)
            .map(|d| {
                let (line, col) = loaded
                    .sources
                    .get(d.span.file)
                    .map_or((0, 0), |f| f.line_col(d.span.start));
                format!("  {line}:{col}: {}: {}", d.code(), d.problem)
            })
            .collect();
        panic!(
            "[{label}] the generated export loads with errors; the first ones:\n{}",
            errors.join("\n")
        );
    }
    let warnings = loaded.diagnostics.len();
    if warnings > 0 {
        let first: Vec<String> = loaded
            .diagnostics
            .iter()
            .take(5)
            .map(|d| format!("  {}: {}", d.code(), d.problem))
            .collect();
        eprintln!(
            "[{label}] {warnings} warnings, the first:\n{}",
            first.join("\n")
        );
    }
    let accounts = loaded.model.accounts.len();
    let account = loaded.model.accounts.values().next();
    assert_eq!(accounts, 1, "[{label}] one account expected");
    assert!(
        account.is_some_and(|a| !a.users.is_empty() && !a.roles.is_empty()),
        "[{label}] the account should have users and roles"
    );
}

fn run(input: &Input) -> Loaded {
    load(std::slice::from_ref(&input.root), &LoadOptions::default())
}

fn plain() -> &'static Input {
    static INPUT: OnceLock<Input> = OnceLock::new();
    INPUT.get_or_init(|| prepare("plain", 110, false))
}

fn url_encoded_mix() -> &'static Input {
    static INPUT: OnceLock<Input> = OnceLock::new();
    INPUT.get_or_init(|| prepare("url-encoded mix", 50, true))
}

fn bench_load(bencher: Bencher, input: &'static Input) {
    // The returned model is dropped after the timing, like a CLI that exits.
    bencher
        .counter(BytesCount::new(input.bytes))
        .bench(|| run(input));
}

/// A ~110 MB export with every policy document an object.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn load_plain(bencher: Bencher) {
    bench_load(bencher, plain());
}

/// A ~50 MB export with every third policy document a URL-encoded string.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn load_url_encoded_mix(bencher: Bencher) {
    bench_load(bencher, url_encoded_mix());
}
