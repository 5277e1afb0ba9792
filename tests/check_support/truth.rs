//! Scoring a reading against a truth file (`table\trow\tcolumn\tvalue`
//! lines, an empty value for a cell printed empty): the exporter matrix and
//! the real-world layouts built from its documents.

use nianbao_engine::eval::evaluate;
use nianbao_engine::Severity;
use nianbao_model::{CellValue, Decimal, Report};
use nianbao_rules::RuleSet;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("the built-in rules compile")
    })
}

/// (table, row, column) of a cell.
pub type Place = (String, String, String);

/// One report's truth: every cell its documents print, `None` for a cell
/// printed empty.
pub fn truth(dir: &Path) -> BTreeMap<Place, Option<Decimal>> {
    let text = std::fs::read_to_string(dir.join("truth.tsv")).expect("truth.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let value = f.get(3).map(|v| v.trim()).filter(|v| !v.is_empty());
            let value = value.map(|v| v.parse::<Decimal>().unwrap_or_else(|e| panic!("{l}: {e}")));
            let field = |i: usize| f.get(i).copied().unwrap_or_default().to_string();
            ((field(0), field(1), field(2)), value)
        })
        .collect()
}

/// What became of one file.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub cells: usize,
    pub right: usize,
    /// Read with another value, or read where the document prints none.
    pub wrong: Vec<String>,
    /// Not read, and said so (a reading limit covers the place).
    pub not_read: usize,
    /// Not read and not said (the place lacks a reading limit).
    pub silent: Vec<String>,
    /// Error findings on a consistent report.
    pub errors: Vec<String>,
    /// The file could not be read at all.
    pub failed: Option<String>,
}

impl Score {
    pub fn exact(&self) -> bool {
        self.failed.is_none()
            && self.right == self.cells
            && self.wrong.is_empty()
            && self.silent.is_empty()
            && self.errors.is_empty()
    }
}

/// Whether a reading limit of `report` covers the place.
fn said_not_read(report: &Report, (table, row, column): &Place) -> bool {
    report.problems.iter().filter(|p| p.leaves_unread()).any(|p| {
        p.table.as_deref() == Some(table)
            && p.row.as_deref().is_none_or(|r| r == row)
            && p.column.as_deref().is_none_or(|c| c == column)
    })
}

fn value_of(v: &CellValue) -> Option<Option<Decimal>> {
    match v {
        CellValue::Blank => Some(None),
        CellValue::Integer(n) => Some(Some(Decimal::from(*n))),
        CellValue::Decimal(d) => Some(Some(*d)),
        CellValue::Text(_) => None,
    }
}

/// How the reader read a file: every cell against the truth, and the
/// error findings (a consistent report should get none).
pub fn score_bytes(name: &str, bytes: &[u8], truth: &BTreeMap<Place, Option<Decimal>>) -> Score {
    let mut s = Score {
        cells: truth.len(),
        ..Score::default()
    };
    let report = match nianbao_reader::read_bytes(name, bytes) {
        Ok(r) => r,
        Err(e) => {
            s.failed = Some(e.to_string());
            s.not_read = truth.len();
            return s;
        }
    };
    let mut read: BTreeMap<Place, &CellValue> = BTreeMap::new();
    for (t, table) in &report.tables {
        for (r, row) in &table.rows {
            for (c, cell) in &row.cells {
                read.insert((t.to_string(), r.to_string(), c.to_string()), &cell.value);
            }
        }
    }
    for (place, want) in truth {
        match read.get(place) {
            Some(v) if value_of(v) == Some(*want) => s.right += 1,
            Some(v) => s.wrong.push(format!("{place:?}: read {v}, printed {want:?}")),
            None if said_not_read(&report, place) => s.not_read += 1,
            None => s.silent.push(format!("{place:?}")),
        }
    }
    let known: BTreeSet<&Place> = truth.keys().collect();
    for (place, v) in &read {
        if !known.contains(place) {
            s.wrong.push(format!("{place:?}: read {v}, printed nothing"));
        }
    }
    let e = evaluate(rules(), &report, None);
    s.errors = e
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect();
    s
}
