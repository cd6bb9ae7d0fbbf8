//! Bytes → the spanned JSON parser → the lowering of a policy document, for every
//! kind of policy (so the kind-specific grammar checks all run), then the compiler
//! that the evaluator uses, and the line/column lookup of every diagnostic.
#![no_main]

use iampath::eval::compile;
use iampath::ingest::policy_doc;
use iampath::ingest::{Cx, LoadOptions};
use iampath::model::{FileId, PolicyKind};
use iampath::source::SourceFile;
use iampath::source::decode::Layers;
use iampath::source::json;
use libfuzzer_sys::fuzz_target;

const KINDS: [PolicyKind; 7] = [
    PolicyKind::Identity,
    PolicyKind::Trust,
    PolicyKind::Resource,
    PolicyKind::ServiceControl,
    PolicyKind::ResourceControl,
    PolicyKind::Boundary,
    PolicyKind::Session,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = LoadOptions::default();
    // The parser alone, with the default limit and a tiny one.
    let _ = json::parse(text, opts.max_depth);
    let _ = json::parse(text, 2);
    let layers = Layers::file();
    let source = SourceFile::new(std::path::Path::new("fuzz.json"), text.to_string());
    for kind in KINDS {
        let mut diags = Vec::new();
        let mut cx = Cx {
            file: FileId(0),
            text,
            layers: &layers,
            opts: &opts,
            diags: &mut diags,
        };
        if let Some(policy) = policy_doc::parse_document(&mut cx, kind, None) {
            let _ = compile(&policy, "fuzz");
        }
        for d in &diags {
            let _ = source.line_col(d.span.start);
            let _ = source.line_col(d.span.end);
            assert!(d.span.start <= d.span.end, "inverted span {d:?}");
            // A span may end one past the text (a syntax error at the end of the file),
            // never start past it.
            assert!(
                d.span.start as usize <= text.len(),
                "span past the end of the text: {d:?} (len {})",
                text.len()
            );
            let _ = d.to_string();
        }
    }
});
