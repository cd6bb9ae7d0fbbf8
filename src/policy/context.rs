//! What an evaluation knows about a request's condition keys, and three-valued logic
//! for when it does not know (decision-rules §4.6).

use std::borrow::Cow;
use std::sync::Arc;

/// The state of one condition key in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyValue<'a> {
    /// The request does not carry the key.
    Absent,
    /// The key may or may not be present, with any value (graph analysis).
    Unknown,
    /// The key's values (one for single-valued keys; possibly empty for multi-valued).
    Values(&'a [String]),
    /// The key is absent or has one value, which is none of these (the principal of a
    /// loaded account outside the organization: its `aws:PrincipalOrgID` is not the
    /// organization's).
    NoneOf(&'a [String]),
    /// The key is absent, or has one of these values (each a single value): a user's
    /// `aws:TokenIssueTime` (long-term keys carry none, a session token's is now).
    Either(&'a [String]),
}

/// Where condition keys are looked up. Keys are passed lowercased (condition key
/// names are case-insensitive, §3.6).
pub trait Context {
    fn get(&self, key_lower: &str) -> KeyValue<'_>;

    /// True when what the context does not say is unknown rather than absent (graph
    /// analysis): facts outside condition keys, such as a role's session name, are
    /// then unknown too.
    fn unknown_by_default(&self) -> bool {
        false
    }
}

/// Three-valued truth: a condition over an unknown key is neither true nor false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    pub fn and(self, other: Tri) -> Tri {
        self.min(other)
    }

    pub fn or(self, other: Tri) -> Tri {
        self.max(other)
    }

    pub fn is_true(self) -> bool {
        self == Tri::True
    }

    pub fn is_false(self) -> bool {
        self == Tri::False
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;

    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

impl PartialOrd for Tri {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Tri {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let rank = |t: &Tri| match t {
            Tri::False => 0,
            Tri::Unknown => 1,
            Tri::True => 2,
        };
        rank(self).cmp(&rank(other))
    }
}

/// The values of one key. Shared: the graph gives every principal the same
/// `aws:CurrentTime`, and a copy per principal would cost more than its ARN.
pub type Values = Arc<[String]>;

/// A context backed by a map of lowercased keys, with a default for missing keys
/// (`Absent` for `simulate`, `Unknown` for the graph).
#[derive(Debug, Clone, Default)]
pub struct MapContext {
    pub values: KeyMap<Values>,
    /// Keys known to be absent even when `missing_is_unknown`.
    pub absent: KeySet,
    /// Keys known to be absent or to differ from every listed value ([`MapContext::exclude`]):
    /// few contexts have any, and the graph holds one context per principal.
    pub excluded: Option<Box<KeyMap<Values>>>,
    pub missing_is_unknown: bool,
    /// When the request is made, for the keys of time that no other field gives.
    pub clock: Option<Arc<Clock>>,
}

/// When a request is made: `aws:CurrentTime`, `aws:EpochTime` and
/// `aws:TokenIssueTime`. Every principal of a graph asks at the same instant, so
/// their contexts point at one clock (of three token kinds) rather than each hold
/// three keys: at organization scale that is a tenth of the graph's contexts.
#[derive(Debug)]
pub struct Clock {
    /// `aws:CurrentTime`.
    pub now: Values,
    /// `aws:EpochTime`, the same instant.
    pub epoch: Values,
    /// `aws:TokenIssueTime`.
    pub token: Token,
}

/// The `aws:TokenIssueTime` of a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// A session's token, issued now.
    Now,
    /// None (long-term keys) or a session token issued now: absent, or now.
    NoneOrNow,
    /// None: the caller signs no request with a token (anonymous, a service).
    Absent,
}

impl Clock {
    /// The state of a key of time (lowercased); `None` for any other key.
    fn get(&self, key_lower: &str) -> Option<KeyValue<'_>> {
        match key_lower {
            "aws:currenttime" => Some(KeyValue::Values(&self.now)),
            "aws:epochtime" => Some(KeyValue::Values(&self.epoch)),
            "aws:tokenissuetime" => Some(match self.token {
                Token::Now => KeyValue::Values(&self.now),
                Token::NoneOrNow => KeyValue::Either(&self.now),
                Token::Absent => KeyValue::Absent,
            }),
            _ => None,
        }
    }
}

impl MapContext {
    /// Sets a key (its name is lowercased).
    pub fn set(&mut self, key: &str, values: impl Into<Values>) {
        self.values.insert(key.to_ascii_lowercase(), values.into());
    }

    /// Sets a key unless the caller already gave it.
    pub fn set_default(&mut self, key: &str, values: impl Into<Values>) {
        let key = key.to_ascii_lowercase();
        if !self.values.contains_key(&key) {
            self.values.insert(key, values.into());
        }
    }

    /// Says a key (its name is lowercased) is absent or has one value, which is none of
    /// `values`.
    pub fn exclude(&mut self, key: &str, values: impl Into<Values>) {
        self.excluded
            .get_or_insert_with(Box::default)
            .insert(key.to_ascii_lowercase(), values.into());
    }

    /// Frees the room the maps grew into: the graph holds a context per principal,
    /// and a context is complete once its principal is made.
    pub fn shrink_to_fit(&mut self) {
        self.values.shrink_to_fit();
        if let Some(x) = &mut self.excluded {
            x.shrink_to_fit();
        }
    }
}

/// The condition keys every graph principal carries: held without a copy of the
/// name per principal.
const COMMON_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalisawsservice",
    "aws:principalorgid",
    "aws:principalservicename",
    "aws:currenttime",
    "aws:epochtime",
    "aws:tokenissuetime",
    "aws:username",
    "aws:userid",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
];

/// A lowercased key name, shared when it is a common one.
fn key_name(key: String) -> Cow<'static, str> {
    match COMMON_KEYS.iter().find(|k| **k == key) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(key),
    }
}

/// A map of condition key names. A context holds a handful of keys, and the graph
/// holds one context per principal: a list costs a fraction of a hash table and is
/// as fast to search at this size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyMap<V> {
    entries: Vec<(Cow<'static, str>, V)>,
}

impl<V> KeyMap<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// Sets `key`, replacing what it had.
    pub fn insert(&mut self, key: String, value: V) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.entries.push((key_name(key), value)),
        }
    }

    /// The value of `key`, made by `make` when it has none.
    pub fn get_or_insert_with(&mut self, key: String, make: impl FnOnce() -> V) -> &mut V {
        let at = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                self.entries.push((key_name(key), make()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[at].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A set of condition key names (see [`KeyMap`]): the common ones as bits (every
/// graph principal holds the same few, and a list of them would be an allocation per
/// principal), others by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    /// Bit `i`: `COMMON_KEYS[i]`.
    common: u16,
    others: Box<[Box<str>]>,
}

const _: () = assert!(
    COMMON_KEYS.len() <= 16,
    "KeySet holds the common keys in a u16"
);

/// The bit of a common key in a [`KeySet`].
fn common_bit(key: &str) -> Option<u16> {
    COMMON_KEYS
        .iter()
        .position(|k| *k == key)
        .and_then(|i| 1u16.checked_shl(u32::try_from(i).ok()?))
}

impl KeySet {
    /// Adds `key`; false when it was there.
    pub fn insert(&mut self, key: String) -> bool {
        if self.contains(&key) {
            return false;
        }
        match common_bit(&key) {
            Some(bit) => self.common |= bit,
            None => {
                let mut others = std::mem::take(&mut self.others).into_vec();
                others.push(key.into_boxed_str());
                self.others = others.into_boxed_slice();
            }
        }
        true
    }

    pub fn contains(&self, key: &str) -> bool {
        match common_bit(key) {
            Some(bit) => self.common & bit != 0,
            None => self.others.iter().any(|k| &**k == key),
        }
    }

    pub fn clear(&mut self) {
        self.common = 0;
        self.others = Box::default();
    }

    /// The keys: the common ones in their order, then the others as added.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        COMMON_KEYS
            .iter()
            .copied()
            .filter(|k| self.contains(k))
            .chain(self.others.iter().map(|k| &**k))
    }
}

impl Context for MapContext {
    fn get(&self, key_lower: &str) -> KeyValue<'_> {
        if let Some(v) = self.values.get(key_lower) {
            return KeyValue::Values(v);
        }
        if let Some(v) = self.excluded.as_ref().and_then(|x| x.get(key_lower)) {
            return KeyValue::NoneOf(v);
        }
        if let Some(time) = self.clock.as_deref().and_then(|c| c.get(key_lower)) {
            return time;
        }
        if self.missing_is_unknown && !self.absent.contains(key_lower) {
            KeyValue::Unknown
        } else {
            KeyValue::Absent
        }
    }

    fn unknown_by_default(&self) -> bool {
        self.missing_is_unknown
    }
}

/// A context with extra keys over another: the facts of a caller plus what one request
/// carries (`iam:PassedToService`, `aws:SourceArn`). Keys are lowercased.
pub struct WithKeys<'a> {
    pub base: &'a dyn Context,
    pub keys: Vec<(String, Vec<String>)>,
}

impl<'a> WithKeys<'a> {
    pub fn new<K: AsRef<str>>(base: &'a dyn Context, keys: &[(K, Vec<String>)]) -> Self {
        WithKeys {
            base,
            keys: keys
                .iter()
                .map(|(k, v)| (k.as_ref().to_ascii_lowercase(), v.clone()))
                .collect(),
        }
    }
}

impl Context for WithKeys<'_> {
    fn get(&self, key_lower: &str) -> KeyValue<'_> {
        match self.keys.iter().find(|(k, _)| k == key_lower) {
            Some((_, v)) => KeyValue::Values(v),
            None => self.base.get(key_lower),
        }
    }

    fn unknown_by_default(&self) -> bool {
        self.base.unknown_by_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key set answers as a plain list of names does, for common keys (held as
    /// bits) and others alike, through inserts, repeats and a clear.
    #[test]
    fn a_key_set_holds_what_a_list_holds() {
        let mut keys: Vec<String> = COMMON_KEYS.iter().map(|k| k.to_string()).collect();
        keys.extend(["aws:principaltype", "aws:principaltag/team", "s3:prefix"].map(String::from));
        let mut set = KeySet::default();
        let mut list: Vec<String> = Vec::new();
        // Every other key, then all of them again (repeats answer false).
        let order = keys.iter().step_by(2).chain(keys.iter());
        for k in order {
            assert_eq!(set.insert(k.clone()), !list.contains(k), "insert {k}");
            if !list.contains(k) {
                list.push(k.clone());
            }
            for probe in &keys {
                assert_eq!(
                    set.contains(probe),
                    list.contains(probe),
                    "contains {probe}"
                );
            }
        }
        let mut listed: Vec<&str> = set.iter().collect();
        listed.sort_unstable();
        let mut expected: Vec<&str> = list.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(listed, expected);
        set.clear();
        assert!(keys.iter().all(|k| !set.contains(k)));
        assert_eq!(set.iter().count(), 0);
    }

    #[test]
    fn a_key_map_replaces_on_insert_and_keeps_what_set_default_finds() {
        let mut ctx = MapContext::default();
        ctx.set("aws:PrincipalArn", vec!["a".into()]);
        ctx.set("aws:principalarn", vec!["b".into()]);
        ctx.set_default("AWS:PrincipalArn", vec!["c".into()]);
        ctx.set_default("team:Key", vec!["d".into()]);
        assert_eq!(ctx.values.len(), 2);
        assert_eq!(
            ctx.get("aws:principalarn"),
            KeyValue::Values(&["b".to_string()])
        );
        assert_eq!(ctx.get("team:key"), KeyValue::Values(&["d".to_string()]));
        assert_eq!(ctx.get("team:other"), KeyValue::Absent);
        let mut counts: KeyMap<Vec<&str>> = KeyMap::default();
        counts.get_or_insert_with("x".into(), Vec::new).push("1");
        counts.get_or_insert_with("x".into(), Vec::new).push("2");
        assert_eq!(counts.get("x").map(Vec::len), Some(2));
    }

    #[test]
    fn a_key_set_holds_each_key_once() {
        let mut set = KeySet::default();
        assert!(set.insert("aws:sourcearn".into()));
        assert!(!set.insert("aws:sourcearn".into()));
        assert!(set.insert("k".into()));
        assert_eq!(set.iter().collect::<Vec<_>>(), ["aws:sourcearn", "k"]);
        let unknown = MapContext {
            missing_is_unknown: true,
            absent: set.clone(),
            ..MapContext::default()
        };
        assert_eq!(unknown.get("k"), KeyValue::Absent);
        assert_eq!(unknown.get("j"), KeyValue::Unknown);
        set.clear();
        assert!(!set.contains("k"));
    }

    /// A clock answers the keys of time as the keys themselves would (a session's
    /// token now, a user's absent or now, none for a tokenless caller), after what
    /// the context holds itself; other keys are not its.
    #[test]
    fn a_clock_answers_the_keys_of_time_after_the_context_s_own() {
        let now: Values = vec!["2026-12-02T00:00:00Z".to_string()].into();
        let epoch: Values = vec!["1796169600".to_string()].into();
        let with = |token| MapContext {
            missing_is_unknown: true,
            clock: Some(Arc::new(Clock {
                now: now.clone(),
                epoch: epoch.clone(),
                token,
            })),
            ..MapContext::default()
        };
        let session = with(Token::Now);
        assert_eq!(session.get("aws:currenttime"), KeyValue::Values(&now));
        assert_eq!(session.get("aws:epochtime"), KeyValue::Values(&epoch));
        assert_eq!(session.get("aws:tokenissuetime"), KeyValue::Values(&now));
        assert_eq!(session.get("aws:sourcevpc"), KeyValue::Unknown);
        let user = with(Token::NoneOrNow);
        assert_eq!(user.get("aws:tokenissuetime"), KeyValue::Either(&now));
        let tokenless = with(Token::Absent);
        assert_eq!(tokenless.get("aws:tokenissuetime"), KeyValue::Absent);
        assert_eq!(tokenless.get("aws:currenttime"), KeyValue::Values(&now));
        let mut given = with(Token::Absent);
        given.set(
            "aws:TokenIssueTime",
            vec!["2020-01-01T00:00:00Z".to_string()],
        );
        given.set("aws:CurrentTime", vec!["2021-01-01T00:00:00Z".to_string()]);
        assert_eq!(
            given.get("aws:tokenissuetime"),
            KeyValue::Values(&["2020-01-01T00:00:00Z".to_string()])
        );
        assert_eq!(
            given.get("aws:currenttime"),
            KeyValue::Values(&["2021-01-01T00:00:00Z".to_string()])
        );
        assert_eq!(
            MapContext::default().get("aws:currenttime"),
            KeyValue::Absent
        );
    }
}
