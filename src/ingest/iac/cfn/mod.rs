//! CloudFormation templates (JSON or YAML with short-form tags) and CDK `cdk.out`
//! folders as proposed changes: each stack's resources are written into its account.

mod apply;
mod attributes;
mod render;
mod resources;
mod value;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::IacInput;
use crate::ingest::diag::{Diagnostic, Problem};
use crate::ingest::{LoadOptions, Loaded, read_source};
use crate::model::{FileId, Span, is_account_id};
use crate::source::json::{self, Node};

pub use value::Env;

/// One `--template FILE[=ACCOUNT[/REGION]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateArg {
    pub path: PathBuf,
    pub account: Option<String>,
    pub region: Option<String>,
}

impl TemplateArg {
    /// Reads `FILE`, `FILE=ACCOUNT` or `FILE=ACCOUNT/REGION`.
    pub fn parse(arg: &str) -> TemplateArg {
        if let Some((path, env)) = arg.rsplit_once('=') {
            let (account, region) = match env.split_once('/') {
                Some((a, r)) => (a, Some(r)),
                None => (env, None),
            };
            let plausible = !account.is_empty()
                && account.bytes().all(|b| b.is_ascii_digit())
                && region.is_none_or(|r| {
                    !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if plausible {
                return TemplateArg {
                    path: PathBuf::from(path),
                    account: Some(account.to_string()),
                    region: region.map(str::to_string),
                };
            }
        }
        TemplateArg {
            path: PathBuf::from(arg),
            account: None,
            region: None,
        }
    }
}

/// The region of a stack whose template does not say.
pub const DEFAULT_REGION: &str = "us-east-1";

/// A stack to load: its template file and where it is deployed.
struct Stack {
    template: PathBuf,
    name: String,
    account: Result<String, String>,
    region: String,
}

/// Applies every template (and every stack of every `cdk.out`) of the run.
pub fn apply(loaded: &mut Loaded, input: &IacInput, opts: &LoadOptions) {
    let parameters = parameters(loaded, input, opts);
    let mut stacks = Vec::new();
    for arg in &input.templates {
        if arg.path.is_dir() {
            cdk_out(loaded, arg, input, opts, &mut stacks);
        } else {
            let name = arg
                .path
                .file_stem()
                .map_or_else(|| "stack".to_string(), |s| s.to_string_lossy().to_string());
            stacks.push(Stack {
                template: arg.path.clone(),
                name,
                account: account_of(arg.account.as_deref(), input.account.as_deref(), None),
                region: arg
                    .region
                    .clone()
                    .unwrap_or_else(|| DEFAULT_REGION.to_string()),
            });
        }
    }
    // Read every template first: a stack may import what another exports.
    let mut read: Vec<(FileId, String, Stack)> = Vec::new();
    for stack in stacks {
        if let Some((file, text)) = read_file(loaded, &stack.template, opts) {
            read.push((file, text, stack));
        }
    }
    let mut parsed: Vec<(FileId, &str, Node, &Stack)> = Vec::new();
    for (file, text, stack) in &read {
        let (result, problem): (_, fn(String) -> Problem) = if is_json(text) {
            (json::parse(text, opts.max_depth), Problem::Syntax)
        } else {
            (
                crate::source::yaml::parse(text, opts.max_depth),
                Problem::YamlSyntax,
            )
        };
        match result {
            Ok(root) => parsed.push((*file, text.as_str(), root, stack)),
            Err(e) => syntax(loaded, *file, e, problem),
        }
    }
    let envs: Vec<Option<Env>> = parsed
        .iter()
        .map(|(_, _, _, s)| {
            s.account.as_ref().ok().map(|account| Env {
                account: account.clone(),
                region: s.region.clone(),
                stack: s.name.clone(),
                parameters: parameters.clone(),
                exports: HashMap::new(),
            })
        })
        .collect();
    let mut exports = HashMap::new();
    for ((_, _, root, _), env) in parsed.iter().zip(&envs) {
        if let Some(env) = env {
            exports.extend(outputs(root, env));
        }
    }
    for ((file, _text, root, stack), env) in parsed.iter().zip(envs) {
        super::super::capped(loaded, |l| {
            one(l, *file, root, stack, env, &exports, opts);
        });
    }
}

/// A template in JSON (else YAML, of which JSON is nearly a subset, but whose
/// reader would not see duplicate keys or keep number text).
fn is_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// The account of a stack: the one its argument or `cdk.out` names, else `--account`.
fn account_of(
    given: Option<&str>,
    fallback: Option<&str>,
    env: Option<&str>,
) -> Result<String, String> {
    let account = match (given, env, fallback) {
        (Some(a), _, _) => a,
        (None, Some(e), _) if e != "unknown-account" => e,
        (None, _, Some(f)) => f,
        (None, Some(e), None) => {
            return Err(format!(
                "its environment is `{e}`: give --template PATH=ACCOUNT or --account ID"
            ));
        }
        (None, None, None) => {
            return Err(
                "a template does not say: give --template FILE=ACCOUNT or --account ID".into(),
            );
        }
    };
    if is_account_id(account) {
        Ok(account.to_string())
    } else {
        Err(format!("`{account}` is not a 12-digit account ID"))
    }
}

/// The stacks of a `cdk.out` folder, from its `manifest.json`.
fn cdk_out(
    loaded: &mut Loaded,
    arg: &TemplateArg,
    input: &IacInput,
    opts: &LoadOptions,
    stacks: &mut Vec<Stack>,
) {
    let manifest = arg.path.join("manifest.json");
    let Some((file, text)) = read_file(loaded, &manifest, opts) else {
        return;
    };
    let root = match json::parse(&text, opts.max_depth) {
        Ok(r) => r,
        Err(e) => return syntax(loaded, file, e, Problem::Syntax),
    };
    let artifacts = root
        .get("artifacts")
        .and_then(Node::as_object)
        .unwrap_or_default();
    let mut found = 0;
    for a in artifacts {
        let art = &a.value;
        if art.get("type").and_then(Node::as_str) != Some("aws:cloudformation:stack") {
            continue;
        }
        found += 1;
        let props = art.get("properties");
        let Some(template) = props
            .and_then(|p| p.get("templateFile"))
            .and_then(Node::as_str)
        else {
            let what = "a stack artifact without properties.templateFile; not loaded".to_string();
            let span = Span {
                file,
                start: art.start,
                end: art.end,
            };
            loaded.diagnostics.push(Diagnostic::new(
                Problem::IacUnresolved {
                    address: a.key.to_string(),
                    what,
                },
                span,
            ));
            continue;
        };
        let name = props
            .and_then(|p| p.get("stackName"))
            .and_then(Node::as_str)
            .unwrap_or(&a.key)
            .to_string();
        // `aws://ACCOUNT/REGION`
        let environment = art
            .get("environment")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let rest = environment.strip_prefix("aws://").unwrap_or(environment);
        let (env_account, env_region) = rest.split_once('/').unwrap_or((rest, ""));
        let env_account = (!env_account.is_empty()).then_some(env_account);
        let region = match (&arg.region, env_region) {
            (Some(r), _) => r.clone(),
            (None, r) if !r.is_empty() && r != "unknown-region" => r.to_string(),
            _ => DEFAULT_REGION.to_string(),
        };
        stacks.push(Stack {
            template: arg.path.join(template),
            name,
            account: account_of(
                arg.account.as_deref(),
                input.account.as_deref(),
                env_account,
            )
            .map_err(|e| format!("stack `{}`: {e}", a.key)),
            region,
        });
    }
    if found == 0 {
        let span = Span {
            file,
            start: root.start,
            end: root.end,
        };
        loaded
            .diagnostics
            .push(Diagnostic::new(Problem::IacNotATemplate, span));
    }
}

/// `Outputs` with an `Export.Name`: what other stacks may import.
fn outputs(root: &Node, env: &Env) -> HashMap<String, String> {
    let t = value::Template::new(root, env);
    let mut out = HashMap::new();
    for m in root
        .get("Outputs")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        let Some(name) = m.value.get("Export").and_then(|e| e.get("Name")) else {
            continue;
        };
        let (name, value) = (t.eval(name), m.value.get("Value").map(|v| t.eval(v)));
        if let (Some(n), Some(v)) = (name.known(), value.as_ref().and_then(|v| v.known())) {
            out.insert(n.to_string(), v.to_string());
        }
    }
    out
}

fn one(
    loaded: &mut Loaded,
    file: FileId,
    root: &Node,
    stack: &Stack,
    env: Option<Env>,
    exports: &HashMap<String, String>,
    opts: &LoadOptions,
) {
    let whole = Span {
        file,
        start: root.start,
        end: root.end,
    };
    let resources = root.get("Resources");
    if resources.and_then(Node::as_object).is_none() {
        loaded
            .diagnostics
            .push(Diagnostic::new(Problem::IacNotATemplate, whole));
        return;
    }
    let Some(mut env) = env else {
        let why = match &stack.account {
            Err(e) => e.clone(),
            Ok(_) => String::new(),
        };
        loaded
            .diagnostics
            .push(Diagnostic::new(Problem::IacTemplateAccount(why), whole));
        return;
    };
    env.exports = exports.clone();
    if let Some(t) = root.get("Transform") {
        let names = match &t.value {
            json::Value::String(s) => s.to_string(),
            json::Value::Array(items) => items
                .iter()
                .filter_map(Node::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            _ => "a macro".to_string(),
        };
        let span = Span {
            file,
            start: t.start,
            end: t.end,
        };
        loaded
            .diagnostics
            .push(Diagnostic::new(Problem::IacTransform(names), span));
    }
    structure(loaded, file, root);
    let t = value::Template::new(root, &env);
    apply::Apply {
        model: &mut loaded.model,
        t: &t,
        file,
        opts,
        diags: &mut loaded.diagnostics,
    }
    .all();
    for m in resources.and_then(Node::as_object).unwrap_or_default() {
        let members = m
            .value
            .get("Properties")
            .and_then(Node::as_object)
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let elements = p
                    .value
                    .as_array()
                    .unwrap_or_default()
                    .iter()
                    .map(|e| Span {
                        file,
                        start: e.start,
                        end: e.end,
                    })
                    .collect();
                (
                    p.key.to_string(),
                    Span {
                        file,
                        start: p.value.start,
                        end: p.value.end,
                    },
                    elements,
                )
            })
            .collect();
        let address = match m
            .value
            .get("Metadata")
            .and_then(|md| md.get("aws:cdk:path"))
            .and_then(Node::as_str)
        {
            Some(path) => format!("{} ({path})", m.key),
            None => m.key.to_string(),
        };
        loaded.sources.add_iac(crate::source::IacObject {
            address,
            span: Span {
                file,
                start: m.value.start,
                end: m.value.end,
            },
            members,
            tf: None,
        });
    }
}

/// `--parameters`: `KEY=VALUE`, or a file in one of the shapes CloudFormation tools
/// write: `{"Parameters": {K: V}}`, `[{"ParameterKey": K, "ParameterValue": V}]`, or
/// `["K=V"]`.
fn parameters(
    loaded: &mut Loaded,
    input: &IacInput,
    opts: &LoadOptions,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for p in &input.parameters {
        let path = Path::new(p);
        if !path.is_file()
            && let Some((k, v)) = p.split_once('=')
        {
            out.insert(k.to_string(), v.to_string());
            continue;
        }
        let Some((file, text)) = read_file(loaded, path, opts) else {
            continue;
        };
        let root = match json::parse(&text, opts.max_depth) {
            Ok(r) => r,
            Err(e) => {
                syntax(loaded, file, e, Problem::Syntax);
                continue;
            }
        };
        let scalar = |n: &Node| match &n.value {
            json::Value::String(s) => Some(s.to_string()),
            json::Value::Number(n) => Some((*n).to_string()),
            json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match (&root.value, root.get("Parameters")) {
            (_, Some(params)) => {
                for m in params.as_object().unwrap_or_default() {
                    if let Some(v) = scalar(&m.value) {
                        out.insert(m.key.to_string(), v);
                    }
                }
            }
            (json::Value::Array(items), None) => {
                for item in items {
                    if let Some(s) = item.as_str()
                        && let Some((k, v)) = s.split_once('=')
                    {
                        out.insert(k.to_string(), v.to_string());
                    } else if let (Some(k), Some(v)) = (
                        item.get("ParameterKey").and_then(Node::as_str),
                        item.get("ParameterValue").and_then(scalar),
                    ) {
                        out.insert(k.to_string(), v);
                    }
                }
            }
            _ => {
                let span = Span {
                    file,
                    start: root.start,
                    end: root.end,
                };
                let what = "a parameters file is {\"Parameters\": {…}}, [{\"ParameterKey\", \"ParameterValue\"}] or [\"KEY=VALUE\"]; not read".to_string();
                loaded.diagnostics.push(Diagnostic::new(
                    Problem::IacUnresolved {
                        address: p.clone(),
                        what,
                    },
                    span,
                ));
            }
        }
    }
    out
}

/// The template's shape where CloudFormation reads it: sections, resources, their
/// `Type` and `Properties` of the right types (what is not is reported, and not
/// read), and no key written twice there (which one counts is not something to
/// guess; inside policy documents the policy reader reports them).
fn structure(loaded: &mut Loaded, file: FileId, root: &Node) {
    let at = |n: &Node| Span {
        file,
        start: n.start,
        end: n.end,
    };
    let wrong = |key: &str, expected: &'static str, n: &Node| {
        let problem = Problem::WrongType {
            key: key.to_string(),
            expected,
            found: n.type_name(),
        };
        (problem, at(n))
    };
    let mut found = Vec::new();
    let mut objects: Vec<&Node> = vec![root];
    for section in [
        "Resources",
        "Parameters",
        "Conditions",
        "Mappings",
        "Outputs",
    ] {
        match root.get(section) {
            Some(n) if n.as_object().is_some() => objects.push(n),
            Some(n) => found.push(wrong(section, "an object", n)),
            None => {}
        }
    }
    for r in root
        .get("Resources")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        if r.value.as_object().is_none() {
            found.push(wrong(&r.key, "a resource (an object with Type)", &r.value));
            continue;
        }
        objects.push(&r.value);
        match r.value.get("Type") {
            Some(t) if t.as_str().is_some() => {}
            Some(t) => found.push(wrong(&format!("{}.Type", r.key), "a string", t)),
            None => found.push((
                Problem::MissingKey {
                    key: "Type",
                    context: format!("resource `{}`", r.key),
                },
                at(&r.value),
            )),
        }
        match r.value.get("Properties") {
            Some(p) if p.as_object().is_some() => objects.push(p),
            // A short-form function standing for the properties is read as it is.
            Some(p) if matches!(p.value, json::Value::Null) => {}
            Some(p) => found.push(wrong(&format!("{}.Properties", r.key), "an object", p)),
            None => {}
        }
    }
    for node in objects {
        let mut seen = std::collections::HashSet::new();
        for m in node.as_object().unwrap_or_default() {
            if !seen.insert(m.key.as_ref()) {
                let span = Span {
                    file,
                    start: m.key_start,
                    end: m.key_end,
                };
                found.push((Problem::DuplicateKey(m.key.to_string()), span));
            }
        }
    }
    for (problem, span) in found {
        loaded.diagnostics.push(Diagnostic::new(problem, span));
    }
}

/// Reads a file of the run: its ID and a copy of its text (an unreadable file is
/// reported by `read_source`).
fn read_file(loaded: &mut Loaded, path: &Path, opts: &LoadOptions) -> Option<(FileId, String)> {
    let file = read_source(path, opts, &mut loaded.sources, &mut loaded.diagnostics)?;
    let text = loaded.sources.get(file).map(|f| f.text.clone())?;
    Some((file, text))
}

/// Reports a JSON or YAML syntax error at its offset.
fn syntax(loaded: &mut Loaded, file: FileId, e: json::SyntaxError, problem: fn(String) -> Problem) {
    let span = Span {
        file,
        start: e.offset,
        end: e.offset.saturating_add(1),
    };
    loaded
        .diagnostics
        .push(Diagnostic::new(problem(e.message), span));
}
