//! The two path sections: privilege escalation and cross-account access, each drawn
//! (one drawing, or one per account when the whole is too big to read) and listed hop
//! by hop with the statements that grant each hop.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;

use super::diagram::{Diagram, MAX_NODES, arn_account};
use super::{ReportInput, esc, plural};
use crate::graph::Hop;
use crate::graph::paths::Crossing;
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
    drawings(s, "escalation paths", &by_account, false, None);
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

/// What the page shows of the cross-account edges (`paths`), counted as they are made:
/// an organization has millions, and the page lists the first [`MAX_LISTED`] and
/// draws at most [`MAX_DRAWINGS`] accounts. The hops are kept for those only.
pub struct CrossingSummary {
    /// How many edges.
    pub total: usize,
    /// Edges by (source, target) account.
    pairs: BTreeMap<(String, String), usize>,
    /// The first edges, as `paths` lists them.
    listed: Vec<Crossing>,
    /// Per target account, how many edges and nodes (distinct ends) the drawings
    /// count, for every account.
    counts: BTreeMap<String, (usize, usize)>,
    /// How many nodes one drawing of every edge has.
    nodes: usize,
    /// The hops of the accounts drawn (every account when one drawing holds all).
    drawn: BTreeMap<String, Vec<Arc<Hop>>>,
}

impl CrossingSummary {
    /// The summary of the edges `edges` makes, in `paths`' order; it is called twice
    /// when some accounts are drawn (the hops made the first time are not kept).
    pub fn new<I: Iterator<Item = Crossing>>(edges: impl Fn() -> I) -> CrossingSummary {
        let mut total = 0;
        let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut listed = Vec::new();
        let mut ends: BTreeMap<String, (usize, HashSet<Arc<str>>)> = BTreeMap::new();
        let mut all: HashSet<Arc<str>> = HashSet::new();
        for c in edges() {
            total += 1;
            let pair = (c.from_account.clone(), c.to_account.clone());
            *pairs.entry(pair).or_insert(0) += 1;
            let (n, nodes) = ends.entry(c.to_account.clone()).or_default();
            *n += 1;
            for end in [&c.hop.from, &c.hop.to] {
                nodes.insert(end.clone());
                all.insert(end.clone());
            }
            if listed.len() < MAX_LISTED {
                listed.push(c);
            }
        }
        let counts: BTreeMap<String, (usize, usize)> = ends
            .into_iter()
            .map(|(a, (n, nodes))| (a, (n, nodes.len())))
            .collect();
        let nodes = all.len();
        drop(all);
        // The accounts drawn: all in one drawing, or the busiest few small enough.
        let wanted: HashSet<&str> = if nodes <= MAX_NODES {
            counts.keys().map(String::as_str).collect()
        } else {
            let paths = counts.iter().map(|(a, (n, _))| (a.as_str(), *n)).collect();
            busiest(paths)
                .into_iter()
                .take(MAX_DRAWINGS)
                .map(|(a, _)| a)
                .filter(|a| counts.get(*a).is_some_and(|(_, nodes)| *nodes <= MAX_NODES))
                .collect()
        };
        let mut drawn: BTreeMap<String, Vec<Arc<Hop>>> = BTreeMap::new();
        if !wanted.is_empty() {
            for c in edges().filter(|c| wanted.contains(c.to_account.as_str())) {
                drawn.entry(c.to_account).or_default().push(c.hop);
            }
        }
        CrossingSummary {
            total,
            pairs,
            listed,
            counts,
            nodes,
            drawn,
        }
    }

    /// The drawings of the edges ([`drawings`], from the counts and the hops held).
    fn draw(&self, s: &mut String, what: &str) {
        let by_account: BTreeMap<String, Vec<&[Arc<Hop>]>> = self
            .drawn
            .iter()
            .map(|(a, hops)| (a.clone(), hops.chunks(1).collect()))
            .collect();
        let counted = Counted {
            nodes: self.nodes,
            accounts: &self.counts,
        };
        drawings(s, what, &by_account, true, Some(counted));
    }
}

/// Accounts with their number of paths, the most first (then by account).
fn busiest(mut paths: Vec<(&str, usize)>) -> Vec<(&str, usize)> {
    paths.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    paths
}

pub(super) fn crossings(s: &mut String, r: &ReportInput) {
    let summary = r.crossings;
    let _ = write!(
        s,
        "<section id=\"paths\">\n<h2>Cross-account access</h2>\n<p class=\"lead\">{} between {}: roles assumed across accounts, and resource policies that grant other accounts (each checked on both sides).</p>\n",
        plural(summary.total, "edge"),
        plural(summary.pairs.len(), "pair")
    );
    if summary.total == 0 {
        s.push_str("<p class=\"none\">No access crosses an account boundary.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        s,
        "<details class=\"paths\"{}><summary>{}, the busiest first</summary>",
        if summary.pairs.len() <= 20 {
            " open"
        } else {
            ""
        },
        plural(summary.pairs.len(), "account pair")
    );
    s.push_str("<table class=\"pairs\"><thead><tr><th>from</th><th>into</th><th>edges</th></tr></thead><tbody>\n");
    // The busiest pairs first.
    let mut pairs: Vec<(&(String, String), &usize)> = summary.pairs.iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
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
    summary.draw(s, "cross-account paths into");
    open_list(s, summary.total, "cross-account edge");
    for c in &summary.listed {
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
    more(s, summary.total, "cross-account edges", "iampath paths");
    s.push_str("</details>\n</section>\n");
}

/// The counts of paths drawn from a summary, whose hops are held only for the
/// accounts drawn: nodes of one drawing of all, and per account (paths, nodes).
struct Counted<'c> {
    nodes: usize,
    accounts: &'c BTreeMap<String, (usize, usize)>,
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
///
/// With `counted`, `by_account` holds only the accounts drawn, and the counts of all
/// come from it ([`CrossingSummary`]).
fn drawings<H>(
    s: &mut String,
    what: &str,
    by_account: &BTreeMap<String, Vec<&H>>,
    ends_in_key: bool,
    counted: Option<Counted>,
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
    s.push_str(LEGEND);
    // One drawing of all, when it may be small enough (a summary knows).
    let whole = counted
        .as_ref()
        .is_none_or(|c| c.nodes <= MAX_NODES)
        .then(|| draw(&mut by_account.iter()));
    let nodes = match (&counted, &whole) {
        (Some(c), _) => c.nodes,
        (None, Some(w)) => w.node_count(),
        (None, None) => 0,
    };
    if nodes <= MAX_NODES {
        if let Some(svg) = whole.and_then(|w| w.svg(what)) {
            let _ = writeln!(s, "<div class=\"drawing\">{svg}</div>");
        }
        return;
    }
    let paths: Vec<(&str, usize)> = match &counted {
        Some(c) => c
            .accounts
            .iter()
            .map(|(a, (n, _))| (a.as_str(), *n))
            .collect(),
        None => by_account
            .iter()
            .map(|(a, p)| (a.as_str(), p.len()))
            .collect(),
    };
    let accounts = paths.len();
    let busiest = busiest(paths);
    let _ = writeln!(
        s,
        "<details class=\"drawings\"><summary>{nodes} nodes are too many for one drawing: one per account, the {} with the most paths first</summary>",
        plural(accounts.min(MAX_DRAWINGS), "account")
    );
    for (account, paths) in busiest.into_iter().take(MAX_DRAWINGS) {
        let held = by_account
            .get_key_value(account)
            .map(|group| draw(&mut std::iter::once(group)));
        // An account a summary holds no hops of has too many nodes to draw.
        let nodes = match (&held, &counted) {
            (Some(d), _) => d.node_count(),
            (None, Some(c)) => c.accounts.get(account).map_or(0, |(_, n)| *n),
            (None, None) => 0,
        };
        let svg = held
            .and_then(|d| d.svg(&format!("{what} {account}")))
            .unwrap_or_else(|| {
                format!(
                    "<p class=\"note\">{nodes} nodes: too many to draw; the paths are listed below.</p>"
                )
            });
        let _ = writeln!(
            s,
            "<details class=\"drawing\" data-account=\"{acc}\"><summary>{what} {acc} ({n})</summary>{svg}</details>",
            what = esc(what),
            acc = esc(account),
            n = plural(paths, "path"),
        );
    }
    if accounts > MAX_DRAWINGS {
        let _ = writeln!(
            s,
            "<p class=\"note\">{} more accounts not drawn here: <code>iampath graph --account ID</code> draws one.</p>",
            accounts - MAX_DRAWINGS
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Decision;
    use crate::graph::HopKind;

    /// An edge into `to`'s account from a principal of another.
    fn crossing(from: &str, to: &str, n: usize) -> Crossing {
        Crossing {
            from_account: "111111111111".into(),
            to_account: to.into(),
            hop: Arc::new(Hop {
                from: format!("arn:aws:iam::111111111111:user/{from}").into(),
                to: format!("arn:aws:iam::{to}:role/r{n}").into(),
                action: "sts:AssumeRole".into(),
                kind: HopKind::AssumeRole,
                decision: if n % 3 == 0 {
                    Decision::Conditional
                } else {
                    Decision::Allowed
                },
                grants: Vec::new(),
                conditions: Vec::new(),
                technique: None,
            }),
        }
    }

    /// The drawings of a summary, which holds the hops of the accounts drawn only,
    /// are those of every edge held: one drawing of all; one per account, some too big
    /// to draw; more accounts than are drawn.
    #[test]
    fn a_summary_draws_what_every_edge_held_draws() {
        let shapes: [&[(usize, usize)]; 3] = [
            // (accounts, edges into each)
            &[(4, 10)],
            &[(30, 20), (1, 300)],
            &[(60, 6), (2, 200)],
        ];
        for shape in shapes {
            let mut all = Vec::new();
            let mut account: usize = 0;
            for (accounts, edges) in shape {
                for _ in 0..*accounts {
                    account += 1;
                    let to = format!("{:012}", 200_000_000_000 + account);
                    for n in 0..*edges {
                        all.push(crossing(&format!("u{}", n % 7 + account * 10), &to, n));
                    }
                }
            }
            let summary = CrossingSummary::new(|| all.clone().into_iter());
            assert_eq!(summary.total, all.len());
            let held = group(
                all.iter()
                    .map(|c| (c.to_account.clone(), std::slice::from_ref(&c.hop))),
            );
            let mut whole = String::new();
            drawings(&mut whole, "into", &held, true, None);
            let mut from_summary = String::new();
            summary.draw(&mut from_summary, "into");
            assert_eq!(whole, from_summary, "{shape:?}");
            assert!(whole.contains("<svg"), "{shape:?}: nothing drawn");
        }
    }
}
