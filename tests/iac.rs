//! Terraform plans as input (`--plan`), as a new user and a CI gate run them: the
//! shared corpus's real plans load, unknown policies are findings, a public bucket,
//! topic and trust in a plan are found at their plan lines, and `diff` without
//! snapshots compares the exports with and without the plan.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use support::*;

const SCENARIO: &str = "fixtures/scenarios/05-stage-role-bucket-policy";
const CHANGE: &str = "tests/iac/production-change/plan.json";
const TFIPV: &str = "../shared/corpus/terraform-iam-policy-validator";
const CHECKOV: &str = "../shared/corpus/checkov/tf-oidc-trust-plan.json";

#[test]
fn a_public_bucket_topic_and_trust_in_a_plan_are_found_at_their_plan_lines() {
    let (code, v) = json(&[
        "--data", SCENARIO, "--plan", CHANGE, "--format", "json", "lint",
    ]);
    assert_eq!(code, 1, "high findings fail the gate");
    let public: Vec<_> = summary(&v)
        .into_iter()
        .filter(|f| f.0 == "public-principal")
        .collect();
    let text = std::fs::read_to_string(repo().join(CHANGE)).unwrap();
    let line_of = |needle: &str| -> u64 {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|i| i as u64 + 1)
            .unwrap_or_else(|| panic!("{needle} not in the plan"))
    };
    // Each finding points inside the plan entry of the object that makes it.
    let within = |address: &str, line: u64| {
        let start = line_of(&format!("\"address\": \"{address}\""));
        assert!(
            (start..start + 40).contains(&line),
            "{address}: line {line} is not in its entry (from {start})"
        );
    };
    let subjects: Vec<&str> = public.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(
        subjects,
        vec![
            "arn:aws:iam::472643299612:role/break-glass",
            "arn:aws:s3:::prod-public-assets",
            "arn:aws:sns:eu-west-1:472643299612:prod-alerts",
        ],
        "{public:?}"
    );
    for (_, _, address, line) in &public {
        within(address, *line);
    }
    assert_eq!(
        public.iter().map(|f| f.2.as_str()).collect::<Vec<_>>(),
        vec![
            "aws_iam_role.anyone",
            "aws_s3_bucket_policy.public",
            "aws_sns_topic_policy.alerts",
        ]
    );
    // A bucket granting one named account is not called public.
    assert!(
        !summary(&v)
            .iter()
            .any(|f| f.0 == "public-principal" && f.1.contains("partner")),
        "the partner bucket is not public"
    );
    // Findings about the exports carry no `iac`.
    let root = findings(&v)
        .into_iter()
        .find(|f| f["rule"] == "trust-account-root")
        .expect("the scenario's own finding");
    assert!(root.get("iac").is_none(), "{root}");
}

#[test]
fn the_role_policy_reaches_the_role_the_plan_creates() {
    // `aws_iam_role_policy.anyone` names its role only by reference (its `role` is
    // unknown until apply): the policy still lands on `break-glass`.
    let (code, v) = json(&[
        "--data",
        SCENARIO,
        "--plan",
        CHANGE,
        "--format",
        "json",
        "what-can",
        "arn:aws:iam::472643299612:role/break-glass",
    ]);
    assert_eq!(code, 0, "{v}");
    let text = v.to_string();
    assert!(text.contains("s3:"), "{text}");
}

#[test]
fn diff_without_snapshots_compares_the_exports_with_and_without_the_plan() {
    let (code, v) = json(&[
        "--data", SCENARIO, "--plan", CHANGE, "--format", "json", "diff",
    ]);
    assert_eq!(code, 1, "new high findings fail the gate: {v}");
    let new: Vec<String> = v["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["subject"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        new.contains(&"public-principal arn:aws:s3:::prod-public-assets".to_string()),
        "{new:?}"
    );
    assert!(
        !new.iter().any(|f| f.starts_with("trust-account-root")),
        "the exports' own findings are not new: {new:?}"
    );
    let paths = v["new_paths"].to_string();
    assert!(paths.contains("prod-public-assets"), "{paths}");
    // The exports alone against themselves: nothing to compare.
    let (code, _, err) = run(&["--data", SCENARIO, "diff"]);
    assert_eq!(code, 2);
    assert!(err.contains("diff needs two snapshots"), "{err}");
}

#[test]
fn the_shared_corpus_plans_load_and_lint() {
    for dir in [
        "identity_policies",
        "iam_policy",
        "role_inline_assume_policy",
        "no_access_granted",
    ] {
        let plan = format!("{TFIPV}/{dir}/test_plan.json");
        let (code, out, err) = run(&["--plan", &plan, "--account", "111111111111", "load"]);
        assert_eq!(code, 0, "{dir}: {out}\n{err}");
        assert!(out.contains("0 errors, 0 warnings"), "{dir}: {out}");
    }
    // The role's inline policy names its role through `aws_iam_role.test_role.id`.
    let plan = format!("{TFIPV}/identity_policies/test_plan.json");
    let (_, v) = json(&[
        "--plan",
        &plan,
        "--account",
        "111111111111",
        "--format",
        "json",
        "lint",
    ]);
    let on_test_role = summary(&v)
        .into_iter()
        .filter(|f| f.1 == "arn:aws:iam::111111111111:role/test_role")
        .count();
    assert!(on_test_role > 0, "{v}");
    // The cross-account bucket policies of a plan whose buckets are known by reference.
    let plan = format!("{TFIPV}/no_access_granted/test_plan.json");
    let (_, v) = json(&[
        "--plan",
        &plan,
        "--account",
        "111111111111",
        "--format",
        "json",
        "lint",
    ]);
    let external: Vec<_> = summary(&v)
        .into_iter()
        .filter(|f| f.0 == "external-access")
        .map(|f| f.1)
        .collect();
    assert_eq!(
        external,
        vec![
            "arn:aws:s3:::my-tf-test-bucket".to_string(),
            "arn:aws:s3:::other-tf-test-bucket".to_string()
        ]
    );
}

#[test]
fn a_deferred_trust_document_is_rebuilt_from_the_plans_statements() {
    // The checkov plan's trusts come from `data "aws_iam_policy_document"` read only at
    // apply; one names an OIDC provider the same plan creates (its ARN unknown). Both
    // are rebuilt: no policy is left unread, and the provider's ARN is made from its URL.
    let (code, v) = json(&[
        "--plan",
        CHECKOV,
        "--account",
        "111111111111",
        "--format",
        "json",
        "lint",
    ]);
    assert_eq!(code, 0, "{v}");
    assert!(findings(&v).is_empty(), "{v}");
    let (code, out, err) = run(&[
        "--plan",
        CHECKOV,
        "--account",
        "111111111111",
        "who-can",
        "sts:AssumeRoleWithWebIdentity",
        "arn:aws:iam::111111111111:role/r7",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "conditional arn:aws:iam::111111111111:oidc-provider/accounts.google.com (federated)"
        ),
        "{out}"
    );
    assert!(out.contains("system:serviceaccount:p1:default"), "{out}");
    // The grant points at the data source's statement in the plan.
    let text = std::fs::read_to_string(repo().join(CHECKOV)).unwrap();
    let at = out
        .split("tf-oidc-trust-plan.json:")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("no plan line in {out}"));
    let entry = text.lines().take(at).collect::<Vec<_>>().join("\n");
    let last_address = entry
        .rfind("\"address\":")
        .map(|i| &entry[i..])
        .unwrap_or_default();
    assert!(
        last_address.contains("data.aws_iam_policy_document.r3"),
        "line {at} is not in the data source: {}",
        &last_address[..last_address.len().min(120)]
    );
}

/// A plan of one role whose trust is `trust` (a JSON value) with `unknown` as its
/// `after_unknown`, and configuration expressions `expressions`.
fn role_plan(
    dir: &std::path::Path,
    trust: Option<&str>,
    unknown: Value,
    expressions: Value,
) -> String {
    let mut after = serde_json::json!({"name": "deploy", "path": "/"});
    if let Some(t) = trust {
        after["assume_role_policy"] = Value::String(t.to_string());
    }
    let plan = serde_json::json!({
        "format_version": "1.2",
        "resource_changes": [{
            "address": "aws_iam_role.deploy",
            "mode": "managed",
            "type": "aws_iam_role",
            "name": "deploy",
            "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": unknown}
        }],
        "configuration": {"root_module": {"resources": [{
            "address": "aws_iam_role.deploy",
            "mode": "managed",
            "type": "aws_iam_role",
            "name": "deploy",
            "expressions": expressions
        }]}}
    });
    let path = dir.join("plan.json");
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn a_trust_that_cannot_be_rebuilt_is_a_high_finding_never_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    // `jsonencode({...})` naming an attribute known only after apply: no statement in
    // the plan to rebuild from.
    let plan = role_plan(
        dir.path(),
        None,
        serde_json::json!({"assume_role_policy": true, "arn": true}),
        serde_json::json!({"assume_role_policy": {"references": ["aws_iam_openid_connect_provider.gh.arn", "aws_iam_openid_connect_provider.gh"]}}),
    );
    let (code, v) = json(&[
        "--plan",
        &plan,
        "--account",
        "111111111111",
        "--format",
        "json",
        "lint",
    ]);
    assert_eq!(code, 1, "the gate fails on what it could not read: {v}");
    let f = findings(&v)
        .into_iter()
        .find(|f| f["rule"] == "iac-unknown-policy")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(f["severity"], "high");
    assert_eq!(f["iac"]["address"], "aws_iam_role.deploy");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("assume_role_policy is known only after apply"),
        "{message}"
    );
    assert!(
        message.contains("aws_iam_openid_connect_provider.gh.arn"),
        "{message}"
    );
    // Computed but not configured (a new role's `managed_policy_arns`): not unknown.
    let plan = role_plan(
        dir.path(),
        Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        ),
        serde_json::json!({"managed_policy_arns": true, "inline_policy": true}),
        serde_json::json!({"assume_role_policy": {}}),
    );
    let (code, v) = json(&[
        "--plan",
        &plan,
        "--account",
        "111111111111",
        "--format",
        "json",
        "lint",
    ]);
    assert!(
        !findings(&v)
            .iter()
            .any(|f| f["rule"] == "iac-unknown-policy"),
        "{code}: {v}"
    );
}

#[test]
fn the_account_a_plan_names_wins_over_account() {
    let dir = tempfile::tempdir().unwrap();
    let plan = serde_json::json!({
        "format_version": "1.2",
        "resource_changes": [],
        "configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {
            "allowed_account_ids": {"constant_value": ["222222222222"]}
        }}}}
    });
    let mut plan = plan;
    plan["resource_changes"] = serde_json::json!([{
        "address": "aws_iam_user.u", "mode": "managed", "type": "aws_iam_user", "name": "u",
        "change": {"actions": ["create"], "before": null, "after": {"name": "u", "path": "/"}}
    }]);
    let path = dir.path().join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    let path = path.display().to_string();
    let (code, out, err) = run(&["--plan", &path, "--account", "111111111111", "load"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("account 222222222222"), "{out}");
    assert!(!out.contains("account 111111111111"), "{out}");
}

#[test]
fn an_exclusive_policy_attachment_moves_the_policy() {
    // `aws_iam_policy_attachment` attaches AdministratorAccess to exactly the roles it
    // lists: StageRole gains it.
    let dir = tempfile::tempdir().unwrap();
    let plan = serde_json::json!({
        "format_version": "1.2",
        "resource_changes": [{
            "address": "aws_iam_policy_attachment.admins",
            "mode": "managed",
            "type": "aws_iam_policy_attachment",
            "name": "admins",
            "change": {"actions": ["create"], "before": null, "after": {
                "name": "admins",
                "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess",
                "roles": ["StageRole"], "users": [], "groups": []
            }, "after_unknown": {"id": true}}
        }]
    });
    let path = dir.path().join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    let path = path.display().to_string();
    let (code, v) = json(&[
        "--data",
        SCENARIO,
        "--plan",
        &path,
        "--account",
        "472643299612",
        "--format",
        "json",
        "escalations",
    ]);
    assert!(code == 0 || code == 1, "{v}");
    let (_, out, _) = run(&[
        "--data",
        SCENARIO,
        "--plan",
        &path,
        "--account",
        "472643299612",
        "can",
        "arn:aws:iam::472643299612:role/StageRole",
        "iam:CreateUser",
        "arn:aws:iam::472643299612:user/new",
    ]);
    assert!(out.starts_with("allowed"), "{out}");
}

#[test]
fn a_plan_that_cannot_be_applied_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let cases = [
        (
            write(
                "v2.json",
                r#"{"format_version":"2.0","resource_changes":[]}"#,
            ),
            "format_version `2.0` is not 1.x",
        ),
        (
            write("broken.json", r#"{"format_version": "1.2", "#),
            "invalid JSON",
        ),
        (
            write("other.json", r#"{"Version": "2012-10-17"}"#),
            "not a Terraform plan",
        ),
        (
            write(
                "noacct.json",
                r#"{"format_version":"1.2","resource_changes":[]}"#,
            ),
            "give --account ID",
        ),
    ];
    for (plan, expected) in cases {
        let mut args = vec!["--data", SCENARIO, "--plan", plan.as_str()];
        if !expected.contains("--account") {
            args.extend(["--account", "472643299612"]);
        }
        args.push("lint");
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{plan}: {err}");
        assert!(err.contains(expected), "{plan}: {err}");
    }
}

#[test]
fn a_deleted_role_is_gone_and_a_forgotten_one_stays() {
    let dir = tempfile::tempdir().unwrap();
    let plan = serde_json::json!({
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "aws_iam_role.stage",
                "mode": "managed",
                "type": "aws_iam_role",
                "name": "stage",
                "change": {
                    "actions": ["delete"],
                    "before": {"name": "StageRole", "path": "/", "arn": "arn:aws:iam::472643299612:role/StageRole"},
                    "after": null
                }
            }
        ]
    });
    let path = dir.path().join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    let path = path.display().to_string();
    let (code, out, err) = run(&["--data", SCENARIO, "--plan", &path, "load"]);
    assert_eq!(code, 0, "{err}");
    let production = out.split("account 472643299612").nth(1).unwrap_or_default();
    assert!(production.contains("roles 1"), "{out}");
    let forgotten = path.replace("plan.json", "forget.json");
    std::fs::write(
        &forgotten,
        plan.to_string().replace(r#"["delete"]"#, r#"["forget"]"#),
    )
    .unwrap();
    let (_, out, _) = run(&["--data", SCENARIO, "--plan", &forgotten, "load"]);
    let production = out.split("account 472643299612").nth(1).unwrap_or_default();
    assert!(production.contains("roles 2"), "{out}");
}

#[test]
fn lambda_permissions_keys_secrets_and_repositories_are_placed() {
    let dir = tempfile::tempdir().unwrap();
    let public = |resource: &str, action: &str| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource
        }]})
        .to_string()
    };
    let change = |address: &str, kind: &str, after: Value, unknown: Value| {
        let name = address.rsplit('.').next().unwrap();
        serde_json::json!({
            "address": address, "mode": "managed", "type": kind, "name": name,
            "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": unknown}
        })
    };
    let plan = serde_json::json!({
        "format_version": "1.2",
        "resource_changes": [
            change("aws_lambda_function.api", "aws_lambda_function",
                serde_json::json!({"function_name": "api"}), serde_json::json!({"arn": true})),
            change("aws_lambda_permission.url", "aws_lambda_permission",
                serde_json::json!({"action": "lambda:InvokeFunctionUrl", "principal": "*", "statement_id": "PublicUrl", "function_url_auth_type": "NONE"}),
                serde_json::json!({"function_name": true})),
            change("aws_lambda_permission.s3", "aws_lambda_permission",
                serde_json::json!({"action": "lambda:InvokeFunction", "principal": "s3.amazonaws.com", "statement_id": "FromS3", "source_account": "111111111111"}),
                serde_json::json!({"function_name": true, "source_arn": true})),
            change("aws_ecr_repository_policy.open", "aws_ecr_repository_policy",
                serde_json::json!({"repository": "images", "policy": public("*", "ecr:BatchGetImage")}),
                serde_json::json!({})),
            change("aws_secretsmanager_secret_policy.s", "aws_secretsmanager_secret_policy",
                serde_json::json!({"secret_arn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf", "policy": public("*", "secretsmanager:GetSecretValue")}),
                serde_json::json!({})),
            change("aws_kms_key.k", "aws_kms_key",
                serde_json::json!({"description": "no policy: the default one"}),
                serde_json::json!({"key_id": true, "arn": true, "policy": true})),
        ],
        "configuration": {"root_module": {"resources": [
            {"address": "aws_lambda_permission.url", "mode": "managed", "type": "aws_lambda_permission", "name": "url",
             "expressions": {"function_name": {"references": ["aws_lambda_function.api.function_name", "aws_lambda_function.api"]}}},
            {"address": "aws_lambda_permission.s3", "mode": "managed", "type": "aws_lambda_permission", "name": "s3",
             "expressions": {"function_name": {"references": ["aws_lambda_function.api.arn", "aws_lambda_function.api"]},
                             "source_arn": {"references": ["aws_s3_bucket.uploads.arn", "aws_s3_bucket.uploads"]}}}
        ]}}
    });
    let path = dir.path().join("plan.json");
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let path = path.display().to_string();
    let (_, out, err) = run(&["--plan", &path, "--account", "111111111111", "load"]);
    assert!(
        out.contains("resource policies: ecr 1, kms 1, lambda 1, secretsmanager 1"),
        "{out}\n{err}"
    );
    let (code, v) = json(&[
        "--plan",
        &path,
        "--account",
        "111111111111",
        "--format",
        "json",
        "lint",
    ]);
    assert_eq!(code, 1, "{v}");
    let public: Vec<(String, String)> = summary(&v)
        .into_iter()
        .filter(|f| f.0 == "public-principal")
        .map(|f| (f.1, f.2))
        .collect();
    assert_eq!(
        public,
        vec![
            (
                "arn:aws:ecr:us-east-1:111111111111:repository/images".to_string(),
                "aws_ecr_repository_policy.open".to_string()
            ),
            (
                "arn:aws:lambda:us-east-1:111111111111:function:api".to_string(),
                "aws_lambda_permission.url".to_string()
            ),
            (
                "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf".to_string(),
                "aws_secretsmanager_secret_policy.s".to_string()
            ),
        ],
        "{v}"
    );
    // The S3 permission: a service, limited by source account, and conditional on the
    // bucket ARN the plan does not know yet.
    let (_, out, _) = run(&[
        "--plan",
        &path,
        "--account",
        "111111111111",
        "who-can",
        "lambda:InvokeFunction",
        "arn:aws:lambda:us-east-1:111111111111:function:api",
    ]);
    assert!(out.contains("s3.amazonaws.com"), "{out}");
    assert!(out.contains("iampath:KnownAfterApply"), "{out}");
}

#[test]
fn with_tf_source_findings_point_at_the_tf_attribute_and_the_plan_is_related() {
    let dir = format!("{TFIPV}/no_access_granted");
    let plan = format!("{dir}/test_plan.json");
    let args = |format: &'static str| {
        vec![
            "--plan".to_string(),
            plan.clone(),
            "--account".to_string(),
            "111111111111".to_string(),
            "--tf-source".to_string(),
            dir.clone(),
            "--format".to_string(),
            format.to_string(),
            "lint".to_string(),
        ]
    };
    let json_args = args("json");
    let (_, v) = json(&json_args.iter().map(String::as_str).collect::<Vec<_>>());
    let external: Vec<(String, u64, String, u64)> = findings(&v)
        .iter()
        .filter(|f| f["rule"] == "external-access")
        .map(|f| {
            (
                f["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                f["line"].as_u64().unwrap(),
                f["iac"]["address"].as_str().unwrap().to_string(),
                f["iac"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // `policy = data.aws_iam_policy_document….json` of each aws_s3_bucket_policy block.
    assert_eq!(
        external,
        vec![
            (
                "test.tf".to_string(),
                16,
                "aws_s3_bucket_policy.allow_access_from_another_account".to_string(),
                14
            ),
            (
                "test.tf".to_string(),
                74,
                "aws_s3_bucket_policy.allow_access_from_other_account".to_string(),
                72
            ),
        ],
        "{v}"
    );
    // SARIF: the .tf line is the result's location, the plan a related one.
    let sarif_args = args("sarif");
    let (_, out, err) = run(&sarif_args.iter().map(String::as_str).collect::<Vec<_>>());
    let sarif: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "external-access")
        .unwrap()
        .clone();
    let uri = |l: &Value| {
        l["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        uri(&result["locations"][0]).ends_with("test.tf"),
        "{result}"
    );
    assert!(
        result["relatedLocations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| uri(l).ends_with("test_plan.json")),
        "{result}"
    );
}

#[test]
fn tf_source_follows_modules_through_the_terraform_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".terraform/modules")).unwrap();
    std::fs::create_dir_all(root.join("modules/trust")).unwrap();
    std::fs::write(
        root.join("main.tf"),
        "module \"trust\" {\n  source = \"./modules/trust\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("modules/trust/role.tf"),
        "# a role anyone may assume\nresource \"aws_iam_role\" \"open\" {\n  name = \"open\"\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = \"*\" } }]\n  })\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".terraform/modules/modules.json"),
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"trust","Source":"./modules/trust","Dir":"modules/trust"}]}"#,
    )
    .unwrap();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"*"}}]}"#;
    let plan = serde_json::json!({
        "format_version": "1.2",
        "resource_changes": [{
            "address": "module.trust.aws_iam_role.open",
            "module_address": "module.trust",
            "mode": "managed", "type": "aws_iam_role", "name": "open",
            "change": {"actions": ["create"], "before": null,
                       "after": {"name": "open", "path": "/", "assume_role_policy": trust},
                       "after_unknown": {"arn": true}}
        }]
    });
    std::fs::write(root.join("plan.json"), plan.to_string()).unwrap();
    let (_, v) = json(&[
        "--plan",
        root.join("plan.json").to_str().unwrap(),
        "--account",
        "111111111111",
        "--tf-source",
        root.to_str().unwrap(),
        "--format",
        "json",
        "lint",
    ]);
    let f = findings(&v)
        .into_iter()
        .find(|f| f["rule"] == "public-principal")
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        f["file"]
            .as_str()
            .unwrap()
            .ends_with("modules/trust/role.tf"),
        "{f}"
    );
    assert_eq!(f["line"], 4, "the assume_role_policy attribute: {f}");
    assert_eq!(f["iac"]["address"], "module.trust.aws_iam_role.open");
    assert_eq!(f["iac"]["line"], 2);
}

#[test]
fn an_ignore_may_select_plan_objects_by_address() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("iampath.toml");
    std::fs::write(
        &config,
        "[[ignore]]\nrule = \"public-principal\"\niac_address = \"aws_s3_bucket_policy.*\"\nreason = \"the public assets bucket is public on purpose\"\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let (_, v) = json(&[
        "--data", SCENARIO, "--plan", CHANGE, "--format", "json", "lint", "--config", &config,
    ]);
    let public: Vec<String> = summary(&v)
        .into_iter()
        .filter(|f| f.0 == "public-principal")
        .map(|f| f.2)
        .collect();
    assert_eq!(
        public,
        vec!["aws_iam_role.anyone", "aws_sns_topic_policy.alerts"],
        "{v}"
    );
}

#[test]
fn an_instance_profile_of_a_plan_holds_its_role() {
    // A role for EC2 and a user who may pass it and start instances: passing the role
    // needs an instance profile that holds it, which the plan creates.
    let dir = tempfile::tempdir().unwrap();
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let perm = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}]})
    .to_string();
    let change = |address: &str, after: Value| {
        let mut parts = address.split('.');
        serde_json::json!({"address": address, "mode": "managed",
            "type": parts.next().unwrap(), "name": parts.next().unwrap(),
            "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": {}}})
    };
    let write = |with_profile: bool| {
        let mut changes = vec![
            change(
                "aws_iam_role.web",
                serde_json::json!({"name": "web", "path": "/", "assume_role_policy": trust}),
            ),
            change(
                "aws_iam_user.dev",
                serde_json::json!({"name": "dev", "path": "/"}),
            ),
            change(
                "aws_iam_user_policy.dev",
                serde_json::json!({"name": "run", "user": "dev", "policy": perm}),
            ),
        ];
        if with_profile {
            changes.push(change(
                "aws_iam_instance_profile.web",
                serde_json::json!({"name": "web-profile", "role": "web", "path": "/"}),
            ));
        }
        let path = dir.path().join(format!("plan-{with_profile}.json"));
        let plan = serde_json::json!({"format_version": "1.2", "resource_changes": changes});
        std::fs::write(&path, plan.to_string()).unwrap();
        path.display().to_string()
    };
    let reaches = |plan: &str| -> String {
        let (_, v) = json(&[
            "--plan",
            plan,
            "--account",
            "111111111111",
            "escalations",
            "--to",
            "arn:aws:iam::111111111111:role/web",
            "--format",
            "json",
        ]);
        format!(
            "{} {}",
            v["escalations"][0]["decision"].as_str().unwrap_or("none"),
            v["escalations"][0]["hops"][0]["conditions"]
        )
    };
    let with = reaches(&write(true));
    let without = reaches(&write(false));
    assert_eq!(with, "allowed []");
    assert_ne!(with, without, "without the profile: {without}");
}
