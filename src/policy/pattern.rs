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

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Token {
    Lit(Box<str>),
    AnyOne,
    AnyRun,
}

/// The common shapes, matched without the general loop (most actions are literal
/// or `service:Prefix*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    Exact,
    Prefix,
    Everything,
    General,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    raw: Box<str>,
    case: CaseMode,
    tokens: Box<[Token]>,
    shape: Shape,
}

impl Pattern {
    /// Compiles `raw`; every `*` and `?` is a wildcard.
    pub fn new(raw: &str, case: CaseMode) -> Self {
        let mut tokens: Vec<Token> = Vec::new();
        // Wildcards are ASCII: find them with the standard library's searcher and copy
        // literal runs whole (a 20 MB value must not cost a loop per character).
        let mut rest = raw;
        let mut next_star = rest.find('*');
        let mut next_one = rest.find('?');
        while let Some(at) = next_star.into_iter().chain(next_one).min() {
            let (lit, tail) = rest.split_at(at);
            if !lit.is_empty() {
                tokens.push(Token::Lit(lit.into()));
            }
            // Consecutive stars are one star; `?` keeps its count.
            if tail.starts_with('?') {
                tokens.push(Token::AnyOne);
            } else if tokens.last() != Some(&Token::AnyRun) {
                tokens.push(Token::AnyRun);
            }
            rest = tail.get(1..).unwrap_or_default();
            next_star = match next_star {
                Some(p) if p > at => Some(p - at - 1),
                _ => rest.find('*'),
            };
            next_one = match next_one {
                Some(p) if p > at => Some(p - at - 1),
                _ => rest.find('?'),
            };
        }
        if !rest.is_empty() {
            tokens.push(Token::Lit(rest.into()));
        }
        let shape = match tokens.as_slice() {
            [Token::AnyRun] => Shape::Everything,
            [] | [Token::Lit(_)] => Shape::Exact,
            [Token::Lit(_), Token::AnyRun] => Shape::Prefix,
            _ => Shape::General,
        };
        Pattern {
            raw: raw.into(),
            case,
            tokens: tokens.into_boxed_slice(),
            shape,
        }
    }

    /// The text the pattern was compiled from.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// True when the pattern holds no wildcard.
    pub fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Lit(_)))
    }

    /// True for a pattern that matches every string (`*`, `**`).
    pub fn matches_everything(&self) -> bool {
        matches!(&*self.tokens, [Token::AnyRun])
    }

    /// The literal text before the first wildcard.
    pub fn literal_prefix(&self) -> &str {
        match self.tokens.first() {
            Some(Token::Lit(l)) => l,
            _ => "",
        }
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
            Shape::Prefix => {
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
                    Token::Lit(l) => self.lit_at(bytes, i, l.as_bytes()),
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
