//! The reference interpreter: the rule language evaluated by walking the
//! rules' syntax, every binding of every rule, with ids as strings. It lives
//! for tests only (the `reference` feature, which tests/plan_equivalence.rs
//! turns on): the one evaluation ([`super::plan`]) must give the same
//! [`Evaluation`] on fixtures, their mutations and random rules. It shares
//! the language's value functions (`cell_test`, `number_in`, the number
//! ordering, `logic_and` and its kin) and the texts findings use, so a
//! difference is a difference in what is evaluated, not in how it is said.

use super::unread::{self, Unread};
use super::{
    arith_nums, cell_num, cell_test, cell_text, column_label, comparison_holds, finding_labels, finish,
    first_number_pointer, label_test, logic_and, logic_neg, logic_not, logic_or, meta_pointer, meta_value,
    missing_header_pointer, missing_row_pointer, missing_section_pointer, num_ordering, number_in, row_label,
    section_label, significant_chars, total_score, Binding, CellIds, Logic, Num, Scalar, Scope,
    SharedPatterns, Side, TextPlace, Touch,
};
use crate::finding::{Evaluation, Finding, FindingLabel, Place, Unchecked};
use nianbao_model::{Cell, Date, Decimal, LabelUse, Report, Span, TableSchema};
use nianbao_rules::ast::{
    BinOp, Coord, Domain, Expr, ExprKind, Func, MetaField, Piece, SideValue, Template, Test,
};
use nianbao_rules::{Rule, RuleSet};
use std::cell::RefCell;
use std::collections::HashMap;

/// [`evaluate`] by the reference interpreter: every binding of every rule
/// walked on the rules' syntax. Only tests use it (tests/plan_equivalence.rs).
pub(super) fn evaluate_reference(rules: &RuleSet, report: &Report, previous: Option<&Report>) -> Evaluation {
    let mut findings = Vec::new();
    let mut reported_missing: Vec<String> = Vec::new();
    let unread = Unread::of(report);
    let mut unchecked: Vec<Unchecked> = Vec::new();
    let patterns = SharedPatterns::default();
    let cells = CellIndex::new(report);
    let previous_cells = previous.map(CellIndex::new);
    for rule in &rules.rules {
        if rule.cross_year && previous.is_none() {
            continue;
        }
        let mut ev = Evaluator {
            report,
            previous,
            cells: Some(&cells),
            previous_cells: previous_cells.as_ref(),
            rule,
            patterns: &patterns,
            bindings: Vec::new(),
            touched: Vec::new(),
            side: None,
            missing: Vec::new(),
            unread: &unread,
            unread_hits: RefCell::new(Vec::new()),
            unchecked: Vec::new(),
            unchecked_count: 0,
        };
        ev.run(0, &mut findings, &mut reported_missing);
        if ev.unchecked_count > 0 {
            unchecked.push(Unchecked {
                rule: rule.id.clone(),
                instances: ev.unchecked_count,
                unread: ev.unchecked,
            });
        }
    }
    finish(report, findings, &reported_missing, unchecked)
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

impl From<Scalar<'_>> for Val {
    fn from(s: Scalar<'_>) -> Val {
        match s {
            Scalar::Num(n) => Val::Num(n),
            Scalar::Bool(b) => Val::Bool(b),
            Scalar::Date(d) => Val::Date(d),
            Scalar::Text(t) => Val::Text(t.to_string()),
            Scalar::Label(l) => Val::Label(l.cloned()),
        }
    }
}

/// What a label says: written out only when a check fails.
#[derive(Debug, Clone)]
enum TouchText {
    Text(String),
    /// A cell of this year's report, by its indices in the report's maps
    /// (table, row, cell), so that reading a cell allocates nothing.
    Cell(usize, usize, usize),
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
    touched: Vec<Touch<TouchText>>,
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
        finding_labels(&self.touched, self.rule.blame, |text| match text {
            TouchText::Text(s) => (s.clone(), None),
            TouchText::Cell(ti, ri, ci) => self.described_cell(*ti, *ri, *ci),
        })
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

    /// A cell of this year's report looked at, by its indices: its label text and place.
    fn described_cell(&self, ti: usize, ri: usize, ci: usize) -> (String, Option<Place>) {
        let found = self.report.tables.get_index(ti).and_then(|(tid, t)| {
            let (rid, r) = t.rows.get_index(ri)?;
            let (cid, c) = r.cells.get_index(ci)?;
            Some((tid, rid, cid, c))
        });
        match found {
            Some((tid, rid, cid, c)) => cell_text(self.report, tid, rid, cid, c),
            None => (String::new(), None),
        }
    }

    fn is_total(&self, table: &str, row: &str, column: &str) -> u8 {
        total_score(self.report, table, row, column)
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
            if let Some((span, text)) = meta_pointer(report, field) {
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
                let span = offset.and_then(|p| p.source_span(self.report, start, start + matched.len()));
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
                if let (Some(body @ TextPlace::Body(_)), true) = (place, start < end) {
                    if let Some(span) = body.source_span(self.report, start, end) {
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
                    if let Some((span, text)) = first_number_pointer(self.report, &table, &id, r) {
                        self.touch(span, text, 3);
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
                let near = missing_row_pointer(report, &table, &id);
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
        if let Some((span, text)) = missing_header_pointer(self.report, &c.table, id) {
            self.touch(span, text, 0);
        }
    }

    /// A section that is not there: point at the heading of the next section
    /// printed (it belongs before it), else of the one before.
    fn point_at_missing_section(&mut self, id: &str) {
        if let Some((span, text)) = missing_section_pointer(self.report, id) {
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

fn arith(op: BinOp, a: &Val, b: &Val) -> Option<Val> {
    let (Val::Num(x), Val::Num(y)) = (a, b) else {
        return None;
    };
    arith_nums(op, *x, *y).map(Val::Num)
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
