//! Laws: the matcher agrees with a regex, and an ARN pattern with a regex per
//! component; the JSON parser agrees with serde_json; the decoders invert their
//! encoders and map every byte back to where it came from.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iampath::policy::arn::ArnPattern;
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

/// An ARN's six components (the resource keeps its colons), or `None`.
fn six(text: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    (parts.len() == 6 && parts.first() == Some(&"arn")).then_some(parts)
}

/// The oracle of an ARN pattern: each component by its own regex, the four head
/// components ignoring ASCII case, the resource not; `${…}` is literal text here.
fn arn_matches(pattern: &str, arn: &str) -> bool {
    let (Some(p), Some(a)) = (six(pattern), six(arn)) else {
        return false;
    };
    p.iter().zip(&a).enumerate().skip(1).all(|(i, (p, a))| {
        if i < 5 {
            regex_for(&p.to_ascii_lowercase()).is_match(&a.to_ascii_lowercase())
        } else {
            regex_for(p).is_match(a)
        }
    })
}

proptest! {
    #[test]
    fn arn_pattern_agrees_with_a_regex_per_component(
        head in proptest::collection::vec("|\\*|aws|AWS|a?s|s3|[0-9]{1,2}|1\\*|[aS*]{0,3}", 4),
        resource in "[aB/:*?]{0,6}",
        seed in any::<u64>(),
    ) {
        let pattern = format!("arn:{}:{resource}", head.join(":"));
        // An ARN made from the pattern (wildcards filled, case flipped, a character
        // dropped now and then), so that the whole ARN matches often enough.
        let mut state = seed;
        let mut roll = |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let mut fill = |text: &str, fills: &[&str]| -> String {
            let mut out = String::new();
            for c in text.chars() {
                match (c, roll(8)) {
                    (_, 0) => {}
                    ('*', _) => out.push_str(fills[roll(fills.len() as u64) as usize]),
                    ('?', _) => out.push(['a', 'S', '9'][roll(3) as usize]),
                    (c, 1) if c.is_ascii_lowercase() => out.push(c.to_ascii_uppercase()),
                    (c, 2) if c.is_ascii_uppercase() => out.push(c.to_ascii_lowercase()),
                    (c, _) => out.push(c),
                }
            }
            out
        };
        let arn_head: Vec<String> = head.iter().map(|h| fill(h, &["", "a", "Aw", "9"])).collect();
        let arn_resource = fill(&resource, &["", "a", "b:B", "/x"]);
        let arn = format!("arn:{}:{arn_resource}", arn_head.join(":"));
        let expected = arn_matches(&pattern, &arn);
        let compiled = ArnPattern::new(&pattern).unwrap();
        prop_assert_eq!(compiled.matches(&arn), expected, "{} on {}", pattern, arn);
        let with_variables = ArnPattern::with_variables(&pattern).unwrap();
        prop_assert_eq!(with_variables.matches(&arn), expected, "{} on {}", pattern, arn);
        prop_assert_eq!(
            compiled.is_literal(),
            !pattern.contains(['*', '?']),
            "{}", pattern
        );
    }

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
