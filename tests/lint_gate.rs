//! The CI gate: configuration, baselines, assertions, diff, and the GitHub format.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use support::repo;

fn iampath(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("iampath").unwrap();
    c.current_dir(dir);
    c
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

const SCENARIO_3: &str = "fixtures/scenarios/03-security-read-only-role";

#[test]
fn unknown_config_keys_are_errors_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("iampath.toml"),
        "[rules]\ndisable = []\n\n[trusted]\naccount = [\"1\"]\n",
    )
    .unwrap();
    let out = iampath(dir.path())
        .args(["lint", "--data"])
        .arg(repo().join(SCENARIO_3))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("iampath.toml:5:") && err.contains("unknown field"),
        "{err}"
    );
}

#[test]
fn a_baseline_accepts_todays_findings_and_fails_on_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let data = repo().join(SCENARIO_3);
    let first = iampath(dir.path())
        .args(["lint", "--fail-on", "info", "--write-baseline"])
        .arg(&baseline)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(1), "scenario 3 has findings");
    let again = iampath(dir.path())
        .args([
            "lint",
            "--fail-on",
            "info",
            "--format",
            "json",
            "--baseline",
        ])
        .arg(&baseline)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    // Keys are rule + subject + statement: a baseline survives line shifts.
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(!text.contains("\"line\""), "{text}");
}

#[test]
fn a_violated_assertion_fails_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("iampath.toml"),
        r#"[[assert]]
principals = "arn:aws:iam::395362660951:user/StageAdmin"
action = "s3:GetObject"
resource = "arn:aws:s3:::production-test-bucket-101/report.csv"
expect = "deny"
reason = "development must not read production"
"#,
    )
    .unwrap();
    let out = iampath(dir.path())
        .args([
            "lint",
            "--format",
            "json",
            "--fail-on",
            "critical",
            "--data",
        ])
        .arg(repo().join("fixtures/scenarios/05-stage-role-bucket-policy"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "assertion")
        .unwrap();
    assert_eq!(f["severity"], "critical");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("development must not read production")
    );
}

#[test]
fn diff_identical_new_outside_trust_and_removal() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before");
    let after = dir.path().join("after");
    copy_dir(
        &repo().join("fixtures/scenarios/01-cross-account-signin"),
        &before,
    );
    copy_dir(&before, &after);
    let run = |a: &Path, b: &Path| {
        iampath(dir.path())
            .arg("diff")
            .arg(a)
            .arg(b)
            .args(["--format", "json"])
            .output()
            .unwrap()
    };

    let same = run(&before, &after);
    assert_eq!(same.status.code(), Some(0));

    // A role of production now trusts an account outside the data, with no ExternalId.
    let prod = after.join("472643299612-production/iam.json");
    let text = std::fs::read_to_string(&prod).unwrap();
    let opened = text.replacen(
        "\"AWS\": \"arn:aws:iam::395362660951:root\"",
        "\"AWS\": [\"arn:aws:iam::395362660951:root\", \"arn:aws:iam::777788889999:root\"]",
        1,
    );
    assert_ne!(opened, text, "the fixture's trust statement moved");
    std::fs::write(&prod, opened).unwrap();
    let out = run(&before, &after);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let new_paths = v["new_paths"].as_array().unwrap();
    assert!(
        new_paths
            .iter()
            .any(|p| p["from"] == "777788889999" && p["severity"] == "high"),
        "{v}"
    );

    // Removing it again never fails the gate.
    let back = run(&after, &before);
    assert_eq!(back.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&back.stdout).unwrap();
    assert!(!v["removed_paths"].as_array().unwrap().is_empty());
}

#[test]
fn github_format_prints_workflow_commands() {
    let out = iampath(&repo())
        .args([
            "lint",
            "--format",
            "github",
            "--fail-on",
            "critical",
            "--data",
            SCENARIO_3,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.is_empty());
    for line in text.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
        assert!(
            line.contains("file=fixtures/scenarios/03-security-read-only-role/")
                && line.contains(",line="),
            "{line}"
        );
    }
}

#[test]
fn lint_json_of_the_reference_scenarios() {
    for scenario in [
        "02-cross-account-role-s3",
        "03-security-read-only-role",
        "04-cross-account-read-only-role",
    ] {
        let out = iampath(&repo())
            .args([
                "lint",
                "--format",
                "json",
                "--fail-on",
                "critical",
                "--data",
            ])
            .arg(format!("fixtures/scenarios/{scenario}"))
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        insta::assert_json_snapshot!(format!("lint_{scenario}"), v);
    }
}

#[test]
fn diff_fails_on_a_new_public_bucket_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before");
    let after = dir.path().join("after");
    copy_dir(
        &repo().join("fixtures/scenarios/05-stage-role-bucket-policy"),
        &before,
    );
    copy_dir(&before, &after);
    let policy = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Public\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::prod-public-site/*\"}]}"}"#;
    std::fs::write(
        after.join("472643299612-production/s3/prod-public-site.json"),
        policy,
    )
    .unwrap();
    let out = iampath(dir.path())
        .arg("diff")
        .arg(&before)
        .arg(&after)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"public-principal"), "{v}");
    assert!(
        v["new_findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["subject"].as_str().unwrap().contains("prod-public-site")),
        "{v}"
    );
}

#[test]
fn trusted_vendor_accounts_and_ignores_drop_their_findings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_dir(
        &repo().join("fixtures/scenarios/01-cross-account-signin"),
        &data,
    );
    let prod = data.join("472643299612-production/iam.json");
    let text = std::fs::read_to_string(&prod).unwrap();
    let opened = text.replacen(
        "\"AWS\": \"arn:aws:iam::395362660951:root\"",
        "\"AWS\": [\"arn:aws:iam::395362660951:root\", \"arn:aws:iam::777788889999:root\"]",
        1,
    );
    std::fs::write(&prod, opened).unwrap();
    let rules_of = |config: Option<&str>| -> Vec<String> {
        let mut cmd = iampath(dir.path());
        cmd.args([
            "lint",
            "--format",
            "json",
            "--fail-on",
            "critical",
            "--data",
        ])
        .arg(&data);
        if let Some(c) = config {
            let path = dir.path().join("c.toml");
            std::fs::write(&path, c).unwrap();
            cmd.arg("--config").arg(path);
        }
        let out = cmd.output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        rules_of(None)
            .iter()
            .any(|r| r == "trust-external-no-external-id")
    );
    let trusted = rules_of(Some("[trusted]\naccounts = [\"777788889999\"]\n"));
    assert!(
        !trusted.iter().any(|r| r == "trust-external-no-external-id"),
        "{trusted:?}"
    );
    // Trust is matched on the finding's other account, not on text in its message
    // (which names the role's own account too).
    let own = rules_of(Some("[trusted]\naccounts = [\"472643299612\"]\n"));
    assert!(
        own.iter().any(|r| r == "trust-external-no-external-id"),
        "{own:?}"
    );
    let by_file = rules_of(Some(
        "[[ignore]]\nrule = \"trust-account-root\"\nfiles = [\"472643299612-production/**\"]\nreason = \"legacy account, reviewed\"\n",
    ));
    assert!(
        !by_file.iter().any(|r| r == "trust-account-root"),
        "{by_file:?}"
    );
    let other_file = rules_of(Some(
        "[[ignore]]\nrule = \"trust-account-root\"\nfiles = [\"395362660951-development/**\"]\nreason = \"not this one\"\n",
    ));
    assert!(
        other_file.iter().any(|r| r == "trust-account-root"),
        "{other_file:?}"
    );
    let ignored = rules_of(Some(
        "[[ignore]]\nrule = \"trust-account-root\"\nsubject = \"arn:aws:iam::472643299612:role/*\"\nreason = \"reviewed\"\n",
    ));
    assert!(
        !ignored.iter().any(|r| r == "trust-account-root"),
        "{ignored:?}"
    );
    let disabled = rules_of(Some(
        "[rules]\ndisable = [\"trust-external-no-external-id\"]\nseverity = { \"trust-account-root\" = \"critical\" }\n",
    ));
    assert!(
        !disabled
            .iter()
            .any(|r| r == "trust-external-no-external-id"),
        "{disabled:?}"
    );
}
