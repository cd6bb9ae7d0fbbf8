//! Findings and their builder.

use std::sync::Arc;

use crate::graph::Hop;
use crate::model::Span;

/// How bad a finding is, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// One level up (capped at critical).
    pub fn raise(self) -> Severity {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }
}

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The primary location (the statement or value at fault).
    pub span: Option<Span>,
    pub account: Option<String>,
    /// The other account the finding is about (the trusted or reaching account), for
    /// `[trusted] accounts` in the configuration.
    pub other_account: Option<String>,
    /// ARN of the user, role, policy or resource the finding is about.
    pub subject: String,
    /// The statement's Sid or `#index`, for baselines and ignores.
    pub statement: Option<String>,
    /// Secondary locations with a note each.
    pub related: Vec<(Span, String)>,
    /// For graph rules: the access path (as SARIF code flows).
    pub path: Vec<Arc<Hop>>,
}

/// Builds a finding: `FindingBuilder::new(rule, severity, subject).message(..).at(span)…`.
#[derive(Debug, Clone)]
pub struct FindingBuilder {
    f: Finding,
}

impl FindingBuilder {
    pub fn new(rule: &'static str, severity: Severity, subject: impl Into<String>) -> Self {
        FindingBuilder {
            f: Finding {
                rule,
                severity,
                message: String::new(),
                span: None,
                account: None,
                other_account: None,
                subject: subject.into(),
                statement: None,
                related: Vec::new(),
                path: Vec::new(),
            },
        }
    }

    /// The message; one that quotes a huge value is cut (the finding points at it).
    pub fn message(mut self, m: impl Into<String>) -> Self {
        self.f.message = shorten(m.into());
        self
    }

    pub fn at(mut self, span: Span) -> Self {
        self.f.span = Some(span);
        self
    }

    pub fn at_opt(mut self, span: Option<Span>) -> Self {
        self.f.span = span;
        self
    }

    pub fn account(mut self, a: Option<&str>) -> Self {
        self.f.account = a.map(str::to_string);
        self
    }

    /// The outside account the finding is about.
    pub fn other_account(mut self, a: Option<&str>) -> Self {
        self.f.other_account = a.map(str::to_string);
        self
    }

    pub fn statement(mut self, s: impl Into<String>) -> Self {
        self.f.statement = Some(s.into());
        self
    }

    pub fn related(mut self, span: Span, note: impl Into<String>) -> Self {
        self.f.related.push((span, note.into()));
        self
    }

    pub fn severity(mut self, s: Severity) -> Self {
        self.f.severity = s;
        self
    }

    pub fn path(mut self, hops: Vec<Arc<Hop>>) -> Self {
        self.f.path = hops;
        self
    }

    pub fn build(self) -> Finding {
        self.f
    }
}

/// Longest message kept whole.
const MESSAGE_CHARS: usize = 2_000;

/// A message of at most [`MESSAGE_CHARS`] characters and a count of the rest.
fn shorten(m: String) -> String {
    if m.len() <= MESSAGE_CHARS {
        return m;
    }
    let cut = m
        .char_indices()
        .nth(MESSAGE_CHARS)
        .map_or(m.len(), |(i, _)| i);
    let rest = m.get(cut..).map_or(0, |r| r.chars().count());
    format!(
        "{}… ({rest} more characters)",
        m.get(..cut).unwrap_or_default()
    )
}
