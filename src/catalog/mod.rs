//! Bundled AWS data: the service reference and AWS-managed policies.
