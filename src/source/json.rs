//! A strict JSON parser that keeps the byte range of every node.
//!
//! We write our own instead of using a general-purpose crate because iampath needs
//! three things at once: byte ranges for every node (diagnostics point at the exact
//! key or value), duplicate keys kept (IAM rejects them, so we must see them), and a
//! nesting limit checked before recursing (a hostile file must not overflow the stack).
//! Strings without escapes borrow from the input, so a large export is not copied.

use std::borrow::Cow;

/// Default maximum nesting depth of arrays and objects.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// The largest `--max-depth` accepted (the command's stack holds this much nesting).
pub const MAX_DEPTH_CEILING: usize = 100_000;

/// One JSON value with its byte range in the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    /// Byte offset of the first character of the value.
    pub start: u32,
    /// Byte offset just past the value.
    pub end: u32,
    pub value: Value<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// The number exactly as written (`1e999` stays text: nothing overflows).
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Members in file order; duplicate keys are kept for the caller to report.
    Object(Vec<Member<'a>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    pub key: Cow<'a, str>,
    pub key_start: u32,
    pub key_end: u32,
    pub value: Node<'a>,
}

impl<'a> Node<'a> {
    /// The JSON type name, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member<'a>]> {
        match &self.value {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match &self.value {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The first member named `key` (exact case), if this is an object.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }
}

/// What went wrong, and where (a byte offset into the parsed text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: u32,
    pub message: String,
}

/// Parses one JSON document: a single value with only whitespace around it.
pub fn parse(text: &str, max_depth: usize) -> Result<Node<'_>, SyntaxError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        max_depth,
    };
    p.skip_ws();
    let node = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error_here("unexpected text after the JSON value"));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn error_at(&self, offset: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            offset: clamp_u32(offset),
            message: message.into(),
        }
    }

    fn error_here(&self, context: &str) -> SyntaxError {
        let found = match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            None => "end of file".to_string(),
            Some(c) if c.is_control() => format!("control character U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
        };
        self.error_at(self.pos, format!("{context}, found {found}"))
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node<'a>, SyntaxError> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.keyword("true", Value::Bool(true))?,
            Some(b'f') => self.keyword("false", Value::Bool(false))?,
            Some(b'n') => self.keyword("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            _ => return Err(self.error_here("expected a JSON value")),
        };
        Ok(Node {
            start: clamp_u32(start),
            end: clamp_u32(self.pos),
            value,
        })
    }

    fn enter(&self, depth: usize) -> Result<usize, SyntaxError> {
        if depth >= self.max_depth {
            let hint = if self.max_depth < MAX_DEPTH_CEILING {
                " (raise it with --max-depth)"
            } else {
                ""
            };
            return Err(self.error_at(
                self.pos,
                format!("nesting deeper than {} levels{hint}", self.max_depth),
            ));
        }
        Ok(depth + 1)
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>, SyntaxError> {
        let depth = self.enter(depth)?;
        self.pos += 1; // `{`
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error_here("expected a string key"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_end = self.pos;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error_here("expected `:` after an object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            members.push(Member {
                key,
                key_start: clamp_u32(key_start),
                key_end: clamp_u32(key_end),
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error_here("expected `,` or `}` after an object member")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>, SyntaxError> {
        let depth = self.enter(depth)?;
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error_here("expected `,` or `]` after an array element")),
            }
        }
    }

    fn keyword(&mut self, word: &str, value: Value<'a>) -> Result<Value<'a>, SyntaxError> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(value)
        } else {
            Err(self.error_here("expected a JSON value"))
        }
    }

    fn number(&mut self) -> Result<&'a str, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error_here("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error_here("expected a digit after `.`"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error_here("expected a digit in the exponent"));
            }
            self.digits();
        }
        Ok(self.text.get(start..self.pos).unwrap_or_default())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    /// Reads a string literal starting at its opening quote.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let body_start = self.pos;
        // Fast path: no escapes, borrow the text.
        loop {
            match self.peek() {
                None => return Err(self.error_at(open, "unterminated string")),
                Some(b'"') => {
                    let s = self.text.get(body_start..self.pos).unwrap_or_default();
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(b) if b < 0x20 => {
                    return Err(self.error_here("control characters must be escaped in a string"));
                }
                Some(_) => self.pos += 1,
            }
        }
        let mut out = String::from(self.text.get(body_start..self.pos).unwrap_or_default());
        loop {
            match self.peek() {
                None => return Err(self.error_at(open, "unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let (c, len) = unescape_at(self.bytes, self.pos)
                        .map_err(|m| self.error_at(self.pos, m))?;
                    out.push(c);
                    self.pos += len;
                }
                Some(b) if b < 0x20 => {
                    return Err(self.error_here("control characters must be escaped in a string"));
                }
                Some(_) => {
                    let run_start = self.pos;
                    while let Some(b) = self.peek() {
                        if b == b'"' || b == b'\\' || b < 0x20 {
                            break;
                        }
                        self.pos += 1;
                    }
                    out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
                }
            }
        }
    }
}

/// Decodes the escape sequence at `at` (which holds a backslash) into one character
/// and the number of source bytes it took. Shared with the offset-mapping decoder.
pub(crate) fn unescape_at(bytes: &[u8], at: usize) -> Result<(char, usize), String> {
    let kind = bytes.get(at + 1).copied();
    let simple = match kind {
        Some(b'"') => Some('"'),
        Some(b'\\') => Some('\\'),
        Some(b'/') => Some('/'),
        Some(b'b') => Some('\u{8}'),
        Some(b'f') => Some('\u{c}'),
        Some(b'n') => Some('\n'),
        Some(b'r') => Some('\r'),
        Some(b't') => Some('\t'),
        Some(b'u') => None,
        None => return Err("unterminated escape sequence".into()),
        Some(other) => return Err(format!("invalid escape `\\{}`", other as char)),
    };
    if let Some(c) = simple {
        return Ok((c, 2));
    }
    let high = hex4(bytes, at + 2).ok_or("invalid unicode escape: expected 4 hex digits")?;
    if !(0xD800..0xE000).contains(&high) {
        return char::from_u32(high)
            .map(|c| (c, 6))
            .ok_or_else(|| "invalid unicode escape".into());
    }
    if high >= 0xDC00 {
        return Err("invalid unicode escape: unpaired low surrogate".into());
    }
    let low = (bytes.get(at + 6) == Some(&b'\\') && bytes.get(at + 7) == Some(&b'u'))
        .then(|| hex4(bytes, at + 8))
        .flatten()
        .filter(|low| (0xDC00..0xE000).contains(low))
        .ok_or("invalid unicode escape: unpaired high surrogate")?;
    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
    char::from_u32(code)
        .map(|c| (c, 12))
        .ok_or_else(|| "invalid unicode escape".into())
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let mut v = 0u32;
    for d in digits {
        v = v * 16 + (*d as char).to_digit(16)?;
    }
    Some(v)
}

fn clamp_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Node<'_> {
        parse(text, DEFAULT_MAX_DEPTH).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn err(text: &str) -> SyntaxError {
        parse(text, DEFAULT_MAX_DEPTH).unwrap_err()
    }

    #[test]
    fn keeps_spans_and_duplicate_keys() {
        let text = r#" {"a": [1, "x\ny"], "a": null} "#;
        let n = ok(text);
        assert_eq!((n.start, n.end), (1, 30));
        let members = n.as_object().unwrap_or_else(|| panic!("not an object"));
        assert_eq!(members.len(), 2);
        assert_eq!(
            &text[members[0].key_start as usize..members[0].key_end as usize],
            "\"a\""
        );
        let arr = members[0]
            .value
            .as_array()
            .unwrap_or_else(|| panic!("not an array"));
        assert_eq!(arr[1].as_str(), Some("x\ny"));
        assert_eq!(
            &text[arr[1].start as usize..arr[1].end as usize],
            r#""x\ny""#
        );
    }

    #[test]
    fn numbers_stay_text() {
        assert_eq!(ok("1e999").value, Value::Number("1e999"));
        assert_eq!(ok("-0.5E+3").value, Value::Number("-0.5E+3"));
        assert!(err("01").message.contains("after the JSON value"));
        assert!(err("1.").message.contains("digit"));
    }

    #[test]
    fn escapes_and_surrogates() {
        assert_eq!(ok(r#""\u00e9\ud83d\ude00""#).as_str(), Some("é😀"));
        assert!(err(r#""\ud83d""#).message.contains("surrogate"));
        assert!(err(r#""\x""#).message.contains("invalid escape"));
    }

    #[test]
    fn errors_point_at_the_place() {
        let e = err("{\"a\": 1,\n \"b\" 2}");
        assert_eq!(e.offset, 14);
        assert!(e.message.contains("expected `:`"), "{}", e.message);
        assert_eq!(err("").message, "expected a JSON value, found end of file");
        assert_eq!(err("\"abc").offset, 0);
        assert!(err("[1,]").message.contains("expected a JSON value"));
    }

    #[test]
    fn depth_limit_is_an_error_not_a_crash() {
        let deep = "[".repeat(200_000);
        let e = parse(&deep, DEFAULT_MAX_DEPTH).unwrap_err();
        assert!(e.message.contains("nesting deeper than 128"));
        assert_eq!(e.offset, 128);
    }
}
