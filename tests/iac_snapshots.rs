//! Snapshots of what `lint` and `diff` say about the shared corpus's Terraform plans
//! and CloudFormation templates, and the `.tf` or template lines they point at: a
//! change in what is found, or where, shows up as a reviewed snapshot diff.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::*;

const TFIPV: &str = "../shared/corpus/terraform-iam-policy-validator";

/// One line per finding: rule, severity, subject, where it points, and its IaC object.
fn lines(v: &serde_json::Value, key: &str) -> String {
    let mut out: Vec<String> = v[key]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("-").to_string();
            let iac = &f["iac"];
            format!(
                "{} [{}] {} at {}:{} (iac {} line {})",
                s("rule"),
                s("severity"),
                s("subject"),
                s("file"),
                f["line"],
                iac["address"].as_str().unwrap_or("-"),
                iac["line"],
            )
        })
        .collect();
    out.sort();
    out.join("\n")
}

fn lint(args: &[&str]) -> String {
    let mut full = args.to_vec();
    full.extend(["lint", "--format", "json"]);
    let (_, v) = json(&full);
    lines(&v, "findings")
}

#[test]
fn terraform_iam_policy_validator_plans_with_their_tf_sources() {
    for dir in [
        "identity_policies",
        "iam_policy",
        "role_inline_assume_policy",
        "no_access_granted",
    ] {
        let plan = format!("{TFIPV}/{dir}/test_plan.json");
        let src = format!("{TFIPV}/{dir}");
        let out = lint(&[
            "--plan",
            &plan,
            "--account",
            "111111111111",
            "--tf-source",
            &src,
        ]);
        insta::assert_snapshot!(format!("tfipv_{dir}"), out);
    }
}

#[test]
fn checkov_plan_and_template() {
    let plan = "../shared/corpus/checkov/tf-oidc-trust-plan.json";
    insta::assert_snapshot!(
        "checkov_plan",
        lint(&["--plan", plan, "--account", "111111111111"])
    );
    let template = "../shared/corpus/checkov/cfn-public-assume-role.yml=123456789012";
    insta::assert_snapshot!("checkov_template", lint(&["--template", template]));
}

#[test]
fn cfn_lint_template() {
    let template = "../shared/corpus/cfn-lint/resource_policy.yaml=123456789012";
    insta::assert_snapshot!("cfn_lint_template", lint(&["--template", template]));
}

#[test]
fn diff_of_the_scenario_with_a_plan_and_with_a_template() {
    let data = "fixtures/scenarios/05-stage-role-bucket-policy";
    let (code, v) = json(&[
        "--data",
        data,
        "--plan",
        "tests/iac/production-change/plan.json",
        "diff",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("diff_plan", lines(&v, "new_findings"));
    let (code, v) = json(&[
        "--data",
        data,
        "--template",
        "tests/iac/cfn/short-tags.yaml=472643299612",
        "diff",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("diff_template", lines(&v, "new_findings"));
}
