//! A path graph as inline SVG: nodes named by their ARN (or iampath's own node names),
//! edges from hops, laid out by `layout`. Each node and edge carries the accounts it
//! touches (`data-account`) so the page's filter can dim the rest.

use std::collections::HashMap;
use std::fmt::Write;

use super::esc;
use super::layout::{self, NODE_HEIGHT};
use crate::graph::{Hop, HopKind};

/// Most nodes drawn in one diagram: beyond this a drawing is no longer read, and the
/// page says so and lists the paths instead.
pub const MAX_NODES: usize = 250;
/// Longest label drawn, in characters (the full name is the node's tooltip).
const MAX_LABEL: usize = 34;

/// A graph to draw.
#[derive(Debug, Default)]
pub struct Diagram {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    edges: Vec<Line>,
    seen: std::collections::HashSet<(usize, usize, String)>,
}

#[derive(Debug)]
struct Node {
    id: String,
    account: Option<String>,
}

#[derive(Debug)]
struct Line {
    from: usize,
    to: usize,
    class: &'static str,
    conditional: bool,
    title: String,
}

impl Diagram {
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Adds the hop's two ends (with the accounts known for them) and its edge; the same
    /// edge for the same action is drawn once.
    pub fn hop(&mut self, hop: &Hop, from_account: Option<&str>, to_account: Option<&str>) {
        let a = self.node(&hop.from, from_account);
        let b = self.node(&hop.to, to_account);
        let label = match hop.technique {
            Some(t) => format!("{} {}", t.id, t.name),
            None => hop.action.to_string(),
        };
        if !self.seen.insert((a, b, label.clone())) {
            return;
        }
        let class = match hop.kind {
            HopKind::AssumeRole => "assume",
            HopKind::Access => "access",
            HopKind::Escalation => "escalation",
        };
        let conditional = hop.decision != crate::eval::Decision::Allowed;
        let mut title = format!("{} → {}: {label}", hop.from, hop.to);
        if conditional {
            title.push_str(" (conditional");
            if let Some(c) = hop.conditions.first() {
                title.push_str(": ");
                title.push_str(c);
            }
            title.push(')');
        }
        self.edges.push(Line {
            from: a,
            to: b,
            class,
            conditional,
            title,
        });
    }

    fn node(&mut self, id: &str, account: Option<&str>) -> usize {
        if let Some(&i) = self.index.get(id) {
            if self.nodes[i].account.is_none() {
                self.nodes[i].account = account.map(str::to_string).or_else(|| arn_account(id));
            }
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(Node {
            id: id.to_string(),
            account: account.map(str::to_string).or_else(|| arn_account(id)),
        });
        self.index.insert(id.to_string(), i);
        i
    }

    /// The SVG, or None when there is nothing to draw or too much.
    pub fn svg(&self, label: &str) -> Option<String> {
        if self.nodes.is_empty() || self.nodes.len() > MAX_NODES {
            return None;
        }
        let names: Vec<(String, String)> = self.nodes.iter().map(names).collect();
        let chars: Vec<usize> = names
            .iter()
            .map(|(a, b)| a.chars().count().max(b.chars().count()))
            .collect();
        let pairs: Vec<(usize, usize)> = self.edges.iter().map(|e| (e.from, e.to)).collect();
        let l = layout::layout(&chars, &pairs);
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg class="diagram" xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-label="{label}">"#,
            w = l.width,
            h = l.height,
            label = esc(label)
        );
        s.push_str(concat!(
            "<defs>",
            r#"<marker id="arrow-assume" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrowhead assume"/></marker>"#,
            r#"<marker id="arrow-access" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrowhead access"/></marker>"#,
            r#"<marker id="arrow-escalation" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrowhead escalation"/></marker>"#,
            "</defs>"
        ));
        for e in &self.edges {
            let (p, q) = (l.places[e.from], l.places[e.to]);
            let mid = NODE_HEIGHT / 2.0;
            let d = if q.x > p.x {
                let (x1, y1, x2, y2) = (p.x + p.width, p.y + mid, q.x, q.y + mid);
                let c = (x2 - x1) / 2.0;
                format!(
                    "M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
                    x1 + c,
                    x2 - c
                )
            } else {
                // Backwards (a cycle) or within a column: an arc below both nodes.
                let (x1, y1) = (p.x + p.width / 2.0, p.y + NODE_HEIGHT);
                let (x2, y2) = (q.x + q.width / 2.0, q.y + NODE_HEIGHT);
                let dip = y1.max(y2) + 28.0;
                format!("M{x1:.1},{y1:.1} C{x1:.1},{dip:.1} {x2:.1},{dip:.1} {x2:.1},{y2:.1}")
            };
            let accounts = edge_accounts(&self.nodes[e.from], &self.nodes[e.to]);
            let _ = write!(
                s,
                r#"<path class="edge {class}{cond}" d="{d}" marker-end="url(#arrow-{class})" data-account="{acc}"><title>{title}</title></path>"#,
                class = e.class,
                cond = if e.conditional { " conditional" } else { "" },
                acc = esc(&accounts),
                title = esc(&e.title)
            );
        }
        for (node, (place, (name, sub))) in self.nodes.iter().zip(l.places.iter().zip(&names)) {
            let _ = write!(
                s,
                r#"<g class="node {kind}" data-node="{id}" data-account="{acc}" transform="translate({x:.1},{y:.1})"><title>{id}</title><rect width="{w:.1}" height="{h:.1}" rx="6"/><text x="10" y="17" class="name">{name}</text><text x="10" y="32" class="sub">{sub}</text></g>"#,
                kind = kind(&node.id),
                id = esc(&node.id),
                acc = esc(node.account.as_deref().unwrap_or("")),
                x = place.x,
                y = place.y,
                w = place.width,
                h = NODE_HEIGHT,
                name = esc(name),
                sub = esc(sub),
            );
        }
        s.push_str("</svg>");
        Some(s)
    }
}

fn edge_accounts(a: &Node, b: &Node) -> String {
    let mut v: Vec<&str> = [a.account.as_deref(), b.account.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    v.dedup();
    v.join(" ")
}

/// The account of an ARN (its fifth field), or of iampath's `administrator@ACCOUNT`.
pub fn arn_account(id: &str) -> Option<String> {
    if let Some(a) = id.strip_prefix("administrator@") {
        return Some(a.to_string());
    }
    let arn = crate::policy::arn::Arn::parse(id)?;
    crate::model::is_account_id(arn.account).then(|| arn.account.to_string())
}

/// What a node is, as a CSS class.
pub fn kind(id: &str) -> &'static str {
    if id.starts_with("administrator@") {
        "admin"
    } else if id == "*" {
        "anonymous"
    } else if id.ends_with(".amazonaws.com") || id.ends_with(".amazon.com") {
        "service"
    } else if id.contains(":user/") {
        "user"
    } else if id.contains(":role/") || id.contains(":assumed-role/") {
        "role"
    } else if id.ends_with(":root") || (id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())) {
        "account"
    } else if id.starts_with("arn:") && !id.contains(":iam::") {
        "resource"
    } else {
        "other"
    }
}

/// The two lines drawn in a node: a short name, and what it is and where.
fn names(node: &Node) -> (String, String) {
    let id = &node.id;
    let k = kind(id);
    let short = match k {
        "admin" => "administrator".to_string(),
        "anonymous" => "anyone (anonymous)".to_string(),
        "account" => format!("account {}", node.account.as_deref().unwrap_or(id)),
        _ => id
            .rsplit(['/', ':'])
            .find(|s| !s.is_empty())
            .unwrap_or(id)
            .to_string(),
    };
    let service = id
        .strip_prefix("arn:")
        .and_then(|r| r.split(':').nth(1))
        .unwrap_or("");
    let what = match k {
        "resource" => service,
        "account" | "admin" => "",
        "other" => "",
        k => k,
    };
    let sub = match (what, node.account.as_deref()) {
        ("", Some(a)) => a.to_string(),
        (w, Some(a)) => format!("{w} · {a}"),
        (w, None) => w.to_string(),
    };
    (cut(&short), cut(&sub))
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_LABEL {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_LABEL - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_kinds_and_accounts_from_their_names() {
        assert_eq!(kind("arn:aws:iam::111111111111:role/a/B"), "role");
        assert_eq!(kind("arn:aws:iam::111111111111:user/u"), "user");
        assert_eq!(kind("administrator@111111111111"), "admin");
        assert_eq!(kind("arn:aws:s3:::bucket"), "resource");
        assert_eq!(kind("lambda.amazonaws.com"), "service");
        assert_eq!(kind("*"), "anonymous");
        assert_eq!(
            arn_account("arn:aws:iam::111111111111:role/B").as_deref(),
            Some("111111111111")
        );
        assert_eq!(arn_account("arn:aws:s3:::bucket"), None);
    }

    #[test]
    fn long_names_are_cut_and_escaped_in_the_svg() {
        let mut d = Diagram::default();
        let long = format!("arn:aws:iam::111111111111:role/{}", "x<".repeat(40));
        let hop = Hop {
            from: "arn:aws:iam::222222222222:user/u".into(),
            to: long.as_str().into(),
            action: "sts:AssumeRole".into(),
            kind: HopKind::AssumeRole,
            decision: crate::eval::Decision::Allowed,
            grants: Vec::new(),
            conditions: Vec::new(),
            technique: None,
        };
        d.hop(&hop, None, None);
        d.hop(&hop, None, None);
        let svg = d.svg("test").unwrap_or_default();
        assert_eq!(svg.matches("<path class=\"edge").count(), 1, "{svg}");
        assert!(svg.contains("x&lt;x&lt;"), "{svg}");
        assert!(!svg.contains("x<x"), "{svg}");
        assert!(svg.contains('…'));
        assert!(svg.contains(r#"data-account="222222222222 111111111111""#));
    }
}
