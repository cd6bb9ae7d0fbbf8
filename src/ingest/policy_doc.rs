//! Lowering a policy document into the model, with the grammar checks of
//! decision-rules §8, through whatever layers it was embedded in.

use super::cx::{Cx, Fields};
use super::diag::Problem;
use crate::model::{
    Condition, ConditionValue, Effect, Encoding, Policy, PolicyKind, PrincipalBlock,
    PrincipalEntry, PrincipalKind, Spanned, Statement, ValueBlock,
};
use crate::policy::condition_operator_is_known;
use crate::source::decode;
use crate::source::json::{self, Node, Value};

/// AWS's size limit for a document, in characters without whitespace (§8.3).
#[derive(Debug, Clone, Copy)]
pub struct SizeLimit {
    pub what: &'static str,
    pub chars: usize,
}

impl SizeLimit {
    pub const USER_INLINE: SizeLimit = SizeLimit {
        what: "inline user",
        chars: 2048,
    };
    pub const GROUP_INLINE: SizeLimit = SizeLimit {
        what: "inline group",
        chars: 5120,
    };
    pub const ROLE_INLINE: SizeLimit = SizeLimit {
        what: "inline role",
        chars: 10240,
    };
    pub const MANAGED: SizeLimit = SizeLimit {
        what: "managed",
        chars: 6144,
    };
    /// 2,048 by default, raisable to 4,096: only the hard limit is reported.
    pub const TRUST: SizeLimit = SizeLimit {
        what: "trust",
        chars: 4096,
    };
    pub const SCP: SizeLimit = SizeLimit {
        what: "service control",
        chars: 5120,
    };
}

/// Reads a policy document given either as a JSON object or as a string holding it
/// (escaped JSON, or URL-encoded JSON). `key` names the element for messages.
pub fn document(
    cx: &mut Cx,
    key: &str,
    node: &Node,
    kind: PolicyKind,
    limit: Option<SizeLimit>,
) -> Option<Policy> {
    match &node.value {
        Value::Object(_) => {
            let raw = cx
                .text
                .get(node.start as usize..node.end as usize)
                .unwrap_or_default();
            check_size(cx, raw, node, limit);
            lower(cx, node, kind, Encoding::Object)
        }
        Value::String(_) => embedded(cx, key, node, kind, limit),
        _ => {
            cx.wrong_type(key, "a policy document (an object or a string)", node);
            None
        }
    }
}

fn embedded(
    cx: &mut Cx,
    key: &str,
    node: &Node,
    kind: PolicyKind,
    limit: Option<SizeLimit>,
) -> Option<Policy> {
    let literal = cx
        .text
        .get(node.start as usize..node.end as usize)
        .unwrap_or_default();
    let (unescaped, map) = match decode::json_string(literal, node.start) {
        Ok(v) => v,
        Err(e) => {
            let span = cx.span(e.offset, e.offset + 1);
            cx.report(Problem::Decode(e.message), span);
            return None;
        }
    };
    let layers = cx.layers.push(map);
    let (text, layers, encoding) = if decode::looks_percent_encoded(&unescaped) {
        match decode::percent(&unescaped) {
            Ok((text, map)) => (text, layers.push(map), Encoding::UrlEncoded),
            Err(e) => {
                let at = layers.to_file(e.offset);
                let span = crate::model::Span {
                    file: cx.file,
                    start: at,
                    end: at.saturating_add(1),
                };
                cx.report(Problem::Decode(e.message), span);
                return None;
            }
        }
    } else {
        (unescaped, layers, Encoding::EscapedString)
    };
    let tree = match json::parse(&text, cx.opts.max_depth) {
        Ok(tree) => tree,
        Err(e) => {
            let at = layers.to_file(e.offset);
            let span = crate::model::Span {
                file: cx.file,
                start: at,
                end: at.saturating_add(1),
            };
            cx.report(
                Problem::Syntax(format!("in the policy embedded in `{key}`: {}", e.message)),
                span,
            );
            return None;
        }
    };
    let mut inner = Cx {
        file: cx.file,
        text: &text,
        layers: &layers,
        opts: cx.opts,
        diags: cx.diags,
    };
    check_size(&mut inner, &text, &tree, limit);
    lower(&mut inner, &tree, kind, encoding)
}

fn check_size(cx: &mut Cx, raw: &str, node: &Node, limit: Option<SizeLimit>) {
    let Some(limit) = limit else { return };
    // Bytes bound characters from above: most documents need no count at all.
    if raw.len() <= limit.chars {
        return;
    }
    let size = non_whitespace_chars(raw);
    if size > limit.chars {
        let problem = Problem::TooLong {
            kind: limit.what,
            size,
            limit: limit.chars,
        };
        cx.report(problem, cx.node_span(node));
    }
}

/// Characters that are not whitespace, counted by bytes where the text is ASCII
/// (a 20 MB document must not cost a character iteration in a debug build).
fn non_whitespace_chars(raw: &str) -> usize {
    if raw.is_ascii() {
        let whitespace: usize = [' ', '\n', '\t', '\r', '\x0c']
            .iter()
            .map(|c| raw.matches(*c).count())
            .sum();
        return raw.len() - whitespace;
    }
    raw.chars().filter(|c| !c.is_whitespace()).count()
}

const POLICY_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

/// Lowers a document node of this context's text.
pub fn lower(cx: &mut Cx, node: &Node, kind: PolicyKind, encoding: Encoding) -> Option<Policy> {
    let fields = cx.object(
        node,
        "policy document",
        "a policy document",
        POLICY_KEYS,
        true,
    )?;
    let version = cx.opt_string("Version", fields.get("Version"));
    match &version {
        Some(v) if v.value != "2012-10-17" && v.value != "2008-10-17" => {
            cx.report(Problem::BadVersion(v.value.clone()), v.span);
        }
        None if fields.get("Version").is_none() => {
            cx.report(Problem::NoVersion, cx.node_span(node))
        }
        _ => {}
    }
    let id = cx.opt_string("Id", fields.get("Id"));
    let mut statements = Vec::new();
    match fields.get("Statement") {
        None => cx.report(
            Problem::MissingKey {
                key: "Statement",
                context: "the policy document".into(),
            },
            cx.node_span(node),
        ),
        Some(s) => match &s.value {
            Value::Object(_) => statements.extend(statement(cx, s, 0, kind)),
            Value::Array(items) => {
                if items.is_empty() {
                    cx.report(Problem::NoStatements, cx.node_span(s));
                }
                // Exactly as many as written: a growing Vec would hold room for four
                // statements (about 1 KB) for a one-statement trust policy.
                statements.reserve_exact(items.len());
                for (i, item) in items.iter().enumerate() {
                    statements.extend(statement(cx, item, i, kind));
                }
            }
            _ => cx.wrong_type("Statement", "an object or an array of objects", s),
        },
    }
    Some(Policy {
        kind,
        version,
        id,
        statements,
        span: cx.node_span(node),
        encoding,
    })
}

fn statement(cx: &mut Cx, node: &Node, index: usize, kind: PolicyKind) -> Option<Statement> {
    let f = cx.object(node, "Statement", "a statement", STATEMENT_KEYS, true)?;
    let span = cx.node_span(node);
    let sid = cx.opt_string("Sid", f.get("Sid"));
    let label = match &sid {
        Some(s) if !s.value.is_empty() => format!("`{}`", s.value),
        _ => format!("#{index}"),
    };
    if let Some(s) = &sid {
        let iam = matches!(
            kind,
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Trust
        );
        if iam && !s.value.chars().all(|c| c.is_ascii_alphanumeric()) {
            cx.report(Problem::BadSid(s.value.clone()), s.span);
        }
    }
    let effect = effect(cx, &f, &label, span);
    let action = pair(cx, &f, "Action", &label, span, true);
    // Trust policies have no Resource; resource policies may omit it (ECR repository
    // policies always do): the statement then applies to the resource it is attached to.
    let resource_required = !matches!(kind, PolicyKind::Trust | PolicyKind::Resource);
    let resource = pair(cx, &f, "Resource", &label, span, resource_required);
    let principal = principal(cx, &f, &label, kind, span, effect.as_ref().map(|e| e.value));
    let conditions = f
        .get("Condition")
        .map(|c| conditions(cx, c))
        .unwrap_or_default();
    if kind == PolicyKind::ResourceControl {
        check_rcp(cx, &f, effect.as_ref());
    }
    Some(Statement {
        index,
        sid,
        effect,
        action,
        resource,
        principal,
        conditions,
        span,
    })
}

fn effect(
    cx: &mut Cx,
    f: &Fields,
    label: &str,
    span: crate::model::Span,
) -> Option<Spanned<Effect>> {
    let Some(node) = f.get("Effect") else {
        cx.report(Problem::NoEffect(label.to_string()), span);
        return None;
    };
    let text = cx.string("Effect", node)?;
    match text.value.as_str() {
        "Allow" => Some(Spanned::new(Effect::Allow, text.span)),
        "Deny" => Some(Spanned::new(Effect::Deny, text.span)),
        other => {
            cx.report(Problem::BadEffect(other.to_string()), text.span);
            None
        }
    }
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
fn pair(
    cx: &mut Cx,
    f: &Fields,
    name: &'static str,
    label: &str,
    span: crate::model::Span,
    required: bool,
) -> Option<Spanned<ValueBlock>> {
    let not_name = match name {
        "Action" => "NotAction",
        _ => "NotResource",
    };
    let plain = f.member(name);
    let negated = f.member(not_name);
    if plain.is_some() && negated.is_some() {
        cx.report(Problem::BothElements(label.to_string(), name), span);
    }
    let (member, is_not) = match (plain, negated) {
        (Some(m), _) => (m, false),
        (None, Some(m)) => (m, true),
        (None, None) => {
            if required {
                cx.report(Problem::MissingElement(label.to_string(), name), span);
            }
            return None;
        }
    };
    let values = strings(cx, &member.key, &member.value);
    Some(Spanned::new(
        ValueBlock {
            negated: is_not,
            values,
        },
        cx.span(member.key_start, member.value.end),
    ))
}

/// A string or an array of strings.
fn strings(cx: &mut Cx, key: &str, node: &Node) -> Vec<Spanned<String>> {
    match &node.value {
        Value::String(_) => cx.string(key, node).into_iter().collect(),
        Value::Array(items) => {
            if items.is_empty() {
                cx.report(Problem::EmptyList(key.to_string()), cx.node_span(node));
            }
            let mut values: Vec<_> = items.iter().filter_map(|i| cx.string(key, i)).collect();
            values.shrink_to_fit();
            values
        }
        _ => {
            cx.wrong_type(key, "a string or an array of strings", node);
            Vec::new()
        }
    }
}

fn principal(
    cx: &mut Cx,
    f: &Fields,
    label: &str,
    kind: PolicyKind,
    span: crate::model::Span,
    effect: Option<Effect>,
) -> Option<Spanned<PrincipalBlock>> {
    let plain = f.member("Principal");
    let negated = f.member("NotPrincipal");
    if plain.is_some() && negated.is_some() {
        cx.report(Problem::BothElements(label.to_string(), "Principal"), span);
    }
    let (member, is_not) = match (plain, negated) {
        (Some(m), _) => (m, false),
        (None, Some(m)) => (m, true),
        (None, None) => {
            if kind.needs_principal() && kind != PolicyKind::ResourceControl {
                cx.report(Problem::PrincipalMissing(label.to_string(), kind), span);
            }
            return None;
        }
    };
    let key_span = cx.key_span(member);
    if !kind.needs_principal() {
        cx.report(Problem::PrincipalForbidden(kind), key_span);
    }
    if is_not && effect == Some(Effect::Allow) {
        cx.report(Problem::NotPrincipalAllow, key_span);
    }
    let mut entries = Vec::new();
    match &member.value.value {
        Value::String(s) if s == "*" => entries.push(PrincipalEntry {
            kind: PrincipalKind::Everyone,
            value: Spanned::new("*".into(), cx.node_span(&member.value)),
        }),
        Value::Object(_) => {
            let obj = cx.object(&member.value, &member.key, "a principal", &[], true)?;
            for m in obj.members {
                let pk = match &*m.key {
                    "AWS" => PrincipalKind::Aws,
                    "Service" => PrincipalKind::Service,
                    "Federated" => PrincipalKind::Federated,
                    "CanonicalUser" => PrincipalKind::CanonicalUser,
                    other => {
                        cx.report(
                            Problem::UnknownPrincipalType(other.to_string()),
                            cx.key_span(m),
                        );
                        PrincipalKind::Unknown(other.to_string())
                    }
                };
                for value in strings(cx, &m.key, &m.value) {
                    if value.value != "*"
                        && value.value.contains(['*', '?'])
                        && pk == PrincipalKind::Aws
                    {
                        cx.report(
                            Problem::PartialWildcardPrincipal(value.value.clone()),
                            value.span,
                        );
                    }
                    entries.push(PrincipalEntry {
                        kind: pk.clone(),
                        value,
                    });
                }
            }
        }
        // A bare string other than "*" (IAMSpy's samples use an ARN this way); AWS
        // rejects it, we report it and keep it as an AWS principal.
        Value::String(_) => {
            let node = &member.value;
            cx.wrong_type(&member.key, "`*` or an object such as {\"AWS\": …}", node);
            if let Some(value) = cx.string(&member.key, node) {
                entries.push(PrincipalEntry {
                    kind: PrincipalKind::Aws,
                    value,
                });
            }
        }
        _ => cx.wrong_type(
            &member.key,
            "`*` or an object such as {\"AWS\": …}",
            &member.value,
        ),
    }
    entries.shrink_to_fit();
    Some(Spanned::new(
        PrincipalBlock {
            negated: is_not,
            entries,
        },
        cx.span(member.key_start, member.value.end),
    ))
}

fn conditions(cx: &mut Cx, node: &Node) -> Vec<Condition> {
    let Some(ops) = cx.object(node, "Condition", "a Condition block", &[], true) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for op in ops.members {
        let operator = Spanned::new(op.key.to_string(), cx.key_span(op));
        if !condition_operator_is_known(&op.key) {
            cx.report(Problem::UnknownOperator(op.key.to_string()), operator.span);
        }
        let Some(keys) = cx.object(&op.value, &op.key, "a condition operator", &[], true) else {
            continue;
        };
        if keys.members.is_empty() {
            cx.report(
                Problem::EmptyList(op.key.to_string()),
                cx.node_span(&op.value),
            );
        }
        for k in keys.members {
            if k.key.trim().is_empty() {
                cx.report(
                    Problem::EmptyConditionKey(op.key.to_string()),
                    cx.key_span(k),
                );
            }
            let values = condition_values(cx, &k.key, &k.value);
            out.push(Condition {
                operator: operator.clone(),
                key: Spanned::new(k.key.to_string(), cx.key_span(k)),
                values,
            });
        }
    }
    out.shrink_to_fit();
    out
}

fn condition_values(cx: &mut Cx, key: &str, node: &Node) -> Vec<Spanned<ConditionValue>> {
    let one = |cx: &mut Cx, n: &Node| {
        let v = match &n.value {
            Value::String(s) => ConditionValue::String(s.to_string()),
            Value::Number(s) => ConditionValue::Number(s.to_string()),
            Value::Bool(b) => ConditionValue::Bool(*b),
            _ => {
                cx.report(Problem::BadConditionValue(n.type_name()), cx.node_span(n));
                ConditionValue::Invalid
            }
        };
        Spanned::new(v, cx.node_span(n))
    };
    match &node.value {
        Value::Array(items) => {
            if items.is_empty() {
                cx.report(Problem::EmptyList(key.to_string()), cx.node_span(node));
            }
            items.iter().map(|i| one(cx, i)).collect()
        }
        _ => vec![one(cx, node)],
    }
}

/// RCPs: Allow only in AWS's own RCPFullAWSAccess, no NotAction, no NotPrincipal (§8.4).
fn check_rcp(cx: &mut Cx, f: &Fields, effect: Option<&Spanned<Effect>>) {
    for key in ["NotAction", "NotPrincipal"] {
        if let Some(m) = f.member(key) {
            let msg = format!("{key} is not allowed in resource control policies");
            cx.report(Problem::ResourceControl(msg), cx.key_span(m));
        }
    }
    if let Some(e) = effect.filter(|e| e.value == Effect::Allow) {
        let all = f.get("Action").and_then(Node::as_str) == Some("*")
            && f.get("Principal").and_then(Node::as_str) == Some("*")
            && f.get("Resource").and_then(Node::as_str) == Some("*")
            && f.get("Condition").is_none();
        if !all {
            let msg = "an RCP may only Allow `*` to everyone on everything (as RCPFullAWSAccess does); write Deny statements instead".to_string();
            cx.report(Problem::ResourceControl(msg), e.span);
        }
    }
}

/// Lowers a whole text (a file, or a bundled document) as one policy document.
pub fn parse_document(cx: &mut Cx, kind: PolicyKind, limit: Option<SizeLimit>) -> Option<Policy> {
    let tree = match json::parse(cx.text, cx.opts.max_depth) {
        Ok(t) => t,
        Err(e) => {
            let span = cx.span(e.offset, e.offset + 1);
            cx.report(Problem::Syntax(e.message), span);
            return None;
        }
    };
    document(cx, "policy document", &tree, kind, limit)
}
