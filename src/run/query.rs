//! `can`, `who-can` and `what-can`: questions about one principal or one resource.

use super::{Env, RunError, exit, leak, write_with};
use crate::cli::Format;
use crate::graph::Question;
use crate::graph::query::{Answer, Limits};
use crate::report;

pub(super) fn can(
    env: &Env,
    principal: &str,
    action: &str,
    resource: &str,
    max_hops: usize,
    max_paths: usize,
) -> Result<u8, RunError> {
    let (loaded, mut graph) = env.graph_for_question(&Question::From {
        principal,
        action,
        resource,
    })?;
    let limits = Limits {
        max_hops,
        max_paths,
    };
    let r = crate::graph::query::can(
        &mut graph,
        &loaded.model,
        principal,
        action,
        resource,
        limits,
    )?;
    match env.cli.format {
        Format::Json => write_with(|out| report::access::can_json(out, &r, &loaded.sources)),
        _ => write_with(|out| report::access::can_text(out, &r, &loaded.sources)),
    }
    leak((loaded, graph));
    Ok(if r.decision == Answer::Denied {
        exit::DENIED_OR_FINDINGS
    } else {
        exit::OK
    })
}

pub(super) fn who_can(env: &Env, action: &str, resource: &str) -> Result<u8, RunError> {
    let (loaded, mut graph) = env.graph_for_question(&Question::To { action, resource })?;
    let r = crate::graph::who_can::who_can(&mut graph, &loaded.model, action, resource)?;
    match env.cli.format {
        Format::Json => write_with(|out| report::access::who_json(out, &r, &loaded.sources)),
        _ => write_with(|out| report::access::who_text(out, &r, &loaded.sources)),
    }
    leak((loaded, graph));
    Ok(exit::OK)
}

pub(super) fn what_can(
    env: &Env,
    principal: &str,
    max_hops: usize,
    verbose: bool,
) -> Result<u8, RunError> {
    let (loaded, mut graph) = env.graph_without_texts_for(&Question::Reach { principal })?;
    let start = crate::graph::query::resolve(&mut graph, principal)?;
    let reach = crate::graph::what_can::what_can(&graph, start, max_hops);
    let id = graph
        .world
        .principals
        .get(start)
        .map(|p| p.id.clone())
        .unwrap_or_default();
    match env.cli.format {
        Format::Json => write_with(|out| report::what_can::json(out, &graph, &id, &reach)),
        _ => write_with(|out| report::what_can::text(out, &graph, &id, &reach, verbose)),
    }
    leak((loaded, graph));
    Ok(exit::OK)
}

pub(super) fn escalations(env: &Env, to: &str) -> Result<u8, RunError> {
    use crate::graph::escalations::{Target, escalations};
    let (loaded, mut graph) = env.graph_for_answers()?;
    let target = if to.eq_ignore_ascii_case("admin") {
        Target::Admin
    } else {
        Target::Principal(crate::graph::query::resolve(&mut graph, to)?)
    };
    let found = escalations(&graph, &target);
    match env.cli.format {
        Format::Json => write_with(|out| report::escalations::json(out, &found, &loaded.sources)),
        Format::Sarif => {
            use crate::lint::rules::privilege_escalation::{findings, findings_to};
            let findings = match target {
                Target::Admin => findings(&graph),
                Target::Principal(_) => findings_to(&graph, &found),
            };
            let rules = crate::lint::rules::registry();
            write_with(|out| report::sarif::write(out, &findings, &rules, &loaded.sources))
        }
        _ => write_with(|out| report::escalations::text(out, &found, &loaded.sources)),
    }
    leak((loaded, graph));
    Ok(exit::OK)
}
