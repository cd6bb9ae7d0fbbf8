//! Real-world export quirks and the layout rules, each with a test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use iampath::ingest::Severity;
use iampath::model::{PolicyKind, PolicyOrigin};
use support::*;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn gaad_quirks_all_load() {
    let loaded = load_one(repo().join("fixtures/quirks/gaad-quirks"));
    let a = &loaded.model.accounts["333333333333"];
    assert_eq!(a.alias.as_deref(), Some("quirks"));
    // IsTruncated: true is a warning.
    assert_eq!(
        only(&loaded, "export-truncated").severity(),
        Severity::Warning
    );
    // AttachedManagedPolicies as an object; AdministratorAccess from the bundle.
    let admins = &a.groups[0];
    assert_eq!(admins.attached.len(), 1);
    let admin = &a.managed_policies["arn:aws:iam::aws:policy/AdministratorAccess"];
    assert_eq!(admin.origin, PolicyOrigin::Bundled);
    assert!(admin.document.is_some());
    assert_eq!(
        only(&loaded, "bundled-policy").severity(),
        Severity::Warning
    );
    // Missing lists: bob has no GroupList/Tags, the role no inline policies.
    let bob = a.users.iter().find(|u| u.name == "bob").unwrap();
    assert!(bob.groups.is_empty() && bob.tags.is_empty());
    // Both date shapes are accepted: no bad-date warning.
    assert!(!codes(&loaded).contains(&"bad-date"));
    // A Statement object instead of an array.
    let doc = bob.inline[0].document.as_ref().unwrap();
    assert_eq!(doc.statements.len(), 1);
    // A managed policy used only as a permissions boundary, default version v2.
    let boundary = &a.managed_policies["arn:aws:iam::333333333333:policy/DeveloperBoundary"];
    let actions = &boundary.document.as_ref().unwrap().statements[0]
        .action
        .as_ref()
        .unwrap()
        .values;
    assert_eq!(actions.len(), 2, "the default version (v2) was chosen");
    assert!(a.roles[0].boundary.is_some() && a.users[0].boundary.is_some());
    assert_eq!(
        a.roles[0].last_used.as_deref(),
        Some("2024-01-02T03:04:05+00:00")
    );
    assert!(!loaded.has_errors(), "{:?}", codes(&loaded));
}

#[test]
fn a_customer_managed_policy_that_cannot_be_resolved_names_its_owner() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "111111111111/iam.json",
        r#"{"RoleDetailList":[{"RoleName":"r","RoleId":"AROAX","Arn":"arn:aws:iam::111111111111:role/r",
      "AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]},
      "AttachedManagedPolicies":[{"PolicyName":"Gone","PolicyArn":"arn:aws:iam::111111111111:policy/Gone"}]}],"Policies":[]}"#,
    );
    let loaded = load_one(dir.path());
    let d = only(&loaded, "unresolved-policy");
    assert_eq!(d.severity(), Severity::Error);
    let msg = d.to_string();
    assert!(
        msg.contains("role `arn:aws:iam::111111111111:role/r`") && msg.contains("policy/Gone"),
        "{msg}"
    );
}

#[test]
fn folder_account_is_checked_against_the_arns_inside() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "111111111111/iam.json",
        r#"{"UserDetailList":[{"UserName":"u","UserId":"AIDAX","Arn":"arn:aws:iam::222222222222:user/u"}]}"#,
    );
    let loaded = load_one(dir.path());
    assert_eq!(
        only(&loaded, "account-mismatch").severity(),
        Severity::Error
    );
}

#[test]
fn an_export_outside_account_folders_takes_its_account_from_its_arns() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "exports/prod.json",
        r#"{"UserDetailList":[{"UserName":"u","UserId":"AIDAX","Arn":"arn:aws:iam::222222222222:user/u"}]}"#,
    );
    let loaded = load_one(dir.path());
    assert_eq!(loaded.model.accounts["222222222222"].users.len(), 1);
    assert!(loaded.diagnostics.is_empty(), "{:?}", codes(&loaded));
}

#[test]
fn a_resource_policy_outside_an_account_folder_says_where_it_belongs() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "b.json",
        r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}"#,
    );
    let loaded = load_one(dir.path());
    let d = only(&loaded, "misplaced-file");
    assert!(
        d.to_string().contains("<ACCOUNT_ID>/<service>/<name>.json"),
        "{d}"
    );
}

#[test]
fn one_broken_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "111111111111/a-broken.json",
        "{\"UserDetailList\": [",
    );
    write(
        dir.path(),
        "111111111111/b-good.json",
        r#"{"UserDetailList":[{"UserName":"u","UserId":"AIDAX","Arn":"arn:aws:iam::111111111111:user/u"}]}"#,
    );
    write(
        dir.path(),
        "111111111111/s3/c.json",
        "\u{feff}{\"Policy\": \"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"s3:GetObject\\\",\\\"Resource\\\":\\\"arn:aws:s3:::c/*\\\"}]}\"}",
    );
    std::fs::write(
        dir.path().join("111111111111/d-bytes.json"),
        [0x7b, 0xff, 0xfe, 0x00],
    )
    .unwrap();
    let loaded = load_one(dir.path());
    let c = codes(&loaded);
    assert!(
        c.contains(&"json-syntax") && c.contains(&"byte-order-mark") && c.contains(&"not-utf8"),
        "{c:?}"
    );
    let a = &loaded.model.accounts["111111111111"];
    assert_eq!(a.users.len(), 1);
    assert_eq!(a.resource_counts().get("s3"), Some(&1));
}

#[test]
fn symlink_loops_do_not_hang_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "111111111111/iam.json",
        r#"{"UserDetailList":[]}"#,
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), dir.path().join("111111111111/loop")).unwrap();
    let loaded = load_one(dir.path());
    #[cfg(unix)]
    assert!(
        codes(&loaded).contains(&"symlink-loop"),
        "{:?}",
        codes(&loaded)
    );
    assert!(loaded.model.accounts.contains_key("111111111111"));
}

#[test]
fn policy_kind_rules_principal_in_identity_and_missing_in_resource() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "111111111111/iam.json",
        r#"{"UserDetailList":[{"UserName":"u","UserId":"AIDAX","Arn":"arn:aws:iam::111111111111:user/u",
      "UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}}]}]}"#,
    );
    write(
        dir.path(),
        "111111111111/sqs/q.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}"#,
    );
    let loaded = load_one(dir.path());
    let forbidden = only(&loaded, "principal-forbidden");
    assert!(forbidden.to_string().contains("identity"));
    only(&loaded, "principal-missing");
}

#[test]
fn grammar_checks_become_diagnostics_with_stable_codes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policy.json",
        r#"{"Version":"2012-10-18","Statement":[
      {"Sid":"has space","Effect":"allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"},
      {"Effect":"Allow","Resource":"*","Condition":{"StringEquals":{"aws:x":null}}, "Actions":"x"},
      {"Effect":"Allow","Action":[],"Resource":"*","Condition":{"StringEquals":{"aws:x":"a","aws:x":"b"}}},
      {"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::*:root"},"Action":"s3:*","Resource":"*"}]}"#,
    );
    let loaded = load_one(dir.path());
    let mut c = codes(&loaded);
    c.sort_unstable();
    // The NotPrincipal makes the loose document a resource policy: the other three
    // statements lack a Principal, and resource policies accept any Sid.
    assert_eq!(
        c,
        [
            "condition-value",
            "duplicate-key",
            "empty-list",
            "notprincipal-allow",
            "policy-version",
            "principal-missing",
            "principal-missing",
            "principal-missing",
            "principal-wildcard",
            "statement-both-elements",
            "statement-effect",
            "statement-missing-element",
            "unknown-element",
        ]
    );
    assert_eq!(loaded.model.standalone[0].kind, PolicyKind::Resource);
    // Nothing is dropped: all four statements are in the model.
    assert_eq!(loaded.model.standalone[0].statements.len(), 4);
}

#[test]
fn organization_tree_and_policies_load() {
    let loaded = load_one(repo().join("fixtures/quirks/organization"));
    assert!(loaded.diagnostics.is_empty(), "{:?}", codes(&loaded));
    let org = loaded.model.organization.as_ref().unwrap();
    assert_eq!(
        org.management_account.as_ref().unwrap().value,
        "999999999999"
    );
    assert_eq!(org.id.as_deref(), Some("o-a1b2c3d4e5"));
    assert_eq!(org.policies.len(), 4);
    let path = org.path_to_account("222222222222").unwrap();
    assert_eq!(path.len(), 3, "root, OU Sandbox, the account");
}

#[test]
fn organization_level_without_a_policy_type_and_missing_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "organization/organization.json",
        r#"{"managementAccount":"999999999999","root":{"id":"r-1","policies":["p-FullAWSAccess"],
      "children":[{"id":"ou-1","name":"Dev","policies":["p-missing"],"accounts":[{"id":"222222222222","policies":["p-FullAWSAccess"]}]}]}}"#,
    );
    write(
        dir.path(),
        "organization/policies/p-FullAWSAccess.json",
        r#"{"Policy":{"PolicySummary":{"Id":"p-FullAWSAccess","Name":"FullAWSAccess","Type":"SERVICE_CONTROL_POLICY","AwsManaged":true},
      "Content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}}"#,
    );
    let loaded = load_one(dir.path());
    assert_eq!(
        only(&loaded, "org-missing-policy").severity(),
        Severity::Error
    );

    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "organization/organization.json",
        r#"{"managementAccount":"999999999999","root":{"id":"r-1","policies":["p-FullAWSAccess"],
      "children":[{"id":"ou-1","name":"Dev","policies":[],"accounts":[{"id":"222222222222","policies":["p-FullAWSAccess"]}]}]}}"#,
    );
    write(
        dir.path(),
        "organization/policies/p-FullAWSAccess.json",
        r#"{"Policy":{"PolicySummary":{"Id":"p-FullAWSAccess","Name":"FullAWSAccess","Type":"SERVICE_CONTROL_POLICY","AwsManaged":true},
      "Content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}}"#,
    );
    let loaded = load_one(dir.path());
    assert!(
        only(&loaded, "org-empty-level")
            .to_string()
            .contains("OU Dev")
    );
}

#[test]
fn folder_named_like_an_account_but_not_12_digits_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "12345678901-dev/iam.json",
        r#"{"UserDetailList":[{"UserName":"u","UserId":"AIDAX","Arn":"arn:aws:iam::111111111111:user/u"}]}"#,
    );
    let loaded = load_one(dir.path());
    only(&loaded, "account-folder-name");
    assert!(loaded.model.accounts.contains_key("111111111111"));
}

#[test]
fn deep_nesting_and_size_limits_are_errors_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deep.json", &"[".repeat(200_000));
    let loaded = load_one(dir.path());
    assert!(
        only(&loaded, "json-syntax")
            .to_string()
            .contains("nesting deeper")
    );
    let opts = iampath::ingest::LoadOptions {
        max_file_size: 10,
        ..Default::default()
    };
    let loaded = iampath::ingest::load(&[dir.path().to_path_buf()], &opts);
    only(&loaded, "file-too-large");
}

#[test]
fn a_single_version_that_is_not_the_default_leaves_the_policy_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let policy = |default: &str, flag: &str| {
        format!(
            r#"{{"PolicyName":"P","PolicyId":"ANPAX","Arn":"arn:aws:iam::111111111111:policy/P","Path":"/",
            "DefaultVersionId":"{default}","PolicyVersionList":[{{"VersionId":"v1","IsDefaultVersion":{flag},
            "Document":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*"}}]}}}}]}}"#
        )
    };
    write(
        dir.path(),
        "111111111111/iam.json",
        &format!(
            r#"{{"UserDetailList":[],"RoleDetailList":[],"GroupDetailList":[],"Policies":[{}]}}"#,
            policy("v3", "false")
        ),
    );
    let loaded = load_one(dir.path());
    assert_eq!(
        only(&loaded, "no-default-version").severity(),
        Severity::Error
    );
    let p = &loaded.model.accounts["111111111111"].managed_policies["arn:aws:iam::111111111111:policy/P"];
    assert!(p.document.is_none(), "v1 is not the default version");
    // The same single version without a contradiction is the default.
    write(
        dir.path(),
        "111111111111/iam.json",
        &format!(
            r#"{{"UserDetailList":[],"RoleDetailList":[],"GroupDetailList":[],"Policies":[{}]}}"#,
            policy("v1", "true")
        ),
    );
    let loaded = load_one(dir.path());
    assert!(!codes(&loaded).contains(&"no-default-version"));
}

#[test]
fn files_whose_folder_says_what_they_are_must_have_that_shape() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "organization/organization.json", "[]");
    write(
        dir.path(),
        "organization/policies/p-1.json",
        r#"{"Nope": 1}"#,
    );
    write(
        dir.path(),
        "111111111111/sqs/q.json",
        r#"{"Attributes":"x"}"#,
    );
    write(dir.path(), "111111111111/s3/b.json", r#"[1, 2]"#);
    let loaded = load_one(dir.path());
    let shapes: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code() == "wrong-shape")
        .collect();
    assert_eq!(shapes.len(), 4, "{:?}", codes(&loaded));
    assert!(shapes.iter().all(|d| d.severity() == Severity::Error));
    assert!(!codes(&loaded).contains(&"unknown-shape"));
}

#[test]
fn an_empty_condition_key_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "111111111111/s3/b.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
        "Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"":"x"}}}]}"#,
    );
    let loaded = load_one(dir.path());
    assert_eq!(only(&loaded, "condition-key").severity(), Severity::Error);
}
