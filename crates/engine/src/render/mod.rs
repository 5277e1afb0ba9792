//! Rendering of findings: [`human`] (miette graphical reports), [`json`]
//! (nianbao's own document, see docs/output.md), [`sarif`] (SARIF 2.1.0) and
//! [`html`] (a self-contained audit page drawing the report's tables).
//!
//! Every renderer streams: [`Renderer::start`] once, [`Renderer::report`] for
//! each input in output order, [`Renderer::finish`] with the [`Summary`]. A
//! renderer keeps nothing per report, so memory does not grow with the number
//! of inputs (SARIF keeps the rule table and the list of unreadable inputs).

pub mod html;
pub mod human;
pub mod json;
pub mod sarif;
pub mod statistics;
pub mod xlsx;

use crate::finding::{Finding, Reading, ReadingStatus, Severity};
use crate::review::DecisionRecord;
use nianbao_model::{DocumentRow, LineIndex, Report, Span};
use serde::Serialize;
use std::io::{self, Write};

/// The path given to standard input in every output format.
pub const STDIN_NAME: &str = "<stdin>";

/// The result of checking one input: its findings, or why it could not be
/// checked at all.
#[derive(Debug, Clone)]
pub struct ReportResult {
    /// The input's path as given (or found under a directory), or [`STDIN_NAME`].
    pub path: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Checked(Checked),
    Failed(InputFailure),
}

/// A report that was read and checked.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The report's source text; every finding span points into it.
    pub text: String,
    /// Bytes of the file before `text` (a UTF-8 byte-order mark), so that
    /// machine-readable offsets are offsets into the file itself.
    pub base_offset: usize,
    /// Where each page starts in `text`, for a paged source (a PDF); empty
    /// otherwise. Places are then given as pages too.
    pub pages: Vec<usize>,
    /// The rows of the document's own tables (a web page's, a Word
    /// file's) in `text`; empty otherwise. Places in them are then given as
    /// table and row too.
    pub table_rows: Vec<DocumentRow>,
    /// The issuing body as the report states it, if read.
    pub body: Option<String>,
    /// The year the report covers, if read.
    pub year: Option<i32>,
    /// Findings about the report, ordered by position.
    pub findings: Vec<Finding>,
    /// How far the report was read: what was not read, notes on how some
    /// cells were read, rules not checked. Never counted as findings.
    pub reading: Reading,
}

/// Why an input could not be checked (unreadable file, undecodable bytes …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputFailure {
    /// A stable code, e.g. `nianbao::io` or `nianbao::read::encoding`.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl ReportResult {
    pub fn findings(&self) -> &[Finding] {
        match &self.outcome {
            Outcome::Checked(c) => &c.findings,
            Outcome::Failed(_) => &[],
        }
    }

    /// How far the report was read (`None`: it could not be checked at all).
    pub fn reading(&self) -> Option<&Reading> {
        match &self.outcome {
            Outcome::Checked(c) => Some(&c.reading),
            Outcome::Failed(_) => None,
        }
    }
}

/// Counts over all inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Inputs checked or attempted (unreadable ones included).
    pub reports: usize,
    /// Inputs that could not be checked.
    pub unreadable: usize,
    /// Findings about the reports (reading limits are not findings).
    pub findings: usize,
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    /// Reports checked that could not be read whole (some cells, rows or
    /// tables not read), those whose tables could not be read at all included.
    pub partly_read: usize,
    /// What could not be read, over all reports (see `Reading::limits`).
    pub reading_limits: usize,
    /// Rule instances not checked because their inputs were not read.
    pub unchecked: usize,
    /// Findings a reviewer confirmed (counted among `findings`).
    #[serde(skip_serializing_if = "is_zero")]
    pub confirmed: usize,
    /// Findings a reviewer dismissed: not counted among `findings`.
    #[serde(skip_serializing_if = "is_zero")]
    pub dismissed: usize,
    /// Decisions of the review file whose report was checked and no longer
    /// has their finding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale_decisions: Vec<DecisionRecord>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    pub fn add(&mut self, result: &ReportResult) {
        self.reports += 1;
        match &result.outcome {
            Outcome::Failed(_) => self.unreadable += 1,
            Outcome::Checked(c) => {
                if c.reading.status != ReadingStatus::Complete {
                    self.partly_read += 1;
                }
                self.reading_limits += c.reading.limits.len();
                self.unchecked += c.reading.unchecked.iter().map(|u| u.instances).sum::<usize>();
                for f in &c.findings {
                    if f.is_dismissed() {
                        self.dismissed += 1;
                        continue;
                    }
                    if f.review.is_some() {
                        self.confirmed += 1;
                    }
                    self.findings += 1;
                    *match f.severity {
                        Severity::Error => &mut self.error,
                        Severity::Warning => &mut self.warning,
                        Severity::Info => &mut self.info,
                    } += 1;
                }
            }
        }
    }

    /// Number of findings at or above `level`.
    pub fn at_least(&self, level: Severity) -> usize {
        match level {
            Severity::Error => self.error,
            Severity::Warning => self.error + self.warning,
            Severity::Info => self.findings,
        }
    }

    /// The closing line of human output, in Chinese, e.g.
    /// "共检查 3 个报告：2 个错误，1 个警告，0 条提示". Only reports actually
    /// checked are counted as checked: a run whose every input was
    /// unreadable must not read as "no problems found".
    pub fn line(&self) -> String {
        let checked = self.reports.saturating_sub(self.unreadable);
        if checked == 0 && self.unreadable > 0 {
            return format!("没有检查任何报告：{} 个文件无法检查", self.unreadable);
        }
        let mut s = format!("共检查 {checked} 个报告：");
        if self.findings == 0 {
            s.push_str("未发现问题");
        } else {
            s.push_str(&format!(
                "{} 个错误，{} 个警告，{} 条提示",
                self.error, self.warning, self.info
            ));
        }
        if self.partly_read > 0 {
            s.push_str(&format!("；其中 {} 个未能完整读取", self.partly_read));
        }
        if self.unreadable > 0 {
            s.push_str(&format!("；{} 个文件无法检查", self.unreadable));
        }
        if self.confirmed + self.dismissed > 0 {
            s.push_str(&format!(
                "；复核：{} 个已确认，{} 个已排除（不计入）",
                self.confirmed, self.dismissed
            ));
        }
        if !self.stale_decisions.is_empty() {
            s.push_str(&format!(
                "；{} 个复核决定已过时（问题不再出现）",
                self.stale_decisions.len()
            ));
        }
        s
    }
}

/// A rule as output formats describe it (SARIF's rule table), from the
/// registry ([`crate::registry`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    /// The severity findings of this rule get (after configuration).
    pub severity: Severity,
    /// What the rule protects and why a reviewer cares.
    pub why: Option<String>,
    /// What to do about a finding, as written.
    pub help: Option<String>,
    /// Where the rule comes from (a template clause).
    pub reference: Option<String>,
    /// The rule's entry in the published documentation, when configured.
    pub help_uri: Option<String>,
}

impl RuleInfo {
    /// A rule known only by its id (seen first in a finding).
    pub fn bare(id: &str, severity: Severity) -> Self {
        RuleInfo {
            id: id.to_string(),
            title: id.to_string(),
            severity,
            why: None,
            help: None,
            reference: None,
            help_uri: None,
        }
    }

    /// The registry's entry, linked to `docs_url#id` when a documentation
    /// URL is given.
    pub fn from_doc(doc: &crate::registry::RuleDoc<'_>, docs_url: Option<&str>) -> Self {
        RuleInfo {
            id: doc.id.to_string(),
            title: doc.title.to_string(),
            severity: doc.severity,
            why: doc.why.map(str::to_string),
            help: doc.help.map(str::to_string),
            reference: doc.reference.map(str::to_string),
            help_uri: docs_url.map(|url| format!("{url}#{}", doc.anchor())),
        }
    }
}

/// Streams [`ReportResult`]s in one output format.
pub trait Renderer {
    fn start(&mut self, out: &mut dyn Write) -> io::Result<()>;
    fn report(&mut self, out: &mut dyn Write, result: &ReportResult) -> io::Result<()>;
    /// [`Renderer::report`] with the report as read, for formats that draw
    /// its tables (HTML); the others ignore it.
    fn report_read(
        &mut self,
        out: &mut dyn Write,
        result: &ReportResult,
        report: Option<&Report>,
    ) -> io::Result<()> {
        let _ = report;
        self.report(out, result)
    }
    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()>;
}

/// Where a label lies, in every unit output formats need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Byte offset into the file (the report text's offset plus the base).
    pub offset: usize,
    /// Length in bytes.
    pub length: usize,
    /// 1-based line and column (column in characters) of the start.
    pub line: usize,
    pub column: usize,
    /// 1-based line and column just past the end.
    pub end_line: usize,
    pub end_column: usize,
    /// The 1-based page of the start, for a paged source.
    pub page: Option<usize>,
    /// The document table row holding the start, for a source with tables
    /// of its own.
    pub table_row: Option<TableRow>,
}

/// A row of a document's own table, numbered from 1 as its reader counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableRow {
    pub table: usize,
    pub row: usize,
}

/// How a reader of the original document finds a place that its text's
/// lines do not show: a PDF's page, or a web page's or Word file's table row.
pub fn document_place(page: Option<usize>, table_row: Option<TableRow>) -> Option<String> {
    match (page, table_row) {
        (Some(page), _) => Some(format!("第 {page} 页")),
        (None, Some(TableRow { table, row })) => Some(format!("第 {table} 个表格第 {row} 行")),
        (None, None) => None,
    }
}

/// Locates spans of one report's text. Spans that came from elsewhere (a JSON
/// report) may lie outside the text or split a character: they are clamped
/// to the text, never trusted.
pub struct Locator<'t> {
    text: &'t str,
    base_offset: usize,
    index: LineIndex<'t>,
    pages: &'t [usize],
    table_rows: &'t [DocumentRow],
}

impl<'t> Locator<'t> {
    pub fn new(text: &'t str, base_offset: usize) -> Self {
        Locator {
            text,
            base_offset,
            index: LineIndex::new(text),
            pages: &[],
            table_rows: &[],
        }
    }

    /// Locates a checked report's spans: its text, base offset, pages and
    /// table rows.
    pub fn of(checked: &'t Checked) -> Self {
        Locator {
            pages: &checked.pages,
            table_rows: &checked.table_rows,
            ..Locator::new(&checked.text, checked.base_offset)
        }
    }

    /// `span` clamped to the text and to character boundaries.
    pub fn clamp(&self, span: Span) -> Span {
        let boundary = |mut i: usize| {
            i = i.min(self.text.len());
            while !self.text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = boundary(span.offset);
        let end = boundary(span.offset.saturating_add(span.len)).max(start);
        Span::from_range(start, end)
    }

    pub fn locate(&self, span: Span) -> Location {
        let (start, span) = self.locate_start(span);
        let end = self.index.line_col(span.end());
        Location {
            end_line: end.line,
            end_column: end.column,
            ..start
        }
    }

    /// The 1-based page `offset` is on, for a paged source.
    pub fn page(&self, offset: usize) -> Option<usize> {
        nianbao_model::report::page_of(self.pages, offset)
    }

    /// The document table row holding `offset`, for a source with tables.
    pub fn table_row(&self, offset: usize) -> Option<TableRow> {
        nianbao_model::report::table_row_of(self.table_rows, offset).map(|r| TableRow {
            table: r.table,
            row: r.row,
        })
    }

    /// [`document_place`] of `offset`.
    pub fn document_place(&self, offset: usize) -> Option<String> {
        document_place(self.page(offset), self.table_row(offset))
    }

    /// [`Locator::locate`] without the end's line and column (0), which
    /// cost a second walk over the line; and the span clamped.
    pub fn locate_start(&self, span: Span) -> (Location, Span) {
        let span = self.clamp(span);
        let start = self.index.line_col(span.offset);
        let location = Location {
            offset: self.base_offset + span.offset,
            length: span.len,
            line: start.line,
            column: start.column,
            end_line: 0,
            end_column: 0,
            page: self.page(span.offset),
            table_row: self.table_row(span.offset),
        };
        (location, span)
    }
}

/// Write `value` as pretty JSON with every line after the first indented by
/// `indent` spaces, so documents can be streamed piece by piece and still
/// read as one pretty document. (JSON strings never contain a raw newline:
/// every line break is the layout's.)
pub(crate) fn write_indented_json<T: Serialize>(
    out: &mut dyn Write,
    value: &T,
    indent: usize,
) -> io::Result<()> {
    let mut text = Vec::new();
    append_indented_json(&mut text, &mut Vec::new(), value, indent)?;
    out.write_all(&text)
}

/// [`write_indented_json`] appending to `text`, with `pretty` for serde_json's
/// pretty printing: buffers a renderer reuses from report to report, so a
/// report costs one write of output and no allocation.
pub(crate) fn append_indented_json<T: Serialize>(
    text: &mut Vec<u8>,
    pretty: &mut Vec<u8>,
    value: &T,
    indent: usize,
) -> io::Result<()> {
    pretty.clear();
    serde_json::to_writer_pretty(&mut *pretty, value).map_err(io::Error::other)?;
    let mut lines = pretty.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        text.extend_from_slice(first);
    }
    for line in lines {
        text.push(b'\n');
        text.resize(text.len() + indent, b' ');
        text.extend_from_slice(line);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::human::{HumanOptions, HumanRenderer};
    use super::json::JsonRenderer;
    use super::sarif::SarifRenderer;
    use super::*;
    use crate::finding::FindingLabel;
    use proptest::prelude::*;

    fn render_all(result: &ReportResult) -> Vec<String> {
        let renderers: Vec<Box<dyn Renderer>> = vec![
            Box::new(HumanRenderer::new(HumanOptions::default())),
            Box::new(HumanRenderer::new(HumanOptions {
                colour: true,
                width: 60,
                show_unchecked: true,
                show_dismissed: true,
            })),
            Box::new(JsonRenderer::new()),
            Box::new(SarifRenderer::new(Vec::new())),
        ];
        renderers
            .into_iter()
            .map(|mut r| {
                let mut out = Vec::new();
                let mut summary = Summary::default();
                summary.add(result);
                r.start(&mut out).expect("write");
                r.report(&mut out, result).expect("write");
                r.finish(&mut out, &summary).expect("write");
                String::from_utf8(out).expect("UTF-8")
            })
            .collect()
    }

    fn result_with(text: &str, spans: &[(usize, usize)]) -> ReportResult {
        let labels = spans
            .iter()
            .enumerate()
            .map(|(i, &(offset, len))| FindingLabel {
                span: Span::new(offset, len),
                text: format!("label {i}"),
                primary: i == 0,
                place: None,
            })
            .collect();
        ReportResult {
            path: "r.txt".into(),
            outcome: Outcome::Checked(Checked {
                text: text.to_string(),
                base_offset: 0,
                pages: Vec::new(),
                table_rows: Vec::new(),
                body: None,
                year: None,
                findings: vec![Finding {
                    rule: "r".into(),
                    severity: Severity::Error,
                    message: "m".into(),
                    help: None,
                    reference: None,
                    fingerprint: String::new(),
                    review: None,
                    labels,
                }],
                reading: Default::default(),
            }),
        }
    }

    #[test]
    fn locator_clamps_spans_from_elsewhere() {
        let l = Locator::new("一二\n三", 3);
        assert_eq!(l.clamp(Span::new(1, 100)), Span::new(0, 10));
        let loc = l.locate(Span::new(7, 3));
        assert_eq!(
            (loc.offset, loc.line, loc.column, loc.end_line, loc.end_column),
            (10, 2, 1, 2, 2)
        );
        assert_eq!(l.locate(Span::new(usize::MAX, usize::MAX)).length, 0);
    }

    #[test]
    fn crlf_lines_and_edges_render() {
        let text = "第一行\r\n第二行 12\r\n";
        let at = text.find("12").expect("12");
        let out = render_all(&result_with(text, &[(at, 2), (0, 0), (text.len(), 0)]));
        assert!(out[0].contains("r.txt:2:5"), "{}", out[0]);
        assert!(!out[0].contains('\r'));
        assert!(out[2].contains("\"column\": 5"), "{}", out[2]);
    }

    /// Any JSON value, nested a few levels (empty arrays and objects too).
    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
            "[a-z一\n\"\\ ]{0,8}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
                proptest::collection::vec(("[a-z]{0,4}", inner), 0..5)
                    .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// No text and no span (inside, outside or splitting a character)
        /// makes a renderer panic or fail.
        #[test]
        fn renderers_never_panic(
            text in "[a-z一二三\n\r\t 0-9]{0,300}",
            spans in proptest::collection::vec((0usize..400, 0usize..50), 0..4),
        ) {
            let out = render_all(&result_with(&text, &spans));
            prop_assert!(!out[0].contains("Failed to read"), "{}", out[0]);
            for json in &out[2..] {
                prop_assert!(serde_json::from_str::<serde_json::Value>(json).is_ok());
            }
        }

        /// The streaming writer lays JSON out exactly as serde_json's pretty
        /// printer with every later line moved in, as it was first written.
        #[test]
        fn indented_json_is_pretty_json_moved_in(value in json_value(), indent in 0usize..80) {
            let pretty = serde_json::to_string_pretty(&value).expect("serializes");
            let expected = pretty.replace('\n', &format!("\n{}", " ".repeat(indent)));
            let mut out = Vec::new();
            write_indented_json(&mut out, &value, indent).expect("writes");
            prop_assert_eq!(String::from_utf8(out).expect("UTF-8"), expected);
        }

        /// Very long lines are cut around the labels.
        #[test]
        fn long_lines_are_cut(prefix in 150usize..2000, suffix in 150usize..2000) {
            let text = format!("{}总计69{}", "数".repeat(prefix), "字".repeat(suffix));
            let at = text.find("69").expect("69");
            let out = render_all(&result_with(&text, &[(at, 2)]));
            prop_assert!(out[0].lines().all(|l| l.chars().count() < 140), "{}", out[0]);
            prop_assert!(out[0].contains(&format!("r.txt:1:{}", prefix + 3)), "{}", out[0]);
        }
    }
}
