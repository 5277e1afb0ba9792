//! Reading one table from its recognised labels and values: a row label
//! starts a row, the values that follow (across line breaks, page furniture
//! and unknown text) are its cells in column order, and the next label ends
//! it. What does not fit is recorded as a [`Problem`], never guessed.

use crate::flattened::{self, RowSplit};
use crate::labels::{
    format_bit, label_match, template_bare, Entry, Item, Target, CATALOGUE, VERTICAL_PIECE_CHARS,
};
use crate::tokens::{breaks_between, fields_apart, line_opening};
use nianbao_model::label::{
    cut_ordinal, fold_char, normalize, normalize_into, normalized_eq, split_numbering,
};
use nianbao_model::{
    same_id, template, Cell, CellValue, Cells, ColumnSchema, Decimal, Format, LabelMatch, LabelUse, Problem,
    ProblemKind, ReportHasher, ReportMap, Row, RowKind, RowSchema, Span, Table, TableSchema, ValueKind,
    FORMATS,
};
use std::cell::Cell as SwapCell;
use std::sync::LazyLock;

mod fields;

/// One value as printed after a row label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value {
    Number(Span),
    /// Text in a cell's place ("251000元", "—").
    Text(Span),
    Blank(Span),
}

impl Value {
    pub fn span(self) -> Span {
        match self {
            Value::Number(s) | Value::Text(s) | Value::Blank(s) => s,
        }
    }
}

/// Short text that stands where a number should ("251000元", "—", "/", "无").
/// `norm` is scratch space.
fn looks_like_value(printed: &str, norm: &mut String) -> bool {
    norm.clear();
    normalize_into(printed, norm);
    let norm = norm.as_str();
    let chars = norm.chars().count();
    let starts_with_number = norm
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '-')
        && split_numbering(norm).0.is_empty();
    chars > 0
        && chars <= 12
        && (starts_with_number
            || norm
                .chars()
                .all(|c| matches!(c, '-' | '—' | '–' | '/' | '\\' | '_' | '无' | '空' | '－' | '一')))
}

fn problem(
    kind: ProblemKind,
    table: &str,
    row: Option<&str>,
    span: Option<Span>,
    message: String,
) -> Problem {
    Problem {
        kind,
        message,
        span,
        section: None,
        table: Some(table.to_string()),
        row: row.map(str::to_string),
        column: None,
        candidates: Vec::new(),
    }
}

/// Parse one printed value for a column.
pub(crate) fn cell_value(
    text: &str,
    value: Value,
    column: &ColumnSchema,
    table: &str,
    row: &str,
    problems: &mut Vec<Problem>,
) -> Cell {
    let span = value.span();
    if matches!(value, Value::Number(_)) {
        // The common cell, plain ASCII digits, read from the bytes.
        if let Some(cell) = plain_cell(text, span, column) {
            return cell;
        }
    }
    let printed = span.slice(text).unwrap_or("");
    let mut report = |kind, message: String| {
        let mut p = problem(kind, table, Some(row), Some(span), message);
        p.column = Some(column.id.to_string());
        problems.push(p);
    };
    let value = match value {
        Value::Blank(_) => CellValue::Blank,
        Value::Text(_) => {
            report(
                ProblemKind::UnreadableCell,
                format!("{table}.{row}.{}：“{printed}”不是数字", column.id),
            );
            CellValue::Text(printed.to_string())
        }
        Value::Number(_) => match plain_integer(printed.as_bytes()) {
            Some(n) if column.kind != ValueKind::Amount => CellValue::Integer(n),
            _ => {
                // Amounts, long numbers, full-width digits, separators,
                // signs: folded first (plain ASCII digits as they are).
                let folded: std::borrow::Cow<str> = if printed.bytes().all(|b| b.is_ascii_digit()) {
                    printed.into()
                } else {
                    printed
                        .chars()
                        .map(fold_char)
                        .map(|c| if c == '−' { '-' } else { c })
                        .filter(|c| *c != ',')
                        .collect::<String>()
                        .into()
                };
                let decimal = folded.contains('.') || column.kind == ValueKind::Amount;
                let parsed = if decimal {
                    Decimal::from_str_exact(&folded).ok().map(CellValue::Decimal)
                } else {
                    folded.parse::<i64>().ok().map(CellValue::Integer)
                };
                match parsed {
                    Some(v) => v,
                    None => {
                        report(
                            ProblemKind::NumberOverflow,
                            format!("{table}.{row}.{}：数字 {printed} 过大，无法读取", column.id),
                        );
                        CellValue::Text(printed.to_string())
                    }
                }
            }
        },
    };
    Cell {
        value,
        span,
        inferred: None,
    }
}

/// The cell of a number printed at `span` as plain ASCII digits in a
/// column of whole numbers, as [`cell_value`] reads it; `None` for anything
/// else (left to [`cell_value`]).
#[inline]
fn plain_cell(text: &str, span: Span, column: &ColumnSchema) -> Option<Cell> {
    if column.kind == ValueKind::Amount {
        return None;
    }
    let n = plain_integer(text.as_bytes().get(span.offset..span.end())?)?;
    Some(Cell {
        value: CellValue::Integer(n),
        span,
        inferred: None,
    })
}

/// The value of 1 to 18 ASCII digits (the common cell: it cannot overflow an
/// `i64`), read in one pass; `None` for anything else.
fn plain_integer(printed: &[u8]) -> Option<i64> {
    if printed.is_empty() || printed.len() > 18 {
        return None;
    }
    printed.iter().try_fold(0i64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
    })
}

/// Digits that ran together (issue 9): fewer values than columns, yet at
/// least as many digits as columns. Returns the run's span, which
/// `crate::flattened` splits by the row's (and table's) arithmetic.
fn ran_together(text: &str, values: &[Value], ncols: usize) -> Option<Span> {
    if values.is_empty() || values.len() >= ncols {
        return None;
    }
    let mut digits = 0;
    for v in values {
        let Value::Number(s) = v else { return None };
        digits += s
            .slice(text)?
            .chars()
            .filter(|c| fold_char(*c).is_ascii_digit())
            .count();
    }
    let first = values.first()?.span();
    let last = values.last()?.span();
    // Values a line each are cells printed one per line, not digits that
    // ran together.
    let one_line = !text.get(first.offset..last.end())?.contains('\n');
    (digits >= ncols && one_line).then(|| first.cover(last))
}

/// The values of a row, matched to its columns. As many printed values as
/// columns: blanks are layout (doubled separators, merged label cells).
/// Otherwise, on a row printed on one line from its label (`label_line`: the
/// label's span, when the row has one) with exactly as many cells after it
/// as columns, blanks included, every cell is the column's: the separators
/// the exporter kept say where each value stands. Otherwise blanks *between*
/// printed values are blank cells, when that makes up the columns exactly.
/// Blanks before the first or after the last value could be either, so such
/// a row is not read (never guessed).
fn fit_values<'a>(
    text: &str,
    label_line: Option<Span>,
    values: &'a [Value],
    ncols: usize,
    merged_again: bool,
) -> Option<Fitted<'a>> {
    let printed = values.iter().filter(|v| !matches!(v, Value::Blank(_))).count();
    if printed == ncols {
        return Some(Fitted::Printed(values));
    }
    if values.len() >= ncols && on_one_line(text, label_line, values) {
        if let Some(slots) = line_slots(text, values, ncols) {
            return Some(Fitted::Slots(slots));
        }
    }
    if let Some(row) = cells_then_blank_lines(text, label_line, values, ncols) {
        return Some(Fitted::Core(row));
    }
    if let Some(merged) = merged_lines(text, values, ncols) {
        return Some(Fitted::Merged(merged));
    }
    // A number repeated across a row of one column can be nothing else; in
    // a wider row, the table must show merged cells printed again.
    if ncols == 1 || merged_again {
        if let Some(collapsed) = merged_cells_repeated(text, label_line, values, ncols) {
            return Some(Fitted::Collapsed(collapsed));
        }
    }
    if values.len() == ncols && one_per_line(text, values) {
        // A table printed one cell per line, its empty cells kept as
        // lines of their own (`&nbsp;`): one line per column.
        return Some(Fitted::Core(values));
    }
    let first = values.iter().position(|v| !matches!(v, Value::Blank(_)))?;
    let last = values.iter().rposition(|v| !matches!(v, Value::Blank(_)))?;
    let core = values.get(first..=last)?;
    // Blanks outside the printed values too: the row has slots that are
    // layout (a table spread over more columns than it has), so the blanks
    // between may be layout as well.
    let padded = core.len() < values.len();
    (core.len() == ncols && !padded).then_some(Fitted::Core(core))
}

/// A row whose cells merged across several grid columns print their
/// number once per grid column they cover (python-docx does so): more
/// numbers than columns, in fields of their own on one line, where each
/// extra one repeats the number beside it. Read when the repeats can be
/// collapsed into the row's columns in one way only (every run of equal
/// numbers to one, or the extra ones all in one run): "4\t0\t0" is 4 and
/// 0 in two columns, "1\t1\t2\t2" in three is not read.
fn merged_cells_repeated(
    text: &str,
    label_line: Option<Span>,
    values: &[Value],
    ncols: usize,
) -> Option<Vec<Value>> {
    let extra = values.len().checked_sub(ncols).filter(|&k| k > 0)?;
    if !values.iter().all(|v| matches!(v, Value::Number(_))) || !on_one_line(text, label_line, values) {
        return None;
    }
    let apart = values
        .windows(2)
        .all(|w| fields_apart(text, w[0].span().end(), w[1].span().offset));
    if !apart {
        return None;
    }
    // Runs of the same number printed: (first value, length).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (k, v) in values.iter().enumerate() {
        let printed = v.span().slice(text);
        match runs.last_mut() {
            Some((first, len)) if values.get(*first).and_then(|f| f.span().slice(text)) == printed => {
                *len += 1
            }
            _ => runs.push((k, 1)),
        }
    }
    let repeats: usize = runs.iter().map(|(_, len)| len - 1).sum();
    let runs_repeating = runs.iter().filter(|(_, len)| *len > 1).count();
    if extra > repeats || (extra < repeats && runs_repeating > 1) {
        return None;
    }
    // Each run keeps its length less its share of the extra numbers.
    let mut left = extra;
    let mut kept = Vec::with_capacity(ncols);
    for &(first, len) in &runs {
        let drop = left.min(len - 1);
        left -= drop;
        kept.extend(values.get(first..first + len - drop)?.iter().copied());
    }
    (kept.len() == ncols).then_some(kept)
}

/// What a row shows of its separators ([`Reader::fields_are_columns`]).
enum Fields {
    /// Every cell printed, each in a field of its own, on one line.
    Apart,
    /// Two values with no separator between them on a line that has
    /// separators between other values.
    Merged,
    Unknown,
}

fn fields_of(text: &str, row: &Row) -> Fields {
    let mut printed = 0;
    let mut apart = 0;
    let mut merged = false;
    let mut last: Option<Span> = None;
    for cell in row.cells.values() {
        if cell.value == CellValue::Blank {
            continue;
        }
        printed += 1;
        if let Some(a) = last {
            let Some(between) = text.get(a.end()..cell.span.offset) else {
                return Fields::Unknown;
            };
            if !between.contains('\n') {
                if between.contains(crate::tokens::is_cell_separator) {
                    apart += 1;
                } else {
                    merged = true;
                }
            }
        }
        last = Some(cell.span);
    }
    // Values apart with no separator at all: a row aligned with spaces,
    // which says nothing of the fields.
    if merged {
        return if apart > 0 {
            Fields::Merged
        } else {
            Fields::Unknown
        };
    }
    if printed >= 2 && printed == row.cells.len() && apart + 1 == printed {
        Fields::Apart
    } else {
        Fields::Unknown
    }
}

/// Where the line holding byte `at` of `text` starts.
fn line_start(text: &str, at: usize) -> Option<usize> {
    Some(text.get(..at)?.rfind('\n').map_or(0, |i| i + 1))
}

/// A line's fields as a row's `ncols` columns: one field per column, or
/// more fields than columns where the extra ones are empty and stand right
/// after the label — a label cell spanning several grid columns (a merged
/// row label, a group label's column) leaves its other columns empty, and a
/// table's columns of numbers are its last ones. Only where the line's last
/// field is closed: a piece after a line's last tab may be layout on every
/// line, which would make the fields one too many at the end, not at the
/// start.
fn line_slots<'a>(text: &str, fields: &'a [Value], ncols: usize) -> Option<&'a [Value]> {
    let (spanned, slots) = fields.split_at(fields.len().checked_sub(ncols)?);
    let closed = spanned.is_empty() || slots.last().is_some_and(|v| field_closed(text, v));
    (closed && spanned.iter().all(|v| matches!(v, Value::Blank(_)))).then_some(slots)
}

/// A row of a grid drawn over several lines (a wrapped label makes the row
/// taller; a text browser draws every line of it with the grid's rules):
/// each line shows the row's fields ([`line_slots`]), and a column's value
/// stands on one of them, the others blank there. The row's values column
/// by column, or `None` unless every line has the fields and no column two
/// values.
fn merged_lines(text: &str, values: &[Value], ncols: usize) -> Option<Vec<Value>> {
    let lines = values
        .chunk_by(|a, b| breaks_between(text, a.span().end(), b.span().offset) != Some(true))
        .map(|line| line_slots(text, line, ncols))
        .collect::<Option<Vec<_>>>()?;
    if lines.len() < 2 {
        return None;
    }
    let mut merged: Vec<Value> = lines.first()?.to_vec();
    for line in lines.iter().skip(1) {
        for (m, &v) in merged.iter_mut().zip(line.iter()) {
            match (*m, v) {
                (_, Value::Blank(_)) => {}
                (Value::Blank(_), v) => *m = v,
                _ => return None,
            }
        }
    }
    Some(merged)
}

/// Whether a value is a printed number, or a blank field closed by a
/// separator after it on its line.
fn field_closed(text: &str, v: &Value) -> bool {
    match v {
        Value::Blank(s) => text
            .get(s.offset..)
            .and_then(|rest| rest.split('\n').next())
            .is_some_and(|line| line.contains(crate::tokens::is_cell_separator)),
        _ => true,
    }
}

/// Whether an empty field opens its line: only bars and white space
/// before it, a bar among them.
fn opens_grid_line(text: &str, b: Span) -> bool {
    line_opening(text, b.offset).is_some_and(|opening| opening.contains(crate::tokens::is_cell_separator))
}

/// Whether each of a row's values stands on a line of its own.
fn one_per_line(text: &str, values: &[Value]) -> bool {
    values.windows(2).all(|w| match w {
        [a, b] => breaks_between(text, a.span().end(), b.span().offset) == Some(true),
        _ => true,
    })
}

/// A row printed one cell per line, its empty cells kept (`&nbsp;`), then
/// more empty lines of the same kind farther away: the row's `ncols`
/// cells stand the same number of line breaks apart (a row of one column:
/// its cell from its label, the label a cell like the others), and what
/// follows them stands farther and is blank (a Word page's empty paragraph
/// after a table, `<p>&nbsp;</p>`), so it is no cell of the row.
fn cells_then_blank_lines<'a>(
    text: &str,
    label: Option<Span>,
    values: &'a [Value],
    ncols: usize,
) -> Option<&'a [Value]> {
    let (row, rest) = (values.get(..ncols)?, values.get(ncols..)?);
    if rest.is_empty() || !rest.iter().all(|v| matches!(v, Value::Blank(_))) {
        return None;
    }
    let gap = |from: usize, to: &Value| fields::breaks(text, from, to.span().offset);
    let period = match row {
        [only] => gap(label?.end(), only),
        [first, second, ..] => gap(first.span().end(), second),
        [] => None,
    }
    .filter(|&n| n > 0)?;
    let even = row.windows(2).all(|w| match w {
        [a, b] => gap(a.span().end(), b) == Some(period),
        _ => true,
    });
    let beyond = gap(row.last()?.span().end(), rest.first()?)?;
    (even && beyond > period).then_some(row)
}

/// Whether a row's values are printed on its label's line.
fn on_one_line(text: &str, label: Option<Span>, values: &[Value]) -> bool {
    label.zip(values.last()).is_some_and(|(label, last)| {
        text.get(label.end()..last.span().offset)
            .is_some_and(|between| !between.contains('\n'))
    })
}

/// The values [`fit_values`] matched to a row's columns, in column order.
enum Fitted<'a> {
    /// The printed values among these (blanks are layout).
    Printed(&'a [Value]),
    /// All of these, blanks included (blank cells between printed values).
    Core(&'a [Value]),
    /// All of these, one per field between separators: kept only if the
    /// table's rows show its fields are its columns
    /// ([`Reader::fields_are_columns`]).
    Slots(&'a [Value]),
    /// The columns of a row drawn over several lines ([`merged_lines`]),
    /// kept as [`Fitted::Slots`] are.
    Merged(Vec<Value>),
    /// A number per column once merged cells' repeats are collapsed
    /// ([`merged_cells_repeated`]).
    Collapsed(Vec<Value>),
}

impl Fitted<'_> {
    fn values(&self) -> impl Iterator<Item = Value> + '_ {
        let (values, keep_blanks) = match *self {
            Fitted::Printed(v) => (v, false),
            Fitted::Core(v) | Fitted::Slots(v) => (v, true),
            Fitted::Merged(ref v) | Fitted::Collapsed(ref v) => (v.as_slice(), true),
        };
        values
            .iter()
            .copied()
            .filter(move |v| keep_blanks || !matches!(v, Value::Blank(_)))
    }
}

/// A template table's rows and columns by position, worked out once per
/// template table: the reader looks rows and their columns up for every
/// label and value, by position rather than by comparing ids.
struct Layout {
    /// For each row of the schema, in order: the positions in
    /// `schema.columns` of the columns it has values for
    /// ([`TableSchema::row_columns`]).
    row_columns: Vec<Box<[usize]>>,
    /// The same columns themselves, for filling the row's cells.
    row_cells: Vec<Box<[&'static ColumnSchema]>>,
    /// For each block label of the schema (`disclosure`): the positions of
    /// the columns its rows have, in the order first met.
    blocks: Vec<(&'static str, Box<[usize]>)>,
    /// For each row: the bare form of its label ([`template_bare`]), the
    /// printed form of an exact match.
    row_bare: Vec<Option<&'static str>>,
    /// For each column: the bare form of its label.
    column_bare: Vec<Option<&'static str>>,
    /// For each catalogue entry (by index) that is a column header of this
    /// table printed as the entry reads: the columns sharing that reading
    /// ([`columns_reading_alike`]), worked out once rather than per header.
    shared: Vec<Option<Box<[usize]>>>,
}

/// The positions, in schema order, of the columns of `schema` (in the
/// formats of `formats`) with a label or variant reading `text`; `None`
/// unless several do (then the n-th header reading `text` is the n-th of
/// them: "结果维持").
fn columns_reading_alike(schema: &TableSchema, formats: u8, text: &str) -> Option<Box<[usize]>> {
    let reading: Vec<&'static str> = CATALOGUE.columns_reading(schema.id, text, formats).collect();
    if reading.len() < 2 {
        return None;
    }
    let positions: Box<[usize]> = schema
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| reading.contains(&c.id))
        .map(|(i, _)| i)
        .collect();
    (positions.len() > 1).then_some(positions)
}

impl Layout {
    fn of(schema: &'static TableSchema, format: Format) -> Layout {
        let bit = format_bit(format);
        let shared = CATALOGUE
            .entries
            .iter()
            .map(|e| match e.target {
                Target::Column(_) if same_id(e.table, schema.id) && e.formats & bit != 0 => {
                    columns_reading_alike(schema, bit, &e.text)
                }
                _ => None,
            })
            .collect();
        let position = |c: &ColumnSchema| schema.columns.iter().position(|s| std::ptr::eq(s, c));
        let row_columns: Vec<Box<[usize]>> = schema
            .rows
            .iter()
            .map(|r| schema.row_columns(r).filter_map(position).collect())
            .collect();
        let mut blocks: Vec<(&'static str, Vec<usize>)> = Vec::new();
        for (r, columns) in schema.rows.iter().zip(&row_columns) {
            let Some(label) = r.block else { continue };
            let at = match blocks.iter().position(|(b, _)| *b == label) {
                Some(at) => at,
                None => {
                    blocks.push((label, Vec::new()));
                    blocks.len() - 1
                }
            };
            if let Some((_, cols)) = blocks.get_mut(at) {
                for c in columns.iter() {
                    if !cols.contains(c) {
                        cols.push(*c);
                    }
                }
            }
        }
        let row_cells = row_columns
            .iter()
            .map(|cols| cols.iter().filter_map(|&c| schema.columns.get(c)).collect())
            .collect();
        Layout {
            row_columns,
            row_cells,
            blocks: blocks
                .into_iter()
                .map(|(b, c)| (b, c.into_boxed_slice()))
                .collect(),
            row_bare: schema.rows.iter().map(|r| template_bare(r.label)).collect(),
            column_bare: schema.columns.iter().map(|c| template_bare(c.label)).collect(),
            shared,
        }
    }

    /// The positions of row `row`'s columns.
    fn columns(&self, row: usize) -> &[usize] {
        self.row_columns.get(row).map_or(&[], |c| &c[..])
    }

    /// Row `row`'s columns.
    fn cells(&self, row: usize) -> &[&'static ColumnSchema] {
        self.row_cells.get(row).map_or(&[], |c| &c[..])
    }

    /// The positions of the columns of block `label`'s rows (none for a
    /// label no row sits under).
    fn block(&self, label: &str) -> &[usize] {
        self.blocks
            .iter()
            .find(|(b, _)| same_id(b, label))
            .map_or(&[], |(_, c)| &c[..])
    }
}

/// The layouts of the templates' tables, per format.
static LAYOUTS: LazyLock<Vec<(Format, &'static TableSchema, Layout)>> = LazyLock::new(|| {
    FORMATS
        .iter()
        .flat_map(|f| template(*f).tables.iter().map(move |t| (*f, t)))
        .map(|(f, t)| (f, t, Layout::of(t, f)))
        .collect()
});

/// The layout of `schema` read as `format`.
fn layout_of(format: Format, schema: &TableSchema) -> Option<&'static Layout> {
    LAYOUTS
        .iter()
        .find(|(f, s, _)| *f == format && std::ptr::eq(*s, schema))
        .map(|(_, _, l)| l)
}

/// Row `id` of `schema` and its position: at `at` when the catalogue says
/// so (checked), else looked for.
fn row_at(schema: &'static TableSchema, at: Option<usize>, id: &str) -> Option<(usize, &'static RowSchema)> {
    match at.and_then(|i| Some((i, schema.rows.get(i)?))) {
        Some((i, r)) if same_id(r.id, id) => Some((i, r)),
        _ => schema.rows.iter().enumerate().find(|(_, r)| r.id == id),
    }
}

/// Column `id` of `schema`: at `at` when the catalogue says so (checked),
/// else looked for.
fn column_at(schema: &'static TableSchema, at: Option<usize>, id: &str) -> Option<&'static ColumnSchema> {
    match at.and_then(|i| schema.columns.get(i)) {
        Some(c) if same_id(c.id, id) => Some(c),
        _ => schema.column(id),
    }
}

struct OpenRow {
    /// The row's position in the schema.
    index: usize,
    row: &'static RowSchema,
    label: Option<LabelUse>,
    values: Vec<Value>,
    /// Whether its label shares a cell with the labels of rows before it
    /// ("1.信访举报投诉类申请<br>2.重复申请<br>3.要求提供公开出版物"): the
    /// values after them are then no one row's for sure.
    stacked: bool,
}

/// Values that no row label took: numbers after text that is no label of
/// the table, or after a row already complete.
struct Unplaced {
    values: Vec<Value>,
    /// The unknown text before them, if any (a garbled or cut label).
    unknown: Option<Span>,
    /// The positions of the rows started before and after them.
    after: Option<usize>,
    before: Option<usize>,
    /// The row whose values ran on into these, on a line of their own:
    /// read with its own values only if these are placed.
    lent_by: Option<usize>,
    /// After another table's label: never placed here, never reported as
    /// this table's (they are the other table's), but a row missing where
    /// they stand is not sure.
    foreign: bool,
}

impl Unplaced {
    /// Whether the row at `index` lies where these values stand.
    fn between(&self, index: usize) -> bool {
        between(self.after, self.before, index)
    }
}

/// Whether the row at `index` belongs after the row at `after` and before
/// the one at `before` (either unknown: the table's start or end).
fn between(after: Option<usize>, before: Option<usize>, index: usize) -> bool {
    after.is_none_or(|a| a < index) && before.is_none_or(|b| index < b)
}

/// Text numbered as a row that no label names (a label the exporter
/// garbled, its quote marks moved into its words): a row stands there, so
/// a row missing between the rows read around it is not sure.
struct Unnamed {
    after: Option<usize>,
    before: Option<usize>,
}

struct Reader<'a> {
    text: &'a str,
    schema: &'static TableSchema,
    layout: &'a Layout,
    /// [`format_bit`] of the format read.
    format_bit: u8,
    /// Rows read, by their position in the schema.
    rows: Vec<Option<Row>>,
    headers: Vec<LabelUse>,
    /// Whether a label was read printed again beside itself or down its
    /// sub-rows ([`Reader::merged_cell_again`]).
    merged_again: bool,
    problems: Vec<Problem>,
    span: Option<Span>,
    open: Option<OpenRow>,
    /// Swallow values of a row printed twice.
    discarding: bool,
    /// Values with no row label, and the unknown text before them.
    orphans: Vec<Value>,
    last_unknown: Option<Span>,
    /// The position of the row started last.
    last_row: Option<usize>,
    /// The positions of the rows started, in the order read.
    started: Vec<usize>,
    /// Runs of values no label placed, kept to be placed by the template's
    /// order of rows once every row is read ([`place_by_order`]).
    unplaced: Vec<Unplaced>,
    unnamed: Vec<Unnamed>,
    /// Disclosure blocks: the columns the current block's header names, in order.
    block_columns: &'a [usize],
    block_header: usize,
    /// How many headers read as each text that several columns share, by
    /// [`Entry::text_id`] (a handful of texts at most).
    column_seen: Vec<(u32, usize)>,
    /// Rows whose digits ran together, split (or not) by `crate::flattened`.
    splits: Vec<RowSplit>,
    /// The values buffer of the last row closed, for the next row.
    spare_values: Vec<Value>,
    /// Empty cells read since the last text while no row was open: the
    /// first cells of a row with no label (the review table's), when its
    /// first number follows them.
    loose_blanks: Vec<Value>,
    /// Unknown texts of three characters at most, in order: the pieces a
    /// label printed down a narrow column leaves ([`Reader::labels_down_a_column`]).
    short_unknowns: Vec<Span>,
    /// Where the last text read ends (a label's or unknown text's): empty
    /// cells on its line are its row's or header's, not loose.
    text_end: usize,
    /// Scratch space for normalising text.
    norm: String,
    /// The rows read by where their values stand between separators
    /// ([`Fitted::Slots`]), by position: kept only if the table's rows show
    /// that its fields are its columns ([`Reader::fields_are_columns`]).
    read_by_slots: Vec<usize>,
    /// Rows closed with values missing, to be read by where their values
    /// stand ([`fields`]).
    unfit: Vec<fields::Unfit>,
    /// Where the item being read starts: what closes a row ends it.
    next_at: Option<usize>,
    /// The numbering level of that item's row ([`RowSchema::level`]), when
    /// it is a row's label: the label columns printed before it.
    next_level: Option<u8>,
    /// The document's tables read before this one.
    earlier: &'a ReportMap<String, Table>,
    /// The last number of a header numbering its columns ("数据3"), 0 when
    /// none ([`Reader::numbers_a_header`]).
    header_ordinal: u32,
}

impl Reader<'_> {
    fn grow(&mut self, s: Span) {
        self.span = Some(self.span.map_or(s, |t| t.cover(s)));
    }

    #[inline]
    fn flush_orphans(&mut self) {
        if !self.orphans.is_empty() {
            self.report_orphans();
        }
    }

    fn report_orphans(&mut self) {
        if self.span.is_none() {
            // Before the table's first label: not part of the table.
            self.orphans.clear();
            return;
        }
        // Placed, or reported, once the rows after them are known.
        self.unplaced.push(Unplaced {
            values: std::mem::take(&mut self.orphans),
            unknown: self.last_unknown,
            after: self.last_row,
            before: None,
            lent_by: None,
            foreign: false,
        });
    }

    /// A row read with its own line of values whose next line could not be
    /// placed: not read after all, its values too many for its columns.
    fn unlend(&mut self, lender: usize, run: &Unplaced) {
        let table = self.schema.id;
        let Some(row) = self.schema.rows.get(lender) else {
            return;
        };
        let ncols = self.layout.cells(lender).len();
        let lent = run.values.iter().map(|v| v.span()).reduce(|a, b| a.cover(b));
        let message = format!(
            "{table}.{}：该行印了 {} 个数字，而本行有 {ncols} 列；该行未读取",
            row.id,
            ncols + run.values.len()
        );
        self.unread_row(lender, ProblemKind::ExtraCells, lent, message);
    }

    /// Row `index`, read, is not read after all: its cells are dropped and
    /// what was said of it is replaced by a problem of `kind`, at its cells
    /// (else at `at`, else at its label).
    fn unread_row(&mut self, index: usize, kind: ProblemKind, at: Option<Span>, message: String) {
        let table = self.schema.id;
        let Some(row) = self.schema.rows.get(index) else {
            return;
        };
        let Some(read) = self.rows.get_mut(index).and_then(Option::as_mut) else {
            return;
        };
        let cells = std::mem::take(&mut read.cells);
        let span = cells
            .values()
            .map(|c| c.span)
            .reduce(|a, b| a.cover(b))
            .or(at)
            .or(read.label.as_ref().map(|l| l.span));
        self.forget_row_problems(row.id, None);
        self.problems
            .push(problem(kind, table, Some(row.id), span, message));
    }

    /// Drops what was said of row `row` (only problems of `kind`, when
    /// given): the row is read anew, or said otherwise.
    fn forget_row_problems(&mut self, row: &str, kind: Option<ProblemKind>) {
        let table = self.schema.id;
        self.problems.retain(|p| {
            !(p.table.as_deref() == Some(table)
                && p.row.as_deref() == Some(row)
                && kind.is_none_or(|k| p.kind == k))
        });
    }

    /// Whether the table's rows show that the fields between separators
    /// are its columns: some row has every value in a field of its own, on
    /// one line, and no row has two values in one field (a PDF converter's
    /// grid, whose fields are not the table's columns). One exporter made
    /// the whole document, so a row of the tables read before this one
    /// counts as a row with its values apart too (a one-row table has no
    /// other); a grid merging fields is the table's own.
    #[cold]
    fn fields_are_columns(&self) -> bool {
        let mut aligned = false;
        for row in self.rows.iter().flatten() {
            match fields_of(self.text, row) {
                Fields::Merged => return false,
                Fields::Apart => aligned = true,
                Fields::Unknown => {}
            }
        }
        aligned
            || self
                .earlier
                .values()
                .flat_map(|t| t.rows.values())
                .any(|row| matches!(fields_of(self.text, row), Fields::Apart))
    }

    /// Rows read by their fields ([`Fitted::Slots`]) in a table whose
    /// fields are not its columns after all: not read.
    #[cold]
    fn unread_by_slots(&mut self) {
        let table = self.schema.id;
        for index in std::mem::take(&mut self.read_by_slots) {
            let Some(row) = self.schema.rows.get(index) else {
                continue;
            };
            let message = format!(
                "{table}.{}：该行有空白单元格，而表中各行的分隔与列对不上，空白属于哪一列无法确定；该行未读取",
                row.id
            );
            self.unread_row(index, ProblemKind::RowNotRead, None, message);
        }
    }

    /// The problem of values no row took.
    fn unplaced_problem(&self, run: &Unplaced) -> Problem {
        let span = run.values.iter().map(|v| v.span()).reduce(|a, b| a.cover(b));
        let n = run.values.len();
        let table = self.schema.id;
        match run.unknown {
            Some(u) => {
                let printed = u.slice(self.text).unwrap_or("").trim();
                problem(
                    ProblemKind::UnknownLabel,
                    table,
                    None,
                    Some(u),
                    format!("{table}：“{printed}”不是本表的行标签，其后的 {n} 个数字未读取"),
                )
            }
            None => problem(
                ProblemKind::ExtraCells,
                table,
                None,
                span,
                format!("{table}：{n} 个数字前没有行标签，未读取"),
            ),
        }
    }

    /// End the open row, if any, and what was read since.
    #[inline]
    fn close(&mut self) {
        self.discarding = false;
        // Headers and labels close what is usually nothing.
        if self.open.is_some() || !self.orphans.is_empty() {
            self.close_open();
        }
    }

    fn close_open(&mut self) {
        self.flush_orphans();
        let Some(mut open) = self.open.take() else { return };
        if open.stacked && open.values.iter().any(|v| !matches!(v, Value::Blank(_))) {
            // Values after several rows' labels in one cell: whose they are
            // is not known. The row is not read (the rows before it, closed
            // with no values, are not read either).
            let table = self.schema.id;
            let anchor = open.values.iter().map(|v| v.span()).reduce(|a, b| a.cover(b));
            self.problems.push(problem(
                ProblemKind::RowNotRead,
                table,
                Some(open.row.id),
                anchor,
                format!(
                    "{table}.{}：几行的标签在同一个单元格里，其后的数字属于哪一行无法确定；该行未读取",
                    open.row.id
                ),
            ));
            open.values.clear();
            let span = open.label.as_ref().map(|l| l.span);
            self.finish_row(open, span, Cells::default());
            return;
        }
        let row = open.row;
        let table = self.schema.id;
        let layout = self.layout;
        let columns = layout.cells(open.index);
        let ncols = columns.len();
        if open.values.len() == ncols && open.values.iter().all(|v| matches!(v, Value::Number(_))) {
            // The common row, one printed number per column: its cells in
            // one pass (what the general path below reads it as).
            let mut cells = Cells::with_capacity(ncols);
            // The values' cover (Span::cover of them all), as two bounds.
            let (mut start, mut end) = (usize::MAX, 0);
            for (&col, &v) in columns.iter().zip(&open.values) {
                let s = v.span();
                start = start.min(s.offset);
                end = end.max(s.end());
                let cell = match plain_cell(self.text, s, col) {
                    Some(cell) => cell,
                    None => cell_value(self.text, v, col, table, row.id, &mut self.problems),
                };
                // The schema's columns are distinct.
                cells.push_distinct(col.id.into(), cell);
            }
            let span = (ncols > 0).then(|| Span::from_range(start, end));
            self.finish_row(open, span, cells);
            return;
        }
        // Where the row's fields start: after its label, or, for a row with
        // no label of its own (the review table's), at the start of the
        // line its first value opens.
        let label_line = match &open.label {
            Some(l) => Some(l.span),
            // (A grid's line opens with its rule: `| 1 |  | …`.)
            None => open.values.first().and_then(|v| {
                let at = v.span().offset;
                line_opening(self.text, at).map(|opening| Span::new(at - opening.len(), 0))
            }),
        };
        // Asked only of a row with more values than columns.
        let merged_again = open.values.len() > ncols && self.prints_merged_cells_again();
        let fitted = fit_values(self.text, label_line, &open.values, ncols, merged_again);
        if let Some(Fitted::Slots(_) | Fitted::Merged(_)) = fitted {
            self.read_by_slots.push(open.index);
        }
        let values_span = open.values.iter().map(|v| v.span()).reduce(|a, b| a.cover(b));
        let anchor = values_span.or(open.label.as_ref().map(|l| l.span));
        let mut cells = Cells::with_capacity(if fitted.is_some() { ncols } else { 0 });
        if let Some(values) = fitted {
            for (&col, v) in columns.iter().zip(values.values()) {
                let cell = cell_value(self.text, v, col, table, row.id, &mut self.problems);
                // The schema's columns are distinct.
                cells.push_distinct(col.id.into(), cell);
            }
        } else if open.values.iter().all(|v| matches!(v, Value::Blank(_))) {
            if row.kind != RowKind::Group {
                self.keep_unfit(&open, false);
                self.problems.push(problem(
                    ProblemKind::MissingCells,
                    table,
                    Some(row.id),
                    anchor,
                    format!("{table}.{}：该行没有数字（应有 {ncols} 个）", row.id),
                ));
            }
        } else if let Some(run) = ran_together(self.text, &open.values, ncols) {
            // Digits that ran together: split by the row's arithmetic, or
            // reported with the candidates (crate::flattened).
            let printed = run.slice(self.text).unwrap_or("");
            self.splits
                .push(flattened::split_row(self.schema, row, printed, run.offset));
            // Unless the separators the exporter kept say where each value
            // stands (see `fields`).
            self.keep_unfit(&open, true);
        } else if let Some(at) = self.lent_line(&open.values, ncols) {
            // The row's own line, then a line of numbers whose label was
            // lost: the row keeps its line; the next is placed by the order
            // of rows, or the row is not read after all (see [`place_by_order`]).
            let (own, lent) = open.values.split_at(at);
            for (&col, &v) in columns.iter().zip(own) {
                let cell = cell_value(self.text, v, col, table, row.id, &mut self.problems);
                cells.push_distinct(col.id.into(), cell);
            }
            let lent: Vec<Value> = lent.to_vec();
            let own_span = own.iter().map(|v| v.span()).reduce(|a, b| a.cover(b));
            let index = open.index;
            self.finish_row(open, own_span, cells);
            self.unplaced.push(Unplaced {
                values: lent,
                unknown: None,
                after: Some(index),
                before: None,
                lent_by: Some(index),
                foreign: false,
            });
            return;
        } else {
            let n = open
                .values
                .iter()
                .filter(|v| !matches!(v, Value::Blank(_)))
                .count();
            let (kind, what) = if n < ncols {
                self.keep_unfit(&open, false);
                (ProblemKind::MissingCells, "只印了")
            } else {
                (ProblemKind::ExtraCells, "印了")
            };
            self.problems.push(problem(
                kind,
                table,
                Some(row.id),
                anchor,
                format!(
                    "{table}.{}：该行{what} {n} 个数字，而本行有 {ncols} 列；该行未读取",
                    row.id,
                ),
            ));
        }
        self.finish_row(open, values_span, cells);
    }

    /// Where a row's values run on past its columns onto a line of their
    /// own: `ncols` printed numbers, a line break, then only numbers. The
    /// position of the first value of that line, if so.
    fn lent_line(&self, values: &[Value], ncols: usize) -> Option<usize> {
        let numbers = values.iter().all(|v| matches!(v, Value::Number(_)));
        if !numbers || ncols == 0 || values.len() <= ncols {
            return None;
        }
        let (last_own, first_lent) = (values.get(ncols - 1)?.span(), values.get(ncols)?.span());
        let between = self.text.get(last_own.end()..first_lent.offset)?;
        between.contains('\n').then_some(ncols)
    }

    /// Keeps a row closed with values missing to be read by where its
    /// values stand ([`fields`]).
    #[cold]
    fn keep_unfit(&mut self, open: &OpenRow, run_together: bool) {
        let values: Vec<Value> = open
            .values
            .iter()
            .filter(|v| !matches!(v, Value::Blank(_)))
            .copied()
            .collect();
        // A row without a label of its own (the review table's) starts
        // where the line of its first value does.
        let label = match &open.label {
            Some(label) => label.span,
            None => match values
                .first()
                .and_then(|v| line_start(self.text, v.span().offset))
            {
                Some(at) => Span::new(at, 0),
                None => return,
            },
        };
        self.unfit.push(fields::Unfit {
            index: open.index,
            label,
            labelled: open.label.is_some(),
            run_together,
            values,
            next_at: self.next_at,
            next_level: self.next_level,
        });
    }

    /// Store the row `open` read as `cells`, its values spanning `values_span`.
    fn finish_row(&mut self, open: OpenRow, values_span: Option<Span>, cells: Cells) {
        if let Some(s) = values_span {
            self.grow(s);
        }
        if let Some(slot) = self.rows.get_mut(open.index) {
            *slot = Some(Row {
                label: open.label,
                cells,
            });
        }
        // The next row reuses the buffer.
        let mut values = open.values;
        values.clear();
        self.spare_values = values;
    }

    /// Whether `label` is a merged cell printed again, as some exporters
    /// print one (python-docx: its text in every grid cell it covers): the
    /// open row's label again right after itself on its line, only cell
    /// separators between (a cell merged across columns); or the label of a
    /// group whose sub-row was the last row read, at the start of the next
    /// sub-row's line, another label after it (a group's cell merged down
    /// its sub-rows). Either starts no row; the second closes the sub-row
    /// before it, whose values were all printed on the lines before.
    /// Whether the table shows merged cells printed once per grid cell they
    /// cover: a label printed again ([`Self::merged_cell_again`]), or a
    /// header beside itself, only cell separators between.
    fn prints_merged_cells_again(&self) -> bool {
        self.merged_again
            || self.headers.windows(2).any(|w| match w {
                [a, b] => a.text == b.text && fields_apart(self.text, a.span.end(), b.span.offset),
                _ => false,
            })
    }

    fn merged_cell_again(&mut self, index: usize, row: &RowSchema, label: Option<&LabelUse>) -> bool {
        let Some(l) = label else { return false };
        if let Some(open) = &self.open {
            let beside_itself = open.index == index
                && open.values.is_empty()
                && open.label.as_ref().is_some_and(|prev| {
                    prev.text == l.text && fields_apart(self.text, prev.span.end(), l.span.offset)
                });
            if beside_itself {
                // The next copy, if any, stands beside this one.
                if let Some(open) = &mut self.open {
                    open.label = Some(l.clone());
                }
                self.merged_again = true;
                return true;
            }
        }
        if row.kind != RowKind::Group || !self.has_row(index) {
            return false;
        }
        let sub_row_last = self
            .last_row
            .and_then(|last| self.schema.rows.get(last))
            .is_some_and(|last| last.parent == Some(row.id));
        if !sub_row_last {
            return false;
        }
        // On a new line after the sub-row's values, a label (no number)
        // after it on its line.
        let last_value_end = match self.open.as_ref().and_then(|open| open.values.last()) {
            Some(v) => Some(v.span().end()),
            None => self
                .last_row
                .and_then(|last| self.rows.get(last))
                .and_then(Option::as_ref)
                .and_then(|read| read.cells.values().map(|c| c.span.end()).max()),
        };
        let new_line =
            last_value_end.is_some_and(|end| breaks_between(self.text, end, l.span.offset) == Some(true));
        let label_follows = self.text.get(l.span.end()..).is_some_and(|rest| {
            let rest = rest.trim_start_matches(|c: char| {
                c != '\n' && (c.is_whitespace() || crate::tokens::is_cell_separator(c))
            });
            let field = rest
                .split(|c: char| c == '\n' || crate::tokens::is_cell_separator(c))
                .next()
                .unwrap_or("")
                .trim();
            field
                .chars()
                .any(|c| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-')))
        });
        let down_its_sub_rows = new_line && label_follows;
        if down_its_sub_rows {
            self.close();
            self.merged_again = true;
            return true;
        }
        false
    }

    /// Whether the row at `index` was read already.
    fn has_row(&self, index: usize) -> bool {
        self.rows.get(index).is_some_and(Option::is_some)
    }

    fn row_label(
        &self,
        (index, row): (usize, &RowSchema),
        span: Span,
        printed_norm: &str,
        distance: usize,
    ) -> LabelUse {
        // The template's wording, as most rows print it: what label_match
        // finds first, without looking the label's bare form up.
        let exact = self.layout.row_bare.get(index).copied().flatten() == Some(printed_norm);
        let text = span.slice(self.text).unwrap_or("").to_string();
        let matched = match exact {
            true => LabelMatch::Exact,
            false => match label_match(printed_norm, row.label, row.variants) {
                LabelMatch::Approximate { .. } if distance == 0 => LabelMatch::Exact,
                LabelMatch::Approximate { .. } if is_interleaved(self.schema, row, &text) => {
                    LabelMatch::Fragment
                }
                m => m,
            },
        };
        LabelUse {
            target: row.id.into(),
            text,
            span,
            matched,
        }
    }

    fn start_row(&mut self, (index, row): (usize, &'static RowSchema), label: Option<LabelUse>) {
        if self.merged_cell_again(index, row, label.as_ref()) {
            return;
        }
        // Another row's label in the same cell as the open row's, no value
        // between: the cell holds several rows' labels.
        let stacked = match (&self.open, &label) {
            (Some(open), Some(l)) if open.values.is_empty() && open.row.kind == RowKind::Data => {
                open.label.as_ref().is_some_and(|prev| {
                    self.text
                        .get(prev.span.end()..l.span.offset)
                        .is_some_and(|between| {
                            !between.contains(|c| c == '\n' || crate::tokens::is_cell_separator(c))
                        })
                })
            }
            _ => false,
        };
        if stacked {
            if let Some(open) = &mut self.open {
                open.stacked = true;
            }
        }
        if let (Some(open), Some(l)) = (&mut self.open, &label) {
            // Empty fields on the new label's line before it are that row's
            // label columns (a group label's, blank there), not cells of
            // the row before.
            let text = self.text;
            while let Some(&Value::Blank(b)) = open.values.last() {
                if breaks_between(text, b.offset, l.span.offset) != Some(false) {
                    break;
                }
                open.values.pop();
            }
        }
        self.close();
        if let Some(l) = &label {
            self.grow(l.span);
        }
        if self.has_row(index) && !self.unread_out_of_order(index) {
            let span = label.as_ref().map(|l| l.span);
            self.problems.push(problem(
                ProblemKind::UnknownLabel,
                self.schema.id,
                Some(row.id),
                span,
                format!("{}.{}：该行重复出现，只读取第一次", self.schema.id, row.id),
            ));
            // Its values are no row's for sure (the label may be another
            // row's, garbled): unplaced, to be placed by the order of rows.
            self.last_unknown = span;
            return;
        }
        self.last_row = Some(index);
        self.started.push(index);
        for run in self.unplaced.iter_mut().filter(|u| u.before.is_none()) {
            run.before = Some(index);
        }
        for unnamed in self.unnamed.iter_mut().filter(|u| u.before.is_none()) {
            unnamed.before = Some(index);
        }
        self.open = Some(OpenRow {
            index,
            row,
            label,
            values: std::mem::take(&mut self.spare_values),
            stacked,
        });
    }

    /// A row read again, in the template's order, after a first reading out
    /// of it (rows before it in the template came between: "其他" found at
    /// the end of another row's wrapped label): the first reading was that
    /// label's tail, not the row. Its values are taken back, to be placed by
    /// the order of rows ([`place_by_order`]), and the row read anew.
    /// Whether it was so.
    fn unread_out_of_order(&mut self, index: usize) -> bool {
        let Some(at) = self.started.iter().rposition(|&i| i == index) else {
            return false;
        };
        let jumped_back = self
            .started
            .get(at + 1..)
            .is_some_and(|later| later.iter().any(|&i| i < index));
        if !jumped_back {
            return false;
        }
        let Some(first) = self.rows.get_mut(index).and_then(Option::take) else {
            return false;
        };
        if first.cells.values().any(|c| c.inferred.is_some()) {
            // Cells split by arithmetic have no printed value of their own.
            if let Some(slot) = self.rows.get_mut(index) {
                *slot = Some(first);
            }
            return false;
        }
        let values: Vec<Value> = first
            .cells
            .values()
            .map(|c| match c.value {
                CellValue::Blank => Value::Blank(c.span),
                CellValue::Text(_) => Value::Text(c.span),
                _ => Value::Number(c.span),
            })
            .collect();
        let row_id = self.schema.rows.get(index).map_or("", |r| r.id);
        self.forget_row_problems(row_id, None);
        self.started.remove(at);
        if !values.is_empty() {
            self.unplaced.push(Unplaced {
                values,
                unknown: first.label.as_ref().map(|l| l.span),
                after: at.checked_sub(1).and_then(|k| self.started.get(k)).copied(),
                before: self.started.get(at).copied(),
                lent_by: None,
                foreign: false,
            });
        }
        true
    }

    /// A row whose label reads the same as a column header ("总计", "其他").
    fn row_named_like(&self, norm: &str) -> Option<(usize, &'static RowSchema)> {
        self.schema
            .rows
            .iter()
            .enumerate()
            .find(|(i, r)| r.kind != RowKind::Heading && !self.has_row(*i) && normalized_eq(r.label, norm))
    }

    /// How many headers read as text `text_id` before this one (counted).
    fn nth_reading(&mut self, text_id: u32) -> usize {
        match self.column_seen.iter_mut().find(|(t, _)| *t == text_id) {
            Some((_, seen)) => {
                let nth = *seen;
                *seen += 1;
                nth
            }
            None => {
                self.column_seen.push((text_id, 1));
                0
            }
        }
    }

    fn header(
        &mut self,
        (entry, e): (usize, &Entry),
        position: Option<usize>,
        span: Span,
        printed_norm: &str,
    ) {
        let target = e.target;
        self.close();
        self.grow(span);
        let text = self.text;
        let use_of = move |target: &'static str, matched| LabelUse {
            target: target.into(),
            text: span.slice(text).unwrap_or("").to_string(),
            span,
            matched,
        };
        match target {
            Target::Column(id) => {
                // The n-th header reading "结果维持" is the n-th such column.
                // Columns with a label reading the same (the catalogue holds
                // every label and variant, normalised), in schema order:
                // known from the layout for a header printed as its entry
                // reads, else worked out.
                let layout = self.layout;
                let as_entry = printed_norm == e.text.as_str();
                let fresh;
                let shared = if as_entry {
                    layout.shared.get(entry).and_then(Option::as_deref)
                } else {
                    fresh = columns_reading_alike(self.schema, self.format_bit, printed_norm);
                    fresh.as_deref()
                };
                let column = match shared {
                    // Counted only where it decides something: texts that
                    // read as one column never look at the count.
                    Some(positions) => {
                        let text_id = match as_entry {
                            true => Some(e.text_id),
                            false => CATALOGUE.text_id(printed_norm),
                        };
                        let nth = self.nth_reading(text_id.unwrap_or(u32::MAX));
                        positions.get(nth).and_then(|&p| self.schema.columns.get(p))
                    }
                    None => column_at(self.schema, position, id),
                };
                let Some(column) = column else { return };
                // In a disclosure block, the header's place says which column it is.
                let expected = self
                    .block_columns
                    .get(self.block_header)
                    .and_then(|&c| self.schema.columns.get(c));
                if !self.block_columns.is_empty() {
                    self.block_header += 1;
                }
                let lu = match expected {
                    Some(exp) if !same_id(exp.id, column.id) => use_of(
                        exp.id,
                        LabelMatch::Different {
                            other: Some(column.id.to_string()),
                        },
                    ),
                    _ => {
                        // The template's wording, as most headers print it:
                        // told from the layout's bare form where the
                        // catalogue's position is this column.
                        let bare = position
                            .filter(|&p| {
                                self.schema
                                    .columns
                                    .get(p)
                                    .is_some_and(|c| std::ptr::eq(c, column))
                            })
                            .and_then(|p| self.layout.column_bare.get(p).copied().flatten());
                        let matched = match bare == Some(printed_norm) {
                            true => LabelMatch::Exact,
                            false => label_match(printed_norm, column.label, column.variants),
                        };
                        use_of(column.id, matched)
                    }
                };
                self.headers.push(lu);
            }
            Target::Group(id) => {
                if let Some(g) = self.schema.column_group(id) {
                    let m = label_match(printed_norm, g.label, g.variants);
                    self.headers.push(use_of(id, m));
                }
            }
            Target::Block(label) => {
                self.block_columns = self.layout.block(label);
                self.block_header = 0;
                let m = label_match(printed_norm, label, &[]);
                // Blocks have no id: the schema's block label (RowSchema::block) is the target.
                self.headers.push(use_of(label, m));
            }
            Target::Heading(id) => {
                if let Some(r) = self.schema.row(id) {
                    let m = label_match(printed_norm, r.label, r.variants);
                    self.headers.push(use_of(id, m));
                }
            }
            Target::Row(_) | Target::Furniture => {}
        }
    }

    #[inline]
    fn value(&mut self, v: Value) {
        if self.discarding {
            // Another table's, after its label: not this table's rows, yet
            // a row of this table missing where they stand is not sure.
            if !matches!(v, Value::Blank(_)) && self.span.is_some() {
                match self.unplaced.last_mut() {
                    Some(run) if run.foreign && run.before.is_none() => run.values.push(v),
                    _ => self.unplaced.push(Unplaced {
                        values: vec![v],
                        unknown: None,
                        after: self.last_row,
                        before: None,
                        lent_by: None,
                        foreign: true,
                    }),
                }
            }
            return;
        }
        if let Value::Blank(b) = v {
            // Empty fields opening a grid's line (`|  |  | 0 | …`) are the
            // row's label columns where the table has labels; only the
            // review table's row, which has none, starts with its cells.
            if self.schema.rows.len() > 1 && opens_grid_line(self.text, b) {
                return;
            }
        }
        if self.open.is_none() && self.schema.rows.len() == 1 {
            if let Value::Blank(b) = v {
                if breaks_between(self.text, self.text_end, b.offset) == Some(true) {
                    self.loose_blanks.push(v);
                }
                return;
            }
            // The review table's one row has no label of its own: it
            // opens at its first number, with the empty cells before it.
            if let Some(row) = self.schema.rows.first() {
                let mut values = std::mem::take(&mut self.spare_values);
                values.append(&mut self.loose_blanks);
                self.open = Some(OpenRow {
                    index: 0,
                    row,
                    label: None,
                    values,
                    stacked: false,
                });
            }
        }
        match &mut self.open {
            Some(open) => open.values.push(v),
            None => {
                if let Value::Number(s) = v {
                    if self.numbers_a_header(s) {
                        return;
                    }
                    self.orphans.push(v);
                }
            }
        }
    }

    /// Group and heading rows not read whose label stands in pieces of a
    /// few characters, in order, among the table's unknown texts: a label
    /// spanning rows printed down a narrow column (two characters a line
    /// beside its rows' labels). The row is read, its label the pieces that
    /// spell it, from the first to the last.
    #[cold]
    fn labels_down_a_column(&mut self) {
        let mut joined = String::new();
        // For each piece, where its normalised text ends in `joined`.
        let mut ends = Vec::with_capacity(self.short_unknowns.len());
        for s in &self.short_unknowns {
            normalize_into(s.slice(self.text).unwrap_or(""), &mut joined);
            ends.push(joined.len());
        }
        for (index, row) in self.schema.rows.iter().enumerate() {
            if !matches!(row.kind, RowKind::Group | RowKind::Heading) || self.has_row(index) {
                continue;
            }
            let label = normalize(&format!("{}{}", row.numbering, row.label));
            let Some(at) = joined.find(&label) else { continue };
            let first = ends.partition_point(|&e| e <= at);
            let last = ends.partition_point(|&e| e < at + label.len());
            let Some(pieces) = self.short_unknowns.get(first..=last) else {
                continue;
            };
            let (Some(a), Some(b)) = (pieces.first(), pieces.last()) else {
                continue;
            };
            let text: String = pieces.iter().filter_map(|p| p.slice(self.text)).collect();
            let matched = if normalize(&text) == label {
                LabelMatch::Exact
            } else {
                LabelMatch::Fragment
            };
            if let Some(slot) = self.rows.get_mut(index) {
                *slot = Some(Row {
                    label: Some(LabelUse {
                        target: row.id.into(),
                        text,
                        span: a.cover(*b),
                        matched,
                    }),
                    cells: Cells::default(),
                });
            }
        }
    }

    /// Whether the number at `s`, read with no row open, is glued to the
    /// text before it that is no label and counts on from the numbers so
    /// glued before ("数据1 | 数据2 | … ", the columns of a transcript's
    /// invented header): part of that header, not a value.
    fn numbers_a_header(&mut self, s: Span) -> bool {
        let glued = self.last_unknown.is_some_and(|u| u.end() == s.offset);
        let n = s.slice(self.text).and_then(|t| t.parse::<u32>().ok());
        let counts_on = n.is_some() && n == Some(self.header_ordinal + 1) && self.orphans.is_empty();
        if glued && counts_on {
            self.header_ordinal += 1;
            return true;
        }
        false
    }

    fn unknown(&mut self, span: Span) {
        let printed = span.slice(self.text).unwrap_or("");
        if printed.chars().nth(VERTICAL_PIECE_CHARS).is_none() {
            self.short_unknowns.push(span);
        }
        let complete = self.open.as_ref().is_some_and(|o| {
            let n = o.values.iter().filter(|v| !matches!(v, Value::Blank(_))).count();
            n >= self.layout.columns(o.index).len()
        });
        // A dash or the like on a line after a row complete on its own is
        // no value of that row (a placeholder table "| - | - |").
        let after_complete_line = complete
            && self
                .open
                .as_ref()
                .and_then(|o| o.values.last())
                .is_some_and(|last| {
                    self.text
                        .get(last.span().end()..span.offset)
                        .is_some_and(|between| between.contains('\n'))
                });
        if self.open.is_some() && !after_complete_line && looks_like_value(printed, &mut self.norm) {
            self.value(Value::Text(span));
            return;
        }
        // Text numbered as a row ("1.本机关不掌握相关", a label cut by its
        // numbers) starts another row, even one the reader cannot name: the
        // numbers after it are not the open row's.
        self.norm.clear();
        normalize_into(printed, &mut self.norm);
        let numbered = !split_numbering(&self.norm).0.is_empty() || cut_ordinal(&self.norm);
        if numbered {
            self.unnamed.push(Unnamed {
                after: self.last_row,
                before: None,
            });
        }
        if complete || self.open.is_none() || numbered {
            // Unknown text after a complete row ends it; inside a row broken
            // by a running header it is skipped.
            self.close();
            self.last_unknown = Some(span);
        }
    }
}

/// The [`Reader`]'s buffers, kept per thread from table to table (and
/// report to report) rather than allocated for each.
#[derive(Default)]
struct Buffers {
    rows: Vec<Option<Row>>,
    values: Vec<Value>,
    orphans: Vec<Value>,
    column_seen: Vec<(u32, usize)>,
}

thread_local! {
    static BUFFERS: SwapCell<Buffers> = SwapCell::new(Buffers::default());
}

impl Buffers {
    /// Buffers longer than this (a table with thousands of stray values)
    /// are not kept, so what a thread holds does not grow with its input.
    const KEPT: usize = 1 << 10;

    /// Put back the buffers of `r`, emptied.
    fn keep(r: &mut Reader) {
        let kept = |v: &mut Vec<Value>| {
            let mut v = std::mem::take(v);
            v.clear();
            if v.capacity() > Self::KEPT {
                v = Vec::new();
            }
            v
        };
        let values = kept(&mut r.spare_values);
        let orphans = kept(&mut r.orphans);
        let mut rows = std::mem::take(&mut r.rows);
        rows.clear();
        let mut column_seen = std::mem::take(&mut r.column_seen);
        column_seen.clear();
        BUFFERS.set(Buffers {
            rows,
            values,
            orphans,
            column_seen,
        });
    }
}

/// Read `schema` from the items of its region.
pub(crate) fn read(
    text: &str,
    format: Format,
    schema: &'static TableSchema,
    items: &[Item],
    earlier: &ReportMap<String, Table>,
    problems: &mut Vec<Problem>,
) -> Option<Table> {
    let bit = format_bit(format);
    let owned_layout;
    let layout = match layout_of(format, schema) {
        Some(l) => l,
        None => {
            owned_layout = Layout::of(schema, format);
            &owned_layout
        }
    };
    let buffers = BUFFERS.take();
    let mut rows = buffers.rows;
    rows.clear();
    rows.resize_with(schema.rows.len(), || None);
    let mut r = Reader {
        text,
        schema,
        layout,
        format_bit: bit,
        rows,
        // Every column and group header printed once, the usual case.
        headers: Vec::with_capacity(schema.columns.len() + schema.column_groups.len()),
        merged_again: false,
        problems: Vec::new(),
        span: None,
        open: None,
        discarding: false,
        orphans: buffers.orphans,
        last_unknown: None,
        last_row: None,
        started: Vec::new(),
        unplaced: Vec::new(),
        unnamed: Vec::new(),
        block_columns: &[],
        block_header: 0,
        column_seen: buffers.column_seen,
        splits: Vec::new(),
        spare_values: buffers.values,
        loose_blanks: Vec::new(),
        short_unknowns: Vec::new(),
        text_end: 0,
        norm: String::new(),
        read_by_slots: Vec::new(),
        unfit: Vec::new(),
        next_at: None,
        next_level: None,
        earlier,
        header_ordinal: 0,
    };
    // The table of the last label when it was another table's.
    let mut foreign_table: Option<&'static str> = None;
    // Whether the region holds numbers at all: a table with none of its
    // rows read is then a table not read, not a table the report lacks.
    let mut numbers_seen = false;
    for (k, item) in items.iter().enumerate() {
        match item {
            Item::Label {
                entry,
                span,
                text: printed,
                distance,
            } => {
                r.loose_blanks.clear();
                r.text_end = span.end();
                let Some(e) = CATALOGUE.entry(*entry) else {
                    continue;
                };
                r.next_at = Some(span.offset);
                r.next_level = match e.target {
                    Target::Row(id) | Target::Heading(id) => schema.row(id).map(RowSchema::level),
                    _ => None,
                };
                r.header_ordinal = 0;
                r.flush_orphans();
                // A header both tables print ("总计") belongs to the table
                // whose labels it follows.
                let shared_with_foreign = !matches!(e.target, Target::Row(_))
                    && foreign_table.is_some_and(|t| CATALOGUE.has_label(t, printed));
                if !same_id(e.table, schema.id) || e.formats & bit == 0 || shared_with_foreign {
                    // Another table's label (its heading missing): its values are its own.
                    r.close();
                    r.last_unknown = None;
                    r.discarding = true;
                    if !shared_with_foreign {
                        foreign_table = Some(e.table);
                    }
                    continue;
                }
                foreign_table = None;
                r.last_unknown = None;
                let next_is_number = matches!(items.get(k + 1), Some(Item::Number(_)));
                match e.target {
                    Target::Row(id) => {
                        if let Some(row) = row_at(schema, e.position(format), id) {
                            let l = r.row_label(row, *span, printed, *distance);
                            r.start_row(row, Some(l));
                        }
                    }
                    Target::Column(_) if next_is_number && r.row_named_like(printed).is_some() => {
                        if let Some(row) = r.row_named_like(printed) {
                            let l = r.row_label(row, *span, printed, *distance);
                            r.start_row(row, Some(l));
                        }
                    }
                    _ => r.header((*entry, e), e.position(format), *span, printed),
                }
            }
            Item::Number(s) => {
                numbers_seen = true;
                r.value(Value::Number(*s));
            }
            Item::Blank(s) => r.value(Value::Blank(*s)),
            Item::Unknown(s) => {
                r.loose_blanks.clear();
                r.text_end = s.end();
                r.next_at = Some(s.offset);
                r.next_level = None;
                r.unknown(*s);
            }
        }
    }
    r.next_at = None;
    r.next_level = None;
    r.close();
    let table = finish(&mut r, numbers_seen, problems);
    Buffers::keep(&mut r);
    table
}

/// Places runs of values that no label took by the template's order of
/// rows: a run standing between two rows read, where the template has
/// exactly one row not read that carries numbers, with as many values as
/// that row has columns, is that row (its label garbled, cut by a page
/// break or floated out of the table). The row's label is marked as told by
/// position, so its wording is reported; what cannot be placed stays
/// unplaced.
/// Whether `text` (as printed) is a piece of some wording of the table (a row's or column's label or variant, a block label): what an
/// export leaves where a wrapped label was cut, not a label of its own.
fn is_piece_of_wording(schema: &TableSchema, text: &str) -> bool {
    let piece = bare_unquoted(text);
    // Nothing at all where the label belongs is not a piece of anything:
    // the row stands by position alone, and says so (`different`).
    !piece.is_empty()
        && schema
            .wordings()
            .any(|w| bare_unquoted(w).contains(piece.as_str()))
}

/// Characters a wording may or may not be quoted with in print.
fn is_quote(c: char) -> bool {
    matches!(c, '“' | '”' | '"' | '‘' | '’' | '\'' | '「' | '」')
}

/// A label's comparable form: normalised, numbering and quotes removed.
fn bare_unquoted(s: &str) -> String {
    let n = nianbao_model::label::normalize(s);
    split_numbering(&n).1.chars().filter(|c| !is_quote(*c)).collect()
}

/// Whether a row label printed over pieces (lines, cells of a grid, runs
/// apart) is made of parts of its template wording, in order, once some
/// short pieces of the table's other wording between them are set aside:
/// what an export makes of a wrapped label beside a vertical group label
/// ("4.无正当理由大量反复申", "理", …), or of a label whose middle went to
/// another cell. Such a label is not misspelt (a misspelling is inside a
/// piece); how the report words it cannot be told.
fn is_interleaved(schema: &TableSchema, row: &RowSchema, text: &str) -> bool {
    // Pieces between line breaks, cell separators and gaps; rules of a
    // grid ("| --- |", "├──┤") have no letters and are no piece.
    let pieces: Vec<String> = text
        .split(|c: char| c.is_whitespace() || crate::tokens::is_cell_separator(c))
        .map(bare_unquoted)
        .filter(|p| p.chars().any(char::is_alphanumeric))
        .collect();
    let wording = bare_unquoted(row.label);
    let others: Vec<String> = schema
        .rows
        .iter()
        .filter(|r| r.id != row.id)
        .flat_map(|r| {
            let numbered = format!("{}{}", r.numbering, r.label);
            [bare_unquoted(r.label), nianbao_model::label::normalize(&numbered)]
                .into_iter()
                .chain(r.block.map(bare_unquoted))
        })
        .chain(schema.columns.iter().map(|c| bare_unquoted(c.label)))
        .collect();
    // The pieces that may be another cell's: short, and in other wording.
    let foreign: Vec<usize> = (0..pieces.len())
        .filter(|&i| pieces[i].chars().count() <= 3 && others.iter().any(|o| o.contains(pieces[i].as_str())))
        .take(8)
        .collect();
    (0u32..1 << foreign.len()).any(|dropped| {
        let kept = pieces.iter().enumerate().filter(|(i, _)| {
            foreign
                .iter()
                .position(|f| f == i)
                .is_none_or(|bit| dropped & (1 << bit) == 0)
        });
        // Each piece kept is a part of the wording, in order: what is
        // missing between them went to another cell or line.
        let mut from = 0;
        let mut any = false;
        let in_order = kept.into_iter().all(|(_, p)| {
            any = true;
            match wording.get(from..).and_then(|rest| rest.find(p.as_str())) {
                Some(at) => {
                    from += at + p.len();
                    true
                }
                None => false,
            }
        });
        any && in_order
    })
}

fn place_by_order(r: &mut Reader) {
    let runs = std::mem::take(&mut r.unplaced);
    let schema = r.schema;
    for run in runs {
        // A sub-row is not expected where its group stands for it.
        let read = |i: usize| r.rows.get(i).and_then(Option::as_ref);
        let covering = covering_groups(schema, &r.rows);
        let mut open = schema.rows.iter().enumerate().filter(|(i, row)| {
            run.between(*i)
                && row.kind == RowKind::Data
                && !r.has_row(*i)
                && !row.parent.is_some_and(|g| covering.contains(&g))
        });
        // Between rows read with their numbers: a table read row by row,
        // not one whose rows came without numbers (columns printed one by
        // one), where the order of rows says nothing about the numbers.
        let with_numbers = |from: Option<usize>, back: bool| {
            let Some(from) = from else { return !back };
            let mut at = from;
            loop {
                match (schema.rows.get(at), read(at)) {
                    (Some(row), _) if row.kind != RowKind::Data => {}
                    (Some(_), Some(found)) => return !found.cells.is_empty(),
                    _ => return false,
                }
                at = match back {
                    true => match at.checked_sub(1) {
                        Some(a) => a,
                        None => return false,
                    },
                    false => at + 1,
                };
            }
        };
        let amid_rows_read = with_numbers(run.after, true) && with_numbers(run.before, false);
        let place = match (run.after, open.next(), open.next()) {
            (Some(_), Some((i, row)), None) if amid_rows_read && !run.foreign => {
                let columns = r.layout.cells(i);
                (fit_values(r.text, None, &run.values, columns.len(), false).is_some()).then_some((i, row))
            }
            _ => None,
        };
        let Some((index, row)) = place else {
            match run.lent_by {
                // Not placed: the row that ran on is not read, as a row
                // with more values than columns.
                Some(lender) => r.unlend(lender, &run),
                None => r.unplaced.push(run),
            }
            continue;
        };
        let first = run
            .values
            .first()
            .map_or(Span::new(0, 0), |v| Span::new(v.span().offset, 0));
        let span = run.unknown.unwrap_or(first);
        let text = span.slice(r.text).unwrap_or("").trim().to_string();
        // What stood before the values: another label, or only a piece of
        // the table's wording (or nothing) left there by the export.
        let matched = match is_piece_of_wording(r.schema, &text) {
            true => LabelMatch::Fragment,
            false => LabelMatch::Different { other: None },
        };
        let label = LabelUse {
            target: row.id.into(),
            text,
            span,
            matched,
        };
        let mut values = std::mem::take(&mut r.spare_values);
        values.clear();
        values.extend_from_slice(&run.values);
        r.open = Some(OpenRow {
            index,
            row,
            label: Some(label),
            values,
            stacked: false,
        });
        r.close_open();
    }
}

/// The groups printed as one row with numbers and no sub-rows, which
/// stand for their sub-rows (（六）其他处理 in reports that kept the 2019
/// layout), given the rows read by position.
fn covering_groups(schema: &'static TableSchema, rows: &[Option<Row>]) -> Vec<&'static str> {
    let read = |i: usize| rows.get(i).and_then(Option::as_ref);
    schema
        .rows
        .iter()
        .enumerate()
        .filter(|(i, g)| {
            g.kind == RowKind::Group
                && read(*i).is_some_and(|gr| !gr.cells.is_empty())
                && !schema
                    .rows
                    .iter()
                    .enumerate()
                    .any(|(s, sub)| sub.parent.is_some_and(|p| same_id(p, g.id)) && read(s).is_some())
        })
        .map(|(_, g)| g.id)
        .collect()
}

fn finish(r: &mut Reader, numbers_seen: bool, problems: &mut Vec<Problem>) -> Option<Table> {
    let schema = r.schema;
    let table = schema.id;
    if !r.read_by_slots.is_empty() && !r.fields_are_columns() {
        r.unread_by_slots();
    }
    if !r.unfit.is_empty() {
        r.read_unfit();
    }
    place_by_order(r);
    if !r.short_unknowns.is_empty() {
        r.labels_down_a_column();
    }
    let unplaced: Vec<Problem> = r
        .unplaced
        .iter()
        .filter(|run| !run.foreign)
        .map(|run| r.unplaced_problem(run))
        .collect();
    r.problems.extend(unplaced);
    problems.append(&mut r.problems);
    let position = |id: &str| schema.rows.iter().position(|s| s.id == id);
    // Split rows the table's column rules can still decide, then take their
    // cells (each marked as inferred) or their problem.
    let mut splits = std::mem::take(&mut r.splits);
    if !splits.is_empty() {
        let rows = &r.rows;
        flattened::resolve_with_columns(schema, &mut splits, |row, col| {
            rows.get(position(row)?)?.as_ref()?.cells.get(col)?.value.number()
        });
    }
    for split in &splits {
        let Some(row) = position(split.row).and_then(|i| r.rows.get_mut(i)?.as_mut()) else {
            continue;
        };
        match split.cells() {
            Some(cells) => row.cells.extend(cells),
            None => problems.extend(split.problem()),
        }
    }
    if r.rows.iter().all(Option::is_none) {
        problems.push(match numbers_seen {
            true => problem(
                ProblemKind::TableNotRead,
                table,
                None,
                None,
                format!("{table}：该处有数字，但没有一行能对上模板的行标签；表格未读取"),
            ),
            false => problem(
                ProblemKind::MissingTable,
                table,
                None,
                None,
                format!("{table}：表中一行也没有找到"),
            ),
        });
        return None;
    }
    // Rows read with too few or too many values: a row missing next to one
    // of them may have lent it its values, or taken some of its own.
    let unread_rows: Vec<usize> = problems
        .iter()
        .filter(|p| {
            p.table.as_deref() == Some(table)
                && matches!(p.kind, ProblemKind::ExtraCells | ProblemKind::MissingCells)
        })
        .filter_map(|p| position(p.row.as_deref()?))
        .collect();
    let mut rows = ReportMap::with_capacity_and_hasher(schema.rows.len(), ReportHasher::default());
    let mut last_end = r.span.map_or(0, |s| s.offset);
    let was_read: Vec<bool> = r.rows.iter().map(Option::is_some).collect();
    let read_at = |i: usize| was_read.get(i).copied().unwrap_or(false);
    let has_sub_rows_read = |group: &str| {
        schema
            .rows
            .iter()
            .enumerate()
            .any(|(i, sub)| sub.parent.is_some_and(|p| same_id(p, group)) && read_at(i))
    };
    let unplaced_runs = std::mem::take(&mut r.unplaced);
    let covering = covering_groups(schema, &r.rows);
    for (row, found) in schema.rows.iter().zip(r.rows.drain(..)) {
        match found {
            Some(found) => {
                if let Some(end) = found
                    .cells
                    .values()
                    .map(|c| c.span.end())
                    .chain(found.label.as_ref().map(|l| l.span.end()))
                    .max()
                {
                    last_end = end;
                }
                rows.insert(row.id.into(), found);
            }
            // Group rows too: their label is part of the table even where
            // they print no numbers, unless their sub-rows were read (the
            // label is then a heading over them, perhaps cut by a page break).
            None if row.kind != RowKind::Heading
                && !row.parent.is_some_and(|g| covering.contains(&g))
                && !(row.kind == RowKind::Group && has_sub_rows_read(row.id)) =>
            {
                let index = position(row.id).unwrap_or(0);
                // Sure only where nothing the reader could not place stands
                // where the row belongs.
                let before = (0..index).rev().find(|&i| read_at(i));
                let after = (index + 1..schema.rows.len()).find(|&i| read_at(i));
                let unsure = unplaced_runs.iter().any(|run| run.between(index))
                    || r.unnamed.iter().any(|u| between(u.after, u.before, index))
                    || [before, after]
                        .into_iter()
                        .flatten()
                        .any(|i| unread_rows.contains(&i));
                let label = format!("{}{}", row.numbering, row.label);
                problems.push(match unsure {
                    false => problem(
                        ProblemKind::MissingRow,
                        table,
                        Some(row.id),
                        Some(Span::new(last_end, 0)),
                        format!("{table}.{}：没有找到“{label}”这一行", row.id),
                    ),
                    true => problem(
                        ProblemKind::RowNotRead,
                        table,
                        Some(row.id),
                        Some(Span::new(last_end, 0)),
                        format!(
                            "{table}.{}：没有读出“{label}”这一行：它所在的位置有无法归位的文字或数字",
                            row.id
                        ),
                    ),
                });
            }
            None => {}
        }
    }
    Some(Table {
        span: r.span.unwrap_or(Span::new(0, 0)),
        rows,
        headers: std::mem::take(&mut r.headers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::{tokenize, Kind, Token};

    /// What [`merged_cells_repeated`] reads a row's numbers as in `ncols`
    /// columns, after its label ("行政许可" and a tab): the numbers kept,
    /// or `None`.
    fn collapsed(numbers: &str, ncols: usize) -> Option<Vec<String>> {
        let line = format!("行政许可\t{numbers}");
        let line = line.as_str();
        let values: Vec<Value> = tokenize(line)
            .iter()
            .filter(|t| t.kind == Kind::Number)
            .map(|t| Value::Number(t.span))
            .collect();
        let label = Span::new(0, "行政许可".len());
        let kept = merged_cells_repeated(line, Some(label), &values, ncols)?;
        Some(
            kept.iter()
                .map(|v| v.span().slice(line).unwrap_or("").to_string())
                .collect(),
        )
    }

    #[test]
    fn merged_cells_repeats_collapse_only_one_way() {
        // The extra numbers all in one run, or every run to one number.
        assert_eq!(collapsed("4\t0\t0", 2), Some(vec!["4".into(), "0".into()]));
        assert_eq!(collapsed("3222\t3222\t3222", 1), Some(vec!["3222".into()]));
        assert_eq!(collapsed("0\t0\t0", 2), Some(vec!["0".into(), "0".into()]));
        assert_eq!(collapsed("1\t1\t2\t2", 2), Some(vec!["1".into(), "2".into()]));
        // Two ways, or none: not read.
        assert_eq!(collapsed("1\t1\t2\t2", 3), None);
        assert_eq!(collapsed("4\t0\t4", 2), None);
        assert_eq!(collapsed("4\t0", 2), None);
        // Fields not apart (joined by a space): no grid to have merged.
        assert_eq!(collapsed("4 0 0", 2), None);
    }

    /// Every table of both formats read from `tokens` (labels recognised
    /// with and without a preferred table): every cell read is a value
    /// printed at its own span (a number where its text is one), never one
    /// made up or moved; spans stay in the text.
    fn cells_are_what_their_spans_print(text: &str, tokens: &[Token]) {
        for format in FORMATS {
            for schema in &template(format).tables {
                for prefer in [Some(schema.id), None] {
                    let items = crate::labels::items(text, tokens, prefer);
                    let mut problems = Vec::new();
                    let Some(table) =
                        read(text, format, schema, &items, &ReportMap::default(), &mut problems)
                    else {
                        continue;
                    };
                    for (row, r) in &table.rows {
                        for (column, cell) in &r.cells {
                            let printed = cell.span.slice(text);
                            assert!(printed.is_some(), "{} {row} {column}: span outside", schema.id);
                            let printed = printed.unwrap_or_default();
                            if cell.inferred.is_some() {
                                continue;
                            }
                            if let Some(n) = cell.value.number() {
                                let digits: String = printed
                                    .chars()
                                    .map(nianbao_model::label::fold_char)
                                    .filter(char::is_ascii_digit)
                                    .collect();
                                let value: String =
                                    n.to_string().chars().filter(char::is_ascii_digit).collect();
                                assert!(
                                    digits.trim_start_matches('0') == value.trim_start_matches('0'),
                                    "{} {row} {column}: {n} read from {printed:?}",
                                    schema.id
                                );
                            }
                        }
                    }
                    for p in &problems {
                        if let Some(span) = p.span {
                            assert!(span.end() <= text.len(), "{p:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn fixtures_read_cells_from_their_own_spans() {
        for text in crate::fixtures::texts() {
            let tokens = tokenize(&text);
            cells_are_what_their_spans_print(&text, &tokens);
            // Each half alone: tables cut short, labels with no values.
            let mid = tokens.len() / 2;
            cells_are_what_their_spans_print(&text, tokens.get(..mid).unwrap_or(&[]));
            cells_are_what_their_spans_print(&text, tokens.get(mid..).unwrap_or(&[]));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Windows of the fixtures' tokens with some numbers turned into
        /// blanks or text and some tokens dropped or repeated: rows short
        /// of cells, with extra cells, repeated, blank or unreadable, read
        /// without a cell that its span does not print.
        #[test]
        fn damaged_tables_read_only_printed_values(
            fixture in 0usize..64,
            start in 0usize..4000,
            len in 1usize..1500,
            edits in proptest::collection::vec((0usize..4000, 0u8..4), 0..24),
        ) {
            let texts = FIXTURES.get_or_init(crate::fixtures::texts);
            let text = &texts[fixture % texts.len()];
            let all = tokenize(text);
            let start = start % all.len().max(1);
            let mut tokens: Vec<Token> = all.get(start..(start + len).min(all.len())).unwrap_or(&[]).to_vec();
            for (at, op) in edits {
                if tokens.is_empty() {
                    break;
                }
                let at = at % tokens.len();
                match op {
                    0 => tokens[at].kind = Kind::Blank,
                    1 => tokens[at].kind = Kind::Text,
                    2 => {
                        tokens.remove(at);
                    }
                    _ => {
                        // Repeated in place: spans stay in text order.
                        let t = tokens[at];
                        tokens.insert(at, t);
                    }
                }
            }
            cells_are_what_their_spans_print(text, &tokens);
        }
    }

    static FIXTURES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

    /// The columns of block `label`'s rows, in the order first met, worked
    /// out from the schema by id (what the layout replaces).
    fn block_columns_by_id(schema: &TableSchema, label: &str) -> Vec<&'static str> {
        let mut cols: Vec<&'static str> = Vec::new();
        for r in schema.rows.iter().filter(|r| r.block == Some(label)) {
            for c in schema.row_columns(r) {
                if !cols.contains(&c.id) {
                    cols.push(c.id);
                }
            }
        }
        cols
    }

    #[test]
    fn layout_and_positions_agree_with_the_schema_by_id() {
        for format in FORMATS {
            for schema in &template(format).tables {
                let layout = layout_of(format, schema);
                let Some(layout) = layout else {
                    panic!("no layout for {format} {}", schema.id);
                };
                let ids = |positions: &[usize]| -> Vec<&'static str> {
                    positions
                        .iter()
                        .filter_map(|&p| schema.columns.get(p))
                        .map(|c| c.id)
                        .collect()
                };
                for (i, row) in schema.rows.iter().enumerate() {
                    let by_id: Vec<&str> = schema.row_columns(row).map(|c| c.id).collect();
                    assert_eq!(ids(layout.columns(i)), by_id, "{} {}", schema.id, row.id);
                    // An exact row label is what label_match calls exact.
                    let bare = layout.row_bare.get(i).copied().flatten();
                    let Some(bare) = bare else {
                        panic!("no bare form for {} {}", schema.id, row.id);
                    };
                    assert_eq!(
                        crate::labels::label_match(bare, row.label, row.variants),
                        LabelMatch::Exact
                    );
                    // The hint is checked: a wrong or missing one still finds the row,
                    // and so does an id that is a copy (elsewhere in memory).
                    let copy = row.id.to_string();
                    for hint in [Some(i), Some(i + 1), None] {
                        let found = row_at(schema, hint, &copy).map(|(at, r)| (at, r.id));
                        assert_eq!(found, Some((i, row.id)), "{} {} {hint:?}", schema.id, row.id);
                    }
                    if let Some(label) = row.block {
                        let expected = block_columns_by_id(schema, label);
                        assert!(!expected.is_empty());
                        assert_eq!(ids(layout.block(label)), expected, "{} {label}", schema.id);
                        // A copy of the label lies elsewhere: compared as text.
                        let copy = label.to_string();
                        assert_eq!(ids(layout.block(copy.as_str())), expected);
                    }
                }
                assert!(layout.block("第九十九项").is_empty());
                assert!(row_at(schema, Some(0), "no_such_row").is_none());
                for (i, column) in schema.columns.iter().enumerate() {
                    let bare = layout.column_bare.get(i).copied().flatten();
                    let Some(bare) = bare else {
                        panic!("no bare form for {} {}", schema.id, column.id);
                    };
                    assert_eq!(
                        crate::labels::label_match(bare, column.label, column.variants),
                        LabelMatch::Exact
                    );
                    let copy = column.id.to_string();
                    for hint in [Some(i), Some(i + 1), None] {
                        let found = column_at(schema, hint, &copy).map(|c| c.id);
                        assert_eq!(found, Some(column.id), "{} {} {hint:?}", schema.id, column.id);
                    }
                }
            }
        }
    }
}
