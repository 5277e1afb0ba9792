//! `nianbao serve`: the page, the HTML fragment and the JSON API on a real
//! server bound to a free loopback port, and clear errors for bad uploads.

mod check_support;
mod serve_support;

use check_support::{fixtures_dir, nianbao};
use serve_support::{bump_cell, Server};

fn jiaxing() -> String {
    std::fs::read_to_string(fixtures_dir().join("jiaxing-jingxin-2022.txt")).expect("fixture")
}

#[test]
fn the_page_is_chinese_and_self_contained() {
    let server = Server::start(&[]);
    let (status, page) = server.request("GET", "/", b"", None);
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"zh-CN\">"), "{page}");
    assert!(page.contains("<textarea id=\"text\""), "{page}");
    assert!(page.contains("粘贴"), "{page}");
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no external assets"
    );
}

#[test]
fn api_check_returns_the_json_document_of_check() {
    let server = Server::start(&[]);
    let (mutated, _) = bump_cell(&jiaxing(), "new", "natural_person");
    let (status, body) = server.request(
        "POST",
        "/api/check?name=%E5%98%89%E5%85%B4.txt",
        mutated.as_bytes(),
        None,
    );
    assert_eq!(status, 200, "{body}");
    let served: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(served["reports"][0]["path"], "嘉兴.txt");
    let cli = nianbao(
        &["check", "--isolated", "--format", "json", "-"],
        Some(mutated.as_bytes()),
    );
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).expect("JSON");
    assert_eq!(served["reports"][0]["findings"], cli["reports"][0]["findings"]);
    assert_eq!(served["summary"], cli["summary"]);
    assert!(served["summary"]["error"].as_u64() > Some(0), "{body}");
}

#[test]
fn api_check_and_render_say_what_could_not_be_read() {
    let server = Server::start(&[]);
    let pingtan = std::fs::read(fixtures_dir().join("pingtan-2021-flattened.txt")).expect("fixture");
    let (status, body) = server.request("POST", "/api/check", &pingtan, None);
    assert_eq!(status, 200, "{body}");
    let served: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let reading = &served["reports"][0]["reading"];
    assert_eq!(reading["status"], "partial", "{reading}");
    assert_eq!(reading["limits"][0]["rule"], "extract.ambiguous-split");
    assert_eq!(served["summary"]["partly_read"], 1);
    assert_eq!(served["summary"]["error"], 0);
    let (status, html) = server.request("POST", "/api/render", &pingtan, None);
    assert_eq!(status, 200);
    assert!(html.contains("读取情况：部分未能读取"), "{html}");
    assert!(!html.contains("问题清单"), "no finding, so no list of findings");
}

#[test]
fn api_render_returns_the_audit_section() {
    let server = Server::start(&[]);
    let (mutated, bumped) = bump_cell(&jiaxing(), "new", "natural_person");
    let (status, html) = server.request("POST", "/api/render", mutated.as_bytes(), None);
    assert_eq!(status, 200);
    assert!(html.starts_with("<section class=\"report\" id=\"r1\""), "{html}");
    let at = html
        .find("id=\"r1-requests-new-natural_person\"")
        .expect("the cell");
    let td = &html[at..at + html[at..].find("</td>").expect("td end")];
    assert!(td.contains("class=\"hit error"), "{td}");
    assert!(td.contains(&format!("</span>{bumped}</a>")), "{td}");
}

#[test]
fn bad_uploads_get_clear_errors() {
    let server = Server::start(&["--max-size", "1"]);
    let (status, body) = server.request("POST", "/api/check", b"  \n", None);
    assert_eq!(status, 400);
    assert!(body.contains("内容为空"), "{body}");

    let (status, body) = server.request("POST", "/api/check?name=report.docx", b"not a zip", None);
    assert_eq!(status, 400);
    let doc: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        doc["reports"][0]["error"]["code"], "nianbao::read::document",
        "{body}"
    );

    let (status, body) = server.request("POST", "/api/render", b"", Some(2 << 20));
    assert_eq!(status, 413);
    assert!(
        body.contains("文件太大：最多接受 1 MiB") && body.contains("role=\"alert\""),
        "{body}"
    );

    assert_eq!(server.request("GET", "/nowhere", b"", None).0, 404);
    assert_eq!(server.request("GET", "/api/check", b"", None).0, 405);
}

#[test]
fn serve_uses_the_configuration_and_rule_options_of_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("nianbao.toml");
    std::fs::write(&config, "ignore = [\"requests.row-total\"]\n").expect("write");
    let config = config.to_str().expect("UTF-8 path");
    let server = Server::start(&["--config", config]);
    let (mutated, _) = bump_cell(&jiaxing(), "new", "natural_person");
    let (status, body) = server.request("POST", "/api/check", mutated.as_bytes(), None);
    assert_eq!(status, 200, "{body}");
    let served: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let rules: Vec<&str> = served["reports"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    // The bumped cell breaks its row's total and its column's balance; the
    // configuration ignores the first.
    assert!(rules.contains(&"requests.column-balance"), "{rules:?}");
    assert!(!rules.contains(&"requests.row-total"), "{rules:?}");
    let cli = nianbao(
        &["check", "--config", config, "--format", "json", "-"],
        Some(mutated.as_bytes()),
    );
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).expect("JSON");
    assert_eq!(served["reports"][0]["findings"], cli["reports"][0]["findings"]);

    // A selection that matches no rule stops serve as it stops check.
    let o = nianbao(
        &[
            "serve",
            "--port",
            "0",
            "--isolated",
            "--select",
            "requests.no-such",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("matches no rule"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `POST /api/review` records a decision on a finding of the report sent
/// (found by its fingerprint in the server's own reading) in the review
/// file given at start, and returns the fragment again with the decision;
/// bad decisions are clear errors and change nothing.
#[test]
fn api_review_records_decisions_in_the_review_file() {
    let (mutated, _) = bump_cell(&jiaxing(), "new", "natural_person");
    let body = mutated.as_bytes();
    // Without a review file, nothing can be decided.
    let plain = Server::start(&[]);
    let (status, html) = plain.request("POST", "/api/review?fingerprint=0&decision=confirmed", body, None);
    assert_eq!(status, 409, "{html}");
    assert!(html.contains("--review"), "{html}");

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("review.toml");
    let server = Server::start(&["--review", file.to_str().expect("UTF-8 path")]);
    let (_, json) = server.request("POST", "/api/check", body, None);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let fingerprint = doc["reports"][0]["findings"][0]["fingerprint"]
        .as_str()
        .expect("a fingerprint")
        .to_string();
    let review = |query: &str| server.request("POST", &format!("/api/review?name=j.txt&{query}"), body, None);

    let (status, html) = review(&format!("fingerprint={fingerprint}&decision=dismissed&reason=+"));
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("排除须写明理由"), "{html}");
    let (status, html) = review("fingerprint=0123456789abcdef&decision=dismissed&reason=x");
    assert_eq!(status, 404, "{html}");
    let (status, html) = review(&format!("fingerprint={fingerprint}&decision=maybe"));
    assert_eq!(status, 400, "{html}");
    assert!(!file.exists(), "no decision recorded");

    let reason = "%E8%A1%A8%E5%86%85%E5%B7%B2%E6%B3%A8%E6%98%8E%E5%8F%A3%E5%BE%84"; // 表内已注明口径
    let (status, html) = review(&format!(
        "fingerprint={fingerprint}&decision=dismissed&reason={reason}&reviewer=%E5%BC%A0%E4%B8%89"
    ));
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains(&format!(
            "data-fingerprint=\"{fingerprint}\" data-review=\"dismissed\""
        )),
        "{html}"
    );
    assert!(html.contains("复核已排除：表内已注明口径（张三，"), "{html}");
    let saved = std::fs::read_to_string(&file).expect("the review file");
    assert!(
        saved.contains("reason = \"表内已注明口径\"\nreviewer = \"张三\""),
        "{saved}"
    );
    assert!(saved.contains("file = \"j.txt\""), "{saved}");
    // Every check applies it, and the JSON API lists it.
    let (_, json) = server.request("POST", "/api/check", body, None);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(
        doc["reports"][0]["findings"][0]["review"]["decision"],
        "dismissed"
    );
    assert_eq!(doc["summary"]["dismissed"], 1);
    let (status, json) = server.request("GET", "/api/reviews", b"", None);
    assert_eq!(status, 200);
    let listed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(listed["decisions"][0]["fingerprint"], fingerprint.as_str());
    // The same decisions as the command line reads them.
    let cli = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "--review",
            file.to_str().unwrap_or_default(),
            "-",
        ],
        Some(body),
    );
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).expect("JSON");
    assert_eq!(cli["summary"]["dismissed"], 1);
    // Reopened: the decision is gone from the file.
    let (status, html) = review(&format!("fingerprint={fingerprint}&decision=reopen"));
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-review=\"open\""), "{html}");
    let saved = std::fs::read_to_string(&file).expect("the review file");
    assert!(!saved.contains("[[decision]]\n"), "{saved}");
}
