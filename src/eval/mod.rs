//! The decision logic of docs/decision-rules.md for one request. It takes compiled policies
//! and a request and returns a decision with reasons; it never opens a file and never
//! prints.

pub mod action_sets;
pub mod actions;
pub mod admin;
pub mod compile;
mod decide;
pub mod intern;
pub mod principal;
mod public;
pub mod request;
pub mod service_mask;
pub mod simulation;

pub use compile::{CompiledPolicy, CompiledStatement, compile};
pub use decide::{Inputs, Level, Request, ResourcePolicyKind, decision, evaluate};
pub use request::{Caller, PrincipalError};

use std::sync::Arc;

use crate::model::Span;

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Allowed,
    /// Allowed only if the conditions in [`Evaluation::conditions`] hold (unknown context).
    Conditional,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Conditional => "conditional",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
        }
    }

    pub fn is_allowed(self) -> bool {
        self == Decision::Allowed
    }
}

/// Which part of the decision flow a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gate {
    Identity,
    Boundary,
    Session,
    Resource,
    Scp,
    Rcp,
    BlockPublicAccess,
    CrossAccount,
}

impl Gate {
    pub fn as_str(self) -> &'static str {
        match self {
            Gate::Identity => "identity",
            Gate::Boundary => "boundary",
            Gate::Session => "session",
            Gate::Resource => "resource",
            Gate::Scp => "scp",
            Gate::Rcp => "rcp",
            Gate::BlockPublicAccess => "block-public-access",
            Gate::CrossAccount => "cross-account",
        }
    }
}

/// What a reason says about its gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// A statement that allows.
    Allow,
    /// A statement that denies.
    Deny,
    /// A statement that allows or denies only under conditions not known.
    Conditional,
    /// Nothing allowed at this gate.
    Missing,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
            Verdict::Conditional => "conditional",
            Verdict::Missing => "missing",
        }
    }
}

/// Why: a statement that allowed or denied, or a gate where nothing allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub gate: Gate,
    pub verdict: Verdict,
    /// The policy's (or organization level's) label; empty for notes about the flow.
    pub policy: Arc<str>,
    pub statement: Option<StatementRef>,
    pub span: Option<Span>,
    pub detail: Detail,
}

/// A statement of a policy, by position and Sid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRef {
    pub index: usize,
    pub sid: Option<Arc<str>>,
}

impl StatementRef {
    /// "`Sid`" or "#index".
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => format!("`{s}`"),
            _ => format!("#{}", self.index),
        }
    }
}

/// What a reason says; its text is made on demand by [`Reason::message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// The statement allows or denies (under `conditions` when they are not known).
    Statement {
        effect: crate::model::Effect,
        conditions: Option<String>,
        unknown_operator: bool,
    },
    /// No policy at this organization level allows the request.
    NoLevelAllow,
    NoIdentityPolicy,
    NoIdentityAllow,
    /// The named policy (boundary, session, resource) does not allow the request.
    PolicyDoesNotAllow,
    RootCannotAssume,
    CrossAccountNoResourcePolicy,
    CrossAccountNotNamed,
    BlockPublicAccess,
}

impl Reason {
    /// The reason as a sentence about this request.
    pub fn message(&self, caller: &str, action: &str, resource: &str) -> String {
        let policy = &self.policy;
        let on = format!("{action} on {resource}");
        match &self.detail {
            Detail::Statement { effect, conditions, unknown_operator } => {
                let verb = match effect {
                    crate::model::Effect::Allow => "allows",
                    crate::model::Effect::Deny => "denies",
                };
                let statement = self.statement.as_ref().map(StatementRef::label).unwrap_or_default();
                let mut m = format!("{policy} statement {statement} {verb} {on}");
                if let Some(c) = conditions {
                    m.push_str(&format!(" if {c}"));
                }
                if *unknown_operator {
                    m.push_str(" (an unknown condition operator is treated as possibly true)");
                }
                m
            }
            Detail::NoLevelAllow => {
                let kind = if self.gate == Gate::Scp { "SCP" } else { "RCP" };
                format!("no {kind} at {policy} allows {on}")
            }
            Detail::NoIdentityPolicy => format!("the caller has no identity policy allowing {on}"),
            Detail::NoIdentityAllow => format!("no identity policy allows {on}"),
            Detail::PolicyDoesNotAllow => match self.gate {
                Gate::Boundary => format!("the permissions boundary {policy} does not allow {on}"),
                Gate::Session => format!("the session policy {policy} does not allow {on}"),
                _ if policy.is_empty() => format!("there is no resource policy allowing {action} for {caller}"),
                _ => format!("{policy} does not allow {action} for {caller}"),
            },
            Detail::RootCannotAssume => "the root user cannot assume roles".to_string(),
            Detail::CrossAccountNoResourcePolicy => "the resource is in another account and has no resource policy: it can be reached only through a role of its own account".to_string(),
            Detail::CrossAccountNotNamed => format!("{policy} does not name the caller or its account: cross-account access needs both sides"),
            Detail::BlockPublicAccess => "S3 Block Public Access (RestrictPublicBuckets) blocks access through the public bucket policy for callers outside the owning account".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub decision: Decision,
    /// What the resource policy was (trust and key policies follow their own rules).
    pub resource_kind: ResourcePolicyKind,
    pub reasons: Vec<Reason>,
    /// For a conditional decision: the conditions the statements depend on.
    pub conditions: Vec<String>,
}
