//! Did-you-mean suggestions for action names the service reference does not know.

use super::services::{expand_action_pattern, service, service_prefixes};

/// Edit distance (insertions, deletions, substitutions) between two ASCII-lowercased
/// strings.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(b.len()).copied().unwrap_or(usize::MAX)
}

/// The closest of `candidates` to `text`, when it is close enough to be a typo.
fn closest<'a>(text: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (text.len() / 3).clamp(1, 4);
    candidates
        .map(|c| (distance(text, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// A service prefix close to `prefix` (`iamm` → `iam`).
pub fn suggest_service(prefix: &str) -> Option<&'static str> {
    closest(prefix, service_prefixes().into_iter())
}

/// An action of `prefix` close to `name` (`CreateAccesKey` → `iam:CreateAccessKey`).
pub fn suggest_action(prefix: &str, name: &str) -> Option<String> {
    let s = service(prefix)?;
    closest(name, s.actions.iter().map(|a| a.name.as_str())).map(|n| format!("{}:{n}", s.prefix))
}

/// The full names of actions called `name` in any service (`CreateAccessKey` →
/// `iam:CreateAccessKey`), for an action written without its service prefix.
pub fn actions_named(name: &str) -> Vec<String> {
    let mut out: Vec<String> = expand_action_pattern(&format!("*:{name}"))
        .into_iter()
        .map(|a| a.full_name())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(
            suggest_action("iam", "CreateAccesKey").as_deref(),
            Some("iam:CreateAccessKey")
        );
        assert_eq!(suggest_service("iamm"), Some("iam"));
        assert_eq!(suggest_action("iam", "Zzzzzzzzzzzz"), None);
        assert!(actions_named("CreateAccessKey").contains(&"iam:CreateAccessKey".to_string()));
    }
}
