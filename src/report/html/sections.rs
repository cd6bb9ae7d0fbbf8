//! The list sections: findings by severity (each with its statement and file:line),
//! the inventory of each account, and the input diagnostics.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::paths::hop_list;
use super::{ReportInput, SEVERITIES, account_label, esc, plural};
use crate::lint::Finding;
use crate::model::{Account, Span};
use crate::policy::context::Tri;
use crate::report::records::place;
use crate::source::SourceMap;

/// Most findings shown per severity; the rest are counted.
const MAX_FINDINGS: usize = 400;
/// Most names listed per kind (users, roles, …) in an account.
const MAX_NAMES: usize = 200;
/// Accounts beyond this many are listed with their counts only.
const MAX_DETAILED_ACCOUNTS: usize = 100;
/// Lines and characters per line of a statement snippet, the lines of context shown
/// around the span, and the line length beyond which a file is taken for one-line JSON.
const SNIPPET_LINES: usize = 16;
const CONTEXT: usize = 4;
const LONG_LINE: usize = 400;
const SNIPPET_WIDTH: usize = 160;

pub(super) fn findings(s: &mut String, r: &ReportInput) {
    let _ = write!(
        s,
        "<section id=\"findings\">\n<h2>Findings</h2>\n<p class=\"lead\">{} from the rule catalog (<code>iampath rules</code> lists the rules, <code>iampath explain RULE</code> explains one).</p>\n",
        plural(r.findings.len(), "finding")
    );
    let few = r.findings.len() <= 50;
    for sev in SEVERITIES {
        let mut list: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == sev).collect();
        if list.is_empty() {
            continue;
        }
        list.sort_by(|a, b| (a.rule, &a.subject).cmp(&(b.rule, &b.subject)));
        let open = few || sev >= crate::lint::Severity::High;
        let _ = writeln!(
            s,
            "<details id=\"findings-{sev}\" class=\"severity {sev}\" data-severity=\"{sev}\"{open}><summary><span class=\"badge {sev}\">{sev}</span> {n}</summary>",
            sev = sev.as_str(),
            open = if open { " open" } else { "" },
            n = plural(list.len(), "finding"),
        );
        for f in list.iter().take(MAX_FINDINGS) {
            finding(s, f, r.sources);
        }
        if list.len() > MAX_FINDINGS {
            let _ = writeln!(
                s,
                "<p class=\"note\">{} more {} findings not shown here: <code>iampath lint</code> lists them all.</p>",
                list.len() - MAX_FINDINGS,
                sev.as_str()
            );
        }
        s.push_str("</details>\n");
    }
    s.push_str("</section>\n");
}

fn finding(s: &mut String, f: &Finding, sources: &SourceMap) {
    let accounts: Vec<&str> = [f.account.as_deref(), f.other_account.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let at = place(f.span, sources)
        .map(|p| format!("{}:{}:{}", p.file, p.line, p.column))
        .unwrap_or_default();
    let _ = write!(
        s,
        "<article class=\"finding\" data-severity=\"{sev}\" data-account=\"{acc}\"><h4><span class=\"badge {sev}\">{sev}</span> <code class=\"rule\">{rule}</code> <span class=\"subject\">{subject}</span></h4>\n<p>{message}</p>\n",
        sev = f.severity.as_str(),
        acc = esc(&accounts.join(" ")),
        rule = esc(f.rule),
        subject = esc(&f.subject),
        message = esc(&f.message),
    );
    if !at.is_empty() {
        let _ = writeln!(s, "<p class=\"loc\">{}</p>", esc(&at));
    }
    if let Some(span) = f.span {
        let lines = snippet(span, sources);
        if !lines.is_empty() {
            let _ = writeln!(s, "<pre class=\"snippet\">{}</pre>", snippet_html(&lines));
        }
    }
    if !f.path.is_empty() {
        s.push_str("<p class=\"muted\">the path:</p>");
        hop_list(s, &f.path, sources);
    }
    s.push_str("</article>\n");
}

/// One line of a snippet: its 1-based number, its text, and whether the span covers it.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct SnippetLine {
    pub number: usize,
    pub text: String,
    pub marked: bool,
}

/// The lines a span covers, with a few lines of context on each side, dedented and cut
/// to a readable size. In one-line JSON (a line longer than `LONG_LINE`) it is the
/// span's own text instead, as one marked line.
pub(super) fn snippet(span: Span, sources: &SourceMap) -> Vec<SnippetLine> {
    // The page shows at most `MAX_FINDINGS` findings: each reads its file again
    // (when the texts were let go), once.
    let Some((file, text)) = sources.get(span.file).and_then(|f| Some((f, f.quote()?))) else {
        return Vec::new();
    };
    let text: &str = &text;
    let clamp = |i: usize| {
        let mut i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = clamp(span.start as usize);
    let end = clamp((span.end as usize).max(start));
    let (first, _) = file.line_col(start as u32);
    let (last, _) = file.line_col(end as u32);
    // Back CONTEXT lines from the span's line, forward to CONTEXT lines past its end.
    let mut from = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut number = first;
    for _ in 0..CONTEXT {
        if from == 0 {
            break;
        }
        from = text[..from - 1].rfind('\n').map_or(0, |i| i + 1);
        number -= 1;
    }
    let mut to = end;
    for _ in 0..=CONTEXT {
        match text[to..].find('\n') {
            Some(i) => to += i + 1,
            None => {
                to = text.len();
                break;
            }
        }
    }
    let window = &text[from..to];
    if window.lines().any(|l| l.len() > LONG_LINE) {
        let own: String = text[start..end].chars().take(SNIPPET_WIDTH * 2).collect();
        return vec![SnippetLine {
            number: first,
            text: own,
            marked: true,
        }];
    }
    let lines: Vec<&str> = window.lines().collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate().take(SNIPPET_LINES) {
        let l = l.get(indent..).unwrap_or(l.trim_start());
        let mut cut: String = l.chars().take(SNIPPET_WIDTH).collect();
        if l.chars().count() > SNIPPET_WIDTH {
            cut.push('…');
        }
        let n = number + i;
        out.push(SnippetLine {
            number: n,
            text: cut,
            marked: (first..=last).contains(&n),
        });
    }
    out
}

/// The snippet as the inside of a `<pre>`: numbered lines, the span's lines marked.
fn snippet_html(lines: &[SnippetLine]) -> String {
    let mut s = String::new();
    for l in lines {
        let text = esc(&l.text);
        if l.marked {
            let _ = writeln!(
                s,
                "<span class=\"ln\">{}</span><mark>{text}</mark>",
                l.number
            );
        } else {
            let _ = writeln!(s, "<span class=\"ln\">{}</span>{text}", l.number);
        }
    }
    s
}

pub(super) fn accounts(s: &mut String, r: &ReportInput) {
    let n = r.model.accounts.len();
    let _ = write!(
        s,
        "<section id=\"accounts\">\n<h2>Accounts</h2>\n<p class=\"lead\">{} loaded.{}</p>\n",
        plural(n, "account"),
        if n > MAX_DETAILED_ACCOUNTS {
            format!(
                " With more than {MAX_DETAILED_ACCOUNTS}, each shows its counts; `iampath load --data ACCOUNT` lists one in full."
            )
        } else {
            String::new()
        }
    );
    let admin: HashMap<&str, Tri> = r
        .graph
        .world
        .principals
        .iter()
        .filter(|p| p.kind.is_loaded())
        .map(|p| (p.id.as_ref(), p.admin))
        .collect();
    let mut findings: HashMap<&str, usize> = HashMap::new();
    for f in r.findings {
        if let Some(a) = &f.account {
            *findings.entry(a.as_str()).or_insert(0) += 1;
        }
    }
    let mut escalating: HashMap<&str, usize> = HashMap::new();
    for e in r.escalations {
        if let Some(a) = &e.account {
            *escalating.entry(a.as_str()).or_insert(0) += 1;
        }
    }
    for a in r.model.accounts.values() {
        let name = account_label(a);
        let with_policy = a.resources.iter().filter(|r| r.policy.is_some()).count();
        let _ = writeln!(
            s,
            "<details class=\"account\" data-account=\"{id}\"{open}><summary><b>{name}</b> <span class=\"muted\">{u}, {ro}, {g}, {p}, {rp} · {f} · {e} can escalate</span></summary>",
            id = esc(&a.id),
            open = if n <= 3 { " open" } else { "" },
            name = esc(&name),
            u = plural(a.users.len(), "user"),
            ro = plural(a.roles.len(), "role"),
            g = plural(a.groups.len(), "group"),
            p = plural(
                a.managed_policies
                    .values()
                    .filter(|p| p.origin == crate::model::PolicyOrigin::Export)
                    .count(),
                "managed policy"
            ),
            rp = plural(with_policy, "resource policy"),
            f = plural(findings.get(a.id.as_str()).copied().unwrap_or(0), "finding"),
            e = plural(
                escalating.get(a.id.as_str()).copied().unwrap_or(0),
                "principal"
            ),
        );
        if n <= MAX_DETAILED_ACCOUNTS {
            inventory(s, a, &admin);
        }
        s.push_str("</details>\n");
    }
    s.push_str("</section>\n");
}

fn inventory(s: &mut String, a: &Account, admin: &HashMap<&str, Tri>) {
    s.push_str("<div class=\"inventory\">");
    let badge = |arn: &str| match admin.get(arn) {
        Some(Tri::True) => " <span class=\"badge critical\">administrator</span>",
        Some(Tri::Unknown) => " <span class=\"badge conditional\">administrator if</span>",
        _ => "",
    };
    let users: Vec<(String, &str)> = a
        .users
        .iter()
        .map(|u| (u.name.clone(), badge(&u.arn.value)))
        .collect();
    names(s, "users", &users);
    let roles: Vec<(String, &str)> = a
        .roles
        .iter()
        .map(|r| (r.name.clone(), badge(&r.arn.value)))
        .collect();
    names(s, "roles", &roles);
    let groups: Vec<(String, &str)> = a.groups.iter().map(|g| (g.name.clone(), "")).collect();
    names(s, "groups", &groups);
    let mut by_service: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for r in &a.resources {
        let e = by_service.entry(r.service.as_str()).or_insert((0, 0));
        e.0 += 1;
        if r.policy.is_some() {
            e.1 += 1;
        }
    }
    if !by_service.is_empty() {
        s.push_str("<h4>resources</h4><p>");
        let parts: Vec<String> = by_service
            .iter()
            .map(|(svc, (all, with))| format!("{} {all} ({with} with a policy)", esc(svc)))
            .collect();
        s.push_str(&parts.join(" · "));
        s.push_str("</p>");
    }
    if !a.inventory.is_empty() || !a.inventoried.is_empty() {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for k in &a.inventoried {
            kinds.insert(k.export(), 0);
        }
        for item in &a.inventory {
            *kinds.entry(item.kind.export()).or_insert(0) += 1;
        }
        s.push_str("<h4>inventory exports</h4><p>");
        let parts: Vec<String> = kinds
            .iter()
            .map(|(k, n)| format!("<code>{}</code>: {n}", esc(k)))
            .collect();
        s.push_str(&parts.join(" · "));
        s.push_str("</p>");
    }
    if a.truncated {
        s.push_str("<p class=\"note\">An export of this account says it is truncated (IsTruncated): principals may be missing.</p>");
    }
    s.push_str("</div>\n");
}

fn names(s: &mut String, what: &str, list: &[(String, &str)]) {
    if list.is_empty() {
        return;
    }
    let _ = write!(s, "<h4>{what} ({})</h4><ul class=\"names\">", list.len());
    for (name, badge) in list.iter().take(MAX_NAMES) {
        let _ = write!(s, "<li>{}{badge}</li>", esc(name));
    }
    if list.len() > MAX_NAMES {
        let _ = write!(
            s,
            "<li class=\"muted\">and {} more</li>",
            list.len() - MAX_NAMES
        );
    }
    s.push_str("</ul>");
}

pub(super) fn diagnostics(s: &mut String, r: &ReportInput) {
    use crate::ingest::Severity as D;
    let errors = r
        .diagnostics
        .iter()
        .filter(|d| d.severity() == D::Error)
        .count();
    let warnings = r.diagnostics.len() - errors;
    let _ = write!(
        s,
        "<section id=\"diagnostics\">\n<h2>Input</h2>\n<p class=\"lead\">{} and {} while loading (<code>iampath load</code> prints them all). What iampath could not read it reports; it never drops a statement silently.</p>\n",
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if r.diagnostics.is_empty() {
        s.push_str("</section>\n");
        return;
    }
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for d in r.diagnostics {
        *by_code.entry(d.code()).or_insert(0) += 1;
    }
    s.push_str("<details class=\"diagnostics\"><summary>by code</summary><ul>");
    for (code, n) in &by_code {
        let _ = write!(s, "<li><code>{}</code>: {n}</li>", esc(code));
    }
    s.push_str("</ul><ol class=\"diagnostic-list\">");
    let mut listed: Vec<_> = r.diagnostics.iter().collect();
    listed.sort_by_key(|d| std::cmp::Reverse(d.severity()));
    for d in listed.iter().take(MAX_FINDINGS) {
        let at = place(Some(d.span), r.sources)
            .map(|p| format!("{}:{}:{}", p.file, p.line, p.column))
            .unwrap_or_default();
        let sev = if d.severity() == D::Error {
            "error"
        } else {
            "warning"
        };
        let _ = write!(
            s,
            "<li><span class=\"badge {sev}\">{sev}</span> <code>{}</code> {} <span class=\"loc\">{}</span></li>",
            esc(d.code()),
            esc(&d.problem.to_string()),
            esc(&at)
        );
    }
    s.push_str("</ol></details>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn one(text: &str) -> (SourceMap, crate::model::FileId) {
        let mut m = SourceMap::default();
        let id = m.add(SourceFile::new(
            std::path::Path::new("x.json"),
            text.to_string(),
        ));
        (m, id)
    }

    #[test]
    fn a_snippet_marks_the_span_with_context_around_it() {
        let text = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3,\n  \"d\": 4,\n  \"e\": 5,\n  \"Resource\": \"*\",\n  \"f\": 6\n}\n";
        let (m, id) = one(text);
        let start = text.find("\"*\"").unwrap_or(0) as u32;
        let got = snippet(
            Span {
                file: id,
                start,
                end: start + 3,
            },
            &m,
        );
        let numbers: Vec<usize> = got.iter().map(|l| l.number).collect();
        assert_eq!(numbers, vec![3, 4, 5, 6, 7, 8, 9], "{got:?}");
        let marked: Vec<&str> = got
            .iter()
            .filter(|l| l.marked)
            .map(|l| l.text.as_str())
            .collect();
        // The window reaches the closing brace at column 1: nothing to dedent.
        assert_eq!(marked, vec!["  \"Resource\": \"*\","]);
        assert_eq!(got[0].text, "  \"b\": 2,");
    }

    #[test]
    fn a_snippet_of_one_line_json_is_the_span_itself() {
        let text = format!("{}{}", " ".repeat(5000), "x".repeat(500));
        let (m, id) = one(&text);
        let got = snippet(
            Span {
                file: id,
                start: 5000,
                end: 5010,
            },
            &m,
        );
        assert_eq!(
            got,
            vec![SnippetLine {
                number: 1,
                text: "x".repeat(10),
                marked: true
            }]
        );
    }

    #[test]
    fn a_snippet_never_splits_a_character_or_panics_past_the_end() {
        let (m, id) = one("é€😀");
        for (a, b) in [(1, 2), (0, 99), (7, 3), (99, 100)] {
            let _ = snippet(
                Span {
                    file: id,
                    start: a,
                    end: b,
                },
                &m,
            );
        }
    }
}
