//! The answer tables of fixtures/README.md, row by row, against the binary.
//!
//! The rows live as data in `tests/scenarios/can.tsv` and `tests/scenarios/who_can.tsv`
//! (their header comments give the format). Every row runs, and one failure lists every
//! mismatch (row ID, expected, got), so a single run shows all that is wrong.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use serde_json::Value;

/// The README's file shortcuts, relative to a scenario folder.
const SHORTHANDS: &[(&str, &str)] = &[
    ("A", "472643299612-production/iam.json"),
    ("B", "395362660951-development/iam.json"),
    ("C", "292174209821-staging/iam.json"),
    ("D", "287649859205-log-archive/iam.json"),
    ("E", "789579848663-sandbox/iam.json"),
    (
        "BP",
        "472643299612-production/s3/production-test-bucket-101.json",
    ),
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn iampath() -> Command {
    let mut cmd = Command::cargo_bin("iampath").unwrap();
    cmd.current_dir(repo()).env_remove("NO_COLOR");
    cmd
}

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Output {
    let out = iampath().args(args).output().unwrap();
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn data_dir(scenario: &str) -> String {
    format!("fixtures/scenarios/{scenario}")
}

// ---------------------------------------------------------------------------------------
// The data files

/// Lines of a data file that are rows: tab-separated fields, comments and blanks skipped.
fn rows(file: &str, fields: usize) -> Vec<Vec<String>> {
    let path = repo().join("tests/scenarios").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let cols: Vec<String> = l.split('\t').map(|c| c.trim().to_owned()).collect();
            assert_eq!(
                cols.len(),
                fields,
                "{file}:{}: expected {fields} tab-separated fields, got {}",
                n + 1,
                cols.len()
            );
            cols
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum GrantSpec {
    /// A statement of a fixture file: path under the scenario folder and line of its `{`.
    File { suffix: String, line: u64 },
    /// A statement of an AWS-managed policy from iampath's bundled copy.
    Bundled { policy: String },
}

#[derive(Debug, Clone)]
struct Grant {
    spec: GrantSpec,
    sid: Option<String>,
    /// "may be cited as well": allowed, not required.
    optional: bool,
}

#[derive(Debug, Clone)]
struct Hop {
    kind: String,
    /// For an escalation hop (`escalation@TECHNIQUE`): the technique id.
    technique: Option<String>,
    /// `None`: the queried resource.
    to: Option<String>,
    grants: Vec<Grant>,
}

type PathSpec = Vec<Hop>;

fn parse_grant(text: &str) -> Grant {
    let (optional, text) = match text.strip_prefix('?') {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    let (target, sid) = match text.split_once('#') {
        Some((t, s)) => (t.trim(), Some(s.trim().to_owned())),
        None => (text, None),
    };
    let spec = if let Some(policy) = target.strip_prefix("bundled:") {
        GrantSpec::Bundled {
            policy: policy.to_owned(),
        }
    } else {
        let (file, line) = target
            .rsplit_once(':')
            .unwrap_or_else(|| panic!("grant `{text}` is not FILE:LINE"));
        let suffix = SHORTHANDS
            .iter()
            .find(|(short, _)| *short == file)
            .map_or(file, |(_, full)| full)
            .to_owned();
        GrantSpec::File {
            suffix,
            line: line
                .parse()
                .unwrap_or_else(|_| panic!("grant `{text}`: bad line")),
        }
    };
    Grant {
        spec,
        sid,
        optional,
    }
}

fn parse_hop(text: &str) -> Hop {
    let (head, grants) = text
        .split_once('{')
        .unwrap_or_else(|| panic!("hop `{text}` has no {{grants}}"));
    let grants = grants
        .trim()
        .strip_suffix('}')
        .unwrap_or_else(|| panic!("hop `{text}`: grants do not end with }}"));
    let mut words = head.split_whitespace();
    let word = words.next().unwrap_or_default();
    let (kind, technique) = match word.split_once('@') {
        Some(("escalation", t)) => ("escalation".to_owned(), Some(t.to_owned())),
        _ => (word.to_owned(), None),
    };
    assert!(
        kind == "assume-role" || kind == "access" || technique.is_some(),
        "hop `{text}`: unknown kind `{kind}`"
    );
    let to = words.next().map(str::to_owned);
    assert!(words.next().is_none(), "hop `{text}`: too many words");
    Hop {
        kind,
        technique,
        to,
        grants: grants
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(parse_grant)
            .collect(),
    }
}

fn parse_path(text: &str) -> PathSpec {
    text.split(" => ").map(|h| parse_hop(h.trim())).collect()
}

fn dash(text: &str) -> Option<&str> {
    (text != "-").then_some(text)
}

struct CanRow {
    id: String,
    scenario: String,
    principal: String,
    action: String,
    resource: String,
    decision: String,
    paths: Vec<PathSpec>,
    why_not_mentions: Option<(String, u64)>,
}

fn can_rows() -> Vec<CanRow> {
    rows("can.tsv", 8)
        .into_iter()
        .map(|c| {
            let why_not_mentions = dash(&c[7]).map(|m| match parse_grant(m).spec {
                GrantSpec::File { suffix, line } => (suffix, line),
                GrantSpec::Bundled { .. } => panic!("{}: why-not must point at a file", c[0]),
            });
            CanRow {
                paths: dash(&c[6])
                    .map(|p| p.split(" || ").map(parse_path).collect())
                    .unwrap_or_default(),
                why_not_mentions,
                id: c[0].clone(),
                scenario: c[1].clone(),
                principal: c[2].clone(),
                action: c[3].clone(),
                resource: c[4].clone(),
                decision: c[5].clone(),
            }
        })
        .collect()
}

struct WhoCanRow {
    id: String,
    scenario: String,
    action: String,
    resource: String,
    /// Every principal of the answer, with its path.
    principals: Vec<(String, PathSpec)>,
}

fn who_can_rows() -> Vec<WhoCanRow> {
    let mut out: Vec<WhoCanRow> = Vec::new();
    for c in rows("who_can.tsv", 6) {
        let row = match out.last_mut() {
            Some(last) if last.id == c[0] => {
                assert!(
                    last.scenario == c[1] && last.action == c[2] && last.resource == c[3],
                    "{}: lines of one row disagree on scenario, action or resource",
                    c[0]
                );
                last
            }
            _ => {
                assert!(
                    out.iter().all(|r| r.id != c[0]),
                    "{}: the lines of a row must be adjacent",
                    c[0]
                );
                out.push(WhoCanRow {
                    id: c[0].clone(),
                    scenario: c[1].clone(),
                    action: c[2].clone(),
                    resource: c[3].clone(),
                    principals: Vec::new(),
                });
                out.last_mut().unwrap()
            }
        };
        if let (Some(principal), Some(path)) = (dash(&c[4]), dash(&c[5])) {
            row.principals
                .push((principal.to_owned(), parse_path(path)));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Comparing an answer with a row

fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("<missing>")
}

fn show_grant(g: &Value) -> String {
    format!(
        "{}:{} (sid {:?}, {})",
        str_field(g, "file"),
        g.get("line").map_or("?".to_owned(), Value::to_string),
        str_field(g, "sid"),
        str_field(g, "policy"),
    )
}

fn show_spec(g: &Grant) -> String {
    let target = match &g.spec {
        GrantSpec::File { suffix, line } => format!("{suffix}:{line}"),
        GrantSpec::Bundled { policy } => format!("bundled {policy}"),
    };
    let sid = g
        .sid
        .as_ref()
        .map(|s| format!(" (sid {s:?})"))
        .unwrap_or_default();
    format!("{target}{sid}")
}

fn grant_matches(spec: &Grant, cited: &Value, scenario: &str) -> bool {
    let file = str_field(cited, "file");
    let at = match &spec.spec {
        GrantSpec::File { suffix, line } => {
            let file = file.replace('\\', "/");
            file.ends_with(&format!("{scenario}/{suffix}"))
                && cited.get("line").and_then(Value::as_u64) == Some(*line)
        }
        GrantSpec::Bundled { policy } => {
            file.to_ascii_lowercase().contains("bundled")
                && (file.contains(policy.as_str())
                    || str_field(cited, "policy").contains(policy.as_str()))
        }
    };
    at && spec
        .sid
        .as_ref()
        .is_none_or(|sid| str_field(cited, "sid") == sid)
}

/// Problems of one reported path against the expected one; empty when it matches.
fn compare_path(
    expected: &PathSpec,
    got: &Value,
    scenario: &str,
    principal: &str,
    action: &str,
    resource: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let hops = got.get("hops").and_then(Value::as_array);
    let Some(hops) = hops else {
        return vec!["the path has no `hops` array".to_owned()];
    };
    let shape = |hs: &[Value]| {
        hs.iter()
            .map(|h| format!("{} {}", str_field(h, "kind"), str_field(h, "to")))
            .collect::<Vec<_>>()
            .join(" => ")
    };
    let want_shape = expected
        .iter()
        .map(|h| format!("{} {}", h.kind, h.to.as_deref().unwrap_or(resource)))
        .collect::<Vec<_>>()
        .join(" => ");
    if hops.len() != expected.len() {
        problems.push(format!(
            "{} hop(s) expected, got {}: expected [{want_shape}], got [{}]",
            expected.len(),
            hops.len(),
            shape(hops)
        ));
        return problems;
    }
    let mut from = principal.to_owned();
    for (i, (want, hop)) in expected.iter().zip(hops).enumerate() {
        let n = i + 1;
        let to = want.to.as_deref().unwrap_or(resource);
        let want_action = if want.kind == "assume-role" {
            "sts:AssumeRole"
        } else {
            action
        };
        if str_field(hop, "kind") != want.kind {
            problems.push(format!(
                "hop {n}: kind {} expected, got {}",
                want.kind,
                str_field(hop, "kind")
            ));
        }
        if str_field(hop, "to") != to {
            problems.push(format!(
                "hop {n}: to {to} expected, got {}",
                str_field(hop, "to")
            ));
        }
        let got_from = str_field(hop, "from");
        // A session acts as its role: the first hop may start at either.
        let from_ok = got_from == from
            || (i == 0 && session_role(principal).is_some_and(|role| got_from == role));
        if !from_ok {
            problems.push(format!("hop {n}: from {from} expected, got {got_from}"));
        }
        if let Some(t) = &want.technique {
            if str_field(hop, "technique") != t {
                problems.push(format!(
                    "hop {n}: technique {t} expected, got {}",
                    str_field(hop, "technique")
                ));
            }
        } else if !str_field(hop, "action").eq_ignore_ascii_case(want_action) {
            problems.push(format!(
                "hop {n}: action {want_action} expected, got {}",
                str_field(hop, "action")
            ));
        }
        if str_field(hop, "decision") != "allowed" {
            problems.push(format!(
                "hop {n}: decision allowed expected, got {}",
                str_field(hop, "decision")
            ));
        }
        match hop.get("conditions").and_then(Value::as_array) {
            Some(c) if c.is_empty() => {}
            other => problems.push(format!(
                "hop {n}: no conditions expected (the fixtures have none), got {other:?}"
            )),
        }
        let cited: &[Value] = hop
            .get("grants")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        for spec in want.grants.iter().filter(|g| !g.optional) {
            if !cited.iter().any(|c| grant_matches(spec, c, scenario)) {
                problems.push(format!(
                    "hop {n} ({} {to}): grant {} not cited; cited: [{}]",
                    want.kind,
                    show_spec(spec),
                    cited.iter().map(show_grant).collect::<Vec<_>>().join("; ")
                ));
            }
        }
        // An escalation hop cites a statement per permission it needs, some of them
        // the policy an administrator would write: only the listed ones are checked.
        for c in cited.iter().filter(|_| want.technique.is_none()) {
            if !want
                .grants
                .iter()
                .any(|spec| grant_matches(spec, c, scenario))
            {
                problems.push(format!(
                    "hop {n} ({} {to}): grant {} cited but not in the README (allowed: [{}])",
                    want.kind,
                    show_grant(c),
                    want.grants
                        .iter()
                        .map(show_spec)
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
        }
        from = to.to_owned();
    }
    problems
}

/// The role ARN of an assumed-role session ARN.
fn session_role(principal: &str) -> Option<String> {
    let rest = principal.strip_prefix("arn:aws:sts::")?;
    let (account, rest) = rest.split_once(':')?;
    let role = rest.strip_prefix("assumed-role/")?.split('/').next()?;
    Some(format!("arn:aws:iam::{account}:role/{role}"))
}

/// Whether `text` names `file:line` (and not `file:line0`…).
fn mentions(text: &str, scenario: &str, suffix: &str, line: u64) -> bool {
    let needle = format!("{scenario}/{suffix}:{line}");
    let text = text.replace('\\', "/");
    text.match_indices(&needle).any(|(at, _)| {
        !text[at + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

fn parse_json(out: &Output, problems: &mut Vec<String>) -> Option<Value> {
    match serde_json::from_str(&out.stdout) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(format!(
                "output is not JSON ({e}); exit {:?}; stderr: {}",
                out.code,
                out.stderr.trim()
            ));
            None
        }
    }
}

fn check_can(row: &CanRow) -> Vec<String> {
    let data = data_dir(&row.scenario);
    let out = run(&[
        "--data",
        &data,
        "can",
        &row.principal,
        &row.action,
        &row.resource,
        "--format",
        "json",
    ]);
    let mut problems = Vec::new();
    let want_code = if row.decision == "denied" { 1 } else { 0 };
    if out.code != Some(want_code) {
        problems.push(format!(
            "exit code {want_code} expected, got {:?}",
            out.code
        ));
    }
    let Some(v) = parse_json(&out, &mut problems) else {
        return problems;
    };
    let decision = str_field(&v, "decision");
    if decision != row.decision {
        problems.push(format!(
            "decision {} expected, got {decision}",
            row.decision
        ));
    }
    let got_principal = str_field(&v, "principal");
    if got_principal != row.principal
        && session_role(&row.principal).is_none_or(|role| got_principal != role)
    {
        problems.push(format!(
            "principal {} expected in the answer, got {got_principal}",
            row.principal
        ));
    }
    for (key, want) in [("action", &row.action), ("resource", &row.resource)] {
        if str_field(&v, key) != want.as_str() {
            problems.push(format!(
                "{key} {want} expected in the answer, got {}",
                str_field(&v, key)
            ));
        }
    }
    let paths: &[Value] = v
        .get("paths")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let why_not = v.get("why_not");
    if row.decision == "denied" {
        if !paths.is_empty() {
            problems.push(format!(
                "no path expected, got {}: {}",
                paths.len(),
                Value::Array(paths.to_vec())
            ));
        }
        match why_not.and_then(Value::as_str) {
            Some(text) if !text.trim().is_empty() => {
                if let Some((suffix, line)) = &row.why_not_mentions {
                    if !mentions(text, &row.scenario, suffix, *line) {
                        problems.push(format!(
                            "why_not must point at {suffix}:{line}, got: {text:?}"
                        ));
                    }
                }
            }
            other => problems.push(format!("a why_not text expected, got {other:?}")),
        }
        return problems;
    }
    if !why_not.is_some_and(Value::is_null) {
        problems.push(format!("why_not null expected, got {why_not:?}"));
    }
    if paths.len() != row.paths.len() {
        problems.push(format!(
            "exactly {} path(s) expected, got {}",
            row.paths.len(),
            paths.len()
        ));
    }
    for p in paths {
        if str_field(p, "decision") != "allowed" {
            problems.push(format!(
                "every path allowed expected, got a {} path",
                str_field(p, "decision")
            ));
        }
    }
    // Each expected path against the reported path that matches it best.
    for (i, want) in row.paths.iter().enumerate() {
        let mut best: Option<Vec<String>> = None;
        for p in paths {
            let found = compare_path(
                want,
                p,
                &row.scenario,
                &row.principal,
                &row.action,
                &row.resource,
            );
            if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                best = Some(found);
            }
        }
        match best {
            None => problems.push(format!("path {} expected, none reported", i + 1)),
            Some(found) => {
                problems.extend(found.into_iter().map(|f| format!("path {}: {f}", i + 1)))
            }
        }
    }
    problems
}

fn kind_of(arn: &str) -> &'static str {
    if arn.contains(":user/") {
        "user"
    } else if arn.contains(":role/") {
        "role"
    } else {
        "?"
    }
}

fn check_who_can(row: &WhoCanRow) -> Vec<String> {
    let data = data_dir(&row.scenario);
    let out = run(&[
        "--data",
        &data,
        "who-can",
        &row.action,
        &row.resource,
        "--format",
        "json",
    ]);
    let mut problems = Vec::new();
    if out.code != Some(0) {
        problems.push(format!("exit code 0 expected, got {:?}", out.code));
    }
    let Some(v) = parse_json(&out, &mut problems) else {
        return problems;
    };
    for (key, want) in [("action", &row.action), ("resource", &row.resource)] {
        if str_field(&v, key) != want.as_str() {
            problems.push(format!(
                "{key} {want} expected in the answer, got {}",
                str_field(&v, key)
            ));
        }
    }
    let Some(listed) = v.get("principals").and_then(Value::as_array) else {
        problems.push("no `principals` array".to_owned());
        return problems;
    };
    let want: BTreeSet<&str> = row.principals.iter().map(|(p, _)| p.as_str()).collect();
    let got: Vec<&str> = listed.iter().map(|p| str_field(p, "principal")).collect();
    let got_set: BTreeSet<&str> = got.iter().copied().collect();
    if got_set.len() != got.len() {
        problems.push(format!("a principal is listed twice: {got:?}"));
    }
    for p in want.difference(&got_set) {
        problems.push(format!("{p} expected, not listed"));
    }
    for p in listed {
        let name = str_field(p, "principal");
        if !want.contains(name) {
            problems.push(format!(
                "{name} listed (kind {}, decision {}, path [{}]) but not in the README",
                str_field(p, "kind"),
                str_field(p, "decision"),
                p.get("hops")
                    .and_then(Value::as_array)
                    .map(|hs| hs
                        .iter()
                        .map(|h| format!(
                            "{} {} {{{}}}",
                            str_field(h, "kind"),
                            str_field(h, "to"),
                            h.get("grants")
                                .and_then(Value::as_array)
                                .map(|g| g.iter().map(show_grant).collect::<Vec<_>>().join("; "))
                                .unwrap_or_default()
                        ))
                        .collect::<Vec<_>>()
                        .join(" => "))
                    .unwrap_or_default()
            ));
        }
    }
    for (principal, path) in &row.principals {
        let Some(p) = listed
            .iter()
            .find(|p| str_field(p, "principal") == principal)
        else {
            continue;
        };
        if str_field(p, "decision") != "allowed" {
            problems.push(format!(
                "{principal}: decision allowed expected, got {}",
                str_field(p, "decision")
            ));
        }
        if str_field(p, "kind") != kind_of(principal) {
            problems.push(format!(
                "{principal}: kind {} expected, got {}",
                kind_of(principal),
                str_field(p, "kind")
            ));
        }
        problems.extend(
            compare_path(
                path,
                p,
                &row.scenario,
                principal,
                &row.action,
                &row.resource,
            )
            .into_iter()
            .map(|f| format!("{principal}: {f}")),
        );
    }
    problems
}

/// Runs `check` over `items` on a few threads; results in the order of `items`.
fn run_all<T: Sync>(items: &[T], check: impl Fn(&T) -> Vec<String> + Sync) -> Vec<Vec<String>> {
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(4, |n| n.get().min(8));
    let mut results: Vec<(usize, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, check(item)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn report(kind: &str, ids: &[String], results: &[Vec<String>], heads: &[String]) {
    let failed: Vec<usize> = (0..ids.len()).filter(|&i| !results[i].is_empty()).collect();
    if failed.is_empty() {
        return;
    }
    let mut msg = format!(
        "{} of {} {kind} rows of fixtures/README.md do not match:\n",
        failed.len(),
        ids.len()
    );
    for i in failed {
        let _ = writeln!(msg, "\n{} ({})", ids[i], heads[i]);
        for problem in &results[i] {
            let _ = writeln!(msg, "  - {problem}");
        }
    }
    panic!("{msg}");
}

#[test]
fn every_can_row_of_the_readme() {
    let rows = can_rows();
    let results = run_all(&rows, check_can);
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let heads: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}: can {} {} {} → {}",
                r.scenario, r.principal, r.action, r.resource, r.decision
            )
        })
        .collect();
    report("can", &ids, &results, &heads);
}

#[test]
fn every_who_can_row_of_the_readme() {
    let rows = who_can_rows();
    let results = run_all(&rows, check_who_can);
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let heads: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}: who-can {} {} → [{}]",
                r.scenario,
                r.action,
                r.resource,
                r.principals
                    .iter()
                    .map(|(p, _)| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    report("who-can", &ids, &results, &heads);
}

/// The data files hold every `can` and `who-can` row of the README, and no other.
#[test]
fn the_data_files_transcribe_every_row_of_the_readme() {
    let readme = std::fs::read_to_string(repo().join("fixtures/README.md")).unwrap();
    let row_id = regex::Regex::new(r"(?m)^\| (S\d+b?-(?:\d+|W\d+)) \|").unwrap();
    let (mut can, mut who): (BTreeSet<String>, BTreeSet<String>) = Default::default();
    for c in row_id.captures_iter(&readme) {
        let id = c[1].to_owned();
        if id.contains("-W") {
            who.insert(id);
        } else {
            can.insert(id);
        }
    }
    let can_data: BTreeSet<String> = can_rows().into_iter().map(|r| r.id).collect();
    let who_data: BTreeSet<String> = who_can_rows().into_iter().map(|r| r.id).collect();
    assert_eq!(can_data.len(), can_rows().len(), "a can row ID is repeated");
    assert_eq!(can, can_data, "can rows: README vs tests/scenarios/can.tsv");
    assert_eq!(
        who, who_data,
        "who-can rows: README vs tests/scenarios/who_can.tsv"
    );
}

// ---------------------------------------------------------------------------------------
// The text output, as a reviewer reads it

fn text(args: &[&str]) -> (Option<i32>, String) {
    let out = run(args);
    (out.code, out.stdout)
}

#[test]
fn text_can_allowed_through_a_role() {
    let (code, out) = text(&[
        "--data",
        "fixtures/scenarios/01-cross-account-signin",
        "--color",
        "never",
        "can",
        "arn:aws:iam::395362660951:user/devTest",
        "s3:GetObject",
        "arn:aws:s3:::prod-reports-472643299612/2026/10/summary.csv",
    ]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!(out);
}

#[test]
fn text_can_denied_with_why_not() {
    let (code, out) = text(&[
        "--data",
        "fixtures/scenarios/02-cross-account-role-s3",
        "--color",
        "never",
        "can",
        "arn:aws:iam::395362660951:user/EC2UserForCrossAccount",
        "s3:GetObject",
        "arn:aws:s3:::crossaccount-s3-demo-472643299612/image.png",
    ]);
    assert_eq!(code, Some(1));
    insta::assert_snapshot!(out);
}

#[test]
fn text_who_can_object_of_the_bucket() {
    let (code, out) = text(&[
        "--data",
        "fixtures/scenarios/05-stage-role-bucket-policy",
        "--color",
        "never",
        "who-can",
        "s3:GetObject",
        "arn:aws:s3:::production-test-bucket-101/Sunset.jpg",
    ]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!(out);
}
