//! Unit tests of compiled conditions: operator names, keys, missing and unknown keys,
//! invalid values, variables, and the AND of a statement's conditions.

use super::*;
use crate::model::{FileId, Spanned};
use crate::policy::context::{MapContext, Tri};

#[test]
fn known_operators() {
    for op in [
        "StringEquals",
        "ForAnyValue:StringLikeIfExists",
        "ForAllValues:ArnLike",
        "Null",
        "DateGreaterThanIfExists",
    ] {
        assert!(condition_operator_is_known(op), "{op}");
    }
    for op in [
        "NullIfExists",
        "StringEqual",
        "stringequals",
        "ForSomeValues:StringLike",
        "",
    ] {
        assert!(!condition_operator_is_known(op), "{op}");
    }
}

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

fn cond(op: &str, key: &str, values: &[&str]) -> CompiledCondition {
    let c = Condition {
        operator: at(op.to_string()),
        key: at(key.to_string()),
        values: values
            .iter()
            .map(|v| at(ConditionValue::String(v.to_string())))
            .collect(),
    };
    CompiledCondition::compile(&c, true)
}

fn ctx(pairs: &[(&str, &[&str])]) -> MapContext {
    let mut c = MapContext::default();
    for (k, vs) in pairs {
        c.set(k, vs.iter().map(|v| v.to_string()).collect::<Vec<_>>());
    }
    c
}

#[test]
fn keys_are_case_insensitive() {
    let c = cond("StringEquals", "STS:ExternalId", &["12345"]);
    assert_eq!(c.key_lower(), "sts:externalid");
    assert_eq!(
        c.evaluate(&ctx(&[("sts:externalid", &["12345"])])),
        Tri::True
    );
    assert_eq!(
        c.evaluate(&ctx(&[("sts:ExternalID", &["12345"])])),
        Tri::True
    );
    assert_eq!(
        c.evaluate(&ctx(&[("sts:externalid", &["1234"])])),
        Tri::False
    );
    assert_eq!(c.evaluate(&ctx(&[])), Tri::False);
}

#[test]
fn missing_and_unknown_keys() {
    let unknown = MapContext {
        missing_is_unknown: true,
        ..MapContext::default()
    };
    let empty = ctx(&[]);
    for op in [
        "StringNotEquals",
        "NotIpAddress",
        "ArnNotLike",
        "NumericNotEquals",
        "DateNotEquals",
    ] {
        assert_eq!(cond(op, "k", &["x"]).evaluate(&empty), Tri::True, "{op}");
    }
    for op in [
        "StringEquals",
        "IpAddress",
        "ArnLike",
        "NumericLessThan",
        "Bool",
    ] {
        assert_eq!(cond(op, "k", &["x"]).evaluate(&empty), Tri::False, "{op}");
        assert_eq!(
            cond(&format!("{op}IfExists"), "k", &["x"]).evaluate(&empty),
            Tri::True,
            "{op}"
        );
        assert_eq!(
            cond(op, "k", &["x"]).evaluate(&unknown),
            Tri::Unknown,
            "{op}"
        );
    }
    assert_eq!(
        cond("Null", "k", &["true"]).evaluate(&unknown),
        Tri::Unknown
    );
    assert_eq!(
        cond("StringEqualsIfExists", "k", &["x"]).evaluate(&unknown),
        Tri::Unknown
    );
}

#[test]
fn unknown_operator_is_unknown() {
    let c = cond("StringEqualz", "k", &["x"]);
    assert!(c.is_unknown_operator());
    assert_eq!(c.evaluate(&ctx(&[("k", &["x"])])), Tri::Unknown);
    assert!(c.invalid_values().is_empty());
    assert_eq!(c.expected_value(), None);
}

#[test]
fn invalid_values_are_listed_and_never_match() {
    let c = cond("IpAddress", "aws:SourceIp", &["10.0.0.0/33", "10.0.0.0/8"]);
    assert_eq!(c.invalid_values(), vec!["10.0.0.0/33".to_string()]);
    assert_eq!(
        c.evaluate(&ctx(&[("aws:sourceip", &["10.1.1.1"])])),
        Tri::True
    );
    let n = cond("NumericNotEquals", "k", &["ten"]);
    assert_eq!(n.invalid_values(), vec!["ten".to_string()]);
    assert_eq!(n.evaluate(&ctx(&[("k", &["10"])])), Tri::True);
    let a = cond("ArnLike", "k", &["not-an-arn", "*"]);
    assert_eq!(a.invalid_values(), vec!["not-an-arn".to_string()]);
    assert_eq!(a.evaluate(&ctx(&[("k", &["arn:aws:s3:::b"])])), Tri::True);
    assert_eq!(a.evaluate(&ctx(&[("k", &["not-an-arn"])])), Tri::False);
}

#[test]
fn describes_as_written() {
    let c = cond("StringEquals", "sts:ExternalId", &["12345"]);
    assert_eq!(c.describe(), r#"StringEquals sts:ExternalId ∈ ["12345"]"#);
    let d = cond("ForAnyValue:StringLike", "aws:TagKeys", &["a\"b", "c*"]);
    assert_eq!(
        d.to_string(),
        r#"ForAnyValue:StringLike aws:TagKeys ∈ ["a\"b", "c*"]"#
    );
}

#[test]
fn variables_and_their_keys() {
    let c = cond("StringLike", "s3:prefix", &["home/${aws:username}/*"]);
    assert!(c.has_variables());
    assert_eq!(c.referenced_keys(), vec!["s3:prefix", "aws:username"]);
    let cx = ctx(&[
        ("s3:prefix", &["home/alice/x"]),
        ("aws:username", &["alice"]),
    ]);
    assert_eq!(c.evaluate(&cx), Tri::True);
    let not = cond("StringNotLike", "s3:prefix", &["home/${aws:username}/*"]);
    assert_eq!(not.evaluate(&cx), Tri::False);
    let nobody = ctx(&[("s3:prefix", &["home/alice/x"])]);
    assert_eq!(c.evaluate(&nobody), Tri::False);
    assert_eq!(not.evaluate(&nobody), Tri::True);
    assert!(!cond("StringLike", "k", &["${*}"]).has_variables());
}

#[test]
fn a_key_known_to_differ_decides_string_tests() {
    let mut outside = MapContext {
        missing_is_unknown: true,
        ..MapContext::default()
    };
    outside.exclude("aws:PrincipalOrgID", vec!["o-aaa".to_string()]);
    let t = |op: &str, v: &str| cond(op, "aws:PrincipalOrgID", &[v]).evaluate(&outside);
    assert_eq!(t("StringNotEquals", "o-aaa"), Tri::True);
    assert_eq!(t("StringEquals", "o-aaa"), Tri::False);
    assert_eq!(t("StringEqualsIfExists", "o-aaa"), Tri::Unknown);
    assert_eq!(t("StringNotEqualsIfExists", "o-aaa"), Tri::True);
    assert_eq!(t("StringLike", "o-aaa"), Tri::False);
    assert_eq!(t("StringEquals", "o-bbb"), Tri::Unknown);
    assert_eq!(t("StringLike", "o-*"), Tri::Unknown);
    assert_eq!(
        cond("Null", "aws:PrincipalOrgID", &["true"]).evaluate(&outside),
        Tri::Unknown
    );
}

#[test]
fn evaluate_all_ands() {
    let a = cond("StringEquals", "a", &["1"]);
    let b = cond("StringEquals", "b", &["2"]);
    let cx = ctx(&[("a", &["1"]), ("b", &["2"])]);
    assert_eq!(evaluate_all(&[], &cx), Tri::True);
    assert_eq!(evaluate_all(&[a.clone(), b.clone()], &cx), Tri::True);
    let partial = MapContext {
        missing_is_unknown: true,
        ..ctx(&[("a", &["1"])])
    };
    assert_eq!(
        evaluate_all(&[a.clone(), b.clone()], &partial),
        Tri::Unknown
    );
    let wrong = MapContext {
        missing_is_unknown: true,
        ..ctx(&[("a", &["9"])])
    };
    assert_eq!(evaluate_all(&[a, b], &wrong), Tri::False);
}
