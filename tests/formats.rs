//! Published formats: each text fixture is turned into the web page and the
//! Word file a government site would publish (the template's table with
//! merged header cells, group labels spanning their sub-rows, `<br>` in long
//! labels, entities, styles, scripts), and reading those must give exactly
//! the cells and the rule ids the text gives.

use nianbao_model::{template, CellValue, Report, RowKind, TableSchema};
use nianbao_reader::{read_bytes, read_bytes_as, InputFormat, ReadError};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: &[&str] = &[
    "haiyan-jingxin-2023",
    "jiaxing-jingxin-2022",
    "pinghu-jingxin-2021",
    "sanmen-yanhai-2023",
    "zhenhai-jingxin-2023",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// One cell of a generated table.
struct GCell {
    text: String,
    rowspan: usize,
    colspan: usize,
}

fn cell(text: impl Into<String>) -> GCell {
    GCell {
        text: text.into(),
        rowspan: 1,
        colspan: 1,
    }
}

fn spanned(text: impl Into<String>, rowspan: usize, colspan: usize) -> GCell {
    GCell {
        text: text.into(),
        rowspan,
        colspan,
    }
}

enum Block {
    Para(String),
    Table(Vec<Vec<GCell>>),
}

/// A table as published: header rows built from the template's column
/// groups, labels as printed in the text, values as printed.
fn table_rows(text: &str, report: &Report, id: &str, ts: &TableSchema) -> Vec<Vec<GCell>> {
    let Some(t) = report.tables.get(id) else {
        return Vec::new();
    };
    let printed = |span: nianbao_model::Span| span.slice(text).unwrap_or("").to_string();
    let values = |rid: &str| -> Vec<GCell> {
        let Some(row) = t.rows.get(rid) else {
            return Vec::new();
        };
        row.cells
            .values()
            .map(|c| {
                cell(if c.value == CellValue::Blank {
                    String::new()
                } else {
                    printed(c.span)
                })
            })
            .collect()
    };
    let label = |rid: &str| -> String {
        let rs = ts.row(rid);
        t.rows
            .get(rid)
            .and_then(|r| r.label.as_ref())
            .map(|l| l.text.clone())
            .or_else(|| rs.map(|rs| format!("{}{}", rs.numbering, rs.label)))
            .unwrap_or_default()
    };
    // Header labels as printed, by target; a header the text lacks stays
    // empty, so the page has the text's deviations and findings.
    let header_text = |target: &str, after: usize| -> String {
        t.headers
            .iter()
            .filter(|h| h.target == target && h.span.offset >= after)
            .map(|h| h.text.clone())
            .next()
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    if id == "disclosure" {
        let mut blocks: Vec<&str> = Vec::new();
        for rs in &ts.rows {
            if let Some(b) = rs.block {
                if !blocks.contains(&b) && t.rows.contains_key(rs.id) {
                    blocks.push(b);
                }
            }
        }
        for b in blocks {
            let rows: Vec<_> = ts
                .rows
                .iter()
                .filter(|r| r.block == Some(b) && t.rows.contains_key(r.id))
                .collect();
            let cols: Vec<&str> = rows
                .first()
                .map(|r| ts.row_columns(r).map(|c| c.id).collect())
                .unwrap_or_default();
            let block_at = t
                .headers
                .iter()
                .find(|h| h.target == b)
                .map_or(0, |h| h.span.offset);
            out.push(vec![spanned(header_text(b, 0), 1, cols.len() + 1)]);
            let mut head = vec![cell("信息内容")];
            head.extend(cols.iter().map(|c| cell(header_text(c, block_at))));
            out.push(head);
            for r in rows {
                let mut tr = vec![cell(label(r.id))];
                tr.extend(values(r.id));
                out.push(tr);
            }
        }
        return out;
    }
    // Column header rows from the group tree.
    let path = |c: &nianbao_model::ColumnSchema| {
        let mut p = Vec::new();
        let mut g = c.group;
        while let Some(id) = g {
            p.insert(0, id);
            g = ts.column_group(id).and_then(|cg| cg.parent);
        }
        p
    };
    let depth = ts.columns.iter().map(|c| path(c).len()).max().unwrap_or(0) + 1;
    let labelled = ts
        .rows
        .iter()
        .any(|r| r.kind != RowKind::Data || r.parent.is_some());
    let label_cols = if labelled { 2 } else { 0 };
    let extra = usize::from(id == "requests");
    let mut header: Vec<Vec<GCell>> = (0..depth + extra).map(|_| Vec::new()).collect();
    if label_cols > 0 {
        header[0].push(spanned("", depth + extra, label_cols));
    }
    if extra == 1 {
        header[0].push(spanned("申请人情况", 1, ts.columns.len()));
    }
    for level in 0..depth {
        let mut k = 0;
        while let Some(c) = ts.columns.get(k) {
            let p = path(c);
            if level < p.len() {
                let g = p[level];
                let n = ts.columns[k..]
                    .iter()
                    .take_while(|c| path(c).get(level) == Some(&g))
                    .count();
                header[level + extra].push(spanned(header_text(g, 0), 1, n));
                k += n;
            } else {
                if level == p.len() {
                    // Columns of one name in several groups: the group's own.
                    let after = p
                        .last()
                        .and_then(|g| t.headers.iter().find(|h| h.target == *g))
                        .map_or(0, |h| h.span.offset);
                    header[level + extra].push(spanned(header_text(c.id, after), depth - level, 1));
                }
                k += 1;
            }
        }
    }
    out.extend(header);
    let mut heading_done = false;
    for rs in &ts.rows {
        match rs.kind {
            RowKind::Heading => continue,
            _ if rs.parent.is_some() => continue,
            _ => {}
        }
        if !heading_done && rs.id == "granted" {
            if let Some(h) = ts.rows.iter().find(|r| r.kind == RowKind::Heading) {
                out.push(vec![spanned(
                    header_text(h.id, 0),
                    1,
                    label_cols + ts.columns.len(),
                )]);
                heading_done = true;
            }
        }
        let subs: Vec<_> = ts.sub_rows(rs.id).filter(|s| t.rows.contains_key(s.id)).collect();
        let own_values = t.rows.get(rs.id).is_some_and(|r| !r.cells.is_empty());
        if t.rows.contains_key(rs.id) && (own_values || subs.is_empty()) {
            let mut tr = Vec::new();
            if label_cols > 0 {
                tr.push(spanned(label(rs.id), 1, label_cols));
            }
            tr.extend(values(rs.id));
            out.push(tr);
        }
        for (k, s) in subs.iter().enumerate() {
            let mut tr = Vec::new();
            if k == 0 && !own_values && t.rows.contains_key(rs.id) {
                tr.push(spanned(label(rs.id), subs.len(), 1));
            } else if k == 0 && own_values {
                tr.push(spanned("", subs.len(), 1));
            }
            tr.push(cell(label(s.id)));
            tr.extend(values(s.id));
            out.push(tr);
        }
    }
    out
}

/// The document a site would publish for this text: its paragraphs, and in
/// place of each table the template's table with the text's values.
fn document(text: &str, report: &Report) -> Vec<Block> {
    let ts = template(report.format);
    let mut tables: Vec<(&String, nianbao_model::Span)> =
        report.tables.iter().map(|(id, t)| (id, t.span)).collect();
    tables.sort_by_key(|(_, s)| s.offset);
    let mut blocks = Vec::new();
    let mut at = 0;
    let paras = |blocks: &mut Vec<Block>, s: &str| {
        for line in s.lines() {
            if !line.trim().is_empty() {
                blocks.push(Block::Para(line.trim().to_string()));
            }
        }
    };
    for (id, span) in tables {
        paras(&mut blocks, text.get(at..span.offset).unwrap_or(""));
        if let Some(schema) = ts.table(id) {
            blocks.push(Block::Table(table_rows(text, report, id, schema)));
        }
        at = span.end().max(at);
    }
    paras(&mut blocks, text.get(at..).unwrap_or(""));
    blocks
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A long label wrapped with `<br>` between two CJK characters, as pages
/// wrap labels inside narrow cells.
fn wrapped(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 12 {
        return escape(s);
    }
    let mid = chars.len() / 2;
    match (mid..chars.len() - 1).find(|&k| !chars[k - 1].is_ascii() && !chars[k].is_ascii()) {
        Some(k) => {
            let (a, b): (String, String) = (chars[..k].iter().collect(), chars[k..].iter().collect());
            format!("{}<br>\n{}", escape(&a), escape(&b))
        }
        None => escape(s),
    }
}

fn html(blocks: &[Block]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>政府信息公开</title>\n\
         <style>td { border: 1px solid #000; } p { text-indent: 2em; }</style>\n\
         <script>var s = \"<table><tr><td>一、本年新收政府信息公开申请数量</td><td>99</td></tr></table>\";</script>\n\
         </head>\n<body>\n<!-- 正文 -->\n<div class=\"content\">\n",
    );
    for b in blocks {
        match b {
            Block::Para(p) => out.push_str(&format!("<p style=\"font-family: 仿宋\">{}</p>\n", escape(p))),
            Block::Table(rows) => {
                out.push_str("<table border=\"1\" cellspacing=\"0\">\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for c in row {
                        let mut attrs = String::new();
                        if c.rowspan > 1 {
                            attrs.push_str(&format!(" rowspan=\"{}\"", c.rowspan));
                        }
                        if c.colspan > 1 {
                            attrs.push_str(&format!(" colspan=\"{}\"", c.colspan));
                        }
                        let content = if c.text.is_empty() {
                            "&nbsp;".to_string()
                        } else {
                            format!(
                                "<p align=\"center\"><span style=\"font-size:12px\">{}</span></p>",
                                wrapped(&c.text)
                            )
                        };
                        out.push_str(&format!("\n<td{attrs} valign=\"middle\">{content}</td>"));
                    }
                    out.push_str("\n</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out.push_str("</div>\n</body></html>\n");
    out
}

fn w_para(text: &str) -> String {
    if text.is_empty() {
        return "<w:p/>".to_string();
    }
    format!(
        "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:rFonts w:hint=\"eastAsia\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        escape(text)
    )
}

/// Word's table: a full grid where a cell spanning rows is `vMerge restart`
/// and the cells below it are `vMerge` continuations, and a cell spanning
/// columns has `gridSpan`.
fn w_table(rows: &[Vec<GCell>]) -> String {
    // Per grid column: rows still covered by a cell above, and its width.
    let width = rows
        .iter()
        .map(|r| r.iter().map(|c| c.colspan).sum::<usize>())
        .max()
        .unwrap_or(0)
        + rows
            .iter()
            .map(|r| r.iter().map(|c| c.rowspan).max().unwrap_or(1))
            .max()
            .unwrap_or(1)
            * 4;
    let mut covered: Vec<(usize, usize)> = vec![(0, 0); width];
    let mut out = String::from("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>");
    for row in rows {
        out.push_str("<w:tr>");
        let mut col = 0;
        let mut cells = row.iter();
        loop {
            if let Some((left, span)) = covered.get(col).copied().filter(|(left, _)| *left > 0) {
                out.push_str(&format!(
                    "<w:tc><w:tcPr><w:gridSpan w:val=\"{span}\"/><w:vMerge/></w:tcPr><w:p/></w:tc>"
                ));
                if let Some(c) = covered.get_mut(col) {
                    *c = (left - 1, span);
                }
                col += span;
                continue;
            }
            let Some(c) = cells.next() else { break };
            let mut pr = format!("<w:gridSpan w:val=\"{}\"/>", c.colspan);
            if c.rowspan > 1 {
                pr.push_str("<w:vMerge w:val=\"restart\"/>");
                if let Some(slot) = covered.get_mut(col) {
                    *slot = (c.rowspan - 1, c.colspan);
                }
            }
            out.push_str(&format!("<w:tc><w:tcPr>{pr}</w:tcPr>{}</w:tc>", w_para(&c.text)));
            col += c.colspan;
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

fn docx(blocks: &[Block]) -> Vec<u8> {
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Para(p) => body.push_str(&w_para(p)),
            Block::Table(rows) => body.push_str(&w_table(rows)),
        }
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    let files = [
        ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_string()),
        ("word/document.xml", xml),
    ];
    for (name, content) in files {
        zip.start_file(name, opts).expect("zip entry");
        zip.write_all(content.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

type Cells = BTreeMap<(String, String, String), String>;

fn cells(r: &Report) -> Cells {
    let mut out = BTreeMap::new();
    for (tid, t) in &r.tables {
        for (rid, row) in &t.rows {
            for (cid, c) in &row.cells {
                out.insert(
                    (tid.clone(), rid.to_string(), cid.to_string()),
                    c.value.to_string(),
                );
            }
        }
    }
    out
}

fn rule_ids(r: &Report) -> BTreeSet<String> {
    let rules = nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("builtin rules compile");
    nianbao_engine::eval::evaluate(&rules, r, None)
        .findings
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

/// Every cell span of a report read from `source` holds the printed value.
fn assert_cell_spans(name: &str, r: &Report) {
    r.validate()
        .unwrap_or_else(|e| panic!("{name}: invalid spans: {e:?}"));
    for (tid, t) in &r.tables {
        for (rid, row) in &t.rows {
            for (cid, c) in &row.cells {
                let at = c.span.slice(&r.source.text).unwrap_or("");
                match &c.value {
                    CellValue::Blank => {}
                    v if c.inferred.is_none() => {
                        assert_eq!(at, v.to_string(), "{name}: {tid}.{rid}.{cid} span")
                    }
                    _ => {}
                }
            }
        }
    }
}

struct Published {
    text: Report,
    html: String,
    docx: Vec<u8>,
    blocks: Vec<Block>,
}

impl Published {
    /// The generated tables, in document order: rows of cells.
    fn tables(&self) -> Vec<&Vec<Vec<GCell>>> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(rows) => Some(rows),
                Block::Para(_) => None,
            })
            .collect()
    }
}

fn publish(name: &str) -> Published {
    let text = std::fs::read_to_string(fixture(&format!("{name}.txt"))).expect("fixture");
    publish_text(name, &text)
}

/// The web page and Word file of a report's text.
fn publish_text(name: &str, text: &str) -> Published {
    let text = text.to_string();
    let report = read_bytes(&format!("{name}.txt"), text.as_bytes()).expect("text reads");
    let blocks = document(&text, &report);
    Published {
        html: html(&blocks),
        docx: docx(&blocks),
        text: report,
        blocks,
    }
}

#[test]
fn html_and_docx_give_the_cells_and_rule_ids_of_the_text() {
    for name in FIXTURES {
        let p = publish(name);
        let want = cells(&p.text);
        assert!(want.len() > 50, "{name}: only {} cells in the text", want.len());
        let want_rules = rule_ids(&p.text);

        let html = read_bytes(&format!("{name}.html"), p.html.as_bytes()).expect("html reads");
        assert_eq!(
            html.source.text, p.html,
            "{name}: findings are shown against the page"
        );
        assert_eq!(cells(&html), want, "{name}.html cells");
        assert_eq!(rule_ids(&html), want_rules, "{name}.html rule ids");
        assert_cell_spans(&format!("{name}.html"), &html);

        let docx = read_bytes(&format!("{name}.docx"), &p.docx).expect("docx reads");
        assert_eq!(cells(&docx), want, "{name}.docx cells");
        assert_eq!(rule_ids(&docx), want_rules, "{name}.docx rule ids");
        assert_cell_spans(&format!("{name}.docx"), &docx);
    }
}

/// Each value read from a published table knows the document's own place
/// for it: the table's number in the document and the row's number in the
/// table (as a reader of the page or the Word file counts them), and the
/// places survive JSON.
#[test]
fn html_and_docx_values_know_their_table_and_row() {
    for name in FIXTURES {
        let p = publish(name);
        let generated = p.tables();
        for (format, report) in [
            (
                "html",
                read_bytes(&format!("{name}.html"), p.html.as_bytes()).expect("html"),
            ),
            (
                "docx",
                read_bytes(&format!("{name}.docx"), &p.docx).expect("docx"),
            ),
        ] {
            let mut placed = 0;
            for (tid, table) in &p.text.tables {
                for (rid, row) in &table.rows {
                    for (cid, cell) in &row.cells {
                        if cell.value == CellValue::Blank {
                            continue;
                        }
                        let printed = cell.span.slice(&p.text.source.text).expect("text span");
                        let read = report.tables[tid].rows[rid]
                            .cells
                            .get(cid)
                            .expect("same cells as the text");
                        let Some(place) = report.source.table_row_of(read.span.offset) else {
                            panic!("{name}.{format}: {tid}.{rid}.{cid} has no table row");
                        };
                        let row_cells = generated
                            .get(place.table - 1)
                            .and_then(|rows| rows.get(place.row - 1))
                            .unwrap_or_else(|| panic!("{name}.{format}: no row {place:?}"));
                        assert!(
                            row_cells.iter().any(|c| c.text == printed),
                            "{name}.{format}: {tid}.{rid}.{cid} = {printed:?} placed in {place:?}"
                        );
                        placed += 1;
                    }
                }
            }
            assert!(placed > 50, "{name}.{format}: {placed} values placed");
            let json = serde_json::to_string(&report).expect("to JSON");
            let back = read_bytes(&format!("{name}.json"), json.as_bytes()).expect("JSON validates");
            assert_eq!(back.source.table_rows, report.source.table_rows);
        }
        assert!(
            p.text.source.table_rows.is_empty(),
            "plain text has no tables of its own"
        );
    }
}

/// `nianbao extract` on the published files prints the text's TSV lines
/// (table, row, column, value), and `check` exits as for the text.
#[test]
fn cli_extract_reads_published_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tsv = |path: &Path| -> BTreeSet<String> {
        let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(["extract", path.to_str().expect("UTF-8 path"), "--format", "tsv"])
            .output()
            .expect("run nianbao");
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').take(4).collect::<Vec<_>>().join("\t"))
            .collect()
    };
    let check = |path: &Path| -> Option<i32> {
        Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(["check", path.to_str().expect("UTF-8 path")])
            .output()
            .expect("run nianbao")
            .status
            .code()
    };
    for name in FIXTURES {
        let p = publish(name);
        let html = dir.path().join(format!("{name}.html"));
        let docx = dir.path().join(format!("{name}.docx"));
        std::fs::write(&html, &p.html).expect("write html");
        std::fs::write(&docx, &p.docx).expect("write docx");
        let want = tsv(&fixture(&format!("{name}.txt")));
        assert!(want.len() > 50, "{name}: {} TSV lines", want.len());
        assert_eq!(tsv(&html), want, "{name}.html");
        assert_eq!(tsv(&docx), want, "{name}.docx");
        let code = check(&fixture(&format!("{name}.txt")));
        assert_eq!(check(&html), code, "{name}.html check exit");
        assert_eq!(check(&docx), code, "{name}.docx check exit");
    }
}

/// Damaged files are a clear error naming the format, never a panic, and
/// `nianbao` exits 2 on them.
#[test]
fn damaged_documents_are_clear_errors() {
    let p = publish("haiyan-jingxin-2023");
    let message = |r: Result<Report, ReadError>| match r {
        Ok(_) => panic!("damaged input was read"),
        Err(e) => e.to_string(),
    };
    // A truncated zip: every cut of the Word file.
    for cut in [4, 30, p.docx.len() / 2, p.docx.len() - 10] {
        let m = message(read_bytes("cut.docx", &p.docx[..cut]));
        assert!(m.contains("cut.docx") && m.contains("docx"), "{m}");
    }
    // A zip that is not a Word file.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("a.txt", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    zip.write_all(b"hello").expect("zip write");
    let other = zip.finish().expect("zip").into_inner();
    let m = message(read_bytes("other.zip", &other));
    assert!(
        m.contains("word/document.xml") && m.contains("not a Word file"),
        "{m}"
    );
    // An old binary Word file.
    let mut doc = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    doc.extend_from_slice(&[0; 504]);
    let m = message(read_bytes("old.doc", &doc));
    assert!(m.contains("save it as .docx"), "{m}");
    // Broken XML inside a well-formed zip.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    zip.write_all("<w:document><w:body><w:p><w:t>一、</w:p></w:body>".as_bytes())
        .expect("zip write");
    let broken = zip.finish().expect("zip").into_inner();
    let m = message(read_bytes("broken.docx", &broken));
    assert!(m.contains("not well-formed XML"), "{m}");
    // A page that is markup only, and bytes that are not text.
    let m = message(read_bytes(
        "empty.html",
        b"<html><head><script>x()</script></head><body><table><tr><td></td></tr></table></body></html>",
    ));
    assert!(m.contains("no text"), "{m}");
    let m = message(read_bytes_as(
        "x.html",
        &[0xff, 0xfe, 0x3c],
        Some(InputFormat::Html),
    ));
    // Undecodable bytes are the decoder's error, whatever the format.
    assert!(m.starts_with("x.html: "), "{m}");

    let dir = tempfile::tempdir().expect("tempdir");
    let cut = dir.path().join("cut.docx");
    std::fs::write(&cut, &p.docx[..p.docx.len() / 2]).expect("write");
    for cmd in ["check", "extract"] {
        let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args([cmd, cut.to_str().expect("UTF-8 path")])
            .output()
            .expect("run nianbao");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains("cannot read this docx file"), "{cmd}: {said}");
    }
}

/// The format is chosen by signature, then extension, then content; a
/// given format wins.
#[test]
fn input_format_detection() {
    let p = publish("sanmen-yanhai-2023");
    let d = InputFormat::detect;
    assert_eq!(d("report", &p.docx), InputFormat::Docx);
    assert_eq!(d("report.txt", b"%PDF-1.7\n"), InputFormat::Pdf);
    assert_eq!(d("report", p.html.as_bytes()), InputFormat::Html);
    assert_eq!(d("report.htm", "一、总体情况".as_bytes()), InputFormat::Html);
    assert_eq!(d("report", b"  {\"source\": 1}"), InputFormat::Json);
    assert_eq!(d("report", "<p>一、总体情况</p>".as_bytes()), InputFormat::Html);
    assert_eq!(d("report", "一、总体情况\t1".as_bytes()), InputFormat::Text);
    for f in InputFormat::ALL {
        assert_eq!(f.name().parse::<InputFormat>(), Ok(f));
    }
    assert!("xls".parse::<InputFormat>().is_err());
    // The page's markup read as text is read as text, not rendered as the
    // page: its inline tags are blank, and what it reads is the page's.
    let as_text = read_bytes_as("x.html", p.html.as_bytes(), Some(InputFormat::Text)).expect("text");
    let as_html = read_bytes_as("x", p.html.as_bytes(), Some(InputFormat::Html)).expect("html");
    assert_eq!(cells(&as_html), cells(&p.text));
    assert!(as_text.source.rendered.is_none() && as_html.source.rendered.is_some());
    let page = cells(&p.text);
    assert!(cells(&as_text).iter().all(|(k, v)| page.get(k) == Some(v)));
}

/// What pages do around the numbers: a layout table holding the report
/// table, `<br>` and entities in labels, a row without `</td>`s, a blank
/// cell as `&nbsp;`, a script printing a table, page furniture.
#[test]
fn html_page_details() {
    let page = r#"<html><head><title>报告</title><style>td{}</style></head><body>
<div class="nav">首页 &gt; 政务公开</div>
<table width="100%"><tr><td>
<p>一、总体情况</p><p>本年度&nbsp;共主动公开信息5条。</p>
<p>三、收到和处理政府信息公开申请情况</p>
<table border=1>
<tr><td rowspan=3 colspan=2>&nbsp;</td><td colspan=7>申请人情况</td></tr>
<tr><td rowspan=2>自然人</td><td colspan=5>法人或其他组织</td><td rowspan=2>总计</td></tr>
<tr><td>商业<br>企业<td>科研机构<td>社会公益组织<td>法律服务机构<td>其他</tr>
<tr><td colspan=2>一、本年新收政府信息<br/>公开申请数量</td><td>3</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>&#52;</td></tr>
<script>document.write("<tr><td>二、上年结转政府信息公开申请数量</td><td>9</td></tr>")</script>
<tr><td colspan=2>二、上年结转政府信息公开申请数量<td>0<td>0<td>0<td>0<td>0<td>&nbsp;<span style="DISPLAY: none">7</span><td>0<div hidden>8</div>
</table>
</td></tr></table>
</body></html>"#;
    let r = read_bytes("page.html", page.as_bytes()).expect("reads");
    let cell = |row: &str, col: &str| r.cell("requests", row, col).map(|c| c.value.to_string());
    assert_eq!(cell("new", "natural_person").as_deref(), Some("3"));
    assert_eq!(cell("new", "business").as_deref(), Some("1"));
    assert_eq!(cell("new", "total").as_deref(), Some("4"));
    assert_eq!(cell("carried_over", "other_org").as_deref(), Some(""));
    assert_eq!(cell("carried_over", "total").as_deref(), Some("0"));
    // Spans are the page's bytes: the entity for the total, the label over its <br/>.
    let total = r.cell("requests", "new", "total").expect("total");
    assert_eq!(total.span.slice(page), Some("&#52;"));
    let label = r.tables["requests"].rows["new"].label.as_ref().expect("label");
    assert_eq!(
        label.span.slice(page),
        Some("一、本年新收政府信息<br/>公开申请数量")
    );
    assert_eq!(r.source.text, page);
}

/// Damaged copies of each format — cut anywhere, bytes overwritten — are
/// read or refused, never a crash (a panic here fails the test).
#[test]
fn damaged_copies_never_crash() {
    let p = publish("pinghu-jingxin-2021");
    let pdf = std::fs::read(fixture("hongze-2023.pdf")).expect("pdf");
    let inputs: [(&str, Vec<u8>, InputFormat); 3] = [
        ("x.html", p.html.into_bytes(), InputFormat::Html),
        ("x.docx", p.docx, InputFormat::Docx),
        ("x.pdf", pdf, InputFormat::Pdf),
    ];
    // A small linear congruential generator: the same damage every run.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        usize::try_from(seed >> 33).unwrap_or(0) % n.max(1)
    };
    for (name, bytes, format) in &inputs {
        for _ in 0..12 {
            let cut = next(bytes.len());
            let _ = read_bytes_as(name, &bytes[..cut], Some(*format));
            let mut flipped = bytes.clone();
            for _ in 0..8 {
                let at = next(flipped.len());
                flipped[at] = u8::try_from(next(256)).unwrap_or(0);
            }
            let _ = read_bytes_as(name, &flipped, Some(*format));
        }
    }
}

/// Findings on a published page point at the page's own lines: each
/// finding's primary place as LINE:COL in the HTML and the text there.
#[test]
fn findings_point_into_the_page() {
    let p = publish("haiyan-jingxin-2023");
    let report = read_bytes("haiyan-jingxin-2023.html", p.html.as_bytes()).expect("reads");
    let rules = nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("rules");
    let index = nianbao_model::LineIndex::new(&p.html);
    let mut lines = Vec::new();
    for f in nianbao_engine::eval::evaluate(&rules, &report, None).findings {
        let Some(label) = f.labels.iter().find(|l| l.primary).or(f.labels.first()) else {
            lines.push(format!("{}\t(no place)", f.rule));
            continue;
        };
        let at = index.line_col(label.span.offset);
        let text = label.span.slice(&p.html).expect("span inside the page");
        lines.push(format!("{}\t{}:{}\t{text}", f.rule, at.line, at.column));
    }
    assert!(!lines.is_empty(), "haiyan has findings");
    insta::assert_snapshot!(lines.join("\n"));
}

/// A Word file whose table was typed with tabs (no Word table): each tab
/// is a cell boundary, as in the text export.
#[test]
fn docx_typed_with_tabs() {
    let name = "haiyan-jingxin-2023";
    let text = std::fs::read_to_string(fixture(&format!("{name}.txt"))).expect("fixture");
    let want = cells(&read_bytes("x.txt", text.as_bytes()).expect("text"));
    let body: String = text
        .lines()
        .map(|line| {
            let runs: Vec<String> = line
                .split('\t')
                .map(|part| format!("<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>", escape(part)))
                .collect();
            format!("<w:p>{}</w:p>", runs.join("<w:r><w:tab/></w:r>"))
        })
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    zip.write_all(xml.as_bytes()).expect("zip write");
    let docx = zip.finish().expect("zip").into_inner();
    let report = read_bytes(&format!("{name}.docx"), &docx).expect("reads");
    assert!(want.len() > 50);
    assert_eq!(cells(&report), want);
}

/// Nesting far deeper than any report (a hostile or broken file) is read
/// without exhausting the stack.
#[test]
fn deep_nesting_is_read() {
    let depth = 100_000;
    let page = format!(
        "<html><body><p>一、总体情况</p>{}<p>本年度收到申请3件。</p></body></html>",
        "<div><table><tr><td>".repeat(depth)
    );
    let r = read_bytes("deep.html", page.as_bytes()).expect("reads");
    assert!(r.sections.contains_key("overview"), "{:?}", r.sections.keys());
    let body = format!(
        "<w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p>{}<w:p><w:r><w:t>3</w:t></w:r></w:p>{}",
        "<w:tbl><w:tr><w:tc>".repeat(depth),
        "</w:tc></w:tr></w:tbl>".repeat(depth)
    );
    let xml = format!(
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    zip.write_all(xml.as_bytes()).expect("zip write");
    let docx = zip.finish().expect("zip").into_inner();
    let r = read_bytes("deep.docx", &docx).expect("reads");
    assert!(r.sections.contains_key("overview"), "{:?}", r.sections.keys());
}

/// Pages style words inside a paragraph (`收到申请<span style="…">9</span>件`):
/// narrative rules read the rendered words (tags dropped, entities resolved),
/// and the finding points at the digit in the page. Extracted to JSON, the
/// report keeps its rendering and checks the same.
#[test]
fn narrative_numbers_inside_inline_markup_are_read() {
    let name = "jiaxing-jingxin-2022";
    let text = std::fs::read_to_string(fixture(&format!("{name}.txt"))).expect("fixture");
    let said = "共收到依申请公开事项8件";
    assert!(
        text.contains(said),
        "the fixture's overview says how many requests came in"
    );
    // The table says 8: the narrative now disagrees.
    let text = text.replacen(said, "共收到依申请公开事项9件", 1);
    let as_text = read_bytes(&format!("{name}.txt"), text.as_bytes()).expect("text reads");
    let expected = rule_ids(&as_text);
    assert!(expected.contains("narrative.requests-received"), "{expected:?}");

    let plain_page = html(&document(&text, &as_text));
    let styled = "共收到<b>依申请公开</b>事项<span style=\"color:red\">9</span>&nbsp;件";
    let page = plain_page.replacen("共收到依申请公开事项9件", styled, 1);
    assert_ne!(page, plain_page, "the page has the styled sentence");
    let report = read_bytes(&format!("{name}.html"), page.as_bytes()).expect("page reads");
    report.validate().expect("the page's report is consistent");
    assert_eq!(rule_ids(&report), expected);

    let rules = nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("rules");
    let finding_text = |r: &Report| -> Vec<String> {
        nianbao_engine::eval::evaluate(&rules, r, None)
            .findings
            .into_iter()
            .filter(|f| f.rule == "narrative.requests-received")
            .flat_map(|f| f.labels)
            .filter_map(|l| l.span.slice(&page).map(str::to_string))
            .collect()
    };
    let places = finding_text(&report);
    assert_eq!(places.first().map(String::as_str), Some("9"), "{places:?}");

    // Through JSON, as another tool would hand the report over.
    let json = serde_json::to_string(&report).expect("serialises");
    let back: Report = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back.section_text("overview"), report.section_text("overview"));
    assert!(
        back.section_text("overview")
            .is_some_and(|t| t.contains("事项9 件")),
        "the overview reads as rendered"
    );
    assert_eq!(finding_text(&back), places);
}

/// Findings in a Word file or on a web page name the row of the document's
/// own table they are in — the place its reader can find, since the lines
/// of our text rendering of a .docx are nowhere to be seen — in every
/// output format.
#[test]
fn findings_in_documents_name_their_table_row() {
    let name = "haiyan-jingxin-2023";
    let p = publish(name);
    let dir = tempfile::tempdir().expect("tempdir");
    let (docx, page) = (dir.path().join("r.docx"), dir.path().join("r.html"));
    std::fs::write(&docx, &p.docx).expect("write docx");
    std::fs::write(&page, &p.html).expect("write html");
    let run = |path: &Path, format: &str| -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(["check", "--isolated", "--format", format])
            .arg(path)
            .output()
            .expect("run nianbao");
        // Warnings and notes only: exit 0.
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // Per finding: rule, (table, row) of the primary label, its offset and length.
    type Placed = (String, Option<(u64, u64)>, u64, u64);
    let places = |path: &Path| -> Vec<Placed> {
        let json: serde_json::Value = serde_json::from_str(&run(path, "json")).expect("JSON");
        json["reports"][0]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                let label = &f["labels"][0];
                let row = &label["table_row"];
                let place = row["table"].as_u64().zip(row["row"].as_u64());
                let n = |k: &str| label[k].as_u64().unwrap_or(u64::MAX);
                (
                    f["rule"].as_str().unwrap_or("").to_string(),
                    place,
                    n("offset"),
                    n("length"),
                )
            })
            .collect()
    };
    let generated = p.tables();
    // The .docx's source text is our rendering of it: each placed label's
    // text is in a cell of the row the generator wrote.
    let rendering = read_bytes("r.docx", &p.docx).expect("docx reads").source.text;
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    let in_docx = places(&docx);
    let mut placed = 0;
    for (rule, place, offset, length) in &in_docx {
        let Some((table, row)) = place else { continue };
        let at = usize::try_from(*offset).unwrap_or(usize::MAX);
        let text = rendering
            .get(at..at + usize::try_from(*length).unwrap_or(0))
            .expect("label span");
        let cells = &generated[*table as usize - 1][*row as usize - 1];
        assert!(
            cells.iter().any(|c| squeeze(&c.text).contains(&squeeze(text))),
            "{rule}: {text:?} is not in table {table} row {row}"
        );
        placed += 1;
    }
    // Header wording, missing headers, group rows and row labels: all in tables.
    assert!(
        placed >= 8,
        "{placed} of {} findings placed: {in_docx:?}",
        in_docx.len()
    );
    // The page's findings are in the same rows.
    let in_page: Vec<_> = places(&page)
        .into_iter()
        .map(|(r, place, ..)| (r, place))
        .collect();
    let want: Vec<_> = in_docx.iter().map(|(r, place, ..)| (r.clone(), *place)).collect();
    assert_eq!(in_page, want);

    let (table, row) = in_docx
        .iter()
        .find_map(|(_, place, ..)| *place)
        .expect("a placed finding");
    assert!(run(&docx, "human").contains(&format!("（第 {table} 个表格第 {row} 行）")));
    assert!(run(&docx, "html").contains(&format!(
        "<span class=\"where\">第 {table} 个表格第 {row} 行，第 "
    )));
    let sarif: serde_json::Value = serde_json::from_str(&run(&docx, "sarif")).expect("SARIF");
    let properties =
        &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["properties"];
    assert_eq!(
        (properties["table"].as_u64(), properties["row"].as_u64()),
        (Some(table), Some(row))
    );
    // Plain text has no tables of its own: no `table_row` key.
    assert!(!run(&fixture(&format!("{name}.txt")), "json").contains("\"table_row\""));
}

/// A text export that quotes a stray table tag is still read as the text
/// it is: the markup reading is kept only when it reads more.
#[test]
fn a_stray_table_tag_in_a_text_export_leaves_its_reading_alone() {
    for name in FIXTURES {
        let text = std::fs::read_to_string(fixture(&format!("{name}.txt"))).expect("fixture");
        let quoted = format!("{text}\n附：网页源码中的 <td>单元格</td> 标记\n");
        let plain = read_bytes("plain.txt", text.as_bytes()).expect("reads");
        let with_tag = read_bytes("quoted.txt", quoted.as_bytes()).expect("reads");
        let cells = |r: &Report| -> Vec<(String, String, String, CellValue)> {
            r.tables
                .iter()
                .flat_map(|(t, table)| {
                    table.rows.iter().flat_map(move |(row, r)| {
                        r.cells.iter().map(move |(c, cell)| {
                            (t.to_string(), row.to_string(), c.to_string(), cell.value.clone())
                        })
                    })
                })
                .collect()
        };
        assert_eq!(cells(&plain), cells(&with_tag), "{name}");
        assert!(with_tag.source.rendered.is_none(), "{name}: read as text");
    }
}

/// `nianbao ARGS` (no configuration file); its standard output parsed as JSON.
fn nianbao_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .arg("--isolated")
        .output()
        .expect("run nianbao");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Each finding of a `check --format json` document: fingerprint → (rule,
/// review decision).
fn reviewed_findings(doc: &serde_json::Value) -> BTreeMap<String, (String, String)> {
    doc["reports"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["findings"].as_array().into_iter().flatten())
        .map(|f| {
            (
                f["fingerprint"].as_str().unwrap_or_default().to_string(),
                (
                    f["rule"].as_str().unwrap_or_default().to_string(),
                    f["review"]["decision"].as_str().unwrap_or("open").to_string(),
                ),
            )
        })
        .collect()
}

/// Review decisions belong to findings, not files: decided on the text
/// export, they hold on the same report published as a web page, as a Word
/// file and re-encoded in GBK — every finding keeps its decision, none is
/// stale — and on a report with other findings, none applies.
#[test]
fn review_decisions_survive_reexport_and_reencoding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let review = dir.path().join("review.toml");
    let review = review.to_str().expect("UTF-8 path");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(args)
            .arg("--isolated")
            .output()
            .expect("run nianbao");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for (name, dismiss) in [
        ("haiyan-jingxin-2023", "structure"),
        ("jiaxing-jingxin-2022", "requests.row-total"),
    ] {
        let mut text = std::fs::read_to_string(fixture(&format!("{name}.txt"))).expect("fixture");
        // A consistent report gets a defect: one cell one more than printed.
        let read = read_bytes("r.txt", text.as_bytes()).expect("text reads");
        if let Some(cell) = read.cell("requests", "new", "natural_person") {
            let CellValue::Integer(n) = cell.value else {
                panic!("{name}: not a number")
            };
            text.replace_range(cell.span.offset..cell.span.end(), &(n + 1).to_string());
        }
        let published = publish_text(name, &text);
        let files = [
            (format!("{name}.txt"), text.clone().into_bytes()),
            (format!("{name}.html"), published.html.into_bytes()),
            (format!("{name}.docx"), published.docx),
            (
                format!("{name}-gbk.txt"),
                encoding_rs::GBK.encode(&text).0.into_owned(),
            ),
        ];
        let mut paths = Vec::new();
        for (file, bytes) in &files {
            let path = dir.path().join(file);
            std::fs::write(&path, bytes).expect("write the copy");
            paths.push(path.to_str().expect("UTF-8 path").to_string());
        }
        let txt = paths[0].as_str();
        // Confirm everything, then dismiss one rule's findings.
        run(&["review", "confirm", "--review", review, "--rule", "ALL", txt]);
        run(&[
            "review",
            "dismiss",
            "--review",
            review,
            "--rule",
            dismiss,
            "--reason",
            "表内已注明口径",
            txt,
        ]);
        let want = reviewed_findings(&nianbao_json(&[
            "check", "--format", "json", "--review", review, txt,
        ]));
        assert!(want.len() >= 2, "{name}: {want:?}");
        assert!(
            want.values().all(|(rule, d)| d
                == if rule.starts_with(dismiss) {
                    "dismissed"
                } else {
                    "confirmed"
                }),
            "{name}: {want:?}"
        );
        for other in &paths[1..] {
            let doc = nianbao_json(&["check", "--format", "json", "--review", review, other]);
            assert_eq!(reviewed_findings(&doc), want, "{other}: every decision kept");
            assert!(
                doc["summary"]["stale_decisions"].is_null(),
                "{other}: {}",
                doc["summary"]
            );
            let dismissed = want.values().filter(|(_, d)| d == "dismissed").count();
            assert_eq!(
                doc["summary"]["dismissed"].as_u64(),
                Some(dismissed as u64),
                "{other}"
            );
        }
    }
}
