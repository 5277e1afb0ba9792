//! The places of a report that its reader could not read, as rules look
//! them up: a rule instance that reads one of them is not checked.

use nianbao_model::{same_id, Problem, Report};

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
        let places = report
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
        Unread { places }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.places.is_empty()
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
