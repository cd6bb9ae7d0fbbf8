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
    let excerpt = Excerpt::of(file, shown.span);
    let located = Located {
        shown,
        file,
        excerpt,
    };
    let mut out = String::new();
    handler.render_report(&mut out, &located).ok().map(|()| out)
}

/// A report paired with its file, so that miette can show the snippet.
struct Located<'a> {
    shown: &'a Shown<'a>,
    file: &'a SourceFile,
    /// For a span on a very long line (a one-line plan or export), the part of the line
    /// around it: the snippet shows that, not the whole line.
    excerpt: Option<Excerpt>,
}

/// Lines longer than this are cut around the span.
const LONG_LINE: usize = 300;
/// How much of a long line is kept before and after the span (bytes).
const AROUND: usize = 120;
/// How much of a long span is shown.
const MAX_SPAN: usize = 400;

/// A window of one long line.
struct Excerpt {
    /// `… window …`.
    text: String,
    /// Where the window starts in the file.
    from: usize,
    /// Where it ends in the file.
    to: usize,
    /// Bytes of the leading marker.
    shift: usize,
    /// The line (0-based) and where it starts in the file.
    line: usize,
    line_start: usize,
}

impl Excerpt {
    fn of(file: &SourceFile, span: Span) -> Option<Excerpt> {
        let text = &file.text;
        let start = (span.start as usize).min(text.len());
        let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
        let line_end = text
            .get(start..)?
            .find('\n')
            .map_or(text.len(), |i| start + i);
        if line_end - line_start <= LONG_LINE {
            return None;
        }
        let end = (span.end as usize).clamp(start, line_end);
        let mut from = start.saturating_sub(AROUND).max(line_start);
        let mut to = (end.min(start + MAX_SPAN) + AROUND).min(line_end);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        while !text.is_char_boundary(to) {
            to += 1;
        }
        let lead = if from > line_start { "… " } else { "" };
        let tail = if to < line_end { " …" } else { "" };
        Some(Excerpt {
            text: format!("{lead}{}{tail}", text.get(from..to)?),
            from,
            to,
            shift: lead.len(),
            line: file.line_col(span.start).0.saturating_sub(1),
            line_start,
        })
    }

    /// A file offset in the excerpt's text, when the window shows it.
    fn at(&self, offset: usize) -> Option<usize> {
        (self.from..=self.to)
            .contains(&offset)
            .then(|| offset - self.from + self.shift)
    }
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
        let span = |start: u32, end: u32| -> Option<SourceSpan> {
            let start = (start as usize).min(text_len);
            let end = (end as usize).clamp(start, text_len);
            match &self.excerpt {
                None => Some(SourceSpan::from(start..end)),
                Some(x) => {
                    let a = x.at(start)?;
                    let b = x.at(end.min(x.to)).unwrap_or(a).max(a);
                    Some(SourceSpan::from(a..b))
                }
            }
        };
        let s = self.shown.span;
        let primary = span(s.start, s.end).unwrap_or_else(|| SourceSpan::from(0..0));
        let mut labels = vec![LabeledSpan::new_primary_with_span(None, primary)];
        for (r, note) in self.shown.related.iter().filter(|(r, _)| r.file == s.file) {
            if let Some(at) = span(r.start, r.end) {
                labels.push(LabeledSpan::new_with_span(Some(note.clone()), at));
            }
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
        if let Some(x) = &self.excerpt {
            let inner = x
                .text
                .read_span(span, context_lines_before, context_lines_after)?;
            // Line and column of the file, not of the window.
            let column = inner.column().saturating_sub(x.shift) + (x.from - x.line_start);
            return Ok(Box::new(MietteSpanContents::new_named(
                self.file.name.clone(),
                inner.data(),
                *inner.span(),
                x.line + inner.line(),
                column,
                inner.line_count(),
            )));
        }
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
