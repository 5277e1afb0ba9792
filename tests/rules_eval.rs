//! Evaluation of the built-in rules on real reports: a consistent report
//! gives no error; a changed cell gives the expected finding, with the
//! primary label on the cell most likely wrong and secondary labels on the
//! operands.

use nianbao_engine::eval::cases::SyntheticReport;
use nianbao_engine::eval::evaluate;
use nianbao_engine::{Finding, Severity};
use nianbao_model::{CellValue, Decimal, Format, Report, Span};
use nianbao_rules::{builtin_sources, compile, RuleSet};

const JIAXING: &str = include_str!("fixtures/jiaxing-jingxin-2022.txt");

fn rules() -> RuleSet {
    compile(&builtin_sources()).unwrap_or_else(|e| panic!("{:?}", miette::Report::new(e)))
}

fn read(text: &str) -> Report {
    nianbao_reader::read_bytes("jiaxing-jingxin-2022.txt", text.as_bytes()).expect("UTF-8 text")
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} {}: {}", f.severity, f.rule, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The byte offset of `needle` after the first occurrence of `anchor`.
fn offset_after(text: &str, anchor: &str, needle: &str) -> usize {
    let a = text.find(anchor).expect("anchor in fixture") + anchor.len();
    a + text[a..].find(needle).expect("needle after anchor")
}

#[test]
fn jiaxing_is_consistent_under_the_template_rules() {
    let report = read(JIAXING);
    assert_eq!(
        report
            .cell("requests", "total", "total")
            .and_then(|c| c.value.number()),
        Some(Decimal::from(8))
    );
    let findings = evaluate(&rules(), &report, None).findings;
    let errors: Vec<Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .cloned()
        .collect();
    assert!(errors.is_empty(), "{}", show(&errors));
}

#[test]
fn a_changed_total_is_the_primary_label_with_operands_secondary() {
    // (七)总计, 自然人: 8 → 9.
    let at = offset_after(JIAXING, "(七)总计", "8");
    let mut text = JIAXING.to_string();
    text.replace_range(at..at + 1, "9");
    let report = read(&text);
    let findings = evaluate(&rules(), &report, None).findings;
    let balance: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "requests.column-balance")
        .collect();
    assert_eq!(balance.len(), 1, "{}", show(&findings));
    let f = balance[0];
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.message,
        "自然人 列：新收 8 + 上年结转 0 = 8，但办理结果总计 9 + 结转下年度 0 = 9，相差 1"
    );
    let primary: Vec<Span> = f.labels.iter().filter(|l| l.primary).map(|l| l.span).collect();
    assert_eq!(primary, vec![Span::new(at, 1)]);
    // Secondary labels on the other three operands, each over one printed digit.
    let secondary: Vec<&str> = f
        .labels
        .iter()
        .filter(|l| !l.primary)
        .map(|l| &text[l.span.offset..l.span.end()])
        .collect();
    assert_eq!(secondary, vec!["8", "0", "0"], "{:?}", f.labels);
    assert!(
        f.labels
            .iter()
            .any(|l| l.text.starts_with("一、本年新收") && l.text.ends_with("自然人 8")),
        "{:?}",
        f.labels
    );

    // The same cell breaks the results total and the row total.
    let results = findings
        .iter()
        .find(|f| f.rule == "requests.results-total")
        .expect("results-total finding");
    assert!(
        results
            .message
            .starts_with("自然人 列：办理结果总计 9，但予以公开 3"),
        "{}",
        results.message
    );
    assert_eq!(
        results
            .labels
            .iter()
            .filter(|l| l.primary)
            .map(|l| l.span)
            .collect::<Vec<_>>(),
        vec![Span::new(at, 1)]
    );
    let row = findings
        .iter()
        .find(|f| f.rule == "requests.row-total")
        .expect("row-total finding");
    assert!(
        row.message.contains("“总计”行：总计 8，但自然人 9"),
        "{}",
        row.message
    );
    // Findings come in the order of the text.
    let offsets: Vec<usize> = findings
        .iter()
        .filter_map(|f| f.labels.iter().find(|l| l.primary).map(|l| l.span.offset))
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] <= w[1]), "{offsets:?}");
}

#[test]
fn the_narrative_count_is_compared_with_the_table() {
    // 共收到依申请公开事项8件 → 9件: the narrative fact disagrees with requests.new.total.
    let at = offset_after(JIAXING, "共收到依申请公开事项", "8");
    let mut text = JIAXING.to_string();
    text.replace_range(at..at + 1, "9");
    let findings = evaluate(&rules(), &read(&text), None).findings;
    let f = findings
        .iter()
        .find(|f| f.rule == "narrative.requests-received")
        .unwrap_or_else(|| panic!("{}", show(&findings)));
    assert_eq!(
        f.message,
        "总体情况写收到申请 9 件，但表三本年新收申请总计为 8 件"
    );
    let primary = f.labels.iter().find(|l| l.primary).expect("primary label");
    assert_eq!(primary.span, Span::new(at, 1));
}

/// The results as reports write them in the narrative: 予以公开及部分公开 as
/// one count (never read as 部分公开), 无法提供 and 不予处理 against the
/// sums of their groups' rows — on the real report's table (granted 3,
/// partial 0, unable 2 + 1 + 0, not processed 1 + 0 + 0 + 1 + 0).
#[test]
fn narrative_results_are_compared_with_their_rows() {
    let narrative = |sentence: &str| {
        let text = JIAXING.replacen("其中3件予以公开。", sentence, 1);
        assert_ne!(text, JIAXING, "the sentence is in the fixture");
        let findings = evaluate(&rules(), &read(&text), None).findings;
        let mut fired: Vec<String> = findings
            .iter()
            .filter(|f| f.rule.starts_with("narrative."))
            .map(|f| format!("{}: {}", f.rule, f.message))
            .collect();
        fired.sort();
        fired
    };
    assert_eq!(
        narrative("其中予以公开及部分公开3件，无法提供3件，2件不予处理。"),
        Vec::<String>::new()
    );
    assert_eq!(
        narrative("其中予以公开和部分公开4件，无法提供2件，不予处理两件。"),
        [
            "narrative.results-granted-and-partial: 总体情况写予以公开及部分公开 4 件，但表三“（一）予以公开”3 件 + “（二）部分公开”0 件 = 3 件",
            "narrative.results-unable: 总体情况写无法提供 2 件，但表三“（四）无法提供”各项总计为 3 件",
        ]
    );
}

/// No publication date found: the deadline is not checked (said so in the
/// reading), never reported late; a date found and late is a finding.
#[test]
fn a_missing_publication_date_is_not_checked_not_late() {
    let with_date = read(JIAXING);
    assert!(
        with_date.metadata.published.is_some(),
        "the fixture prints its date"
    );
    let e = evaluate(&rules(), &with_date, None);
    assert!(e.reading.unchecked.is_empty(), "{:?}", e.reading.unchecked);

    let date = with_date.metadata.published.as_ref().expect("date").span;
    let mut text = JIAXING.to_string();
    text.replace_range(date.offset..date.offset + date.len, "");
    let without = read(&text);
    assert!(
        without.metadata.published.is_none(),
        "{:?}",
        without.metadata.published
    );
    let e = evaluate(&rules(), &without, None);
    assert!(
        !e.findings.iter().any(|f| f.rule == "metadata.published-deadline"),
        "{}",
        show(&e.findings)
    );
    let unchecked: Vec<(&str, &[String])> = e
        .reading
        .unchecked
        .iter()
        .map(|u| (u.rule.as_str(), u.unread.as_slice()))
        .collect();
    assert_eq!(
        unchecked,
        [(
            "metadata.published-deadline",
            &["report.published".to_string()][..]
        )]
    );
    // Every other rule is decided as before.
    let messages = |e: &nianbao_engine::Evaluation| -> Vec<String> {
        e.findings
            .iter()
            .map(|f| format!("{}: {}", f.rule, f.message))
            .collect()
    };
    assert_eq!(messages(&e), messages(&evaluate(&rules(), &with_date, None)));

    let mut late = JIAXING.to_string();
    late.replace_range(date.offset..date.offset + date.len, "2023-03-17");
    let e = evaluate(&rules(), &read(&late), None);
    assert!(
        e.findings.iter().any(|f| f.rule == "metadata.published-deadline"),
        "{}",
        show(&e.findings)
    );
}

#[test]
fn amounts_are_compared_at_their_printed_precision() {
    let set = compile(&[nianbao_rules::RuleSource {
        name: "amount.rules".into(),
        text: "rule t.fee {\n  title \"收费金额\"\n  severity error\n  check disclosure[fees, amount] == 0.004 + 7730.28\n  message \"{left} ≠ {right}\"\n}\n"
            .into(),
    }])
    .unwrap_or_else(|e| panic!("{:?}", miette::Report::new(e)));
    let mut r = SyntheticReport::template(Format::V2021, 2023);
    let given = |r: &mut SyntheticReport, v: &str| {
        r.set_cell(
            "disclosure",
            "fees",
            "amount",
            CellValue::Decimal(v.parse().expect("decimal")),
        );
    };
    // 7730.28 printed with two decimals equals 7730.284 rounded to two.
    given(&mut r, "7730.28");
    assert!(evaluate(&set, &r.build(), None).findings.is_empty());
    given(&mut r, "7730.29");
    let f = evaluate(&set, &r.build(), None).findings;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].message, "7730.29 ≠ 7730.284");
    // One decimal printed: 7730.3 is 7730.284 at that precision.
    given(&mut r, "7730.3");
    assert!(evaluate(&set, &r.build(), None).findings.is_empty());
}

#[test]
fn a_group_printed_as_one_row_counts_with_its_own_value() {
    // A 2021 report printing （六）其他处理 as one row with 1 request.
    let mut r = SyntheticReport::template(Format::V2021, 2023);
    for sub in ["other.no_correction", "other.unpaid_fee", "other.other"] {
        r.remove_row("requests", sub);
    }
    for col in ["natural_person", "total"] {
        r.set_cell("requests", "other", col, CellValue::Integer(1));
        r.set_cell("requests", "new", col, CellValue::Integer(1));
        r.set_cell("requests", "total", col, CellValue::Integer(1));
    }
    for col in ["business", "research", "nonprofit", "legal_services", "other_org"] {
        r.set_cell("requests", "other", col, CellValue::Integer(0));
    }
    r.set_section("overview", "2023年，本机关共收到政府信息公开申请1件。");
    let findings = evaluate(&rules(), &r.build(), None).findings;
    let errors: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{}", show(&findings));
    // The drift itself is reported, once, as a warning.
    let drift: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "structure.group-as-one-row")
        .collect();
    assert_eq!(drift.len(), 1, "{}", show(&findings));
}

#[test]
fn cross_year_rules_run_only_with_last_years_report() {
    let set = rules();
    let mut this = SyntheticReport::template(Format::V2021, 2023);
    this.set_cell("requests", "carried_over", "total", CellValue::Integer(0));
    let mut last = SyntheticReport::template(Format::V2021, 2022);
    last.set_cell("requests", "carried_forward", "total", CellValue::Integer(2));
    last.set_cell(
        "requests",
        "carried_forward",
        "natural_person",
        CellValue::Integer(2),
    );
    let report = this.build();
    let without = evaluate(&set, &report, None).findings;
    assert!(
        !without.iter().any(|f| f.rule.starts_with("cross-year.")),
        "{}",
        show(&without)
    );
    let with = evaluate(&set, &report, Some(&last.build())).findings;
    let carried: Vec<&Finding> = with
        .iter()
        .filter(|f| f.rule == "cross-year.carried-over")
        .collect();
    assert_eq!(carried.len(), 2, "{}", show(&with));
    // Labels point into this year's text only.
    for f in carried {
        for l in &f.labels {
            assert!(l.span.slice(&report.source.text) == Some("0"), "{:?}", l);
        }
    }
}

#[test]
fn cells_not_read_are_reading_limits_and_their_rules_not_checked() {
    let mut report = SyntheticReport::template(Format::V2021, 2023).build();
    // The cell as a reader leaves it: its text, not a number.
    if let Some(cell) = report
        .tables
        .get_mut("requests")
        .and_then(|t| t.rows.get_mut("new"))
        .and_then(|r| r.cells.get_mut("total"))
    {
        cell.value = nianbao_model::CellValue::Text("八".into());
    }
    report.problems.push(nianbao_model::Problem {
        kind: nianbao_model::ProblemKind::UnreadableCell,
        message: "requests.new.total: \"八\" is not a number".into(),
        span: Some(Span::new(0, 3)),
        section: None,
        table: Some("requests".into()),
        row: Some("new".into()),
        column: Some("total".into()),
        candidates: vec![],
    });
    let nianbao_engine::Evaluation { findings, reading } = evaluate(&rules(), &report, None);
    assert!(
        !findings.iter().any(|f| f.rule.starts_with("extract.")),
        "{findings:#?}"
    );
    let f = reading
        .limits
        .iter()
        .find(|f| f.rule == "extract.unreadable-cell")
        .expect("a reading limit");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.labels.len(), 1);
    assert!(f.labels[0].primary);
    assert_eq!(reading.status, nianbao_engine::ReadingStatus::Partial);
    // The rules reading that cell: not checked, neither passed nor failed.
    let unchecked: Vec<&str> = reading.unchecked.iter().map(|u| u.rule.as_str()).collect();
    for rule in ["requests.row-total", "requests.column-balance"] {
        assert!(unchecked.contains(&rule), "{rule}: {unchecked:?}");
    }
    assert!(reading
        .unchecked
        .iter()
        .all(|u| u.unread == ["requests.new.total"]));
    // The same cell missing with nothing said about it (a cell the report
    // leaves out) is not "not checked": it is what the rules judge.
    let mut report = SyntheticReport::template(Format::V2021, 2023).build();
    if let Some(row) = report
        .tables
        .get_mut("requests")
        .and_then(|t| t.rows.get_mut("new"))
    {
        row.cells.shift_remove("total");
    }
    let e = evaluate(&rules(), &report, None);
    assert_eq!(e.reading.status, nianbao_engine::ReadingStatus::Complete);
    assert!(e.reading.unchecked.is_empty());
}
