//! Laws of the decision flow (decision-rules §1, §3.2), checked on generated request
//! files: written as JSON text, read by the strict request-file reader and decided by
//! `iampath::eval::simulation::run`, as `iampath simulate` does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iampath::eval::Decision;
use iampath::ingest::{LoadOptions, Severity, request_file};
use iampath::source::SourceMap;
use proptest::prelude::*;
use serde_json::{Value, json};

const A: &str = "111111111111";
const B: &str = "222222222222";

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "sqs:SendMessage",
];
/// What an `Action` or `NotAction` may list.
const ACTION_PATTERNS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "sqs:SendMessage",
    "s3:*",
    "s3:Get*",
    "s3:*Object",
    "sqs:*",
    "S3:getobject",
    "s3:?etObject",
    "*",
];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/key",
    "arn:aws:s3:::bucket-b/dir/key",
    "arn:aws:sqs:us-east-1:111111111111:queue",
];
/// What a `Resource` or `NotResource` may list.
const RESOURCE_PATTERNS: &[&str] = &[
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/key",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-b/*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::bucket-?/*",
    "arn:aws:sqs:us-east-1:111111111111:queue",
    "arn:aws:sqs:*:111111111111:*",
    "*",
];

/// One statement without conditions.
#[derive(Debug, Clone)]
struct Stmt {
    allow: bool,
    not_action: bool,
    actions: Vec<&'static str>,
    not_resource: bool,
    resources: Vec<&'static str>,
}

impl Stmt {
    fn to_json(&self, principal: Option<&Value>) -> Value {
        let mut s = serde_json::Map::new();
        s.insert(
            "Effect".into(),
            json!(if self.allow { "Allow" } else { "Deny" }),
        );
        if let Some(p) = principal {
            s.insert("Principal".into(), p.clone());
        }
        let action_key = if self.not_action {
            "NotAction"
        } else {
            "Action"
        };
        s.insert(action_key.into(), json!(self.actions));
        let resource_key = if self.not_resource {
            "NotResource"
        } else {
            "Resource"
        };
        s.insert(resource_key.into(), json!(self.resources));
        Value::Object(s)
    }
}

fn policy(statements: &[Stmt], principal: Option<&Value>) -> Value {
    let sts: Vec<Value> = statements.iter().map(|s| s.to_json(principal)).collect();
    json!({ "Version": "2012-10-17", "Statement": sts })
}

fn statement(allow: impl Strategy<Value = bool>) -> impl Strategy<Value = Stmt> {
    (
        allow,
        any::<bool>(),
        prop::sample::subsequence(ACTION_PATTERNS, 1..=3),
        any::<bool>(),
        prop::sample::subsequence(RESOURCE_PATTERNS, 1..=3),
    )
        .prop_map(
            |(allow, not_action, actions, not_resource, resources)| Stmt {
                allow,
                not_action,
                actions,
                not_resource,
                resources,
            },
        )
}

/// Identity policies: 1 to 3, each of 1 to 4 statements.
fn identity_policies(
    allow: impl Strategy<Value = bool> + Clone,
) -> impl Strategy<Value = Vec<Vec<Stmt>>> {
    prop::collection::vec(prop::collection::vec(statement(allow), 1..=4), 1..=3)
}

fn request(principal: &str, action: &str, resource: &str, account: &str) -> Value {
    json!({ "principal": principal, "action": action, "resource": resource, "resourceAccount": account })
}

/// A request file with the caller's identity policies and, optionally, a resource policy.
fn request_file(req: Value, identity: &[Vec<Stmt>], resource_policy: Option<Value>) -> Value {
    let mut doc = json!({
        "request": req,
        "identityPolicies": identity.iter().map(|p| policy(p, None)).collect::<Vec<_>>(),
    });
    if let Some(p) = resource_policy {
        doc["resourcePolicy"] = p;
    }
    doc
}

/// Decides a request file as `iampath simulate` does; a file the reader rejects is a
/// bug of this test.
fn decide(doc: &Value) -> Decision {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("request.json");
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
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
        "the reader rejected a generated file: {errors:?}\n{doc:#}"
    );
    let decision = iampath::eval::simulation::run(&sim)
        .unwrap_or_else(|e| panic!("{e}\n{doc:#}"))
        .decision;
    // The evaluator's decision alone (what the graph's edges use) is the same.
    let alone =
        iampath::eval::simulation::decision_only(&sim).unwrap_or_else(|e| panic!("{e}\n{doc:#}"));
    assert_eq!(alone, decision, "{doc:#}");
    decision
}

fn alice() -> String {
    format!("arn:aws:iam::{A}:user/alice")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// (a) §1.2: a matching Deny without conditions in any identity policy decides.
    #[test]
    fn a_matching_explicit_deny_always_wins(
        identity in identity_policies(any::<bool>()),
        action in prop::sample::select(ACTIONS),
        resource in prop::sample::select(RESOURCES),
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
    ) {
        let mut identity = identity;
        let p = which.index(identity.len());
        let i = at.index(identity[p].len() + 1);
        identity[p].insert(i, Stmt { allow: false, not_action: false, actions: vec![action], not_resource: false, resources: vec![resource] });
        let doc = request_file(request(&alice(), action, resource, A), &identity, None);
        prop_assert_eq!(decide(&doc), Decision::ExplicitDeny, "{:#}", doc);
    }

    /// (b) §3.2: `NotAction [X]` matches exactly the actions `Action [X]` does not.
    #[test]
    fn not_action_is_the_complement_of_action(
        patterns in prop::sample::subsequence(ACTION_PATTERNS, 1..=3),
        action in prop::sample::select(ACTIONS),
        resource in prop::sample::select(RESOURCES),
    ) {
        let one = |not_action| {
            let st = Stmt { allow: true, not_action, actions: patterns.clone(), not_resource: false, resources: vec!["*"] };
            decide(&request_file(request(&alice(), action, resource, A), &[vec![st]], None))
        };
        let (plain, negated) = (one(false), one(true));
        prop_assert!(
            matches!((plain, negated), (Decision::Allowed, Decision::ImplicitDeny) | (Decision::ImplicitDeny, Decision::Allowed)),
            "Action {:?} → {:?}, NotAction → {:?} for {} on {}", patterns, plain, negated, action, resource
        );
    }

    /// (b) §3.2: `NotResource [X]` matches exactly the resources `Resource [X]` does not.
    #[test]
    fn not_resource_is_the_complement_of_resource(
        patterns in prop::sample::subsequence(RESOURCE_PATTERNS, 1..=3),
        action in prop::sample::select(ACTIONS),
        resource in prop::sample::select(RESOURCES),
    ) {
        let one = |not_resource| {
            let st = Stmt { allow: true, not_action: false, actions: vec!["*"], not_resource, resources: patterns.clone() };
            decide(&request_file(request(&alice(), action, resource, A), &[vec![st]], None))
        };
        let (plain, negated) = (one(false), one(true));
        prop_assert!(
            matches!((plain, negated), (Decision::Allowed, Decision::ImplicitDeny) | (Decision::ImplicitDeny, Decision::Allowed)),
            "Resource {:?} → {:?}, NotResource → {:?} for {} on {}", patterns, plain, negated, action, resource
        );
    }

    /// (c) Without a Deny, allowing more never takes access away.
    #[test]
    fn adding_an_allow_keeps_an_allowed_request_allowed(
        identity in identity_policies(Just(true)),
        extra in statement(Just(true)),
        action in prop::sample::select(ACTIONS),
        resource in prop::sample::select(RESOURCES),
        which in any::<prop::sample::Index>(),
    ) {
        let req = request(&alice(), action, resource, A);
        let before = decide(&request_file(req.clone(), &identity, None));
        let mut more = identity.clone();
        let p = which.index(more.len() + 1);
        if p == more.len() {
            more.push(vec![extra]);
        } else {
            more[p].push(extra);
        }
        let doc = request_file(req, &more, None);
        let after = decide(&doc);
        prop_assert_ne!(before, Decision::ExplicitDeny, "no Deny was generated");
        if before == Decision::Allowed {
            prop_assert_eq!(after, Decision::Allowed, "{:#}", doc);
        }
    }

    /// (d) §1.6: across accounts the identity side must allow on its own; a resource
    /// policy naming the caller's account never replaces it.
    #[test]
    fn cross_account_needs_what_the_identity_side_alone_allows(
        // Mostly Allow statements, so that many requests are allowed across accounts.
        identity in identity_policies(prop::bool::weighted(0.85)),
        resource_statements in prop::collection::vec(statement(prop::bool::weighted(0.85)), 1..=4),
        action in prop::sample::select(ACTIONS),
        resource in prop::sample::select(RESOURCES),
    ) {
        let bob = format!("arn:aws:iam::{B}:user/bob");
        let names_b = json!({ "AWS": format!("arn:aws:iam::{B}:root") });
        let cross = request_file(
            request(&bob, action, resource, A),
            &identity,
            Some(policy(&resource_statements, Some(&names_b))),
        );
        let alone = request_file(request(&bob, action, resource, B), &identity, None);
        let (across, at_home) = (decide(&cross), decide(&alone));
        if across == Decision::Allowed {
            prop_assert_eq!(at_home, Decision::Allowed, "allowed across accounts but not by the identity side alone:\n{:#}", cross);
        }
    }
}
