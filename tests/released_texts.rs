//! `can`, `who-can`, `escalations` and `lint` let the file texts go before the build
//! (`Env::graph_for_answers`, `Env::load_for_findings`). JSON and SARIF name places
//! (file, line, column), which the line index keeps, and never quote a statement;
//! the text outputs quote, reading each file again (`source::Quotes`). Each output
//! here is written with the texts and again after they are released; the two must be
//! the same, byte for byte, on every reference scenario, every escalation fixture and
//! corpus exports; a file changed since the load is not quoted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::PathBuf;

use iampath::graph::Graph;
use iampath::graph::escalations::{Target, escalations};
use iampath::graph::query::{Limits, can};
use iampath::graph::who_can::who_can;
use iampath::graph::world::NodeKind;
use iampath::ingest::Loaded;
use iampath::report;

fn dirs(parent: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(support::repo().join(parent))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    found
}

/// Every JSON and SARIF output (or with `text`, every text output) of the three
/// commands on one data folder, written with the sources as they are.
fn outputs(loaded: &Loaded, graph: &mut Graph, text: bool) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut write = |label: String, f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut bytes = Vec::new();
        f(&mut bytes).unwrap();
        out.push((label, bytes));
    };
    let found = escalations(graph, &Target::Admin);
    if text {
        write("escalations text".into(), &|o| {
            report::escalations::text(o, &found, &loaded.sources)
        });
    } else {
        write("escalations json".into(), &|o| {
            report::escalations::json(o, &found, &loaded.sources)
        });
        let findings = iampath::lint::rules::privilege_escalation::findings(graph);
        let rules = iampath::lint::rules::registry();
        write("escalations sarif".into(), &|o| {
            report::sarif::write(o, &findings, &rules, &loaded.sources)
        });
    }
    let principals: Vec<String> = graph
        .world
        .principals
        .iter()
        .filter(|p| matches!(p.kind, NodeKind::User | NodeKind::Role))
        .map(|p| p.id.to_string())
        .take(12)
        .collect();
    // An object of each bucket with a policy (its statements are grants too).
    let buckets: Vec<String> = loaded
        .model
        .accounts
        .values()
        .flat_map(|a| &a.resources)
        .filter(|r| r.policy.is_some() && r.arn.starts_with("arn:aws:s3:::"))
        .map(|r| format!("{}/reports/a.csv", r.arn))
        .take(4)
        .collect();
    let roles: Vec<&String> = principals.iter().filter(|p| p.contains(":role/")).collect();
    let mut asks: Vec<(String, String)> = buckets
        .iter()
        .map(|b| ("s3:GetObject".to_string(), b.clone()))
        .collect();
    asks.extend(
        roles
            .iter()
            .map(|r| ("sts:AssumeRole".to_string(), r.to_string())),
    );
    for (action, resource) in &asks {
        let r = who_can(graph, &loaded.model, action, resource).unwrap();
        write(format!("who-can {action} {resource}"), &|o| {
            if text {
                report::access::who_text(o, &r, &loaded.sources)
            } else {
                report::access::who_json(o, &r, &loaded.sources)
            }
        });
    }
    let limits = Limits {
        max_hops: 5,
        max_paths: 10,
    };
    for p in &principals {
        for (action, resource) in &asks {
            let Ok(r) = can(graph, &loaded.model, p, action, resource, limits) else {
                continue;
            };
            write(format!("can {p} {action} {resource}"), &|o| {
                if text {
                    report::access::can_text(o, &r, &loaded.sources)
                } else {
                    report::access::can_json(o, &r, &loaded.sources)
                }
            });
        }
    }
    out
}

/// Every output of [`outputs`] (text or not) on the scenarios, the escalation
/// fixtures and a corpus export, written with the texts and again after `release`
/// let them go: they must be the same. Returns every output compared.
fn compare_released(text: bool, release: fn(&mut iampath::source::SourceMap)) -> Vec<String> {
    let mut folders = dirs("fixtures/scenarios");
    folders.extend(dirs("tests/escalations"));
    folders.push(support::corpus("cloudmapper-demo"));
    let mut compared = Vec::new();
    for folder in &folders {
        let mut loaded = support::load_one(folder);
        let mut graph = Graph::build(&loaded.model, &[]);
        let before = outputs(&loaded, &mut graph, text);
        release(&mut loaded.sources);
        let after = outputs(&loaded, &mut graph, text);
        assert_eq!(before.len(), after.len(), "{}", folder.display());
        for ((label, a), (_, b)) in before.iter().zip(&after) {
            assert!(
                a == b,
                "{}: {label} changes when the file texts are released",
                folder.display()
            );
            compared.push(String::from_utf8_lossy(a).into_owned());
        }
    }
    compared
}

#[test]
fn json_and_sarif_answers_are_the_same_without_the_file_texts() {
    let compared = compare_released(false, |s| s.release_texts());
    // Outputs that name a place, where a quote would show.
    let with_grants = compared.iter().filter(|a| a.contains("\"line\"")).count();
    assert!(
        compared.len() > 100,
        "only {} outputs compared",
        compared.len()
    );
    assert!(with_grants > 50, "only {with_grants} outputs name a place");
}

/// The text outputs of `can`, `who-can` and `escalations` quote the granting
/// statements, reading the files again when the texts were let go
/// (`Env::graph_for_answers`): the same output, byte for byte, as with the texts kept.
#[test]
fn text_answers_are_the_same_when_the_files_are_read_again() {
    let compared = compare_released(true, |s| s.release_texts_to_reread());
    let quoted: usize = compared.iter().map(|a| a.matches("│ ").count()).sum();
    assert!(
        compared.len() > 100,
        "only {} outputs compared",
        compared.len()
    );
    assert!(quoted > 100, "only {quoted} statements quoted");
}

/// `lint`'s text output for a load, with every rule on the whole load.
fn lint_text(loaded: &Loaded, graph: &Graph) -> String {
    use iampath::lint::{self, Context};
    let findings = lint::run(&Context::new(&loaded.model, &loaded.diagnostics), graph);
    let mut out = Vec::new();
    report::lint::text(&mut out, &findings, &loaded.sources, false).unwrap();
    String::from_utf8(out).unwrap()
}

/// `lint` lets the texts go before the build and reads each file again to quote it
/// (`Env::load_for_findings`): its text output is the one written with the texts
/// kept, byte for byte, on the lint fixtures, the scenarios and the corpus (with
/// their bundled AWS-managed policies, which no file holds).
#[test]
fn lint_text_is_the_same_when_the_files_are_read_again() {
    let mut folders: Vec<PathBuf> = support::folders("tests/lint")
        .iter()
        .flat_map(|d| [d.join("bad"), d.join("good")])
        .filter(|d| d.is_dir())
        .collect();
    folders.extend(dirs("fixtures/scenarios"));
    folders.extend(support::GRAPH_CORPUS.iter().map(|s| support::corpus(s)));
    let mut quoted = 0;
    for folder in &folders {
        let mut loaded = support::load_one(folder);
        let graph = Graph::build(&loaded.model, &[]);
        let kept = lint_text(&loaded, &graph);
        loaded.sources.release_texts_to_reread();
        let reread = lint_text(&loaded, &graph);
        assert!(
            kept == reread,
            "{}: lint text changes when the files are read again",
            folder.display()
        );
        assert!(!reread.contains("not quoted"), "{}", folder.display());
        quoted += kept.matches("╭─[").count();
    }
    assert!(quoted > 80, "only {quoted} snippets compared");
}

/// A file changed after the load (in length, or in place with the same length) is
/// not quoted: its findings name their place on one line and say why; the other
/// files are still quoted.
#[test]
fn a_file_changed_after_the_load_is_not_quoted() {
    let from = support::repo().join("tests/lint/action-star/bad");
    for change in ["longer", "same length"] {
        let dir = tempfile::tempdir().unwrap();
        let files = copy_tree(&from, dir.path());
        let mut loaded = support::load_one(dir.path());
        let graph = Graph::build(&loaded.model, &[]);
        let kept = lint_text(&loaded, &graph);
        loaded.sources.release_texts_to_reread();
        // The first file with a finding (findings come by file).
        let changed = files
            .iter()
            .find(|f| kept.contains(&*f.file_name().unwrap().to_string_lossy()))
            .unwrap();
        let text = std::fs::read_to_string(changed).unwrap();
        let edited = match change {
            "longer" => format!("{text} "),
            _ => text.replacen("Allow", "Alloh", 1),
        };
        assert_ne!(text, edited);
        std::fs::write(changed, edited).unwrap();
        let reread = lint_text(&loaded, &graph);
        let name = changed.display().to_string();
        let unquoted: Vec<&str> = reread
            .lines()
            .filter(|l| l.contains("(not quoted: the file changed"))
            .collect();
        assert!(!unquoted.is_empty(), "{change}: {reread}");
        for line in &unquoted {
            assert!(line.starts_with(&format!("{name}:")), "{change}: {line}");
            assert!(line.contains("action-star"), "{change}: {line}");
        }
        assert!(
            !reread.contains("Alloh"),
            "{change}: quoted the changed text"
        );
    }
}

/// Copies the files under `from` to `to`; the copies, sorted.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(from).unwrap() {
        let path = e.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir(&target).unwrap();
            files.extend(copy_tree(&path, &target));
        } else {
            std::fs::copy(&path, &target).unwrap();
            files.push(target);
        }
    }
    files.sort();
    files
}
