//! Bytes as a whole `get-account-authorization-details` export file
//! (`<tmp>/111111111111/iam.json`) through `ingest::load`, the same path as
//! `iampath load`, including resolution of managed policies and group membership,
//! then the JSON and text reports (snippets at every span).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use iampath::ingest::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;

#[path = "common/loaded.rs"]
mod common;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("iampath-fuzz-export-{}", std::process::id()));
        std::fs::create_dir_all(d.join("111111111111")).unwrap();
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let root = dir();
    let file = root.join("111111111111/iam.json");
    std::fs::write(&file, data).unwrap();
    let loaded = ingest::load(&[root.clone()], &LoadOptions::default());
    common::check(&loaded);
});
