//! `--tf-source DIR`: the Terraform configuration a plan was made from, so that a finding
//! about a plan object points at the `.tf` block or attribute that wrote it.
//!
//! The root module is `DIR`; a child module's folder comes from
//! `DIR/.terraform/modules/modules.json` (written by `terraform init`), or, for a local
//! `source = "./x"`, from the plan's configuration. Every `*.tf` file of those folders
//! is parsed (hcl-edit) for its `resource` and `data` blocks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hcl_edit::Span as _;

use crate::ingest::diag::{Diagnostic, Problem};
use crate::ingest::{LoadOptions, read_source};
use crate::model::Span;
use crate::source::json::Node;
use crate::source::{SourceMap, TfBlock};

/// `resource`/`data` blocks by (module address, `resource`|`data`, type, name).
#[derive(Default)]
pub struct TfIndex {
    blocks: HashMap<(String, bool, String, String), TfBlock>,
}

impl TfIndex {
    /// The block of a plan entry.
    pub fn block(&self, module: &str, managed: bool, kind: &str, name: &str) -> Option<&TfBlock> {
        self.blocks.get(&(
            module.to_string(),
            managed,
            kind.to_string(),
            name.to_string(),
        ))
    }
}

/// Reads the configuration under `dir` for the modules the plan's configuration names.
pub fn index(
    dir: &Path,
    plan_root: &Node,
    opts: &LoadOptions,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> TfIndex {
    let mut index = TfIndex::default();
    for (module, folder) in module_dirs(dir, plan_root) {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tf") && p.is_file())
            .collect();
        files.sort();
        for path in files {
            let Some(file) = read_source(&path, opts, sources, diags) else {
                continue;
            };
            let Some(text) = sources.get(file).map(|f| f.text.clone()) else {
                continue;
            };
            let body = match hcl_edit::parser::parse_body(&text) {
                Ok(b) => b,
                Err(e) => {
                    let what = format!(
                        "{}: not read as HCL ({})",
                        path.display(),
                        first_line(&e.to_string())
                    );
                    let span = Span::at(file, 0);
                    let problem = Problem::IacUnresolved {
                        address: "--tf-source".to_string(),
                        what,
                    };
                    diags.push(Diagnostic::new(problem, span));
                    continue;
                }
            };
            let at = |r: std::ops::Range<usize>| Span {
                file,
                start: u32::try_from(r.start).unwrap_or(u32::MAX),
                end: u32::try_from(r.end).unwrap_or(u32::MAX),
            };
            for s in body.iter() {
                let Some(b) = s.as_block() else { continue };
                let managed = match b.ident.as_str() {
                    "resource" => true,
                    "data" => false,
                    _ => continue,
                };
                let [kind, name] = b.labels.as_slice() else {
                    continue;
                };
                let Some(span) = b.span() else { continue };
                let mut attrs = Vec::new();
                for inner in b.body.iter() {
                    let (key, range) = match (inner.as_attribute(), inner.as_block()) {
                        (Some(a), _) => (a.key.as_str().to_string(), a.span()),
                        (None, Some(nested)) => (nested.ident.as_str().to_string(), nested.span()),
                        _ => continue,
                    };
                    if let Some(r) = range {
                        attrs.push((key, at(r)));
                    }
                }
                let key = (
                    module.clone(),
                    managed,
                    kind.as_str().to_string(),
                    name.as_str().to_string(),
                );
                index.blocks.insert(
                    key,
                    TfBlock {
                        block: at(span),
                        attrs,
                    },
                );
            }
        }
    }
    index
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

/// Module address (`module.a.module.b`, empty for the root) → folder.
fn module_dirs(dir: &Path, plan_root: &Node) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = vec![(String::new(), dir.to_path_buf())];
    // Local sources named by the plan's configuration.
    let mut stack: Vec<(String, PathBuf, &Node)> = plan_root
        .get("configuration")
        .and_then(|c| c.get("root_module"))
        .map(|m| (String::new(), dir.to_path_buf(), m))
        .into_iter()
        .collect();
    while let Some((address, folder, module)) = stack.pop() {
        for call in module
            .get("module_calls")
            .and_then(Node::as_object)
            .unwrap_or_default()
        {
            let Some(source) = call.value.get("source").and_then(Node::as_str) else {
                continue;
            };
            if !(source.starts_with("./") || source.starts_with("../")) {
                continue;
            }
            let child = folder.join(source);
            let child_address = if address.is_empty() {
                format!("module.{}", call.key)
            } else {
                format!("{address}.module.{}", call.key)
            };
            if let Some(inner) = call.value.get("module") {
                stack.push((child_address.clone(), child.clone(), inner));
            }
            out.push((child_address, child));
        }
    }
    // `terraform init`'s manifest: every module, remote ones included.
    let manifest = dir.join(".terraform/modules/modules.json");
    if let Ok(text) = std::fs::read_to_string(&manifest)
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
    {
        for m in v["Modules"].as_array().into_iter().flatten() {
            let (Some(key), Some(sub)) = (m["Key"].as_str(), m["Dir"].as_str()) else {
                continue;
            };
            if key.is_empty() {
                continue;
            }
            let address = key
                .split('.')
                .map(|k| format!("module.{k}"))
                .collect::<Vec<_>>()
                .join(".");
            out.retain(|(a, _)| a != &address);
            out.push((address, dir.join(sub)));
        }
    }
    out
}
