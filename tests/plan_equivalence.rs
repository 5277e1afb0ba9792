//! The rule language has one evaluation (rules lowered per format and
//! walked on dense slots, with shortcuts derived from them:
//! crates/engine/src/eval/plan.rs), which decides each binding and writes
//! its finding. Here it is held to a reference interpreter that walks the
//! rules' syntax (crates/engine/src/eval/reference.rs, built for tests
//! only): both run on every fixture and on many mutations of each — every
//! cell changed in one of several ways, rows, labels, headers, sections and
//! metadata removed or altered, the other template format, last year's
//! report — and must give identical evaluations (findings with their
//! messages and labels, limits, bindings not checked); and so must rules
//! generated at random from the language (a user's rules run the same way):
//! 96 rule sets of 4 on 12 reports each, and 96 more that read last year's
//! report on 12 pairs each, per `cargo test` (`PROPTEST_CASES=N` for more).

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

// ------------------------------------------------------------ random rules
//
// The built-in rules are not all a user may write: a rule added with
// `--rules DIR` goes through the same plans, so here rules are generated at
// random from the language (quantifiers, guards, sums over groups, presence,
// cell tests, comparisons, arithmetic, narrative numbers, and/or/not) and
// must give, plan and interpreter, identical evaluations on fixtures and
// their mutations.

/// A small deterministic generator (SplitMix64): proptest gives the seed,
/// and a failure prints the rules it made.
struct Gen {
    state: u64,
    /// Whether rules may read last year's report.
    previous: bool,
}

impl Gen {
    fn new(seed: u64, previous: bool) -> Gen {
        Gen {
            state: seed,
            previous,
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// What a rule's quantifiers bind.
#[derive(Clone, Copy)]
enum Scope {
    Whole,
    Column,
    Row,
    RowGroupColumn,
    ColumnGroup,
    Cell,
    Section,
}

const REQUEST_ROWS: &[&str] = &[
    "new",
    "carried_over",
    "granted",
    "partial",
    "total",
    "carried_forward",
];
const REQUEST_GROUPS: &[&str] = &["denied", "unable", "not_processed", "other"];
const REQUEST_COLUMNS: &[&str] = &["natural_person", "business", "legal_services", "total"];
const REVIEW_MEMBERS: &[&str] = &["total", "upheld", "corrected", "other", "pending"];

/// A cell this scope can name (a place `present` and cell tests take).
fn cell(g: &mut Gen, scope: Scope) -> String {
    let fixed = |g: &mut Gen| match g.below(4) {
        0 => format!("requests[{}, {}]", g.pick(REQUEST_ROWS), g.pick(REQUEST_COLUMNS)),
        1 => format!(
            "disclosure[{}, issued]",
            g.pick(&["regulations", "normative_docs"])
        ),
        2 => format!("review[cases, reconsideration.{}]", g.pick(REVIEW_MEMBERS)),
        _ => format!(
            "requests[\"{}\", total]",
            g.pick(&["属于国家秘密", "重复申请", "本机关不掌握相关政府信息"])
        ),
    };
    if g.below(3) == 0 {
        return fixed(g);
    }
    match scope {
        Scope::Whole => fixed(g),
        Scope::Column => format!("requests[{}, c]", g.pick(REQUEST_ROWS)),
        Scope::Row => format!("requests[r, {}]", g.pick(REQUEST_COLUMNS)),
        Scope::RowGroupColumn => "requests[g, c]".to_string(),
        Scope::ColumnGroup => format!("review[cases, g.{}]", g.pick(REVIEW_MEMBERS)),
        Scope::Cell => "x".to_string(),
        Scope::Section => fixed(g),
    }
}

/// A number on last year's report (a rule with one is a cross-year rule).
fn previous_number(g: &mut Gen, scope: Scope) -> String {
    match (g.below(4), scope) {
        (0, Scope::Column) => format!("previous.requests[{}, c]", g.pick(REQUEST_ROWS)),
        (0, Scope::Row) => format!("previous.requests[r, {}]", g.pick(REQUEST_COLUMNS)),
        (1, _) => format!("sum(previous.requests[{}.*, total])", g.pick(REQUEST_GROUPS)),
        (2, _) => "chars(previous.section problems)".to_string(),
        _ => format!(
            "previous.requests[{}, {}]",
            g.pick(REQUEST_ROWS),
            g.pick(REQUEST_COLUMNS)
        ),
    }
}

fn number(g: &mut Gen, scope: Scope, depth: u32) -> String {
    if g.previous && g.below(5) == 0 {
        return previous_number(g, scope);
    }
    if g.below(12) == 0 {
        return format!("chars(section {})", g.pick(&["overview", "problems", "other"]));
    }
    let choice = g.below(if depth == 0 { 6 } else { 11 });
    match choice {
        0..=2 => cell(g, scope),
        3 => g.pick(&["0", "1", "2", "10"]).to_string(),
        4 => match scope {
            Scope::RowGroupColumn => "sum(requests[g.*, c])".to_string(),
            Scope::Column => format!("sum(requests[{}.*, c])", g.pick(REQUEST_GROUPS)),
            Scope::Row => "sum(requests[r, org.*])".to_string(),
            _ => format!("sum(requests[{}.*, total])", g.pick(REQUEST_GROUPS)),
        },
        5 => format!(
            "number(section overview, /{}/)",
            g.pick(&[
                "([0-9]+)件",
                "收到[^。]{0,10}?([0-9]+)件",
                "(?:([0-9]+)件)?予以公开(?:([0-9]+)件|[^及]|$)"
            ])
        ),
        6..=9 => {
            let (a, b) = (number(g, scope, depth - 1), number(g, scope, depth - 1));
            match choice {
                6 => format!("{a} + {b}"),
                7 => format!("{a} - {b}"),
                8 => format!("abs({a} - {b})"),
                _ => format!("max({a}, {b})"),
            }
        }
        _ => format!("({}) * 2", number(g, scope, depth - 1)),
    }
}

fn condition(g: &mut Gen, scope: Scope, depth: u32) -> String {
    let choice = g.below(if depth == 0 { 5 } else { 8 });
    match choice {
        0 | 1 => {
            let op = g.pick(&["==", "!=", "<", "<=", ">", ">="]);
            format!("{} {op} {}", number(g, scope, 1), number(g, scope, 1))
        }
        2 => format!("present({})", cell(g, scope)),
        3 => format!(
            "{} is {}{}",
            cell(g, scope),
            g.pick(&["", "not "]),
            g.pick(&["blank", "filled", "number", "whole", "count"])
        ),
        4 => match (g.below(3), scope) {
            (0, Scope::Row) => format!(
                "label(requests[r]) is {}{}",
                g.pick(&["", "not "]),
                g.pick(&["exact", "variant", "approximate", "different", "missing"])
            ),
            (0, Scope::Column) => format!(
                "label(requests[*, c]) is {}",
                g.pick(&["exact", "variant", "missing"])
            ),
            (0, Scope::Section) => g
                .pick(&[
                    "in_order(section s)",
                    "present(section s)",
                    "label(section s) is exact",
                    "section s matches /公开/",
                    "chars(section s) > 40",
                ])
                .to_string(),
            (1, Scope::Row) => g
                .pick(&[
                    "has_numbers(requests[r])",
                    "has_numbers(parent(requests[r]))",
                    "present(requests[r])",
                ])
                .to_string(),
            (1, _) if g.previous => g
                .pick(&[
                    "previous.report.format == 2019",
                    "present(previous.section problems)",
                    "previous.requests[new, total] is number",
                    "present(previous.requests[granted])",
                ])
                .to_string(),
            _ => g
                .pick(&[
                    "section overview matches /申请/",
                    "present(section problems)",
                    "report.format == 2021",
                    "present(report.published)",
                    "text(section problems) matches /问题/",
                    "label(section overview) is exact",
                    "present(requests[denied])",
                    "present(review)",
                    "report.published >= date(report.year + 1, 1, 31)",
                    "in_order(section problems)",
                ])
                .to_string(),
        },
        5 => format!("not ({})", condition(g, scope, depth - 1)),
        6 => format!(
            "({} and {})",
            condition(g, scope, depth - 1),
            condition(g, scope, depth - 1)
        ),
        _ => format!(
            "({} or {})",
            condition(g, scope, depth - 1),
            condition(g, scope, depth - 1)
        ),
    }
}

/// A message or help: text with `{…}` of every kind the scope allows.
fn message(g: &mut Gen, scope: Scope, n: usize, compares: bool) -> String {
    let mut out = format!("随机规则 {n}");
    for _ in 0..g.below(4) {
        let piece = match (g.below(4), scope) {
            (0, _) if compares => g.pick(&["{left}", "{right}", "{difference}"]).to_string(),
            (1, Scope::Column | Scope::RowGroupColumn) => "{c}".to_string(),
            (1, Scope::Row) => g
                .pick(&["{r}", "{label(requests[r])}", "{requests[r]}"])
                .to_string(),
            (1, Scope::ColumnGroup) => "{g}".to_string(),
            (1, Scope::Cell) => "{x}".to_string(),
            (1, Scope::Section) => g
                .pick(&["{s}", "{label(section s)}", "{chars(section s)}"])
                .to_string(),
            (2, _) if g.previous => "{previous.requests[carried_forward, total]}".to_string(),
            _ => g
                .pick(&[
                    "{requests[new, total]}",
                    "{report.year}",
                    "{report.published}",
                    "{report.body}",
                    "{chars(section problems)}",
                    "{label(section overview)}",
                    "{label(requests[*, business])}",
                    "{requests[granted]}",
                    "{number(section overview, /([0-9]+)件/)}",
                ])
                .to_string(),
        };
        out.push('：');
        out.push_str(&piece);
    }
    out
}

fn random_rule(g: &mut Gen, n: usize) -> String {
    let (scope, quantifiers) = match g.below(7) {
        0 => (Scope::Whole, ""),
        1 => (Scope::Column, "  for every column c in requests\n"),
        2 => (Scope::Row, "  for every row r in requests\n"),
        3 => (
            Scope::RowGroupColumn,
            "  for every row group g in requests\n  for every column c in requests\n",
        ),
        4 => (Scope::ColumnGroup, "  for every column group g in review\n"),
        5 => (
            Scope::Cell,
            "  for every cell x in disclosure, requests, review\n",
        ),
        _ => (Scope::Section, "  for every section s\n"),
    };
    let guard = match g.below(3) {
        0 => format!("  when {}\n", condition(g, scope, 1)),
        _ => String::new(),
    };
    // A comparison at the top gives the message its sides and the finding its blame.
    let compares = g.below(2) == 0;
    let check = if compares {
        let op = g.pick(&["==", "!=", "<", "<=", ">", ">="]);
        format!("{} {op} {}", number(g, scope, 2), number(g, scope, 2))
    } else {
        condition(g, scope, 2)
    };
    let message = message(g, scope, n, compares);
    let help = match g.below(3) {
        0 => format!("  help \"{}\"\n", self::message(g, scope, n, compares)),
        _ => String::new(),
    };
    let blame = match g.below(3) {
        0 if compares => format!("  blame {}\n", g.pick(&["left", "right", "totals"])),
        _ => String::new(),
    };
    format!(
        "rule random.r{n} {{\n  title \"随机规则 {n}\"\n  severity warning\n{quantifiers}{guard}  check {check}\n  message \"{message}\"\n{help}{blame}}}\n"
    )
}

/// Every fixture and its mutations, read once.
fn reports() -> &'static [(String, Report)] {
    static ALL: std::sync::OnceLock<Vec<(String, Report)>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = Vec::new();
        for path in report_fixtures() {
            let name = stem(&path);
            let text = std::fs::read_to_string(&path).expect("fixture");
            let report = nianbao_reader::read_text(&name, &text);
            all.extend(
                mutations(&report)
                    .into_iter()
                    .map(|(what, m)| (format!("{name}: {what}"), m)),
            );
        }
        all
    })
}

/// Four random rules, compiled (a seed whose rules do not compile is a bug
/// in the generator, shown with the rules).
fn random_rules(g: &mut Gen) -> (String, CompiledRules) {
    let text: String = (0..4).map(|n| random_rule(g, n)).collect();
    let set = match nianbao_rules::compile(&[nianbao_rules::RuleSource {
        name: "random.rules".into(),
        text: text.clone(),
    }]) {
        Ok(set) => set,
        Err(e) => panic!(
            "the generator wrote rules that do not compile:\n{text}\n{:?}",
            miette::Report::new(e)
        ),
    };
    (text, CompiledRules::new(set).with_repeated_text_threshold(None))
}

/// Evaluates `rules` on 12 random reports (with a random last year's
/// report each when `g.previous`) both ways; the first difference.
fn compare_on_random_reports(g: &mut Gen, text: &str, rules: &CompiledRules) -> Result<(), String> {
    let all = reports();
    for _ in 0..12 {
        let (what, report) = &all[g.below(all.len())];
        let last = g.previous.then(|| &all[g.below(all.len())]);
        let previous = last.map(|(_, r)| r);
        let planned = rules.evaluate(report, previous);
        let interpreted = evaluate_interpreted(rules.rules(), report, previous);
        if planned != interpreted {
            return Err(format!(
                "{what} (last year: {:?}):\nplan {planned:#?}\nvs interpreter {interpreted:#?}\nrules:\n{text}",
                last.map(|(w, _)| w)
            ));
        }
    }
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 96, ..Default::default() })]

    #[test]
    fn plans_decide_as_the_interpreter_on_random_rules(seed in proptest::prelude::any::<u64>()) {
        let mut g = Gen::new(seed, false);
        let (text, rules) = random_rules(&mut g);
        let compared = compare_on_random_reports(&mut g, &text, &rules);
        proptest::prop_assert!(compared.is_ok(), "{}", compared.err().unwrap_or_default());
    }

    #[test]
    fn plans_decide_as_the_interpreter_on_random_rules_with_last_years_report(
        seed in proptest::prelude::any::<u64>()
    ) {
        let mut g = Gen::new(seed, true);
        let (text, rules) = random_rules(&mut g);
        let compared = compare_on_random_reports(&mut g, &text, &rules);
        proptest::prop_assert!(compared.is_ok(), "{}", compared.err().unwrap_or_default());
    }
}

/// The random rules exercise what the comparison is for: they fail, hold,
/// and go unchecked on places not read, on the reports they are tried on.
#[test]
fn random_rules_fail_hold_and_go_unchecked() {
    let all = reports();
    let (mut evaluations, mut with_findings, mut with_unchecked) = (0, 0, 0);
    for seed in 0..40u64 {
        let mut g = Gen::new(seed, seed % 2 == 1);
        let (_, rules) = random_rules(&mut g);
        for _ in 0..12 {
            let (_, report) = &all[g.below(all.len())];
            let previous = g.previous.then(|| &all[g.below(all.len())].1);
            let e = rules.evaluate(report, previous);
            evaluations += 1;
            with_findings += usize::from(e.findings.iter().any(|f| f.rule.starts_with("random.")));
            with_unchecked += usize::from(!e.reading.unchecked.is_empty());
        }
    }
    eprintln!(
        "{evaluations} evaluations: {with_findings} with findings, {with_unchecked} with rules not checked"
    );
    assert!(
        with_findings * 4 > evaluations,
        "{with_findings} of {evaluations} with findings"
    );
    assert!(
        with_findings * 10 < evaluations * 9,
        "{with_findings} of {evaluations} with findings"
    );
    assert!(
        with_unchecked * 20 > evaluations,
        "{with_unchecked} of {evaluations} with rules not checked"
    );
}
