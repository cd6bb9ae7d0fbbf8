//! Which real actions a statement names, from the bundled service reference, so that
//! queries and lint can speak of real actions and access levels (`s3:Get*` is 60-odd
//! actions, not a string).

use std::sync::Arc;

use super::compile::{CompiledStatement, Matcher};
use crate::catalog::{self, AccessLevel, ActionInfo};
use crate::memo::Memo;
use crate::policy::pattern::Pattern;

/// The actions a statement's `Action` (or, for `NotAction`, everything else) covers.
///
/// Remembered per list of patterns: at organization scale the same lists (`*`,
/// `iam:*`, `s3:Get*`) recur in thousands of statements, and expanding and sorting
/// the catalog's 18,000 actions for each was most of what `lint` spent.
pub fn covered_actions(st: &CompiledStatement) -> Vec<&'static ActionInfo> {
    covered(st).as_ref().clone()
}

/// [`covered_actions`], shared with the other statements of the same list.
pub fn covered(st: &CompiledStatement) -> Arc<Vec<&'static ActionInfo>> {
    static COVERED: Memo<(bool, Vec<String>), Arc<Vec<&'static ActionInfo>>> = Memo::new();
    let Some(m) = &st.actions else {
        return Arc::default();
    };
    let key = (
        m.negated,
        m.patterns.iter().map(|p| p.as_str().to_string()).collect(),
    );
    COVERED.get_or(&key, || Arc::new(expand(m)))
}

fn expand(m: &Matcher<Pattern>) -> Vec<&'static ActionInfo> {
    if m.negated {
        return catalog::expand_action_pattern("*")
            .into_iter()
            .filter(|a| !m.patterns.iter().any(|p| p.matches(&a.full_name())))
            .collect();
    }
    let mut out: Vec<&'static ActionInfo> = m
        .patterns
        .iter()
        .flat_map(|p| catalog::expand_action_pattern(p.as_str()))
        .collect();
    out.sort_by(|a, b| (&a.service, &a.name).cmp(&(&b.service, &b.name)));
    out.dedup_by(|a, b| a.service == b.service && a.name == b.name);
    out
}

/// The highest access level among the actions a statement covers.
pub fn highest_access_level(st: &CompiledStatement) -> Option<AccessLevel> {
    covered_actions(st)
        .iter()
        .map(|a| a.access_level)
        .max_by_key(|l| rank(*l))
}

/// Permissions management above write, write above tagging, read and list.
fn rank(level: AccessLevel) -> u8 {
    match level {
        AccessLevel::List => 0,
        AccessLevel::Read => 1,
        AccessLevel::Tagging => 2,
        AccessLevel::Write => 3,
        AccessLevel::PermissionsManagement => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::compile::Matcher;
    use crate::model::{FileId, Span};
    use crate::policy::pattern::{CaseMode, Pattern};

    fn statement(negated: bool, actions: &[&str]) -> CompiledStatement {
        CompiledStatement {
            index: 0,
            sid: None,
            effect: None,
            actions: Some(Matcher {
                negated,
                patterns: actions
                    .iter()
                    .map(|a| Pattern::new(a, CaseMode::Insensitive))
                    .collect(),
                spans: Box::default(),
            }),
            services: crate::eval::service_mask::ServiceMask::ANY,
            resources: None,
            principal: None,
            conditions: Vec::new(),
            public: false,
            span: Span::at(FileId(0), 0),
            described: Default::default(),
        }
    }

    #[test]
    fn expands_wildcards_to_real_actions() {
        let names: Vec<String> = covered_actions(&statement(false, &["s3:Get*"]))
            .iter()
            .map(|a| a.full_name())
            .collect();
        assert!(names.iter().any(|n| n == "s3:GetObject"));
        assert!(!names.iter().any(|n| n == "s3:PutObject"));
        assert_eq!(
            highest_access_level(&statement(false, &["s3:GetObject"])),
            Some(AccessLevel::Read)
        );
        assert_eq!(
            highest_access_level(&statement(false, &["iam:*"])),
            Some(AccessLevel::PermissionsManagement)
        );
        // A typo covers nothing.
        assert!(covered_actions(&statement(false, &["s3:GetObjekt"])).is_empty());
    }

    #[test]
    fn not_action_covers_everything_else() {
        let all = covered_actions(&statement(false, &["*"])).len();
        let not_s3 = covered_actions(&statement(true, &["s3:*"]));
        let s3 = covered_actions(&statement(false, &["s3:*"])).len();
        assert_eq!(not_s3.len() + s3, all);
        assert!(not_s3.iter().all(|a| a.service != "s3"));
    }
}
