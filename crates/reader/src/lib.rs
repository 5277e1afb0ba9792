//! # nianbao-reader
//!
//! Turns a report as other tools export it (text from web pages, Word files
//! or PDFs) into a [`nianbao_model::Report`]. It aligns on the template's
//! labels rather than on one layout:
//! 1. [`tokens`]: the text is cut into words, numbers and blank cells with
//!    byte spans, whatever separates cells (tabs, pipes, spaces, one cell per
//!    line); page furniture is skipped;
//! 2. [`sections`]: section headings, numbered or not;
//! 3. [`labels`]: in each table's region, runs of words are matched to the
//!    template's labels (joined over lines and spaces, approximately when
//!    there are typos, with the deviation recorded);
//! 4. [`tables`]: each row label takes the values after it, in column order;
//!    digits that ran together are split by [`flattened`] where the
//!    arithmetic leaves one way; what does not fit is a `Problem`, never a
//!    guess;
//! 5. [`metadata`]: title, body, year, statistics period, publication date.
//!
//! It knows the model's schema; it must not know about rules or findings.
//!
//! Public API used by the CLI — keep these signatures:
//! - [`read_bytes`]: decode a file's bytes ([`decode`]: UTF-8 with or
//!   without BOM, UTF-16 with BOM, GB18030/GBK; empty and binary input are
//!   errors; a JSON `Report` is taken as is after validation) and read it;
//! - [`read_bytes_as`]: the same with the input format given
//!   ([`InputFormat`]: text, JSON, HTML, .docx, PDF with a text layer) or, with `None`, chosen
//!   by extension and content; web pages and Word files are rendered to text
//!   and read by [`read_text`], spans moved back onto the page; a document
//!   in which neither a section nor a table of the template is found is
//!   [`ReadError::NotAnAnnualReport`];
//! - [`read_text`]: read already-decoded text. Never fails: what cannot be
//!   read becomes a `Problem` in the report.

pub mod decode;
#[cfg(test)]
mod fixtures;
pub mod flattened;
mod formats;
mod labels;
mod metadata;
mod sections;
mod tables;
mod tokens;

pub use formats::{read_bytes_as, InputFormat};
use labels::{format_bit, Item, CATALOGUE};
use nianbao_model::{template, Format, Problem, ProblemKind, Report, Section, Span};

/// Why an input could not be read at all.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReadError {
    /// Empty, binary, or in no encoding [`decode`] reads.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Decode(#[from] decode::DecodeError),
    #[error("{name}: JSON that is not a nianbao report: {message}")]
    #[diagnostic(
        code(nianbao::read::json),
        help("JSON input must be a Report as written by `nianbao extract --format json`")
    )]
    NotAReport { name: String, message: String },
    #[error(
        "{name}: not an annual report on government information disclosure: none of the template's \
         section headings or table rows was found"
    )]
    #[diagnostic(
        code("nianbao::read::not-a-report"),
        help(
            "nianbao checks 政府信息公开工作年度报告; if this is one, its text may be an image \
             (a scanned PDF) or the export may have lost its words: export the text again"
        )
    )]
    NotAnAnnualReport { name: String },
    #[error("{name}: invalid report JSON: {}", errors.join("; "))]
    #[diagnostic(code(nianbao::read::invalid_report))]
    InvalidReport { name: String, errors: Vec<String> },
    #[error("{name}: cannot read this {format} file: {message}")]
    #[diagnostic(
        code(nianbao::read::document),
        help("the file may be damaged or truncated; save it again, or export its text")
    )]
    Document {
        name: String,
        format: InputFormat,
        message: String,
    },
}

/// Decode and read one input, its format chosen by the name's extension
/// and the content ([`read_bytes_as`] with no format given).
pub fn read_bytes(name: &str, bytes: &[u8]) -> Result<Report, ReadError> {
    read_bytes_as(name, bytes, None)
}

/// The text of a file's bytes (UTF-8, UTF-16 with a byte-order mark,
/// GB18030/GBK; see [`decode`]).
fn decode<'b>(name: &str, bytes: &'b [u8]) -> Result<std::borrow::Cow<'b, str>, ReadError> {
    Ok(decode::decode(name, bytes)?.text)
}

/// A `Report` as JSON, taken as is after validation.
fn read_json(name: &str, text: &str) -> Result<Report, ReadError> {
    let report: Report = serde_json::from_str(text).map_err(|e| ReadError::NotAReport {
        name: name.to_string(),
        message: e.to_string(),
    })?;
    report.validate().map_err(|errors| ReadError::InvalidReport {
        name: name.to_string(),
        errors,
    })?;
    Ok(report)
}

/// The tokens whose spans start inside `region`.
fn tokens_in(all: &[tokens::Token], region: Span) -> &[tokens::Token] {
    let a = all.partition_point(|t| t.span.offset < region.offset);
    let b = all.partition_point(|t| t.span.offset < region.end());
    all.get(a..b.max(a)).unwrap_or(&[])
}

/// Which format the labels speak: labels only one format has, counted;
/// `None` when no such label was found.
fn detect_format(regions: &[(&str, Vec<Item>)]) -> Option<Format> {
    let (mut v2021, mut v2019) = (0, 0);
    for (table, items) in regions {
        for item in items {
            if let Item::Label { entry, .. } = item {
                if let Some(e) = CATALOGUE.entry(*entry) {
                    if e.table != *table {
                        continue;
                    }
                    if e.formats == format_bit(Format::V2021) {
                        v2021 += 1;
                    } else if e.formats == format_bit(Format::V2019) {
                        v2019 += 1;
                    }
                }
            }
        }
    }
    match (v2021, v2019) {
        (0, 0) => None,
        _ if v2019 > v2021 => Some(Format::V2019),
        _ => Some(Format::V2021),
    }
}

/// Trim trailing white space off a span.
fn trim_end(text: &str, span: Span) -> Span {
    let s = span.slice(text).unwrap_or("");
    Span::new(span.offset, s.trim_end().len())
}

/// Read decoded text.
pub fn read_text(name: &str, text: &str) -> Report {
    let tokens::Scan {
        tokens: all_tokens,
        heads,
    } = tokens::scan(text);
    // Section headings are the same in both formats.
    let tpl = template(Format::V2021);
    let headings = sections::find(text, &heads, Format::V2021);
    let mut problems: Vec<Problem> = Vec::new();

    // Section spans: from a heading to the next one found.
    let mut section_spans: Vec<(usize, Section)> = Vec::new();
    for (k, h) in headings.iter().enumerate() {
        let end = headings.get(k + 1).map_or(text.len(), |n| n.label.span.offset);
        let span = trim_end(text, Span::from_range(h.label.span.offset, end));
        let body = trim_end(text, Span::from_range(h.label.span.end(), end));
        section_spans.push((
            h.index,
            Section {
                heading: Some(h.label.clone()),
                span,
                body,
            },
        ));
    }
    for (index, s) in tpl.sections.iter().enumerate() {
        if !section_spans.iter().any(|(i, _)| *i == index) {
            problems.push(Problem {
                kind: ProblemKind::MissingSection,
                message: format!("没有找到“{}{}”部分（{}）", s.numbering, s.label, s.id),
                span: None,
                section: Some(s.id.to_string()),
                table: None,
                row: None,
                column: None,
                candidates: Vec::new(),
            });
        }
    }

    // Each table's region: its section's body, or, without a heading, the
    // text between the neighbouring sections found.
    let region_of = |index: usize| -> Span {
        if let Some((at, (_, s))) = section_spans.iter().enumerate().find(|(_, (i, _))| *i == index) {
            // To the next heading: blank cells at a table's very end stand
            // in the white space the body is trimmed of.
            let end = section_spans
                .get(at + 1)
                .map_or(text.len(), |(_, n)| n.span.offset);
            return Span::from_range(s.body.offset, end.max(s.body.end()));
        }
        let start = section_spans
            .iter()
            .filter(|(i, _)| *i < index)
            .map(|(_, s)| s.heading.as_ref().map_or(s.span.offset, |h| h.span.end()))
            .next_back()
            .unwrap_or(0);
        let end = section_spans
            .iter()
            .find(|(i, _)| *i > index)
            .map_or(text.len(), |(_, s)| s.span.offset);
        Span::from_range(start, end.max(start))
    };
    let regions: Vec<(&str, Vec<Item>)> = tpl
        .sections
        .iter()
        .enumerate()
        .filter_map(|(index, s)| {
            let table = s.table?;
            let region = region_of(index);
            let toks = tokens_in(&all_tokens, region);
            Some((table, labels::items(text, toks, Some(table))))
        })
        .collect();
    // Tables printed away from their sections speak their format elsewhere.
    let format = detect_format(&regions)
        .or_else(|| {
            let whole: Vec<(&str, Vec<Item>)> = tpl
                .tables
                .iter()
                .map(|t| (t.id, labels::items(text, &all_tokens, Some(t.id))))
                .collect();
            detect_format(&whole)
        })
        .unwrap_or(Format::V2021);

    let mut report = Report::new(name, text, format);
    let ftpl = template(format);
    for (table_id, items) in &regions {
        let Some(schema) = ftpl.table(table_id) else {
            continue;
        };
        let mut table_problems = Vec::new();
        let mut table = tables::read(text, format, schema, items, &report.tables, &mut table_problems);
        if table.is_none() {
            // Not in its section: some exports put every table after the
            // text (a script that prints a Word file's paragraphs, then its
            // tables). Looked for in the whole document instead.
            let mut items = labels::items(text, &all_tokens, Some(table_id));
            // Searched for in the whole document, the table starts at its
            // first label or header that no other table prints: numbers
            // before it are the text's or another table's (a table with no
            // row labels, the review table's, would otherwise open its row
            // at the first number of the report).
            let start = items.iter().position(labels::starts_its_table);
            items.drain(..start.unwrap_or(items.len()));
            let mut anywhere_problems = Vec::new();
            if let Some(t) = tables::read(
                text,
                format,
                schema,
                &items,
                &report.tables,
                &mut anywhere_problems,
            ) {
                table = Some(t);
                table_problems = anywhere_problems;
            } else if section_spans
                .iter()
                .any(|(i, _)| tpl.sections.get(*i).is_some_and(|s| s.table == Some(*table_id)))
            {
                // Its section is there and holds no table the reader can
                // read: printed as an image, or lost on export ("[TABLE]").
                // Not something the reader can say the report lacks.
                for p in &mut table_problems {
                    if p.kind == ProblemKind::MissingTable {
                        p.kind = ProblemKind::TableNotRead;
                        p.message = format!("{table_id}：该部分有标题，但其中没有能读出的表格（可能是图片，或导出时丢失）；表格未读取");
                    }
                }
            }
        }
        problems.append(&mut table_problems);
        if let Some(t) = table {
            report.tables.insert(table_id.to_string(), t);
        }
    }
    // Tables in template order.
    report
        .tables
        .sort_by_cached_key(|id, _| ftpl.tables.iter().position(|t| t.id == id));

    let first_section = section_spans
        .first()
        .map_or(text.len().min(4000), |(_, s)| s.span.offset);
    let overview = section_spans.iter().find(|(i, _)| *i == 0).map(|(_, s)| s.body);
    report.metadata = metadata::read(text, first_section, overview);
    for (index, s) in section_spans {
        if let Some(schema) = ftpl.sections.get(index) {
            report.sections.insert(schema.id.to_string(), s);
        }
    }
    for p in &mut problems {
        if p.section.is_none() {
            p.section = p
                .table
                .as_deref()
                .and_then(|t| ftpl.table(t))
                .map(|t| t.section.to_string());
        }
    }
    report.problems = problems;
    report
}
