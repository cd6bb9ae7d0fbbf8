//! The access graph: principals as nodes, role assumptions as edges computed with the
//! evaluator (never guessed), and the queries over it.

mod adjacency;
mod compiled;
mod context;
pub mod draw;
pub mod edges;
pub mod escalation;
pub mod escalations;
mod flags;
mod focus;
mod grant_index;
pub mod input;
mod lists;
mod org_levels;
pub mod paths;
pub mod query;
pub mod resources;
mod trust_candidates;
pub mod what_can;
pub mod who_can;
pub mod world;

/// The organization generator of the benches, for the tests that need a large graph.
#[cfg(test)]
#[path = "../../benches/support/org_gen.rs"]
pub(crate) mod test_org;

/// Every escalation fixture, answer folder, reference scenario and shared corpus set,
/// for the tests that compare two ways of answering on all the data there is.
#[cfg(test)]
pub(crate) fn test_folders() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for parent in [
        root.join("tests/escalations"),
        root.join("tests/answers"),
        root.join("fixtures/scenarios"),
        root.join("../shared/corpus"),
    ] {
        let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(&parent)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        found.retain(|p| p.is_dir());
        found.sort();
        out.extend(found);
    }
    out.push(root.join("src/graph/testdata/trust-outside"));
    out.push(root.join("src/graph/testdata/assumed-role-crossing"));
    out
}

use std::sync::Arc;

use rayon::slice::ParallelSliceMut;

use crate::eval::{Decision, Detail, Evaluation, Gate, ResourcePolicyKind, StatementRef, Verdict};
use crate::model::{Effect, Model, Span};
pub use focus::Question;
pub use world::{NodeKind, Principal, World};

/// How a hop is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HopKind {
    /// `sts:AssumeRole` (or the web-identity / SAML variants) into a role.
    AssumeRole,
    /// The final access to the resource.
    Access,
    /// A privilege-escalation technique: becoming another principal, or more.
    Escalation,
}

impl HopKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HopKind::AssumeRole => "assume-role",
            HopKind::Access => "access",
            HopKind::Escalation => "escalation",
        }
    }
}

/// Which kind of policy a granting statement is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantSource {
    /// An identity policy of the caller (its own, its groups', a managed policy).
    Identity,
    /// The trust policy of the role assumed.
    Trust,
    /// The resource's own policy (bucket, queue, key, function …).
    Resource,
}

impl GrantSource {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantSource::Identity => "identity",
            GrantSource::Trust => "trust",
            GrantSource::Resource => "resource",
        }
    }
}

/// A statement that grants a hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub source: GrantSource,
    /// For an escalation hop: the permission (action) this statement grants.
    pub permission: Option<&'static str>,
    pub policy: Arc<str>,
    pub statement: Option<StatementRef>,
    pub span: Option<Span>,
}

/// One step of a path: `from` does `action` on `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub from: Arc<str>,
    pub to: Arc<str>,
    pub action: std::borrow::Cow<'static, str>,
    pub kind: HopKind,
    pub decision: Decision,
    pub grants: Vec<Grant>,
    pub conditions: Vec<String>,
    /// For an escalation hop: the technique.
    pub technique: Option<&'static escalation::Technique>,
}

/// An edge between two principal nodes: a role assumption or an escalation.
#[derive(Debug, Clone)]
pub struct Edge {
    /// The nodes at its ends ([`Edge::from`], [`Edge::to`]), in 4 bytes each: an
    /// organization has millions of edges.
    from_node: u32,
    to_node: u32,
    pub kind: HopKind,
    pub decision: Decision,
    /// The hop with its grants and conditions. An assume-role edge keeps only its
    /// decision and makes its hop again, from the same evaluation, when first asked:
    /// an organization has millions of edges, and an answer shows few of them.
    hop: once_cell::race::OnceBox<Arc<Hop>>,
}

impl Edge {
    /// An edge with its hop.
    pub fn new(from: usize, to: usize, hop: Arc<Hop>) -> Edge {
        Edge {
            from_node: node(from),
            to_node: node(to),
            kind: hop.kind,
            decision: hop.decision,
            hop: once_cell::race::OnceBox::with_value(Box::new(hop)),
        }
    }

    /// An assume-role edge whose hop is made when first asked.
    pub(crate) fn assume(from: usize, to: usize, decision: Decision) -> Edge {
        Edge {
            from_node: node(from),
            to_node: node(to),
            kind: HopKind::AssumeRole,
            decision,
            hop: once_cell::race::OnceBox::new(),
        }
    }

    /// An administrator node's takeover of a principal of its account, whose hop is
    /// made when first asked (see `escalation::admin::unchecked_takeovers`).
    pub(crate) fn takeover(from: usize, to: usize) -> Edge {
        Edge {
            from_node: node(from),
            to_node: node(to),
            kind: HopKind::Escalation,
            decision: Decision::Allowed,
            hop: once_cell::race::OnceBox::new(),
        }
    }

    /// The node it leaves.
    pub fn from(&self) -> usize {
        self.from_node as usize
    }

    /// The node it enters.
    pub fn to(&self) -> usize {
        self.to_node as usize
    }

    /// The hop, with the statements that grant it (`w`: the world of the graph the
    /// edge belongs to). Only assume-role and takeover edges are made without it.
    pub fn hop(&self, w: &World) -> &Arc<Hop> {
        self.hop.get_or_init(|| Box::new(self.make_hop(w)))
    }

    /// The hop as [`Edge::hop`] gives it, without keeping it when it was not made yet:
    /// for a list that shows each hop once (`paths`, millions of them in an
    /// organization).
    pub fn hop_once(&self, w: &World) -> Arc<Hop> {
        match self.hop.get() {
            Some(hop) => hop.clone(),
            None => self.make_hop(w),
        }
    }

    fn make_hop(&self, w: &World) -> Arc<Hop> {
        match self.kind {
            HopKind::Escalation => escalation::takeover_hop(w, self.from(), self.to()),
            _ => edges::assume_hop(w, self.from(), self.to(), self.decision),
        }
    }
}

/// The edges of a graph, numbered in the order they were made: the role assumptions
/// first, then the escalations and the edges added after the build. Two lists, so that
/// the second never makes the first move (at organization scale a move of the first
/// held it twice: hundreds of megabytes for a moment).
#[derive(Debug, Default)]
pub struct Edges {
    assume: Vec<Edge>,
    more: Vec<Edge>,
}

impl Edges {
    pub fn len(&self) -> usize {
        self.assume.len() + self.more.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Edge number `id`.
    pub fn get(&self, id: usize) -> Option<&Edge> {
        match id.checked_sub(self.assume.len()) {
            None => self.assume.get(id),
            Some(at) => self.more.get(at),
        }
    }

    /// Adds an edge (numbered [`Edges::len`] before).
    pub fn push(&mut self, e: Edge) {
        self.more.push(e);
    }

    /// Every edge, in their order.
    pub fn iter(&self) -> impl Iterator<Item = &Edge> {
        self.into_iter()
    }
}

impl<'a> IntoIterator for &'a Edges {
    type Item = &'a Edge;
    type IntoIter = std::iter::Chain<std::slice::Iter<'a, Edge>, std::slice::Iter<'a, Edge>>;

    fn into_iter(self) -> Self::IntoIter {
        self.assume.iter().chain(&self.more)
    }
}

// Millions of edges live as long as the graph: keep them at 24 bytes.
const _: () = assert!(std::mem::size_of::<Edge>() <= 24, "an edge takes 24 bytes");

/// A node as an edge holds it. A node past `u32::MAX` becomes `u32::MAX`: never met,
/// as a graph of four billion principals (hundreds of bytes each) does not fit in
/// memory; an end that is not a node of the graph leaves the edge out of the adjacency.
pub(crate) fn node(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether node `i` is among those `mask` marks (a build for one question: see
/// [`Graph::build_for`]); every node is without a mask, none past its end.
pub(crate) fn marked(mask: Option<&[bool]>, i: usize) -> bool {
    mask.is_none_or(|m| m.get(i).copied().unwrap_or(false))
}

/// The principal graph.
#[derive(Debug)]
pub struct Graph {
    pub world: World,
    pub edges: Edges,
    /// The edges of each node (principal `i` is node `i`).
    adjacency: adjacency::Adjacency,
    /// `--context` pairs, for nodes made after the build.
    fixed: Vec<(String, String)>,
    /// The nodes in the order of their IDs (ties by node), for answers listed by
    /// name; made when first asked, again when nodes were added since.
    by_name: Vec<usize>,
    /// Built for `who-can` ([`Graph::build_for`]): the nodes of the build from which
    /// the resource asked about may be reached (the others cannot reach it, nor have
    /// access themselves).
    reaching: Option<Vec<bool>>,
}

impl Graph {
    /// Builds the graph of a loaded model; `fixed` are `--context KEY=VALUE` pairs.
    pub fn build(model: &Model, fixed: &[(String, String)]) -> Graph {
        Graph::from_world(World::new(model, fixed), model, fixed)
    }

    /// [`Graph::build`] for a run that reads no user or role policy document after
    /// the build (`paths`, `graph`, `what-can`): they are dropped from `model` as soon
    /// as they are compiled (see [`World::new_releasing`]). The graph is the same.
    pub fn build_releasing(model: &mut Model, fixed: &[(String, String)]) -> Graph {
        let world = World::new_releasing(model, fixed);
        Graph::from_world(world, model, fixed)
    }

    /// The graph for `paths` (with its `--from` and `--to` accounts), which lists the
    /// edges that cross from one account into another. An assume-role edge is made when
    /// `paths` may list it, or when the escalation search reads it: every edge of a
    /// caller whose policies may change a role it assumes
    /// (`escalation::reads_assumable`), in the accounts searched. The search runs in
    /// the accounts whose changed principals may cross into what is listed
    /// (`paths::searched`). `paths` on it gives the same answer as on the whole graph;
    /// no other question may be asked of it. The documents are let go as they compile,
    /// as in [`Graph::build_releasing`].
    pub fn build_crossings(
        model: &mut Model,
        fixed: &[(String, String)],
        from: Option<&str>,
        to: Option<&str>,
    ) -> Graph {
        let mut world = World::new_releasing(model, fixed);
        let reading = escalation::reading_assumable(&world, None);
        // Within an account, only the callers that read their edges are candidates.
        let mut candidates = edges::candidates(&mut world, fixed, true, Some(&reading));
        // Whose escalations are searched: `None` for everyone's.
        let sources = paths::searched(&world, from, to);
        let searched = |i: usize| marked(sources.as_deref(), i) && reading.get(i) == Some(&true);
        candidates.retain(|c| searched(c.caller) || paths::may_list(&world, c, from, to));
        let assume = edges::decide_candidates(&world, &candidates, None, edges::Reads::Every);
        drop(candidates);
        let more = match &sources {
            Some(sources) => escalation::build_from(&mut world, model, &assume, fixed, sources),
            None => escalation::build(&mut world, model, &assume, fixed),
        };
        Graph::assemble(world, assume, more, fixed)
    }

    /// The graph for one question (`who-can`, `can`): only the edges of the
    /// principals the answer may need are made (see `focus.rs`), and of those only the
    /// assume-role edges into roles that may reach the resource (but for the callers
    /// whose edges the escalation search reads), so the answer is the same as on the
    /// whole graph, and no other question may be asked of it. The
    /// documents are let go as they compile, as in [`Graph::build_releasing`].
    pub fn build_for(model: &mut Model, fixed: &[(String, String)], question: &Question) -> Graph {
        let mut world = World::new_releasing(model, fixed);
        let candidates = edges::candidates(&mut world, fixed, true, None);
        let needed = focus::needed(&world, model, &candidates, question);
        // Who-can and can read only the edges into the roles that may reach the
        // resource.
        let reads = match (question, needed.as_deref()) {
            (Question::To { .. } | Question::From { .. }, Some(roles)) => edges::Reads::Into(roles),
            _ => edges::Reads::Every,
        };
        let assume = edges::decide_candidates(&world, &candidates, needed.as_deref(), reads);
        drop(candidates);
        let more = match &needed {
            Some(sources) => escalation::build_from(&mut world, model, &assume, fixed, sources),
            None => escalation::build(&mut world, model, &assume, fixed),
        };
        let mut graph = Graph::assemble(world, assume, more, fixed);
        if let (Question::To { .. }, Some(reaching)) = (question, needed) {
            graph.reaching = Some(reaching);
        }
        graph
    }

    /// False for a node that cannot reach the resource the graph was built for
    /// ([`Graph::build_for`] with a `who-can` question); true for every other node
    /// (and every node of any other graph).
    pub(crate) fn may_reach_target(&self, i: usize) -> bool {
        self.reaching
            .as_ref()
            .is_none_or(|r| r.get(i).copied().unwrap_or(true))
    }

    fn from_world(mut world: World, model: &Model, fixed: &[(String, String)]) -> Graph {
        let assume = edges::build(&mut world, fixed);
        let more = escalation::build(&mut world, model, &assume, fixed);
        Graph::assemble(world, assume, more, fixed)
    }

    fn assemble(
        world: World,
        assume: Vec<Edge>,
        more: Vec<Edge>,
        fixed: &[(String, String)],
    ) -> Graph {
        let edges = Edges { assume, more };
        let adjacency = adjacency::Adjacency::new(world.principals.len(), edges.len(), |id| {
            edges.get(id).map(|e| (e.from(), e.to()))
        });
        Graph {
            world,
            edges,
            adjacency,
            fixed: fixed.to_vec(),
            by_name: Vec::new(),
            reaching: None,
        }
    }

    /// Adds a principal after the build (a role session named on the command line)
    /// with its assume-role edges; returns its node.
    pub fn add_principal(&mut self, p: Principal) -> usize {
        let i = self.world.push(p);
        for e in edges::edges_from(&self.world, i) {
            self.push_edge(e);
        }
        i
    }

    /// Adds an edge after the build (between principals of the world; any other is
    /// left out).
    pub fn push_edge(&mut self, e: Edge) {
        let n = self.world.principals.len();
        if e.from() < n && e.to() < n {
            self.adjacency.push(e.from(), e.to(), self.edges.len());
            self.edges.push(e);
        }
    }

    /// Brings [`Graph::by_name`] up to date with the nodes.
    pub(crate) fn sort_by_name(&mut self) {
        let n = self.world.principals.len();
        if self.by_name.len() != n {
            let mut order: Vec<usize> = (0..n).collect();
            let w = &self.world;
            let id = |i: &usize| w.principals.get(*i).map(|p| &p.id);
            order.par_sort_by(|a, b| id(a).cmp(&id(b)));
            self.by_name = order;
        }
    }

    /// The nodes in the order of their IDs, ties by node (as of the last
    /// [`Graph::sort_by_name`]).
    pub(crate) fn by_name(&self) -> &[usize] {
        &self.by_name
    }

    /// Edges out of a principal, the last added first.
    pub fn out_edges(&self, from: usize) -> impl Iterator<Item = &Edge> {
        self.adjacency
            .leaving(from)
            .filter_map(|(_, id)| self.edges.get(id))
    }

    /// Edges into a principal, the last added first.
    pub fn in_edges(&self, to: usize) -> impl Iterator<Item = &Edge> {
        self.in_edges_from(to).map(|(_, e)| e)
    }

    /// [`Graph::in_edges`] with the node each comes from, known without reading the
    /// edge (a search skips the edges from nodes it has seen at that cost alone).
    pub fn in_edges_from(&self, to: usize) -> impl Iterator<Item = (usize, &Edge)> {
        self.adjacency
            .entering(to)
            .filter_map(|(from, id)| self.edges.get(id).map(|e| (from, e)))
    }
}

/// The statements of an evaluation that grant: identity and resource-policy Allows.
/// Counted first, so that the list of an edge (one or two grants, kept for the whole
/// run on every edge) takes no more room than it holds.
pub fn grants_of(ev: &Evaluation) -> Vec<Grant> {
    let mut out = Vec::with_capacity(granting(ev).count());
    out.extend(granting(ev).map(|(source, r)| Grant {
        source,
        permission: None,
        policy: r.policy.clone(),
        statement: r.statement.clone(),
        span: r.span,
    }));
    out
}

/// The granting reasons of an evaluation, with the kind of policy of each.
fn granting(ev: &Evaluation) -> impl Iterator<Item = (GrantSource, &crate::eval::Reason)> {
    ev.reasons
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Allow | Verdict::Conditional))
        .filter(|r| {
            matches!(
                r.detail,
                Detail::Statement {
                    effect: Effect::Allow,
                    ..
                }
            )
        })
        .filter_map(|r| {
            let source = match (r.gate, ev.resource_kind) {
                (Gate::Identity, _) => GrantSource::Identity,
                (Gate::Resource, ResourcePolicyKind::RoleTrust) => GrantSource::Trust,
                (Gate::Resource, _) => GrantSource::Resource,
                _ => return None,
            };
            Some((source, r))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two lists number the edges as one list would: the role assumptions, then
    /// the rest, and pushes after.
    #[test]
    fn edges_are_numbered_as_one_list() {
        let edge = |from: usize| Edge::assume(from, from + 1, Decision::Allowed);
        let mut edges = Edges {
            assume: (0..3).map(edge).collect(),
            more: (3..5).map(edge).collect(),
        };
        edges.push(edge(5));
        let plain: Vec<usize> = (0..6).collect();
        assert_eq!(edges.len(), plain.len());
        assert!(!edges.is_empty());
        for id in 0..8 {
            assert_eq!(
                edges.get(id).map(|e| e.from()),
                plain.get(id).copied(),
                "{id}"
            );
        }
        let listed: Vec<usize> = edges.iter().map(|e| e.from()).collect();
        assert_eq!(listed, plain);
        assert_eq!((&edges).into_iter().count(), plain.len());
        assert!(Edges::default().is_empty());
    }
}
