//! Condition operators as data: every row of `tests/operators/table.txt` is one
//! condition, one request and the expected three-valued result (decision-rules §4, §5).
//! Then laws: a negated operator is the NOT of its positive twin on a present,
//! single-valued key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};

use iampath::model::{Condition, ConditionValue, FileId, Span, Spanned};
use iampath::policy::condition::{BASE_OPERATORS, CompiledCondition, OperatorName, evaluate_all};
use iampath::policy::context::{Context, KeyValue, MapContext, Tri};
use proptest::prelude::*;

const TABLE: &str = include_str!("operators/table.txt");

fn at<T>(value: T) -> Spanned<T> {
    Spanned::new(
        value,
        Span {
            file: FileId(0),
            start: 0,
            end: 0,
        },
    )
}

fn condition(op: &str, key: &str, values: Vec<ConditionValue>) -> Condition {
    Condition {
        operator: at(op.to_string()),
        key: at(key.to_string()),
        values: values.into_iter().map(at).collect(),
    }
}

fn strings(values: &[String]) -> Vec<ConditionValue> {
    values
        .iter()
        .map(|v| ConditionValue::String(v.clone()))
        .collect()
}

/// A `MapContext` plus keys whose state is unknown (all other missing keys are absent).
struct TestContext {
    map: MapContext,
    unknown: HashSet<String>,
}

impl Context for TestContext {
    fn get(&self, key_lower: &str) -> KeyValue<'_> {
        if self.unknown.contains(key_lower) {
            KeyValue::Unknown
        } else {
            self.map.get(key_lower)
        }
    }
}

#[derive(Debug)]
struct Row {
    line: usize,
    text: String,
    operator: String,
    key: String,
    values: Vec<ConditionValue>,
    request: Option<Vec<String>>,
    unknown_request: bool,
    expected: Tri,
    context: HashMap<String, Option<Vec<String>>>,
    variables: bool,
}

fn json_value(v: &serde_json::Value) -> ConditionValue {
    match v {
        serde_json::Value::String(s) => ConditionValue::String(s.clone()),
        serde_json::Value::Number(n) => ConditionValue::Number(n.to_string()),
        serde_json::Value::Bool(b) => ConditionValue::Bool(*b),
        _ => ConditionValue::Invalid,
    }
}

fn string_list(v: &serde_json::Value, what: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what}: expected an array"))
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or_else(|| panic!("{what}: expected strings"))
                .to_string()
        })
        .collect()
}

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for (i, line) in TABLE.lines().enumerate() {
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = text.split('|').map(str::trim).collect();
        assert!(
            (5..=7).contains(&cols.len()),
            "line {}: expected 5 to 7 columns: {text}",
            i + 1
        );
        let parse = |s: &str| -> serde_json::Value {
            serde_json::from_str(s).unwrap_or_else(|e| panic!("line {}: {e}: {s}", i + 1))
        };
        let values = parse(cols[2])
            .as_array()
            .unwrap_or_else(|| panic!("line {}: policy values must be an array", i + 1))
            .iter()
            .map(json_value)
            .collect();
        let (request, unknown_request) = match cols[3] {
            "absent" => (None, false),
            "unknown" => (None, true),
            s => (Some(string_list(&parse(s), "request")), false),
        };
        let expected = match cols[4] {
            "true" => Tri::True,
            "false" => Tri::False,
            "unknown" => Tri::Unknown,
            other => panic!("line {}: bad expectation {other}", i + 1),
        };
        let mut context = HashMap::new();
        if let Some(ctx) = cols.get(5).filter(|c| !c.is_empty()) {
            let obj = parse(ctx);
            for (k, v) in obj.as_object().expect("context must be an object") {
                let state = if v.as_str() == Some("unknown") {
                    None
                } else {
                    Some(string_list(v, "context"))
                };
                context.insert(k.to_ascii_lowercase(), state);
            }
        }
        let variables = match cols.get(6).copied() {
            None | Some("") => true,
            Some("novars") => false,
            Some(other) => panic!("line {}: unknown flag {other}", i + 1),
        };
        rows.push(Row {
            line: i + 1,
            text: text.to_string(),
            operator: cols[0].to_string(),
            key: cols[1].to_string(),
            values,
            request,
            unknown_request,
            expected,
            context,
            variables,
        });
    }
    rows
}

fn context_of(row: &Row) -> TestContext {
    let mut ctx = TestContext {
        map: MapContext::default(),
        unknown: HashSet::new(),
    };
    for (k, v) in &row.context {
        match v {
            Some(values) => ctx.map.set(k, values.clone()),
            None => {
                ctx.unknown.insert(k.clone());
            }
        }
    }
    if let Some(values) = &row.request {
        ctx.map.set(&row.key, values.clone());
    }
    if row.unknown_request {
        ctx.unknown.insert(row.key.to_ascii_lowercase());
    }
    ctx
}

#[test]
fn table() {
    let rows = rows();
    let mut failures = Vec::new();
    for row in &rows {
        let c = CompiledCondition::compile(
            &condition(&row.operator, &row.key, row.values.clone()),
            row.variables,
        );
        let got = c.evaluate(&context_of(row));
        if got != row.expected {
            failures.push(format!(
                "line {}: got {got:?}, expected {:?}: {}",
                row.line, row.expected, row.text
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
    eprintln!("{} rows passed", rows.len());
}

#[test]
fn table_covers_every_operator_form() {
    let rows = rows();
    let parsed: Vec<OperatorName<'_>> = rows
        .iter()
        .filter_map(|r| OperatorName::parse(&r.operator))
        .collect();
    for base in BASE_OPERATORS {
        let of_base = || parsed.iter().filter(|n| n.base == *base);
        assert!(of_base().count() >= 3, "{base}: fewer than three rows");
        if *base != "Null" {
            assert!(of_base().any(|n| n.if_exists), "{base}: no IfExists row");
        }
    }
    for (expect, what) in [
        (Tri::True, "a row expecting true"),
        (Tri::False, "a row expecting false"),
        (Tri::Unknown, "a row expecting unknown"),
    ] {
        assert!(rows.iter().any(|r| r.expected == expect), "no {what}");
    }
    assert!(
        rows.iter().any(|r| !r.variables),
        "no Version 2008-10-17 row"
    );
}

#[test]
fn conditions_and_together() {
    let cx = {
        let mut m = MapContext::default();
        m.set("aws:SourceIp", vec!["10.0.0.1".into()]);
        m.set("aws:SecureTransport", vec!["true".into()]);
        m
    };
    let ip = CompiledCondition::compile(
        &condition("IpAddress", "aws:SourceIp", strings(&["10.0.0.0/8".into()])),
        true,
    );
    let tls = CompiledCondition::compile(
        &condition("Bool", "aws:SecureTransport", strings(&["false".into()])),
        true,
    );
    assert_eq!(evaluate_all(std::slice::from_ref(&ip), &cx), Tri::True);
    assert_eq!(evaluate_all(&[ip.clone(), tls], &cx), Tri::False);
    assert_eq!(ip.describe(), r#"IpAddress aws:SourceIp ∈ ["10.0.0.0/8"]"#);
}

/// The pairs whose negated member must be the NOT of the positive one.
const TWINS: [(&str, &str); 8] = [
    ("StringEquals", "StringNotEquals"),
    ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
    ("StringLike", "StringNotLike"),
    ("ArnLike", "ArnNotLike"),
    ("ArnEquals", "ArnNotEquals"),
    ("IpAddress", "NotIpAddress"),
    ("NumericEquals", "NumericNotEquals"),
    ("DateEquals", "DateNotEquals"),
];

fn twins_agree(
    pair: usize,
    values: &[String],
    request: &str,
    ctx: &dyn Context,
) -> Result<(), String> {
    let (pos, neg) = TWINS[pair];
    for variables in [true, false] {
        let p = CompiledCondition::compile(&condition(pos, "k", strings(values)), variables);
        let n = CompiledCondition::compile(&condition(neg, "k", strings(values)), variables);
        let (a, b) = (p.evaluate(ctx), n.evaluate(ctx));
        if b != !a {
            return Err(format!(
                "{pos} {a:?} vs {neg} {b:?} for {values:?} on {request:?} (variables {variables})"
            ));
        }
    }
    Ok(())
}

fn request_context(request: &str) -> TestContext {
    let mut map = MapContext::default();
    map.set("k", vec![request.to_string()]);
    map.set("v", vec!["a*".to_string()]);
    map.set("multi", vec!["a".to_string(), "b".to_string()]);
    let unknown = HashSet::from(["u".to_string()]);
    TestContext { map, unknown }
}

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ab*?/:]{0,6}",
        "[ab*?]{0,2}\\$\\{(v|u|multi|none|\\*|\\?)\\}[ab*?]{0,2}",
        "[ab]{0,2}\\$\\{none, '[ab*]{0,2}'\\}",
    ]
}

fn arn_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "arn:aws:s3:[ab*?]{0,2}:[01*]{0,2}:[ab/:*?]{0,5}",
        "arn:aws:s3:[ab]{0,1}:\\$\\{(v|u|none)\\}:[ab/:*]{0,4}",
        "arn:[ab*]{0,3}",
        Just("*".to_string()),
    ]
}

fn arn_request() -> impl Strategy<Value = String> {
    prop_oneof!["arn:aws:s3:[ab]{0,2}:[01]{0,2}:[ab/:*]{0,5}", "[ab:]{0,6}"]
}

fn ip_value() -> impl Strategy<Value = String> {
    prop_oneof![
        (any::<[u8; 4]>(), 0u8..=34).prop_map(|(a, p)| format!(
            "{}.{}.{}.{}/{p}",
            a[0] & 0x0f,
            a[1],
            a[2],
            a[3]
        )),
        any::<[u8; 4]>().prop_map(|a| format!("{}.{}.{}.{}", a[0] & 0x0f, a[1], a[2], a[3])),
        (any::<u16>(), 0u8..=130).prop_map(|(h, p)| format!("2001:db8:{h:x}::/{p}")),
        Just("garbage".to_string()),
    ]
}

fn ip_request() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|a| format!("{}.{}.{}.{}", a[0] & 0x0f, a[1], a[2], a[3])),
        any::<u16>().prop_map(|h| format!("2001:db8:{h:x}::1")),
        Just("::ffff:10.0.0.1".to_string()),
    ]
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof!["-?[0-9]{1,3}(\\.[0-9]{0,2})?", "[0-9]e[0-2]", "x"]
}

fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "20(19|20)-0[1-2]-0[1-3]",
        "2020-01-01T0[0-2]:00:00(Z|\\+01:00)",
        "157783(6|7)800",
        "nope",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn string_twins(pair in 0usize..3, values in prop::collection::vec(text_value(), 0..3), request in "[ab*?/:$AB]{0,5}") {
        prop_assert_eq!(twins_agree(pair, &values, &request, &request_context(&request)), Ok(()));
    }

    #[test]
    fn arn_twins(pair in 3usize..5, values in prop::collection::vec(arn_value(), 0..3), request in arn_request()) {
        prop_assert_eq!(twins_agree(pair, &values, &request, &request_context(&request)), Ok(()));
    }

    #[test]
    fn ip_twins(values in prop::collection::vec(ip_value(), 0..3), request in ip_request()) {
        prop_assert_eq!(twins_agree(5, &values, &request, &request_context(&request)), Ok(()));
    }

    #[test]
    fn numeric_and_date_twins(
        numbers in prop::collection::vec(number_text(), 0..3),
        n in number_text(),
        dates in prop::collection::vec(date_text(), 0..3),
        d in date_text(),
    ) {
        prop_assert_eq!(twins_agree(6, &numbers, &n, &request_context(&n)), Ok(()));
        prop_assert_eq!(twins_agree(7, &dates, &d, &request_context(&d)), Ok(()));
    }

    /// StringEquals agrees with plain equality, StringLike with the wildcard matcher,
    /// when no variables are involved.
    #[test]
    fn string_operators_agree_with_their_definitions(value in "[ab*?]{0,5}", request in "[ab*?]{0,5}") {
        let ctx = request_context(&request);
        let eq = CompiledCondition::compile(&condition("StringEquals", "k", strings(std::slice::from_ref(&value))), true);
        prop_assert_eq!(eq.evaluate(&ctx), Tri::from_bool(value == request));
        let like = CompiledCondition::compile(&condition("StringLike", "k", strings(std::slice::from_ref(&value))), true);
        let pattern = iampath::policy::pattern::Pattern::new(&value, iampath::policy::pattern::CaseMode::Sensitive);
        prop_assert_eq!(like.evaluate(&ctx), Tri::from_bool(pattern.matches(&request)));
    }
}

/// Rough cost of one evaluation (run with `cargo test --release --test operators --
/// --ignored --nocapture timing`).
#[test]
#[ignore]
fn timing() {
    use std::hint::black_box;
    use std::time::Instant;
    let mut ctx = MapContext::default();
    ctx.set("sts:ExternalId", vec!["12345".into()]);
    ctx.set("aws:SourceIp", vec!["10.20.30.40".into()]);
    ctx.set("aws:username", vec!["alice".into()]);
    ctx.set("s3:prefix", vec!["home/alice/docs".into()]);
    let cases = [
        ("StringEquals", "sts:ExternalId", vec!["12345".to_string()]),
        (
            "IpAddress",
            "aws:SourceIp",
            vec!["192.0.2.0/24".to_string(), "10.0.0.0/8".to_string()],
        ),
        (
            "StringLike",
            "s3:prefix",
            vec!["home/${aws:username}/*".to_string()],
        ),
    ];
    /// Answers from a slice scan: the condition's own cost without hashing the key.
    struct Flat(Vec<(String, Vec<String>)>);
    impl Context for Flat {
        fn get(&self, key_lower: &str) -> KeyValue<'_> {
            self.0
                .iter()
                .find(|(k, _)| k == key_lower)
                .map_or(KeyValue::Absent, |(_, v)| KeyValue::Values(v))
        }
    }
    let flat = Flat(
        ctx.values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect(),
    );
    for (op, key, values) in cases {
        let c = CompiledCondition::compile(&condition(op, key, strings(&values)), true);
        let n = 2_000_000u32;
        let start = Instant::now();
        for _ in 0..n {
            black_box(c.evaluate(black_box(&ctx)));
        }
        let with_map = start.elapsed() / n;
        let start = Instant::now();
        for _ in 0..n {
            black_box(c.evaluate(black_box(&flat)));
        }
        let with_flat = start.elapsed() / n;
        eprintln!(
            "{op}: {with_map:?} with MapContext, {with_flat:?} with a flat context ({})",
            c.describe()
        );
    }
}
