//! Proposed changes as input: Terraform plans (`terraform show -json PLANFILE`)
//! applied to the loaded exports, so that every command, and `diff` before and after,
//! sees the world as it will be once the change is deployed.

mod cfn;
mod merge;
mod plan;
mod rebuild;
mod tf_source;
mod write;

pub use cfn::{DEFAULT_REGION, TemplateArg};
pub use merge::UNKNOWN_NAME;

use std::path::PathBuf;

use super::diag::{Diagnostic, Problem};
use super::{LoadOptions, Loaded, read_source};
use crate::model::{Span, is_account_id};
use crate::source::json;

/// The IaC inputs of a run.
#[derive(Debug, Clone, Default)]
pub struct IacInput {
    /// Terraform plans as JSON.
    pub plans: Vec<PathBuf>,
    /// The account of plan resources that do not say.
    pub account: Option<String>,
    /// The Terraform root module the plans were made from (`--tf-source`).
    pub tf_source: Option<PathBuf>,
    /// CloudFormation templates and `cdk.out` folders.
    pub templates: Vec<TemplateArg>,
    /// Template parameter values: `KEY=VALUE` or parameter files.
    pub parameters: Vec<String>,
}

impl IacInput {
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty() && self.templates.is_empty()
    }

    /// True when `path` is one of the IaC inputs (a plan, a template, or a file of a
    /// `cdk.out` folder).
    pub fn is_input(&self, path: &std::path::Path) -> bool {
        self.plans.iter().any(|p| p == path)
            || self
                .templates
                .iter()
                .any(|t| t.path == path || path.starts_with(&t.path))
    }
}

/// Applies every plan to the loaded model, in order.
pub fn apply(loaded: &mut Loaded, input: &IacInput, opts: &LoadOptions) {
    for path in &input.plans {
        super::capped(loaded, |l| apply_plan(l, path, input, opts));
    }
    if !input.templates.is_empty() {
        cfn::apply(loaded, input, opts);
    }
}

fn apply_plan(loaded: &mut Loaded, path: &std::path::Path, input: &IacInput, opts: &LoadOptions) {
    let account = input.account.as_deref();
    let Some(file) = read_source(path, opts, &mut loaded.sources, &mut loaded.diagnostics) else {
        return;
    };
    let Some(text) = loaded.sources.get(file).map(|f| f.text.clone()) else {
        return;
    };
    let at = |start: u32, end: u32| Span { file, start, end };
    let root = match json::parse(&text, opts.max_depth) {
        Ok(root) => root,
        Err(e) => {
            let span = at(e.offset, e.offset.saturating_add(1));
            loaded
                .diagnostics
                .push(Diagnostic::new(Problem::Syntax(e.message), span));
            return;
        }
    };
    let whole = at(root.start, root.end);
    let report = |diags: &mut Vec<Diagnostic>, problem: Problem, span: Span| {
        diags.push(Diagnostic::new(problem, span));
    };
    let plan = match plan::read(&root) {
        Ok(p) => p,
        Err(plan::NotRead::NotAPlan) => {
            report(&mut loaded.diagnostics, Problem::IacNotAPlan, whole);
            return;
        }
        Err(plan::NotRead::Version(v)) => {
            let span = root
                .get("format_version")
                .map_or(whole, |n| at(n.start, n.end));
            report(&mut loaded.diagnostics, Problem::IacFormatVersion(v), span);
            return;
        }
    };
    for p in &plan.problems {
        let mut d = Diagnostic::new(p.problem.clone(), at(p.at.0, p.at.1));
        d.related = p.first.map(|(s, e)| at(s, e));
        loaded.diagnostics.push(d);
    }
    if let Some(n) = root
        .get("errored")
        .filter(|n| n.value == json::Value::Bool(true))
    {
        report(
            &mut loaded.diagnostics,
            Problem::IacPlanErrored,
            at(n.start, n.end),
        );
    }
    if let Some(n) = root
        .get("complete")
        .filter(|n| n.value == json::Value::Bool(false))
    {
        let why = "complete: false".to_string();
        report(
            &mut loaded.diagnostics,
            Problem::IacPlanIncomplete(why),
            at(n.start, n.end),
        );
    }
    if let Some(n) = root
        .get("deferred_changes")
        .filter(|n| n.as_array().is_some_and(|a| !a.is_empty()))
    {
        let why = "it has deferred_changes".to_string();
        report(
            &mut loaded.diagnostics,
            Problem::IacPlanIncomplete(why),
            at(n.start, n.end),
        );
    }
    // The account the plan names wins; `--account` is for plans that name none (or
    // picks among several the plan names).
    let named: Vec<String> = plan::accounts(&root, &plan).into_iter().collect();
    let account = match (named.as_slice(), account) {
        ([one], _) => one.clone(),
        ([], Some(given)) => given.to_string(),
        (many, Some(given)) if many.iter().any(|a| a == given) => given.to_string(),
        ([], None) => {
            let why = "it names none".to_string();
            report(
                &mut loaded.diagnostics,
                Problem::IacAccountUnknown(why),
                whole,
            );
            return;
        }
        (many, _) => {
            let why = format!("it names {}", many.join(", "));
            report(
                &mut loaded.diagnostics,
                Problem::IacAccountUnknown(why),
                whole,
            );
            return;
        }
    };
    if !is_account_id(&account) {
        let why = format!("`{account}` is not a 12-digit account ID");
        report(
            &mut loaded.diagnostics,
            Problem::IacAccountUnknown(why),
            whole,
        );
        return;
    }
    let mut merge = merge::Merge {
        model: &mut loaded.model,
        plan: &plan,
        account,
        file,
        text: &text,
        opts,
        diags: &mut loaded.diagnostics,
    };
    for c in &plan.changes {
        merge.apply(c);
    }
    let tf = input.tf_source.as_deref().map(|dir| {
        tf_source::index(
            dir,
            &root,
            opts,
            &mut loaded.sources,
            &mut loaded.diagnostics,
        )
    });
    // Data sources too: a rebuilt policy document points into its statements.
    for c in &plan.changes {
        let members = c
            .after
            .and_then(json::Node::as_object)
            .unwrap_or_default()
            .iter()
            .map(|m| {
                let elements = m
                    .value
                    .as_array()
                    .unwrap_or_default()
                    .iter()
                    .map(|e| at(e.start, e.end))
                    .collect();
                (m.key.to_string(), at(m.value.start, m.value.end), elements)
            })
            .collect();
        let block = tf
            .as_ref()
            .and_then(|t| t.block(&c.module, c.managed, &c.kind, &c.name).cloned());
        loaded.sources.add_iac(crate::source::IacObject {
            address: c.address.clone(),
            span: at(c.node.start, c.node.end),
            members,
            tf: block,
        });
    }
}
