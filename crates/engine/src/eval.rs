//! Rule evaluation. Public entry point: [`evaluate`] (keep its signature).
//!
//! Semantics in brief (reference: docs/rules.md):
//! - a rule runs once per binding of its `for every` variables, in the
//!   report's own format; a `when` guard that is not true skips the binding;
//! - a value that is not there (missing row or cell, blank or text cell,
//!   unmatched pattern, no previous report) makes the check *not
//!   applicable*: missing things are reported by the structural rules and
//!   the reader's problems, not again by every sum that needs them;
//! - numbers are compared at the precision of the least precise operand
//!   (XBRL calculation-consistency style), so "7730.28" printed with two
//!   decimals equals a sum computed to more places once rounded;
//! - `sum(table[group.*, c])` adds the sub-rows; where a report printed a
//!   group as one row (2021 reports keeping the 2019 （六）其他处理, or the
//!   2019 format itself) the group row's own value is used.
//!
//! How: [`plan`] lowers the rules once per format and holds the one
//! evaluation of the language; a binding that fails (or that reads places
//! not read) is explained by the same evaluation into its finding
//! (`plan::explain`). This module joins that with the reader's problems into
//! an [`Evaluation`]; `reference` (tests only) is the interpreter the
//! evaluation is held to.

pub mod cases;
mod number;
mod plan;
#[cfg(feature = "reference")]
mod reference;
mod unread;

use crate::finding::{Evaluation, Finding, FindingLabel, Place, Reading, ReadingStatus, Unchecked};
use nianbao_model::label::{normalize, split_numbering};
use nianbao_model::{
    Cell, CellValue, Date, Decimal, LabelMatch, LabelUse, ProblemClass, ProblemKind, Report, RowKind, Span,
    TableSchema, ValueKind,
};
use nianbao_rules::ast::{BinOp, Blame, Coord, Domain, MetaField, Quantifier, Test, VarKind};
use nianbao_rules::{RuleSet, Severity};
use number::number_in;
use plan::explain::NotChecked;
use plan::{Plan, SharedPatterns};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;
use unread::Unread;

/// A built-in rule id for one kind of extraction problem.
#[derive(Debug, Clone, Copy)]
pub struct ExtractionRule {
    pub id: &'static str,
    /// The problem kind reported under this id; `None` for notes about how
    /// the report was read (cells recovered from digits that ran together).
    pub kind: Option<ProblemKind>,
    pub severity: Severity,
    pub title: &'static str,
    pub help: &'static str,
    /// What the id protects and why a reviewer cares (as a rule's `why`).
    pub why: &'static str,
}

/// The ids under which the reader's problems are reported (one per kind),
/// for `rules list`, select/ignore and documentation. Those of kinds the
/// reader is sure of (a part the report lacks) are findings about the
/// report; the others are limits of the reading ([`ExtractionRule::reads`]),
/// shown apart and never counted as defects, so their severity (at most a
/// warning) only says how much a person should look.
pub const EXTRACTION_RULES: [ExtractionRule; 15] = {
    use ProblemKind::*;
    use Severity::*;
    const fn r(
        id: &'static str,
        kind: ProblemKind,
        severity: Severity,
        title: &'static str,
        help: &'static str,
        why: &'static str,
    ) -> ExtractionRule {
        ExtractionRule {
            id,
            kind: Some(kind),
            severity,
            title,
            help,
            why,
        }
    }
    [
        r(
            "extract.missing-section",
            MissingSection,
            Error,
            "缺少模板规定的部分",
            "按模板补齐六个部分及其标题",
            "模板规定了六个部分及其顺序，缺一部分就少了一类必须公开的内容；这是 nianbao 确定的缺失（找遍全文也没有该部分的标题和内容），评估按内容缺项扣分。",
        ),
        r(
            "extract.missing-table",
            MissingTable,
            Error,
            "缺少模板规定的表格",
            "按模板补齐表格",
            "四张统计表是报告的核心数据，缺表意味着该类数据未公开；只在 nianbao 确定该处没有表（不是没能读出）时报告。",
        ),
        r(
            "extract.missing-row",
            MissingRow,
            Error,
            "表格缺少模板规定的行",
            "按模板补齐该行，没有数字的填 0",
            "模板的每一行都要保留，没有数字的填 0；删掉的行让读者无法区分“没有”和“漏报”，勾稽关系也无从核对。",
        ),
        r(
            "extract.missing-cells",
            MissingCells,
            Warning,
            "行中数字少于列数",
            "每列都应填写数字，没有的填 0",
            "行中数字少于列数时，nianbao 不知道缺的是哪一列，不猜测；该行的单元格标为未读取，相关规则不检查。",
        ),
        r(
            "extract.extra-cells",
            ExtraCells,
            Warning,
            "行中数字多于列数",
            "检查该行是否多填或串行",
            "行中数字多于列数，可能是串行、多填或导出时合并了相邻单元格；nianbao 不取舍，该行标为未读取。",
        ),
        r(
            "extract.unreadable-cell",
            UnreadableCell,
            Warning,
            "单元格不是数字",
            "单元格只填阿拉伯数字，不带单位或文字",
            "单元格里不是数字（如“无”“—”或带单位），nianbao 不把它当作 0，也不据此判断对错，只说明它读不出。",
        ),
        r(
            "extract.number-overflow",
            NumberOverflow,
            Warning,
            "数字过大无法读取",
            "检查该数字是否多打了位数",
            "数字位数超出合理范围，多半是多打了位数或两个数连在一起；nianbao 不读它，以免据此报出错误。",
        ),
        r(
            "extract.ambiguous-split",
            AmbiguousSplit,
            Warning,
            "连在一起的数字有多种拆分方式",
            "在数字之间加分隔，或核对原表",
            "数字连在一起（导出时丢了分隔）且有不止一种拆法都平衡；nianbao 不猜，说明该行未能确定。",
        ),
        r(
            "extract.no-valid-split",
            NoValidSplit,
            Error,
            "连在一起的数字无法拆分成平衡的一行",
            "核对原表中该行的数字",
            "连在一起的数字无论怎样拆都不能使该行平衡：无论原表怎样分格，该行的数字本身有错，需要核对原表。",
        ),
        r(
            "extract.unsplittable-run",
            UnsplittableRun,
            Warning,
            "数字拆不成本行各列（也许有空白单元格在导出时丢失）",
            "核对原表中该行；空白单元格请填 0，或导出时保留单元格分隔",
            "连在一起的数字拆不成本行各列，常见原因是导出时空白单元格被丢掉；这是读取的局限，不是报告的问题。",
        ),
        r(
            "extract.too-ambiguous",
            TooAmbiguous,
            Warning,
            "连在一起的数字拆分方式过多",
            "在数字之间加分隔，或核对原表",
            "连在一起的数字可能的拆法太多，无法确定；nianbao 不猜测，说明该行未读取。",
        ),
        r(
            "extract.row-not-read",
            RowNotRead,
            Warning,
            "未能读取的行：表中有无法归位的文字或数字",
            "核对原表中该行；若原表有此行，说明 nianbao 未能读取它，不是报告的问题",
            "表中有文字或数字无法归到模板的任何一行；nianbao 宁可说没读出，也不把数字放错行而报出不真实的错误。",
        ),
        r(
            "extract.table-not-read",
            TableNotRead,
            Warning,
            "未能读取的表格：该处有数字，但没有一行能对上模板",
            "核对原表（可能是图片或特殊排版）；这是读取的局限，不是报告的问题",
            "该处有数字，但没有一行能对上模板（可能是图片、扫描件或特殊排版）；表中数字都未检查，不能当作报告无误。",
        ),
        r(
            "extract.unknown-label",
            UnknownLabel,
            Warning,
            "表格中出现模板以外的文字",
            "删除或改为模板中的标签",
            "表格里出现模板以外的文字，可能是改动了模板的标签、加了行，或是页眉页脚混入表中；请核对是否按模板填写。",
        ),
        ExtractionRule {
            id: INFERRED_CELLS,
            kind: None,
            severity: Info,
            title: "表中数字连在一起，单元格由算术关系拆分得出",
            help: "在原表各单元格之间加分隔（如制表符），数字就不必推断；\
                   推断时假定成立的勾稽关系无法再发现这些单元格中的错误",
            why: "数字连在一起时，nianbao 只在算术关系给出唯一拆法时才拆分；这些单元格是推断的，\
                  推断所依据的勾稽关系不能再用来检查它们，复核时应知道哪些数是推断出来的。",
        },
    ]
};

impl ExtractionRule {
    /// Whether what this id reports is a limit of the reading (or a note
    /// on it), not a finding about the report.
    pub fn reads(&self) -> bool {
        self.kind.is_none_or(|k| k.class() == ProblemClass::NotRead)
    }
}

/// The id of the note saying which cells of a table were recovered from
/// digits that ran together.
pub const INFERRED_CELLS: &str = "extract.inferred-cells";

/// The extraction rule for a problem kind.
pub fn extraction_rule(kind: ProblemKind) -> &'static ExtractionRule {
    EXTRACTION_RULES
        .iter()
        .find(|r| r.kind == Some(kind))
        .unwrap_or(&EXTRACTION_RULES[0])
}

/// A rule set with its plans (rules lowered per template format, built on
/// first use): what a batch evaluates many reports with.
pub struct CompiledRules {
    rules: RuleSet,
    plans: [OnceLock<Plan>; 2],
    patterns: std::sync::Arc<SharedPatterns>,
    /// Above which share of repeated narrative `content.repeated-text`
    /// fires when last year's report is given; `None`: not checked.
    repeated_text: Option<f64>,
}

impl CompiledRules {
    pub fn new(rules: RuleSet) -> Self {
        CompiledRules {
            rules,
            plans: [OnceLock::new(), OnceLock::new()],
            patterns: Default::default(),
            repeated_text: Some(crate::repetition::DEFAULT_THRESHOLD),
        }
    }

    /// The share of last year's narrative a report may repeat before
    /// `content.repeated-text` fires; `None` leaves the check out.
    pub fn with_repeated_text_threshold(mut self, threshold: Option<f64>) -> Self {
        self.repeated_text = threshold;
        self
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// [`evaluate`] with this rule set.
    pub fn evaluate(&self, report: &Report, previous: Option<&Report>) -> Evaluation {
        let plan = self.plans[report.format.index()]
            .get_or_init(|| Plan::new(&self.rules, report.format, &self.patterns));
        let mut evaluation = evaluate_planned(&self.rules, plan, report, previous);
        if let (Some(last), Some(threshold)) = (previous, self.repeated_text) {
            if let Some(mut f) = crate::repetition::finding(report, last, threshold) {
                f.fingerprint = crate::review::fingerprint_in(&f, report);
                evaluation.findings.push(f);
                sort_findings(&mut evaluation.findings);
            }
        }
        evaluation
    }
}

/// The names findings give a format's rows ([`row_label_short`]) and
/// columns ([`column_label`]), by table and id: they depend on the template
/// alone, and working them out (normalizing labels) costs more than the
/// rest of a finding's message.
struct CellLabels {
    rows: FxHashMap<&'static str, FxHashMap<&'static str, String>>,
    columns: FxHashMap<&'static str, FxHashMap<&'static str, String>>,
}

impl CellLabels {
    fn of(format: nianbao_model::Format) -> &'static CellLabels {
        static LABELS: [OnceLock<CellLabels>; 2] = [OnceLock::new(), OnceLock::new()];
        LABELS[format.index()].get_or_init(|| {
            let tables = &nianbao_model::template(format).tables;
            CellLabels {
                rows: tables
                    .iter()
                    .map(|ts| {
                        (
                            ts.id,
                            ts.rows
                                .iter()
                                .map(|r| (r.id, row_label_short(ts, r.id)))
                                .collect(),
                        )
                    })
                    .collect(),
                columns: tables
                    .iter()
                    .map(|ts| {
                        (
                            ts.id,
                            ts.columns
                                .iter()
                                .map(|c| (c.id, column_label(ts, c.id)))
                                .collect(),
                        )
                    })
                    .collect(),
            }
        })
    }
}

/// Evaluate `rules` on `report` (and `previous`, last year's report of the
/// same body, for cross-year rules). Extraction problems the reader recorded
/// are returned as findings too. Findings are ordered by position.
///
/// This lowers the rules for the report's format on every call; a batch
/// keeps a [`CompiledRules`] instead.
pub fn evaluate(rules: &RuleSet, report: &Report, previous: Option<&Report>) -> Evaluation {
    evaluate_planned(
        rules,
        &Plan::new(rules, report.format, &Default::default()),
        report,
        previous,
    )
}

/// [`evaluate`] by the reference interpreter, every binding of every rule:
/// what the one evaluation is tested against (tests/plan_equivalence.rs;
/// the `reference` feature, for tests only).
#[cfg(feature = "reference")]
#[doc(hidden)]
pub fn evaluate_interpreted(rules: &RuleSet, report: &Report, previous: Option<&Report>) -> Evaluation {
    reference::evaluate_reference(rules, report, previous)
}

fn evaluate_planned(rules: &RuleSet, plan: &Plan, report: &Report, previous: Option<&Report>) -> Evaluation {
    let mut findings = Vec::new();
    let mut reported_missing: Vec<String> = Vec::new();
    let unread = Unread::of(report);
    let mut unchecked: Vec<Unchecked> = Vec::new();
    let dense = plan.dense(report, previous);
    let mut explain = plan.explain(report, &unread);
    let mut failing = Vec::new();
    for (rule, rule_plan) in rules.rules.iter().zip(&plan.rules) {
        if rule.cross_year && previous.is_none() {
            continue;
        }
        let mut not_checked = NotChecked::default();
        let mut explain_instance = |i: usize| {
            if let Some(inst) = rule_plan.instances.get(i) {
                explain.instance(
                    rule,
                    &inst.test,
                    &dense,
                    &mut findings,
                    &mut reported_missing,
                    &mut not_checked,
                );
            }
        };
        if unread.concerns(rule_plan.reads_published) {
            // With places not read that the rule may read, every binding is
            // explained, so that each one reading such a place is known (and
            // not checked), whatever it would decide from the places read.
            (0..rule_plan.instances.len()).for_each(&mut explain_instance);
        } else {
            rule_plan.failing(&dense, &mut failing);
            failing.iter().for_each(|i| explain_instance(*i));
        }
        if not_checked.instances > 0 {
            unchecked.push(Unchecked {
                rule: rule.id.clone(),
                instances: not_checked.instances,
                unread: not_checked.places,
            });
        }
    }
    finish(report, findings, &reported_missing, unchecked)
}

/// The evaluation of the rules' findings on `report`, with the reader's
/// problems as findings (those about what a rule already found missing
/// left out) or limits of the reading, and the notes on inferred cells.
fn finish(
    report: &Report,
    mut findings: Vec<Finding>,
    reported_missing: &[String],
    unchecked: Vec<Unchecked>,
) -> Evaluation {
    let mut limits = Vec::new();
    for p in &report.problems {
        let er = extraction_rule(p.kind);
        if let Some(key) = missing_key(p) {
            if reported_missing.contains(&key) {
                continue;
            }
        }
        let finding = Finding {
            rule: er.id.to_string(),
            severity: er.severity,
            message: p.message.clone(),
            help: Some(er.help.to_string()),
            reference: None,
            fingerprint: String::new(),
            review: None,
            labels: p
                .span
                .map(|span| FindingLabel {
                    span,
                    text: er.title.to_string(),
                    primary: true,
                    place: p.table.as_ref().map(|table| Place {
                        table: table.clone(),
                        row: p.row.clone(),
                        column: p.column.clone(),
                    }),
                })
                .into_iter()
                .collect(),
        };
        if er.reads() {
            limits.push(finding);
        } else {
            findings.push(finding);
        }
    }
    let mut notes = inferred_cell_notes(report);
    sort_findings(&mut findings);
    sort_findings(&mut limits);
    sort_findings(&mut notes);
    for f in findings.iter_mut().chain(&mut limits).chain(&mut notes) {
        f.fingerprint = crate::review::fingerprint_in(f, report);
    }
    let status = if limits.is_empty() {
        ReadingStatus::Complete
    } else if report.tables.values().all(|t| t.rows.is_empty()) {
        ReadingStatus::NotRead
    } else {
        ReadingStatus::Partial
    };
    Evaluation {
        findings,
        reading: Reading {
            status,
            limits,
            notes,
            unchecked,
        },
    }
}

/// One info finding per table with cells recovered from digits that ran
/// together: how many, by which constraint, and which template rules had to
/// be assumed (those rules can no longer find a defect in those cells).
fn inferred_cell_notes(report: &Report) -> Vec<Finding> {
    let Some(rule) = EXTRACTION_RULES.iter().find(|r| r.id == INFERRED_CELLS) else {
        return Vec::new();
    };
    let template = report.template();
    let mut notes = Vec::new();
    for (table_id, table) in &report.tables {
        let mut count = 0usize;
        let mut first: Option<Span> = None;
        let mut assumed_rows: Vec<(String, Span, Vec<u32>)> = Vec::new();
        for (row_id, row) in &table.rows {
            let mut row_span: Option<Span> = None;
            let mut row_assumed: Vec<u32> = Vec::new();
            for cell in row.cells.values() {
                let Some(inference) = &cell.inferred else { continue };
                count += 1;
                first = Some(match first {
                    Some(f) if f.offset <= cell.span.offset => f,
                    _ => cell.span,
                });
                row_span = Some(row_span.map_or(cell.span, |s| s.cover(cell.span)));
                for n in &inference.assumed_template_rules {
                    if !row_assumed.contains(n) {
                        row_assumed.push(*n);
                    }
                }
            }
            if let (Some(span), false) = (row_span, row_assumed.is_empty()) {
                assumed_rows.push((row_id.to_string(), span, row_assumed));
            }
        }
        let Some(first) = first else { continue };
        let table_name = template
            .table(table_id)
            .and_then(|t| template.section(t.section))
            .map_or(table_id.as_str(), |s| s.label);
        let mut rules: Vec<u32> = assumed_rows
            .iter()
            .flat_map(|(_, _, r)| r.iter().copied())
            .collect();
        rules.sort_unstable();
        rules.dedup();
        let rule_list = rules
            .iter()
            .map(|n| format!("规则 {n}"))
            .collect::<Vec<_>>()
            .join("、");
        let mut message = format!(
            "“{table_name}”表中的数字连在一起，{count} 个单元格是拆分得出的（按本行的总计，或只有一种拆分）"
        );
        if !assumed_rows.is_empty() {
            let rows = assumed_rows
                .iter()
                .map(|(r, _, _)| r.as_str())
                .collect::<Vec<_>>()
                .join("、");
            message.push_str(&format!(
                "；其中 {} 行（{rows}）仅凭本行无法确定，假定模板{rule_list} 成立后才选定，\
                 因此{rule_list} 不能再发现这些行中的错误",
                assumed_rows.len()
            ));
        }
        let labels = if assumed_rows.is_empty() {
            vec![FindingLabel {
                span: first,
                text: format!("共 {count} 个推断出的单元格，由此开始"),
                primary: true,
                place: Some(Place {
                    table: table_id.to_string(),
                    row: None,
                    column: None,
                }),
            }]
        } else {
            assumed_rows
                .iter()
                .enumerate()
                .map(|(i, (row, span, rules))| FindingLabel {
                    span: *span,
                    text: format!(
                        "{row}：假定{} 成立后选定的拆分",
                        rules
                            .iter()
                            .map(|n| format!("规则 {n}"))
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                    primary: i == 0,
                    place: Some(Place {
                        table: table_id.to_string(),
                        row: Some(row.clone()),
                        column: None,
                    }),
                })
                .collect()
        };
        notes.push(Finding {
            rule: rule.id.to_string(),
            severity: rule.severity,
            message,
            help: Some(rule.help.to_string()),
            reference: None,
            labels,
            fingerprint: String::new(),
            review: None,
        });
    }
    notes
}

/// Document-level findings (no label) first, then by the primary label's position.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by_key(|f| {
        let pos = f
            .labels
            .iter()
            .find(|l| l.primary)
            .or(f.labels.first())
            .map(|l| l.span.offset);
        (pos, f.rule.clone())
    });
}

/// What a missing-thing problem is about, in the keys `present()` records.
fn missing_key(p: &nianbao_model::Problem) -> Option<String> {
    match p.kind {
        ProblemKind::MissingSection => p.section.as_ref().map(|s| format!("section:{s}")),
        ProblemKind::MissingTable => p.table.as_ref().map(|t| format!("table:{t}")),
        ProblemKind::MissingRow => Some(format!("row:{}:{}", p.table.as_deref()?, p.row.as_deref()?)),
        _ => None,
    }
}

/// A quantified variable's value. Ids are borrowed from the schema and the
/// rule (both outlive the evaluation): binding and reading a variable, done
/// for every cell of every rule, allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Binding<'a> {
    Column {
        id: &'a str,
    },
    Row {
        id: &'a str,
    },
    Cell {
        table: &'a str,
        row: &'a str,
        column: &'a str,
    },
    Section {
        id: &'a str,
    },
}

/// A number with the decimals it was printed with (`None`: exact, a literal).
#[derive(Debug, Clone, Copy)]
struct Num {
    value: Decimal,
    decimals: Option<u32>,
}

impl Num {
    const ZERO: Num = Num {
        value: Decimal::ZERO,
        decimals: None,
    };

    /// A whole number as a literal gives it.
    fn whole(n: usize) -> Num {
        Num {
            value: Decimal::from(n),
            decimals: None,
        }
    }

    /// The sum, printed to the precision of the less precise operand.
    fn checked_add(self, other: Num) -> Option<Num> {
        Some(Num {
            value: self.value.checked_add(other.value)?,
            decimals: min_decimals(self.decimals, other.decimals),
        })
    }
}

/// What `and`, `or`, `not` and `-` need of a value: one meaning of each for
/// the evaluation's [`Scalar`], its shortcuts' verdicts and the reference
/// interpreter's values (tests only).
trait Logic: Sized {
    fn as_bool(&self) -> Option<bool>;
    fn from_bool(b: bool) -> Self;
    fn as_num(&self) -> Option<Num>;
    fn from_num(n: Num) -> Self;
}

impl Logic for Scalar<'_> {
    fn as_bool(&self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn from_bool(b: bool) -> Self {
        Scalar::Bool(b)
    }
    fn as_num(&self) -> Option<Num> {
        match self {
            Scalar::Num(n) => Some(*n),
            _ => None,
        }
    }
    fn from_num(n: Num) -> Self {
        Scalar::Num(n)
    }
}

/// `a and b`: a false side decides, even when the other is not applicable;
/// `b` is not evaluated when `a` is false.
fn logic_and<V: Logic>(a: Option<V>, b: impl FnOnce() -> Option<V>) -> Option<V> {
    let left = a.as_ref().and_then(V::as_bool);
    if left == Some(false) {
        return a;
    }
    let b = b();
    match (left, b.as_ref().and_then(V::as_bool)) {
        (Some(true), _) => b,
        (_, Some(false)) => Some(V::from_bool(false)),
        _ => None,
    }
}

/// `a or b`: a true side decides, even when the other is not applicable.
fn logic_or<V: Logic>(a: Option<V>, b: impl FnOnce() -> Option<V>) -> Option<V> {
    let left = a.as_ref().and_then(V::as_bool);
    if left == Some(true) {
        return a;
    }
    let b = b();
    match (left, b.as_ref().and_then(V::as_bool)) {
        (Some(false), _) => b,
        (_, Some(true)) => Some(V::from_bool(true)),
        _ => None,
    }
}

fn logic_not<V: Logic>(v: Option<V>) -> Option<V> {
    Some(V::from_bool(!v?.as_bool()?))
}

fn logic_neg<V: Logic>(v: Option<V>) -> Option<V> {
    let n = v?.as_num()?;
    Some(V::from_num(Num {
        value: -n.value,
        decimals: n.decimals,
    }))
}

/// A cell's number, with the decimals it was printed with.
fn cell_num(cell: &Cell) -> Option<Num> {
    match &cell.value {
        CellValue::Integer(i) => Some(Num {
            value: Decimal::from(*i),
            decimals: Some(0),
        }),
        CellValue::Decimal(d) => Some(Num {
            value: *d,
            decimals: Some(d.scale()),
        }),
        _ => None,
    }
}

/// A test on a label as printed (`None`: not printed): `missing`, `exact`,
/// `variant`, `approximate`, `different`.
fn label_test(label: Option<&LabelUse>, test: Test) -> bool {
    match (label, test) {
        (None, Test::Missing) => true,
        (None, _) => false,
        (Some(_), Test::Missing) => false,
        (Some(l), Test::Exact) => l.matched == LabelMatch::Exact,
        (Some(l), Test::Variant) => matches!(l.matched, LabelMatch::Variant { .. }),
        (Some(l), Test::Approximate) => matches!(l.matched, LabelMatch::Approximate { .. }),
        (Some(l), _) => matches!(l.matched, LabelMatch::Different { .. }),
    }
}

/// The bit of a label's class: all [`label_test`] tells labels apart by
/// (not printed, exact, variant, approximate, different).
fn label_class(label: Option<&LabelUse>) -> u8 {
    match label.map(|l| &l.matched) {
        None => 1,
        Some(LabelMatch::Exact) => 2,
        Some(LabelMatch::Variant { .. }) => 4,
        Some(LabelMatch::Approximate { .. }) => 8,
        Some(LabelMatch::Different { .. }) => 16,
        Some(LabelMatch::Fragment) => 32,
    }
}

/// A test on a cell's value (`kind`: its column's kind in the schema);
/// `None` where the test does not apply (`whole` of a cell without a number).
fn cell_test(cell: &Cell, kind: Option<ValueKind>, test: Test) -> Option<bool> {
    let value = &cell.value;
    Some(match test {
        Test::Filled => *value != CellValue::Blank,
        Test::Blank => *value == CellValue::Blank,
        Test::Number => matches!(value, CellValue::Integer(_) | CellValue::Decimal(_)),
        Test::Whole => match value {
            CellValue::Integer(_) => true,
            CellValue::Decimal(d) => d.fract().is_zero(),
            _ => return None,
        },
        Test::Count => matches!(kind, Some(ValueKind::Count | ValueKind::SignedCount)),
        Test::Signed => kind == Some(ValueKind::SignedCount),
        Test::Amount => kind == Some(ValueKind::Amount),
        _ => return None,
    })
}

fn min_decimals(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// A value that is a number, condition, date or borrowed text: what plans
/// compute with (copied, never allocated).
#[derive(Debug, Clone, Copy)]
enum Scalar<'a> {
    Num(Num),
    Bool(bool),
    Date(Date),
    Text(&'a str),
    /// A label as printed (`None`: not printed).
    Label(Option<&'a LabelUse>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// A cell's table, row and column ids, as the schema spells them.
type CellIds = (&'static str, &'static str, &'static str);

/// What a rule's references mean before any report is looked at: the
/// format's template and the variables bound so far: how the plan expands
/// bindings and resolves references once per format (and the reference
/// interpreter, in tests, as it goes).
struct Scope<'s, 'a> {
    template: &'static nianbao_model::Template,
    bindings: &'s [(&'a str, Binding<'a>)],
}

impl<'a> Scope<'_, 'a> {
    fn schema(&self, table: &str) -> Option<&'static TableSchema> {
        self.template.table(table)
    }

    /// The values a quantified variable takes, in template order. Every id is
    /// the schema's own string, so a binding outlives the rule set.
    fn domain(&self, q: &Quantifier) -> Vec<Binding<'static>> {
        let mut out = Vec::new();
        for d in &q.domains {
            match d {
                Domain::Sections => out.extend(
                    self.template
                        .sections
                        .iter()
                        .map(|s| Binding::Section { id: s.id }),
                ),
                Domain::Table(t) => {
                    let Some(ts) = self.schema(t) else { continue };
                    match q.kind {
                        VarKind::Column => {
                            out.extend(ts.columns.iter().map(|c| Binding::Column { id: c.id }))
                        }
                        VarKind::Row => out.extend(ts.value_rows().map(|r| Binding::Row { id: r.id })),
                        VarKind::RowGroup => out.extend(
                            ts.rows
                                .iter()
                                .filter(|r| r.kind == RowKind::Group)
                                .map(|r| Binding::Row { id: r.id }),
                        ),
                        VarKind::ColumnGroup => out.extend(
                            nianbao_rules::check::leaf_column_groups(ts)
                                .into_iter()
                                .map(|g| Binding::Column { id: g }),
                        ),
                        VarKind::Cell => {
                            for r in ts.value_rows() {
                                for c in ts.row_columns(r) {
                                    out.push(Binding::Cell {
                                        table: ts.id,
                                        row: r.id,
                                        column: c.id,
                                    });
                                }
                            }
                        }
                        VarKind::Section => {}
                    }
                }
                Domain::RowGroup { table, group } => {
                    let Some(ts) = self.schema(table) else { continue };
                    for r in ts.sub_rows(group) {
                        if q.kind == VarKind::Cell {
                            for c in ts.row_columns(r) {
                                out.push(Binding::Cell {
                                    table: ts.id,
                                    row: r.id,
                                    column: c.id,
                                });
                            }
                        } else {
                            out.push(Binding::Row { id: r.id });
                        }
                    }
                }
                Domain::ColumnGroup { table, group } => {
                    let Some(ts) = self.schema(table) else { continue };
                    out.extend(ts.group_columns(group).map(|c| Binding::Column { id: c.id }));
                }
            }
        }
        out
    }

    fn binding(&self, var: &str) -> Option<Binding<'a>> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| *n == var)
            .map(|(_, b)| *b)
    }

    /// The ids a coordinate stands for in the current binding.
    fn coord_ids(&self, table: &str, c: &Coord, row_axis: bool) -> Option<Vec<String>> {
        let ts = self.schema(table)?;
        Some(match c {
            Coord::Id(id) => vec![id.clone()],
            Coord::Var(v) => vec![match self.binding(v)? {
                Binding::Column { id } | Binding::Row { id } | Binding::Section { id } => id.to_string(),
                Binding::Cell { .. } => return None,
            }],
            Coord::Member { var, item } => {
                let base = match self.binding(var)? {
                    Binding::Column { id } | Binding::Row { id } => id,
                    _ => return None,
                };
                vec![format!("{base}.{item}")]
            }
            Coord::Children(inner) => {
                let group = self.coord_ids(table, inner, row_axis)?.into_iter().next()?;
                if row_axis {
                    ts.sub_rows(&group).map(|r| r.id.to_string()).collect()
                } else {
                    ts.group_columns(&group).map(|c| c.id.to_string()).collect()
                }
            }
            Coord::All => {
                if row_axis {
                    ts.value_rows().map(|r| r.id.to_string()).collect()
                } else {
                    ts.columns.iter().map(|c| c.id.to_string()).collect()
                }
            }
            Coord::Unresolved(_) => return None,
        })
    }

    /// The (table, row, column) ids of the cells a reference stands for, as
    /// the schema's own strings: a sum over a group allocates one vector,
    /// not three strings per cell.
    fn cells_of(&self, c: &nianbao_rules::ast::CellRef) -> Option<Vec<CellIds>> {
        let rows = self.coord_ids(&c.table, &c.row, true)?;
        let cols = match &c.column {
            Some(col) => self.coord_ids(&c.table, col, false)?,
            None => self
                .schema(&c.table)?
                .columns
                .iter()
                .map(|c| c.id.to_string())
                .collect(),
        };
        let ts = self.schema(&c.table)?;
        let mut out = Vec::new();
        for r in &rows {
            let Some(rs) = ts.row(r) else { continue };
            for col in &cols {
                if let Some(cs) = ts.row_columns(rs).find(|cs| cs.id == col) {
                    out.push((ts.id, rs.id, cs.id));
                }
            }
        }
        Some(out)
    }
}

/// `chars(text)`: the characters that carry meaning (no spacing or punctuation).
fn significant_chars(t: &str) -> Num {
    let n = significant_char_count(t, usize::MAX);
    Num {
        value: Decimal::from(n),
        decimals: Some(0),
    }
}

/// How many characters of `t` carry meaning, counted up to `cap` (comparing
/// the count with a number needs no more than one past it).
fn significant_char_count(t: &str, cap: usize) -> usize {
    t.chars()
        .filter(|c| !nianbao_model::label::is_insignificant(*c))
        .take(cap)
        .count()
}

/// A metadata field's value (`None`: not found in the report).
fn meta_value(report: &Report, field: MetaField) -> Option<Scalar<'_>> {
    let m = &report.metadata;
    Some(match field {
        MetaField::Year => Scalar::Num(Num {
            value: Decimal::from(m.year.as_ref()?.value),
            decimals: Some(0),
        }),
        MetaField::Title => Scalar::Text(&m.title.as_ref()?.value),
        MetaField::Body => Scalar::Text(&m.body.as_ref()?.value),
        MetaField::Published => Scalar::Date(m.published.as_ref()?.value),
        MetaField::PeriodStart => Scalar::Date(m.period.as_ref()?.value.start),
        MetaField::PeriodEnd => Scalar::Date(m.period.as_ref()?.value.end),
        MetaField::Format => Scalar::Num(Num {
            value: Decimal::from(if report.format == nianbao_model::Format::V2019 {
                2019
            } else {
                2021
            }),
            decimals: Some(0),
        }),
    })
}

/// A place in the report a check looked at; `T` says what it is (a text
/// written out already, or a cell written out only if the check fails).
#[derive(Debug, Clone)]
struct Touch<T> {
    span: Span,
    text: T,
    side: Option<Side>,
    /// How much of a total this place is (0: an operand; a total row or
    /// group row 2, a total column 1, both 3): the highest is most likely wrong.
    total: u8,
}

/// A failing check's labels from the places it looked at: each place once,
/// the blamed ones primary (by `blame`; with no total involved the left
/// side, else the first place), primary first, then in the text's order.
/// `describe` writes a place's label text and its template place.
fn finding_labels<T>(
    touched: &[Touch<T>],
    blame: Blame,
    describe: impl Fn(&T) -> (String, Option<Place>),
) -> Vec<FindingLabel> {
    let mut uniq: Vec<&Touch<T>> = Vec::new();
    for t in touched {
        if !uniq.iter().any(|u| u.span == t.span) {
            uniq.push(t);
        }
    }
    let top = uniq.iter().map(|t| t.total).max().unwrap_or(0);
    let is_primary = |t: &Touch<T>| match blame {
        Blame::Left => t.side == Some(Side::Left),
        Blame::Right => t.side == Some(Side::Right),
        Blame::Totals => top > 0 && t.total == top,
    };
    let mut primary: Vec<bool> = uniq.iter().map(|t| is_primary(t)).collect();
    if !primary.iter().any(|p| *p) {
        // No total involved: blame the left side, else whatever was looked at.
        for (p, t) in primary.iter_mut().zip(&uniq) {
            *p = t.side == Some(Side::Left);
        }
        if !primary.iter().any(|p| *p) {
            if let Some(first) = primary.first_mut() {
                *first = true;
            }
        }
    }
    let mut labels: Vec<FindingLabel> = uniq
        .iter()
        .zip(primary)
        .map(|(t, primary)| {
            let (text, place) = describe(&t.text);
            FindingLabel {
                span: t.span,
                text,
                primary,
                place,
            }
        })
        .collect();
    labels.sort_by_key(|l| (!l.primary, l.span.offset));
    labels
}

/// "一、本年新收… 自然人 8" for a cell looked at, and its template place.
fn cell_text(report: &Report, table: &str, row: &str, column: &str, cell: &Cell) -> (String, Option<Place>) {
    let value = if cell.value == CellValue::Blank {
        "（空）".to_string()
    } else {
        cell.value.to_string()
    };
    let place = Place {
        table: table.to_string(),
        row: Some(row.to_string()),
        column: Some(column.to_string()),
    };
    (
        format!("{} {value}", cell_label(report, table, row, column)),
        Some(place),
    )
}

/// Where a text a rule reads is in the report's source text.
#[derive(Debug, Clone, Copy)]
enum TextPlace {
    /// The text is the source from this offset on.
    From(usize),
    /// A section's body, read from the report's rendering.
    Body(Span),
}

impl TextPlace {
    /// Where bytes `start..end` of the text are in the report's source (a
    /// page's section reads from its rendering: back to the page).
    fn source_span(self, report: &Report, start: usize, end: usize) -> Option<Span> {
        match self {
            TextPlace::From(base) => Some(Span::new(base + start, end.saturating_sub(start))),
            TextPlace::Body(body) => report.rendered_slice(body)?.source_span(start, end),
        }
    }
}

/// "一、本年新收… 自然人" for a cell: its row's and column's names in findings.
fn cell_label(report: &Report, table: &str, row: &str, column: &str) -> String {
    let Some(ts) = report.template().table(table) else {
        return format!("{row} {column}");
    };
    let labels = CellLabels::of(report.format);
    let col = match labels.columns.get(ts.id).and_then(|t| t.get(column)) {
        Some(label) => label.clone(),
        None => column_label(ts, column),
    };
    if ts.rows.len() == 1 {
        return col;
    }
    match labels.rows.get(ts.id).and_then(|t| t.get(row)) {
        Some(label) => format!("{label} {col}"),
        None => format!("{} {col}", row_label_short(ts, row)),
    }
}

/// How much of a total a cell is: a total or group row 2, a total column
/// 1, both 3, an operand 0 (blame goes to the highest).
fn total_score(report: &Report, table: &str, row: &str, column: &str) -> u8 {
    let group_row = report
        .template()
        .table(table)
        .and_then(|ts| ts.row(row))
        .is_some_and(|r| r.kind == RowKind::Group);
    let row_score = if row == "total" || group_row { 2 } else { 0 };
    let column_score = u8::from(column == "total" || column.ends_with(".total"));
    row_score + column_score
}

/// Where a metadata field is printed, and what a finding calls it.
fn meta_pointer(report: &Report, field: MetaField) -> Option<(Span, String)> {
    let m = &report.metadata;
    match field {
        MetaField::Year => m.year.as_ref().map(|y| (y.span, format!("年度 {}", y.value))),
        MetaField::Title => m.title.as_ref().map(|t| (t.span, "标题".to_string())),
        MetaField::Body => m.body.as_ref().map(|b| (b.span, "发布机关".to_string())),
        MetaField::Published => m
            .published
            .as_ref()
            .map(|p| (p.span, format!("发布日期 {}", p.value))),
        MetaField::PeriodStart | MetaField::PeriodEnd => {
            m.period.as_ref().map(|p| (p.span, "统计期限".to_string()))
        }
        MetaField::Format => None,
    }
}

/// For a column header that is not printed: the header printed before it
/// in the template's order, where it belongs.
fn missing_header_pointer(report: &Report, table: &str, column: &str) -> Option<(Span, String)> {
    let (t, ts) = (report.tables.get(table)?, report.template().table(table)?);
    let pos = ts.columns.iter().position(|col| col.id == column)?;
    let h = ts.columns[..pos]
        .iter()
        .rev()
        .find_map(|col| t.headers.iter().find(|h| h.target == col.id))?;
    Some((h.span, format!("“{}”列标题应在其后", ts.columns[pos].label)))
}

/// A section that is not there: the heading of the next section printed
/// (it belongs before it), else of the one before.
fn missing_section_pointer(report: &Report, id: &str) -> Option<(Span, String)> {
    let tpl = report.template();
    let pos = tpl.sections.iter().position(|s| s.id == id)?;
    let label = tpl.sections[pos].label;
    let heading =
        |s: &nianbao_model::Section| s.heading.as_ref().map_or(Span::new(s.span.offset, 0), |h| h.span);
    let next = tpl.sections[pos + 1..]
        .iter()
        .find_map(|s| report.sections.get(s.id))
        .map(|s| (heading(s), format!("“{label}”应在此前")));
    next.or_else(|| {
        tpl.sections[..pos]
            .iter()
            .rev()
            .find_map(|s| report.sections.get(s.id))
            .map(|s| (heading(s), format!("“{label}”应在此后")))
    })
}

/// A row that is not there: the row printed before it where the template
/// has it (its label, else its first cell), else the table's start.
fn missing_row_pointer(report: &Report, table: &str, id: &str) -> Option<Span> {
    let (t, ts) = (report.tables.get(table)?, report.template().table(table)?);
    ts.row(id)?;
    let before = ts.rows.iter().take_while(|r| r.id != id).collect::<Vec<_>>();
    before
        .iter()
        .rev()
        .find_map(|r| t.rows.get(r.id))
        .and_then(|r| {
            r.label
                .as_ref()
                .map(|l| l.span)
                .or_else(|| r.cells.values().next().map(|c| c.span))
        })
        .or(Some(Span::new(t.span.offset, 0)))
}

/// The first number of a row, for `has_numbers`.
fn first_number_pointer(
    report: &Report,
    table: &str,
    id: &str,
    row: &nianbao_model::Row,
) -> Option<(Span, String)> {
    let (col, c) = row.cells.iter().find(|(_, c)| c.value.number().is_some())?;
    Some((
        c.span,
        format!("{} {}", cell_label(report, table, id, col), c.value),
    ))
}

fn show_scalar(v: &Scalar<'_>) -> String {
    match v {
        Scalar::Num(n) => n.value.to_string(),
        Scalar::Bool(b) => if *b { "是" } else { "否" }.into(),
        Scalar::Text(t) => t.to_string(),
        Scalar::Date(d) => format!("{}年{}月{}日", d.year, d.month, d.day),
        Scalar::Label(l) => l.map_or("（无）".into(), |l| l.text.clone()),
    }
}

fn section_label(id: &str) -> String {
    nianbao_model::template(nianbao_model::Format::V2021)
        .section(id)
        .map_or(id.to_string(), |s| s.label.to_string())
}

/// A row's label without numbering or parenthetical notes.
fn row_label(ts: &TableSchema, id: &str) -> String {
    let Some(r) = ts.row(id) else {
        return id.to_string();
    };
    let n = normalize(r.label);
    let bare = split_numbering(&n).1;
    let cut = bare.find('(').map_or(bare, |i| &bare[..i]);
    cut.to_string()
}

/// A short row label for cell labels: numbering plus the first words.
fn row_label_short(ts: &TableSchema, id: &str) -> String {
    let Some(r) = ts.row(id) else {
        return id.to_string();
    };
    let full = row_label(ts, id);
    let short: String = if full.chars().count() > 8 {
        full.chars().take(6).chain(['…']).collect()
    } else {
        full
    };
    format!("{}{short}", r.numbering)
}

/// A column's label, with its group's where the label alone is ambiguous (总计).
fn column_label(ts: &TableSchema, id: &str) -> String {
    let Some(c) = ts.column(id) else {
        return id.to_string();
    };
    let dup = ts.columns.iter().filter(|o| o.label == c.label).count() > 1;
    match (dup, c.group.and_then(|g| ts.column_group(g))) {
        (true, Some(g)) => {
            let parent = g.parent.and_then(|p| ts.column_group(p));
            match parent {
                Some(p) => format!("{}（{}）{}", p.label, g.label, c.label),
                None => format!("{}{}", g.label, c.label),
            }
        }
        _ => c.label.to_string(),
    }
}

/// `+`, `-`, `×` of two numbers, to the precision of the less precise one.
fn arith_nums(op: BinOp, x: Num, y: Num) -> Option<Num> {
    let value = match op {
        BinOp::Add => x.value.checked_add(y.value)?,
        BinOp::Sub => x.value.checked_sub(y.value)?,
        BinOp::Mul => x.value.checked_mul(y.value)?,
        _ => return None,
    };
    Some(Num {
        value,
        decimals: min_decimals(x.decimals, y.decimals),
    })
}

/// Two numbers ordered at the precision of the less precise one.
fn num_ordering(x: Num, y: Num) -> std::cmp::Ordering {
    // Values at the same scale (most: whole counts) compare by their
    // integer mantissas, without Decimal's general comparison.
    let cmp = |a: Decimal, b: Decimal| {
        if a.scale() == b.scale() {
            a.mantissa().cmp(&b.mantissa())
        } else {
            a.cmp(&b)
        }
    };
    match min_decimals(x.decimals, y.decimals) {
        // Rounding is the identity for values with no more places.
        Some(d) => {
            let round = |v: Decimal| if v.scale() <= d { v } else { v.round_dp(d) };
            cmp(round(x.value), round(y.value))
        }
        None => cmp(x.value, y.value),
    }
}

/// Whether a comparison holds for two values so ordered (`None`: `op` compares nothing).
#[inline]
fn comparison_holds(op: BinOp, ord: std::cmp::Ordering) -> Option<bool> {
    use std::cmp::Ordering;
    Some(match op {
        BinOp::Eq => ord == Ordering::Equal,
        BinOp::Ne => ord != Ordering::Equal,
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Le => ord != Ordering::Greater,
        BinOp::Gt => ord == Ordering::Greater,
        BinOp::Ge => ord != Ordering::Less,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Num {
        let d: Decimal = s.parse().unwrap_or_default();
        Num {
            value: d,
            decimals: Some(d.scale()),
        }
    }

    #[test]
    fn amounts_compare_at_the_least_precise_decimals() {
        use std::cmp::Ordering::{Equal, Greater};
        // 7730.28 printed with two decimals vs a sum known to three.
        assert_eq!(num_ordering(num("7730.28"), num("7730.281")), Equal);
        assert_ne!(num_ordering(num("7730.28"), num("7730.29")), Equal);
        assert_eq!(num_ordering(num("7730.3"), num("7730.28")), Equal);
        assert_eq!(num_ordering(num("8"), num("7")), Greater);
    }

    /// The plan decides label tests by class ([`label_class`]): every
    /// outcome of [`label_test`] must be a function of it.
    #[test]
    fn label_tests_depend_only_on_the_label_class() {
        let label = |matched| LabelUse {
            target: "t".into(),
            text: "x".into(),
            span: Span::new(0, 1),
            matched,
        };
        let labels = [
            None,
            Some(label(LabelMatch::Exact)),
            Some(label(LabelMatch::Variant { variant: "v".into() })),
            Some(label(LabelMatch::Variant {
                variant: String::new(),
            })),
            Some(label(LabelMatch::Approximate { distance: 1 })),
            Some(label(LabelMatch::Approximate { distance: 3 })),
            Some(label(LabelMatch::Different { other: None })),
            Some(label(LabelMatch::Different {
                other: Some("total".into()),
            })),
            Some(label(LabelMatch::Fragment)),
        ];
        let tests = [
            Test::Missing,
            Test::Exact,
            Test::Variant,
            Test::Approximate,
            Test::Different,
        ];
        for a in &labels {
            for b in &labels {
                if label_class(a.as_ref()) == label_class(b.as_ref()) {
                    for t in tests {
                        assert_eq!(
                            label_test(a.as_ref(), t),
                            label_test(b.as_ref(), t),
                            "{a:?} {b:?} {t:?}"
                        );
                    }
                }
            }
        }
        let mut classes: Vec<u8> = labels.iter().map(|l| label_class(l.as_ref())).collect();
        classes.sort_unstable();
        classes.dedup();
        assert_eq!(classes, [1, 2, 4, 8, 16, 32]);
        // A fragment passes no test: not missing, not a typo, not different.
        let fragment = label(LabelMatch::Fragment);
        assert!(tests.iter().all(|t| !label_test(Some(&fragment), *t)));
    }

    /// The cached names of rows and columns are those worked out directly.
    #[test]
    fn cell_labels_are_the_labels_worked_out() {
        for format in [nianbao_model::Format::V2021, nianbao_model::Format::V2019] {
            let labels = CellLabels::of(format);
            for ts in &nianbao_model::template(format).tables {
                for r in &ts.rows {
                    assert_eq!(labels.rows[ts.id][r.id], row_label_short(ts, r.id));
                }
                for c in &ts.columns {
                    assert_eq!(labels.columns[ts.id][c.id], column_label(ts, c.id));
                }
            }
        }
        let ts = nianbao_model::template(nianbao_model::Format::V2021)
            .table("requests")
            .expect("the requests table");
        assert_eq!(
            CellLabels::of(nianbao_model::Format::V2021).rows["requests"]["new"],
            row_label_short(ts, "new")
        );
        assert!(
            row_label_short(ts, "new").starts_with("一、本年新收"),
            "{}",
            row_label_short(ts, "new")
        );
    }

    #[test]
    fn every_problem_kind_has_its_own_rule_id() {
        let mut ids: Vec<&str> = EXTRACTION_RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), EXTRACTION_RULES.len());
    }
}
