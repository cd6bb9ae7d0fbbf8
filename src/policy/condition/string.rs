//! String comparison for the `String…` operators (decision-rules §3.4, §3.6).

use crate::policy::pattern::CaseMode;

/// Whether `a` equals `b`; `Insensitive` folds case per character (ASCII quickly, other
/// scripts by their simple upper and lower case, as Java's `equalsIgnoreCase` does).
/// [unconfirmed] §3.6 does not say how far beyond ASCII `…IgnoreCase` folds.
pub fn eq_with_case(a: &str, b: &str, case: CaseMode) -> bool {
    match case {
        CaseMode::Sensitive => a == b,
        CaseMode::Insensitive => eq_ignore_case(a, b),
    }
}

/// Case-insensitive equality, per character.
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    let mut bs = b.chars();
    for ca in a.chars() {
        match bs.next() {
            Some(cb) if char_eq_ignore_case(ca, cb) => {}
            _ => return false,
        }
    }
    bs.next().is_none()
}

/// Whether two characters are equal ignoring case.
pub fn char_eq_ignore_case(a: char, b: char) -> bool {
    if a == b {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(&b);
    }
    a.to_uppercase().eq(b.to_uppercase()) || a.to_lowercase().eq(b.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_case() {
        assert!(eq_ignore_case("Hello", "hELLO"));
        assert!(eq_ignore_case("Émile", "éMILE"));
        assert!(eq_ignore_case("straße", "STRAßE"));
        assert!(!eq_ignore_case("abc", "abcd"));
        assert!(!eq_ignore_case("abcd", "abc"));
        assert!(!eq_ignore_case("é", "e"));
        assert!(eq_with_case("a", "a", CaseMode::Sensitive));
        assert!(!eq_with_case("a", "A", CaseMode::Sensitive));
    }
}
