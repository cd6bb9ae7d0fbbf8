//! Conditions (decision-rules §4, §5): operator names, and conditions compiled once
//! and evaluated against a request context in three-valued logic.
//!
//! Everything a condition needs is parsed when it is compiled (numbers, dates, CIDRs,
//! base64, wildcard patterns, the lowercased key); evaluating a condition without
//! policy variables does not allocate.
//!
//! This file holds the operator names and the compiled condition; `matcher` holds what
//! each operator compares, `eval` the key's state, the set qualifiers, `…IfExists` and
//! `Null`.

pub mod binary;
pub mod date;
mod eval;
pub mod ip;
mod matcher;
pub mod numeric;
pub mod string;

use crate::model::{Condition, ConditionValue, Span};

pub use eval::evaluate_all;
use matcher::{Matcher, compile_matcher, parse_bool};

/// The base operators AWS defines, without `IfExists` or a set prefix.
pub const BASE_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// How an operator treats a multi-valued key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    None,
    ForAllValues,
    ForAnyValue,
}

/// An operator name split into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperatorName<'a> {
    pub set: SetQualifier,
    pub base: &'a str,
    pub if_exists: bool,
}

impl<'a> OperatorName<'a> {
    /// Splits a known operator name; `None` for anything AWS does not define.
    pub fn parse(name: &'a str) -> Option<Self> {
        let (set, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (SetQualifier::ForAllValues, r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (SetQualifier::ForAnyValue, r)
        } else {
            (SetQualifier::None, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) if b != "Null" => (b, true),
            _ => (rest, false),
        };
        BASE_OPERATORS
            .iter()
            .find(|op| **op == base)
            .map(|base| OperatorName {
                set,
                base,
                if_exists,
            })
    }
}

/// True when AWS defines the operator.
pub fn condition_operator_is_known(name: &str) -> bool {
    OperatorName::parse(name).is_some()
}

/// The base operators under which the values NOR instead of OR and a missing key
/// makes the condition true (decision-rules §4.2, §4.3).
const NEGATED_OPERATORS: &[&str] = &[
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "NumericNotEquals",
    "DateNotEquals",
    "NotIpAddress",
    "ArnNotEquals",
    "ArnNotLike",
];

/// One operator → key → values entry, compiled for evaluation.
#[derive(Debug, Clone)]
pub struct CompiledCondition {
    operator: Box<str>,
    key: Box<str>,
    key_lower: Box<str>,
    key_span: Span,
    operator_span: Span,
    /// `None` for an operator AWS does not define.
    name: Option<ParsedName>,
    test: Test,
    values: Box<[ConditionValue]>,
    /// Indexes into `values` of the values that can never match.
    invalid: Box<[usize]>,
    variables: bool,
}

#[derive(Debug, Clone, Copy)]
struct ParsedName {
    set: SetQualifier,
    base: &'static str,
    if_exists: bool,
}

#[derive(Debug, Clone)]
enum Test {
    UnknownOperator,
    /// `Null`: per value, `Some(true)` tests absence, `Some(false)` presence.
    Null(Box<[Option<bool>]>),
    Match {
        negated: bool,
        matcher: Matcher,
    },
}

impl CompiledCondition {
    /// Compiles a condition; never fails. `variables` is true when the policy's
    /// Version is 2012-10-17 (otherwise `${…}` is literal text, §5.2).
    pub fn compile(c: &Condition, variables: bool) -> CompiledCondition {
        let name = OperatorName::parse(&c.operator.value).and_then(|n| {
            let base = BASE_OPERATORS.iter().copied().find(|b| *b == n.base)?;
            Some(ParsedName {
                set: n.set,
                base,
                if_exists: n.if_exists,
            })
        });
        let texts: Vec<Option<std::borrow::Cow<'_, str>>> =
            c.values.iter().map(|v| v.value.as_text()).collect();
        let test = match name {
            None => Test::UnknownOperator,
            Some(n) if n.base == "Null" => Test::Null(
                texts
                    .iter()
                    .map(|t| t.as_deref().and_then(parse_bool))
                    .collect(),
            ),
            Some(n) => match compile_matcher(n.base, &texts, variables) {
                Some(matcher) => Test::Match {
                    negated: NEGATED_OPERATORS.contains(&n.base),
                    matcher,
                },
                None => Test::UnknownOperator,
            },
        };
        let invalid = match &test {
            Test::UnknownOperator => Vec::new(),
            Test::Null(v) => (0..v.len())
                .filter(|i| v.get(*i).is_some_and(Option::is_none))
                .collect(),
            Test::Match { matcher, .. } => matcher.invalid_indexes(),
        };
        let uses_variables = match &test {
            Test::Match { matcher, .. } => matcher.has_variables(),
            _ => false,
        };
        CompiledCondition {
            operator: c.operator.value.as_str().into(),
            key: c.key.value.as_str().into(),
            key_lower: c.key.value.to_ascii_lowercase().into_boxed_str(),
            key_span: c.key.span,
            operator_span: c.operator.span,
            name,
            test,
            values: c.values.iter().map(|v| v.value.clone()).collect(),
            invalid: invalid.into_boxed_slice(),
            variables: uses_variables,
        }
    }

    /// The operator as written.
    pub fn operator(&self) -> &str {
        &self.operator
    }

    /// The key as written.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The key lowercased, as contexts are asked for it.
    pub fn key_lower(&self) -> &str {
        &self.key_lower
    }

    pub fn key_span(&self) -> Span {
        self.key_span
    }

    pub fn operator_span(&self) -> Span {
        self.operator_span
    }

    /// The policy values as written.
    pub fn values(&self) -> &[ConditionValue] {
        &self.values
    }

    /// The base operator (`StringLike` for `ForAnyValue:StringLikeIfExists`).
    pub fn base_operator(&self) -> Option<&'static str> {
        self.name.map(|n| n.base)
    }

    pub fn set_qualifier(&self) -> Option<SetQualifier> {
        self.name.map(|n| n.set)
    }

    pub fn if_exists(&self) -> bool {
        self.name.is_some_and(|n| n.if_exists)
    }

    /// True for a negated operator (`StringNotEquals`, `NotIpAddress`, …).
    pub fn is_negated(&self) -> bool {
        matches!(self.test, Test::Match { negated: true, .. })
    }

    /// True when AWS does not define the operator: the condition evaluates to unknown.
    pub fn is_unknown_operator(&self) -> bool {
        matches!(self.test, Test::UnknownOperator)
    }

    /// True when a value holds a policy variable that names a key.
    pub fn has_variables(&self) -> bool {
        self.variables
    }

    /// The lowercased keys the condition reads: its own and those its variables name.
    pub fn referenced_keys(&self) -> Vec<&str> {
        let mut keys = vec![&*self.key_lower];
        if let Test::Match { matcher, .. } = &self.test {
            for k in matcher.variable_keys() {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        keys
    }

    /// The policy values (as written) that can never match: not a number, date, CIDR,
    /// base64 text, boolean or ARN as the operator needs, or not a JSON scalar.
    pub fn invalid_values(&self) -> Vec<String> {
        self.invalid
            .iter()
            .filter_map(|i| self.values.get(*i))
            .map(|v| match v.as_text() {
                Some(t) => t.into_owned(),
                None => "(not a string, number or boolean)".to_string(),
            })
            .collect()
    }

    /// What the operator's values must be, for messages about invalid values.
    pub fn expected_value(&self) -> Option<&'static str> {
        match &self.test {
            Test::UnknownOperator => None,
            Test::Null(_) => Some("true or false"),
            Test::Match { matcher, .. } => Some(match matcher {
                Matcher::Str { .. } | Matcher::Like(_) => "a string",
                Matcher::Numeric { .. } => "a number",
                Matcher::Date { .. } => "an iso 8601 date or epoch seconds",
                Matcher::Bool(_) => "true or false",
                Matcher::Binary(_) => "base64 text",
                Matcher::Ip(_) => "an ip address or cidr block",
                Matcher::Arn(_) => "an arn",
            }),
        }
    }

    /// A compact human form: `StringEquals sts:ExternalId ∈ ["12345"]`.
    pub fn describe(&self) -> String {
        let mut out = format!("{} {} ∈ [", self.operator, self.key);
        for (i, v) in self.values.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            match v {
                ConditionValue::String(s) => {
                    out.push('"');
                    for c in s.chars() {
                        if c == '"' || c == '\\' {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push('"');
                }
                ConditionValue::Number(n) => out.push_str(n),
                ConditionValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                ConditionValue::Invalid => out.push_str("<invalid>"),
            }
        }
        out.push(']');
        out
    }
}

impl std::fmt::Display for CompiledCondition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests;
