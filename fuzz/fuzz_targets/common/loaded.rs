//! What every loading fuzz target checks of a load: each diagnostic's span lies in a
//! loaded file, and both outputs of `iampath load` (snippets included) render.

use iampath::ingest::Loaded;

pub fn check(loaded: &Loaded) {
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
    let _ = iampath::report::load::json(&mut std::io::sink(), loaded);
    let _ = iampath::report::load::text(loaded, false);
}
