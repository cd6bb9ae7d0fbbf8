//! The decision logic of iam-semantics.md for one request. It takes compiled policies
//! and a request and returns a decision with reasons; it never opens a file and never
//! prints.

pub mod compile;
mod decide;
pub mod principal;
mod public;
pub mod request;
pub mod simulation;

pub use compile::{CompiledPolicy, CompiledStatement, compile};
pub use decide::{Inputs, Level, Request, ResourcePolicyKind, evaluate};
pub use request::Caller;

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
    /// The policy's label (empty for notes about the flow itself).
    pub policy: String,
    /// "`Sid`" or "#index".
    pub statement: Option<String>,
    pub span: Option<Span>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub decision: Decision,
    pub reasons: Vec<Reason>,
    /// For a conditional decision: the conditions the statements depend on.
    pub conditions: Vec<String>,
}
