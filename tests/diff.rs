//! Year over year: `nianbao diff` and `content.repeated-text` on two
//! consecutive reports made from a fixture (last year's: the same report a
//! year earlier; this year's: one paragraph rewritten), and on two reports
//! of different bodies.

mod check_support;

use check_support::{code, fixtures_dir, json, nianbao_in, nianbao_isolated_in, stderr, stdout};

const REWRITTEN: &str =
    "(四)平台建设情况。今年我局新建政务公开专区并上线智能问答功能，全年答复网民咨询一百二十余次。\
                         专区按季度更新办事指南，群众反映的问题当日转办。";

/// A folder with `2021.txt` (the fixture a year earlier), `2022.txt` (the
/// fixture with its 平台建设 paragraph rewritten) and `other.txt` (another
/// body's report).
fn pair() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(fixtures_dir().join("jiaxing-jingxin-2022.txt")).expect("fixture");
    let last = text.replace("2022", "2021").replace("2023", "2022");
    let paragraph = text
        .lines()
        .find(|l| l.starts_with("(四)平台建设情况。"))
        .expect("the paragraph")
        .to_string();
    let this = text.replace(&paragraph, REWRITTEN);
    std::fs::write(dir.path().join("2021.txt"), last).expect("write");
    std::fs::write(dir.path().join("2022.txt"), this).expect("write");
    std::fs::copy(
        fixtures_dir().join("haiyan-jingxin-2023.txt"),
        dir.path().join("other.txt"),
    )
    .expect("copy");
    (dir, paragraph)
}

#[test]
fn a_copied_report_is_flagged_and_its_rewritten_paragraph_is_not() {
    let (dir, old_paragraph) = pair();
    let d = dir.path();
    let out = nianbao_isolated_in(d, &["diff", "2021.txt", "2022.txt", "--format", "json"]);
    assert_eq!(code(&out), 1, "flagged: {}", stderr(&out));
    let doc = json(&out);
    let pair = &doc["pairs"][0];
    assert_eq!(pair["last"]["year"], 2021);
    assert_eq!(pair["this"]["year"], 2022);
    assert_eq!(pair["repeated_text"], true);
    let rep = &pair["repetition"];
    // Per section: the overview keeps all but the rewritten paragraph.
    let overview = rep["sections"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["section"] == "overview"))
        .expect("the overview");
    let rate = overview["rate"].as_f64().unwrap_or(0.0);
    assert!(rate > 0.5 && rate < 1.0, "{overview}");
    let repeated: Vec<&str> = pair["repeated"]
        .as_array()
        .expect("repeated sentences")
        .iter()
        .filter_map(|r| r["text"].as_str())
        .collect();
    // The rewritten paragraph's sentences are not repeated; every other
    // sentence of the overview's paragraphs is, its years changed or not.
    assert!(
        repeated
            .iter()
            .all(|s| !REWRITTEN.contains(s) && !s.contains("智能问答")),
        "{repeated:?}"
    );
    assert!(
        repeated
            .iter()
            .any(|s| s.starts_with("2022年,我局共收到依申请公开事项8件")),
        "{repeated:?}"
    );
    assert!(
        repeated.iter().all(|s| !old_paragraph.contains(s)),
        "{repeated:?}"
    );
    // Template wording, the outline's numbered headings and the standard
    // sentences are not counted.
    assert!(
        repeated
            .iter()
            .all(|s| !s.contains("统计期限") && !s.starts_with("(一)") && !s.starts_with("(二)")),
        "{repeated:?}"
    );
    // Every cell of the tables, both years, the change: the same values.
    let cells = pair["cells"].as_array().expect("cells");
    assert!(cells.len() > 100, "{}", cells.len());
    assert!(cells
        .iter()
        .all(|c| c["last"] == c["this"] && (c["change"] == "0" || c["change"].is_null())));

    // Human output says the same, per section.
    let human = stdout(&nianbao_isolated_in(d, &["diff", "2021.txt", "2022.txt"]));
    assert!(human.contains("超过阈值（content.repeated-text）"), "{human}");
    assert!(human.contains("  一、总体情况："), "{human}");
    assert!(
        human.contains("表格：") && human.contains("个与上年不同"),
        "{human}"
    );
    // HTML: both years side by side, repeated passages marked.
    let html = stdout(&nianbao_isolated_in(
        d,
        &["diff", "2021.txt", "2022.txt", "--format", "html"],
    ));
    assert!(
        html.contains("<mark class=\"repeated\">2022年,我局共收到依申请公开事项8件"),
        "{html}"
    );
    assert!(html.contains("<p>今年我局新建政务公开专区"), "{html}");

    // check with last year's report: the finding, on the repeated passages.
    let check = nianbao_isolated_in(
        d,
        &["check", "2022.txt", "--previous", "2021.txt", "--format", "json"],
    );
    let findings = json(&check)["reports"][0]["findings"].clone();
    let repeated_text = findings
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "content.repeated-text"))
        .expect("content.repeated-text");
    assert_eq!(repeated_text["severity"], "warning");
    assert!(
        repeated_text["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("正文有 ")),
        "{repeated_text}"
    );
    assert!(repeated_text["labels"].as_array().is_some_and(|l| !l.is_empty()));
    // Pairing by body in a batch finds the same pair.
    let batch = json(&nianbao_isolated_in(
        d,
        &["diff", "--pair-by-body", ".", "--format", "json"],
    ));
    assert_eq!(batch["pairs"].as_array().map(Vec::len), Some(1));
    assert_eq!(batch["pairs"][0]["repetition"], doc["pairs"][0]["repetition"]);
    // A threshold set higher than the repetition: not flagged.
    let lenient = nianbao_isolated_in(d, &["diff", "2021.txt", "2022.txt", "--threshold", "0.99"]);
    assert_eq!(code(&lenient), 0, "{}", stdout(&lenient));
    std::fs::write(d.join("nianbao.toml"), "repeated-text-threshold = 0.99\n").expect("write");
    let configured = nianbao_in(d, &["check", "2022.txt", "--previous", "2021.txt"], None);
    assert!(
        !stdout(&configured).contains("content.repeated-text"),
        "{}",
        stdout(&configured)
    );
    std::fs::write(d.join("nianbao.toml"), "repeated-text-threshold = 50\n").expect("write");
    let wrong = nianbao_in(d, &["check", "2022.txt", "--previous", "2021.txt"], None);
    assert_eq!(code(&wrong), 2);
    assert!(
        stderr(&wrong).contains("a share from 0 to 1"),
        "{}",
        stderr(&wrong)
    );
}

#[test]
fn different_reports_are_under_the_threshold() {
    let (dir, _) = pair();
    let out = nianbao_isolated_in(dir.path(), &["diff", "other.txt", "2022.txt", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json(&out);
    let rate = doc["pairs"][0]["repetition"]["rate"].as_f64().unwrap_or(1.0);
    assert!(rate < 0.1, "{}", doc["pairs"][0]["repetition"]);
    assert_eq!(doc["pairs"][0]["repeated_text"], false);
    let check = nianbao_isolated_in(dir.path(), &["check", "2022.txt", "--previous", "other.txt"]);
    assert!(
        !stdout(&check).contains("content.repeated-text"),
        "{}",
        stdout(&check)
    );
}
