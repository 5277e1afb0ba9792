//! The typed report a reader produces: what the text says, where it says it,
//! and what could not be read. Nothing here judges the report; that is the
//! rules' job.

use crate::cells::Cells;
use crate::rendered::RenderedText;
use crate::schema::{template, Format, Template};
use crate::span::{Span, Spanned};
use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A template id (table, row, column…) held by a report: borrowed from the
/// schema when a reader built the report, so reading allocates no id strings;
/// owned when it came from JSON, where [`Report::validate`] checks it.
pub type Id = Cow<'static, str>;

/// The hasher of a report's maps. Their keys can come from outside (a JSON
/// report chooses them), so it must be seeded per process: a predictable
/// hash (Fx) would let crafted keys collide and make inserting quadratic.
/// foldhash's `RandomState` is seeded per process and several times faster
/// than std's SipHash on the short ids used here.
pub type ReportHasher = foldhash::fast::RandomState;

/// An insertion-ordered map of a report (sections, tables, rows, cells).
pub type ReportMap<K, V> = IndexMap<K, V, ReportHasher>;

/// A report as read from one source text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub source: Source,
    /// The template format the report follows.
    pub format: Format,
    #[serde(default)]
    pub metadata: Metadata,
    /// Sections found, keyed by section id, in template order.
    #[serde(default)]
    pub sections: ReportMap<String, Section>,
    /// Tables found, keyed by table id, in template order.
    #[serde(default)]
    pub tables: ReportMap<String, Table>,
    /// What the reader could not read; reported as findings by `check`.
    #[serde(default)]
    pub problems: Vec<Problem>,
}

/// The text a report was read from. Every span in the report points into
/// `text` (for non-text inputs, into the reader's text rendering of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// A path or a name for the input.
    pub name: String,
    pub text: String,
    /// For a source in markup (a web page), the text it renders to: what
    /// its words say, tags dropped and entities resolved (see
    /// [`Report::rendered_slice`]). `None` when `text` is what was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendered: Option<Box<RenderedText>>,
    /// For a paged document (a PDF), where each page starts in `text`, in
    /// order (the first at 0), so that places can be given as pages too.
    /// Empty for sources without pages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<usize>,
    /// For a document with tables of its own (a web page, a Word file): the
    /// text of each rendered table row, in order, so that places can be
    /// given as the document's reader finds them ("第 2 个表格第 5 行").
    /// Empty for plain text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table_rows: Vec<DocumentRow>,
}

/// A row of one of a document's own tables and where its text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRow {
    /// The row's cells, from the first character to the last, in `text`.
    pub span: Span,
    /// The table's 1-based number among the document's tables.
    pub table: usize,
    /// The row's 1-based number in its table, empty rows counted.
    pub row: usize,
}

impl Source {
    /// The 1-based page `offset` of the text is on, for a paged source.
    pub fn page_of(&self, offset: usize) -> Option<usize> {
        page_of(&self.pages, offset)
    }

    /// The document table row whose text holds `offset`, if any.
    pub fn table_row_of(&self, offset: usize) -> Option<&DocumentRow> {
        table_row_of(&self.table_rows, offset)
    }
}

/// The row of `rows` (see [`Source::table_rows`]) whose span holds `offset`.
pub fn table_row_of(rows: &[DocumentRow], offset: usize) -> Option<&DocumentRow> {
    let i = rows.partition_point(|r| r.span.offset <= offset);
    rows.get(i.checked_sub(1)?).filter(|r| offset < r.span.end())
}

/// The 1-based page `offset` is on, given where pages start (see
/// [`Source::pages`]); `None` without pages.
pub fn page_of(pages: &[usize], offset: usize) -> Option<usize> {
    match pages.partition_point(|&start| start <= offset) {
        0 => None,
        page => Some(page),
    }
}

/// A stretch of a report's text as it reads, with the way back to source spans.
#[derive(Debug, Clone, Copy)]
pub struct RenderedSlice<'r> {
    pub text: &'r str,
    origin: SliceOrigin<'r>,
}

#[derive(Debug, Clone, Copy)]
enum SliceOrigin<'r> {
    /// The slice is the source itself, from this offset.
    Source(usize),
    /// The slice is rendered text, from this offset in it.
    Rendered(&'r RenderedText, usize),
}

impl RenderedSlice<'_> {
    /// The source span of bytes `start..end` of [`RenderedSlice::text`].
    pub fn source_span(&self, start: usize, end: usize) -> Option<Span> {
        if start > end || end > self.text.len() {
            return None;
        }
        match self.origin {
            SliceOrigin::Source(offset) => Some(Span::from_range(offset + start, offset + end)),
            SliceOrigin::Rendered(r, offset) => r.source_span(offset + start, offset + end),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The report's title as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Spanned<String>>,
    /// The issuing body (发布机关), e.g. 嘉兴市经济和信息化局.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Spanned<String>>,
    /// The year the report is for, as stated in the title or first paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<Spanned<i32>>,
    /// The statistics period (统计期限), where stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Spanned<Period>>,
    /// The publication date (发布日期), where given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Spanned<Date>>,
}

/// A calendar date as printed (not validated beyond ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A date with plausible month and day, or `None`.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, '-');
        let mut next = || {
            parts
                .next()
                .ok_or_else(|| format!("not a YYYY-MM-DD date: {s:?}"))
        };
        let (y, m, d) = (next()?, next()?, next()?);
        let bad = |_| format!("not a YYYY-MM-DD date: {s:?}");
        Date::new(
            y.parse().map_err(bad)?,
            m.parse().map_err(bad)?,
            d.parse().map_err(bad)?,
        )
        .ok_or_else(|| format!("month or day out of range: {s:?}"))
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

/// A section heading found in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading as printed; `None` when the section was located without
    /// one (e.g. a table found where its heading is missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<LabelUse>,
    /// From the heading (or the section's first content) to the next section.
    pub span: Span,
    /// The section's content after the heading.
    pub body: Span,
}

/// A template label as it appears in the report, and how well it matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelUse {
    /// The template id the label was taken to stand for (a section, row,
    /// column, column group or heading id).
    pub target: Id,
    /// The printed text (numbering and spacing included).
    pub text: String,
    pub span: Span,
    pub matched: LabelMatch,
}

/// How a printed label relates to the template's wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LabelMatch {
    /// The template's wording (after width folding, spacing and numbering).
    Exact,
    /// A wording variant known to be in use (listed in the schema).
    Variant { variant: String },
    /// Near the template's wording: `distance` character edits away.
    Approximate { distance: usize },
    /// Not the template's label for this place: the text reads as another
    /// label (`other`, a template id) or as nothing known; the target was
    /// implied by position.
    Different {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        other: Option<String>,
    },
    /// Only a piece of the template's wording was read (see
    /// [`crate::label::is_fragment`]): the start or the end of a label
    /// wrapped over lines whose rest an exporter lost or moved, or, where
    /// the row was placed by position, a piece of the table's wording.
    /// Nothing can be said about how the report words the label.
    Fragment,
}

/// One table as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// From the table's first label to its last value.
    pub span: Span,
    /// Rows read, keyed by row id, in template order.
    pub rows: ReportMap<Id, Row>,
    /// Header labels found (columns, column groups, blocks, headings such as
    /// 三、本年度办理结果), in the order printed.
    #[serde(default)]
    pub headers: Vec<LabelUse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The row label as printed; `None` where the row has no label of its own
    /// (the `review` table's single row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<LabelUse>,
    /// Cells read, keyed by column id, in template order.
    pub cells: Cells,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub value: CellValue,
    /// Where the value is printed. A blank cell has an empty span where the
    /// cell would be.
    pub span: Span,
    /// Set when the value was not printed as a separate number but recovered
    /// (e.g. split from digits that ran together).
    /// Boxed: almost no cell is inferred, and a cell is moved and stored
    /// hundreds of times per report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inferred: Option<Box<Inference>>,
}

/// A cell's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum CellValue {
    /// A whole number.
    Integer(i64),
    /// A decimal number, with the scale it was printed with ("7730.28").
    Decimal(Decimal),
    /// Nothing printed (an empty cell is not 0).
    Blank,
    /// Text that is not a plain number ("251000元", "—"), kept as printed.
    Text(String),
}

impl CellValue {
    /// The numeric value, for integers and decimals.
    pub fn number(&self) -> Option<Decimal> {
        match self {
            CellValue::Integer(i) => Some(Decimal::from(*i)),
            CellValue::Decimal(d) => Some(*d),
            _ => None,
        }
    }
}

impl std::fmt::Display for CellValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CellValue::Integer(i) => write!(f, "{i}"),
            CellValue::Decimal(d) => write!(f, "{d}"),
            CellValue::Blank => Ok(()),
            CellValue::Text(t) => f.write_str(t),
        }
    }
}

/// How a value that was not printed separately was recovered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inference {
    /// The constraint that decided the value, in words and ids
    /// (e.g. "requests.new: total = sum of applicant columns").
    pub constraint: String,
    /// How many splits were possible before the constraint was applied.
    pub candidates: usize,
    /// Consistency rules of the template (their numbers in the template's
    /// 勾稽关系 list) that had to be assumed to hold to choose this value: a
    /// check of those rules can no longer find a defect in this cell.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumed_template_rules: Vec<u32>,
}

/// Something the reader could not read. Never guessed: reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// For ambiguous recoveries: the candidate values, one list per candidate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A section of the template was not found.
    MissingSection,
    /// A table of the template was not found.
    MissingTable,
    /// A row of a table was not found.
    MissingRow,
    /// A row was found with fewer values than its columns.
    MissingCells,
    /// A row was found with more values than its columns.
    ExtraCells,
    /// A value that is not a number where a number belongs.
    UnreadableCell,
    /// A number too large to represent.
    NumberOverflow,
    /// Digits that ran together could be split in several ways that nothing
    /// tells apart.
    AmbiguousSplit,
    /// One unbroken run of digits that splits into the row's columns, but in
    /// no way that satisfies the row's arithmetic: the row does not add up.
    NoValidSplit,
    /// Digits that cannot be split into the row's columns, or in pieces
    /// (cells whose empty neighbours may have been lost on export) none of
    /// whose splits satisfies the row's arithmetic.
    UnsplittableRun,
    /// The split search hit its work limit.
    TooAmbiguous,
    /// Text inside a table that matches no template label.
    UnknownLabel,
    /// A row not found where the table holds text or numbers the reader
    /// could not place: the row may well be there, unread.
    RowNotRead,
    /// A table whose place holds numbers, none of them read as its rows
    /// (a table printed as an image, or laid out beyond the reader).
    TableNotRead,
}

/// What a [`Problem`] says: that the report lacks something (the reader is
/// sure), or that the reader could not read something that may be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemClass {
    /// About the report, and sure: it lacks a part of the template (the
    /// document was aligned around the gap and nothing the reader could not
    /// place lies there), or a row's digits that ran together add up under
    /// no split.
    AboutReport,
    /// A limit of the reading: something was not read, not found wrong.
    NotRead,
}

impl ProblemKind {
    /// Whether problems of this kind are about the report or about the reading.
    pub fn class(self) -> ProblemClass {
        match self {
            ProblemKind::MissingSection
            | ProblemKind::MissingTable
            | ProblemKind::MissingRow
            // Whichever way its digits are split, the row does not add up.
            | ProblemKind::NoValidSplit => ProblemClass::AboutReport,
            _ => ProblemClass::NotRead,
        }
    }
}

impl Problem {
    /// Whether the problem says some place of the report was not read:
    /// what rules reading that place cannot check. A stray number or label
    /// the reader could not place leaves every template place read.
    pub fn leaves_unread(&self) -> bool {
        match self.kind {
            // A repeated row (read the first time) or stray text.
            ProblemKind::UnknownLabel => false,
            // Numbers before any row label: no row of the template is among them.
            ProblemKind::ExtraCells => self.row.is_some(),
            kind => kind.class() == ProblemClass::NotRead,
        }
    }
}

impl Report {
    /// An empty report over `text`, to be filled in by a reader.
    pub fn new(name: impl Into<String>, text: impl Into<String>, format: Format) -> Report {
        Report {
            source: Source {
                name: name.into(),
                text: text.into(),
                rendered: None,
                pages: Vec::new(),
                table_rows: Vec::new(),
            },
            format,
            metadata: Metadata::default(),
            sections: ReportMap::default(),
            tables: ReportMap::default(),
            problems: Vec::new(),
        }
    }

    pub fn template(&self) -> &'static Template {
        template(self.format)
    }

    pub fn cell(&self, table: &str, row: &str, column: &str) -> Option<&Cell> {
        self.tables.get(table)?.rows.get(row)?.cells.get(column)
    }

    /// A section's body text as it reads (see [`Report::rendered_slice`]).
    pub fn section_text(&self, id: &str) -> Option<&str> {
        Some(self.rendered_slice(self.sections.get(id)?.body)?.text)
    }

    /// The text a source span reads as: for a web page its rendered text
    /// (tags dropped, entities resolved), else the source's own. `None` when
    /// the span lies outside the text or splits a character.
    pub fn rendered_slice(&self, span: Span) -> Option<RenderedSlice<'_>> {
        match self.source.rendered.as_deref() {
            None => Some(RenderedSlice {
                text: span.slice(&self.source.text)?,
                origin: SliceOrigin::Source(span.offset),
            }),
            Some(r) => {
                let (start, end) = r.rendered_range(span)?;
                Some(RenderedSlice {
                    text: r.text.get(start..end)?,
                    origin: SliceOrigin::Rendered(r, start),
                })
            }
        }
    }

    /// Every span in the report, with what holds it, for validation.
    fn spans(&self) -> impl Iterator<Item = (String, Span)> + '_ {
        let m = &self.metadata;
        let meta = [
            m.title.as_ref().map(|s| ("metadata.title".to_string(), s.span)),
            m.body.as_ref().map(|s| ("metadata.body".to_string(), s.span)),
            m.year.as_ref().map(|s| ("metadata.year".to_string(), s.span)),
            m.period.as_ref().map(|s| ("metadata.period".to_string(), s.span)),
            m.published
                .as_ref()
                .map(|s| ("metadata.published".to_string(), s.span)),
        ];
        let sections = self.sections.iter().flat_map(|(id, s)| {
            [
                Some((format!("sections.{id}"), s.span)),
                Some((format!("sections.{id}.body"), s.body)),
            ]
            .into_iter()
            .chain(std::iter::once(
                s.heading
                    .as_ref()
                    .map(|h| (format!("sections.{id}.heading"), h.span)),
            ))
        });
        let tables = self.tables.iter().flat_map(|(tid, t)| {
            std::iter::once((format!("tables.{tid}"), t.span))
                .chain(
                    t.headers
                        .iter()
                        .map(move |h| (format!("tables.{tid}.headers.{}", h.target), h.span)),
                )
                .chain(t.rows.iter().flat_map(move |(rid, r)| {
                    r.label
                        .iter()
                        .map(move |l| (format!("tables.{tid}.{rid}.label"), l.span))
                        .chain(
                            r.cells
                                .iter()
                                .map(move |(cid, c)| (format!("tables.{tid}.{rid}.{cid}"), c.span)),
                        )
                }))
        });
        let problems = self
            .problems
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.span.map(|s| (format!("problems[{i}]"), s)));
        meta.into_iter()
            .flatten()
            .chain(sections.flatten())
            .chain(tables)
            .chain(problems)
    }

    /// Check what a reader cannot get wrong but JSON from elsewhere can:
    /// every span inside the text and on character boundaries, and every
    /// table, row and column id known to the report's format.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let text = &self.source.text;
        let mut errors: Vec<String> = self
            .spans()
            .filter(|(_, s)| s.slice(text).is_none())
            .map(|(what, s)| {
                format!(
                    "{what}: span {}..{} is outside the text ({} bytes) or splits a character",
                    s.offset,
                    s.end(),
                    text.len()
                )
            })
            .collect();
        if let Some(r) = self.source.rendered.as_deref() {
            let mut previous: Option<usize> = None;
            for (i, piece) in r.pieces.iter().enumerate() {
                if previous.is_some_and(|p| piece.at <= p) || (previous.is_none() && piece.at != 0) {
                    errors.push(format!(
                        "source.rendered.pieces[{i}]: pieces must start at 0 and go forward"
                    ));
                }
                if !r.text.is_char_boundary(piece.at) || piece.source.slice(text).is_none() {
                    errors.push(format!(
                        "source.rendered.pieces[{i}]: offset {} or source span {}..{} is outside its text or splits a character",
                        piece.at,
                        piece.source.offset,
                        piece.source.end()
                    ));
                }
                previous = Some(piece.at);
            }
        }
        if self.source.pages.first().is_some_and(|&p| p != 0)
            || self.source.pages.windows(2).any(|w| w[0] > w[1])
            || self.source.pages.last().is_some_and(|&p| p > text.len())
        {
            errors
                .push("source.pages: pages must start at 0, be in order and lie inside the text".to_string());
        }
        let mut previous_end = 0;
        for (i, r) in self.source.table_rows.iter().enumerate() {
            if r.span.slice(text).is_none() || r.span.offset < previous_end || r.table == 0 || r.row == 0 {
                errors.push(format!(
                    "source.table_rows[{i}]: rows must lie inside the text, in order without overlapping, numbered from 1"
                ));
            }
            previous_end = r.span.end();
        }
        let tpl = self.template();
        for (id, _) in &self.sections {
            if tpl.section(id).is_none() {
                errors.push(format!(
                    "sections.{id}: no such section in the {} format",
                    self.format
                ));
            }
        }
        for (tid, t) in &self.tables {
            let Some(ts) = tpl.table(tid) else {
                errors.push(format!(
                    "tables.{tid}: no such table in the {} format",
                    self.format
                ));
                continue;
            };
            for (rid, r) in &t.rows {
                let Some(rs) = ts.row(rid) else {
                    errors.push(format!("tables.{tid}.{rid}: no such row"));
                    continue;
                };
                for cid in r.cells.keys() {
                    if !ts.row_columns(rs).any(|c| c.id == cid) {
                        errors.push(format!("tables.{tid}.{rid}.{cid}: no such column for this row"));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_of_counts_pages_started_and_skips_empty_ones() {
        let mut source = Report::new("x.pdf", "一页\n二页\n四页\n", Format::V2021).source;
        assert_eq!(source.page_of(0), None, "no pages: not a paged source");
        // Page 3 printed nothing: it starts where page 4 does.
        source.pages = vec![0, 7, 14, 14];
        let page = |needle: &str| source.text.find(needle).and_then(|at| source.page_of(at));
        assert_eq!(page("一"), Some(1));
        assert_eq!(page("二页"), Some(2));
        assert_eq!(page("四页"), Some(4));
        assert_eq!(source.page_of(usize::MAX), Some(4));
    }

    /// JSON from elsewhere may carry a rendering or pages that do not fit its
    /// text: refused by name, never used.
    #[test]
    fn validate_refuses_renderings_and_pages_that_do_not_fit() {
        use crate::rendered::Piece;
        let mut report = Report::new("x.html", "<p>收到</p>", Format::V2021);
        let piece = |at: usize, offset: usize, len: usize| Piece {
            at,
            source: Span::new(offset, len),
        };
        let rendered = |pieces: Vec<Piece>| {
            Some(Box::new(RenderedText {
                text: "收到".to_string(),
                pieces,
            }))
        };
        report.source.rendered = rendered(vec![piece(0, 3, 6)]);
        assert_eq!(report.validate(), Ok(()));
        for (pieces, what) in [
            (vec![piece(3, 3, 6)], "must start at 0"),
            (vec![piece(0, 3, 3), piece(0, 6, 3)], "go forward"),
            (vec![piece(0, 3, 3), piece(1, 6, 3)], "splits a character"),
            (vec![piece(0, 3, 99)], "outside its text"),
        ] {
            report.source.rendered = rendered(pieces);
            let errors = report.validate().expect_err(what);
            assert!(
                errors.iter().any(|e| e.starts_with("source.rendered.pieces[")),
                "{what}: {errors:?}"
            );
        }
        report.source.rendered = None;
        for pages in [vec![5], vec![0, 9, 4], vec![0, 99]] {
            report.source.pages = pages;
            let errors = report.validate().expect_err("bad pages");
            assert!(errors.iter().any(|e| e.starts_with("source.pages")), "{errors:?}");
        }
        report.source.pages = vec![0, 3, 3];
        assert_eq!(report.validate(), Ok(()), "a page that printed nothing");

        let row = |offset: usize, len: usize, table: usize, row: usize| DocumentRow {
            span: Span::new(offset, len),
            table,
            row,
        };
        report.source.table_rows = vec![row(3, 3, 1, 1), row(6, 3, 1, 2)];
        assert_eq!(report.validate(), Ok(()));
        for (rows, what) in [
            (vec![row(3, 99, 1, 1)], "outside the text"),
            (vec![row(3, 2, 1, 1)], "splits a character"),
            (vec![row(3, 6, 1, 1), row(6, 3, 1, 2)], "overlapping"),
            (vec![row(6, 3, 1, 2), row(3, 3, 1, 1)], "out of order"),
            (vec![row(3, 3, 0, 1)], "table 0"),
            (vec![row(3, 3, 1, 0)], "row 0"),
        ] {
            report.source.table_rows = rows;
            let errors = report.validate().expect_err(what);
            assert!(
                errors.iter().any(|e| e.starts_with("source.table_rows[")),
                "{what}: {errors:?}"
            );
        }
    }

    #[test]
    fn table_row_of_finds_the_row_holding_an_offset_and_nothing_between_rows() {
        let mut source = Report::new("x.docx", "标题\n甲\t1\n乙\t2\n结尾\n", Format::V2021).source;
        assert_eq!(source.table_row_of(0), None, "no tables");
        let at = |needle: &str| source.text.find(needle).unwrap_or(usize::MAX);
        let (jia, yi) = (at("甲"), at("乙"));
        source.table_rows = vec![
            DocumentRow {
                span: Span::new(jia, "甲\t1".len()),
                table: 1,
                row: 2,
            },
            DocumentRow {
                span: Span::new(yi, "乙\t2".len()),
                table: 1,
                row: 3,
            },
        ];
        let place = |offset: usize| source.table_row_of(offset).map(|r| (r.table, r.row));
        assert_eq!(place(at("标题")), None, "before the table");
        assert_eq!(place(jia), Some((1, 2)));
        assert_eq!(place(at("1")), Some((1, 2)));
        assert_eq!(place(at("1") + 1), None, "the line break between rows");
        assert_eq!(place(at("2")), Some((1, 3)));
        assert_eq!(place(at("结尾")), None, "after the table");
    }
}
