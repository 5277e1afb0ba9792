//! Mutated fixtures (lines deleted, duplicated, swapped, cells replaced with
//! garbage, truncation at any byte) through the whole pipeline: decoding,
//! reading, the built-in rules and every renderer. Nothing panics; the
//! result is a valid report with findings, or a clear read error.

mod check_support;

use nianbao_engine::render::human::{HumanOptions, HumanRenderer};
use nianbao_engine::render::json::JsonRenderer;
use nianbao_engine::render::sarif::SarifRenderer;
use nianbao_engine::{Checked, Outcome, Renderer, ReportResult, Summary};
use nianbao_rules::RuleSet;
use proptest::prelude::*;
use std::sync::OnceLock;

fn fixtures() -> &'static [String] {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        check_support::report_fixtures()
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("fixture"))
            .collect()
    })
}

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("built-in rules compile")
    })
}

/// Read, evaluate and render `bytes` the way `nianbao check` does.
/// Returns the error code when the input cannot be read.
fn pipeline(bytes: &[u8]) -> Result<usize, String> {
    let report = match nianbao_reader::read_bytes("mutated.txt", bytes) {
        Ok(r) => r,
        Err(e) => {
            let code = miette::Diagnostic::code(&e)
                .map(|c| c.to_string())
                .unwrap_or_default();
            assert!(code.starts_with("nianbao::read::"), "{code}: {e}");
            assert!(!e.to_string().is_empty());
            return Err(code);
        }
    };
    assert_eq!(report.validate(), Ok(()));
    let nianbao_engine::Evaluation { findings, reading } =
        nianbao_engine::eval::evaluate(rules(), &report, None);
    let count = findings.len() + reading.limits.len() + reading.notes.len();
    let result = ReportResult {
        path: "mutated.txt".to_string(),
        outcome: Outcome::Checked(Checked {
            text: report.source.text.clone(),
            base_offset: 0,
            pages: Vec::new(),
            table_rows: Vec::new(),
            body: None,
            year: None,
            findings,
            reading,
        }),
    };
    let mut summary = Summary::default();
    summary.add(&result);
    let renderers: [Box<dyn Renderer>; 3] = [
        Box::new(HumanRenderer::new(HumanOptions::default())),
        Box::new(JsonRenderer::new()),
        Box::new(SarifRenderer::new(Vec::new())),
    ];
    for mut renderer in renderers {
        let mut out = Vec::new();
        renderer.start(&mut out).expect("render");
        renderer.report(&mut out, &result).expect("render");
        renderer.finish(&mut out, &summary).expect("render");
        assert!(!out.is_empty());
    }
    Ok(count)
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(prop::sample::Index),
    Duplicate(prop::sample::Index),
    Swap(prop::sample::Index, prop::sample::Index),
    /// Replace the n-th cell (a run of non-white-space) with garbage.
    Garbage(prop::sample::Index, String),
}

fn garbage() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{15,40}",
        "-[0-9]{1,20}",
        "[0-9０-９.．,，\\-—|｜ \t]{0,12}",
        "[一二三四五六七八九十总计其他（）()、]{1,6}",
        ".{0,8}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Mutation::Delete),
        any::<prop::sample::Index>().prop_map(Mutation::Duplicate),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<prop::sample::Index>(), garbage()).prop_map(|(i, g)| Mutation::Garbage(i, g)),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.is_empty() {
        return text.to_string();
    }
    match m {
        Mutation::Delete(i) => {
            lines.remove(i.index(lines.len()));
        }
        Mutation::Duplicate(i) => {
            let k = i.index(lines.len());
            lines.insert(k, lines[k]);
        }
        Mutation::Swap(a, b) => {
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
        }
        Mutation::Garbage(i, g) => {
            let cells: Vec<(usize, usize)> = text.char_indices().filter(|(_, c)| !c.is_whitespace()).fold(
                Vec::new(),
                |mut cells: Vec<(usize, usize)>, (at, c)| {
                    match cells.last_mut() {
                        Some(last) if last.1 == at => last.1 = at + c.len_utf8(),
                        _ => cells.push((at, at + c.len_utf8())),
                    }
                    cells
                },
            );
            if cells.is_empty() {
                return text.to_string();
            }
            let (start, end) = cells[i.index(cells.len())];
            return format!("{}{g}{}", &text[..start], &text[end..]);
        }
    }
    lines.concat()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mutated_fixtures_give_findings_or_a_clear_error(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let texts = fixtures();
        let mut text = texts[which.index(texts.len())].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        // Valid UTF-8 that is not blank always reads into a report, unless
        // the mutations left no heading and no table row of the template.
        let outcome = pipeline(text.as_bytes());
        if !text.trim().is_empty() && !text.contains('\0') {
            match &outcome {
                Err(code) if code == "nianbao::read::not-a-report" => {
                    let report = nianbao_reader::read_text("mutated", &text);
                    prop_assert!(report.sections.is_empty(), "{:?}", report.sections.keys());
                }
                _ => prop_assert!(outcome.is_ok(), "{:?}", outcome),
            }
        }
    }

    #[test]
    fn fixtures_truncated_at_any_byte_give_findings_or_a_clear_error(
        which in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        encoding in 0usize..3,
    ) {
        let texts = fixtures();
        let text = &texts[which.index(texts.len())];
        let bytes: Vec<u8> = match encoding {
            0 => text.as_bytes().to_vec(),
            1 => encoding_rs::GB18030.encode(text).0.into_owned(),
            _ => [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
        };
        let cut = bytes.get(..cut.index(bytes.len() + 1)).unwrap_or(&bytes);
        match pipeline(cut) {
            Ok(_) => {}
            Err(code) => prop_assert!(
                // Cut before any heading or table row: no report any more.
                ["nianbao::read::empty", "nianbao::read::encoding", "nianbao::read::not-a-report"]
                    .contains(&code.as_str()),
                "{}", code
            ),
        }
    }
}

#[test]
fn a_fixture_cut_before_its_tables_still_has_findings() {
    // Truncation is never silent: the missing sections are findings.
    for text in fixtures() {
        let cut = text.find("二、").map_or(text.len() / 4, |at| at);
        let findings = pipeline(&text.as_bytes()[..cut]).expect("UTF-8 cut at a character boundary reads");
        assert!(findings >= 4, "{findings}");
    }
}
