//! The access graph: principals as nodes, role assumptions as edges computed with the
//! evaluator (never guessed), and the queries over it.

mod compiled;
mod context;
pub mod draw;
pub mod edges;
pub mod escalation;
pub mod escalations;
mod grant_index;
pub mod input;
mod org_levels;
pub mod paths;
pub mod query;
pub mod resources;
pub mod what_can;
pub mod who_can;
pub mod world;

use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::eval::{Decision, Detail, Evaluation, Gate, ResourcePolicyKind, StatementRef, Verdict};
use crate::model::{Effect, Model, Span};
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
    pub permission: Option<Arc<str>>,
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
    pub from: usize,
    pub to: usize,
    pub kind: HopKind,
    pub decision: Decision,
    /// The hop with its grants and conditions. An assume-role edge keeps only its
    /// decision and makes its hop again, from the same evaluation, when first asked:
    /// an organization has millions of edges, and an answer shows few of them.
    hop: std::sync::OnceLock<Arc<Hop>>,
}

impl Edge {
    /// An edge with its hop.
    pub fn new(from: usize, to: usize, hop: Arc<Hop>) -> Edge {
        Edge {
            from,
            to,
            kind: hop.kind,
            decision: hop.decision,
            hop: std::sync::OnceLock::from(hop),
        }
    }

    /// An assume-role edge whose hop is made when first asked.
    pub(crate) fn assume(from: usize, to: usize, decision: Decision) -> Edge {
        Edge {
            from,
            to,
            kind: HopKind::AssumeRole,
            decision,
            hop: std::sync::OnceLock::new(),
        }
    }

    /// The hop, with the statements that grant it (`w`: the world of the graph the
    /// edge belongs to).
    pub fn hop(&self, w: &World) -> &Arc<Hop> {
        self.hop
            .get_or_init(|| edges::assume_hop(w, self.from, self.to, self.decision))
    }
}

/// The principal graph.
#[derive(Debug)]
pub struct Graph {
    pub world: World,
    pub edges: Vec<Edge>,
    pub graph: DiGraph<usize, usize>,
    nodes: Vec<NodeIndex>,
    /// `--context` pairs, for nodes made after the build.
    fixed: Vec<(String, String)>,
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

    fn from_world(mut world: World, model: &Model, fixed: &[(String, String)]) -> Graph {
        let mut edges = edges::build(&mut world, fixed);
        let escalations = escalation::build(&mut world, model, &edges, fixed);
        edges.extend(escalations);
        let mut graph = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..world.principals.len())
            .map(|i| graph.add_node(i))
            .collect();
        for (i, e) in edges.iter().enumerate() {
            if let (Some(a), Some(b)) = (nodes.get(e.from), nodes.get(e.to)) {
                graph.add_edge(*a, *b, i);
            }
        }
        Graph {
            world,
            edges,
            graph,
            nodes,
            fixed: fixed.to_vec(),
        }
    }

    /// Adds a principal after the build (a role session named on the command line)
    /// with its assume-role edges; returns its node.
    pub fn add_principal(&mut self, p: Principal) -> usize {
        let i = self.world.push(p);
        self.sync_nodes();
        for e in edges::edges_from(&self.world, i) {
            if let (Some(a), Some(b)) = (self.nodes.get(e.from), self.nodes.get(e.to)) {
                self.graph.add_edge(*a, *b, self.edges.len());
                self.edges.push(e);
            }
        }
        i
    }

    /// Adds an edge after the build.
    pub fn push_edge(&mut self, e: Edge) {
        self.sync_nodes();
        if let (Some(a), Some(b)) = (self.nodes.get(e.from), self.nodes.get(e.to)) {
            self.graph.add_edge(*a, *b, self.edges.len());
            self.edges.push(e);
        }
    }

    /// Gives every principal of the world a node (principals may be added after the
    /// build: outside principals named by a resource policy, sessions).
    pub fn sync_nodes(&mut self) {
        while self.nodes.len() < self.world.principals.len() {
            let i = self.nodes.len();
            let n = self.graph.add_node(i);
            self.nodes.push(n);
        }
    }

    /// Edges out of a principal.
    pub fn out_edges(&self, from: usize) -> impl Iterator<Item = &Edge> {
        self.nodes
            .get(from)
            .into_iter()
            .flat_map(|n| self.graph.edges(*n))
            .filter_map(|e| self.edges.get(*e.weight()))
    }

    /// Edges into a principal.
    pub fn in_edges(&self, to: usize) -> impl Iterator<Item = &Edge> {
        self.nodes
            .get(to)
            .into_iter()
            .flat_map(|n| self.graph.edges_directed(*n, petgraph::Direction::Incoming))
            .filter_map(|e| self.edges.get(*e.weight()))
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
