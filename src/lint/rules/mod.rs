//! The rule registry: one file per rule; adding a rule is one file and one line here.

mod util;

pub mod action_star;
pub mod assume_role_any;
pub mod cross_account_admin;
pub mod dangling_principal;
pub mod external_access;
pub mod iac_unknown_policy;
pub mod invalid_policy;
pub mod notaction_allow;
pub mod notprincipal_allow;
pub mod notresource_allow;
pub mod privilege_escalation;
pub mod public_principal;
pub mod resource_other_account;
pub mod resource_star;
pub mod trust_account_root;
pub mod trust_external_no_external_id;
pub mod trust_service_no_source;
pub mod unknown_action;
pub mod unmatched_resource;

use super::Rule;

/// Every rule, in the order `iampath rules` lists them.
pub fn registry() -> Vec<&'static dyn Rule> {
    vec![
        &resource_star::ResourceStar,
        &action_star::ActionStar,
        &assume_role_any::AssumeRoleAny,
        &trust_account_root::TrustAccountRoot,
        &trust_external_no_external_id::TrustExternalNoExternalId,
        &trust_service_no_source::TrustServiceNoSource,
        &public_principal::PublicPrincipal,
        &notprincipal_allow::NotPrincipalAllow,
        &notaction_allow::NotActionAllow,
        &notresource_allow::NotResourceAllow,
        &dangling_principal::DanglingPrincipal,
        &unmatched_resource::UnmatchedResource,
        &resource_other_account::ResourceOtherAccount,
        &unknown_action::UnknownAction,
        &invalid_policy::InvalidPolicy,
        &cross_account_admin::CrossAccountAdmin,
        &external_access::ExternalAccess,
        &privilege_escalation::PrivilegeEscalation,
        &iac_unknown_policy::IacUnknownPolicy,
    ]
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    registry().into_iter().find(|r| r.id() == id)
}
