//! The renderers on findings built by hand over real fixture text (real spans
//! of real cells), independent of the reader and the rules: what a person
//! sees (human), what a program reads (JSON, with byte offsets and character
//! columns), and SARIF that validates against the official schema.

mod check_support;

use check_support::{assert_valid_sarif, fixtures_dir};
use nianbao_engine::render::human::{HumanOptions, HumanRenderer};
use nianbao_engine::render::json::JsonRenderer;
use nianbao_engine::render::sarif::SarifRenderer;
use nianbao_engine::{
    Checked, Finding, FindingLabel, InputFailure, Outcome, Renderer, ReportResult, RuleInfo, Severity,
    Summary,
};
use nianbao_model::Span;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(name)).expect("fixture")
}

/// The span of the `nth` occurrence of `needle` at or after `from`.
fn span_of(text: &str, from: usize, needle: &str) -> Span {
    let at = text[from..]
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in fixture"))
        + from;
    Span::new(at, needle.len())
}

/// The spans of the `n` numbers printed one per line after `label`.
fn cells_after(text: &str, label: &str, n: usize) -> Vec<Span> {
    let start = span_of(text, 0, label).end();
    let mut spans = Vec::new();
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() && trimmed.chars().all(|c| c.is_ascii_digit()) {
            spans.push(Span::new(offset + line.find(trimmed).unwrap_or(0), trimmed.len()));
            if spans.len() == n {
                break;
            }
        }
        offset += line.len();
    }
    assert_eq!(spans.len(), n, "{n} cells after {label:?}");
    spans
}

fn label(span: Span, text: &str, primary: bool) -> FindingLabel {
    FindingLabel {
        span,
        text: text.to_string(),
        primary,
        place: None,
    }
}

/// Findings as the rules will produce them, on three fixtures of different
/// layouts (one cell per line, tab-separated, one long line), plus an
/// unreadable input.
fn results() -> Vec<ReportResult> {
    let jiaxing = fixture("jiaxing-jingxin-2022.txt");
    let new = cells_after(&jiaxing, "一、本年新收政府信息公开申请数量", 7);
    let total = cells_after(&jiaxing, "(七)总计", 7);
    let balance = Finding {
        rule: "requests.balance".into(),
        severity: Severity::Error,
        message: "总计 列：新收 8 + 上年结转 0 = 8，但办理结果总计 8 + 结转下年度 0 = 8（演示）".into(),
        help: Some("第一项加第二项之和，等于第三项加第四项之和".into()),
        reference: Some("国办公开办函〔2021〕30号".into()),
        fingerprint: String::new(),
        review: None,
        labels: vec![
            label(total[6], "办理结果总计 8", true),
            label(new[6], "新收 8", false),
            label(new[0], "自然人 8", false),
        ],
    };
    let haiyan = fixture("haiyan-jingxin-2023.txt");
    let variant = span_of(&haiyan, 0, "本年度止件数");
    let wording = Finding {
        rule: "label.variant".into(),
        severity: Severity::Warning,
        message: "列名“本年度止件数”不是模板的“本年废止件数”".into(),
        help: Some("按模板改为“本年废止件数”".into()),
        reference: None,
        fingerprint: String::new(),
        review: None,
        labels: vec![label(variant, "模板：本年废止件数", true)],
    };
    let no_title = Finding {
        rule: "structure.title".into(),
        severity: Severity::Info,
        message: "没有找到报告标题".into(),
        help: None,
        reference: None,
        fingerprint: String::new(),
        review: None,
        labels: vec![],
    };
    let pingtan = fixture("pingtan-2021-flattened.txt");
    let run = span_of(&pingtan, span_of(&pingtan, 0, "（七）总计").offset, "630020469");
    let flattened = Finding {
        rule: "requests.row-total".into(),
        severity: Severity::Error,
        message: "总计 行：自然人 63 + 法人或其他组织 2 + 4 ≠ 总计 69（演示）".into(),
        help: None,
        reference: None,
        fingerprint: String::new(),
        review: None,
        labels: vec![
            label(Span::new(run.offset + 7, 2), "总计 69", true),
            label(Span::new(run.offset, 2), "自然人 63", false),
            // A blank cell: an empty span where the value would be.
            label(Span::new(run.offset + 2, 0), "空白", false),
        ],
    };
    vec![
        ReportResult {
            path: "tests/fixtures/haiyan-jingxin-2023.txt".into(),
            outcome: Outcome::Checked(Checked {
                text: haiyan,
                base_offset: 0,
                pages: Vec::new(),
                table_rows: Vec::new(),
                body: None,
                year: None,
                findings: vec![wording, no_title],
                reading: Default::default(),
            }),
        },
        ReportResult {
            path: "tests/fixtures/jiaxing-jingxin-2022.txt".into(),
            outcome: Outcome::Checked(Checked {
                text: jiaxing,
                base_offset: 0,
                pages: Vec::new(),
                table_rows: Vec::new(),
                body: None,
                year: None,
                findings: vec![balance],
                reading: Default::default(),
            }),
        },
        ReportResult {
            path: "tests/fixtures/missing.txt".into(),
            outcome: Outcome::Failed(InputFailure {
                code: "nianbao::io".into(),
                message: "cannot read: No such file or directory (os error 2)".into(),
                help: None,
            }),
        },
        ReportResult {
            path: "tests/fixtures/pingtan-2021-flattened.txt".into(),
            outcome: Outcome::Checked(Checked {
                text: pingtan,
                base_offset: 3,
                pages: Vec::new(),
                table_rows: Vec::new(),
                body: None,
                year: None,
                findings: vec![flattened],
                reading: Default::default(),
            }),
        },
    ]
}

fn render(mut renderer: Box<dyn Renderer>) -> (String, Summary) {
    let mut out = Vec::new();
    let mut summary = Summary::default();
    renderer.start(&mut out).expect("write");
    for r in results() {
        summary.add(&r);
        renderer.report(&mut out, &r).expect("write");
    }
    renderer.finish(&mut out, &summary).expect("write");
    (String::from_utf8(out).expect("UTF-8"), summary)
}

#[test]
fn summary_counts_every_severity_and_unreadable_inputs() {
    let (_, summary) = render(Box::new(JsonRenderer::new()));
    assert_eq!((summary.reports, summary.unreadable, summary.findings), (4, 1, 4));
    assert_eq!((summary.error, summary.warning, summary.info), (2, 1, 1));
    assert_eq!(summary.at_least(Severity::Warning), 3);
    assert_eq!(
        summary.line(),
        "共检查 3 个报告：2 个错误，1 个警告，1 条提示；1 个文件无法检查"
    );
}

#[test]
fn human_output_underlines_the_cells() {
    let (text, _) = render(Box::new(HumanRenderer::new(HumanOptions::default())));
    assert!(!text.contains('\u{1b}'), "no colour codes when colour is off");
    // The header points at the primary label, column in characters.
    let jiaxing = fixture("jiaxing-jingxin-2022.txt");
    let total = cells_after(&jiaxing, "(七)总计", 7)[6];
    let at = nianbao_model::LineIndex::new(&jiaxing).line_col(total.offset);
    assert!(
        text.contains(&format!("[tests/fixtures/jiaxing-jingxin-2022.txt:{at}]")),
        "{text}"
    );
    // Columns in characters: 信息内容\t本年制发件数\t precede the label.
    assert!(
        text.contains("[tests/fixtures/haiyan-jingxin-2023.txt:96:13]"),
        "{text}"
    );
    // The 9,188-character line is cut around the labels.
    assert!(text.lines().all(|l| l.chars().count() < 200), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn json_offsets_are_bytes_and_columns_characters() {
    let (text, _) = render(Box::new(JsonRenderer::new()));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let haiyan = fixture("haiyan-jingxin-2023.txt");
    let label = &doc["reports"][0]["findings"][0]["labels"][0];
    let offset = label["offset"].as_u64().expect("offset") as usize;
    let length = label["length"].as_u64().expect("length") as usize;
    assert_eq!(&haiyan[offset..offset + length], "本年度止件数");
    // "信息内容\t本年制发件数\t" precedes it on line 96: 4 + 1 + 6 + 1 characters.
    assert_eq!(
        (label["line"].as_u64(), label["column"].as_u64()),
        (Some(96), Some(13))
    );
    // A base offset (a byte-order mark) moves offsets, not columns.
    let flat = &doc["reports"][3]["findings"][0]["labels"][0];
    let pingtan = fixture("pingtan-2021-flattened.txt");
    let at = flat["offset"].as_u64().expect("offset") as usize - 3;
    assert_eq!(&pingtan[at..at + 2], "69");
    assert_eq!(doc["reports"][2]["error"]["code"], "nianbao::io");
    assert_eq!(doc["reports"][2]["findings"], serde_json::json!([]));
    assert_eq!(doc["summary"]["unreadable"], 1);
    insta::assert_snapshot!(text);
}

#[test]
fn sarif_validates_and_keeps_every_label() {
    let rules = vec![RuleInfo {
        title: "新收 + 上年结转 = 办理结果总计 + 结转下年度".into(),
        ..RuleInfo::bare("requests.balance", Severity::Error)
    }];
    let (text, _) = render(Box::new(SarifRenderer::new(rules)));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_valid_sarif(&doc);
    let run = &doc["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    // Rules seen only in findings are added to the rule table after the given ones.
    let ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "requests.balance",
            "label.variant",
            "structure.title",
            "requests.row-total"
        ]
    );
    let balance = &results[2];
    assert_eq!(balance["ruleId"], "requests.balance");
    assert_eq!(balance["ruleIndex"], 0);
    assert_eq!(balance["relatedLocations"].as_array().map(Vec::len), Some(2));
    let region = &balance["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["byteLength"], 1);
    assert_eq!(results[1]["level"], "note");
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]
            ["artifactLocation"]["uri"],
        "tests/fixtures/missing.txt"
    );
}

#[test]
fn a_run_with_only_unreadable_inputs_does_not_read_as_all_good() {
    let summary = Summary {
        reports: 2,
        unreadable: 2,
        ..Summary::default()
    };
    assert_eq!(summary.line(), "没有检查任何报告：2 个文件无法检查");
    let one_good = Summary {
        reports: 2,
        unreadable: 1,
        ..Summary::default()
    };
    assert_eq!(one_good.line(), "共检查 1 个报告：未发现问题；1 个文件无法检查");
}
