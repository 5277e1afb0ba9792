//! The corpus generator's guarantees: determinism, numbers that satisfy every
//! consistency rule, every value printed once at its recorded span in every
//! layout, and defects recorded where they are.

use nianbao_corpus::check::violations;
use nianbao_corpus::defect::{DefectKind, DEFECT_KINDS};
use nianbao_corpus::manifest::Record;
use nianbao_corpus::model::CellId;
use nianbao_corpus::render::{Layout, LAYOUTS};
use nianbao_corpus::verify::{verify, CheckFinding, CheckLabel, CheckOutput, CheckedReport};
use nianbao_corpus::{generate, generate_one, GeneratedReport, Options};
use nianbao_model::{Decimal, Format};
use std::collections::{HashMap, HashSet};

fn options(defect_rate: f64) -> Options {
    Options {
        defect_rate,
        ..Options::default()
    }
}

fn only(layout: Layout, defect_rate: f64) -> Options {
    Options {
        layouts: vec![layout],
        ..options(defect_rate)
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let opts = options(0.2);
    let a: Vec<GeneratedReport> = generate(42, 40, &opts).collect();
    let b: Vec<GeneratedReport> = generate(42, 40, &opts).collect();
    let c: Vec<GeneratedReport> = generate(43, 40, &opts).collect();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.text(), y.text(), "{}", x.name);
        assert_eq!(Record::of(x), Record::of(y), "{}", x.name);
    }
    let differing = a.iter().zip(&c).filter(|(x, y)| x.text() != y.text()).count();
    assert_eq!(differing, 40, "another seed gives other reports");
    // A report does not depend on the ones generated before it.
    let alone = generate_one(42, 17, &opts);
    assert_eq!(alone.text(), a[17].text());
}

#[test]
fn clean_reports_satisfy_every_consistency_rule() {
    for share_2019 in [0.0, 1.0] {
        let opts = Options {
            share_2019,
            ..options(0.0)
        };
        let mut nonzero_requests = 0;
        for report in generate(7, 1500, &opts) {
            assert!(report.defect.is_none());
            let v = violations(&report.model);
            assert!(v.is_empty(), "{}: {v:?}", report.name);
            let expected = if share_2019 == 1.0 {
                Format::V2019
            } else {
                Format::V2021
            };
            assert_eq!(report.model.format, expected);
            if report
                .model
                .requests
                .get("new", "total")
                .is_some_and(|v| !v.is_zero())
            {
                nonzero_requests += 1;
            }
        }
        // Realistic: most bodies receive some requests, some none.
        assert!((600..1400).contains(&nonzero_requests), "{nonzero_requests}");
    }
}

#[test]
fn the_oracle_sees_a_broken_sum() {
    let mut report = generate_one(3, 0, &options(0.0));
    let cell = report
        .model
        .requests
        .get_mut("granted", "natural_person")
        .expect("granted row");
    *cell = cell.shifted(2);
    let rules: Vec<u8> = violations(&report.model).iter().map(|v| v.rule).collect();
    assert_eq!(
        rules,
        vec![2, 3],
        "row sum and column sum of 予以公开/自然人 break"
    );
}

/// Every printed value has exactly one placement, whose bytes are the value.
fn assert_placements(report: &GeneratedReport) {
    let text = report.text();
    let printed: Vec<(CellId, String)> = report
        .model
        .printed_cells()
        .map(|(c, v)| (c, v.to_string()))
        .collect();
    let placed: Vec<CellId> = report.rendered.cells.iter().map(|p| p.cell).collect();
    let unique: HashSet<CellId> = placed.iter().copied().collect();
    assert_eq!(unique.len(), placed.len(), "{}: a cell placed twice", report.name);
    assert_eq!(
        placed.len(),
        printed.len(),
        "{}: {:?}",
        report.name,
        report.layout
    );
    let mut end = 0;
    for p in &report.rendered.cells {
        let expected = printed
            .iter()
            .find(|(c, _)| *c == p.cell)
            .map(|(_, v)| v.as_str());
        assert_eq!(
            p.span.slice(text),
            expected,
            "{} {:?}: {}",
            report.name,
            report.layout,
            p.cell
        );
        assert!(
            p.span.offset >= end,
            "{}: spans out of order at {}",
            report.name,
            p.cell
        );
        // A value stands alone: no digit or '.' glued to either side.
        let before = text[..p.span.offset].chars().next_back();
        let after = text[p.span.end()..].chars().next();
        for c in [before, after].into_iter().flatten() {
            assert!(
                !c.is_ascii_digit() && c != '.',
                "{} {:?}: {} runs into {c:?}",
                report.name,
                report.layout,
                p.cell
            );
        }
        end = p.span.end();
    }
    match report.rendered.received {
        Some(span) => assert_eq!(
            span.slice(text),
            Some(report.model.narrative_received.to_string().as_str())
        ),
        None => {
            assert_eq!(report.model.narrative_received, 0, "{}", report.name);
            assert!(report.model.narrative_says_none, "{}", report.name);
            assert!(text.contains("未收到政府信息公开申请"), "{}", report.name);
        }
    }
}

#[test]
fn every_layout_prints_every_value_once_at_its_span() {
    for layout in LAYOUTS {
        for share_2019 in [0.0, 1.0] {
            let opts = Options {
                share_2019,
                ..only(layout, 0.0)
            };
            for report in generate(11, 25, &opts) {
                assert_eq!(report.layout, layout);
                assert_placements(&report);
                for section in ["总体情况", "主动公开政府信息情况", "其他需要报告的事项"]
                {
                    assert!(report.text().contains(section), "{}: {section}", report.name);
                }
            }
        }
    }
}

#[test]
fn layouts_look_like_their_fixtures() {
    let sample = |layout| generate_one(5, 0, &only(layout, 0.0));
    let tabs = sample(Layout::Tabs);
    assert!(tabs.text().contains("规章\t"), "tab-separated rows");
    let pipes = sample(Layout::Pipes);
    assert!(pipes.text().contains("信息内容 | "), "pipe rows");
    let pdf = sample(Layout::PdfText);
    assert!(
        pdf.text().contains("\n三\n、\n本\n年\n度\n办\n理\n结\n果\n"),
        "vertical label"
    );
    assert!(pdf.text().contains("- 1 -\n"), "page numbers");
    let plumber = sample(Layout::PdfPipes);
    assert!(plumber.text().contains("| 信息内容 | "));
    let blank = sample(Layout::LinesBlank);
    assert!(
        blank.text().contains("\n\n0\n\n"),
        "one cell per line with blank lines"
    );
    let indented = sample(Layout::LinesIndented);
    assert!(
        indented.text().contains("\t商业\n\n企业\n"),
        "wrapped header label"
    );
}

#[test]
fn the_defect_rate_is_exact_and_spread() {
    let reports: Vec<GeneratedReport> = generate(9, 1000, &options(0.1)).collect();
    let defective: Vec<u64> = reports
        .iter()
        .filter(|r| r.defect.is_some())
        .map(|r| r.index)
        .collect();
    assert_eq!(defective.len(), 100);
    assert!(defective.windows(2).all(|w| w[1] - w[0] == 10), "evenly spread");
    let layouts: HashSet<Layout> = reports
        .iter()
        .filter(|r| r.defect.is_some())
        .map(|r| r.layout)
        .collect();
    assert_eq!(layouts.len(), LAYOUTS.len(), "defects land in every layout");
}

#[test]
fn injected_defects_are_recorded_where_they_are() {
    let mut kinds = HashMap::new();
    for report in generate(13, 400, &options(1.0)) {
        let record = Record::of(&report).expect("every report is defective at rate 1");
        let text = report.text();
        *kinds.entry(record.kind.clone()).or_insert(0) += 1;
        assert!(
            !record.rules.is_empty(),
            "{}: a defect breaks a rule",
            record.file
        );
        let slice = text.get(record.offset..record.offset + record.length);
        match record.place.as_str() {
            "cell" | "narrative" => {
                assert_eq!(slice, Some(record.injected.as_str()), "{record:?}");
                assert_ne!(record.original, record.injected);
            }
            "row" => {
                assert_eq!(record.length, 0);
                let table = record.table_offset..record.table_offset + record.table_length;
                assert!(table.contains(&record.offset), "{record:?}");
                let label = nianbao_model::template(report.model.format)
                    .table("requests")
                    .and_then(|t| t.row(&record.row))
                    .map(|r| r.label)
                    .expect("row id from the template");
                // (其他 is also a column header.)
                if label != "其他" {
                    assert!(
                        !text.contains(label),
                        "{}: deleted row {label} still printed",
                        record.file
                    );
                }
                assert!(report.rendered.cells.iter().all(|p| p.cell.row != record.row));
            }
            other => panic!("unknown place {other}"),
        }
        let expected: &[u8] = match record.kind.as_str() {
            "review_total" | "review_part" => &[5],
            "narrative_count" => &[8],
            "deleted_row" => &[7],
            "requests_group" => &[2, 4],
            "requests_new" | "requests_carried_forward" => &[1, 2],
            _ => &[2, 3],
        };
        for rule in expected {
            assert!(record.rules.contains(rule), "{record:?} should break rule {rule}");
        }
        // Nothing but the defect's own rules (4 joins 2 and 3 when a sub-row's group is printed).
        assert!(
            record.rules.iter().all(|r| expected.contains(r) || *r == 4),
            "{record:?}"
        );
        // The values still render at their spans.
        assert_placements(&report);
    }
    for kind in DEFECT_KINDS {
        assert!(
            kinds.contains_key(kind.id()),
            "{kind:?} never injected: {kinds:?}"
        );
    }
}

#[test]
fn defect_kinds_can_be_chosen() {
    let opts = Options {
        defect_kinds: vec![DefectKind::NarrativeCount],
        ..options(1.0)
    };
    let mut down_to_zero = 0;
    for report in generate(1, 300, &opts) {
        let record = Record::of(&report).expect("defective");
        assert_eq!(record.kind, "narrative_count");
        assert_eq!(record.rules, vec![8]);
        // The wrong count is printed, even a 0 that could have been said as 未收到.
        let printed = report.text().get(record.offset..record.offset + record.length);
        assert_eq!(printed, Some(record.injected.as_str()), "{record:?}");
        down_to_zero += usize::from(record.injected == "0");
    }
    assert!(
        down_to_zero > 0,
        "the case of a count off by one down to 0 occurs"
    );
}

fn check_output(reports: &[GeneratedReport], found: impl Fn(&Record) -> bool) -> CheckOutput {
    CheckOutput {
        reports: reports
            .iter()
            .map(|r| CheckedReport {
                path: format!("corpus/{}", r.name),
                error: None,
                reading: None,
                findings: Record::of(r)
                    .filter(|rec| found(rec))
                    .map(|rec| CheckFinding {
                        rule: "requests-row-sum".into(),
                        severity: "error".into(),
                        message: "total ≠ sum".into(),
                        labels: vec![
                            CheckLabel {
                                offset: rec.table_offset,
                                length: 0,
                            },
                            CheckLabel {
                                offset: rec.offset,
                                length: rec.length,
                            },
                        ],
                    })
                    .into_iter()
                    .collect(),
            })
            .collect(),
    }
}

#[test]
fn verify_counts_recall_and_false_positives() {
    let reports: Vec<GeneratedReport> = generate(21, 60, &options(0.25)).collect();
    let manifest: HashMap<String, Record> = reports
        .iter()
        .filter_map(Record::of)
        .map(|r| (r.file.clone(), r))
        .collect();
    assert_eq!(manifest.len(), 15);

    let perfect = verify(&check_output(&reports, |_| true), &manifest);
    assert!(perfect.perfect(), "{}", perfect.summary(5));
    assert_eq!(
        (perfect.found, perfect.defects, perfect.clean_reports),
        (15, 15, 45)
    );

    let mut partial = check_output(&reports, |rec| rec.kind != "review_total" && rec.place != "row");
    let missed = manifest
        .values()
        .filter(|r| r.kind == "review_total" || r.place == "row")
        .count();
    // A finding on a clean report, pointing somewhere.
    if let Some(clean) = partial.reports.iter_mut().find(|r| r.findings.is_empty()) {
        clean.findings.push(CheckFinding {
            rule: "narrative-requests".into(),
            severity: "error".into(),
            message: "mismatch".into(),
            labels: vec![CheckLabel {
                offset: 10,
                length: 2,
            }],
        });
    }
    let result = verify(&partial, &manifest);
    assert_eq!(result.found, 15 - missed);
    assert_eq!(result.misses.len(), missed);
    assert_eq!(result.false_positives.len(), 1);
    assert_eq!(result.false_positives_by_rule.get("narrative-requests"), Some(&1));
    assert!(!result.perfect());
}

#[test]
fn the_binary_writes_reports_and_manifest() {
    let dir = std::env::temp_dir().join(format!("nianbao-corpus-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao-corpus"))
        .args(["--seed", "4", "--count", "30", "--defect-rate", "0.2", "--out"])
        .arg(&dir)
        .status()
        .expect("run nianbao-corpus");
    assert!(status.success());
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).expect("manifest");
    let records: Vec<Record> = manifest
        .lines()
        .map(|l| serde_json::from_str(l).expect("a manifest line is a Record"))
        .collect();
    assert_eq!(records.len(), 6);
    let opts = options(0.2);
    for index in 0..30 {
        let expected = generate_one(4, index, &opts);
        let written = std::fs::read_to_string(dir.join(&expected.name)).expect("report file");
        assert_eq!(written, expected.text());
        assert_eq!(
            records.iter().find(|r| r.file == expected.name),
            Record::of(&expected).as_ref()
        );
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao-corpus"))
        .args(["--seed", "4", "--count", "3", "--defect-rate", "1.5", "--out"])
        .arg(&dir)
        .output()
        .expect("run nianbao-corpus");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not between 0 and 1"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The number a cell holds, in the reader's terms.
fn decimal(cents: i64) -> Decimal {
    Decimal::new(cents, 2).normalize()
}

#[test]
fn the_reader_reads_every_generated_value_at_its_span() {
    let mut failures = Vec::new();
    for layout in LAYOUTS {
        for report in generate(17, 20, &only(layout, 0.0)) {
            let read = nianbao_reader::read_text(&report.name, report.text());
            if read.format != report.model.format {
                failures.push(format!("{} {:?}: format {:?}", report.name, layout, read.format));
                continue;
            }
            for p in &report.rendered.cells {
                let expected = report.model.value(p.cell).map(|v| decimal(v.cents()));
                let got = read.cell(p.cell.table, p.cell.row, p.cell.column);
                let value = got.and_then(|c| c.value.number()).map(|d| d.normalize());
                if value != expected || got.map(|c| c.span) != Some(p.span) {
                    failures.push(format!(
                        "{} {:?} {}: expected {:?} at {}+{}, read {:?} at {:?}",
                        report.name,
                        layout,
                        p.cell,
                        expected,
                        p.span.offset,
                        p.span.len,
                        got.map(|c| &c.value),
                        got.map(|c| c.span)
                    ));
                }
            }
        }
    }
    let shown: Vec<&String> = failures.iter().take(20).collect();
    assert!(
        failures.is_empty(),
        "{} cells misread, e.g.:\n{shown:#?}",
        failures.len()
    );
}
