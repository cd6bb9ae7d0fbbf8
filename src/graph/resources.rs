//! The target of a request: its resource policy, its owner, and what is not known.

use crate::eval::{CompiledPolicy, ResourcePolicyKind, compile};
use crate::model::{Model, Resource, ResourceService, is_account_id};
use crate::policy::arn::Arn;

use super::world::{NodeKind, World};

/// What a query needs to know about the resource it asks about.
#[derive(Debug, Clone)]
pub struct Target {
    pub arn: String,
    pub account: Option<String>,
    pub policy: Option<CompiledPolicy>,
    pub kind: ResourcePolicyKind,
    /// A bucket whose owner the data does not say, with several accounts loaded: each
    /// caller is answered as if the bucket were in its own account (README, "How iampath decides").
    pub owner_is_caller: bool,
    /// Things the answer must say (an unknown owner, an account that is not loaded).
    pub notes: Vec<String>,
}

impl Target {
    /// The account that owns the resource, for a request of a caller of `caller_account`.
    pub fn account_for<'a>(&'a self, caller_account: Option<&'a str>) -> Option<&'a str> {
        match (&self.account, self.owner_is_caller) {
            (Some(a), _) => Some(a),
            (None, true) => caller_account,
            (None, false) => None,
        }
    }
}

/// Finds the resource's policy and owner in the loaded data.
pub fn target(model: &Model, world: &World, arn: &str, action: &str) -> Target {
    let parsed = Arn::parse(arn);
    let mut t = Target {
        arn: arn.to_string(),
        account: None,
        policy: None,
        kind: ResourcePolicyKind::Ordinary,
        owner_is_caller: false,
        notes: Vec::new(),
    };
    let Some(a) = parsed else {
        // `*`, for actions that take no resource (s3:ListAllMyBuckets): the request is
        // made in the caller's own account.
        if arn == "*" {
            t.owner_is_caller = true;
        } else {
            t.notes.push(format!("`{arn}` is not an ARN"));
        }
        return t;
    };
    if a.service == "iam"
        && a.resource.starts_with("role/")
        && action.to_ascii_lowercase().starts_with("sts:")
    {
        t.kind = ResourcePolicyKind::RoleTrust;
        t.account = Some(a.account.to_string());
        match world.by_id.get(arn).and_then(|i| world.principals.get(*i)) {
            Some(p) if p.kind == NodeKind::Role => t.policy = p.trust.as_deref().cloned(),
            _ => t
                .notes
                .push(format!("role `{arn}` is not in the loaded data")),
        }
    } else if a.service == "s3" {
        let bucket = a.resource.split('/').next().unwrap_or_default();
        let found = find(model, |r| {
            r.service == ResourceService::S3 && r.name == bucket
        });
        match found {
            Some((owner, r)) => {
                t.account = Some(owner);
                t.policy = r
                    .policy
                    .as_ref()
                    .map(|p| compile(p, format!("bucket policy of `{bucket}`")));
            }
            None => {
                let listed = model
                    .accounts
                    .values()
                    .find(|acct| acct.listed_buckets.iter().any(|b| b.value == bucket));
                match (listed, model.accounts.keys().next()) {
                    (Some(acct), _) => t.account = Some(acct.id.clone()),
                    // A bucket without a policy file belongs to no account the data
                    // names: it must not hide access (README, "How iampath decides": bucket ownership).
                    (None, Some(only)) if model.accounts.len() == 1 => {
                        t.account = Some(only.clone());
                        t.notes.push(format!(
                            "bucket `{bucket}` has no policy file and no list-buckets output names it: taken as account {only}'s (the only account loaded), without a bucket policy"
                        ));
                    }
                    _ => {
                        t.owner_is_caller = true;
                        t.notes.push(format!(
                            "bucket `{bucket}` has no policy file and no list-buckets output names it: each caller is answered as if it were in the caller's own account, without a bucket policy (add `s3/list-buckets.json` to say whose it is)"
                        ));
                    }
                }
            }
        }
    } else {
        if a.service == "kms" {
            t.kind = ResourcePolicyKind::KmsKey;
        }
        match find(model, |r| r.arn == arn) {
            Some((owner, r)) => {
                t.account = Some(owner);
                t.policy = r
                    .policy
                    .as_ref()
                    .map(|p| compile(p, format!("resource policy of `{}`", r.name)));
            }
            None => t.account = is_account_id(a.account).then(|| a.account.to_string()),
        }
    }
    if let Some(acct) = &t.account {
        if !model.accounts.contains_key(acct) {
            t.notes.push(format!(
                "account {acct} is not loaded: its resource policies and principals are unknown"
            ));
        }
    }
    t
}

/// The first loaded resource that satisfies `pred`, with its owner account.
fn find(model: &Model, pred: impl Fn(&Resource) -> bool) -> Option<(String, &Resource)> {
    model.accounts.values().find_map(|acct| {
        acct.resources
            .iter()
            .find(|r| pred(r))
            .map(|r| (acct.id.clone(), r))
    })
}
