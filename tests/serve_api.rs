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
