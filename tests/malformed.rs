//! Hostile and broken input (issue 6): every case of `tests/malformed/cases/` (listed
//! in `tests/malformed/cases.tsv`), plus the cases too big or too strange to commit
//! (200,000-deep nesting, 20 MB strings, symbolic-link loops, a FIFO, a character
//! device), is run through `load`, `lint` and `can` by the real binary. None may
//! crash or hang, each bad file must be named in a diagnostic, and the good sibling
//! account `222222222222` (a copy of `tests/malformed/good/`) must still load and
//! answer. The broken Terraform plans of `tests/malformed/plans/` (listed in
//! `tests/malformed/plans.tsv`) and those made at run time are given with `--plan`
//! beside `--data tests/malformed/good`: a plan that cannot be applied must stop every
//! command with a message naming it, any other must be applied and answer. The broken
//! CloudFormation templates of `tests/malformed/templates/` (`templates.tsv`) are given
//! with `--template FILE=111111111111` the same way. The load diagnostics of all cases
//! are snapshotted.
//!
//! The fuzz corpora and crash reproducers of `fuzz/` (every target, `plan` included)
//! are replayed in-process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use iampath::eval::simulation;
use iampath::ingest::{self, LoadOptions, request_file};
use iampath::policy::pattern::{CaseMode, Pattern};
use iampath::source::SourceMap;
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(20);
const GOOD_ACCOUNT: &str = "222222222222";
const GOOD_USER: &str = "arn:aws:iam::222222222222:user/good";
/// Diagnostics of one case shown one by one in the snapshot; the rest are counted.
const SNAPSHOT_LINES: usize = 12;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One data folder: the bad files it holds and how to run iampath on it.
struct Case {
    name: String,
    /// Passed to `--data`: relative to the repo root for committed cases.
    dir: PathBuf,
    /// The files (or folders) that a load diagnostic must name, relative to `dir`.
    bad: Vec<PathBuf>,
    /// Extra global options (limits).
    args: Vec<String>,
    /// Run under `ulimit -v` (KiB) so that an unbounded read fails fast instead of
    /// exhausting the machine.
    memory_limit_kib: Option<u64>,
    /// A load diagnostic code required on the bad file, beyond "some diagnostic".
    expect_code: Option<&'static str>,
    /// A `--plan` case: the plan (also in `args`) and what must come of it.
    plan: Option<PlanCase>,
}

/// A broken plan given with `--plan`, and what the run must do with it.
struct PlanCase {
    /// `--plan` or `--template`.
    option: &'static str,
    /// As given to the option (relative to the repo root for committed cases).
    file: PathBuf,
    expect: Vec<Expect>,
}

/// What a plan case requires beyond never crashing or hanging: the `;`-separated
/// items of the `expected` column of `plans.tsv`.
#[derive(Debug)]
enum Expect {
    /// `stops`: the plan cannot be applied, so every command exits 2 and its message
    /// names the plan.
    Stops,
    /// `applies`: the run goes on: load, lint and can answer in JSON.
    Applies,
    /// `named`: the plan is named, by the message that stops the run or by a load
    /// diagnostic.
    Named,
    /// `code=CODE`: a load diagnostic with this code is on the plan (the run goes on).
    Code(String),
    /// `says=TEXT`: the message that stops the run, a load diagnostic on the plan or a
    /// finding made from it contains TEXT.
    Says(String),
    /// `not-says=TEXT`: none of them does.
    NotSays(String),
    /// `finding=RULE`: `lint` reports a finding of this rule.
    Finding(String),
    /// `users=ACCOUNT:N`: the account has N users (0 when it is not loaded).
    Users(String, u64),
}

/// The items of an `expected` column (`stops; says=--max-depth`).
fn expectations(items: &str) -> Vec<Expect> {
    items
        .split(';')
        .map(str::trim)
        .filter(|i| !i.is_empty() && *i != "-")
        .map(|item| {
            let (key, value) = item.split_once('=').unwrap_or((item, ""));
            match key {
                "stops" => Expect::Stops,
                "applies" => Expect::Applies,
                "named" => Expect::Named,
                "code" => Expect::Code(value.to_string()),
                "says" => Expect::Says(value.to_string()),
                "not-says" => Expect::NotSays(value.to_string()),
                "finding" => Expect::Finding(value.to_string()),
                "users" => {
                    let (account, n) = value.split_once(':').expect("users=ACCOUNT:N");
                    Expect::Users(account.to_string(), n.parse().expect("users=ACCOUNT:N"))
                }
                _ => panic!("plans.tsv or templates.tsv: unknown expectation `{item}`"),
            }
        })
        .collect()
}

impl Case {
    fn new(name: &str, dir: PathBuf, bad: &[&str]) -> Case {
        Case {
            name: name.to_string(),
            dir,
            bad: bad.iter().map(PathBuf::from).collect(),
            args: Vec::new(),
            memory_limit_kib: None,
            expect_code: None,
            plan: None,
        }
    }

    /// A plan case: `--plan plan` and `options` beside `--data tests/malformed/good`.
    fn plan(name: &str, plan: PathBuf, options: &[&str], expect: Vec<Expect>) -> Case {
        Case::iac(name, "--plan", plan, "", options, expect)
    }

    /// A plan (`--plan FILE`) or template (`--template FILE=ACCOUNT`, `suffix` being
    /// `=ACCOUNT`) case beside `--data tests/malformed/good`.
    fn iac(
        name: &str,
        option: &'static str,
        file: PathBuf,
        suffix: &str,
        options: &[&str],
        expect: Vec<Expect>,
    ) -> Case {
        let mut case = Case::new(name, PathBuf::from("tests/malformed/good"), &[]);
        case.args = vec![option.into(), format!("{}{suffix}", file.display())];
        case.args.extend(options.iter().map(|o| o.to_string()));
        case.plan = Some(PlanCase {
            option,
            file,
            expect,
        });
        case
    }
}

/// The committed cases, from the manifest; every folder of `cases/` must be listed.
fn committed_cases() -> Vec<Case> {
    let manifest = std::fs::read_to_string(repo().join("tests/malformed/cases.tsv")).unwrap();
    let mut cases = Vec::new();
    for line in manifest.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let name = cols.next().unwrap();
        let bad: Vec<&str> = cols.next().unwrap().split(',').collect();
        assert!(cols.next().is_some(), "{name}: no description in cases.tsv");
        cases.push(Case::new(
            name,
            PathBuf::from("tests/malformed/cases").join(name),
            &bad,
        ));
    }
    let mut listed: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    listed.sort_unstable();
    let mut on_disk: Vec<String> = std::fs::read_dir(repo().join("tests/malformed/cases"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort_unstable();
    assert_eq!(
        listed, on_disk,
        "cases.tsv and tests/malformed/cases/ differ"
    );
    for c in &cases {
        for b in &c.bad {
            let p = repo().join(&c.dir).join(b);
            assert!(p.exists(), "{}: bad file {} missing", c.name, b.display());
        }
        let good = repo().join(&c.dir).join(GOOD_ACCOUNT).join("iam.json");
        assert!(good.exists(), "{}: no good sibling", c.name);
    }
    cases
}

/// The committed plan cases, from `plans.tsv`; every file of `plans/` must be used.
fn plan_cases() -> Vec<Case> {
    iac_cases("plans", "--plan")
}

/// The committed template cases, from `templates.tsv` (given as `FILE=111111111111`
/// unless the options say otherwise); every file of `templates/` must be used.
fn template_cases() -> Vec<Case> {
    iac_cases("templates", "--template")
}

fn iac_cases(kind: &str, option: &'static str) -> Vec<Case> {
    let manifest =
        std::fs::read_to_string(repo().join(format!("tests/malformed/{kind}.tsv"))).unwrap();
    let mut cases = Vec::new();
    let mut used = Vec::new();
    for line in manifest.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, file, options, expected, _what] = cols.as_slice() else {
            panic!("{kind}.tsv: expected 5 columns: {line:?}");
        };
        let path = PathBuf::from(format!("tests/malformed/{kind}")).join(file);
        assert!(repo().join(&path).exists(), "{name}: {file} missing");
        let mut options: Vec<&str> = options.split_whitespace().filter(|o| *o != "-").collect();
        // A template is placed in account 111111111111 unless `no-account` is asked.
        let suffix = if option == "--template" && !options.contains(&"no-account") {
            "=111111111111"
        } else {
            ""
        };
        options.retain(|o| *o != "no-account");
        cases.push(Case::iac(
            name,
            option,
            path,
            suffix,
            &options,
            expectations(expected),
        ));
        used.push(file.to_string());
    }
    let on_disk: Vec<String> = std::fs::read_dir(repo().join(format!("tests/malformed/{kind}")))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for f in &on_disk {
        assert!(
            used.contains(f),
            "tests/malformed/{kind}/{f} is in no line of {kind}.tsv"
        );
    }
    cases
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// An export of one user `bad` of account 111111111111 whose inline policy is the
/// raw JSON text `doc`.
fn export_with_policy(doc: &str) -> String {
    format!(
        r#"{{"UserDetailList": [{{"UserName": "bad", "UserId": "AIDABAD", "Path": "/",
  "Arn": "arn:aws:iam::111111111111:user/bad",
  "UserPolicyList": [{{"PolicyName": "p", "PolicyDocument": {doc}}}]}}],
 "GroupDetailList": [], "RoleDetailList": [], "Policies": [], "IsTruncated": false}}
"#
    )
}

/// The cases made at run time in `tmp`: too large to commit, or not storable in git.
fn generated_cases(tmp: &Path) -> Vec<Case> {
    let good = repo().join("tests/malformed/good");
    let mut cases = Vec::new();
    let mut add = |name: &str, bad: &[&str], make: &dyn Fn(&Path)| {
        let dir = tmp.join(name);
        copy_dir(&good, &dir);
        make(&dir);
        cases.push(Case::new(name, dir, bad));
    };
    const DEEP: usize = 200_000;
    add(
        "gen-deep-nesting-200000-arrays",
        &["111111111111/iam.json"],
        &|d| {
            write(
                &d.join("111111111111/iam.json"),
                "[".repeat(DEEP) + &"]".repeat(DEEP),
            )
        },
    );
    add(
        "gen-deep-nesting-200000-objects-in-export",
        &["111111111111/iam.json"],
        &|d| {
            let text = format!(
                r#"{{"UserDetailList": [{}{}], "Policies": []}}"#,
                r#"{"a":"#.repeat(DEEP),
                "}".repeat(DEEP)
            );
            write(&d.join("111111111111/iam.json"), text)
        },
    );
    add(
        "gen-deep-nesting-200000-unclosed",
        &["111111111111/s3/bad.json"],
        &|d| write(&d.join("111111111111/s3/bad.json"), "[{\"a\":".repeat(DEEP)),
    );
    add(
        "gen-deep-nesting-200000-in-escaped-policy",
        &["111111111111/iam.json"],
        &|d| {
            // The nesting is inside the escaped document, so only its own parse sees it.
            let inner = "[".repeat(DEEP) + &"]".repeat(DEEP);
            write(
                &d.join("111111111111/iam.json"),
                export_with_policy(&format!("\"{inner}\"")),
            )
        },
    );
    const BIG: usize = 20 * 1024 * 1024;
    add("gen-string-20mb-action", &["111111111111/iam.json"], &|d| {
        let action = format!("s3:Get{}", "a".repeat(BIG));
        let doc = format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "{action}", "Resource": "*"}}]}}"#
        );
        write(&d.join("111111111111/iam.json"), export_with_policy(&doc))
    });
    add(
        "gen-string-20mb-escaped-policy",
        &["111111111111/s3/bad.json"],
        &|d| {
            // A bucket policy whose escaped document holds a 20 MB Sid full of escapes.
            let sid = "\\\\n".repeat(BIG / 3);
            let policy = format!(
                r#"{{"Policy": "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Sid\":\"{sid}\",\"Effect\":\"allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bad/*\"}}]}}"}}"#
            );
            write(&d.join("111111111111/s3/bad.json"), policy)
        },
    );
    add(
        "gen-string-20mb-url-encoded",
        &["111111111111/iam.json"],
        &|d| {
            let doc = format!(
                "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22{}%22%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D%G1",
                "%41".repeat(BIG / 3)
            );
            write(
                &d.join("111111111111/iam.json"),
                export_with_policy(&format!("\"{doc}\"")),
            )
        },
    );
    // Many diagnostics in one file: the time must stay about linear in their number.
    // 150,000 statements with `"Effect": "allow"` on one line (a minified export,
    // 9 MB) and 100,000 of them one per line.
    let many = |n: usize, sep: &str| {
        let st = r#"{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}"#;
        let doc = format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            vec![st; n].join(&format!(",{sep}"))
        );
        export_with_policy(&doc)
    };
    add(
        "gen-many-diagnostics-one-line-150000",
        &["111111111111/iam.json"],
        &|d| write(&d.join("111111111111/iam.json"), many(150_000, "")),
    );
    add(
        "gen-many-diagnostics-100000-lines",
        &["111111111111/iam.json"],
        &|d| write(&d.join("111111111111/iam.json"), many(100_000, "\n")),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        add(
            "gen-symlink-loop",
            &[
                "111111111111/loop",
                "111111111111/self.json",
                "111111111111/dangling.json",
            ],
            &|d| {
                // A folder link back to the case folder, a file link to itself, and a
                // link to nothing.
                std::fs::create_dir_all(d.join("111111111111")).unwrap();
                symlink("..", d.join("111111111111/loop")).unwrap();
                symlink("self.json", d.join("111111111111/self.json")).unwrap();
                symlink("nowhere.json", d.join("111111111111/dangling.json")).unwrap();
            },
        );
        add("gen-symlink-self-folder", &["111111111111/a/b"], &|d| {
            // A folder holding a link to itself.
            std::fs::create_dir_all(d.join("111111111111/a")).unwrap();
            symlink("../a", d.join("111111111111/a/b")).unwrap();
        });
        add("gen-fifo-named-json", &["111111111111/iam.json"], &|d| {
            // A named pipe nobody writes to: opening it for reading blocks forever.
            std::fs::create_dir_all(d.join("111111111111")).unwrap();
            let status = std::process::Command::new("mkfifo")
                .arg(d.join("111111111111/iam.json"))
                .status()
                .unwrap();
            assert!(status.success(), "mkfifo failed");
        });
        if Path::new("/dev/zero").exists() {
            add("gen-dev-zero-link", &["111111111111/iam.json"], &|d| {
                // A file of no size that never ends: --max-file-size must still bound
                // the read (the metadata says 0 bytes).
                std::fs::create_dir_all(d.join("111111111111")).unwrap();
                symlink("/dev/zero", d.join("111111111111/iam.json")).unwrap();
            });
            let c = cases.last_mut().unwrap();
            c.args = vec!["--max-file-size".into(), "1048576".into()];
            c.memory_limit_kib = Some(4 * 1024 * 1024);
            c.expect_code = Some("file-too-large");
        }
    }
    cases
}

/// A plan of one change (`create`) of `TYPE.NAME` whose `after` is the raw JSON text
/// `after`.
fn plan_with_after(kind: &str, name: &str, after: &str) -> String {
    format!(
        r#"{{"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": [
  {{"address": "{kind}.{name}", "mode": "managed", "type": "{kind}", "name": "{name}",
   "provider_name": "registry.terraform.io/hashicorp/aws",
   "change": {{"actions": ["create"], "before": null, "after": {after}, "after_unknown": {{}}}}}}]}}
"#
    )
}

/// The plan cases made at run time in `tmp` (each plan is `tmp/<case>/plan.json`):
/// too large to commit, or not storable in git.
fn generated_plan_cases(tmp: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut add = |name: &str, options: &[&str], expected: &str, make: &dyn Fn(&Path)| {
        let plan = tmp.join(name).join("plan.json");
        std::fs::create_dir_all(tmp.join(name)).unwrap();
        make(&plan);
        cases.push(Case::plan(name, plan, options, expectations(expected)));
    };
    let account = ["--account", "111111111111"];
    let policy = |doc: &str| {
        let escaped = serde_json::to_string(doc).unwrap();
        plan_with_after(
            "aws_iam_policy",
            "m",
            &format!(r#"{{"name": "m", "path": "/", "policy": {escaped}}}"#),
        )
    };
    const BIG: usize = 5 * 1024 * 1024;
    add(
        "gen-plan-policy-5mb-not-json",
        &account,
        "applies; code=json-syntax",
        &|p| write(p, policy(&"A".repeat(BIG))),
    );
    add(
        "gen-plan-policy-5mb-sid-of-escapes",
        &account,
        "applies",
        &|p| {
            // A valid document whose Sid is 5 MB of `\n` escapes, escaped again in the plan.
            let doc = format!(
                r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "{}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}]}}"#,
                "\\n".repeat(BIG / 2)
            );
            write(p, policy(&doc))
        },
    );
    // 150,000 statements that each draw a diagnostic, in one policy string: one line
    // of the plan (the time must stay about linear).
    add(
        "gen-plan-many-diagnostics-one-line-150000",
        &account,
        "applies; code=statement-effect",
        &|p| {
            let st = r#"{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}"#;
            let doc = format!(
                r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
                vec![st; 150_000].join(",")
            );
            write(p, policy(&doc))
        },
    );
    const DEEP: usize = 200_000;
    let deep_after = format!(
        r#"{{"name": "u", "path": "/", "tags": {}{}}}"#,
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    );
    add(
        "gen-plan-deep-200000-arrays-in-after",
        &account,
        "stops; says=--max-depth",
        &|p| write(p, plan_with_after("aws_iam_user", "u", &deep_after)),
    );
    add("gen-plan-deep-200000-unclosed", &account, "stops", &|p| {
        let text = r#"{"format_version": "1.2", "resource_changes": [{"change": {"after": "#
            .to_string()
            + &r#"[{"a": "#.repeat(DEEP);
        write(p, text)
    });
    // The nesting limit raised to 100,000: the parse must not overflow the stack (the
    // main thread's 8 MiB overflowed between 20,000 and 50,000 levels).
    add(
        "gen-plan-deep-200000-max-depth-raised",
        &["--account", "111111111111", "--max-depth", "100000"],
        "",
        &|p| write(p, plan_with_after("aws_iam_user", "u", &deep_after)),
    );
    add("gen-plan-missing", &account, "stops", &|_| {});
    add("gen-plan-directory", &account, "stops", &|p| {
        std::fs::create_dir_all(p).unwrap()
    });
    #[cfg(unix)]
    {
        add("gen-plan-fifo", &account, "stops", &|p| {
            // A named pipe nobody writes to: opening it for reading blocks forever.
            let status = std::process::Command::new("mkfifo")
                .arg(p)
                .status()
                .unwrap();
            assert!(status.success(), "mkfifo failed");
        });
        if Path::new("/dev/zero").exists() {
            add(
                "gen-plan-dev-zero-link",
                &["--account", "111111111111", "--max-file-size", "1048576"],
                "stops; says=--max-file-size",
                &|p| std::os::unix::fs::symlink("/dev/zero", p).unwrap(),
            );
            cases.last_mut().unwrap().memory_limit_kib = Some(4 * 1024 * 1024);
        }
    }
    cases
}

/// How long each run took (the slowest are printed: `-- --nocapture`).
static TIMES: Mutex<Vec<(Duration, String)>> = Mutex::new(Vec::new());

/// One run of the binary: exit code, stdout, stderr, or why there is none.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

fn run(case: &Case, args: &[&str]) -> Result<Run, String> {
    let bin = assert_cmd::cargo::cargo_bin!("iampath");
    let mut all: Vec<String> = vec!["--data".into(), case.dir.display().to_string()];
    all.extend(case.args.iter().cloned());
    all.extend(args.iter().map(|s| s.to_string()));
    let mut cmd = match case.memory_limit_kib {
        Some(kib) => {
            let mut c = assert_cmd::Command::new("sh");
            c.arg("-c")
                .arg(format!("ulimit -v {kib}; exec \"$0\" \"$@\""))
                .arg(bin)
                .args(&all);
            c
        }
        None => {
            let mut c = assert_cmd::Command::new(bin);
            c.args(&all);
            c
        }
    };
    cmd.current_dir(repo())
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .timeout(TIMEOUT);
    let start = Instant::now();
    let out = cmd.output().map_err(|e| format!("could not run: {e}"))?;
    let elapsed = start.elapsed();
    TIMES
        .lock()
        .unwrap()
        .push((elapsed, format!("{} {}", case.name, args.join(" "))));
    Ok(Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed,
    })
}

/// The first lines of stderr, for a failure message.
fn head(s: &str) -> String {
    s.lines().take(6).collect::<Vec<_>>().join("\n      ")
}

/// Checks the exit code and parses stdout; `None` (with failures recorded) if either
/// is wrong.
fn checked_json(
    case: &Case,
    what: &str,
    result: Result<Run, String>,
    fails: &mut Vec<String>,
) -> Option<(i32, Value)> {
    let r = match result {
        Ok(r) => r,
        Err(e) => {
            fails.push(format!("{what}: {e}"));
            return None;
        }
    };
    let code = checked_exit(what, &r, fails)?;
    match serde_json::from_str::<Value>(&r.stdout) {
        Ok(v) => Some((code, v)),
        Err(e) => {
            let _ = case;
            fails.push(format!(
                "{what}: exit {code}, stdout is not JSON ({e}): {:?}\n      {}",
                r.stdout.chars().take(200).collect::<String>(),
                head(&r.stderr)
            ));
            None
        }
    }
}

/// The exit code when it is 0, 1 or 2; `None` (with the failure recorded) for a
/// panic, a hang or a signal.
fn checked_exit(what: &str, r: &Run, fails: &mut Vec<String>) -> Option<i32> {
    match r.code {
        Some(c @ 0..=2) => Some(c),
        Some(c) => {
            fails.push(format!(
                "{what}: exit code {c} (a panic is 101)\n      {}",
                head(&r.stderr)
            ));
            None
        }
        None if r.elapsed >= TIMEOUT => {
            fails.push(format!("{what}: HANG, killed after {}s", TIMEOUT.as_secs()));
            None
        }
        None => {
            fails.push(format!(
                "{what}: killed by a signal after {:.1}s (stack overflow? out of memory?)\n      {}",
                r.elapsed.as_secs_f64(),
                head(&r.stderr)
            ));
            None
        }
    }
}

/// The message of a run its plan stopped (exit 2, error `iampath::plan`: "--plan
/// `FILE` was not applied: …"), unfolded from the lines the error report wraps it in.
fn stop_message(r: &Run) -> Option<String> {
    if r.code != Some(2) || !r.stderr.contains("iampath::plan") {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for line in r.stderr.lines().map(str::trim) {
        if let Some(first) = line.strip_prefix('×') {
            parts.push(first.trim());
        } else if let Some(more) = line.strip_prefix('│').filter(|_| !parts.is_empty()) {
            parts.push(more.trim());
        } else if !parts.is_empty() {
            break;
        }
    }
    Some(parts.join(" "))
}

/// `text` without whitespace: a long path may be folded anywhere.
fn squashed(text: &str) -> String {
    text.split_whitespace().collect()
}

/// `file` of a diagnostic, relative to the case folder (as shown in the snapshot);
/// a case's plan is shown as `--plan`.
fn relative(case: &Case, file: &str) -> Option<PathBuf> {
    if case
        .plan
        .as_ref()
        .is_some_and(|p| Path::new(file) == p.file)
    {
        return case.plan.as_ref().map(|p| PathBuf::from(p.option));
    }
    Path::new(file)
        .strip_prefix(&case.dir)
        .ok()
        .map(Path::to_path_buf)
}

/// A case's index, its failures and its snapshot lines.
type Outcome = (usize, Vec<String>, Vec<String>);

const LINT: [&str; 3] = ["lint", "--format", "json"];
/// The good user still reads the good account's bucket.
const CAN: [&str; 6] = [
    "can",
    GOOD_USER,
    "s3:GetObject",
    "arn:aws:s3:::b/k",
    "--format",
    "json",
];

/// Runs the three commands on one case: failures, and the snapshot lines.
fn check(case: &Case) -> (Vec<String>, Vec<String>) {
    let mut fails = Vec::new();
    let mut lines = Vec::new();

    // load
    let load = run(case, &["load", "--format", "json"]);
    if let (Some(plan), Ok(r)) = (&case.plan, &load) {
        if let Some(message) = stop_message(r) {
            check_stopped(case, plan, &message, &mut fails, &mut lines);
            return (fails, lines);
        }
    }
    let load = checked_json(case, "load", load, &mut fails);
    if load.is_none() {
        lines.push(format!(
            "{}: (load gave no JSON: see the failures)",
            case.name
        ));
    }
    if let Some((code, v)) = &load {
        let code = *code;
        let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
        if v["diagnostics"].as_array().is_none() {
            fails.push("load: no `diagnostics` array".into());
        }
        let mut any_error = false;
        for d in &diags {
            let file = d["file"].as_str().unwrap_or("?");
            let shown = relative(case, file).map_or_else(
                || format!("(outside the case) {file}"),
                |p| p.display().to_string(),
            );
            any_error |= d["severity"] == "error";
            lines.push(format!(
                "{}: {} @ {}:{}:{}",
                case.name,
                d["code"].as_str().unwrap_or("?"),
                shown,
                d["line"],
                d["column"]
            ));
        }
        if diags.is_empty() {
            lines.push(format!("{}: (no diagnostic)", case.name));
        }
        // Cases with thousands of diagnostics keep the snapshot short.
        if lines.len() > SNAPSHOT_LINES {
            let mut rest = std::collections::BTreeMap::<&str, usize>::new();
            for d in diags.get(SNAPSHOT_LINES..).unwrap_or_default() {
                *rest.entry(d["code"].as_str().unwrap_or("?")).or_default() += 1;
            }
            lines.truncate(SNAPSHOT_LINES);
            let summary: Vec<String> = rest.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
            lines.push(format!("{}: … and {}", case.name, summary.join(", ")));
        }
        let expected_code = if any_error { 2 } else { 0 };
        if code != expected_code {
            fails.push(format!(
                "load: exit {code}, but {} error diagnostic(s) means {expected_code}",
                if any_error { "an" } else { "no" }
            ));
        }
        for bad in &case.bad {
            // The diagnostic names the bad file itself, or the badly named folder
            // holding it (for `12345678-dev/`, a link loop …).
            let named: Vec<&Value> = diags
                .iter()
                .filter(|d| {
                    d["file"]
                        .as_str()
                        .and_then(|f| relative(case, f))
                        .is_some_and(|f| !f.as_os_str().is_empty() && bad.starts_with(&f))
                })
                .collect();
            if named.is_empty() {
                fails.push(format!(
                    "load: no diagnostic names {} (got {})",
                    bad.display(),
                    diags
                        .iter()
                        .map(|d| format!(
                            "{} @ {}",
                            d["code"].as_str().unwrap_or("?"),
                            d["file"].as_str().unwrap_or("?")
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if let Some(want) = case.expect_code {
                if !named.iter().any(|d| d["code"] == want) {
                    fails.push(format!(
                        "load: expected `{want}` on {}, got {:?}",
                        bad.display(),
                        named
                            .iter()
                            .map(|d| format!(
                                "{}: {}",
                                d["code"].as_str().unwrap_or("?"),
                                d["message"].as_str().unwrap_or("?")
                            ))
                            .collect::<Vec<_>>()
                    ));
                }
            }
        }
        let good = v["accounts"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["id"] == GOOD_ACCOUNT));
        match good {
            None => fails.push(format!(
                "load: account {GOOD_ACCOUNT} missing from `accounts`"
            )),
            Some(a) if a["users"].as_u64() != Some(1) => fails.push(format!(
                "load: account {GOOD_ACCOUNT} has users {} (expected its one user)",
                a["users"]
            )),
            Some(_) => {}
        }
    }

    // lint
    let lint = checked_json(case, "lint", run(case, &LINT), &mut fails);
    if let Some((_, v)) = &lint {
        if v["findings"].as_array().is_none() {
            fails.push("lint: no `findings` array".into());
        }
    }

    // can: the good user still reads the good account's bucket.
    if let Some((code, v)) = checked_json(case, "can", run(case, &CAN), &mut fails) {
        if v["decision"] != "allowed" || code != 0 {
            fails.push(format!(
                "can: exit {code}, decision {} for the good user (expected allowed): {}",
                v["decision"], v["why_not"]
            ));
        }
    }
    if let Some(plan) = &case.plan {
        let load = load.map(|(_, v)| v);
        let lint = lint.map(|(_, v)| v);
        check_applied(plan, load.as_ref(), lint.as_ref(), &mut fails);
    }
    (fails, lines)
}

/// A run its plan stopped: the message must name the plan and match what the case
/// expects, and `lint` and `can` must stop the same way.
fn check_stopped(
    case: &Case,
    plan: &PlanCase,
    message: &str,
    fails: &mut Vec<String>,
    lines: &mut Vec<String>,
) {
    let named = format!("{} `{}`", plan.option, plan.file.display());
    let why = message
        .split_once("was not applied: ")
        .map_or(message, |(_, why)| why);
    lines.push(format!(
        "{}: stops: {}",
        case.name,
        why.replace(&plan.file.display().to_string(), plan.option)
    ));
    if !squashed(message).contains(&squashed(&named)) {
        fails.push(format!(
            "load: the message that stops the run does not name the plan ({named}): {message}"
        ));
    }
    for e in &plan.expect {
        match e {
            Expect::Applies | Expect::Code(_) | Expect::Finding(_) | Expect::Users(..) => fails
                .push(format!(
                    "load: the plan stopped the run, but it must be applied ({e:?}): {message}"
                )),
            Expect::Says(text) if !message.contains(text.as_str()) => fails.push(format!(
                "load: the message that stops the run does not say `{text}`: {message}"
            )),
            Expect::NotSays(text) if message.contains(text.as_str()) => fails.push(format!(
                "load: the message that stops the run says `{text}`: {message}"
            )),
            _ => {}
        }
    }
    for (what, args) in [("lint", &LINT[..]), ("can", &CAN[..])] {
        let r = match run(case, args) {
            Ok(r) => r,
            Err(e) => {
                fails.push(format!("{what}: {e}"));
                continue;
            }
        };
        if checked_exit(what, &r, fails).is_some() && stop_message(&r).is_none() {
            fails.push(format!(
                "{what}: exit {:?}, but `load` stopped on the plan\n      {}",
                r.code,
                head(&r.stderr)
            ));
        }
    }
}

/// The expectations of a plan case whose run went on: `load` and `lint` output (when
/// they gave JSON).
fn check_applied(
    plan: &PlanCase,
    load: Option<&Value>,
    lint: Option<&Value>,
    fails: &mut Vec<String>,
) {
    let on_plan = |v: &Value| v.as_str().is_some_and(|f| Path::new(f) == plan.file);
    let list = |v: Option<&Value>, key: &str| -> Vec<Value> {
        v.and_then(|v| v[key].as_array().cloned())
            .unwrap_or_default()
    };
    let diags: Vec<Value> = list(load, "diagnostics")
        .into_iter()
        .filter(|d| on_plan(&d["file"]))
        .collect();
    let findings = list(lint, "findings");
    let said: Vec<&str> = diags
        .iter()
        .chain(
            findings
                .iter()
                .filter(|f| on_plan(&f["file"]) || on_plan(&f["iac"]["file"])),
        )
        .filter_map(|d| d["message"].as_str())
        .collect();
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    for e in &plan.expect {
        match e {
            Expect::Stops if load.is_some() => fails.push(format!(
                "load: the run went on, but the plan must stop it (diagnostics on the plan: {codes:?})"
            )),
            Expect::Named if load.is_some() && diags.is_empty() => {
                fails.push("load: no diagnostic names the plan".into())
            }
            Expect::Code(code) if load.is_some() && !codes.contains(&code.as_str()) => fails
                .push(format!(
                    "load: no `{code}` diagnostic on the plan (got {codes:?})"
                )),
            Expect::Says(text)
                if load.is_some() && !said.iter().any(|m| m.contains(text.as_str())) =>
            {
                fails.push(format!(
                    "load: no diagnostic on the plan nor finding from it says `{text}`: {said:?}"
                ))
            }
            Expect::NotSays(text) => {
                for m in said.iter().filter(|m| m.contains(text.as_str())) {
                    fails.push(format!("load/lint: a message on the plan says `{text}`: {m}"));
                }
            }
            Expect::Finding(rule)
                if lint.is_some() && !findings.iter().any(|f| f["rule"] == rule.as_str()) =>
            {
                let rules: Vec<&str> = findings.iter().filter_map(|f| f["rule"].as_str()).collect();
                fails.push(format!("lint: no `{rule}` finding (got {rules:?})"));
            }
            Expect::Users(account, n) => {
                let users = load
                    .and_then(|v| v["accounts"].as_array())
                    .and_then(|a| a.iter().find(|a| a["id"] == account.as_str()))
                    .map_or(0, |a| a["users"].as_u64().unwrap_or(0));
                if load.is_some() && users != *n {
                    fails.push(format!(
                        "load: account {account} has {users} users, expected {n}"
                    ));
                }
            }
            _ => {}
        }
    }
}

#[test]
fn malformed_inputs_are_reported_and_never_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases = committed_cases();
    assert!(cases.len() >= 45, "only {} committed cases", cases.len());
    cases.extend(generated_cases(tmp.path()));
    cases.extend(plan_cases());
    cases.extend(template_cases());
    cases.extend(generated_plan_cases(tmp.path()));

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let (fails, lines) = check(case);
                    results.lock().unwrap().push((i, fails, lines));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);

    let mut snapshot = String::new();
    let mut report = String::new();
    let mut failed = 0;
    for (i, fails, lines) in &results {
        for l in lines {
            writeln!(snapshot, "{l}").unwrap();
        }
        if !fails.is_empty() {
            failed += 1;
            let c = &cases[*i];
            let plan = c
                .plan
                .as_ref()
                .map(|p| format!(" --plan {}", p.file.display()))
                .unwrap_or_default();
            writeln!(report, "\n{} (--data {}{plan}):", c.name, c.dir.display()).unwrap();
            for f in fails {
                writeln!(report, "    {f}").unwrap();
            }
        }
    }
    let mut times = std::mem::take(&mut *TIMES.lock().unwrap());
    times.sort_by_key(|t| std::cmp::Reverse(t.0));
    println!("slowest runs (of {}, timeout {TIMEOUT:?}):", times.len());
    for (t, what) in times.iter().take(8) {
        println!("  {:>6.2} s  {what}", t.as_secs_f64());
    }
    // A changed snapshot is reported (and `.snap.new` written) together with the
    // failures of the cases, not instead of them.
    let snapshot_matches =
        std::panic::catch_unwind(|| insta::assert_snapshot!("load_diagnostics", snapshot)).is_ok();
    if !snapshot_matches {
        writeln!(
            report,
            "\nthe load diagnostics differ from tests/snapshots/malformed__load_diagnostics.snap (see above; `cargo insta review`)"
        )
        .unwrap();
    }
    assert!(
        failed == 0 && snapshot_matches,
        "{failed} of {} cases failed:{report}",
        results.len()
    );
}

// ------------------------------------------------------------------ fuzz regressions

/// The oracle of the `matcher` fuzz target (as in tests/properties.rs).
fn regex_for(pattern: &str) -> Option<regex::Regex> {
    let mut re = String::from("(?s)^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::RegexBuilder::new(&re)
        .size_limit(1 << 24)
        .build()
        .ok()
}

fn replay_matcher(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    let (pattern, text) = s.split_once('\0').unwrap_or((s, ""));
    let case = if flags & 1 == 0 {
        CaseMode::Sensitive
    } else {
        CaseMode::Insensitive
    };
    let got = Pattern::new(pattern, case).matches(text);
    let expected = match case {
        CaseMode::Sensitive => regex_for(pattern).map(|re| re.is_match(text)),
        CaseMode::Insensitive => regex_for(&pattern.to_ascii_lowercase())
            .map(|re| re.is_match(&text.to_ascii_lowercase())),
    };
    if let Some(expected) = expected {
        assert_eq!(got, expected, "{pattern:?} ({case:?}) on {text:?}");
    }
}

/// Loads `data` placed as each of `places` (relative to a fresh account layout), and
/// renders both load reports.
fn replay_load(tmp: &Path, places: &[&str], data: &[u8]) {
    let _ = std::fs::remove_dir_all(tmp);
    for p in places {
        write(&tmp.join(p), data);
    }
    let loaded = ingest::load(&[tmp.to_path_buf()], &LoadOptions::default());
    let _ = iampath::report::load::json(&mut std::io::sink(), &loaded);
    let _ = iampath::report::load::text(&loaded, false);
}

/// Applies `data` as a plan (account 111111111111) to nothing, and renders both load
/// reports.
fn replay_plan(tmp: &Path, data: &[u8]) {
    let path = tmp.join("plan.json");
    write(&path, data);
    let iac = ingest::iac::IacInput {
        plans: vec![path],
        account: Some("111111111111".into()),
        ..Default::default()
    };
    let loaded = ingest::load_with(&[], &iac, &LoadOptions::default());
    let _ = iampath::report::load::json(&mut std::io::sink(), &loaded);
    let _ = iampath::report::load::text(&loaded, false);
}

fn replay_template(tmp: &Path, data: &[u8]) {
    let path = tmp.join("template.yaml");
    write(&path, data);
    let iac = ingest::iac::IacInput {
        templates: vec![ingest::iac::TemplateArg {
            path,
            account: Some("111111111111".into()),
            region: Some("eu-west-1".into()),
        }],
        ..Default::default()
    };
    let loaded = ingest::load_with(&[], &iac, &LoadOptions::default());
    let _ = iampath::report::load::json(&mut std::io::sink(), &loaded);
    let _ = iampath::report::load::text(&loaded, false);
}

fn replay_evaluate(tmp: &Path, data: &[u8]) {
    let path = tmp.join("request.json");
    write(&path, data);
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let sim = request_file::read(&path, &LoadOptions::default(), &mut sources, &mut diags);
    let _ = simulation::run(&sim);
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Every crash reproducer of `fuzz/artifacts/<target>/` and every corpus input of
/// `fuzz/corpus/<target>/`, through what its target exercised.
#[test]
fn fuzz_corpora_and_artifacts_replay_without_panicking() {
    let fuzz = repo().join("fuzz");
    let tmp = tempfile::tempdir().unwrap();
    let mut inputs: Vec<(&str, PathBuf)> = Vec::new();
    for target in [
        "json_policy",
        "export",
        "evaluate",
        "matcher",
        "plan",
        "template",
    ] {
        for sub in ["artifacts", "corpus"] {
            for f in files_in(&fuzz.join(sub).join(target)) {
                inputs.push((target, f));
            }
        }
    }
    let corpus_policies = inputs
        .iter()
        .filter(|(t, p)| *t == "json_policy" && p.starts_with(fuzz.join("corpus")))
        .count();
    assert!(
        corpus_policies > 0,
        "fuzz/corpus/json_policy/ is empty or missing"
    );
    for target in ["plan", "template"] {
        assert!(
            !files_in(&fuzz.join("corpus").join(target)).is_empty(),
            "fuzz/corpus/{target}/ is empty or missing"
        );
    }
    let mut failures = Vec::new();
    for (target, path) in &inputs {
        // (A file a running fuzzer has just removed from its corpus is skipped.)
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        let work = tmp.path().join(target);
        let outcome = std::panic::catch_unwind(|| match *target {
            "json_policy" => replay_load(&work, &["111111111111/s3/b.json", "policy.json"], &data),
            "export" => replay_load(&work, &["111111111111/iam.json"], &data),
            "evaluate" => replay_evaluate(&work, &data),
            "plan" => replay_plan(&work, &data),
            "template" => replay_template(&work, &data),
            _ => replay_matcher(&data),
        });
        if let Err(e) = outcome {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!(
                "{target}: {}: {msg}",
                path.strip_prefix(repo()).unwrap_or(path).display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fuzz inputs panicked:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}
