//! Outputs: each format is a function from results to output. JSON documents are typed
//! structs (their JSON Schemas, generated from them, are in `docs/schemas/`), written
//! through a writer. Nothing upstream knows which format will be printed.

pub mod access;
pub mod diagnostics;
pub mod diff;
pub mod errors;
pub mod escalations;
pub mod graph;
pub mod html;
pub mod lint;
pub mod load;
pub mod paths;
pub mod records;
pub mod sarif;
pub mod schema;
pub mod simulate;
pub mod what_can;
