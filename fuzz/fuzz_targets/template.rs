//! Bytes as a CloudFormation template (YAML, or JSON when it starts with `{`) written
//! to `<tmp>/template.yaml` and applied with `=111111111111/eu-west-1` to no other
//! data: `ingest::load_with`, the same path as `iampath --template FILE=ACCOUNT …`
//! (the YAML or JSON reader, intrinsic functions, conditions, the policies inside,
//! the writing into the model), then the JSON and text reports (snippets at every
//! span).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use iampath::ingest::iac::{IacInput, TemplateArg};
use iampath::ingest::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;

#[path = "common/loaded.rs"]
mod common;

fn file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let d = std::env::temp_dir().join(format!(
            "iampath-fuzz-template-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d.join("template.yaml")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = file();
    std::fs::write(path, data).unwrap();
    let iac = IacInput {
        templates: vec![TemplateArg {
            path: path.clone(),
            account: Some("111111111111".into()),
            region: Some("eu-west-1".into()),
        }],
        ..Default::default()
    };
    let loaded = ingest::load_with(&[], &iac, &LoadOptions::default());
    common::check(&loaded);
});
