//! Bytes as a whole `get-account-authorization-details` export file
//! (`<tmp>/111111111111/iam.json`) through `ingest::load`, the same path as
//! `iampath load`, including resolution of managed policies and group membership,
//! then the JSON and text reports (snippets at every span).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use iampath::ingest::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;

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
    for d in &loaded.diagnostics {
        let src = loaded
            .sources
            .get(d.span.file)
            .expect("a diagnostic names a loaded file");
        let _ = src.line_col(d.span.start);
        assert!(d.span.start <= d.span.end, "inverted span {d:?}");
        // A span may end one past the text (a syntax error at the end of the file),
        // never start past it.
        assert!(
            d.span.start as usize <= src.text.len(),
            "span past the end of the file: {d:?} (len {})",
            src.text.len()
        );
    }
    // Both outputs of `iampath load`, with the snippet of every diagnostic.
    let _ = iampath::report::load::json(&mut std::io::sink(), &loaded);
    let _ = iampath::report::load::text(&loaded, false);
});
