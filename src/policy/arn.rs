//! Amazon Resource Names: `arn:partition:service:region:account:resource`.

use super::context::{Context, KeyValue};
use super::pattern::{CaseMode, Pattern};
use super::variables::{Template, Unresolved, has_variables};

/// The partitions decision-rules §3.3 names.
pub const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// An ARN split into its six components (borrowed from the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// Everything after the fifth colon (`role/path/name`, `bucket/key`, `function:f`).
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `text` into components; `None` unless it starts with `arn:` and has all
    /// six. Components are not validated (a pattern may hold wildcards).
    pub fn parse(text: &'a str) -> Option<Self> {
        // Called for every request and principal entry the graph decides: a plain
        // scan for the colons (ASCII, so every cut is a character boundary).
        fn cut(s: &str) -> Option<(&str, &str)> {
            let at = s.bytes().position(|b| b == b':')?;
            Some((s.get(..at)?, s.get(at + 1..)?))
        }
        let rest = text.strip_prefix("arn:")?;
        let (partition, rest) = cut(rest)?;
        let (service, rest) = cut(rest)?;
        let (region, rest) = cut(rest)?;
        let (account, resource) = cut(rest)?;
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// The resource type and name of `type/name` or `type:name` resources.
    pub fn resource_type_and_name(&self) -> (&'a str, &'a str) {
        match self.resource.find(['/', ':']) {
            Some(i) => (
                self.resource.get(..i).unwrap_or_default(),
                self.resource.get(i + 1..).unwrap_or_default(),
            ),
            None => ("", self.resource),
        }
    }

    /// The last `/`-separated part of the resource (a user's or role's name).
    pub fn resource_name(&self) -> &'a str {
        self.resource.rsplit('/').next().unwrap_or(self.resource)
    }

    /// True when the partition is known and the account is empty, `aws` or 12 digits.
    pub fn is_well_formed(&self) -> bool {
        PARTITIONS.contains(&self.partition)
            && !self.service.is_empty()
            && (self.account.is_empty()
                || self.account == "aws"
                || crate::model::is_account_id(self.account))
    }
}

/// An ARN pattern compiled once, for the `Resource` element and `ArnLike`/`ArnEquals`
/// (decision-rules §3.3, §3.5): the six components are compared separately, so a `*`
/// in the partition, service, region or account never crosses a `:`. Those four
/// ignore ASCII case; the resource part (everything after the fifth colon) is
/// case-sensitive and its `*` crosses `/` and `:`.
///
/// Shared: the patterns compiled while [`interning`] (a world's accounts) are one per
/// text, and a pointer wide inside the enums that hold them (an organization's
/// policies name the same ARNs over and over: a fourth of them are distinct).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArnPattern(std::sync::Arc<Compiled>);

#[derive(Debug, PartialEq, Eq, Hash)]
struct Compiled {
    raw: Box<str>,
    parts: Parts,
}

std::thread_local! {
    /// The patterns compiled in the [`interning`] scope of this thread.
    static INTERNED: std::cell::RefCell<Option<Interned>> =
        const { std::cell::RefCell::new(None) };
}

/// The patterns of a scope by text (`None`: not an ARN pattern).
#[derive(Default)]
struct Interned {
    plain: std::collections::HashMap<Box<str>, Option<ArnPattern>>,
    with_variables: std::collections::HashMap<Box<str>, Option<ArnPattern>>,
}

/// Runs `f` with the ARN patterns it compiles on this thread shared by text (the
/// scope's patterns are let go at its end; nested scopes share the outer one's).
pub fn interning<R>(f: impl FnOnce() -> R) -> R {
    super::scoped::scoped(&INTERNED, f)
}

/// The components of an ARN pattern. Every principal's policies hold several, so the
/// common head components (`aws`, `s3`, an account ID, empty, `*`) are a range of
/// the pattern's text, not a compiled pattern with its own copy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Parts {
    /// Partition, service, region, account.
    head: [Head; 4],
    resource: Component,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Head {
    /// Literal text, `raw[start..end]`, compared ignoring ASCII case.
    Exact(u32, u32),
    /// `*`: any text, the empty one included.
    Any,
    /// Any other wildcard, or a variable.
    Other(Box<Component>),
}

impl Head {
    /// `text` is the component, a slice of `raw`.
    fn new(raw: &str, text: &str, variables: bool) -> Head {
        if text == "*" {
            return Head::Any;
        }
        let start = text.as_ptr() as usize - raw.as_ptr() as usize;
        let wild = text.contains(['*', '?']) || (variables && has_variables(text));
        match (u32::try_from(start), u32::try_from(start + text.len())) {
            (Ok(a), Ok(b)) if !wild => Head::Exact(a, b),
            _ => Head::Other(Box::new(Component::new(
                text,
                CaseMode::Insensitive,
                variables,
            ))),
        }
    }

    fn matches(&self, raw: &str, text: &str, ctx: &dyn Context) -> Result<bool, Unresolved> {
        match self {
            Head::Exact(a, b) => Ok(raw
                .get(*a as usize..*b as usize)
                .is_some_and(|lit| lit.eq_ignore_ascii_case(text))),
            Head::Any => Ok(true),
            Head::Other(c) => c.matches(text, ctx),
        }
    }

    fn component(&self) -> Option<&Component> {
        match self {
            Head::Other(c) => Some(c),
            Head::Exact(..) | Head::Any => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Component {
    Plain(Pattern),
    /// Holds `${…}` (only with [`ArnPattern::with_variables`]).
    Template(Template),
}

impl Component {
    fn new(text: &str, case: CaseMode, variables: bool) -> Component {
        if variables && has_variables(text) {
            Component::Template(Template::new(text, case, true))
        } else {
            Component::Plain(Pattern::new(text, case))
        }
    }

    fn matches(&self, text: &str, ctx: &dyn Context) -> Result<bool, Unresolved> {
        match self {
            Component::Plain(p) => Ok(p.matches(text)),
            Component::Template(t) => t.matches(text, ctx),
        }
    }
}

impl ArnPattern {
    /// Compiles `pattern`; `None` unless it is `arn:` and six components. `${…}` is
    /// literal text (policy Version 2008-10-17 or none).
    pub fn new(pattern: &str) -> Option<ArnPattern> {
        Self::compile(pattern, false)
    }

    /// Compiles `pattern` with policy variables (§5), which may appear in any
    /// component; a `:` inside `${…}` does not split components.
    pub fn with_variables(pattern: &str) -> Option<ArnPattern> {
        Self::compile(pattern, true)
    }

    fn compile(pattern: &str, variables: bool) -> Option<ArnPattern> {
        super::scoped::cached(
            &INTERNED,
            |i| match variables {
                true => &mut i.with_variables,
                false => &mut i.plain,
            },
            || std::borrow::Cow::Borrowed(pattern),
            || Self::compile_new(pattern, variables),
        )
    }

    fn compile_new(pattern: &str, variables: bool) -> Option<ArnPattern> {
        let [partition, service, region, account, resource] = if variables {
            split_template(pattern)?
        } else {
            let a = Arn::parse(pattern)?;
            [a.partition, a.service, a.region, a.account, a.resource]
        };
        let head = |c| Head::new(pattern, c, variables);
        let parts = Parts {
            head: [head(partition), head(service), head(region), head(account)],
            resource: Component::new(resource, CaseMode::Sensitive, variables),
        };
        Some(ArnPattern(std::sync::Arc::new(Compiled {
            raw: pattern.into(),
            parts,
        })))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0.raw
    }

    /// True when a component holds `${…}`.
    pub fn has_variables(&self) -> bool {
        self.components()
            .any(|c| matches!(c, Component::Template(_)))
    }

    /// The lowercased keys named by variables in the pattern.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.components().flat_map(|c| {
            match c {
                Component::Template(t) => Some(t.variable_keys()),
                Component::Plain(_) => None,
            }
            .into_iter()
            .flatten()
        })
    }

    /// True for a pattern without wildcards or variables.
    pub fn is_literal(&self) -> bool {
        !self.0.parts.head.contains(&Head::Any)
            && self
                .components()
                .all(|c| matches!(c, Component::Plain(p) if p.is_literal()))
    }

    /// Whether `arn` matches; a text that is not an ARN never does. Variables are
    /// resolved against an empty request: only their defaults and `${*}`-style
    /// literals apply.
    pub fn matches(&self, arn: &str) -> bool {
        self.matches_in(arn, &NoKeys) == Ok(true)
    }

    /// Whether `arn` matches, with variables taken from `ctx`. A definite mismatch of
    /// one component wins over an unresolvable or unknown variable in another.
    pub fn matches_in(&self, arn: &str, ctx: &dyn Context) -> Result<bool, Unresolved> {
        match Arn::parse(arn) {
            Some(a) => self.matches_parsed(&a, ctx),
            None => Ok(false),
        }
    }

    /// [`ArnPattern::matches_in`] for an ARN already split (parse the request's
    /// resource once, match it against many patterns).
    pub fn matches_parsed(&self, a: &Arn, ctx: &dyn Context) -> Result<bool, Unresolved> {
        let mut pending: Option<Unresolved> = None;
        let mut note = |outcome: Result<bool, Unresolved>| -> bool {
            match outcome {
                Ok(true) => true,
                Ok(false) => false,
                Err(u) => {
                    pending = Some(match (pending, u) {
                        (Some(Unresolved::Unresolvable), _) => Unresolved::Unresolvable,
                        (_, u) => u,
                    });
                    true
                }
            }
        };
        // The resource part tells most patterns apart, so it is matched first (the
        // answer does not depend on the order: any mismatch is a mismatch, and an
        // unresolved part only counts when nothing mismatches).
        let [partition, service, region, account] = &self.0.parts.head;
        let raw = &self.0.raw;
        if !note(self.0.parts.resource.matches(a.resource, ctx))
            || !note(account.matches(raw, a.account, ctx))
            || !note(service.matches(raw, a.service, ctx))
            || !note(region.matches(raw, a.region, ctx))
            || !note(partition.matches(raw, a.partition, ctx))
        {
            return Ok(false);
        }
        match pending {
            Some(u) => Err(u),
            None => Ok(true),
        }
    }

    /// The components that are compiled patterns (the others are literal or `*`).
    fn components(&self) -> impl Iterator<Item = &Component> {
        let head = self.0.parts.head.iter().filter_map(Head::component);
        head.chain(std::iter::once(&self.0.parts.resource))
    }
}

impl std::fmt::Display for ArnPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.raw)
    }
}

/// Splits `arn:p:s:r:a:resource` at the colons outside `${…}`.
fn split_template(text: &str) -> Option<[&str; 5]> {
    let mut cuts = [0usize; 6];
    let mut found = 0usize;
    let mut in_var = false;
    let mut prev = '\0';
    for (i, c) in text.char_indices() {
        if found == cuts.len() {
            break;
        }
        match c {
            '{' if prev == '$' => in_var = true,
            '}' => in_var = false,
            ':' if !in_var => {
                if let Some(slot) = cuts.get_mut(found) {
                    *slot = i;
                }
                found += 1;
            }
            _ => {}
        }
        prev = c;
    }
    if found < 5 || text.get(..cuts.first().copied()?)? != "arn" {
        return None;
    }
    let part = |k: usize| -> Option<&str> {
        let start = cuts.get(k)? + 1;
        match cuts.get(k + 1) {
            Some(&end) if k + 1 < 5 => text.get(start..end),
            _ => text.get(start..),
        }
    };
    Some([part(0)?, part(1)?, part(2)?, part(3)?, part(4)?])
}

/// A request that carries no keys.
struct NoKeys;

impl Context for NoKeys {
    fn get(&self, _key_lower: &str) -> KeyValue<'_> {
        KeyValue::Absent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_six_parts() {
        let a = Arn::parse("arn:aws:iam::111111111111:role/path/Name")
            .unwrap_or_else(|| panic!("not an ARN"));
        assert_eq!(a.account, "111111111111");
        assert_eq!(a.resource, "role/path/Name");
        assert_eq!(a.resource_type_and_name(), ("role", "path/Name"));
        assert_eq!(a.resource_name(), "Name");
        let s3 = Arn::parse("arn:aws:s3:::b/k:with:colons").unwrap_or_else(|| panic!("not an ARN"));
        assert_eq!(s3.resource, "b/k:with:colons");
        assert!(Arn::parse("arn:aws:iam::111111111111").is_none());
        assert!(Arn::parse("*").is_none());
        assert!(
            !Arn::parse("arn:aws:secretsmanager:us-east-1:0123456789012:secret:x")
                .unwrap_or_else(|| panic!("not an ARN"))
                .is_well_formed()
        );
    }
    /// The colon scan splits exactly as `splitn(6, ':')` with `arn` first would.
    #[test]
    fn parse_agrees_with_splitting_at_the_first_five_colons() {
        fn reference(t: &str) -> Option<(&str, &str, &str, &str, &str)> {
            let parts: Vec<&str> = t.splitn(6, ':').collect();
            match parts.as_slice() {
                ["arn", p, s, r, a, res] => Some((*p, *s, *r, *a, *res)),
                _ => None,
            }
        }
        let pieces = ["arn", "", ":", "aws", "é", "::", "arn:", "x:y", "*", "ARN"];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            texts = texts
                .iter()
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
        }
        for t in &texts {
            let ours =
                Arn::parse(t).map(|a| (a.partition, a.service, a.region, a.account, a.resource));
            assert_eq!(ours, reference(t), "{t:?}");
        }
    }

    #[test]
    fn pattern_components_match_separately() {
        let p = ArnPattern::new("arn:aws:sns:*:111122223333:finance/*")
            .unwrap_or_else(|| panic!("not an ARN pattern"));
        // decision-rules §9 case 21: the region `*` must not swallow colons.
        let tricky = "arn:aws:sns:us-east-2:999999999999:store/abc:111122223333:finance/d";
        assert!(!p.matches(tricky));
        assert!(Pattern::new(p.as_str(), CaseMode::Sensitive).matches(tricky));
        assert!(p.matches("arn:aws:sns:us-east-2:111122223333:finance/d"));
        assert!(p.matches("arn:aws:sns::111122223333:finance/d:x/y"));
        assert!(!p.matches("arn:aws:sns:us-east-2:111122223333:Finance/d"));
        assert!(!p.matches("not an arn"));
        assert!(!p.matches("arn:aws:sns:us-east-2:111122223333"));
    }

    #[test]
    fn head_ignores_case_resource_does_not() {
        let p = ArnPattern::new("arn:AWS:S3:::Bucket/*")
            .unwrap_or_else(|| panic!("not an ARN pattern"));
        assert!(p.matches("arn:aws:s3:::Bucket/a/b:c"));
        assert!(!p.matches("arn:aws:s3:::bucket/a"));
        let q = ArnPattern::new("arn:aws:iam::11112222333?:role/*")
            .unwrap_or_else(|| panic!("not an ARN pattern"));
        assert!(q.matches("arn:aws:iam::111122223333:role/x"));
        assert!(!q.matches("arn:aws:iam::11112222333:role/x"));
        let r = ArnPattern::new("arn:aws:s3:::b/*/test/*")
            .unwrap_or_else(|| panic!("not an ARN pattern"));
        assert!(r.matches("arn:aws:s3:::b/1/2/test/x.jpg"));
        assert!(r.matches("arn:aws:s3:::b//test/x.jpg"));
        assert!(!r.matches("arn:aws:s3:::b/test/x.jpg"));
        assert!(ArnPattern::new("*").is_none());
        assert!(ArnPattern::new("arn:aws:s3").is_none());
        assert!(ArnPattern::new("arn:aws:s3:::b").is_some_and(|p| p.is_literal()));
    }

    #[test]
    fn pattern_variables() {
        use crate::policy::context::MapContext;
        let mut ctx = MapContext::default();
        ctx.set("aws:username", vec!["alice".into()]);
        ctx.set("aws:PrincipalAccount", vec!["111122223333".into()]);
        let p = ArnPattern::with_variables("arn:aws:s3:::b/${aws:username}/*")
            .unwrap_or_else(|| panic!("not an ARN pattern"));
        assert!(p.has_variables());
        assert_eq!(p.matches_in("arn:aws:s3:::b/alice/x", &ctx), Ok(true));
        assert_eq!(p.matches_in("arn:aws:s3:::b/bob/x", &ctx), Ok(false));
        assert_eq!(
            p.matches_in("arn:aws:s3:::b/alice/x", &MapContext::default()),
            Err(Unresolved::Unresolvable)
        );
        // Literal without variables (Version 2008-10-17).
        let lit = ArnPattern::new("arn:aws:s3:::b/${aws:username}/*")
            .unwrap_or_else(|| panic!("not an ARN pattern"));
        assert!(!lit.has_variables());
        assert!(!lit.matches("arn:aws:s3:::b/alice/x"));
        assert!(lit.matches("arn:aws:s3:::b/${aws:username}/x"));
        // A variable with a colon in its key inside the account component.
        let acct = ArnPattern::with_variables("arn:aws:sns:*:${aws:PrincipalAccount}:t")
            .unwrap_or_else(|| panic!("not an ARN pattern"));
        assert_eq!(
            acct.matches_in("arn:aws:sns:us-east-1:111122223333:t", &ctx),
            Ok(true)
        );
        assert_eq!(
            acct.matches_in("arn:aws:sns:us-east-1:999999999999:t", &ctx),
            Ok(false)
        );
        // A definite mismatch elsewhere wins over an unresolvable variable.
        assert_eq!(
            acct.matches_in("arn:aws:sns:us-east-1:1:other", &MapContext::default()),
            Ok(false)
        );
        assert!(ArnPattern::with_variables("arn:aws:s3:${a:b}").is_none());
    }
}
