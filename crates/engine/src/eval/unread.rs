//! The places of a report that its reader could not read, as rules look
//! them up: a rule instance that reads one of them is not checked. The
//! publication date is one when no date was found: a report often prints
//! it only in the page around it (or not at all), so its absence says
//! nothing about when the report was published.

use nianbao_model::{same_id, Problem, Report};
use nianbao_rules::ast::{Expr, ExprKind, MetaField};
use nianbao_rules::Rule;

/// Whether `rule` names this year's `report.published` (guard or check).
pub(crate) fn names_published(rule: &Rule) -> bool {
    let published = |e: &Expr| {
        matches!(
            e.kind,
            ExprKind::Meta {
                previous: false,
                field: MetaField::Published
            }
        )
    };
    rule.guard.iter().chain([&rule.check]).any(|e| e.any(&published))
}

/// The place name of the publication date not found.
const REPORT: &str = "report";
const PUBLISHED: &str = "published";

/// One place not read: a table, a row of it, or a cell.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    table: String,
    row: Option<String>,
    column: Option<String>,
}

impl Place {
    /// The place as output names it: `requests`, `requests.partial`,
    /// `requests.partial.total`.
    pub(crate) fn name(&self) -> String {
        let mut s = self.table.clone();
        for part in [&self.row, &self.column].into_iter().flatten() {
            s.push('.');
            s.push_str(part);
        }
        s
    }
}

/// The places of one report not read (usually none).
#[derive(Debug, Default)]
pub(crate) struct Unread {
    places: Vec<Place>,
}

impl Unread {
    pub(crate) fn of(report: &Report) -> Unread {
        let mut places: Vec<Place> = report
            .problems
            .iter()
            .filter(|p| p.leaves_unread())
            .filter_map(|p: &Problem| {
                Some(Place {
                    table: p.table.clone()?,
                    row: p.row.clone(),
                    column: p.row.as_ref().and(p.column.clone()),
                })
            })
            .collect();
        if report.metadata.published.is_none() {
            places.push(Place {
                table: REPORT.to_string(),
                row: Some(PUBLISHED.to_string()),
                column: None,
            });
        }
        Unread { places }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Whether a rule may read one of these places: any place of a table
    /// (a rule's quantifiers may reach it), the publication date only if
    /// the rule names `report.published` ([`names_published`], found once
    /// per rule by the plan). A rule that may not is decided by the plan as
    /// usual.
    pub(crate) fn concerns(&self, reads_published: bool) -> bool {
        self.places.iter().any(|p| p.table != REPORT || reads_published)
    }

    /// The position of the publication date not found, if it was not.
    pub(crate) fn published(&self) -> Option<usize> {
        self.places.iter().position(|p| p.table == REPORT)
    }

    pub(crate) fn place(&self, i: usize) -> Option<&Place> {
        self.places.get(i)
    }

    /// The first place not read that holds the cell (`column` `None`: the
    /// row; `row` `None` too: the table).
    pub(crate) fn holding(&self, table: &str, row: Option<&str>, column: Option<&str>) -> Option<usize> {
        self.places.iter().position(|p| {
            same_id(&p.table, table)
                && match (&p.row, row) {
                    (None, _) => true,
                    (Some(pr), Some(r)) => same_id(pr, r),
                    (Some(_), None) => false,
                }
                && match (&p.column, column) {
                    (None, _) => true,
                    (Some(pc), Some(c)) => same_id(pc, c),
                    (Some(_), None) => false,
                }
        })
    }
}
