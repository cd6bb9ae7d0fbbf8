//! Bytes as a Terraform plan (`terraform show -json PLANFILE`) written to
//! `<tmp>/plan.json` and applied with `--account 111111111111` to no other data:
//! `ingest::load_with`, the same path as `iampath --plan FILE --account …`
//! (reading the plan, its resource changes and configuration, the policies inside
//! it, the merge into the model, then the resolution that follows), then the JSON and
//! text reports (snippets at every span).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use iampath::ingest::iac::IacInput;
use iampath::ingest::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;

#[path = "common/loaded.rs"]
mod common;

fn file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("iampath-fuzz-plan-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d.join("plan.json")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = file();
    std::fs::write(path, data).unwrap();
    let iac = IacInput {
        plans: vec![path.clone()],
        account: Some("111111111111".into()),
        ..Default::default()
    };
    let loaded = ingest::load_with(&[], &iac, &LoadOptions::default());
    common::check(&loaded);
});
