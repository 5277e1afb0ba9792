//! How long the steps of checking one report take: compiling the built-in
//! rules (done once per process, so it bounds checking a single report),
//! evaluating them on a report already read, and the whole pipeline per
//! report (read, evaluate, render JSON) as `nianbao check` runs it.
//! Run with `cargo bench -p nianbao-engine --bench pipeline`.

use nianbao_engine::eval::{evaluate, CompiledRules};
use nianbao_engine::render::json::JsonRenderer;
use nianbao_engine::{Checked, Outcome, Renderer, ReportResult};
use nianbao_rules::RuleSet;

fn main() {
    divan::main();
}

/// The text fixtures (tests/fixtures), one per layout the reader supports.
const FIXTURES: &[&str] = &[
    "haiyan-jingxin-2023.txt",
    "hongze-2023-pdfplumber.txt",
    "hongze-2023-pypdf.txt",
    "jiaxing-jingxin-2022.txt",
    "pinghu-jingxin-2021.txt",
    "pingtan-2021-flattened.txt",
    "sanmen-yanhai-2023.txt",
    "zhenhai-jingxin-2023.txt",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn builtin_rules() -> RuleSet {
    nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("the built-in rules compile")
}

/// Parse and check the built-in rule files.
#[divan::bench]
fn compile_builtin_rules() -> usize {
    nianbao_rules::compile(divan::black_box(&nianbao_rules::builtin_sources()))
        .map(|set| set.rules.len())
        .unwrap_or(0)
}

/// The built-in rules on a report already read, planned once (as a batch does).
#[divan::bench(args = FIXTURES)]
fn evaluate_rules(bencher: divan::Bencher, name: &str) {
    let rules = CompiledRules::new(builtin_rules());
    let report = nianbao_reader::read_bytes(name, &fixture(name)).expect("a fixture reads");
    bencher.bench(|| rules.evaluate(divan::black_box(&report), None).findings.len());
}

/// The same, lowering the rules for the report's format on every call
/// (`eval::evaluate`, as `nianbao rules test` runs rule cases).
#[divan::bench(args = ["jiaxing-jingxin-2022.txt"])]
fn evaluate_rules_unplanned(bencher: divan::Bencher, name: &str) {
    let rules = builtin_rules();
    let report = nianbao_reader::read_bytes(name, &fixture(name)).expect("a fixture reads");
    bencher.bench(|| evaluate(&rules, divan::black_box(&report), None).findings.len());
}

/// Read, evaluate and render one report as JSON (rules compiled once, as
/// for a batch).
#[divan::bench(args = FIXTURES)]
fn whole_pipeline(bencher: divan::Bencher, name: &str) {
    let rules = CompiledRules::new(builtin_rules());
    let bytes = fixture(name);
    let mut out: Vec<u8> = Vec::new();
    bencher.bench_local(|| {
        out.clear();
        let report = nianbao_reader::read_bytes(name, divan::black_box(&bytes)).expect("a fixture reads");
        let nianbao_engine::Evaluation { findings, reading } = rules.evaluate(&report, None);
        let result = ReportResult {
            path: name.to_string(),
            outcome: Outcome::Checked(Checked {
                text: report.source.text,
                base_offset: 0,
                pages: Vec::new(),
                table_rows: Vec::new(),
                body: None,
                year: None,
                findings,
                reading,
            }),
        };
        let mut renderer = JsonRenderer::new();
        renderer.report(&mut out, &result).expect("writing to memory");
        out.len()
    });
}

/// How much of a report's narrative repeats last year's
/// (`repetition::compare`, what `diff` and `content.repeated-text` do per
/// pair): each fixture against every fixture, so one iteration is 64 pairs
/// of real reports. Under 1 s for 1,000 pairs means under 15.6 ms here.
#[divan::bench]
fn repetition_64_pairs(bencher: divan::Bencher) {
    let reports: Vec<nianbao_model::Report> = FIXTURES
        .iter()
        .map(|name| nianbao_reader::read_bytes(name, &fixture(name)).expect("a fixture reads"))
        .collect();
    bencher.bench(|| {
        let mut repeated = 0;
        for this in &reports {
            for last in &reports {
                repeated += nianbao_engine::repetition::compare(divan::black_box(this), last).repeated_chars;
            }
        }
        repeated
    });
}
