//! Amazon Resource Names: `arn:partition:service:region:account:resource`.

/// The partitions iam-semantics §3.3 names.
pub const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// An ARN split into its six components (borrowed from the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// Everything after the fifth colon (`role/path/name`, `bucket/key`, `function:f`).
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `text` into components; `None` unless it starts with `arn:` and has all
    /// six. Components are not validated (a pattern may hold wildcards).
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }

    /// The resource type and name of `type/name` or `type:name` resources.
    pub fn resource_type_and_name(&self) -> (&'a str, &'a str) {
        match self.resource.find(['/', ':']) {
            Some(i) => (
                self.resource.get(..i).unwrap_or_default(),
                self.resource.get(i + 1..).unwrap_or_default(),
            ),
            None => ("", self.resource),
        }
    }

    /// The last `/`-separated part of the resource (a user's or role's name).
    pub fn resource_name(&self) -> &'a str {
        self.resource.rsplit('/').next().unwrap_or(self.resource)
    }

    /// True when the partition is known and the account is empty, `aws` or 12 digits.
    pub fn is_well_formed(&self) -> bool {
        PARTITIONS.contains(&self.partition)
            && !self.service.is_empty()
            && (self.account.is_empty()
                || self.account == "aws"
                || crate::model::is_account_id(self.account))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_six_parts() {
        let a = Arn::parse("arn:aws:iam::111111111111:role/path/Name")
            .unwrap_or_else(|| panic!("not an ARN"));
        assert_eq!(a.account, "111111111111");
        assert_eq!(a.resource, "role/path/Name");
        assert_eq!(a.resource_type_and_name(), ("role", "path/Name"));
        assert_eq!(a.resource_name(), "Name");
        let s3 = Arn::parse("arn:aws:s3:::b/k:with:colons").unwrap_or_else(|| panic!("not an ARN"));
        assert_eq!(s3.resource, "b/k:with:colons");
        assert!(Arn::parse("arn:aws:iam::111111111111").is_none());
        assert!(Arn::parse("*").is_none());
        assert!(
            !Arn::parse("arn:aws:secretsmanager:us-east-1:0123456789012:secret:x")
                .unwrap_or_else(|| panic!("not an ARN"))
                .is_well_formed()
        );
    }
}
