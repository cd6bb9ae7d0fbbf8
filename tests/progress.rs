//! The spinner: it shows on a terminal (a pseudo-terminal made by `script`), and never
//! on a pipe or for JSON. `IAMPATH_PROGRESS_DELAY_MS=0` makes it show at once, so a
//! run on the small fixtures is long enough to see it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

const DATA: &str = "fixtures/scenarios/05-stage-role-bucket-policy";
const SPINNER_TEXT: &str = "building the graph";
/// Every phase `lint` shows; the terminal may only see the last (the spinner redraws
/// at most every few tens of milliseconds, and these fixtures load in less).
const LINT_PHASES: [&str; 3] = ["loading the data", SPINNER_TEXT, "running the rules"];

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_iampath")
}

#[test]
fn never_on_a_pipe() {
    for format in ["text", "json"] {
        let out = Command::new(bin())
            .args(["--data", DATA, "--format", format, "paths"])
            .env("IAMPATH_PROGRESS_DELAY_MS", "0")
            .output()
            .unwrap();
        assert!(out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains(SPINNER_TEXT), "{format}: {stderr}");
        assert!(!stderr.contains('\r'), "{format}: {stderr}");
    }
}

/// Runs the command on a pseudo-terminal; None when `script` is missing (outside CI).
fn on_a_terminal(format: &str) -> Option<String> {
    let command = format!(
        "{} --data {DATA} --format {format} lint --fail-on critical > /dev/null",
        bin()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("IAMPATH_PROGRESS_DELAY_MS", "0")
        .output();
    match out {
        Ok(out) => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "CI needs `script`: {e}");
            eprintln!("skipped: no `script` to make a terminal ({e})");
            None
        }
    }
}

#[test]
fn on_a_terminal_for_text_but_not_for_json() {
    let Some(text) = on_a_terminal("text") else {
        return;
    };
    assert!(
        LINT_PHASES.iter().any(|p| text.contains(p)),
        "no spinner on a terminal: {text:?}"
    );
    let Some(json) = on_a_terminal("json") else {
        return;
    };
    assert!(
        !LINT_PHASES.iter().any(|p| json.contains(p)),
        "spinner with --format json: {json:?}"
    );
}
