//! Shared by the targets: everything downstream of a report that was read.

use nianbao_engine::render::human::{HumanOptions, HumanRenderer};
use nianbao_engine::render::json::JsonRenderer;
use nianbao_engine::render::sarif::SarifRenderer;
use nianbao_engine::{Checked, Outcome, Renderer, ReportResult, Summary};
use nianbao_engine::eval::{evaluate_interpreted, CompiledRules};
use nianbao_model::Report;
use std::sync::OnceLock;

/// The built-in rules, compiled (and planned) once per process.
pub fn builtin_rules() -> &'static CompiledRules {
    static RULES: OnceLock<CompiledRules> = OnceLock::new();
    RULES.get_or_init(|| {
        CompiledRules::new(
            nianbao_rules::compile(&nianbao_rules::builtin_sources())
                .unwrap_or_else(|e| panic!("built-in rules do not compile: {e:?}")),
        )
    })
}

/// A report that was read must be valid, evaluate — the one evaluation
/// giving what the reference interpreter gives — and render in every output format.
pub fn check_report(report: &Report) {
    if let Err(errors) = report.validate() {
        panic!("the reader produced an invalid report: {errors:?}");
    }
    let rules = builtin_rules();
    let evaluation = rules.evaluate(report, None);
    let interpreted = evaluate_interpreted(rules.rules(), report, None);
    assert_eq!(evaluation, interpreted, "the evaluation and the reference interpreter disagree");
    // Never mixed: what could not be read is no finding about the report.
    for f in &evaluation.findings {
        if let Some(rule) = nianbao_engine::eval::EXTRACTION_RULES.iter().find(|r| r.id == f.rule) {
            assert!(!rule.reads(), "a reading limit among the findings: {f:?}");
        }
    }
    let result = ReportResult {
        path: "fuzz".to_string(),
        outcome: Outcome::Checked(Checked {
            text: report.source.text.clone(),
            base_offset: 0,
            pages: report.source.pages.clone(),
            table_rows: report.source.table_rows.clone(), body: None, year: None,
            findings: evaluation.findings,
            reading: evaluation.reading,
        }),
    };
    let mut summary = Summary::default();
    summary.add(&result);
    let renderers: [Box<dyn Renderer>; 3] = [
        Box::new(HumanRenderer::new(HumanOptions::default())),
        Box::new(JsonRenderer::new()),
        Box::new(SarifRenderer::new(Vec::new())),
    ];
    for mut r in renderers {
        let mut out = Vec::new();
        r.start(&mut out)
            .and_then(|()| r.report(&mut out, &result))
            .and_then(|()| r.finish(&mut out, &summary))
            .unwrap_or_else(|e| panic!("rendering to memory failed: {e}"));
    }
}
