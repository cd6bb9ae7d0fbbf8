//! Does a statement's `Principal` name the caller, and how (iam-semantics §1.5, §2)?
//! How it names the caller decides whether the identity side must allow too.

use super::compile::PrincipalSpec;
use super::request::Caller;
use crate::model::{PrincipalKind, is_account_id};
use crate::policy::arn::Arn;

/// How a principal entry names the caller, from broadest to most specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Naming {
    /// `"*"` / `{"AWS": "*"}`: everyone, anonymous callers included.
    Everyone,
    /// The caller's account (`"111111111111"` or `…:root`): delegation only.
    Account,
    /// The caller's user, session or federated-user ARN: enough alone.
    Entity,
    /// The role of the caller's session: enough, but boundary and session policy apply.
    Role,
    /// The service principal or identity provider the caller is.
    Service,
}

/// How the statement's `Principal` names the caller, or `None`. For `NotPrincipal`
/// the statement applies to every caller not named (and, §2.7, always to a caller
/// with a permissions boundary); it then returns `Some(Everyone)`.
pub fn naming(spec: &PrincipalSpec, caller: &Caller, caller_has_boundary: bool) -> Option<Naming> {
    let best = spec
        .entries
        .iter()
        .filter_map(|e| entry_names(&e.kind, &e.value.value, caller))
        .max();
    if spec.negated {
        // §2.7: NotPrincipal+Deny always catches a principal with a boundary.
        return (best.is_none() || caller_has_boundary).then_some(Naming::Everyone);
    }
    best
}

fn entry_names(kind: &PrincipalKind, value: &str, caller: &Caller) -> Option<Naming> {
    match kind {
        PrincipalKind::Everyone => Some(Naming::Everyone),
        PrincipalKind::Aws if value == "*" => Some(Naming::Everyone),
        PrincipalKind::Aws => aws_names(value, caller),
        PrincipalKind::Service => match caller {
            Caller::Service(s) if s.eq_ignore_ascii_case(value) => Some(Naming::Service),
            _ => None,
        },
        PrincipalKind::Federated => match caller {
            Caller::Federated(p) if p == value => Some(Naming::Service),
            _ => None,
        },
        // S3 ACL identities and types iampath does not know name no caller it models.
        PrincipalKind::CanonicalUser | PrincipalKind::Unknown(_) => None,
    }
}

fn aws_names(value: &str, caller: &Caller) -> Option<Naming> {
    let account = caller.account()?;
    if is_account_id(value) {
        return (value == account).then_some(Naming::Account);
    }
    // A bare unique ID (AIDA…, AROA…) names a deleted principal: it matches only the
    // entity with that ID, which iampath's callers never carry (§2.6).
    let arn = Arn::parse(value)?;
    if arn.account != account {
        return None;
    }
    let (kind, _) = arn.resource_type_and_name();
    match (arn.service, kind, caller) {
        ("iam", _, _) if arn.resource == "root" => Some(Naming::Account),
        ("iam", "user", Caller::User { arn: a, .. }) => (a == value).then_some(Naming::Entity),
        (
            "iam",
            "role",
            Caller::RoleSession {
                role_arn,
                role_name,
                ..
            },
        ) => {
            // A session ARN carries no role path: a role named with a path matches a
            // session of that role name when the caller's path is unknown.
            let caller_path_known = role_arn
                .split_once(":role/")
                .is_some_and(|(_, r)| r.contains('/'));
            let same =
                role_arn == value || (!caller_path_known && arn.resource_name() == role_name);
            same.then_some(Naming::Role)
        }
        (
            "sts",
            "assumed-role",
            Caller::RoleSession {
                session_arn: Some(s),
                ..
            },
        ) => (s == value).then_some(Naming::Entity),
        ("sts", "federated-user", Caller::FederatedUser { arn: a, .. }) => {
            (a == value).then_some(Naming::Entity)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileId, PrincipalEntry, Span, Spanned};

    fn spec(negated: bool, entries: &[(PrincipalKind, &str)]) -> PrincipalSpec {
        let span = Span::at(FileId(0), 0);
        PrincipalSpec {
            negated,
            entries: entries
                .iter()
                .map(|(k, v)| PrincipalEntry {
                    kind: k.clone(),
                    value: Spanned::new(v.to_string(), span),
                })
                .collect(),
        }
    }

    fn caller(s: &str) -> Caller {
        Caller::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn account_root_and_bare_id_are_the_same() {
        let alice = caller("arn:aws:iam::111111111111:user/alice");
        for v in ["111111111111", "arn:aws:iam::111111111111:root"] {
            assert_eq!(
                naming(&spec(false, &[(PrincipalKind::Aws, v)]), &alice, false),
                Some(Naming::Account)
            );
        }
        assert_eq!(
            naming(
                &spec(false, &[(PrincipalKind::Aws, "222222222222")]),
                &alice,
                false
            ),
            None
        );
    }

    #[test]
    fn role_arn_names_its_sessions_and_unique_ids_name_nobody() {
        let s = caller("arn:aws:sts::111111111111:assumed-role/R/x");
        assert_eq!(
            naming(
                &spec(
                    false,
                    &[(PrincipalKind::Aws, "arn:aws:iam::111111111111:role/R")]
                ),
                &s,
                false
            ),
            Some(Naming::Role)
        );
        assert_eq!(
            naming(
                &spec(
                    false,
                    &[(PrincipalKind::Aws, "arn:aws:iam::111111111111:role/other")]
                ),
                &s,
                false
            ),
            None
        );
        assert_eq!(
            naming(
                &spec(false, &[(PrincipalKind::Aws, "AROAEXAMPLEID1234567")]),
                &s,
                false
            ),
            None
        );
        assert_eq!(
            naming(
                &spec(
                    false,
                    &[(
                        PrincipalKind::Aws,
                        "arn:aws:sts::111111111111:assumed-role/R/x"
                    )]
                ),
                &s,
                false
            ),
            Some(Naming::Entity)
        );
    }

    #[test]
    fn not_principal_catches_everyone_else_and_any_bounded_caller() {
        let alice = caller("arn:aws:iam::111111111111:user/alice");
        let np = spec(
            true,
            &[(PrincipalKind::Aws, "arn:aws:iam::111111111111:user/alice")],
        );
        assert_eq!(naming(&np, &alice, false), None);
        assert_eq!(naming(&np, &alice, true), Some(Naming::Everyone));
        assert_eq!(
            naming(&np, &caller("arn:aws:iam::111111111111:user/bob"), false),
            Some(Naming::Everyone)
        );
    }
}
