//! IAM wildcard patterns: literal text, `*` (any run of characters, `/` and `:`
//! included) and `?` (exactly one character).
//!
//! A path-style glob whose `*` stops at `/` is wrong for IAM (decision-rules §3.3),
//! so this is our own matcher, compiled once when a policy is loaded.

/// Whether letters must match in case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseMode {
    /// Resource parts, `StringLike` values: `Bucket` is not `bucket`.
    Sensitive,
    /// Actions and condition key names: `S3:getobject` is `s3:GetObject` (ASCII folding).
    Insensitive,
}

/// A piece of a pattern; a literal run is a range of the pattern's text (no copy: a
/// policy of every principal holds several patterns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Token {
    Lit(u32, u32),
    AnyOne,
    AnyRun,
}

/// The common shapes, matched without the general loop (most actions are literal
/// or `service:Prefix*`); they keep no tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    /// No wildcard: the whole text.
    Exact,
    /// A literal run of this many bytes, then `*`.
    Prefix(u32),
    Everything,
    General,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    raw: Box<str>,
    case: CaseMode,
    /// Only for [`Shape::General`].
    tokens: Box<[Token]>,
    shape: Shape,
}

/// A position in a pattern's text (patterns come from files of at most 512 MB).
fn at(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Pattern {
    /// Compiles `raw`; every `*` and `?` is a wildcard.
    pub fn new(raw: &str, case: CaseMode) -> Self {
        let mut tokens: Vec<Token> = Vec::new();
        // Wildcards are ASCII: find them with the standard library's searcher and take
        // literal runs whole (a 20 MB value must not cost a loop per character).
        let mut pos = 0usize;
        let mut rest = raw;
        let mut next_star = rest.find('*');
        let mut next_one = rest.find('?');
        while let Some(i) = next_star.into_iter().chain(next_one).min() {
            let tail = rest.get(i..).unwrap_or_default();
            if i > 0 {
                tokens.push(Token::Lit(at(pos), at(pos + i)));
            }
            // Consecutive stars are one star; `?` keeps its count.
            if tail.starts_with('?') {
                tokens.push(Token::AnyOne);
            } else if tokens.last() != Some(&Token::AnyRun) {
                tokens.push(Token::AnyRun);
            }
            pos += i + 1;
            rest = tail.get(1..).unwrap_or_default();
            next_star = match next_star {
                Some(p) if p > i => Some(p - i - 1),
                _ => rest.find('*'),
            };
            next_one = match next_one {
                Some(p) if p > i => Some(p - i - 1),
                _ => rest.find('?'),
            };
        }
        if !rest.is_empty() {
            tokens.push(Token::Lit(at(pos), at(raw.len())));
        }
        let shape = match tokens.as_slice() {
            [Token::AnyRun] => Shape::Everything,
            [] | [Token::Lit(..)] => Shape::Exact,
            [Token::Lit(_, end), Token::AnyRun] => Shape::Prefix(*end),
            _ => Shape::General,
        };
        Pattern {
            raw: raw.into(),
            case,
            tokens: if shape == Shape::General {
                tokens.into_boxed_slice()
            } else {
                Box::default()
            },
            shape,
        }
    }

    /// The text the pattern was compiled from.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// True when the pattern holds no wildcard.
    pub fn is_literal(&self) -> bool {
        self.shape == Shape::Exact
    }

    /// True for a pattern that matches every string (`*`, `**`).
    pub fn matches_everything(&self) -> bool {
        self.shape == Shape::Everything
    }

    /// The literal text before the first wildcard.
    pub fn literal_prefix(&self) -> &str {
        match self.shape {
            Shape::Exact => &self.raw,
            Shape::Prefix(n) => self.raw.get(..n as usize).unwrap_or_default(),
            Shape::Everything => "",
            Shape::General => match self.tokens.first() {
                Some(Token::Lit(a, b)) => self.lit(*a, *b),
                _ => "",
            },
        }
    }

    /// A literal run of the pattern.
    fn lit(&self, start: u32, end: u32) -> &str {
        self.raw
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// Whether `text` matches the whole pattern.
    pub fn matches(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        match self.shape {
            Shape::Everything => return true,
            Shape::Exact => {
                let lit = self.literal_prefix().as_bytes();
                return lit.len() == bytes.len() && self.lit_at(bytes, 0, lit).is_some();
            }
            Shape::Prefix(_) => {
                return self
                    .lit_at(bytes, 0, self.literal_prefix().as_bytes())
                    .is_some();
            }
            Shape::General => {}
        }
        let mut p = 0usize;
        let mut i = 0usize;
        // Where the last `*` was and how much text it has swallowed so far.
        let mut backtrack: Option<(usize, usize)> = None;
        loop {
            if let Some(token) = self.tokens.get(p) {
                let step = match token {
                    Token::AnyRun => {
                        backtrack = Some((p, i));
                        p += 1;
                        continue;
                    }
                    Token::AnyOne => next_char_len(text, i),
                    Token::Lit(a, b) => self.lit_at(bytes, i, self.lit(*a, *b).as_bytes()),
                };
                if let Some(n) = step {
                    i += n;
                    p += 1;
                    continue;
                }
            } else if i == bytes.len() {
                return true;
            }
            // Mismatch: let the last star swallow one more character and retry.
            match backtrack {
                Some((star_p, star_i)) => match next_char_len(text, star_i) {
                    Some(n) => {
                        backtrack = Some((star_p, star_i + n));
                        p = star_p + 1;
                        i = star_i + n;
                    }
                    None => return false,
                },
                None => return false,
            }
        }
    }

    fn lit_at(&self, text: &[u8], at: usize, lit: &[u8]) -> Option<usize> {
        let end = at.checked_add(lit.len())?;
        let window = text.get(at..end)?;
        let same = match self.case {
            CaseMode::Sensitive => window == lit,
            CaseMode::Insensitive => window.eq_ignore_ascii_case(lit),
        };
        same.then_some(lit.len())
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Byte length of the character starting at `at`, if there is one.
fn next_char_len(text: &str, at: usize) -> Option<usize> {
    text.get(at..)?.chars().next().map(char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sensitive(p: &str, s: &str) -> bool {
        Pattern::new(p, CaseMode::Sensitive).matches(s)
    }

    #[test]
    fn star_crosses_slashes_and_colons() {
        assert!(sensitive("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c"));
        assert!(sensitive(
            "arn:aws:s3:::b/*/test/*",
            "arn:aws:s3:::b/1/2/test/x.jpg"
        ));
        assert!(sensitive(
            "arn:aws:s3:::b/*/test/*",
            "arn:aws:s3:::b//test/x.jpg"
        ));
        assert!(!sensitive(
            "arn:aws:s3:::b/*/test/*",
            "arn:aws:s3:::b/test/x.jpg"
        ));
        assert!(sensitive("a*", "a:b:c"));
    }

    #[test]
    fn question_is_one_character() {
        assert!(sensitive("a?c", "abc"));
        assert!(sensitive("a?c", "aéc"));
        assert!(!sensitive("a?c", "ac"));
        assert!(!sensitive("a?c", "abbc"));
    }

    #[test]
    fn case_modes() {
        let action = Pattern::new("s3:Get*", CaseMode::Insensitive);
        assert!(action.matches("S3:getobject"));
        assert!(!sensitive("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x"));
    }

    #[test]
    fn shape_queries() {
        assert!(Pattern::new("**", CaseMode::Sensitive).matches_everything());
        assert!(Pattern::new("abc", CaseMode::Sensitive).is_literal());
        assert_eq!(
            Pattern::new("s3:Get*", CaseMode::Sensitive).literal_prefix(),
            "s3:Get"
        );
        assert!(sensitive("", ""));
        assert!(!sensitive("", "a"));
    }
}
