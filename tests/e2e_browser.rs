//! End to end in a real browser: `nianbao serve` on a free loopback port,
//! Debian's headless Chromium opens the page with a mutated fixture in the
//! link (`#text=…`), the page's script posts it and draws the audit; the
//! test reads the resulting DOM and saves a screenshot under
//! `target/tmp/e2e/`. A second test drives Chromium through ChromeDriver
//! (WebDriver) as a reviewer: dismiss a finding with a reason, reload.
//!
//! Chromium is required, never skipped: when it is missing the test installs
//! it with apt-get (as root, non-interactively, as on CI), and fails with a
//! clear message when it cannot. `NIANBAO_CHROMIUM` names another binary.

mod serve_support;

use base64::Engine as _;
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

/// Chromium's flags for a headless run on this closed network (no
/// background connections, which are refused here, many at a time).
const HEADLESS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Run Chromium headless on `url` with `args`; killed after two minutes.
fn run_chromium(url: &str, args: &[String]) -> Output {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(chromium())
        .args(HEADLESS)
        .args([
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

/// ChromeDriver, installed with Debian's Chromium if missing (the two
/// packages come from the same source and match).
fn chromedriver() -> PathBuf {
    let find = || {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("chromedriver"))
                .find(|p| p.is_file())
        })
    };
    if let Some(p) = find() {
        return p;
    }
    let installed = Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        installed,
        "chromedriver is missing and `apt-get install -y chromium-driver` failed (run it as root)"
    );
    find().expect("chromedriver on PATH after installing it")
}

/// A WebDriver session in headless Chromium, through ChromeDriver's HTTP
/// API (W3C WebDriver, JSON over HTTP/1.1 on loopback): enough to click,
/// type and reload like a reviewer.
struct Browser {
    driver: std::process::Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            _profile: profile,
        };
        let started = Instant::now();
        while browser.call("GET", "/status", None).is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = HEADLESS
            .iter()
            .chain(&["--window-size=1280,1600"])
            .map(|s| s.to_string())
            .chain([format!("--user-data-dir={}", browser._profile.path().display())])
            .collect::<Vec<_>>();
        let capabilities = serde_json::json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium(), "args": args },
        }}});
        let value = browser
            .call("POST", "/session", Some(&capabilities))
            .expect("a session");
        browser.session = value["sessionId"].as_str().expect("session id").to_string();
        browser
    }

    /// One WebDriver command; its `value`, or None when the driver does
    /// not answer yet. An error answer fails the test.
    fn call(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Option<serde_json::Value> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        stream.write_all(head.as_bytes()).ok()?;
        stream.write_all(body.as_bytes()).ok()?;
        // ChromeDriver keeps the connection open: read the headers, then
        // exactly Content-Length bytes.
        let mut reader = std::io::BufReader::new(stream);
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            std::io::BufRead::read_line(&mut reader, &mut line).ok()?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok()?;
                }
            }
        }
        let mut json = vec![0; length];
        reader.read_exact(&mut json).ok()?;
        let doc: serde_json::Value = serde_json::from_slice(&json).ok()?;
        let value = doc.get("value").cloned().unwrap_or(serde_json::Value::Null);
        if let Some(error) = value.get("error") {
            panic!("WebDriver {method} {path}: {error}: {}", value["message"]);
        }
        Some(value)
    }

    fn command(&self, method: &str, what: &str, body: serde_json::Value) -> serde_json::Value {
        let path = format!("/session/{}{what}", self.session);
        let body = (method != "GET").then_some(&body);
        self.call(method, &path, body)
            .unwrap_or_else(|| panic!("no answer to {method} {what}"))
    }

    fn script(&self, script: &str) -> serde_json::Value {
        self.command(
            "POST",
            "/execute/sync",
            serde_json::json!({ "script": script, "args": [] }),
        )
    }

    /// Wait until the page's body says `state` (the page sets it when a
    /// check or a review is done).
    fn wait_for_state(&self, state: &str) {
        let started = Instant::now();
        loop {
            let now = self.script("return document.body.getAttribute('data-state');");
            if now.as_str() == Some(state) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the page never reached {state:?} (it is {now})"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn element(&self, css: &str) -> String {
        let found = self.command(
            "POST",
            "/element",
            serde_json::json!({ "using": "css selector", "value": css }),
        );
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A reviewer dismisses a finding with a reason on the page; the decision
/// is in the review file, and after a reload (and in a fresh browser opening
/// the same report) the finding is shown dismissed with its reason.
#[test]
fn a_dismissal_made_on_the_page_survives_a_reload() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jiaxing-jingxin-2022.txt");
    let text = std::fs::read_to_string(fixture).expect("fixture");
    let (mutated, _) = bump_cell(&text, "new", "natural_person");
    let dir = tempfile::tempdir().expect("temp dir");
    let review_file = dir.path().join("复核.toml");
    let review_arg = review_file.display().to_string();
    let server = Server::start(&["--review", &review_arg]);
    let link = format!(
        "{}#text={}",
        server.url("/"),
        percent_encoding::utf8_percent_encode(&mutated, percent_encoding::NON_ALPHANUMERIC)
    );

    let browser = Browser::start();
    browser.command("POST", "/url", serde_json::json!({ "url": link }));
    browser.wait_for_state("done");
    let fingerprint = browser
        .script("return document.querySelector('li.finding.error').getAttribute('data-fingerprint');")
        .as_str()
        .expect("an error finding with a fingerprint")
        .to_string();
    let errors = "return document.querySelectorAll('ol.findings:not(.dismissed) li.finding.error').length;";
    let errors_before = browser.script(errors).as_u64().expect("a count");
    // Dismissing without a reason is refused on the page.
    let dismiss = browser.element("li.finding.error .review-dismiss");
    browser.command(
        "POST",
        &format!("/element/{dismiss}/click"),
        serde_json::json!({}),
    );
    let status = browser.script("return document.getElementById('status').textContent;");
    assert_eq!(status.as_str(), Some("排除须写明理由"));
    let reason = browser.element("li.finding.error .review-reason");
    browser.command(
        "POST",
        &format!("/element/{reason}/value"),
        serde_json::json!({ "text": "表内已注明口径" }),
    );
    browser.command(
        "POST",
        &format!("/element/{dismiss}/click"),
        serde_json::json!({}),
    );
    browser.wait_for_state("reviewed");

    let saved = std::fs::read_to_string(&review_file).expect("the review file is written");
    assert!(
        saved.contains(&format!("fingerprint = \"{fingerprint}\"")),
        "{saved}"
    );
    assert!(saved.contains("decision = \"dismissed\""), "{saved}");
    assert!(saved.contains("reason = \"表内已注明口径\""), "{saved}");

    // Reload: the page checks the kept text again and shows the decision.
    browser.command("POST", "/refresh", serde_json::json!({}));
    browser.wait_for_state("done");
    let item = browser.script(&format!(
        "var li = document.querySelector('li.finding[data-fingerprint=\"{fingerprint}\"]');\
         return li ? [li.getAttribute('data-review'), li.closest('ol').className, li.textContent] : null;"
    ));
    assert_eq!(item[0].as_str(), Some("dismissed"), "{item}");
    assert_eq!(item[1].as_str(), Some("findings dismissed"), "{item}");
    assert!(
        item[2]
            .as_str()
            .is_some_and(|t| t.contains("复核已排除：表内已注明口径")),
        "{item}"
    );
    // The dismissed finding is not counted.
    assert_eq!(browser.script(errors).as_u64(), Some(errors_before - 1));
    let counts = browser.script("return document.querySelector('p.counts').textContent;");
    let want = format!("错误 {}", errors_before - 1);
    assert!(counts.as_str().is_some_and(|c| c.contains(&want)), "{counts}");

    // A screenshot of the dismissed finding, scrolled into view.
    browser.script(&format!(
        "document.querySelector('li.finding[data-fingerprint=\"{fingerprint}\"]').scrollIntoView();"
    ));
    let png = browser.command("GET", "/screenshot", serde_json::Value::Null);
    let png = base64::engine::general_purpose::STANDARD
        .decode(png.as_str().expect("a screenshot"))
        .expect("base64 PNG");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    let shot_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e");
    std::fs::create_dir_all(&shot_dir).expect("output folder");
    std::fs::write(shot_dir.join("serve-review-dismissed.png"), png).expect("save the screenshot");
}
