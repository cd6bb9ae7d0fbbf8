//! The policy language: wildcard patterns, ARNs, conditions, variables. No I/O.

pub mod pattern;
