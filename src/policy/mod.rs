//! The policy language: wildcard patterns, ARNs, conditions, variables. No I/O.

pub mod arn;
pub mod condition;
pub mod context;
pub mod pattern;
pub mod scoped;
pub mod variables;

pub use condition::condition_operator_is_known;
