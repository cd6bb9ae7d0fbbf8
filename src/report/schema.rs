//! The JSON Schema of each command's `--format json` document, generated from the
//! typed structs of this module's siblings. `docs/schemas/` holds them; a test checks
//! that they are current.

use schemars::{JsonSchema, Schema, schema_for};

/// (command, schema) for every command that prints JSON.
pub fn all() -> Vec<(&'static str, Schema)> {
    fn one<T: JsonSchema>(name: &'static str) -> (&'static str, Schema) {
        let mut s = schema_for!(T);
        s.insert(
            "$id".into(),
            format!("https://github.com/iampath/iampath/docs/schemas/{name}.json").into(),
        );
        (name, s)
    }
    vec![
        one::<super::load::LoadDoc<'static>>("load"),
        one::<super::simulate::SimulateDoc<'static>>("simulate"),
        one::<super::access::CanDoc<'static>>("can"),
        one::<super::access::WhoDoc<'static>>("who-can"),
        one::<super::what_can::WhatCanDoc<'static>>("what-can"),
        one::<super::paths::PathsDoc<'static>>("paths"),
        one::<super::lint::LintDoc<Vec<super::records::FindingJson<'static>>>>("lint"),
        one::<super::diff::DiffDoc<'static>>("diff"),
        one::<super::escalations::EscalationsDoc<Vec<super::escalations::EscalationJson<'static>>>>(
            "escalations",
        ),
    ]
}
