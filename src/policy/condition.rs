//! Condition operators (iam-semantics §4.1): names and their parts.

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
}
