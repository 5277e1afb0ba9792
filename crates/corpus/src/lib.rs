//! # nianbao-corpus
//!
//! A synthetic corpus of annual reports (政府信息公开工作年度报告) for batch
//! benchmarks and recall tests: [`generate`] yields N reports, deterministic
//! from a seed, in the 2021 format (and some in the 2019 one), rendered in the
//! layouts of the real fixtures and of `pdftotext -layout`
//! ([`render::LAYOUTS`]), with numbers that
//! satisfy every consistency rule of the template ([`check::violations`] is
//! the oracle) — except a known fraction that carry exactly one injected
//! inconsistency each ([`defect`]), recorded in a [`manifest::Record`] with its
//! byte span and the template rules it breaks. [`verify`] compares
//! `nianbao check --format json` output with the manifest.
//!
//! It knows the model's schema but nothing of the reader, the rule files or
//! the engine: its expectations come from the template's rules, numbered as in
//! the template description (template.md), so that tests match findings by location, not by rule id.
//! Not part of the user CLI.

pub mod check;
pub mod defect;
pub mod manifest;
pub mod model;
pub mod numbers;
pub mod render;
pub mod text;
pub mod verify;

use check::Violation;
use defect::{DefectKind, Injection, Target, DEFECT_KINDS};
use model::ReportModel;
use nianbao_model::{Format, Span};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use render::{Layout, Rendered, LAYOUTS};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The fraction of reports that get one injected inconsistency (0..=1).
    pub defect_rate: f64,
    /// The fraction of reports in the 2019 format (for 2019 or 2020).
    pub share_2019: f64,
    /// Layouts to draw from (each report's is drawn at random).
    pub layouts: Vec<Layout>,
    /// Defect kinds to draw from.
    pub defect_kinds: Vec<DefectKind>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            defect_rate: 0.1,
            share_2019: 0.1,
            layouts: LAYOUTS.to_vec(),
            defect_kinds: DEFECT_KINDS.to_vec(),
        }
    }
}

/// An injected defect and where it landed in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    pub injection: Injection,
    /// The changed value's bytes (an empty span where a deleted row would have been).
    pub span: Span,
    /// The extent of the table the defect is about.
    pub table_span: Span,
    /// What the template's rules say is wrong now: the findings to expect.
    pub violations: Vec<Violation>,
}

/// One generated report.
#[derive(Debug, Clone)]
pub struct GeneratedReport {
    pub index: u64,
    /// File name, `NNNNNN.txt`.
    pub name: String,
    pub layout: Layout,
    /// The numbers as printed (after any injection).
    pub model: ReportModel,
    pub rendered: Rendered,
    pub defect: Option<Defect>,
}

impl GeneratedReport {
    pub fn text(&self) -> &str {
        &self.rendered.text
    }
}

/// Whether report `index` is one of the defective ones: exactly
/// ⌊N × rate⌋ of the first N reports, spread evenly.
pub fn is_defective(index: u64, rate: f64) -> bool {
    const SCALE: u128 = 1_000_000;
    let per_million = (rate.clamp(0.0, 1.0) * SCALE as f64).round() as u128;
    let i = u128::from(index);
    (i + 1) * per_million / SCALE > i * per_million / SCALE
}

/// The file name of report `index`.
pub fn file_name(index: u64) -> String {
    format!("{index:06}.txt")
}

/// Generate report `index` of the corpus of `seed` (independent of the other
/// reports: each has its own random stream).
pub fn generate_one(seed: u64, index: u64, options: &Options) -> GeneratedReport {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    let layouts = if options.layouts.is_empty() {
        &LAYOUTS[..]
    } else {
        &options.layouts[..]
    };
    let layout = layouts
        .get(rng.random_range(0..layouts.len()))
        .copied()
        .unwrap_or(Layout::Tabs);
    let format = if rng.random_bool(options.share_2019.clamp(0.0, 1.0)) {
        Format::V2019
    } else {
        Format::V2021
    };
    let year = match format {
        Format::V2019 => rng.random_range(2019..=2020),
        Format::V2021 => rng.random_range(2021..=2025),
    };
    let body = text::body(&mut rng);
    let mut model = numbers::report_model(&mut rng, format, year, body);
    let injection = if is_defective(index, options.defect_rate) {
        defect::inject_any(&mut model, &mut rng, &options.defect_kinds)
            .or_else(|| defect::inject(&mut model, &mut rng, DefectKind::RequestsCell))
    } else {
        None
    };
    let rendered = render::render(&model, layout, &mut rng);
    let defect = injection.map(|injection| locate(injection, &model, &rendered));
    GeneratedReport {
        index,
        name: file_name(index),
        layout,
        model,
        rendered,
        defect,
    }
}

fn locate(injection: Injection, model: &ReportModel, rendered: &Rendered) -> Defect {
    let table = match injection.target {
        Target::Cell(cell) => cell.table,
        Target::Narrative => "requests",
        Target::Row { table, .. } => table,
    };
    let span = match injection.target {
        Target::Cell(cell) => rendered.cells.iter().find(|p| p.cell == cell).map(|p| p.span),
        Target::Narrative => rendered.received,
        Target::Row { .. } => rendered.deleted_row_at.map(|at| Span::new(at, 0)),
    };
    let table_span = rendered
        .tables
        .iter()
        .find(|(id, _)| *id == table)
        .map(|(_, s)| *s);
    Defect {
        injection,
        // The renderer places every target (tests check it); an empty span at
        // 0 would mean it did not.
        span: span.unwrap_or(Span::new(0, 0)),
        table_span: table_span.unwrap_or(Span::new(0, 0)),
        violations: check::violations(model),
    }
}

/// N reports of the corpus of `seed`, generated lazily (memory does not grow
/// with N).
pub fn generate(seed: u64, n: u64, options: &Options) -> impl Iterator<Item = GeneratedReport> + '_ {
    (0..n).map(move |index| generate_one(seed, index, options))
}
