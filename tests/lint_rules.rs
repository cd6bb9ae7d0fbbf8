//! The rule catalog: every rule against a positive and a negative fixture
//! (`tests/lint/<rule>/{bad,good}`), severities, and the reference scenarios.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use iampath::graph::Graph;
use iampath::ingest::{self, LoadOptions, Loaded};
use iampath::lint::{self, Context, Finding, Severity};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A folder linted with every rule.
struct Linted {
    loaded: Loaded,
    findings: Vec<Finding>,
}

impl Linted {
    fn of(dir: &Path) -> Linted {
        assert!(dir.is_dir(), "{} is not a folder", dir.display());
        let loaded = ingest::load(&[dir.to_path_buf()], &LoadOptions::default());
        let graph = Graph::build(&loaded.model, &[]);
        let findings = lint::run(&Context::new(&loaded.model, &loaded.diagnostics), &graph);
        Linted { loaded, findings }
    }

    fn fixture(rel: &str) -> Linted {
        Linted::of(&repo().join("tests/lint").join(rel))
    }

    fn scenario(name: &str) -> Linted {
        Linted::of(&repo().join("fixtures/scenarios").join(name))
    }

    /// The findings of one rule.
    fn of_rule(&self, rule: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.rule == rule).collect()
    }

    fn rules(&self) -> BTreeSet<&'static str> {
        self.findings.iter().map(|f| f.rule).collect()
    }

    /// The file (its path) and 1-based line of a finding.
    fn place(&self, f: &Finding) -> (PathBuf, usize) {
        let span = f
            .span
            .unwrap_or_else(|| panic!("{} finding without a span: {}", f.rule, f.message));
        let file = self.loaded.sources.get(span.file).unwrap();
        (file.path.clone(), file.line_col(span.start).0)
    }

    /// `rule severity subject file:line [statement]`, one line per finding.
    fn summary(&self) -> Vec<String> {
        self.findings
            .iter()
            .map(|f| {
                let (path, line) = self.place(f);
                let parent = path
                    .parent()
                    .and_then(Path::file_name)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                format!(
                    "{} {} {} {parent}/{name}:{line} [{}]",
                    f.rule,
                    f.severity.as_str(),
                    f.subject,
                    f.statement.as_deref().unwrap_or("")
                )
            })
            .collect()
    }
}

/// 1-based line of the first occurrence of `needle` in the file.
fn line_of(file: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(file).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {}", file.display()));
    text[..at].matches('\n').count() + 1
}

/// One expected finding: the file (relative to the fixture), a needle on its line,
/// the severity and the statement label.
type Hit = (&'static str, &'static str, Severity, &'static str);

/// The positive fixture raises exactly `hits` of `rule` (and no rule outside `rule`
/// and `also`); the negative fixture raises none of `rule`.
fn check_rule(rule: &str, hits: &[Hit], also: &[&str]) {
    assert!(
        lint::rules::registry().iter().any(|r| r.id() == rule),
        "{rule} is not registered"
    );
    let dir = repo().join("tests/lint").join(rule);
    let bad = Linted::of(&dir.join("bad"));
    let found = bad.of_rule(rule);
    let mut got: Vec<(PathBuf, usize, Severity, String)> = found
        .iter()
        .map(|f| {
            let (path, line) = bad.place(f);
            (
                path,
                line,
                f.severity,
                f.statement.clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut want: Vec<(PathBuf, usize, Severity, String)> = hits
        .iter()
        .map(|(file, needle, severity, statement)| {
            let path = dir.join("bad").join(file);
            let line = line_of(&path, needle);
            (path, line, *severity, statement.to_string())
        })
        .collect();
    got.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    want.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    assert_eq!(got, want, "{rule} on its bad fixture: {:#?}", bad.summary());
    for f in &found {
        assert!(!f.message.is_empty(), "{rule}: empty message");
        assert!(!f.subject.is_empty(), "{rule}: empty subject");
        assert!(f.account.is_some(), "{rule}: no account");
        let first = f.message.chars().next().unwrap();
        assert!(
            !first.is_uppercase() && !f.message.ends_with('.'),
            "{rule}: messages are lowercase without a trailing period: {}",
            f.message
        );
    }
    let extra: Vec<&str> = bad
        .rules()
        .into_iter()
        .filter(|r| *r != rule && !also.contains(r))
        .collect();
    assert!(
        extra.is_empty(),
        "{rule}'s bad fixture also raises {extra:?}: {:#?}",
        bad.summary()
    );
    let good = Linted::of(&dir.join("good"));
    assert!(
        good.of_rule(rule).is_empty(),
        "{rule} on its good fixture: {:#?}",
        good.summary()
    );
}

const IAM_A: &str = "111111111111/iam.json";

// ---------------------------------------------------------------------------------------
// The catalog

#[test]
fn registry_ids_are_unique_kebab_case_with_docs() {
    let rules = lint::rules::registry();
    assert_eq!(rules.len(), 19);
    let mut ids = BTreeSet::new();
    for r in &rules {
        let id = r.id();
        assert!(ids.insert(id), "duplicate rule id {id}");
        assert!(
            id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') && !id.starts_with('-'),
            "{id} is not kebab-case"
        );
        assert!(!r.summary().is_empty() && !r.summary().contains('\n'));
        let doc = r.doc();
        assert!(
            doc.contains("Bad") && doc.contains("Good"),
            "{id}: doc needs examples"
        );
        // Both examples are JSON (statements or documents), or Terraform for the rules
        // about plans.
        let hcl = doc.split("```hcl").count() - 1;
        let blocks: Vec<&str> = doc.split("```json").skip(1).collect();
        assert_eq!(blocks.len() + hcl, 2, "{id}: a bad and a good example");
        for b in blocks {
            let json = b.split("```").next().unwrap();
            serde_json::from_str::<serde_json::Value>(json)
                .unwrap_or_else(|e| panic!("{id}: example is not JSON ({e}): {json}"));
        }
        assert!(lint::rules::find(id).is_some());
    }
    let expected = [
        "resource-star",
        "action-star",
        "assume-role-any",
        "trust-account-root",
        "trust-external-no-external-id",
        "trust-service-no-source",
        "public-principal",
        "notprincipal-allow",
        "notaction-allow",
        "notresource-allow",
        "dangling-principal",
        "unmatched-resource",
        "resource-other-account",
        "unknown-action",
        "invalid-policy",
        "cross-account-admin",
        "external-access",
        "privilege-escalation",
        "iac-unknown-policy",
    ];
    assert_eq!(ids, expected.into_iter().collect());
}

#[test]
fn default_severities() {
    let sev = |id: &str| lint::rules::find(id).unwrap().severity();
    assert_eq!(sev("action-star"), Severity::High);
    assert_eq!(sev("iac-unknown-policy"), Severity::High);
    assert_eq!(sev("assume-role-any"), Severity::High);
    assert_eq!(sev("trust-account-root"), Severity::Medium);
    assert_eq!(sev("trust-external-no-external-id"), Severity::High);
    assert_eq!(sev("trust-service-no-source"), Severity::Medium);
    assert_eq!(sev("public-principal"), Severity::High);
    assert_eq!(sev("notprincipal-allow"), Severity::High);
    assert_eq!(sev("notaction-allow"), Severity::Medium);
    assert_eq!(sev("notresource-allow"), Severity::Medium);
    assert_eq!(sev("dangling-principal"), Severity::Low);
    assert_eq!(sev("unmatched-resource"), Severity::Medium);
    assert_eq!(sev("unknown-action"), Severity::Low);
    assert_eq!(sev("invalid-policy"), Severity::Medium);
    assert_eq!(sev("cross-account-admin"), Severity::Critical);
    assert_eq!(sev("external-access"), Severity::High);
}

// ---------------------------------------------------------------------------------------
// One positive and one negative fixture per rule

#[test]
fn resource_star() {
    check_rule(
        "resource-star",
        &[(IAM_A, r#""Resource": "*""#, Severity::Medium, "Uploads")],
        &[],
    );
}

#[test]
fn resource_star_severity_follows_the_access_level() {
    let l = Linted::fixture("resource-star/levels");
    let mut by_statement: Vec<(String, Severity)> = l
        .of_rule("resource-star")
        .iter()
        .map(|f| (f.statement.clone().unwrap(), f.severity))
        .collect();
    by_statement.sort();
    assert_eq!(
        by_statement,
        vec![
            ("PermissionsLevel".to_string(), Severity::High),
            ("ReadLevel".to_string(), Severity::Low),
            ("WriteLevel".to_string(), Severity::Medium),
        ]
    );
}

#[test]
fn action_star() {
    check_rule(
        "action-star",
        &[
            (IAM_A, r#""s3:*""#, Severity::Medium, "Reports"),
            (IAM_A, r#""Action": "*""#, Severity::High, "Archive"),
        ],
        &[],
    );
}

#[test]
fn assume_role_any() {
    check_rule(
        "assume-role-any",
        &[(
            IAM_A,
            "arn:aws:iam::*:role/Deploy",
            Severity::High,
            "AnyAccount",
        )],
        &[],
    );
}

#[test]
fn trust_account_root() {
    check_rule(
        "trust-account-root",
        &[(
            IAM_A,
            "arn:aws:iam::222222222222:root",
            Severity::Medium,
            "#0",
        )],
        &[],
    );
}

#[test]
fn trust_account_root_severity() {
    let sev = |rel: &str| {
        let l = Linted::fixture(rel);
        let f = l.of_rule("trust-account-root");
        assert_eq!(f.len(), 1, "{rel}: {:#?}", l.summary());
        f[0].severity
    };
    // Its own account: low.
    assert_eq!(sev("trust-account-root/own"), Severity::Low);
    // Another loaded account: medium.
    assert_eq!(sev("trust-account-root/bad"), Severity::Medium);
    // An account outside the loaded data: high.
    assert_eq!(sev("cross-account-admin/chain"), Severity::High);
    // A loaded account, admin-equivalent role: high.
    assert_eq!(sev("cross-account-admin/bad"), Severity::High);
    // Outside and admin-equivalent: critical.
    assert_eq!(sev("trust-account-root/external-admin"), Severity::Critical);
}

#[test]
fn trust_external_no_external_id() {
    check_rule(
        "trust-external-no-external-id",
        &[(
            IAM_A,
            "arn:aws:iam::999999999999:role/VendorScanner",
            Severity::High,
            "#0",
        )],
        // The outside principal can assume the role: that is a way in too.
        &["external-access"],
    );
}

#[test]
fn trust_service_no_source() {
    check_rule(
        "trust-service-no-source",
        &[(IAM_A, "sns.amazonaws.com", Severity::Medium, "#0")],
        &[],
    );
}

#[test]
fn public_principal() {
    check_rule(
        "public-principal",
        &[(
            "111111111111/s3/public-site.json",
            r#""Principal": "*""#,
            Severity::High,
            "PublicRead",
        )],
        &["external-access"],
    );
}

#[test]
fn public_principal_in_a_trust_policy_is_critical() {
    let l = Linted::fixture("public-principal/trust");
    let f = l.of_rule("public-principal");
    assert_eq!(f.len(), 1, "{:#?}", l.summary());
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].subject, "arn:aws:iam::111111111111:role/Open");
    let file = repo().join("tests/lint/public-principal/trust").join(IAM_A);
    assert_eq!(l.place(f[0]).1, line_of(&file, r#""AWS": "*""#));
}

#[test]
fn notprincipal_allow() {
    check_rule(
        "notprincipal-allow",
        &[(
            "111111111111/s3/reports.json",
            "\"NotPrincipal\"",
            Severity::High,
            "AllButMallory",
        )],
        &[],
    );
}

#[test]
fn notaction_allow() {
    check_rule(
        "notaction-allow",
        &[(IAM_A, r#""NotAction""#, Severity::Medium, "AllButIam")],
        &[],
    );
}

#[test]
fn notresource_allow() {
    check_rule(
        "notresource-allow",
        &[(IAM_A, r#""NotResource""#, Severity::Medium, "AllButAudit")],
        &[],
    );
}

#[test]
fn dangling_principal() {
    check_rule(
        "dangling-principal",
        &[(IAM_A, "AROAZZZZZZZZZZZZZZZZZ", Severity::Low, "#0")],
        &[],
    );
}

#[test]
fn resource_other_account() {
    check_rule(
        "resource-other-account",
        &[(
            "111111111111/lambda/report-builder.json",
            "report-builder",
            Severity::Medium,
            "InvokeFromEvents",
        )],
        &[],
    );
}

#[test]
fn unmatched_resource() {
    check_rule(
        "unmatched-resource",
        &[(
            IAM_A,
            r#""arn:aws:iam::222222222222:role""#,
            Severity::Medium,
            "NoName",
        )],
        &[],
    );
}

#[test]
fn unknown_action() {
    check_rule(
        "unknown-action",
        &[(IAM_A, "s3:GetObjekt", Severity::Low, "Typo")],
        &[],
    );
}

#[test]
fn invalid_policy() {
    check_rule(
        "invalid-policy",
        &[(IAM_A, r#""allow""#, Severity::Medium, "LowerCase")],
        &[],
    );
    let l = Linted::fixture("invalid-policy/bad");
    assert_eq!(
        l.of_rule("invalid-policy")[0].subject,
        "arn:aws:iam::111111111111:user/alice"
    );
}

#[test]
fn cross_account_admin() {
    check_rule(
        "cross-account-admin",
        &[(
            IAM_A,
            "arn:aws:iam::222222222222:root",
            Severity::Critical,
            "#0",
        )],
        &["trust-account-root"],
    );
    let l = Linted::fixture("cross-account-admin/bad");
    let f = l.of_rule("cross-account-admin")[0];
    assert_eq!(f.subject, "arn:aws:iam::111111111111:role/Admin");
    let hops: Vec<(&str, &str)> = f.path.iter().map(|h| (&*h.from, &*h.to)).collect();
    assert_eq!(
        hops,
        [(
            "arn:aws:iam::222222222222:user/ops",
            "arn:aws:iam::111111111111:role/Admin"
        )]
    );
}

#[test]
fn cross_account_admin_through_a_chain() {
    // Any principal of an outside account reaches `Hop`, which may assume `Admin`.
    let l = Linted::fixture("cross-account-admin/chain");
    let f = l.of_rule("cross-account-admin");
    assert_eq!(f.len(), 1, "{:#?}", l.summary());
    assert_eq!(f[0].subject, "arn:aws:iam::111111111111:role/Admin");
    assert_eq!(f[0].path.len(), 2);
    assert_eq!(&*f[0].path[0].from, "999999999999");
    assert!(f[0].message.contains("any principal of the account"));
    let file = repo()
        .join("tests/lint/cross-account-admin/chain")
        .join(IAM_A);
    assert_eq!(
        l.place(f[0]).1,
        line_of(&file, r#""AWS": "arn:aws:iam::111111111111:role/Hop""#)
    );
}

#[test]
fn external_access() {
    check_rule(
        "external-access",
        &[(
            "111111111111/s3/shared.json",
            "arn:aws:iam::999999999999:root",
            Severity::High,
            "Partner",
        )],
        &[],
    );
    let l = Linted::fixture("external-access/bad");
    let f = l.of_rule("external-access")[0];
    assert_eq!(f.subject, "arn:aws:s3:::shared");
    assert_eq!(f.path.len(), 1);
    assert_eq!(&*f.path[0].from, "arn:aws:iam::999999999999:root");
    assert_eq!(&*f.path[0].to, "arn:aws:s3:::shared");
}

#[test]
fn external_access_into_a_role_carries_the_edge() {
    let l = Linted::fixture("trust-external-no-external-id/bad");
    let f = l.of_rule("external-access");
    assert_eq!(f.len(), 1, "{:#?}", l.summary());
    assert_eq!(f[0].subject, "arn:aws:iam::111111111111:role/Vendor");
    assert_eq!(f[0].path.len(), 1);
    assert_eq!(
        &*f[0].path[0].from,
        "arn:aws:iam::999999999999:role/VendorScanner"
    );
    assert_eq!(f[0].path[0].action, "sts:AssumeRole");
}

// ---------------------------------------------------------------------------------------
// The reference scenarios

const SCENARIOS: &[&str] = &[
    "01-cross-account-signin",
    "02-cross-account-role-s3",
    "03-security-read-only-role",
    "03b-security-read-only-role-restricted",
    "04-cross-account-read-only-role",
    "05-stage-role-bucket-policy",
];

const A: &str = "472643299612-production/iam.json";
const B: &str = "395362660951-development/iam.json";

fn scenario_file(scenario: &str, file: &str) -> PathBuf {
    repo().join("fixtures/scenarios").join(scenario).join(file)
}

#[test]
fn scenarios_raise_nothing_spurious() {
    for s in SCENARIOS {
        let l = Linted::scenario(s);
        for rule in ["invalid-policy", "unknown-action", "dangling-principal"] {
            assert!(
                l.of_rule(rule).is_empty(),
                "{s} raises {rule}: {:#?}",
                l.summary()
            );
        }
    }
}

#[test]
fn scenario_03_flags_the_star_assume_and_the_account_trust() {
    let s = "03-security-read-only-role";
    let l = Linted::scenario(s);
    let assume = l.of_rule("assume-role-any");
    assert_eq!(assume.len(), 1, "{:#?}", l.summary());
    assert_eq!(
        assume[0].subject,
        "arn:aws:iam::472643299612:group/SecurityReadOnlyGroup"
    );
    let place = l.place(assume[0]);
    assert!(place.0.ends_with(A));
    assert_eq!(place.1, 103);
    let trust = l.of_rule("trust-account-root");
    assert_eq!(trust.len(), 1, "{:#?}", l.summary());
    assert_eq!(
        trust[0].subject,
        "arn:aws:iam::395362660951:role/SecurityReadOnlyRole"
    );
    let place = l.place(trust[0]);
    assert!(place.0.ends_with(B));
    assert_eq!(
        place.1,
        line_of(&scenario_file(s, B), "arn:aws:iam::472643299612:root")
    );
}

#[test]
fn scenario_03b_keeps_the_star_assume_but_not_the_account_trust() {
    let l = Linted::scenario("03b-security-read-only-role-restricted");
    assert_eq!(l.of_rule("assume-role-any").len(), 1, "{:#?}", l.summary());
    assert!(
        !l.of_rule("trust-account-root")
            .iter()
            .any(|f| f.subject.ends_with(":role/SecurityReadOnlyRole")),
        "{:#?}",
        l.summary()
    );
}

#[test]
fn scenario_04_flags_the_wildcard_account() {
    let s = "04-cross-account-read-only-role";
    let l = Linted::scenario(s);
    let f = l.of_rule("assume-role-any");
    assert_eq!(f.len(), 1, "{:#?}", l.summary());
    assert_eq!(
        f[0].subject,
        "arn:aws:iam::395362660951:policy/CloudQueryCrossAccountReadOnlyAccess"
    );
    assert!(
        f[0].message
            .contains("arn:aws:iam::*:role/CrossAccountReadOnlyRole")
    );
    let place = l.place(f[0]);
    assert!(place.0.ends_with(B));
    assert_eq!(
        place.1,
        line_of(
            &scenario_file(s, B),
            "arn:aws:iam::*:role/CrossAccountReadOnlyRole"
        )
    );
}

#[test]
fn scenario_02_flags_the_role_arn_without_a_name() {
    let l = Linted::scenario("02-cross-account-role-s3");
    let f = l.of_rule("unmatched-resource");
    assert_eq!(f.len(), 1, "{:#?}", l.summary());
    assert_eq!(
        f[0].subject,
        "arn:aws:iam::395362660951:policy/CrossAccountPolicy"
    );
    assert!(f[0].message.contains("arn:aws:iam::472643299612:role"));
    let place = l.place(f[0]);
    assert!(place.0.ends_with(B));
    assert_eq!(place.1, 269);
}

/// Every finding of every scenario, so that a new rule or a changed one shows up here.
#[test]
fn scenario_findings() {
    let expect: &[(&str, &[&str])] = &[
        (
            "01-cross-account-signin",
            &[
                "trust-account-root medium arn:aws:iam::472643299612:role/CrossAccountSignin 472643299612-production/iam.json:137 [#0]",
            ],
        ),
        (
            "02-cross-account-role-s3",
            &[
                // AmazonEC2FullAccess lets them rewrite the user data of an instance
                // that runs as dev-build-ec2-role, if one does (ec2-002).
                "privilege-escalation high arn:aws:iam::395362660951:user/EC2UserForCrossAccount 395362660951-development/iam.json:205 [#0]",
                "privilege-escalation high arn:aws:iam::395362660951:user/ops-oncall 395362660951-development/iam.json:205 [#0]",
                "unmatched-resource medium arn:aws:iam::395362660951:policy/CrossAccountPolicy 395362660951-development/iam.json:269 [#0]",
                "trust-account-root medium arn:aws:iam::472643299612:role/CrossAccountRoleS3 472643299612-production/iam.json:137 [#0]",
            ],
        ),
        (
            "03-security-read-only-role",
            &[
                "trust-account-root medium arn:aws:iam::395362660951:role/SecurityReadOnlyRole 395362660951-development/iam.json:137 [#0]",
                "assume-role-any high arn:aws:iam::472643299612:group/SecurityReadOnlyGroup 472643299612-production/iam.json:103 [Stmt1678358823000]",
                "resource-star low arn:aws:iam::472643299612:group/Billing 472643299612-production/iam.json:138 [ViewBillingAndCost]",
            ],
        ),
        (
            "03b-security-read-only-role-restricted",
            &[
                "assume-role-any high arn:aws:iam::472643299612:group/SecurityReadOnlyGroup 472643299612-production/iam.json:103 [Stmt1678358823000]",
                "resource-star low arn:aws:iam::472643299612:group/Billing 472643299612-production/iam.json:138 [ViewBillingAndCost]",
            ],
        ),
        (
            "04-cross-account-read-only-role",
            &[
                "trust-account-root medium arn:aws:iam::287649859205:role/CrossAccountReadOnlyRole 287649859205-log-archive/iam.json:50 [#0]",
                "trust-account-root medium arn:aws:iam::292174209821:role/CrossAccountReadOnlyRole 292174209821-staging/iam.json:137 [#0]",
                "assume-role-any high arn:aws:iam::395362660951:policy/CloudQueryCrossAccountReadOnlyAccess 395362660951-development/iam.json:224 [VisualEditor0]",
                "trust-account-root medium arn:aws:iam::472643299612:role/CrossAccountReadOnlyRole 472643299612-production/iam.json:137 [#0]",
            ],
        ),
        (
            "05-stage-role-bucket-policy",
            &[
                "trust-account-root medium arn:aws:iam::472643299612:role/StageRole 472643299612-production/iam.json:137 [#0]",
            ],
        ),
    ];
    for (s, want) in expect {
        let got = Linted::scenario(s).summary();
        assert_eq!(got, want.to_vec(), "{s}");
    }
}

// ---------------------------------------------------------------------------------------
// The cloudmapper corpus

fn cloudmapper() -> Option<Linted> {
    let dir = repo().join("../shared/corpus/cloudmapper-demo");
    // CI has shared/ beside the checkout; skip quietly where it does not.
    dir.is_dir().then(|| Linted::of(&dir))
}

#[test]
fn cloudmapper_public_bucket_queue_and_topic() {
    let Some(l) = cloudmapper() else {
        return;
    };
    let public: BTreeSet<&str> = l
        .of_rule("public-principal")
        .iter()
        .map(|f| f.subject.as_str())
        .collect();
    for subject in [
        "arn:aws:s3:::cloudmapper_demo",
        "arn:aws:sqs:us-east-1:123456789012:demo",
        "arn:aws:sns:us-east-1:123456789012:demo_public",
    ] {
        assert!(public.contains(subject), "{subject}: {:#?}", l.summary());
    }
    // The private topic is limited to its owner with aws:SourceOwner.
    assert!(
        !public.contains("arn:aws:sns:us-east-1:123456789012:demo_private"),
        "{:#?}",
        l.summary()
    );
    for f in l.of_rule("public-principal") {
        let (path, line) = l.place(f);
        assert!(path.to_string_lossy().contains("cloudmapper-demo"));
        assert!(line >= 1);
    }
    // The SNS default policy's `SNS:Receive` is AWS's own, not a typo.
    assert!(
        !l.of_rule("unknown-action")
            .iter()
            .any(|f| f.message.contains("SNS:Receive")),
        "{:#?}",
        l.summary()
    );
}

#[test]
fn rules_run_on_every_corpus_without_panicking() {
    for rel in ["cloudsplaining", "iamspy", "aws-cli-example", "aws-samples"] {
        let dir = repo().join("../shared/corpus").join(rel);
        if !dir.is_dir() {
            continue;
        }
        let l = Linted::of(&dir);
        for f in &l.findings {
            assert!(!f.message.is_empty());
            // Every finding points at a real place of a loaded file.
            if let Some(span) = f.span {
                let file = l.loaded.sources.get(span.file).unwrap();
                assert!(span.end as usize <= file.text.len(), "{}", f.message);
            }
        }
    }
}

/// `lint` runs the document rules on the load, then builds the graph letting the
/// user and role documents go, then runs the graph rules: the same findings as every
/// rule on the whole load and its graph, on every fixture, scenario and corpus
/// folder.
#[test]
fn documents_then_graph_finds_what_the_whole_load_finds() {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let parents = [
        "tests/lint",
        "tests/escalations",
        "tests/answers",
        "fixtures/scenarios",
        "../shared/corpus",
    ];
    for parent in parents {
        for entry in std::fs::read_dir(repo().join(parent)).unwrap() {
            let dir = entry.unwrap().path();
            if !dir.is_dir() {
                continue;
            }
            let kids: Vec<PathBuf> = ["bad", "good"].iter().map(|k| dir.join(k)).collect();
            if kids.iter().any(|k| k.is_dir()) {
                dirs.extend(kids.into_iter().filter(|k| k.is_dir()));
            } else {
                dirs.push(dir);
            }
        }
    }
    let mut compared = 0;
    let mut graph_findings = 0;
    for dir in &dirs {
        let whole = Linted::of(dir).findings;
        let mut loaded = ingest::load(std::slice::from_ref(dir), &LoadOptions::default());
        let mut found = lint::run_documents(&Context::new(&loaded.model, &loaded.diagnostics));
        let graph = Graph::build_releasing(&mut loaded.model, &[]);
        let documents = found.len();
        lint::run_graph(
            &Context::new(&loaded.model, &loaded.diagnostics),
            &graph,
            &mut found,
        );
        graph_findings += found.len() - documents;
        lint::sort(&mut found);
        assert_eq!(found, whole, "{}", dir.display());
        compared += whole.len();
    }
    assert!(dirs.len() > 150, "{} folders", dirs.len());
    assert!(
        compared > 200 && graph_findings > 50,
        "{compared} findings, {graph_findings} from the graph"
    );
}
