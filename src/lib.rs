//! iampath: an offline access-path analyzer and linter for AWS IAM.
//!
//! Data flows one way: files → [`source`] → [`ingest`] → [`model`] → eval → graph →
//! queries and rules → [`report`]. The [`catalog`] holds bundled AWS data.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod cli;
pub mod eval;
pub mod graph;
pub mod ingest;
pub mod lint;
mod memo;
pub mod model;
pub mod policy;
pub mod report;
pub mod run;
pub mod source;
