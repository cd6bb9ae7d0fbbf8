//! Writes a generated multi-account organization, to try iampath's graph on large
//! inputs by hand:
//!
//! ```text
//! cargo run --release --example gen_org -- OUT_DIR ACCOUNTS PRINCIPALS [--seed N] [--fixed-broad]
//! iampath who-can s3:GetObject arn:aws:s3:::org-shared-reports/2024/q1/summary.csv --data OUT_DIR
//! ```
//!
//! Each account goes to `OUT_DIR/<12-digit id>/iam.json` (with bucket policies in
//! `OUT_DIR/<id>/s3/`), `PRINCIPALS` users and roles in each. It is the generator of
//! `benches/graph.rs`: the same arguments always give the same files. With
//! `--fixed-broad` the broad `sts:AssumeRole` grants (on `*`, `team-*`, any account's
//! `CrossAccountReadOnly`) are held by the same few principals in every account instead
//! of a share of them, so that the edges grow with the principals, not their square.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/support/org_gen.rs"]
mod org_gen;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: gen_org OUT_DIR ACCOUNTS PRINCIPALS [--seed N] [--fixed-broad]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gen_org: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut positional = Vec::new();
    let mut seed = None;
    let mut broad = org_gen::Broad::Share;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                let v = args.next().ok_or("--seed needs a value")?;
                seed = Some(v.parse::<u64>().map_err(|_| format!("bad seed {v:?}"))?);
            }
            "--fixed-broad" => broad = org_gen::Broad::Fixed,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => positional.push(arg),
        }
    }
    let [out, accounts, principals] = positional.as_slice() else {
        return Err("expected OUT_DIR, ACCOUNTS and PRINCIPALS".into());
    };
    let accounts: usize = accounts
        .parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| format!("ACCOUNTS must be a number from 1 to 10000, not {accounts:?}"))?;
    let principals: usize = principals
        .parse()
        .ok()
        .filter(|n| *n >= 10)
        .ok_or_else(|| format!("PRINCIPALS must be a number of at least 10, not {principals:?}"))?;
    let mut opts = org_gen::OrgOptions::new(accounts, principals);
    if let Some(s) = seed {
        opts.seed = s;
    }
    opts.broad = broad;
    let root = PathBuf::from(out);
    let started = std::time::Instant::now();
    let written = org_gen::write_org(&root, &opts)
        .map_err(|e| format!("cannot write under {}: {e}", root.display()))?;
    let st = &written.stats;
    println!(
        "wrote {} accounts to {} in {:.2?}: {:.1} MB, {} users, {} roles, {} groups, \
         {} managed policies, {} bucket policies",
        st.accounts,
        root.display(),
        started.elapsed(),
        st.bytes as f64 / 1e6,
        st.users,
        st.roles,
        st.groups,
        st.managed_policies,
        st.bucket_policies,
    );
    println!(
        "trust: {} own root, {} another account's root, {} specific principals, \
         {} outside account, {} services",
        st.trust_own_root,
        st.trust_other_account_root,
        st.trust_specific,
        st.trust_outside_account,
        st.trust_service,
    );
    println!(
        "sts:AssumeRole grants: {} on specific roles, {} on team-* wildcards, \
         {} on any account's role, {} on *",
        st.grant_specific_roles, st.grant_team_wildcard, st.grant_any_account_role, st.grant_star,
    );
    println!(
        "try: iampath who-can {} {} --data {}",
        org_gen::WHO_CAN_ACTION,
        org_gen::who_can_resource(),
        root.display()
    );
    Ok(())
}
