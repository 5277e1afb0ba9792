//! Rules lowered for one template format, and their one evaluation.
//!
//! A rule's `for every` domains and references depend only on the template,
//! never on the report, so they are resolved once per format: every binding
//! is expanded into an [`Instance`], and every cell, row, section or table a
//! rule reads becomes a slot in a dense [`Layout`]. Evaluating an instance
//! on a report is a walk over a small tree ([`Low`]) of slot reads and
//! arithmetic — no id strings, no allocation: [`Low::watched`], the one
//! evaluation of the rule language. Per report, [`Layout::dense`] fills the
//! slots in one pass over the report's tables (last year's report too, in
//! the same slots, for the rules that read it).
//!
//! The walk tells a [`Watch`] what it reads. Deciding ([`Decide`]) is told
//! nothing; explaining ([`explain`]) records the places a finding points at,
//! the places not read a binding looked at, and what `present` did not
//! find, so a finding's labels, blame and message come from the evaluation
//! that failed. Messages' `{…}` are lowered with the instance ([`Shown`]).
//!
//! For the shapes nearly all instances have, [`fast`] derives from the trees,
//! once per format, prefilters that clear an instance only where its tree
//! would hold (class masks for tests on one cell, computed by running the
//! tree on a cell of each class; exact integer sums; `and`/`or`/`not` of
//! those as the language's `logic_and` and its kin decide them). An instance
//! they do not clear is decided by its tree and, if it fails, explained.
//! tests/plan_equivalence.rs holds all of it to a reference interpreter that
//! walks the rules' syntax and lives in tests: built-in rules on fixtures and
//! thousands of their mutations, and random rules from the grammar.

use super::{
    arith_nums, cell_num, cell_test, comparison_holds, label_class, label_test, logic_and, logic_neg,
    logic_not, logic_or, meta_value, num_ordering, number_in, section_label, significant_char_count,
    significant_chars, Binding, Num, Scalar, Scope, TextPlace,
};
use fast::{CellStep, Fast, Gate, Linear, Probes};
use nianbao_model::{
    same_id, Cell, Date, Decimal, Id, LabelUse, Report, Row, Section, Span, Table, TableSchema, ValueKind,
};
use nianbao_rules::ast::{
    BinOp, Coord, Domain, Expr, ExprKind, Func, MetaField, Pattern, Piece, SideValue, Template, Test,
};
use nianbao_rules::RuleSet;
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex, PoisonError};

pub(super) mod explain;
mod fast;

/// The rules of a [`RuleSet`] lowered for one format.
pub(super) struct Plan {
    layout: Layout,
    /// By rule, in the rule set's order.
    pub(super) rules: Vec<RulePlan>,
    /// Some rule reads last year's report (so its parts are put in slots too).
    reads_previous: bool,
}

pub(super) struct RulePlan {
    /// Every binding, in the order of the rule's quantifiers.
    pub(super) instances: Vec<Instance>,
    /// When every instance reads one cell (rules over every cell): their
    /// shortcuts side by side, run in one tight loop.
    cells: Option<Box<[CellStep]>>,
    /// When those steps read consecutive cell slots: the slots, and by
    /// step the classes for which it does not simply hold.
    cell_run: Option<CellRun>,
    /// When every instance's check is decided by class bytes: the tests
    /// one of which hits when some instance fails.
    gate: Option<Gate>,
    /// When every instance compares sums ([`Fast::Linear`]): the sums side
    /// by side, which mostly hold and so decide alone, in one tight loop.
    sums: Option<Box<[Linear]>>,
    /// The rule names `report.published` (so a report without a date leaves
    /// it not checked: [`super::unread::Unread::concerns`]).
    pub(super) reads_published: bool,
}

/// Steps on the cells `start..start + masks.len()`, one each, in order.
struct CellRun {
    start: usize,
    /// By step, the classes for which it does not simply hold (but whole
    /// numbers, when `holds` decides them).
    masks: Box<[u8]>,
    /// When every step compares whole numbers with the same literal (`x >=
    /// 0`) and holds for 0: the whole numbers they hold for, `lo..=hi`.
    /// Other cells keep 0 in [`Dense`]'s numbers, so one pass over the
    /// numbers, without looking at classes, finds any that fails.
    holds: Option<(i64, i64)>,
}

impl CellRun {
    fn new(steps: &[CellStep]) -> Option<CellRun> {
        let start = steps.first()?.slot();
        let consecutive = steps
            .iter()
            .enumerate()
            .all(|(i, s)| s.slot().checked_sub(start) == Some(i));
        if !consecutive {
            return None;
        }
        let holds = steps.first().and_then(CellStep::whole_holds).filter(|&(lo, hi)| {
            lo <= 0 && 0 <= hi && steps.iter().all(|s| s.whole_holds() == Some((lo, hi)))
        });
        let whole = if holds.is_some() { !fast::WHOLE } else { u8::MAX };
        Some(CellRun {
            start,
            masks: steps.iter().map(|s| s.undecided_by_class() & whole).collect(),
            holds,
        })
    }

    /// The run's class bytes and whole numbers in the report.
    fn cells<'d>(&self, d: &'d Dense<'_>) -> Option<(&'d [u8], &'d [i64])> {
        let slots = self.start..self.start + self.masks.len();
        Some((d.classes.get(slots.clone())?, d.ints.get(slots)?))
    }

    /// Whether a whole number `v` fails the steps' comparison.
    #[inline]
    fn fails_whole(&self, v: i64) -> bool {
        self.holds.is_some_and(|(lo, hi)| v < lo || v > hi)
    }

    /// Whether some step may fail or need the tree: no cell in the run has
    /// a class its step does not hold for, nor a number out of `holds`.
    /// Passes over the class bytes and the numbers, which the compiler
    /// does many at a time.
    fn any_open(&self, d: &Dense<'_>) -> bool {
        let Some((classes, ints)) = self.cells(d) else {
            return true;
        };
        let by_class = classes
            .iter()
            .zip(self.masks.iter())
            .fold(0u8, |open, (class, mask)| open | (class & mask))
            != 0;
        by_class
            || self.holds.is_some_and(|(lo, hi)| {
                let (min, max) = ints
                    .iter()
                    .fold((i64::MAX, i64::MIN), |(min, max), v| (min.min(*v), max.max(*v)));
                min < lo || max > hi
            })
    }

    /// The positions of the steps that may fail or need the tree (`None`:
    /// the run is not in the report's slots).
    fn open_steps<'d>(&'d self, d: &'d Dense<'_>) -> Option<impl Iterator<Item = usize> + 'd> {
        let (classes, ints) = self.cells(d)?;
        Some(
            classes
                .iter()
                .zip(ints)
                .zip(self.masks.iter())
                .enumerate()
                .filter(|(_, ((c, v), m))| (**c & **m != 0) || (**c == fast::WHOLE && self.fails_whole(**v)))
                .map(|(i, _)| i),
        )
    }
}

impl RulePlan {
    /// The positions in `instances` of those that fail on the report, in
    /// order, into `out` (cleared first): only these are explained.
    pub(super) fn failing(&self, d: &Dense<'_>, out: &mut Vec<usize>) {
        out.clear();
        let instances = &self.instances;
        if self.gate.as_ref().is_some_and(|g| !g.open(d)) {
            return;
        }
        if let Some(sums) = &self.sums {
            // A sum that does not fail decides alone; any other instance goes the general way.
            for (i, (sum, inst)) in sums.iter().zip(instances).enumerate() {
                if sum.fails(d) != Some(false) && inst.fails(d) {
                    out.push(i);
                }
            }
            return;
        }
        let step_fails = |i: usize, step: &CellStep| {
            step.fails(d)
                .unwrap_or_else(|| instances.get(i).is_none_or(|inst| inst.test.check_fails(d)))
        };
        let open_run = self
            .cell_run
            .as_ref()
            .map(|run| (run.any_open(d), run.open_steps(d)));
        match &self.cells {
            Some(_) if matches!(open_run, Some((false, _))) => {}
            Some(steps) if matches!(open_run, Some((true, Some(_)))) => {
                // Only the steps whose cell has a class they do not simply hold for.
                for i in open_run.and_then(|(_, open)| open).into_iter().flatten() {
                    if steps.get(i).is_some_and(|step| step_fails(i, step)) {
                        out.push(i);
                    }
                }
            }
            Some(steps) => {
                for (i, step) in steps.iter().enumerate() {
                    if step_fails(i, step) {
                        out.push(i);
                    }
                }
            }
            None => out.extend(
                instances
                    .iter()
                    .enumerate()
                    .filter(|(_, inst)| inst.fails(d))
                    .map(|(i, _)| i),
            ),
        }
    }
}

/// One binding of a rule's variables.
pub(super) struct Instance {
    pub(super) test: Lowered,
    /// How `test` is decided (a shortcut for common shapes, else its tree).
    fast: Fast,
}

pub(super) struct Lowered {
    guard: Option<Low>,
    check: Low,
    /// The message's and the help's `{…}`, in order.
    message: Box<[Shown]>,
    help: Option<Box<[Shown]>>,
}

/// A message's `{…}` lowered: what the template and the binding fix is
/// named here and written out only for a finding.
#[derive(Clone)]
enum Shown {
    /// A row's, a column's, a section's template label.
    Row(&'static TableSchema, &'static str),
    Column(&'static TableSchema, &'static str),
    Section(&'static str),
    Text(String),
    /// `{left}`, `{right}`, `{difference}`: the sides of the check's comparison.
    Side(SideValue),
    /// A value, shown as it evaluates.
    Value(Low),
}

impl Lowered {
    fn guard_holds(&self, d: &Dense<'_>) -> bool {
        self.guard
            .as_ref()
            .is_none_or(|g| matches!(g.eval(d), Some(Scalar::Bool(true))))
    }

    fn check_fails(&self, d: &Dense<'_>) -> bool {
        matches!(self.check.eval(d), Some(Scalar::Bool(false)))
    }

    /// Guard and check are pure, so the check, which mostly holds (and so
    /// decides alone), goes first.
    fn fails(&self, d: &Dense<'_>) -> bool {
        self.check_fails(d) && self.guard_holds(d)
    }
}

impl Instance {
    /// Whether this instance fails on the report.
    pub(super) fn fails(&self, d: &Dense<'_>) -> bool {
        self.fast.fails(&self.test, d)
    }
}

/// What an evaluation tells besides its value: the places it reads, in the
/// order it reads them. Deciding an instance ([`Decide`]) wants none of it
/// (every method a no-op the compiler drops); explaining one that fails, or
/// one that may read places not read ([`explain::Explain`]), records where
/// a finding points, which places not read were looked at, and what
/// `present` did not find. Reads of last year's report are not told.
pub(super) trait Watch<'a> {
    /// Whether anything is recorded: work done only to be told is skipped when not.
    const RECORDS: bool;
    /// A cell is looked up, printed or not.
    fn look(&mut self, _slot: u32) {}
    /// A cell is read: as a number, or by a test on it (`test`).
    fn read(&mut self, _slot: u32, _cell: &'a Cell, _test: bool) {}
    /// A row, a table is looked at whole.
    fn row(&mut self, _row: u32) {}
    fn table(&mut self, _table: u32) {}
    /// A metadata field is read.
    fn meta(&mut self, _field: MetaField) {}
    /// The publication date is read, and none was found.
    fn no_published(&mut self) {}
    /// A label is read (`None`: not printed).
    fn label(&mut self, _label: &LabelOf, _found: Option<&'a LabelUse>) {}
    /// A place is pointed at with a text.
    fn touch(&mut self, _span: Span, _text: impl FnOnce() -> String, _total: u8) {}
    /// `present` did not find a section, table or row.
    fn not_found(&mut self, _what: NotFound) {}
    /// `has_numbers` found numbers in this row.
    fn numbers_in(&mut self, _row: u32, _printed: &'a Row) {}
    /// `in_order`: a section the template puts later is printed before.
    fn printed_before(&mut self, _section: u32, _printed: &'a Section) {}
    /// `in_order`: the section is out of order.
    fn out_of_order(&mut self, _section: u32, _printed: &'a Section) {}
}

/// Deciding alone: nothing told.
pub(super) struct Decide;

impl Watch<'_> for Decide {
    const RECORDS: bool = false;
}

/// A section, table or row `present` did not find, by slot.
#[derive(Clone, Copy)]
pub(super) enum NotFound {
    Section(u32),
    Table(u32),
    Row(u32),
}

// ---------------------------------------------------------------- layout

/// Every table, row, column, cell and section some rule reads, numbered.
pub(super) struct Layout {
    template: &'static nianbao_model::Template,
    tables: Vec<TableLayout>,
    rows: u32,
    cells: u32,
    columns: u32,
    sections: Vec<&'static str>,
    /// By slot, where a cell (table, row, column positions), a row (table,
    /// row) and a column (table, column) are: what a finding names.
    cell_places: Vec<(u32, u32, u32)>,
    row_places: Vec<(u32, u32)>,
    column_places: Vec<(u32, u32)>,
}

/// A table's rows and columns: the template's, in its order (the order
/// reports print them in, so filling a report's slots mostly finds each row
/// and cell where the previous one ended), then any others rules name.
struct TableLayout {
    /// The template's own string where the template has the table.
    id: Id,
    rows: Vec<RowLayout>,
    row_index: FxHashMap<String, u32>,
    /// (column id, the template's own string where it has one; column slot).
    columns: Vec<(Id, u32)>,
    column_index: FxHashMap<String, u32>,
    /// By id, the positions of the row and the column of that id (`NO_SLOT`:
    /// none): what a header names, found by one look-up ([`Layout::index_targets`]).
    targets: FxHashMap<String, (u32, u32)>,
}

struct RowLayout {
    /// The template's own string where the template has the row (see [`same_id`]).
    id: Id,
    slot: u32,
    /// Cell slots by the column's position in the table's `columns` (`NO_SLOT`: not read).
    cells: Vec<u32>,
    /// For a template row: its columns in the template's order, each with
    /// its cell slot (`NO_SLOT`: not read). A reader gives a row these
    /// cells in this order, so a report's row is mostly laid out by walking
    /// both side by side ([`TableLayout::fill_row`]).
    template_cells: Box<[(&'static str, u32)]>,
}

const NO_SLOT: u32 = u32::MAX;

impl TableLayout {
    /// The row named `id`, looked for first at `*next`, where the previous row ended.
    fn find_row(&self, id: &str, next: &mut usize) -> Option<&RowLayout> {
        let i = match self.rows.get(*next) {
            Some(r) if same_id(&r.id, id) => *next,
            _ => *self.row_index.get(id)? as usize,
        };
        *next = i + 1;
        self.rows.get(i)
    }

    /// The position of column `id`, looked for first at `*next`.
    fn find_column(&self, id: &str, next: &mut usize) -> Option<usize> {
        let i = match self.columns.get(*next) {
            Some((c, _)) if same_id(c, id) => *next,
            _ => *self.column_index.get(id)? as usize,
        };
        *next = i + 1;
        Some(i)
    }
}

impl TableLayout {
    /// Puts the cells of `row` (laid out as `rl`) that rules read in their
    /// slots. A reader prints a row's cells in the template's column order,
    /// so each is mostly found at the column after the previous one.
    #[inline]
    fn fill_row<'a>(
        &self,
        rl: &RowLayout,
        row: &'a Row,
        cells: &mut [Option<&'a Cell>],
        classes: &mut [u8],
        ints: &mut [i64],
    ) {
        // Three slices of one length: a slot checked against it is in
        // bounds for each.
        let n = cells.len().min(classes.len()).min(ints.len());
        let (cells, classes, ints) = (&mut cells[..n], &mut classes[..n], &mut ints[..n]);
        let mut put = |slot: usize, cell: &'a Cell| {
            if slot < n {
                let (class, whole) = fast::class_and_whole(cell);
                cells[slot] = Some(cell);
                classes[slot] = class;
                ints[slot] = whole;
            }
        };
        if row.cells.len() == rl.template_cells.len() {
            let mut as_template = true;
            for ((cid, cell), (id, slot)) in row.cells.iter().zip(rl.template_cells.iter()) {
                if !same_id(cid, id) {
                    as_template = false;
                    break;
                }
                put(*slot as usize, cell);
            }
            if as_template {
                return;
            }
            // Cells in another order or of other columns: the cells put so
            // far are put again where the look-up below finds them, the same slots.
        }
        let mut next_column = 0;
        for (cid, cell) in row.cells.iter() {
            let Some(c) = self.find_column(cid, &mut next_column) else {
                continue;
            };
            put(rl.cells.get(c).map_or(usize::MAX, |s| *s as usize), cell);
        }
    }
}

impl Layout {
    fn new(template: &'static nianbao_model::Template) -> Layout {
        Layout {
            template,
            tables: Vec::new(),
            rows: 0,
            cells: 0,
            columns: 0,
            sections: Vec::new(),
            cell_places: Vec::new(),
            row_places: Vec::new(),
            column_places: Vec::new(),
        }
    }

    fn table(&mut self, id: &str) -> u32 {
        if let Some(i) = self.tables.iter().position(|t| t.id == id) {
            return i as u32;
        }
        let t = self.tables.len();
        self.tables.push(TableLayout {
            id: match self.template.table(id) {
                Some(ts) => Id::Borrowed(ts.id),
                None => Id::Owned(id.to_string()),
            },
            rows: Vec::new(),
            row_index: FxHashMap::default(),
            columns: Vec::new(),
            column_index: FxHashMap::default(),
            targets: FxHashMap::default(),
        });
        if let Some(ts) = self.template.table(id) {
            for c in &ts.columns {
                self.column_at(t, c.id);
            }
            for r in &ts.rows {
                self.row_at(t, r.id);
            }
        }
        t as u32
    }

    fn row_at(&mut self, t: usize, row: &str) -> usize {
        let next = self.rows;
        let template = self.template;
        let Some(tl) = self.tables.get_mut(t) else {
            return 0;
        };
        if let Some(&i) = tl.row_index.get(row) {
            return i as usize;
        }
        let id = match template.table(&tl.id).and_then(|ts| ts.row(row)) {
            Some(r) => Id::Borrowed(r.id),
            None => Id::Owned(row.to_string()),
        };
        let i = tl.rows.len();
        tl.rows.push(RowLayout {
            id,
            slot: next,
            cells: Vec::new(),
            template_cells: Box::new([]),
        });
        tl.row_index.insert(row.to_string(), i as u32);
        self.rows += 1;
        self.row_places.push((t as u32, i as u32));
        i
    }

    fn column_at(&mut self, t: usize, column: &str) -> usize {
        let next = self.columns;
        let template = self.template;
        let Some(tl) = self.tables.get_mut(t) else {
            return 0;
        };
        if let Some(&i) = tl.column_index.get(column) {
            return i as usize;
        }
        let id = match template.table(&tl.id).and_then(|ts| ts.column(column)) {
            Some(c) => Id::Borrowed(c.id),
            None => Id::Owned(column.to_string()),
        };
        tl.column_index
            .insert(column.to_string(), tl.columns.len() as u32);
        tl.columns.push((id, next));
        self.columns += 1;
        self.column_places.push((t as u32, tl.columns.len() as u32 - 1));
        tl.columns.len() - 1
    }

    fn row(&mut self, table: &str, row: &str) -> u32 {
        let t = self.table(table) as usize;
        let i = self.row_at(t, row);
        self.tables[t].rows[i].slot
    }

    fn column(&mut self, table: &str, column: &str) -> u32 {
        let t = self.table(table) as usize;
        let i = self.column_at(t, column);
        self.tables[t].columns[i].1
    }

    fn cell(&mut self, table: &str, row: &str, column: &str) -> u32 {
        let t = self.table(table) as usize;
        let r = self.row_at(t, row);
        let c = self.column_at(t, column);
        let next = self.cells;
        let cells = &mut self.tables[t].rows[r].cells;
        if cells.len() <= c {
            cells.resize(c + 1, NO_SLOT);
        }
        if cells[c] == NO_SLOT {
            cells[c] = next;
            self.cells += 1;
            self.cell_places.push((t as u32, r as u32, c as u32));
        }
        cells[c]
    }

    fn section(&mut self, id: &'static str) -> u32 {
        if let Some(i) = self.sections.iter().position(|s| *s == id) {
            return i as u32;
        }
        self.sections.push(id);
        (self.sections.len() - 1) as u32
    }

    /// Fills each table's [`TableLayout::targets`] from its rows and
    /// columns, and each template row's [`RowLayout::template_cells`]:
    /// once the plan has numbered everything it reads.
    fn index_targets(&mut self) {
        for t in &mut self.tables {
            if let Some(ts) = self.template.table(&t.id) {
                for rl in &mut t.rows {
                    let Some(rs) = ts.row(&rl.id) else { continue };
                    rl.template_cells = ts
                        .row_columns(rs)
                        .map(|c| {
                            let slot = t
                                .column_index
                                .get(c.id)
                                .and_then(|&i| rl.cells.get(i as usize))
                                .copied()
                                .unwrap_or(NO_SLOT);
                            (c.id, slot)
                        })
                        .collect();
                }
            }
            let mut targets: FxHashMap<String, (u32, u32)> = FxHashMap::default();
            for (id, &i) in &t.row_index {
                targets.entry(id.clone()).or_insert((NO_SLOT, NO_SLOT)).0 = i;
            }
            for (id, &i) in &t.column_index {
                targets.entry(id.clone()).or_insert((NO_SLOT, NO_SLOT)).1 = i;
            }
            t.targets = targets;
        }
    }

    /// A report's parts by slot: one pass over the report's tables, rows,
    /// cells and headers.
    #[inline(never)]
    fn dense<'a>(&self, report: &'a Report) -> Dense<'a> {
        let mut d = Dense {
            report,
            tables: vec![None; self.tables.len()],
            rows: vec![(None, None); self.rows as usize],
            cells: vec![None; self.cells as usize],
            classes: vec![fast::ABSENT; self.cells as usize],
            ints: vec![0; self.cells as usize],
            columns: vec![None; self.columns as usize],
            sections: vec![None; self.sections.len()],
            labels: Vec::with_capacity(self.rows as usize + self.columns as usize + self.sections.len()),
            bits: fast::ClassBits::default(),
            previous: None,
        };
        for (sid, section) in &report.sections {
            if let Some(i) = self.sections.iter().position(|s| same_id(s, sid)) {
                d.sections[i] = Some(section);
            }
        }
        for (tid, table) in &report.tables {
            let Some(ti) = self.tables.iter().position(|t| same_id(&t.id, tid)) else {
                continue;
            };
            d.tables[ti] = Some(table);
            let layout = &self.tables[ti];
            let mut next_row = 0;
            for (rid, row) in &table.rows {
                let Some(rl) = layout.find_row(rid, &mut next_row) else {
                    continue;
                };
                if let Some(r) = d.rows.get_mut(rl.slot as usize) {
                    r.0 = Some(row);
                }
                if !rl.cells.is_empty() {
                    layout.fill_row(rl, row, &mut d.cells, &mut d.classes, &mut d.ints);
                }
            }
            for h in &table.headers {
                // A header's target may name a row and a column both (`total`).
                let Some(&(row, column)) = layout.targets.get(h.target.as_ref()) else {
                    continue;
                };
                if let Some(r) = layout
                    .rows
                    .get(row as usize)
                    .and_then(|rl| d.rows.get_mut(rl.slot as usize))
                {
                    r.1 = r.1.or(Some(h));
                }
                if let Some(col) = layout
                    .columns
                    .get(column as usize)
                    .and_then(|(_, s)| d.columns.get_mut(*s as usize))
                {
                    *col = col.or(Some(h));
                }
            }
        }
        // The class of every label a rule may test, by label slot
        // ([`Layout::label_slot`]): rows, then columns, then sections.
        d.labels.extend(
            d.rows
                .iter()
                .map(|(row, header)| label_class(row.and_then(|r| r.label.as_ref()).or(*header))),
        );
        d.labels.extend(d.columns.iter().map(|h| label_class(*h)));
        d.labels.extend(
            d.sections
                .iter()
                .map(|s| label_class(s.and_then(|s| s.heading.as_ref()))),
        );
        d.with_class_bits()
    }

    /// The ids of the cell in `slot`: table, row, column.
    fn cell_ids(&self, slot: u32) -> (&str, &str, &str) {
        let Some(&(t, r, c)) = self.cell_places.get(slot as usize) else {
            return ("", "", "");
        };
        let (table, row) = self.ids_in(t, |tl| tl.rows.get(r as usize).map(|rl| rl.id.as_ref()));
        let (_, column) = self.ids_in(t, |tl| tl.columns.get(c as usize).map(|(id, _)| id.as_ref()));
        (table, row, column)
    }

    /// The ids of the row in `slot`: table, row.
    fn row_ids(&self, slot: u32) -> (&str, &str) {
        let Some(&(t, r)) = self.row_places.get(slot as usize) else {
            return ("", "");
        };
        self.ids_in(t, |tl| tl.rows.get(r as usize).map(|rl| rl.id.as_ref()))
    }

    /// The ids of the column in `slot`: table, column.
    fn column_ids(&self, slot: u32) -> (&str, &str) {
        let Some(&(t, c)) = self.column_places.get(slot as usize) else {
            return ("", "");
        };
        self.ids_in(t, |tl| tl.columns.get(c as usize).map(|(id, _)| id.as_ref()))
    }

    /// Table `t`'s id and the id `of` finds in it ("" for what is not there).
    fn ids_in<'l>(
        &'l self,
        t: u32,
        of: impl FnOnce(&'l TableLayout) -> Option<&'l str>,
    ) -> (&'l str, &'l str) {
        match self.tables.get(t as usize) {
            Some(tl) => (tl.id.as_ref(), of(tl).unwrap_or("")),
            None => ("", ""),
        }
    }

    fn table_id(&self, slot: u32) -> &str {
        self.tables.get(slot as usize).map_or("", |t| t.id.as_ref())
    }

    fn section_id(&self, slot: u32) -> &'static str {
        self.sections.get(slot as usize).copied().unwrap_or("")
    }

    /// How many label slots [`Dense::labels`] has.
    fn label_slots(&self) -> usize {
        (self.rows + self.columns) as usize + self.sections.len()
    }

    /// Where a label's class is in [`Dense::labels`].
    fn label_slot(&self, label: &LabelOf) -> u32 {
        match label {
            LabelOf::Row(r) => *r,
            LabelOf::Column(c) => self.rows + c,
            LabelOf::Section(s) => self.rows + self.columns + s,
        }
    }
}

/// A report's tables, rows, cells, columns and sections by their slots in a layout.
pub(super) struct Dense<'a> {
    report: &'a Report,
    tables: Vec<Option<&'a Table>>,
    /// The row, and the first header printed for its id (headings such as
    /// 三、本年度办理结果).
    rows: Vec<(Option<&'a Row>, Option<&'a LabelUse>)>,
    cells: Vec<Option<&'a Cell>>,
    /// By cell slot, the cell's class as a bit (see [`fast`]): what the
    /// tests on one cell read.
    classes: Vec<u8>,
    /// By cell slot, the number of a printed whole number (class
    /// [`fast::WHOLE`]), 0 for any other cell: what sums and comparisons
    /// with whole literals read, without matching on the cell.
    ints: Vec<i64>,
    /// The first header printed for a column id.
    columns: Vec<Option<&'a LabelUse>>,
    sections: Vec<Option<&'a Section>>,
    /// The class bits of the labels of rows, columns and sections, by [`Layout::label_slot`].
    labels: Vec<u8>,
    /// Which cell slots hold no printed whole number, no number: what sums ([`fast::Linear`]) look at for many cells at once.
    bits: fast::ClassBits,
    /// Last year's report in the same slots, for rules that read it.
    previous: Option<Box<Dense<'a>>>,
}

impl<'a> Dense<'a> {
    /// A report with `cell` in each of `slots` cell slots and nothing else:
    /// what the shortcuts' tables by class are computed on.
    fn uniform(report: &'a Report, cell: Option<&'a Cell>, slots: usize) -> Dense<'a> {
        Dense {
            report,
            tables: Vec::new(),
            rows: Vec::new(),
            cells: vec![cell; slots],
            classes: vec![fast::class_bit(cell); slots],
            ints: vec![fast::whole_value(cell); slots],
            columns: Vec::new(),
            sections: Vec::new(),
            labels: Vec::new(),
            bits: fast::ClassBits::default(),
            previous: None,
        }
        .with_class_bits()
    }

    /// [`Dense::bits`] worked out from the class bytes.
    fn with_class_bits(mut self) -> Self {
        self.bits.fill(&self.classes);
        self
    }

    fn cell(&self, slot: u32) -> Option<&'a Cell> {
        self.cells.get(slot as usize).copied().flatten()
    }

    /// The class bit of the cell in `slot` (absent's when there is none).
    fn class(&self, slot: u32) -> u8 {
        self.classes.get(slot as usize).copied().unwrap_or(fast::ABSENT)
    }

    /// The number in `slot` when it is a printed whole number.
    #[inline]
    fn whole(&self, slot: u32) -> Option<i64> {
        if self.class(slot) != fast::WHOLE {
            return None;
        }
        self.ints.get(slot as usize).copied()
    }

    fn row(&self, slot: u32) -> Option<&'a Row> {
        self.rows.get(slot as usize).and_then(|r| r.0)
    }

    fn row_header(&self, slot: u32) -> Option<&'a LabelUse> {
        self.rows.get(slot as usize).and_then(|r| r.1)
    }

    fn column_header(&self, slot: u32) -> Option<&'a LabelUse> {
        self.columns.get(slot as usize).copied().flatten()
    }

    /// The class bit of a label, by its slot.
    fn label(&self, slot: u32) -> u8 {
        self.labels.get(slot as usize).copied().unwrap_or(0)
    }

    fn section(&self, slot: u32) -> Option<&'a Section> {
        self.sections.get(slot as usize).copied().flatten()
    }

    fn table(&self, slot: u32) -> Option<&'a Table> {
        self.tables.get(slot as usize).copied().flatten()
    }
}
// ---------------------------------------------------------------- lowered expressions

/// An expression with its references resolved to slots.
#[derive(Clone)]
enum Low {
    /// Fixed by the template and the bindings alone (`None`: not applicable).
    Const(Option<Constant>),
    /// A cell's number.
    Cell(u32),
    /// `sum(...)`: the cells; `group`: the group row's own cell, used when
    /// none of them is printed.
    Sum {
        cells: Box<[u32]>,
        group: Option<u32>,
    },
    Meta(MetaField),
    CellTest {
        cell: u32,
        kind: Option<ValueKind>,
        test: Test,
        negated: bool,
    },
    /// `and`/`or` of two tests on one cell (`x is number and x is not
    /// signed`): one node instead of three, for rules over every cell.
    CellTests {
        cell: u32,
        and: bool,
        tests: [(Option<ValueKind>, Test, bool); 2],
    },
    /// A cell's number compared with a number literal (`x >= 0`).
    CompareCell {
        cell: u32,
        op: BinOp,
        value: Num,
    },
    LabelTest {
        label: LabelOf,
        test: Test,
        negated: bool,
    },
    Present(Present),
    /// `label(…)` as a value (shown in a message).
    Label(LabelOf),
    /// `text(…)`.
    Text(TextOf),
    /// An expression on last year's report: evaluated there, pointing at nothing.
    Previous(Box<Low>),
    /// `has_numbers(row)`; `None`: no such row.
    HasNumbers(Option<u32>),
    /// `in_order(section)`: the section and those the template puts after it.
    InOrder {
        section: u32,
        later: Box<[u32]>,
    },
    Matches(TextOf, Arc<Pattern>),
    /// `number(text, pattern)`.
    Number(TextOf, Arc<Pattern>),
    Chars(TextOf),
    /// `chars(text) op limit`, the limit a whole number: counting stops past it.
    CompareChars {
        text: TextOf,
        op: BinOp,
        limit: usize,
    },
    Neg(Box<Low>),
    Not(Box<Low>),
    And(Box<Low>, Box<Low>),
    Or(Box<Low>, Box<Low>),
    Binary(BinOp, Box<Low>, Box<Low>),
    Abs(Box<Low>),
    MinMax {
        min: bool,
        a: Box<Low>,
        b: Box<Low>,
    },
    Date(Box<[Low; 3]>),
    Year(Box<Low>),
}

#[derive(Clone)]
enum Constant {
    Num(Num),
    Text(String),
}

#[derive(Clone, Copy)]
pub(super) enum LabelOf {
    Section(u32),
    /// A row's label, else the first header naming it.
    Row(u32),
    /// A column's header.
    Column(u32),
}

#[derive(Clone)]
enum Present {
    /// Always there (a variable bound to a row or column).
    Found,
    /// One cell: there when printed.
    Cell(u32),
    /// A value: there when it evaluates; else any of these cells printed.
    Value(Box<Low>, Box<[u32]>),
    Cells(Box<[u32]>),
    Section(u32),
    Table(u32),
    Row {
        row: u32,
        sub_rows: Box<[u32]>,
    },
    /// A column: its header printed, or a cell in it.
    Column {
        table: u32,
        slot: u32,
        id: String,
    },
}

#[derive(Clone)]
enum TextOf {
    /// The title or the issuing body, where they are printed.
    Meta(MetaField),
    Section(u32),
    /// Any other value that may be a text (`text(…)`, a literal): no place.
    Value(Box<Low>),
}

impl TextOf {
    fn of<'a, W: Watch<'a>>(&'a self, d: &Dense<'a>, w: &mut W) -> Option<(&'a str, Option<TextPlace>)> {
        match self {
            TextOf::Meta(field) => {
                let m = &d.report.metadata;
                let (text, offset) = match field {
                    MetaField::Title => m.title.as_ref().map(|t| (t.value.as_str(), t.span.offset))?,
                    MetaField::Body => m.body.as_ref().map(|b| (b.value.as_str(), b.span.offset))?,
                    _ => return None,
                };
                w.meta(*field);
                Some((text, Some(TextPlace::From(offset))))
            }
            TextOf::Section(s) => {
                let body = d.section(*s)?.body;
                Some((d.report.rendered_slice(body)?.text, Some(TextPlace::Body(body))))
            }
            TextOf::Value(v) => match v.watched(d, w)? {
                Scalar::Text(t) => Some((t, None)),
                _ => None,
            },
        }
    }
}

impl LabelOf {
    fn of<'a>(&self, d: &Dense<'a>) -> Option<&'a LabelUse> {
        match self {
            LabelOf::Section(s) => d.section(*s).and_then(|s| s.heading.as_ref()),
            LabelOf::Row(r) => d.row(*r).and_then(|row| row.label.as_ref()).or(d.row_header(*r)),
            LabelOf::Column(c) => d.column_header(*c),
        }
    }
}

impl Present {
    fn holds(&self, d: &Dense<'_>) -> bool {
        self.watched(d, &mut Decide)
    }

    fn watched<'a, W: Watch<'a>>(&'a self, d: &Dense<'a>, w: &mut W) -> bool {
        match self {
            Present::Found => true,
            Present::Value(v, cells) => {
                v.watched(d, w).is_some() || cells.iter().any(|s| d.cell(*s).is_some())
            }
            // A cell is there when it is printed, and read as any cell is.
            Present::Cell(slot) => cell_number(*slot, d, w).is_some() || d.cell(*slot).is_some(),
            Present::Cells(cells) => cells.iter().any(|s| d.cell(*s).is_some()),
            Present::Section(s) => {
                let found = d.section(*s).is_some();
                if !found {
                    w.not_found(NotFound::Section(*s));
                }
                found
            }
            Present::Table(t) => {
                w.table(*t);
                let found = d.table(*t).is_some();
                if !found {
                    w.not_found(NotFound::Table(*t));
                }
                found
            }
            Present::Row { row, sub_rows } => {
                w.row(*row);
                let found = d.row(*row).is_some()
                    || d.row_header(*row).is_some()
                    || sub_rows.iter().any(|r| d.row(*r).is_some());
                if !found {
                    w.not_found(NotFound::Row(*row));
                }
                found
            }
            Present::Column { table, slot, id } => {
                d.column_header(*slot).is_some()
                    || d.table(*table)
                        .is_some_and(|t| t.rows.values().any(|r| r.cells.contains_key(id.as_str())))
            }
        }
    }
}

/// `has_numbers(row)`: some cell of the row is a number.
fn has_numbers(row: Option<u32>, d: &Dense<'_>) -> bool {
    row.and_then(|r| d.row(r))
        .is_some_and(|r| r.cells.values().any(|c| c.value.number().is_some()))
}

/// A cell of this year's report (of `d`) read as a number.
#[inline]
fn cell_number<'a, W: Watch<'a>>(slot: u32, d: &Dense<'a>, w: &mut W) -> Option<Num> {
    w.look(slot);
    let cell = d.cell(slot)?;
    let n = cell_num(cell)?;
    w.read(slot, cell, false);
    Some(n)
}

/// A test on a cell of `d`.
#[inline]
fn tested<'a, W: Watch<'a>>(
    slot: u32,
    (kind, test, negated): (Option<ValueKind>, Test, bool),
    d: &Dense<'a>,
    w: &mut W,
) -> Option<Scalar<'a>> {
    w.look(slot);
    let cell = d.cell(slot)?;
    let r = cell_test(cell, kind, test)?;
    w.read(slot, cell, true);
    Some(Scalar::Bool(r != negated))
}

/// `chars(text)`: its significant characters, pointed at where a section's text is printed.
fn chars_of<'a, W: Watch<'a>>(text: &'a TextOf, d: &Dense<'a>, w: &mut W) -> Option<Num> {
    let (t, place) = text.of(d, w)?;
    let n = significant_chars(t);
    if W::RECORDS {
        // A section's text, where it is printed, white space around it left out.
        if let Some(body @ TextPlace::Body(_)) = place {
            let start = t.len() - t.trim_start().len();
            let end = t.trim_end().len();
            if let Some(span) = (start < end)
                .then(|| body.source_span(d.report, start, end))
                .flatten()
            {
                w.touch(span, || format!("正文 {} 个字", n.value), 0);
            }
        }
    }
    Some(n)
}

/// Two values compared (`None`: they do not compare).
fn compare_scalars(op: BinOp, a: Scalar<'_>, b: Scalar<'_>) -> Option<Scalar<'static>> {
    let ord = match (a, b) {
        (Scalar::Num(x), Scalar::Num(y)) => num_ordering(x, y),
        (Scalar::Date(x), Scalar::Date(y)) => x.cmp(&y),
        (Scalar::Text(x), Scalar::Text(y)) => x.cmp(y),
        _ => return None,
    };
    comparison_holds(op, ord).map(Scalar::Bool)
}

impl Low {
    /// The value on a report, deciding alone.
    fn eval<'a>(&'a self, d: &Dense<'a>) -> Option<Scalar<'a>> {
        self.watched(d, &mut Decide)
    }

    /// The value on a report, telling `w` what is read on the way: the
    /// language's one evaluation, for deciding and for explaining alike.
    fn watched<'a, W: Watch<'a>>(&'a self, d: &Dense<'a>, w: &mut W) -> Option<Scalar<'a>> {
        match self {
            Low::Const(c) => match c.as_ref()? {
                Constant::Num(n) => Some(Scalar::Num(*n)),
                Constant::Text(t) => Some(Scalar::Text(t)),
            },
            Low::Cell(slot) => cell_number(*slot, d, w).map(Scalar::Num),
            Low::Sum { cells, group } => {
                if !cells.iter().any(|s| {
                    w.look(*s);
                    d.cell(*s).is_some()
                }) {
                    return cell_number((*group)?, d, w).map(Scalar::Num);
                }
                let mut total = Num::ZERO;
                for s in cells.iter() {
                    total = total.checked_add(cell_number(*s, d, w)?)?;
                }
                Some(Scalar::Num(total))
            }
            Low::Meta(field) => {
                if *field == MetaField::Published && d.report.metadata.published.is_none() {
                    // No date found: what reads it is not checked (never "late").
                    w.no_published();
                    return None;
                }
                let value = meta_value(d.report, *field)?;
                w.meta(*field);
                Some(value)
            }
            Low::CellTest {
                cell,
                kind,
                test,
                negated,
            } => tested(*cell, (*kind, *test, *negated), d, w),
            Low::CellTests { cell, and, tests } => {
                let [first, second] = tests;
                let first = tested(*cell, *first, d, w);
                if *and {
                    logic_and(first, || tested(*cell, *second, d, w))
                } else {
                    logic_or(first, || tested(*cell, *second, d, w))
                }
            }
            Low::CompareCell { cell, op, value } => {
                let n = cell_number(*cell, d, w)?;
                comparison_holds(*op, num_ordering(n, *value)).map(Scalar::Bool)
            }
            Low::LabelTest { label, test, negated } => {
                let l = label.of(d);
                w.label(label, l);
                Some(Scalar::Bool(label_test(l, *test) != *negated))
            }
            Low::Label(label) => {
                let l = label.of(d);
                w.label(label, l);
                Some(Scalar::Label(l))
            }
            Low::Present(p) => Some(Scalar::Bool(p.watched(d, w))),
            Low::HasNumbers(row) => {
                let Some(row) = *row else {
                    // No such row (`parent` of a row without one).
                    return Some(Scalar::Bool(false));
                };
                w.row(row);
                let has = has_numbers(Some(row), d);
                if let (true, Some(r)) = (has && W::RECORDS, d.row(row)) {
                    w.numbers_in(row, r);
                }
                Some(Scalar::Bool(has))
            }
            Low::InOrder { section, later } => {
                let this = d.section(*section)?;
                let mut ok = true;
                // Out of order: printed after a section the template puts after it.
                for (s, printed) in later.iter().filter_map(|s| Some((*s, d.section(*s)?))) {
                    if printed.span.offset < this.span.offset {
                        ok = false;
                        if !W::RECORDS {
                            break;
                        }
                        w.printed_before(s, printed);
                    }
                }
                if !ok {
                    w.out_of_order(*section, this);
                }
                Some(Scalar::Bool(ok))
            }
            Low::Matches(text, p) => {
                let text = text.of(d, w)?.0;
                Some(Scalar::Bool(!p.cannot_match(text) && p.regex.is_match(text)))
            }
            Low::Number(text, p) => {
                let (text, place) = text.of(d, w)?;
                let (n, start, matched) = number_in(text, p)?;
                if W::RECORDS {
                    if let Some(span) =
                        place.and_then(|p| p.source_span(d.report, start, start + matched.len()))
                    {
                        w.touch(span, || format!("文中 {matched}"), 0);
                    }
                }
                Some(Scalar::Num(n))
            }
            Low::Chars(text) => chars_of(text, d, w).map(Scalar::Num),
            Low::CompareChars { text, op, limit } => {
                if W::RECORDS {
                    let n = chars_of(text, d, w)?;
                    return comparison_holds(*op, num_ordering(n, Num::whole(*limit))).map(Scalar::Bool);
                }
                let n = significant_char_count(text.of(d, w)?.0, limit.saturating_add(1));
                comparison_holds(*op, n.cmp(limit)).map(Scalar::Bool)
            }
            Low::Text(text) => text.of(d, w).map(|(t, _)| Scalar::Text(t)),
            Low::Previous(inner) => inner.eval(d.previous.as_deref()?),
            Low::Neg(inner) => logic_neg(inner.watched(d, w)),
            Low::Not(inner) => logic_not(inner.watched(d, w)),
            Low::And(l, r) => logic_and(l.watched(d, w), || r.watched(d, w)),
            Low::Or(l, r) => logic_or(l.watched(d, w), || r.watched(d, w)),
            Low::Binary(op, l, r) => {
                let a = l.watched(d, w)?;
                let b = r.watched(d, w)?;
                if op.is_comparison() {
                    compare_scalars(*op, a, b)
                } else {
                    let (Scalar::Num(x), Scalar::Num(y)) = (a, b) else {
                        return None;
                    };
                    arith_nums(*op, x, y).map(Scalar::Num)
                }
            }
            Low::Abs(inner) => match inner.watched(d, w)? {
                Scalar::Num(n) => Some(Scalar::Num(Num {
                    value: n.value.abs(),
                    decimals: n.decimals,
                })),
                _ => None,
            },
            Low::MinMax { min, a, b } => {
                let a = a.watched(d, w)?;
                let b = b.watched(d, w)?;
                let (Scalar::Num(a), Scalar::Num(b)) = (a, b) else {
                    return None;
                };
                Some(Scalar::Num(if *min == (a.value <= b.value) { a } else { b }))
            }
            Low::Date(parts) => {
                let [y, m, d2] = &**parts;
                let mut int = |l: &'a Low| -> Option<i64> {
                    match l.watched(d, w)? {
                        Scalar::Num(n) if n.value.fract().is_zero() => i64::try_from(n.value).ok(),
                        _ => None,
                    }
                };
                let (y, m, day) = (int(y)?, int(m)?, int(d2)?);
                Date::new(
                    i32::try_from(y).ok()?,
                    u8::try_from(m).ok()?,
                    u8::try_from(day).ok()?,
                )
                .map(Scalar::Date)
            }
            Low::Year(inner) => match inner.watched(d, w)? {
                Scalar::Date(date) => Some(Scalar::Num(Num {
                    value: Decimal::from(date.year),
                    decimals: Some(0),
                })),
                _ => None,
            },
        }
    }
}

// ---------------------------------------------------------------- lowering

impl Plan {
    /// `patterns`: shared by every plan of `rules`.
    pub(super) fn new(
        rules: &RuleSet,
        format: nianbao_model::Format,
        patterns: &Arc<SharedPatterns>,
    ) -> Plan {
        let reads_previous = rules.rules.iter().any(|r| r.cross_year);
        let mut planner = Planner {
            template: nianbao_model::template(format),
            layout: Layout::new(nianbao_model::template(format)),
            patterns: Arc::clone(patterns),
        };
        // Every value cell of the template first, in the order of a `for
        // every cell` domain: rules over every cell of tables named in
        // template order then read consecutive slots ([`CellRun`]).
        for ts in &planner.template.tables {
            for r in ts.value_rows() {
                for c in ts.row_columns(r) {
                    planner.layout.cell(ts.id, r.id, c.id);
                }
            }
        }
        let mut rules: Vec<RulePlan> = rules
            .rules
            .iter()
            .map(|rule| RulePlan {
                instances: planner.instances(rule),
                cells: None,
                cell_run: None,
                gate: None,
                sums: None,
                reads_published: super::unread::names_published(rule),
            })
            .collect();
        let probes = Probes::new(format, planner.layout.cells as usize);
        let shortcuts = probes.shortcuts(&planner.layout);
        for rule in &mut rules {
            let instances = &mut rule.instances;
            for inst in instances.iter_mut() {
                inst.fast = shortcuts.fast(&inst.test);
            }
            rule.cells = instances
                .iter()
                .map(|inst| match inst.fast {
                    Fast::OneCell(step) => Some(step),
                    _ => None,
                })
                .collect();
            rule.cell_run = rule.cells.as_deref().and_then(CellRun::new);
            rule.sums = instances.iter().map(|inst| inst.fast.linear().cloned()).collect();
            rule.gate = Gate::of(
                instances.iter().map(|inst| &inst.fast),
                planner.layout.cells as usize,
                planner.layout.label_slots(),
            );
        }
        planner.layout.index_targets();
        Plan {
            layout: planner.layout,
            rules,
            reads_previous,
        }
    }

    /// Explains this plan's instances on `report`.
    pub(super) fn explain<'a>(
        &'a self,
        report: &'a Report,
        unread: &'a super::unread::Unread,
    ) -> explain::Explain<'a> {
        explain::Explain::new(&self.layout, report, unread)
    }

    /// A report's parts by slot, with last year's report's where given and
    /// some rule reads it.
    pub(super) fn dense<'a>(&self, report: &'a Report, previous: Option<&'a Report>) -> Dense<'a> {
        let mut d = self.layout.dense(report);
        d.previous = previous
            .filter(|_| self.reads_previous)
            .map(|p| Box::new(self.layout.dense(p)));
        d
    }
}

struct Planner {
    template: &'static nianbao_model::Template,
    layout: Layout,
    patterns: Arc<SharedPatterns>,
}

/// One copy of each pattern of a rule set for all its plans and all the
/// instances that use it, by the pattern's place in the rule set. A regex
/// keeps the state its searches have worked out (the lazy DFA) per copy:
/// copies of their own would each work it out again.
#[derive(Default)]
pub(super) struct SharedPatterns(Mutex<FxHashMap<usize, Arc<Pattern>>>);

impl SharedPatterns {
    /// The shared copy of `p`, a pattern of the rule set being planned
    /// (which outlives the plans: its address names it).
    pub(super) fn get(&self, p: &Pattern) -> Arc<Pattern> {
        let mut patterns = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            patterns
                .entry(std::ptr::from_ref(p) as usize)
                .or_insert_with(|| Arc::new(p.clone())),
        )
    }
}

impl Planner {
    fn instances(&mut self, rule: &nianbao_rules::Rule) -> Vec<Instance> {
        let mut out = Vec::new();
        let mut named: Vec<(&str, Binding<'static>)> = Vec::new();
        self.expand(rule, 0, &mut named, &mut out);
        out
    }

    fn expand<'r>(
        &mut self,
        rule: &'r nianbao_rules::Rule,
        depth: usize,
        named: &mut Vec<(&'r str, Binding<'static>)>,
        out: &mut Vec<Instance>,
    ) {
        let Some(q) = rule.quantifiers.get(depth) else {
            let test = self.lower_instance(rule, named);
            out.push(Instance {
                test,
                fast: Fast::Tree,
            });
            return;
        };
        let domain = Scope {
            template: self.template,
            bindings: named,
        }
        .domain(q);
        for b in domain {
            named.push((q.var.as_str(), b));
            self.expand(rule, depth + 1, named, out);
            named.pop();
        }
    }

    fn lower_instance(&mut self, rule: &nianbao_rules::Rule, named: &[(&str, Binding<'static>)]) -> Lowered {
        let template = self.template;
        let mut cx = Cx {
            planner: self,
            scope: Scope {
                template,
                bindings: named,
            },
        };
        let guard = rule.guard.as_ref().map(|g| cx.lower(g));
        let check = cx.lower(&rule.check);
        let mut shown = |t: &Template| -> Box<[Shown]> {
            t.pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Expr(e) => Some(cx.lower_shown(e, rule)),
                    Piece::Text(_) => None,
                })
                .collect()
        };
        let message = shown(&rule.message);
        let help = rule.help.as_ref().map(&mut shown);
        Lowered {
            guard,
            check,
            message,
            help,
        }
    }
}

/// Lowering one instance: the planner's layout and the instance's scope.
struct Cx<'p, 's, 'a> {
    planner: &'p mut Planner,
    scope: Scope<'s, 'a>,
}

/// A binary operation, with the shapes rules over every cell use most
/// fused into one node (same meaning, fewer steps).
fn fuse(op: BinOp, l: Low, r: Low) -> Low {
    match (op, l, r) {
        (
            BinOp::And | BinOp::Or,
            Low::CellTest {
                cell,
                kind,
                test,
                negated,
            },
            Low::CellTest {
                cell: cell2,
                kind: kind2,
                test: test2,
                negated: negated2,
            },
        ) if cell == cell2 => Low::CellTests {
            cell,
            and: op == BinOp::And,
            tests: [(kind, test, negated), (kind2, test2, negated2)],
        },
        (op, Low::Cell(cell), Low::Const(Some(Constant::Num(value)))) if op.is_comparison() => {
            Low::CompareCell { cell, op, value }
        }
        (op, Low::Chars(text), Low::Const(Some(Constant::Num(value))))
            if op.is_comparison() && value.value.scale() == 0 && usize::try_from(value.value).is_ok() =>
        {
            Low::CompareChars {
                text,
                op,
                limit: usize::try_from(value.value).unwrap_or(usize::MAX),
            }
        }
        (BinOp::And, l, r) => Low::And(boxed(l), boxed(r)),
        (BinOp::Or, l, r) => Low::Or(boxed(l), boxed(r)),
        (op, l, r) => Low::Binary(op, boxed(l), boxed(r)),
    }
}

/// What a value that is not there, or that is no number, condition, date,
/// text or label (a row, a column, a group of cells, a section, a table:
/// those mean something only as arguments), gives.
fn not_applicable() -> Low {
    Low::Const(None)
}

fn boxed(l: Low) -> Box<Low> {
    Box::new(l)
}

/// Whether `e` names last year's report itself.
fn names_previous(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Cell(c) => c.previous,
        ExprKind::Section { previous, .. }
        | ExprKind::Table { previous, .. }
        | ExprKind::Meta { previous, .. } => *previous,
        _ => false,
    }
}

/// `e` naming this year's report instead of last year's.
fn this_year(e: &Expr) -> Expr {
    let mut e = e.clone();
    match &mut e.kind {
        ExprKind::Cell(c) => c.previous = false,
        ExprKind::Section { previous, .. }
        | ExprKind::Table { previous, .. }
        | ExprKind::Meta { previous, .. } => *previous = false,
        _ => {}
    }
    e
}

/// When `e` reads last year's report (a reference to it, or a function or
/// test of one): the same expression on this year's, to be evaluated on
/// last year's report ([`Low::Previous`]).
fn on_previous(e: &Expr) -> Option<Expr> {
    if names_previous(e) {
        return Some(this_year(e));
    }
    let first = match &e.kind {
        ExprKind::Is { expr, .. } | ExprKind::Matches(expr, _) => &**expr,
        ExprKind::Call {
            func:
                Func::Sum
                | Func::Present
                | Func::HasNumbers
                | Func::Label
                | Func::Number
                | Func::Chars
                | Func::Text,
            args,
        } => args.first()?,
        _ => return None,
    };
    if !names_previous(first) {
        return None;
    }
    let mut e = e.clone();
    match &mut e.kind {
        ExprKind::Is { expr, .. } | ExprKind::Matches(expr, _) => **expr = this_year(expr),
        ExprKind::Call { args, .. } => {
            if let Some(first) = args.first_mut() {
                *first = this_year(first);
            }
        }
        _ => {}
    }
    Some(e)
}

impl Cx<'_, '_, '_> {
    fn layout(&mut self) -> &mut Layout {
        &mut self.planner.layout
    }

    /// The one id a coordinate stands for (`None`: it stands for nothing here).
    fn one_id(&self, table: &str, c: &Coord, row_axis: bool) -> Option<String> {
        self.scope.coord_ids(table, c, row_axis)?.into_iter().next()
    }

    fn section_id(&self, section: &Coord) -> Option<&'static str> {
        let id: &str = match section {
            Coord::Id(id) => id,
            Coord::Var(v) => match self.scope.binding(v)? {
                Binding::Section { id } => id,
                _ => return None,
            },
            _ => return None,
        };
        self.scope.template.section(id).map(|s| s.id)
    }

    /// The slots of the cells a reference stands for (none where it stands for nothing).
    fn cells_of_slots(&mut self, c: &nianbao_rules::ast::CellRef) -> Box<[u32]> {
        let cells = self.scope.cells_of(c).unwrap_or_default();
        self.cell_slots(&cells)
    }

    fn cell_slots(&mut self, cells: &[(&str, &str, &str)]) -> Box<[u32]> {
        cells
            .iter()
            .map(|(t, r, c)| self.layout().cell(t, r, c))
            .collect()
    }

    fn lower(&mut self, e: &Expr) -> Low {
        if let Some(this_year) = on_previous(e) {
            return Low::Previous(boxed(self.lower(&this_year)));
        }
        let many = |k: &Coord| matches!(k, Coord::Children(_) | Coord::All);
        match &e.kind {
            ExprKind::Number(n) => Low::Const(Some(Constant::Num(Num {
                value: *n,
                decimals: None,
            }))),
            ExprKind::Text(t) => Low::Const(Some(Constant::Text(t.clone()))),
            ExprKind::Cell(c) => match (&c.row, &c.column) {
                (r, Some(col)) if !many(r) && !many(col) => {
                    match (self.one_id(&c.table, r, true), self.one_id(&c.table, col, false)) {
                        (Some(row), Some(column)) => Low::Cell(self.layout().cell(&c.table, &row, &column)),
                        _ => not_applicable(),
                    }
                }
                _ => not_applicable(),
            },
            ExprKind::Meta { field, .. } => Low::Meta(*field),
            ExprKind::Var(v) => match self.scope.binding(v) {
                Some(Binding::Cell { table, row, column }) => {
                    Low::Cell(self.layout().cell(table, row, column))
                }
                _ => not_applicable(),
            },
            ExprKind::Neg(inner) => Low::Neg(boxed(self.lower(inner))),
            ExprKind::Not(inner) => Low::Not(boxed(self.lower(inner))),
            ExprKind::Binary(op, l, r) => {
                let (l, r) = (self.lower(l), self.lower(r));
                fuse(*op, l, r)
            }
            ExprKind::Is { expr, negated, test } => self.lower_is(expr, *negated, *test),
            ExprKind::Matches(inner, pat) => {
                let text = self.lower_text(inner);
                Low::Matches(text, self.planner.patterns.get(pat))
            }
            ExprKind::Call { func, args } => self.lower_call(*func, args),
            ExprKind::Invalid
            | ExprKind::Pattern(_)
            | ExprKind::Side(_)
            | ExprKind::Table { .. }
            | ExprKind::Section { .. }
            | ExprKind::Unresolved { .. }
            | ExprKind::UnresolvedCall { .. }
            | ExprKind::UnresolvedIs { .. }
            | ExprKind::UnresolvedMeta { .. } => not_applicable(),
        }
    }

    /// The text `text_of` reads: a title, a body, a section's text, or a
    /// value that is a text.
    fn lower_text(&mut self, e: &Expr) -> TextOf {
        match &e.kind {
            ExprKind::Meta {
                previous: false,
                field: field @ (MetaField::Title | MetaField::Body),
            } => TextOf::Meta(*field),
            ExprKind::Section {
                previous: false,
                section,
            } => match self.section_id(section) {
                Some(id) => TextOf::Section(self.layout().section(id)),
                None => TextOf::Value(boxed(not_applicable())),
            },
            ExprKind::Var(v) => match self.section_id(&Coord::Var(v.clone())) {
                Some(id) => TextOf::Section(self.layout().section(id)),
                None => TextOf::Value(boxed(self.lower(e))),
            },
            _ => TextOf::Value(boxed(self.lower(e))),
        }
    }

    /// What `label(arg)` reads (`None`: nothing).
    fn label_of(&mut self, arg: &Expr) -> Option<LabelOf> {
        let many = |k: &Coord| matches!(k, Coord::Children(_) | Coord::All);
        Some(match &arg.kind {
            ExprKind::Section {
                previous: false,
                section,
            } => {
                let id = self.section_id(section)?;
                LabelOf::Section(self.layout().section(id))
            }
            ExprKind::Var(v) => {
                let id = self.section_id(&Coord::Var(v.clone()))?;
                LabelOf::Section(self.layout().section(id))
            }
            ExprKind::Cell(c) if !c.previous => match (&c.row, &c.column) {
                (r, None) if !many(r) => {
                    let row = self.one_id(&c.table, r, true)?;
                    LabelOf::Row(self.layout().row(&c.table, &row))
                }
                (Coord::All, Some(col)) if !many(col) => {
                    let id = self.one_id(&c.table, col, false)?;
                    LabelOf::Column(self.layout().column(&c.table, &id))
                }
                _ => return None,
            },
            _ => return None,
        })
    }

    fn lower_is(&mut self, e: &Expr, negated: bool, test: Test) -> Low {
        if test.on_label() {
            let ExprKind::Call {
                func: Func::Label,
                args,
            } = &e.kind
            else {
                return not_applicable();
            };
            return match args.first().and_then(|arg| self.label_of(arg)) {
                Some(label) => Low::LabelTest { label, test, negated },
                None => not_applicable(),
            };
        }
        let (table, row, column): (String, String, String) = match &e.kind {
            ExprKind::Var(v) => match self.scope.binding(v) {
                Some(Binding::Cell { table, row, column }) => (table.into(), row.into(), column.into()),
                _ => return not_applicable(),
            },
            ExprKind::Cell(c) => {
                let (Some(row), Some(column)) = (
                    self.one_id(&c.table, &c.row, true),
                    c.column
                        .as_ref()
                        .and_then(|col| self.one_id(&c.table, col, false)),
                ) else {
                    return not_applicable();
                };
                (c.table.clone(), row, column)
            }
            _ => return not_applicable(),
        };
        let kind = self
            .scope
            .template
            .table(&table)
            .and_then(|t| t.column(&column))
            .map(|c| c.kind);
        let cell = self.layout().cell(&table, &row, &column);
        Low::CellTest {
            cell,
            kind,
            test,
            negated,
        }
    }

    fn lower_call(&mut self, func: Func, args: &[Expr]) -> Low {
        let Some(first) = args.first() else {
            return not_applicable();
        };
        match func {
            Func::Sum => {
                let ExprKind::Cell(c) = &first.kind else {
                    return not_applicable();
                };
                let Some(cells) = self.scope.cells_of(c) else {
                    return not_applicable();
                };
                let group_row = match &c.row {
                    Coord::Children(inner) => self.one_id(&c.table, inner, true),
                    _ => None,
                };
                let (cells, first_column) = match cells.first() {
                    Some(&(_, _, col)) => (self.cell_slots(&cells), col.to_string()),
                    None => {
                        // The format has no sub-rows (2019 （六）其他处理): the row itself.
                        let (Some(g), Some(col)) = (
                            group_row.as_deref(),
                            c.column
                                .as_ref()
                                .and_then(|col| self.one_id(&c.table, col, false)),
                        ) else {
                            return not_applicable();
                        };
                        let only: Box<[u32]> = Box::new([self.layout().cell(&c.table, g, &col)]);
                        (only, col)
                    }
                };
                let group = group_row.map(|g| self.layout().cell(&c.table, &g, &first_column));
                Low::Sum { cells, group }
            }
            Func::Abs => Low::Abs(boxed(self.lower(first))),
            Func::Min | Func::Max => {
                let Some(second) = args.get(1) else {
                    return not_applicable();
                };
                Low::MinMax {
                    min: func == Func::Min,
                    a: boxed(self.lower(first)),
                    b: boxed(self.lower(second)),
                }
            }
            Func::Date => {
                let (Some(m), Some(d)) = (args.get(1), args.get(2)) else {
                    return not_applicable();
                };
                Low::Date(Box::new([self.lower(first), self.lower(m), self.lower(d)]))
            }
            Func::Year => Low::Year(boxed(self.lower(first))),
            Func::Present => Low::Present(self.lower_present(first)),
            Func::HasNumbers => {
                let row_of = |cx: &Self, c: &nianbao_rules::ast::CellRef| {
                    (c.column.is_none() && !matches!(c.row, Coord::Children(_) | Coord::All))
                        .then(|| cx.one_id(&c.table, &c.row, true))
                        .flatten()
                };
                let (table, row) = match &first.kind {
                    ExprKind::Cell(c) => (c.table.as_str(), row_of(self, c)),
                    ExprKind::Call {
                        func: Func::Parent,
                        args,
                    } => match args.first().map(|a| &a.kind) {
                        Some(ExprKind::Cell(c)) => {
                            let parent = row_of(self, c).and_then(|id| {
                                self.scope.schema(&c.table)?.row(&id)?.parent.map(str::to_string)
                            });
                            (c.table.as_str(), parent)
                        }
                        _ => return Low::HasNumbers(None),
                    },
                    _ => return Low::HasNumbers(None),
                };
                Low::HasNumbers(row.map(|r| self.layout().row(table, &r)))
            }
            Func::InOrder => {
                let id = match &first.kind {
                    ExprKind::Section { section, .. } => self.section_id(section),
                    ExprKind::Var(v) => match self.scope.binding(v) {
                        Some(Binding::Section { id }) => Some(id),
                        _ => None,
                    },
                    _ => None,
                };
                let sections = &self.scope.template.sections;
                let Some(pos) = id.and_then(|id| sections.iter().position(|s| s.id == id)) else {
                    return not_applicable();
                };
                let later: Vec<&'static str> = sections.iter().skip(pos + 1).map(|s| s.id).collect();
                Low::InOrder {
                    section: self.layout().section(sections[pos].id),
                    later: later.into_iter().map(|s| self.layout().section(s)).collect(),
                }
            }
            Func::Number => {
                let Some(ExprKind::Pattern(p)) = args.get(1).map(|a| &a.kind) else {
                    return not_applicable();
                };
                let text = self.lower_text(first);
                Low::Number(text, self.planner.patterns.get(p))
            }
            Func::Chars => Low::Chars(self.lower_text(first)),
            Func::Text => Low::Text(self.lower_text(first)),
            Func::Label => match self.label_of(first) {
                Some(label) => Low::Label(label),
                None => not_applicable(),
            },
            // A row: meaningful only as an argument.
            Func::Parent => not_applicable(),
        }
    }

    fn lower_present(&mut self, arg: &Expr) -> Present {
        let many = |k: &Coord| matches!(k, Coord::Children(_) | Coord::All);
        match &arg.kind {
            ExprKind::Cell(c) => match (&c.row, &c.column) {
                (r, Some(col)) if !many(r) && !many(col) => {
                    let value = self.lower(arg);
                    let cells = self.cells_of_slots(c);
                    match value {
                        Low::Cell(slot) if *cells == [slot] => Present::Cell(slot),
                        value => Present::Value(boxed(value), cells),
                    }
                }
                (r, None) if !many(r) => {
                    let Some(id) = self.one_id(&c.table, r, true) else {
                        return Present::Cells(Box::new([]));
                    };
                    let sub: Vec<&'static str> = self
                        .scope
                        .schema(&c.table)
                        .map(|ts| ts.sub_rows(&id).map(|r| r.id).collect())
                        .unwrap_or_default();
                    Present::Row {
                        row: self.layout().row(&c.table, &id),
                        sub_rows: sub.into_iter().map(|s| self.layout().row(&c.table, s)).collect(),
                    }
                }
                (Coord::All, Some(col)) if !many(col) => {
                    let Some(id) = self.one_id(&c.table, col, false) else {
                        return Present::Cells(Box::new([]));
                    };
                    Present::Column {
                        table: self.layout().table(&c.table),
                        slot: self.layout().column(&c.table, &id),
                        id,
                    }
                }
                _ => Present::Cells(self.cells_of_slots(c)),
            },
            ExprKind::Section { section, .. } => match self.section_id(section) {
                Some(id) => Present::Section(self.layout().section(id)),
                None => Present::Cells(Box::new([])),
            },
            ExprKind::Table { table, .. } => Present::Table(self.layout().table(table)),
            ExprKind::Var(v) => match self.scope.binding(v) {
                Some(Binding::Section { .. }) => match self.section_id(&Coord::Var(v.clone())) {
                    Some(id) => Present::Section(self.layout().section(id)),
                    None => Present::Cells(Box::new([])),
                },
                Some(Binding::Row { .. } | Binding::Column { .. }) => Present::Found,
                Some(Binding::Cell { table, row, column }) => Present::Value(
                    boxed(Low::Cell(self.layout().cell(table, row, column))),
                    Box::new([]),
                ),
                None => Present::Value(boxed(not_applicable()), Box::new([])),
            },
            // Whatever else is a plain value (number, condition, text,
            // date): there when it evaluates.
            _ => Present::Value(boxed(self.lower(arg)), Box::new([])),
        }
    }

    /// A message's `{…}`: rows, columns and sections show as their
    /// template labels, worked out here; values as evaluated.
    fn lower_shown(&mut self, e: &Expr, rule: &nianbao_rules::Rule) -> Shown {
        if let ExprKind::Side(s) = &e.kind {
            return Shown::Side(*s);
        }
        let template = self.scope.template;
        let text = |s: String| Shown::Text(s);
        if let ExprKind::Var(v) = &e.kind {
            let schemas: Vec<&TableSchema> = rule
                .quantifiers
                .iter()
                .filter(|q| &q.var == v)
                .flat_map(|q| q.domains.iter())
                .filter_map(|d| match d {
                    Domain::Table(t)
                    | Domain::RowGroup { table: t, .. }
                    | Domain::ColumnGroup { table: t, .. } => template.table(t),
                    Domain::Sections => None,
                })
                .collect();
            match self.scope.binding(v) {
                Some(Binding::Row { id }) => {
                    return match schemas.iter().find_map(|ts| Some((*ts, ts.row(id)?.id))) {
                        Some((ts, id)) => Shown::Row(ts, id),
                        None => text(id.to_string()),
                    };
                }
                Some(Binding::Column { id }) => {
                    if let Some((ts, id)) = schemas.iter().find_map(|ts| Some((*ts, ts.column(id)?.id))) {
                        return Shown::Column(ts, id);
                    }
                    if let Some(g) = schemas.iter().find_map(|ts| ts.column_group(id)) {
                        return text(g.label.to_string());
                    }
                    return text(id.to_string());
                }
                Some(Binding::Section { .. }) => match self.section_id(&Coord::Var(v.clone())) {
                    Some(id) => return Shown::Section(id),
                    None => {
                        if let Some(Binding::Section { id }) = self.scope.binding(v) {
                            return text(section_label(id));
                        }
                    }
                },
                _ => {}
            }
        }
        let empty = || text("（空）".to_string());
        let many = |k: &Coord| matches!(k, Coord::Children(_) | Coord::All);
        let row_shown = |table: &str, id: String| match template.table(table) {
            Some(ts) => match ts.row(&id) {
                Some(r) => Shown::Row(ts, r.id),
                None => text(id),
            },
            None => text(id),
        };
        match &e.kind {
            ExprKind::Cell(c) => match (&c.row, &c.column) {
                (r, Some(col)) if !many(r) && !many(col) => Shown::Value(self.lower(e)),
                (r, None) if !many(r) => match self.one_id(&c.table, r, true) {
                    Some(id) => row_shown(&c.table, id),
                    None => empty(),
                },
                (Coord::All, Some(col)) if !many(col) => match self.one_id(&c.table, col, false) {
                    Some(id) => match template.table(&c.table) {
                        Some(ts) => match ts.column(&id) {
                            Some(column) => Shown::Column(ts, column.id),
                            None => text(id),
                        },
                        None => text(id),
                    },
                    None => empty(),
                },
                _ => match self.scope.cells_of(c) {
                    Some(cells) => text(format!("{} 个单元格", cells.len())),
                    None => empty(),
                },
            },
            ExprKind::Section { section, .. } => match (self.section_id(section), section) {
                (Some(id), _) => Shown::Section(id),
                (None, Coord::Id(id)) => text(section_label(id)),
                (None, Coord::Var(v)) => match self.scope.binding(v) {
                    Some(Binding::Section { id }) => text(section_label(id)),
                    _ => empty(),
                },
                _ => empty(),
            },
            ExprKind::Table { table, .. } => text(table.clone()),
            ExprKind::Call {
                func: Func::Parent,
                args,
            } => {
                let parent = match args.first().map(|a| &a.kind) {
                    Some(ExprKind::Cell(c)) if c.column.is_none() && !many(&c.row) => self
                        .one_id(&c.table, &c.row, true)
                        .and_then(|id| template.table(&c.table)?.row(&id)?.parent)
                        .map(|p| (c.table.clone(), p.to_string())),
                    _ => None,
                };
                match parent {
                    Some((table, id)) => row_shown(&table, id),
                    None => empty(),
                }
            }
            _ => Shown::Value(self.lower(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every binding of every built-in rule is lowered, and the rules over
    /// every cell go by the shortcut that checks many cells at once.
    #[test]
    fn the_built_in_rules_are_lowered_whole() {
        let rules =
            nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("built-in rules compile");
        for format in [nianbao_model::Format::V2021, nianbao_model::Format::V2019] {
            let plan = Plan::new(&rules, format, &Default::default());
            let instances: usize = plan.rules.iter().map(|rp| rp.instances.len()).sum();
            assert!(instances > 500, "{format:?}: only {instances} bindings");
            // The rules over every cell are checked a run of cells at a time.
            for id in [
                "values.non-negative",
                "values.whole-count",
                "values.not-a-number",
                "values.filled",
            ] {
                let rp = rules
                    .rules
                    .iter()
                    .zip(&plan.rules)
                    .find(|(rule, _)| rule.id == id)
                    .map(|(_, rp)| rp)
                    .unwrap_or_else(|| panic!("no rule {id}"));
                assert!(rp.cell_run.is_some(), "{format:?}: {id} has no run of cells");
            }
        }
    }
}
