//! `cross-account-admin`: a principal of another account reaches an admin-equivalent
//! role.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::graph::{Graph, Hop, NodeKind};
use crate::lint::{Context, Finding, Rule, RuleMeta, Severity};

use super::util::{is_admin, kind_rank, path_text, reaching, some_of, trust_entry};

pub struct CrossAccountAdmin;

static META: RuleMeta = RuleMeta {
    id: "cross-account-admin",
    severity: Severity::Critical,
    summary: "a principal of another account can reach an admin-equivalent role",
    doc: DOC,
};

const DOC: &str = r#"A principal of another account (a loaded one, or "any principal" of an account outside the loaded data) can reach an admin-equivalent role (one whose identity policies allow `*` on `*`, such as `AdministratorAccess`) through assume-role edges the evaluator allows, directly or through a chain of roles. Whoever controls that other account controls this one. One finding per admin role and source account, naming the principals and showing the shortest path. Give cross-account callers a role scoped to what they do, or keep administration inside the account.

Bad (role `OrgAdmin` has `AdministratorAccess`):

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}
```

Good (the cross-account role has `ReadOnlyAccess`; administration stays local):

```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/BreakGlass"}, "Action": "sts:AssumeRole",
 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
```"#;

impl Rule for CrossAccountAdmin {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_graph(&self, cx: &Context, graph: &Graph, out: &mut Vec<Finding>) {
        let w = &graph.world;
        for (ri, role) in w.principals.iter().enumerate() {
            if role.kind != NodeKind::Role || !is_admin(role) {
                continue;
            }
            let Some(role_account) = role.account.as_deref() else {
                continue;
            };
            // Source account → (rank, path length, id, path) of each principal there.
            type Entry = (u8, usize, String, Vec<Arc<Hop>>);
            let mut by_account: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
            for (i, path) in reaching(graph, ri) {
                let Some(p) = w.principals.get(i) else {
                    continue;
                };
                let Some(account) = p.account.as_deref() else {
                    continue;
                };
                if account == role_account {
                    continue;
                }
                by_account.entry(account.to_string()).or_default().push((
                    kind_rank(&p.kind),
                    path.len(),
                    p.id.to_string(),
                    path,
                ));
            }
            for (account, mut entries) in by_account {
                entries.sort_by(|a, b| (a.1, a.0, &a.2).cmp(&(b.1, b.0, &b.2)));
                let Some((_, _, _, path)) = entries.first().cloned() else {
                    continue;
                };
                let names: Vec<String> = entries
                    .iter()
                    .map(|e| {
                        if e.0 == kind_rank(&NodeKind::ExternalAccount) {
                            "any principal of the account".to_string()
                        } else {
                            format!("`{}`", e.2)
                        }
                    })
                    .collect();
                let loaded = if cx.is_loaded(&account) {
                    ""
                } else {
                    " (not in the loaded data)"
                };
                let message = format!(
                    "admin-equivalent role `{}` can be reached from account {account}{loaded} by {}; shortest path: {}",
                    role.id,
                    some_of(&names, 3),
                    path_text(&path)
                );
                let mut b = META
                    .finding(role.id.to_string())
                    .account(Some(role_account))
                    .other_account(Some(&account))
                    .message(message);
                let last = path.last().and_then(|h| {
                    let from = w.by_id.get(&h.from).and_then(|i| w.principals.get(*i))?;
                    trust_entry(role, h, from)
                });
                if let Some((span, statement)) = last {
                    b = b.at(span);
                    if let Some(s) = statement {
                        b = b.statement(s);
                    }
                }
                out.push(b.path(path).build());
            }
        }
    }
}
