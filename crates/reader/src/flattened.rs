//! # Recovering table rows whose cells ran together (issue 9)
//!
//! Crawled web pages often flatten a table: every cell's text is concatenated
//! with nothing between, so a `requests` row reads
//! `一、本年新收政府信息公开申请数量640020470` (= 64, 0, 0, 2, 0, 4, 70). This
//! module is the pure splitting engine: given the text of one row's numbers
//! (the *run*), it finds every way to cut it into the row's columns and keeps
//! the cuts the arithmetic allows. It never guesses: a row is read only when
//! exactly one split survives; otherwise the outcome says why not, with the
//! candidates, so the reader can record a [`Problem`].
//!
//! It knows the template schema and the model's value types, nothing about
//! where rows are in a document (that is the text reader's job).
//!
//! ## What a split must satisfy
//! - Every column of the row (`TableSchema::row_columns`) gets exactly one
//!   number, in column order, and every character of the run is used.
//! - No leading zeros except `0` itself (`"000"` is 0, 0, 0, never 00 or 000).
//! - A decimal point only in an [`ValueKind::Amount`] column (`"0.5"` and
//!   `"7730.28"` are fine); a minus sign only in a
//!   [`ValueKind::SignedCount`] column. At most 15 digits per count.
//! - White space inside the run is a cell boundary that *was* printed
//!   (pingtan's `"500000 5"` is 5, 0, 0, 0, 0, 0 | 5): no number spans it.
//! - The row's own arithmetic (the *row constraint*): a column whose id is
//!   `total` or ends in `.total` equals the sum of the columns between the
//!   previous total (or the row's start) and itself. That gives
//!   `requests`: total = natural_person + the five org columns, and `review`:
//!   each group's total = upheld + corrected + other + pending. Rows without
//!   such a column (`disclosure`) have no arithmetic: they are read only when
//!   exactly one split exists at all, else reported with the candidate count.
//!
//! - Exception: when the run already has as many printed (space-separated)
//!   pieces as the row has columns, nothing is inferred and the arithmetic is
//!   not applied — a printed defect must stay a finding for the rules.
//!
//! The search is a depth-first walk over the cut positions, pruned by a
//! count of the unconstrained splits still possible from each position (a
//! small dynamic programme, which also gives [`Inference::candidates`]) and by
//! the totals: a total is never searched (it must spell the sum of its
//! parts); the last total is the run's final number, so for each way to read
//! it only parts that can sum to exactly it are tried. It stops after
//! [`Limits::max_nodes`] numbers tried (200 000: well under a second even in
//! a debug build) and answers [`Outcome::TooAmbiguous`]. Realistic rows
//! (counts up to tens of thousands) stay far below the cap.
//!
//! ## How the reader calls it
//! 1. When a template row's number text is one run of digits (or has fewer
//!    separated numbers than the row has columns), take the text from the end
//!    of the row label with [`take_run`]`(text, label_end)` (digits, spaces,
//!    decimal points; it stops at the next label or line break).
//! 2. **Glued numbering is the reader's to strip, with this helper:** when the
//!    next row's numbering is printed against the run (pingtan's
//!    `…申请00000002.其他法律…`, where `2.` numbers the next row), call
//!    [`strip_glued_numbering`]`(run, next_row.numbering)`; it returns the
//!    run without that numbering (the start offset is unchanged). If the
//!    reader's label search already matched `2.其他法律…` with its numbering,
//!    the run is already clean and the call is a no-op. A group row such as
//!    `（三）不予公开1.属于国家秘密…` yields an empty run after stripping: it has
//!    no numbers of its own (do not call [`split_row`] with an empty run; if
//!    you do, the outcome is [`Outcome::Empty`]).
//! 3. `let split = split_row(table, row, run, run_offset);` where `run_offset`
//!    is the byte offset of `run` in the report's source text; every span in
//!    the result is an exact byte span of that source text.
//! 4. After all rows of a table are read, call [`resolve_with_columns`] with
//!    the table's splits and the values read normally; it may decide rows
//!    that are still [`Outcome::Ambiguous`] from the column rules and returns
//!    the rules it had to assume ([`AssumedRule`]) — those rules can no longer
//!    find a defect in the cells they decided, so say so in the report. The
//!    decided cells' [`Inference::constraint`] names them too, e.g. `…; of the
//!    2 splits that satisfy it, the only one consistent with the column rules
//!    (assumed, so not checked): requests.results-total (template rule 3): …`.
//! 5. For each split: [`RowSplit::cells`] gives the model cells (with
//!    [`Cell::inferred`] set when a value was not printed on its own), and
//!    [`RowSplit::problem`] the [`Problem`] to record (ambiguous with the
//!    candidates listed, no valid split, too ambiguous, unreadable, or
//!    missing cells for an empty data row) — exactly one of the two is `Some`
//!    (except a group row with an empty run, which has neither). The
//!    problem's `section` is left for the reader to fill.
//!
//! Blank cells cannot be recovered from a flattened row (nothing marks them):
//! such a row has too few digits for a valid split and is reported.
//!
//! ```
//! use nianbao_model::{template, Format};
//! use nianbao_reader::flattened::{resolve_with_columns, split_row, strip_glued_numbering, take_run};
//!
//! let requests = template(Format::V2021).table("requests").unwrap();
//! let text = "1.属于国家秘密00000002.其他法律行政法规禁止公开0000000";
//! let label_end = text.find("国家秘密").unwrap() + "国家秘密".len();
//! let next = requests.row("denied.law_prohibits").unwrap();
//! let run = strip_glued_numbering(take_run(text, label_end), next.numbering);
//! assert_eq!(run, "0000000");
//! let row = requests.row("denied.state_secret").unwrap();
//! let mut splits = vec![split_row(requests, row, run, label_end)];
//! // … one split per flattened row of the table, then:
//! let assumed = resolve_with_columns(requests, &mut splits, |_row, _column| None);
//! assert!(assumed.is_empty());
//! let cells = splits[0].cells().unwrap(); // (column id, Cell), inferred
//! assert_eq!(cells.len(), 7);
//! assert!(cells.iter().all(|(_, cell)| cell.inferred.is_some()));
//! assert_eq!(splits[0].problem(), None);
//! ```

mod columns;
mod search;
#[cfg(test)]
mod tests;

pub use columns::{column_rules, resolve_with_columns, AssumedRule, ColumnRule};

use nianbao_model::{
    Cell, CellValue, Id, Inference, Problem, ProblemKind, RowKind, RowSchema, Span, TableSchema, ValueKind,
};

/// Bounds on the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Numbers tried before the search gives up with [`Outcome::TooAmbiguous`].
    pub max_nodes: usize,
    /// Candidates kept for listing in an ambiguous outcome (all are counted).
    pub max_listed: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: 200_000,
            max_listed: 12,
        }
    }
}

/// One value of a split: the column it fills, the value, and exactly where
/// its digits are in the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitCell {
    pub column: &'static str,
    pub value: CellValue,
    pub span: Span,
}

/// One way to cut a run into the row's columns, in `row_columns` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub cells: Vec<SplitCell>,
}

impl Split {
    /// The values as printed text ("64", "0", "7730.28"), for problem listings.
    pub fn values(&self) -> Vec<String> {
        self.cells.iter().map(|c| c.value.to_string()).collect()
    }
}

/// What splitting one run gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Exactly one split. `inference` is `None` when every value was printed
    /// apart already (as many space-separated numbers as columns): nothing
    /// was inferred.
    Unique {
        split: Split,
        inference: Option<Inference>,
    },
    /// Several splits satisfy the row's arithmetic (or, in a row without
    /// arithmetic, several splits exist). `count` is how many (exact);
    /// `candidates` lists the first [`Limits::max_listed`] of them.
    Ambiguous { candidates: Vec<Split>, count: usize },
    /// No split satisfies the row's arithmetic (or none exists at all: wrong
    /// number of digits, a decimal point in a count column …).
    NoValidSplit,
    /// The search hit [`Limits::max_nodes`]; `found` splits were seen by then.
    TooAmbiguous { explored: usize, found: usize },
    /// A character that cannot be part of a number (the reader passed more
    /// than the run, or the run has e.g. a thousands separator).
    Unreadable { span: Span, found: char },
    /// The run has no digits: the row prints no numbers.
    Empty,
}

/// The result of [`split_row`] for one row: which row, which text, what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowSplit {
    pub table: &'static str,
    pub row: &'static str,
    /// The row's kind (a `Group` row may print no numbers).
    pub row_kind: RowKind,
    /// The row's columns, in order: what the run was split into.
    pub columns: Vec<&'static str>,
    /// The run's text as passed (for messages).
    pub run: String,
    /// Where the run is in the source text.
    pub span: Span,
    /// The row constraint in words, e.g. `requests.new: total = natural_person
    /// + business + …`; `None` for rows without arithmetic.
    pub constraint: Option<String>,
    /// How many splits exist before any arithmetic is applied (saturating).
    pub possible: usize,
    pub outcome: Outcome,
}

/// Split `run` (the text of one row's numbers, at byte `run_offset` of the
/// source) into the columns of `row`, with the default [`Limits`].
pub fn split_row(table: &TableSchema, row: &RowSchema, run: &str, run_offset: usize) -> RowSplit {
    split_row_with(table, row, run, run_offset, Limits::default())
}

/// [`split_row`] with explicit limits.
pub fn split_row_with(
    table: &TableSchema,
    row: &RowSchema,
    run: &str,
    run_offset: usize,
    limits: Limits,
) -> RowSplit {
    let columns: Vec<(&'static str, ValueKind)> = table.row_columns(row).map(|c| (c.id, c.kind)).collect();
    let plan = search::Plan::new(&columns);
    let constraint = plan.describe(table.id, row.id);
    let mut result = RowSplit {
        table: table.id,
        row: row.id,
        row_kind: row.kind,
        columns: columns.iter().map(|(id, _)| *id).collect(),
        run: run.to_string(),
        span: Span::new(run_offset, run.len()),
        constraint,
        possible: 0,
        outcome: Outcome::Empty,
    };
    let tokens = match search::Tokens::new(run, run_offset) {
        Ok(t) => t,
        Err((span, found)) => {
            result.outcome = Outcome::Unreadable { span, found };
            return result;
        }
    };
    if tokens.is_empty() {
        return result;
    }
    // As many printed pieces as columns: the boundaries were printed, nothing
    // is inferred, and the row's arithmetic is left for the rules to check
    // (a defect must stay a finding, not become an unreadable row).
    let plan = if tokens.pieces() == columns.len() {
        plan.without_arithmetic()
    } else {
        plan
    };
    let found = search::run(&tokens, &plan, limits);
    result.possible = found.possible;
    let to_split = |cells: Vec<search::Placed>| Split {
        cells: cells
            .into_iter()
            .zip(&columns)
            .map(|(p, (id, _))| SplitCell {
                column: id,
                value: p.value,
                span: p.span,
            })
            .collect(),
    };
    result.outcome = if found.aborted {
        Outcome::TooAmbiguous {
            explored: found.nodes,
            found: found.count,
        }
    } else {
        let mut listed: Vec<Split> = found.listed.into_iter().map(to_split).collect();
        match (found.count, listed.pop()) {
            (0, _) => Outcome::NoValidSplit,
            (1, Some(split)) => {
                let inference = (tokens.pieces() != columns.len()).then(|| Inference {
                    constraint: result.constraint.clone().unwrap_or_else(|| {
                        format!(
                            "{}.{}: the only split into {} numbers without leading zeros",
                            table.id,
                            row.id,
                            columns.len()
                        )
                    }),
                    candidates: found.possible,
                    assumed_template_rules: Vec::new(),
                });
                Outcome::Unique { split, inference }
            }
            (count, last) => {
                listed.extend(last);
                listed.truncate(limits.max_listed);
                Outcome::Ambiguous {
                    candidates: listed,
                    count,
                }
            }
        }
    };
    result
}

impl RowSplit {
    /// The model cells of a uniquely split row, keyed by column id in column
    /// order; `None` for every other outcome.
    pub fn cells(&self) -> Option<Vec<(Id, Cell)>> {
        let Outcome::Unique { split, inference } = &self.outcome else {
            return None;
        };
        Some(
            split
                .cells
                .iter()
                .map(|c| {
                    (
                        Id::from(c.column),
                        Cell {
                            value: c.value.clone(),
                            span: c.span,
                            inferred: inference.clone().map(Box::new),
                        },
                    )
                })
                .collect(),
        )
    }

    /// The problem to record for this row, if it was not read. A row of kind
    /// [`RowKind::Group`] with an empty run has no problem (2021 group rows
    /// print no numbers); any other empty run is [`ProblemKind::MissingCells`].
    pub fn problem(&self) -> Option<Problem> {
        let at = format!("{}.{}", self.table, self.row);
        let (satisfying, no_total) = match self.constraint.as_deref() {
            Some(c) => (format!("满足 {c} 的"), ""),
            None => (String::new(), "，本行没有总计可用来选择"),
        };
        let (kind, message, span, candidates) = match &self.outcome {
            Outcome::Unique { .. } => return None,
            Outcome::Empty if self.row_kind == RowKind::Group => return None,
            Outcome::Empty => (
                ProblemKind::MissingCells,
                format!("{at}：行标签后没有数字"),
                self.span,
                vec![],
            ),
            Outcome::Ambiguous { candidates, count } => {
                let listed = if candidates.len() < *count {
                    format!("（列出前 {} 种）", candidates.len())
                } else {
                    String::new()
                };
                (
                    ProblemKind::AmbiguousSplit,
                    format!(
                        "{at}：数字“{}”连在一起，有 {count} 种{satisfying}拆分{listed}{no_total}；未读取",
                        self.run.trim()
                    ),
                    self.span,
                    candidates.iter().map(Split::values).collect(),
                )
            }
            // Sure only of one unbroken run of digits that splits into the
            // row's columns in ways none of which adds up: whatever its cells,
            // the row does not add up. Digits in pieces may be cells whose
            // neighbours were printed empty and lost on export.
            Outcome::NoValidSplit => match &self.constraint {
                Some(c) if self.possible > 0 && !self.run.trim().contains(|ch: char| !ch.is_ascii_digit()) => (
                    ProblemKind::NoValidSplit,
                    format!(
                        "{at}：数字“{}”连在一起，{} 种拆分中没有一种满足 {c}；未读取",
                        self.run.trim(),
                        self.possible
                    ),
                    self.span,
                    vec![],
                ),
                _ => (
                    ProblemKind::UnsplittableRun,
                    format!(
                        "{at}：数字“{}”拆不成本行的 {} 列，也许有空白单元格在导出时丢失；未读取",
                        self.run.trim(),
                        self.columns.len()
                    ),
                    self.span,
                    vec![],
                ),
            },
            Outcome::TooAmbiguous { explored, found } => (
                ProblemKind::TooAmbiguous,
                format!(
                    "{at}：数字“{}”连在一起，尝试 {explored} 次后放弃（已见 {found} 种有效拆分，共 {} 种可能）；未读取",
                    self.run.trim(),
                    self.possible
                ),
                self.span,
                vec![],
            ),
            Outcome::Unreadable { span, found } => (
                ProblemKind::UnreadableCell,
                format!("{at}：连写数字中的 {found:?} 不可能是数字的一部分"),
                *span,
                vec![],
            ),
        };
        Some(Problem {
            kind,
            message,
            span: Some(span),
            section: None,
            table: Some(self.table.to_string()),
            row: Some(self.row.to_string()),
            column: None,
            candidates,
        })
    }
}

/// The run that starts at byte `from` of `text`: the longest stretch of
/// characters that can belong to a row's numbers — digits (ASCII or full
/// width), decimal points, spaces and tabs, bold markers, invisible
/// characters, and a minus sign directly before a digit. It stops at a line
/// break and at anything else (a label, `、`, `%`, `元`). It may end with the
/// next row's glued numbering (`"00000002."`): pass it through
/// [`strip_glued_numbering`]. Empty when `from` is not a character boundary.
pub fn take_run(text: &str, from: usize) -> &str {
    use nianbao_model::label::fold_char;
    let Some(rest) = text.get(from..) else {
        return "";
    };
    let is_digit = |c: char| fold_char(c).is_ascii_digit();
    let mut chars = rest.char_indices().peekable();
    let mut end = 0;
    while let Some((i, c)) = chars.next() {
        let ok = match fold_char(c) {
            '-' | '\u{2212}' => chars.peek().is_some_and(|(_, n)| is_digit(*n)),
            '\n' | '\r' => false,
            f => f.is_ascii_digit() || matches!(f, '.' | '*' | '\u{200B}' | '\u{FEFF}') || f.is_whitespace(),
        };
        if !ok {
            break;
        }
        end = i + c.len_utf8();
    }
    &rest[..end]
}

/// Remove the next row's numbering from the end of a run when it was printed
/// against it: `strip_glued_numbering("00000002.", "2.")` is `"0000000"`.
/// The numbering is the template's (`RowSchema::numbering`); the printed
/// form may use `.`, `．` or `、` and full-width digits, and white space may
/// follow it. A run that does not end so is returned unchanged (as is any
/// run for a numbering without digits, such as `（三）`, which cannot be
/// mistaken for a value). The result is a prefix of `run`.
pub fn strip_glued_numbering<'r>(run: &'r str, numbering: &str) -> &'r str {
    let digits: String = numbering
        .chars()
        .map(nianbao_model::label::fold_char)
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        return run;
    }
    let body = run.trim_end();
    let Some(last) = body.chars().next_back() else {
        return run;
    };
    if !matches!(last, '.' | '．' | '、') {
        return run;
    }
    let before = &body[..body.len() - last.len_utf8()];
    let mut start = before.len();
    for want in digits.chars().rev() {
        match before[..start].chars().next_back() {
            Some(c) if nianbao_model::label::fold_char(c) == want => start -= c.len_utf8(),
            _ => return run,
        }
    }
    &run[..start]
}

/// The row constraint of `row` in words, as used in [`Inference::constraint`]
/// (e.g. `review.cases: reconsideration.total = reconsideration.upheld + …`),
/// or `None` when the row has no total.
pub fn row_constraint(table: &TableSchema, row: &RowSchema) -> Option<String> {
    let columns: Vec<(&'static str, ValueKind)> = table.row_columns(row).map(|c| (c.id, c.kind)).collect();
    search::Plan::new(&columns).describe(table.id, row.id)
}
