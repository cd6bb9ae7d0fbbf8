//! Which constructs a request file uses, and which of them the comparison leaves out.
//!
//! `classify` reads a request file (any, not only generated ones) and names the
//! constructs in it that matter for the exclusions below. A case is compared unless
//! it uses a construct of `DEVIATIONS` (iam-simulate departs from AWS's documented
//! behaviour: tools/differential/DEVIATIONS.md, one entry there per entry here) or of
//! `KNOWN_IAMPATH_BUGS` (iampath departs from AWS: temporary, until fixed).

use serde_json::Value;

use crate::generator::{Ty, key_type};

/// An excluded construct: its name (as `classify` reports it) and a summary.
pub struct Exclusion {
    pub construct: &'static str,
    pub summary: &'static str,
}

/// Where iam-simulate departs from AWS's documented behaviour. Mirrors
/// tools/differential/DEVIATIONS.md, section "Deviations", entry by entry.
pub const DEVIATIONS: &[Exclusion] = &[
    Exclusion {
        construct: "variables-outside-2012-10-17",
        summary: "iam-simulate resolves ${...} in policies whose Version is 2008-10-17 or absent (VARS, VER: literal text)",
    },
    Exclusion {
        construct: "date-epoch-and-iso-compared",
        summary: "iam-simulate compares epoch seconds with ISO 8601 dates as milliseconds (OPS: either form is a date)",
    },
    Exclusion {
        construct: "cidr-prefix-zero",
        summary: "iam-simulate mis-evaluates 0.0.0.0/0 and ::/0 in IpAddress/NotIpAddress (OPS)",
    },
    Exclusion {
        construct: "not-ip-address-bare-ip-other-family",
        summary: "iam-simulate: NotIpAddress with a bare address of the other IP family than the request's does not match (OPS: it does)",
    },
    Exclusion {
        construct: "notprincipal-lists-account-or-arn-only",
        summary: "iam-simulate exempts a caller from NotPrincipal+Deny when any one of its identities is listed (NOTPRIN: each must be)",
    },
    Exclusion {
        construct: "trust-or-key-policy-grant-with-boundary",
        summary: "iam-simulate lets a trust or key policy naming the caller bypass the caller's permissions boundary (TRUSTUPD, KMS, PB)",
    },
    Exclusion {
        construct: "session-policy-with-session-arn-grant",
        summary: "iam-simulate lets a session policy limit what a resource policy grants to the session ARN (SESS)",
    },
    Exclusion {
        construct: "unresolvable-variable-in-negated-condition",
        summary: "iam-simulate: a negated operator whose policy value has an unresolvable variable does not match (VARS: it matches)",
    },
    Exclusion {
        construct: "for-any-value-ifexists-absent-key",
        summary: "iam-simulate ignores IfExists under ForAnyValue when the key is absent (OPS IfExists: true)",
    },
];

/// Where AWS's documentation does not settle the answer and the two evaluators
/// choose differently (iampath follows docs/decision-rules.md). Mirrors DEVIATIONS.md,
/// section "Undocumented".
pub const UNDOCUMENTED: &[Exclusion] = &[
    Exclusion {
        construct: "star-principal-service-caller",
        summary: "does Principal \"*\" / {\"AWS\":\"*\"} grant to a service principal? iampath: no (decision-rules 1.8); iam-simulate: yes",
    },
    Exclusion {
        construct: "star-grant-with-boundary",
        summary: "same account, the caller has a permissions boundary, the resource policy grants to \"*\": iampath: the boundary limits it; iam-simulate: it does not",
    },
    Exclusion {
        construct: "bpa-public-policy-with-conditions",
        summary: "RestrictPublicBuckets and a conditional grant to \"*\": which conditions make a policy non-public (iampath: decision-rules 7.4; iam-simulate: more keys and operators)",
    },
    Exclusion {
        construct: "multivalued-key-plain-operator-one-value",
        summary: "a plain operator on a multivalued key with one value: iampath compares it; iam-simulate never matches",
    },
    Exclusion {
        construct: "empty-multivalued-key",
        summary: "a multivalued key given as []: iampath treats it as absent; iam-simulate as present",
    },
    Exclusion {
        construct: "unresolvable-variable-in-notresource",
        summary: "NotResource with an unresolvable variable: iampath: the entry matches nothing, so NotResource matches (decision-rules 5.3); iam-simulate: no match",
    },
];

/// TEMPORARY: where iampath departs from AWS (a repro file under
/// tools/differential/iampath-bugs/ each, named in the summary as `iampath-bugs/NN`)
/// or is being changed right now. Remove an entry when the fix lands; the harness then
/// compares those cases again, and the repro file becomes a regression case
/// (`fixed_iampath_bugs_stay_fixed`).
///
/// Empty: iampath-bugs/01 and 02, and the in-flight changes (a)–(c) the harness was
/// written around, are fixed as of commit 733c5ed (`classify` still names their
/// constructs: `principal-star-listed-with-callers-account`,
/// `principal-session-arn-listed-with-its-role`, `cross-account-session-star-grant`,
/// `principal-is-aws-service-implied`).
pub const KNOWN_IAMPATH_BUGS: &[Exclusion] = &[];

pub fn excluded(construct: &str) -> bool {
    DEVIATIONS
        .iter()
        .chain(UNDOCUMENTED)
        .chain(KNOWN_IAMPATH_BUGS)
        .any(|e| e.construct == construct)
}

// ---------------------------------------------------------------------------------
// Reading request files

/// A string or a list of strings, as policy elements are written.
pub fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The statements of a policy (`Statement` is one object or a list).
pub fn statements(policy: &Value) -> Vec<&Value> {
    match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => Vec::new(),
    }
}

/// Every policy of the file, with where it sits.
pub fn policies(file: &Value) -> Vec<(&'static str, &Value)> {
    let mut out = Vec::new();
    if let Some(Value::Array(ps)) = file.get("identityPolicies") {
        out.extend(ps.iter().map(|p| ("identity", p)));
    }
    for (key, place) in [
        ("permissionsBoundary", "boundary"),
        ("sessionPolicy", "session"),
        ("resourcePolicy", "resource"),
    ] {
        if let Some(p) = file.get(key).filter(|p| !p.is_null()) {
            out.push((place, p));
        }
    }
    for (key, place) in [
        ("serviceControlPolicies", "scp"),
        ("resourceControlPolicies", "rcp"),
    ] {
        if let Some(Value::Array(levels)) = file.get(key) {
            for level in levels {
                if let Value::Array(ps) = level {
                    out.extend(ps.iter().map(|p| (place, p)));
                }
            }
        }
    }
    out
}

/// The principal values (`AWS`, `Service`, … or `"*"`) of a Principal/NotPrincipal.
pub fn principal_values(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Object(m)) => m.values().flat_map(|x| strings(Some(x))).collect(),
        _ => Vec::new(),
    }
}

/// The caller's identities as a policy may name them.
pub struct CallerIds {
    pub account: Option<String>,
    /// The caller's own ARNs: a user's ARN; a session's ARN and its role's ARN
    /// (without path, and the role name to match a role ARN with a path).
    pub arns: Vec<String>,
    pub role_name: Option<String>,
}

impl CallerIds {
    pub fn of(principal: &str) -> CallerIds {
        let mut ids = CallerIds {
            account: None,
            arns: Vec::new(),
            role_name: None,
        };
        let parts: Vec<&str> = principal.splitn(6, ':').collect();
        if parts.len() == 6 && parts[0] == "arn" {
            ids.account = Some(parts[4].to_string());
            ids.arns.push(principal.to_string());
            if let Some(rest) = parts[5].strip_prefix("assumed-role/") {
                let role = rest.split('/').next().unwrap_or("");
                ids.role_name = Some(role.to_string());
                ids.arns
                    .push(format!("arn:aws:iam::{}:role/{role}", parts[4]));
            }
        }
        ids
    }

    pub fn names_account(&self, p: &str) -> bool {
        self.account
            .as_deref()
            .is_some_and(|a| p == a || p == format!("arn:aws:iam::{a}:root"))
    }

    /// The value names the caller itself (its ARN, its session's role with any path).
    pub fn names_self(&self, p: &str) -> bool {
        if self.arns.iter().any(|a| a == p) {
            return true;
        }
        match (&self.account, &self.role_name) {
            (Some(acct), Some(role)) => p
                .strip_prefix(&format!("arn:aws:iam::{acct}:role/"))
                .is_some_and(|r| r.rsplit('/').next() == Some(role.as_str())),
            _ => false,
        }
    }
}

/// The request context: key (lowercased) → its values.
fn context(file: &Value) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    if let Some(Value::Object(m)) = file.pointer("/request/context") {
        for (k, v) in m {
            let text = |x: &Value| match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let values = match v {
                Value::Array(items) => items.iter().map(text).collect(),
                other => vec![text(other)],
            };
            out.push((k.to_ascii_lowercase(), values));
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// The classifier

/// Facts about a request file that several constructs need.
struct Facts<'a> {
    principal: &'a str,
    ids: CallerIds,
    anonymous: bool,
    service: bool,
    session: bool,
    same_account: bool,
    /// `sts:` on a role: the resource policy is the role's trust policy.
    trust: bool,
    kms: bool,
    boundary: bool,
    session_policy: bool,
    restrict_public_buckets: bool,
    ctx: Vec<(String, Vec<String>)>,
}

impl Facts<'_> {
    fn ctx(&self, key: &str) -> Option<&Vec<String>> {
        self.ctx
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// The key is in the request: given, or filled from the principal
    /// (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:username` for users).
    fn has_key(&self, key: &str) -> bool {
        if self.ctx(key).is_some() {
            return true;
        }
        let iam = self.ids.account.is_some();
        match key.to_ascii_lowercase().as_str() {
            "aws:principalarn" | "aws:principalaccount" => iam,
            "aws:username" => iam && self.principal.contains(":user/"),
            _ => false,
        }
    }

    /// A `${…}` in `text` that the request cannot fill (no key, no default).
    fn unresolvable_variable(&self, text: &str) -> bool {
        let mut rest = text;
        while let Some(at) = rest.find("${") {
            let after = &rest[at + 2..];
            let Some(end) = after.find('}') else { break };
            let inner = &after[..end];
            rest = &after[end + 1..];
            if matches!(inner, "*" | "?" | "$") || inner.contains(", '") {
                continue;
            }
            if !self.has_key(inner.trim()) {
                return true;
            }
        }
        false
    }
}

fn facts(file: &Value) -> Facts<'_> {
    let principal = file
        .pointer("/request/principal")
        .and_then(Value::as_str)
        .unwrap_or("");
    let action = file
        .pointer("/request/action")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let resource = file
        .pointer("/request/resource")
        .and_then(Value::as_str)
        .unwrap_or("");
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    let resource_account = file
        .pointer("/request/resourceAccount")
        .and_then(Value::as_str)
        .or(parts.get(4).copied())
        .unwrap_or("");
    let ids = CallerIds::of(principal);
    let present = |k: &str| file.get(k).is_some_and(|p| !p.is_null());
    Facts {
        principal,
        anonymous: principal == "*",
        service: !principal.starts_with("arn:") && principal.ends_with(".amazonaws.com"),
        session: principal.contains(":assumed-role/"),
        same_account: ids.account.as_deref() == Some(resource_account),
        trust: action.starts_with("sts:")
            && parts.get(2) == Some(&"iam")
            && parts.get(5).is_some_and(|r| r.starts_with("role/")),
        kms: parts.get(2) == Some(&"kms"),
        boundary: present("permissionsBoundary"),
        session_policy: present("sessionPolicy"),
        restrict_public_buckets: file
            .get("restrictPublicBuckets")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        ctx: context(file),
        ids,
    }
}

const NEGATED: &[&str] = &[
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "ArnNotEquals",
    "ArnNotLike",
];

/// The constructs of a request file that the exclusions may name.
pub fn classify(file: &Value) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let mut add = |c: &'static str| {
        if !out.contains(&c) {
            out.push(c);
        }
    };
    let f = facts(file);
    for (place, p) in policies(file) {
        let version = p.get("Version").and_then(Value::as_str);
        if version != Some("2012-10-17") && p.to_string().contains("${") {
            add("variables-outside-2012-10-17");
        }
        for s in statements(p) {
            if let Some(Value::Object(block)) = s.get("Condition") {
                for (op, keys) in block {
                    let Value::Object(keys) = keys else { continue };
                    conditions(&f, op, keys, &mut add);
                }
            }
            if strings(s.get("NotResource"))
                .iter()
                .any(|r| f.unresolvable_variable(r))
            {
                add("unresolvable-variable-in-notresource");
            }
            if place != "resource" {
                continue;
            }
            let allow = s.get("Effect").and_then(Value::as_str) == Some("Allow");
            let named = principal_values(s.get("Principal"));
            let star = named.contains(&"*");
            if allow && star && f.service {
                add("star-principal-service-caller");
            }
            if allow && star && named.iter().any(|p| f.ids.names_account(p)) {
                add("principal-star-listed-with-callers-account");
            }
            if allow && star && f.restrict_public_buckets && s.get("Condition").is_some() {
                add("bpa-public-policy-with-conditions");
            }
            if allow && star && f.boundary && f.same_account {
                add("star-grant-with-boundary");
            }
            if allow && star && f.session && !f.same_account {
                add("cross-account-session-star-grant");
            }
            let names_exactly = named.contains(&f.principal);
            if allow
                && (f.trust || f.kms)
                && f.boundary
                && f.same_account
                && (star || names_exactly)
            {
                add("trust-or-key-policy-grant-with-boundary");
            }
            if allow
                && f.session
                && f.same_account
                && (f.boundary || f.session_policy)
                && names_exactly
                && named
                    .iter()
                    .any(|p| *p != f.principal && f.ids.names_self(p))
            {
                add("principal-session-arn-listed-with-its-role");
            }
            if allow && f.session && f.session_policy && names_exactly {
                add("session-policy-with-session-arn-grant");
            }
            if s.get("NotPrincipal").is_some() && !f.boundary && !f.anonymous && !f.service {
                let listed = principal_values(s.get("NotPrincipal"));
                let account = listed.iter().any(|p| f.ids.names_account(p));
                let own = listed.iter().any(|p| f.ids.names_self(p));
                if account != own {
                    add("notprincipal-lists-account-or-arn-only");
                }
            }
        }
    }
    out
}

/// The constructs of one condition operator block.
fn conditions(
    f: &Facts,
    op: &str,
    keys: &serde_json::Map<String, Value>,
    add: &mut impl FnMut(&'static str),
) {
    let set = op.starts_with("ForAllValues:") || op.starts_with("ForAnyValue:");
    let if_exists = op.ends_with("IfExists");
    let base = op
        .trim_start_matches("ForAllValues:")
        .trim_start_matches("ForAnyValue:")
        .trim_end_matches("IfExists");
    for (key, values) in keys {
        let request = f.ctx(key);
        let policy = strings(Some(values));
        if key.eq_ignore_ascii_case("aws:PrincipalIsAWSService")
            && request.is_none()
            && !f.anonymous
        {
            add("principal-is-aws-service-implied");
        }
        if key_type(key) == Some(Ty::Multi)
            && !set
            && base != "Null"
            && request.is_some_and(|v| v.len() == 1)
        {
            add("multivalued-key-plain-operator-one-value");
        }
        if request.is_some_and(Vec::is_empty) {
            add("empty-multivalued-key");
        }
        if op.starts_with("ForAnyValue:") && if_exists && !f.has_key(key) {
            add("for-any-value-ifexists-absent-key");
        }
        if base.starts_with("Date") {
            let epoch = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
            if let Some(req) = request {
                if req
                    .iter()
                    .any(|r| policy.iter().any(|p| epoch(p) != epoch(r)))
                {
                    add("date-epoch-and-iso-compared");
                }
            }
        }
        if (base == "IpAddress" || base == "NotIpAddress")
            && policy.iter().any(|p| p.ends_with("/0"))
        {
            add("cidr-prefix-zero");
        }
        if base == "NotIpAddress" {
            let v6 = |v: &str| v.contains(':');
            let other_family = request.is_some_and(|req| {
                req.iter()
                    .any(|r| policy.iter().any(|p| !p.contains('/') && v6(p) != v6(r)))
            });
            if other_family {
                add("not-ip-address-bare-ip-other-family");
            }
        }
        if NEGATED.contains(&base) && policy.iter().any(|p| f.unresolvable_variable(p)) {
            add("unresolvable-variable-in-negated-condition");
        }
    }
}
