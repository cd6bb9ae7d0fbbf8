//! Resource policies of services iampath has no special reading for (DynamoDB,
//! Kinesis, OpenSearch, …) are placed by the ARN their statements (or the IaC object)
//! name and evaluated like any other, from exports, plans and templates alike; a
//! policy that cannot be placed is reported, never dropped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use support::*;

const OTHER: &str = "999999999999";

fn grant(resource: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:root")},
            "Action": "dynamodb:GetItem",
            "Resource": resource
        }]
    })
    .to_string()
}

/// Subjects of `external-access` findings.
fn external(args: &[&str]) -> Vec<String> {
    let mut full = args.to_vec();
    full.extend(["lint", "--format", "json"]);
    let (_, v) = json(&full);
    summary(&v)
        .into_iter()
        .filter(|f| f.0 == "external-access")
        .map(|f| f.1)
        .collect()
}

#[test]
fn an_export_folder_of_another_service_is_placed_by_its_statements() {
    let dir = tempfile::tempdir().unwrap();
    let table = "arn:aws:dynamodb:eu-west-1:111111111111:table/orders";
    let folder = dir.path().join("111111111111").join("dynamodb");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("orders.json"), grant(table)).unwrap();
    let data = dir.path().display().to_string();
    assert_eq!(external(&["--data", &data]), vec![table.to_string()]);
}

#[test]
fn a_plan_places_another_services_policy_by_resource_arn_or_statements() {
    let dir = tempfile::tempdir().unwrap();
    let table = "arn:aws:dynamodb:eu-west-1:111111111111:table/orders";
    let stream = "arn:aws:kinesis:eu-west-1:111111111111:stream/clicks";
    let change = |address: &str, kind: &str, after: serde_json::Value| {
        json!({
            "address": address, "mode": "managed", "type": kind,
            "name": address.split('.').nth(1).unwrap(),
            "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": {}}
        })
    };
    let iot = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}).to_string();
    let plan = json!({
        "format_version": "1.2",
        "resource_changes": [
            change("aws_dynamodb_resource_policy.orders", "aws_dynamodb_resource_policy",
                json!({"resource_arn": table, "policy": grant(table)})),
            change("aws_kinesis_resource_policy.clicks", "aws_kinesis_resource_policy",
                json!({"policy": grant(stream)})),
            change("aws_iot_policy.device", "aws_iot_policy", json!({"name": "device", "policy": iot})),
            change("aws_api_gateway_rest_api_policy.api", "aws_api_gateway_rest_api_policy",
                json!({"rest_api_id": "abc", "policy": grant("*")})),
        ]
    });
    let path = dir.path().join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    let p = path.display().to_string();
    let mut found = external(&["--plan", &p, "--account", "111111111111"]);
    found.sort();
    assert_eq!(found, vec![table.to_string(), stream.to_string()]);
    // The IoT policy has no principals and the API policy names no resource: both
    // are reported.
    let (_, out, err) = run(&["--plan", &p, "--account", "111111111111", "load"]);
    let text = format!("{out}{err}");
    assert!(text.contains("aws_iot_policy.device"), "{text}");
    assert!(
        text.contains("aws_api_gateway_rest_api_policy.api"),
        "{text}"
    );
    assert_eq!(text.matches("iac-unsupported-type").count(), 2, "{text}");
}

#[test]
fn a_template_places_another_services_policy() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.yaml");
    std::fs::write(
        &t,
        format!(
            "Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      ResourcePolicy:
        PolicyDocument:
          Version: '2012-10-17'
          Statement:
            - Effect: Allow
              Principal: {{AWS: 'arn:aws:iam::{OTHER}:root'}}
              Action: dynamodb:GetItem
              Resource: '*'
  Clicks:
    Type: AWS::Kinesis::ResourcePolicy
    Properties:
      ResourceArn: !Sub 'arn:aws:kinesis:${{AWS::Region}}:${{AWS::AccountId}}:stream/clicks'
      ResourcePolicy:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{AWS: 'arn:aws:iam::{OTHER}:root'}}
            Action: kinesis:GetRecords
            Resource: '*'
  Org:
    Type: AWS::Organizations::Policy
    Properties:
      Type: SERVICE_CONTROL_POLICY
      Content: {{Version: '2012-10-17', Statement: [{{Effect: Deny, Action: '*', Resource: '*'}}]}}
"
        ),
    )
    .unwrap();
    let at = format!("{}=111111111111/eu-west-1", t.display());
    let mut found = external(&["--template", &at]);
    found.sort();
    assert_eq!(
        found,
        vec![
            "arn:aws:dynamodb:eu-west-1:111111111111:table/orders".to_string(),
            "arn:aws:kinesis:eu-west-1:111111111111:stream/clicks".to_string(),
        ]
    );
    let (_, out, err) = run(&["--template", &at, "load"]);
    let text = format!("{out}{err}");
    assert!(text.contains("AWS::Organizations::Policy"), "{text}");
}
