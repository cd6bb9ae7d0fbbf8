//! An evaluated policy document written out as JSON, with an offset map back to the
//! template, so that the policy reader's findings point at template nodes.
//!
//! A statement that holds a value not known before deployment gets the condition
//! `iampath:KnownAfterApply`: an Allow becomes conditional, a Deny no longer
//! protects. An unknown principal is `*`; a condition whose value is unknown is left
//! out (the marker condition keeps the statement from looking unconditional).

use super::value::{Kind, Val};
use crate::ingest::iac::rebuild::UNKNOWN_KEY;
use crate::source::decode::OffsetMap;

pub struct Rendered {
    pub text: String,
    pub map: OffsetMap,
}

struct Out {
    text: String,
    map: OffsetMap,
}

impl Out {
    fn raw(&mut self, s: &str, at: u32) {
        self.map.push(self.text.len(), at as usize);
        self.text.push_str(s);
    }

    fn string(&mut self, s: &str, at: u32) {
        let quoted = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string());
        self.raw(&quoted, at);
    }

    /// Any value, as it is (unknown parts as `*`).
    fn value(&mut self, v: &Val) {
        match &v.kind {
            Kind::Str(s) => self.string(s, v.at),
            Kind::Scalar(s) => self.raw(s, v.at),
            Kind::Null | Kind::NoValue => self.raw("null", v.at),
            Kind::List(items) | Kind::Both(items) => {
                self.raw("[", v.at);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.raw(",", item.at);
                    }
                    self.value(item);
                }
                self.raw("]", v.at);
            }
            Kind::Map(members) => {
                self.raw("{", v.at);
                for (i, (k, kat, val)) in members.iter().enumerate() {
                    if i > 0 {
                        self.raw(",", *kat);
                    }
                    self.string(k, *kat);
                    self.raw(":", *kat);
                    self.value(val);
                }
                self.raw("}", v.at);
            }
        }
    }
}

/// Writes a policy document (what is not one is written as it is, for the policy
/// reader to report).
pub fn policy(doc: &Val) -> Rendered {
    let mut out = Out {
        text: String::new(),
        map: OffsetMap::default(),
    };
    match &doc.kind {
        Kind::Map(members) => {
            out.raw("{", doc.at);
            for (i, (k, kat, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.raw(",", *kat);
                }
                out.string(k, *kat);
                out.raw(":", *kat);
                if k == "Statement" {
                    statements(&mut out, v);
                } else {
                    out.value(v);
                }
            }
            out.raw("}", doc.at);
        }
        _ => out.value(doc),
    }
    Rendered {
        text: out.text,
        map: out.map,
    }
}

fn statements(out: &mut Out, v: &Val) {
    match &v.kind {
        Kind::List(items) | Kind::Both(items) => {
            out.raw("[", v.at);
            for (i, st) in items.iter().enumerate() {
                if i > 0 {
                    out.raw(",", st.at);
                }
                let inherited = st.unknown.as_deref().or(v.unknown.as_deref());
                statement(out, st, inherited);
            }
            out.raw("]", v.at);
        }
        Kind::Map(_) => statement(out, v, v.unknown.as_deref()),
        _ => out.value(v),
    }
}

fn statement(out: &mut Out, st: &Val, inherited: Option<&str>) {
    let Kind::Map(members) = &st.kind else {
        out.value(st);
        return;
    };
    let mut why: Option<String> = inherited.map(str::to_string);
    out.raw("{", st.at);
    let mut first = true;
    let mut condition = None;
    for (k, kat, v) in members {
        if k == "Condition" {
            condition = Some((kat, v));
            continue;
        }
        if why.is_none() {
            why = v.why().map(str::to_string);
        }
        if !first {
            out.raw(",", *kat);
        }
        first = false;
        if k == "NotAction" || k == "NotResource" {
            // An unknown element may exclude anything: left out, so the statement
            // covers more, never less; none known, it may cover everything.
            let known: Vec<Val> = v
                .items()
                .into_iter()
                .filter(|i| i.why().is_none())
                .cloned()
                .collect();
            let (key, list) = if known.is_empty() {
                let plain = if k == "NotAction" {
                    "Action"
                } else {
                    "Resource"
                };
                (plain, vec![Val::str("*", v.at)])
            } else {
                (k.as_str(), known)
            };
            out.string(key, *kat);
            out.raw(":", *kat);
            out.value(&Val {
                kind: Kind::List(list),
                at: v.at,
                unknown: None,
            });
            continue;
        }
        out.string(k, *kat);
        out.raw(":", *kat);
        if k == "Principal" || k == "NotPrincipal" {
            principal(out, v);
        } else {
            out.value(v);
        }
    }
    // The condition: operators whose values are all known, then the marker.
    let mut marked = false;
    let mut wrote_condition = false;
    if let Some((
        kat,
        Val {
            kind: Kind::Map(ops),
            at,
            ..
        },
    )) = condition
    {
        let mut body = Vec::new();
        for (op, oat, keys) in ops {
            let Kind::Map(keys) = &keys.kind else {
                continue;
            };
            let known: Vec<&(String, u32, Val)> = keys
                .iter()
                .filter(|(_, _, v)| match v.why() {
                    Some(w) => {
                        if why.is_none() {
                            why = Some(w.to_string());
                        }
                        false
                    }
                    None => true,
                })
                .collect();
            body.push((op, *oat, known));
        }
        if !first {
            out.raw(",", *kat);
        }
        first = false;
        wrote_condition = true;
        out.string("Condition", *kat);
        out.raw(":{", *at);
        let mut first_op = true;
        for (op, oat, keys) in &body {
            let mark_here = why.is_some() && !marked && op.as_str() == "StringEquals";
            if keys.is_empty() && !mark_here {
                continue;
            }
            if !first_op {
                out.raw(",", *oat);
            }
            first_op = false;
            out.string(op, *oat);
            out.raw(":{", *oat);
            for (i, (k, kat, v)) in keys.iter().enumerate() {
                if i > 0 {
                    out.raw(",", *kat);
                }
                out.string(k, *kat);
                out.raw(":", *kat);
                out.value(v);
            }
            if mark_here && let Some(w) = &why {
                if !keys.is_empty() {
                    out.raw(",", *oat);
                }
                out.string(UNKNOWN_KEY, *oat);
                out.raw(":", *oat);
                out.string(w, *oat);
                marked = true;
            }
            out.raw("}", *oat);
        }
        if let (Some(w), false) = (&why, marked) {
            if !first_op {
                out.raw(",", *at);
            }
            out.raw("\"StringEquals\":{", *at);
            out.string(UNKNOWN_KEY, *at);
            out.raw(":", *at);
            out.string(w, *at);
            out.raw("}", *at);
            marked = true;
        }
        out.raw("}", *at);
    } else if let Some((kat, v)) = condition {
        // Not an object: copied for the policy reader to report.
        if !first {
            out.raw(",", *kat);
        }
        first = false;
        out.string("Condition", *kat);
        out.raw(":", *kat);
        out.value(v);
    }
    if let (Some(w), false, false) = (&why, marked, wrote_condition) {
        if !first {
            out.raw(",", st.at);
        }
        out.raw("\"Condition\":{\"StringEquals\":{", st.at);
        out.string(UNKNOWN_KEY, st.at);
        out.raw(":", st.at);
        out.string(w, st.at);
        out.raw("}}", st.at);
    }
    out.raw("}", st.at);
}

/// A principal whose values are not all known: each unknown one is `*`.
fn principal(out: &mut Out, v: &Val) {
    let star = |v: &Val| Val {
        kind: Kind::Str("*".into()),
        at: v.at,
        unknown: None,
    };
    let fix = |v: &Val| -> Val {
        match &v.kind {
            _ if v.why().is_some() && !matches!(v.kind, Kind::List(_) | Kind::Both(_)) => star(v),
            Kind::List(items) | Kind::Both(items) => Val {
                kind: Kind::List(
                    items
                        .iter()
                        .map(|i| {
                            if i.why().is_some() {
                                star(i)
                            } else {
                                i.clone()
                            }
                        })
                        .collect(),
                ),
                at: v.at,
                unknown: None,
            },
            _ => v.clone(),
        }
    };
    match &v.kind {
        Kind::Map(members) => {
            let fixed = Val {
                kind: Kind::Map(
                    members
                        .iter()
                        .map(|(k, kat, val)| (k.clone(), *kat, fix(val)))
                        .collect(),
                ),
                at: v.at,
                unknown: None,
            };
            out.value(&fixed);
        }
        _ => out.value(&fix(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Val {
        Val::str(x, 0)
    }

    fn map(members: Vec<(&str, Val)>) -> Val {
        Val {
            kind: Kind::Map(
                members
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), 0, v))
                    .collect(),
            ),
            at: 0,
            unknown: None,
        }
    }

    fn doc(st: Val) -> serde_json::Value {
        let d = map(vec![("Version", s("2012-10-17")), ("Statement", st)]);
        serde_json::from_str(&policy(&d).text).unwrap()
    }

    #[test]
    fn an_unknown_not_action_element_is_left_out_and_none_known_covers_everything() {
        let st = map(vec![
            ("Effect", s("Allow")),
            (
                "NotAction",
                Val {
                    kind: Kind::List(vec![Val::unknown("param", 0), s("iam:*")]),
                    at: 0,
                    unknown: None,
                },
            ),
            ("Resource", s("*")),
        ]);
        let v = doc(st);
        assert_eq!(v["Statement"]["NotAction"], serde_json::json!(["iam:*"]));
        assert_eq!(
            v["Statement"]["Condition"]["StringEquals"][UNKNOWN_KEY],
            "param"
        );
        let st = map(vec![
            ("Effect", s("Allow")),
            ("NotAction", Val::unknown("param", 0)),
            ("Resource", s("*")),
        ]);
        let v = doc(st);
        assert_eq!(v["Statement"]["Action"], serde_json::json!(["*"]));
    }

    #[test]
    fn known_statements_are_written_as_they_are() {
        let st = map(vec![
            ("Effect", s("Allow")),
            ("Action", s("s3:GetObject")),
            ("Resource", s("arn:aws:s3:::b/*")),
        ]);
        let v = doc(st);
        assert_eq!(v["Statement"]["Action"], "s3:GetObject");
        assert!(v["Statement"].get("Condition").is_none());
    }

    #[test]
    fn an_unknown_value_marks_the_statement_and_an_unknown_principal_is_star() {
        let st = map(vec![
            ("Effect", s("Deny")),
            ("Principal", map(vec![("AWS", Val::unknown("imported", 0))])),
            ("Action", s("s3:*")),
            (
                "Condition",
                map(vec![(
                    "StringEquals",
                    map(vec![("aws:SourceVpc", Val::unknown("param", 0))]),
                )]),
            ),
        ]);
        let v = doc(st);
        assert_eq!(v["Statement"]["Principal"]["AWS"], "*");
        let c = &v["Statement"]["Condition"]["StringEquals"];
        assert!(c.get("aws:SourceVpc").is_none());
        assert_eq!(c[UNKNOWN_KEY], "imported");
    }
}
