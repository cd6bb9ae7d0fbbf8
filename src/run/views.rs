//! `paths` and `graph`: views of the whole graph.

use super::{Env, RunError, exit, leak, write_out};
use crate::cli::Format;
use crate::report;

pub(super) fn paths(env: &Env, from: Option<&str>, to: Option<&str>) -> Result<u8, RunError> {
    let (loaded, graph) = env.graph()?;
    let c = crate::graph::overview::crossings(&graph, &loaded.model, from, to);
    write_out(&match env.cli.format {
        Format::Json => report::overview::paths_json(&c),
        _ => report::overview::paths_text(&c),
    });
    leak((loaded, graph));
    Ok(exit::OK)
}

pub(super) fn graph(
    env: &Env,
    account: Option<&str>,
    principal: Option<&str>,
) -> Result<u8, RunError> {
    let (loaded, mut graph) = env.graph()?;
    let start = principal
        .map(|p| crate::graph::query::resolve(&mut graph, p))
        .transpose()?;
    let edges = crate::graph::overview::subgraph(&graph, account, start);
    write_out(&match env.cli.format {
        Format::Mermaid => report::overview::mermaid(&graph, &edges),
        _ => report::overview::dot(&graph, &edges),
    });
    leak((loaded, graph));
    Ok(exit::OK)
}
