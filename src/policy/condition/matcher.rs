//! What each condition operator compares: the operator's policy values parsed once
//! (strings, wildcard patterns, numbers, dates, booleans, base64, CIDRs, ARNs, and
//! templates with policy variables), and whether one request value matches one of them.

use std::cmp::Ordering;

use crate::policy::arn::{Arn, ArnPattern};
use crate::policy::context::{Context, Tri};
use crate::policy::pattern::{CaseMode, Pattern};
use crate::policy::variables::{Template, Unresolved, has_variables};

use super::date::{self, Instant};
use super::ip::IpNet;
use super::numeric::{Number, RequestNumber};
use super::{binary, string};

/// The positive relation of an operator (`StringNotEquals` uses `StringEquals`'s) with
/// its pre-parsed policy values; `None` or `Invalid` entries never match.
#[derive(Debug, Clone)]
pub(super) enum Matcher {
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
pub(super) enum StrValue {
    Text(Box<str>),
    Template(Template),
    Invalid,
}

#[derive(Debug, Clone)]
pub(super) enum LikeValue {
    Pattern(Pattern),
    Template(Template),
    Invalid,
}

#[derive(Debug, Clone)]
pub(super) enum ArnValue {
    Pattern(ArnPattern),
    /// A value of only `*`: any ARN. [unconfirmed] §3.5 is silent on a value that is
    /// not six components; a lone `*` is taken to mean every ARN (as in `Resource`),
    /// anything else that is not an ARN never matches.
    Any,
    Invalid,
}

/// How a request value must compare with a policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cmp {
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
pub(super) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

pub(super) fn compile_matcher(
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
    pub(super) fn any(&self, v: &str, ctx: &dyn Context) -> Tri {
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
    pub(super) fn may_match_other_than(&self, excluded: &[String]) -> bool {
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

    pub(super) fn invalid_indexes(&self) -> Vec<usize> {
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

    pub(super) fn variable_keys(&self) -> Vec<&str> {
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

    pub(super) fn has_variables(&self) -> bool {
        !self.variable_keys().is_empty()
    }
}
