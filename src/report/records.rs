//! The records every JSON output shares (a grant, a hop, a diagnostic, a finding),
//! as typed structs: the field names are the JSON contract (docs/json-output.md), and the JSON
//! Schemas in `docs/schemas/` are generated from these types.

use schemars::JsonSchema;
use serde::Serialize;

use crate::graph::{Grant, Hop};
use crate::ingest::Diagnostic;
use crate::lint::Finding;
use crate::model::Span;
use crate::source::SourceMap;

/// Where a span is: file, 1-based line and column (characters), and where it ends.
#[derive(Debug, Clone, Default)]
pub struct Place<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// The place of a span in a loaded file.
pub fn place(span: Option<Span>, sources: &SourceMap) -> Option<Place<'_>> {
    let span = span?;
    let f = sources.get(span.file)?;
    let (line, column) = f.line_col(span.start);
    let (end_line, end_column) = f.line_col(span.end.max(span.start));
    Some(Place {
        file: f.name.as_str(),
        line,
        column,
        end_line,
        end_column,
    })
}

/// Writes a document as pretty JSON and a final newline.
pub fn write_json<T: Serialize>(out: &mut dyn std::io::Write, doc: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    out.write_all(b"\n")
}

/// A JSON array whose records are made as they are written, by an iterator (a copy
/// of it for each writing, made before it has made any): `lint` and SARIF write
/// hundreds of thousands of findings at organization scale, `what-can` the actions of
/// hundreds of thousands of principals, and their records are never all held at once.
pub struct Each<I>(I);

impl<I: Iterator<Item: Serialize> + Clone> Each<I> {
    /// The records `records` makes.
    pub fn new(records: I) -> Self {
        Each(records)
    }
}

impl<I: Iterator<Item: Serialize> + Clone> Serialize for Each<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

/// A statement that grants a hop.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GrantJson<'a> {
    /// The file of the statement (empty for iampath's own assumptions).
    pub file: &'a str,
    /// The 1-based line of the statement (0 when there is no file).
    pub line: usize,
    /// The policy, as people name it: "inline policy `p` of user `alice`".
    pub policy: &'a str,
    /// The statement's Sid, or "".
    pub sid: &'a str,
    /// The statement's index in its policy.
    pub statement: Option<usize>,
    /// For an escalation hop: the permission this statement grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission: Option<&'a str>,
    /// The kind of policy: `identity`, `trust` or `resource`.
    #[schemars(extend("enum" = ["identity", "trust", "resource"]))]
    pub source: &'static str,
}

impl<'a> GrantJson<'a> {
    pub fn new(g: &'a Grant, sources: &'a SourceMap) -> Self {
        let p = place(g.span, sources).unwrap_or_default();
        GrantJson {
            file: p.file,
            line: p.line,
            policy: &g.policy,
            sid: g
                .statement
                .as_ref()
                .and_then(|s| s.sid.as_deref())
                .unwrap_or(""),
            statement: g.statement.as_ref().map(|s| s.index),
            permission: g.permission,
            source: g.source.as_str(),
        }
    }
}

/// One step of a path: `from` does `action` on `to`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HopJson<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub action: &'a str,
    /// `assume-role`, `access` or `escalation`.
    #[schemars(extend("enum" = ["assume-role", "access", "escalation"]))]
    pub kind: &'static str,
    /// For an escalation: the technique's id (pathfinding.cloud's, e.g. `iam-002`, or
    /// iampath's own, `X-01`) and name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<&'static str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<&'static str>,
    /// `allowed` or `conditional`.
    #[schemars(extend("enum" = ["allowed", "conditional"]))]
    pub decision: &'static str,
    pub grants: Vec<GrantJson<'a>>,
    /// The conditions a conditional hop depends on, in words.
    pub conditions: &'a [String],
}

impl<'a> HopJson<'a> {
    pub fn new(h: &'a Hop, sources: &'a SourceMap) -> Self {
        HopJson {
            from: &h.from,
            to: &h.to,
            action: &h.action,
            kind: h.kind.as_str(),
            technique: h.technique.map(|t| t.id),
            name: h.technique.map(|t| t.name),
            decision: h.decision.as_str(),
            grants: h
                .grants
                .iter()
                .map(|g| GrantJson::new(g, sources))
                .collect(),
            conditions: &h.conditions,
        }
    }
}

/// A load diagnostic.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DiagnosticJson<'a> {
    /// `error` or `warning`.
    #[schemars(extend("enum" = ["error", "warning"]))]
    pub severity: &'static str,
    /// The stable code (`json-syntax`, `account-mismatch`, …).
    pub code: &'static str,
    pub message: String,
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
}

impl<'a> DiagnosticJson<'a> {
    pub fn new(d: &Diagnostic, sources: &'a SourceMap) -> Self {
        let file = sources.get(d.span.file);
        let (line, column) = file.map_or((1, 1), |f| f.line_col(d.span.start));
        DiagnosticJson {
            severity: d.severity().as_str(),
            code: d.code(),
            message: d.to_string(),
            file: file.map_or("", |f| f.name.as_str()),
            line,
            column,
        }
    }
}

/// A lint finding.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FindingJson<'a> {
    /// The rule ID (`trust-account-root`), or `assertion`.
    pub rule: &'a str,
    /// `critical`, `high`, `medium`, `low` or `info`.
    #[schemars(extend("enum" = ["critical", "high", "medium", "low", "info"]))]
    pub severity: &'static str,
    pub message: &'a str,
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    /// The account of the subject.
    pub account: Option<&'a str>,
    /// The ARN of the user, role, policy or resource the finding is about.
    pub subject: &'a str,
    /// The statement's Sid or `#index`.
    pub statement: Option<&'a str>,
    /// The other account the finding is about (a trusted or reaching account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_account: Option<&'a str>,
    /// For findings about access: the path, hop by hop.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<HopJson<'a>>,
    /// When the finding is about an object of a proposed change (`--plan`): its
    /// address and where it is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iac: Option<IacJson<'a>>,
}

/// An infrastructure-as-code object: its address and where it is written.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IacJson<'a> {
    /// `module.x.aws_iam_role.y["k"]`.
    pub address: &'a str,
    pub file: &'a str,
    pub line: usize,
}

impl<'a> IacJson<'a> {
    /// The IaC object that holds `span`, if any.
    pub fn at(span: Option<Span>, sources: &'a SourceMap) -> Option<Self> {
        let o = sources.iac_at(span?)?;
        // The `.tf` block when the sources are known, else the plan's entry.
        let at = o.tf.as_ref().map_or(o.span, |t| t.block);
        let p = place(Some(at), sources)?;
        Some(IacJson {
            address: &o.address,
            file: p.file,
            line: p.line,
        })
    }
}

impl<'a> FindingJson<'a> {
    pub fn new(f: &'a Finding, sources: &'a SourceMap) -> Self {
        let p = place(f.span, sources).unwrap_or_default();
        FindingJson {
            rule: f.rule,
            severity: f.severity.as_str(),
            message: &f.message,
            file: p.file,
            line: p.line,
            column: p.column,
            account: f.account.as_deref(),
            subject: &f.subject,
            statement: f.statement.as_deref(),
            other_account: f.other_account.as_deref(),
            path: f.path.iter().map(|h| HopJson::new(h, sources)).collect(),
            iac: IacJson::at(f.span, sources),
        }
    }
}
