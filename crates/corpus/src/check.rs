//! The template's consistency rules (勾稽关系, template.md § Consistency rules)
//! evaluated on the generator's own numeric model, before rendering. A clean
//! report has no violation; an injected defect's expected findings are the
//! violations of the model after injection. This is the generator's oracle,
//! independent of the rule files and of the reader.

use crate::model::{result_rows, Id, ReportModel, TableValues, Value, APPLICANTS};
use nianbao_model::{template, RowKind, ValueKind};
use serde::Serialize;

/// One rule broken, located by table and by row or column (or both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The rule's number in template.md's list of consistency rules.
    pub rule: u8,
    pub table: Id,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<Id>,
    pub message: String,
}

/// The value of a cell, or 0 where the row is not printed (a deleted row is a
/// structural finding, rule 7; its numbers were zero when it was chosen).
fn cents(t: &TableValues, row: &str, column: &str) -> i64 {
    t.get(row, column).map_or(0, Value::cents)
}

/// Every violation of rules 1–8 in the model, in a stable order.
pub fn violations(model: &ReportModel) -> Vec<Violation> {
    let mut out = Vec::new();
    let tpl = template(model.format);
    let req = &model.requests;
    let Some(req_schema) = tpl.table("requests") else {
        return out;
    };
    let columns: Vec<Id> = req_schema.columns.iter().map(|c| c.id).collect();

    // Rule 1: every column, new + carried_over = total + carried_forward.
    for &col in &columns {
        let lhs = cents(req, "new", col) + cents(req, "carried_over", col);
        let rhs = cents(req, "total", col) + cents(req, "carried_forward", col);
        if lhs != rhs {
            out.push(Violation {
                rule: 1,
                table: "requests",
                row: None,
                column: Some(col),
                message: format!(
                    "new + carried_over = {} but total + carried_forward = {}",
                    lhs / 100,
                    rhs / 100
                ),
            });
        }
    }
    // Rule 2: every row, total = Σ applicant columns.
    for row in &req.rows {
        let sum: i64 = APPLICANTS.iter().map(|c| cents(req, row.id, c)).sum();
        let total = cents(req, row.id, "total");
        if sum != total {
            out.push(Violation {
                rule: 2,
                table: "requests",
                row: Some(row.id),
                column: None,
                message: format!("total {} but applicants sum to {}", total / 100, sum / 100),
            });
        }
    }
    // Rule 3: every column, total = Σ result rows.
    for &col in &columns {
        let sum: i64 = result_rows(req_schema).map(|r| cents(req, r, col)).sum();
        let total = cents(req, "total", col);
        if sum != total {
            out.push(Violation {
                rule: 3,
                table: "requests",
                row: None,
                column: Some(col),
                message: format!("total {} but results sum to {}", total / 100, sum / 100),
            });
        }
    }
    // Rule 4: a group row printed with numbers = Σ its sub-rows.
    for group in req_schema.rows.iter().filter(|r| r.kind == RowKind::Group) {
        if req.row(group.id).is_none() {
            continue;
        }
        for &col in &columns {
            let sum: i64 = req_schema.sub_rows(group.id).map(|s| cents(req, s.id, col)).sum();
            let value = cents(req, group.id, col);
            if sum != value {
                out.push(Violation {
                    rule: 4,
                    table: "requests",
                    row: Some(group.id),
                    column: Some(col),
                    message: format!("group {} but sub-rows sum to {}", value / 100, sum / 100),
                });
            }
        }
    }
    // Rule 5: review, each group's total = upheld + corrected + other + pending.
    for group in crate::numbers::REVIEW_GROUPS {
        let get = |part: &str| {
            model
                .review
                .rows
                .first()
                .map_or(0, |r| cents(&model.review, r.id, &format!("{group}.{part}")))
        };
        let sum: i64 = ["upheld", "corrected", "other", "pending"]
            .iter()
            .map(|p| get(p))
            .sum();
        let total = get("total");
        if sum != total {
            let column = tpl
                .table("review")
                .and_then(|t| t.columns.iter().find(|c| c.id == format!("{group}.total")))
                .map(|c| c.id);
            out.push(Violation {
                rule: 5,
                table: "review",
                row: Some("cases"),
                column,
                message: format!("{group} total {} but its parts sum to {}", total / 100, sum / 100),
            });
        }
    }
    // Rule 6: counts are whole and ≥ 0 (本年增/减 may be negative), amounts ≥ 0.
    for table in model.tables() {
        let Some(schema) = tpl.table(table.id) else {
            continue;
        };
        for (cell, value) in table.cells() {
            let kind = schema.column(cell.column).map(|c| c.kind);
            let bad = match (kind, value) {
                (Some(ValueKind::SignedCount), _) => false,
                (Some(ValueKind::Count), Value::Count(n)) => n < 0,
                (Some(ValueKind::Amount), v) => v.cents() < 0,
                _ => true,
            };
            if bad {
                out.push(Violation {
                    rule: 6,
                    table: cell.table,
                    row: Some(cell.row),
                    column: Some(cell.column),
                    message: format!("{value} is not a valid {:?}", kind),
                });
            }
        }
    }
    // Rule 7: structure (the generator only ever removes a row).
    if let Some(row) = model.deleted_row {
        out.push(Violation {
            rule: 7,
            table: "requests",
            row: Some(row),
            column: None,
            message: format!("row {row} is missing"),
        });
    }
    // Rule 8: the narrative's count of requests received = requests.new.total.
    let new_total = cents(req, "new", "total") / 100;
    if model.narrative_received != new_total {
        out.push(Violation {
            rule: 8,
            table: "requests",
            row: Some("new"),
            column: Some("total"),
            message: format!(
                "总体情况 says {} requests received, the table {new_total}",
                model.narrative_received
            ),
        });
    }
    out
}
