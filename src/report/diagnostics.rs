//! Diagnostics for people (miette snippets at the span) and for machines (JSON
//! records with file, line and column).

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::ingest::{Diagnostic, Severity};
use crate::model::Span;
use crate::source::{SourceFile, SourceMap};

/// Diagnostics in a stable order: by file, then position.
pub fn sorted(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut v: Vec<&Diagnostic> = diags.iter().collect();
    v.sort_by_key(|d| (d.span.file, d.span.start));
    v
}

/// `file:line:column: severity[code]: message` — one line, for logs and summaries.
pub fn one_line(d: &Diagnostic, sources: &SourceMap) -> String {
    let file = sources.get(d.span.file);
    let (line, column) = file.map_or((1, 1), |f| f.line_col(d.span.start));
    let name = file.map_or("", |f| f.name.as_str());
    format!(
        "{name}:{line}:{column}: {}[{}]: {d}",
        d.severity().as_str(),
        d.code()
    )
}

/// A miette rendering with the snippet of the file at the span.
pub fn render(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let severity = match d.severity() {
        Severity::Warning => miette::Severity::Warning,
        Severity::Error => miette::Severity::Error,
    };
    let related: Vec<(Span, String)> = d
        .related
        .iter()
        .map(|r| (*r, "first here".to_string()))
        .collect();
    let shown = Shown {
        code: d.code(),
        message: d.to_string(),
        severity,
        span: d.span,
        related: &related,
    };
    snippet(&shown, sources, color).unwrap_or_else(|| one_line(d, sources))
}

/// What to show with a snippet: a code, a message, a severity, the primary span and
/// secondary spans with notes (load diagnostics and lint findings alike).
pub struct Shown<'a> {
    pub code: &'a str,
    pub message: String,
    pub severity: miette::Severity,
    pub span: Span,
    pub related: &'a [(Span, String)],
}

/// Renders `shown` with miette, or `None` when its file is not loaded.
pub fn snippet(shown: &Shown, sources: &SourceMap, color: bool) -> Option<String> {
    let file = sources.get(shown.span.file)?;
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let located = Located { shown, file };
    let mut out = String::new();
    handler.render_report(&mut out, &located).ok().map(|()| out)
}

/// A report paired with its file, so that miette can show the snippet.
struct Located<'a> {
    shown: &'a Shown<'a>,
    file: &'a SourceFile,
}

impl std::fmt::Debug for Located<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown.message)
    }
}

impl std::fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown.message)
    }
}

impl std::error::Error for Located<'_> {}

impl miette::Diagnostic for Located<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        Some(Box::new(self.shown.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.shown.severity)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let text_len = self.file.text.len();
        let span = |start: u32, end: u32| {
            let start = (start as usize).min(text_len);
            let end = (end as usize).clamp(start, text_len);
            SourceSpan::from(start..end)
        };
        let s = self.shown.span;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            None,
            span(s.start, s.end),
        )];
        for (r, note) in self.shown.related.iter().filter(|(r, _)| r.file == s.file) {
            labels.push(LabeledSpan::new_with_span(
                Some(note.clone()),
                span(r.start, r.end),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

impl SourceCode for Located<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self
            .file
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.file.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}
