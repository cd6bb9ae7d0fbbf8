//! Organization policies of a plan: `aws_organizations_policy` (SCPs and RCPs) and
//! `aws_organizations_policy_attachment`, applied to the loaded organization.

use super::{Merge, Pol};
use crate::ingest::iac::plan::Change;
use crate::ingest::iac::write;
use crate::model::OrgPolicy;

impl Merge<'_, '_, '_> {
    /// The ID of an organization policy: planned, else made at apply (distinct per
    /// plan entry, and the same wherever the plan refers to it).
    pub(super) fn org_policy_id(c: &Change) -> String {
        c.after_str("id")
            .or_else(|| c.before_str("id"))
            .map_or_else(|| Self::made_at_apply(c), str::to_string)
    }

    pub(super) fn org_policy(&mut self, c: &Change) {
        let id = Self::org_policy_id(c);
        if c.deletes() {
            write::org_policy_removed(self.model, &id);
            return;
        }
        let kind_text = c
            .after_str("type")
            .unwrap_or("SERVICE_CONTROL_POLICY")
            .to_string();
        let Some(kind) = write::org_policy_type(&kind_text) else {
            // Tag, backup and AI opt-out policies decide no access.
            return;
        };
        let document = match self.policy(c, "content", write::org_policy_kind(kind)) {
            Pol::Read(p) => Some(p),
            Pol::Absent => None,
            Pol::Unknown(reason) => {
                let subject = format!("organization policy {}", c.address);
                self.record_unknown(c, "content", &subject, reason);
                None
            }
        };
        let policy = OrgPolicy {
            id,
            arn: c.after_str("arn").map(str::to_string),
            name: c.after_str("name").map(str::to_string),
            kind,
            aws_managed: false,
            document,
            span: self.span(c.node),
        };
        if let Err(what) = write::org_policy(self.model, policy) {
            self.unresolved(c, what);
        }
    }

    pub(super) fn org_attachment(&mut self, c: &Change) {
        let Some(policy) = self.required(c, "policy_id") else {
            return;
        };
        let Some(target) = self.required(c, "target_id") else {
            return;
        };
        let span = self.span(c.node);
        if let Err(what) = write::org_attach(self.model, &policy, &target, !c.deletes(), span) {
            self.unresolved(c, what);
        }
    }
}
