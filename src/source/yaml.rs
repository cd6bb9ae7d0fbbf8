//! YAML (as CloudFormation writes it) read into the same spanned tree as JSON.
//!
//! Every scalar stays text: an unquoted `012345678901` keeps its leading zero, and
//! `yes` or `2012-10-17` are the strings they look like. A short-form tag becomes the
//! long form CloudFormation reads (`!Ref X` is `{"Ref": X}`, `!Sub s` is
//! `{"Fn::Sub": s}`), spanned at the tag. Aliases are refused (CloudFormation does not
//! accept them, and they are how a small file expands into a huge tree), and nesting
//! is limited before it is built, without recursion.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan, Tag};

use super::json::{Member, Node, SyntaxError, Value};

/// Byte offsets of character indices (saphyr counts characters).
struct Offsets {
    /// `None` for ASCII text, where the two agree.
    bytes: Option<Vec<u32>>,
    len: u32,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
        if text.is_ascii() {
            return Offsets { bytes: None, len };
        }
        let bytes = text
            .char_indices()
            .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        Offsets {
            bytes: Some(bytes),
            len,
        }
    }

    fn at(&self, index: usize) -> u32 {
        match &self.bytes {
            None => u32::try_from(index).unwrap_or(u32::MAX).min(self.len),
            Some(b) => b.get(index).copied().unwrap_or(self.len),
        }
    }
}

/// A container being built.
enum Open<'a> {
    Seq {
        start: u32,
        tag: Option<(String, u32, u32)>,
        items: Vec<Node<'a>>,
    },
    Map {
        start: u32,
        tag: Option<(String, u32, u32)>,
        members: Vec<Member<'a>>,
        /// The key read, waiting for its value.
        key: Option<(Cow<'a, str>, u32, u32)>,
    },
}

/// The long-form key of a short-form tag (`!Ref` → `Ref`, `!Sub` → `Fn::Sub`); `None`
/// for the YAML core schema's own tags (`!!str`), which change nothing here.
fn long_form(tag: &Tag) -> Option<String> {
    if tag.handle != "!" || tag.suffix.is_empty() {
        return None;
    }
    Some(match tag.suffix.as_str() {
        "Ref" | "Condition" => tag.suffix.clone(),
        other => format!("Fn::{other}"),
    })
}

/// Parses one YAML document; an empty file is an empty mapping's absence (`Null`).
pub fn parse(text: &str, max_depth: usize) -> Result<Node<'_>, SyntaxError> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let err = |at: u32, message: String| SyntaxError {
        offset: at,
        message,
    };
    loop {
        let (event, span): (Event, YSpan) = match parser.next_event() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                let at = offsets.at(e.marker().index());
                return Err(err(at, format!("invalid YAML: {}", e.info())));
            }
        };
        let start = offsets.at(span.start.index());
        let end = offsets.at(span.end.index()).max(start);
        let tag_of = |tag: &Option<Cow<Tag>>| {
            tag.as_ref()
                .and_then(|t| long_form(t))
                .map(|k| (k, start, end))
        };
        let done: Node = match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(err(
                        start,
                        "more than one YAML document: a template is one document".into(),
                    ));
                }
                continue;
            }
            Event::Alias(_) => {
                return Err(err(
                    start,
                    "a YAML alias (`*name`): CloudFormation does not accept aliases".into(),
                ));
            }
            Event::SequenceStart(_, ref tag) | Event::MappingStart(_, ref tag) => {
                if stack.len() >= max_depth {
                    return Err(err(
                        start,
                        format!("nesting deeper than {max_depth} levels (see --max-depth)"),
                    ));
                }
                let tag = tag_of(tag);
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq {
                        start,
                        tag,
                        items: Vec::new(),
                    }
                } else {
                    Open::Map {
                        start,
                        tag,
                        members: Vec::new(),
                        key: None,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node_start, tag, value) = match stack.pop() {
                    Some(Open::Seq { start, tag, items }) => (start, tag, Value::Array(items)),
                    Some(Open::Map {
                        start,
                        tag,
                        members,
                        ..
                    }) => (start, tag, Value::Object(members)),
                    None => return Err(err(start, "unbalanced YAML structure".into())),
                };
                let node = Node {
                    start: node_start,
                    end: end.max(node_start),
                    value,
                };
                wrap(node, tag)
            }
            Event::Scalar(value, style, _, tag) => {
                let tag = tag_of(&tag);
                let plain = style == ScalarStyle::Plain;
                let value =
                    if plain && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL") {
                        Value::Null
                    } else {
                        Value::String(value)
                    };
                wrap(Node { start, end, value }, tag)
            }
        };
        // Place the finished node in its parent (as a key, a value or an item).
        match stack.last_mut() {
            None => root = Some(done),
            Some(Open::Seq { items, .. }) => items.push(done),
            Some(Open::Map { members, key, .. }) => match key.take() {
                Some((k, ks, ke)) => members.push(Member {
                    key: k,
                    key_start: ks,
                    key_end: ke,
                    value: done,
                }),
                None => match done.value {
                    Value::String(s) => *key = Some((s, done.start, done.end)),
                    Value::Null => *key = Some((Cow::Borrowed(""), done.start, done.end)),
                    _ => {
                        return Err(err(
                            done.start,
                            "a mapping key that is not a scalar: templates use text keys".into(),
                        ));
                    }
                },
            },
        }
    }
    Ok(root.unwrap_or(Node {
        start: 0,
        end: 0,
        value: Value::Null,
    }))
}

/// A tagged node as its long form: `{"Fn::Sub": node}`, spanned at the tag.
fn wrap(node: Node<'_>, tag: Option<(String, u32, u32)>) -> Node<'_> {
    match tag {
        None => node,
        Some((key, start, tag_end)) => {
            let end = node.end.max(tag_end);
            Node {
                start,
                end,
                value: Value::Object(vec![Member {
                    key: Cow::Owned(key),
                    key_start: start,
                    key_end: tag_end,
                    value: node,
                }]),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.start as usize..node.end as usize]
    }

    #[test]
    fn scalars_stay_text_and_tags_become_long_forms() {
        let text = "A: 012345678901\nB: !Ref Bucket\nC: !Join ['', [!GetAtt B.Arn, '/*']]\nD: ~\n";
        let root = parse(text, 16).unwrap();
        assert_eq!(root.get("A").unwrap().as_str(), Some("012345678901"));
        let b = root.get("B").unwrap();
        assert_eq!(b.get("Ref").unwrap().as_str(), Some("Bucket"));
        assert!(at(text, b).starts_with("!Ref"));
        let join = root.get("C").unwrap().get("Fn::Join").unwrap();
        let parts = join.as_array().unwrap()[1].as_array().unwrap();
        assert_eq!(parts[0].get("Fn::GetAtt").unwrap().as_str(), Some("B.Arn"));
        assert_eq!(root.get("D").unwrap().value, Value::Null);
    }

    #[test]
    fn spans_are_bytes_after_non_ascii_text() {
        let text = "# café ☕\nKey: value\n";
        let root = parse(text, 16).unwrap();
        let v = root.get("Key").unwrap();
        assert_eq!(at(text, v), "value");
    }

    #[test]
    fn aliases_depth_and_many_documents_are_refused() {
        assert!(
            parse("a: &x [1]\nb: *x\n", 16)
                .unwrap_err()
                .message
                .contains("alias")
        );
        assert!(
            parse("a: [[[[1]]]]\n", 3)
                .unwrap_err()
                .message
                .contains("nesting")
        );
        assert!(parse("a: 1\n---\nb: 2\n", 16).is_err());
        assert!(parse("a: [1\n", 16).is_err());
        assert!(parse("? [a]\n: 1\n", 16).is_err());
    }
}
