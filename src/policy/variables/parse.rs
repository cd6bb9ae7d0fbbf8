//! Parsing `${…}`: a text cut into literal text, the literal escapes `${*}` `${?}`
//! `${$}`, and variables with their optional default.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piece<'a> {
    Text(&'a str),
    Literal(&'static str),
    Var {
        key: &'a str,
        default: Option<&'a str>,
    },
}

pub(super) struct Pieces<'a> {
    rest: &'a str,
}

impl<'a> Pieces<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Pieces { rest: text }
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let text_up_to = |rest: &'a str, at: usize| rest.split_at_checked(at);
        match self.rest.find("${") {
            Some(0) => match parse_variable(self.rest) {
                Some((piece, len)) => {
                    self.rest = self.rest.get(len..).unwrap_or_default();
                    Some(piece)
                }
                None => {
                    // No closing brace: the rest is literal text.
                    let all = self.rest;
                    self.rest = "";
                    Some(Piece::Text(all))
                }
            },
            Some(at) => {
                let (text, rest) = text_up_to(self.rest, at)?;
                self.rest = rest;
                Some(Piece::Text(text))
            }
            None => {
                let all = self.rest;
                self.rest = "";
                Some(Piece::Text(all))
            }
        }
    }
}

/// Parses the variable at the start of `s` (which starts with `${`); returns the piece
/// and the bytes it spans. A `}` inside the quoted default does not close it.
fn parse_variable(s: &str) -> Option<(Piece<'_>, usize)> {
    let body = s.get(2..)?;
    let close = closing_brace(body, true).or_else(|| closing_brace(body, false))?;
    let inner = body.get(..close)?.trim();
    let piece = match inner {
        "*" => Piece::Literal("*"),
        "?" => Piece::Literal("?"),
        "$" => Piece::Literal("$"),
        _ => match inner.split_once(',') {
            Some((key, default)) => {
                let default = default.trim();
                // [unconfirmed] §5.4 shows the default in single quotes; an unquoted
                // default is taken as written.
                let default = default
                    .strip_prefix('\'')
                    .and_then(|d| d.strip_suffix('\''))
                    .unwrap_or(default);
                Piece::Var {
                    key: key.trim(),
                    default: Some(default),
                }
            }
            None => Piece::Var {
                key: inner,
                default: None,
            },
        },
    };
    Some((piece, 2 + close + 1))
}

fn closing_brace(body: &str, respect_quotes: bool) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in body.char_indices() {
        match c {
            '\'' if respect_quotes => quoted = !quoted,
            '}' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}
