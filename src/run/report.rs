//! `report [-o FILE]`: the HTML page, from the same results `lint`, `paths` and
//! `escalations` print.

use std::io::Write;
use std::path::Path;

use super::{Env, RunError, exit, gate, leak, read_config, write_with};
use crate::graph::escalations::{Target, escalations};
use crate::report::html::{ReportInput, write};

pub(super) fn report(
    env: &Env,
    output: Option<&Path>,
    config: Option<&Path>,
) -> Result<u8, RunError> {
    let config = read_config(config)?;
    let (loaded, mut graph) = env.graph()?;
    let progress = env.progress();
    progress.step("running the rules and the path searches");
    let findings = gate::findings(&mut graph, &loaded, &config);
    let crossings = crate::graph::paths::crossings(&graph, &loaded.model, None, None);
    let found = escalations(&graph, &Target::Admin);
    drop(progress);
    let input = ReportInput {
        data: env
            .cli
            .data
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        model: &loaded.model,
        graph: &graph,
        diagnostics: &loaded.diagnostics,
        sources: &loaded.sources,
        findings: &findings,
        crossings: &crossings,
        escalations: &found,
    };
    match output {
        None => write_with(|out| write(out, &input)),
        Some(path) => {
            let failed = |e: std::io::Error| RunError::Write {
                path: path.display().to_string(),
                reason: e.to_string(),
            };
            let file = std::fs::File::create(path).map_err(failed)?;
            let mut out = std::io::BufWriter::new(file);
            write(&mut out, &input)
                .and_then(|()| out.flush())
                .map_err(failed)?;
        }
    }
    leak((loaded, graph, findings));
    Ok(exit::OK)
}
