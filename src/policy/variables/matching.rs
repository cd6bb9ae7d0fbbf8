//! Matching a resolved pattern: tokens (literal text, `?`, `*`) read from a raw pattern
//! text, a compiled template or a substituted one, and the whole-text wildcard match
//! over them.

use super::Part;
use crate::policy::condition::string::char_eq_ignore_case;
use crate::policy::pattern::CaseMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok<'a> {
    Lit(&'a str),
    AnyOne,
    AnyRun,
    /// Never matches (a variable left in a part list; cannot happen once resolved).
    Never,
}

pub(super) fn push_wild_text<'a>(toks: &mut Vec<Tok<'a>>, text: &'a str) {
    let mut rest = text;
    while !rest.is_empty() {
        let (tok, len) = raw_tok(rest, true);
        toks.push(tok);
        rest = rest.get(len..).unwrap_or_default();
    }
}

/// The token at the start of a non-empty raw pattern text and its byte length.
fn raw_tok(rest: &str, wildcards: bool) -> (Tok<'_>, usize) {
    match rest.as_bytes().first() {
        Some(b'*') if wildcards => (Tok::AnyRun, 1),
        Some(b'?') if wildcards => (Tok::AnyOne, 1),
        _ => {
            let end = if wildcards {
                rest.find(['*', '?']).unwrap_or(rest.len())
            } else {
                rest.len()
            };
            (Tok::Lit(rest.get(..end).unwrap_or(rest)), end)
        }
    }
}

pub(super) fn part_tok(p: &Part) -> Tok<'_> {
    match p {
        Part::Lit(l) => Tok::Lit(l),
        Part::AnyOne => Tok::AnyOne,
        Part::AnyRun => Tok::AnyRun,
        Part::Var { .. } => Tok::Never,
    }
}

/// A sequence of tokens addressed by position: the token at `at` and the next position.
pub(super) trait TokSeq {
    fn at(&self, at: usize) -> Option<(Tok<'_>, usize)>;
}

impl TokSeq for [Part] {
    fn at(&self, at: usize) -> Option<(Tok<'_>, usize)> {
        self.get(at).map(|p| (part_tok(p), at + 1))
    }
}

impl TokSeq for [Tok<'_>] {
    fn at(&self, at: usize) -> Option<(Tok<'_>, usize)> {
        self.get(at).map(|t| (*t, at + 1))
    }
}

/// A raw pattern text, tokenized as it is walked (positions are byte offsets).
pub(super) struct RawSeq<'a>(pub(super) &'a str);

impl TokSeq for RawSeq<'_> {
    fn at(&self, at: usize) -> Option<(Tok<'_>, usize)> {
        let rest = self.0.get(at..).filter(|r| !r.is_empty())?;
        let (tok, len) = raw_tok(rest, true);
        Some((tok, at + len))
    }
}

/// Whole-text wildcard match; on a mismatch the last `*` swallows one more character.
pub(super) fn glob<S: TokSeq + ?Sized>(seq: &S, text: &str, case: CaseMode) -> bool {
    let mut p = 0usize;
    let mut i = 0usize;
    // The position after the last `*` and how far into the text it has reached.
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        if let Some((tok, next)) = seq.at(p) {
            let step = match tok {
                Tok::AnyRun => {
                    backtrack = Some((next, i));
                    p = next;
                    continue;
                }
                Tok::AnyOne => next_char_len(text, i),
                Tok::Lit(l) => lit_at(text, i, l, case),
                Tok::Never => None,
            };
            if let Some(n) = step {
                i += n;
                p = next;
                continue;
            }
        } else if i == text.len() {
            return true;
        }
        match backtrack {
            Some((star_next, star_i)) => match next_char_len(text, star_i) {
                Some(n) => {
                    backtrack = Some((star_next, star_i + n));
                    p = star_next;
                    i = star_i + n;
                }
                None => return false,
            },
            None => return false,
        }
    }
}

/// Bytes of `text` from `at` that `lit` matches, if it does.
fn lit_at(text: &str, at: usize, lit: &str, case: CaseMode) -> Option<usize> {
    let rest = text.get(at..)?;
    match case {
        CaseMode::Sensitive => rest.starts_with(lit).then_some(lit.len()),
        CaseMode::Insensitive if lit.is_ascii() => {
            let window = rest.as_bytes().get(..lit.len())?;
            window
                .eq_ignore_ascii_case(lit.as_bytes())
                .then_some(lit.len())
        }
        CaseMode::Insensitive => {
            let mut used = 0usize;
            let mut chars = rest.chars();
            for l in lit.chars() {
                let c = chars.next()?;
                if !char_eq_ignore_case(l, c) {
                    return None;
                }
                used += c.len_utf8();
            }
            Some(used)
        }
    }
}

fn next_char_len(text: &str, at: usize) -> Option<usize> {
    text.get(at..)?.chars().next().map(char::len_utf8)
}
