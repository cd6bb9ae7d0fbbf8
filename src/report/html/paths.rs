//! The two path sections: privilege escalation and cross-account access, each drawn
//! (one drawing, or one per account when the whole is too big to read) and listed hop
//! by hop with the statements that grant each hop.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::diagram::{Diagram, MAX_NODES, arn_account};
use super::{ReportInput, esc, plural};
use crate::graph::Hop;
use crate::report::records::place;
use crate::source::SourceMap;

const LEGEND: &str = concat!(
    "<p class=\"legend\">",
    "<i style=\"border-color:#6d28d9\"></i>assumes a role",
    "<i style=\"border-color:#15803d\"></i>reaches a resource",
    "<i style=\"border-color:#dc2626\"></i>escalates (technique)",
    "<i style=\"border-top-style:dashed\"></i>conditional",
    " · hover a node or an edge for its full name and what grants it</p>\n"
);

/// Most paths listed per section; the rest are counted.
const MAX_LISTED: usize = 500;
/// Most per-account drawings when the whole graph is too big for one (the accounts
/// with the most paths first).
const MAX_DRAWINGS: usize = 50;
/// Path lists longer than this start collapsed.
const OPEN_LIST: usize = 50;

pub(super) fn escalations(s: &mut String, r: &ReportInput) {
    let found = r.escalations;
    let sure = found
        .iter()
        .filter(|e| e.decision == crate::graph::query::Answer::Allowed)
        .count();
    let _ = write!(
        s,
        "<section id=\"escalations\">\n<h2>Privilege escalation</h2>\n<p class=\"lead\">{} can become an administrator: {sure} for certain, {} only if the conditions named on the path hold. Administrator: a principal whose permissions, after its boundary and the organization's policies, allow every action on every resource, or that can grant itself any permission.</p>\n",
        plural(found.len(), "principal"),
        found.len() - sure
    );
    if found.is_empty() {
        s.push_str("<p class=\"none\">No principal can escalate.</p>\n</section>\n");
        return;
    }
    let by_account = group(found.iter().map(|e| {
        let acc = e.account.clone().unwrap_or_default();
        (acc, &e.hops)
    }));
    drawings(s, "escalation paths", &by_account, false);
    open_list(s, found.len(), "escalation path");
    for e in found.iter().take(MAX_LISTED) {
        let account = e.account.as_deref().unwrap_or("");
        let accounts = path_accounts(account, &e.hops);
        let reached = if e.reached.starts_with("administrator@") {
            format!(
                "an administrator of {}",
                &e.reached["administrator@".len()..]
            )
        } else {
            e.reached.clone()
        };
        let _ = writeln!(
            s,
            "<details class=\"path {decision}\" data-account=\"{acc}\"><summary><code>{who}</code> → {reached} <span class=\"badge {decision}\">{decision}</span> <span class=\"muted\">{hops}: {chain}</span></summary>",
            decision = e.decision.as_str(),
            acc = esc(&accounts),
            who = esc(&e.principal),
            reached = esc(&reached),
            hops = plural(e.hops.len(), "hop"),
            chain = esc(&chain(&e.hops)),
        );
        hop_list(s, &e.hops, r.sources);
        s.push_str("</details>\n");
    }
    more(s, found.len(), "escalation paths", "iampath escalations");
    s.push_str("</details>\n</section>\n");
}

pub(super) fn crossings(s: &mut String, r: &ReportInput) {
    let all = r.crossings;
    let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for c in all {
        *pairs
            .entry((c.from_account.as_str(), c.to_account.as_str()))
            .or_insert(0) += 1;
    }
    let _ = write!(
        s,
        "<section id=\"paths\">\n<h2>Cross-account access</h2>\n<p class=\"lead\">{} between {}: roles assumed across accounts, and resource policies that grant other accounts (each checked on both sides).</p>\n",
        plural(all.len(), "edge"),
        plural(pairs.len(), "pair")
    );
    if all.is_empty() {
        s.push_str("<p class=\"none\">No access crosses an account boundary.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        s,
        "<details class=\"paths\"{}><summary>{}, the busiest first</summary>",
        if pairs.len() <= 20 { " open" } else { "" },
        plural(pairs.len(), "account pair")
    );
    s.push_str("<table class=\"pairs\"><thead><tr><th>from</th><th>into</th><th>edges</th></tr></thead><tbody>\n");
    // The busiest pairs first.
    let mut pairs: Vec<((&str, &str), usize)> = pairs.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((from, to), n) in pairs.iter().take(MAX_LISTED) {
        let _ = writeln!(
            s,
            "<tr data-account=\"{} {}\"><td>{}</td><td>{}</td><td>{n}</td></tr>",
            esc(from),
            esc(to),
            esc(from),
            esc(to)
        );
    }
    s.push_str("</tbody></table>\n");
    more(s, pairs.len(), "account pairs", "iampath paths");
    s.push_str("</details>\n");
    let by_account = group(all.iter().map(|c| {
        let hop = std::slice::from_ref(&c.hop);
        (c.to_account.clone(), hop)
    }));
    drawings(s, "cross-account paths into", &by_account, true);
    open_list(s, all.len(), "cross-account edge");
    for c in all.iter().take(MAX_LISTED) {
        let _ = writeln!(
            s,
            "<details class=\"path {decision}\" data-account=\"{a} {b}\"><summary><code>{from}</code> → <code>{to}</code> <span class=\"muted\">{action} · {a} → {b}</span></summary>",
            decision = c.hop.decision.as_str(),
            a = esc(&c.from_account),
            b = esc(&c.to_account),
            from = esc(&c.hop.from),
            to = esc(&c.hop.to),
            action = esc(&c.hop.action),
        );
        hop_list(s, std::slice::from_ref(&c.hop), r.sources);
        s.push_str("</details>\n");
    }
    more(s, all.len(), "cross-account edges", "iampath paths");
    s.push_str("</details>\n</section>\n");
}

/// Paths grouped by an account, in account order.
fn group<'h, P>(items: impl Iterator<Item = (String, &'h P)>) -> BTreeMap<String, Vec<&'h P>>
where
    P: ?Sized + 'h,
{
    let mut out: BTreeMap<String, Vec<&P>> = BTreeMap::new();
    for (account, hops) in items {
        out.entry(account).or_default().push(hops);
    }
    out
}

/// One drawing of every path when it is small enough to read; else one per account
/// (collapsed), up to `MAX_DRAWINGS`.
///
/// With `ends_in_key`, the last hop of each path ends in the account it is grouped by
/// (a bucket's ARN does not say its account; the grouping does).
fn drawings<H>(
    s: &mut String,
    what: &str,
    by_account: &BTreeMap<String, Vec<&H>>,
    ends_in_key: bool,
) where
    H: AsRef<[std::sync::Arc<Hop>]> + ?Sized,
{
    let draw = |groups: &mut dyn Iterator<Item = (&String, &Vec<&H>)>| {
        let mut d = Diagram::default();
        for (account, paths) in groups {
            for p in paths {
                let hops = p.as_ref();
                for (i, h) in hops.iter().enumerate() {
                    let last = ends_in_key && i + 1 == hops.len();
                    d.hop(h, None, last.then_some(account.as_str()));
                }
            }
        }
        d
    };
    let whole = draw(&mut by_account.iter());
    s.push_str(LEGEND);
    if whole.node_count() <= MAX_NODES {
        if let Some(svg) = whole.svg(what) {
            let _ = writeln!(s, "<div class=\"drawing\">{svg}</div>");
        }
        return;
    }
    let mut busiest: Vec<(&String, &Vec<&H>)> = by_account.iter().collect();
    busiest.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let _ = writeln!(
        s,
        "<details class=\"drawings\"><summary>{} nodes are too many for one drawing: one per account, the {} with the most paths first</summary>",
        whole.node_count(),
        plural(busiest.len().min(MAX_DRAWINGS), "account")
    );
    for (account, paths) in busiest.into_iter().take(MAX_DRAWINGS) {
        let d = draw(&mut std::iter::once((account, paths)));
        let svg = d.svg(&format!("{what} {account}")).unwrap_or_else(|| {
            format!(
                "<p class=\"note\">{} nodes: too many to draw; the paths are listed below.</p>",
                d.node_count()
            )
        });
        let _ = writeln!(
            s,
            "<details class=\"drawing\" data-account=\"{acc}\"><summary>{what} {acc} ({n})</summary>{svg}</details>",
            what = esc(what),
            acc = esc(account),
            n = plural(paths.len(), "path"),
        );
    }
    if by_account.len() > MAX_DRAWINGS {
        let _ = writeln!(
            s,
            "<p class=\"note\">{} more accounts not drawn here: <code>iampath graph --account ID</code> draws one.</p>",
            by_account.len() - MAX_DRAWINGS
        );
    }
    s.push_str("</details>\n");
}

/// Opens the list of paths: open when short, collapsed when long.
fn open_list(s: &mut String, n: usize, what: &str) {
    let _ = writeln!(
        s,
        "<details class=\"paths\"{}><summary>{}, hop by hop</summary>",
        if n <= OPEN_LIST { " open" } else { "" },
        plural(n, what)
    );
}

/// The accounts a path touches, space-separated (for the filter).
fn path_accounts(first: &str, hops: &[std::sync::Arc<Hop>]) -> String {
    let mut v: Vec<String> = Vec::new();
    if !first.is_empty() {
        v.push(first.to_string());
    }
    for h in hops {
        for id in [&h.from, &h.to] {
            if let Some(a) = arn_account(id) {
                if !v.contains(&a) {
                    v.push(a);
                }
            }
        }
    }
    v.join(" ")
}

/// `iam-003 → sts:AssumeRole`: the techniques and actions of a path, in a line.
fn chain(hops: &[std::sync::Arc<Hop>]) -> String {
    hops.iter()
        .map(|h| match h.technique {
            Some(t) => t.id.to_string(),
            None => h.action.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Each hop: who does what to whom, its conditions, and every statement that grants
/// it with its file:line.
pub(super) fn hop_list(s: &mut String, hops: &[std::sync::Arc<Hop>], sources: &SourceMap) {
    s.push_str("<ol class=\"hops\">\n");
    for h in hops {
        let how = match h.technique {
            Some(t) => format!("<b>{}</b> {}", esc(t.id), esc(t.name)),
            None => format!("<code>{}</code>", esc(&h.action)),
        };
        let _ = write!(
            s,
            "<li><code>{}</code> → <code>{}</code>: {how}",
            esc(&h.from),
            esc(&h.to)
        );
        if h.decision != crate::eval::Decision::Allowed {
            let _ = write!(s, " <span class=\"badge conditional\">conditional</span>");
        }
        if !h.conditions.is_empty() || !h.grants.is_empty() {
            s.push_str("<ul>");
            for c in &h.conditions {
                let _ = write!(s, "<li class=\"condition\">if {}</li>", esc(c));
            }
            for g in &h.grants {
                let at = place(g.span, sources)
                    .map(|p| format!("{}:{}:{}", p.file, p.line, p.column))
                    .unwrap_or_else(|| "iampath's own model (no file)".to_string());
                let permission = g
                    .permission
                    .map(|p| format!("<code>{}</code> by ", esc(p)))
                    .unwrap_or_default();
                let statement = g
                    .statement
                    .as_ref()
                    .map(|st| match &st.sid {
                        Some(sid) => format!(" statement {}", esc(sid)),
                        None => format!(" statement #{}", st.index),
                    })
                    .unwrap_or_default();
                let _ = write!(
                    s,
                    "<li class=\"grant\">{permission}{}{statement} <span class=\"loc\">{}</span></li>",
                    esc(&g.policy),
                    esc(&at)
                );
            }
            s.push_str("</ul>");
        }
        s.push_str("</li>\n");
    }
    s.push_str("</ol>\n");
}

/// "and N more" when a list was cut, with the command that prints all of it.
pub(super) fn more(s: &mut String, total: usize, what: &str, command: &str) {
    if total > MAX_LISTED {
        let _ = writeln!(
            s,
            "<p class=\"note\">{} more {what} not shown here: <code>{}</code> lists them all.</p>",
            total - MAX_LISTED,
            esc(command)
        );
    }
}
