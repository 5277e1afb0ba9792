//! Explaining an instance: the same evaluation as deciding ([`Low::watched`]),
//! told what it reads ([`Watch`]), so that a finding's labels, blame and
//! message come from the evaluation that failed, and a binding that reads a
//! place not read is known (and not checked, never failed).

use super::{
    cell_number, chars_of, compare_scalars, Dense, LabelOf, Layout, Low, Lowered, NotFound, Shown, Watch,
};
use crate::eval::unread::{Place as UnreadPlace, Unread};
use crate::eval::{
    cell_text, column_label, finding_labels, first_number_pointer, meta_pointer, missing_header_pointer,
    missing_row_pointer, missing_section_pointer, row_label, section_label, show_scalar, total_score, Num,
    Scalar, Side, Touch,
};
use crate::finding::{Finding, FindingLabel};
use nianbao_model::{Cell, LabelUse, Report, Row, Section, Span};
use nianbao_rules::ast::{Blame, MetaField, Piece, SideValue, Template};
use nianbao_rules::Rule;

/// What an instance that does not hold because it read places not read adds to its rule's tally.
#[derive(Default)]
pub(in crate::eval) struct NotChecked {
    /// How many instances.
    pub(in crate::eval) instances: usize,
    /// The places not read they looked at, as output names them, in the order first read.
    pub(in crate::eval) places: Vec<String>,
}

/// What a label says: a cell's written out only when its instance fails.
enum TouchText<'a> {
    Text(String),
    Cell(u32, &'a Cell),
}

/// Explains instances on one report.
pub(in crate::eval) struct Explain<'a> {
    layout: &'a Layout,
    report: &'a Report,
    unread: &'a Unread,
    side: Option<Side>,
    touched: Vec<Touch<TouchText<'a>>>,
    /// The places not read the instance looked at (positions in `unread`).
    hits: Vec<usize>,
    /// Keys of what `present` did not find (`section:…`, `table:…`, `row:…:…`).
    missing: Vec<String>,
}

impl<'a> Explain<'a> {
    pub(in crate::eval) fn new(layout: &'a Layout, report: &'a Report, unread: &'a Unread) -> Self {
        Explain {
            layout,
            report,
            unread,
            side: None,
            touched: Vec::new(),
            hits: Vec::new(),
            missing: Vec::new(),
        }
    }

    /// Evaluates one instance: nothing when it holds (or is not
    /// applicable), a tally in `not_checked` when it reads places not read
    /// and does not hold, else its finding, with the keys of what it found
    /// missing (so the reader's problem about the same thing is not
    /// reported twice).
    pub(in crate::eval) fn instance(
        &mut self,
        rule: &Rule,
        t: &'a Lowered,
        d: &Dense<'a>,
        findings: &mut Vec<Finding>,
        reported_missing: &mut Vec<String>,
        not_checked: &mut NotChecked,
    ) {
        self.hits.clear();
        let mut guard_touched = Vec::new();
        if let Some(g) = &t.guard {
            self.touched.clear();
            if !matches!(g.watched(d, self), Some(Scalar::Bool(true))) {
                // Not applicable, or not known to be: a guard on places
                // not read leaves the binding unchecked.
                self.not_checked(not_checked);
                return;
            }
            guard_touched = std::mem::take(&mut self.touched);
            self.hits.clear();
        }
        self.touched.clear();
        self.missing.clear();
        let (outcome, sides) = self.check(&t.check, d);
        if matches!(outcome, Some(Scalar::Bool(true))) {
            return;
        }
        // A check that fails, or cannot be decided, on places not read says
        // nothing about the report: the binding is not checked.
        if self.not_checked(not_checked) || !matches!(outcome, Some(Scalar::Bool(false))) {
            return;
        }
        reported_missing.append(&mut self.missing);
        if self.touched.is_empty() {
            // Nothing to point at in the check (e.g. a group found without
            // sub-rows): point at what the guard looked at.
            self.touched = guard_touched;
        }
        let labels = self.labels(rule.blame);
        let message = render(&rule.message, &t.message, sides.as_ref(), d);
        let help = rule
            .help
            .as_ref()
            .map(|h| render(h, t.help.as_deref().unwrap_or_default(), sides.as_ref(), d));
        findings.push(Finding {
            rule: rule.id.clone(),
            severity: rule.severity,
            message,
            help,
            reference: rule.reference.clone(),
            labels,
            fingerprint: String::new(),
            review: None,
        });
    }

    /// The check's value, and where it compares, its sides (each side's
    /// places labelled as such, for blame and for `{left}`/`{right}`).
    #[allow(clippy::type_complexity)]
    fn check(
        &mut self,
        check: &'a Low,
        d: &Dense<'a>,
    ) -> (Option<Scalar<'a>>, Option<(Scalar<'a>, Scalar<'a>)>) {
        let (op, a, b) = match check {
            Low::Binary(op, l, r) if op.is_comparison() => {
                self.side = Some(Side::Left);
                let a = l.watched(d, self);
                self.side = Some(Side::Right);
                (*op, a, r.watched(d, self))
            }
            Low::CompareCell { cell, op, value } => {
                self.side = Some(Side::Left);
                let a = cell_number(*cell, d, self).map(Scalar::Num);
                (*op, a, Some(Scalar::Num(*value)))
            }
            Low::CompareChars { text, op, limit } => {
                self.side = Some(Side::Left);
                let a = chars_of(text, d, self).map(Scalar::Num);
                (*op, a, Some(Scalar::Num(Num::whole(*limit))))
            }
            _ => return (check.watched(d, self), None),
        };
        self.side = None;
        match (a, b) {
            (Some(a), Some(b)) => (compare_scalars(op, a, b), Some((a, b))),
            _ => (None, None),
        }
    }

    /// Whether the instance looked at places not read; if so it is
    /// counted as not checked, with those places.
    fn not_checked(&mut self, tally: &mut NotChecked) -> bool {
        if self.hits.is_empty() {
            return false;
        }
        tally.instances += 1;
        for &i in &self.hits {
            if let Some(name) = self.unread.place(i).map(UnreadPlace::name) {
                if !tally.places.contains(&name) {
                    tally.places.push(name);
                }
            }
        }
        self.hits.clear();
        true
    }

    /// Records a place not read that holds the table, row (`column` `None`) or cell.
    fn note_unread(&mut self, table: &str, row: Option<&str>, column: Option<&str>) {
        if let Some(i) = self.unread.holding(table, row, column) {
            if !self.hits.contains(&i) {
                self.hits.push(i);
            }
        }
    }

    fn push(&mut self, span: Span, text: TouchText<'a>, total: u8) {
        self.touched.push(Touch {
            span,
            text,
            side: self.side,
            total,
        });
    }

    fn labels(&self, blame: Blame) -> Vec<FindingLabel> {
        finding_labels(&self.touched, blame, |text| match text {
            TouchText::Text(s) => (s.clone(), None),
            TouchText::Cell(slot, cell) => {
                let (table, row, column) = self.layout.cell_ids(*slot);
                cell_text(self.report, table, row, column, cell)
            }
        })
    }
}

impl<'a> Watch<'a> for Explain<'a> {
    const RECORDS: bool = true;

    fn look(&mut self, slot: u32) {
        if self.unread.is_empty() {
            return;
        }
        let (table, row, column) = self.layout.cell_ids(slot);
        self.note_unread(table, Some(row), Some(column));
    }

    fn read(&mut self, slot: u32, cell: &'a Cell, test: bool) {
        let total = if test {
            0
        } else {
            let (table, row, column) = self.layout.cell_ids(slot);
            total_score(self.report, table, row, column)
        };
        self.push(cell.span, TouchText::Cell(slot, cell), total);
    }

    fn row(&mut self, row: u32) {
        if self.unread.is_empty() {
            return;
        }
        let (table, row) = self.layout.row_ids(row);
        self.note_unread(table, Some(row), None);
    }

    fn table(&mut self, table: u32) {
        if self.unread.is_empty() {
            return;
        }
        let table = self.layout.table_id(table);
        self.note_unread(table, None, None);
    }

    fn meta(&mut self, field: MetaField) {
        if let Some((span, text)) = meta_pointer(self.report, field) {
            self.push(span, TouchText::Text(text), 0);
        }
    }

    fn no_published(&mut self) {
        if let Some(i) = self.unread.published() {
            self.hits.push(i);
        }
    }

    fn label(&mut self, label: &LabelOf, found: Option<&'a LabelUse>) {
        match (found, label) {
            (Some(l), _) => {
                let text = format!("标签 “{}”", l.text.trim());
                self.push(l.span, TouchText::Text(text), 0);
            }
            (None, LabelOf::Column(slot)) => {
                let (table, column) = self.layout.column_ids(*slot);
                if let Some((span, text)) = missing_header_pointer(self.report, table, column) {
                    self.push(span, TouchText::Text(text), 0);
                }
            }
            (None, _) => {}
        }
    }

    fn touch(&mut self, span: Span, text: impl FnOnce() -> String, total: u8) {
        self.push(span, TouchText::Text(text()), total);
    }

    fn not_found(&mut self, what: NotFound) {
        match what {
            NotFound::Section(s) => {
                let id = self.layout.section_id(s);
                if let Some((span, text)) = missing_section_pointer(self.report, id) {
                    self.push(span, TouchText::Text(text), 3);
                }
                self.missing.push(format!("section:{id}"));
            }
            NotFound::Table(t) => {
                let table = self.layout.table_id(t);
                self.missing.push(format!("table:{table}"));
            }
            NotFound::Row(r) => {
                let (table, row) = self.layout.row_ids(r);
                self.missing.push(format!("row:{table}:{row}"));
                if let Some(span) = missing_row_pointer(self.report, table, row) {
                    self.push(span, TouchText::Text("缺少的行应在此后".to_string()), 3);
                }
            }
        }
    }

    fn numbers_in(&mut self, row: u32, printed: &'a Row) {
        let (table, row) = self.layout.row_ids(row);
        if let Some((span, text)) = first_number_pointer(self.report, table, row, printed) {
            self.push(span, TouchText::Text(text), 3);
        }
    }

    fn printed_before(&mut self, section: u32, printed: &'a Section) {
        let id = self.layout.section_id(section);
        let label = self.report.template().section(id).map_or(id, |s| s.label);
        let span = printed.heading.as_ref().map_or(printed.span, |h| h.span);
        self.push(span, TouchText::Text(format!("“{label}”应在其后")), 0);
    }

    fn out_of_order(&mut self, section: u32, printed: &'a Section) {
        let id = self.layout.section_id(section);
        let span = printed.heading.as_ref().map_or(printed.span, |h| h.span);
        self.push(
            span,
            TouchText::Text(format!("“{}”位置不对", section_label(id))),
            3,
        );
    }
}

/// A message or help with its `{…}` shown: `shown` holds them in order.
fn render(t: &Template, shown: &[Shown], sides: Option<&(Scalar, Scalar)>, d: &Dense<'_>) -> String {
    let mut out = String::new();
    let mut shown = shown.iter();
    for p in &t.pieces {
        match p {
            Piece::Text(s) => out.push_str(s),
            Piece::Expr(_) => match shown.next() {
                Some(s) => out.push_str(&show(s, sides, d)),
                None => out.push_str("（空）"),
            },
        }
    }
    out
}

fn show(s: &Shown, sides: Option<&(Scalar, Scalar)>, d: &Dense<'_>) -> String {
    match s {
        Shown::Row(ts, id) => row_label(ts, id),
        Shown::Column(ts, id) => column_label(ts, id),
        Shown::Section(id) => section_label(id),
        Shown::Text(t) => t.clone(),
        Shown::Side(side) => {
            let Some((a, b)) = sides else { return "?".into() };
            match side {
                SideValue::Left => show_scalar(a),
                SideValue::Right => show_scalar(b),
                SideValue::Difference => match (a, b) {
                    (Scalar::Num(x), Scalar::Num(y)) => (x.value - y.value).abs().normalize().to_string(),
                    _ => "?".into(),
                },
            }
        }
        Shown::Value(low) => match low.eval(d) {
            Some(Scalar::Label(Some(l))) => l.text.trim().to_string(),
            Some(Scalar::Label(None)) => "（无）".into(),
            Some(v) => show_scalar(&v),
            None => "（空）".into(),
        },
    }
}
