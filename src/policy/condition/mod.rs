//! Conditions (iam-semantics §4, §5): operator names, and conditions compiled once
//! and evaluated against a request context in three-valued logic.
//!
//! Everything a condition needs is parsed when it is compiled (numbers, dates, CIDRs,
//! base64, wildcard patterns, the lowercased key); evaluating a condition without
//! policy variables does not allocate.

pub mod binary;
pub mod date;
pub mod ip;
pub mod numeric;
pub mod string;

use std::cmp::Ordering;

use crate::model::{Condition, ConditionValue, Span};
use crate::policy::arn::{Arn, ArnPattern};
use crate::policy::context::{Context, KeyValue, Tri};
use crate::policy::pattern::{CaseMode, Pattern};
use crate::policy::variables::{Template, Unresolved, has_variables};

use date::Instant;
use ip::IpNet;
use numeric::{Number, RequestNumber};

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
/// makes the condition true (iam-semantics §4.2, §4.3).
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

/// The positive relation of an operator (`StringNotEquals` uses `StringEquals`'s) with
/// its pre-parsed policy values; `None` or `Invalid` entries never match.
#[derive(Debug, Clone)]
enum Matcher {
    Str {
        case: CaseMode,
        values: Box<[StrValue]>,
    },
    Like(Box<[LikeValue]>),
    Numeric {
        cmp: Cmp,
        values: Box<[Option<Number>]>,
    },
    Date {
        cmp: Cmp,
        values: Box<[Option<Instant>]>,
    },
    Bool(Box<[Option<bool>]>),
    Binary(Box<[Option<Box<[u8]>>]>),
    Ip(Box<[Option<IpNet>]>),
    Arn(Box<[ArnValue]>),
}

#[derive(Debug, Clone)]
enum StrValue {
    Text(Box<str>),
    Template(Template),
    Invalid,
}

#[derive(Debug, Clone)]
enum LikeValue {
    Pattern(Pattern),
    Template(Template),
    Invalid,
}

#[derive(Debug, Clone)]
enum ArnValue {
    Pattern(ArnPattern),
    /// A value of only `*`: any ARN. [unconfirmed] §3.5 is silent on a value that is
    /// not six components; a lone `*` is taken to mean every ARN (as in `Resource`),
    /// anything else that is not an ARN never matches.
    Any,
    Invalid,
}

/// How a request value must compare with a policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds(self, request_vs_policy: Ordering) -> bool {
        match self {
            Cmp::Eq => request_vs_policy == Ordering::Equal,
            Cmp::Lt => request_vs_policy == Ordering::Less,
            Cmp::Le => request_vs_policy != Ordering::Greater,
            Cmp::Gt => request_vs_policy == Ordering::Greater,
            Cmp::Ge => request_vs_policy != Ordering::Less,
        }
    }

    fn from_suffix(suffix: &str) -> Option<Cmp> {
        match suffix {
            "Equals" | "NotEquals" => Some(Cmp::Eq),
            "LessThan" => Some(Cmp::Lt),
            "LessThanEquals" => Some(Cmp::Le),
            "GreaterThan" => Some(Cmp::Gt),
            "GreaterThanEquals" => Some(Cmp::Ge),
            _ => None,
        }
    }
}

/// `true`/`false` in any case.
fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
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

    /// Evaluates the condition (iam-semantics §4, §5). A key whose state is unknown
    /// makes every operator unknown, `Null` and `…IfExists` included.
    pub fn evaluate(&self, ctx: &dyn Context) -> Tri {
        let (negated, matcher) = match &self.test {
            Test::UnknownOperator => return Tri::Unknown,
            Test::Null(values) => return self.evaluate_null(values, ctx),
            Test::Match { negated, matcher } => (*negated, matcher),
        };
        match ctx.get(&self.key_lower) {
            KeyValue::Unknown => Tri::Unknown,
            KeyValue::Absent => self.on_values(negated, matcher, &[], ctx),
            KeyValue::Values(v) => self.on_values(negated, matcher, v, ctx),
            KeyValue::NoneOf(excluded) => {
                // Absent, or one value no policy value can match: both give the same
                // answer, or it is unknown.
                if matcher.may_match_other_than(excluded) {
                    return Tri::Unknown;
                }
                let present = Tri::from_bool(negated);
                let absent = self.on_values(negated, matcher, &[], ctx);
                if present == absent {
                    present
                } else {
                    Tri::Unknown
                }
            }
            KeyValue::Either(values) => {
                // Absent, or one of these values: the same answer for each, or unknown.
                let absent = self.on_values(negated, matcher, &[], ctx);
                let all_same = values.iter().all(|v| {
                    self.on_values(negated, matcher, std::slice::from_ref(v), ctx) == absent
                });
                if all_same { absent } else { Tri::Unknown }
            }
        }
    }

    /// The condition on the request's values of its key (none: the key is missing).
    fn on_values(
        &self,
        negated: bool,
        matcher: &Matcher,
        request: &[String],
        ctx: &dyn Context,
    ) -> Tri {
        let set = self.name.map_or(SetQualifier::None, |n| n.set);
        // [unconfirmed] §4.4: a multi-valued key with no values is treated as missing.
        if request.is_empty() {
            // §4.3, §4.4: missing key.
            return Tri::from_bool(
                self.if_exists()
                    || match set {
                        SetQualifier::ForAllValues => true,
                        SetQualifier::ForAnyValue => false,
                        SetQualifier::None => negated,
                    },
            );
        }
        // Per request value: matches some policy value (OR), or under a negated
        // operator matches none of them (NOR), §4.2.
        let one = |v: &str| {
            let m = matcher.any(v, ctx);
            if negated { !m } else { m }
        };
        match set {
            SetQualifier::ForAllValues => {
                let mut acc = Tri::True;
                for v in request {
                    acc = acc.and(one(v));
                    if acc == Tri::False {
                        break;
                    }
                }
                acc
            }
            SetQualifier::ForAnyValue => {
                let mut acc = Tri::False;
                for v in request {
                    acc = acc.or(one(v));
                    if acc == Tri::True {
                        break;
                    }
                }
                acc
            }
            SetQualifier::None => match request {
                [v] => one(v),
                // [unconfirmed] §4.4: a plain operator on a key with several values
                // does not match, negated operators included.
                _ => Tri::False,
            },
        }
    }

    /// [unconfirmed] §4.4: a set prefix on `Null` (`ForAnyValue:Null`) is ignored;
    /// `Null` only tests presence.
    fn evaluate_null(&self, values: &[Option<bool>], ctx: &dyn Context) -> Tri {
        let absent = match ctx.get(&self.key_lower) {
            KeyValue::Unknown | KeyValue::NoneOf(_) | KeyValue::Either(_) => return Tri::Unknown,
            KeyValue::Absent => true,
            // [unconfirmed] §4.4: a multi-valued key with no values counts as absent.
            KeyValue::Values(v) => v.is_empty(),
        };
        Tri::from_bool(values.contains(&Some(absent)))
    }
}

impl std::fmt::Display for CompiledCondition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// All conditions of a statement hold (AND, §4.2); an empty list holds.
pub fn evaluate_all(conds: &[CompiledCondition], ctx: &dyn Context) -> Tri {
    let mut acc = Tri::True;
    for c in conds {
        acc = acc.and(c.evaluate(ctx));
        if acc == Tri::False {
            break;
        }
    }
    acc
}

fn compile_matcher(
    base: &str,
    texts: &[Option<std::borrow::Cow<'_, str>>],
    variables: bool,
) -> Option<Matcher> {
    let vars = |t: &str| variables && has_variables(t);
    let matcher = match base {
        "StringEquals"
        | "StringNotEquals"
        | "StringEqualsIgnoreCase"
        | "StringNotEqualsIgnoreCase" => {
            let case = if base.ends_with("IgnoreCase") {
                CaseMode::Insensitive
            } else {
                CaseMode::Sensitive
            };
            Matcher::Str {
                case,
                values: texts
                    .iter()
                    .map(|t| match t.as_deref() {
                        None => StrValue::Invalid,
                        Some(t) if vars(t) => StrValue::Template(Template::new(t, case, false)),
                        Some(t) => StrValue::Text(t.into()),
                    })
                    .collect(),
            }
        }
        "StringLike" | "StringNotLike" => Matcher::Like(
            texts
                .iter()
                .map(|t| match t.as_deref() {
                    None => LikeValue::Invalid,
                    Some(t) if vars(t) => {
                        LikeValue::Template(Template::new(t, CaseMode::Sensitive, true))
                    }
                    Some(t) => LikeValue::Pattern(Pattern::new(t, CaseMode::Sensitive)),
                })
                .collect(),
        ),
        "Bool" => Matcher::Bool(
            texts
                .iter()
                .map(|t| t.as_deref().and_then(parse_bool))
                .collect(),
        ),
        "BinaryEquals" => Matcher::Binary(
            texts
                .iter()
                .map(|t| {
                    t.as_deref()
                        .and_then(binary::decode)
                        .map(Vec::into_boxed_slice)
                })
                .collect(),
        ),
        "IpAddress" | "NotIpAddress" => Matcher::Ip(
            texts
                .iter()
                .map(|t| t.as_deref().and_then(IpNet::parse))
                .collect(),
        ),
        "ArnEquals" | "ArnLike" | "ArnNotEquals" | "ArnNotLike" => Matcher::Arn(
            texts
                .iter()
                .map(|t| match t.as_deref() {
                    None => ArnValue::Invalid,
                    Some(t) if !t.is_empty() && t.bytes().all(|b| b == b'*') => ArnValue::Any,
                    Some(t) => {
                        let p = if variables {
                            ArnPattern::with_variables(t)
                        } else {
                            ArnPattern::new(t)
                        };
                        p.map_or(ArnValue::Invalid, ArnValue::Pattern)
                    }
                })
                .collect(),
        ),
        _ => {
            if let Some(suffix) = base.strip_prefix("Numeric") {
                Matcher::Numeric {
                    cmp: Cmp::from_suffix(suffix)?,
                    values: texts
                        .iter()
                        .map(|t| t.as_deref().and_then(Number::parse))
                        .collect(),
                }
            } else if let Some(suffix) = base.strip_prefix("Date") {
                Matcher::Date {
                    cmp: Cmp::from_suffix(suffix)?,
                    values: texts
                        .iter()
                        .map(|t| t.as_deref().and_then(date::parse))
                        .collect(),
                }
            } else {
                return None;
            }
        }
    };
    Some(matcher)
}

/// A variable's outcome as a truth value: an unresolvable variable makes its value
/// match nothing (§5.3), so a negated operator over it is true; an unknown one is
/// unknown. [unconfirmed] §5.3 is applied per policy value: under a negated operator
/// with several values, another value that does match still makes the NOR false.
fn resolved(r: Result<bool, Unresolved>) -> Tri {
    match r {
        Ok(b) => Tri::from_bool(b),
        Err(Unresolved::Unresolvable) => Tri::False,
        Err(Unresolved::Unknown) => Tri::Unknown,
    }
}

/// OR over the policy values, stopping at the first that matches.
fn any_of<T>(values: &[T], f: impl Fn(&T) -> Tri) -> Tri {
    let mut acc = Tri::False;
    for v in values {
        acc = acc.or(f(v));
        if acc == Tri::True {
            break;
        }
    }
    acc
}

fn bool_any<T>(values: &[T], f: impl Fn(&T) -> bool) -> Tri {
    Tri::from_bool(values.iter().any(f))
}

impl Matcher {
    /// Whether the request value `v` matches some policy value.
    fn any(&self, v: &str, ctx: &dyn Context) -> Tri {
        match self {
            Matcher::Str { case, values } => any_of(values, |p| match p {
                StrValue::Text(t) => Tri::from_bool(string::eq_with_case(v, t, *case)),
                StrValue::Template(t) => resolved(t.matches(v, ctx)),
                StrValue::Invalid => Tri::False,
            }),
            Matcher::Like(values) => any_of(values, |p| match p {
                LikeValue::Pattern(p) => Tri::from_bool(p.matches(v)),
                LikeValue::Template(t) => resolved(t.matches(v, ctx)),
                LikeValue::Invalid => Tri::False,
            }),
            Matcher::Numeric { cmp, values } => match RequestNumber::parse(v) {
                Some(r) => bool_any(values, |p| {
                    p.as_ref().is_some_and(|p| cmp.holds(p.compare(&r)))
                }),
                None => Tri::False,
            },
            Matcher::Date { cmp, values } => match date::parse(v) {
                Some(r) => bool_any(values, |p| p.is_some_and(|p| cmp.holds(r.cmp(&p)))),
                None => Tri::False,
            },
            Matcher::Bool(values) => match parse_bool(v) {
                Some(r) => bool_any(values, |p| *p == Some(r)),
                None => Tri::False,
            },
            Matcher::Binary(values) => bool_any(values, |p| {
                p.as_deref()
                    .is_some_and(|bytes| binary::decodes_to(v, bytes))
            }),
            Matcher::Ip(values) => match IpNet::parse_request(v) {
                Some(r) => bool_any(values, |p| p.is_some_and(|net| net.contains(&r))),
                None => Tri::False,
            },
            Matcher::Arn(values) => any_of(values, |p| match p {
                ArnValue::Pattern(p) => resolved(p.matches_in(v, ctx)),
                ArnValue::Any => Tri::from_bool(Arn::parse(v).is_some()),
                ArnValue::Invalid => Tri::False,
            }),
        }
    }

    /// Whether some value outside `excluded` may match a policy value (only string
    /// operators are decided; the others may).
    fn may_match_other_than(&self, excluded: &[String]) -> bool {
        match self {
            Matcher::Str { case, values } => values.iter().any(|p| match p {
                StrValue::Text(t) => !excluded.iter().any(|e| string::eq_with_case(e, t, *case)),
                StrValue::Template(_) => true,
                StrValue::Invalid => false,
            }),
            Matcher::Like(values) => values.iter().any(|p| match p {
                LikeValue::Pattern(p) => !(p.is_literal() && excluded.iter().any(|e| p.matches(e))),
                LikeValue::Template(_) => true,
                LikeValue::Invalid => false,
            }),
            _ => true,
        }
    }

    fn invalid_indexes(&self) -> Vec<usize> {
        fn none<T>(values: &[Option<T>]) -> Vec<usize> {
            (0..values.len())
                .filter(|i| values.get(*i).is_some_and(Option::is_none))
                .collect()
        }
        fn flagged<T>(values: &[T], bad: impl Fn(&T) -> bool) -> Vec<usize> {
            (0..values.len())
                .filter(|i| values.get(*i).is_some_and(&bad))
                .collect()
        }
        match self {
            Matcher::Str { values, .. } => flagged(values, |v| matches!(v, StrValue::Invalid)),
            Matcher::Like(values) => flagged(values, |v| matches!(v, LikeValue::Invalid)),
            Matcher::Numeric { values, .. } => none(values),
            Matcher::Date { values, .. } => none(values),
            Matcher::Bool(values) => none(values),
            Matcher::Binary(values) => none(values),
            Matcher::Ip(values) => none(values),
            Matcher::Arn(values) => flagged(values, |v| matches!(v, ArnValue::Invalid)),
        }
    }

    fn variable_keys(&self) -> Vec<&str> {
        let mut keys = Vec::new();
        match self {
            Matcher::Str { values, .. } => {
                for v in values.iter() {
                    if let StrValue::Template(t) = v {
                        keys.extend(t.variable_keys());
                    }
                }
            }
            Matcher::Like(values) => {
                for v in values.iter() {
                    if let LikeValue::Template(t) = v {
                        keys.extend(t.variable_keys());
                    }
                }
            }
            Matcher::Arn(values) => {
                for v in values.iter() {
                    if let ArnValue::Pattern(p) = v {
                        keys.extend(p.variable_keys());
                    }
                }
            }
            _ => {}
        }
        keys
    }

    fn has_variables(&self) -> bool {
        !self.variable_keys().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    use crate::model::{FileId, Spanned};
    use crate::policy::context::MapContext;

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
            c.set(k, vs.iter().map(|v| v.to_string()).collect());
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
        outside
            .excluded
            .insert("aws:principalorgid".into(), vec!["o-aaa".into()]);
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
}
