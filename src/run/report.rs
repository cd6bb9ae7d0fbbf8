//! `report [-o FILE]`: the HTML page, from the same results `lint`, `paths` and
//! `escalations` print.

use std::io::Write;
use std::path::Path;

use super::{Env, RunError, exit, gate, leak, read_config, write_with};
use crate::graph::escalations::{Target, escalations};
use crate::report::html::{CrossingSummary, ReportInput, write};

pub(super) fn report(
    env: &Env,
    output: Option<&Path>,
    config: Option<&Path>,
) -> Result<u8, RunError> {
    let config = read_config(config)?;
    // As `lint`: the texts go after the load (the page quotes the findings it shows,
    // reading their files again) and the documents as the graph compiles them.
    let progress = env.progress();
    let mut loaded = env.load_to_quote(&progress)?;
    let (graph, findings) = gate::lint_load(env, &progress, &mut loaded, &config);
    progress.step("running the path searches");
    let crossings = CrossingSummary::new(|| {
        crate::graph::paths::crossings_in_order(&graph, &loaded.model, None, None)
    });
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
