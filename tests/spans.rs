//! Diagnostics about documents embedded as escaped JSON or URL-encoded strings point
//! at the right line and column of the original file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use iampath::model::Encoding;
use support::*;

#[test]
fn url_encoded_export_reports_at_the_encoded_bytes() {
    let path = repo().join("fixtures/quirks/url-encoded/012345678901/iam.json");
    let loaded = load_one(&path);
    let d = only(&loaded, "statement-effect");
    let text = std::fs::read_to_string(&path).unwrap();
    // The Effect value's opening quote came from the `%22` before `allow`.
    assert_eq!(line_col(&loaded, d), position_of(&text, "%22allow%22"));
    let file = loaded.sources.get(d.span.file).unwrap();
    let shown = &file.text[d.span.start as usize..d.span.end as usize];
    assert_eq!(
        shown, "%22allow%22",
        "the span covers the whole encoded value"
    );
    // Every document of the export was URL-encoded and all of them loaded.
    let a = &loaded.model.accounts["012345678901"];
    let docs: Vec<_> = a
        .managed_policies
        .values()
        .filter_map(|p| p.document.as_ref())
        .collect();
    assert_eq!(docs.len(), a.managed_policies.len());
    assert!(docs.iter().all(|d| d.encoding == Encoding::UrlEncoded));
    assert!(
        a.roles
            .iter()
            .all(|r| r.trust.as_ref().unwrap().encoding == Encoding::UrlEncoded)
    );
}

#[test]
fn url_encoded_documents_match_their_plain_originals() {
    let plain = load_one(corpus("cloudsplaining/example-authz-details.json"));
    let encoded = load_one(repo().join("fixtures/quirks/url-encoded"));
    let (p, e) = (
        &plain.model.accounts["012345678901"],
        &encoded.model.accounts["012345678901"],
    );
    for (arn, mp) in &p.managed_policies {
        let (a, b) = (
            mp.document.as_ref().unwrap(),
            e.managed_policies[arn].document.as_ref().unwrap(),
        );
        assert_eq!(a.statements.len(), b.statements.len(), "{arn}");
        for (x, y) in a.statements.iter().zip(&b.statements) {
            let actions = |s: &iampath::model::Statement| {
                s.action
                    .as_ref()
                    .map(|a| a.values.iter().map(|v| v.value.clone()).collect::<Vec<_>>())
            };
            assert_eq!(actions(x), actions(y), "{arn}");
        }
    }
}

#[test]
fn escaped_bucket_policy_reports_inside_the_string() {
    let path = repo().join("fixtures/quirks/escaped/444444444444/s3/quirk-bucket.json");
    let loaded = load_one(&path);
    let d = only(&loaded, "condition-operator");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        line_col(&loaded, d),
        position_of(&text, "\\\"StringEqual\\\"")
    );
    let file = loaded.sources.get(d.span.file).unwrap();
    assert_eq!(
        &file.text[d.span.start as usize..d.span.end as usize],
        "\\\"StringEqual\\\""
    );
}

#[test]
fn statement_spans_of_a_pretty_printed_embedded_policy_land_on_their_lines() {
    // get-key-policy prints the policy pretty-printed inside the string: `\n` escapes.
    let path = repo()
        .join("fixtures/quirks/escaped/444444444444/kms/1234abcd-12ab-34cd-56ef-1234567890ab.json");
    let loaded = load_one(&path);
    let a = &loaded.model.accounts["444444444444"];
    let key = &a.resources[0];
    assert_eq!(
        key.arn,
        "arn:aws:kms:us-east-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    );
    let sid = key.policy.as_ref().unwrap().statements[0]
        .sid
        .as_ref()
        .unwrap();
    let file = loaded.sources.get(sid.span.file).unwrap();
    assert_eq!(
        &file.text[sid.span.start as usize..sid.span.end as usize],
        "\\\"Enable IAM User Permissions\\\""
    );
    assert_eq!(
        key.policy.as_ref().unwrap().encoding,
        Encoding::EscapedString
    );
}

#[test]
fn a_broken_embedded_document_is_reported_in_the_original_file() {
    let dir = tempfile::tempdir().unwrap();
    let s3 = dir.path().join("111111111111/s3");
    std::fs::create_dir_all(&s3).unwrap();
    // The inner JSON is missing a `,` after the Version value.
    let text =
        "{\n  \"Policy\": \"{\\\"Version\\\":\\\"2012-10-17\\\" \\\"Statement\\\":[]}\"\n}\n";
    std::fs::write(s3.join("b.json"), text).unwrap();
    let loaded = load_one(dir.path());
    let d = only(&loaded, "json-syntax");
    assert_eq!(line_col(&loaded, d), position_of(text, "\\\"Statement"));
    // The bucket is still known, without a policy.
    assert_eq!(loaded.model.accounts["111111111111"].resources.len(), 1);

    // A bad percent-escape in a URL-encoded document.
    let dir = tempfile::tempdir().unwrap();
    let acct = dir.path().join("111111111111");
    std::fs::create_dir_all(&acct).unwrap();
    let text = r#"{"UserDetailList":[{"UserName":"u","UserId":"AIDAX","Arn":"arn:aws:iam::111111111111:user/u","UserPolicyList":[{"PolicyName":"p","PolicyDocument":"%7B%22Version%ZZ"}]}]}"#;
    std::fs::write(acct.join("iam.json"), text).unwrap();
    let loaded = load_one(dir.path());
    let d = only(&loaded, "embedded-decode");
    assert_eq!(line_col(&loaded, d), position_of(text, "%ZZ"));
}
