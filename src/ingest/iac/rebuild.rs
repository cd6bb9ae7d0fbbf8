//! A policy document a plan leaves unknown because its `data "aws_iam_policy_document"`
//! is read only at apply: rebuilt from the statements the plan does show.
//!
//! Every known value is copied from the plan as written, and an offset map leads each
//! one back to its place in the plan, so findings point at the data source's statement.
//! A value the plan does not know yet never hides access: an unknown action, resource or
//! principal becomes `*`, a condition with an unknown part is left out, and the statement
//! gets the condition `iampath:KnownAfterApply`, which no request fixes — an Allow that
//! depends on an unknown is conditional, a Deny that depends on one does not protect.

use crate::source::decode::OffsetMap;
use crate::source::json::{Node, Value};

/// The condition key that marks a statement with values known only after apply.
pub const UNKNOWN_KEY: &str = crate::model::KNOWN_AFTER_APPLY;

/// A rebuilt document: its JSON text and the map of its offsets back to the plan.
pub struct Rebuilt {
    pub text: String,
    pub map: OffsetMap,
}

/// Rebuilds the document of a deferred `aws_iam_policy_document` from its planned
/// `after` (and `after_unknown`); `None` when it cannot be: other documents merged in
/// (`source_policy_documents`, `override_policy_documents`, their `_json` forms), or no
/// statement list.
pub fn rebuild(
    plan: &str,
    address: &str,
    after: &Node,
    unknown: Option<&Node>,
    expressions: Option<&Node>,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Option<Rebuilt> {
    for merged in [
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    ] {
        let set = after
            .get(merged)
            .is_some_and(|n| !matches!(&n.value, Value::Null))
            && after
                .get(merged)
                .and_then(Node::as_array)
                .is_none_or(|a| !a.is_empty());
        if set || flag(unknown.and_then(|u| u.get(merged))) {
            return None;
        }
    }
    if flag(unknown.and_then(|u| u.get("statement"))) {
        return None;
    }
    let statements = after.get("statement")?.as_array()?;
    let mut out = Out {
        plan,
        text: String::new(),
        map: OffsetMap::default(),
        resolve,
    };
    out.raw("{\"Version\":\"2012-10-17\",\"Statement\":[", after.start);
    for (i, st) in statements.iter().enumerate() {
        if i > 0 {
            out.raw(",", st.start);
        }
        let u = unknown
            .and_then(|u| u.get("statement"))
            .and_then(Node::as_array)
            .and_then(|a| a.get(i));
        let x = expressions
            .and_then(|e| e.get("statement"))
            .and_then(Node::as_array)
            .and_then(|a| a.get(i));
        statement(&mut out, st, u, x, &format!("{address} statement {i}"));
    }
    out.raw("]}", after.end.saturating_sub(1));
    Some(Rebuilt {
        text: out.text,
        map: out.map,
    })
}

/// True for an `after_unknown` leaf that says "unknown".
fn flag(n: Option<&Node>) -> bool {
    n.is_some_and(|n| matches!(n.value, Value::Bool(true)))
}

struct Out<'t> {
    plan: &'t str,
    text: String,
    map: OffsetMap,
    /// The value of a configuration reference, when the plan makes it.
    resolve: &'t dyn Fn(&str) -> Option<String>,
}

impl Out<'_> {
    /// Text of our own, mapped to `at` in the plan.
    fn raw(&mut self, s: &str, at: u32) {
        self.map.push(self.text.len(), at as usize);
        self.text.push_str(s);
    }

    /// A JSON string of the plan, copied as written (escapes and all).
    fn literal(&mut self, node: &Node) {
        let lit = self
            .plan
            .get(node.start as usize..node.end as usize)
            .unwrap_or("\"\"");
        self.map.push(self.text.len(), node.start as usize);
        self.text.push_str(lit);
    }
}

/// The known strings of a list (`actions`, `identifiers`, …); `None` when the list is
/// absent or empty. Sets `unknown` when any element is unknown.
fn strings<'n, 'a>(
    list: Option<&'n Node<'a>>,
    u: Option<&Node>,
    unknown: &mut bool,
) -> Option<Vec<&'n Node<'a>>> {
    if flag(u) {
        *unknown = true;
        return Some(Vec::new());
    }
    let items = list?.as_array()?;
    let marks = u.and_then(Node::as_array);
    let mut out = Vec::new();
    for (j, item) in items.iter().enumerate() {
        let marked = flag(marks.and_then(|m| m.get(j)));
        match &item.value {
            Value::String(_) if !marked => out.push(item),
            _ => *unknown = true,
        }
    }
    (!items.is_empty() || flag(u)).then_some(out)
}

fn list(out: &mut Out, key: &str, items: &[&Node], at: u32, star: bool) {
    out.raw(&format!(",\"{key}\":["), at);
    if items.is_empty() || star {
        out.raw("\"*\"", at);
        if !items.is_empty() {
            out.raw(",", at);
        }
    }
    for (j, item) in items.iter().enumerate() {
        if j > 0 {
            out.raw(",", item.start);
        }
        out.literal(item);
    }
    out.raw("]", at);
}

fn statement(out: &mut Out, st: &Node, u: Option<&Node>, x: Option<&Node>, label: &str) {
    let at = st.start;
    let mut unknown = false;
    let field = |k: &str| st.get(k).filter(|n| !matches!(n.value, Value::Null));
    let ufield = |k: &str| u.and_then(|u| u.get(k));
    out.raw("{", at);
    // Effect (Allow when not set, as the provider does).
    match field("effect").filter(|n| n.as_str().is_some_and(|s| !s.is_empty())) {
        Some(e) if !flag(ufield("effect")) => {
            out.raw("\"Effect\":", e.start);
            out.literal(e);
        }
        _ => {
            unknown |= flag(ufield("effect"));
            out.raw("\"Effect\":\"Allow\"", at);
        }
    }
    if let Some(sid) = field("sid").filter(|n| n.as_str().is_some_and(|s| !s.is_empty())) {
        out.raw(",\"Sid\":", sid.start);
        out.literal(sid);
    }
    for (key, json) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        let before = unknown;
        unknown = false;
        if let Some(items) = strings(field(key), ufield(key), &mut unknown) {
            // An unknown element of Action or Resource may be anything: `*` stands for
            // it. (Of NotAction or NotResource it is left out: the statement then
            // covers more, never less.)
            let star = unknown && !items.is_empty() && !key.starts_with("not_");
            // A NotAction or NotResource not known at all may exclude anything: the
            // statement may cover every action (resource).
            let json = match (key, items.is_empty()) {
                ("not_actions", true) => "Action",
                ("not_resources", true) => "Resource",
                _ => json,
            };
            list(out, json, &items, field(key).map_or(at, |n| n.start), star);
        }
        unknown |= before;
    }
    for (key, json) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        let exprs = x.and_then(|x| x.get(key));
        principals(out, field(key), ufield(key), exprs, json, &mut unknown);
    }
    conditions(
        out,
        field("condition"),
        ufield("condition"),
        label,
        &mut unknown,
        at,
    );
    out.raw("}", st.end.saturating_sub(1));
}

fn principals(
    out: &mut Out,
    blocks: Option<&Node>,
    u: Option<&Node>,
    exprs: Option<&Node>,
    key: &str,
    unknown: &mut bool,
) {
    if flag(u) {
        *unknown = true;
    }
    let node_at = blocks.map_or(0, |b| b.start);
    let Some(items) = blocks.and_then(Node::as_array).filter(|b| !b.is_empty()) else {
        if flag(u) {
            out.raw(&format!(",\"{key}\":{{\"AWS\":\"*\"}}"), node_at);
        }
        return;
    };
    let marks = u.and_then(Node::as_array);
    out.raw(&format!(",\"{key}\":{{"), node_at);
    let mut first = true;
    for (j, b) in items.iter().enumerate() {
        let mark = marks.and_then(|m| m.get(j));
        let kind = b
            .get("type")
            .filter(|t| t.as_str().is_some() && !flag(mark.and_then(|m| m.get("type"))));
        let Some(kind) = kind else {
            *unknown = true;
            continue;
        };
        let mut missing = false;
        let ids = strings(
            b.get("identifiers"),
            mark.and_then(|m| m.get("identifiers")),
            &mut missing,
        )
        .unwrap_or_default();
        // An identifier the plan does not know yet, made by the plan itself (the ARN of
        // an OIDC provider it creates): computed from the configuration's reference.
        let made: Vec<String> = if missing {
            let refs: Vec<&str> = exprs
                .and_then(Node::as_array)
                .and_then(|a| a.get(j))
                .and_then(|e| e.get("identifiers"))
                .and_then(|e| e.get("references"))
                .and_then(Node::as_array)
                .map(|a| a.iter().filter_map(Node::as_str).collect())
                .unwrap_or_default();
            let found: Vec<String> = refs.iter().filter_map(|r| (out.resolve)(r)).collect();
            if found.is_empty() {
                *unknown = true;
            }
            found.into_iter().take(1).collect()
        } else {
            Vec::new()
        };
        if !first {
            out.raw(",", b.start);
        }
        first = false;
        out.literal(kind);
        out.raw(":[", b.start);
        let mut n = 0;
        for id in &ids {
            if n > 0 {
                out.raw(",", id.start);
            }
            out.literal(id);
            n += 1;
        }
        for id in &made {
            if n > 0 {
                out.raw(",", b.start);
            }
            out.raw(&quoted(id), b.start);
            n += 1;
        }
        if n == 0 {
            out.raw("\"*\"", b.start);
        }
        out.raw("]", b.start);
    }
    if first {
        out.raw("\"AWS\":\"*\"", node_at);
    }
    out.raw("}", node_at);
}

/// A condition variable and its values.
type Variable<'n, 'a> = (&'n Node<'a>, Vec<&'n Node<'a>>);

fn conditions(
    out: &mut Out,
    blocks: Option<&Node>,
    u: Option<&Node>,
    label: &str,
    unknown: &mut bool,
    at: u32,
) {
    if flag(u) {
        *unknown = true;
    }
    let marks = u.and_then(Node::as_array);
    // test → [(variable, values)], in the plan's order; a block with an unknown part
    // is left out (the statement is marked instead).
    let mut tests: Vec<(&Node, Vec<Variable>)> = Vec::new();
    for (j, b) in blocks
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let mark = marks.and_then(|m| m.get(j));
        let known = |k: &str| {
            b.get(k)
                .filter(|n| n.as_str().is_some() && !flag(mark.and_then(|m| m.get(k))))
        };
        let (Some(test), Some(variable)) = (known("test"), known("variable")) else {
            *unknown = true;
            continue;
        };
        let mut partial = false;
        let values = strings(
            b.get("values"),
            mark.and_then(|m| m.get("values")),
            &mut partial,
        )
        .unwrap_or_default();
        if partial {
            *unknown = true;
            continue;
        }
        match tests.iter_mut().find(|(t, _)| t.as_str() == test.as_str()) {
            Some((_, vars)) => vars.push((variable, values)),
            None => tests.push((test, vec![(variable, values)])),
        }
    }
    if tests.is_empty() && !*unknown {
        return;
    }
    out.raw(",\"Condition\":{", blocks.map_or(at, |b| b.start));
    let mut first_test = true;
    let mut marked = false;
    for (test, vars) in &tests {
        if !first_test {
            out.raw(",", test.start);
        }
        first_test = false;
        out.literal(test);
        out.raw(":{", test.start);
        for (n, (variable, values)) in vars.iter().enumerate() {
            if n > 0 {
                out.raw(",", variable.start);
            }
            out.literal(variable);
            out.raw(":[", variable.start);
            for (k, v) in values.iter().enumerate() {
                if k > 0 {
                    out.raw(",", v.start);
                }
                out.literal(v);
            }
            out.raw("]", variable.start);
        }
        if *unknown && test.as_str() == Some("StringEquals") {
            out.raw(&format!(",\"{UNKNOWN_KEY}\":{}", quoted(label)), at);
            marked = true;
        }
        out.raw("}", test.start);
    }
    if *unknown && !marked {
        if !first_test {
            out.raw(",", at);
        }
        out.raw(
            &format!("\"StringEquals\":{{\"{UNKNOWN_KEY}\":{}}}", quoted(label)),
            at,
        );
    }
    out.raw("}", at);
}

/// A JSON string literal.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::json;

    fn rebuilt(after: &str, unknown: &str) -> (serde_json::Value, bool) {
        let text = format!("[{after},{unknown}]");
        let root = json::parse(&text, 64).unwrap_or_else(|e| panic!("{}", e.message));
        let items = root.as_array().unwrap_or_default();
        let none = |_: &str| None;
        let r = rebuild(&text, "data.x.d", &items[0], items.get(1), None, &none).expect("rebuilt");
        let v = serde_json::from_str(&r.text).unwrap_or_else(|e| panic!("{e}: {}", r.text));
        (v, r.text.contains(UNKNOWN_KEY))
    }

    #[test]
    fn a_known_document_is_copied_as_written() {
        let (v, partial) = rebuilt(
            r#"{"statement":[{"actions":["s3:GetObject"],"resources":["arn:aws:s3:::b/*"],"effect":"Deny","sid":"S","principals":[{"type":"AWS","identifiers":["111111111111"]}],"condition":[{"test":"Bool","variable":"aws:SecureTransport","values":["false"]}]}]}"#,
            r#"{"statement":[{"actions":[false]}]}"#,
        );
        assert!(!partial);
        assert_eq!(
            v["Statement"][0],
            serde_json::json!({"Effect":"Deny","Sid":"S","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*"],"Principal":{"AWS":["111111111111"]},"Condition":{"Bool":{"aws:SecureTransport":["false"]}}})
        );
    }

    #[test]
    fn an_unknown_principal_widens_and_marks_the_statement() {
        let (v, partial) = rebuilt(
            r#"{"statement":[{"actions":["sts:AssumeRoleWithWebIdentity"],"principals":[{"type":"Federated","identifiers":[null]}],"condition":[{"test":"StringEquals","variable":"x:aud","values":["sts"]}]}]}"#,
            r#"{"statement":[{"principals":[{"identifiers":[true]}]}]}"#,
        );
        assert!(partial);
        let st = &v["Statement"][0];
        assert_eq!(st["Principal"], serde_json::json!({"Federated":["*"]}));
        assert_eq!(
            st["Condition"]["StringEquals"]["x:aud"],
            serde_json::json!(["sts"])
        );
        assert_eq!(
            st["Condition"]["StringEquals"][UNKNOWN_KEY],
            serde_json::json!("data.x.d statement 0")
        );
    }

    #[test]
    fn a_condition_with_an_unknown_value_is_left_out() {
        let (v, partial) = rebuilt(
            r#"{"statement":[{"actions":["s3:*"],"effect":"Deny","condition":[{"test":"StringNotEquals","variable":"aws:PrincipalOrgID","values":[null]}]}]}"#,
            r#"{"statement":[{"condition":[{"values":[true]}]}]}"#,
        );
        assert!(partial);
        let st = &v["Statement"][0];
        assert!(st["Condition"].get("StringNotEquals").is_none(), "{st}");
        assert!(
            st["Condition"]["StringEquals"].get(UNKNOWN_KEY).is_some(),
            "{st}"
        );
    }

    #[test]
    fn an_unknown_action_among_known_ones_is_a_star_beside_them() {
        let (v, partial) = rebuilt(
            r#"{"statement":[{"actions":[null,"s3:PutObject"],"resources":["arn:aws:s3:::b/*"]}]}"#,
            r#"{"statement":[{"actions":[true,false]}]}"#,
        );
        assert!(partial);
        let st = &v["Statement"][0];
        assert_eq!(st["Action"], serde_json::json!(["*", "s3:PutObject"]));
    }

    #[test]
    fn a_not_action_not_known_at_all_may_cover_every_action() {
        let (v, partial) = rebuilt(
            r#"{"statement":[{"not_actions":null,"resources":["*"]}]}"#,
            r#"{"statement":[{"not_actions":true}]}"#,
        );
        assert!(partial);
        let st = &v["Statement"][0];
        assert_eq!(st["Action"], serde_json::json!(["*"]), "{st}");
        assert!(st.get("NotAction").is_none(), "{st}");
        // One unknown element of a NotAction is left out (more is covered, not less).
        let (v, _) = rebuilt(
            r#"{"statement":[{"not_actions":[null,"iam:*"],"resources":["*"]}]}"#,
            r#"{"statement":[{"not_actions":[true,false]}]}"#,
        );
        assert_eq!(v["Statement"][0]["NotAction"], serde_json::json!(["iam:*"]));
    }

    #[test]
    fn merged_documents_cannot_be_rebuilt() {
        let text = r#"[{"statement":[],"source_policy_documents":["{}"]},{}]"#;
        let root = json::parse(text, 64).unwrap_or_else(|e| panic!("{}", e.message));
        let items = root.as_array().unwrap_or_default();
        let none = |_: &str| None;
        assert!(rebuild(text, "d", &items[0], items.get(1), None, &none).is_none());
    }
}
