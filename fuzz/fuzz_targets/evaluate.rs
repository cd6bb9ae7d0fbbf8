//! Bytes as a `simulate` request file (request + identity, boundary, session,
//! resource, SCP and RCP policies) → `request_file::read` → `simulation::run`.
//! The evaluator runs even when the file had diagnostics (the CLI would stop there):
//! whatever the reader returns must be safe to evaluate.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use iampath::eval::simulation;
use iampath::ingest::{LoadOptions, request_file};
use iampath::source::SourceMap;
use libfuzzer_sys::fuzz_target;

fn file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("iampath-fuzz-evaluate-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d.join("request.json")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = file();
    std::fs::write(path, data).unwrap();
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let sim = request_file::read(path, &LoadOptions::default(), &mut sources, &mut diags);
    if let Ok(evaluation) = simulation::run(&sim) {
        let _ = format!("{evaluation:?}");
    }
});
