//! Writes a generated `aws iam get-account-authorization-details` export, to try
//! iampath on large inputs by hand:
//!
//! ```text
//! cargo run --release --example gen_export -- OUT_DIR SIZE_MB [--url-encoded] [--account ID] [--seed N]
//! iampath load --data OUT_DIR
//! ```
//!
//! The export goes to `OUT_DIR/<account>/iam.json` (account `111122223333` unless
//! `--account` says otherwise). It is the generator of `benches/load.rs`: the same
//! arguments always give the same file. With `--url-encoded`, every third policy
//! document is a URL-encoded string, as the raw IAM API returns them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/support/gen.rs"]
mod generator;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: gen_export OUT_DIR SIZE_MB [--url-encoded] [--account 123456789012] [--seed N]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gen_export: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut positional = Vec::new();
    let mut url_encoded = false;
    let mut account = None;
    let mut seed = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url-encoded" => url_encoded = true,
            "--account" => account = Some(args.next().ok_or("--account needs a value")?),
            "--seed" => {
                let v = args.next().ok_or("--seed needs a value")?;
                seed = Some(v.parse::<u64>().map_err(|_| format!("bad seed {v:?}"))?);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => positional.push(arg),
        }
    }
    let [out, size] = positional.as_slice() else {
        return Err("expected OUT_DIR and SIZE_MB".into());
    };
    let mb: f64 = size
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
        .ok_or_else(|| format!("SIZE_MB must be a positive number, not {size:?}"))?;
    let mut opts = generator::Options::new((mb * 1_000_000.0) as usize);
    opts.url_encoded = url_encoded;
    if let Some(a) = account {
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("the account ID must be 12 digits, not {a:?}"));
        }
        opts.account = a;
    }
    if let Some(s) = seed {
        opts.seed = s;
    }
    let started = std::time::Instant::now();
    let written = generator::write_export(&PathBuf::from(out), &opts)
        .map_err(|e| format!("cannot write under {out}: {e}"))?;
    let st = &written.stats;
    println!(
        "{}: {:.1} MB in {:.2?}: {} users, {} groups, {} roles, {} policies ({} versions), \
         {} documents ({} URL-encoded)",
        written.file.display(),
        st.bytes as f64 / 1e6,
        started.elapsed(),
        st.users,
        st.groups,
        st.roles,
        st.policies,
        st.policy_versions,
        st.documents,
        st.url_encoded_documents
    );
    Ok(())
}
