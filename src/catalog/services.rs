//! The service reference: actions, resource types and condition keys per service.
//!
//! `data/aws/services.bin` holds one compressed stream per service. The header
//! (prefixes and names) is read on first use; a service's stream is inflated and
//! indexed the first time anything asks for that service, once per process.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::blob;
use crate::memo::Memo;
use crate::policy::pattern::{CaseMode, Pattern};

static SERVICES_BIN: &[u8] = include_bytes!("../../data/aws/services.bin");
const SERVICES_MAGIC: &[u8; 8] = b"IAMPSVC\x01";

/// An action's access level, as the AWS service authorization reference classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    /// The name AWS documentation uses: `"Permissions management"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One action of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionInfo {
    /// The service prefix, e.g. `s3`.
    pub service: String,
    /// The action name as AWS spells it, e.g. `GetObject`.
    pub name: String,
    pub access_level: AccessLevel,
    /// Resource types the action can be scoped to; empty when it only accepts `*`.
    pub resource_types: Vec<ActionResource>,
    /// Condition keys the action supports regardless of resource type.
    pub condition_keys: Vec<String>,
}

impl ActionInfo {
    /// `service:Name`, e.g. `s3:GetObject`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service, self.name)
    }

    /// True when the action supports no resource-level permissions: only
    /// `"Resource": "*"` grants it.
    pub fn accepts_only_star(&self) -> bool {
        self.resource_types.is_empty()
    }
}

/// A resource type an action can be scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionResource {
    /// A resource type name of the same service, e.g. `object`.
    pub resource_type: String,
    /// Marked required (`*`) in the service authorization reference.
    pub required: bool,
    /// Condition keys that apply when the action targets this resource type.
    pub condition_keys: Vec<String>,
}

/// A resource type of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceType {
    pub name: String,
    /// ARN templates such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub arn_formats: Vec<String>,
    pub condition_keys: Vec<String>,
}

/// A condition key a service defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionKeyInfo {
    /// E.g. `s3:ExistingObjectTag/<key>` or `aws:RequestTag/${TagKey}`.
    pub name: String,
    /// `String`, `ArrayOfString`, `ARN`, `Bool`, `Numeric`, `Date`, `IPAddress`, …
    pub value_type: String,
}

/// Everything the service reference says about one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    /// The action prefix, e.g. `s3`.
    pub prefix: String,
    /// The human name, e.g. `Amazon S3`; the prefix when none is known.
    pub name: String,
    /// Sorted by name.
    pub actions: Vec<ActionInfo>,
    /// Sorted by name.
    pub resource_types: Vec<ResourceType>,
    /// Sorted by name.
    pub condition_keys: Vec<ConditionKeyInfo>,
}

impl Service {
    /// The condition key named `name` (ASCII case-insensitive), if the service defines it.
    pub fn condition_key(&self, name: &str) -> Option<&ConditionKeyInfo> {
        self.condition_keys
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case(name))
    }
}

// ---------------------------------------------------------------------------
// Embedded data

/// A service decoded and indexed for lookups.
struct Loaded {
    service: Service,
    /// Lowercase action name → index into `service.actions`.
    actions: HashMap<String, usize>,
    /// Lowercase resource type name → index into `service.resource_types`.
    resources: HashMap<String, usize>,
}

struct Slot {
    prefix: &'static str,
    name: &'static str,
    blob: &'static [u8],
    loaded: OnceLock<Option<Loaded>>,
}

struct Index {
    /// Sorted by prefix.
    slots: Vec<Slot>,
    /// Lowercase prefix → index into `slots`.
    by_prefix: HashMap<String, usize>,
}

static INDEX: OnceLock<Index> = OnceLock::new();

fn index() -> &'static Index {
    INDEX.get_or_init(|| {
        let entries = blob::parse(SERVICES_BIN, SERVICES_MAGIC, |c| {
            Some((c.str8()?, c.str16()?))
        })
        .unwrap_or_default();
        let slots: Vec<Slot> = entries
            .into_iter()
            .map(|((prefix, name), blob)| Slot {
                prefix,
                name,
                blob,
                loaded: OnceLock::new(),
            })
            .collect();
        let by_prefix = slots
            .iter()
            .enumerate()
            .map(|(i, s)| (s.prefix.to_ascii_lowercase(), i))
            .collect();
        Index { slots, by_prefix }
    })
}

#[derive(Deserialize)]
struct RawService {
    actions: Vec<RawAction>,
    resources: Vec<RawResource>,
    conditions: Vec<RawCondition>,
}

/// `[name, access level, [[resource type, required, [condition key]]], [condition key]]`
#[derive(Deserialize)]
struct RawAction(String, AccessLevel, Vec<RawActionResource>, Vec<String>);

#[derive(Deserialize)]
struct RawActionResource(String, bool, Vec<String>);

/// `[name, [arn format], [condition key]]`
#[derive(Deserialize)]
struct RawResource(String, Vec<String>, Vec<String>);

/// `[name, type]`
#[derive(Deserialize)]
struct RawCondition(String, String);

impl RawAction {
    fn into_action(self, prefix: &str) -> ActionInfo {
        let RawAction(name, access_level, resources, condition_keys) = self;
        ActionInfo {
            service: prefix.to_owned(),
            name,
            access_level,
            resource_types: resources.into_iter().map(ActionResource::from).collect(),
            condition_keys,
        }
    }
}

impl From<RawActionResource> for ActionResource {
    fn from(RawActionResource(resource_type, required, condition_keys): RawActionResource) -> Self {
        ActionResource {
            resource_type,
            required,
            condition_keys,
        }
    }
}

impl From<RawResource> for ResourceType {
    fn from(RawResource(name, arn_formats, condition_keys): RawResource) -> Self {
        ResourceType {
            name,
            arn_formats,
            condition_keys,
        }
    }
}

impl From<RawCondition> for ConditionKeyInfo {
    fn from(RawCondition(name, value_type): RawCondition) -> Self {
        ConditionKeyInfo { name, value_type }
    }
}

#[cfg(test)]
thread_local! {
    /// Services this thread inflated (lazy-decoding tests).
    pub(super) static DECODED_SERVICES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn decode(slot: &Slot) -> Option<Loaded> {
    #[cfg(test)]
    DECODED_SERVICES.with(|c| c.set(c.get() + 1));
    let bytes = blob::inflate(slot.blob)?;
    let raw: RawService = serde_json::from_slice(&bytes).ok()?;
    let prefix = slot.prefix.to_owned();
    let actions: Vec<ActionInfo> = raw
        .actions
        .into_iter()
        .map(|a| a.into_action(&prefix))
        .collect();
    let resource_types: Vec<ResourceType> =
        raw.resources.into_iter().map(ResourceType::from).collect();
    let condition_keys = raw
        .conditions
        .into_iter()
        .map(ConditionKeyInfo::from)
        .collect();
    let action_map = actions
        .iter()
        .enumerate()
        .map(|(i, a)| (a.name.to_ascii_lowercase(), i))
        .collect();
    let resource_map = resource_types
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.to_ascii_lowercase(), i))
        .collect();
    Some(Loaded {
        service: Service {
            prefix,
            name: slot.name.to_owned(),
            actions,
            resource_types,
            condition_keys,
        },
        actions: action_map,
        resources: resource_map,
    })
}

fn load(slot: &'static Slot) -> Option<&'static Loaded> {
    slot.loaded.get_or_init(|| decode(slot)).as_ref()
}

fn loaded(prefix: &str) -> Option<&'static Loaded> {
    let idx = index();
    let i = *idx.by_prefix.get(lower(prefix).as_ref())?;
    load(idx.slots.get(i)?)
}

/// `s` in ASCII lowercase, borrowed when it already is.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

// ---------------------------------------------------------------------------
// Lookups

/// The service with this prefix (`s3`, `S3`); decodes that service on first use.
pub fn service(prefix: &str) -> Option<&'static Service> {
    loaded(prefix).map(|l| &l.service)
}

/// Every service prefix in the bundled data, sorted. Decodes no service.
pub fn service_prefixes() -> Vec<&'static str> {
    index().slots.iter().map(|s| s.prefix).collect()
}

/// The action named `service:Action`, ASCII case-insensitive. No wildcards: see
/// [`expand_action_pattern`].
pub fn action(full_name: &str) -> Option<&'static ActionInfo> {
    // No AWS action name comes near this; a longer text is no action.
    if full_name.len() > 256 {
        return None;
    }
    let (prefix, name) = full_name.split_once(':')?;
    let l = loaded(prefix)?;
    let i = *l.actions.get(lower(name).as_ref())?;
    l.service.actions.get(i)
}

/// The resource type `name` of `service`, both ASCII case-insensitive.
pub fn resource_type(service: &str, name: &str) -> Option<&'static ResourceType> {
    let l = loaded(service)?;
    let i = *l.resources.get(lower(name).as_ref())?;
    l.service.resource_types.get(i)
}

/// Every action an IAM action pattern matches (`s3:Get*`, `s3:?et*`, `*:Describe*`,
/// `*`), ASCII case-insensitive, in service then action order. A pattern without
/// wildcards yields at most one action. Only services the pattern can reach are
/// decoded: `s3:Get*` decodes `s3`, `*` decodes everything.
///
/// Expansions are remembered per pattern text: rules and queries expand the same
/// patterns (`s3:Get*`, `*`) once per statement that holds them.
pub fn expand_action_pattern(pattern: &str) -> Vec<&'static ActionInfo> {
    static EXPANSIONS: Memo<String, std::sync::Arc<Vec<&'static ActionInfo>>> = Memo::new();
    EXPANSIONS
        .get_or(pattern, || std::sync::Arc::new(expand_uncached(pattern)))
        .as_ref()
        .clone()
}

fn expand_uncached(pattern: &str) -> Vec<&'static ActionInfo> {
    let pat = Pattern::new(pattern, CaseMode::Insensitive);
    if pat.is_literal() {
        return action(pattern).into_iter().collect();
    }
    let idx = index();
    if pat.matches_everything() {
        return idx
            .slots
            .iter()
            .filter_map(load)
            .flat_map(|l| l.service.actions.iter())
            .collect();
    }
    // The literal text before the first wildcard. When it holds the `:`, the
    // service is fixed and only the action part needs matching.
    let literal = pat.literal_prefix();
    if let Some((prefix, _)) = literal.split_once(':') {
        let action_part = pattern.get(prefix.len() + 1..).unwrap_or_default();
        let action_pat = Pattern::new(action_part, CaseMode::Insensitive);
        return loaded(prefix)
            .map(|l| {
                l.service
                    .actions
                    .iter()
                    .filter(|a| action_pat.matches(&a.name))
                    .collect()
            })
            .unwrap_or_default();
    }
    // Otherwise a service prefix must start with the literal text (prefixes hold no
    // `:`), and the whole `prefix:Name` is matched.
    let literal = literal.to_ascii_lowercase();
    let mut full = String::new();
    let mut out = Vec::new();
    for slot in idx.slots.iter().filter(|s| s.prefix.starts_with(&literal)) {
        let Some(l) = load(slot) else { continue };
        for a in &l.service.actions {
            full.clear();
            full.push_str(slot.prefix);
            full.push(':');
            full.push_str(&a.name);
            if pat.matches(&full) {
                out.push(a);
            }
        }
    }
    out
}
