//! One request decided by `iampath::eval::evaluate` against a realistic load: ten
//! identity policies of ten statements each (with StringEquals, StringLike,
//! IpAddress, Bool, ArnLike, NumericLessThan, DateLessThan and IfExists conditions),
//! a permissions boundary and three SCP levels. The policies are read from a request
//! file and compiled once, outside the timed loop.
//!
//! ```text
//! cargo bench --bench eval          # the product target: a median of at most 5 µs
//! cargo test --benches              # test mode: each benchmark runs once
//! ```
//!
//! Needs `[[bench]] name = "eval" harness = false` in Cargo.toml.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use divan::Bencher;
use iampath::eval::{
    Caller, CompiledPolicy, Decision, Inputs, Level, Request, ResourcePolicyKind, compile, evaluate,
};
use iampath::ingest::{LoadOptions, Severity, request_file};
use iampath::model::Simulation;
use iampath::policy::context::MapContext;
use iampath::source::SourceMap;
use serde_json::{Value, json};

/// The binary's allocator (`src/main.rs`), so the figures are what `iampath` runs.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    divan::main();
}

const ACCOUNT: &str = "111111111111";
const PRINCIPAL: &str = "arn:aws:iam::111111111111:user/alice";
const ACTION: &str = "s3:GetObject";
const RESOURCE: &str = "arn:aws:s3:::bench-bucket-9/data/2024/file.csv";

/// Statement `j` of identity policy `i`: a mix of actions, resources and conditions,
/// most of them not matching the request so that every statement is looked at.
fn statement(i: usize, j: usize) -> Value {
    let bucket = format!("arn:aws:s3:::bench-bucket-{i}");
    let condition = match j % 10 {
        0 => json!({ "StringEquals": { "aws:PrincipalTag/team": ["data", format!("team-{i}")] } }),
        1 => json!({ "StringLike": { "s3:prefix": ["home/${aws:username}/*", "shared/*"] } }),
        2 => {
            json!({ "IpAddress": { "aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"] } })
        }
        3 => json!({ "Bool": { "aws:MultiFactorAuthPresent": "true" } }),
        4 => json!({ "ArnLike": { "aws:PrincipalArn": format!("arn:aws:iam::{ACCOUNT}:user/*") } }),
        5 => {
            json!({ "StringEqualsIfExists": { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } })
        }
        6 => json!({ "NumericLessThan": { "s3:max-keys": "100" } }),
        7 => json!({ "DateLessThan": { "aws:CurrentTime": "2030-01-01T00:00:00Z" } }),
        8 => json!({ "ForAnyValue:StringEquals": { "aws:TagKeys": ["env", "owner"] } }),
        _ => json!({ "StringNotEquals": { "aws:PrincipalAccount": "999999999999" } }),
    };
    let (effect, action, resource) = match j {
        0 => (
            "Allow",
            json!(["s3:GetObject", "s3:ListBucket"]),
            json!([bucket.clone(), format!("{bucket}/*")]),
        ),
        1 => ("Allow", json!("s3:List*"), json!(bucket.clone())),
        2 => (
            "Allow",
            json!(["s3:Get*", "s3:Put*"]),
            json!(format!("{bucket}/data/*")),
        ),
        3 => ("Deny", json!("s3:DeleteBucket"), json!("*")),
        4 => (
            "Allow",
            json!(["sqs:SendMessage", "sqs:ReceiveMessage"]),
            json!(format!("arn:aws:sqs:*:{ACCOUNT}:queue-{i}")),
        ),
        5 => ("Allow", json!("ec2:Describe*"), json!("*")),
        6 => ("Allow", json!("s3:ListBucket"), json!(bucket.clone())),
        7 => (
            "Deny",
            json!("s3:PutObject"),
            json!(format!("{bucket}/locked/*")),
        ),
        8 => (
            "Allow",
            json!("iam:TagRole"),
            json!(format!("arn:aws:iam::{ACCOUNT}:role/app-*")),
        ),
        _ => (
            "Allow",
            json!(["kms:Decrypt", "kms:GenerateDataKey"]),
            json!(format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/*")),
        ),
    };
    json!({
        "Sid": format!("P{i}S{j}"),
        "Effect": effect,
        "Action": action,
        "Resource": resource,
        "Condition": condition,
    })
}

fn policy(statements: Vec<Value>) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// The request file: ten identity policies, a boundary, three SCP levels.
fn request_document() -> Value {
    let identity: Vec<Value> = (0..10)
        .map(|i| policy((0..10).map(|j| statement(i, j)).collect()))
        .collect();
    let boundary = policy(vec![
        json!({ "Sid": "S3AndSqs", "Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*" }),
        json!({ "Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*",
                "Condition": { "StringNotLike": { "aws:PrincipalArn": "arn:aws:iam::*:role/admin-*" } } }),
    ]);
    let full_access = policy(vec![
        json!({ "Effect": "Allow", "Action": "*", "Resource": "*" }),
    ]);
    let region_guard = policy(vec![json!({
        "Sid": "Regions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "s3:*"], "Resource": "*",
        "Condition": { "StringNotEquals": { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } }
    })]);
    json!({
        "request": { "principal": PRINCIPAL, "action": ACTION, "resource": RESOURCE, "resourceAccount": ACCOUNT },
        "identityPolicies": identity,
        "permissionsBoundary": boundary,
        "serviceControlPolicies": [[full_access.clone()], [full_access.clone(), region_guard], [full_access]],
        "managementAccount": "999999999999",
    })
}

/// Reads the request file with the strict reader; any error is a bug of this bench.
fn read_simulation() -> Simulation {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench-request.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&request_document()).unwrap(),
    )
    .unwrap();
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let sim = request_file::read(&path, &LoadOptions::default(), &mut sources, &mut diags);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "the bench request file is invalid: {errors:?}"
    );
    sim
}

/// The request context: what `simulate` fills from the principal, plus keys the
/// conditions look at.
fn context() -> MapContext {
    let mut ctx = MapContext::default();
    let one = |v: &str| vec![v.to_string()];
    ctx.set("aws:PrincipalArn", one(PRINCIPAL));
    ctx.set("aws:PrincipalAccount", one(ACCOUNT));
    ctx.set("aws:username", one("alice"));
    ctx.set("aws:PrincipalTag/team", one("data"));
    ctx.set("aws:SourceIp", one("10.1.2.3"));
    ctx.set("aws:MultiFactorAuthPresent", one("true"));
    ctx.set("aws:RequestedRegion", one("us-east-1"));
    ctx.set("aws:CurrentTime", one("2025-06-01T12:00:00Z"));
    ctx.set("aws:SecureTransport", one("true"));
    ctx
}

/// Everything compiled once, before timing.
struct Fixture {
    identity: Vec<CompiledPolicy>,
    boundary: CompiledPolicy,
    scps: Vec<Vec<CompiledPolicy>>,
    caller: Caller,
    ctx: MapContext,
}

impl Fixture {
    fn new() -> Fixture {
        let sim = read_simulation();
        let identity = sim
            .identity_policies
            .iter()
            .enumerate()
            .map(|(i, p)| compile(p, format!("identityPolicies[{i}]")))
            .collect();
        let boundary = compile(
            sim.permissions_boundary.as_ref().unwrap(),
            "permissionsBoundary",
        );
        let scps = sim
            .service_control_policies
            .iter()
            .enumerate()
            .map(|(l, ps)| {
                ps.iter()
                    .enumerate()
                    .map(|(i, p)| compile(p, format!("serviceControlPolicies[{l}][{i}]")))
                    .collect()
            })
            .collect();
        Fixture {
            identity,
            boundary,
            scps,
            caller: Caller::parse(PRINCIPAL).unwrap(),
            ctx: context(),
        }
    }

    fn inputs(&self) -> Inputs<'_> {
        let n = self.scps.len();
        Inputs {
            identity: self.identity.iter().collect(),
            boundary: Some(&self.boundary),
            session: None,
            resource: None,
            resource_kind: ResourcePolicyKind::Ordinary,
            scp_levels: self
                .scps
                .iter()
                .enumerate()
                .map(|(i, ps)| Level {
                    label: match i {
                        0 => "the organization root".to_string(),
                        i if i + 1 == n => "the account".to_string(),
                        i => format!("OU level {i}"),
                    }
                    .into(),
                    policies: ps.iter().collect(),
                })
                .collect(),
            rcp_levels: Vec::new(),
            management_account: Some("999999999999"),
            restrict_public_buckets: false,
            service_linked: false,
        }
    }

    fn request(&self) -> Request<'_> {
        Request {
            caller: &self.caller,
            action: ACTION,
            resource: RESOURCE,
            resource_account: Some(ACCOUNT),
        }
    }
}

/// 100 identity statements, a boundary and three SCP levels → one decision.
#[divan::bench]
fn evaluate_one_request(bencher: Bencher) {
    let fx = Fixture::new();
    let inputs = fx.inputs();
    let statements: usize = fx.identity.iter().map(|p| p.statements.len()).sum();
    assert_eq!(statements, 100, "ten policies of ten statements");
    let ev = evaluate(fx.request(), &inputs, &fx.ctx);
    assert_eq!(ev.decision, Decision::Allowed, "{:#?}", ev.reasons);
    bencher.bench_local(|| {
        evaluate(
            black_box(fx.request()),
            black_box(&inputs),
            black_box(&fx.ctx),
        )
    });
}

/// The same load for an action no identity statement names: the cost of looking at
/// every statement, with few reasons to write.
#[divan::bench]
fn evaluate_unmatched_action(bencher: Bencher) {
    let fx = Fixture::new();
    let inputs = fx.inputs();
    let req = Request {
        action: "dynamodb:GetItem",
        ..fx.request()
    };
    let ev = evaluate(req, &inputs, &fx.ctx);
    assert_eq!(ev.decision, Decision::ImplicitDeny, "{:#?}", ev.reasons);
    bencher.bench_local(|| evaluate(black_box(req), black_box(&inputs), black_box(&fx.ctx)));
}
