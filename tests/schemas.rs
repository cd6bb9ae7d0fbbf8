//! The JSON contract: `docs/schemas/<command>.json` is generated from the typed output
//! structs and must be current (`IAMPATH_UPDATE_SCHEMAS=1 cargo test --test schemas`
//! rewrites it), and every command's real output validates against its schema with no
//! field the schema does not name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use assert_cmd::Command;
use serde_json::Value;
use support::repo;

#[test]
fn the_published_schemas_are_current() {
    let dir = repo().join("docs/schemas");
    let update = std::env::var_os("IAMPATH_UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (name, schema) in iampath::report::schema::all() {
        let mut text = serde_json::to_string_pretty(&schema).unwrap();
        text.push('\n');
        let path = dir.join(format!("{name}.json"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "out of date (run IAMPATH_UPDATE_SCHEMAS=1 cargo test --test schemas): {stale:?}"
    );
}

/// The schema with `additionalProperties: false` on every object: the output must not
/// carry a field the contract does not name.
fn closed(mut schema: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.get("type") == Some(&Value::String("object".into()))
                    && map.contains_key("properties")
                {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut schema);
    schema
}

fn output(args: &[&str]) -> Value {
    let out = Command::cargo_bin("iampath")
        .unwrap()
        .current_dir(repo())
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn every_command_prints_what_its_schema_says() {
    let s5 = "fixtures/scenarios/05-stage-role-bucket-policy";
    let s3 = "fixtures/scenarios/03-security-read-only-role";
    let stage_admin = "arn:aws:iam::395362660951:user/StageAdmin";
    let object = "arn:aws:s3:::production-test-bucket-101/report.csv";
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("load", vec!["--data", s5, "load"]),
        ("load", vec!["--data", "fixtures/quirks/escaped", "load"]),
        (
            "simulate",
            vec!["simulate", "fixtures/simulate/scp-explicit-deny.json"],
        ),
        (
            "can",
            vec!["--data", s5, "can", stage_admin, "s3:GetObject", object],
        ),
        (
            "can",
            vec![
                "--data",
                s5,
                "can",
                "arn:aws:iam::395362660951:user/StageTester",
                "s3:GetObject",
                object,
            ],
        ),
        (
            "who-can",
            vec!["--data", s5, "who-can", "s3:GetObject", object],
        ),
        ("what-can", vec!["--data", s5, "what-can", stage_admin]),
        (
            "paths",
            vec![
                "--data",
                "fixtures/scenarios/04-cross-account-read-only-role",
                "paths",
            ],
        ),
        ("lint", vec!["--data", s3, "lint"]),
        (
            "lint",
            vec![
                "--data",
                s5,
                "--plan",
                "tests/iac/production-change/plan.json",
                "lint",
            ],
        ),
        (
            "diff",
            vec![
                "--data",
                s5,
                "--plan",
                "tests/iac/production-change/plan.json",
                "diff",
            ],
        ),
        (
            "escalations",
            vec!["--data", "tests/answers/escalation-basics", "escalations"],
        ),
        (
            "lint",
            vec!["--data", "../shared/corpus/cloudmapper-demo", "lint"],
        ),
        (
            "diff",
            vec![
                "diff",
                "fixtures/scenarios/03b-security-read-only-role-restricted",
                s3,
            ],
        ),
    ];
    let schemas: Vec<(&str, Value)> = iampath::report::schema::all()
        .into_iter()
        .map(|(n, s)| (n, closed(serde_json::to_value(s).unwrap())))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for (command, args) in runs {
        let schema = &schemas.iter().find(|(n, _)| *n == command).unwrap().1;
        let validator = jsonschema::validator_for(schema).unwrap();
        let doc = output(&args);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        seen.insert(command);
    }
    for (name, _) in &schemas {
        assert!(seen.contains(name), "no output of `{name}` is checked");
    }
}
