//! Outputs: each format is a function from results to text. Nothing upstream knows
//! which format will be printed.

pub mod access;
pub mod diagnostics;
pub mod diff;
pub mod errors;
pub mod lint;
pub mod load;
pub mod overview;
pub mod simulate;
pub mod what_can;
