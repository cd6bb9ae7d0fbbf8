//! Access assertions of the configuration: "principals matching P must not (or must)
//! reach action A on resource R", checked with `can` — an offline
//! CheckNoNewAccess / CheckAccessNotGranted.

use super::config::Assertion;
use super::{Finding, FindingBuilder, Severity};
use crate::graph::query::{Answer, Limits, can};
use crate::graph::{Graph, NodeKind};
use crate::model::Model;
use crate::policy::pattern::{CaseMode, Pattern};

/// The rule ID assertion violations are reported under.
pub const RULE: &str = "assertion";

pub fn check(graph: &mut Graph, model: &Model, assertions: &[Assertion]) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in assertions {
        let pattern = Pattern::new(&a.principals, CaseMode::Sensitive);
        let principals: Vec<String> = graph
            .world
            .principals
            .iter()
            .filter(|p| matches!(p.kind, NodeKind::User | NodeKind::Role) && pattern.matches(&p.id))
            .map(|p| p.id.to_string())
            .collect();
        let why = a
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        for p in principals {
            let Ok(r) = can(
                graph,
                model,
                &p,
                a.action.get_ref(),
                a.resource.get_ref(),
                Limits::default(),
            ) else {
                continue;
            };
            let reaches = r.decision != Answer::Denied;
            let message = match (a.expect.get_ref().as_str(), reaches) {
                ("deny", true) => format!(
                    "{p} can {} {} on {}, which the assertion forbids{why}",
                    r.decision.as_str(),
                    a.action.get_ref(),
                    a.resource.get_ref()
                ),
                ("allow", false) => format!(
                    "{p} cannot {} on {}, which the assertion requires{why}",
                    a.action.get_ref(),
                    a.resource.get_ref()
                ),
                _ => continue,
            };
            let path = r.paths.first().map(|x| x.hops.clone()).unwrap_or_default();
            let span = path.iter().flat_map(|h| &h.grants).find_map(|g| g.span);
            let account = graph
                .world
                .by_id
                .get(p.as_str())
                .and_then(|i| graph.world.principals.get(*i))
                .and_then(|x| x.account.clone());
            out.push(
                FindingBuilder::new(RULE, Severity::Critical, p)
                    .message(message)
                    .at_opt(span)
                    .account(account.as_deref())
                    .path(path)
                    .build(),
            );
        }
    }
    out
}
