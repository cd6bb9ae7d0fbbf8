//! Random but realistic `simulate` request files (README, "`iampath simulate`").
//!
//! Account A (111111111111) owns every resource; callers come from A (same
//! account), B (222222222222) or C (333333333333); 999999999999 is the organization's
//! management account. A and B are in organization `o-aaaaaaaaaa`, C in another.
//!
//! Every case is a request that AWS could see, with AWS-valid policies around it:
//! principals and Not* elements only where AWS allows them, RCPs in RCP grammar with
//! `RCPFullAWSAccess` on every level, S3 ARNs with `resourceAccount`, a trust policy
//! for every `sts:` request on a role and a key policy for every KMS key. Most
//! statements are drawn to match the request (its action, its resource, its caller)
//! so that the cases exercise real decision paths rather than plain implicit denies.

use serde_json::{Map, Value, json};

use crate::rng::Rng;

pub const A: &str = "111111111111";
pub const B: &str = "222222222222";
pub const C: &str = "333333333333";
pub const MGMT: &str = "999999999999";
pub const ORG: &str = "o-aaaaaaaaaa";
pub const OTHER_ORG: &str = "o-cccccccccc";

const USERS: &[&str] = &["alice", "bob", "carol"];
const USER_PATHS: &[&str] = &["", "", "dev/", "eng/team/"];
/// Session roles: (name, path). Session ARNs carry no path.
const ROLES: &[(&str, &str)] = &[("Admin", ""), ("ReadOnly", ""), ("Auditor", "ops/")];
const SESSIONS: &[&str] = &["s1", "alice", "ci-run"];
const SERVICES: &[&str] = &[
    "sns.amazonaws.com",
    "events.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "lambda.amazonaws.com",
    "s3.amazonaws.com",
];

// ---------------------------------------------------------------------------------
// Callers

#[derive(Debug, Clone)]
pub enum Caller {
    User {
        account: &'static str,
        path: &'static str,
        name: &'static str,
    },
    Session {
        account: &'static str,
        role: &'static str,
        role_path: &'static str,
        session: &'static str,
    },
    Anonymous,
    Service(&'static str),
}

impl Caller {
    pub fn arn(&self) -> String {
        match self {
            Caller::User {
                account,
                path,
                name,
            } => format!("arn:aws:iam::{account}:user/{path}{name}"),
            Caller::Session {
                account,
                role,
                session,
                ..
            } => format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
            Caller::Anonymous => "*".into(),
            Caller::Service(s) => (*s).into(),
        }
    }

    pub fn account(&self) -> Option<&'static str> {
        match self {
            Caller::User { account, .. } | Caller::Session { account, .. } => Some(account),
            _ => None,
        }
    }

    fn is_iam(&self) -> bool {
        self.account().is_some()
    }

    /// The role ARN of a session, with or without the role's path.
    fn role_arn(&self, with_path: bool) -> Option<String> {
        match self {
            Caller::Session {
                account,
                role,
                role_path,
                ..
            } => Some(format!(
                "arn:aws:iam::{account}:role/{}{role}",
                if with_path { role_path } else { "" }
            )),
            _ => None,
        }
    }

    /// `aws:PrincipalArn` as iampath and the translation derive it.
    fn principal_arn(&self) -> Option<String> {
        match self {
            Caller::User { .. } => Some(self.arn()),
            Caller::Session { .. } => self.role_arn(false),
            _ => None,
        }
    }
}

fn caller(rng: &mut Rng, kind: Kind) -> Caller {
    let resource_based = matches!(
        kind,
        Kind::Object | Kind::Bucket | Kind::Queue | Kind::Topic | Kind::Secret
    );
    let service_ok = resource_based || matches!(kind, Kind::Key | Kind::Role);
    let weights = [
        40,
        40,
        if resource_based { 10 } else { 0 },
        if service_ok { 10 } else { 0 },
    ];
    let account = rng.pick(&[A, A, A, B, B, C]);
    match rng.weighted(&weights) {
        0 => Caller::User {
            account,
            path: rng.pick(USER_PATHS),
            name: rng.pick(USERS),
        },
        1 => {
            let (role, role_path) = rng.pick(ROLES);
            Caller::Session {
                account,
                role,
                role_path,
                session: rng.pick(SESSIONS),
            }
        }
        2 => Caller::Anonymous,
        _ => Caller::Service(rng.pick(SERVICES)),
    }
}

// ---------------------------------------------------------------------------------
// Targets: the resource and action of the request

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Object,
    Bucket,
    Queue,
    Topic,
    Key,
    /// `sts:AssumeRole` / `sts:TagSession` on a role: the resource policy is its trust.
    Role,
    Secret,
    /// DynamoDB table: no resource policy in these cases.
    Table,
    /// IAM actions on a role (identity policies only).
    IamRole,
}

const OBJECT_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:GetObjectTagging",
];
const BUCKET_ACTIONS: &[&str] = &[
    "s3:ListBucket",
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:GetBucketLocation",
];
const QUEUE_ACTIONS: &[&str] = &[
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
];
const TOPIC_ACTIONS: &[&str] = &["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes"];
const KEY_ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
];
const ROLE_ACTIONS: &[&str] = &["sts:AssumeRole", "sts:AssumeRole", "sts:TagSession"];
const SECRET_ACTIONS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:PutSecretValue",
];
const TABLE_ACTIONS: &[&str] = &["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"];
const IAM_ROLE_ACTIONS: &[&str] = &["iam:TagRole", "iam:GetRole", "iam:UpdateRole"];

/// Actions of other services, for statements that should not match.
const OTHER_ACTIONS: &[&str] = &[
    "ec2:RunInstances",
    "s3:ListAllMyBuckets",
    "iam:CreateUser",
    "sqs:CreateQueue",
    "lambda:InvokeFunction",
    "s3:PutObjectAcl",
    "kms:CreateGrant",
];

const BUCKETS: &[&str] = &["data-bucket", "Media-Bucket"];
const OBJECT_KEYS: &[&str] = &[
    "reports/2024.csv",
    "alice/notes.txt",
    "red/plan.txt",
    "a/b/test/x.jpg",
    "test/x.jpg",
    "public/index.html",
];
const QUEUES: &[&str] = &["orders", "alerts"];
const TOPICS: &[&str] = &["alerts", "billing"];
const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
/// Target roles in A: (name, path).
const TARGET_ROLES: &[(&str, &str)] = &[("Deployer", ""), ("Auditor", "ops/"), ("DataReader", "")];
const SECRETS: &[&str] = &["db-pass-AbCdEf", "api-key-Gh1jKl"];

#[derive(Debug, Clone)]
pub struct Target {
    pub kind: Kind,
    pub action: &'static str,
    pub resource: String,
    actions: &'static [&'static str],
    /// Bucket, queue, topic, role or secret name; the object key for objects.
    name: &'static str,
    bucket: &'static str,
    role_path: &'static str,
}

impl Target {
    fn service(&self) -> &'static str {
        self.action.split(':').next().unwrap_or("")
    }
}

fn target(rng: &mut Rng) -> Target {
    let kinds = [
        (Kind::Object, 22),
        (Kind::Bucket, 8),
        (Kind::Queue, 11),
        (Kind::Topic, 7),
        (Kind::Key, 12),
        (Kind::Role, 18),
        (Kind::Secret, 8),
        (Kind::Table, 7),
        (Kind::IamRole, 7),
    ];
    let weights: Vec<u32> = kinds.iter().map(|k| k.1).collect();
    let kind = kinds[rng.weighted(&weights)].0;
    let mut t = Target {
        kind,
        action: "",
        resource: String::new(),
        actions: &[],
        name: "",
        bucket: "",
        role_path: "",
    };
    match kind {
        Kind::Object => {
            t.actions = OBJECT_ACTIONS;
            t.bucket = rng.pick(BUCKETS);
            t.name = rng.pick(OBJECT_KEYS);
            t.resource = format!("arn:aws:s3:::{}/{}", t.bucket, t.name);
        }
        Kind::Bucket => {
            t.actions = BUCKET_ACTIONS;
            t.bucket = rng.pick(BUCKETS);
            t.name = t.bucket;
            t.resource = format!("arn:aws:s3:::{}", t.bucket);
        }
        Kind::Queue => {
            t.actions = QUEUE_ACTIONS;
            t.name = rng.pick(QUEUES);
            t.resource = format!("arn:aws:sqs:us-east-1:{A}:{}", t.name);
        }
        Kind::Topic => {
            t.actions = TOPIC_ACTIONS;
            t.name = rng.pick(TOPICS);
            t.resource = format!("arn:aws:sns:us-east-1:{A}:{}", t.name);
        }
        Kind::Key => {
            t.actions = KEY_ACTIONS;
            t.name = KEY_ID;
            t.resource = format!("arn:aws:kms:us-east-1:{A}:key/{KEY_ID}");
        }
        Kind::Role | Kind::IamRole => {
            t.actions = if kind == Kind::Role {
                ROLE_ACTIONS
            } else {
                IAM_ROLE_ACTIONS
            };
            let (name, path) = rng.pick(TARGET_ROLES);
            t.name = name;
            t.role_path = path;
            t.resource = format!("arn:aws:iam::{A}:role/{path}{name}");
        }
        Kind::Secret => {
            t.actions = SECRET_ACTIONS;
            t.name = rng.pick(SECRETS);
            t.resource = format!("arn:aws:secretsmanager:us-east-1:{A}:secret:{}", t.name);
        }
        Kind::Table => {
            t.actions = TABLE_ACTIONS;
            t.name = "Orders";
            t.resource = format!("arn:aws:dynamodb:us-east-1:{A}:table/Orders");
        }
    }
    t.action = rng.pick(t.actions);
    t
}

// ---------------------------------------------------------------------------------
// The request context

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Str,
    Arn,
    Num,
    Date,
    Bool,
    Ip,
    Bin,
    /// A multi-valued key of strings.
    Multi,
}

/// Who carries a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Iam,
    Session,
    Service,
    IamOrAnon,
    Any,
}

struct KeyDef {
    name: &'static str,
    ty: Ty,
    who: Who,
    /// Only for these targets (empty: every target).
    kinds: &'static [Kind],
    /// Only for this action (empty: every action).
    action: &'static str,
    values: &'static [&'static str],
}

const DATES_ISO: &[&str] = &[
    "2025-06-01T12:00:00Z",
    "2031-01-01T00:00:00Z",
    "2026-01-01T00:00:00Z",
    "2024-02-29T08:30:00Z",
];
const DATES_EPOCH: &[&str] = &["1700000000", "1893456000", "1767225600", "1750000000"];

/// Keys the generator may put into a request context. Keys that iampath and the
/// translation take from the principal (`aws:PrincipalArn`, `aws:PrincipalAccount`,
/// `aws:username`) are listed with `IMPLIED_KEYS`.
const KEYS: &[KeyDef] = &[
    KeyDef {
        name: "aws:PrincipalTag/team",
        ty: Ty::Str,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &["red", "blue", "Red"],
    },
    KeyDef {
        name: "aws:PrincipalTag/project",
        ty: Ty::Str,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &["apollo", "gemini"],
    },
    KeyDef {
        name: "aws:PrincipalOrgID",
        ty: Ty::Str,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &[ORG, OTHER_ORG],
    },
    KeyDef {
        name: "aws:PrincipalOrgPaths",
        ty: Ty::Multi,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &[
            "o-aaaaaaaaaa/r-ab12/ou-ab12-11111111/",
            "o-aaaaaaaaaa/r-ab12/ou-ab12-22222222/",
        ],
    },
    KeyDef {
        name: "aws:PrincipalType",
        ty: Ty::Str,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &["User", "AssumedRole"],
    },
    KeyDef {
        name: "aws:userid",
        ty: Ty::Str,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &["AIDAEXAMPLEUSERID1", "AROAEXAMPLEROLEID1:s1"],
    },
    KeyDef {
        name: "aws:MultiFactorAuthPresent",
        ty: Ty::Bool,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &["true", "false"],
    },
    KeyDef {
        name: "aws:MultiFactorAuthAge",
        ty: Ty::Num,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &["30", "3600", "7200", "86400"],
    },
    KeyDef {
        name: "aws:TokenIssueTime",
        ty: Ty::Date,
        who: Who::Session,
        kinds: &[],
        action: "",
        values: DATES_ISO,
    },
    KeyDef {
        name: "aws:RequestedRegion",
        ty: Ty::Str,
        who: Who::Any,
        kinds: &[],
        action: "",
        values: &["us-east-1", "eu-west-1"],
    },
    KeyDef {
        name: "aws:SourceIp",
        ty: Ty::Ip,
        who: Who::IamOrAnon,
        kinds: &[],
        action: "",
        values: &["10.1.2.3", "192.0.2.10", "203.0.113.7", "2001:db8::1"],
    },
    KeyDef {
        name: "aws:SecureTransport",
        ty: Ty::Bool,
        who: Who::Any,
        kinds: &[],
        action: "",
        values: &["true", "false"],
    },
    KeyDef {
        name: "aws:CurrentTime",
        ty: Ty::Date,
        who: Who::Any,
        kinds: &[],
        action: "",
        values: DATES_ISO,
    },
    KeyDef {
        name: "aws:EpochTime",
        ty: Ty::Date,
        who: Who::Any,
        kinds: &[],
        action: "",
        values: DATES_EPOCH,
    },
    KeyDef {
        name: "aws:TagKeys",
        ty: Ty::Multi,
        who: Who::Any,
        kinds: &[],
        action: "",
        values: &["env", "team", "cost-center"],
    },
    KeyDef {
        name: "aws:RequestTag/env",
        ty: Ty::Str,
        who: Who::Any,
        kinds: &[],
        action: "",
        values: &["prod", "dev"],
    },
    KeyDef {
        name: "aws:RequestTag/blob",
        ty: Ty::Bin,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &["aGVsbG8=", "d29ybGQ="],
    },
    KeyDef {
        name: "aws:CalledVia",
        ty: Ty::Multi,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &["cloudformation.amazonaws.com", "athena.amazonaws.com"],
    },
    KeyDef {
        name: "aws:ViaAWSService",
        ty: Ty::Bool,
        who: Who::Iam,
        kinds: &[],
        action: "",
        values: &["true", "false"],
    },
    KeyDef {
        name: "aws:SourceVpce",
        ty: Ty::Str,
        who: Who::IamOrAnon,
        kinds: &[],
        action: "",
        values: &["vpce-1a2b3c4d", "vpce-9z8y7x6w"],
    },
    KeyDef {
        name: "aws:referer",
        ty: Ty::Str,
        who: Who::IamOrAnon,
        kinds: &[Kind::Object, Kind::Bucket],
        action: "",
        values: &["https://example.com/page", "https://evil.example/x"],
    },
    KeyDef {
        name: "aws:SourceArn",
        ty: Ty::Arn,
        who: Who::Service,
        kinds: &[],
        action: "",
        values: &[
            "arn:aws:sns:us-east-1:111111111111:alerts",
            "arn:aws:s3:::data-bucket",
            "arn:aws:sns:us-east-2:999999999999:store/abc:111122223333:finance/d",
        ],
    },
    KeyDef {
        name: "aws:SourceAccount",
        ty: Ty::Str,
        who: Who::Service,
        kinds: &[],
        action: "",
        values: &[A, B, C],
    },
    KeyDef {
        name: "aws:PrincipalIsAWSService",
        ty: Ty::Bool,
        who: Who::Any,
        kinds: &[],
        action: "",
        values: &["true", "false"],
    },
    KeyDef {
        name: "sts:ExternalId",
        ty: Ty::Str,
        who: Who::Iam,
        kinds: &[Kind::Role],
        action: "sts:AssumeRole",
        values: &["12345", "abcde"],
    },
    KeyDef {
        name: "s3:prefix",
        ty: Ty::Str,
        who: Who::Any,
        kinds: &[Kind::Bucket],
        action: "s3:ListBucket",
        values: &["reports/", "alice/", ""],
    },
    KeyDef {
        name: "kms:ViaService",
        ty: Ty::Str,
        who: Who::Iam,
        kinds: &[Kind::Key],
        action: "",
        values: &["s3.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"],
    },
];

/// Keys filled from the principal unless the context gives them.
pub const IMPLIED_KEYS: &[(&str, Ty)] = &[
    ("aws:PrincipalArn", Ty::Arn),
    ("aws:PrincipalAccount", Ty::Str),
    ("aws:username", Ty::Str),
];

/// The type of a key (for the classifier): by name, case-insensitively.
pub fn key_type(name: &str) -> Option<Ty> {
    KEYS.iter()
        .map(|k| (k.name, k.ty))
        .chain(IMPLIED_KEYS.iter().copied())
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, t)| t)
}

fn key_applies(k: &KeyDef, caller: &Caller, t: &Target) -> bool {
    let who = match k.who {
        Who::Iam => caller.is_iam(),
        Who::Session => matches!(caller, Caller::Session { .. }),
        Who::Service => matches!(caller, Caller::Service(_)),
        Who::IamOrAnon => !matches!(caller, Caller::Service(_)),
        Who::Any => true,
    };
    who && (k.kinds.is_empty() || k.kinds.contains(&t.kind))
        && (k.action.is_empty() || k.action == t.action)
        && !(k.name == "aws:PrincipalIsAWSService" && matches!(caller, Caller::Anonymous))
}

/// A context value as the request carries it.
#[derive(Debug, Clone)]
pub enum CtxValue {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Default)]
pub struct Context {
    /// In insertion order: the request file keeps it.
    pub keys: Vec<(&'static str, CtxValue)>,
}

impl Context {
    fn get(&self, name: &str) -> Option<&CtxValue> {
        self.keys
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// The value AWS would give a key that follows from the caller.
fn truthful(name: &str, caller: &Caller) -> Option<&'static str> {
    match name {
        "aws:PrincipalOrgID" => caller
            .account()
            .map(|a| if a == C { OTHER_ORG } else { ORG }),
        "aws:PrincipalType" => match caller {
            Caller::User { .. } => Some("User"),
            Caller::Session { .. } => Some("AssumedRole"),
            _ => None,
        },
        "aws:PrincipalIsAWSService" => match caller {
            Caller::Service(_) => Some("true"),
            Caller::Anonymous => None,
            _ => Some("false"),
        },
        _ => None,
    }
}

fn context(rng: &mut Rng, caller: &Caller, t: &Target) -> Context {
    let mut ctx = Context::default();
    for k in KEYS {
        let p = if k.name == "aws:PrincipalIsAWSService" {
            70
        } else {
            30
        };
        if !key_applies(k, caller, t) || !rng.chance(p) {
            continue;
        }
        let value = if let Some(v) = truthful(k.name, caller) {
            CtxValue::One(v.into())
        } else if k.ty == Ty::Multi {
            // Mostly one to three values; now and then an empty list.
            let n = if rng.chance(5) { 0 } else { rng.range(1, 3) };
            let mut vs: Vec<String> = Vec::new();
            for _ in 0..n {
                let v = rng.pick(k.values).to_string();
                if !vs.contains(&v) {
                    vs.push(v);
                }
            }
            CtxValue::Many(vs)
        } else {
            CtxValue::One(rng.pick(k.values).to_string())
        };
        ctx.keys.push((k.name, value));
    }
    ctx
}

fn context_json(rng: &mut Rng, ctx: &Context) -> Value {
    let mut m = Map::new();
    for (k, v) in &ctx.keys {
        let ty = key_type(k);
        let value = match v {
            // A one-value list of a multi-valued key is sometimes written as a string.
            CtxValue::Many(vs) if vs.len() == 1 && rng.chance(25) => json!(vs[0]),
            CtxValue::Many(vs) => json!(vs),
            // Numbers and booleans may come as JSON numbers and booleans.
            CtxValue::One(s) if ty == Some(Ty::Num) && rng.chance(30) => {
                serde_json::from_str::<Value>(s).unwrap_or_else(|_| json!(s))
            }
            CtxValue::One(s) if ty == Some(Ty::Bool) && rng.chance(30) => json!(s == "true"),
            CtxValue::One(s) => json!(s),
        };
        m.insert((*k).to_string(), value);
    }
    Value::Object(m)
}

// ---------------------------------------------------------------------------------
// Conditions

const STRING_OPS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
];
const NUMERIC_OPS: &[&str] = &[
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
];
const DATE_OPS: &[&str] = &[
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
];
const ARN_OPS: &[&str] = &["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"];
const IP_OPS: &[&str] = &["IpAddress", "NotIpAddress"];

/// The generator's view of a case, shared by every policy it draws.
struct Gen<'a> {
    caller: &'a Caller,
    t: &'a Target,
    ctx: &'a Context,
}

/// A key for a condition: mostly one the request carries.
fn condition_key(rng: &mut Rng, g: &Gen) -> (&'static str, Ty) {
    let implied: Vec<(&'static str, Ty)> = IMPLIED_KEYS
        .iter()
        .copied()
        .filter(|(k, _)| *k != "aws:username" || matches!(g.caller, Caller::User { .. }))
        .collect();
    if g.caller.is_iam() && rng.chance(20) {
        return rng.pick(&implied);
    }
    if !g.ctx.keys.is_empty() && rng.chance(65) {
        let (k, _) = rng.pick_ref(&g.ctx.keys);
        let ty = key_type(k).unwrap_or(Ty::Str);
        return (k, ty);
    }
    // Any key of the catalogue, often one this request does not carry.
    if rng.chance(10) {
        return rng.pick(IMPLIED_KEYS);
    }
    let k = rng.pick_ref(KEYS);
    if k.name == "aws:PrincipalIsAWSService" && g.ctx.get(k.name).is_none() && rng.chance(80) {
        return ("aws:SecureTransport", Ty::Bool);
    }
    (k.name, k.ty)
}

/// The values the request has for a key (implied ones included).
fn request_values(g: &Gen, key: &str) -> Vec<String> {
    match g.ctx.get(key) {
        Some(CtxValue::One(s)) => vec![s.clone()],
        Some(CtxValue::Many(v)) => v.clone(),
        None => match key {
            "aws:PrincipalArn" => g.caller.principal_arn().into_iter().collect(),
            "aws:PrincipalAccount" => g.caller.account().map(String::from).into_iter().collect(),
            "aws:username" => match g.caller {
                Caller::User { name, .. } => vec![(*name).into()],
                _ => vec![],
            },
            _ => vec![],
        },
    }
}

/// Other plausible values of a key.
fn candidate_values(g: &Gen, key: &str) -> Vec<String> {
    if let Some(k) = KEYS.iter().find(|k| k.name == key) {
        let v: Vec<String> = k.values.iter().map(|s| s.to_string()).collect();
        return v;
    }
    match key {
        "aws:PrincipalArn" => vec![
            format!("arn:aws:iam::{B}:role/Admin"),
            format!("arn:aws:iam::{A}:user/alice"),
            format!("arn:aws:iam::{A}:role/ops/Auditor"),
            format!("arn:aws:iam::{A}:root"),
            g.caller.principal_arn().unwrap_or_default(),
        ],
        "aws:PrincipalAccount" => vec![A.into(), B.into(), C.into()],
        "aws:username" => USERS.iter().map(|s| s.to_string()).collect(),
        _ => vec!["x".into()],
    }
}

/// A `*`/`?` pattern that matches `v` (or not quite).
fn like_pattern(rng: &mut Rng, v: &str) -> String {
    let chars: Vec<char> = v.chars().collect();
    if chars.is_empty() {
        return "*".into();
    }
    match rng.below(6) {
        0 => "*".into(),
        1 => {
            let cut = rng.below(chars.len());
            format!("{}*", chars[..cut].iter().collect::<String>())
        }
        2 => {
            let cut = rng.below(chars.len());
            format!("*{}", chars[cut..].iter().collect::<String>())
        }
        3 => {
            let at = rng.below(chars.len());
            chars
                .iter()
                .enumerate()
                .map(|(i, c)| if i == at { '?' } else { *c })
                .collect()
        }
        4 => format!("{v}?"),
        _ => v.to_uppercase(),
    }
}

/// An ARN pattern for `ArnLike` from an ARN value.
fn arn_pattern(rng: &mut Rng, v: &str) -> String {
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    if parts.len() < 6 {
        return like_pattern(rng, v);
    }
    let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
    match rng.below(4) {
        0 => p[3] = "*".into(),
        1 => p[4] = "*".into(),
        2 => {
            let r = &parts[5];
            p[5] = match r.find('/') {
                Some(i) => format!("{}*", &r[..=i]),
                None => "*".into(),
            };
        }
        _ => {
            // A `?` for one character of the resource part.
            let r: Vec<char> = parts[5].chars().collect();
            let at = rng.below(r.len().max(1));
            p[5] = r
                .iter()
                .enumerate()
                .map(|(i, c)| if i == at { '?' } else { *c })
                .collect();
        }
    }
    p.join(":")
}

fn variable(rng: &mut Rng) -> &'static str {
    rng.pick(&[
        "${aws:username}",
        "${aws:PrincipalTag/team}",
        "${aws:PrincipalTag/team, 'red'}",
        "${aws:PrincipalAccount}",
    ])
}

/// Policy values for one key under one base operator.
fn condition_values(rng: &mut Rng, g: &Gen, key: &str, ty: Ty, base: &str) -> Vec<String> {
    let present = request_values(g, key);
    let others = candidate_values(g, key);
    let n = rng.pick(&[1usize, 1, 1, 2, 2, 3]);
    let mut out: Vec<String> = Vec::new();
    for _ in 0..n {
        let from_request = !present.is_empty() && rng.chance(55);
        let seed = if from_request {
            rng.pick_ref(&present).clone()
        } else {
            rng.pick_ref(&others).clone()
        };
        let v = match base {
            // Dates in the other form (decision-rules §4.1: ISO 8601 or epoch seconds).
            b if b.starts_with("Date") && rng.chance(5) => {
                if seed.contains('-') {
                    rng.pick(DATES_EPOCH).to_string()
                } else {
                    rng.pick(DATES_ISO).to_string()
                }
            }
            "StringLike" | "StringNotLike" if rng.chance(50) => like_pattern(rng, &seed),
            "ArnLike" | "ArnNotLike" if rng.chance(60) => arn_pattern(rng, &seed),
            "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" if rng.chance(40) => {
                seed.to_uppercase()
            }
            b if b.starts_with("String") && rng.chance(5) => variable(rng).to_string(),
            "Null" => rng.pick(&["true", "false"]).to_string(),
            b if b.starts_with("Ip") || b == "NotIpAddress" => ip_value(rng, &seed),
            b if b.starts_with("Numeric") && ty != Ty::Num => rng.pick(&["3600", "1"]).to_string(),
            "Bool" if ty != Ty::Bool => rng.pick(&["true", "false"]).to_string(),
            _ => seed,
        };
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// A CIDR or address around a request address.
fn ip_value(rng: &mut Rng, seed: &str) -> String {
    if seed.contains(':') {
        return rng
            .pick(&[
                "2001:db8::/32",
                "2001:db8::1",
                "2001:db8:1::/48",
                "2001:db8::/64",
            ])
            .to_string();
    }
    if seed.matches('.').count() != 3 {
        return "10.0.0.0/8".into();
    }
    let octets: Vec<&str> = seed.split('.').collect();
    match rng.below(5) {
        0 => seed.to_string(),
        1 => format!("{}.0.0.0/8", octets[0]),
        2 => format!("{}.{}.{}.0/24", octets[0], octets[1], octets[2]),
        3 if rng.chance(10) => rng.pick(&["0.0.0.0/0", "::/0"]).to_string(),
        3 => format!("{}.{}.0.0/16", octets[0], octets[1]),
        _ => rng
            .pick(&["192.0.2.0/24", "198.51.100.0/24", "10.0.0.0/8"])
            .to_string(),
    }
}

fn base_operator(rng: &mut Rng, ty: Ty) -> &'static str {
    if rng.chance(8) {
        return "Null";
    }
    match ty {
        Ty::Str | Ty::Multi => rng.pick(STRING_OPS),
        Ty::Arn => {
            if rng.chance(60) {
                rng.pick(ARN_OPS)
            } else {
                rng.pick(STRING_OPS)
            }
        }
        Ty::Num => {
            if rng.chance(10) {
                rng.pick(STRING_OPS)
            } else {
                rng.pick(NUMERIC_OPS)
            }
        }
        Ty::Date => rng.pick(DATE_OPS),
        Ty::Bool => {
            if rng.chance(10) {
                "StringEquals"
            } else {
                "Bool"
            }
        }
        Ty::Ip => rng.pick(IP_OPS),
        Ty::Bin => {
            if rng.chance(20) {
                "StringEquals"
            } else {
                "BinaryEquals"
            }
        }
    }
}

fn condition(rng: &mut Rng, g: &Gen) -> Value {
    let mut block = Map::new();
    for _ in 0..rng.pick(&[1usize, 1, 1, 2]) {
        let (key, ty) = condition_key(rng, g);
        let base = base_operator(rng, ty);
        let mut op = String::new();
        if base != "Null" {
            let set = if ty == Ty::Multi { 92 } else { 10 };
            if rng.chance(set) {
                op.push_str(rng.pick(&["ForAllValues:", "ForAnyValue:"]));
            }
        }
        op.push_str(base);
        if base != "Null" && rng.chance(20) {
            op.push_str("IfExists");
        }
        let values = condition_values(rng, g, key, ty, base);
        let value = if values.len() == 1 && rng.chance(60) {
            json!(values[0])
        } else {
            json!(values)
        };
        // Key names are case-insensitive (§3.6): now and then written in lower case.
        let key = if rng.chance(5) {
            key.to_ascii_lowercase()
        } else {
            key.to_string()
        };
        let entry = block.entry(op).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(key, value);
        }
    }
    Value::Object(block)
}

// ---------------------------------------------------------------------------------
// Statements

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Identity,
    Boundary,
    Session,
    Scp,
    Rcp,
    Resource,
    Trust,
    KeyPolicy,
}

impl Place {
    fn has_principal(self) -> bool {
        matches!(
            self,
            Place::Resource | Place::Trust | Place::KeyPolicy | Place::Rcp
        )
    }
}

/// One action pattern that matches the request action (most of the time).
fn matching_action(rng: &mut Rng, t: &Target) -> String {
    let (svc, name) = t.action.split_once(':').unwrap_or(("", t.action));
    match rng.below(10) {
        0..=3 => t.action.to_string(),
        4 => format!("{}:{}", svc.to_uppercase(), name.to_lowercase()),
        5 | 6 => format!("{svc}:*"),
        7 => {
            let cut = rng.range(1, name.len().saturating_sub(1).max(1));
            format!("{svc}:{}*", &name[..cut])
        }
        8 => {
            let at = rng.below(name.len());
            let n: String = name
                .chars()
                .enumerate()
                .map(|(i, c)| if i == at { '?' } else { c })
                .collect();
            format!("{svc}:{n}")
        }
        _ => "*".into(),
    }
}

fn other_action(rng: &mut Rng, t: &Target) -> String {
    if rng.chance(50) {
        let others: Vec<&&str> = t.actions.iter().filter(|a| **a != t.action).collect();
        if !others.is_empty() {
            return (*rng.pick(&others)).to_string();
        }
    }
    rng.pick(OTHER_ACTIONS).to_string()
}

fn one_or_list(rng: &mut Rng, mut items: Vec<String>) -> Value {
    items.dedup();
    if items.len() == 1 && rng.chance(70) {
        json!(items[0])
    } else {
        json!(items)
    }
}

/// `Action` (or `NotAction`) for a statement.
fn action_element(rng: &mut Rng, t: &Target, place: Place, m: &mut Map<String, Value>) {
    let not = place != Place::Rcp && rng.chance(12);
    let mut items = Vec::new();
    if not {
        // NotAction: usually lists other things, so the request action is covered.
        for _ in 0..rng.range(1, 2) {
            items.push(if rng.chance(70) {
                other_action(rng, t)
            } else {
                matching_action(rng, t)
            });
        }
        if rng.chance(15) {
            items.push(format!("{}:*", t.service()));
        }
        m.insert("NotAction".into(), one_or_list(rng, items));
        return;
    }
    let matching = rng.chance(80);
    for _ in 0..rng.range(1, 2) {
        items.push(if matching && items.is_empty() {
            matching_action(rng, t)
        } else {
            other_action(rng, t)
        });
    }
    if place == Place::Rcp {
        // RCP grammar: no `"*"` action.
        for a in &mut items {
            if a == "*" {
                *a = format!("{}:*", t.service());
            }
        }
    }
    rng_shuffle(rng, &mut items);
    m.insert("Action".into(), one_or_list(rng, items));
}

fn rng_shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i + 1);
        items.swap(i, j);
    }
}

/// Resource patterns that match the request resource, and some that do not.
fn resource_patterns(t: &Target) -> (Vec<String>, Vec<String>) {
    let m: Vec<String>;
    let n: Vec<String>;
    match t.kind {
        Kind::Object => {
            let b = t.bucket;
            let first = t.name.split('/').next().unwrap_or("");
            m = vec![
                t.resource.clone(),
                format!("arn:aws:s3:::{b}/*"),
                format!("arn:aws:s3:::{b}/{first}/*"),
                format!("arn:aws:s3:::{b}/*/test/*"),
                format!("arn:aws:s3:::{b}/${{aws:username}}/*"),
                format!("arn:aws:s3:::{b}/${{aws:PrincipalTag/team}}/*"),
                format!("arn:aws:s3:::{b}/${{aws:PrincipalTag/team, 'red'}}/*"),
                "arn:aws:s3:::*".into(),
                "arn:aws:s3:::*/*".into(),
                format!("arn:aws:s3:::{}?{}/*", &b[..2], &b[3..]),
                "*".into(),
            ];
            n = vec![
                format!("arn:aws:s3:::{b}"),
                format!(
                    "arn:aws:s3:::{}/*",
                    b.to_lowercase().replace("data", "Data")
                ),
                "arn:aws:s3:::other-bucket/*".into(),
                format!("arn:aws:s3:::{b}/private/*"),
            ];
        }
        Kind::Bucket => {
            let b = t.bucket;
            m = vec![
                t.resource.clone(),
                "arn:aws:s3:::*".into(),
                format!("arn:aws:s3:::{}*", &b[..3]),
                "*".into(),
            ];
            n = vec![
                format!("arn:aws:s3:::{b}/*"),
                "arn:aws:s3:::other-bucket".into(),
                format!("arn:aws:s3:::{}", b.to_uppercase()),
            ];
        }
        Kind::Queue | Kind::Topic => {
            let svc = t.service();
            let name = t.name;
            m = vec![
                t.resource.clone(),
                format!("arn:aws:{svc}:*:{A}:*"),
                format!("arn:aws:{svc}:us-east-1:{A}:{}*", &name[..3]),
                format!("arn:aws:{svc}:us-east-1:*:{name}"),
                format!("arn:aws:{svc}:*:*:*"),
                "*".into(),
            ];
            n = vec![
                format!("arn:aws:{svc}:us-east-1:{B}:{name}"),
                format!("arn:aws:{svc}:us-west-2:{A}:{name}"),
                format!("arn:aws:{svc}:us-east-1:{A}:{}", name.to_uppercase()),
                format!("arn:aws:{svc}:us-east-1:{A}:other"),
            ];
        }
        Kind::Key => {
            m = vec![
                t.resource.clone(),
                format!("arn:aws:kms:*:{A}:key/*"),
                format!("arn:aws:kms:us-east-1:{A}:key/*"),
                "arn:aws:kms:*:*:key/*".into(),
                "*".into(),
            ];
            n = vec![
                format!("arn:aws:kms:us-east-1:{A}:alias/app"),
                format!("arn:aws:kms:us-east-1:{B}:key/*"),
                format!("arn:aws:kms:us-east-1:{A}:key/ffffffff-0000-0000-0000-000000000000"),
            ];
        }
        Kind::Role | Kind::IamRole => {
            let (name, path) = (t.name, t.role_path);
            m = vec![
                t.resource.clone(),
                format!("arn:aws:iam::{A}:role/*"),
                format!("arn:aws:iam::*:role/{path}{name}"),
                format!("arn:aws:iam::{A}:role/{path}{}*", &name[..3]),
                "*".into(),
            ];
            n = vec![
                format!("arn:aws:iam::{A}:role/{}", name.to_lowercase()),
                format!("arn:aws:iam::{B}:role/*"),
                format!("arn:aws:iam::{A}:role/{name}-other"),
                format!("arn:aws:iam::{A}:user/*"),
            ];
        }
        Kind::Secret => {
            let name = t.name;
            m = vec![
                t.resource.clone(),
                format!(
                    "arn:aws:secretsmanager:us-east-1:{A}:secret:{}*",
                    &name[..name.len() - 6]
                ),
                format!("arn:aws:secretsmanager:*:{A}:secret:*"),
                "*".into(),
            ];
            n = vec![
                format!("arn:aws:secretsmanager:us-east-1:{A}:secret:other-*"),
                format!("arn:aws:secretsmanager:us-east-1:{B}:secret:*"),
            ];
        }
        Kind::Table => {
            m = vec![
                t.resource.clone(),
                format!("arn:aws:dynamodb:us-east-1:{A}:table/*"),
                "arn:aws:dynamodb:*:*:table/Orders".into(),
                "*".into(),
            ];
            n = vec![
                format!("arn:aws:dynamodb:us-east-1:{A}:table/Orders/index/*"),
                format!("arn:aws:dynamodb:us-east-1:{A}:table/orders"),
            ];
        }
    }
    (m, n)
}

fn resource_element(rng: &mut Rng, t: &Target, place: Place, m: &mut Map<String, Value>) {
    if place == Place::Trust {
        return;
    }
    if place == Place::KeyPolicy && rng.chance(90) {
        m.insert("Resource".into(), json!("*"));
        return;
    }
    let (matching, other) = resource_patterns(t);
    let not = rng.chance(10);
    let mut items = Vec::new();
    if not {
        // NotResource: usually lists other resources.
        for _ in 0..rng.range(1, 2) {
            items.push(if rng.chance(70) {
                rng.pick_ref(&other).clone()
            } else {
                rng.pick_ref(&matching).clone()
            });
        }
        m.insert("NotResource".into(), one_or_list(rng, items));
        return;
    }
    let hit = rng.chance(80);
    items.push(if hit {
        rng.pick_ref(&matching).clone()
    } else {
        rng.pick_ref(&other).clone()
    });
    if rng.chance(25) {
        items.push(rng.pick_ref(&other).clone());
    }
    rng_shuffle(rng, &mut items);
    m.insert("Resource".into(), one_or_list(rng, items));
}

/// An AWS principal value (account, user, role, session) related to the caller.
fn aws_principal(rng: &mut Rng, g: &Gen) -> String {
    let acct = g.caller.account().unwrap_or(B);
    let mut options: Vec<(String, u32)> = vec![
        (acct.to_string(), 8),
        (format!("arn:aws:iam::{acct}:root"), 8),
        (format!("arn:aws:iam::{}:root", rng.pick(&[A, B, C])), 4),
        (
            format!(
                "arn:aws:iam::{}:user/{}",
                rng.pick(&[A, B]),
                rng.pick(USERS)
            ),
            4,
        ),
        (format!("arn:aws:iam::{}:role/Admin", rng.pick(&[A, B])), 3),
        ("*".into(), 2),
    ];
    match g.caller {
        Caller::User { account, name, .. } => {
            options.push((g.caller.arn(), 20));
            // The same name without the path: a different user.
            options.push((format!("arn:aws:iam::{account}:user/{name}"), 4));
        }
        Caller::Session { account, role, .. } => {
            options.push((g.caller.role_arn(true).unwrap_or_default(), 12));
            options.push((g.caller.role_arn(false).unwrap_or_default(), 6));
            options.push((g.caller.arn(), 10));
            options.push((
                format!(
                    "arn:aws:sts::{account}:assumed-role/{role}/{}",
                    rng.pick(SESSIONS)
                ),
                4,
            ));
        }
        _ => {}
    }
    if rng.chance(2) {
        // The unique ID of a deleted role (§2.6).
        return "AROAEXAMPLEDELETED01".into();
    }
    let weights: Vec<u32> = options.iter().map(|o| o.1).collect();
    options[rng.weighted(&weights)].0.clone()
}

fn service_principal(rng: &mut Rng, g: &Gen) -> String {
    match g.caller {
        Caller::Service(s) if rng.chance(70) => (*s).into(),
        _ => rng.pick(SERVICES).to_string(),
    }
}

fn principal_value(rng: &mut Rng, g: &Gen, for_not: bool) -> Value {
    let service_caller = matches!(g.caller, Caller::Service(_));
    if !for_not
        && rng.chance(if matches!(g.caller, Caller::Anonymous) {
            40
        } else {
            8
        })
    {
        return if rng.chance(50) {
            json!("*")
        } else {
            json!({"AWS": "*"})
        };
    }
    let mut m = Map::new();
    if for_not && rng.chance(50) {
        // As AWS advises for NotPrincipal: the caller's account and its own ARN.
        if let Some(acct) = g.caller.account() {
            let account = if rng.chance(50) {
                acct.to_string()
            } else {
                format!("arn:aws:iam::{acct}:root")
            };
            let own = match g.caller {
                Caller::Session { .. } if rng.chance(40) => {
                    g.caller.role_arn(rng.chance(50)).unwrap_or_default()
                }
                _ => g.caller.arn(),
            };
            let mut v = vec![account, own];
            if rng.chance(30) {
                v.push(aws_principal(rng, g));
            }
            rng_shuffle(rng, &mut v);
            m.insert("AWS".into(), json!(v));
            return Value::Object(m);
        }
    }
    let want_service = if service_caller { 75 } else { 10 };
    if rng.chance(want_service) {
        let mut v = vec![service_principal(rng, g)];
        if rng.chance(20) {
            v.push(rng.pick(SERVICES).to_string());
        }
        m.insert("Service".into(), one_or_list(rng, v));
    }
    if m.is_empty() || rng.chance(20) {
        let mut v = Vec::new();
        for _ in 0..rng.pick(&[1usize, 1, 1, 2, 2, 3]) {
            let p = aws_principal(rng, g);
            let star_in_not = for_not && p == "*";
            if !star_in_not && !v.contains(&p) {
                v.push(p);
            }
        }
        if v.is_empty() {
            v.push(format!("arn:aws:iam::{A}:root"));
        }
        m.insert("AWS".into(), one_or_list(rng, v));
    }
    Value::Object(m)
}

fn statement(rng: &mut Rng, g: &Gen, place: Place, effect: &str, index: usize) -> Value {
    let mut m = Map::new();
    if rng.chance(30) {
        m.insert("Sid".into(), json!(format!("Stmt{index}")));
    }
    m.insert("Effect".into(), json!(effect));
    match place {
        Place::Rcp => {
            m.insert("Principal".into(), json!("*"));
        }
        p if p.has_principal() => {
            if effect == "Deny" && rng.chance(25) {
                m.insert("NotPrincipal".into(), principal_value(rng, g, true));
            } else {
                m.insert("Principal".into(), principal_value(rng, g, false));
            }
        }
        _ => {}
    }
    if place == Place::Trust {
        let a = rng.pick(&[
            "sts:AssumeRole",
            "sts:AssumeRole",
            "sts:TagSession",
            "sts:*",
        ]);
        let v = if a == "sts:TagSession" || rng.chance(25) {
            json!(["sts:AssumeRole", "sts:TagSession"])
        } else {
            json!(a)
        };
        m.insert("Action".into(), v);
    } else {
        action_element(rng, g.t, place, &mut m);
    }
    resource_element(rng, g.t, place, &mut m);
    let p = match (place, effect) {
        (Place::Rcp, _) => 80,
        (_, "Deny") => 50,
        _ => 30,
    };
    if rng.chance(p) {
        m.insert("Condition".into(), condition(rng, g));
    }
    Value::Object(m)
}

fn version(rng: &mut Rng) -> Option<&'static str> {
    match rng.below(100) {
        0..=2 => Some("2008-10-17"),
        3 => None,
        _ => Some("2012-10-17"),
    }
}

fn policy(rng: &mut Rng, place: Place, statements: Vec<Value>) -> Value {
    let mut m = Map::new();
    let v = if place == Place::Rcp {
        Some("2012-10-17")
    } else {
        version(rng)
    };
    if let Some(v) = v {
        m.insert("Version".into(), json!(v));
    }
    if statements.len() == 1 && rng.chance(15) {
        m.insert("Statement".into(), statements[0].clone());
    } else {
        m.insert("Statement".into(), json!(statements));
    }
    Value::Object(m)
}

/// A policy of 1–`max` statements, the first an Allow most of the time.
fn random_policy(rng: &mut Rng, g: &Gen, place: Place, max: usize, deny: u32) -> Value {
    let n = rng.range(1, max);
    let mut stmts = Vec::new();
    for i in 0..n {
        let effect = if (i == 0 && rng.chance(85)) || !rng.chance(deny) {
            "Allow"
        } else {
            "Deny"
        };
        stmts.push(statement(rng, g, place, effect, i));
    }
    policy(rng, place, stmts)
}

fn full_aws_access() -> Value {
    json!({"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn rcp_full_aws_access() -> Value {
    json!({"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
}

/// SCP levels (root, OUs, account) of the caller's account.
fn scps(rng: &mut Rng, g: &Gen) -> Value {
    let levels = rng.range(1, 3);
    let mut out = Vec::new();
    for _ in 0..levels {
        let mut level = Vec::new();
        if rng.chance(85) {
            level.push(full_aws_access());
        } else {
            // An allow-list instead of FullAWSAccess.
            level.push(random_policy(rng, g, Place::Scp, 2, 0));
        }
        if rng.chance(20) {
            let stmt = statement(rng, g, Place::Scp, "Deny", 0);
            level.push(policy(rng, Place::Scp, vec![stmt]));
        }
        out.push(json!(level));
    }
    json!(out)
}

/// RCP levels of the resource's account: RCPFullAWSAccess everywhere, some denies.
fn rcps(rng: &mut Rng, g: &Gen) -> Value {
    let levels = rng.range(1, 3);
    let mut out = Vec::new();
    for _ in 0..levels {
        let mut level = vec![rcp_full_aws_access()];
        if rng.chance(25) {
            let stmt = if rng.chance(40) {
                org_only_rcp_statement(rng, g)
            } else {
                statement(rng, g, Place::Rcp, "Deny", 0)
            };
            level.push(policy(rng, Place::Rcp, vec![stmt]));
        }
        out.push(json!(level));
    }
    json!(out)
}

/// The usual data-perimeter RCP: deny principals outside the organization.
fn org_only_rcp_statement(rng: &mut Rng, g: &Gen) -> Value {
    let mut cond = json!({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}});
    if rng.chance(60) {
        cond["BoolIfExists"] = json!({"aws:PrincipalIsAWSService": "false"});
    }
    json!({
        "Sid": "EnforceOrgIdentities",
        "Effect": "Deny",
        "Principal": "*",
        "Action": [format!("{}:*", g.t.service()), "sts:*"],
        "Resource": "*",
        "Condition": cond
    })
}

fn resource_policy(rng: &mut Rng, g: &Gen) -> Option<Value> {
    let t = g.t;
    let place = match t.kind {
        Kind::Role => Place::Trust,
        Kind::Key => Place::KeyPolicy,
        Kind::Table | Kind::IamRole => return None,
        _ => Place::Resource,
    };
    if place == Place::Resource && !rng.chance(75) {
        return None;
    }
    let mut stmts = Vec::new();
    if place == Place::KeyPolicy && rng.chance(55) {
        // The default key policy statement.
        stmts.push(json!({
            "Sid": "EnableIAMUserPermissions",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{A}:root")},
            "Action": "kms:*",
            "Resource": "*"
        }));
    }
    let n = rng.range(1, 3);
    for i in 0..n {
        let effect = if i == 0 || !rng.chance(25) {
            "Allow"
        } else {
            "Deny"
        };
        stmts.push(statement(rng, g, place, effect, stmts.len()));
    }
    Some(policy(rng, place, stmts))
}

// ---------------------------------------------------------------------------------
// A case

/// Generates case `index` of the run seeded with `seed`.
pub fn case(seed: u64, index: u64) -> Value {
    let mut rng = Rng::for_case(seed, index);
    let rng = &mut rng;
    let t = target(rng);
    let caller = caller(rng, t.kind);
    let ctx = context(rng, &caller, &t);
    let g = Gen {
        caller: &caller,
        t: &t,
        ctx: &ctx,
    };

    let mut request = Map::new();
    request.insert("principal".into(), json!(caller.arn()));
    request.insert("action".into(), json!(t.action));
    request.insert("resource".into(), json!(t.resource));
    if matches!(t.kind, Kind::Object | Kind::Bucket) || rng.chance(10) {
        request.insert("resourceAccount".into(), json!(A));
    }
    if !ctx.keys.is_empty() {
        request.insert("context".into(), context_json(rng, &ctx));
    }

    let mut file = Map::new();
    file.insert("request".into(), Value::Object(request));
    if caller.is_iam() {
        let n = rng.pick(&[0usize, 1, 1, 1, 2, 2, 3]);
        let policies: Vec<Value> = (0..n)
            .map(|_| random_policy(rng, &g, Place::Identity, 3, 15))
            .collect();
        if !policies.is_empty() || rng.chance(50) {
            file.insert("identityPolicies".into(), json!(policies));
        }
        if rng.chance(25) {
            file.insert(
                "permissionsBoundary".into(),
                random_policy(rng, &g, Place::Boundary, 2, 10),
            );
        }
        if matches!(caller, Caller::Session { .. }) && rng.chance(25) {
            file.insert(
                "sessionPolicy".into(),
                random_policy(rng, &g, Place::Session, 2, 10),
            );
        }
    }
    if let Some(p) = resource_policy(rng, &g) {
        file.insert("resourcePolicy".into(), p);
    }
    let with_scps = caller.is_iam() && rng.chance(40);
    if with_scps {
        file.insert("serviceControlPolicies".into(), scps(rng, &g));
    }
    let with_rcps = rng.chance(40);
    if with_rcps {
        file.insert("resourceControlPolicies".into(), rcps(rng, &g));
    }
    if (with_scps || with_rcps) && rng.chance(25) {
        let m = match rng.below(3) {
            0 => MGMT,
            1 => caller.account().unwrap_or(MGMT),
            _ => A,
        };
        file.insert("managementAccount".into(), json!(m));
    }
    if matches!(t.kind, Kind::Object | Kind::Bucket)
        && file.contains_key("resourcePolicy")
        && rng.chance(25)
    {
        file.insert("restrictPublicBuckets".into(), json!(true));
    }
    Value::Object(file)
}
