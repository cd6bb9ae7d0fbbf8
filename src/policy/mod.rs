//! The policy language: wildcard patterns, ARNs, conditions, variables. No I/O.

pub mod arn;
pub mod condition;
pub mod pattern;

pub use condition::condition_operator_is_known;
