#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The graph's case (decision-rules §4.6): keys may be unknown, and a statement whose
//! conditions depend on them gives a conditional answer carrying those conditions.

use iampath::eval::{self, Caller, Decision, Inputs, Request, ResourcePolicyKind};
use iampath::ingest::{LoadOptions, request_file};
use iampath::model::Simulation;
use iampath::policy::context::MapContext;
use iampath::source::SourceMap;

fn read(json: &str) -> Simulation {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    std::fs::write(&path, json).unwrap();
    let mut diags = Vec::new();
    let sim = request_file::read(
        &path,
        &LoadOptions::default(),
        &mut SourceMap::default(),
        &mut diags,
    );
    assert!(diags.is_empty(), "{diags:?}");
    sim
}

const TRUST_WITH_EXTERNAL_ID: &str = r#"{
  "request": {"principal": "arn:aws:iam::222222222222:user/alice", "action": "sts:AssumeRole",
              "resource": "arn:aws:iam::111111111111:role/X"},
  "identityPolicies": [{"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111111111111:role/X"}]}],
  "resourcePolicy": {"Version": "2012-10-17", "Statement": [
      {"Sid": "Vendor", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
       "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "12345"}}}]}
}"#;

fn decide(sim: &Simulation, ctx: &MapContext) -> eval::Evaluation {
    let identity: Vec<_> = sim
        .identity_policies
        .iter()
        .map(|p| eval::compile(p, "identity"))
        .collect();
    let trust = sim
        .resource_policy
        .as_ref()
        .map(|p| eval::compile(p, "trust policy of X"));
    let inputs = Inputs {
        identity: identity.iter().collect(),
        resource: trust.as_ref(),
        resource_kind: ResourcePolicyKind::RoleTrust,
        ..Inputs::default()
    };
    let caller = Caller::parse(&sim.principal.as_ref().unwrap().value).unwrap();
    let req = Request {
        caller: &caller,
        action: &sim.action.as_ref().unwrap().value,
        resource: &sim.resource.as_ref().unwrap().value,
        resource_account: Some("111111111111"),
    };
    eval::evaluate(req, &inputs, ctx)
}

#[test]
fn unknown_external_id_gives_a_conditional_answer_naming_the_condition() {
    let sim = read(TRUST_WITH_EXTERNAL_ID);
    let unknown = MapContext {
        missing_is_unknown: true,
        ..MapContext::default()
    };
    let ev = decide(&sim, &unknown);
    assert_eq!(ev.decision, Decision::Conditional);
    assert_eq!(ev.conditions.len(), 1, "{:?}", ev.conditions);
    assert!(
        ev.conditions[0].contains("sts:ExternalId") && ev.conditions[0].contains("12345"),
        "{:?}",
        ev.conditions
    );

    // Fixing the key decides it either way (§9 case 10).
    let mut given = unknown.clone();
    given.set("sts:ExternalId", vec!["12345".into()]);
    assert_eq!(decide(&sim, &given).decision, Decision::Allowed);
    let mut wrong = unknown.clone();
    wrong.set("sts:ExternalId", vec!["999".into()]);
    assert_eq!(decide(&sim, &wrong).decision, Decision::ImplicitDeny);
    let mut absent = unknown;
    absent.absent.insert("sts:externalid".into());
    assert_eq!(decide(&sim, &absent).decision, Decision::ImplicitDeny);
}

#[test]
fn a_conditional_deny_never_leaves_a_plain_allow() {
    let json = r#"{
      "request": {"principal": "arn:aws:iam::111111111111:user/alice", "action": "s3:GetObject",
                  "resource": "arn:aws:s3:::b/k", "resourceAccount": "111111111111"},
      "identityPolicies": [{"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
          {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
           "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}]
    }"#;
    let sim = read(json);
    let identity: Vec<_> = sim
        .identity_policies
        .iter()
        .map(|p| eval::compile(p, "identity"))
        .collect();
    let inputs = Inputs {
        identity: identity.iter().collect(),
        ..Inputs::default()
    };
    let caller = Caller::parse("arn:aws:iam::111111111111:user/alice").unwrap();
    let req = Request {
        caller: &caller,
        action: "s3:GetObject",
        resource: "arn:aws:s3:::b/k",
        resource_account: Some("111111111111"),
    };
    let unknown = MapContext {
        missing_is_unknown: true,
        ..MapContext::default()
    };
    let ev = eval::evaluate(req, &inputs, &unknown);
    assert_eq!(ev.decision, Decision::Conditional);
    assert!(
        ev.conditions
            .iter()
            .any(|c| c.starts_with("denied if") && c.contains("aws:SourceIp")),
        "{:?}",
        ev.conditions
    );
}
