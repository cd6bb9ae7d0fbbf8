//! `who-can` on the public resources of the shared corpus (`../shared/corpus/cloudmapper-demo`):
//! anonymous callers reach what a resource policy grants to `*` without conditions, and
//! nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const DATA: &str = "../shared/corpus/cloudmapper-demo";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_file(rel: &str) -> PathBuf {
    repo().join(DATA).join(rel)
}

fn who_can(action: &str, resource: &str) -> Value {
    let out = Command::cargo_bin("iampath")
        .unwrap()
        .current_dir(repo())
        .args([
            "--data", DATA, "who-can", action, resource, "--format", "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "who-can {action} {resource}: stderr {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn anonymous_entries(answer: &Value) -> Vec<&Value> {
    answer["principals"]
        .as_array()
        .expect("a principals array")
        .iter()
        .filter(|p| p["kind"] == "anonymous")
        .collect()
}

/// Anonymous is listed once, allowed, by one access hop citing `policy_file`.
fn assert_anonymous_allowed(action: &str, resource: &str, policy_file: &str) {
    let answer = who_can(action, resource);
    let anonymous = anonymous_entries(&answer);
    assert_eq!(
        anonymous.len(),
        1,
        "who-can {action} {resource}: one anonymous entry expected, got {anonymous:#?}\nfull answer: {answer:#}"
    );
    let entry = anonymous[0];
    assert_eq!(
        entry["decision"], "allowed",
        "who-can {action} {resource}: {entry:#}"
    );
    let hops = entry["hops"].as_array().expect("hops");
    assert_eq!(
        hops.len(),
        1,
        "who-can {action} {resource}: anonymous reaches the resource directly: {entry:#}"
    );
    let hop = &hops[0];
    assert_eq!(hop["kind"], "access", "{entry:#}");
    assert_eq!(hop["to"], resource, "{entry:#}");
    assert_eq!(hop["decision"], "allowed", "{entry:#}");
    assert_eq!(
        hop["conditions"].as_array().map(Vec::len),
        Some(0),
        "the grant has no condition: {entry:#}"
    );
    let cites_policy = hop["grants"].as_array().expect("grants").iter().any(|g| {
        g["file"]
            .as_str()
            .is_some_and(|f| f.replace('\\', "/").ends_with(policy_file))
    });
    assert!(
        cites_policy,
        "who-can {action} {resource}: the grant must cite {policy_file}: {entry:#}"
    );
}

/// The statements of the resource policy in the `Attributes.Policy` of an SNS/SQS export.
fn attribute_statements(rel: &str) -> (Value, Vec<Value>) {
    let text = std::fs::read_to_string(corpus_file(rel)).unwrap();
    let export: Value = serde_json::from_str(&text).unwrap();
    let attributes = export["Attributes"].clone();
    let policy: Value =
        serde_json::from_str(attributes["Policy"].as_str().expect("Attributes.Policy")).unwrap();
    let statements = match &policy["Statement"] {
        Value::Array(s) => s.clone(),
        one => vec![one.clone()],
    };
    (attributes, statements)
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn names_everyone(statement: &Value) -> bool {
    let principal = &statement["Principal"];
    principal == "*" || strings(&principal["AWS"]).iter().any(|p| p == "*")
}

#[test]
fn anonymous_can_get_objects_of_the_public_bucket() {
    assert_anonymous_allowed(
        "s3:GetObject",
        "arn:aws:s3:::cloudmapper_demo/anything",
        "123456789012/s3/cloudmapper_demo.json",
    );
}

#[test]
fn anonymous_can_send_to_the_public_queue() {
    assert_anonymous_allowed(
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:123456789012:demo",
        "123456789012/sqs/demo.json",
    );
}

/// `demo_public.json` allows `{"AWS": "*"}` nine SNS actions on its topic, no condition.
#[test]
fn anonymous_can_use_the_public_topic() {
    let (attributes, statements) = attribute_statements("123456789012/sns/demo_public.json");
    let topic = attributes["TopicArn"]
        .as_str()
        .expect("TopicArn")
        .to_owned();
    assert_eq!(topic, "arn:aws:sns:us-east-1:123456789012:demo_public");
    let actions: Vec<String> = statements
        .iter()
        .filter(|s| s["Effect"] == "Allow" && names_everyone(s) && s.get("Condition").is_none())
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    assert!(
        actions
            .iter()
            .any(|a| a.eq_ignore_ascii_case("sns:Publish")),
        "the public topic grants sns:Publish to everyone: {actions:?}"
    );
    for action in known(&actions) {
        assert_anonymous_allowed(action, &topic, "123456789012/sns/demo_public.json");
    }
}

/// The actions AWS's service reference knows. SNS's default topic policy still lists
/// the legacy `SNS:Receive`, which the reference does not: a query about it is a
/// mistake (exit 2 with a hint), never an answer.
fn known(actions: &[String]) -> Vec<&String> {
    let (known, unknown): (Vec<&String>, Vec<&String>) = actions
        .iter()
        .partition(|a| iampath::catalog::action(a).is_some());
    for a in unknown {
        let out = Command::cargo_bin("iampath")
            .unwrap()
            .current_dir(repo())
            .args([
                "--data",
                DATA,
                "who-can",
                a,
                "arn:aws:sns:us-east-1:123456789012:demo_public",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "who-can {a} must refuse");
        assert!(String::from_utf8_lossy(&out.stderr).contains("not an action"));
    }
    known
}

/// `demo_private.json` is SNS's default topic policy: it too names `{"AWS": "*"}`, but
/// only with `StringEquals AWS:SourceOwner 123456789012`. An anonymous caller has no
/// source owner (the key is only set when a service acts for a resource of that
/// account), so the condition cannot hold for it: anonymous is not listed, not even as
/// conditional.
#[test]
fn anonymous_is_not_listed_for_the_private_topic() {
    let (attributes, statements) = attribute_statements("123456789012/sns/demo_private.json");
    let topic = attributes["TopicArn"]
        .as_str()
        .expect("TopicArn")
        .to_owned();
    assert_eq!(topic, "arn:aws:sns:us-east-1:123456789012:demo_private");
    assert!(
        statements
            .iter()
            .all(|s| s["Condition"]["StringEquals"]["AWS:SourceOwner"] == "123456789012"),
        "every statement of the private topic is limited to source owner 123456789012: {statements:#?}"
    );
    let actions: Vec<String> = statements
        .iter()
        .filter(|s| s["Effect"] == "Allow" && names_everyone(s))
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    assert!(
        actions
            .iter()
            .any(|a| a.eq_ignore_ascii_case("sns:Publish")),
        "{actions:?}"
    );
    let mut listed = Vec::new();
    for action in known(&actions) {
        let answer = who_can(action, &topic);
        for entry in anonymous_entries(&answer) {
            listed.push(format!("{action}: {entry}"));
        }
    }
    assert!(
        listed.is_empty(),
        "anonymous must not be listed for {topic}; it is for {} of {} actions:\n{}",
        listed.len(),
        actions.len(),
        listed.join("\n")
    );
}
