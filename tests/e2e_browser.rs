//! End to end in a real browser: `nianbao serve` on a free loopback port,
//! Debian's headless Chromium opens the page with a mutated fixture in the
//! link (`#text=…`), the page's script posts it and draws the audit; the
//! test reads the resulting DOM and saves a screenshot under
//! `target/tmp/e2e/`.
//!
//! Chromium is required, never skipped: when it is missing the test installs
//! it with apt-get (as root, non-interactively, as on CI), and fails with a
//! clear message when it cannot. `NIANBAO_CHROMIUM` names another binary.

mod serve_support;

use serve_support::{bump_cell, Server};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The Chromium binary, installed if missing.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("NIANBAO_CHROMIUM") {
        return PathBuf::from(p);
    }
    let find = || {
        ["chromium", "chromium-browser"].into_iter().find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
        })
    };
    if let Some(p) = find() {
        return p;
    }
    // Debian's package; fonts so that the screenshot shows Chinese.
    let install = || {
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "--no-install-recommends",
                "chromium",
                "fonts-wqy-zenhei",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let installed = install()
        || (Command::new("apt-get")
            .arg("update")
            .stdin(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
            && install());
    assert!(
        installed,
        "Chromium is missing and `apt-get install -y chromium` failed (run it as root)"
    );
    find().expect("chromium on PATH after installing it")
}

/// Run Chromium headless on `url` with `args`; killed after two minutes.
fn run_chromium(url: &str, args: &[String]) -> Output {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            // Virtual time runs until the page is idle: the script's request
            // and the drawing of its answer are done before the dump.
            "--virtual-time-budget=20000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    while child.try_wait().expect("chromium status").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("chromium output")
}

/// The element with `id`, from its opening tag to the first `</tag>`.
fn element<'h>(dom: &'h str, tag: &str, id: &str) -> &'h str {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id:?} in the page:\n{dom}"));
    let start = dom[..at].rfind('<').expect("tag start");
    let end = dom[at..].find(&format!("</{tag}>")).expect("element end") + at;
    &dom[start..end]
}

#[test]
fn the_page_highlights_the_changed_cell_in_chromium() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jiaxing-jingxin-2022.txt");
    let text = std::fs::read_to_string(fixture).expect("fixture");
    let (mutated, bumped) = bump_cell(&text, "new", "natural_person");
    let server = Server::start(&[]);
    let link = format!(
        "{}#text={}",
        server.url("/"),
        percent_encoding::utf8_percent_encode(&mutated, percent_encoding::NON_ALPHANUMERIC)
    );

    let out = run_chromium(&link, &["--dump-dom".to_string()]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("data-state=\"done\""),
        "the page did not draw a result (chromium: {})\n{dom}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The changed cell is highlighted as an error, shows the changed value,
    // and carries the rule's message for hover and keyboard focus.
    let cell = element(&dom, "td", "r1-requests-new-natural_person");
    assert!(cell.contains("class=\"hit error"), "{cell}");
    assert!(cell.contains(&format!("</span>{bumped}</a>")), "{cell}");
    assert!(
        cell.contains("aria-describedby=\"r1-requests-new-natural_person-tip\""),
        "{cell}"
    );
    let tip = element(&dom, "span", "r1-requests-new-natural_person-tip");
    assert!(tip.contains("× 错误："), "{tip}");
    assert!(
        tip.contains(&format!("自然人 {bumped}")),
        "the message gives the changed value: {tip}"
    );
    // The same message, in full, in the list of findings the cell links to.
    let message = tip
        .split("× 错误：")
        .nth(1)
        .and_then(|m| m.split("<br>").next())
        .expect("a message");
    let target = cell
        .split("href=\"#")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a link to the finding");
    let finding = element(&dom, "li", target);
    assert!(finding.contains(message), "{finding}");
    // Only cells the findings involve are highlighted: not the other rows.
    let untouched = element(&dom, "td", "r1-requests-granted-business");
    assert!(!untouched.contains("hit"), "{untouched}");

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e");
    std::fs::create_dir_all(&dir).expect("output folder");
    let shot = dir.join("serve-jiaxing-mutated.png");
    let _ = std::fs::remove_file(&shot);
    let out = run_chromium(
        &link,
        &[
            "--window-size=1280,1600".to_string(),
            format!("--screenshot={}", shot.display()),
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "no screenshot at {} (chromium: {})",
        shot.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
