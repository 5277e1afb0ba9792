//! The whole pipeline on a small generated corpus: the text reader and the
//! built-in rules find every injected defect at its location and nothing on
//! the clean reports (the recall 100 % / false positives 0, on a
//! smaller N than bench/corpus.sh runs).

use nianbao_corpus::manifest::Record;
use nianbao_corpus::render::LAYOUTS;
use nianbao_corpus::verify::{verify, CheckFinding, CheckLabel, CheckOutput, CheckedReport};
use nianbao_corpus::{generate, Options};
use std::collections::HashMap;

#[test]
fn builtin_rules_find_every_injected_defect_and_nothing_else() {
    let sources = nianbao_rules::builtin_sources();
    let rules = match nianbao_rules::compile(&sources) {
        Ok(rules) => rules,
        Err(e) => panic!("built-in rules do not compile: {e:?}"),
    };
    // Every layout, both formats, a third of the reports defective.
    let options = Options {
        defect_rate: 0.34,
        share_2019: 0.2,
        ..Options::default()
    };
    let count = 20 * LAYOUTS.len() as u64;
    let mut manifest = HashMap::new();
    let mut reports = Vec::new();
    for report in generate(2024, count, &options) {
        let read = nianbao_reader::read_text(&report.name, report.text());
        let findings = nianbao_engine::eval::evaluate(&rules, &read, None).findings;
        reports.push(CheckedReport {
            path: report.name.clone(),
            error: None,
            reading: None,
            findings: findings
                .into_iter()
                .map(|f| CheckFinding {
                    rule: f.rule,
                    severity: serde_json::Value::Null,
                    message: f.message,
                    labels: f
                        .labels
                        .iter()
                        .map(|l| CheckLabel {
                            offset: l.span.offset,
                            length: l.span.len,
                        })
                        .collect(),
                })
                .collect(),
        });
        if let Some(record) = Record::of(&report) {
            manifest.insert(record.file.clone(), record);
        }
    }
    let result = verify(&CheckOutput { reports }, &manifest);
    assert_eq!(result.defects, 54, "{}", result.summary(0));
    assert!(result.perfect(), "{}", result.summary(20));
}
