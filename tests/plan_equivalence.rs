//! The plans (rules lowered per format, crates/engine/src/eval/plan.rs) only
//! decide which rule instances fail; the interpreter writes the findings. A
//! plan that decided differently from the interpreter would drop or invent
//! findings silently, so here both run on every fixture and on many
//! mutations of each — every cell changed in one of several ways, rows,
//! labels, headers, sections and metadata removed or altered, the other
//! template format, last year's report — and must give identical findings.

mod check_support;

use check_support::*;
use nianbao_engine::eval::{evaluate_interpreted, CompiledRules};
use nianbao_model::{CellValue, Decimal, Format, LabelMatch, Report, Span, Spanned};

/// The built-in rules alone: `content.repeated-text` compares narratives
/// in Rust (crates/engine/src/repetition.rs), not in the rule language, so
/// it is left out of a comparison of the language's two evaluations.
fn builtin_rules() -> CompiledRules {
    CompiledRules::new(
        nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("the built-in rules compile"),
    )
    .with_repeated_text_threshold(None)
}

/// Every mutation of `report` this test tries, named.
fn mutations(report: &Report) -> Vec<(String, Report)> {
    let mut out = vec![("as read".to_string(), report.clone())];
    let mut k = 0usize;
    for (tid, t) in &report.tables {
        for (rid, r) in &t.rows {
            for cid in r.cells.keys() {
                k += 1;
                let mut m = report.clone();
                let Some(cell) = m
                    .tables
                    .get_mut(tid)
                    .and_then(|t| t.rows.get_mut(rid))
                    .and_then(|r| r.cells.get_mut(cid))
                else {
                    continue;
                };
                // Each cell gets one kind of change, in turn.
                let what = match k % 6 {
                    0 => {
                        cell.value = match &cell.value {
                            CellValue::Integer(i) => CellValue::Integer(i + 1),
                            CellValue::Decimal(d) => CellValue::Decimal(*d + Decimal::ONE),
                            _ => CellValue::Integer(1),
                        };
                        "+1"
                    }
                    1 => {
                        cell.value = CellValue::Blank;
                        "blank"
                    }
                    2 => {
                        cell.value = CellValue::Text("十二".into());
                        "text"
                    }
                    3 => {
                        cell.value = CellValue::Decimal(Decimal::new(15, 1));
                        "1.5"
                    }
                    4 => {
                        cell.value = CellValue::Integer(-1);
                        "-1"
                    }
                    _ => {
                        if let Some(row) = m.tables.get_mut(tid).and_then(|t| t.rows.get_mut(rid)) {
                            row.cells.shift_remove(cid);
                        }
                        "removed"
                    }
                };
                out.push((format!("{tid}[{rid}, {cid}] {what}"), m));
            }
            let mut m = report.clone();
            if let Some(t) = m.tables.get_mut(tid) {
                t.rows.shift_remove(rid);
            }
            out.push((format!("{tid}[{rid}] removed"), m));
            if r.label.is_some() {
                for (name, matched) in [
                    (
                        "variant",
                        LabelMatch::Variant {
                            variant: "变体".into(),
                        },
                    ),
                    ("approximate", LabelMatch::Approximate { distance: 1 }),
                    ("different", LabelMatch::Different { other: None }),
                ] {
                    let mut m = report.clone();
                    if let Some(l) = m
                        .tables
                        .get_mut(tid)
                        .and_then(|t| t.rows.get_mut(rid))
                        .and_then(|r| r.label.as_mut())
                    {
                        l.matched = matched;
                    }
                    out.push((format!("{tid}[{rid}] label {name}"), m));
                }
                let mut m = report.clone();
                if let Some(r) = m.tables.get_mut(tid).and_then(|t| t.rows.get_mut(rid)) {
                    r.label = None;
                }
                out.push((format!("{tid}[{rid}] no label"), m));
            }
        }
        for (i, h) in t.headers.iter().enumerate() {
            let mut m = report.clone();
            if let Some(t) = m.tables.get_mut(tid) {
                t.headers.remove(i);
            }
            out.push((format!("{tid} header {} removed", h.target), m));
            // Each header gets one kind of wording in turn (the rules on
            // column headers are skipped by a scan of label classes).
            let (name, matched) = match i % 3 {
                0 => (
                    "variant",
                    LabelMatch::Variant {
                        variant: "变体".into(),
                    },
                ),
                1 => ("approximate", LabelMatch::Approximate { distance: 1 }),
                _ => ("different", LabelMatch::Different { other: None }),
            };
            let mut m = report.clone();
            if let Some(h) = m.tables.get_mut(tid).and_then(|t| t.headers.get_mut(i)) {
                h.matched = matched;
            }
            out.push((format!("{tid} header {} {name}", h.target), m));
        }
        let mut m = report.clone();
        m.tables.shift_remove(tid);
        out.push((format!("{tid} removed"), m));
    }
    for sid in report.sections.keys() {
        let mut m = report.clone();
        m.sections.shift_remove(sid);
        out.push((format!("section {sid} removed"), m));
        let mut m = report.clone();
        if let Some(h) = m.sections.get_mut(sid).and_then(|s| s.heading.as_mut()) {
            h.matched = LabelMatch::Different { other: None };
        }
        out.push((format!("section {sid} heading different"), m));
        let mut m = report.clone();
        if let Some(h) = m.sections.get_mut(sid).and_then(|s| s.heading.as_mut()) {
            h.matched = LabelMatch::Variant {
                variant: "变体".into(),
            };
        }
        out.push((format!("section {sid} heading variant"), m));
        let mut m = report.clone();
        if let Some(s) = m.sections.get_mut(sid) {
            s.heading = None;
        }
        out.push((format!("section {sid} without heading"), m));
    }
    // Two sections printed in the wrong order.
    let mut m = report.clone();
    if m.sections.len() >= 2 {
        m.sections.swap_indices(0, 1);
        let (a, b) = (m.sections[0].span, m.sections[1].span);
        m.sections[0].span = b;
        m.sections[1].span = a;
        out.push(("sections 0 and 1 swapped".into(), m));
    }
    let mut m = report.clone();
    m.metadata = Default::default();
    out.push(("no metadata".into(), m));
    let mut m = report.clone();
    if let Some(y) = m.metadata.year.as_mut() {
        y.value += 1;
    }
    out.push(("year + 1".into(), m));
    // Other publishing bodies (rules guarded on the body: a township issues
    // no regulations), as printed and with every count one more.
    for body in ["测试县沿海镇人民政府", "测试市人民政府", "测试局"] {
        let mut m = report.clone();
        let span = m.metadata.body.as_ref().map_or(Span::new(0, 0), |b| b.span);
        m.metadata.body = Some(Spanned::new(body.to_string(), span));
        out.push((format!("body {body}"), m.clone()));
        for cell in m
            .tables
            .values_mut()
            .flat_map(|t| t.rows.values_mut())
            .flat_map(|r| r.cells.values_mut())
        {
            if let CellValue::Integer(i) = &mut cell.value {
                *i += 1;
            }
        }
        out.push((format!("body {body}, every count + 1"), m));
    }
    let mut m = report.clone();
    m.format = match m.format {
        Format::V2021 => Format::V2019,
        Format::V2019 => Format::V2021,
    };
    out.push(("other format".into(), m));
    out
}

fn rule_ids(findings: &[nianbao_engine::Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn plans_decide_as_the_interpreter_on_every_fixture_and_mutation() {
    let rules = builtin_rules();
    let mut compared = 0;
    let mut differences = Vec::new();
    for path in report_fixtures() {
        let name = stem(&path);
        let text = std::fs::read_to_string(&path).expect("fixture");
        let report = nianbao_reader::read_text(&name, &text);
        for (what, m) in mutations(&report) {
            compared += 1;
            let planned = rules.evaluate(&m, None);
            let interpreted = evaluate_interpreted(rules.rules(), &m, None);
            if planned != interpreted {
                differences.push(format!(
                    "{name}: {what}: plan {:?} vs interpreter {:?}",
                    rule_ids(&planned.findings),
                    rule_ids(&interpreted.findings)
                ));
            }
        }
    }
    assert!(compared > 2000, "only {compared} reports compared");
    assert!(
        differences.is_empty(),
        "{} of {compared} differ:\n{}",
        differences.len(),
        differences
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn plans_decide_as_the_interpreter_with_last_years_report() {
    let rules = builtin_rules();
    let fixtures = report_fixtures();
    let read = |p: &std::path::PathBuf| {
        nianbao_reader::read_text(&stem(p), &std::fs::read_to_string(p).expect("fixture"))
    };
    // Every fixture as last year's report of every other: the cross-year
    // rules run, mostly failing.
    let reports: Vec<Report> = fixtures.iter().map(read).collect();
    let mut compared = 0;
    for this in &reports {
        for last in &reports {
            compared += 1;
            let planned = rules.evaluate(this, Some(last));
            let interpreted = evaluate_interpreted(rules.rules(), this, Some(last));
            assert!(
                planned == interpreted,
                "{} with {} as last year's report: plan {:?} vs interpreter {:?}",
                this.source.name,
                last.source.name,
                rule_ids(&planned.findings),
                rule_ids(&interpreted.findings)
            );
        }
    }
    assert!(compared >= 64);
}
