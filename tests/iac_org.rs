//! Organization policies in proposed changes: a plan's `aws_organizations_policy` and
//! `aws_organizations_policy_attachment`, and a template's
//! `AWS::Organizations::Policy`, change the SCPs of the loaded organization.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::*;

const ORG: &str = "fixtures/quirks/organization";
const DEV: &str = "arn:aws:iam::222222222222:user/sandbox-dev";

fn change(address: &str, actions: &[&str], before: Value, after: Value) -> Value {
    let mut parts = address.split('.');
    let kind = parts.next().unwrap();
    let name = parts.next().unwrap();
    json!({
        "address": address, "mode": "managed", "type": kind, "name": name,
        "change": {"actions": actions, "before": before, "after": after,
                   "after_unknown": if after.is_null() { json!({}) } else { json!({"id": true}) }}
    })
}

/// Removes the sandbox OU's S3 deny; with `deny_again`, a new SCP denying
/// s3:GetObject is attached to the sandbox account (its ID known only after apply).
fn plan(dir: &std::path::Path, deny_again: bool) -> String {
    let mut changes = vec![change(
        "aws_organizations_policy_attachment.sandbox_s3",
        &["delete"],
        json!({"policy_id": "p-denys3", "target_id": "ou-v3s1-sbx00001"}),
        Value::Null,
    )];
    let mut config = Vec::new();
    if deny_again {
        let content = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]})
        .to_string();
        changes.push(change(
            "aws_organizations_policy.deny_get",
            &["create"],
            Value::Null,
            json!({"name": "deny-get", "type": "SERVICE_CONTROL_POLICY", "content": content}),
        ));
        changes.push(change(
            "aws_organizations_policy_attachment.sandbox",
            &["create"],
            Value::Null,
            json!({"target_id": "222222222222"}),
        ));
        config.push(json!({
            "address": "aws_organizations_policy_attachment.sandbox", "mode": "managed",
            "type": "aws_organizations_policy_attachment", "name": "sandbox",
            "expressions": {"policy_id": {"references": [
                "aws_organizations_policy.deny_get.id", "aws_organizations_policy.deny_get"]}}
        }));
    }
    let plan = json!({
        "format_version": "1.2",
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": config}}
    });
    let path = dir.join(format!("plan-{deny_again}.json"));
    std::fs::write(&path, plan.to_string()).unwrap();
    path.display().to_string()
}

fn can_get(extra: &[&str]) -> String {
    let mut args = vec!["--data", ORG];
    args.extend(extra);
    args.extend([
        "can",
        DEV,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--format",
        "json",
    ]);
    let (_, v) = json(&args);
    v["decision"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_plan_detaches_and_attaches_service_control_policies() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(can_get(&[]), "denied", "the OU's SCP denies S3");
    let lifted = plan(dir.path(), false);
    assert_eq!(
        can_get(&["--plan", &lifted, "--account", "999999999999"]),
        "allowed"
    );
    let again = plan(dir.path(), true);
    assert_eq!(
        can_get(&["--plan", &again, "--account", "999999999999"]),
        "denied"
    );
}

#[test]
fn a_template_attaches_a_service_control_policy() {
    let dir = tempfile::tempdir().unwrap();
    let lifted = plan(dir.path(), false);
    let t = dir.path().join("scp.yaml");
    std::fs::write(
        &t,
        "Resources:\n  DenyGet:\n    Type: AWS::Organizations::Policy\n    Properties:\n      Name: deny-get\n      Type: SERVICE_CONTROL_POLICY\n      TargetIds: ['222222222222']\n      Content:\n        Version: '2012-10-17'\n        Statement:\n          - {Effect: Deny, Action: 's3:GetObject', Resource: '*'}\n",
    )
    .unwrap();
    let at = format!("{}=999999999999", t.display());
    assert_eq!(
        can_get(&[
            "--plan",
            &lifted,
            "--account",
            "999999999999",
            "--template",
            &at
        ]),
        "denied"
    );
}

#[test]
fn without_an_organization_an_organization_policy_is_reported_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let again = plan(dir.path(), true);
    let (_, out, err) = run(&["--plan", &again, "--account", "999999999999", "load"]);
    let text = format!("{out}{err}");
    assert!(text.contains("iac-unresolved"), "{text}");
    assert!(text.contains("no organization"), "{text}");
}
