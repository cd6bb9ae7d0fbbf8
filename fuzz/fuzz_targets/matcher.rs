//! The IAM wildcard matcher against a regex oracle built as in tests/properties.rs:
//! `*` is `.*`, `?` is `.`, everything else literal, whole string. Input: the pattern,
//! a NUL byte, the text; the first byte's low bit picks the case mode.
#![no_main]

use iampath::policy::pattern::{CaseMode, Pattern};
use libfuzzer_sys::fuzz_target;

fn regex_for(pattern: &str) -> Option<regex::Regex> {
    let mut re = String::from("(?s)^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    // A pattern too large for the regex engine's limits has no oracle.
    regex::RegexBuilder::new(&re)
        .size_limit(1 << 24)
        .build()
        .ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    let (pattern, text) = s.split_once('\0').unwrap_or((s, ""));
    let case = if flags & 1 == 0 {
        CaseMode::Sensitive
    } else {
        CaseMode::Insensitive
    };
    let p = Pattern::new(pattern, case);
    let got = p.matches(text);
    let expected = match case {
        CaseMode::Sensitive => regex_for(pattern).map(|re| re.is_match(text)),
        // ASCII folding only, as the matcher does (é and É stay different).
        CaseMode::Insensitive => regex_for(&pattern.to_ascii_lowercase())
            .map(|re| re.is_match(&text.to_ascii_lowercase())),
    };
    if let Some(expected) = expected {
        assert_eq!(
            got, expected,
            "Pattern {pattern:?} ({case:?}) on {text:?}: matcher says {got}, regex says {expected}"
        );
    }
    // Cheap invariants of the other accessors.
    assert!(text.starts_with(p.literal_prefix()) || !got || case == CaseMode::Insensitive);
    if p.matches_everything() {
        assert!(got);
    }
});
