//! `paths`: access paths that cross account boundaries, grouped by source → target.

use schemars::JsonSchema;
use serde::Serialize;

use super::records::write_json;
use crate::graph::paths::Crossing;

/// `paths --format json`.
#[derive(Serialize, JsonSchema)]
pub struct PathsDoc<'a> {
    pub paths: Vec<CrossingJson<'a>>,
}

/// One hop that crosses from one account into another.
#[derive(Serialize, JsonSchema)]
pub struct CrossingJson<'a> {
    /// The source account (`anonymous`, or "outside AWS" for identity providers).
    pub from_account: &'a str,
    pub to_account: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub action: &'a str,
    /// `assume-role` or `access`.
    #[schemars(extend("enum" = ["assume-role", "access"]))]
    pub kind: &'static str,
    #[schemars(extend("enum" = ["allowed", "conditional"]))]
    pub decision: &'static str,
    pub conditions: &'a [String],
}

pub fn json(
    out: &mut dyn std::io::Write,
    c: impl IntoIterator<Item = Crossing>,
) -> std::io::Result<()> {
    let doc = PathsStream {
        paths: Rows(std::cell::RefCell::new(Some(c.into_iter()))),
    };
    write_json(out, &doc)
}

/// [`PathsDoc`] written as the crossings come (an organization has millions: neither
/// they nor their rows are held all at once).
#[derive(Serialize)]
#[serde(bound = "")]
struct PathsStream<I: Iterator<Item = Crossing>> {
    paths: Rows<I>,
}

/// The rows of [`PathsStream`]: the crossings are read once, as they are written.
struct Rows<I>(std::cell::RefCell<Option<I>>);

impl<I: Iterator<Item = Crossing>> Serialize for Rows<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rows = self.0.borrow_mut().take().into_iter().flatten();
        s.collect_seq(rows.map(Row))
    }
}

/// One crossing, written as [`CrossingJson`].
struct Row(Crossing);

impl Serialize for Row {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = &self.0;
        CrossingJson {
            from_account: &x.from_account,
            to_account: &x.to_account,
            from: &x.hop.from,
            to: &x.hop.to,
            action: &x.hop.action,
            kind: x.hop.kind.as_str(),
            decision: x.hop.decision.as_str(),
            conditions: &x.hop.conditions,
        }
        .serialize(s)
    }
}

/// `paths` for people: by source → target account, one line per hop. Written hop by
/// hop (an organization has millions).
pub fn text(
    out: &mut dyn std::io::Write,
    c: impl IntoIterator<Item = Crossing>,
) -> std::io::Result<()> {
    let mut group: Option<(String, String)> = None;
    for x in c {
        let same = group
            .as_ref()
            .is_some_and(|(a, b)| *a == x.from_account && *b == x.to_account);
        if !same {
            writeln!(out, "{} → {}", x.from_account, x.to_account)?;
            group = Some((x.from_account.clone(), x.to_account.clone()));
        }
        let cond = if x.hop.conditions.is_empty() {
            String::new()
        } else {
            format!(" [{}]", x.hop.conditions.join("; "))
        };
        writeln!(
            out,
            "  {} → {} ({}, {}){cond}",
            x.hop.from,
            x.hop.to,
            x.hop.action,
            x.hop.decision.as_str()
        )?;
    }
    if group.is_none() {
        writeln!(out, "no path crosses an account boundary")?;
    }
    Ok(())
}
