//! `diff BEFORE AFTER`: new and removed access paths across accounts, new and fixed
//! findings. Removing access never fails the gate.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::baseline::key;
use super::{Finding, Severity};
use crate::graph::Hop;
use crate::graph::paths::Crossing;

/// A path that crosses an account boundary, keyed by who, what and where.
#[derive(Debug, Clone)]
pub struct PathChange {
    pub from_account: String,
    pub to_account: String,
    pub hop: Arc<Hop>,
    /// New paths from outside the loaded accounts (or anonymous) are high, others medium.
    pub severity: Severity,
}

#[derive(Debug, Clone, Default)]
pub struct Diff {
    pub new_paths: Vec<PathChange>,
    pub removed_paths: Vec<PathChange>,
    pub new_findings: Vec<Finding>,
    pub fixed_findings: Vec<Finding>,
}

impl Diff {
    /// True when something new is at or above `threshold`.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.new_findings.iter().any(|f| f.severity >= threshold)
            || self.new_paths.iter().any(|p| p.severity >= threshold)
    }
}

fn path_key(c: &Crossing) -> (String, String, String) {
    (
        c.hop.from.to_string(),
        c.hop.to.to_string(),
        c.hop.action.to_string(),
    )
}

/// Compares two snapshots; `loaded_after` are the accounts of the after snapshot.
pub fn diff(
    before: (&[Crossing], &[Finding]),
    after: (&[Crossing], &[Finding]),
    loaded_after: &[String],
) -> Diff {
    let before_paths: BTreeSet<_> = before.0.iter().map(path_key).collect();
    let after_paths: BTreeSet<_> = after.0.iter().map(path_key).collect();
    let change = |c: &Crossing| {
        let outside = !loaded_after.contains(&c.from_account);
        PathChange {
            from_account: c.from_account.clone(),
            to_account: c.to_account.clone(),
            hop: c.hop.clone(),
            severity: if outside {
                Severity::High
            } else {
                Severity::Medium
            },
        }
    };
    let before_findings: BTreeSet<String> = before.1.iter().map(key).collect();
    let after_findings: BTreeSet<String> = after.1.iter().map(key).collect();
    Diff {
        new_paths: after
            .0
            .iter()
            .filter(|c| !before_paths.contains(&path_key(c)))
            .map(change)
            .collect(),
        removed_paths: before
            .0
            .iter()
            .filter(|c| !after_paths.contains(&path_key(c)))
            .map(change)
            .collect(),
        new_findings: after
            .1
            .iter()
            .filter(|f| !before_findings.contains(&key(f)))
            .cloned()
            .collect(),
        fixed_findings: before
            .1
            .iter()
            .filter(|f| !after_findings.contains(&key(f)))
            .cloned()
            .collect(),
    }
}
