//! A deterministic generator of realistic `aws iam get-account-authorization-details`
//! exports, for the load benchmark and the `gen_export` example.
//!
//! The output looks like what the AWS CLI prints (4-space indentation, its key
//! order): users, groups, roles and customer-managed policies of one account, with
//! inline and managed policy documents that pass iampath's grammar checks. Every ARN
//! uses the account ID, every attached policy and permissions boundary is in
//! `Policies`, and every group a user names exists, so a load reports no errors.
//!
//! With [`Options::url_encoded`], every third policy document is written as the raw
//! IAM API returns it: a string holding the RFC 3986 percent-encoding of the compact
//! JSON document, so the decoding path is exercised too.
//!
//! No `rand`: a xorshift64* generator seeded from [`Options::seed`] makes the output
//! the same on every run and every platform.

#![allow(dead_code)] // the bench and the example each use a part of this module

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The 12-digit account ID: the folder name and the account of every ARN.
    pub account: String,
    /// Stop adding entities once the export is at least this large (in bytes).
    pub target_bytes: usize,
    /// Write every third policy document as a URL-encoded string.
    pub url_encoded: bool,
    pub seed: u64,
}

impl Options {
    pub fn new(target_bytes: usize) -> Self {
        Options {
            account: "111122223333".to_string(),
            target_bytes,
            url_encoded: false,
            seed: 0x1a4d_7a7e_5eed_0001,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub bytes: usize,
    pub users: usize,
    pub groups: usize,
    pub roles: usize,
    pub policies: usize,
    pub policy_versions: usize,
    /// Policy documents that are lowered by a load (inline, trust, default versions
    /// and the older versions kept in `PolicyVersionList`).
    pub documents: usize,
    /// Of those, how many are URL-encoded strings.
    pub url_encoded_documents: usize,
}

/// A written export.
#[derive(Debug, Clone)]
pub struct Written {
    /// The data folder to load (it holds the account folder).
    pub root: PathBuf,
    /// `<root>/<account>/iam.json`.
    pub file: PathBuf,
    pub stats: Stats,
}

/// Generates an export and writes it to `<root>/<account>/iam.json`.
pub fn write_export(root: &Path, opts: &Options) -> std::io::Result<Written> {
    let (text, stats) = generate(opts);
    let folder = root.join(&opts.account);
    std::fs::create_dir_all(&folder)?;
    let file = folder.join("iam.json");
    std::fs::write(&file, text.as_bytes())?;
    Ok(Written {
        root: root.to_path_buf(),
        file,
        stats,
    })
}

/// Generates the text of an export of at least `opts.target_bytes` bytes.
pub fn generate(opts: &Options) -> (String, Stats) {
    let mut g = Gen {
        rng: Rng::new(opts.seed),
        account: opts.account.clone(),
        url_encoded: opts.url_encoded,
        policies: Vec::new(),
        boundaries: Vec::new(),
        groups: Vec::new(),
        roles: Vec::new(),
        stats: Stats::default(),
        id_counter: 0,
    };
    let mut users = Section::default();
    let mut groups = Section::default();
    let mut roles = Section::default();
    let mut policies = Section::default();
    let mut round = 0usize;
    // Each round adds a managed policy, a user and two roles, and every sixth round a
    // group: attachments only name policies and groups generated before them.
    loop {
        policies.push(&g.managed_policy());
        if round % 6 == 0 {
            groups.push(&g.group());
        }
        users.push(&g.user());
        roles.push(&g.role());
        roles.push(&g.role());
        round += 1;
        let size = users.len() + groups.len() + roles.len() + policies.len();
        if size >= opts.target_bytes {
            break;
        }
    }
    let mut out =
        String::with_capacity(users.len() + groups.len() + roles.len() + policies.len() + 1024);
    out.push('{');
    let sections = [
        ("UserDetailList", users),
        ("GroupDetailList", groups),
        ("RoleDetailList", roles),
        ("Policies", policies),
    ];
    for (i, (key, section)) in sections.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(&mut out, 1);
        quote(&mut out, key);
        out.push_str(": ");
        if section.items == 0 {
            out.push_str("[]");
        } else {
            out.push('[');
            out.push_str(&section.text);
            newline(&mut out, 1);
            out.push(']');
        }
    }
    out.push_str("\n}\n");
    g.stats.bytes = out.len();
    (out, g.stats)
}

/// The elements of one top-level list, pretty-printed at their depth.
#[derive(Default)]
struct Section {
    text: String,
    items: usize,
}

impl Section {
    fn push(&mut self, v: &J) {
        if self.items > 0 {
            self.text.push(',');
        }
        newline(&mut self.text, 2);
        pretty(&mut self.text, v, 2);
        self.items += 1;
    }

    fn len(&self) -> usize {
        self.text.len()
    }
}

// ---------------------------------------------------------------------------------
// A minimal JSON value and its two printers.

/// A JSON value; object keys keep the order they were given in (as the CLI prints).
#[derive(Debug, Clone)]
pub enum J {
    S(String),
    /// `true`, `false`, `null` or a number, printed as written.
    Lit(&'static str),
    N(u64),
    A(Vec<J>),
    O(Vec<(&'static str, J)>),
}

fn s(v: impl Into<String>) -> J {
    J::S(v.into())
}

fn b(v: bool) -> J {
    J::Lit(if v { "true" } else { "false" })
}

/// One string, or an array when there are several (as people write policies).
fn one_or_many(mut v: Vec<String>) -> J {
    if v.len() == 1 {
        if let Some(x) = v.pop() {
            return J::S(x);
        }
    }
    J::A(v.into_iter().map(J::S).collect())
}

fn newline(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("    ");
    }
}

fn quote(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Like Python's `json.dumps(v, indent=4)`, which the AWS CLI uses.
pub fn pretty(out: &mut String, v: &J, level: usize) {
    match v {
        J::S(x) => quote(out, x),
        J::Lit(x) => out.push_str(x),
        J::N(n) => {
            let _ = write!(out, "{n}");
        }
        J::A(items) if items.is_empty() => out.push_str("[]"),
        J::A(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                pretty(out, item, level + 1);
            }
            newline(out, level);
            out.push(']');
        }
        J::O(members) if members.is_empty() => out.push_str("{}"),
        J::O(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                quote(out, k);
                out.push_str(": ");
                pretty(out, item, level + 1);
            }
            newline(out, level);
            out.push('}');
        }
    }
}

/// Without any whitespace.
pub fn compact(out: &mut String, v: &J) {
    match v {
        J::S(x) => quote(out, x),
        J::Lit(x) => out.push_str(x),
        J::N(n) => {
            let _ = write!(out, "{n}");
        }
        J::A(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                compact(out, item);
            }
            out.push(']');
        }
        J::O(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quote(out, k);
                out.push(':');
                compact(out, item);
            }
            out.push('}');
        }
    }
}

/// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - . _ ~`.
pub fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Randomness.

/// xorshift64*: small, fast and good enough for plausible-looking data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        // The modulo bias is irrelevant here.
        (self.next() % (n.max(1) as u64)) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `k` distinct indices of `0..n`, in increasing order.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let k = k.min(n);
        let mut out: Vec<usize> = Vec::with_capacity(k);
        while out.len() < k {
            let i = self.below(n);
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out.sort_unstable();
        out
    }
}

// ---------------------------------------------------------------------------------
// Vocabulary.

const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
];
const APPS: &[&str] = &[
    "billing",
    "checkout",
    "search",
    "catalog",
    "identity",
    "payments",
    "reports",
    "ingest",
    "orders",
    "notify",
    "media",
    "ledger",
    "pricing",
    "inventory",
    "analytics",
];
const ENVS: &[&str] = &["prod", "staging", "dev", "qa", "sandbox"];
const TEAMS: &[&str] = &[
    "platform", "data", "security", "web", "mobile", "finance", "sre", "ml",
];
const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
];
const LAST: &[&str] = &[
    "smith", "jones", "garcia", "miller", "davis", "lopez", "wilson", "anderson", "thomas",
    "moore", "martin", "lee", "clark", "lewis", "walker", "young",
];
const PURPOSES: &[&str] = &[
    "reader", "writer", "deploy", "worker", "api", "etl", "cron", "admin", "ops", "audit",
];
const SERVICE_PRINCIPALS: &[&str] = &[
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "states.amazonaws.com",
    "events.amazonaws.com",
    "glue.amazonaws.com",
    "codebuild.amazonaws.com",
    "sagemaker.amazonaws.com",
];
const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// One service's actions and how its resource ARNs look.
struct Service {
    prefix: &'static str,
    actions: &'static [&'static str],
    /// Resource ARN templates: `{r}` region, `{a}` account, `{n}` a name.
    resources: &'static [&'static str],
}

const SERVICES: &[Service] = &[
    Service {
        prefix: "s3",
        actions: &[
            "GetObject",
            "PutObject",
            "DeleteObject",
            "ListBucket",
            "GetBucketLocation",
            "GetObjectVersion",
            "GetObjectTagging",
            "PutObjectTagging",
            "AbortMultipartUpload",
            "ListBucketMultipartUploads",
        ],
        resources: &[
            "arn:aws:s3:::{n}",
            "arn:aws:s3:::{n}/*",
            "arn:aws:s3:::{n}/data/*",
        ],
    },
    Service {
        prefix: "dynamodb",
        actions: &[
            "GetItem",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "Scan",
            "BatchGetItem",
            "BatchWriteItem",
            "DescribeTable",
            "ConditionCheckItem",
        ],
        resources: &[
            "arn:aws:dynamodb:{r}:{a}:table/{n}",
            "arn:aws:dynamodb:{r}:{a}:table/{n}/index/*",
            "arn:aws:dynamodb:{r}:{a}:table/{n}/stream/*",
        ],
    },
    Service {
        prefix: "sqs",
        actions: &[
            "SendMessage",
            "ReceiveMessage",
            "DeleteMessage",
            "GetQueueAttributes",
            "GetQueueUrl",
            "ChangeMessageVisibility",
        ],
        resources: &["arn:aws:sqs:{r}:{a}:{n}", "arn:aws:sqs:{r}:{a}:{n}-dlq"],
    },
    Service {
        prefix: "sns",
        actions: &[
            "Publish",
            "Subscribe",
            "ListSubscriptionsByTopic",
            "GetTopicAttributes",
        ],
        resources: &["arn:aws:sns:{r}:{a}:{n}-events"],
    },
    Service {
        prefix: "lambda",
        actions: &[
            "InvokeFunction",
            "GetFunction",
            "GetFunctionConfiguration",
            "UpdateFunctionCode",
            "PublishVersion",
        ],
        resources: &[
            "arn:aws:lambda:{r}:{a}:function:{n}",
            "arn:aws:lambda:{r}:{a}:function:{n}:*",
        ],
    },
    Service {
        prefix: "logs",
        actions: &[
            "CreateLogGroup",
            "CreateLogStream",
            "PutLogEvents",
            "DescribeLogStreams",
            "GetLogEvents",
        ],
        resources: &[
            "arn:aws:logs:{r}:{a}:log-group:/aws/lambda/{n}:*",
            "arn:aws:logs:{r}:{a}:log-group:/ecs/{n}:log-stream:*",
        ],
    },
    Service {
        prefix: "kms",
        actions: &[
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "DescribeKey",
            "ReEncrypt*",
        ],
        resources: &[
            "arn:aws:kms:{r}:{a}:key/{u}",
            "arn:aws:kms:{r}:{a}:alias/{n}",
        ],
    },
    Service {
        prefix: "secretsmanager",
        actions: &["GetSecretValue", "DescribeSecret", "ListSecretVersionIds"],
        resources: &["arn:aws:secretsmanager:{r}:{a}:secret:{n}/*"],
    },
    Service {
        prefix: "ssm",
        actions: &["GetParameter", "GetParameters", "GetParametersByPath"],
        resources: &["arn:aws:ssm:{r}:{a}:parameter/{n}/*"],
    },
    Service {
        prefix: "ecr",
        actions: &[
            "BatchGetImage",
            "GetDownloadUrlForLayer",
            "BatchCheckLayerAvailability",
            "PutImage",
            "InitiateLayerUpload",
            "UploadLayerPart",
            "CompleteLayerUpload",
        ],
        resources: &["arn:aws:ecr:{r}:{a}:repository/{n}"],
    },
    Service {
        prefix: "iam",
        actions: &["PassRole", "GetRole"],
        resources: &[
            "arn:aws:iam::{a}:role/{n}-*",
            "arn:aws:iam::{a}:role/service-role/{n}",
        ],
    },
    Service {
        prefix: "ec2",
        actions: &[
            "DescribeInstances",
            "DescribeSecurityGroups",
            "DescribeSubnets",
            "StartInstances",
            "StopInstances",
            "CreateTags",
        ],
        resources: &["*", "arn:aws:ec2:{r}:{a}:instance/*"],
    },
];

/// One condition an Allow statement may carry: operator, key, values.
struct Cond {
    operator: &'static str,
    key: &'static str,
    values: &'static [&'static str],
}

const CONDITIONS: &[Cond] = &[
    Cond {
        operator: "StringEquals",
        key: "aws:RequestedRegion",
        values: &["us-east-1", "eu-west-1", "us-west-2"],
    },
    Cond {
        operator: "StringEquals",
        key: "aws:ResourceTag/team",
        values: &["platform", "data", "${aws:PrincipalTag/team}"],
    },
    Cond {
        operator: "StringLike",
        key: "s3:prefix",
        values: &["home/${aws:username}/*", "shared/*", "exports/"],
    },
    Cond {
        operator: "IpAddress",
        key: "aws:SourceIp",
        values: &[
            "10.0.0.0/8",
            "192.0.2.0/24",
            "198.51.100.17/32",
            "2001:db8::/32",
        ],
    },
    Cond {
        operator: "Bool",
        key: "aws:SecureTransport",
        values: &["true"],
    },
    Cond {
        operator: "Bool",
        key: "aws:MultiFactorAuthPresent",
        values: &["true"],
    },
    Cond {
        operator: "NumericLessThan",
        key: "aws:MultiFactorAuthAge",
        values: &["3600"],
    },
    Cond {
        operator: "StringEqualsIfExists",
        key: "aws:PrincipalTag/environment",
        values: &["prod", "staging"],
    },
    Cond {
        operator: "ForAnyValue:StringLike",
        key: "aws:TagKeys",
        values: &["team", "cost-center", "owner*"],
    },
    Cond {
        operator: "DateLessThan",
        key: "aws:CurrentTime",
        values: &["2030-01-01T00:00:00Z"],
    },
];

// ---------------------------------------------------------------------------------
// The generator.

struct Gen {
    rng: Rng,
    account: String,
    url_encoded: bool,
    /// (name, path) of every managed policy generated so far.
    policies: Vec<(String, String)>,
    /// Indices into `policies` of the permissions-boundary policies.
    boundaries: Vec<usize>,
    /// Names of the groups generated so far.
    groups: Vec<String>,
    /// ARNs of the roles generated so far (some trust policies name them).
    roles: Vec<String>,
    stats: Stats,
    id_counter: u64,
}

impl Gen {
    /// A unique ID as IAM prints them: a 4-letter prefix and 17 characters.
    fn unique_id(&mut self, prefix: &str) -> String {
        self.id_counter += 1;
        let mut x = self.id_counter.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ self.rng.next();
        let mut out = String::with_capacity(21);
        out.push_str(prefix);
        for _ in 0..17 {
            out.push(char::from(ID_ALPHABET[(x & 31) as usize]));
            x = x.rotate_right(5) ^ self.id_counter;
        }
        out
    }

    fn date(&mut self) -> String {
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
            self.rng.range(2016, 2024),
            self.rng.range(1, 12),
            self.rng.range(1, 28),
            self.rng.below(24),
            self.rng.below(60),
            self.rng.below(60)
        )
    }

    fn uuid(&mut self) -> String {
        let x = self.rng.next();
        let y = self.rng.next();
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            x >> 32,
            (x >> 16) & 0xffff,
            x & 0xffff,
            y >> 48,
            y & 0xffff_ffff_ffff
        )
    }

    fn arn(&self, kind: &str, path: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:{kind}{path}{name}", self.account)
    }

    fn policy_arn(&self, index: usize) -> (String, String) {
        let (name, path) = &self.policies[index];
        (name.clone(), self.arn("policy", path, name))
    }

    /// A policy document as the export holds it: an object, or (every third one in the
    /// URL-encoded variant) a string with the percent-encoded compact JSON.
    fn embed(&mut self, doc: J) -> J {
        self.stats.documents += 1;
        if self.url_encoded && self.stats.documents % 3 == 0 {
            self.stats.url_encoded_documents += 1;
            let mut text = String::new();
            compact(&mut text, &doc);
            J::S(percent_encode(&text))
        } else {
            doc
        }
    }

    fn resource(&mut self, svc: &Service, app: &str) -> String {
        let template = *self.rng.pick(svc.resources);
        let env = *self.rng.pick(ENVS);
        let name = format!("{env}-{app}-{}", self.rng.below(40));
        let region = *self.rng.pick(REGIONS);
        let mut out = template
            .replace("{r}", region)
            .replace("{a}", &self.account)
            .replace("{n}", &name);
        if out.contains("{u}") {
            let u = self.uuid();
            out = out.replace("{u}", &u);
        }
        out
    }

    fn conditions(&mut self) -> J {
        let n = self.rng.range(1, 2);
        let mut ops: Vec<(&'static str, J)> = Vec::new();
        for i in self.rng.distinct(CONDITIONS.len(), n) {
            let c = &CONDITIONS[i];
            let k = self.rng.range(1, c.values.len());
            let values: Vec<String> = self
                .rng
                .distinct(c.values.len(), k)
                .into_iter()
                .map(|v| c.values[v].to_string())
                .collect();
            let entry = (c.key, one_or_many(values));
            // Two conditions may share an operator: one block with both keys.
            match ops.iter_mut().find(|(op, _)| *op == c.operator) {
                Some((_, J::O(keys))) if !keys.iter().any(|(key, _)| *key == c.key) => {
                    keys.push(entry);
                }
                Some(_) => {}
                None => ops.push((c.operator, J::O(vec![entry]))),
            }
        }
        J::O(ops)
    }

    /// An identity-policy statement.
    fn statement(&mut self, index: usize, app: &str) -> J {
        let roll = self.rng.below(100);
        if roll < 6 {
            // The classic "deny everything without MFA" statement.
            return J::O(vec![
                ("Sid", s(format!("DenyWithoutMfa{index}"))),
                ("Effect", s("Deny")),
                (
                    "NotAction",
                    J::A(vec![
                        s("iam:ChangePassword"),
                        s("iam:CreateVirtualMFADevice"),
                        s("iam:EnableMFADevice"),
                        s("iam:GetUser"),
                        s("iam:ListMFADevices"),
                        s("sts:GetSessionToken"),
                    ]),
                ),
                ("Resource", s("*")),
                (
                    "Condition",
                    J::O(vec![(
                        "BoolIfExists",
                        J::O(vec![("aws:MultiFactorAuthPresent", s("false"))]),
                    )]),
                ),
            ]);
        }
        if roll < 12 {
            let bucket = self.resource(&SERVICES[0], app);
            let bucket = bucket.split('/').next().unwrap_or_default().to_string();
            return J::O(vec![
                ("Sid", s(format!("DenyInsecureTransport{index}"))),
                ("Effect", s("Deny")),
                ("Action", s("s3:*")),
                (
                    "Resource",
                    J::A(vec![s(bucket.clone()), s(format!("{bucket}/*"))]),
                ),
                (
                    "Condition",
                    J::O(vec![(
                        "Bool",
                        J::O(vec![("aws:SecureTransport", s("false"))]),
                    )]),
                ),
            ]);
        }
        let svc = self.rng.pick(SERVICES);
        let n_actions = self.rng.range(1, svc.actions.len().min(6));
        let mut actions: Vec<String> = self
            .rng
            .distinct(svc.actions.len(), n_actions)
            .into_iter()
            .map(|i| format!("{}:{}", svc.prefix, svc.actions[i]))
            .collect();
        if self.rng.chance(10) {
            actions = vec![
                format!("{}:Get*", svc.prefix),
                format!("{}:List*", svc.prefix),
            ];
        }
        let n_resources = self.rng.range(1, 4);
        let mut resources: Vec<String> =
            (0..n_resources).map(|_| self.resource(svc, app)).collect();
        resources.sort();
        resources.dedup();
        if resources.iter().any(|r| r == "*") {
            resources = vec!["*".to_string()];
        }
        let sid = format!(
            "{}{}{index}",
            capitalize(svc.prefix),
            if actions.len() > 2 { "Access" } else { "Read" }
        );
        let mut members = vec![
            ("Sid", s(sid)),
            ("Effect", s("Allow")),
            ("Action", one_or_many(actions)),
            ("Resource", one_or_many(resources)),
        ];
        if self.rng.chance(40) {
            members.push(("Condition", self.conditions()));
        }
        J::O(members)
    }

    fn identity_document(&mut self, statements: usize, app: &str) -> J {
        let list = (0..statements).map(|i| self.statement(i, app)).collect();
        J::O(vec![
            ("Version", s("2012-10-17")),
            ("Statement", J::A(list)),
        ])
    }

    /// A trust policy, and whether EC2 may assume the role (it then has an instance
    /// profile).
    fn trust_document(&mut self) -> (J, bool) {
        let account = self.account.clone();
        let mut ec2 = false;
        let statement = match self.rng.below(100) {
            0..=54 => {
                let services = if self.rng.chance(15) {
                    let picks = self.rng.distinct(SERVICE_PRINCIPALS.len(), 2);
                    picks
                        .into_iter()
                        .map(|i| SERVICE_PRINCIPALS[i].to_string())
                        .collect()
                } else {
                    vec![self.rng.pick(SERVICE_PRINCIPALS).to_string()]
                };
                ec2 = services.iter().any(|s| s == "ec2.amazonaws.com");
                let mut st = vec![
                    ("Sid", s("")),
                    ("Effect", s("Allow")),
                    ("Principal", J::O(vec![("Service", one_or_many(services))])),
                    ("Action", s("sts:AssumeRole")),
                ];
                if self.rng.chance(30) {
                    let region = *self.rng.pick(REGIONS);
                    st.push((
                        "Condition",
                        J::O(vec![
                            (
                                "StringEquals",
                                J::O(vec![("aws:SourceAccount", s(account.clone()))]),
                            ),
                            (
                                "ArnLike",
                                J::O(vec![(
                                    "aws:SourceArn",
                                    s(format!("arn:aws:lambda:{region}:{account}:function:*")),
                                )]),
                            ),
                        ]),
                    ));
                }
                J::O(st)
            }
            55..=79 => {
                let principal = if !self.roles.is_empty() && self.rng.chance(50) {
                    let n = self.rng.range(1, 3);
                    let picks = self.rng.distinct(self.roles.len(), n);
                    one_or_many(picks.into_iter().map(|i| self.roles[i].clone()).collect())
                } else {
                    s(format!("arn:aws:iam::{account}:root"))
                };
                let condition = if self.rng.chance(50) {
                    let external = self.uuid();
                    J::O(vec![(
                        "StringEquals",
                        J::O(vec![("sts:ExternalId", s(external))]),
                    )])
                } else {
                    J::O(vec![(
                        "Bool",
                        J::O(vec![("aws:MultiFactorAuthPresent", s("true"))]),
                    )])
                };
                J::O(vec![
                    ("Effect", s("Allow")),
                    ("Principal", J::O(vec![("AWS", principal)])),
                    ("Action", s("sts:AssumeRole")),
                    ("Condition", condition),
                ])
            }
            80..=89 => J::O(vec![
                ("Effect", s("Allow")),
                (
                    "Principal",
                    J::O(vec![(
                        "Federated",
                        s(format!("arn:aws:iam::{account}:saml-provider/Okta")),
                    )]),
                ),
                ("Action", s("sts:AssumeRoleWithSAML")),
                (
                    "Condition",
                    J::O(vec![(
                        "StringEquals",
                        J::O(vec![("SAML:aud", s("https://signin.aws.amazon.com/saml"))]),
                    )]),
                ),
            ]),
            _ => {
                let repo = format!("example-org/{}", self.rng.pick(APPS));
                J::O(vec![
                    ("Effect", s("Allow")),
                    (
                        "Principal",
                        J::O(vec![(
                            "Federated",
                            s(format!(
                                "arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"
                            )),
                        )]),
                    ),
                    ("Action", s("sts:AssumeRoleWithWebIdentity")),
                    (
                        "Condition",
                        J::O(vec![
                            (
                                "StringEquals",
                                J::O(vec![(
                                    "token.actions.githubusercontent.com:aud",
                                    s("sts.amazonaws.com"),
                                )]),
                            ),
                            (
                                "StringLike",
                                J::O(vec![(
                                    "token.actions.githubusercontent.com:sub",
                                    s(format!("repo:{repo}:ref:refs/heads/main")),
                                )]),
                            ),
                        ]),
                    ),
                ])
            }
        };
        let doc = J::O(vec![
            ("Version", s("2012-10-17")),
            ("Statement", J::A(vec![statement])),
        ]);
        (doc, ec2)
    }

    /// `PolicyName`/`PolicyDocument` entries of an inline policy list.
    fn inline_policies(&mut self, max: usize, max_statements: usize, owner: &str) -> J {
        let n = self.rng.below(max + 1);
        let mut list = Vec::with_capacity(n);
        for i in 0..n {
            let app = *self.rng.pick(APPS);
            let statements = self.rng.range(1, max_statements);
            let doc = self.identity_document(statements, app);
            list.push(J::O(vec![
                ("PolicyName", s(format!("{owner}-{app}-inline-{i}"))),
                ("PolicyDocument", self.embed(doc)),
            ]));
        }
        J::A(list)
    }

    fn attached(&mut self, max: usize) -> J {
        let n = self.rng.below(max + 1);
        let picks = self.rng.distinct(self.policies.len(), n);
        J::A(
            picks
                .into_iter()
                .map(|i| {
                    let (name, arn) = self.policy_arn(i);
                    J::O(vec![("PolicyName", s(name)), ("PolicyArn", s(arn))])
                })
                .collect(),
        )
    }

    fn boundary(&mut self, percent: usize) -> Option<J> {
        if self.boundaries.is_empty() || !self.rng.chance(percent) {
            return None;
        }
        let i = *self.rng.pick(&self.boundaries);
        let (_, arn) = self.policy_arn(i);
        Some(J::O(vec![
            ("PermissionsBoundaryType", s("PermissionsBoundaryPolicy")),
            ("PermissionsBoundaryArn", s(arn)),
        ]))
    }

    fn tags(&mut self, max: usize) -> J {
        let n = self.rng.below(max + 1);
        let keys = [
            "team",
            "environment",
            "cost-center",
            "owner",
            "app",
            "managed-by",
        ];
        let picks = self.rng.distinct(keys.len(), n);
        J::A(
            picks
                .into_iter()
                .map(|i| {
                    let value = match keys[i] {
                        "team" => self.rng.pick(TEAMS).to_string(),
                        "environment" => self.rng.pick(ENVS).to_string(),
                        "cost-center" => format!("cc-{}", 1000 + self.rng.below(9000)),
                        "owner" => format!("{}@example.com", self.rng.pick(FIRST)),
                        "app" => self.rng.pick(APPS).to_string(),
                        _ => "terraform".to_string(),
                    };
                    J::O(vec![("Key", s(keys[i])), ("Value", s(value))])
                })
                .collect(),
        )
    }

    fn user(&mut self) -> J {
        let index = self.stats.users;
        self.stats.users += 1;
        let name = format!("{}.{}{}", self.rng.pick(FIRST), self.rng.pick(LAST), index);
        let path = match self.rng.below(10) {
            0..=5 => "/",
            6 | 7 => "/engineering/",
            8 => "/contractors/",
            _ => "/service-accounts/",
        };
        let arn = self.arn("user", path, &name);
        let n_groups = self.rng.below(4);
        let picks = self.rng.distinct(self.groups.len(), n_groups);
        let group_list = J::A(
            picks
                .into_iter()
                .map(|i| s(self.groups[i].clone()))
                .collect(),
        );
        let mut members = vec![
            ("Path", s(path)),
            ("UserName", s(name.clone())),
            ("UserId", s(self.unique_id("AIDA"))),
            ("Arn", s(arn)),
            ("CreateDate", s(self.date())),
            ("UserPolicyList", self.inline_policies(2, 2, &name)),
            ("GroupList", group_list),
            ("AttachedManagedPolicies", self.attached(3)),
        ];
        if let Some(b) = self.boundary(5) {
            members.push(("PermissionsBoundary", b));
        }
        members.push(("Tags", self.tags(4)));
        J::O(members)
    }

    fn group(&mut self) -> J {
        let index = self.stats.groups;
        self.stats.groups += 1;
        let name = format!(
            "{}-{}-{index}",
            self.rng.pick(TEAMS),
            self.rng
                .pick(&["developers", "readonly", "admins", "oncall", "analysts"])
        );
        let arn = self.arn("group", "/", &name);
        let j = J::O(vec![
            ("Path", s("/")),
            ("GroupName", s(name.clone())),
            ("GroupId", s(self.unique_id("AGPA"))),
            ("Arn", s(arn)),
            ("CreateDate", s(self.date())),
            ("GroupPolicyList", self.inline_policies(2, 3, &name)),
            ("AttachedManagedPolicies", self.attached(4)),
        ]);
        self.groups.push(name);
        j
    }

    fn role(&mut self) -> J {
        let index = self.stats.roles;
        self.stats.roles += 1;
        let app = *self.rng.pick(APPS);
        let name = format!(
            "{}-{app}-{}-{index}",
            self.rng.pick(ENVS),
            self.rng.pick(PURPOSES)
        );
        let path = match self.rng.below(10) {
            0..=6 => "/",
            7 | 8 => "/service-role/",
            _ => "/app/",
        };
        let arn = self.arn("role", path, &name);
        let role_id = self.unique_id("AROA");
        let create_date = self.date();
        let (trust, is_ec2) = self.trust_document();
        let instance_profiles = if is_ec2 {
            // The CLI repeats the role (with its trust policy) inside its profile.
            let nested = J::O(vec![
                ("Path", s(path)),
                ("RoleName", s(name.clone())),
                ("RoleId", s(role_id.clone())),
                ("Arn", s(arn.clone())),
                ("CreateDate", s(create_date.clone())),
                ("AssumeRolePolicyDocument", trust.clone()),
            ]);
            J::A(vec![J::O(vec![
                ("Path", s("/")),
                ("InstanceProfileName", s(name.clone())),
                ("InstanceProfileId", s(self.unique_id("AIPA"))),
                ("Arn", s(self.arn("instance-profile", "/", &name))),
                ("CreateDate", s(create_date.clone())),
                ("Roles", J::A(vec![nested])),
            ])])
        } else {
            J::A(Vec::new())
        };
        let trust = self.embed(trust);
        let mut members = vec![
            ("Path", s(path)),
            ("RoleName", s(name.clone())),
            ("RoleId", s(role_id)),
            ("Arn", s(arn.clone())),
            ("CreateDate", s(create_date)),
            ("AssumeRolePolicyDocument", trust),
            ("InstanceProfileList", instance_profiles),
            ("RolePolicyList", self.inline_policies(3, 4, &name)),
            ("AttachedManagedPolicies", self.attached(5)),
        ];
        if let Some(b) = self.boundary(15) {
            members.push(("PermissionsBoundary", b));
        }
        members.push(("Tags", self.tags(5)));
        let last_used = if self.rng.chance(70) {
            J::O(vec![
                ("LastUsedDate", s(self.date())),
                ("Region", s(*self.rng.pick(REGIONS))),
            ])
        } else {
            J::O(Vec::new())
        };
        members.push(("RoleLastUsed", last_used));
        self.roles.push(arn);
        J::O(members)
    }

    fn managed_policy(&mut self) -> J {
        let index = self.stats.policies;
        self.stats.policies += 1;
        let app = *self.rng.pick(APPS);
        let is_boundary = index % 20 == 7;
        let name = if is_boundary {
            format!("{}-permissions-boundary-{index}", self.rng.pick(TEAMS))
        } else {
            format!("{app}-{}-policy-{index}", self.rng.pick(PURPOSES))
        };
        let path = if self.rng.chance(75) { "/" } else { "/app/" };
        let arn = self.arn("policy", path, &name);
        let n_versions = self.rng.range(1, 5);
        let created = self.date();
        let mut versions = Vec::with_capacity(n_versions);
        // Newest first, as the CLI lists them; the newest is the default.
        for v in (1..=n_versions).rev() {
            let statements = self.rng.range(2, 6);
            let doc = self.identity_document(statements, app);
            versions.push(J::O(vec![
                ("Document", self.embed(doc)),
                ("VersionId", s(format!("v{v}"))),
                ("IsDefaultVersion", b(v == n_versions)),
                ("CreateDate", s(self.date())),
            ]));
        }
        self.stats.policy_versions += n_versions;
        let j = J::O(vec![
            ("PolicyName", s(name.clone())),
            ("PolicyId", s(self.unique_id("ANPA"))),
            ("Arn", s(arn)),
            ("Path", s(path)),
            ("DefaultVersionId", s(format!("v{n_versions}"))),
            ("AttachmentCount", J::N(self.rng.below(12) as u64)),
            (
                "PermissionsBoundaryUsageCount",
                J::N(if is_boundary {
                    self.rng.range(1, 30) as u64
                } else {
                    0
                }),
            ),
            ("IsAttachable", b(true)),
            ("CreateDate", s(created)),
            ("UpdateDate", s(self.date())),
            ("PolicyVersionList", J::A(versions)),
        ]);
        if is_boundary {
            self.boundaries.push(index);
        }
        self.policies.push((name, path.to_string()));
        j
    }
}

fn capitalize(v: &str) -> String {
    let mut c = v.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
