//! Mutation tests (issue 4): on every fixture, every numeric cell of the
//! `requests` and `review` tables increased by one must give an error
//! finding with a label on exactly that cell's bytes (for a value split from
//! digits that ran together: a label covering them, or, for digits in
//! pieces, the row said not read); deleting a row of
//! `requests` or a whole section must give a new structural finding
//! (`structure.*` or `extract.*`, warning or error).
//!
//! Cells, rows and sections are located by the reader's own spans, so the
//! tests follow whatever layout a fixture has. Failures are collected and
//! listed together, so one run shows every cell the checks miss.

mod check_support;

use check_support::*;
use nianbao_engine::eval::evaluate;
use nianbao_engine::{Finding, Severity};
use nianbao_model::{CellValue, ProblemKind, Report, Span};
use nianbao_rules::RuleSet;
use std::collections::HashSet;

fn builtin_rules() -> RuleSet {
    nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("the built-in rules compile")
}

fn check(rules: &RuleSet, text: &str) -> (Report, Vec<Finding>) {
    let (report, findings, _) = check_reading(rules, text);
    (report, findings)
}

/// [`check`], with what could not be read.
fn check_reading(rules: &RuleSet, text: &str) -> (Report, Vec<Finding>, Vec<Finding>) {
    let report = nianbao_reader::read_text("mutant", text);
    let e = evaluate(rules, &report, None);
    (report, e.findings, e.reading.limits)
}

fn fixture_texts() -> Vec<(String, String)> {
    report_fixtures()
        .iter()
        .map(|p| (stem(p), std::fs::read_to_string(p).expect("fixture")))
        .collect()
}

/// Fail with every miss listed (the first 40), and how many checks ran.
fn assert_no_misses(what: &str, checked: usize, misses: &[String]) {
    assert!(
        misses.is_empty(),
        "{} of {checked} {what} missed:\n{}",
        misses.len(),
        misses.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// Mutate every numeric cell of `requests` and `review` in one fixture:
/// (cells checked, misses).
fn mutate_cells(rules: &RuleSet, name: &str, text: &str) -> (usize, Vec<String>) {
    let original = nianbao_reader::read_text(name, text);
    let mut misses = Vec::new();
    let mut checked = 0;
    for table in ["requests", "review"] {
        let Some(t) = original.tables.get(table) else {
            misses.push(format!("{name}: the reader found no `{table}` table"));
            continue;
        };
        for (row, r) in &t.rows {
            for (column, cell) in &r.cells {
                let CellValue::Integer(n) = cell.value else {
                    continue;
                };
                checked += 1;
                let at = format!("{name}: {table}.{row}.{column} = {n}");
                let Some((mutated, span)) = bump_cell_of(text, &original, table, row, column) else {
                    misses.push(format!("{at}: cannot mutate"));
                    continue;
                };
                let (report, findings, limits) = check_reading(rules, &mutated);
                let error_label = |fits: &dyn Fn(Span) -> bool| {
                    findings
                        .iter()
                        .any(|f| f.severity == Severity::Error && f.labels.iter().any(|l| fits(l.span)))
                };
                // A value split from digits that ran together has no bytes of
                // its own once changed: where one cell ends is then unknown,
                // and the finding can only cover the whole run of digits.
                // A run in pieces that no longer splits into a row that adds
                // up may be cells whose empty neighbours were lost: then the
                // row is said not read (never passed silently).
                if cell.inferred.is_some() {
                    let covers = |l: Span| l.offset <= span.offset && span.end() <= l.end();
                    let said_not_read = limits.iter().any(|f| {
                        f.rule == "extract.unsplittable-run" && f.labels.iter().any(|l| covers(l.span))
                    });
                    if !error_label(&|l| covers(l)) && !said_not_read {
                        let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
                        misses.push(format!("{at} (split from a run of digits): no error label covers {span:?} (findings: {rules:?})"));
                    }
                    continue;
                }
                match report.cell(table, row, column) {
                    Some(c) if c.value == CellValue::Integer(n + 1) && c.span == span => {}
                    other => {
                        misses.push(format!(
                            "{at}: after +1 the reader reads {:?} at {:?}, not {} at {span:?}",
                            other.map(|c| &c.value),
                            other.map(|c| c.span),
                            n + 1
                        ));
                        continue;
                    }
                }
                if !error_label(&|l| l == span) {
                    let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
                    misses.push(format!("{at}: no error labels {span:?} (findings: {rules:?})"));
                }
            }
        }
    }
    if checked == 0 {
        misses.push(format!("{name}: no numeric cell read in requests or review"));
    }
    (checked, misses)
}

/// Run `per_fixture` on every fixture, one thread each (over a thousand
/// read + evaluate rounds in all), and fail listing every miss.
fn on_every_fixture(what: &str, per_fixture: impl Fn(&RuleSet, &str, &str) -> (usize, Vec<String>) + Sync) {
    let rules = builtin_rules();
    let fixtures = fixture_texts();
    let results: Vec<(usize, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = fixtures
            .iter()
            .map(|(name, text)| s.spawn(|| per_fixture(&rules, name, text)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| (0, vec!["a test thread panicked".to_string()]))
            })
            .collect()
    });
    let checked: usize = results.iter().map(|(n, _)| n).sum();
    let misses: Vec<String> = results.into_iter().flat_map(|(_, m)| m).collect();
    assert!(checked > 0, "nothing to check was read in any fixture");
    assert_no_misses(what, checked, &misses);
}

#[test]
fn every_numeric_cell_plus_one_is_an_error_on_that_cell() {
    on_every_fixture("mutated cells", mutate_cells);
}

/// Findings as comparable keys.
fn keys(findings: &[Finding]) -> HashSet<(String, String)> {
    findings
        .iter()
        .map(|f| (f.rule.clone(), f.message.clone()))
        .collect()
}

/// `text` without `span`.
fn delete(text: &str, span: Span) -> Option<String> {
    Some(format!("{}{}", text.get(..span.offset)?, text.get(span.end()..)?))
}

/// Whether a finding is about the report's structure (a rule of
/// rules/structure.rules, or an extraction problem).
fn is_structural(f: &Finding) -> bool {
    f.rule.starts_with("structure.") || f.rule.starts_with("extract.")
}

/// The mutant must have a structural finding (warning or error) that the
/// original does not have. A miss says whether the reader noticed (`kind`).
fn structural_miss(
    rules: &RuleSet,
    before: &HashSet<(String, String)>,
    mutated: &str,
    kind: ProblemKind,
    id: &str,
) -> Option<String> {
    let (report, findings) = check(rules, mutated);
    let new_structural = findings.iter().any(|f| {
        is_structural(f)
            && f.severity >= Severity::Warning
            && !before.contains(&(f.rule.clone(), f.message.clone()))
    });
    if new_structural {
        return None;
    }
    let noticed = report
        .problems
        .iter()
        .any(|p| p.kind == kind && (p.row.as_deref() == Some(id) || p.section.as_deref() == Some(id)));
    let found: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    Some(format!(
        "no new structural finding (reader records {kind:?}: {noticed}; findings: {found:?})"
    ))
}

/// Delete every row of `requests` and every section of one fixture.
fn delete_parts(rules: &RuleSet, name: &str, text: &str) -> (usize, Vec<String>) {
    let (original, findings) = check(rules, text);
    let before = keys(&findings);
    let mut misses = Vec::new();
    let mut checked = 0;
    match original.tables.get("requests") {
        None => misses.push(format!("{name}: the reader found no `requests` table")),
        Some(requests) => {
            for (row, r) in &requests.rows {
                let Some(label) = &r.label else { continue };
                let span = r.cells.values().fold(label.span, |s, c| s.cover(c.span));
                checked += 1;
                let miss = delete(text, span).map_or(Some("cannot delete".into()), |m| {
                    structural_miss(rules, &before, &m, ProblemKind::MissingRow, row)
                });
                if let Some(m) = miss {
                    misses.push(format!("{name}: deleting row {row}: {m}"));
                }
            }
        }
    }
    for (id, section) in &original.sections {
        checked += 1;
        let miss = delete(text, section.span).map_or(Some("cannot delete".into()), |m| {
            structural_miss(rules, &before, &m, ProblemKind::MissingSection, id)
        });
        if let Some(m) = miss {
            misses.push(format!("{name}: deleting section {id}: {m}"));
        }
    }
    (checked, misses)
}

#[test]
fn deleting_a_row_or_a_section_is_a_structural_finding() {
    on_every_fixture("deletions", delete_parts);
}
