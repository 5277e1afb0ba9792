//! Injected inconsistencies: exactly one per defective report, each a small
//! change to the numeric model (a cell ±1, a total off, a row removed, the
//! narrative's count off) whose expected findings are the model's violations
//! after the change.

use crate::model::{result_rows, CellId, Id, ReportModel, Value, APPLICANTS};
use nianbao_model::{template, RowKind};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::Rng;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DefectKind {
    /// An applicant cell of a result row (予以公开 … 其他) ±1: rules 2 and 3 (and 4
    /// where the group row is printed with numbers).
    RequestsCell,
    /// The 总计 column of a result row ±1: rules 2 and 3 (and 4).
    RequestsRowTotal,
    /// An applicant cell of 本年新收 ±1: rules 1 and 2.
    RequestsNew,
    /// An applicant cell of 结转下年度继续办理 ±1: rules 1 and 2.
    RequestsCarriedForward,
    /// An applicant cell of a group row printed with numbers (2019 format) ±1:
    /// rules 2 and 4.
    RequestsGroup,
    /// A review group's 总计 ±1: rule 5.
    ReviewTotal,
    /// A review group's part (结果维持 …) ±1: rule 5.
    ReviewPart,
    /// The 总体情况 count of requests received off by one: rule 8.
    NarrativeCount,
    /// A `requests` sub-row (all zeros) left out of the table: rule 7.
    DeletedRow,
}

pub const DEFECT_KINDS: [DefectKind; 9] = [
    DefectKind::RequestsCell,
    DefectKind::RequestsRowTotal,
    DefectKind::RequestsNew,
    DefectKind::RequestsCarriedForward,
    DefectKind::RequestsGroup,
    DefectKind::ReviewTotal,
    DefectKind::ReviewPart,
    DefectKind::NarrativeCount,
    DefectKind::DeletedRow,
];

impl DefectKind {
    pub fn id(self) -> &'static str {
        match self {
            DefectKind::RequestsCell => "requests_cell",
            DefectKind::RequestsRowTotal => "requests_row_total",
            DefectKind::RequestsNew => "requests_new",
            DefectKind::RequestsCarriedForward => "requests_carried_forward",
            DefectKind::RequestsGroup => "requests_group",
            DefectKind::ReviewTotal => "review_total",
            DefectKind::ReviewPart => "review_part",
            DefectKind::NarrativeCount => "narrative_count",
            DefectKind::DeletedRow => "deleted_row",
        }
    }
}

impl std::str::FromStr for DefectKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DEFECT_KINDS.into_iter().find(|k| k.id() == s).ok_or_else(|| {
            let known: Vec<_> = DEFECT_KINDS.iter().map(|k| k.id()).collect();
            format!("unknown defect kind {s:?}; known: {}", known.join(", "))
        })
    }
}

/// What an injection changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A table value.
    Cell(CellId),
    /// The request count quoted in 总体情况 (compared with requests.new.total).
    Narrative,
    /// A whole row, left out.
    Row { table: Id, row: Id },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injection {
    pub kind: DefectKind,
    pub target: Target,
    /// The value as it should have been printed, and as it is (empty for a deleted row).
    pub original: String,
    pub injected: String,
}

/// ±1, but never below zero (a negative count would break rule 6 as well).
fn off_by_one(rng: &mut impl Rng, v: Value) -> Value {
    if v.is_zero() || rng.random_bool(0.5) {
        v.shifted(1)
    } else {
        v.shifted(-1)
    }
}

fn shift_cell(
    model: &mut ReportModel,
    rng: &mut impl Rng,
    kind: DefectKind,
    cell: CellId,
) -> Option<Injection> {
    let value = model.table_mut(cell.table)?.get_mut(cell.row, cell.column)?;
    let original = *value;
    *value = off_by_one(rng, original);
    Some(Injection {
        kind,
        target: Target::Cell(cell),
        original: original.to_string(),
        injected: value.to_string(),
    })
}

fn pick<T: Copy>(rng: &mut impl Rng, items: &[T]) -> Option<T> {
    items.choose(rng).copied()
}

/// Inject one defect of `kind`, or `None` where the report has no place for
/// it (no printed group rows, no all-zero row to delete).
pub fn inject(model: &mut ReportModel, rng: &mut impl Rng, kind: DefectKind) -> Option<Injection> {
    let schema = template(model.format).table("requests")?;
    let cell = |table: Id, row: Id, column: Id| CellId { table, row, column };
    match kind {
        DefectKind::RequestsCell | DefectKind::RequestsRowTotal => {
            let rows: Vec<Id> = result_rows(schema).collect();
            let row = pick(rng, &rows)?;
            let column = if kind == DefectKind::RequestsCell {
                pick(rng, &APPLICANTS)?
            } else {
                "total"
            };
            shift_cell(model, rng, kind, cell("requests", row, column))
        }
        DefectKind::RequestsNew | DefectKind::RequestsCarriedForward => {
            let row = if kind == DefectKind::RequestsNew {
                "new"
            } else {
                "carried_forward"
            };
            let column = pick(rng, &APPLICANTS)?;
            shift_cell(model, rng, kind, cell("requests", row, column))
        }
        DefectKind::RequestsGroup => {
            let groups: Vec<Id> = schema
                .rows
                .iter()
                .filter(|r| r.kind == RowKind::Group && model.requests.row(r.id).is_some())
                .map(|r| r.id)
                .collect();
            let row = pick(rng, &groups)?;
            let column = pick(rng, &APPLICANTS)?;
            shift_cell(model, rng, kind, cell("requests", row, column))
        }
        DefectKind::ReviewTotal | DefectKind::ReviewPart => {
            let group = pick(rng, &crate::numbers::REVIEW_GROUPS)?;
            let part = if kind == DefectKind::ReviewTotal {
                "total"
            } else {
                pick(rng, &["upheld", "corrected", "other", "pending"])?
            };
            let id = format!("{group}.{part}");
            let column = template(model.format)
                .table("review")?
                .columns
                .iter()
                .find(|c| c.id == id)?
                .id;
            shift_cell(model, rng, kind, cell("review", "cases", column))
        }
        DefectKind::NarrativeCount => {
            let original = model.narrative_received;
            model.narrative_received = off_by_one(rng, Value::Count(original)).cents() / 100;
            // The wrong count has to be printed to be wrong.
            model.narrative_says_none = false;
            Some(Injection {
                kind,
                target: Target::Narrative,
                original: original.to_string(),
                injected: model.narrative_received.to_string(),
            })
        }
        DefectKind::DeletedRow => {
            // A sub-row other than its group's first (whose line also carries
            // the group's label in merged layouts), with nothing but zeros, so
            // that only the structure is wrong.
            let candidates: Vec<Id> = schema
                .rows
                .iter()
                .filter(|r| {
                    r.parent
                        .is_some_and(|g| schema.sub_rows(g).next().map(|f| f.id) != Some(r.id))
                })
                .filter(|r| {
                    model
                        .requests
                        .row(r.id)
                        .is_some_and(|row| row.cells.iter().all(|(_, v)| v.is_zero()))
                })
                .map(|r| r.id)
                .collect();
            let row = pick(rng, &candidates)?;
            model.deleted_row = Some(row);
            Some(Injection {
                kind,
                target: Target::Row {
                    table: "requests",
                    row,
                },
                original: String::new(),
                injected: String::new(),
            })
        }
    }
}

/// Inject one defect of a kind drawn from `kinds`, trying the others in random
/// order where the report has no place for the first.
pub fn inject_any(model: &mut ReportModel, rng: &mut impl Rng, kinds: &[DefectKind]) -> Option<Injection> {
    let mut order = kinds.to_vec();
    order.shuffle(rng);
    order.into_iter().find_map(|kind| inject(model, rng, kind))
}
