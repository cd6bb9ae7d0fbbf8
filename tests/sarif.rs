//! SARIF output validates against the SARIF 2.1.0 schema shipped in ../shared/schemas.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use assert_cmd::Command;
use support::repo;

fn sarif_of(data: &str) -> serde_json::Value {
    let out = Command::cargo_bin("iampath")
        .unwrap()
        .current_dir(repo())
        .args(["lint", "--format", "sarif", "--data", data])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let schema_text =
        std::fs::read_to_string(repo().join("../shared/schemas/sarif-schema-2.1.0.json")).unwrap();
    // The published schema's `language` patterns end in `]?$`, a stray bracket that
    // ECMA regexes read as a literal and Rust's regex rejects: use the intended form.
    let bad = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(schema_text.contains(bad));
    let schema_text = schema_text.replace(bad, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for data in [
        "fixtures/scenarios/03-security-read-only-role",
        "fixtures/scenarios/04-cross-account-read-only-role",
        "../shared/corpus/cloudmapper-demo",
        "fixtures/quirks/escaped",
    ] {
        let sarif = sarif_of(data);
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{data}: {errors:#?}");
        for result in sarif["runs"][0]["results"].as_array().unwrap() {
            assert!(result["ruleId"].is_string());
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() >= 1, "{result}");
        }
    }
}

/// `escalations --to ARN --format sarif` reports the paths to that principal (one
/// result per principal `--format json` lists), not the paths to administrators.
#[test]
fn escalations_to_a_principal_as_sarif_follow_to() {
    let data = "tests/escalations/iam-vulnerable/111111111111";
    let target = "arn:aws:iam::111111111111:role/privesc-high-priv-service-role";
    let run = |format: &str| -> serde_json::Value {
        let out = Command::cargo_bin("iampath")
            .unwrap()
            .current_dir(repo())
            .args([
                "--data",
                data,
                "escalations",
                "--to",
                target,
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let json = run("json");
    let listed = json["escalations"].as_array().unwrap().len();
    assert!(listed > 10, "{listed}");
    let sarif = run("sarif");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), listed);
    for r in results {
        let text = r["message"]["text"].as_str().unwrap();
        assert!(text.contains(target), "{text}");
    }
}
