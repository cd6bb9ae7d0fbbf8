//! `diff BEFORE AFTER`: new and removed access paths across accounts, new and fixed
//! findings. Removing access never fails the gate.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use super::baseline::key;
use super::{Finding, Severity};
use crate::eval::Decision;
use crate::graph::paths::Crossing;

/// A path across accounts as `diff` compares and reports it: a crossing without its
/// grants and conditions (a snapshot of an organization has a million, held while
/// the other snapshot is built).
#[derive(Debug, Clone)]
pub struct Crossed {
    pub from_account: String,
    pub to_account: String,
    pub from: Arc<str>,
    pub to: Arc<str>,
    pub action: Cow<'static, str>,
    pub decision: Decision,
}

impl Crossed {
    pub fn of(c: &Crossing) -> Crossed {
        Crossed {
            from_account: c.from_account.clone(),
            to_account: c.to_account.clone(),
            from: c.hop.from.clone(),
            to: c.hop.to.clone(),
            action: c.hop.action.clone(),
            decision: c.hop.decision,
        }
    }

    /// Who, what and where: the same path in both snapshots.
    fn key(&self) -> (&str, &str, &str) {
        (&self.from, &self.to, &self.action)
    }
}

/// A path across accounts that a change adds or removes.
#[derive(Debug, Clone)]
pub struct PathChange {
    pub path: Crossed,
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

/// Compares two snapshots; `loaded_after` are the accounts of the after snapshot.
pub fn diff(
    before: (&[Crossed], &[Finding]),
    after: (&[Crossed], &[Finding]),
    loaded_after: &[String],
) -> Diff {
    let before_paths: BTreeSet<_> = before.0.iter().map(Crossed::key).collect();
    let after_paths: BTreeSet<_> = after.0.iter().map(Crossed::key).collect();
    let change = |c: &Crossed| {
        let outside = !loaded_after.contains(&c.from_account);
        PathChange {
            path: c.clone(),
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
            .filter(|c| !before_paths.contains(&c.key()))
            .map(change)
            .collect(),
        removed_paths: before
            .0
            .iter()
            .filter(|c| !after_paths.contains(&c.key()))
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
