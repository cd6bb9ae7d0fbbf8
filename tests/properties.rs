//! Laws: the matcher agrees with a regex; the JSON parser agrees with serde_json; the
//! decoders invert their encoders and map every byte back to where it came from.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iampath::policy::pattern::{CaseMode, Pattern};
use iampath::source::{decode, json};
use proptest::prelude::*;

/// The oracle: `*` is `.*`, `?` is `.`, everything else literal, whole string.
fn regex_for(pattern: &str) -> regex::Regex {
    let mut re = String::from("(?s)^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap()
}

proptest! {
    #[test]
    fn matcher_agrees_with_a_regex(pattern in "[ab/:*?]{0,8}", text in "[ab/:]{0,10}") {
        let p = Pattern::new(&pattern, CaseMode::Sensitive);
        prop_assert_eq!(p.matches(&text), regex_for(&pattern).is_match(&text));
    }

    #[test]
    fn matcher_agrees_with_a_regex_ignoring_ascii_case(pattern in "[aBé*?]{0,6}", text in "[AbÉé]{0,8}") {
        let p = Pattern::new(&pattern, CaseMode::Insensitive);
        // ASCII folding only: é and É stay different, as in the matcher.
        let expected = regex_for(&pattern.to_ascii_lowercase()).is_match(&text.to_ascii_lowercase());
        prop_assert_eq!(p.matches(&text), expected);
    }

    #[test]
    fn json_parser_agrees_with_serde(v in json_value()) {
        for text in [serde_json::to_string(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap()] {
            let node = json::parse(&text, 64).unwrap();
            prop_assert_eq!(to_serde(&node), v.clone());
            prop_assert_eq!((node.start as usize, node.end as usize), (0, text.len()));
        }
    }

    #[test]
    fn json_parser_rejects_what_serde_rejects(text in "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,16}") {
        let ours = json::parse(&text, 64).is_ok();
        let theirs = serde_json::from_str::<serde_json::Value>(&text).is_ok();
        prop_assert_eq!(ours, theirs, "{:?}", text);
    }

    #[test]
    fn json_string_decoding_maps_each_char_to_its_source(s in "\\PC{0,20}|[\"\\\\\n\t\u{1}é😀a]{0,12}") {
        let literal = serde_json::to_string(&s).unwrap();
        let (decoded, map) = decode::json_string(&literal, 100).unwrap();
        prop_assert_eq!(&decoded, &s);
        for (i, c) in decoded.char_indices() {
            let src = map.to_source(i as u32) as usize - 100;
            let at = &literal[src..];
            prop_assert!(at.starts_with(c) || at.starts_with('\\'), "{:?} at {} maps to {:?}", c, i, at);
        }
    }

    #[test]
    fn percent_decoding_inverts_encoding(s in "\\PC{0,24}") {
        let encoded = percent_encoding::utf8_percent_encode(&s, percent_encoding::NON_ALPHANUMERIC).to_string();
        let (decoded, map) = decode::percent(&encoded).unwrap();
        prop_assert_eq!(&decoded, &s);
        for (i, _) in decoded.char_indices() {
            let src = map.to_source(i as u32) as usize;
            prop_assert!(src < encoded.len());
        }
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        "\\PC{0,8}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-zA-Z\"\\\\]{0,6}", inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn to_serde(n: &json::Node) -> serde_json::Value {
    match &n.value {
        json::Value::Null => serde_json::Value::Null,
        json::Value::Bool(b) => serde_json::Value::Bool(*b),
        json::Value::Number(s) => serde_json::from_str(s).unwrap(),
        json::Value::String(s) => serde_json::Value::String(s.to_string()),
        json::Value::Array(a) => serde_json::Value::Array(a.iter().map(to_serde).collect()),
        json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .map(|m| (m.key.to_string(), to_serde(&m.value)))
                .collect(),
        ),
    }
}
