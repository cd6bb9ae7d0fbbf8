//! Policy documents as written: every element keeps its text and its span. The
//! `policy` layer compiles these into matchers; here nothing is interpreted away.

use super::{Span, Spanned};

/// Where a policy document sits; the grammar differs per kind (decision-rules §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// Inline or managed policy of a user, group or role.
    Identity,
    /// A role's trust policy (`AssumeRolePolicyDocument`).
    Trust,
    /// A resource-based policy (bucket, queue, topic, key, function, secret, repository).
    Resource,
    ServiceControl,
    ResourceControl,
    /// A managed policy used as a permissions boundary.
    Boundary,
    Session,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Trust => "trust",
            PolicyKind::Resource => "resource",
            PolicyKind::ServiceControl => "scp",
            PolicyKind::ResourceControl => "rcp",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
        }
    }

    /// Kinds whose statements name a principal.
    pub fn needs_principal(self) -> bool {
        matches!(
            self,
            PolicyKind::Trust | PolicyKind::Resource | PolicyKind::ResourceControl
        )
    }
}

impl std::fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub kind: PolicyKind,
    pub version: Option<Spanned<String>>,
    pub id: Option<Spanned<String>>,
    pub statements: Vec<Statement>,
    /// The whole document.
    pub span: Span,
    /// How the document was stored in its file.
    pub encoding: Encoding,
}

impl Policy {
    /// True when `${…}` is a variable, not literal text (Version 2012-10-17).
    pub fn has_variables(&self) -> bool {
        self.version
            .as_ref()
            .is_some_and(|v| v.value == "2012-10-17")
    }
}

/// How a document was embedded in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// A JSON object in the file.
    Object,
    /// A JSON string holding the document (`{"Policy": "{\"Version\"…"}`).
    EscapedString,
    /// A URL-encoded string (the raw IAM API).
    UrlEncoded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// A statement; elements missing from the document are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Position in the `Statement` array (0 for a lone statement object).
    pub index: usize,
    pub sid: Option<Spanned<String>>,
    /// `None` when the Effect is missing or not exactly `Allow`/`Deny`: the grammar
    /// check reported it; the evaluator treats it in the direction that hides nothing.
    pub effect: Option<Spanned<Effect>>,
    pub action: Option<Spanned<ValueBlock>>,
    pub resource: Option<Spanned<ValueBlock>>,
    pub principal: Option<Spanned<PrincipalBlock>>,
    pub conditions: Vec<Condition>,
    pub span: Span,
}

impl Statement {
    /// "Sid" or "#index" for messages.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.value.is_empty() => s.value.clone(),
            _ => format!("#{}", self.index),
        }
    }
}

/// `Action`/`NotAction` or `Resource`/`NotResource`: one string or a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueBlock {
    /// True for the `Not…` form.
    pub negated: bool,
    pub values: Vec<Spanned<String>>,
}

/// `Principal`/`NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalBlock {
    pub negated: bool,
    pub entries: Vec<PrincipalEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalEntry {
    pub kind: PrincipalKind,
    /// The value as written (`"*"`, an ARN, an account ID, a service name …).
    pub value: Spanned<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// `"Principal": "*"` — everyone, anonymous callers included.
    Everyone,
    Aws,
    Service,
    Federated,
    CanonicalUser,
    /// A principal type iampath does not know; kept and reported, never dropped.
    Unknown(String),
}

/// The condition key iampath adds to a statement of a proposed change (a plan, a
/// template) that depends on a value known only after deployment; no request sets
/// it, so an Allow it guards is conditional and a Deny it guards does not protect.
pub const KNOWN_AFTER_APPLY: &str = "iampath:KnownAfterApply";

/// One operator → key → values entry of a `Condition` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator as written (`StringEquals`, `ForAnyValue:StringLikeIfExists` …).
    pub operator: Spanned<String>,
    /// The key as written (case is not significant).
    pub key: Spanned<String>,
    pub values: Vec<Spanned<ConditionValue>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConditionValue {
    String(String),
    /// A JSON number as written.
    Number(String),
    Bool(bool),
    /// A value of a type AWS does not accept (null, object, nested array): reported.
    Invalid,
}

impl ConditionValue {
    /// The string form AWS compares with (`true`, `42`).
    pub fn as_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            ConditionValue::String(s) | ConditionValue::Number(s) => Some(s.as_str().into()),
            ConditionValue::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
            ConditionValue::Invalid => None,
        }
    }
}
