//! The organization compiled for the graph: each account's SCP and RCP levels, from the
//! root down to the account.

use std::collections::HashMap;
use std::sync::Arc;

use crate::eval::{CompiledPolicy, Level, compile};
use crate::model::{Model, OrgPolicyType};

/// One level of an account's path: its label and the policies attached there.
#[derive(Debug)]
struct LevelIds {
    label: Arc<str>,
    ids: Vec<(String, OrgPolicyType)>,
}

/// The compiled organization: levels per account, by policy type.
#[derive(Debug, Default)]
pub struct OrgLevels {
    policies: HashMap<String, CompiledPolicy>,
    /// Account → its levels from the root down.
    paths: HashMap<String, Vec<LevelIds>>,
    pub management_account: Option<String>,
    pub org_id: Option<String>,
    /// `org_id` as the value of `aws:PrincipalOrgID`, shared by every principal.
    pub org_id_values: Option<crate::policy::context::Values>,
    /// The accounts whose data is loaded.
    pub loaded: std::collections::HashSet<String>,
}

impl OrgLevels {
    pub(super) fn new(model: &Model) -> Self {
        let Some(org) = &model.organization else {
            return OrgLevels::default();
        };
        let mut policies = HashMap::new();
        for (id, p) in &org.policies {
            if let Some(doc) = &p.document {
                let kind = match p.kind {
                    OrgPolicyType::ServiceControl => "SCP",
                    OrgPolicyType::ResourceControl => "RCP",
                };
                let name = p.name.as_deref().unwrap_or(id);
                policies.insert(id.clone(), compile(doc, format!("{kind} `{name}`")));
            }
        }
        let mut paths = HashMap::new();
        for acct in org.accounts() {
            let Some(path) = org.path_to_account(&acct.id.value) else {
                continue;
            };
            let levels = path
                .iter()
                .map(|n| {
                    let label = match n.kind {
                        crate::model::OrgNodeKind::Root => format!("the root {}", n.id.value),
                        crate::model::OrgNodeKind::OrganizationalUnit => {
                            format!("OU {}", n.name.as_deref().unwrap_or(&n.id.value))
                        }
                        crate::model::OrgNodeKind::Account => format!("account {}", n.id.value),
                    };
                    let ids = n
                        .policies
                        .iter()
                        .filter_map(|id| {
                            org.policies
                                .get(&id.value)
                                .map(|p| (id.value.clone(), p.kind))
                        })
                        .collect();
                    LevelIds {
                        label: Arc::from(label.as_str()),
                        ids,
                    }
                })
                .collect();
            paths.insert(acct.id.value.clone(), levels);
        }
        OrgLevels {
            policies,
            paths,
            management_account: org.management_account.as_ref().map(|m| m.value.clone()),
            org_id: org.id.clone(),
            org_id_values: org.id.clone().map(|id| vec![id].into()),
            loaded: model.accounts.keys().cloned().collect(),
        }
    }

    /// The levels of `kind` for an account in the organization (empty outside it).
    pub fn levels(&self, account: &str, kind: OrgPolicyType) -> Vec<Level<'_>> {
        let Some(path) = self.paths.get(account) else {
            return Vec::new();
        };
        let any = path.iter().any(|l| l.ids.iter().any(|(_, k)| *k == kind));
        if !any {
            return Vec::new();
        }
        path.iter()
            .map(|l| Level {
                label: l.label.clone(),
                policies: l
                    .ids
                    .iter()
                    .filter(|(_, k)| *k == kind)
                    .filter_map(|(id, _)| self.policies.get(id))
                    .collect(),
            })
            .collect()
    }

    pub fn in_org(&self, account: &str) -> bool {
        self.paths.contains_key(account)
    }
}
