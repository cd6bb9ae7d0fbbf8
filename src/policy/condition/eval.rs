//! Evaluating a compiled condition: the state of its key in the context (absent,
//! unknown, known to differ), the set qualifiers `ForAllValues`/`ForAnyValue`,
//! `…IfExists`, negated operators and `Null`; and the AND of a statement's conditions.

use crate::policy::context::{Context, KeyValue, Tri};

use super::matcher::Matcher;
use super::{CompiledCondition, SetQualifier, Test};

impl CompiledCondition {
    /// Evaluates the condition (decision-rules §4, §5). A key whose state is unknown
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
