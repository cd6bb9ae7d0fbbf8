//! `paths` and `graph`: views of the whole graph.

use super::{Env, RunError, exit, leak, write_with};
use crate::cli::Format;
use crate::report;

pub(super) fn paths(env: &Env, from: Option<&str>, to: Option<&str>) -> Result<u8, RunError> {
    let (loaded, graph) = env.graph_of_crossings(from, to)?;
    let c = crate::graph::paths::crossings_in_order(&graph, &loaded.model, from, to);
    match env.cli.format {
        Format::Json => write_with(|out| report::paths::json(out, c)),
        _ => write_with(|out| report::paths::text(out, c)),
    }
    leak((loaded, graph));
    Ok(exit::OK)
}

pub(super) fn graph(
    env: &Env,
    account: Option<&str>,
    principal: Option<&str>,
) -> Result<u8, RunError> {
    let (loaded, mut graph) = env.graph_without_texts()?;
    let start = principal
        .map(|p| crate::graph::query::resolve(&mut graph, p))
        .transpose()?;
    let edges = crate::graph::draw::subgraph(&graph, account, start);
    match env.cli.format {
        Format::Mermaid => write_with(|out| report::graph::mermaid(out, &graph, &edges)),
        _ => write_with(|out| report::graph::dot(out, &graph, &edges)),
    }
    leak((loaded, graph));
    Ok(exit::OK)
}
