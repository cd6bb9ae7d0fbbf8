//! Real exports written by others (../shared/corpus) load as the issue says.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use iampath::ingest::Severity;
use support::*;

#[test]
fn cloudmapper_account_has_its_principals_and_resource_policies() {
    let loaded = load_one(corpus("cloudmapper-demo"));
    let a = &loaded.model.accounts["123456789012"];
    assert_eq!(loaded.model.accounts.len(), 1);
    assert_eq!((a.users.len(), a.roles.len(), a.groups.len()), (2, 4, 1));
    let counts = a.resource_counts();
    for (svc, n) in [("s3", 1), ("sqs", 1), ("sns", 2), ("lambda", 1), ("ecr", 1)] {
        assert_eq!(counts.get(svc), Some(&n), "{svc}: {counts:?}");
    }
    // The secret has no resource policy: a resource without a policy, not an error.
    let secret = a
        .resources
        .iter()
        .find(|r| r.service.as_str() == "secretsmanager")
        .unwrap();
    assert!(secret.policy.is_none());
    assert_eq!(
        secret.arn,
        "arn:aws:secretsmanager:us-east-1:0123456789012:secret:demo-secret-lfUPRe"
    );
    // ARNs are derived from the exports themselves where they carry them.
    let arns: Vec<&str> = a.resources.iter().map(|r| r.arn.as_str()).collect();
    for want in [
        "arn:aws:s3:::cloudmapper_demo",
        "arn:aws:sqs:us-east-1:123456789012:demo",
        "arn:aws:lambda:us-east-1:123456789012:function:invpclambda",
        "arn:aws:ecr:us-east-1:123456789012:repository/cloudmapper",
    ] {
        assert!(arns.contains(&want), "{want} not in {arns:?}");
    }
    assert!(!loaded.has_errors(), "{:?}", codes(&loaded));
}

#[test]
fn cloudmapper_sns_topics_take_their_arn_from_the_export() {
    let loaded = load_one(corpus("cloudmapper-demo"));
    let a = &loaded.model.accounts["123456789012"];
    let topics: Vec<&str> = a
        .resources
        .iter()
        .filter(|r| r.service.as_str() == "sns")
        .map(|r| r.arn.as_str())
        .collect();
    assert_eq!(topics.len(), 2);
    assert!(
        topics
            .iter()
            .all(|t| t.starts_with("arn:aws:sns:us-east-1:123456789012:")),
        "{topics:?}"
    );
}

#[test]
fn each_cloudsplaining_export_loads_as_one_account() {
    for file in [
        "cloudsplaining/example-2020.json",
        "cloudsplaining/example-authz-details.json",
    ] {
        let loaded = load_one(corpus(file));
        assert_eq!(loaded.model.accounts.len(), 1, "{file}");
        let a = loaded.model.accounts.values().next().unwrap();
        assert_eq!(a.id, "012345678901");
        assert!(a.users.len() >= 2 && a.roles.len() == 3, "{file}");
        assert!(
            a.managed_policies.len() >= 30,
            "{file}: {}",
            a.managed_policies.len()
        );
        assert!(!loaded.has_errors(), "{file}: {:?}", codes(&loaded));
    }
}

#[test]
fn aws_cli_example_warns_that_it_is_truncated() {
    let loaded = load_one(corpus("aws-cli-example/iam.json"));
    let d = only(&loaded, "export-truncated");
    assert_eq!(d.severity(), Severity::Warning);
    let a = &loaded.model.accounts["123456789012"];
    assert!(a.truncated);
    // AttachedManagedPolicies given as a single object still attaches.
    let admins = a.groups.iter().find(|g| g.name == "Admins").unwrap();
    assert_eq!(admins.attached.len(), 1);
    assert!(!loaded.has_errors(), "{:?}", codes(&loaded));
}

#[test]
fn the_one_invalid_aws_sample_scp_is_reported_at_line_15_and_the_others_load() {
    let loaded = load_one(corpus("aws-samples/scp"));
    let d = only(&loaded, "json-syntax");
    let file = loaded.sources.get(d.span.file).unwrap();
    assert!(
        file.name
            .ends_with("deny-service-specific-credential-by-type.json"),
        "{}",
        file.name
    );
    assert_eq!(line_col(&loaded, d).0, 15);
    assert_eq!(loaded.model.standalone.len(), 56);
    assert!(
        loaded
            .model
            .standalone
            .iter()
            .all(|p| p.kind == iampath::model::PolicyKind::ServiceControl)
    );
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", codes(&loaded));
}

#[test]
fn data_perimeter_examples_load_as_their_kinds() {
    let loaded = load_one(corpus("aws-samples/data-perimeter"));
    assert_eq!(loaded.model.standalone.len(), 21);
    assert!(!loaded.has_errors(), "{:?}", codes(&loaded));
}

#[test]
fn iamspy_files_load_and_their_oddities_are_reported() {
    let loaded = load_one(corpus("iamspy"));
    // Exports, resource lists and organization trees all land somewhere.
    assert!(loaded.model.accounts.contains_key("111111111111"));
    assert!(
        loaded
            .model
            .organization
            .as_ref()
            .and_then(|o| o.root.as_ref())
            .is_some()
    );
    let org = loaded.model.organization.as_ref().unwrap();
    assert!(org.policies.contains_key("p-FullAWSAccess"));
    // IAMSpy writes Principal as a bare ARN string, which AWS rejects: reported, kept.
    assert!(codes(&loaded).contains(&"wrong-type"));
    // Its SCP files are organization trees with inline policies, not exports.
    assert!(
        !codes(&loaded).contains(&"no-default-version"),
        "{:?}",
        codes(&loaded)
    );
    let root = org.root.as_ref().unwrap();
    assert!(
        root.children
            .iter()
            .any(|c| c.kind == iampath::model::OrgNodeKind::Account)
    );
}

#[test]
fn the_whole_corpus_loads_in_one_run() {
    let loaded = load_one(corpus(""));
    assert!(loaded.model.accounts.len() >= 4);
    assert!(loaded.sources.len() >= 100);
}
