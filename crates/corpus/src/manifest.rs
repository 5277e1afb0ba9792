//! The manifest: one JSON object per line (JSON Lines) for each defective
//! report, saying what was injected where and which template rules it breaks.

use crate::defect::Target;
use crate::GeneratedReport;
use serde::{Deserialize, Serialize};

/// One rule the defect breaks, located as template.md locates rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedViolation {
    /// The rule's number in template.md § Consistency rules.
    pub rule: u8,
    pub table: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

/// A manifest line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The report's file name in the corpus directory.
    pub file: String,
    pub layout: String,
    /// "2021" or "2019".
    pub format: String,
    /// The defect kind (`requests_cell`, `review_total`, `deleted_row`, …).
    pub kind: String,
    /// What was changed: `cell` (a table value), `narrative` (the count of
    /// requests in 总体情况) or `row` (a row left out).
    pub place: String,
    /// The cell changed, or for `narrative` the cell it must agree with
    /// (requests.new.total), or for `row` the row left out.
    pub table: String,
    pub row: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Byte offset and length of the changed value in the file (for `row`:
    /// where the row would have been, length 0).
    pub offset: usize,
    pub length: usize,
    /// The value as it should have been, and as printed ("" for `row`).
    pub original: String,
    pub injected: String,
    /// The template rule numbers the defect breaks (sorted, unique).
    pub rules: Vec<u8>,
    /// Each rule broken, with the row or column it is broken for.
    pub violations: Vec<ExpectedViolation>,
    /// The extent of the table concerned, in bytes.
    pub table_offset: usize,
    pub table_length: usize,
}

impl Record {
    /// The manifest line of a report, if it carries a defect.
    pub fn of(report: &GeneratedReport) -> Option<Record> {
        let defect = report.defect.as_ref()?;
        let inj = &defect.injection;
        let (place, table, row, column) = match inj.target {
            Target::Cell(c) => ("cell", c.table, c.row, Some(c.column)),
            Target::Narrative => ("narrative", "requests", "new", Some("total")),
            Target::Row { table, row } => ("row", table, row, None),
        };
        let mut rules: Vec<u8> = defect.violations.iter().map(|v| v.rule).collect();
        rules.sort_unstable();
        rules.dedup();
        Some(Record {
            file: report.name.clone(),
            layout: report.layout.id().to_string(),
            format: report.model.format.id().to_string(),
            kind: inj.kind.id().to_string(),
            place: place.to_string(),
            table: table.to_string(),
            row: row.to_string(),
            column: column.map(str::to_string),
            offset: defect.span.offset,
            length: defect.span.len,
            original: inj.original.clone(),
            injected: inj.injected.clone(),
            rules,
            violations: defect
                .violations
                .iter()
                .map(|v| ExpectedViolation {
                    rule: v.rule,
                    table: v.table.to_string(),
                    row: v.row.map(str::to_string),
                    column: v.column.map(str::to_string),
                })
                .collect(),
            table_offset: defect.table_span.offset,
            table_length: defect.table_span.len,
        })
    }

    /// Whether a finding's label at `offset..offset + length` points at this
    /// defect: at the changed value, or — for a row left out, which has no
    /// bytes of its own — anywhere in its table.
    pub fn matches_label(&self, offset: usize, length: usize) -> bool {
        let (start, end) = if self.place == "row" {
            (self.table_offset, self.table_offset + self.table_length)
        } else {
            (self.offset, self.offset + self.length)
        };
        let label_end = offset + length;
        if length == 0 {
            (start..=end).contains(&offset)
        } else {
            offset < end && start < label_end
        }
    }
}
