//! A deterministic generator of a multi-account organization in iampath's data layout,
//! for the graph benchmark (`benches/graph.rs`) and the `gen_org` example.
//!
//! For `accounts` × `principals` it writes, under the output folder:
//!
//! ```text
//! <account>/iam.json          get-account-authorization-details: users, groups, roles, policies
//! <account>/s3/<bucket>.json  get-bucket-policy output, in some accounts
//! ```
//!
//! Each account holds `principals` principals, half users and half roles, organised in
//! teams of about 50 people (so a team's roles are trusted by a bounded number of
//! callers, as in real organizations):
//!
//! * Roles: five fixed ones in every account (`OrganizationAccountAccessRole` trusting
//!   the management account, `CrossAccountReadOnly` trusting other accounts with MFA,
//!   `ci-runner` for EC2, `ci-deployer` trusting the tools account's `ci-runner`,
//!   `vendor-audit` trusting an outside account with `sts:ExternalId`), then team roles
//!   (`team-<team>-…`, most trusting their own account root, some a specific user or
//!   role of the team), service roles (EC2 / Lambda), cross-account roles (another
//!   account's root, half with `sts:ExternalId`) and application roles trusting
//!   specific other roles (roles trusting each other, some across accounts).
//! * Users belong to their team's group, some to `readonly`, a few to `admins`. Team
//!   groups attach `team-<team>-assume` (`sts:AssumeRole` on
//!   `arn:aws:iam::ACCT:role/team-<team>-*`, MFA-conditioned for half the teams).
//!   Users' inline policies allow `sts:AssumeRole` on specific role ARNs, a few on
//!   `arn:aws:iam::ACCT:role/team-*`, `arn:aws:iam::*:role/CrossAccountReadOnly`, or
//!   `*`; plus S3 on a few buckets (the team's artifacts bucket, the shared reports
//!   bucket of the management account).
//! * The management account (the first) holds the bucket [`SHARED_BUCKET`], whose
//!   policy lets every account of the organization read it and denies plain HTTP;
//!   every other even account has a logs bucket policy.
//!
//! Every attached managed policy is in `Policies` and every group a user names
//! exists, so a load reports no errors. No `rand`: a xorshift64* generator seeded from
//! [`OrgOptions::seed`] and the account's index makes the output the same on every
//! run and platform.

#![allow(dead_code)] // the bench and the example each use a part of this module

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize as _;
use serde_json::{Value, json};

/// The bucket of the who-can query: in the first (management) account, readable by
/// every account of the organization through its bucket policy.
pub const SHARED_BUCKET: &str = "org-shared-reports";
/// An account outside the organization (a vendor) that some roles trust.
pub const VENDOR_ACCOUNT: &str = "999988887777";

/// The action and resource the benchmark's who-can asks about.
pub const WHO_CAN_ACTION: &str = "s3:GetObject";

pub fn who_can_resource() -> String {
    format!("arn:aws:s3:::{SHARED_BUCKET}/2024/q1/summary.csv")
}

/// The 12-digit ID of the account at `index` (0 is the management account).
pub fn account_id(index: usize) -> String {
    format!("{:012}", 210_000_000_000u64 + index as u64 * 1_000_003)
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct OrgOptions {
    pub accounts: usize,
    /// Principals (users + roles) per account; at least 10.
    pub principals: usize,
    pub seed: u64,
    /// How many principals of an account hold the broad `sts:AssumeRole` grants (on
    /// `*`, on `team-*`, on any account's `CrossAccountReadOnly`).
    pub broad: Broad,
}

/// Who holds the broad `sts:AssumeRole` grants of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broad {
    /// A share of its users (7 in 100) and chained roles (3 in 100): the edges of an
    /// account grow with the square of its principals, since each such grant reaches
    /// every role that trusts the account.
    Share,
    /// The same few in every account however large (seven users, one chained role):
    /// the edges grow with the principals.
    Fixed,
}

impl OrgOptions {
    pub fn new(accounts: usize, principals: usize) -> Self {
        OrgOptions {
            accounts,
            principals,
            seed: 0x0e6a_11ce_5eed_0004,
            broad: Broad::Share,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct OrgStats {
    pub accounts: usize,
    pub users: usize,
    pub groups: usize,
    pub roles: usize,
    pub managed_policies: usize,
    pub bucket_policies: usize,
    pub bytes: usize,
    /// Trust policies by what they trust.
    pub trust_own_root: usize,
    pub trust_specific: usize,
    pub trust_other_account_root: usize,
    pub trust_outside_account: usize,
    pub trust_service: usize,
    /// Identity `sts:AssumeRole` grants by the resources they name.
    pub grant_specific_roles: usize,
    pub grant_team_wildcard: usize,
    pub grant_any_account_role: usize,
    pub grant_star: usize,
}

/// A written organization.
#[derive(Debug, Clone)]
pub struct OrgWritten {
    /// The data folder to load (it holds the account folders).
    pub root: PathBuf,
    pub accounts: Vec<String>,
    pub stats: OrgStats,
}

/// Generates the organization and writes it under `root`.
pub fn write_org(root: &Path, opts: &OrgOptions) -> std::io::Result<OrgWritten> {
    assert!(opts.accounts >= 1, "at least one account");
    assert!(opts.principals >= 10, "at least 10 principals per account");
    let accounts: Vec<String> = (0..opts.accounts).map(account_id).collect();
    let mut stats = OrgStats {
        accounts: opts.accounts,
        ..OrgStats::default()
    };
    for index in 0..opts.accounts {
        let files = generate_account(opts, index, &accounts, &mut stats);
        let folder = root.join(&accounts[index]);
        std::fs::create_dir_all(&folder)?;
        for (rel, text) in files {
            let path = folder.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            stats.bytes += text.len();
            std::fs::write(path, text.as_bytes())?;
        }
    }
    Ok(OrgWritten {
        root: root.to_path_buf(),
        accounts,
        stats,
    })
}

/// The files of one account: (path relative to the account folder, text).
pub fn generate_account(
    opts: &OrgOptions,
    index: usize,
    accounts: &[String],
    stats: &mut OrgStats,
) -> Vec<(String, String)> {
    let seed = opts.seed ^ (index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut g = Account::plan(opts.principals, index, accounts, Rng::new(seed));
    g.broad = opts.broad;
    let iam = g.export(stats);
    let mut files = vec![("iam.json".to_string(), to_pretty(&iam))];
    for (bucket, policy) in g.bucket_policies() {
        stats.bucket_policies += 1;
        // get-bucket-policy prints the document as a string.
        let text = serde_json::to_string(&policy).unwrap_or_default();
        files.push((
            format!("s3/{bucket}.json"),
            to_pretty(&json!({ "Policy": text })),
        ));
    }
    files
}

/// JSON with 4-space indentation, as the AWS CLI prints it.
fn to_pretty(v: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if v.serialize(&mut ser).is_err() {
        return String::new();
    }
    buf.push(b'\n');
    String::from_utf8(buf).unwrap_or_default()
}

// ---------------------------------------------------------------------------------

/// xorshift64*.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, never zero.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// In `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        ((self.next() >> 11) % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TEAM_WORDS: &[&str] = &[
    "payments", "identity", "search", "data", "platform", "mobile", "growth", "billing",
    "security", "infra", "ml", "support",
];
const APPS: &[&str] = &[
    "checkout",
    "ledger",
    "catalog",
    "ingest",
    "reports",
    "notifier",
    "gateway",
    "auth",
    "scheduler",
    "exporter",
];
const PURPOSES: &[&str] = &[
    "deploy", "readonly", "operator", "analyst", "pipeline", "debug",
];
const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "wendy",
];
const LAST: &[&str] = &[
    "smith", "jones", "garcia", "chen", "kumar", "novak", "silva", "ito", "okafor", "muller",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RoleKind {
    OrgAccess,
    CrossReadOnly,
    CiRunner,
    CiDeployer,
    VendorAudit,
    Team,
    Service,
    CrossAccount,
    Chained,
}

#[derive(Debug, Clone)]
struct RolePlan {
    name: String,
    path: &'static str,
    arn: String,
    kind: RoleKind,
    team: usize,
}

#[derive(Debug, Clone)]
struct UserPlan {
    name: String,
    arn: String,
    team: usize,
    admin: bool,
    readonly: bool,
    in_team_group: bool,
}

/// One account being generated: names are planned first, so policies can name any
/// principal of the account.
struct Account<'a> {
    rng: Rng,
    index: usize,
    id: String,
    accounts: &'a [String],
    teams: Vec<String>,
    users: Vec<UserPlan>,
    roles: Vec<RolePlan>,
    /// Role indices by team (team roles only).
    team_roles: Vec<Vec<usize>>,
    /// User indices by team.
    team_users: Vec<Vec<usize>>,
    id_counter: u64,
    broad: Broad,
    /// Chained roles written so far (with [`Broad::Fixed`] only the first has `*`).
    chained: usize,
}

impl<'a> Account<'a> {
    fn plan(principals: usize, index: usize, accounts: &'a [String], rng: Rng) -> Self {
        let id = accounts[index].clone();
        let n_teams = (principals / 50).max(2);
        let teams: Vec<String> = (0..n_teams)
            .map(|t| {
                let word = TEAM_WORDS[t % TEAM_WORDS.len()];
                match t / TEAM_WORDS.len() {
                    0 => word.to_string(),
                    k => format!("{word}{k}"),
                }
            })
            .collect();
        let mut a = Account {
            rng,
            index,
            id,
            accounts,
            teams,
            users: Vec::new(),
            roles: Vec::new(),
            team_roles: vec![Vec::new(); n_teams],
            team_users: vec![Vec::new(); n_teams],
            id_counter: 0,
            broad: Broad::Share,
            chained: 0,
        };
        let n_users = principals / 2;
        let n_roles = principals - n_users;
        let admins = 2 + principals / 1000;
        for i in 0..n_users {
            let team = a.rng.below(n_teams);
            let name = format!("{}.{}{i}", a.rng.pick(FIRST), a.rng.pick(LAST));
            let arn = format!("arn:aws:iam::{}:user/{name}", a.id);
            let readonly = a.rng.chance(10);
            let in_team_group = a.rng.chance(85);
            a.team_users[team].push(a.users.len());
            a.users.push(UserPlan {
                name,
                arn,
                team,
                admin: i < admins,
                readonly,
                in_team_group,
            });
        }
        let fixed = [
            ("OrganizationAccountAccessRole", RoleKind::OrgAccess),
            ("CrossAccountReadOnly", RoleKind::CrossReadOnly),
            ("ci-runner", RoleKind::CiRunner),
            ("ci-deployer", RoleKind::CiDeployer),
            ("vendor-audit", RoleKind::VendorAudit),
        ];
        for i in 0..n_roles {
            let team = a.rng.below(n_teams);
            let (name, kind, path) = match fixed.get(i) {
                Some((name, kind)) => (name.to_string(), *kind, "/"),
                None => {
                    let app = *a.rng.pick(APPS);
                    let purpose = *a.rng.pick(PURPOSES);
                    match a.rng.below(100) {
                        0..=44 => (
                            format!("team-{}-{purpose}-{i}", a.teams[team]),
                            RoleKind::Team,
                            "/",
                        ),
                        45..=69 => {
                            let path = if a.rng.chance(50) {
                                "/service-role/"
                            } else {
                                "/"
                            };
                            (format!("svc-{app}-{i}"), RoleKind::Service, path)
                        }
                        70..=79 => (format!("xacct-{app}-{i}"), RoleKind::CrossAccount, "/"),
                        _ => (format!("app-{app}-{purpose}-{i}"), RoleKind::Chained, "/"),
                    }
                }
            };
            let arn = format!("arn:aws:iam::{}:role{path}{name}", a.id);
            if kind == RoleKind::Team {
                a.team_roles[team].push(a.roles.len());
            }
            a.roles.push(RolePlan {
                name,
                path,
                arn,
                kind,
                team,
            });
        }
        a
    }

    fn root(&self, account: &str) -> String {
        format!("arn:aws:iam::{account}:root")
    }

    /// Another account of the organization (this one when it is alone).
    fn other_account(&mut self) -> String {
        if self.accounts.len() == 1 {
            return self.id.clone();
        }
        let k = self.rng.below(self.accounts.len() - 1);
        let k = if k >= self.index { k + 1 } else { k };
        self.accounts[k].clone()
    }

    fn management(&self) -> &str {
        &self.accounts[0]
    }

    /// The tools account: where `ci-runner` assumes `ci-deployer` from.
    fn tools(&self) -> &str {
        &self.accounts[1 % self.accounts.len()]
    }

    fn unique_id(&mut self, prefix: &str) -> String {
        const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        self.id_counter += 1;
        let mut x = self.id_counter.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ self.rng.next();
        let mut out = String::with_capacity(21);
        out.push_str(prefix);
        for _ in 0..17 {
            out.push(char::from(ALPHABET[(x & 31) as usize]));
            x = x.rotate_right(5) ^ self.id_counter;
        }
        out
    }

    fn date(&mut self) -> String {
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
            2017 + self.rng.below(8),
            1 + self.rng.below(12),
            1 + self.rng.below(28),
            self.rng.below(24),
            self.rng.below(60),
            self.rng.below(60),
        )
    }

    fn policy_arn(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:policy/{name}", self.id)
    }

    fn artifacts_bucket(&self, team: usize) -> String {
        format!("org-{}-{}-artifacts", self.id, self.teams[team])
    }

    // -----------------------------------------------------------------------------
    // Policy documents.

    fn doc(statements: Vec<Value>) -> Value {
        json!({ "Version": "2012-10-17", "Statement": statements })
    }

    fn mfa() -> Value {
        json!({ "Bool": { "aws:MultiFactorAuthPresent": "true" } })
    }

    fn assume(resources: Vec<String>, condition: Option<Value>) -> Value {
        let resource = if resources.len() == 1 {
            json!(resources[0])
        } else {
            json!(resources)
        };
        let mut st = json!({
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": resource,
        });
        if let (Some(c), Some(o)) = (condition, st.as_object_mut()) {
            o.insert("Condition".into(), c);
        }
        st
    }

    /// 1 to 3 role ARNs, from `team` when it has roles.
    fn some_roles(&mut self, team: Option<usize>) -> Vec<String> {
        let n = 1 + self.rng.below(3);
        let pool: Vec<usize> = match team {
            Some(t) if !self.team_roles[t].is_empty() => self.team_roles[t].clone(),
            _ => (0..self.roles.len()).collect(),
        };
        let mut picked = BTreeSet::new();
        for _ in 0..n {
            picked.insert(*self.rng.pick(&pool));
        }
        picked
            .into_iter()
            .map(|i| self.roles[i].arn.clone())
            .collect()
    }

    fn s3_rw(&self, bucket: &str) -> Value {
        json!({
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
            "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        })
    }

    fn shared_read(&mut self) -> Value {
        let resource = if self.rng.chance(30) {
            "arn:aws:s3:::org-shared-*/*".to_string()
        } else {
            format!("arn:aws:s3:::{SHARED_BUCKET}/*")
        };
        json!({ "Effect": "Allow", "Action": "s3:GetObject", "Resource": resource })
    }

    /// Customer-managed policies: (name, document).
    fn managed_policies(&self) -> Vec<(String, Value)> {
        let mut out = vec![
            (
                "org-admin".to_string(),
                Self::doc(vec![
                    json!({ "Effect": "Allow", "Action": "*", "Resource": "*" }),
                ]),
            ),
            (
                "org-readonly".to_string(),
                Self::doc(vec![json!({
                    "Effect": "Allow",
                    "Action": ["s3:Get*", "s3:List*", "iam:Get*", "iam:List*", "ec2:Describe*"],
                    "Resource": "*",
                })]),
            ),
        ];
        for (t, team) in self.teams.iter().enumerate() {
            let condition = (t % 2 == 0).then(Self::mfa);
            out.push((
                format!("team-{team}-assume"),
                Self::doc(vec![Self::assume(
                    vec![format!("arn:aws:iam::{}:role/team-{team}-*", self.id)],
                    condition,
                )]),
            ));
            out.push((
                format!("team-{team}-s3"),
                Self::doc(vec![
                    self.s3_rw(&self.artifacts_bucket(t)),
                    json!({
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": format!("arn:aws:logs:*:{}:log-group:/{team}/*", self.id),
                    }),
                ]),
            ));
        }
        out
    }

    fn attach(&self, names: &[String]) -> Value {
        Value::Array(
            names
                .iter()
                .map(|n| json!({ "PolicyName": n, "PolicyArn": self.policy_arn(n) }))
                .collect(),
        )
    }

    fn inline(name: &str, statements: Vec<Value>) -> Value {
        json!({ "PolicyName": name, "PolicyDocument": Self::doc(statements) })
    }

    // -----------------------------------------------------------------------------
    // Entities.

    fn user(&mut self, u: usize, stats: &mut OrgStats) -> (Value, Vec<String>) {
        let plan = self.users[u].clone();
        let mut groups = Vec::new();
        if plan.in_team_group {
            groups.push(format!("team-{}-engineers", self.teams[plan.team]));
        }
        if plan.readonly {
            groups.push("readonly".to_string());
        }
        if plan.admin {
            groups.push("admins".to_string());
        }
        let mut statements = Vec::new();
        if self.rng.chance(40) {
            stats.grant_specific_roles += 1;
            let roles = self.some_roles(Some(plan.team));
            let condition = self.rng.chance(30).then(Self::mfa);
            statements.push(Self::assume(roles, condition));
        }
        // The draw is made either way, so the rest of the account is the same.
        let draw = self.rng.below(100);
        let roll = match self.broad {
            Broad::Share => draw,
            // Users 0–2 get `team-*`, 3–5 any account's role, 6 `*`.
            Broad::Fixed if u <= 6 => u,
            Broad::Fixed => 99,
        };
        match roll {
            0..=2 => {
                stats.grant_team_wildcard += 1;
                statements.push(Self::assume(
                    vec![format!("arn:aws:iam::{}:role/team-*", self.id)],
                    Some(Self::mfa()),
                ));
            }
            3..=5 => {
                stats.grant_any_account_role += 1;
                statements.push(Self::assume(
                    vec!["arn:aws:iam::*:role/CrossAccountReadOnly".to_string()],
                    None,
                ));
            }
            6 => {
                stats.grant_star += 1;
                statements.push(Self::assume(vec!["*".to_string()], None));
            }
            _ => {}
        }
        if self.rng.chance(50) {
            statements.push(self.s3_rw(&self.artifacts_bucket(plan.team)));
        }
        if self.rng.chance(5) {
            statements.push(self.shared_read());
        }
        let mut inline = Vec::new();
        if !statements.is_empty() {
            inline.push(Self::inline(&format!("{}-access", plan.name), statements));
        }
        if self.rng.chance(10) {
            inline.push(Self::inline(
                "deny-iam-writes",
                vec![json!({
                    "Effect": "Deny",
                    "Action": ["iam:Create*", "iam:Delete*", "iam:Put*"],
                    "Resource": "*",
                })],
            ));
        }
        let attached: Vec<String> = if self.rng.chance(5) {
            vec!["org-readonly".to_string()]
        } else {
            Vec::new()
        };
        let team = self.teams[plan.team].clone();
        let v = json!({
            "Path": "/",
            "UserName": plan.name,
            "UserId": self.unique_id("AIDA"),
            "Arn": plan.arn,
            "CreateDate": self.date(),
            "UserPolicyList": inline,
            "GroupList": groups,
            "AttachedManagedPolicies": self.attach(&attached),
            "Tags": [{ "Key": "team", "Value": team }],
        });
        (v, attached)
    }

    fn group(&mut self, name: &str, inline: Vec<Value>, attached: &[String]) -> Value {
        json!({
            "Path": "/",
            "GroupName": name,
            "GroupId": self.unique_id("AGPA"),
            "Arn": format!("arn:aws:iam::{}:group/{name}", self.id),
            "CreateDate": self.date(),
            "GroupPolicyList": inline,
            "AttachedManagedPolicies": self.attach(attached),
        })
    }

    fn trust(&mut self, r: &RolePlan, stats: &mut OrgStats) -> Value {
        let aws = |principal: Value, condition: Option<Value>| {
            let mut st = json!({
                "Effect": "Allow",
                "Principal": { "AWS": principal },
                "Action": "sts:AssumeRole",
            });
            if let (Some(c), Some(o)) = (condition, st.as_object_mut()) {
                o.insert("Condition".into(), c);
            }
            st
        };
        let external_id = |id: String| json!({ "StringEquals": { "sts:ExternalId": id } });
        let statement = match r.kind {
            RoleKind::OrgAccess => {
                let acct = self.management().to_string();
                if acct == self.id {
                    stats.trust_own_root += 1;
                } else {
                    stats.trust_other_account_root += 1;
                }
                aws(json!(self.root(&acct)), None)
            }
            RoleKind::CrossReadOnly => {
                let mut roots = BTreeSet::new();
                roots.insert(self.root(self.management()));
                let other = self.other_account();
                roots.insert(self.root(&other));
                if roots.iter().all(|x| *x == self.root(&self.id)) {
                    stats.trust_own_root += 1;
                } else {
                    stats.trust_other_account_root += 1;
                }
                let roots: Vec<String> = roots.into_iter().collect();
                let principal = if roots.len() == 1 {
                    json!(roots[0])
                } else {
                    json!(roots)
                };
                aws(principal, Some(Self::mfa()))
            }
            RoleKind::CiRunner => {
                stats.trust_service += 1;
                json!({
                    "Effect": "Allow",
                    "Principal": { "Service": "ec2.amazonaws.com" },
                    "Action": "sts:AssumeRole",
                })
            }
            RoleKind::CiDeployer => {
                stats.trust_specific += 1;
                aws(
                    json!(format!("arn:aws:iam::{}:role/ci-runner", self.tools())),
                    None,
                )
            }
            RoleKind::VendorAudit => {
                stats.trust_outside_account += 1;
                let id = format!("vendor-{}", self.id);
                aws(json!(self.root(VENDOR_ACCOUNT)), Some(external_id(id)))
            }
            RoleKind::Team => {
                if self.rng.chance(70) {
                    stats.trust_own_root += 1;
                    let condition = self.rng.chance(30).then(Self::mfa);
                    aws(json!(self.root(&self.id)), condition)
                } else {
                    stats.trust_specific += 1;
                    // A user or another role of the team.
                    let users = &self.team_users[r.team];
                    let roles = &self.team_roles[r.team];
                    let arn = if !users.is_empty() && (roles.len() < 2 || self.rng.chance(50)) {
                        let u = *self.rng.pick(users);
                        self.users[u].arn.clone()
                    } else {
                        let k = *self.rng.pick(roles);
                        self.roles[k].arn.clone()
                    };
                    aws(json!(arn), None)
                }
            }
            RoleKind::Service => {
                stats.trust_service += 1;
                let service = match self.rng.below(10) {
                    0..=4 => json!("lambda.amazonaws.com"),
                    5..=8 => json!("ec2.amazonaws.com"),
                    _ => json!(["ec2.amazonaws.com", "lambda.amazonaws.com"]),
                };
                json!({
                    "Effect": "Allow",
                    "Principal": { "Service": service },
                    "Action": "sts:AssumeRole",
                })
            }
            RoleKind::CrossAccount => {
                let acct = self.other_account();
                if acct == self.id {
                    stats.trust_own_root += 1;
                } else {
                    stats.trust_other_account_root += 1;
                }
                let condition = self
                    .rng
                    .chance(50)
                    .then(|| external_id(format!("xacct-{}-{}", self.id, r.name)));
                aws(json!(self.root(&acct)), condition)
            }
            RoleKind::Chained => {
                stats.trust_specific += 1;
                let arns: Vec<String> = if self.rng.chance(70) {
                    let n = 1 + self.rng.below(2);
                    let mut set = BTreeSet::new();
                    for _ in 0..n {
                        let k = self.rng.below(self.roles.len());
                        if self.roles[k].arn != r.arn {
                            set.insert(self.roles[k].arn.clone());
                        }
                    }
                    if set.is_empty() {
                        set.insert(self.roles[0].arn.clone());
                    }
                    set.into_iter().collect()
                } else {
                    let acct = self.other_account();
                    let name = if self.rng.chance(50) {
                        "ci-runner"
                    } else {
                        "OrganizationAccountAccessRole"
                    };
                    vec![format!("arn:aws:iam::{acct}:role/{name}")]
                };
                let principal = if arns.len() == 1 {
                    json!(arns[0])
                } else {
                    json!(arns)
                };
                aws(principal, None)
            }
        };
        Self::doc(vec![statement])
    }

    fn role(&mut self, k: usize, stats: &mut OrgStats) -> (Value, Vec<String>) {
        let r = self.roles[k].clone();
        let trust = self.trust(&r, stats);
        let team = self.teams[r.team].clone();
        let mut statements = Vec::new();
        let mut attached = Vec::new();
        match r.kind {
            RoleKind::OrgAccess => attached.push("org-admin".to_string()),
            RoleKind::CrossReadOnly | RoleKind::VendorAudit => {
                attached.push("org-readonly".to_string());
            }
            RoleKind::CiRunner => {
                stats.grant_any_account_role += 1;
                statements.push(Self::assume(
                    vec!["arn:aws:iam::*:role/ci-deployer".to_string()],
                    None,
                ));
            }
            RoleKind::CiDeployer => {
                statements.push(json!({
                    "Effect": "Allow",
                    "Action": ["cloudformation:*", "s3:*", "lambda:*", "iam:PassRole"],
                    "Resource": "*",
                }));
            }
            RoleKind::Team => {
                if self.rng.chance(80) {
                    attached.push(format!("team-{team}-s3"));
                }
                if self.rng.chance(20) {
                    stats.grant_specific_roles += 1;
                    let roles = self.some_roles(None);
                    statements.push(Self::assume(roles, None));
                }
                if self.rng.chance(15) {
                    statements.push(self.shared_read());
                }
            }
            RoleKind::Service => {
                statements.push(self.s3_rw(&self.artifacts_bucket(r.team)));
                statements.push(json!({
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": format!("arn:aws:logs:*:{}:log-group:/aws/lambda/{}*", self.id, r.name),
                }));
                if self.rng.chance(10) {
                    statements.push(self.shared_read());
                }
            }
            RoleKind::CrossAccount => {
                attached.push("org-readonly".to_string());
                if self.rng.chance(20) {
                    statements.push(self.shared_read());
                }
            }
            RoleKind::Chained => {
                if self.rng.chance(50) {
                    stats.grant_specific_roles += 1;
                    let roles = self.some_roles(None);
                    let condition = self.rng.chance(20).then(|| {
                        json!({ "StringEquals": { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } })
                    });
                    statements.push(Self::assume(roles, condition));
                }
                let star = self.rng.chance(3);
                self.chained += 1;
                let star = match self.broad {
                    Broad::Share => star,
                    Broad::Fixed => self.chained == 1,
                };
                if star {
                    stats.grant_star += 1;
                    statements.push(Self::assume(vec!["*".to_string()], None));
                }
                statements.push(self.s3_rw(&self.artifacts_bucket(r.team)));
            }
        }
        let inline = if statements.is_empty() {
            Vec::new()
        } else {
            vec![Self::inline(&format!("{}-policy", r.name), statements)]
        };
        let role_id = self.unique_id("AROA");
        let v = json!({
            "Path": r.path,
            "RoleName": r.name,
            "RoleId": role_id,
            "Arn": r.arn,
            "CreateDate": self.date(),
            "AssumeRolePolicyDocument": trust,
            "InstanceProfileList": [],
            "RolePolicyList": inline,
            "AttachedManagedPolicies": self.attach(&attached),
            "Tags": [{ "Key": "team", "Value": team }],
            "RoleLastUsed": {},
        });
        (v, attached)
    }

    /// The whole `get-account-authorization-details` export.
    fn export(&mut self, stats: &mut OrgStats) -> Value {
        let mut attached_all: BTreeSet<String> = BTreeSet::new();
        let mut users = Vec::with_capacity(self.users.len());
        for u in 0..self.users.len() {
            let (v, attached) = self.user(u, stats);
            attached_all.extend(attached);
            users.push(v);
        }
        let mut groups = Vec::new();
        for t in 0..self.teams.len() {
            let team = self.teams[t].clone();
            let names = vec![format!("team-{team}-assume"), format!("team-{team}-s3")];
            attached_all.extend(names.iter().cloned());
            groups.push(self.group(&format!("team-{team}-engineers"), Vec::new(), &names));
        }
        let admin = vec!["org-admin".to_string()];
        let readonly = vec!["org-readonly".to_string()];
        attached_all.extend(admin.iter().cloned());
        attached_all.extend(readonly.iter().cloned());
        groups.push(self.group("admins", Vec::new(), &admin));
        let deny_shared = Self::inline(
            "no-shared-writes",
            vec![json!({
                "Effect": "Deny",
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": "arn:aws:s3:::org-shared-*/*",
            })],
        );
        groups.push(self.group("readonly", vec![deny_shared], &readonly));
        let mut roles = Vec::with_capacity(self.roles.len());
        for k in 0..self.roles.len() {
            let (v, attached) = self.role(k, stats);
            attached_all.extend(attached);
            roles.push(v);
        }
        let managed = self.managed_policies();
        let defined: BTreeSet<&String> = managed.iter().map(|(n, _)| n).collect();
        for name in &attached_all {
            assert!(
                defined.contains(name),
                "generator bug: `{name}` is attached but not in Policies"
            );
        }
        let mut policies = Vec::with_capacity(managed.len());
        for (name, doc) in &managed {
            let created = self.date();
            policies.push(json!({
                "PolicyName": name,
                "PolicyId": self.unique_id("ANPA"),
                "Arn": self.policy_arn(name),
                "Path": "/",
                "DefaultVersionId": "v1",
                "AttachmentCount": 1,
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": true,
                "CreateDate": created,
                "UpdateDate": created,
                "PolicyVersionList": [{
                    "Document": doc,
                    "VersionId": "v1",
                    "IsDefaultVersion": true,
                    "CreateDate": created,
                }],
            }));
        }
        stats.users += users.len();
        stats.groups += groups.len();
        stats.roles += roles.len();
        stats.managed_policies += policies.len();
        json!({
            "UserDetailList": users,
            "GroupDetailList": groups,
            "RoleDetailList": roles,
            "Policies": policies,
        })
    }

    /// Bucket policies of this account: (bucket, document).
    fn bucket_policies(&self) -> Vec<(String, Value)> {
        let deny_http = |bucket: &str| {
            json!({
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
                "Condition": { "Bool": { "aws:SecureTransport": "false" } },
            })
        };
        let mut out = Vec::new();
        if self.index == 0 {
            let roots: Vec<String> = self.accounts.iter().map(|a| self.root(a)).collect();
            out.push((
                SHARED_BUCKET.to_string(),
                Self::doc(vec![
                    json!({
                        "Sid": "OrgRead",
                        "Effect": "Allow",
                        "Principal": { "AWS": roots },
                        "Action": ["s3:GetObject", "s3:ListBucket"],
                        "Resource": [
                            format!("arn:aws:s3:::{SHARED_BUCKET}"),
                            format!("arn:aws:s3:::{SHARED_BUCKET}/*"),
                        ],
                    }),
                    json!({
                        "Sid": "VendorExports",
                        "Effect": "Allow",
                        "Principal": { "AWS": self.root(VENDOR_ACCOUNT) },
                        "Action": "s3:GetObject",
                        "Resource": format!("arn:aws:s3:::{SHARED_BUCKET}/vendor/*"),
                    }),
                    deny_http(SHARED_BUCKET),
                ]),
            ));
        }
        if self.index % 2 == 0 {
            let bucket = format!("org-{}-logs", self.id);
            out.push((
                bucket.clone(),
                Self::doc(vec![
                    json!({
                        "Sid": "LogDelivery",
                        "Effect": "Allow",
                        "Principal": { "Service": "delivery.logs.amazonaws.com" },
                        "Action": "s3:PutObject",
                        "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/*"),
                        "Condition": { "StringEquals": { "aws:SourceAccount": self.id } },
                    }),
                    deny_http(&bucket),
                ]),
            ));
        }
        out
    }
}
