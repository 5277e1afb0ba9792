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

pub mod cases;
mod number;
mod plan;
mod unread;

use crate::finding::{Evaluation, Finding, FindingLabel, Place, Reading, ReadingStatus, Unchecked};
use nianbao_model::label::{normalize, split_numbering};
use nianbao_model::{
    Cell, CellValue, Date, Decimal, LabelMatch, LabelUse, ProblemClass, ProblemKind, Report, RowKind, Span,
    TableSchema, ValueKind,
};
use nianbao_rules::ast::{
    BinOp, Blame, Coord, Domain, Expr, ExprKind, Func, MetaField, Piece, Quantifier, SideValue, Template,
    Test, VarKind,
};
use nianbao_rules::{Rule, RuleSet, Severity};
use number::number_in;
use plan::{Plan, SharedPatterns};
use rustc_hash::FxHashMap;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
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

/// [`evaluate`] by the interpreter alone, every binding of every rule: the
/// reference the plans are tested against (tests/plan_equivalence.rs).
#[doc(hidden)]
pub fn evaluate_interpreted(rules: &RuleSet, report: &Report, previous: Option<&Report>) -> Evaluation {
    evaluate_planned(rules, &Plan::interpreted(rules), report, previous)
}

fn evaluate_planned(rules: &RuleSet, plan: &Plan, report: &Report, previous: Option<&Report>) -> Evaluation {
    let mut findings = Vec::new();
    let mut reported_missing: Vec<String> = Vec::new();
    let unread = Unread::of(report);
    let mut unchecked: Vec<Unchecked> = Vec::new();
    let dense = plan.dense(report);
    // The interpreter's indexes, built only for rules it runs whole (every
    // binding); the few bindings that fail look their cells up directly.
    let cells = OnceCell::new();
    let previous_cells = OnceCell::new();
    let mut failing = Vec::new();
    for (rule, rule_plan) in rules.rules.iter().zip(&plan.rules) {
        if rule.cross_year && previous.is_none() {
            continue;
        }
        // With places not read that the rule may read, every binding is run, so that each one
        // reading such a place is known (and not checked), whatever the
        // plan would decide from the places that were read.
        let whole = rule_plan.instances.is_none() || unread.concerns(rule_plan.reads_published);
        // An index of the cells pays for itself over a rule's many bindings,
        // not for a rule without quantifiers (one binding).
        let indexed = whole && !rule.quantifiers.is_empty();
        let interpreter = |bindings| Evaluator {
            report,
            previous,
            cells: indexed.then(|| cells.get_or_init(|| CellIndex::new(report))),
            previous_cells: previous
                .filter(|_| indexed)
                .map(|p| previous_cells.get_or_init(|| CellIndex::new(p))),
            rule,
            patterns: &plan.patterns,
            bindings,
            touched: Vec::new(),
            side: None,
            missing: Vec::new(),
            unread: &unread,
            unread_hits: RefCell::new(Vec::new()),
            unchecked: Vec::new(),
            unchecked_count: 0,
        };
        let mut not_checked = (0usize, Vec::new());
        let mut gather = |ev: Evaluator| {
            not_checked.0 += ev.unchecked_count;
            for place in ev.unchecked {
                if !not_checked.1.contains(&place) {
                    not_checked.1.push(place);
                }
            }
        };
        match &rule_plan.instances {
            Some(instances) if !whole => {
                rule_plan.failing(&dense, &mut failing);
                for inst in failing.iter().filter_map(|i| instances.get(*i)) {
                    let bindings: Vec<(&str, Binding)> = rule
                        .quantifiers
                        .iter()
                        .zip(&inst.bindings)
                        .map(|(q, b)| (q.var.as_str(), *b))
                        .collect();
                    let mut ev = interpreter(bindings);
                    ev.instance(&mut findings, &mut reported_missing);
                    gather(ev);
                }
            }
            _ => {
                let mut ev = interpreter(Vec::new());
                ev.run(0, &mut findings, &mut reported_missing);
                gather(ev);
            }
        }
        if not_checked.0 > 0 {
            unchecked.push(Unchecked {
                rule: rule.id.clone(),
                instances: not_checked.0,
                unread: not_checked.1,
            });
        }
    }
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

    /// The sum, printed to the precision of the less precise operand.
    fn checked_add(self, other: Num) -> Option<Num> {
        Some(Num {
            value: self.value.checked_add(other.value)?,
            decimals: min_decimals(self.decimals, other.decimals),
        })
    }
}

/// What `and`, `or`, `not` and `-` need of a value; the interpreter's
/// [`Val`] and the plan's [`Scalar`] share one meaning of each through it.
trait Logic: Sized {
    fn as_bool(&self) -> Option<bool>;
    fn from_bool(b: bool) -> Self;
    fn as_num(&self) -> Option<Num>;
    fn from_num(n: Num) -> Self;
}

impl Logic for Val {
    fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn from_bool(b: bool) -> Self {
        Val::Bool(b)
    }
    fn as_num(&self) -> Option<Num> {
        match self {
            Val::Num(n) => Some(*n),
            _ => None,
        }
    }
    fn from_num(n: Num) -> Self {
        Val::Num(n)
    }
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

#[derive(Debug, Clone)]
enum Val {
    Num(Num),
    Bool(bool),
    Text(String),
    Date(Date),
    Cells(Vec<(String, String, String)>),
    Row { table: String, id: String },
    Column { table: String, id: String },
    Section(String),
    Label(Option<LabelUse>),
    Table(String),
}

/// A value that is a number, condition, date or borrowed text: what plans
/// compute with (copied, never allocated).
#[derive(Debug, Clone, Copy)]
enum Scalar<'a> {
    Num(Num),
    Bool(bool),
    Date(Date),
    Text(&'a str),
}

impl From<Scalar<'_>> for Val {
    fn from(s: Scalar<'_>) -> Val {
        match s {
            Scalar::Num(n) => Val::Num(n),
            Scalar::Bool(b) => Val::Bool(b),
            Scalar::Date(d) => Val::Date(d),
            Scalar::Text(t) => Val::Text(t.to_string()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// What a label says: written out only when a check fails.
#[derive(Debug, Clone)]
enum TouchText {
    Text(String),
    /// A cell of this year's report, by its indices in the report's maps
    /// (table, row, cell), so that reading a cell allocates nothing.
    Cell(usize, usize, usize),
}

/// A place in the report a check looked at.
#[derive(Debug, Clone)]
struct Touch {
    span: Span,
    text: TouchText,
    side: Option<Side>,
    /// How much of a total this place is (0: an operand; a total row or
    /// group row 2, a total column 1, both 3): the highest is most likely wrong.
    total: u8,
}

/// Every cell of a report by (table, row, column), with its indices in the
/// report's maps: one lookup instead of three, for rules the interpreter
/// runs whole (bindings that fail look up the report's maps directly: too
/// few to pay for building this). Keyed by ids a JSON report chose, so
/// std's randomly keyed hasher (crafted ids cannot degrade the map).
struct CellIndex<'r> {
    cells: HashMap<CellKey<'r>, IndexedCell<'r>>,
}

/// (table id, row id, column id).
type CellKey<'r> = (&'r str, &'r str, &'r str);
/// The cell's table, row and column positions in the report's maps, and the cell.
type IndexedCell<'r> = (usize, usize, usize, &'r Cell);

impl<'r> CellIndex<'r> {
    fn new(report: &'r Report) -> Self {
        let mut cells = HashMap::new();
        for (ti, (tid, t)) in report.tables.iter().enumerate() {
            for (ri, (rid, r)) in t.rows.iter().enumerate() {
                for (ci, (cid, cell)) in r.cells.iter().enumerate() {
                    cells.insert((tid.as_str(), &**rid, &**cid), (ti, ri, ci, cell));
                }
            }
        }
        CellIndex { cells }
    }

    fn get(&self, table: &str, row: &str, column: &str) -> Option<(usize, usize, usize, &'r Cell)> {
        self.cells.get(&(table, row, column)).copied()
    }
}

/// A cell of `report` with its indices in the report's maps, looked up there.
fn cell_at<'r>(report: &'r Report, table: &str, row: &str, column: &str) -> Option<IndexedCell<'r>> {
    let (ti, _, t) = report.tables.get_full(table)?;
    let (ri, _, r) = t.rows.get_full(row)?;
    let (ci, _, cell) = r.cells.get_full(column)?;
    Some((ti, ri, ci, cell))
}

/// A cell's table, row and column ids, as the schema spells them.
type CellIds = (&'static str, &'static str, &'static str);

/// What a rule's references mean before any report is looked at: the
/// format's template and the variables bound so far. The interpreter and the
/// plan (which resolves references once per format) share it.
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

struct Evaluator<'a> {
    report: &'a Report,
    previous: Option<&'a Report>,
    /// Indexes of this year's and last year's cells (`None`: look up in the report's maps).
    cells: Option<&'a CellIndex<'a>>,
    previous_cells: Option<&'a CellIndex<'a>>,
    rule: &'a Rule,
    /// The shared copies of the rule set's patterns (see [`SharedPatterns`]).
    patterns: &'a SharedPatterns,
    bindings: Vec<(&'a str, Binding<'a>)>,
    touched: Vec<Touch>,
    side: Option<Side>,
    /// Things `present()` found missing in the current binding.
    missing: Vec<String>,
    /// The report's places not read.
    unread: &'a Unread,
    /// Those the current binding looked at (positions in `unread`).
    unread_hits: RefCell<Vec<usize>>,
    /// The places not read of the bindings not checked, and how many.
    unchecked: Vec<String>,
    unchecked_count: usize,
}

impl<'a> Evaluator<'a> {
    fn run(&mut self, depth: usize, findings: &mut Vec<Finding>, reported_missing: &mut Vec<String>) {
        let Some(q) = self.rule.quantifiers.get(depth) else {
            self.instance(findings, reported_missing);
            return;
        };
        for b in self.scope().domain(q) {
            self.bindings.push((q.var.as_str(), b));
            self.run(depth + 1, findings, reported_missing);
            self.bindings.pop();
        }
    }

    fn schema(&self, table: &str) -> Option<&'static TableSchema> {
        self.scope().schema(table)
    }

    /// The schema-level view of this evaluation: the format's template and the bindings.
    fn scope(&self) -> Scope<'_, 'a> {
        Scope {
            template: self.report.template(),
            bindings: &self.bindings,
        }
    }

    fn instance(&mut self, findings: &mut Vec<Finding>, reported_missing: &mut Vec<String>) {
        let mut guard_touched = Vec::new();
        self.unread_hits.get_mut().clear();
        if let Some(g) = &self.rule.guard {
            self.touched.clear();
            if !matches!(self.eval(g), Some(Val::Bool(true))) {
                // Not applicable, or not known to be: a guard on places
                // not read leaves the binding unchecked.
                self.not_checked();
                return;
            }
            guard_touched = std::mem::take(&mut self.touched);
            self.unread_hits.get_mut().clear();
        }
        self.touched.clear();
        self.missing.clear();
        let check = &self.rule.check;
        let (outcome, sides) = match &check.kind {
            ExprKind::Binary(op, l, r) if op.is_comparison() => {
                self.side = Some(Side::Left);
                let lv = self.eval(l);
                self.side = Some(Side::Right);
                let rv = self.eval(r);
                self.side = None;
                match (lv, rv) {
                    (Some(a), Some(b)) => (compare(*op, &a, &b), Some((a, b))),
                    _ => (None, None),
                }
            }
            _ => (self.eval(check), None),
        };
        if matches!(outcome, Some(Val::Bool(true))) {
            return;
        }
        // A check that fails, or cannot be decided, on places not read says
        // nothing about the report: the binding is not checked.
        if self.not_checked() || !matches!(outcome, Some(Val::Bool(false))) {
            return;
        }
        reported_missing.append(&mut self.missing);
        if self.touched.is_empty() {
            // Nothing to point at in the check (e.g. a group found without
            // sub-rows): point at what the guard looked at.
            self.touched = guard_touched;
        }
        let labels = self.labels();
        let message = self.render(&self.rule.message, sides.as_ref());
        let help = self.rule.help.as_ref().map(|h| self.render(h, sides.as_ref()));
        findings.push(Finding {
            rule: self.rule.id.clone(),
            severity: self.rule.severity,
            message,
            help,
            reference: self.rule.reference.clone(),
            labels,
            fingerprint: String::new(),
            review: None,
        });
    }

    /// Whether the current binding looked at places not read; if so it is
    /// counted as not checked, with those places.
    fn not_checked(&mut self) -> bool {
        let hits = self.unread_hits.get_mut();
        if hits.is_empty() {
            return false;
        }
        self.unchecked_count += 1;
        for &i in hits.iter() {
            if let Some(name) = self.unread.place(i).map(unread::Place::name) {
                if !self.unchecked.contains(&name) {
                    self.unchecked.push(name);
                }
            }
        }
        hits.clear();
        true
    }

    fn labels(&self) -> Vec<FindingLabel> {
        let mut uniq: Vec<&Touch> = Vec::new();
        for t in &self.touched {
            if !uniq.iter().any(|u| u.span == t.span) {
                uniq.push(t);
            }
        }
        let top = uniq.iter().map(|t| t.total).max().unwrap_or(0);
        let is_primary = |t: &Touch| match self.rule.blame {
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
            .map(|(t, primary)| FindingLabel {
                span: t.span,
                text: match &t.text {
                    TouchText::Text(s) => s.clone(),
                    TouchText::Cell(ti, ri, ci) => self.cell_text(*ti, *ri, *ci),
                },
                primary,
                place: match &t.text {
                    TouchText::Text(_) => None,
                    TouchText::Cell(ti, ri, ci) => self.cell_place(*ti, *ri, *ci),
                },
            })
            .collect();
        labels.sort_by_key(|l| (!l.primary, l.span.offset));
        labels
    }

    // ------------------------------------------------------------ lookups

    /// A cell of this year's or last year's report, with its indices.
    fn find_cell(
        &self,
        previous: bool,
        table: &str,
        row: &str,
        column: &str,
    ) -> Option<(usize, usize, usize, &'a Cell)> {
        if previous {
            match self.previous_cells {
                Some(index) => index.get(table, row, column),
                None => cell_at(self.previous?, table, row, column),
            }
        } else {
            self.note_unread(table, Some(row), Some(column));
            match self.cells {
                Some(index) => index.get(table, row, column),
                None => cell_at(self.report, table, row, column),
            }
        }
    }

    /// Records that this binding looks at a place of the report that was
    /// not read, if this one was not (`row` `None`: the table; `column`
    /// `None`: the row).
    #[inline]
    fn note_unread(&self, table: &str, row: Option<&str>, column: Option<&str>) {
        if self.unread.is_empty() {
            return;
        }
        if let Some(i) = self.unread.holding(table, row, column) {
            let mut hits = self.unread_hits.borrow_mut();
            if !hits.contains(&i) {
                hits.push(i);
            }
        }
    }

    fn source(&self, previous: bool) -> Option<&'a Report> {
        if previous {
            self.previous
        } else {
            Some(self.report)
        }
    }

    fn binding(&self, var: &str) -> Option<Binding<'a>> {
        self.scope().binding(var)
    }

    fn coord_ids(&self, table: &str, c: &Coord, row_axis: bool) -> Option<Vec<String>> {
        self.scope().coord_ids(table, c, row_axis)
    }

    fn cells_of(&self, c: &nianbao_rules::ast::CellRef) -> Option<Vec<CellIds>> {
        self.scope().cells_of(c)
    }

    fn label_for_cell(&self, table: &str, row: &str, column: &str) -> String {
        let Some(ts) = self.schema(table) else {
            return format!("{row} {column}");
        };
        let labels = CellLabels::of(self.report.format);
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

    /// "一、本年新收… 自然人 8" for a touched cell.
    fn cell_text(&self, ti: usize, ri: usize, ci: usize) -> String {
        let found = self.report.tables.get_index(ti).and_then(|(tid, t)| {
            let (rid, r) = t.rows.get_index(ri)?;
            let (cid, c) = r.cells.get_index(ci)?;
            Some((tid, rid, cid, c))
        });
        match found {
            Some((tid, rid, cid, c)) => {
                let value = if c.value == CellValue::Blank {
                    "（空）".to_string()
                } else {
                    c.value.to_string()
                };
                format!("{} {value}", self.label_for_cell(tid, rid, cid))
            }
            None => String::new(),
        }
    }

    /// The template place of a cell of this year's report, by its indices.
    fn cell_place(&self, ti: usize, ri: usize, ci: usize) -> Option<Place> {
        let (tid, t) = self.report.tables.get_index(ti)?;
        let (rid, r) = t.rows.get_index(ri)?;
        let (cid, _) = r.cells.get_index(ci)?;
        Some(Place {
            table: tid.to_string(),
            row: Some(rid.to_string()),
            column: Some(cid.to_string()),
        })
    }

    fn is_total(&self, table: &str, row: &str, column: &str) -> u8 {
        let group_row = self
            .schema(table)
            .and_then(|ts| ts.row(row))
            .is_some_and(|r| r.kind == RowKind::Group);
        let row_score = if row == "total" || group_row { 2 } else { 0 };
        let column_score = u8::from(column == "total" || column.ends_with(".total"));
        row_score + column_score
    }

    /// Read one cell as a number, recording where it is.
    fn cell_number(&mut self, previous: bool, table: &str, row: &str, column: &str) -> Option<Num> {
        let (ti, ri, ci, cell) = self.find_cell(previous, table, row, column)?;
        let num = cell_num(cell)?;
        if !previous {
            let total = self.is_total(table, row, column);
            self.touched.push(Touch {
                span: cell.span,
                text: TouchText::Cell(ti, ri, ci),
                side: self.side,
                total,
            });
        }
        Some(num)
    }

    fn touch(&mut self, span: Span, text: String, total: u8) {
        self.touched.push(Touch {
            span,
            text: TouchText::Text(text),
            side: self.side,
            total,
        });
    }

    /// Sum a group of cells; a group printed as one row counts with its own value.
    fn sum_cells(
        &mut self,
        previous: bool,
        cells: &[(&str, &str, &str)],
        group_row: Option<&(String, String)>,
    ) -> Option<Num> {
        let any_present = cells
            .iter()
            .any(|(t, r, c)| self.find_cell(previous, t, r, c).is_some());
        if !any_present {
            let (table, row) = group_row?;
            let column = cells.first().map(|(_, _, c)| *c)?;
            return self.cell_number(previous, table, row, column);
        }
        let mut total = Num::ZERO;
        for (t, r, c) in cells {
            let n = self.cell_number(previous, t, r, c)?;
            total = total.checked_add(n)?;
        }
        Some(total)
    }

    // ------------------------------------------------------------ expressions

    fn eval(&mut self, e: &Expr) -> Option<Val> {
        match &e.kind {
            ExprKind::Invalid | ExprKind::Pattern(_) => None,
            ExprKind::Number(n) => Some(Val::Num(Num {
                value: *n,
                decimals: None,
            })),
            ExprKind::Text(t) => Some(Val::Text(t.clone())),
            ExprKind::Cell(c) => {
                let many = |k: &Coord| matches!(k, Coord::Children(_) | Coord::All);
                match (&c.row, &c.column) {
                    (r, Some(col)) if !many(r) && !many(col) => {
                        let row = self.coord_ids(&c.table, r, true)?.into_iter().next()?;
                        let column = self.coord_ids(&c.table, col, false)?.into_iter().next()?;
                        self.cell_number(c.previous, &c.table, &row, &column)
                            .map(Val::Num)
                    }
                    (r, None) if !many(r) => {
                        let id = self.coord_ids(&c.table, r, true)?.into_iter().next()?;
                        Some(Val::Row {
                            table: c.table.clone(),
                            id,
                        })
                    }
                    (Coord::All, Some(col)) if !many(col) => {
                        let id = self.coord_ids(&c.table, col, false)?.into_iter().next()?;
                        Some(Val::Column {
                            table: c.table.clone(),
                            id,
                        })
                    }
                    _ => Some(Val::Cells(
                        self.cells_of(c)?
                            .into_iter()
                            .map(|(t, r, c)| (t.to_string(), r.to_string(), c.to_string()))
                            .collect(),
                    )),
                }
            }
            ExprKind::Table { table, .. } => Some(Val::Table(table.clone())),
            ExprKind::Section { section, .. } => {
                let id = match section {
                    Coord::Id(id) => id.clone(),
                    Coord::Var(v) => match self.binding(v)? {
                        Binding::Section { id } => id.to_string(),
                        _ => return None,
                    },
                    _ => return None,
                };
                Some(Val::Section(id))
            }
            ExprKind::Meta { previous, field } => self.meta(*previous, *field),
            ExprKind::Var(v) => match self.binding(v)? {
                Binding::Cell { table, row, column } => {
                    self.cell_number(false, table, row, column).map(Val::Num)
                }
                Binding::Section { id } => Some(Val::Section(id.to_string())),
                // Rows and columns are only meaningful inside references and messages.
                Binding::Row { id } => Some(Val::Row {
                    table: String::new(),
                    id: id.to_string(),
                }),
                Binding::Column { id } => Some(Val::Column {
                    table: String::new(),
                    id: id.to_string(),
                }),
            },
            ExprKind::Side(_) => None,
            ExprKind::Neg(inner) => logic_neg(self.eval(inner)),
            ExprKind::Not(inner) => logic_not(self.eval(inner)),
            ExprKind::Binary(op, l, r) => match op {
                BinOp::And => logic_and(self.eval(l), || self.eval(r)),
                BinOp::Or => logic_or(self.eval(l), || self.eval(r)),
                _ => {
                    let a = self.eval(l)?;
                    let b = self.eval(r)?;
                    if op.is_comparison() {
                        compare(*op, &a, &b)
                    } else {
                        arith(*op, &a, &b)
                    }
                }
            },
            ExprKind::Is { expr, negated, test } => {
                let r = self.is_test(expr, *test)?;
                Some(Val::Bool(r != *negated))
            }
            ExprKind::Matches(inner, pat) => {
                let text = self.text_of(inner)?.0;
                let p = self.patterns.get(pat);
                Some(Val::Bool(!p.cannot_match(&text) && p.regex.is_match(&text)))
            }
            ExprKind::Call { func, args } => self.call(*func, args),
            ExprKind::Unresolved { .. }
            | ExprKind::UnresolvedCall { .. }
            | ExprKind::UnresolvedIs { .. }
            | ExprKind::UnresolvedMeta { .. } => None,
        }
    }

    fn meta(&mut self, previous: bool, field: MetaField) -> Option<Val> {
        let report = self.source(previous)?;
        if !previous && field == MetaField::Published && report.metadata.published.is_none() {
            // No date found: what reads it is not checked (never "late").
            if let Some(i) = self.unread.published() {
                self.unread_hits.borrow_mut().push(i);
            }
            return None;
        }
        let val = Val::from(meta_value(report, field)?);
        if !previous {
            let m = &report.metadata;
            let place = match field {
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
            };
            if let Some((span, text)) = place {
                self.touch(span, text, 0);
            }
        }
        Some(val)
    }

    /// The text of a section or text value, and where it is in the report
    /// (for spans of matches).
    fn text_of(&mut self, e: &Expr) -> Option<(String, Option<TextPlace>)> {
        let previous = matches!(&e.kind, ExprKind::Section { previous: true, .. });
        match self.eval(e)? {
            Val::Text(t) => {
                let offset = match &e.kind {
                    ExprKind::Meta {
                        previous: false,
                        field: MetaField::Title,
                    } => self.report.metadata.title.as_ref().map(|t| t.span.offset),
                    ExprKind::Meta {
                        previous: false,
                        field: MetaField::Body,
                    } => self.report.metadata.body.as_ref().map(|t| t.span.offset),
                    _ => None,
                };
                Some((t, offset.map(TextPlace::From)))
            }
            Val::Section(id) => {
                let report = self.source(previous)?;
                let body = report.sections.get(&id)?.body;
                let text = report.rendered_slice(body)?.text.to_string();
                Some((text, (!previous).then_some(TextPlace::Body(body))))
            }
            _ => None,
        }
    }

    fn is_test(&mut self, e: &Expr, test: Test) -> Option<bool> {
        if test.on_label() {
            let Val::Label(l) = self.eval(e)? else {
                return None;
            };
            return Some(label_test(l.as_ref(), test));
        }
        let (previous, table, row, column) = match &e.kind {
            ExprKind::Var(v) => match self.binding(v)? {
                Binding::Cell { table, row, column } => {
                    (false, table.to_string(), row.to_string(), column.to_string())
                }
                _ => return None,
            },
            ExprKind::Cell(c) => {
                let row = self.coord_ids(&c.table, &c.row, true)?.into_iter().next()?;
                let column = self
                    .coord_ids(&c.table, c.column.as_ref()?, false)?
                    .into_iter()
                    .next()?;
                (c.previous, c.table.clone(), row, column)
            }
            _ => return None,
        };
        let report = self.source(previous)?;
        let (ti, ri, ci, cell) = self.find_cell(previous, &table, &row, &column)?;
        let kind = report
            .template()
            .table(&table)
            .and_then(|t| t.column(&column))
            .map(|c| c.kind);
        let result = cell_test(cell, kind, test)?;
        if !previous {
            let span = cell.span;
            self.touched.push(Touch {
                span,
                text: TouchText::Cell(ti, ri, ci),
                side: self.side,
                total: 0,
            });
        }
        Some(result)
    }

    fn call(&mut self, func: Func, args: &[Expr]) -> Option<Val> {
        let num = |v: Option<Val>| match v {
            Some(Val::Num(n)) => Some(n),
            _ => None,
        };
        match func {
            Func::Sum => {
                let arg = args.first()?;
                let ExprKind::Cell(c) = &arg.kind else {
                    return None;
                };
                let cells = self.cells_of(c)?;
                // `table[group.*, column]`: the group row stands in when printed as one row.
                let group_row = match &c.row {
                    Coord::Children(inner) => self
                        .coord_ids(&c.table, inner, true)
                        .and_then(|ids| ids.into_iter().next())
                        .map(|g| (c.table.clone(), g)),
                    _ => None,
                };
                let only_row: (String, String, String);
                let cells: Vec<(&str, &str, &str)> = if cells.is_empty() {
                    // The format has no sub-rows (2019 （六）其他处理): the row itself.
                    let (t, g) = group_row.clone()?;
                    let col = self
                        .coord_ids(&c.table, c.column.as_ref()?, false)?
                        .into_iter()
                        .next()?;
                    only_row = (t, g, col);
                    vec![(&only_row.0, &only_row.1, &only_row.2)]
                } else {
                    cells
                };
                self.sum_cells(c.previous, &cells, group_row.as_ref())
                    .map(Val::Num)
            }
            Func::Abs => {
                let n = num(self.eval(args.first()?))?;
                Some(Val::Num(Num {
                    value: n.value.abs(),
                    decimals: n.decimals,
                }))
            }
            Func::Min | Func::Max => {
                let a = num(self.eval(args.first()?))?;
                let b = num(self.eval(args.get(1)?))?;
                let pick = if (func == Func::Min) == (a.value <= b.value) {
                    a
                } else {
                    b
                };
                Some(Val::Num(pick))
            }
            Func::Present => Some(Val::Bool(self.present(args.first()?))),
            Func::Label => {
                let v = self.eval(args.first()?)?;
                let arg = args.first()?;
                let l = self.label_of(arg, &v);
                match &l {
                    Some(l) => self.touch(l.span, format!("标签 “{}”", l.text.trim()), 0),
                    None => self.missing_header(arg, &v),
                }
                Some(Val::Label(l))
            }
            Func::Number => {
                let (text, offset) = self.text_of(args.first()?)?;
                let ExprKind::Pattern(p) = &args.get(1)?.kind else {
                    return None;
                };
                let (num, start, matched) = number_in(&text, &self.patterns.get(p))?;
                let span = match offset {
                    Some(TextPlace::From(base)) => Some(Span::new(base + start, matched.len())),
                    // A page's section reads from its rendering: back to the page.
                    Some(TextPlace::Body(body)) => self
                        .report
                        .rendered_slice(body)
                        .and_then(|s| s.source_span(start, start + matched.len())),
                    None => None,
                };
                if let Some(span) = span {
                    self.touch(span, format!("文中 {matched}"), 0);
                }
                Some(Val::Num(num))
            }
            Func::Text => self.text_of(args.first()?).map(|(t, _)| Val::Text(t)),
            Func::Chars => {
                let (t, place) = self.text_of(args.first()?)?;
                let n = significant_chars(&t);
                // A section's text is labelled where it is printed (white
                // space around it left out), so a finding on how short it is
                // points at it.
                let start = t.len() - t.trim_start().len();
                let end = t.trim_end().len();
                if let (Some(TextPlace::Body(body)), true) = (place, start < end) {
                    let span = self
                        .report
                        .rendered_slice(body)
                        .and_then(|s| s.source_span(start, end));
                    if let Some(span) = span {
                        self.touch(span, format!("正文 {} 个字", n.value), 0);
                    }
                }
                Some(Val::Num(n))
            }
            Func::Date => {
                let y = num(self.eval(args.first()?))?.value;
                let m = num(self.eval(args.get(1)?))?.value;
                let d = num(self.eval(args.get(2)?))?.value;
                let as_int = |x: Decimal| -> Option<i64> {
                    if x.fract().is_zero() {
                        i64::try_from(x).ok()
                    } else {
                        None
                    }
                };
                let date = Date::new(
                    i32::try_from(as_int(y)?).ok()?,
                    u8::try_from(as_int(m)?).ok()?,
                    u8::try_from(as_int(d)?).ok()?,
                )?;
                Some(Val::Date(date))
            }
            Func::Year => match self.eval(args.first()?)? {
                Val::Date(d) => Some(Val::Num(Num {
                    value: Decimal::from(d.year),
                    decimals: Some(0),
                })),
                _ => None,
            },
            Func::Parent => match self.eval(args.first()?)? {
                Val::Row { table, id } => {
                    let parent = self.schema(&table)?.row(&id)?.parent?;
                    Some(Val::Row {
                        table,
                        id: parent.to_string(),
                    })
                }
                _ => None,
            },
            Func::HasNumbers => {
                let arg = args.first()?;
                let previous = matches!(&arg.kind, ExprKind::Cell(c) if c.previous);
                let v = self.eval(arg);
                let Some(Val::Row { table, id }) = v else {
                    // No such row (e.g. `parent` of a row without one).
                    return Some(Val::Bool(false));
                };
                let report = self.source(previous)?;
                if !previous {
                    self.note_unread(&table, Some(&id), None);
                }
                let row = report.tables.get(&table).and_then(|t| t.rows.get(id.as_str()));
                let has = row.is_some_and(|r| r.cells.values().any(|c| c.value.number().is_some()));
                if let (false, Some(r)) = (previous, row.filter(|_| has)) {
                    if let Some((col, c)) = r.cells.iter().find(|(_, c)| c.value.number().is_some()) {
                        let text = format!("{} {}", self.label_for_cell(&table, &id, col), c.value);
                        self.touch(c.span, text, 3);
                    }
                }
                Some(Val::Bool(has))
            }
            Func::InOrder => {
                let Val::Section(id) = self.eval(args.first()?)? else {
                    return None;
                };
                let this = self.report.sections.get(&id)?;
                let tpl = self.report.template();
                let pos = tpl.sections.iter().position(|s| s.id == id)?;
                let mut ok = true;
                // Out of order: printed after a section the template puts after it.
                for later in tpl.sections.iter().skip(pos + 1) {
                    if let Some(s) = self.report.sections.get(later.id) {
                        if s.span.offset < this.span.offset {
                            ok = false;
                            let span = s.heading.as_ref().map_or(s.span, |h| h.span);
                            self.touch(span, format!("“{}”应在其后", later.label), 0);
                        }
                    }
                }
                if !ok {
                    let span = this.heading.as_ref().map_or(this.span, |h| h.span);
                    self.touch(span, format!("“{}”位置不对", section_label(&id)), 3);
                }
                Some(Val::Bool(ok))
            }
        }
    }

    fn present(&mut self, arg: &Expr) -> bool {
        let previous = match &arg.kind {
            ExprKind::Cell(c) => c.previous,
            ExprKind::Section { previous, .. } | ExprKind::Table { previous, .. } => *previous,
            _ => false,
        };
        let Some(report) = self.source(previous) else {
            return false;
        };
        let saved = std::mem::take(&mut self.touched);
        let v = self.eval(arg);
        // What was found stays pointed at (useful when a guard is all a
        // finding can point to); what was not found has nothing to point at.
        let found_touches = std::mem::replace(&mut self.touched, saved);
        self.touched.extend(found_touches);
        let (found, key, near) = match (&arg.kind, v) {
            (_, None) => {
                // A cell that is there but not a number is present.
                let found = match &arg.kind {
                    ExprKind::Cell(c) => self.cells_of(c).is_some_and(|cells| {
                        cells.iter().any(|(t, r, col)| report.cell(t, r, col).is_some())
                    }),
                    _ => false,
                };
                (found, None, None)
            }
            (_, Some(Val::Section(id))) => {
                let found = report.sections.contains_key(&id);
                if !found && !previous {
                    self.point_at_missing_section(&id);
                }
                (found, Some(format!("section:{id}")), None)
            }
            (_, Some(Val::Table(t))) => {
                if !previous {
                    self.note_unread(&t, None, None);
                }
                (report.tables.contains_key(&t), Some(format!("table:{t}")), None)
            }
            (_, Some(Val::Row { table, id })) if !table.is_empty() => {
                if !previous {
                    self.note_unread(&table, Some(&id), None);
                }
                let t = report.tables.get(&table);
                // A group row without numbers of its own may be recorded only
                // through its sub-rows.
                let sub_rows: Vec<&str> = self
                    .schema(&table)
                    .map(|ts| ts.sub_rows(&id).map(|r| r.id).collect())
                    .unwrap_or_default();
                let found = t.is_some_and(|t| {
                    t.rows.contains_key(id.as_str())
                        || t.headers.iter().any(|h| h.target == id)
                        || sub_rows.iter().any(|r| t.rows.contains_key(*r))
                });
                // Point at the row printed before the missing one, where the template has it.
                let near = match (t, self.schema(&table)) {
                    (Some(t), Some(ts)) if ts.row(&id).is_some() => {
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
                    _ => None,
                };
                (found, Some(format!("row:{table}:{id}")), near)
            }
            (ExprKind::Cell(c), Some(Val::Column { id, .. })) => {
                let t = report.tables.get(&c.table);
                let found = t.is_some_and(|t| {
                    t.headers.iter().any(|h| h.target == id)
                        || t.rows.values().any(|r| r.cells.contains_key(id.as_str()))
                });
                (found, None, None)
            }
            (_, Some(Val::Cells(cells))) => (
                cells.iter().any(|(t, r, col)| report.cell(t, r, col).is_some()),
                None,
                None,
            ),
            (_, Some(_)) => (true, None, None),
        };
        if !found {
            if let Some(k) = key {
                self.missing.push(k);
            }
            if let (false, Some(span)) = (previous, near) {
                self.touch(span, "缺少的行应在此后".to_string(), 3);
            }
        }
        found
    }

    /// For a column header that is not printed: point at the header printed
    /// before it in the template's order, where it belongs.
    fn missing_header(&mut self, arg: &Expr, v: &Val) {
        let (ExprKind::Cell(c), Val::Column { id, .. }) = (&arg.kind, v) else {
            return;
        };
        if c.previous {
            return;
        }
        let (Some(t), Some(ts)) = (self.report.tables.get(&c.table), self.schema(&c.table)) else {
            return;
        };
        let Some(pos) = ts.columns.iter().position(|col| col.id == id) else {
            return;
        };
        let before = ts.columns[..pos]
            .iter()
            .rev()
            .find_map(|col| t.headers.iter().find(|h| h.target == col.id));
        if let Some(h) = before {
            let text = format!("“{}”列标题应在其后", ts.columns[pos].label);
            self.touch(h.span, text, 0);
        }
    }

    /// A section that is not there: point at the heading of the next section
    /// printed (it belongs before it), else of the one before.
    fn point_at_missing_section(&mut self, id: &str) {
        let tpl = self.report.template();
        let Some(pos) = tpl.sections.iter().position(|s| s.id == id) else {
            return;
        };
        let label = tpl.sections[pos].label;
        let heading =
            |s: &nianbao_model::Section| s.heading.as_ref().map_or(Span::new(s.span.offset, 0), |h| h.span);
        let next = tpl.sections[pos + 1..]
            .iter()
            .find_map(|s| self.report.sections.get(s.id))
            .map(|s| (heading(s), format!("“{label}”应在此前")));
        let before = || {
            tpl.sections[..pos]
                .iter()
                .rev()
                .find_map(|s| self.report.sections.get(s.id))
                .map(|s| (heading(s), format!("“{label}”应在此后")))
        };
        if let Some((span, text)) = next.or_else(before) {
            self.touch(span, text, 3);
        }
    }

    fn label_of(&self, arg: &Expr, v: &Val) -> Option<LabelUse> {
        let previous = matches!(&arg.kind, ExprKind::Cell(c) if c.previous)
            || matches!(&arg.kind, ExprKind::Section { previous: true, .. });
        let report = self.source(previous)?;
        match v {
            Val::Section(id) => report.sections.get(id)?.heading.clone(),
            Val::Row { id, .. } => {
                let ExprKind::Cell(c) = &arg.kind else { return None };
                let t = report.tables.get(&c.table)?;
                t.rows
                    .get(id.as_str())
                    .and_then(|r| r.label.clone())
                    .or_else(|| t.headers.iter().find(|h| &h.target == id).cloned())
            }
            Val::Column { id, .. } => {
                let ExprKind::Cell(c) = &arg.kind else { return None };
                let t = report.tables.get(&c.table)?;
                t.headers.iter().find(|h| &h.target == id).cloned()
            }
            _ => None,
        }
    }

    // ------------------------------------------------------------ messages

    fn render(&mut self, t: &Template, sides: Option<&(Val, Val)>) -> String {
        let saved = std::mem::take(&mut self.touched);
        let mut out = String::new();
        for p in &t.pieces {
            match p {
                Piece::Text(s) => out.push_str(s),
                Piece::Expr(e) => out.push_str(&self.show(e, sides)),
            }
        }
        self.touched = saved;
        out
    }

    fn show(&mut self, e: &Expr, sides: Option<&(Val, Val)>) -> String {
        if let ExprKind::Side(s) = &e.kind {
            let Some((a, b)) = sides else { return "?".into() };
            return match s {
                SideValue::Left => show_val(a),
                SideValue::Right => show_val(b),
                SideValue::Difference => match (a, b) {
                    (Val::Num(x), Val::Num(y)) => (x.value - y.value).abs().normalize().to_string(),
                    _ => "?".into(),
                },
            };
        }
        // Rows, columns and sections show as their template labels.
        if let ExprKind::Var(v) = &e.kind {
            let tables: Vec<String> = self
                .rule
                .quantifiers
                .iter()
                .filter(|q| &q.var == v)
                .flat_map(|q| q.domains.iter())
                .filter_map(|d| match d {
                    Domain::Table(t)
                    | Domain::RowGroup { table: t, .. }
                    | Domain::ColumnGroup { table: t, .. } => Some(t.clone()),
                    Domain::Sections => None,
                })
                .collect();
            let schemas: Vec<&TableSchema> = tables.iter().filter_map(|t| self.schema(t)).collect();
            match self.binding(v) {
                Some(Binding::Row { id }) => {
                    if let Some(ts) = schemas.iter().find(|ts| ts.row(id).is_some()) {
                        return row_label(ts, id);
                    }
                    return id.to_string();
                }
                Some(Binding::Column { id }) => {
                    if let Some(ts) = schemas.iter().find(|ts| ts.column(id).is_some()) {
                        return column_label(ts, id);
                    }
                    if let Some(g) = schemas.iter().find_map(|ts| ts.column_group(id)) {
                        return g.label.to_string();
                    }
                    return id.to_string();
                }
                Some(Binding::Section { id }) => return section_label(id),
                _ => {}
            }
        }
        match self.eval(e) {
            Some(Val::Label(Some(l))) => l.text.trim().to_string(),
            Some(Val::Label(None)) => "（无）".into(),
            Some(Val::Section(id)) => section_label(&id),
            Some(Val::Row { table, id }) => self.schema(&table).map_or(id.clone(), |ts| row_label(ts, &id)),
            Some(Val::Column { table, id }) => {
                self.schema(&table).map_or(id.clone(), |ts| column_label(ts, &id))
            }
            Some(v) => show_val(&v),
            None => "（空）".into(),
        }
    }
}

/// Where a text value is in the report's source text.
#[derive(Debug, Clone, Copy)]
enum TextPlace {
    /// The text is the source from this offset on.
    From(usize),
    /// A section body, read as [`Report::rendered_slice`] gives it.
    Body(Span),
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

fn show_val(v: &Val) -> String {
    match v {
        Val::Num(n) => n.value.to_string(),
        Val::Bool(b) => if *b { "是" } else { "否" }.into(),
        Val::Text(t) => t.clone(),
        Val::Date(d) => format!("{}年{}月{}日", d.year, d.month, d.day),
        Val::Cells(c) => format!("{} 个单元格", c.len()),
        Val::Row { id, .. } | Val::Column { id, .. } | Val::Section(id) | Val::Table(id) => id.clone(),
        Val::Label(l) => l.as_ref().map_or("（无）".into(), |l| l.text.clone()),
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

fn arith(op: BinOp, a: &Val, b: &Val) -> Option<Val> {
    let (Val::Num(x), Val::Num(y)) = (a, b) else {
        return None;
    };
    arith_nums(op, *x, *y).map(Val::Num)
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

/// Compare two values; numbers at the precision of the less precise side.
fn compare(op: BinOp, a: &Val, b: &Val) -> Option<Val> {
    let ord = match (a, b) {
        (Val::Num(x), Val::Num(y)) => num_ordering(*x, *y),
        (Val::Date(x), Val::Date(y)) => x.cmp(y),
        (Val::Text(x), Val::Text(y)) => x.cmp(y),
        _ => return None,
    };
    comparison_holds(op, ord).map(Val::Bool)
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

    fn num(s: &str) -> Val {
        let d: Decimal = s.parse().unwrap_or_default();
        Val::Num(Num {
            value: d,
            decimals: Some(d.scale()),
        })
    }

    #[test]
    fn amounts_compare_at_the_least_precise_decimals() {
        // 7730.28 printed with two decimals vs a sum known to three.
        assert!(matches!(
            compare(BinOp::Eq, &num("7730.28"), &num("7730.281")),
            Some(Val::Bool(true))
        ));
        assert!(matches!(
            compare(BinOp::Eq, &num("7730.28"), &num("7730.29")),
            Some(Val::Bool(false))
        ));
        assert!(matches!(
            compare(BinOp::Eq, &num("7730.3"), &num("7730.28")),
            Some(Val::Bool(true))
        ));
        assert!(matches!(
            compare(BinOp::Eq, &num("8"), &num("7")),
            Some(Val::Bool(false))
        ));
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
