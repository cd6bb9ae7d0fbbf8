//! CloudFormation templates and CDK `cdk.out` folders as input (`--template`), as a
//! new user and a CI gate run them: a two-account CDK app opens one cross-account
//! path, short-form YAML tags, parameters, mappings and conditions are evaluated,
//! values not known before deployment never hide access, and the shared corpus's
//! templates load with findings at their template lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::*;

const CDK: &str = "tests/iac/cdk-two-accounts/cdk.out";
const TAGS: &str = "tests/iac/cfn/short-tags.yaml";
const SCENARIO: &str = "fixtures/scenarios/05-stage-role-bucket-policy";

fn paths(v: &serde_json::Value) -> Vec<String> {
    v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} -> {} {} {}",
                p["from"].as_str().unwrap(),
                p["to"].as_str().unwrap(),
                p["action"].as_str().unwrap(),
                p["conditions"].as_array().map_or(0, Vec::len),
            )
        })
        .collect()
}

#[test]
fn a_two_account_cdk_app_opens_one_cross_account_path() {
    let (code, v) = json(&["--template", CDK, "paths", "--format", "json"]);
    assert_eq!(code, 0, "{v}");
    let p = paths(&v);
    assert!(!p.is_empty());
    // The role of the analytics stack (account 2) reads the bucket of the data stack
    // (account 1): the bucket ARN comes through Fn::ImportValue of the other stack.
    for line in &p {
        assert!(
            line.starts_with(
                "arn:aws:iam::222222222222:role/analytics-reader -> arn:aws:s3:::acme-reports-111111111111 s3:"
            ),
            "{line}"
        );
    }
    assert!(p.iter().any(|l| l.contains(" s3:GetObject 0")), "{p:?}");
    assert_eq!(v["paths"][0]["from_account"], "222222222222");
    assert_eq!(v["paths"][0]["to_account"], "111111111111");
}

#[test]
fn short_form_tags_parameters_mappings_and_conditions_are_evaluated() {
    let at = format!("{TAGS}=333333333333");
    let (_, v) = json(&["--template", &at, "lint", "--format", "json"]);
    let s = summary(&v);
    let subjects: Vec<&str> = s.iter().map(|f| f.1.as_str()).collect();
    // FindInMap of the default stage; the role name from !Sub of a parameter.
    assert!(
        subjects.contains(&"arn:aws:s3:::acme-prod-artifacts"),
        "{s:?}"
    );
    assert!(
        subjects.contains(&"arn:aws:iam::333333333333:role/prod-deployer"),
        "{s:?}"
    );
    // The condition IsProd holds: the admin policy is made, named after the stack.
    assert!(
        subjects.contains(&"arn:aws:iam::333333333333:policy/short-tags-admin"),
        "{s:?}"
    );
    // An unquoted account ID keeps its leading zero.
    let text = v.to_string();
    assert!(text.contains("account 012345678901"), "{text}");
    assert!(!text.contains("account 12345678901,"), "{text}");
    // Findings point at the template node.
    let trust = s
        .iter()
        .find(|f| f.0 == "trust-account-root")
        .unwrap_or_else(|| panic!("{s:?}"));
    // A resource with CDK metadata is named by logical ID and construct path.
    assert_eq!(
        (trust.2.as_str(), trust.3),
        ("Deployer (App/Deployer/Resource)", 54)
    );
}

#[test]
fn parameters_given_on_the_command_line_win_over_defaults() {
    let at = format!("{TAGS}=333333333333");
    let (_, v) = json(&[
        "--template",
        &at,
        "--parameters",
        "Stage=dev",
        "lint",
        "--format",
        "json",
    ]);
    let s = summary(&v);
    let subjects: Vec<&str> = s.iter().map(|f| f.1.as_str()).collect();
    assert!(
        subjects.contains(&"arn:aws:s3:::acme-dev-artifacts"),
        "{s:?}"
    );
    // IsProd is false: the admin policy is not made.
    assert!(
        !subjects.iter().any(|x| x.contains("short-tags-admin")),
        "{s:?}"
    );
}

#[test]
fn an_unknown_condition_makes_both_branches_conditional_and_a_known_one_definite() {
    let at = format!("{TAGS}=333333333333");
    // AuditAccount has no value: the audit statement may or may not exist, and its
    // principal is not known. The edge is conditional, never missing.
    let (_, v) = json(&["--template", &at, "paths", "--format", "json"]);
    let text = v.to_string();
    assert!(text.contains("iampath:KnownAfterApply"), "{text}");
    // Given, the statement is there for that account and unconditional.
    let (_, v) = json(&[
        "--template",
        &at,
        "--parameters",
        "AuditAccount=444444444444",
        "paths",
        "--format",
        "json",
    ]);
    let p = paths(&v);
    assert!(
        p.contains(
            &"444444444444 -> arn:aws:iam::333333333333:role/prod-deployer sts:AssumeRole 0"
                .to_string()
        ),
        "{p:?}"
    );
}

#[test]
fn parameter_files_in_the_three_shapes_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let at = format!("{}=333333333333", repo().join(TAGS).display());
    for (i, body) in [
        r#"{"Parameters": {"Stage": "dev"}}"#,
        r#"[{"ParameterKey": "Stage", "ParameterValue": "dev"}]"#,
        r#"["Stage=dev"]"#,
    ]
    .iter()
    .enumerate()
    {
        let file = dir.path().join(format!("p{i}.json"));
        std::fs::write(&file, body).unwrap();
        let f = file.display().to_string();
        let (_, v) = json(&[
            "--template",
            &at,
            "--parameters",
            &f,
            "lint",
            "--format",
            "json",
        ]);
        assert!(
            v.to_string().contains("acme-dev-artifacts"),
            "shape {i}: {v}"
        );
    }
}

#[test]
fn a_template_without_an_account_stops_the_run() {
    let (code, _, err) = run(&["--template", TAGS, "lint"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--template"), "{err}");
    assert!(err.contains("was not applied"), "{err}");
    assert!(err.contains("which account"), "{err}");
    // --account places it.
    let (code, _, err) = run(&["--template", TAGS, "--account", "333333333333", "lint"]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn an_environment_agnostic_cdk_stack_needs_an_account() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(
        out.join("manifest.json"),
        r#"{"version":"36.0.0","artifacts":{"S":{"type":"aws:cloudformation:stack","environment":"aws://unknown-account/unknown-region","properties":{"templateFile":"S.template.json"}}}}"#,
    )
    .unwrap();
    std::fs::write(
        out.join("S.template.json"),
        r#"{"Resources":{"R":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"r","AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}}}}}"#,
    )
    .unwrap();
    let o = out.display().to_string();
    let (code, _, err) = run(&["--template", &o, "lint"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown-account"), "{err}");
    let with = format!("{o}=555555555555");
    let (code, v) = json(&["--template", &with, "lint", "--format", "json"]);
    assert_eq!(code, 1);
    assert!(
        summary(&v)
            .iter()
            .any(|f| f.0 == "public-principal" && f.1 == "arn:aws:iam::555555555555:role/r"),
        "{v}"
    );
}

#[test]
fn the_shared_corpus_templates_load_with_findings_at_their_lines() {
    let checkov = corpus("checkov/cfn-public-assume-role.yml=123456789012");
    let c = checkov.display().to_string();
    let (code, v) = json(&["--template", &c, "lint", "--format", "json"]);
    assert_eq!(code, 1);
    let s = summary(&v);
    let public: Vec<(&str, u64)> = s
        .iter()
        .filter(|f| f.0 == "public-principal")
        .map(|f| (f.2.as_str(), f.3))
        .collect();
    assert_eq!(
        public,
        vec![("AWSStarPrincipal", 13), ("AWSStarPrincipalInList", 26)],
        "{s:?}"
    );
    let lint = corpus("cfn-lint/resource_policy.yaml=123456789012");
    let l = lint.display().to_string();
    let (code, out, err) = run(&["--template", &l, "load"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("resource policies: ecr 1, s3 2"), "{out}");
    let (_, v) = json(&["--template", &l, "lint", "--format", "json"]);
    let s = summary(&v);
    assert!(
        s.iter()
            .any(|f| f.0 == "public-principal" && f.2 == "WebsiteBucketPolicy" && f.3 == 15),
        "{s:?}"
    );
}

#[test]
fn diff_of_the_exports_against_the_exports_and_a_template() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("open.yaml");
    std::fs::write(
        &t,
        "Resources:\n  Open:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: prod-open\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: '*'\n            Action: s3:GetObject\n            Resource: !Sub 'arn:${AWS::Partition}:s3:::prod-open/*'\n",
    )
    .unwrap();
    let at = format!("{}=472643299612", t.display());
    let (code, v) = json(&[
        "--data",
        SCENARIO,
        "--template",
        &at,
        "diff",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{v}");
    let new = v["new_findings"].to_string();
    assert!(new.contains("public-principal"), "{new}");
    assert!(new.contains("arn:aws:s3:::prod-open"), "{new}");
    assert!(new.contains("\"address\":\"Open\""), "{new}");
}

#[test]
fn hostile_yaml_is_an_error_at_its_line_never_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "alias.yaml",
            "Resources:\n  A: &a {Type: AWS::IAM::Role}\n  B: *a\n",
            "alias",
        ),
        (
            "deep.yaml",
            &format!("Resources: {}{}\n", "[".repeat(5000), "]".repeat(5000)),
            "recursion limit",
        ),
        (
            "deep-block.yaml",
            &format!(
                "Resources:\n{}\n",
                (0..300)
                    .map(|i| format!("{}k{i}:", " ".repeat(2 * (i + 1))))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            "nesting deeper than 128",
        ),
        (
            "two.yaml",
            "Resources: {}\n---\nResources: {}\n",
            "more than one",
        ),
        ("broken.yaml", "Resources:\n  A: [1, 2\n", "invalid YAML"),
        ("list.yaml", "- 1\n- 2\n", "not a CloudFormation template"),
    ];
    for (name, body, expect) in cases {
        let f = dir.path().join(name);
        std::fs::write(&f, body).unwrap();
        let at = format!("{}=123456789012", f.display());
        let (code, _, err) = run(&["--template", &at, "lint"]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(expect), "{name}: {err}");
    }
}

#[test]
fn every_resource_policy_type_is_placed_on_its_resource() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("resources.yaml");
    let public = "PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: '*'\n            Action: '*'\n            Resource: '*'";
    std::fs::write(
        &t,
        format!(
            "Resources:
  Topic:
    Type: AWS::SNS::Topic
  TopicPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Topic]
      {public}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      {public}
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: db
  SecretPolicy:
    Type: AWS::SecretsManager::ResourcePolicy
    Properties:
      SecretId: !Ref Secret
      ResourcePolicy:
        Version: '2012-10-17'
        Statement:
          - {{Effect: Allow, Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*'}}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: worker
  Invoke:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Fn.Arn
      Action: lambda:InvokeFunction
      Principal: '*'
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - {{Effect: Allow, Principal: '*', Action: 'kms:Decrypt', Resource: '*'}}
"
        ),
    )
    .unwrap();
    let at = format!("{}=111111111111/eu-west-1", t.display());
    let (_, v) = json(&["--template", &at, "lint", "--format", "json"]);
    let mut public: Vec<(String, String)> = summary(&v)
        .into_iter()
        .filter(|f| f.0 == "public-principal")
        .map(|f| (f.1, f.2))
        .collect();
    public.sort();
    public.dedup();
    let r = "eu-west-1:111111111111";
    assert_eq!(
        public,
        vec![
            (
                format!("arn:aws:kms:{r}:key/(known-after-apply)-Key"),
                "Key".into()
            ),
            (
                format!("arn:aws:lambda:{r}:function:worker"),
                "Invoke".into()
            ),
            (
                format!("arn:aws:secretsmanager:{r}:secret:db-(known-after-apply)"),
                "SecretPolicy".into()
            ),
            (
                format!("arn:aws:sns:{r}:resources-Topic-(known-after-apply)"),
                "TopicPolicy".into()
            ),
            (format!("arn:aws:sqs:{r}:jobs"), "QueuePolicy".into()),
        ],
        "{v}"
    );
}

#[test]
fn identities_policies_attachments_and_groups_of_a_template() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("iam.json");
    let admin =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    std::fs::write(
        &t,
        format!(
            r#"{{"Resources": {{
  "Ops": {{"Type": "AWS::IAM::Group", "Properties": {{"GroupName": "ops"}}}},
  "Alice": {{"Type": "AWS::IAM::User", "Properties": {{"UserName": "alice"}}}},
  "Join": {{"Type": "AWS::IAM::UserToGroupAddition", "Properties": {{"GroupName": {{"Ref": "Ops"}}, "Users": [{{"Ref": "Alice"}}]}}}},
  "Admin": {{"Type": "AWS::IAM::ManagedPolicy", "Properties": {{"Groups": [{{"Ref": "Ops"}}], "PolicyDocument": {admin}}}}},
  "Inline": {{"Type": "AWS::IAM::Policy", "Properties": {{"PolicyName": "p", "Users": ["nobody"], "PolicyDocument": {admin}}}}}
}}}}"#
        ),
    )
    .unwrap();
    let at = format!("{}=111111111111", t.display());
    let (code, v) = json(&[
        "--template",
        &at,
        "can",
        "arn:aws:iam::111111111111:user/alice",
        "iam:CreateUser",
        "arn:aws:iam::111111111111:user/x",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["decision"], "allowed", "{v}");
    // The inline policy of a user neither the exports nor the template has is reported.
    let (_, out, err) = run(&["--template", &at, "load"]);
    assert!(
        format!("{out}{err}").contains("user `nobody` is in neither the exports nor the template"),
        "{out}{err}"
    );
}

#[test]
fn an_ignore_selects_template_resources_by_logical_id() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("iampath.toml");
    // `Deployer` has CDK metadata: its address carries the construct path as well.
    std::fs::write(
        &config,
        "[[ignore]]\nrule = \"trust-account-root\"\niac_address = \"Deployer\"\nreason = \"the partner account is trusted on purpose\"\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let at = format!("{TAGS}=333333333333");
    let rules = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["--template", at.as_str(), "lint", "--format", "json"];
        args.extend(extra);
        let (_, v) = json(&args);
        summary(&v).into_iter().map(|f| f.0).collect()
    };
    assert!(rules(&[]).contains(&"trust-account-root".to_string()));
    assert!(!rules(&["--config", &config]).contains(&"trust-account-root".to_string()));
}

#[test]
fn a_resource_or_property_written_twice_is_an_error_at_the_second() {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [
        (
            "dup.yaml",
            "Resources:\n  R:\n    Type: AWS::IAM::Group\n  R:\n    Type: AWS::IAM::Group\n",
        ),
        (
            "dup.json",
            r#"{"Resources": {"R": {"Type": "AWS::IAM::Group", "Properties": {"GroupName": "a", "GroupName": "b"}}}}"#,
        ),
    ] {
        let f = dir.path().join(name);
        std::fs::write(&f, body).unwrap();
        let at = format!("{}=123456789012", f.display());
        let (code, out, err) = run(&["--template", &at, "load"]);
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(
            format!("{out}{err}").contains("duplicate-key"),
            "{name}: {out}{err}"
        );
    }
}
