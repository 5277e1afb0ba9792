//! The generator's numeric model of one report: every table value before it is
//! rendered, keyed by the template's ids, plus the few facts the text states
//! (body, year, the request count quoted in 总体情况).

use nianbao_model::{Format, RowKind, TableSchema};
use serde::Serialize;

pub type Id = &'static str;

/// The `requests` columns of applicants, whose sum is the 总计 column (rule 2).
pub const APPLICANTS: [Id; 6] = [
    "natural_person",
    "business",
    "research",
    "nonprofit",
    "legal_services",
    "other_org",
];

/// One cell of the template: table, row and column ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CellId {
    pub table: Id,
    pub row: Id,
    pub column: Id,
}

impl std::fmt::Display for CellId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.table, self.row, self.column)
    }
}

/// A table value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A count (or, in the 2019 format's 本年增/减, a signed count).
    Count(i64),
    /// An amount in 万元, kept in hundredths so that arithmetic is exact.
    Amount { cents: i64 },
}

impl Value {
    /// The value in hundredths, so counts and amounts compare alike.
    pub fn cents(self) -> i64 {
        match self {
            Value::Count(n) => n * 100,
            Value::Amount { cents } => cents,
        }
    }

    pub fn is_zero(self) -> bool {
        self.cents() == 0
    }

    /// The same kind of value shifted by `delta` units (hundredths for amounts).
    pub fn shifted(self, delta: i64) -> Value {
        match self {
            Value::Count(n) => Value::Count(n + delta),
            Value::Amount { cents } => Value::Amount { cents: cents + delta },
        }
    }
}

/// As printed: counts plainly, amounts with two decimals ("7730.28"), a zero
/// amount as "0" (how reports print an empty fee line).
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Value::Count(n) => write!(f, "{n}"),
            Value::Amount { cents: 0 } => f.write_str("0"),
            Value::Amount { cents } => {
                let sign = if cents < 0 { "-" } else { "" };
                let abs = cents.unsigned_abs();
                write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowValues {
    pub id: Id,
    pub cells: Vec<(Id, Value)>,
}

/// The values of one table, rows and cells in template order. Group rows are
/// present only when the report prints numbers for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableValues {
    pub id: Id,
    pub rows: Vec<RowValues>,
}

impl TableValues {
    pub fn row(&self, id: &str) -> Option<&RowValues> {
        self.rows.iter().find(|r| r.id == id)
    }

    pub fn get(&self, row: &str, column: &str) -> Option<Value> {
        self.row(row)?
            .cells
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| *v)
    }

    pub fn get_mut(&mut self, row: &str, column: &str) -> Option<&mut Value> {
        self.rows
            .iter_mut()
            .find(|r| r.id == row)?
            .cells
            .iter_mut()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| v)
    }

    /// Every cell, in template order.
    pub fn cells(&self) -> impl Iterator<Item = (CellId, Value)> + '_ {
        self.rows.iter().flat_map(move |r| {
            r.cells.iter().map(move |(c, v)| {
                (
                    CellId {
                        table: self.id,
                        row: r.id,
                        column: c,
                    },
                    *v,
                )
            })
        })
    }
}

/// What kind of body issues the report; decides plausible magnitudes and
/// whether it may issue 规章 (only a 设区的市 government may).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    CityGovernment,
    CountyGovernment,
    Department,
    Township,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub name: String,
    pub kind: BodyKind,
    /// How the narrative refers to the body ("我局", "本机关", "我区").
    pub self_reference: &'static str,
}

/// Everything the generator decided about one report before rendering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportModel {
    pub format: Format,
    pub year: i32,
    pub body: Body,
    pub disclosure: TableValues,
    pub requests: TableValues,
    pub review: TableValues,
    /// Whether the `requests` group rows (（三）不予公开 …) are printed with
    /// numbers of their own (2019-format reports often do; then group = Σ
    /// sub-rows, rule 4).
    pub group_numbers: bool,
    /// The number of requests the 总体情况 narrative says were received.
    pub narrative_received: i64,
    /// Whether 总体情况 says 未收到 without a number (only when there were none).
    pub narrative_says_none: bool,
    /// A `requests` row left out of the rendered table (an injected defect).
    pub deleted_row: Option<Id>,
}

impl ReportModel {
    pub fn tables(&self) -> [&TableValues; 3] {
        [&self.disclosure, &self.requests, &self.review]
    }

    pub fn table(&self, id: &str) -> Option<&TableValues> {
        self.tables().into_iter().find(|t| t.id == id)
    }

    pub fn table_mut(&mut self, id: &str) -> Option<&mut TableValues> {
        [&mut self.disclosure, &mut self.requests, &mut self.review]
            .into_iter()
            .find(|t| t.id == id)
    }

    pub fn value(&self, cell: CellId) -> Option<Value> {
        self.table(cell.table)?.get(cell.row, cell.column)
    }

    /// Every cell the rendered text prints, in template order (a deleted row's
    /// cells are not printed).
    pub fn printed_cells(&self) -> impl Iterator<Item = (CellId, Value)> + '_ {
        self.tables()
            .into_iter()
            .flat_map(|t| t.cells())
            .filter(move |(c, _)| !(c.table == "requests" && Some(c.row) == self.deleted_row))
    }
}

/// The rows of a `requests` table that count towards （七）总计: 予以公开,
/// 部分公开 and every leaf row under a group (or an ungrouped 其他处理).
pub fn result_rows(table: &TableSchema) -> impl Iterator<Item = Id> + '_ {
    let start = table
        .rows
        .iter()
        .position(|r| r.id == "results")
        .map_or(0, |i| i + 1);
    let end = table
        .rows
        .iter()
        .position(|r| r.id == "total")
        .unwrap_or(table.rows.len());
    table
        .rows
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .filter(|r| r.kind == RowKind::Data)
        .map(|r| r.id)
}
