//! AWS Organizations: the tree of root, OUs and accounts, and the SCPs and RCPs
//! attached to its nodes.

use std::collections::BTreeMap;

use super::{Policy, Span, Spanned};

#[derive(Debug, Clone, Default)]
pub struct Organization {
    pub management_account: Option<Spanned<String>>,
    /// `organizationId`, else read from the organization's own ARNs.
    pub id: Option<String>,
    pub root: Option<OrgNode>,
    /// The root's ARN, when the data gives it (IAMSpy's trees).
    pub root_arn: Option<String>,
    /// SCPs and RCPs by policy ID (`p-…`).
    pub policies: BTreeMap<String, OrgPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgNodeKind {
    Root,
    OrganizationalUnit,
    Account,
}

/// A node of the tree: the root, an OU, or an account.
#[derive(Debug, Clone)]
pub struct OrgNode {
    pub kind: OrgNodeKind,
    pub id: Spanned<String>,
    pub name: Option<String>,
    /// IDs of the policies attached at this node.
    pub policies: Vec<Spanned<String>>,
    /// OUs and accounts below this node.
    pub children: Vec<OrgNode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgPolicyType {
    ServiceControl,
    ResourceControl,
}

#[derive(Debug, Clone)]
pub struct OrgPolicy {
    pub id: String,
    /// `arn:aws:organizations::MGMT:policy/o-…/TYPE/p-…` (AWS-managed ones carry no
    /// organization ID).
    pub arn: Option<String>,
    pub name: Option<String>,
    pub kind: OrgPolicyType,
    pub aws_managed: bool,
    /// `None` when the content was unreadable (reported).
    pub document: Option<Policy>,
    pub span: Span,
}

impl Organization {
    /// The organization ID that the ARNs of its policies (or its root) carry:
    /// `arn:aws:organizations::MGMT:policy/o-a1b2c3d4e5/…`.
    pub fn id_from_arns(&self) -> Option<String> {
        self.policies
            .values()
            .filter_map(|p| p.arn.as_deref())
            .chain(self.root_arn.as_deref())
            .find_map(org_id_of_arn)
    }

    /// Every account node in the tree, depth first.
    pub fn accounts(&self) -> Vec<&OrgNode> {
        let mut out = Vec::new();
        if let Some(root) = &self.root {
            collect_accounts(root, &mut out);
        }
        out
    }

    /// The chain of nodes from the root down to the account's own node, if the account
    /// is in the tree.
    pub fn path_to_account(&self, account: &str) -> Option<Vec<&OrgNode>> {
        let root = self.root.as_ref()?;
        let mut path = Vec::new();
        find_path(root, account, &mut path).then_some(path)
    }

    /// IDs of the policies of `kind` attached to a node.
    pub fn policies_at<'a>(&'a self, node: &'a OrgNode, kind: OrgPolicyType) -> Vec<&'a OrgPolicy> {
        node.policies
            .iter()
            .filter_map(|id| self.policies.get(&id.value))
            .filter(|p| p.kind == kind)
            .collect()
    }
}

fn collect_accounts<'a>(node: &'a OrgNode, out: &mut Vec<&'a OrgNode>) {
    if node.kind == OrgNodeKind::Account {
        out.push(node);
    }
    for c in &node.children {
        collect_accounts(c, out);
    }
}

fn find_path<'a>(node: &'a OrgNode, account: &str, path: &mut Vec<&'a OrgNode>) -> bool {
    path.push(node);
    if node.kind == OrgNodeKind::Account && node.id.value == account {
        return true;
    }
    for c in &node.children {
        if find_path(c, account, path) {
            return true;
        }
    }
    path.pop();
    false
}

/// `o-…` from an Organizations ARN (`…:policy/o-x/…`, `…:root/o-x/r-…`).
fn org_id_of_arn(arn: &str) -> Option<String> {
    let (_, resource) = arn.split_once(":organizations::")?;
    let (_, path) = resource.split_once(':')?;
    let id = path.split('/').nth(1)?;
    let valid = id.len() > 2
        && id.starts_with("o-")
        && id
            .bytes()
            .skip(2)
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    valid.then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_ids_from_arns() {
        assert_eq!(
            org_id_of_arn(
                "arn:aws:organizations::999999999999:policy/o-a1b2c3d4e5/service_control_policy/p-x1"
            ),
            Some("o-a1b2c3d4e5".to_string())
        );
        assert_eq!(
            org_id_of_arn("arn:aws:organizations::999999999999:root/o-a1b2c3d4e5/r-v3s1"),
            Some("o-a1b2c3d4e5".to_string())
        );
        assert_eq!(
            org_id_of_arn(
                "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
            ),
            None
        );
    }
}
