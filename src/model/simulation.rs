//! A `simulate` request file: one request and the policies to decide it with.

use super::{Policy, Span, Spanned};

/// A context key as written, with its values.
pub type ContextEntry = (Spanned<String>, Vec<String>);

#[derive(Debug, Clone, Default)]
pub struct Simulation {
    pub principal: Option<Spanned<String>>,
    pub action: Option<Spanned<String>>,
    pub resource: Option<Spanned<String>>,
    pub resource_account: Option<Spanned<String>>,
    /// Context keys as given (names as written), each with its values.
    pub context: Vec<ContextEntry>,
    pub identity_policies: Vec<Policy>,
    pub permissions_boundary: Option<Policy>,
    pub session_policy: Option<Policy>,
    pub resource_policy: Option<Policy>,
    /// Levels from the organization root down to the account.
    pub service_control_policies: Vec<Vec<Policy>>,
    pub resource_control_policies: Vec<Vec<Policy>>,
    pub management_account: Option<Spanned<String>>,
    pub restrict_public_buckets: bool,
    /// The `request` object, for diagnostics about it as a whole.
    pub span: Option<Span>,
}
