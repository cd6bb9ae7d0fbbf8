//! Does a statement's `Principal` name the caller, and how (decision-rules §1.5, §2)?
//! How it names the caller decides whether the identity side must allow too.

use std::collections::HashMap;

use super::compile::PrincipalSpec;
use super::request::Caller;
use crate::model::{PrincipalEntry, PrincipalKind, is_account_id};
use crate::policy::arn::Arn;
use crate::policy::context::Tri;

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

pub const KINDS: [Naming; 5] = [
    Naming::Everyone,
    Naming::Account,
    Naming::Entity,
    Naming::Role,
    Naming::Service,
];

/// How surely a statement's `Principal` (or `NotPrincipal`) names the caller, per
/// [`Naming`]: a session name the graph does not know makes a session ARN name the
/// caller only possibly (decision-rules §2.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Names<'s> {
    tri: [Tri; 5],
    /// The session name the answer depends on, when it is not known.
    pub session: Option<SessionCondition<'s>>,
}

/// "the caller's session name is (not) `name`".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCondition<'s> {
    pub name: &'s str,
    pub negated: bool,
}

impl SessionCondition<'_> {
    /// The condition as the reasons word it.
    pub fn describe(&self) -> String {
        let is = if self.negated { "is not" } else { "is" };
        format!("the caller's role session name {is} `{}`", self.name)
    }
}

impl<'s> Names<'s> {
    fn none() -> Self {
        Names {
            tri: [Tri::False; 5],
            session: None,
        }
    }

    /// How surely the statement names the caller in this way.
    pub fn get(&self, how: Naming) -> Tri {
        self.tri.get(how as usize).copied().unwrap_or(Tri::False)
    }

    /// How surely the statement names the caller at all.
    pub fn any(&self) -> Tri {
        self.tri.iter().fold(Tri::False, |a, t| a.or(*t))
    }

    fn add(&mut self, how: Naming, t: Tri) {
        if let Some(slot) = self.tri.get_mut(how as usize) {
            *slot = slot.or(t);
        }
    }

    /// The most specific way the statement surely or possibly names the caller.
    pub fn best(&self) -> Option<Naming> {
        KINDS
            .iter()
            .rev()
            .copied()
            .find(|k| !self.get(*k).is_false())
    }
}

/// How the statement's `Principal` names the caller. For `NotPrincipal` the statement
/// applies to every caller that is not exempt (§2.7): only a caller each of whose
/// identities is listed escapes it, and a caller with a permissions boundary never
/// does; it is then named as `Everyone`. `session_unknown`: the caller's session name
/// is not known (graph analysis), so a session ARN may or may not name it.
pub fn naming<'s>(
    spec: &'s PrincipalSpec,
    caller: &Caller,
    caller_has_boundary: bool,
    session_unknown: bool,
) -> Names<'s> {
    let mut names = Names::none();
    if spec.negated {
        let (exempt, session) = exemption(&spec.entries, caller, session_unknown);
        let applies = if caller_has_boundary && caller.is_iam() {
            Tri::True
        } else {
            !exempt
        };
        names.add(Naming::Everyone, applies);
        if applies == Tri::Unknown {
            names.session = session.map(|name| SessionCondition {
                name,
                negated: true,
            });
        }
        return names;
    }
    for e in spec.for_account(caller.account()) {
        if let Some((how, t, session)) = entry_names(e, caller, session_unknown) {
            names.add(how, t);
            if t == Tri::Unknown && session.is_some() {
                names.session = session.map(|name| SessionCondition {
                    name,
                    negated: false,
                });
            }
        }
    }
    names
}

/// Whether a `NotPrincipal` list exempts the caller (§2.7): `*` listed exempts
/// everyone; an IAM caller needs its account and its own ARN listed (a role session:
/// the session ARN or [unconfirmed] the role ARN); a service or identity provider
/// needs itself listed. Returns the session name the answer depends on when unknown.
fn exemption<'s>(
    entries: &'s [PrincipalEntry],
    caller: &Caller,
    session_unknown: bool,
) -> (Tri, Option<&'s str>) {
    let everyone = entries.iter().any(|e| {
        e.kind == PrincipalKind::Everyone || (e.kind == PrincipalKind::Aws && e.value.value == "*")
    });
    if everyone {
        return (Tri::True, None);
    }
    let listed = |kind: PrincipalKind, value: &str| {
        entries
            .iter()
            .any(|e| e.kind == kind && e.value.value.eq_ignore_ascii_case(value))
    };
    match caller {
        Caller::Anonymous => (Tri::False, None),
        Caller::Service(s) => (Tri::from_bool(listed(PrincipalKind::Service, s)), None),
        Caller::Federated(p) => (
            Tri::from_bool(
                entries
                    .iter()
                    .any(|e| e.kind == PrincipalKind::Federated && e.value.value == *p),
            ),
            None,
        ),
        _ => {
            let account_listed = entries.iter().any(|e| {
                e.kind == PrincipalKind::Aws
                    && matches!(
                        aws_names(&e.value.value, caller, session_unknown),
                        Some((Naming::Account, _, _))
                    )
            });
            if !account_listed {
                return (Tri::False, None);
            }
            if matches!(caller, Caller::Root { .. }) {
                return (Tri::True, None);
            }
            let mut own = Tri::False;
            let mut session = None;
            for e in entries.iter().filter(|e| e.kind == PrincipalKind::Aws) {
                if let Some((how, t, s)) = aws_names(&e.value.value, caller, session_unknown) {
                    if matches!(how, Naming::Entity | Naming::Role) {
                        own = own.or(t);
                        if t == Tri::Unknown {
                            session = session.or(s);
                        }
                    }
                }
            }
            (own, if own == Tri::Unknown { session } else { None })
        }
    }
}

/// Lists of more principals than this are indexed by account.
const INDEX_FROM: usize = 16;

/// The entries of a long principal list by the one account each can name: an `AWS`
/// entry names only callers of the account its ID or ARN carries, so a caller needs
/// only those and the entries that are not about one account (`*`, services,
/// identity providers, values that are not ARNs). A bucket policy that lists a
/// thousand account roots is then a lookup, not a thousand parses per request.
#[derive(Debug, Clone, Default)]
pub struct AccountIndex {
    accounts: HashMap<Box<str>, Vec<u32>>,
    others: Vec<u32>,
}

impl PrincipalSpec {
    pub fn new(negated: bool, entries: Vec<PrincipalEntry>) -> PrincipalSpec {
        let by_account = (entries.len() > INDEX_FROM).then(|| {
            let mut index = AccountIndex::default();
            for (i, e) in (0u32..).zip(&entries) {
                match entry_account(e) {
                    Some(account) => index.accounts.entry(account.into()).or_default().push(i),
                    None => index.others.push(i),
                }
            }
            index
        });
        PrincipalSpec {
            negated,
            entries,
            by_account,
        }
    }

    /// The entries that may name a caller of `account` (`None`: a caller outside
    /// every account), in the order of the list.
    pub fn for_account<'a>(
        &'a self,
        account: Option<&str>,
    ) -> impl Iterator<Item = &'a PrincipalEntry> + 'a {
        let (whole, others, own): (&[PrincipalEntry], &[u32], &[u32]) = match &self.by_account {
            None => (&self.entries, &[], &[]),
            Some(ix) => (
                &[],
                &ix.others,
                account
                    .and_then(|a| ix.accounts.get(a))
                    .map_or(&[][..], Vec::as_slice),
            ),
        };
        whole
            .iter()
            .chain(Merged { a: others, b: own }.filter_map(|i| self.entries.get(i as usize)))
    }
}

/// The one account an `AWS` entry can name, when it names one.
fn entry_account(e: &PrincipalEntry) -> Option<&str> {
    let value = e.value.value.as_str();
    if e.kind != PrincipalKind::Aws || value == "*" {
        return None;
    }
    if is_account_id(value) {
        return Some(value);
    }
    Arn::parse(value).map(|arn| arn.account)
}

/// Two ascending index lists merged into one.
struct Merged<'a> {
    a: &'a [u32],
    b: &'a [u32],
}

impl Iterator for Merged<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let take_a = match (self.a.first(), self.b.first()) {
            (Some(x), Some(y)) => x < y,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let (head, rest) = if take_a {
            self.a.split_first()?
        } else {
            self.b.split_first()?
        };
        if take_a {
            self.a = rest;
        } else {
            self.b = rest;
        }
        Some(*head)
    }
}

fn entry_names<'s>(
    e: &'s PrincipalEntry,
    caller: &Caller,
    session_unknown: bool,
) -> Option<(Naming, Tri, Option<&'s str>)> {
    let value = e.value.value.as_str();
    match &e.kind {
        PrincipalKind::Everyone => Some((Naming::Everyone, Tri::True, None)),
        PrincipalKind::Aws if value == "*" => Some((Naming::Everyone, Tri::True, None)),
        PrincipalKind::Aws => aws_names(value, caller, session_unknown),
        PrincipalKind::Service => match caller {
            Caller::Service(s) if s.eq_ignore_ascii_case(value) => {
                Some((Naming::Service, Tri::True, None))
            }
            _ => None,
        },
        PrincipalKind::Federated => match caller {
            Caller::Federated(p) if p == value => Some((Naming::Service, Tri::True, None)),
            _ => None,
        },
        // S3 ACL identities and types iampath does not know name no caller it models.
        PrincipalKind::CanonicalUser | PrincipalKind::Unknown(_) => None,
    }
}

/// How an `AWS` principal value names an IAM caller; the third part is the session
/// name the match depends on when the caller's is not known.
fn aws_names<'s>(
    value: &'s str,
    caller: &Caller,
    session_unknown: bool,
) -> Option<(Naming, Tri, Option<&'s str>)> {
    let account = caller.account()?;
    if is_account_id(value) {
        return (value == account).then_some((Naming::Account, Tri::True, None));
    }
    // A bare unique ID (AIDA…, AROA…) names a deleted principal: it matches only the
    // entity with that ID, which iampath's callers never carry (§2.6).
    let arn = Arn::parse(value)?;
    if arn.account != account {
        return None;
    }
    let sure = |b: bool, how: Naming| b.then_some((how, Tri::True, None));
    let (kind, rest) = arn.resource_type_and_name();
    match (arn.service, kind, caller) {
        ("iam", _, _) if arn.resource == "root" => Some((Naming::Account, Tri::True, None)),
        ("iam", "user", Caller::User { arn: a, .. }) => sure(a == value, Naming::Entity),
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
            sure(same, Naming::Role)
        }
        (
            "sts",
            "assumed-role",
            Caller::RoleSession {
                session_arn,
                role_name,
                ..
            },
        ) => match session_arn {
            Some(s) => sure(s == value, Naming::Entity),
            // §2.8: a session of the named role, if its session name is the one named.
            None => {
                let (role, session) = rest.split_once('/')?;
                (session_unknown && role == role_name).then_some((
                    Naming::Entity,
                    Tri::Unknown,
                    Some(session),
                ))
            }
        },
        ("sts", "federated-user", Caller::FederatedUser { arn: a, .. }) => {
            sure(a == value, Naming::Entity)
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
        PrincipalSpec::new(
            negated,
            entries
                .iter()
                .map(|(k, v)| PrincipalEntry {
                    kind: k.clone(),
                    value: Spanned::new(v.to_string(), span),
                })
                .collect(),
        )
    }

    /// A long list is indexed by account; the index must name every caller exactly
    /// as the whole list read in order does.
    #[test]
    fn account_index_names_as_the_whole_list() {
        let mut entries: Vec<(PrincipalKind, String)> = (0..40)
            .map(|i| {
                (
                    PrincipalKind::Aws,
                    format!("arn:aws:iam::2100000000{i:02}:root"),
                )
            })
            .collect();
        entries.extend([
            (PrincipalKind::Aws, "111111111111".to_string()),
            (
                PrincipalKind::Aws,
                "arn:aws:iam::111111111111:role/Admin".to_string(),
            ),
            (
                PrincipalKind::Aws,
                "arn:aws:sts::111111111111:assumed-role/Admin/alice".to_string(),
            ),
            (PrincipalKind::Service, "lambda.amazonaws.com".to_string()),
            (PrincipalKind::Aws, "not an arn".to_string()),
            (PrincipalKind::Aws, "AROAEXAMPLEUNIQUEID".to_string()),
            (
                PrincipalKind::Aws,
                "arn:aws:iam::210000000007:user/bob".to_string(),
            ),
        ]);
        let borrowed: Vec<(PrincipalKind, &str)> = entries
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str()))
            .collect();
        for negated in [false, true] {
            let indexed = spec(negated, &borrowed);
            assert!(indexed.by_account.is_some());
            let mut plain = indexed.clone();
            plain.by_account = None;
            for c in [
                "arn:aws:iam::111111111111:role/Admin",
                "arn:aws:iam::111111111111:role/Other",
                "arn:aws:iam::210000000007:user/bob",
                "arn:aws:iam::210000000039:user/carol",
                "arn:aws:iam::999999999999:user/dave",
                "lambda.amazonaws.com",
                "*",
            ] {
                let who = caller(c);
                for session_unknown in [false, true] {
                    assert_eq!(
                        naming(&indexed, &who, false, session_unknown),
                        naming(&plain, &who, false, session_unknown),
                        "{c} negated={negated}"
                    );
                }
            }
        }
    }

    fn caller(s: &str) -> Caller {
        Caller::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The most specific naming and how surely, for a definite-context caller.
    fn best(spec: &PrincipalSpec, c: &Caller, boundary: bool) -> Option<(Naming, Tri)> {
        let n = naming(spec, c, boundary, false);
        n.best().map(|k| (k, n.get(k)))
    }

    const ALICE: &str = "arn:aws:iam::111111111111:user/alice";

    #[test]
    fn account_root_and_bare_id_are_the_same() {
        let alice = caller(ALICE);
        for v in ["111111111111", "arn:aws:iam::111111111111:root"] {
            assert_eq!(
                best(&spec(false, &[(PrincipalKind::Aws, v)]), &alice, false),
                Some((Naming::Account, Tri::True))
            );
        }
        assert_eq!(
            best(
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
        let one = |v: &str| best(&spec(false, &[(PrincipalKind::Aws, v)]), &s, false);
        assert_eq!(
            one("arn:aws:iam::111111111111:role/R"),
            Some((Naming::Role, Tri::True))
        );
        assert_eq!(one("arn:aws:iam::111111111111:role/other"), None);
        assert_eq!(one("AROAEXAMPLEID1234567"), None);
        assert_eq!(
            one("arn:aws:sts::111111111111:assumed-role/R/x"),
            Some((Naming::Entity, Tri::True))
        );
        assert_eq!(one("arn:aws:sts::111111111111:assumed-role/R/y"), None);
    }

    #[test]
    fn a_session_arn_names_a_role_of_unknown_session_conditionally() {
        // §2.8: in the graph a role's session name is not known.
        let r = caller("arn:aws:iam::111111111111:role/R");
        let sp = spec(
            false,
            &[(
                PrincipalKind::Aws,
                "arn:aws:sts::111111111111:assumed-role/R/alice@example.com",
            )],
        );
        let n = naming(&sp, &r, false, true);
        assert_eq!(n.get(Naming::Entity), Tri::Unknown);
        assert_eq!(
            n.session.map(|s| s.describe()),
            Some("the caller's role session name is `alice@example.com`".to_string())
        );
        // simulate: no session name given means none matches.
        assert_eq!(naming(&sp, &r, false, false).any(), Tri::False);
        // another role's session never names it.
        let other = caller("arn:aws:iam::111111111111:role/Other");
        assert_eq!(naming(&sp, &other, false, true).any(), Tri::False);
    }

    #[test]
    fn not_principal_exempts_only_when_every_identity_is_listed() {
        let alice = caller(ALICE);
        let bob = caller("arn:aws:iam::111111111111:user/bob");
        let applies = |entries: &[(PrincipalKind, &str)], c: &Caller, boundary: bool| {
            naming(&spec(true, entries), c, boundary, false).get(Naming::Everyone)
        };
        let user_only = [(PrincipalKind::Aws, ALICE)];
        let user_and_account = [
            (PrincipalKind::Aws, ALICE),
            (PrincipalKind::Aws, "arn:aws:iam::111111111111:root"),
        ];
        // §2.7: the user's ARN alone does not exempt it: its account is not listed.
        assert_eq!(applies(&user_only, &alice, false), Tri::True);
        assert_eq!(applies(&user_and_account, &alice, false), Tri::False);
        // the account root listed exempts neither its other users…
        assert_eq!(applies(&user_and_account, &bob, false), Tri::True);
        // …nor its roles, but does exempt the root user.
        let role = caller("arn:aws:sts::111111111111:assumed-role/R/s");
        assert_eq!(applies(&user_and_account, &role, false), Tri::True);
        let root = caller("arn:aws:iam::111111111111:root");
        assert_eq!(applies(&user_and_account, &root, false), Tri::False);
        // a boundary always catches.
        assert_eq!(applies(&user_and_account, &alice, true), Tri::True);
        // a role session: its role (or session) ARN and its account.
        let role_listed = [
            (PrincipalKind::Aws, "arn:aws:iam::111111111111:role/R"),
            (PrincipalKind::Aws, "111111111111"),
        ];
        assert_eq!(applies(&role_listed, &role, false), Tri::False);
        // `*` exempts everyone, anonymous callers included.
        let star = [(PrincipalKind::Aws, "*")];
        assert_eq!(applies(&star, &Caller::Anonymous, false), Tri::False);
        assert_eq!(applies(&user_only, &Caller::Anonymous, false), Tri::True);
    }

    #[test]
    fn not_principal_with_a_session_arn_is_conditional_for_an_unknown_session() {
        let r = caller("arn:aws:iam::111111111111:role/R");
        let sp = spec(
            true,
            &[
                (
                    PrincipalKind::Aws,
                    "arn:aws:sts::111111111111:assumed-role/R/ops",
                ),
                (PrincipalKind::Aws, "111111111111"),
            ],
        );
        let n = naming(&sp, &r, false, true);
        assert_eq!(n.get(Naming::Everyone), Tri::Unknown);
        assert_eq!(
            n.session.map(|s| s.describe()),
            Some("the caller's role session name is not `ops`".to_string())
        );
    }
}
