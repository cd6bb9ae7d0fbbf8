//! AWS-managed policies (default versions).
//!
//! `data/aws/managed.bin` holds an uncompressed index (name, path, version) and one
//! compressed stream per policy document. The index is read on first use; a
//! document is inflated only when that policy is asked for, and not cached.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

use super::blob;

static MANAGED_BIN: &[u8] = include_bytes!("../../data/aws/managed.bin");
const MANAGED_MAGIC: &[u8; 8] = b"IAMPMPL\x01";

/// One AWS-managed policy at its default version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagedPolicyData {
    /// E.g. `AmazonEC2RoleforSSM`.
    pub name: String,
    /// E.g. `arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM`, in the
    /// partition the policy was asked for (`aws` when asked by name).
    pub arn: String,
    /// E.g. `/service-role/`; `/` for most.
    pub path: String,
    /// The default version, e.g. `v3`.
    pub version_id: String,
    /// The policy document, pretty-printed with 4-space indentation as the AWS CLI
    /// prints it, so line numbers in diagnostics are meaningful.
    pub document: String,
}

struct Entry {
    name: &'static str,
    path: &'static str,
    version_id: &'static str,
    blob: &'static [u8],
}

struct Index {
    /// Sorted by name.
    entries: Vec<Entry>,
    /// Lowercase name → index into `entries`.
    by_name: HashMap<String, usize>,
}

static INDEX: OnceLock<Index> = OnceLock::new();

fn index() -> &'static Index {
    INDEX.get_or_init(|| {
        let raw = blob::parse(MANAGED_BIN, MANAGED_MAGIC, |c| {
            Some((c.str16()?, c.str8()?, c.str8()?))
        })
        .unwrap_or_default();
        let entries: Vec<Entry> = raw
            .into_iter()
            .map(|((name, path, version_id), blob)| Entry {
                name,
                path,
                version_id,
                blob,
            })
            .collect();
        let by_name = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.to_ascii_lowercase(), i))
            .collect();
        Index { entries, by_name }
    })
}

#[cfg(test)]
thread_local! {
    /// Policy documents this thread inflated (lazy-decoding tests).
    pub(super) static DECODED_DOCUMENTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn document(entry: &Entry) -> Option<String> {
    #[cfg(test)]
    DECODED_DOCUMENTS.with(|c| c.set(c.get() + 1));
    String::from_utf8(blob::inflate(entry.blob)?).ok()
}

/// What a lookup names: a partition (for ARNs), an optional path, a name.
struct Query<'a> {
    partition: &'a str,
    path: Option<&'a str>,
    name: &'a str,
}

/// Reads `ReadOnlyAccess` or `arn:<partition>:iam::aws:policy<path><name>`.
fn parse_query(text: &str) -> Option<Query<'_>> {
    let Some(rest) = text.strip_prefix("arn:") else {
        return Some(Query {
            partition: "aws",
            path: None,
            name: text,
        });
    };
    let (partition, rest) = rest.split_once(':')?;
    if partition != "aws" && !partition.starts_with("aws-") {
        return None;
    }
    // `iam::aws:policy/…`: global service, no region, the `aws` pseudo-account.
    let resource = rest.strip_prefix("iam::aws:policy")?;
    if !resource.starts_with('/') {
        return None;
    }
    let cut = resource.rfind('/')? + 1;
    Some(Query {
        partition,
        path: Some(resource.get(..cut)?),
        name: resource.get(cut..)?,
    })
}

/// The AWS-managed policy named by an ARN
/// (`arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM`, any `aws*`
/// partition) or a bare name (`ReadOnlyAccess`). Matching is ASCII
/// case-insensitive, as IAM policy names are unique regardless of case; compare
/// [`ManagedPolicyData::name`] to detect a spelling that differs. An ARN whose path
/// is wrong names no policy. Inflates only this policy's document.
pub fn managed_policy(arn_or_name: &str) -> Option<ManagedPolicyData> {
    let q = parse_query(arn_or_name)?;
    let idx = index();
    let i = *idx.by_name.get(&q.name.to_ascii_lowercase())?;
    let entry = idx.entries.get(i)?;
    if let Some(path) = q.path {
        if !path.eq_ignore_ascii_case(entry.path) {
            return None;
        }
    }
    Some(ManagedPolicyData {
        name: entry.name.to_owned(),
        arn: format!(
            "arn:{}:iam::aws:policy{}{}",
            q.partition, entry.path, entry.name
        ),
        path: entry.path.to_owned(),
        version_id: entry.version_id.to_owned(),
        document: document(entry)?,
    })
}

/// Every bundled AWS-managed policy name, sorted case-insensitively. Inflates no
/// document.
pub fn managed_policy_names() -> Vec<&'static str> {
    index().entries.iter().map(|e| e.name).collect()
}
