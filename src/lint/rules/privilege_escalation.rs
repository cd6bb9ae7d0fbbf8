//! `privilege-escalation`: a principal can become an administrator (critical), or take
//! over another principal (high), by a privilege-escalation technique.

use std::collections::HashSet;

use crate::graph::escalations::{Escalation, Target, escalations};
use crate::graph::{Graph, HopKind, NodeKind};
use crate::lint::{Context, Finding, Rule, RuleMeta, Severity};
use crate::policy::context::Tri;

use super::util::{path_text, statement_label};

pub struct PrivilegeEscalation;

static META: RuleMeta = RuleMeta {
    id: "privilege-escalation",
    severity: Severity::Critical,
    summary: "a principal can become an administrator, or another principal, by privilege escalation",
    doc: DOC,
};

const DOC: &str = r#"A user or role that is not an administrator can become one — or can take over another principal — by a privilege-escalation technique: writing or attaching a policy to itself or to a role it can assume, creating a new policy version, adding itself to a group, creating an access key or a console password for another user, rewriting a role's trust policy, passing a role to a service that runs code with it (Lambda, EC2, Glue, CloudFormation, CodeBuild, ECS, SageMaker …), or changing code that already runs as a role. Every permission the technique needs is decided by the evaluator on the concrete target, through the principal's boundary, SCPs and RCPs. Critical when the path reaches an administrator (iampath's definition: allowed `*` on `*` after its boundary and SCPs), high when it reaches another principal. The finding points at the statement that grants the first technique's permission and carries the whole path; `iampath escalations` lists them all.

Bad (a user allowed to write its own inline policies):

```json
{"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "arn:aws:iam::111122223333:user/${aws:username}"}
```

Good (read its own user, nothing more):

```json
{"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUserPolicies"], "Resource": "arn:aws:iam::111122223333:user/${aws:username}"}
```"#;

impl Rule for PrivilegeEscalation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_graph(&self, _cx: &Context, graph: &Graph, out: &mut Vec<Finding>) {
        out.extend(findings(graph));
    }
}

/// The findings of the rule for a graph (also what `escalations --format sarif` prints).
pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut critical: HashSet<String> = HashSet::new();
    for e in escalations(graph, &Target::Admin) {
        if !e.uses_a_technique() {
            continue;
        }
        let how = if e.decision == crate::graph::query::Answer::Allowed {
            "can become"
        } else {
            "may become (under conditions)"
        };
        let account = e.account.clone().unwrap_or_default();
        let message = format!(
            "`{}` {how} an administrator of account {account} by privilege escalation ({}): {}",
            e.principal,
            techniques(&e),
            path_text(&e.hops)
        );
        critical.insert(e.principal.clone());
        out.push(finding(&e, Severity::Critical, message));
    }
    // Escalations to other principals, from principals not already critical.
    let w = &graph.world;
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for edge in &graph.edges {
        if edge.kind != HopKind::Escalation {
            continue;
        }
        let (Some(from), Some(to)) = (w.principals.get(edge.from()), w.principals.get(edge.to()))
        else {
            continue;
        };
        // These tests read the two ends only, so a pair they skip is skipped on every
        // edge: only the pairs that make a finding are remembered (an organization has
        // millions of escalation edges).
        if !from.kind.is_loaded()
            || from.admin == Tri::True
            || critical.contains(&*from.id)
            || to.kind == NodeKind::Administrator
            || !seen.insert((edge.from(), edge.to()))
        {
            continue;
        }
        let e = Escalation {
            principal: from.id.to_string(),
            kind: from.kind.clone(),
            account: from.account.clone(),
            decision: crate::graph::query::Answer::of(edge.decision),
            target: to.id.to_string(),
            reached: to.id.to_string(),
            hops: vec![edge.hop(w).clone()],
        };
        let how = if edge.decision == crate::eval::Decision::Allowed {
            "can take over"
        } else {
            "may take over (under conditions)"
        };
        let message = format!(
            "`{}` {how} `{}` by privilege escalation ({})",
            from.id,
            to.id,
            techniques(&e)
        );
        out.push(finding(&e, Severity::High, message));
    }
    out
}

/// `escalations --to ARN --format sarif`: one finding per principal that can reach
/// the principal asked about by a path that uses a technique — critical when that
/// principal is an administrator, high otherwise.
pub fn findings_to(graph: &Graph, found: &[Escalation]) -> Vec<Finding> {
    found
        .iter()
        .filter(|e| e.uses_a_technique())
        .map(|e| {
            let admin = graph
                .world
                .by_id
                .get(e.reached.as_str())
                .and_then(|i| graph.world.principals.get(*i))
                .is_some_and(|p| p.admin == Tri::True || p.kind == NodeKind::Administrator);
            let how = if e.decision == crate::graph::query::Answer::Allowed {
                "can reach"
            } else {
                "may reach (under conditions)"
            };
            let message = format!(
                "`{}` {how} `{}` by privilege escalation ({}): {}",
                e.principal,
                e.reached,
                techniques(e),
                path_text(&e.hops)
            );
            let severity = if admin {
                Severity::Critical
            } else {
                Severity::High
            };
            finding(e, severity, message)
        })
        .collect()
}

/// The techniques of a path: `iam-007 (PutUserPolicy on itself)`.
fn techniques(e: &Escalation) -> String {
    let names: Vec<String> = e
        .hops
        .iter()
        .filter_map(|h| h.technique)
        .map(|t| format!("{} {}", t.id, t.name))
        .collect();
    names.join(", then ")
}

/// A finding at the statement that grants the first technique's first permission.
fn finding(e: &Escalation, severity: Severity, message: String) -> Finding {
    let first = e
        .hops
        .iter()
        .find(|h| h.kind == HopKind::Escalation)
        .and_then(|h| h.grants.first());
    let mut b = META
        .finding(e.principal.clone())
        .severity(severity)
        .account(e.account.as_deref())
        .message(message)
        .path(e.hops.clone());
    if let Some(g) = first {
        b = b.at_opt(g.span);
        if let Some(s) = &g.statement {
            b = b.statement(statement_label(s));
        }
    }
    b.build()
}
