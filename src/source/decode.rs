//! Documents embedded in other documents: a policy inside an escaped JSON string
//! (`{"Policy": "{\"Version\":…}"}`) or URL-encoded (`%7B%22Version%22…`).
//!
//! Each decoding step records an [`OffsetMap`] from decoded bytes back to the bytes it
//! came from, so a diagnostic about the inner document points at the right byte of the
//! original file however many layers it went through.

use super::json::unescape_at;

/// Maps byte offsets of a decoded text back to offsets in the text it was decoded from.
///
/// Stored as runs: from `decoded` on, offsets advance together with `source` until the
/// next run starts (an escape breaks the run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    runs: Vec<Run>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    decoded: u32,
    source: u32,
}

impl OffsetMap {
    pub(crate) fn push(&mut self, decoded: usize, source: usize) {
        let run = Run {
            decoded: to_u32(decoded),
            source: to_u32(source),
        };
        // A run that continues the previous one linearly adds nothing.
        if let Some(last) = self.runs.last() {
            if last.decoded == run.decoded {
                self.runs.pop();
            } else if run.source.wrapping_sub(last.source) == run.decoded - last.decoded {
                return;
            }
        }
        self.runs.push(run);
    }

    /// The source offset of decoded offset `pos`.
    pub fn to_source(&self, pos: u32) -> u32 {
        let i = self.runs.partition_point(|r| r.decoded <= pos);
        match i.checked_sub(1).and_then(|i| self.runs.get(i)) {
            Some(r) => r.source + (pos - r.decoded),
            None => pos,
        }
    }
}

/// A text together with the chain of maps that lead back to the original file.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// Applied innermost first: the last map converts the newest layer to the previous.
    maps: Vec<OffsetMap>,
}

impl Layers {
    /// The layer for a text read directly from a file.
    pub fn file() -> Self {
        Layers::default()
    }

    /// A new layer on top of this one.
    pub fn push(&self, map: OffsetMap) -> Self {
        let mut maps = self.maps.clone();
        maps.push(map);
        Layers { maps }
    }

    /// Converts an offset of the innermost text into an offset of the original file.
    pub fn to_file(&self, pos: u32) -> u32 {
        self.maps.iter().rev().fold(pos, |p, m| m.to_source(p))
    }

    /// How many decoding steps lie between this text and the file.
    pub fn depth(&self) -> usize {
        self.maps.len()
    }
}

/// Why an embedded text could not be decoded; `offset` is in the outer text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: u32,
    pub message: String,
}

/// Decodes the body of a JSON string literal (`literal` includes the quotes, and
/// starts at `base` in the outer text), mapping every decoded byte to the outer text.
pub fn json_string(literal: &str, base: u32) -> Result<(String, OffsetMap), DecodeError> {
    let bytes = literal.as_bytes();
    let body_end = bytes.len().saturating_sub(1);
    let mut out = String::with_capacity(body_end);
    let mut map = OffsetMap::default();
    let mut i = 1usize;
    let base = base as usize;
    while i < body_end {
        if bytes.get(i) == Some(&b'\\') {
            let (c, len) = unescape_at(bytes, i).map_err(|message| DecodeError {
                offset: to_u32(base + i),
                message,
            })?;
            map.push(out.len(), base + i);
            out.push(c);
            i += len;
            map.push(out.len(), base + i);
        } else {
            let run_end = bytes
                .get(i..body_end)
                .and_then(|rest| rest.iter().position(|b| *b == b'\\'))
                .map_or(body_end, |n| i + n);
            map.push(out.len(), base + i);
            out.push_str(literal.get(i..run_end).unwrap_or_default());
            i = run_end;
        }
    }
    Ok((out, map))
}

/// Decodes RFC 3986 percent-encoding (what the IAM API returns for policy documents).
/// `+` stays `+`, as in the IAM API.
pub fn percent(text: &str) -> Result<(String, OffsetMap), DecodeError> {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut map = OffsetMap::default();
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| DecodeError {
                    offset: to_u32(i),
                    message: "invalid percent-escape: `%` must be followed by two hex digits"
                        .into(),
                })?;
            map.push(out.len(), i);
            out.push(hex);
            i += 3;
            map.push(out.len(), i);
        } else {
            map.push(out.len(), i);
            out.push(b);
            i += 1;
        }
    }
    match String::from_utf8(out) {
        Ok(s) => Ok((s, map)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Err(DecodeError {
                offset: map.to_source(to_u32(at)),
                message: "percent-escapes decode to invalid UTF-8".into(),
            })
        }
    }
}

/// True when a string that should hold a JSON document looks URL-encoded.
pub fn looks_percent_encoded(text: &str) -> bool {
    let t = text.trim_start();
    !t.starts_with('{') && !t.starts_with('[') && t.contains('%')
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_string_maps_back_across_escapes() {
        // outer text:  x"{\"a\":\n1}"   the literal starts at 1
        let outer = r#"x"{\"a\":\n1}""#;
        let (s, map) = json_string(&outer[1..], 1).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s, "{\"a\":\n1}");
        for (decoded, expect) in [
            (0, '{'),
            (1, '\\'),
            (2, 'a'),
            (3, '\\'),
            (4, ':'),
            (5, '\\'),
            (6, '1'),
        ] {
            let src = map.to_source(decoded) as usize;
            assert_eq!(outer.as_bytes()[src] as char, expect, "decoded {decoded}");
        }
    }

    #[test]
    fn percent_maps_back() {
        let text = "%7B%22a%22%3A1%7D";
        let (s, map) = percent(text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s, r#"{"a":1}"#);
        assert_eq!(map.to_source(1), 3); // `"` came from %22 at 3
        assert_eq!(map.to_source(2), 6); // `a` is literal at 6
        assert_eq!(map.to_source(5), 13); // `1` is literal at 13
    }

    #[test]
    fn percent_rejects_bad_escapes() {
        assert_eq!(percent("ab%G1").unwrap_err().offset, 2);
        assert_eq!(percent("ab%4").unwrap_err().offset, 2);
        assert!(percent("%FF").unwrap_err().message.contains("UTF-8"));
        assert_eq!(percent("%C3%A9").unwrap_or_else(|e| panic!("{e:?}")).0, "é");
    }

    #[test]
    fn layers_compose() {
        // file: "%7B%22k%22" as a JSON string literal at offset 10
        let literal = r#""%7B%22k\u0022""#;
        let (l1, m1) = json_string(literal, 10).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(l1, "%7B%22k\"");
        let (l2, m2) = percent(&l1).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(l2, "{\"k\"");
        let layers = Layers::file().push(m1).push(m2);
        assert_eq!(layers.to_file(0), 11); // `{` from %7B right after the quote
        assert_eq!(layers.to_file(2), 17); // `k`
        assert_eq!(layers.to_file(3), 18); // `"` from \u0022
        assert_eq!(layers.depth(), 2);
    }
}
