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
pub use sites::{PolicySite, Sites, policy_sites};

use crate::graph::Graph;
use crate::ingest::Diagnostic;
use crate::model::{Model, Statement};

/// What a rule may look at: the model (every policy with its place) and the load
/// diagnostics. The graph is given to [`Rule::check_graph`] only: by then the user
/// and role policy documents may be gone from the model (the graph holds them
/// compiled, with their places; see [`run_documents`]).
pub struct Context<'a> {
    pub model: &'a Model,
    /// Load diagnostics (the `invalid-policy` rule surfaces them).
    pub diagnostics: &'a [Diagnostic],
    /// Every policy of the model with its owner and kind.
    pub sites: Vec<PolicySite<'a>>,
}

impl<'a> Context<'a> {
    pub fn new(model: &'a Model, diagnostics: &'a [Diagnostic]) -> Self {
        Context {
            model,
            diagnostics,
            sites: policy_sites(model),
        }
    }

    /// True when the account is one of the loaded ones.
    pub fn is_loaded(&self, account: &str) -> bool {
        self.model.accounts.contains_key(account)
    }
}

/// What a rule is, declared once per rule file: its stable kebab-case id, default
/// severity, one-line summary and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    /// The severity of its findings unless one says otherwise.
    pub severity: Severity,
    /// One line: what the rule flags.
    pub summary: &'static str,
    /// The rule's documentation (Markdown), with a bad and a good example.
    pub doc: &'static str,
}

impl RuleMeta {
    /// A finding of this rule about `subject`, at the default severity.
    pub fn finding(&self, subject: impl Into<String>) -> FindingBuilder {
        FindingBuilder::new(self.id, self.severity, subject)
    }

    /// A finding about one statement of a policy: subject, account and statement set,
    /// at the statement (narrow the span with `at`), at the default severity.
    pub fn finding_in(&self, site: &PolicySite, st: &Statement) -> FindingBuilder {
        self.finding(site.subject)
            .account(site.account)
            .statement(st.label())
            .at(st.span)
    }
}

/// A lint rule: its [`RuleMeta`] and two checks. [`Rule::check`] reads the documents:
/// it walks the policies the rule selects with [`Rule::sites`], one
/// [`Rule::check_site`] per policy and one [`Rule::check_statement`] per statement; a
/// rule overrides the level it needs, or `check` itself when it reads the
/// diagnostics. [`Rule::check_graph`] reads the graph.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    fn id(&self) -> &'static str {
        self.meta().id
    }

    fn severity(&self) -> Severity {
        self.meta().severity
    }

    /// One line: what the rule flags.
    fn summary(&self) -> &'static str {
        self.meta().summary
    }

    /// The rule's documentation (Markdown), with a bad and a good example.
    fn doc(&self) -> &'static str {
        self.meta().doc
    }

    /// The policies the default `check` walks; none unless the rule says.
    fn sites(&self) -> Sites {
        Sites::None
    }

    /// Appends the rule's findings about the documents to `out`. It runs before the
    /// graph is built, on every document of the load.
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        walk_sites(self, cx, out);
    }

    /// Appends the rule's findings about the graph to `out`. It runs after the
    /// build, when the user and role policy documents may be gone from
    /// `cx.model` (read them compiled, from the graph's principals).
    fn check_graph(&self, _cx: &Context, _graph: &Graph, _out: &mut Vec<Finding>) {}

    /// One policy of the rule's [`Rule::sites`].
    fn check_site(&self, cx: &Context, site: &PolicySite, out: &mut Vec<Finding>) {
        for st in &site.policy.statements {
            self.check_statement(cx, site, st, out);
        }
    }

    /// One statement of a policy of the rule's [`Rule::sites`].
    fn check_statement(
        &self,
        _cx: &Context,
        _site: &PolicySite,
        _st: &Statement,
        _out: &mut Vec<Finding>,
    ) {
    }
}

/// The default `check`: [`Rule::check_site`] for each policy of the rule's
/// [`Rule::sites`]. A rule that overrides `check` calls it for its policy part.
pub fn walk_sites<R: Rule + ?Sized>(rule: &R, cx: &Context, out: &mut Vec<Finding>) {
    for site in rule.sites().of(cx) {
        rule.check_site(cx, site, out);
    }
}

/// The findings of every rule about the documents ([`Rule::check`]). `lint` runs
/// them before the graph is built, so the build can let the documents go as it
/// compiles them (at organization scale they are a tenth of the memory).
pub fn run_documents(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in rules::registry() {
        r.check(cx, &mut out);
    }
    out
}

/// Appends the findings of every rule about the graph ([`Rule::check_graph`]) to
/// `out` (an organization has hundreds of thousands: one list grows, not two).
pub fn run_graph(cx: &Context, graph: &Graph, out: &mut Vec<Finding>) {
    for r in rules::registry() {
        r.check_graph(cx, graph, out);
    }
}

/// Every rule on a model that still holds its documents and its graph, findings
/// sorted ([`sort`]).
pub fn run(cx: &Context, graph: &Graph) -> Vec<Finding> {
    let mut out = run_documents(cx);
    run_graph(cx, graph, &mut out);
    sort(&mut out);
    out
}

/// Findings by file position, rule, subject and message: the same order on every
/// run, whatever order the rules found them in.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| (f.span.map(|s| (s.file, s.start)), f.rule);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.message.cmp(&b.message))
    });
}
