//! Resource policies of buckets, topics and queues in a plan.

use super::{Merge, Pol, UNKNOWN_NAME};
use crate::ingest::iac::plan::Change;
use crate::model::{PolicyKind, Resource, ResourceService};

impl Merge<'_, '_, '_> {
    pub(super) fn resource_policy(&mut self, c: &Change, service: ResourceService, key: &str) {
        let region = self.plan.region.clone();
        let acct = self.account.clone();
        let (arn, name) = match service {
            ResourceService::S3 => {
                let bucket = if key.is_empty() {
                    Some(Self::name(c, "bucket"))
                } else {
                    self.value(c, key)
                };
                match bucket {
                    Some(b) => (format!("arn:aws:s3:::{b}"), b),
                    None => (
                        format!("arn:aws:s3:::{UNKNOWN_NAME}"),
                        UNKNOWN_NAME.to_string(),
                    ),
                }
            }
            ResourceService::Sns => {
                let arn = if key.is_empty() {
                    self.attribute(c, "arn")
                } else {
                    self.value(c, key)
                };
                let arn =
                    arn.unwrap_or_else(|| format!("arn:aws:sns:{region}:{acct}:{UNKNOWN_NAME}"));
                let name = arn.rsplit(':').next().unwrap_or_default().to_string();
                (arn, name)
            }
            _ => {
                let url = if key.is_empty() {
                    self.attribute(c, "url")
                } else {
                    self.value(c, key)
                };
                let name = url
                    .as_deref()
                    .and_then(|u| u.rsplit('/').next())
                    .unwrap_or(UNKNOWN_NAME)
                    .to_string();
                (format!("arn:aws:sqs:{region}:{acct}:{name}"), name)
            }
        };
        let policy = if c.deletes() {
            None
        } else {
            match self.policy(c, "policy", PolicyKind::Resource) {
                Pol::Read(p) => Some(p),
                Pol::Absent => None,
                Pol::Unknown(reason) => {
                    self.record_unknown(c, "policy", &arn, reason);
                    None
                }
            }
        };
        let span = self.span(c.node);
        let account = self.acct();
        account.resources.retain(|r| r.arn != arn);
        if let Some(policy) = policy {
            account.resources.push(Resource {
                arn,
                service,
                name,
                policy: Some(policy),
                span,
            });
        }
    }
}
