//! The rule catalog: one file per rule under `rules/`, a registry, and findings built
//! with a builder. Rules read the model (every policy with its place) and the graph;
//! they never print.

pub mod assertions;
pub mod baseline;
pub mod config;
pub mod diff;
pub mod finding;
pub mod rules;
pub mod sites;

pub use finding::{Finding, FindingBuilder, Severity};
pub use sites::{PolicySite, policy_sites};

use crate::graph::Graph;
use crate::ingest::Diagnostic;
use crate::model::Model;

/// What a rule may look at.
pub struct Context<'a> {
    pub model: &'a Model,
    pub graph: &'a Graph,
    /// Load diagnostics (the `invalid-policy` rule surfaces them).
    pub diagnostics: &'a [Diagnostic],
    /// Every policy of the model with its owner and kind.
    pub sites: Vec<PolicySite<'a>>,
}

impl<'a> Context<'a> {
    pub fn new(model: &'a Model, graph: &'a Graph, diagnostics: &'a [Diagnostic]) -> Self {
        Context {
            model,
            graph,
            diagnostics,
            sites: policy_sites(model),
        }
    }

    /// True when the account is one of the loaded ones.
    pub fn is_loaded(&self, account: &str) -> bool {
        self.model.accounts.contains_key(account)
    }
}

/// A lint rule: a stable kebab-case id, a default severity, a one-paragraph doc with a
/// bad and a good example, and the check.
pub trait Rule: Sync {
    fn id(&self) -> &'static str;
    fn severity(&self) -> Severity;
    /// One line: what the rule flags.
    fn summary(&self) -> &'static str;
    /// The rule's documentation (Markdown), with a bad and a good example.
    fn doc(&self) -> &'static str;
    fn check(&self, cx: &Context) -> Vec<Finding>;
}

/// Runs every rule, findings sorted by file position then rule.
pub fn run(cx: &Context) -> Vec<Finding> {
    let mut out: Vec<Finding> = rules::registry().iter().flat_map(|r| r.check(cx)).collect();
    out.sort_by(|a, b| {
        let key = |f: &Finding| (f.span.map(|s| (s.file, s.start)), f.rule);
        key(a).cmp(&key(b)).then_with(|| a.subject.cmp(&b.subject))
    });
    out
}
