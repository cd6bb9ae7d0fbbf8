//! The HTML report in a real browser: headless Chromium loads the page `iampath report`
//! writes for reference scenario 05 and for the iam-vulnerable escalation fixture,
//! runs its script, and the test checks the DOM it ends with (the script finished, the
//! drawings have the expected nodes), that nothing was logged to the console (the
//! report's script never logs, so any console line is an error), and takes a
//! screenshot. `IAMPATH_UPDATE_SCREENSHOT=1` writes the screenshot of scenario 05 to
//! `docs/report.png` for the README.
//!
//! Chromium is found as `$IAMPATH_CHROMIUM`, `chromium`, `chromium-browser` or
//! `google-chrome`. Without one the test is skipped with a message, except under CI
//! (`CI` set), where `.ci/run` installs Debian's `chromium` and a missing browser fails.
#![allow(clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("IAMPATH_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

fn browser() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium (.ci/run installs Debian's chromium)"
        );
        eprintln!(
            "skipped: no Chromium on this machine (set IAMPATH_CHROMIUM or install chromium)"
        );
    }
    found
}

/// What the browser saw: the DOM after the script ran, and the console lines.
struct Rendered {
    dom: String,
    console: Vec<String>,
}

fn render(chromium: &Path, page: &Path, screenshot: Option<&Path>) -> Rendered {
    let url = format!("file://{}", page.display());
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1280,1600",
    ];
    let dom = Command::new(chromium)
        .args(common)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(dom.status.success(), "chromium failed: {dom:?}");
    let console: Vec<String> = String::from_utf8_lossy(&dom.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect();
    if let Some(shot) = screenshot {
        let out = Command::new(chromium)
            .args(common)
            .arg(format!("--screenshot={}", shot.display()))
            .arg(&url)
            .output()
            .expect("chromium runs");
        assert!(out.status.success(), "chromium screenshot failed: {out:?}");
    }
    Rendered {
        dom: String::from_utf8_lossy(&dom.stdout).into_owned(),
        console,
    }
}

fn report(data: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_iampath"))
        .args(["--data", data, "report", "-o"])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("iampath runs");
    assert!(status.success(), "iampath report failed for {data}");
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iampath-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// The `data-node` values of the drawing nodes in a DOM.
fn drawn_nodes(dom: &str) -> Vec<&str> {
    dom.match_indices("data-node=\"")
        .filter_map(|(i, m)| {
            let rest = &dom[i + m.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn the_console_check_catches_a_script_error() {
    let Some(chromium) = browser() else { return };
    let page = temp("broken.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>notDefined();</script></body></html>",
    )
    .expect("write page");
    let seen = render(&chromium, &page, None);
    assert_eq!(seen.console.len(), 1, "{:?}", seen.console);
    assert!(seen.console[0].contains("notDefined"), "{:?}", seen.console);
}

#[test]
fn scenario_05_renders_with_its_paths_drawn_and_no_console_output() {
    let Some(chromium) = browser() else { return };
    let page = temp("scenario-05.html");
    report("fixtures/scenarios/05-stage-role-bucket-policy", &page);
    let update = std::env::var_os("IAMPATH_UPDATE_SCREENSHOT").is_some();
    let shot = if update {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.png")
    } else {
        temp("scenario-05.png")
    };
    let seen = render(&chromium, &page, Some(&shot));
    assert!(seen.console.is_empty(), "console: {:?}", seen.console);
    assert!(
        seen.dom.contains("data-ready=\"true\""),
        "the report's script did not finish"
    );
    let mut nodes = drawn_nodes(&seen.dom);
    nodes.sort_unstable();
    nodes.dedup();
    assert_eq!(
        nodes,
        vec![
            "arn:aws:iam::395362660951:user/StageAdmin",
            "arn:aws:iam::472643299612:role/StageRole",
            "arn:aws:s3:::production-test-bucket-101",
        ]
    );
    for section in [
        "escalations",
        "paths",
        "findings",
        "accounts",
        "diagnostics",
    ] {
        assert!(
            seen.dom.contains(&format!("<section id=\"{section}\"")),
            "{section}"
        );
    }
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert!(png.len() > 20_000, "a blank page? {} bytes", png.len());
}

#[test]
fn the_escalation_drawing_names_the_privesc_principals_and_the_administrator() {
    let Some(chromium) = browser() else { return };
    let page = temp("iam-vulnerable.html");
    report("tests/escalations/iam-vulnerable/111111111111", &page);
    let seen = render(&chromium, &page, None);
    assert!(seen.console.is_empty(), "console: {:?}", seen.console);
    assert!(seen.dom.contains("data-ready=\"true\""));
    let nodes = drawn_nodes(&seen.dom);
    for expected in [
        "arn:aws:iam::111111111111:user/privesc4-CreateAccessKey-user",
        "arn:aws:iam::111111111111:role/privesc-high-priv-service-role",
        "administrator@111111111111",
    ] {
        assert!(nodes.contains(&expected), "{expected} not drawn: {nodes:?}");
    }
    assert!(
        !nodes.iter().any(|n| n.contains(":user/fp")),
        "a false-positive principal drawn"
    );
}
