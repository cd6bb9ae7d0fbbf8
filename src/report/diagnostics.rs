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

/// Renders `shown` with miette, or `None` when its file is not loaded or cannot be
/// quoted ([`SourceFile::quote`]).
pub fn snippet(shown: &Shown, sources: &SourceMap, color: bool) -> Option<String> {
    let file = sources.get(shown.span.file)?;
    snippet_in(shown, file, &file.quote()?, color)
}

/// [`snippet`] in the file's `text` (its text to quote).
pub fn snippet_in(shown: &Shown, file: &SourceFile, text: &str, color: bool) -> Option<String> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let excerpt = Excerpt::of(file, text, shown.span);
    let located = Located {
        shown,
        file,
        text,
        excerpt,
    };
    let mut out = String::new();
    handler.render_report(&mut out, &located).ok().map(|()| out)
}

/// A report paired with its file, so that miette can show the snippet.
struct Located<'a> {
    shown: &'a Shown<'a>,
    file: &'a SourceFile,
    /// Its text.
    text: &'a str,
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
    fn of(file: &SourceFile, text: &str, span: Span) -> Option<Excerpt> {
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
        let text_len = self.text.len();
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
        // miette finds a span's line by reading the text from its start: on the lines
        // around the span only, not the file (at 1 GB, 197,000 findings in files of a
        // megabyte took minutes that way). A lone CR is a line break to miette and not
        // to the line index, which counts the lines above the window: such a file is
        // read whole.
        let text = self.text;
        let start = span.offset().min(text.len());
        let end = (start + span.len()).min(text.len());
        if self.file.has_lone_cr() {
            return self.read_in(
                text,
                0,
                start..end,
                context_lines_before,
                context_lines_after,
            );
        }
        // A line more on each side than miette shows: it looks one past what it reads.
        let from = lines_back(text.as_bytes(), start, context_lines_before + 1);
        let to = lines_on(text.as_bytes(), end, context_lines_after + 1);
        let window = text.get(from..to).ok_or(MietteError::OutOfBounds)?;
        self.read_in(
            window,
            from,
            start..end,
            context_lines_before,
            context_lines_after,
        )
    }
}

impl Located<'_> {
    /// miette's reading of the file's `span` in `window`, the part of the file's text
    /// that starts at `from` (at the start of a line), in the file's offsets, lines
    /// and line count.
    fn read_in<'b>(
        &'b self,
        window: &'b str,
        from: usize,
        span: std::ops::Range<usize>,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = window.read_span(
            &SourceSpan::from(span.start - from..span.end - from),
            context_lines_before,
            context_lines_after,
        )?;
        // The lines above the window, which miette counts in the line and line count.
        let above = match from {
            0 => 0,
            _ => self
                .file
                .line_col(u32::try_from(from).unwrap_or(u32::MAX))
                .0
                .saturating_sub(1),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.file.name.clone(),
            inner.data(),
            SourceSpan::new((from + inner.span().offset()).into(), inner.span().len()),
            above + inner.line(),
            inner.column(),
            above + inner.line_count(),
        )))
    }
}

/// Where the line `n` lines before the one holding `at` starts (or the text's start).
fn lines_back(text: &[u8], at: usize, n: usize) -> usize {
    let line_start = |end: usize| {
        text.get(..end)
            .and_then(|b| b.iter().rposition(|&c| c == b'\n'))
            .map_or(0, |i| i + 1)
    };
    let mut from = line_start(at);
    for _ in 0..n {
        if from == 0 {
            break;
        }
        from = line_start(from - 1);
    }
    from
}

/// Where the line `n` lines after the one holding `at` ends, after its newline (or
/// the text's end).
fn lines_on(text: &[u8], at: usize, n: usize) -> usize {
    let line_end = |start: usize| {
        text.get(start..)
            .and_then(|b| b.iter().position(|&c| c == b'\n'))
            .map_or(text.len(), |i| start + i)
    };
    let mut to = line_end(at);
    for _ in 0..n {
        if to >= text.len() {
            break;
        }
        to = line_end(to + 1);
    }
    (to + 1).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The span contents miette gets for a span read from the lines around it are what
    /// it got from the whole file: the same text, span, line, column and line count,
    /// for every span of texts with empty lines, CRLF, lone CRs, no final newline and
    /// multi-byte characters, with zero to two lines of context.
    #[test]
    fn a_span_read_around_it_is_what_the_whole_file_gives() {
        let texts = [
            "{\n  \"a\": 1,\n\n  \"b\": [\n    \"x\"\n  ]\n}\n",
            "{\r\n  \"a\": 1,\r\n\r\n  \"b\": \"é—ü\"\r\n}",
            "\n\n\nx\n\n",
            "a\rb\r\nc\n\rd\n\ne\rf",
            "one line without a newline",
            "",
        ];
        let mut compared = 0;
        for text in texts {
            let mut sources = SourceMap::default();
            let id = sources.add(SourceFile::new(
                std::path::Path::new("f.json"),
                text.to_string(),
            ));
            let file = sources.get(id).expect("just added");
            let shown = Shown {
                code: "c",
                message: "m".into(),
                severity: miette::Severity::Error,
                span: Span::at(id, 0),
                related: &[],
            };
            let located = Located {
                shown: &shown,
                file,
                text,
                excerpt: None,
            };
            let bounds = (0..=text.len()).filter(|i| text.is_char_boundary(*i));
            for start in bounds.clone() {
                for end in bounds.clone().filter(|e| *e >= start) {
                    for context in 0..3 {
                        let span = SourceSpan::from(start..end);
                        let around = located.read_span(&span, context, context).ok();
                        let whole = text.read_span(&span, context, context).ok();
                        let facts = |c: Option<Box<dyn SpanContents<'_> + '_>>| {
                            c.map(|c| {
                                (
                                    c.data().to_vec(),
                                    *c.span(),
                                    c.line(),
                                    c.column(),
                                    c.line_count(),
                                )
                            })
                        };
                        assert_eq!(
                            facts(around),
                            facts(whole),
                            "{text:?} {start}..{end} with {context} lines of context"
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }
}
