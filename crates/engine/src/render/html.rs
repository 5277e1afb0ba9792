//! A self-contained HTML audit page (no network, no external assets): per
//! report its name, body, year and counts, the three tables drawn in the
//! template's own layout (merged headers, group rows) with every cell a
//! finding involves highlighted by severity (colour, an icon and text), and
//! the list of findings with an excerpt of the report. A batch gets an index
//! with per-report counts, sortable with a little script (readable without).
//!
//! All report text is escaped (`html-escape`): a report containing `<script>`
//! is shown, never run. The page parts are public so that `nianbao serve` can
//! draw the same rendering: [`write_page_start`], [`write_report`], [`STYLE`].

use super::{Checked, Locator, Outcome, Renderer, ReportResult, Summary};
use crate::finding::{Finding, ReadingStatus, Severity};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use nianbao_model::schema::{RowKind, RowSchema, TableSchema};
use nianbao_model::{Cell, Report, Span, Table};
use std::io::{self, Write};

/// The page's style sheet.
pub const STYLE: &str = include_str!("html/style.css");
/// Sorting of the index (the page works without it).
const SORT_SCRIPT: &str = include_str!("html/sort.js");

/// Characters of context shown on each side of a finding's excerpt.
const EXCERPT_CONTEXT: usize = 60;
/// Longest marked part of an excerpt, in characters.
const EXCERPT_MARK: usize = 200;

/// Class, icon and Chinese name of a severity: colour is never the only signal.
fn marker(severity: Severity) -> (&'static str, &'static str, &'static str) {
    match severity {
        Severity::Error => ("error", "×", "错误"),
        Severity::Warning => ("warning", "⚠", "警告"),
        Severity::Info => ("info", "☞", "提示"),
    }
}

/// `<!DOCTYPE html>` up to the opening `<body>`, with the style sheet inline.
pub fn write_page_start(out: &mut dyn Write, title: &str) -> io::Result<()> {
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        text(title)
    )
}

/// A message shown as an alert (e.g. why an upload cannot be checked).
pub fn write_alert(out: &mut dyn Write, message: &str) -> io::Result<()> {
    write!(
        out,
        "<div class=\"alert\" role=\"alert\"><p>{}</p></div>",
        text(message)
    )
}

/// Counts per severity: error, warning, info.
fn counts(findings: &[Finding]) -> [usize; 3] {
    let mut c = [0; 3];
    for f in findings.iter().filter(|f| !f.is_dismissed()) {
        c[match f.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        }] += 1;
    }
    c
}

fn write_counts(out: &mut dyn Write, c: [usize; 3]) -> io::Result<()> {
    let sevs = [Severity::Error, Severity::Warning, Severity::Info];
    for (s, n) in sevs.into_iter().zip(c) {
        let (class, icon, name) = marker(s);
        write!(out, "<span class=\"sev {class}\">{icon} {name} {n}</span> ")?;
    }
    Ok(())
}

/// What the index needs of one report.
struct IndexRow {
    anchor: String,
    path: String,
    body: Option<String>,
    year: Option<i32>,
    counts: [usize; 3],
    failed: bool,
    /// Not read whole.
    partly_read: bool,
}

/// Writes one report's `<section id="r{n}">`: heading, counts, tables (when
/// `report` is given) and findings. `n` makes the element ids unique on a
/// page of several reports.
pub fn write_report(
    out: &mut dyn Write,
    n: usize,
    result: &ReportResult,
    report: Option<&Report>,
) -> io::Result<()> {
    write_section(out, n, result, report).map(|_| ())
}

fn write_section(
    out: &mut dyn Write,
    n: usize,
    result: &ReportResult,
    report: Option<&Report>,
) -> io::Result<IndexRow> {
    let anchor = format!("r{n}");
    let body = report.and_then(|r| r.metadata.body.as_ref().map(|b| b.value.clone()));
    let year = report.and_then(|r| r.metadata.year.as_ref().map(|y| y.value));
    let heading = match (&body, year) {
        (Some(b), Some(y)) => format!("{b} {y} 年度报告"),
        (Some(b), None) => b.clone(),
        _ => result.path.clone(),
    };
    write!(
        out,
        "<section class=\"report\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\">\n\
         <h2 id=\"{anchor}-h\">{}</h2>\n<p class=\"meta\">文件：<code>{}</code>",
        text(&heading),
        text(&result.path)
    )?;
    if let Some(b) = &body {
        write!(out, " · 发布机关：{}", text(b))?;
    }
    if let Some(y) = year {
        write!(out, " · 年度：{y}")?;
    }
    if let Some(r) = report {
        write!(out, " · 模板：{}", text(r.format.notice()))?;
    }
    out.write_all(b"</p>\n")?;
    let mut row = IndexRow {
        anchor: anchor.clone(),
        path: result.path.clone(),
        body,
        year,
        counts: [0; 3],
        failed: false,
        partly_read: false,
    };
    let checked = match &result.outcome {
        Outcome::Failed(e) => {
            row.failed = true;
            write!(
                out,
                "<div class=\"alert\" role=\"alert\"><p><strong>无法检查此文件</strong>（<code>{}</code>）：{}</p>",
                text(&e.code),
                text(&e.message)
            )?;
            if let Some(h) = &e.help {
                write!(out, "<p>{}</p>", text(h))?;
            }
            out.write_all(b"</div>\n</section>\n")?;
            return Ok(row);
        }
        Outcome::Checked(c) => c,
    };
    row.counts = counts(&checked.findings);
    row.partly_read = checked.reading.status != ReadingStatus::Complete;
    out.write_all(b"<p class=\"counts\">")?;
    if row.counts == [0; 3] {
        out.write_all("<span class=\"sev ok\">✓ 未发现问题</span>".as_bytes())?;
    } else {
        write_counts(out, row.counts)?;
    }
    out.write_all(b"</p>\n")?;

    let locator = Locator::of(checked);
    let mut audit = Audit {
        anchor: &anchor,
        text: &checked.text,
        findings: &checked.findings,
        locator: &locator,
        first_cell: vec![None; checked.findings.len()],
    };
    match report {
        Some(report) => {
            for tpl in &report.template().tables {
                let section = report.template().section(tpl.section);
                let title = section.map_or(tpl.id.to_string(), |s| format!("{}{}", s.numbering, s.label));
                writeln!(out, "<h3>{}</h3>", text(&title))?;
                match report.tables.get(tpl.id) {
                    Some(table) => {
                        out.write_all(b"<div class=\"table-wrap\">")?;
                        audit.write_table(out, tpl, table, &title)?;
                        out.write_all(b"</div>\n")?;
                    }
                    None => out.write_all("<p class=\"missing\">报告中未找到此表。</p>\n".as_bytes())?,
                }
            }
        }
        None => out.write_all("<p>此输入未给出表格。</p>\n".as_bytes())?,
    }
    audit.write_findings(out)?;
    write_reading(out, &anchor, checked, &locator)?;
    out.write_all(b"</section>\n")?;
    Ok(row)
}

/// How far the report was read: a status line, then what could not be read
/// and the notes on the reading, each with its excerpt, apart from the
/// findings and never counted with them; the rules not checked.
fn write_reading(out: &mut dyn Write, anchor: &str, checked: &Checked, locator: &Locator) -> io::Result<()> {
    let reading = &checked.reading;
    if reading.status == ReadingStatus::Complete && reading.notes.is_empty() {
        return Ok(());
    }
    write!(
        out,
        "<h3 id=\"{anchor}-reading\">读取情况：{}</h3>\n<p class=\"reading\">以下是 nianbao 未能读取或推断读取之处，\
         不是报告的问题，也不计入问题数；请对照原文核对。</p>\n",
        text(reading.status.describe())
    )?;
    let audit = Audit {
        anchor,
        text: &checked.text,
        findings: &[],
        locator,
        first_cell: Vec::new(),
    };
    if !reading.limits.is_empty() || !reading.notes.is_empty() {
        out.write_all(b"<ul class=\"reading\">\n")?;
        for (f, what) in reading
            .limits
            .iter()
            .map(|f| (f, "未能读取"))
            .chain(reading.notes.iter().map(|f| (f, "读取说明")))
        {
            write!(
                out,
                "<li class=\"not-read\"><span class=\"sev not-read\">{what}</span> <code>{}</code> {}",
                text(&f.rule),
                text(&f.message)
            )?;
            if let Some(label) = f.labels.iter().find(|l| l.primary).or(f.labels.first()) {
                audit.write_excerpt(out, label.span, &label.text)?;
            }
            out.write_all(b"</li>\n")?;
        }
        out.write_all(b"</ul>\n")?;
    }
    if !reading.unchecked.is_empty() {
        out.write_all("<p class=\"reading\">因此未检查的规则：</p>\n<ul class=\"unchecked\">\n".as_bytes())?;
        for u in &reading.unchecked {
            writeln!(
                out,
                "<li><code>{}</code> {} 处（未能读取：{}）</li>",
                text(&u.rule),
                u.instances,
                text(&u.unread.join("、"))
            )?;
        }
        out.write_all(b"</ul>\n")?;
    }
    Ok(())
}

/// One report being written: its text, findings, and where each finding's
/// first highlighted cell is (for the link back from the list).
struct Audit<'a> {
    anchor: &'a str,
    text: &'a str,
    findings: &'a [Finding],
    locator: &'a Locator<'a>,
    first_cell: Vec<Option<String>>,
}

/// Whether a finding's label points at `span`: overlapping bytes, or the
/// same place for an empty span (a blank cell).
fn touches(label: Span, span: Span) -> bool {
    if label.len == 0 || span.len == 0 {
        label.offset == span.offset && label.len == span.len
    } else {
        label.offset < span.end() && span.offset < label.end()
    }
}

/// Where the header for template id `target` is printed (its `nth`
/// printing, for headers repeated per block).
fn header_span(table: &Table, target: &str, nth: usize) -> Option<Span> {
    table
        .headers
        .iter()
        .filter(|h| h.target == target)
        .nth(nth)
        .map(|h| h.span)
}

/// Where a table's row sits in the template's layout.
struct RowPlace {
    /// The heading row (三、本年度办理结果) it lies under.
    heading: Option<usize>,
    /// The group row (（三）不予公开) it is a sub-row of.
    group: Option<usize>,
    /// Whether it gets a line of its own.
    line: bool,
}

impl Audit<'_> {
    /// Findings touching `span`, most severe first.
    fn hits(&self, span: Span) -> Vec<(usize, bool)> {
        let mut hits: Vec<(usize, bool)> = self
            .findings
            .iter()
            .enumerate()
            // A dismissed finding marks no cell: the reviewer set it aside.
            .filter(|(_, f)| !f.is_dismissed())
            .filter_map(|(i, f)| {
                let mut primary = None;
                for (k, l) in f.labels.iter().enumerate() {
                    if touches(self.locator.clamp(l.span), span) {
                        let p = primary.unwrap_or(false)
                            || l.primary
                            || (k == 0 && !f.labels.iter().any(|l| l.primary));
                        primary = Some(p);
                    }
                }
                primary.map(|p| (i, p))
            })
            .collect();
        hits.sort_by_key(|&(i, _)| std::cmp::Reverse(self.findings.get(i).map(|f| f.severity)));
        hits
    }

    /// A value or label cell: plain, or highlighted with its findings'
    /// messages on hover and focus and a link to the first of them.
    fn write_cell(
        &mut self,
        out: &mut dyn Write,
        tag: &str,
        id: &str,
        extra: &str,
        span: Option<Span>,
        shown: &str,
    ) -> io::Result<()> {
        let hits = span.map(|s| self.hits(s)).unwrap_or_default();
        let Some(&(first, _)) = hits.first() else {
            return write!(out, "<{tag} id=\"{}\"{extra}>{}</{tag}>", attr(id), text(shown));
        };
        let Some(top) = self.findings.get(first) else {
            return Ok(());
        };
        let (class, icon, name) = marker(top.severity);
        let primary = if hits.iter().any(|&(_, p)| p) {
            " primary"
        } else {
            ""
        };
        for &(i, _) in &hits {
            if let Some(slot) = self.first_cell.get_mut(i) {
                slot.get_or_insert_with(|| id.to_string());
            }
        }
        write!(
            out,
            "<{tag} id=\"{id}\"{extra} class=\"hit {class}{primary}\" data-rules=\"{rules}\">\
             <a href=\"#{anchor}-f{first}\" aria-describedby=\"{id}-tip\">\
             <span class=\"icon\" aria-label=\"{name}\">{icon}</span>{value}</a>\
             <span class=\"tip\" role=\"tooltip\" id=\"{id}-tip\">",
            id = attr(id),
            rules = attr(
                &hits
                    .iter()
                    .filter_map(|&(i, _)| self.findings.get(i).map(|f| f.rule.as_str()))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            anchor = self.anchor,
            value = text(shown),
        )?;
        for &(i, _) in &hits {
            if let Some(f) = self.findings.get(i) {
                let (_, icon, name) = marker(f.severity);
                write!(out, "{icon} {name}：{}<br>", text(&f.message))?;
            }
        }
        write!(out, "</span></{tag}>")
    }

    /// A value cell of the report's table.
    fn write_value(
        &mut self,
        out: &mut dyn Write,
        id: &str,
        cell: Option<&Cell>,
        colspan: usize,
    ) -> io::Result<()> {
        let span_attr = if colspan > 1 {
            format!(" colspan=\"{colspan}\"")
        } else {
            String::new()
        };
        match cell {
            None => write!(
                out,
                "<td id=\"{}\"{span_attr} class=\"missing\" title=\"报告中未读到此格\">—</td>",
                attr(id)
            ),
            Some(cell) => {
                // The value as printed; what the reader made of it otherwise.
                let printed = cell
                    .span
                    .slice(self.text)
                    .filter(|s| !s.trim().is_empty())
                    .map_or_else(|| cell.value.to_string(), str::to_string);
                self.write_cell(out, "td", id, &span_attr, Some(cell.span), &printed)
            }
        }
    }

    fn write_table(
        &mut self,
        out: &mut dyn Write,
        tpl: &TableSchema,
        table: &Table,
        title: &str,
    ) -> io::Result<()> {
        write!(
            out,
            "<table class=\"tpl\" id=\"{}-t-{}\">",
            self.anchor,
            attr(tpl.id)
        )?;
        write!(out, "<caption class=\"skip\">{}</caption>", text(title))?;
        if tpl.rows.iter().any(|r| r.block.is_some()) {
            self.write_block_table(out, tpl, table)?;
        } else {
            self.write_grid_table(out, tpl, table)?;
        }
        out.write_all(b"</table>")
    }

    fn row_label(
        &mut self,
        out: &mut dyn Write,
        tpl: &TableSchema,
        table: &Table,
        row: &RowSchema,
        extra: &str,
    ) -> io::Result<()> {
        let id = format!("{}-{}-{}", self.anchor, tpl.id, row.id);
        let span = table
            .rows
            .get(row.id)
            .and_then(|r| r.label.as_ref())
            .map(|l| l.span);
        let extra = format!(" scope=\"row\"{extra}");
        self.write_cell(
            out,
            "th",
            &id,
            &extra,
            span,
            &format!("{}{}", row.numbering, row.label),
        )
    }

    fn cell_id(&self, tpl: &TableSchema, row: &str, column: &str) -> String {
        format!("{}-{}-{row}-{column}", self.anchor, tpl.id)
    }

    /// Tables whose rows take different columns (主动公开): one block of
    /// rows per article item, each with its own header row.
    fn write_block_table(&mut self, out: &mut dyn Write, tpl: &TableSchema, table: &Table) -> io::Result<()> {
        let width = 1 + tpl
            .rows
            .iter()
            .map(|r| tpl.row_columns(r).count())
            .max()
            .unwrap_or(1);
        let mut block: Option<&str> = None;
        // Blocks so far, and how often each column's header was drawn (the
        // reader keeps each printing of a repeated header in order).
        let mut blocks = 0;
        let mut printed: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        out.write_all(b"<tbody>")?;
        for row in &tpl.rows {
            let columns: Vec<_> = tpl.row_columns(row).collect();
            if row.block != block {
                block = row.block;
                blocks += 1;
                if let Some(b) = block {
                    write!(
                        out,
                        "<tr><th class=\"block\" colspan=\"{width}\" scope=\"rowgroup\">{}</th></tr>",
                        text(b)
                    )?;
                }
                out.write_all("<tr><th scope=\"col\">信息内容</th>".as_bytes())?;
                for (k, c) in columns.iter().enumerate() {
                    let span = if k + 1 == columns.len() {
                        width - columns.len()
                    } else {
                        1
                    };
                    let nth = printed.entry(c.id).or_insert(0);
                    let id = format!("{}-{}-h{blocks}-{}", self.anchor, tpl.id, c.id);
                    let extra = format!(" scope=\"col\" colspan=\"{span}\"");
                    self.write_cell(out, "th", &id, &extra, header_span(table, c.id, *nth), c.label)?;
                    *nth += 1;
                }
                out.write_all(b"</tr>")?;
            }
            out.write_all(b"<tr>")?;
            self.row_label(out, tpl, table, row, "")?;
            for (k, c) in columns.iter().enumerate() {
                let span = if k + 1 == columns.len() {
                    width - columns.len()
                } else {
                    1
                };
                let id = self.cell_id(tpl, row.id, c.id);
                let cell = table.rows.get(row.id).and_then(|r| r.cells.get(c.id));
                self.write_value(out, &id, cell, span)?;
            }
            out.write_all(b"</tr>\n")?;
        }
        out.write_all(b"</tbody>")
    }

    /// Tables with column groups and row groups (申请情况, 复议诉讼): merged
    /// header cells over grouped columns, heading and group labels spanning
    /// the rows under them.
    fn write_grid_table(&mut self, out: &mut dyn Write, tpl: &TableSchema, table: &Table) -> io::Result<()> {
        // Column headers: each column's groups, outermost first.
        let chains: Vec<Vec<&str>> = tpl
            .columns
            .iter()
            .map(|c| {
                let mut chain = Vec::new();
                let mut g = c.group;
                while let Some(id) = g {
                    if chain.contains(&id) {
                        break; // a cycle would be a schema bug; never loop
                    }
                    chain.push(id);
                    g = tpl.column_group(id).and_then(|cg| cg.parent);
                }
                chain.reverse();
                chain
            })
            .collect();
        let header_rows = 1 + chains.iter().map(Vec::len).max().unwrap_or(0);

        // Row places: under a heading, in a group; who gets a line.
        let has_values = |r: &RowSchema| table.rows.get(r.id).is_some_and(|row| !row.cells.is_empty());
        let mut places: Vec<RowPlace> = Vec::with_capacity(tpl.rows.len());
        let mut heading: Option<usize> = None;
        for (i, r) in tpl.rows.iter().enumerate() {
            match r.kind {
                RowKind::Heading => heading = Some(i),
                // A top-level row numbered like a heading ("四、") ends it.
                _ if r.parent.is_none() && !r.numbering.starts_with('（') => heading = None,
                _ => {}
            }
            let group = r.parent.and_then(|p| tpl.rows.iter().position(|g| g.id == p));
            let line = match r.kind {
                RowKind::Heading => false,
                RowKind::Group => has_values(r) || tpl.sub_rows(r.id).next().is_none(),
                RowKind::Data => true,
            };
            places.push(RowPlace {
                heading: if r.kind == RowKind::Heading { None } else { heading },
                group,
                line,
            });
        }
        let has_heading = places.iter().any(|p| p.heading.is_some());
        let has_group = places.iter().any(|p| p.group.is_some());
        let depth = 1 + usize::from(has_heading) + usize::from(has_group);
        // Lines under each heading or group row.
        let lines_under = |k: usize| {
            places
                .iter()
                .enumerate()
                .filter(|(i, p)| {
                    p.line
                        && (p.heading == Some(k)
                            || p.group == Some(k)
                            || (*i == k && tpl.rows.get(k).is_some_and(|r| r.kind == RowKind::Group)))
                })
                .count()
        };

        out.write_all(b"<thead>")?;
        for k in 0..header_rows {
            out.write_all(b"<tr>")?;
            if k == 0 {
                write!(
                    out,
                    "<td class=\"corner\" rowspan=\"{header_rows}\" colspan=\"{depth}\"></td>"
                )?;
            }
            let mut i = 0;
            while let Some(chain) = chains.get(i) {
                match chain.get(k) {
                    Some(g) => {
                        let mut j = i + 1;
                        while chains.get(j).is_some_and(|c| c.get(k) == Some(g)) {
                            j += 1;
                        }
                        let label = tpl.column_group(g).map_or(*g, |cg| cg.label);
                        let id = format!("{}-{}-h-{g}", self.anchor, tpl.id);
                        let extra = format!(" scope=\"colgroup\" colspan=\"{}\"", j - i);
                        self.write_cell(out, "th", &id, &extra, header_span(table, g, 0), label)?;
                        i = j;
                    }
                    None => {
                        if k == chain.len() {
                            if let Some(c) = tpl.columns.get(i) {
                                let id = format!("{}-{}-h-{}", self.anchor, tpl.id, c.id);
                                let extra = format!(" scope=\"col\" rowspan=\"{}\"", header_rows - k);
                                self.write_cell(
                                    out,
                                    "th",
                                    &id,
                                    &extra,
                                    header_span(table, c.id, 0),
                                    c.label,
                                )?;
                            }
                        }
                        i += 1;
                    }
                }
            }
            out.write_all(b"</tr>")?;
        }
        out.write_all(b"</thead>\n<tbody>")?;

        let mut opened: Vec<usize> = Vec::new();
        for (i, (row, place)) in tpl.rows.iter().zip(&places).enumerate() {
            if !place.line {
                continue;
            }
            out.write_all(b"<tr>")?;
            let mut level = 0;
            // Labels of the heading and group over this line, on their first line.
            let own_group =
                (row.kind == RowKind::Group && tpl.sub_rows(row.id).next().is_some()).then_some(i);
            for k in [place.heading, place.group.or(own_group)].into_iter().flatten() {
                level += 1;
                if !opened.contains(&k) {
                    opened.push(k);
                    if let Some(over) = tpl.rows.get(k) {
                        let extra = format!(" rowspan=\"{}\"", lines_under(k).max(1));
                        self.row_label(out, tpl, table, over, &extra)?;
                    }
                }
            }
            let colspan = depth.saturating_sub(level).max(1);
            if own_group.is_some() {
                // A group row that gives numbers of its own: its line is its total.
                write!(out, "<th scope=\"row\" colspan=\"{colspan}\">本项合计</th>")?;
            } else {
                let extra = if colspan > 1 {
                    format!(" colspan=\"{colspan}\"")
                } else {
                    String::new()
                };
                self.row_label(out, tpl, table, row, &extra)?;
            }
            for c in tpl.row_columns(row) {
                let id = self.cell_id(tpl, row.id, c.id);
                let cell = table.rows.get(row.id).and_then(|r| r.cells.get(c.id));
                self.write_value(out, &id, cell, 1)?;
            }
            out.write_all(b"</tr>\n")?;
        }
        out.write_all(b"</tbody>")
    }

    /// The list of findings, each with an excerpt of the report and a link
    /// to its first highlighted cell.
    /// Findings a reviewer dismissed come apart, after the others, in a
    /// list of their own.
    fn write_findings(&self, out: &mut dyn Write) -> io::Result<()> {
        let open = self.findings.iter().filter(|f| !f.is_dismissed()).count();
        if open > 0 {
            write!(
                out,
                "<h3 id=\"{}-findings\">问题清单</h3>\n<ol class=\"findings\">\n",
                self.anchor
            )?;
            self.write_finding_items(out, false)?;
            out.write_all(b"</ol>\n")?;
        }
        if open < self.findings.len() {
            write!(
                out,
                "<h3 id=\"{}-dismissed\">复核已排除（不计入）</h3>\n<ol class=\"findings dismissed\">\n",
                self.anchor
            )?;
            self.write_finding_items(out, true)?;
            out.write_all(b"</ol>\n")?;
        }
        Ok(())
    }

    fn write_finding_items(&self, out: &mut dyn Write, dismissed: bool) -> io::Result<()> {
        let chosen = self
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.is_dismissed() == dismissed);
        for (i, f) in chosen {
            let (class, icon, name) = marker(f.severity);
            let state = f.review.as_ref().map_or("open", |r| r.decision.as_str());
            write!(
                out,
                "<li id=\"{}-f{i}\" class=\"finding {class}\" data-fingerprint=\"{}\" data-review=\"{state}\">\
                 <span class=\"sev {class}\">{icon} {name}</span> <code>{}</code> {}",
                self.anchor,
                attr(&f.fingerprint),
                text(&f.rule),
                text(&f.message)
            )?;
            if let Some(r) = &f.review {
                let by: Vec<&str> = [r.reviewer.as_str(), r.date.as_str()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect();
                write!(
                    out,
                    " <span class=\"review {state}\">{}</span>",
                    r.decision.describe()
                )?;
                out.write_all(b"<p class=\"review-note\">")?;
                write!(out, "复核{}", r.decision.describe())?;
                if !r.reason.is_empty() {
                    write!(out, "：{}", text(&r.reason))?;
                }
                if !by.is_empty() {
                    write!(out, "（{}）", text(&by.join("，")))?;
                }
                out.write_all(b"</p>")?;
            }
            if let Some(cell) = self.first_cell.get(i).and_then(Option::as_ref) {
                write!(out, " <a href=\"#{}\">在表中查看</a>", attr(cell))?;
            }
            if let Some(h) = &f.help {
                write!(out, "<p class=\"help\">建议：{}</p>", text(h))?;
            }
            if let Some(r) = &f.reference {
                write!(out, "<p class=\"ref\">依据：{}</p>", text(r))?;
            }
            let label = f.labels.iter().find(|l| l.primary).or(f.labels.first());
            if let Some(label) = label {
                self.write_excerpt(out, label.span, &label.text)?;
            }
            out.write_all(b"</li>\n")?;
        }
        Ok(())
    }

    /// The lines around `span`, cut to some context, the span marked.
    fn write_excerpt(&self, out: &mut dyn Write, span: Span, label: &str) -> io::Result<()> {
        let span = self.locator.clamp(span);
        let (start, end) = (span.offset, span.end());
        let (Some(before), Some(marked), Some(after)) = (
            self.text.get(..start),
            self.text.get(start..end),
            self.text.get(end..),
        ) else {
            return Ok(());
        };
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_end = after.find('\n').unwrap_or(after.len());
        let lead = before.get(line_start..).unwrap_or("");
        let tail = after.get(..line_end).unwrap_or("");
        let lead: String = {
            let n = lead.chars().count();
            let cut: String = lead.chars().skip(n.saturating_sub(EXCERPT_CONTEXT)).collect();
            if n > EXCERPT_CONTEXT {
                format!("…{cut}")
            } else {
                cut
            }
        };
        let tail: String = {
            let cut: String = tail.chars().take(EXCERPT_CONTEXT).collect();
            if tail.chars().count() > EXCERPT_CONTEXT {
                format!("{cut}…")
            } else {
                cut
            }
        };
        let marked: String = {
            let cut: String = marked.chars().take(EXCERPT_MARK).collect();
            if marked.chars().count() > EXCERPT_MARK {
                format!("{cut}…")
            } else {
                cut
            }
        };
        let at = self.locator.locate(span);
        // A PDF's page, a web page's or Word file's table row, is how its
        // readers find the place; the lines are those of the text we read.
        let place = match super::document_place(at.page, at.table_row) {
            Some(place) => format!("{place}，第 {} 行", at.line),
            None => format!("第 {} 行", at.line),
        };
        write!(
            out,
            "<pre class=\"excerpt\"><span class=\"where\">{place} · {}</span>\n{}<mark>{}</mark>{}</pre>",
            text(label),
            text(lead.trim_start()),
            text(&marked),
            text(tail.trim_end())
        )
    }
}

/// Streams the audit page: one section per report, the index (sortable)
/// and the overall summary at the end, shown first by the style sheet.
#[derive(Default)]
pub struct HtmlRenderer {
    index: Vec<IndexRow>,
}

impl HtmlRenderer {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Renderer for HtmlRenderer {
    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        write_page_start(out, "政府信息公开工作年度报告检查结果")?;
        out.write_all(
            "<a class=\"skip\" href=\"#index\">跳到报告索引</a>\n<h1>政府信息公开工作年度报告检查结果</h1>\n<main>\n"
                .as_bytes(),
        )
    }

    fn report(&mut self, out: &mut dyn Write, result: &ReportResult) -> io::Result<()> {
        self.report_read(out, result, None)
    }

    fn report_read(
        &mut self,
        out: &mut dyn Write,
        result: &ReportResult,
        report: Option<&Report>,
    ) -> io::Result<()> {
        let row = write_section(out, self.index.len() + 1, result, report)?;
        self.index.push(row);
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        out.write_all(
            "<nav id=\"index\" aria-labelledby=\"index-h\">\n<h2 id=\"index-h\">报告索引</h2>\n".as_bytes(),
        )?;
        writeln!(out, "<p>{}</p>", text(&summary.line()))?;
        out.write_all(
            "<table class=\"index sortable\"><thead><tr><th scope=\"col\">报告</th><th scope=\"col\">发布机关</th>\
             <th scope=\"col\">年度</th><th scope=\"col\">× 错误</th><th scope=\"col\">⚠ 警告</th>\
             <th scope=\"col\">☞ 提示</th></tr></thead>\n<tbody>\n"
                .as_bytes(),
        )?;
        for row in &self.index {
            write!(
                out,
                "<tr><td><a href=\"#{}\">{}</a>{}</td><td>{}</td><td class=\"num\">{}</td>",
                row.anchor,
                text(&row.path),
                match (row.failed, row.partly_read) {
                    (true, _) => "（无法检查）",
                    (false, true) => "（未能完整读取）",
                    (false, false) => "",
                },
                text(row.body.as_deref().unwrap_or("")),
                row.year.map(|y| y.to_string()).unwrap_or_default()
            )?;
            for n in row.counts {
                write!(out, "<td class=\"num\">{n}</td>")?;
            }
            out.write_all(b"</tr>\n")?;
        }
        write!(
            out,
            "</tbody></table>\n</nav>\n</main>\n<script>\n{SORT_SCRIPT}</script>\n</body>\n</html>\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::FindingLabel;

    fn page(text: &str, findings: Vec<Finding>) -> String {
        let mut out = Vec::new();
        let mut r = HtmlRenderer::new();
        let result = ReportResult {
            path: "<b>r.txt".into(),
            outcome: Outcome::Checked(Checked {
                text: text.to_string(),
                base_offset: 0,
                pages: Vec::new(),
                table_rows: Vec::new(),
                body: None,
                year: None,
                findings,
                reading: Default::default(),
            }),
        };
        let mut summary = Summary::default();
        summary.add(&result);
        r.start(&mut out).expect("write");
        r.report(&mut out, &result).expect("write");
        r.finish(&mut out, &summary).expect("write");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn excerpts_and_messages_are_escaped() {
        let text = "标题<script>alert(1)</script>\n总计 <img src=x onerror=alert(2)>";
        let at = text.find("<img").expect("img");
        let html = page(
            text,
            vec![Finding {
                rule: "r<x>".into(),
                severity: Severity::Warning,
                message: "值 \"<i>\" 不对".into(),
                help: Some("<script>".into()),
                reference: None,
                fingerprint: String::new(),
                review: None,
                labels: vec![FindingLabel {
                    span: Span::new(at, 5),
                    text: "\"><svg>".into(),
                    primary: true,
                    place: None,
                }],
            }],
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<i>"), "{html}");
        assert!(!html.contains("<svg>"), "{html}");
        assert!(!html.contains("<b>r.txt"), "{html}");
        assert_eq!(
            html.matches("<script>").count(),
            1,
            "only the page's own script: {html}"
        );
        assert!(html.contains("<mark>&lt;img </mark>"), "{html}");
        assert!(html.contains("r&lt;x&gt;"), "{html}");
    }

    /// A report of `format` with a value in every cell (and, with
    /// `group_values`, in group rows too, as older layouts print them).
    fn full_report(format: nianbao_model::Format, group_values: bool) -> Report {
        let mut report = Report::new("r.txt", "", format);
        for tpl in &report.template().tables {
            let rows = tpl
                .rows
                .iter()
                .filter(|r| r.kind == RowKind::Data || (group_values && r.kind == RowKind::Group))
                .map(|r| {
                    let cells = tpl
                        .row_columns(r)
                        .map(|c| {
                            let cell = Cell {
                                value: nianbao_model::CellValue::Integer(1),
                                span: Span::new(0, 0),
                                inferred: None,
                            };
                            (c.id.into(), cell)
                        })
                        .collect();
                    (r.id.into(), nianbao_model::Row { label: None, cells })
                })
                .collect();
            let table = Table {
                span: Span::new(0, 0),
                rows,
                headers: Vec::new(),
            };
            report.tables.insert(tpl.id.to_string(), table);
        }
        report
    }

    /// The number of a `colspan`/`rowspan` attribute in a tag, 1 if absent.
    fn span_attr(tag: &str, name: &str) -> usize {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map_or(1, |n| n.parse().expect("a number"))
    }

    /// Every row of every table is as wide as the others once row and
    /// column spans are laid out: merged headers, heading and group labels
    /// fit the template's grid in both formats.
    #[test]
    fn tables_are_rectangular_grids() {
        for format in nianbao_model::FORMATS {
            for group_values in [false, true] {
                let report = full_report(format, group_values);
                let result = ReportResult {
                    path: "r.txt".into(),
                    outcome: Outcome::Checked(Checked {
                        text: String::new(),
                        base_offset: 0,
                        pages: Vec::new(),
                        table_rows: Vec::new(),
                        body: None,
                        year: None,
                        findings: Vec::new(),
                        reading: Default::default(),
                    }),
                };
                let mut out = Vec::new();
                write_report(&mut out, 1, &result, Some(&report)).expect("write");
                let html = String::from_utf8(out).expect("UTF-8");
                let tables: Vec<&str> = html.split("<table").skip(1).collect();
                assert_eq!(tables.len(), 3, "{html}");
                for table in tables {
                    let table = table.split("</table>").next().unwrap_or("");
                    let mut taken: Vec<Vec<bool>> = Vec::new();
                    for (r, tr) in table.split("<tr>").skip(1).enumerate() {
                        for tag in tr
                            .split('<')
                            .filter(|t| t.starts_with("td") || t.starts_with("th ") || t.starts_with("th>"))
                        {
                            let (cols, rows) = (span_attr(tag, "colspan"), span_attr(tag, "rowspan"));
                            taken.resize_with(taken.len().max(r + rows), Vec::new);
                            let mut c = 0;
                            while taken[r].get(c).copied().unwrap_or(false) {
                                c += 1;
                            }
                            for line in &mut taken[r..r + rows] {
                                line.resize(line.len().max(c + cols), false);
                                for cell in &mut line[c..c + cols] {
                                    assert!(!*cell, "{format} overlapping cells: {table}");
                                    *cell = true;
                                }
                            }
                        }
                    }
                    let widths: Vec<usize> = taken.iter().map(|l| l.iter().filter(|&&t| t).count()).collect();
                    assert!(
                        widths.iter().all(|&w| w == widths[0]),
                        "{format} {group_values}: {widths:?}\n{table}"
                    );
                    assert!(!table.contains("class=\"missing\""), "{table}");
                }
            }
        }
    }

    proptest::proptest! {
        /// No text and no spans (inside, outside or splitting a character,
        /// on a full report's cells or not) make the page panic, and no
        /// markup of the text gets through.
        #[test]
        fn never_panics_and_always_escapes(
            text in "[a-z一二三<>&\"'\n\r\t 0-9]{0,300}",
            spans in proptest::collection::vec((0usize..400, 0usize..50), 0..4),
        ) {
            let labels = spans
                .iter()
                .enumerate()
                .map(|(i, &(offset, len))| FindingLabel {
                    span: Span::new(offset, len),
                    text: format!("<{i}>"),
                    primary: i == 0,
                    place: None,
                })
                .collect();
            let finding = Finding {
                rule: "r".into(),
                severity: Severity::Error,
                message: text.clone(),
                help: None,
                reference: None,
                fingerprint: String::new(),
                review: None,
                labels,
            };
            let result = ReportResult {
                path: text.clone(),
                outcome: Outcome::Checked(Checked { text: text.clone(), base_offset: 0, pages: Vec::new(), table_rows: Vec::new(), body: None, year: None, findings: vec![finding], reading: Default::default() }),
            };
            let mut out = Vec::new();
            write_report(&mut out, 1, &result, Some(&full_report(nianbao_model::Format::V2021, true)))
                .expect("write");
            let html = String::from_utf8(out).expect("UTF-8");
            proptest::prop_assert!(!html.contains("<>") && !html.contains("<0>"), "{}", html);
        }
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let html = page(
            "一二三",
            vec![Finding {
                rule: "r".into(),
                severity: Severity::Error,
                message: "m".into(),
                help: None,
                reference: None,
                fingerprint: String::new(),
                review: None,
                labels: vec![FindingLabel {
                    span: Span::new(1, 100),
                    text: "x".into(),
                    primary: false,
                    place: None,
                }],
            }],
        );
        assert!(html.contains("<mark>一二三</mark>"), "{html}");
    }
}
