//! The binary, as users and CI run it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use assert_cmd::Command;
use serde_json::Value;
use support::*;

fn iampath() -> Command {
    let mut cmd = Command::cargo_bin("iampath").unwrap();
    cmd.current_dir(repo()).env_remove("NO_COLOR");
    cmd
}

fn run(args: &[&str]) -> (i32, String) {
    let out = iampath().args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn load_text_of_a_reference_scenario() {
    let (code, out) = run(&[
        "load",
        "--data",
        "fixtures/scenarios/05-stage-role-bucket-policy",
        "--color",
        "never",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn load_text_shows_snippets_at_the_span() {
    let (code, out) = run(&[
        "--color",
        "never",
        "--data",
        "fixtures/quirks/escaped",
        "load",
    ]);
    assert_eq!(code, 2, "an invalid policy is an error");
    insta::assert_snapshot!(out);
}

#[test]
fn load_json_has_exactly_the_documented_fields() {
    let (code, out) = run(&[
        "--data",
        "../shared/corpus/cloudmapper-demo",
        "load",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(top, ["accounts", "diagnostics"]);
    let a = &v["accounts"][0];
    let mut keys: Vec<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "alias",
            "groups",
            "id",
            "policies",
            "rcps",
            "resource_policies",
            "roles",
            "scps",
            "users"
        ]
    );
    assert_eq!(a["id"], "123456789012");
    assert_eq!(a["alias"], Value::Null);
    assert_eq!(
        (a["users"].as_u64(), a["roles"].as_u64()),
        (Some(2), Some(4))
    );
    let rp = &a["resource_policies"];
    assert_eq!(
        (rp["s3"].as_u64(), rp["sqs"].as_u64(), rp["sns"].as_u64()),
        (Some(1), Some(1), Some(2))
    );
    assert_eq!(
        (rp["lambda"].as_u64(), rp["ecr"].as_u64()),
        (Some(1), Some(1))
    );
    for d in v["diagnostics"].as_array().unwrap() {
        let mut keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["code", "column", "file", "line", "message", "severity"]
        );
        assert!(d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1);
        assert!(["error", "warning"].contains(&d["severity"].as_str().unwrap()));
    }
}

#[test]
fn exit_2_after_loading_and_reporting_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let acct = dir.path().join("111111111111");
    std::fs::create_dir_all(&acct).unwrap();
    std::fs::write(acct.join("broken.json"), "{").unwrap();
    std::fs::write(acct.join("good.json"), r#"{"UserDetailList":[{"UserName":"u","UserId":"AIDAX","Arn":"arn:aws:iam::111111111111:user/u"}]}"#).unwrap();
    let out = iampath()
        .args(["load", "--format", "json", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["accounts"][0]["users"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("json-syntax"), Some(1), Some(2))
    );
    assert!(d["file"].as_str().unwrap().ends_with("broken.json"));
}

#[test]
fn warnings_alone_exit_0() {
    let (code, out) = run(&[
        "load",
        "--data",
        "../shared/corpus/aws-cli-example",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("export-truncated"));
}

#[test]
fn no_data_is_a_usage_error() {
    let out = iampath().arg("load").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--data"));
}

#[test]
fn several_data_paths_load_together() {
    let (code, out) = run(&[
        "load",
        "--format",
        "json",
        "--data",
        "fixtures/quirks/organization",
        "--data",
        "../shared/corpus/cloudmapper-demo/123456789012",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["123456789012", "222222222222"]);
    assert_eq!(v["accounts"][1]["scps"], 2);
    assert_eq!(v["accounts"][1]["rcps"], 2);
}

#[test]
fn simulate_context_flag_fixes_a_key() {
    let file = "tests/simulate/10a-trust-requires-external-id-absent--implicit_deny.json";
    let (code, out) = run(&["simulate", file, "--format", "json"]);
    assert_eq!((code, out.contains("\"implicit_deny\"")), (1, true));
    let (code, out) = run(&[
        "simulate",
        file,
        "--format",
        "json",
        "--context",
        "sts:ExternalId=12345",
    ]);
    assert_eq!((code, out.contains("\"allowed\"")), (0, true), "{out}");
    let out = iampath()
        .args(["simulate", file, "--context", "no-equals-sign"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn paths_show_role_assumptions_and_resource_policy_grants_across_accounts() {
    let (code, out) = run(&[
        "--data",
        "fixtures/scenarios/05-stage-role-bucket-policy",
        "paths",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(String, String)> = v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["to"].as_str().unwrap().to_string(),
                p["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "arn:aws:iam::472643299612:role/StageRole".to_string(),
                "sts:AssumeRole".to_string()
            ),
            (
                "arn:aws:s3:::production-test-bucket-101".to_string(),
                "s3:GetBucketLocation".to_string()
            ),
            (
                "arn:aws:s3:::production-test-bucket-101".to_string(),
                "s3:ListBucket".to_string()
            ),
        ]
    );
    assert!(
        v["paths"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["from"] == "arn:aws:iam::395362660951:user/StageAdmin")
    );
    let (_, out) = run(&[
        "--data",
        "fixtures/scenarios/04-cross-account-read-only-role",
        "paths",
        "--to",
        "292174209821",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["paths"].as_array().unwrap().len(), 1, "{out}");
}

#[test]
fn graph_draws_dot_and_mermaid() {
    let (code, dot) = run(&[
        "--data",
        "fixtures/scenarios/05-stage-role-bucket-policy",
        "graph",
        "--format",
        "dot",
    ]);
    assert_eq!(code, 0);
    assert!(
        dot.starts_with("digraph iampath {")
            && dot.contains("user StageAdmin (395362660951)")
            && dot.contains("role StageRole (472643299612)"),
        "{dot}"
    );
    let (_, mm) = run(&[
        "--data",
        "fixtures/scenarios/05-stage-role-bucket-policy",
        "graph",
        "--format",
        "mermaid",
        "--principal",
        "arn:aws:iam::395362660951:user/StageAdmin",
    ]);
    assert!(
        mm.starts_with("flowchart LR") && mm.contains("|sts:AssumeRole|"),
        "{mm}"
    );
    assert!(
        !mm.contains("ec2.amazonaws.com"),
        "only the part connected to StageAdmin: {mm}"
    );
}

#[test]
fn what_can_summarises_by_service_and_access_level() {
    let (code, out) = run(&[
        "--data",
        "fixtures/scenarios/01-cross-account-signin",
        "what-can",
        "arn:aws:iam::395362660951:user/devTest",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let reaches = v["reaches"].as_array().unwrap();
    assert_eq!(reaches.len(), 2);
    let role = &reaches[1];
    assert_eq!(
        role["principal"],
        "arn:aws:iam::472643299612:role/CrossAccountSignin"
    );
    let s3 = role["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "s3")
        .unwrap();
    let levels: Vec<&str> = s3["access_levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(levels, ["List", "Read"]);
}
