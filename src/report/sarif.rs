//! SARIF 2.1.0 for `lint` and `diff`: typed structs for the part of the standard
//! iampath writes (rules with help, results with a physical location, related
//! locations, and access paths as code flows). A test validates the output against
//! the official schema.

use std::collections::BTreeMap;

use serde::Serialize;

use super::records::{Each, place, write_json};
use crate::lint::{Finding, Rule, Severity};
use crate::model::Span;
use crate::source::SourceMap;

#[derive(Serialize)]
struct Log<'a, R: Serialize> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a, R>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a, R: Serialize> {
    tool: Tool<'a>,
    column_kind: &'static str,
    /// The [`SarifResult`]s, made as they are written.
    results: R,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Message<'a>,
    full_description: Message<'a>,
    help: MultiformatMessage<'a>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Message<'a> {
    text: std::borrow::Cow<'a, str>,
}

impl<'a> Message<'a> {
    fn of(text: impl Into<std::borrow::Cow<'a, str>>) -> Self {
        Message { text: text.into() }
    }
}

#[derive(Serialize)]
struct MultiformatMessage<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 2],
    severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message<'a>,
    locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code_flows: Vec<CodeFlow<'a>>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: &'static str,
    subject: &'a str,
    account: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeFlow<'a> {
    thread_flows: Vec<ThreadFlow<'a>>,
}

#[derive(Serialize)]
struct ThreadFlow<'a> {
    locations: Vec<ThreadFlowLocation<'a>>,
}

#[derive(Serialize)]
struct ThreadFlowLocation<'a> {
    location: Location<'a>,
}

/// The SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// A physical location; a finding without a place of its own points at the data root.
fn location<'a>(span: Option<Span>, sources: &SourceMap) -> Location<'a> {
    let physical = match place(span, sources) {
        Some(p) => PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(p.file) },
            region: Region {
                start_line: p.line,
                start_column: Some(p.column),
                end_line: Some(p.end_line),
                end_column: Some(p.end_column.max(1)),
            },
        },
        None => PhysicalLocation {
            artifact_location: ArtifactLocation { uri: ".".into() },
            region: Region {
                start_line: 1,
                start_column: None,
                end_line: None,
                end_column: None,
            },
        },
    };
    Location {
        id: None,
        physical_location: physical,
        message: None,
    }
}

/// A relative file path as a URI reference (forward slashes, spaces escaped).
fn uri(path: &str) -> String {
    path.trim_start_matches("./")
        .replace('\\', "/")
        .replace(' ', "%20")
}

fn result<'a>(f: &'a Finding, rules: &[&dyn Rule], sources: &SourceMap) -> SarifResult<'a> {
    // A finding without a place of its own points at the first file its path cites.
    let span = f
        .span
        .or_else(|| f.path.iter().flat_map(|h| &h.grants).find_map(|g| g.span));
    let related = f
        .related
        .iter()
        .enumerate()
        .map(|(i, (span, note))| Location {
            id: Some(i),
            message: Some(Message::of(note.as_str())),
            ..location(Some(*span), sources)
        })
        .collect();
    let steps: Vec<ThreadFlowLocation> = f
        .path
        .iter()
        .map(|h| ThreadFlowLocation {
            location: Location {
                message: Some(Message::of(format!("{} → {} ({})", h.from, h.to, h.action))),
                ..location(h.grants.iter().find_map(|g| g.span), sources)
            },
        })
        .collect();
    let code_flows = if steps.is_empty() {
        Vec::new()
    } else {
        vec![CodeFlow {
            thread_flows: vec![ThreadFlow { locations: steps }],
        }]
    };
    SarifResult {
        rule_id: f.rule,
        rule_index: rules.iter().position(|r| r.id() == f.rule),
        level: level(f.severity),
        message: Message::of(f.message.as_str()),
        locations: vec![location(span, sources)],
        partial_fingerprints: BTreeMap::from([(
            "iampath/subject/v1",
            crate::lint::baseline::key(f),
        )]),
        properties: ResultProperties {
            severity: f.severity.as_str(),
            subject: &f.subject,
            account: f.account.as_deref(),
        },
        related_locations: related,
        code_flows,
    }
}

/// Writes the SARIF log of `findings`.
pub fn write(
    out: &mut dyn std::io::Write,
    findings: &[Finding],
    rules: &[&dyn Rule],
    sources: &SourceMap,
) -> std::io::Result<()> {
    let descriptors = rules
        .iter()
        .map(|r| ReportingDescriptor {
            id: r.id(),
            name: r.id(),
            short_description: Message::of(r.summary()),
            full_description: Message::of(r.summary()),
            help: MultiformatMessage {
                text: r.doc(),
                markdown: r.doc(),
            },
            default_configuration: Configuration {
                level: level(r.severity()),
            },
            properties: RuleProperties {
                tags: ["security", "iam"],
                severity: r.severity().as_str(),
            },
        })
        .collect();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "iampath",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/iampath/iampath",
                    rules: descriptors,
                },
            },
            column_kind: "unicodeCodePoints",
            results: Each::new(findings.iter().map(|f| result(f, rules, sources))),
        }],
    };
    write_json(out, &log)
}
