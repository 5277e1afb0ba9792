//! Shortcuts for the shapes most instances have, decided without walking
//! their [`Low`] trees.
//!
//! - **One cell** (the rules over every cell: `x is number and x is not
//!   signed`, `x is whole`, `x is not blank`): guard and check read one cell,
//!   and their outcome depends only on the cell's [class](class_of) (absent,
//!   blank, whole number, decimal with or without a fraction, text) and its
//!   column's kind, which the template fixes. So each is a table by class,
//!   computed once per format by running the tree itself on a cell of each
//!   class — the table cannot disagree with the tree. `x >= 0` on a whole
//!   number compares two integers.
//! - **Linear** (the sums, `a + b == c + sum(g.*)`): both sides add and
//!   subtract cells and whole literals. When every cell is a printed whole
//!   number the comparison is exact in `i128` (each side is at most a few
//!   hundred `i64`s, far inside `Decimal`'s range, both at precision 0, so
//!   rounding never applies); anything else (blank, text, decimals, a group
//!   printed as one row) goes to the tree.
//! - **Logic** (the structure rules: `present(...) or ...`, `not (label(...)
//!   is variant or ...)`): guard and check as postfix programs over verdicts
//!   (true, false, not applicable) with `and`/`or`/`not` as
//!   [`crate::eval::logic_and`] and its kin decide them; cell tests read the
//!   class bits and label tests the label classes the dense fill keeps
//!   ([`crate::eval::label_class`]: all `label_test` tells apart), chains of
//!   label tests are one op; anything else is a leaf the tree evaluates.
//!   Where the left side of an `and` or `or` decides, the right side is
//!   jumped over, as the tree's `logic_and`/`logic_or` do not evaluate it.
//!
//! Checks go before guards (both are pure, and a check that holds decides
//! alone). A shortcut answers exactly what the tree would answer, or
//! declines; tests/plan_equivalence.rs holds the whole to the reference
//! interpreter.

use super::{Constant, Dense, Layout, Low, Lowered, Present};
use crate::eval::{comparison_holds, label_class, label_test, logic_and, logic_not, logic_or, Scalar};
use nianbao_model::{Cell, CellValue, Decimal, LabelMatch, LabelUse, Report, Span};
use nianbao_rules::ast::BinOp;

/// How an instance is decided.
pub(super) enum Fast {
    /// Walk the tree.
    Tree,
    OneCell(CellStep),
    Linear(Box<Linear>),
    /// Guard and check are conditions combined by `and`, `or`, `not`:
    /// programs over verdicts, without the tree's recursion.
    Logic {
        guard: Option<Program>,
        check: Program,
    },
}

/// Guard and check of an instance that reads one cell, by masks of classes
/// (bit `1 << class`).
#[derive(Clone, Copy)]
pub(super) struct CellStep {
    slot: u32,
    /// The classes the instance fails for: the guard holds and the check fails.
    fails_for: u8,
    /// The classes for which the guard holds, the check does not fail by
    /// class and `compare` decides (none without `compare`).
    compared_for: u8,
    /// `cell op literal`, the literal a whole number: decided by comparing
    /// integers for whole-number cells, by the tree for decimals.
    compare: Option<(BinOp, i64)>,
}

impl CellStep {
    fn new(guard_holds: u8, check_fails: u8, compare: Option<(BinOp, i64)>, slot: u32) -> CellStep {
        CellStep {
            slot,
            fails_for: guard_holds & check_fails,
            compared_for: if compare.is_some() {
                guard_holds & !check_fails
            } else {
                0
            },
            compare,
        }
    }

    pub(super) fn slot(&self) -> usize {
        self.slot as usize
    }

    /// The classes for which [`CellStep::fails`] may give anything but
    /// `Some(false)`: for a cell of any other class the instance holds.
    pub(super) fn undecided_by_class(&self) -> u8 {
        self.fails_for | self.compared_for
    }

    /// When the step compares whole numbers with its literal: the whole
    /// numbers it holds for, `lo..=hi` (it fails for any other).
    pub(super) fn whole_holds(&self) -> Option<(i64, i64)> {
        if self.compared_for & WHOLE == 0 {
            return None;
        }
        let (op, literal) = self.compare?;
        Some(match op {
            BinOp::Eq => (literal, literal),
            BinOp::Lt => (i64::MIN, literal.checked_sub(1)?),
            BinOp::Le => (i64::MIN, literal),
            BinOp::Gt => (literal.checked_add(1)?, i64::MAX),
            BinOp::Ge => (literal, i64::MAX),
            _ => return None,
        })
    }

    /// Whether the instance fails; `None`: the guard holds and the tree decides the check.
    #[inline]
    pub(super) fn fails(&self, d: &Dense<'_>) -> Option<bool> {
        let class = d.class(self.slot);
        if self.fails_for & class != 0 {
            return Some(true);
        }
        if self.compared_for & class == 0 {
            return Some(false);
        }
        let Some((op, literal)) = self.compare else {
            return Some(false);
        };
        match d.whole(self.slot) {
            Some(i) => Some(comparison_holds(op, i.cmp(&literal)) == Some(false)),
            None if class & DECIMALS != 0 => None,
            None => Some(false),
        }
    }
}

/// A condition in postfix order.
pub(super) struct Program(Box<[Op]>);

pub(super) enum Op {
    Not,
    And,
    Or,
    /// Before the right side of an `and` (`on`: false) or an `or` (`on`:
    /// true): when the left side gave `on`, it decides, and the next `skip`
    /// ops (the right side and its `and`/`or`) are jumped over. The right
    /// side is pure, so not running it changes nothing.
    Decided {
        on: Verdict,
        skip: u32,
    },
    /// A test on one cell: true for the classes in `holds`, false for those
    /// in `fails`, else not applicable.
    Cell {
        slot: u32,
        holds: u8,
        fails: u8,
    },
    /// A label test: true for the label classes in `holds` (see
    /// [`crate::eval::label_class`]), by the label's slot in [`Dense::labels`].
    Label {
        at: u32,
        holds: u8,
    },
    /// `or` (`any`) or `and` of label tests, which are never not applicable.
    Labels {
        any: bool,
        tests: Box<[(u32, u8)]>,
        /// `not (...)` of the chain: label tests are never not applicable,
        /// so `not` just flips the outcome.
        negated: bool,
    },
    Present(Box<Present>),
    /// Any other condition (comparisons, `has_numbers`, patterns).
    Leaf(Box<Low>),
}

/// The deepest a program's stack may grow; deeper conditions walk the tree.
/// A power of two: positions are masked into the stack.
const DEPTH: usize = 8;

/// What a condition gives: true, false, or not applicable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Verdict {
    True,
    False,
    NotApplicable,
}

impl Verdict {
    fn from_bool(b: bool) -> Verdict {
        if b {
            Verdict::True
        } else {
            Verdict::False
        }
    }

    /// The condition's value as the language has it (`None`: not applicable).
    fn scalar(self) -> Option<Scalar<'static>> {
        match self {
            Verdict::True => Some(Scalar::Bool(true)),
            Verdict::False => Some(Scalar::Bool(false)),
            Verdict::NotApplicable => None,
        }
    }

    /// `and`, `or`, `not` as the language decides them ([`logic_and`] and
    /// its kin): a false side decides an `and`, a true side an `or`, even
    /// when the other is not applicable.
    fn and(self, other: Verdict) -> Verdict {
        Verdict::of(logic_and(self.scalar(), || other.scalar()))
    }

    fn or(self, other: Verdict) -> Verdict {
        Verdict::of(logic_or(self.scalar(), || other.scalar()))
    }

    fn not(self) -> Verdict {
        Verdict::of(logic_not(self.scalar()))
    }

    fn of(v: Option<Scalar<'_>>) -> Verdict {
        match v {
            Some(Scalar::Bool(true)) => Verdict::True,
            Some(Scalar::Bool(false)) => Verdict::False,
            _ => Verdict::NotApplicable,
        }
    }
}

/// `terms op 0`, where the terms are the left side minus the right side.
#[derive(Clone)]
pub(super) struct Linear {
    op: BinOp,
    /// The cell slots added, and those subtracted.
    added: Box<[u32]>,
    subtracted: Box<[u32]>,
    constant: i128,
    /// All those slots, as words of [`ClassBits`].
    slots: Words,
    /// The cells the sides read as themselves, and the sums they read
    /// (their cells, and the group row's cell read when none is printed):
    /// what tells that a side is no number at all.
    cells: Words,
    sums: Box<[(Words, Option<u32>)]>,
}

/// A set of cell slots, as the words of [`ClassBits`] that hold them: (word, bits).
type Words = Box<[(u32, u64)]>;

/// `slots` as words of [`ClassBits`].
fn words(slots: impl IntoIterator<Item = u32>) -> Words {
    let mut words: Vec<(u32, u64)> = Vec::new();
    for slot in slots {
        let (word, bit) = (slot / 64, 1u64 << (slot % 64));
        match words.iter_mut().find(|(w, _)| *w == word) {
            Some((_, bits)) => *bits |= bit,
            None => words.push((word, bit)),
        }
    }
    words.into()
}

/// By cell slot (bit `slot % 64` of word `slot / 64`; slots past the words
/// have every bit): the cells that are not printed whole numbers, and
/// those without a number.
#[derive(Default)]
pub(super) struct ClassBits {
    not_whole: Vec<u64>,
    not_number: Vec<u64>,
}

impl ClassBits {
    /// The bits of the cells whose classes are `classes`, by slot. Eight
    /// class bytes at a time: each is one class's bit, so a byte's bit 2
    /// tells a whole number and its bits 0, 1 and 5 a cell without one;
    /// those bits, brought to bit 0 of each byte, are gathered into eight
    /// bits by one multiplication (byte `i` lands on bit `56 + i`, no two
    /// products on one bit, so nothing carries). Slots past `classes` read
    /// as absent.
    pub(super) fn fill(&mut self, classes: &[u8]) {
        const LOW_BITS: u64 = 0x0101_0101_0101_0101;
        const GATHER: u64 = 0x0102_0408_1020_4080;
        let gather = |flags: u64| (flags & LOW_BITS).wrapping_mul(GATHER) >> 56;
        self.not_whole.clear();
        self.not_number.clear();
        for words in classes.chunks(64) {
            let (mut not_whole, mut not_number) = (0u64, 0u64);
            for (k, chunk) in words.chunks(8).enumerate() {
                let mut bytes = [ABSENT; 8];
                bytes.iter_mut().zip(chunk).for_each(|(b, c)| *b = *c);
                let c = u64::from_le_bytes(bytes);
                not_whole |= (!gather(c >> 2) & 0xFF) << (8 * k);
                not_number |= gather(c | c >> 1 | c >> 5) << (8 * k);
            }
            // Slots past the classes: absent.
            let past = u64::MAX.checked_shl(words.len() as u32).unwrap_or(0);
            self.not_whole.push(not_whole | past);
            self.not_number.push(not_number | past);
        }
    }

    /// Whether some slot of `words` has its bit set in `bits`.
    fn any(bits: &[u64], words: &[(u32, u64)]) -> bool {
        words
            .iter()
            .any(|(w, m)| bits.get(*w as usize).is_none_or(|b| b & m != 0))
    }

    fn has(bits: &[u64], slot: u32) -> bool {
        bits.get((slot / 64) as usize)
            .is_none_or(|b| b & (1u64 << (slot % 64)) != 0)
    }
}

/// The slots of `words`, in order.
fn slots_of(words: &[(u32, u64)]) -> impl Iterator<Item = u32> + '_ {
    words.iter().flat_map(|&(w, m)| {
        (0..64u32)
            .filter(move |bit| m & (1u64 << bit) != 0)
            .map(move |bit| w * 64 + bit)
    })
}

pub(super) const CLASSES: usize = 6;
const WHOLE_NUMBER: usize = 2;
/// The class bit of a printed whole number ([`CellValue::Integer`]).
pub(super) const WHOLE: u8 = 1 << WHOLE_NUMBER;
const DECIMALS: u8 = 1 << 3 | 1 << 4;

/// The classes a table gives `verdict` for.
fn mask(table: &[Verdict; CLASSES], verdict: Verdict) -> u8 {
    table
        .iter()
        .enumerate()
        .filter(|(_, v)| **v == verdict)
        .fold(0, |m, (class, _)| m | 1 << class)
}

/// The bit of a cell's class, as [`Dense`] keeps it per cell slot.
pub(super) fn class_bit(cell: Option<&Cell>) -> u8 {
    1 << class_of(cell)
}

/// The number of a printed whole number, 0 for any other cell: what
/// [`Dense`] keeps beside the class.
pub(super) fn whole_value(cell: Option<&Cell>) -> i64 {
    match cell.map(|c| &c.value) {
        Some(CellValue::Integer(i)) => *i,
        _ => 0,
    }
}

/// [`class_bit`] and [`whole_value`] of a printed cell, by one match.
#[inline]
pub(super) fn class_and_whole(cell: &Cell) -> (u8, i64) {
    match &cell.value {
        CellValue::Integer(i) => (WHOLE, *i),
        _ => (class_bit(Some(cell)), 0),
    }
}

/// The class bit of an absent cell.
pub(super) const ABSENT: u8 = 1;

/// The class of a cell, as far as cell tests can tell cells apart.
fn class_of(cell: Option<&Cell>) -> usize {
    match cell.map(|c| &c.value) {
        None => 0,
        Some(CellValue::Blank) => 1,
        Some(CellValue::Integer(_)) => 2,
        Some(CellValue::Decimal(d)) if d.fract().is_zero() => 3,
        Some(CellValue::Decimal(_)) => 4,
        Some(CellValue::Text(_)) => 5,
    }
}

/// A cell of each class but the first (absent), in class order.
fn representatives() -> [Cell; CLASSES - 1] {
    let cell = |value| Cell {
        value,
        span: Span::new(0, 0),
        inferred: None,
    };
    [
        cell(CellValue::Blank),
        cell(CellValue::Integer(1)),
        cell(CellValue::Decimal(Decimal::new(10, 1))),
        cell(CellValue::Decimal(Decimal::new(15, 1))),
        cell(CellValue::Text("x".into())),
    ]
}

/// A cell of each class and an empty report: what the tables by class are
/// computed on ([`Probes::shortcuts`]).
pub(super) struct Probes {
    cells: [Cell; CLASSES - 1],
    /// A label of each class (none printed, exact, variant, approximate, different).
    labels: [Option<LabelUse>; 5],
    report: Report,
    slots: usize,
}

impl Probes {
    pub(super) fn new(format: nianbao_model::Format, slots: usize) -> Probes {
        let label = |matched| {
            Some(LabelUse {
                target: Default::default(),
                text: String::new(),
                span: Span::new(0, 0),
                matched,
            })
        };
        Probes {
            cells: representatives(),
            labels: [
                None,
                label(LabelMatch::Exact),
                label(LabelMatch::Variant {
                    variant: String::new(),
                }),
                label(LabelMatch::Approximate { distance: 1 }),
                label(LabelMatch::Different { other: None }),
            ],
            report: Report::new("", "", format),
            slots,
        }
    }

    /// For each class, a report whose every cell slot holds a cell of that class.
    pub(super) fn shortcuts<'p>(&'p self, layout: &'p Layout) -> Shortcuts<'p> {
        let by_class = (0..CLASSES)
            .map(|class| {
                let cell = class.checked_sub(1).and_then(|i| self.cells.get(i));
                Dense::uniform(&self.report, cell, self.slots)
            })
            .collect();
        Shortcuts {
            by_class,
            labels: &self.labels,
            layout,
        }
    }
}

/// Chooses how each instance is decided.
pub(super) struct Shortcuts<'p> {
    by_class: Vec<Dense<'p>>,
    labels: &'p [Option<LabelUse>; 5],
    layout: &'p Layout,
}

impl Shortcuts<'_> {
    /// `low` on each class; `None` unless `low` reads only cell `slot` by cell tests.
    fn table(&self, low: &Low, slot: u32) -> Option<[Verdict; CLASSES]> {
        if one_cell(low)? != slot {
            return None;
        }
        self.table_of(low, slot)
    }

    /// `low` on a cell of each class in `slot`: what it gives for the class,
    /// where the class decides it.
    fn table_of(&self, low: &Low, slot: u32) -> Option<[Verdict; CLASSES]> {
        if (slot as usize) >= self.by_class.first()?.cells.len() {
            return None;
        }
        let mut out = [Verdict::NotApplicable; CLASSES];
        for (verdict, dense) in out.iter_mut().zip(&self.by_class) {
            *verdict = Verdict::of(low.eval(dense));
        }
        Some(out)
    }

    /// How to decide an instance.
    pub(super) fn fast(&self, t: &Lowered) -> Fast {
        if let Some(f) = self.one_cell_fast(t) {
            return f;
        }
        if let Some(l) = linear_check(&t.check) {
            return Fast::Linear(Box::new(l));
        }
        let guard = match &t.guard {
            Some(g) => match self.program(g) {
                Some(p) => Some(p),
                None => return Fast::Tree,
            },
            None => None,
        };
        match self.program(&t.check) {
            Some(check) => Fast::Logic { guard, check },
            None => Fast::Tree,
        }
    }

    /// A condition as a program (`None`: too deep).
    fn program(&self, low: &Low) -> Option<Program> {
        let mut ops = Vec::new();
        let depth = self.compile(low, &mut ops);
        (depth <= DEPTH).then(|| Program(ops.into()))
    }

    /// Appends `low` in postfix order; returns the stack depth it needs.
    fn compile(&self, low: &Low, ops: &mut Vec<Op>) -> usize {
        if let Some(slot) = one_cell(low) {
            if let Some(table) = self.table(low, slot) {
                ops.push(Op::Cell {
                    slot,
                    holds: mask(&table, Verdict::True),
                    fails: mask(&table, Verdict::False),
                });
                return 1;
            }
        }
        if let Low::Not(inner) = low {
            if let Low::LabelTest { label, test, negated } = &**inner {
                // Label tests are never not applicable: `not` flips the test.
                let (at, holds) = self.label_test(label, *test, !*negated);
                ops.push(Op::Label { at, holds });
                return 1;
            }
        }
        let (chain, negated) = match low {
            Low::Not(inner) => (&**inner, true),
            other => (other, false),
        };
        if let Low::Or(..) | Low::And(..) = chain {
            let any = matches!(chain, Low::Or(..));
            let mut tests = Vec::new();
            if self.label_chain(chain, any, &mut tests) {
                ops.push(Op::Labels {
                    any,
                    tests: tests.into(),
                    negated,
                });
                return 1;
            }
        }
        match low {
            Low::Not(inner) => {
                let depth = self.compile(inner, ops);
                ops.push(Op::Not);
                depth
            }
            Low::And(l, r) | Low::Or(l, r) => {
                let and = matches!(low, Low::And(..));
                let left = self.compile(l, ops);
                let at = ops.len();
                ops.push(Op::Decided {
                    on: if and { Verdict::False } else { Verdict::True },
                    skip: 0,
                });
                let right = self.compile(r, ops);
                ops.push(if and { Op::And } else { Op::Or });
                let skip = u32::try_from(ops.len() - at - 1).unwrap_or(u32::MAX);
                if let Some(Op::Decided { skip: s, .. }) = ops.get_mut(at) {
                    *s = skip;
                }
                left.max(right + 1)
            }
            Low::LabelTest { label, test, negated } => {
                let (at, holds) = self.label_test(label, *test, *negated);
                ops.push(Op::Label { at, holds });
                1
            }
            Low::Present(p) => {
                ops.push(Op::Present(Box::new(p.clone())));
                1
            }
            leaf => {
                ops.push(Op::Leaf(Box::new(leaf.clone())));
                1
            }
        }
    }

    /// A label test's slot and the classes it holds for.
    fn label_test(&self, label: &super::LabelOf, test: nianbao_rules::ast::Test, negated: bool) -> (u32, u8) {
        let holds = self.labels.iter().fold(0, |m, l| {
            if label_test(l.as_ref(), test) != negated {
                m | label_class(l.as_ref())
            } else {
                m
            }
        });
        (self.layout.label_slot(label), holds)
    }

    /// Whether `low` is label tests joined by `or` (`any`) or by `and`
    /// alone, appending them to `tests`.
    fn label_chain(&self, low: &Low, any: bool, tests: &mut Vec<(u32, u8)>) -> bool {
        match low {
            Low::Or(l, r) if any => self.label_chain(l, any, tests) && self.label_chain(r, any, tests),
            Low::And(l, r) if !any => self.label_chain(l, any, tests) && self.label_chain(r, any, tests),
            Low::LabelTest { label, test, negated } => {
                tests.push(self.label_test(label, *test, *negated));
                true
            }
            _ => false,
        }
    }

    fn one_cell_fast(&self, t: &Lowered) -> Option<Fast> {
        let slot = match &t.check {
            Low::CompareCell { cell, .. } => *cell,
            check => one_cell(check)?,
        };
        let guard_holds = match &t.guard {
            Some(g) => mask(&self.table(g, slot)?, Verdict::True),
            None => u8::MAX,
        };
        let (check_fails, compare) = match &t.check {
            Low::CompareCell { op, value, .. } => {
                // Numbers compare by value; the other classes have none.
                let by_class = mask(&self.table_of(&t.check, slot)?, Verdict::False);
                let numbers = DECIMALS | 1 << WHOLE_NUMBER;
                (by_class & !numbers, Some((*op, whole(value.value)?)))
            }
            check => (mask(&self.table(check, slot)?, Verdict::False), None),
        };
        Some(Fast::OneCell(CellStep::new(
            guard_holds,
            check_fails,
            compare,
            slot,
        )))
    }
}

/// The one cell `low` reads, when it is made of cell tests alone.
fn one_cell(low: &Low) -> Option<u32> {
    match low {
        Low::CellTest { cell, .. } | Low::CellTests { cell, .. } => Some(*cell),
        Low::Not(inner) => one_cell(inner),
        Low::And(l, r) | Low::Or(l, r) => {
            let slot = one_cell(l)?;
            (one_cell(r)? == slot).then_some(slot)
        }
        _ => None,
    }
}

/// A literal that is a whole number printed without decimals.
fn whole(d: Decimal) -> Option<i64> {
    if d.scale() != 0 {
        return None;
    }
    i64::try_from(d).ok()
}

fn linear_check(check: &Low) -> Option<Linear> {
    let mut terms = Terms::default();
    let op = match check {
        Low::Binary(op, l, r) if op.is_comparison() => {
            terms.add(l, false)?;
            terms.add(r, true)?;
            *op
        }
        Low::CompareCell { cell, op, value } => {
            terms.slots.push((*cell, false));
            terms.cells.push(*cell);
            terms.constant -= i128::from(whole(value.value)?);
            *op
        }
        _ => return None,
    };
    let all = words(terms.slots.iter().map(|(slot, _)| *slot));
    let (subtracted, added): (Vec<_>, Vec<_>) = terms.slots.into_iter().partition(|&(_, subtract)| subtract);
    let slots = |terms: Vec<(u32, bool)>| terms.into_iter().map(|(slot, _)| slot).collect();
    Some(Linear {
        op,
        added: slots(added),
        subtracted: slots(subtracted),
        constant: terms.constant,
        slots: all,
        cells: words(terms.cells),
        sums: terms
            .sums
            .into_iter()
            .map(|(cells, group)| (words(cells.iter().copied()), group))
            .collect(),
    })
}

/// The terms of the sides of a [`Linear`] check, as they are gathered.
#[derive(Default)]
struct Terms {
    /// Each cell added up, and whether it is subtracted.
    slots: Vec<(u32, bool)>,
    constant: i128,
    /// The cells read as themselves, and the sums read (see [`Linear::sums`]).
    cells: Vec<u32>,
    sums: Vec<(Box<[u32]>, Option<u32>)>,
}

impl Terms {
    fn add(&mut self, low: &Low, subtract: bool) -> Option<()> {
        match low {
            Low::Cell(slot) => {
                self.slots.push((*slot, subtract));
                self.cells.push(*slot);
            }
            // All printed: the group row is not looked at.
            Low::Sum { cells, group } if !cells.is_empty() => {
                self.slots.extend(cells.iter().map(|s| (*s, subtract)));
                self.sums.push((cells.clone(), *group));
            }
            Low::Binary(BinOp::Add, l, r) => {
                self.add(l, subtract)?;
                self.add(r, subtract)?;
            }
            Low::Binary(BinOp::Sub, l, r) => {
                self.add(l, subtract)?;
                self.add(r, !subtract)?;
            }
            Low::Neg(inner) => self.add(inner, !subtract)?,
            Low::Const(Some(Constant::Num(n))) => {
                let v = i128::from(whole(n.value)?);
                self.constant += if subtract { -v } else { v };
            }
            _ => return None,
        }
        Some(())
    }
}

impl Linear {
    /// Whether the instance's check fails; `None`: the tree decides.
    #[inline]
    pub(super) fn fails(&self, d: &Dense<'_>) -> Option<bool> {
        let bits = &d.bits;
        if !ClassBits::any(&bits.not_whole, &self.slots) {
            // Every cell a printed whole number: exact in `i128` (a few
            // hundred `i64`s at most).
            let sum = |slots: &[u32]| -> i128 {
                slots
                    .iter()
                    .map(|s| i128::from(d.ints.get(*s as usize).copied().unwrap_or(0)))
                    .sum()
            };
            let total = self.constant + sum(&self.added) - sum(&self.subtracted);
            return Some(comparison_holds(self.op, total.cmp(&0)) == Some(false));
        }
        // Some cell is not a whole number: when a side is no number at all
        // the check is not applicable, which the tree need not work out.
        if self.not_applicable(d) {
            return Some(false);
        }
        None
    }

    /// Whether the tree gives no number for a side: a cell read as itself
    /// gives none, or a sum does (the tree's [`Low::Sum`]: some cell printed
    /// and some cell without a number; none printed and its group row's
    /// cell without one). Any term without a number makes the side none,
    /// and the comparison of none not applicable.
    fn not_applicable(&self, d: &Dense<'_>) -> bool {
        let bits = &d.bits;
        ClassBits::any(&bits.not_number, &self.cells)
            || self.sums.iter().any(|(cells, group)| {
                if slots_of(cells).any(|s| d.class(s) != ABSENT) {
                    ClassBits::any(&bits.not_number, cells)
                } else {
                    group.is_none_or(|g| ClassBits::has(&bits.not_number, g))
                }
            })
    }
}

impl Program {
    #[inline]
    fn run(&self, d: &Dense<'_>) -> Verdict {
        // Most conditions are one op: no stack.
        if let [op] = &*self.0 {
            if let Some(v) = value(op, d) {
                return v;
            }
        }
        self.run_stack(d)
    }

    fn run_stack(&self, d: &Dense<'_>) -> Verdict {
        // Positions are masked into the stack: always in bounds, and a
        // compiled program never needs more than DEPTH.
        let mut stack = [Verdict::NotApplicable; DEPTH];
        let mut top = 0usize;
        let mut pc = 0usize;
        while let Some(op) = self.0.get(pc) {
            pc += 1;
            match op {
                Op::Decided { on, skip } => {
                    if stack[top.wrapping_sub(1) & (DEPTH - 1)] == *on {
                        pc += *skip as usize;
                    }
                }
                Op::Not => {
                    let i = top.wrapping_sub(1) & (DEPTH - 1);
                    stack[i] = stack[i].not();
                }
                Op::And | Op::Or => {
                    top = top.wrapping_sub(1);
                    let right = stack[top & (DEPTH - 1)];
                    let i = top.wrapping_sub(1) & (DEPTH - 1);
                    stack[i] = if matches!(op, Op::And) {
                        stack[i].and(right)
                    } else {
                        stack[i].or(right)
                    };
                }
                operand => {
                    stack[top & (DEPTH - 1)] = value(operand, d).unwrap_or(Verdict::NotApplicable);
                    top += 1;
                }
            }
        }
        stack[0]
    }
}

/// What an operand op gives (`None`: `op` is an operator).
#[inline]
fn value(op: &Op, d: &Dense<'_>) -> Option<Verdict> {
    Some(match op {
        Op::Cell { slot, holds, fails } => {
            let class = d.class(*slot);
            if holds & class != 0 {
                Verdict::True
            } else if fails & class != 0 {
                Verdict::False
            } else {
                Verdict::NotApplicable
            }
        }
        Op::Label { at, holds } => Verdict::from_bool(d.label(*at) & holds != 0),
        Op::Labels { any, tests, negated } => {
            let holds = |(at, holds): &(u32, u8)| d.label(*at) & holds != 0;
            let chain = if *any {
                tests.iter().any(holds)
            } else {
                tests.iter().all(holds)
            };
            Verdict::from_bool(chain != *negated)
        }
        Op::Present(p) => Verdict::from_bool(p.holds(d)),
        Op::Leaf(low) => leaf(low, d),
        Op::Not | Op::And | Op::Or | Op::Decided { .. } => return None,
    })
}

/// A condition that is not `and`, `or` or `not` of others.
fn leaf(low: &Low, d: &Dense<'_>) -> Verdict {
    match low {
        Low::HasNumbers(row) => Verdict::from_bool(super::has_numbers(*row, d)),
        other => Verdict::of(other.eval(d)),
    }
}

/// A test on one class byte of [`Dense`]: whether `class & mask` is
/// non-zero is `want`.
#[derive(Clone, Copy)]
pub(super) struct Hit {
    label: bool,
    at: u32,
    mask: u8,
    want: bool,
}

/// The bits of the label classes ([`crate::eval::label_class`]).
const LABEL_CLASSES: u8 = 0b1_1111;
/// The bits of the cell classes ([`class_bit`]).
const CELL_CLASSES: u8 = (1 << CLASSES) - 1;

/// Class tests such that none of a rule's instances fails unless one of
/// them hits: for rules whose checks are decided by class bytes alone (the
/// label wording rules), one pass over the class bytes instead of a program
/// per instance. By cell slot and by label slot, the classes that hit
/// (every class byte is exactly one class's bit, so a test that hits when
/// the class is not in a mask hits for the other classes).
pub(super) struct Gate {
    cells: Box<[u8]>,
    labels: Box<[u8]>,
}

impl Gate {
    /// The gate of a rule's instances (`None`: some check is not decided
    /// by classes alone), for a layout of `cells` cell and `labels` label slots.
    pub(super) fn of<'f>(
        fasts: impl IntoIterator<Item = &'f Fast>,
        cells: usize,
        labels: usize,
    ) -> Option<Gate> {
        let mut hits = Vec::new();
        for fast in fasts {
            fast.fail_hits(&mut hits)?;
        }
        let mut gate = Gate {
            cells: vec![0; if hits.iter().any(|h| !h.label) { cells } else { 0 }].into(),
            labels: vec![0; if hits.iter().any(|h| h.label) { labels } else { 0 }].into(),
        };
        for h in hits {
            let (masks, all) = if h.label {
                (&mut gate.labels, LABEL_CLASSES)
            } else {
                (&mut gate.cells, CELL_CLASSES)
            };
            *masks.get_mut(h.at as usize)? |= if h.want { h.mask } else { all & !h.mask };
        }
        Some(gate)
    }

    /// Whether some instance may fail.
    pub(super) fn open(&self, d: &Dense<'_>) -> bool {
        let hit = |classes: &[u8], masks: &[u8]| {
            !masks.is_empty()
                && (classes.len() != masks.len()
                    || classes
                        .iter()
                        .zip(masks.iter())
                        .fold(0u8, |hit, (c, m)| hit | (c & m))
                        != 0)
        };
        hit(&d.classes, &self.cells) || hit(&d.labels, &self.labels)
    }
}

impl Fast {
    /// The sum an instance compares, when it is decided by one.
    pub(super) fn linear(&self) -> Option<&Linear> {
        match self {
            Fast::Linear(l) => Some(l),
            _ => None,
        }
    }

    /// Appends tests of which one hits whenever the instance fails (`None`:
    /// its check is not one op on class bytes).
    fn fail_hits(&self, hits: &mut Vec<Hit>) -> Option<()> {
        let Fast::Logic { check, .. } = self else {
            return None;
        };
        let [op] = &*check.0 else { return None };
        let label = |(at, mask): (u32, u8), want| Hit {
            label: true,
            at,
            mask,
            want,
        };
        match op {
            // False only for a class in `fails`.
            Op::Cell { slot, fails, .. } => hits.push(Hit {
                label: false,
                at: *slot,
                mask: *fails,
                want: true,
            }),
            // False when the label's class is not in `holds`.
            Op::Label { at, holds } => hits.push(label((*at, *holds), false)),
            Op::Labels { any, tests, negated } => match (any, negated) {
                // `not (a or b)`: false when some test holds.
                (true, true) => hits.extend(tests.iter().map(|t| label(*t, true))),
                // `a and b`: false when some test does not hold.
                (false, false) => hits.extend(tests.iter().map(|t| label(*t, false))),
                // `a or b`: false only when the first does not hold (nor the others).
                (true, false) => hits.push(label(*tests.first()?, false)),
                // `not (a and b)`: false only when the first holds (and the others).
                (false, true) => hits.push(label(*tests.first()?, true)),
            },
            _ => return None,
        }
        Some(())
    }

    /// Whether the instance fails on the report (`t`: its tree).
    #[inline]
    pub(super) fn fails(&self, t: &Lowered, d: &Dense<'_>) -> bool {
        match self {
            Fast::Tree => t.fails(d),
            Fast::OneCell(step) => step.fails(d).unwrap_or_else(|| t.check_fails(d)),
            Fast::Logic { guard, check } => {
                check.run(d) == Verdict::False && guard.as_ref().is_none_or(|g| g.run(d) == Verdict::True)
            }
            Fast::Linear(l) => {
                let fails = match l.fails(d) {
                    Some(f) => f,
                    None => t.check_fails(d),
                };
                fails && t.guard_holds(d)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`ClassBits::fill`] sets exactly the bits of the cells that are not
    /// whole numbers and of those without a number, for every class at every
    /// position of a word and every length (slots past the classes set).
    #[test]
    fn class_bits_are_the_classes_by_slot() {
        let classes_at = |n: usize, seed: usize| -> Vec<u8> {
            (0..n)
                .map(|i| 1 << ((i * 7 + seed * 3 + i / 5) % CLASSES))
                .collect()
        };
        for n in [0, 1, 7, 8, 9, 63, 64, 65, 130, 200] {
            for seed in 0..CLASSES {
                let classes = classes_at(n, seed);
                let mut bits = ClassBits::default();
                bits.fill(&classes);
                assert_eq!(bits.not_whole.len(), n.div_ceil(64));
                for slot in 0..n.div_ceil(64) * 64 + 64 {
                    let class = classes.get(slot).copied().unwrap_or(ABSENT);
                    let slot = slot as u32;
                    assert_eq!(
                        ClassBits::has(&bits.not_whole, slot),
                        class != WHOLE,
                        "{n} {seed} {slot}"
                    );
                    assert_eq!(
                        ClassBits::has(&bits.not_number, slot),
                        class_of_bit(class).is_none_or(|c| c.value.number().is_none()),
                        "{n} {seed} {slot}"
                    );
                }
            }
        }
    }

    /// A cell of class `bit` (`None`: absent).
    fn class_of_bit(bit: u8) -> Option<Cell> {
        let class = bit.trailing_zeros() as usize;
        let cell = class
            .checked_sub(1)
            .and_then(|i| representatives().get(i).cloned());
        assert_eq!(class_bit(cell.as_ref()), bit);
        cell
    }

    /// The range of whole numbers a comparison step holds for is exactly
    /// where comparing the integers holds, literals and values at the edges
    /// of `i64` included.
    #[test]
    fn whole_ranges_hold_where_the_comparison_holds() {
        let edges = [i64::MIN, i64::MIN + 1, -2, -1, 0, 1, 2, i64::MAX - 1, i64::MAX];
        for op in [BinOp::Eq, BinOp::Ne, BinOp::Lt, BinOp::Le, BinOp::Gt, BinOp::Ge] {
            for literal in edges {
                let step = CellStep::new(WHOLE, 0, Some((op, literal)), 0);
                let Some((lo, hi)) = step.whole_holds() else {
                    // Only `!=` has no range, and `< i64::MIN` / `> i64::MAX`, which never hold.
                    assert!(
                        op == BinOp::Ne
                            || (op == BinOp::Lt && literal == i64::MIN)
                            || (op == BinOp::Gt && literal == i64::MAX),
                        "{op:?} {literal}"
                    );
                    continue;
                };
                for v in edges.iter().copied().chain([
                    literal.saturating_sub(1),
                    literal,
                    literal.saturating_add(1),
                ]) {
                    assert_eq!(
                        lo <= v && v <= hi,
                        comparison_holds(op, v.cmp(&literal)) == Some(true),
                        "{v} {op:?} {literal}"
                    );
                }
            }
        }
        // A step that does not compare whole numbers has no range.
        assert_eq!(
            CellStep::new(WHOLE, WHOLE, Some((BinOp::Ge, 0)), 0).whole_holds(),
            None
        );
        assert_eq!(CellStep::new(WHOLE, 0, None, 0).whole_holds(), None);
    }
}
