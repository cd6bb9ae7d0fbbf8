//! The typed model of loaded accounts, principals, resources and policies. No I/O:
//! every element carries a [`Span`] into the file it came from, nothing more.

mod account;
mod org;
mod policy;
mod simulation;

pub use account::*;
pub use org::*;
pub use policy::*;
pub use simulation::*;

/// Index of a loaded file in the load's source map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range of a loaded file (always of the original file, also for documents
/// that were embedded as escaped or URL-encoded strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// An empty span at one offset (a whole-file problem is `at(file, 0)`).
    pub fn at(file: FileId, offset: u32) -> Span {
        Span {
            file,
            start: offset,
            end: offset,
        }
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Everything a load produced: accounts by ID, the organization, and policy
/// documents that sit outside any account (validated, attached to nothing).
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub accounts: std::collections::BTreeMap<String, Account>,
    pub organization: Option<Organization>,
    pub standalone: Vec<Policy>,
    /// Policies of proposed changes (a Terraform plan) whose text is known only after
    /// the change is applied, and which could not be rebuilt: what they grant is not
    /// known, so a gate must not pass on them.
    pub unknown_policies: Vec<UnknownPolicy>,
}

/// A policy of a proposed change that could not be read (its text is known only after
/// apply).
#[derive(Debug, Clone)]
pub struct UnknownPolicy {
    /// The IaC address (`aws_iam_role.deploy`).
    pub address: String,
    /// The attribute that holds it (`assume_role_policy`, `policy`, `inline_policy`).
    pub attribute: String,
    /// The ARN of the user, role, group, policy or resource it belongs to (with an
    /// unknown name where the name is unknown too).
    pub subject: String,
    pub account: String,
    /// Why it could not be read.
    pub reason: String,
    /// The resource change in the plan.
    pub span: Span,
}

impl Model {
    /// The account, created empty if it was not there yet.
    pub fn account_mut(&mut self, id: &str) -> &mut Account {
        self.accounts
            .entry(id.to_string())
            .or_insert_with(|| Account::new(id, None))
    }
}

/// True for a 12-digit AWS account ID.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}
