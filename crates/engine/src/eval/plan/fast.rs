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
//!
//! A shortcut answers exactly what the tree would answer, or declines.

use super::{Constant, Dense, Low, Lowered};
use crate::eval::{comparison_holds, Scalar};
use nianbao_model::{Cell, CellValue, Decimal, Report, Span};
use nianbao_rules::ast::BinOp;

/// How an instance is decided.
pub(super) enum Fast {
    /// Walk the tree.
    Tree,
    OneCell {
        slot: u32,
        /// By class: whether the guard holds (`None`: no guard).
        guard: Option<[Verdict; CLASSES]>,
        check: OneCheck,
    },
    Linear(Box<Linear>),
}

pub(super) enum OneCheck {
    /// By class.
    Table([Verdict; CLASSES]),
    /// `cell op literal`, the literal a whole number; other classes walk the tree.
    CompareWhole { op: BinOp, literal: i64 },
}

/// What a condition gives: true, false, or not applicable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Verdict {
    True,
    False,
    NotApplicable,
}

impl Verdict {
    fn of(v: Option<Scalar<'_>>) -> Verdict {
        match v {
            Some(Scalar::Bool(true)) => Verdict::True,
            Some(Scalar::Bool(false)) => Verdict::False,
            _ => Verdict::NotApplicable,
        }
    }
}

/// `terms op 0`, where the terms are the left side minus the right side.
pub(super) struct Linear {
    op: BinOp,
    /// (cell slot, subtracted).
    terms: Box<[(u32, bool)]>,
    constant: i128,
}

pub(super) const CLASSES: usize = 6;

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

/// Reports whose every cell slot holds a cell of one class: what the class
/// tables are computed on.
pub(super) struct ClassProbes {
    cells: [Cell; CLASSES - 1],
    report: Report,
    slots: usize,
}

impl ClassProbes {
    pub(super) fn new(format: nianbao_model::Format, slots: usize) -> ClassProbes {
        ClassProbes {
            cells: representatives(),
            report: Report::new("", "", format),
            slots,
        }
    }

    /// `low` on each class; `None` unless `low` reads only cell `slot` by cell tests.
    fn table(&self, low: &Low, slot: u32) -> Option<[Verdict; CLASSES]> {
        if one_cell(low)? != slot {
            return None;
        }
        let mut out = [Verdict::NotApplicable; CLASSES];
        for (class, verdict) in out.iter_mut().enumerate() {
            let cell = class.checked_sub(1).and_then(|i| self.cells.get(i));
            let dense = Dense::uniform(&self.report, cell, self.slots);
            *verdict = Verdict::of(low.eval(&dense));
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
        Fast::Tree
    }

    fn one_cell_fast(&self, t: &Lowered) -> Option<Fast> {
        let slot = match &t.check {
            Low::CompareCell { cell, .. } => *cell,
            check => one_cell(check)?,
        };
        let guard = match &t.guard {
            Some(g) => Some(self.table(g, slot)?),
            None => None,
        };
        let check = match &t.check {
            Low::CompareCell { op, value, .. } => OneCheck::CompareWhole {
                op: *op,
                literal: whole(value.value)?,
            },
            check => OneCheck::Table(self.table(check, slot)?),
        };
        Some(Fast::OneCell { slot, guard, check })
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
    let mut terms = Vec::new();
    let mut constant = 0i128;
    let op = match check {
        Low::Binary(op, l, r) if op.is_comparison() => {
            linear_terms(l, false, &mut terms, &mut constant)?;
            linear_terms(r, true, &mut terms, &mut constant)?;
            *op
        }
        Low::CompareCell { cell, op, value } => {
            terms.push((*cell, false));
            constant -= i128::from(whole(value.value)?);
            *op
        }
        _ => return None,
    };
    Some(Linear {
        op,
        terms: terms.into(),
        constant,
    })
}

fn linear_terms(low: &Low, subtract: bool, terms: &mut Vec<(u32, bool)>, constant: &mut i128) -> Option<()> {
    match low {
        Low::Cell(slot) => terms.push((*slot, subtract)),
        // All printed: the group row is not looked at.
        Low::Sum { cells, .. } if !cells.is_empty() => terms.extend(cells.iter().map(|s| (*s, subtract))),
        Low::Binary(BinOp::Add, l, r) => {
            linear_terms(l, subtract, terms, constant)?;
            linear_terms(r, subtract, terms, constant)?;
        }
        Low::Binary(BinOp::Sub, l, r) => {
            linear_terms(l, subtract, terms, constant)?;
            linear_terms(r, !subtract, terms, constant)?;
        }
        Low::Neg(inner) => linear_terms(inner, !subtract, terms, constant)?,
        Low::Const(Some(Constant::Num(n))) => {
            let v = i128::from(whole(n.value)?);
            *constant += if subtract { -v } else { v };
        }
        _ => return None,
    }
    Some(())
}

impl Linear {
    /// Whether the comparison holds; `None`: some cell is not a printed whole number.
    fn holds(&self, d: &Dense<'_>) -> Option<bool> {
        let mut total = self.constant;
        for &(slot, subtract) in self.terms.iter() {
            let CellValue::Integer(i) = d.cell(slot)?.value else {
                return None;
            };
            if subtract {
                total -= i128::from(i);
            } else {
                total += i128::from(i);
            }
        }
        comparison_holds(self.op, total.cmp(&0))
    }
}

impl Fast {
    /// Whether the instance fails on the report (`t`: its tree).
    pub(super) fn fails(&self, t: &Lowered, d: &Dense<'_>) -> bool {
        match self {
            Fast::Tree => t.fails(d),
            Fast::OneCell { slot, guard, check } => {
                let cell = d.cell(*slot);
                let class = class_of(cell);
                if let Some(g) = guard {
                    if g.get(class) != Some(&Verdict::True) {
                        return false;
                    }
                }
                match check {
                    OneCheck::Table(t) => t.get(class) == Some(&Verdict::False),
                    OneCheck::CompareWhole { op, literal } => match cell.map(|c| &c.value) {
                        Some(CellValue::Integer(i)) => comparison_holds(*op, i.cmp(literal)) == Some(false),
                        _ => t.check_fails(d),
                    },
                }
            }
            Fast::Linear(l) => {
                if !t.guard_holds(d) {
                    return false;
                }
                match l.holds(d) {
                    Some(h) => !h,
                    None => t.check_fails(d),
                }
            }
        }
    }
}
