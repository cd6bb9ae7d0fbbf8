//! The resources a request is asked about when the data does not name one: the ARN a
//! new resource would get (a create action is never evaluated on the literal `"*"`),
//! or some existing resource of a kind the export does not list.
//!
//! The candidates are the generic ARN of the action's resource type (from the service
//! reference, named `iampath-escalation`), and one instance of every Resource pattern
//! of the caller's Allows that fits that type (`function:dev-*` → `function:dev-x`): an
//! attacker picks a name its policies allow, so the request is allowed when one
//! candidate is.

use std::collections::HashMap;

use crate::catalog;
use crate::eval::compile::ResourcePattern;
use crate::graph::Principal;
use crate::model::Effect;
use crate::policy::pattern::{CaseMode, Pattern};

/// The name given to what an ARN template leaves open.
pub const NAME: &str = "iampath-escalation";
/// The region of a template that does not fix one.
pub const REGION: &str = "us-east-1";

/// The ARN template of the action's resource type (`hint` picks among several, e.g.
/// `instance` for `ec2:RunInstances`); `None` when the action takes no resource.
pub fn template(action: &'static str, hint: Option<&'static str>) -> Option<String> {
    shaped(action, hint).map(|t| t.0.clone())
}

/// A template and its shape, looked up once per (action, hint) for the whole run.
type Shaped = std::sync::Arc<(String, Pattern)>;

fn shaped(action: &'static str, hint: Option<&'static str>) -> Option<Shaped> {
    type Cache = std::sync::RwLock<HashMap<(&'static str, Option<&'static str>), Option<Shaped>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(known) = cache
        .read()
        .ok()
        .and_then(|m| m.get(&(action, hint)).cloned())
    {
        return known;
    }
    let made = lookup(action, hint).map(|t| {
        let fits = shape(&t);
        std::sync::Arc::new((t, fits))
    });
    if let Ok(mut m) = cache.write() {
        m.insert((action, hint), made.clone());
    }
    made
}

fn lookup(action: &str, hint: Option<&str>) -> Option<String> {
    let info = catalog::action(action)?;
    let pick = hint
        .and_then(|h| {
            info.resource_types
                .iter()
                .find(|r| r.resource_type.eq_ignore_ascii_case(h))
        })
        .or_else(|| info.resource_types.iter().find(|r| r.required))
        .or_else(|| info.resource_types.first())?;
    catalog::resource_type(&info.service, &pick.resource_type)?
        .arn_formats
        .first()
        .cloned()
}

/// The template with every `${…}` filled: partition, region, account, and [`NAME`].
pub fn fill(template: &str, account: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else {
            out.push_str(rest.get(start..).unwrap_or_default());
            return out;
        };
        let var = after.get(..end).unwrap_or_default();
        out.push_str(match var {
            "Partition" => "aws",
            "Region" => REGION,
            "Account" => account,
            _ => NAME,
        });
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The template as a wildcard pattern (every `${…}` a `*`), to tell which Resource
/// patterns of a policy can name a resource of the type.
fn shape(template: &str) -> Pattern {
    let mut text = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        text.push_str(rest.get(..start).unwrap_or_default());
        match rest.get(start..).and_then(|r| r.find('}')) {
            Some(end) => {
                text.push('*');
                rest = rest.get(start + end + 1..).unwrap_or_default();
            }
            None => {
                rest = "";
            }
        }
    }
    text.push_str(rest);
    Pattern::new(&text, CaseMode::Sensitive)
}

/// One ARN a Resource pattern allows in `account`: wildcards of the partition, region
/// and account are filled with `aws`, [`REGION`] and the account; those of the resource
/// part with `x`. `None` when the pattern names another account (a resource made or
/// used there is not this account's).
fn instantiate(pattern: &str, account: &str) -> Option<String> {
    let mut parts = pattern.splitn(6, ':');
    let (arn, partition, service, region, acct, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let wild = |t: &str| t.contains(['*', '?']);
    let partition = if wild(partition) { "aws" } else { partition };
    let region = if wild(region) { REGION } else { region };
    let acct = if wild(acct) {
        account
    } else if acct.is_empty() || acct == account {
        acct
    } else {
        return None;
    };
    let resource = resource.replace(['*', '?'], "x");
    Some(format!(
        "{arn}:{partition}:{service}:{region}:{acct}:{resource}"
    ))
}

/// The ARNs to ask about for `action` on a resource of its type in `account`.
pub fn candidates(
    p: &Principal,
    action: &'static str,
    hint: Option<&'static str>,
    account: &str,
) -> Vec<String> {
    let Some(shaped) = shaped(action, hint) else {
        return vec!["*".to_string()];
    };
    let (template, fits) = &*shaped;
    let mut out = vec![fill(template, account)];
    for pol in &p.identity {
        for st in &pol.statements {
            if st.effect == Some(Effect::Deny)
                || !st
                    .actions
                    .as_ref()
                    .is_some_and(|a| a.matches_action(action))
            {
                continue;
            }
            let Some(res) = st.resources.as_ref().filter(|r| !r.negated) else {
                continue;
            };
            for pat in res.patterns.iter() {
                let ResourcePattern::Arn(arn) = pat else {
                    continue;
                };
                let text = arn.as_str();
                if text.contains("${") {
                    continue;
                }
                let Some(filled) = instantiate(text, account) else {
                    continue;
                };
                if fits.matches(&filled) && !out.contains(&filled) {
                    out.push(filled);
                }
            }
        }
    }
    out.truncate(8);
    out
}

/// One caller's candidates, each (action, hint) computed once: the techniques of a
/// caller ask about the same kinds of resource for every role they could pass.
pub struct Names<'a> {
    p: &'a Principal,
    account: &'a str,
    memo: HashMap<(&'static str, Option<&'static str>), Vec<String>>,
}

impl<'a> Names<'a> {
    pub fn new(p: &'a Principal, account: &'a str) -> Self {
        Names {
            p,
            account,
            memo: HashMap::new(),
        }
    }

    pub fn of(&mut self, action: &'static str, hint: Option<&'static str>) -> Vec<String> {
        let (p, account) = (self.p, self.account);
        self.memo
            .entry((action, hint))
            .or_insert_with(|| candidates(p, action, hint, account))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_patterns_are_instantiated_in_the_callers_account() {
        assert_eq!(
            instantiate("arn:aws:lambda:*:*:function:dev-*", "111111111111").as_deref(),
            Some("arn:aws:lambda:us-east-1:111111111111:function:dev-x")
        );
        assert_eq!(
            instantiate("arn:aws:lambda:*:222222222222:function:*", "111111111111"),
            None
        );
        assert_eq!(
            instantiate("arn:aws:s3:::bucket/*", "111111111111").as_deref(),
            Some("arn:aws:s3:::bucket/x")
        );
    }

    #[test]
    fn templates_come_from_the_service_reference() {
        let t = template("lambda:CreateFunction", None).unwrap_or_default();
        assert!(t.contains("function:"), "{t}");
        assert_eq!(
            fill(&t, "111111111111"),
            "arn:aws:lambda:us-east-1:111111111111:function:iampath-escalation"
        );
        let run = template("ec2:RunInstances", Some("instance")).unwrap_or_default();
        assert!(run.contains("instance/"), "{run}");
        assert!(template("ecs:CreateCluster", None).is_none() || shape("x").matches("x"));
        assert!(shape(&t).matches("arn:aws:lambda:x:111111111111:function:dev-x"));
    }
}
