//! What nianbao could not read is never reported as the report's error
//! (issue 18). Variants of the real fixtures as export tools damage them —
//! a group label cut by a page break, a row label lost or garbled, a
//! section heading reworded, digits that ran together — must be read whole
//! (the deviation reported as wording) or said not read, never turned into
//! a defect of the report; and the real defects must still be found.

mod check_support;

use check_support::*;
use nianbao_engine::eval::evaluate;
use nianbao_engine::{Evaluation, ReadingStatus, Severity};
use nianbao_model::{CellValue, LabelMatch, Report};
use nianbao_rules::RuleSet;
use std::collections::BTreeMap;

fn rules() -> RuleSet {
    nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("the built-in rules compile")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(name)).expect("fixture")
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

/// Every cell read: (table, row, column) → value.
fn cells(r: &Report) -> BTreeMap<(String, String, String), CellValue> {
    let mut out = BTreeMap::new();
    for (t, table) in &r.tables {
        for (row, rr) in &table.rows {
            for (c, cell) in &rr.cells {
                out.insert(
                    (t.to_string(), row.to_string(), c.to_string()),
                    cell.value.clone(),
                );
            }
        }
    }
    out
}

fn check(text: &str) -> (Report, Evaluation) {
    let report = nianbao_reader::read_text("variant", text);
    let evaluation = evaluate(&rules(), &report, None);
    (report, evaluation)
}

/// The findings at `severity`, as (rule, message).
fn at(e: &Evaluation, severity: Severity) -> Vec<(String, String)> {
    e.findings
        .iter()
        .filter(|f| f.severity == severity)
        .map(|f| (f.rule.clone(), f.message.clone()))
        .collect()
}

fn rules_of(e: &Evaluation) -> Vec<&str> {
    e.findings.iter().map(|f| f.rule.as_str()).collect()
}

/// hongze's two real defects (its 行政复议 and 复议后起诉 totals are 0).
fn hongze_errors(e: &Evaluation) -> Vec<(String, String)> {
    at(e, Severity::Error)
}

#[test]
fn consistent_fixtures_get_no_error_and_real_defects_stay() {
    for path in report_fixtures() {
        let name = stem(&path);
        let (_, e) = check(&std::fs::read_to_string(&path).expect("fixture"));
        let errors = at(&e, Severity::Error);
        if name.starts_with("hongze") {
            let rules: Vec<&str> = errors.iter().map(|(r, _)| r.as_str()).collect();
            assert_eq!(rules, ["review.group-total", "review.group-total"], "{name}");
            assert!(errors[0].1.starts_with("行政复议：总计 0"), "{name}: {errors:?}");
            assert!(
                errors[1].1.starts_with("复议后起诉：总计 0"),
                "{name}: {errors:?}"
            );
        } else {
            assert!(errors.is_empty(), "{name}: {errors:#?}");
        }
        assert!(
            !e.findings.iter().any(|f| f.rule.starts_with("extract.")),
            "{name}: a reading limit among the findings: {:#?}",
            e.findings
        );
    }
}

#[test]
fn a_group_label_cut_by_a_page_break_is_read_with_its_sub_rows() {
    // PDF text: the group label's two halves on either side of a page
    // break, each fused with a sub-row.
    let text = fixture("hongze-2023-pypdf.txt");
    let cut = replace_once(
        &text,
        "（四）无法提供\n1.本机关不掌握相关政府信息 10 0 0 0 0 0 10\n2.没有现成信息需要另行制作 3 0 0 0 0 0 3",
        "（四）无 1.本机关不掌握相关政府信息 10 0 0 0 0 0 10\n- 5 -\n法提供 2.没有现成信息需要另行制作 3 0 0 0 0 0 3",
    );
    let (original, before) = check(&text);
    let (report, e) = check(&cut);
    assert_eq!(
        cells(&report),
        cells(&original),
        "every cell read, with its value"
    );
    assert_eq!(hongze_errors(&e), hongze_errors(&before), "no new error");
    assert!(
        !rules_of(&e).contains(&"extract.missing-row"),
        "{:?}",
        rules_of(&e)
    );
    assert_eq!(e.reading.status, ReadingStatus::Complete, "{:#?}", e.reading);
    // The label not found over its read sub-rows is a wording note.
    let note = e
        .findings
        .iter()
        .find(|f| f.rule == "structure.group-label-missing")
        .expect("a wording note on the group label");
    assert_eq!(note.severity, Severity::Warning);
    assert!(note.message.contains("无法提供"), "{}", note.message);
}

#[test]
fn a_row_label_lost_or_garbled_is_placed_by_the_order_of_rows() {
    let text = fixture("hongze-2023-pypdf.txt");
    let (original, before) = check(&text);
    for (what, to) in [
        // The tool dropped the label: the numbers stand on a line of their own.
        ("lost", "0 0 0 0 0 0 0"),
        // OCR or a broken font garbled it beyond the template's wording.
        ("garbled", "3.危及三女全一稳疋X 0 0 0 0 0 0 0"),
    ] {
        let variant = replace_once(&text, "3.危及“三安全一稳定” 0 0 0 0 0 0 0", to);
        let (report, e) = check(&variant);
        assert_eq!(cells(&report), cells(&original), "{what}: every cell read");
        assert_eq!(hongze_errors(&e), hongze_errors(&before), "{what}: no new error");
        assert_eq!(
            e.reading.status,
            ReadingStatus::Complete,
            "{what}: {:#?}",
            e.reading
        );
        let label = report.tables["requests"].rows["denied.three_safeties"]
            .label
            .clone()
            .expect("the row has its place's label");
        assert_eq!(label.matched, LabelMatch::Different { other: None }, "{what}");
        let note: Vec<&str> = rules_of(&e)
            .into_iter()
            .filter(|r| r.starts_with("structure.row-label"))
            .collect();
        assert!(
            note.contains(&"structure.row-label-different"),
            "{what}: {note:?}"
        );
    }
}

#[test]
fn a_reworded_section_heading_is_wording_not_a_missing_section() {
    let text = fixture("jiaxing-jingxin-2022.txt");
    let variant = replace_once(
        &text,
        "五、存在的主要问题及改进情况",
        "五、存在的主要问题及整改措施",
    );
    let (report, e) = check(&variant);
    assert!(report.sections.contains_key("problems"));
    assert_eq!(at(&e, Severity::Error), []);
    assert_eq!(rules_of(&e), ["structure.heading-wording"]);
    assert!(e.findings[0].message.contains("存在的主要问题及整改措施"));
}

#[test]
fn a_flattened_row_is_read_without_its_label_spaced_off() {
    // Web page text whose table cells ran together: "规章000行政规范性文件…".
    let text = fixture("pingtan-2021-flattened.txt");
    let variant = replace_once(&text, "规章 000行政规范性文件", "规章000行政规范性文件");
    let (report, e) = check(&variant);
    let regulations = &report.tables["disclosure"].rows["regulations"];
    let values: Vec<String> = regulations.cells.values().map(|c| c.value.to_string()).collect();
    assert_eq!(values, ["0", "0", "0"]);
    assert!(
        !rules_of(&e).contains(&"structure.row-present"),
        "{:?}",
        rules_of(&e)
    );
    assert_eq!(at(&e, Severity::Error), []);
}

#[test]
fn digits_that_cannot_be_split_are_not_read_and_their_rules_not_checked() {
    // pingtan's 行政规范性文件 row printed "693665": ten splits, no total.
    let (report, e) = check(&fixture("pingtan-2021-flattened.txt"));
    assert!(report.tables["disclosure"].rows["normative_docs"]
        .cells
        .is_empty());
    assert_eq!(at(&e, Severity::Error), []);
    assert_eq!(e.reading.status, ReadingStatus::Partial);
    let limits: Vec<&str> = e.reading.limits.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(limits, ["extract.ambiguous-split"]);
    for u in &e.reading.unchecked {
        assert_eq!(u.unread, ["disclosure.normative_docs"], "{u:?}");
    }
    let unchecked: Vec<&str> = e.reading.unchecked.iter().map(|u| u.rule.as_str()).collect();
    assert!(unchecked.contains(&"values.filled"), "{unchecked:?}");
}

#[test]
fn a_row_really_deleted_is_still_a_finding_about_the_report() {
    let text = fixture("hongze-2023-pypdf.txt");
    let variant = replace_once(&text, "3.危及“三安全一稳定” 0 0 0 0 0 0 0\n", "");
    let (_, e) = check(&variant);
    let missing = e
        .findings
        .iter()
        .find(|f| f.rule == "structure.row-present")
        .expect("the deleted row is missing");
    assert_eq!(missing.severity, Severity::Error);
    assert!(missing.message.contains("危及"), "{}", missing.message);
}

#[test]
fn partial_reading_is_shown_and_can_fail_ci() {
    let pingtan = fixtures_dir().join("pingtan-2021-flattened.txt");
    let jiaxing = fixtures_dir().join("jiaxing-jingxin-2022.txt");
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut v: Vec<String> = ["check", "--isolated"].iter().map(|s| s.to_string()).collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v.push(jiaxing.display().to_string());
        v.push(pingtan.display().to_string());
        v
    };
    let run = |extra: &[&'static str]| {
        let a = args(extra);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        nianbao(&refs, None)
    };
    let o = run(&[]);
    assert_eq!(code(&o), 0, "a reading limit is no finding: {}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.ends_with("共检查 2 个报告：未发现问题；其中 1 个未能完整读取\n"),
        "{out}"
    );
    assert!(out.contains("【未能读取，不是报告的问题】"), "{out}");
    assert!(out.contains("--show-unchecked"), "{out}");
    let o = run(&["--show-unchecked"]);
    assert!(
        stdout(&o).contains("values.filled ×3：未能读取 disclosure.normative_docs"),
        "{}",
        stdout(&o)
    );
    let o = run(&["--require-complete"]);
    assert_eq!(code(&o), 2, "partial reading fails under --require-complete");
    let o = run(&["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(doc["summary"]["partly_read"], 1);
    assert_eq!(doc["summary"]["reading_limits"], 1);
    assert_eq!(doc["summary"]["error"], 0);
    assert_eq!(doc["reports"][0]["reading"]["status"], "complete");
    assert_eq!(doc["reports"][1]["reading"]["status"], "partial");
    let o = run(&["--statistics"]);
    assert!(
        stdout(&o).contains("extract.ambiguous-split  not-read"),
        "{}",
        stdout(&o)
    );
}

/// A label an export wrapped and cut — its end on the next line, or a
/// vertical group label's character between its pieces, or its start only —
/// is read as the row it is, and nothing is said of its wording: the report
/// is not misspelt, its export is. A label the report misspells stays a
/// finding (the fixture's own "2.其他法律行政止公开").
#[test]
fn labels_cut_or_interleaved_by_an_export_are_not_misspellings() {
    let text = fixture("hongze-2023-pypdf.txt");
    let (original, before) = check(&text);
    let row_label_rules = |e: &Evaluation| -> Vec<String> {
        rules_of(e)
            .into_iter()
            .filter(|r| r.starts_with("structure.row-label"))
            .map(str::to_string)
            .collect()
    };
    let before_rules = row_label_rules(&before);
    assert_eq!(
        before_rules,
        ["structure.row-label-approximate"],
        "the fixture's own typo"
    );
    for (what, from, to, row) in [
        (
            "a vertical label's character between the pieces",
            "3.危及“三安全一稳定” 0 0 0 0 0 0 0",
            "3.危及“三安全一稳\n果\n定” 0 0 0 0 0 0 0",
            "denied.three_safeties",
        ),
        (
            "its start only, the rest lost",
            "4.保护第三方合法权益 0 0 0 0 0 0 0",
            "4.保护第三方合法权 0 0 0 0 0 0 0",
            "denied.third_party",
        ),
        (
            "its middle in another cell, grid rules between the pieces",
            "3.危及“三安全一稳定” 0 0 0 0 0 0 0",
            "3.危及“三安全 | --- |\n一稳定” 0 0 0 0 0 0 0",
            "denied.three_safeties",
        ),
    ] {
        let variant = replace_once(&text, from, to);
        let (report, e) = check(&variant);
        assert_eq!(cells(&report), cells(&original), "{what}: every cell read");
        assert_eq!(
            row_label_rules(&e),
            before_rules,
            "{what}: no new wording finding"
        );
        let label = report.tables["requests"].rows[row]
            .label
            .clone()
            .expect("a label");
        assert_eq!(label.matched, LabelMatch::Fragment, "{what}: {}", label.text);
    }
}
