//! Rendering a report model as the text that extraction tools produce, in the
//! layouts of the real fixtures (tests/fixtures): tab-separated rows, one cell
//! per line (with blank lines, or tab-indented with wrapped labels), pipe
//! tables with broken rows, space-separated PDF text with vertical labels and
//! page numbers, pdfplumber's pipe tables, and `pdftotext -layout`'s
//! space-aligned columns. Every printed value's byte span
//! is recorded as it is written.

use crate::model::{CellId, Id, ReportModel, TableValues};
use crate::text::{self, Paragraph, Piece, ReviewCounts};
use nianbao_model::{template, RowKind, Span, TableSchema};
use rand::Rng;
use serde::Serialize;

/// A text layout of the tables (and of the prose around them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per line, cells separated by tabs; labels of merged cells on
    /// lines of their own (haiyan).
    Tabs,
    /// One row per line, tabs, merged label cells kept as empty cells (pinghu).
    TabsMerged,
    /// One cell per line, a blank line after each (jiaxing).
    LinesBlank,
    /// One cell per line indented by a tab, rows separated by blank lines,
    /// header and group labels wrapped over lines (zhenhai).
    LinesIndented,
    /// `a | b | c |` rows without the empty cells; long rows broken so that
    /// their last value starts the next line (sanmen).
    Pipes,
    /// PDF text: cells separated by single spaces, long labels wrapped,
    /// 本年度办理结果 printed one character per line, page numbers (hongze pypdf).
    PdfText,
    /// pdfplumber's `| a |  | b |` tables with page numbers between rows (hongze).
    PdfPipes,
    /// `pdftotext -layout`: cells aligned by runs of spaces, values
    /// right-aligned (described in template.md; no fixture shows it yet).
    PdfAligned,
}

/// Every layout the generator can render.
pub const LAYOUTS: [Layout; 8] = [
    Layout::Tabs,
    Layout::TabsMerged,
    Layout::LinesBlank,
    Layout::LinesIndented,
    Layout::Pipes,
    Layout::PdfText,
    Layout::PdfPipes,
    Layout::PdfAligned,
];

impl Layout {
    pub fn id(self) -> &'static str {
        match self {
            Layout::Tabs => "tabs",
            Layout::TabsMerged => "tabs_merged",
            Layout::LinesBlank => "lines_blank",
            Layout::LinesIndented => "lines_indented",
            Layout::Pipes => "pipes",
            Layout::PdfText => "pdf_text",
            Layout::PdfPipes => "pdf_pipes",
            Layout::PdfAligned => "pdf_aligned",
        }
    }

    /// Whether row labels of merged cells share the row's line (as empty
    /// cells where merged) rather than standing on lines of their own.
    fn merged_labels(self) -> bool {
        matches!(
            self,
            Layout::TabsMerged | Layout::LinesIndented | Layout::Pipes | Layout::PdfPipes
        )
    }

    fn is_pdf(self) -> bool {
        matches!(self, Layout::PdfText | Layout::PdfPipes | Layout::PdfAligned)
    }
}

impl std::str::FromStr for Layout {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LAYOUTS.into_iter().find(|l| l.id() == s).ok_or_else(|| {
            let known: Vec<_> = LAYOUTS.iter().map(|l| l.id()).collect();
            format!("unknown layout {s:?}; known: {}", known.join(", "))
        })
    }
}

/// Where a value was printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub cell: CellId,
    pub span: Span,
}

/// A rendered report with the byte spans of what tests and the manifest point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    /// Every printed table value, in the order printed.
    pub cells: Vec<Placement>,
    /// The request count quoted in 总体情况.
    pub received: Option<Span>,
    /// Each table's extent, from its first header to its last value.
    pub tables: Vec<(Id, Span)>,
    /// Where a deleted `requests` row would have been printed.
    pub deleted_row_at: Option<usize>,
}

/// Per-report choices of typography that the template leaves open.
struct Style {
    ascii_parens: bool,
    paren_space: bool,
    sub_separator: &'static str,
    numbered_headings: bool,
    two_line_title: bool,
    web_furniture: bool,
    blank_between_paragraphs: bool,
}

impl Style {
    fn new(rng: &mut impl Rng, layout: Layout) -> Style {
        let web = !layout.is_pdf();
        Style {
            ascii_parens: rng.random_bool(0.4),
            paren_space: rng.random_bool(0.3),
            sub_separator: [".", "、", "．", ". "][rng.random_range(0..4)],
            numbered_headings: !matches!(layout, Layout::Tabs | Layout::LinesBlank) || rng.random_bool(0.7),
            two_line_title: rng.random_bool(0.3),
            web_furniture: web && rng.random_bool(0.5),
            blank_between_paragraphs: !matches!(layout, Layout::Pipes) && !layout.is_pdf(),
        }
    }

    /// Template numbering ("（一）", "1.") in this report's typography.
    fn numbering(&self, numbering: &str) -> String {
        if let Some(inner) = numbering.strip_prefix('（').and_then(|n| n.strip_suffix('）')) {
            let (open, close) = if self.ascii_parens {
                ("(", ")")
            } else {
                ("（", "）")
            };
            let space = if self.paren_space { " " } else { "" };
            format!("{open}{inner}{close}{space}")
        } else if let Some(digits) = numbering.strip_suffix('.') {
            format!("{digits}{}", self.sub_separator)
        } else {
            numbering.to_string()
        }
    }

    fn parens(&self, s: &str) -> String {
        if self.ascii_parens {
            s.replace('（', "(").replace('）', ")")
        } else {
            s.to_string()
        }
    }
}

/// One logical line of a table before layout.
enum Line {
    /// 第二十条第（一）项
    Block(String),
    /// Header cells, "" where a cell is merged into its neighbour.
    Header(Vec<String>),
    /// Label columns (outer to inner, "" where merged) and values.
    Row {
        labels: Vec<String>,
        values: Vec<(CellId, String)>,
    },
    /// A row left out (an injected defect): where it would have been.
    Deleted,
}

struct Out {
    text: String,
    cells: Vec<Placement>,
    received: Option<Span>,
    tables: Vec<(Id, Span)>,
    deleted_row_at: Option<usize>,
    page: u32,
}

impl Out {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn value(&mut self, cell: CellId, s: &str) {
        let offset = self.text.len();
        self.text.push_str(s);
        self.cells.push(Placement {
            cell,
            span: Span::new(offset, s.len()),
        });
    }

    fn page_number(&mut self) {
        self.page += 1;
        let page = self.page;
        self.push(&format!("- {page} -\n"));
    }
}

/// Header labels of narrow columns, which extraction often splits in two.
const NARROW_HEADERS: [&str; 6] = [
    "商业企业",
    "科研机构",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
];

/// Split a narrow column's header label in two ("商业企业" → "商业<sep>企业").
fn wrap4(label: &str, sep: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    if NARROW_HEADERS.contains(&label) {
        let (a, b) = chars.split_at(2);
        format!(
            "{}{sep}{}",
            a.iter().collect::<String>(),
            b.iter().collect::<String>()
        )
    } else {
        label.to_string()
    }
}

fn group_by_block(schema: &TableSchema) -> Vec<(&'static str, Vec<&nianbao_model::RowSchema>)> {
    let mut blocks: Vec<(&'static str, Vec<&nianbao_model::RowSchema>)> = Vec::new();
    for r in &schema.rows {
        let block = r.block.unwrap_or_default();
        match blocks.last_mut() {
            Some((b, rows)) if *b == block => rows.push(r),
            _ => blocks.push((block, vec![r])),
        }
    }
    blocks
}

fn cell_values(table: &TableValues, row: Id) -> Vec<(CellId, String)> {
    table
        .row(row)
        .map(|r| {
            r.cells
                .iter()
                .map(|(c, v)| {
                    (
                        CellId {
                            table: table.id,
                            row,
                            column: c,
                        },
                        v.to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn disclosure_lines(model: &ReportModel, style: &Style) -> Vec<Line> {
    let Some(schema) = template(model.format).table("disclosure") else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for (block, rows) in group_by_block(schema) {
        lines.push(Line::Block(style.parens(block)));
        let header_columns = rows
            .first()
            .map(|r| schema.row_columns(r).map(|c| c.label).collect::<Vec<_>>());
        let mut header = vec!["信息内容".to_string()];
        header.extend(header_columns.unwrap_or_default().iter().map(|l| style.parens(l)));
        lines.push(Line::Header(header));
        for r in rows {
            lines.push(Line::Row {
                labels: vec![r.label.to_string()],
                values: cell_values(&model.disclosure, r.id),
            });
        }
    }
    lines
}

const REQUESTS_NOTE: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

fn requests_lines(model: &ReportModel, style: &Style, merged: bool) -> Vec<Line> {
    let Some(schema) = template(model.format).table("requests") else {
        return Vec::new();
    };
    let pad = if merged { 3 } else { 1 };
    let empty = |n: usize| std::iter::repeat_n(String::new(), n);
    let header = |lead: Vec<String>, rest: &[&str]| {
        let mut cells = lead;
        cells.extend(rest.iter().map(|s| s.to_string()));
        Line::Header(cells)
    };
    let org: Vec<&str> = schema.group_columns("org").map(|c| c.label).collect();
    let mut lines = vec![
        header(
            std::iter::once(style.parens(REQUESTS_NOTE))
                .chain(empty(pad - 1))
                .collect(),
            &["申请人情况"],
        ),
        header(
            empty(pad).collect(),
            &["自然人", "法人或其他组织", "", "", "", "", "总计"],
        ),
        header(
            empty(pad + 1).collect(),
            &org.iter().copied().chain(std::iter::once("")).collect::<Vec<_>>(),
        ),
    ];
    let mut pending_heading: Option<String> = None;
    let mut pending_group: Option<String> = None;
    for r in &schema.rows {
        let label = format!("{}{}", style.numbering(r.numbering), r.label);
        match r.kind {
            RowKind::Heading => pending_heading = Some(label),
            RowKind::Group if model.requests.row(r.id).is_none() => pending_group = Some(label),
            _ if model.deleted_row == Some(r.id) => lines.push(Line::Deleted),
            _ => {
                let level = if r.parent.is_some() {
                    2
                } else if r.numbering.starts_with('（') {
                    1
                } else {
                    0
                };
                let mut labels = vec![String::new(); 3];
                if let Some(slot) = labels.get_mut(level) {
                    *slot = label;
                }
                if let (Some(h), Some(slot)) = (pending_heading.take(), labels.get_mut(0)) {
                    *slot = h;
                }
                if let (Some(g), Some(slot)) = (pending_group.take(), labels.get_mut(1)) {
                    *slot = g;
                }
                lines.push(Line::Row {
                    labels,
                    values: cell_values(&model.requests, r.id),
                });
            }
        }
    }
    lines
}

fn review_lines(model: &ReportModel) -> Vec<Line> {
    let parts = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut h1 = s(&["行政复议", "", "", "", "", "行政诉讼"]);
    h1.extend(std::iter::repeat_n(String::new(), 9));
    let mut h2 = s(&parts);
    h2.extend(s(&[
        "未经复议直接起诉",
        "",
        "",
        "",
        "",
        "复议后起诉",
        "",
        "",
        "",
        "",
    ]));
    let mut h3 = vec![String::new(); 5];
    h3.extend(s(&parts));
    h3.extend(s(&parts));
    let values = model
        .review
        .rows
        .first()
        .map(|r| cell_values(&model.review, r.id))
        .unwrap_or_default();
    vec![
        Line::Header(h1),
        Line::Header(h2),
        Line::Header(h3),
        Line::Row {
            labels: Vec::new(),
            values,
        },
    ]
}

/// The labels a flat layout prints: every non-empty one, the last on the
/// row's own line.
fn flat_labels(labels: &[String]) -> (Vec<&str>, Option<&str>) {
    let mut present: Vec<&str> = labels
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect();
    let own = present.pop();
    (present, own)
}

fn wrap_label(label: &str, width: usize) -> String {
    let chars: Vec<char> = label.chars().collect();
    if chars.len() <= width + 4 {
        return label.to_string();
    }
    let (a, b) = chars.split_at(width);
    format!(
        "{}\n{}",
        a.iter().collect::<String>(),
        b.iter().collect::<String>()
    )
}

fn emit_table(out: &mut Out, rng: &mut impl Rng, layout: Layout, table: Id, lines: &[Line]) {
    let start = out.text.len();
    let header_wrap = match (layout, table) {
        (Layout::LinesIndented, "requests") => Some("\n\n"),
        (Layout::LinesIndented, "review") | (Layout::PdfText, "requests" | "review") => Some("\n"),
        (Layout::Pipes, "requests" | "review") => Some(" "),
        _ => None,
    };
    let wrap_header = |c: &str| header_wrap.map_or_else(|| c.to_string(), |sep| wrap4(c, sep));
    for line in lines {
        if layout.is_pdf() && rng.random_bool(0.04) {
            out.page_number();
        }
        match line {
            Line::Deleted => out.deleted_row_at = Some(out.text.len()),
            Line::Block(b) => match layout {
                Layout::Tabs | Layout::TabsMerged => out.push(&format!("{b}\t\t\t\n")),
                Layout::LinesBlank => out.push(&format!("{b}\n\n")),
                Layout::LinesIndented => out.push(&format!("\t{b}\n\n")),
                Layout::Pipes => out.push(&format!("{b} | |||\n")),
                Layout::PdfText | Layout::PdfAligned => out.push(&format!("{b}\n")),
                Layout::PdfPipes => out.push(&format!("| {b} |  |  |  |\n")),
            },
            Line::Header(cells) => match layout {
                Layout::Tabs | Layout::TabsMerged => out.push(&format!("{}\n", cells.join("\t"))),
                Layout::LinesBlank => {
                    for c in cells.iter().filter(|c| !c.is_empty()) {
                        out.push(&format!("{c}\n\n"));
                    }
                }
                Layout::LinesIndented => {
                    // Leading empty cells stay (as "\t" lines); merged cells after them do not.
                    let lead = cells.iter().take_while(|c| c.is_empty()).count();
                    for c in cells
                        .iter()
                        .enumerate()
                        .filter(|(i, c)| *i < lead || !c.is_empty())
                    {
                        out.push(&format!("\t{}\n", wrap_header(c.1)));
                    }
                    out.push("\n");
                }
                Layout::Pipes => {
                    let present: Vec<String> = cells
                        .iter()
                        .filter(|c| !c.is_empty())
                        .map(|c| wrap_header(c))
                        .collect();
                    let gaps = cells.len() - present.len();
                    out.push(&format!("{} |{}\n", present.join(" | "), "|".repeat(gaps)));
                }
                Layout::PdfText if table == "disclosure" => out.push(&format!("{}\n", cells.join(" "))),
                Layout::PdfText => {
                    for c in cells.iter().filter(|c| !c.is_empty()) {
                        let c = if c.chars().count() > 28 {
                            wrap_label(c, 26)
                        } else {
                            wrap_header(c)
                        };
                        out.push(&format!("{c}\n"));
                    }
                }
                Layout::PdfPipes => out.push(&format!("| {} |\n", cells.join(" | "))),
                Layout::PdfAligned => {
                    let present: Vec<&str> = cells
                        .iter()
                        .map(String::as_str)
                        .filter(|c| !c.is_empty())
                        .collect();
                    out.push(&format!("{}\n", present.join("    ")));
                }
            },
            Line::Row { labels, values } => emit_row(out, rng, layout, labels, values),
        }
    }
    out.tables.push((table, Span::from_range(start, out.text.len())));
}

fn emit_values(out: &mut Out, values: &[(CellId, String)], before: &str, after: &str) {
    for (cell, v) in values {
        out.push(before);
        out.value(*cell, v);
        out.push(after);
    }
}

/// `label<sep>v<sep>v…`, or `v<sep>v…` for a row without a label.
fn emit_joined(out: &mut Out, label: Option<&str>, values: &[(CellId, String)], sep: &str) {
    if let Some(l) = label {
        out.push(l);
    }
    for (i, (cell, v)) in values.iter().enumerate() {
        if i > 0 || label.is_some() {
            out.push(sep);
        }
        out.value(*cell, v);
    }
}

fn emit_row(
    out: &mut Out,
    rng: &mut impl Rng,
    layout: Layout,
    labels: &[String],
    values: &[(CellId, String)],
) {
    let (label_lines, own) = flat_labels(labels);
    match layout {
        Layout::Tabs => {
            for l in label_lines {
                out.push(&format!("{l}\n"));
            }
            emit_joined(out, own, values, "\t");
            out.push("\n");
        }
        Layout::TabsMerged => {
            let joined = labels.join("\t");
            emit_joined(out, (!labels.is_empty()).then_some(joined.as_str()), values, "\t");
            out.push("\n");
        }
        Layout::LinesBlank => {
            for l in label_lines.iter().chain(own.iter()) {
                out.push(&format!("{l}\n\n"));
            }
            emit_values(out, values, "", "\n\n");
        }
        Layout::LinesIndented => {
            let inner_present = labels.last().is_some_and(|l| !l.is_empty());
            // Empty label cells before a label stay (as "\t" lines), after the last one not.
            let used = labels.iter().rposition(|l| !l.is_empty()).map_or(0, |i| i + 1);
            for (i, l) in labels.iter().take(used).enumerate() {
                // A group label merged over its sub-rows wraps in its narrow cell.
                let l = if i == 1 && inner_present && !l.is_empty() {
                    wrap_group_label(l)
                } else {
                    l.clone()
                };
                out.push(&format!("\t{l}\n"));
            }
            emit_values(out, values, "\t", "\n");
            out.push("\n");
        }
        Layout::Pipes => {
            let present: Vec<&str> = labels
                .iter()
                .map(String::as_str)
                .filter(|l| !l.is_empty())
                .collect();
            let long = present.iter().map(|l| l.chars().count()).sum::<usize>() > 30;
            for l in &present {
                out.push(&format!("{l} | "));
            }
            let broken = long && rng.random_bool(0.5);
            let (last, first) = values.split_last().map_or((None, values), |(l, f)| (Some(l), f));
            let mut emitted = 0;
            for (cell, v) in first {
                out.value(*cell, v);
                out.push(" | ");
                emitted += 1;
            }
            if let Some((cell, v)) = last {
                if broken {
                    out.text.pop(); // the space after the last " |"
                    out.push("\n");
                    out.value(*cell, v);
                    out.push(" | |\n");
                    return;
                }
                out.value(*cell, v);
                out.push(" |");
                emitted += 1;
            }
            let gaps = (labels.len() + values.len()).saturating_sub(present.len() + emitted);
            out.push(&format!("{}\n", "|".repeat(gaps.min(2))));
        }
        Layout::PdfText => {
            for l in label_lines {
                if l.ends_with("本年度办理结果") {
                    for c in l.chars() {
                        out.push(&format!("{c}\n"));
                    }
                } else {
                    out.push(&format!("{}\n", wrap_label(l, 20)));
                }
            }
            let wrapped = own.map(|l| wrap_label(l, 20));
            emit_joined(out, wrapped.as_deref(), values, " ");
            out.push("\n");
        }
        Layout::PdfAligned => {
            for l in label_lines {
                out.push(&format!("{l}\n"));
            }
            let label = own.unwrap_or_default();
            out.push(label);
            // Labels padded to a common column (CJK characters are two columns wide).
            let width: usize = label.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
            let pad = if label.is_empty() {
                0
            } else {
                72usize.saturating_sub(width).max(2)
            };
            out.push(&" ".repeat(pad));
            for (i, (cell, v)) in values.iter().enumerate() {
                let field = if label.is_empty() && i == 0 { v.len() } else { 8 };
                out.push(&" ".repeat(field.saturating_sub(v.len()).max(usize::from(i > 0))));
                out.value(*cell, v);
            }
            out.push("\n");
        }
        Layout::PdfPipes => {
            out.push("|");
            for l in labels {
                out.push(&format!(" {l} |"));
            }
            emit_values(out, values, " ", " |");
            out.push("\n");
        }
    }
}

/// "（三）不予公开" → "（三）\n\n不予\n\n公开": a merged group cell in a narrow column.
fn wrap_group_label(label: &str) -> String {
    let split = label
        .char_indices()
        .find(|(_, c)| *c == '）' || *c == ')')
        .map_or(0, |(i, c)| i + c.len_utf8());
    let (numbering, rest) = label.split_at(split);
    let chunks: Vec<String> = rest
        .trim()
        .chars()
        .collect::<Vec<_>>()
        .chunks(2)
        .map(|c| c.iter().collect())
        .collect();
    let mut parts = Vec::new();
    if !numbering.trim().is_empty() {
        parts.push(numbering.trim().to_string());
    }
    parts.extend(chunks);
    parts.join("\n\n")
}

fn emit_paragraph(out: &mut Out, layout: Layout, paragraph: &Paragraph) {
    // PDF text is hard-wrapped and puts spaces around numbers ("申请 21 件").
    let width = if layout.is_pdf() { Some(30) } else { None };
    let mut column = 0usize;
    let newline_if_full = |out: &mut Out, column: &mut usize, next: usize| {
        if let Some(w) = width {
            if *column > 0 && *column + next > w {
                out.push("\n");
                *column = 0;
            }
        }
    };
    for piece in paragraph {
        match piece {
            Piece::Breakable(s) => {
                let mut previous_digit = false;
                for c in s.chars() {
                    let digit = c.is_ascii_digit();
                    if !(digit && previous_digit) {
                        newline_if_full(out, &mut column, 1);
                    }
                    out.text.push(c);
                    column += 1;
                    previous_digit = digit;
                }
            }
            Piece::Whole(s) => {
                newline_if_full(out, &mut column, s.chars().count());
                out.push(s);
                column += s.chars().count();
            }
            Piece::Received(n) => {
                let digits = n.to_string();
                let space = if layout.is_pdf() { " " } else { "" };
                newline_if_full(out, &mut column, digits.len() + 2 * space.len());
                out.push(space);
                let offset = out.text.len();
                out.push(&digits);
                out.received = Some(Span::new(offset, digits.len()));
                out.push(space);
                column += digits.len() + 2 * space.len();
            }
        }
    }
    out.push("\n");
}

fn review_counts(model: &ReportModel) -> ReviewCounts {
    let get = |c: &str| model.review.get("cases", c).map_or(0, |v| v.cents() / 100);
    ReviewCounts {
        reconsideration: get("reconsideration.total"),
        litigation: get("litigation_direct.total") + get("litigation_after.total"),
    }
}

/// Render a model in a layout. The prose is drawn from `rng` too, so the same
/// model, layout and generator state give the same bytes.
pub fn render(model: &ReportModel, layout: Layout, rng: &mut impl Rng) -> Rendered {
    let style = Style::new(rng, layout);
    let mut out = Out {
        text: String::new(),
        cells: Vec::new(),
        received: None,
        tables: Vec::new(),
        deleted_row_at: None,
        page: 0,
    };
    let year = model.year;
    let body = &model.body;
    let paragraph_gap = if style.blank_between_paragraphs { "\n" } else { "" };

    if style.web_furniture {
        out.push("首页\n> 政务公开 > 政府信息公开 > 政府信息公开年度报告\n\n");
    }
    if layout.is_pdf() {
        out.page_number();
    }
    let title_tail = if rng.random_bool(0.8) {
        "年度政府信息公开工作年度报告"
    } else {
        "年政府信息公开工作年度报告"
    };
    let title_break = if style.two_line_title { "\n" } else { "" };
    out.push(&format!(
        "{}{title_break}{year}{title_tail}\n{paragraph_gap}",
        body.name
    ));
    if style.web_furniture {
        let day = rng.random_range(5..=28);
        out.push(&format!(
            "发布日期：{}-01-{day:02} 09:30 信息来源：{} 浏览次数：\n{paragraph_gap}",
            year + 1,
            body.name
        ));
    }
    emit_paragraph(&mut out, layout, &text::intro(body, year));
    out.push(paragraph_gap);

    let tpl = template(model.format);
    let merged = layout.merged_labels();
    for section in &tpl.sections {
        let numbering = if style.numbered_headings {
            section.numbering
        } else {
            ""
        };
        out.push(&format!("{numbering}{}\n{paragraph_gap}", section.label));
        let paragraphs = match section.id {
            "overview" => text::overview(rng, model, &review_counts(model)),
            "problems" => text::problems(rng),
            "other" => text::other(rng, body, year),
            _ => Vec::new(),
        };
        for p in &paragraphs {
            emit_paragraph(&mut out, layout, p);
            out.push(paragraph_gap);
        }
        let lines = match section.table {
            Some("disclosure") => disclosure_lines(model, &style),
            Some("requests") => requests_lines(model, &style, merged),
            Some("review") => review_lines(model),
            _ => continue,
        };
        if let Some(table) = section.table {
            emit_table(&mut out, rng, layout, table, &lines);
        }
        out.push(paragraph_gap);
    }
    if layout.is_pdf() {
        out.page_number();
    }
    Rendered {
        text: out.text,
        cells: out.cells,
        received: out.received,
        tables: out.tables,
        deleted_row_at: out.deleted_row_at,
    }
}
