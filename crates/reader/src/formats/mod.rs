//! Published formats (web pages, Word files, PDFs) read through the text
//! reader, so every format feeds the same template alignment.
//!
//! Each format's front end ([`html`], [`docx`]) builds the same small
//! document tree ([`Node`]); [`render`] turns it into the text layout the
//! text reader reads best — one line per paragraph, one line per table row
//! with one tab-separated field per cell (merged cells are printed once, so
//! rowspan/colspan/vMerge never shift a row), `<br>` inside a cell joined
//! without breaking the row. Every rendered character remembers the source
//! bytes it came from, so a [`Report`] read from the rendering can be moved
//! back onto the source ([`remap`]). PDFs ([`pdf`]) have no tree: their
//! lines and cells are rebuilt from glyph positions and ruling lines.
//!
//! Where findings are shown: HTML spans point into the page's source (the
//! report's `source.text` is the page); .docx and PDF spans point into the
//! rendering (`source.text` is the rendering).

pub(crate) mod docx;
pub(crate) mod html;
pub(crate) mod pdf;

use crate::{decode, read_json, read_text, ReadError};
use nianbao_model::{DocumentRow, RenderedText, Report, Span};

/// The kinds of input [`read_bytes_as`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Text as exported by other tools (UTF-8).
    Text,
    /// A `Report` as written by `nianbao extract --format json`.
    Json,
    /// A web page.
    Html,
    /// A Word file (Office Open XML).
    Docx,
    /// A PDF with a text layer.
    Pdf,
}

/// File name extensions the readers know: the format each stands for, and
/// whether a directory search takes such files for reports. Markdown, CSV and
/// TSV are read when named, but not searched for: a corpus folder holds notes
/// and `extract`'s own CSV beside the reports.
const EXTENSIONS: [(&str, InputFormat, bool); 12] = [
    ("txt", InputFormat::Text, true),
    ("text", InputFormat::Text, false),
    ("md", InputFormat::Text, false),
    ("tsv", InputFormat::Text, false),
    ("csv", InputFormat::Text, false),
    ("json", InputFormat::Json, true),
    ("html", InputFormat::Html, true),
    ("htm", InputFormat::Html, true),
    ("xhtml", InputFormat::Html, false),
    ("shtml", InputFormat::Html, false),
    ("docx", InputFormat::Docx, true),
    ("pdf", InputFormat::Pdf, true),
];

impl InputFormat {
    /// Every format, with the name `--input-format` takes.
    pub const ALL: [InputFormat; 5] = [
        InputFormat::Text,
        InputFormat::Json,
        InputFormat::Html,
        InputFormat::Docx,
        InputFormat::Pdf,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Text => "text",
            InputFormat::Json => "json",
            InputFormat::Html => "html",
            InputFormat::Docx => "docx",
            InputFormat::Pdf => "pdf",
        }
    }

    /// The format a file name's extension stands for.
    pub fn from_extension(name: &str) -> Option<InputFormat> {
        let ext = std::path::Path::new(name).extension()?.to_str()?;
        EXTENSIONS
            .iter()
            .find(|(e, _, _)| e.eq_ignore_ascii_case(ext))
            .map(|&(_, format, _)| format)
    }

    /// Whether a directory search takes a file with this extension (without
    /// the dot, any case) for a report.
    pub fn is_searched_extension(ext: &str) -> bool {
        EXTENSIONS
            .iter()
            .any(|&(e, _, searched)| searched && e.eq_ignore_ascii_case(ext))
    }

    /// The extensions a directory search takes for reports, for messages.
    pub fn searched_extensions() -> impl Iterator<Item = &'static str> {
        EXTENSIONS
            .iter()
            .filter(|(_, _, searched)| *searched)
            .map(|&(e, _, _)| e)
    }

    /// The format bytes are in: unmistakable signatures (PDF, zip) first,
    /// then the name's extension, then what the text looks like.
    pub fn detect(name: &str, bytes: &[u8]) -> InputFormat {
        if bytes.starts_with(b"%PDF-") {
            return InputFormat::Pdf;
        }
        if bytes.starts_with(b"PK\x03\x04") {
            return InputFormat::Docx;
        }
        if let Some(f) = InputFormat::from_extension(name) {
            return f;
        }
        let head = sniffed_head(bytes.get(..4096).unwrap_or(bytes));
        if head.trim_start().starts_with('{') {
            InputFormat::Json
        } else if html::sniff(&head) {
            InputFormat::Html
        } else {
            InputFormat::Text
        }
    }
}

/// The start of a file as text, for telling JSON and HTML from plain text:
/// UTF-8 (a byte-order mark dropped), or UTF-16 when a byte-order mark says
/// so (Word's and Notepad's "Unicode" files; read as UTF-8, every other byte
/// would be NUL and a JSON or HTML file would pass for text). Lossy: a cut
/// character at the end does not matter here.
fn sniffed_head(head: &[u8]) -> std::borrow::Cow<'_, str> {
    match head {
        [0xFF, 0xFE, rest @ ..] => encoding_rs::UTF_16LE.decode_without_bom_handling(rest).0,
        [0xFE, 0xFF, rest @ ..] => encoding_rs::UTF_16BE.decode_without_bom_handling(rest).0,
        _ => String::from_utf8_lossy(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head)),
    }
}

impl std::fmt::Display for InputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for InputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.to_ascii_lowercase();
        InputFormat::ALL
            .into_iter()
            .find(|f| {
                f.name() == s
                    || (s == "txt" && *f == InputFormat::Text)
                    || (s == "htm" && *f == InputFormat::Html)
            })
            .ok_or_else(|| {
                let names: Vec<&str> = InputFormat::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown input format {s:?} (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// Read one input in `format`, or in the format [`InputFormat::detect`]
/// finds when `None`.
pub fn read_bytes_as(name: &str, bytes: &[u8], format: Option<InputFormat>) -> Result<Report, ReadError> {
    // Old binary Office files (OLE2 compound documents) have no reader.
    if format.is_none() && bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(ReadError::Document {
            name: name.to_string(),
            format: InputFormat::Docx,
            message:
                "an old binary Office file (.doc, .wps, .xls), which is not read: save it as .docx or PDF"
                    .to_string(),
        });
    }
    let chosen = format;
    let format = format.unwrap_or_else(|| InputFormat::detect(name, bytes));
    let fail = |message: String| ReadError::Document {
        name: name.to_string(),
        format,
        message,
    };
    let report = match format {
        InputFormat::Text => {
            let text = decode(name, bytes)?;
            // A page's source saved as text, or tables pasted as markup:
            // read as the page they make when that reads more cells than the
            // text read as text (not a text export quoting a stray tag).
            let as_page = (chosen.is_none() && has_table_markup(&text))
                .then(|| read_html(name, &text, html::parse_text(&text)).ok())
                .flatten();
            let as_text = match inline_html_read_as_text(&text) {
                // Read with the breaks, kept as printed: the same bytes
                // either way, so spans, lines and columns are the file's.
                Some(read_as) => {
                    let mut report = read_text(name, &read_as);
                    report.source.text = text.into_owned();
                    report
                }
                None => read_text(name, &text),
            };
            match as_page {
                Some(page) if cells_read(&page) > cells_read(&as_text) => page,
                _ => as_text,
            }
        }
        InputFormat::Json => return read_json(name, &decode(name, bytes)?),
        InputFormat::Html => {
            let source = decode(name, bytes)?;
            read_html(name, &source, html::parse(&source)).map_err(fail)?
        }
        InputFormat::Docx => {
            let xml = docx::document_xml(bytes).map_err(fail)?;
            let rendering = render(&docx::parse(&xml).map_err(fail)?);
            if rendering.text.trim().is_empty() {
                return Err(fail("the document has no text".to_string()));
            }
            let mut report = read_text(name, &rendering.text);
            report.source.table_rows = rendering.table_rows;
            report
        }
        InputFormat::Pdf => {
            let (text, pages) = pdf::text(bytes).map_err(fail)?;
            let mut report = read_text(name, &text);
            report.source.pages = pages;
            report
        }
    };
    // Neither a section heading nor a table row of the template: this is
    // some other document (minutes, a notice), not a report missing every part.
    let nothing_read = report
        .tables
        .values()
        .all(|t| t.rows.values().all(|r| r.cells.is_empty() && r.label.is_none()));
    if report.sections.is_empty() && nothing_read {
        return Err(ReadError::NotAnAnnualReport {
            name: name.to_string(),
        });
    }
    Ok(report)
}

/// A page read from its markup's tree (`nodes`, parsed from `source`):
/// the rendering read as text, spans mapped back to the page.
fn read_html(name: &str, source: &str, nodes: Vec<Node>) -> Result<Report, String> {
    let rendering = render(&nodes);
    if rendering.text.trim().is_empty() {
        return Err("the page has no text outside its markup".to_string());
    }
    let mut report = read_text(name, &rendering.text);
    remap(&mut report, |s| rendering.to_source(s));
    report.source.table_rows = rendering
        .table_rows
        .iter()
        .map(|row| DocumentRow {
            span: rendering.to_source(row.span),
            ..*row
        })
        .collect();
    report.source.text = source.to_string();
    // Spans point into the page; its words are read from the rendering.
    report.source.rendered = Some(Box::new(RenderedText::from_origins(
        rendering.text,
        rendering.origins,
    )));
    Ok(report)
}

/// How many cells a reading read.
fn cells_read(report: &Report) -> usize {
    report
        .tables
        .values()
        .flat_map(|t| t.rows.values())
        .map(|r| r.cells.len())
        .sum()
}

/// Whether text holds HTML table cells (`<td`), as a page's source does.
fn has_table_markup(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find(bytes, b"<td").is_some() || memchr::memmem::find(bytes, b"<TD").is_some()
}

/// Text whose inline HTML is read as what a browser shows: line breaks
/// (`<br>`, `<br/>`, `<br />`, as PDF-to-markdown converters write them)
/// as breaks — in a markdown table row they break a line inside one cell,
/// so they become spaces (the row stays one row of cells); elsewhere they
/// end the line — and inline elements' tags (`<span style=…>`, `</span>`,
/// `<o:p>`, `<font>` …, as pandoc keeps a Word page's runs in markdown) as
/// nothing: blank, with the line breaks inside them (a tag wrapped in the
/// source is one tag, so a table row written over the lines of its tags
/// is one row again). Each replaced byte becomes one, so every offset stays
/// the file's. `None` without any.
fn inline_html_read_as_text(text: &str) -> Option<String> {
    // One pass for the rare '<' (memchr), then only from each one.
    let from = text.find('<')?;
    let tail = text.get(from..)?;
    let markup = |(at, _): (usize, &str)| {
        tail.get(at..)
            .is_some_and(|s| html_break_len(s) > 0 || inline_tag_len(s) > 0)
    };
    if !tail.match_indices('<').any(markup) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut in_row = false;
    let mut line_start = true;
    let mut rest = text;
    while let Some(at) = rest.find(['<', '\n']) {
        let (before, from_here) = rest.split_at(at);
        if line_start {
            in_row = before.trim_start().starts_with(['|', '｜']);
        }
        if !before.is_empty() {
            line_start = false;
        }
        out.push_str(before);
        if let Some(next_line) = from_here.strip_prefix('\n') {
            out.push('\n');
            line_start = true;
            rest = next_line;
            continue;
        }
        let br = html_break_len(from_here);
        if br > 0 {
            out.push(if in_row { ' ' } else { '\n' });
            out.extend(std::iter::repeat_n(' ', br - 1));
            if !in_row {
                line_start = true;
            }
            rest = &from_here[br..];
            continue;
        }
        let inline = inline_tag_len(from_here);
        if inline > 0 {
            out.extend(std::iter::repeat_n(' ', inline));
            rest = &from_here[inline..];
            continue;
        }
        out.push('<');
        line_start = false;
        rest = &from_here[1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Inline elements whose tags say nothing of the text (how a run is
/// styled), as Word pages write them.
const INLINE_ELEMENTS: [&[u8]; 3] = [b"span", b"o:p", b"font"];

/// The length of the inline element's tag `s` starts with
/// ([`INLINE_ELEMENTS`], any case; quoted attribute values may hold `>` and
/// line breaks), or 0 if none, or if it does not end within 4 096 bytes.
fn inline_tag_len(s: &str) -> usize {
    let b = s.as_bytes();
    let name_at = if b.get(1) == Some(&b'/') { 2 } else { 1 };
    let name_end = b
        .iter()
        .skip(name_at)
        .position(|c| !(c.is_ascii_alphanumeric() || *c == b':'))
        .map_or(b.len(), |n| n + name_at);
    let name = &b[name_at.min(name_end)..name_end];
    let known = INLINE_ELEMENTS.iter().any(|t| name.eq_ignore_ascii_case(t));
    if !known || !matches!(b.get(name_end), Some(b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/')) {
        return 0;
    }
    let mut quote: Option<u8> = None;
    for (i, &c) in b.iter().enumerate().skip(name_end).take(4096) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'>') => return i + 1,
            (None, b'<') => return 0,
            _ => {}
        }
    }
    0
}

/// The length of the HTML line break `s` starts with (0 if none).
fn html_break_len(s: &str) -> usize {
    let b = s.as_bytes();
    if b.len() < 4 || !b[1..3].eq_ignore_ascii_case(b"br") {
        return 0;
    }
    let mut i = 3;
    while i < b.len() && i < 8 && matches!(b[i], b' ' | b'/') {
        i += 1;
    }
    if b.get(i) == Some(&b'>') {
        i + 1
    } else {
        0
    }
}

/// Elements nested deeper than this are read as part of their ancestor at
/// this depth (the tree is walked recursively; no report nests this deep).
pub(crate) const MAX_DEPTH: usize = 200;

/// A node of a published document, whatever its format.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element {
        kind: Kind,
        children: Vec<Node>,
    },
    /// Decoded characters, each with the source bytes it stands for.
    Text(Vec<(char, Span)>),
}

/// What an element means for the rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Starts and ends a line (paragraph, heading, list item, div …).
    Block,
    /// A line break inside a block or a cell.
    Break,
    /// A tab typed in a Word paragraph: a cell boundary outside tables,
    /// a space inside a cell.
    Tab,
    Table,
    /// Row groups (tbody, thead, tfoot): transparent.
    RowGroup,
    Row,
    Cell,
    /// Anything else: its text flows inline.
    Inline,
}

/// The text a document renders to, with each byte's source span.
#[derive(Debug, Default)]
pub(crate) struct Rendering {
    pub text: String,
    /// `(rendered offset, source span)` per character, in order.
    origins: Vec<(usize, Span)>,
    /// Where the last source character ended (for synthetic separators).
    last_source: usize,
    /// Each data table row rendered: its text in the rendering, the
    /// table's number (layout tables, which hold tables, not counted) and
    /// the row's number in it (rows that render empty counted).
    pub table_rows: Vec<DocumentRow>,
    /// Data tables met so far.
    tables: usize,
}

impl Rendering {
    fn push(&mut self, c: char, src: Span) {
        self.origins.push((self.text.len(), src));
        self.text.push(c);
        self.last_source = src.end();
    }

    /// A separator that is not in the source (tab between cells, line end).
    fn push_synthetic(&mut self, c: char) {
        let at = Span::new(self.last_source, 0);
        self.origins.push((self.text.len(), at));
        self.text.push(c);
    }

    fn end_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.push_synthetic('\n');
        }
    }

    /// The source span of the rendered character at byte `offset` (the one
    /// containing it).
    fn origin(&self, offset: usize) -> Option<Span> {
        let i = self.origins.partition_point(|(at, _)| *at <= offset);
        self.origins.get(i.checked_sub(1)?).map(|(_, s)| *s)
    }

    /// A rendered span as a source span: from its first character's source
    /// to its last character's.
    pub fn to_source(&self, span: Span) -> Span {
        let Some(first) = self.origin(span.offset) else {
            return Span::new(0, 0);
        };
        if span.len == 0 {
            return Span::new(first.offset, 0);
        }
        let last = self.origin(span.end().saturating_sub(1)).unwrap_or(first);
        Span::from_range(first.offset, last.end().max(first.offset))
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}'
}

/// Inline text of `nodes` with white space collapsed; breaks (`<br>`,
/// nested blocks) join without a separator between CJK characters and with
/// a space otherwise, so a label wrapped in its cell stays one label.
fn inline_chars(nodes: &[Node], out: &mut Vec<(char, Span)>) {
    for n in nodes {
        match n {
            Node::Text(chars) => {
                for &(c, s) in chars {
                    let c = if is_space(c) || c == '\t' { ' ' } else { c };
                    if c == ' ' && out.last().is_none_or(|(p, _)| *p == ' ') {
                        continue;
                    }
                    out.push((c, s));
                }
            }
            Node::Element {
                kind: Kind::Break, ..
            } => out.push(('\u{0}', Span::new(out.last().map_or(0, |(_, s)| s.end()), 0))),
            Node::Element { kind: Kind::Tab, .. } => {
                out.push(('\t', Span::new(out.last().map_or(0, |(_, s)| s.end()), 0)))
            }
            Node::Element { kind, children } => {
                let block = !matches!(kind, Kind::Inline);
                if block {
                    out.push(('\u{0}', Span::new(out.last().map_or(0, |(_, s)| s.end()), 0)));
                }
                inline_chars(children, out);
                if block {
                    out.push(('\u{0}', Span::new(out.last().map_or(0, |(_, s)| s.end()), 0)));
                }
            }
        }
    }
}

/// Resolve the `\0` break markers of [`inline_chars`] and trim: a break
/// between two CJK characters joins them, any other gap is one space.
/// Tabs are kept where they separate cells (`keep_tabs`), else spaces.
fn join_breaks(chars: Vec<(char, Span)>, keep_tabs: bool) -> Vec<(char, Span)> {
    let mut out: Vec<(char, Span)> = Vec::with_capacity(chars.len());
    // The pending gap: a space as printed (with its span) or a break.
    let mut gap: Option<(bool, Span)> = None;
    for (c, s) in chars {
        if c == '\t' && keep_tabs {
            if !out.is_empty() {
                out.push((c, s));
            }
            gap = None;
            continue;
        }
        let c = if c == '\t' { ' ' } else { c };
        if c == '\u{0}' {
            gap = Some((true, gap.map_or(s, |(_, g)| g)));
            continue;
        }
        if c == ' ' {
            gap = Some((gap.is_some_and(|(b, _)| b), s));
            continue;
        }
        if let (Some((is_break, g)), Some((prev, _))) = (gap, out.last()) {
            if !(is_break && !prev.is_ascii() && !c.is_ascii()) {
                out.push((' ', g));
            }
        }
        gap = None;
        out.push((c, s));
    }
    out
}

fn has_table(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| match n {
        Node::Element {
            kind: Kind::Table, ..
        } => true,
        Node::Element { children, .. } => has_table(children),
        Node::Text(_) => false,
    })
}

/// Rows of a table (through row groups, not into nested tables).
fn rows<'a>(nodes: &'a [Node], out: &mut Vec<&'a [Node]>) {
    for n in nodes {
        if let Node::Element { kind, children } = n {
            match kind {
                Kind::Row => out.push(children),
                Kind::RowGroup => rows(children, out),
                _ => {}
            }
        }
    }
}

fn cells(row: &[Node]) -> impl Iterator<Item = &[Node]> {
    row.iter().filter_map(|n| match n {
        Node::Element {
            kind: Kind::Cell,
            children,
        } => Some(children.as_slice()),
        _ => None,
    })
}

/// Render a document tree.
pub(crate) fn render(nodes: &[Node]) -> Rendering {
    let mut r = Rendering::default();
    let mut line: Vec<(char, Span)> = Vec::new();
    render_into(nodes, &mut r, &mut line);
    flush(&mut r, &mut line);
    r
}

fn flush(r: &mut Rendering, line: &mut Vec<(char, Span)>) {
    let chars = join_breaks(std::mem::take(line), true);
    if chars.is_empty() {
        return;
    }
    r.end_line();
    for (c, s) in chars {
        r.push(c, s);
    }
    r.end_line();
}

fn render_into(nodes: &[Node], r: &mut Rendering, line: &mut Vec<(char, Span)>) {
    for n in nodes {
        match n {
            Node::Text(_) | Node::Element { kind: Kind::Tab, .. } => {
                inline_chars(std::slice::from_ref(n), line)
            }
            Node::Element {
                kind: Kind::Inline,
                children,
            } => render_into(children, r, line),
            Node::Element {
                kind: Kind::Break, ..
            } => flush(r, line),
            Node::Element {
                kind: Kind::Table,
                children,
            } => {
                flush(r, line);
                render_table(children, r);
            }
            // Rows and cells outside a table, and blocks: their own lines.
            Node::Element { children, .. } => {
                flush(r, line);
                render_into(children, r, line);
                flush(r, line);
            }
        }
    }
}

fn render_table(children: &[Node], r: &mut Rendering) {
    let mut table_rows = Vec::new();
    rows(children, &mut table_rows);
    // A table holding tables lays out the page: its cells are blocks.
    if has_table(children) {
        for row in table_rows {
            for cell in cells(row) {
                let mut line = Vec::new();
                render_into(cell, r, &mut line);
                flush(r, &mut line);
            }
        }
        return;
    }
    r.tables += 1;
    for (number, row) in table_rows.into_iter().enumerate() {
        let texts: Vec<Vec<(char, Span)>> = cells(row)
            .map(|cell| {
                let mut chars = Vec::new();
                inline_chars(cell, &mut chars);
                join_breaks(chars, false)
            })
            .collect();
        if texts.iter().all(Vec::is_empty) {
            continue;
        }
        r.end_line();
        let start = r.text.len();
        for (k, chars) in texts.into_iter().enumerate() {
            if k > 0 {
                r.push_synthetic('\t');
            }
            if let Some((_, s)) = chars.first() {
                // An empty cell sits where the next one starts.
                r.last_source = s.offset;
            }
            for (c, s) in chars {
                r.push(c, s);
            }
        }
        r.table_rows.push(DocumentRow {
            span: Span::from_range(start, r.text.len()),
            table: r.tables,
            row: number + 1,
        });
        r.end_line();
    }
}

/// Apply `f` to every span of a report.
pub(crate) fn remap(report: &mut Report, f: impl Fn(Span) -> Span) {
    let m = &mut report.metadata;
    if let Some(s) = m.title.as_mut() {
        s.span = f(s.span);
    }
    if let Some(s) = m.body.as_mut() {
        s.span = f(s.span);
    }
    if let Some(s) = m.year.as_mut() {
        s.span = f(s.span);
    }
    if let Some(s) = m.period.as_mut() {
        s.span = f(s.span);
    }
    if let Some(s) = m.published.as_mut() {
        s.span = f(s.span);
    }
    for s in report.sections.values_mut() {
        s.span = f(s.span);
        s.body = f(s.body);
        if let Some(h) = s.heading.as_mut() {
            h.span = f(h.span);
        }
    }
    for t in report.tables.values_mut() {
        t.span = f(t.span);
        for h in &mut t.headers {
            h.span = f(h.span);
        }
        for row in t.rows.values_mut() {
            if let Some(l) = row.label.as_mut() {
                l.span = f(l.span);
            }
            for c in row.cells.values_mut() {
                c.span = f(c.span);
            }
        }
    }
    for p in &mut report.problems {
        p.span = p.span.map(&f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_reads_as_the_text_it_styles() {
        let text = "| <span style=\"a:b;\n c:'>'\">行政许可</span> | <SPAN>3</SPAN><o:p></o:p> |\n1<br>2 <5 <spanner> </font>";
        let read = inline_html_read_as_text(text).expect("markup");
        assert_eq!(read.len(), text.len());
        // Every tag blank, its wrapped line too; a break outside a row ends
        // the line; what is no inline tag stays.
        let words: Vec<&str> = read.split([' ', '|']).filter(|w| !w.is_empty()).collect();
        assert_eq!(words, ["行政许可", "3", "\n1\n", "2", "<5", "<spanner>"]);
        assert_eq!(read.matches('\n').count(), 2);
        assert_eq!(inline_html_read_as_text("no markup < here"), None);
        // A tag not closed within reach is text.
        let open = format!("<span {}", "x".repeat(5000));
        assert!(inline_html_read_as_text(&open).is_none_or(|r| r.starts_with("<span")));
    }

    #[test]
    fn extensions_name_formats_and_searched_ones_are_a_subset() {
        assert_eq!(InputFormat::from_extension("a/b.PDF"), Some(InputFormat::Pdf));
        assert_eq!(InputFormat::from_extension("b.csv"), Some(InputFormat::Text));
        assert_eq!(InputFormat::from_extension("b.doc"), None);
        assert_eq!(InputFormat::from_extension("README"), None);
        // Read when named, not searched for in directories.
        assert!(!InputFormat::is_searched_extension("csv"));
        assert!(!InputFormat::is_searched_extension("md"));
        assert!(InputFormat::is_searched_extension("Docx"));
        for ext in InputFormat::searched_extensions() {
            assert!(
                InputFormat::from_extension(&format!("r.{ext}")).is_some(),
                "{ext}"
            );
        }
        let searched: Vec<&str> = InputFormat::searched_extensions().collect();
        assert_eq!(searched, ["txt", "json", "html", "htm", "docx", "pdf"]);
    }
}
