//! Layouts real reports come in that no tool of the exporter matrix makes
//! (issue 19), built from the matrix's documents in both template formats:
//! each variant is the text nianbao renders a CMS page to (tab-separated
//! rows, read exactly), laid out again as those reports are, and must be
//! read exactly: every cell its truth, no error on a consistent report.

mod check_support;

use check_support::truth::{score_bytes, truth, Place, Score};
use nianbao_model::{CellValue, Decimal, Report};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The two reports of the matrix with every cell printed, one per format.
const REPORTS: [&str; 2] = ["r1-v2021", "r3-v2019"];

fn dir(report: &str) -> PathBuf {
    check_support::fixtures_dir().join("exporters").join(report)
}

/// A report's CMS page as nianbao renders it, the page read, and its truth.
fn base(name: &str) -> (String, Report, BTreeMap<Place, Option<Decimal>>) {
    let path = dir(name).join("cms.html");
    let bytes = std::fs::read(&path).expect("cms.html");
    let read = nianbao_reader::read_bytes(&path.display().to_string(), &bytes).expect("the page reads");
    let text = read
        .source
        .rendered
        .as_ref()
        .expect("a page is rendered")
        .text
        .clone();
    let report = nianbao_reader::read_text("rendered", &text);
    (text, report, truth(&dir(name)))
}

/// Reads `text` as file `name` and asserts it is read exactly. With
/// `REAL_LAYOUTS_OUT=DIR`, the variant is written there to be looked at.
fn check(what: &str, name: &str, text: &str, truth: &BTreeMap<Place, Option<Decimal>>) {
    assert_exact(what, &score_variant(what, name, text, truth));
}

/// The score of `text` read as file `name`; with `REAL_LAYOUTS_OUT=DIR`,
/// the variant is written there to be looked at.
fn score_variant(what: &str, name: &str, text: &str, truth: &BTreeMap<Place, Option<Decimal>>) -> Score {
    if let Some(out) = std::env::var_os("REAL_LAYOUTS_OUT") {
        let file = format!("{}-{name}", what.replace([' ', '"', '\\', '\n'], "_"));
        std::fs::write(PathBuf::from(out).join(file), text).expect("the variant is written");
    }
    score_bytes(name, text.as_bytes(), truth)
}

fn assert_exact(what: &str, s: &Score) {
    assert!(
        s.exact(),
        "{what}: right {}/{}, not read {}, wrong {:?}, silent {:?}, errors {:?}, failed {:?}",
        s.right,
        s.cells,
        s.not_read,
        s.wrong,
        s.silent,
        s.errors,
        s.failed
    );
}

/// Every cell read right or reported not read: no wrong value, none
/// silently missing, no error on the consistent report.
fn assert_never_wrong(what: &str, s: &Score) {
    assert!(
        s.wrong.is_empty() && s.silent.is_empty() && s.errors.is_empty(),
        "{what}: wrong {:?}, silent {:?}, errors {:?}",
        s.wrong,
        s.silent,
        s.errors
    );
}

/// The cells of every other row of each table but the review table (its
/// one row carries no label) that print 0: the zeros a report leaves
/// empty. Their offsets in the text, and the truth with them empty.
fn blank_some_zeros(
    report: &Report,
    truth: &BTreeMap<Place, Option<Decimal>>,
) -> (BTreeSet<usize>, BTreeMap<Place, Option<Decimal>>) {
    blank_zeros(report, truth, false)
}

/// [`blank_some_zeros`], and with `review` the review row's zeros too.
fn blank_zeros(
    report: &Report,
    truth: &BTreeMap<Place, Option<Decimal>>,
    review: bool,
) -> (BTreeSet<usize>, BTreeMap<Place, Option<Decimal>>) {
    let mut offsets = BTreeSet::new();
    let mut truth = truth.clone();
    for (t, table) in &report.tables {
        let is_review = t.as_str() == "review";
        if is_review && !review {
            continue;
        }
        for (k, (r, row)) in table.rows.iter().enumerate() {
            if k % 2 == 1 && !is_review {
                continue;
            }
            for (c, cell) in &row.cells {
                if cell.value == CellValue::Integer(0) {
                    offsets.insert(cell.span.offset);
                    truth.insert((t.to_string(), r.to_string(), c.to_string()), None);
                }
            }
        }
    }
    assert!(offsets.len() > 20, "{} zeros blanked", offsets.len());
    (offsets, truth)
}

/// The fields of a tab-separated line, each with its offset in the text.
fn fields(line: &str, at: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = at;
    for f in line.split('\t') {
        out.push((offset, f));
        offset += f.len() + 1;
    }
    out
}

/// The lines of `text` with their offsets.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut at = 0;
    text.split_inclusive('\n')
        .map(|l| {
            let line = (at, l.trim_end_matches('\n'));
            at += l.len();
            line
        })
        .collect()
}

/// `text` laid out again: each table line (tab-separated) as `table_line`
/// writes it from its offset and text, every other line copied and ended
/// with `end`.
fn relayout(text: &str, end: &str, mut table_line: impl FnMut(usize, &str, &mut String)) -> String {
    let mut out = String::new();
    for (at, line) in lines(text) {
        if line.contains('\t') {
            table_line(at, line, &mut out);
        } else {
            out.push_str(line);
            out.push_str(end);
        }
    }
    out
}

fn is_value(field: &str) -> bool {
    let f = field.trim();
    !f.is_empty()
        && f.trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
}

/// One cell per line, an empty cell an empty line (a table copied cell by
/// cell, or a Word table saved as plain text): no line stands between
/// cells but the cells' own.
#[test]
fn one_cell_per_line_with_empty_lines_for_empty_cells() {
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_some_zeros(&report, &truth);
        let out = relayout(&text, "\n", |at, line, out| {
            for (offset, f) in fields(line, at) {
                if !blanked.contains(&offset) {
                    out.push_str(f);
                }
                out.push('\n');
            }
        });
        check(r, "cells.txt", &out, &truth);
    }
}

/// The page's source saved as text, and a page whose article is HTML in a
/// JavaScript string (`\"` escapes, `\n` line ends, `&nbsp;` cells).
#[test]
fn html_markup_in_a_text_file() {
    for r in ["r1-v2021", "r2-v2021", "r3-v2019", "r4-v2019"] {
        let page = std::fs::read_to_string(dir(r).join("cms.html")).expect("cms.html");
        let truth = truth(&dir(r));
        check(&format!("{r} source"), "page.txt", &page, &truth);
        let body = page
            .split_once("<body>")
            .and_then(|(_, b)| b.split_once("</body>"))
            .map(|(b, _)| b)
            .expect("a body");
        let escaped = body
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        let script = format!(
            "<html><head><title>年报</title></head><body><div id=\"app\"></div>\n<script>\nvar article = {{\"title\": \"政府信息公开工作年度报告\", \"content\": \"{escaped}\"}};\nrender(article);\n</script></body></html>\n"
        );
        check(&format!("{r} script"), "page.txt", &script, &truth);
    }
}

/// The application table as PDF-to-markdown converters print it: header
/// cells cut into fragments, row labels floated above rows of numbers, a
/// row's last number alone on a later line, a page number inside the table,
/// a label wrapped in its cell around the grid line of its numbers.
#[test]
fn pdf_to_markdown_fragments() {
    for r in REPORTS {
        let (text, _, truth) = base(r);
        let mut out = String::new();
        let mut in_requests = false;
        let mut k = 0;
        for (_, line) in lines(&text) {
            if line.contains("申请人情况") {
                in_requests = true;
                out.push_str(
                    "|  |  | 申请人情况 |  |  |  |  |  |  |\n|---|---|---|---|---|---|---|---|---|\n",
                );
                out.push_str("|  |  | 自然人 | 法人或其他组织 |  |  |  |  | 总计 |\n");
                out.push_str("|  |  |  | 商业企 | 科研机 | 社会公 | 法律服 | 其他 |  |\n");
                out.push_str("|  |  |  | 业 | 构 | 益组织 | 务机构 |  |  |\n");
                continue;
            }
            if !in_requests || !line.contains('\t') {
                if in_requests && !line.trim().is_empty() && !line.contains('\t') {
                    in_requests = false;
                }
                if !in_requests {
                    out.push_str(line);
                    out.push('\n');
                }
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let (labels, values): (Vec<&str>, Vec<&str>) = f.iter().partition(|f| !is_value(f));
            if values.is_empty() {
                continue; // the header lines, printed above in fragments
            }
            k += 1;
            let label = labels.join(" ");
            match k % 6 {
                // The label floated above a row of numbers only.
                1 => out.push_str(&format!("{label}\n|  |  | {} |\n", values.join(" | "))),
                // The last number alone on a later line.
                2 => {
                    let (last, rest) = values.split_last().expect("values");
                    out.push_str(&format!("| {label} |  | {} |  |\n\n{last}\n", rest.join(" | ")));
                }
                // A page's number between rows.
                3 => out.push_str(&format!("| {label} |  | {} |\n\n— 4 —\n\n", values.join(" | "))),
                // A label wrapped in its cell: its first line on a line of
                // the grid with every other cell empty, the numbers on the
                // next line, after empty label cells, the rest of the label
                // on the line after.
                4 if label.chars().count() >= 10 => {
                    let cut = label
                        .char_indices()
                        .nth(label.chars().count() * 2 / 3)
                        .map_or(0, |(i, _)| i);
                    let (first, rest) = label.split_at(cut);
                    let empty = vec![""; values.len()].join(" | ");
                    out.push_str(&format!("|  | {first} | {empty} |\n"));
                    out.push_str(&format!("|  |  | {} |\n", values.join(" | ")));
                    out.push_str(&format!("|  | {rest} | {empty} |\n"));
                }
                _ => out.push_str(&format!("| {label} |  | {} |\n", values.join(" | "))),
            }
        }
        check(r, "pdf.md", &out, &truth);
    }
}

/// An OCR or language-model transcript: each row of the application table
/// its own small table under invented headers, placeholder tables, the
/// real header row repeated in the middle.
#[test]
fn ocr_transcript_with_a_table_per_row() {
    for r in REPORTS {
        let (text, _, truth) = base(r);
        let mut out = String::new();
        let mut rows = 0;
        let mut header: Vec<String> = Vec::new();
        for (_, line) in lines(&text) {
            let f: Vec<&str> = line.split('\t').collect();
            let values = f.iter().filter(|f| is_value(f)).count();
            let requests_row = values == 7 && f.len() >= 8;
            if !requests_row {
                if line.contains("商业企业") || line.contains("自然人") {
                    header.push(format!("| {} |", f.join(" | ")));
                }
                out.push_str(line);
                out.push('\n');
                continue;
            }
            rows += 1;
            let labels = f.len() - 7;
            let head: Vec<String> = (0..labels)
                .map(|i| {
                    if i == 0 {
                        "类别".to_string()
                    } else {
                        "项目".to_string()
                    }
                })
                .chain((1..=6).map(|i| format!("数据{i}")))
                .chain(["总计".to_string()])
                .collect();
            out.push_str(&format!("\n| {} |\n", head.join(" | ")));
            out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
            out.push_str(&format!("| {} |\n", f.join(" | ")));
            if rows == 4 {
                out.push_str("\n| - | - |\n|---|---|\n| - | - |\n");
            }
            if rows == 10 {
                out.push('\n');
                for h in &header {
                    out.push_str(h);
                    out.push('\n');
                }
            }
        }
        assert!(rows > 20, "{r}: {rows} rows");
        check(r, "ocr.md", &out, &truth);
    }
}

/// A disclosure cell that says more than its number ("22（其中修订16件）"),
/// on one line and over two.
#[test]
fn disclosure_cells_with_a_note() {
    for r in REPORTS {
        let (text, report, truth) = base(r);
        // The first disclosure row with a number above 0 in its last cell.
        let cell = report
            .tables
            .get("disclosure")
            .and_then(|t| {
                t.rows.values().find_map(|row| {
                    let c = row.cells.values().last()?;
                    matches!(c.value, CellValue::Integer(n) if n > 0).then_some(c.span)
                })
            })
            .expect("a disclosure cell above 0");
        for note in ["（其中修订1件）", "\n（其中修订1件）"] {
            let mut out = text.clone();
            out.insert_str(cell.end(), note);
            check(&format!("{r} {note:?}"), "note.txt", &out, &truth);
        }
    }
}

/// Whether a table line's fields open with a label (not a value, not empty).
fn opens_with_label(fields: &[&str]) -> bool {
    fields.first().is_some_and(|l| !l.is_empty() && !is_value(l))
}

/// A table line's fields with the blanked ones emptied.
fn fields_blanked<'a>(line: &'a str, at: usize, blanked: &BTreeSet<usize>) -> Vec<&'a str> {
    fields(line, at)
        .into_iter()
        .map(|(offset, f)| if blanked.contains(&offset) { "" } else { f })
        .collect()
}

/// A markdown pipe table as PDF and HTML converters write one: every empty
/// cell kept between its bars, the review row's zeros empty too, and a
/// label cell spanning two grid columns on every third row (an empty field
/// after the label, as a merged cell leaves in the grid).
#[test]
fn pipe_table_with_spanned_label_columns_and_empty_cells() {
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_zeros(&report, &truth, true);
        let mut rows = 0;
        let out = relayout(&text, "\n", |at, line, out| {
            let mut f = fields_blanked(line, at, &blanked);
            let labelled = opens_with_label(&f);
            if labelled && f.iter().any(|v| is_value(v) || v.is_empty()) {
                rows += 1;
                if rows % 3 == 0 {
                    f.insert(1, "");
                }
            }
            out.push_str(&format!("| {} |\n", f.join(" | ")));
        });
        check(r, "pipes.md", &out, &truth);
    }
}

/// One cell per line with the empty cells kept as lines of no-break
/// spaces (a page's `&nbsp;` cells, as BeautifulSoup's and PyMuPDF's text
/// print them), with no line and with two empty lines between cells; and
/// after each table, past a line more than between cells, an empty
/// paragraph of a no-break space (Word's `<p>&nbsp;</p>`), no cell of it.
#[test]
fn one_cell_per_line_with_no_break_space_cells() {
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_zeros(&report, &truth, true);
        for gap in ["\n", "\n\n\n"] {
            for paragraph_after in [false, true] {
                let mut out = String::new();
                let mut in_table = false;
                for (at, line) in lines(&text) {
                    if line.contains('\t') {
                        for f in fields_blanked(line, at, &blanked) {
                            out.push_str(if f.is_empty() { "\u{a0}" } else { f });
                            out.push_str(gap);
                        }
                    } else {
                        if in_table && paragraph_after {
                            out.push_str("\n\u{a0}");
                            out.push_str(gap);
                        }
                        out.push_str(line);
                        out.push_str(gap);
                    }
                    in_table = line.contains('\t');
                }
                check(
                    &format!("{r} {gap:?} {paragraph_after}"),
                    "nbsp.txt",
                    &out,
                    &truth,
                );
            }
        }
    }
}

/// A text browser's box-drawn grid (w3m): a row's label wrapped over
/// several lines in a narrow column, its numbers on the middle one, every
/// line drawn with all the row's fields, rules between rows, zeros empty.
#[test]
fn box_drawn_grid_with_wrapped_labels() {
    const WIDTH: usize = 8;
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_zeros(&report, &truth, true);
        let out = relayout(&text, "\n", |at, line, out| {
            let f = fields_blanked(line, at, &blanked);
            // The last label field wraps; the fields before it are label
            // columns printed on the row's first line.
            // (A row with no label, the review table's, is one line.)
            let last_label = f.iter().rposition(|v| !v.is_empty() && !is_value(v));
            let chars: Vec<char> = last_label
                .and_then(|l| f.get(l))
                .copied()
                .unwrap_or("")
                .chars()
                .collect();
            let mut pieces: Vec<String> = chars.chunks(WIDTH).map(|c| c.iter().collect()).collect();
            if pieces.is_empty() {
                pieces.push(String::new());
            }
            let middle = pieces.len() / 2;
            let rule = vec!["────"; f.len()].join("┼");
            out.push_str(&format!("├{rule}┤\n"));
            for (k, piece) in pieces.iter().enumerate() {
                let cells: Vec<&str> = f
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        // Label columns before the wrapped one: on the first line.
                        let before_label = last_label.is_some_and(|l| i < l);
                        match i {
                            _ if Some(i) == last_label => piece.as_str(),
                            _ if before_label && k == 0 => v,
                            _ if before_label => "",
                            _ if k == middle => v,
                            _ => "",
                        }
                    })
                    .collect();
                out.push_str(&format!("│{}│\n", cells.join("│")));
            }
        });
        check(r, "grid.txt", &out, &truth);
    }
}

/// PDF text in layout mode where the application table's group labels
/// stand in a narrow column, two characters a line, beside their rows'
/// labels wrapped at nine characters, each row's numbers on its label's
/// second line: the group label's pieces open the row labels' lines.
#[test]
fn group_labels_down_a_narrow_column_beside_wrapped_row_labels() {
    const WIDTH: usize = 9;
    for r in REPORTS {
        let (text, _, truth) = base(r);
        let mut out = String::new();
        let mut column: Vec<String> = Vec::new();
        let mut in_requests = false;
        for (_, line) in lines(&text) {
            let f: Vec<&str> = line.split('\t').collect();
            let values: Vec<&str> = f.iter().copied().filter(|v| is_value(v)).collect();
            let labels: Vec<&str> = f.iter().copied().filter(|v| !is_value(v)).collect();
            in_requests =
                (in_requests || line.contains("申请人情况")) && !line.starts_with("四、政府信息公开行政复议");
            if !in_requests || values.len() != 7 {
                out.push_str(line);
                out.push('\n');
                continue;
            }
            let (own, spanning) = labels.split_last().expect("a row label");
            for s in spanning {
                if s.starts_with('（') {
                    // A group's label goes down the column beside its rows.
                    let chars: Vec<char> = s.chars().collect();
                    column = chars.chunks(2).rev().map(|c| c.iter().collect()).collect();
                } else {
                    // The heading above the rows, on its own line.
                    out.push_str(s);
                    out.push('\n');
                }
            }
            let chars: Vec<char> = own.chars().collect();
            let pieces: Vec<String> = chars.chunks(WIDTH).map(|c| c.iter().collect()).collect();
            let numbers_at = usize::from(pieces.len() > 1);
            for (k, piece) in pieces.iter().enumerate() {
                let side = column.pop().unwrap_or_default();
                out.push_str(&format!("{side:<3} {piece}"));
                if k == numbers_at {
                    out.push_str(&format!("   {}", values.join("  ")));
                }
                out.push('\n');
            }
            if !own.starts_with(|c: char| c.is_ascii_digit()) {
                column.clear();
            }
        }
        check(r, "column.txt", &out, &truth);
        // The group labels are read from their pieces: no group row missing.
        let read = nianbao_reader::read_text("column.txt", &out);
        let requests = read.tables.get("requests").expect("the application table");
        for row in nianbao_model::template(read.format)
            .table("requests")
            .expect("requests")
            .rows
            .iter()
            .filter(|row| row.kind == nianbao_model::RowKind::Group)
        {
            let label = requests.rows.get(row.id).and_then(|r| r.label.as_ref());
            assert!(label.is_some(), "{r}: group {} not read", row.id);
        }
    }
}

/// A long title wrapped mid-word over two lines, as PDF text prints a
/// centred title: read as the title, with its body and year.
#[test]
fn a_title_wrapped_over_two_lines() {
    for r in REPORTS {
        let (text, report, _) = base(r);
        let title = report.metadata.title.clone().expect("a title");
        let printed = title.span.slice(&text).expect("the title's span").to_string();
        let cut = printed
            .char_indices()
            .find(|(_, c)| *c == '开')
            .map(|(i, _)| i)
            .expect("信息公开 in the title");
        let wrapped = format!("{}\n{}", &printed[..cut], &printed[cut..]);
        let read = nianbao_reader::read_text("wrapped.txt", &text.replacen(&printed, &wrapped, 1));
        let got = read.metadata.title.as_ref().map(|t| t.value.as_str());
        assert_eq!(got, Some(title.value.as_str()), "{r}");
        assert_eq!(
            read.metadata.body.as_ref().map(|b| &b.value),
            report.metadata.body.as_ref().map(|b| &b.value),
            "{r}"
        );
        assert_eq!(
            read.metadata.year.as_ref().map(|y| y.value),
            report.metadata.year.as_ref().map(|y| y.value),
            "{r}"
        );
    }
}

/// A table's cells joined by one space, an empty cell printed as the one
/// space its cell holds (a page's `&nbsp;` cells through a PDF's text layer,
/// as pypdf prints it): a run of spaces says how many empty cells stand
/// there, rows of empty cells and the review row's included. Every fourth
/// row's label is wrapped in its cell, so its cells start on the next line.
#[test]
fn cells_joined_by_one_space_with_a_space_for_each_empty_cell() {
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_zeros(&report, &truth, true);
        let mut rows = 0;
        let out = relayout(&text, "\n", |at, line, out| {
            let f = fields_blanked(line, at, &blanked);
            let labelled = opens_with_label(&f);
            let start = out.len();
            for (k, cell) in f.iter().enumerate() {
                if k == 1 && labelled {
                    rows += 1;
                    out.push(if rows % 4 == 0 { '\n' } else { ' ' });
                } else if k > 0 && !out.ends_with(' ') {
                    // The exporter puts a space between two runs of text
                    // unless the first already ends with one.
                    out.push(' ');
                }
                out.push_str(if cell.is_empty() { " " } else { cell });
            }
            assert!(out.len() > start);
            out.push('\n');
        });
        check(r, "spaced.txt", &out, &truth);
    }
}

/// A table drawn with bars between its cells and none around them
/// (html2text's tables): an empty last cell is the blank space after the
/// line's last bar. The review row, which has no label, starting with an
/// empty cell (` | 1 | …`) cannot be told on its line from a row drawn
/// with outer bars: it is then not read, never read wrong.
#[test]
fn bars_between_cells_and_none_around_them() {
    for r in REPORTS {
        let (text, report, truth) = base(r);
        for review in [false, true] {
            let (blanked, truth) = blank_zeros(&report, &truth, review);
            let out = relayout(&text, "\n", |at, line, out| {
                out.push_str(&fields_blanked(line, at, &blanked).join(" | "));
                out.push('\n');
            });
            if !review {
                check(r, "bars.txt", &out, &truth);
                continue;
            }
            let s = score_bytes("bars.txt", out.as_bytes(), &truth);
            assert_never_wrong(r, &s);
            assert_eq!(s.right + s.not_read, s.cells, "{r}");
        }
    }
}

/// A plain-text table as pandoc writes one: a rule of dashes above and
/// below, a run of dashes for each column, every cell printed within its
/// column's run and padded with spaces (empty cells all spaces), the review
/// row's zeros empty too. The disclosure and review tables are so drawn;
/// the application table, whose rows carry a varying number of group label
/// cells, keeps its tab-separated lines (its grid is not one per field).
#[test]
fn plain_text_table_under_a_ruler_of_dashes() {
    let width = |s: &str| -> usize { s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum() };
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_zeros(&report, &truth, true);
        let mut out = String::new();
        let all = lines(&text);
        let mut k = 0;
        while let Some(&(_, line)) = all.get(k) {
            if !line.contains('\t') {
                out.push_str(line);
                out.push('\n');
                k += 1;
                continue;
            }
            // A block of table lines: each column as wide as its widest cell.
            let block: Vec<Vec<&str>> = all[k..]
                .iter()
                .take_while(|(_, l)| l.contains('\t'))
                .map(|&(at, l)| fields_blanked(l, at, &blanked))
                .collect();
            if !(block.iter().all(|f| f.len() <= 4) || block.iter().any(|f| f.len() == 15)) {
                for fields in &block {
                    out.push_str(&fields.join("\t"));
                    out.push('\n');
                }
                k += block.len();
                continue;
            }
            let mut widths: Vec<usize> = Vec::new();
            for fields in &block {
                for (i, f) in fields.iter().enumerate() {
                    if widths.len() <= i {
                        widths.push(3);
                    }
                    widths[i] = widths[i].max(width(f));
                }
            }
            let ruler: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            let ruler = format!("  {}\n", ruler.join("  "));
            out.push_str(&ruler);
            for fields in &block {
                let mut line = String::from("  ");
                for (i, f) in fields.iter().enumerate() {
                    line.push_str(f);
                    line.push_str(&" ".repeat(widths[i] - width(f) + 2));
                }
                out.push_str(&line);
                out.push('\n');
            }
            out.push_str(&ruler);
            k += block.len();
        }
        check(r, "ruled.txt", &out, &truth);
    }
}

/// PDF text in layout mode: cells aligned with spaces at fixed places on
/// the line, empty cells all spaces, and every third row's label longer
/// than its cell (ten characters) wrapped in it, its pieces printed above
/// and below the line of its numbers.
#[test]
fn aligned_columns_with_labels_wrapped_around_their_numbers() {
    const LABEL: usize = 40;
    const CELL: usize = 8;
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (mut blanked, mut truth) = blank_some_zeros(&report, &truth);
        // Rows left with no value at all are another matter (where every
        // number the table printed was placed, they are empty): each row
        // here keeps a printed value.
        for (t, table) in &report.tables {
            for (r, row) in &table.rows {
                let spans: Vec<usize> = row.cells.values().map(|c| c.span.offset).collect();
                if spans.iter().all(|o| blanked.contains(o)) {
                    for (c, cell) in &row.cells {
                        blanked.remove(&cell.span.offset);
                        truth.insert((t.to_string(), r.to_string(), c.to_string()), cell.value.number());
                    }
                }
            }
        }
        let mut rows = 0;
        let out = relayout(&text, "\n", |at, line, out| {
            let f = fields_blanked(line, at, &blanked);
            // The label cells (a group's and the row's) as one label.
            let n = f.iter().take_while(|c| !c.is_empty() && !is_value(c)).count();
            let (labels, cells) = f.split_at(n);
            let label = labels.join(" ");
            let labelled = n > 0 && !cells.is_empty();
            let values: String = cells.iter().map(|c| pad(c, CELL)).collect();
            rows += usize::from(labelled);
            let chars: Vec<char> = label.chars().collect();
            if labelled && n == 1 && rows % 3 == 0 && chars.len() > 10 && cells.iter().any(|c| is_value(c)) {
                let (head, tail) = chars.split_at(9);
                out.push_str(&format!("{}\n", head.iter().collect::<String>()));
                out.push_str(&format!("{}{}\n", " ".repeat(LABEL), values.trim_end()));
                out.push_str(&format!("{}\n", tail.iter().collect::<String>()));
            } else {
                out.push_str(&format!("{}{}\n", pad(&label, LABEL), values.trim_end()));
            }
        });
        check(r, "layout.txt", &out, &truth);
    }
}

/// Aligned with spaces, a row printing no value (its label and padding
/// only) followed by the next row's ordinal cut in a narrow cell: "（七",
/// the line of numbers, "）总计". The numbers are never the empty row's:
/// each cell is read right or said not read. (The 2021 format, where
/// "3.其他" stands right before "（七）总计".)
#[test]
fn a_cut_ordinal_after_an_empty_row_keeps_its_numbers() {
    for r in ["r1-v2021"] {
        let (text, report, truth) = base(r);
        let mut truth = truth.clone();
        let mut blanked = BTreeSet::new();
        if let Some(row) = report
            .tables
            .get("requests")
            .and_then(|t| t.rows.get("other.other"))
        {
            for (c, cell) in &row.cells {
                blanked.insert(cell.span.offset);
                truth.insert(
                    ("requests".to_string(), "other.other".to_string(), c.to_string()),
                    None,
                );
            }
        }
        let out = relayout(&text, "\n", |at, line, out| {
            let f = fields_blanked(line, at, &blanked);
            let n = f.iter().take_while(|c| !c.is_empty() && !is_value(c)).count();
            let (labels, cells) = f.split_at(n);
            let label = labels.join(" ");
            let values: String = cells.iter().map(|c| format!("{c:<8}")).collect();
            let pad = " ".repeat(40usize.saturating_sub(label.chars().count()));
            match label.strip_prefix("（七") {
                Some(rest) if !cells.is_empty() => out.push_str(&format!(
                    "（七\n{}{}\n{rest}\n",
                    " ".repeat(40),
                    values.trim_end()
                )),
                _ => out.push_str(&format!("{label}{pad}{}\n", values.trim_end())),
            }
        });
        let s = score_bytes("cut.txt", out.as_bytes(), &truth);
        assert_never_wrong(r, &s);
        assert!(out.contains("（七\n"), "{r}: the variant cuts the ordinal");
    }
}

/// A Word table's text as python-docx gives it: a merged cell's text in
/// every grid cell it covers. A row's label merged across the label
/// columns is printed again beside itself, a group's label merged down its
/// sub-rows again on each sub-row's line, and a row of one column whose
/// cell spans the three columns of the table above it prints its number
/// three times (under its header, printed three times too; 2021 format),
/// and a row of two columns there its last number twice (2019 format).
#[test]
fn merged_cells_printed_in_every_grid_cell_they_cover() {
    use nianbao_model::label::{normalize, split_numbering};
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let requests = nianbao_model::template(report.format)
            .table("requests")
            .expect("the requests table");
        let bare = |s: &str| split_numbering(&normalize(s)).1.to_string();
        let row_of = |field: &str| requests.rows.iter().find(|row| bare(row.label) == bare(field));
        let mut group: Option<String> = None;
        let (mut across, mut down, mut thrice, mut twice) = (0, 0, 0, 0);
        let disclosure = nianbao_model::template(report.format)
            .table("disclosure")
            .expect("the disclosure table");
        let in_disclosure = |field: &str| disclosure.rows.iter().any(|row| bare(row.label) == bare(field));
        let out = relayout(&text, "\n", |_, line, out| {
            let f: Vec<&str> = line.split('\t').collect();
            let labels = f.iter().take_while(|x| !is_value(x)).count();
            let (label_fields, values) = f.split_at(labels);
            let mut cells: Vec<&str> = Vec::new();
            if values.is_empty() && f.len() == 2 && f[0].trim() == "信息内容" {
                cells.extend([f[0], f[1], f[1], f[1]]);
            } else if labels == 1 && values.len() == 1 {
                cells.extend([f[0], f[1], f[1], f[1]]);
                thrice += 1;
            } else if labels == 1 && values.len() == 2 && in_disclosure(f[0]) {
                // A row of two columns in a grid of three, its last cell
                // merged across two.
                cells.extend([f[0], f[1], f[2], f[2]]);
                twice += 1;
            } else if labels > 0 && values.len() > 1 {
                let first = row_of(label_fields[0]);
                match first {
                    Some(row) if row.kind == nianbao_model::RowKind::Group => {
                        group = Some(label_fields[0].to_string());
                    }
                    Some(row) if row.parent.is_some() => {
                        if let Some(g) = group.as_deref() {
                            cells.push(g);
                            down += 1;
                        }
                    }
                    Some(_) => group = None,
                    None => {}
                }
                cells.extend(label_fields);
                cells.push(label_fields[labels - 1]);
                across += 1;
                cells.extend(values);
            } else {
                cells.extend(&f);
            }
            out.push_str(&cells.join("\t"));
            out.push('\n');
        });
        // (The 2019 format has no table of one column.)
        let one_column_rows = if report.format == nianbao_model::Format::V2021 {
            4
        } else {
            0
        };
        // (Only the 2019 format has rows of two columns.)
        let two_column_rows = if report.format == nianbao_model::Format::V2019 {
            2
        } else {
            0
        };
        assert!(
            across > 20 && down > 10 && thrice == one_column_rows && twice == two_column_rows,
            "{across} {down} {thrice} {twice}"
        );
        check(r, "python-docx.txt", &out, &truth);
    }
}

/// Every table printed after the whole text, as a script printing a Word
/// file's paragraphs and then its tables does (python-docx): each table is
/// found away from its section. A sentence of the text naming the review table's
/// headers ("…政府信息公开行政复议和行政诉讼情况…", numbers after it) is
/// no table: the review row is read from the table, and nothing is said
/// of a review row "not read" in the sentence.
#[test]
fn tables_printed_after_the_text_whose_sentences_name_their_headers() {
    for r in REPORTS {
        let (text, _, truth) = base(r);
        let sentence = "全文包括总体情况、主动公开政府信息情况、政府信息公开行政复议和行政诉讼情况等6个部分，附表4张、共15项。\n";
        // The report's own text ends with its date under the body's name
        // ("2024年1月22日"); the page's footer follows, which a Word file
        // does not have.
        let end = lines(&text)
            .into_iter()
            .filter(|(_, l)| l.chars().count() < 16 && l.contains('年') && l.trim_end().ends_with('日'))
            .map(|(at, l)| at + l.len())
            .next_back()
            .expect("the report's date");
        let mut narrative = String::new();
        let mut tables = String::new();
        for (k, (at, line)) in lines(&text).into_iter().enumerate() {
            if at >= end && !line.contains('\t') {
                break;
            }
            let to = if line.contains('\t') {
                &mut tables
            } else {
                &mut narrative
            };
            to.push_str(line);
            to.push('\n');
            if k == 0 {
                // After the title.
                narrative.push_str(sentence);
            }
        }
        let out = format!("{narrative}\n{tables}");
        check(r, "tables-after-text.txt", &out, &truth);
        let report = nianbao_reader::read_text("tables-after-text.txt", &out);
        let review: Vec<&str> = report
            .problems
            .iter()
            .filter(|p| p.table.as_deref() == Some("review"))
            .map(|p| p.message.as_str())
            .collect();
        assert!(review.is_empty(), "{r}: {review:?}");
    }
}

/// A Word table saved as text (docx2txt, LibreOffice's text export): one
/// cell per line, a paragraph or an empty line after each, an empty cell
/// an empty paragraph, and a label cell merged down the rows it covers
/// printed again, empty, in each of them: before （二） the heading
/// 三、本年度办理结果's cell, before sub-row 2. that and its group's. Zeros
/// empty too, whole rows of them.
#[test]
fn one_cell_per_line_with_merged_label_cells_printed_empty_below() {
    use nianbao_model::label::{normalize, split_numbering};
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_some_zeros(&report, &truth);
        let requests = nianbao_model::template(report.format)
            .table("requests")
            .expect("the requests table");
        let bare = |s: &str| split_numbering(&normalize(s)).1.to_string();
        let level_of = |field: &str| {
            requests
                .rows
                .iter()
                .find(|row| bare(row.label) == bare(field))
                .map(nianbao_model::RowSchema::level)
        };
        for end in ["\n", "\n\n"] {
            let mut merged_below = 0;
            let out = relayout(&text, end, |at, line, out| {
                let f = fields_blanked(line, at, &blanked);
                // Label cells merged down to this row from above: one a
                // numbering level above the row's first printed label.
                let above = match f.first().and_then(|l| level_of(l)) {
                    Some(level) if level > 1 && f.iter().any(|v| is_value(v) || v.is_empty()) => level - 1,
                    _ => 0,
                };
                merged_below += usize::from(above);
                for _ in 0..above {
                    out.push_str(end);
                }
                for cell in f {
                    out.push_str(cell);
                    out.push_str(end);
                }
            });
            assert!(merged_below > 20, "{merged_below}");
            check(&format!("{r} {end:?}"), "docx.txt", &out, &truth);
        }
    }
}

/// Markdown that keeps a Word page's runs as raw HTML (pandoc's gfm of a
/// Word-saved page): every cell and paragraph a `<span style=…>` whose tag
/// is wrapped over source lines (so a table row runs over several lines,
/// its separators among them), an empty run after each, `<o:p></o:p>`.
#[test]
fn markdown_keeping_a_word_pages_runs_as_html() {
    const OPEN: &str = "<span lang=\"EN-US\" style=\"font-size:10.5pt;font-family:&quot;Times New Roman&quot;,serif;\n mso-fareast-font-family:宋体;color:black;\n mso-font-kerning:0pt\">";
    const EMPTY_RUN: &str = "<span style=\"font-size:10.5pt;\n font-family:宋体\"></span>";
    let run = |text: &str| format!("{OPEN}{text}</span>{EMPTY_RUN}");
    for r in ["r1-v2021", "r2-v2021", "r3-v2019", "r4-v2019"] {
        let (text, _, truth) = base(r);
        let mut out = String::new();
        let mut in_table = false;
        for (_, line) in lines(&text) {
            if line.contains('\t') {
                let cells: Vec<String> = line.split('\t').map(run).collect();
                if !in_table {
                    // A pipe table's header line and delimiter row.
                    out.push_str(&format!("|{}|\n", vec![" "; cells.len()].join("|")));
                    out.push_str(&format!("|{}|\n", vec!["---"; cells.len()].join("|")));
                }
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            } else if line.trim().is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("{}<o:p></o:p>\n\n", run(line)));
            }
            in_table = line.contains('\t');
        }
        check(r, "gfm.md", &out, &truth);
    }
}

/// The pieces of a group label printed down a column of its own, in
/// order: its numbering ("三、"), then a character a line.
fn down_a_column(group: &str) -> std::collections::VecDeque<String> {
    let (numbering, rest) = group.split_at(group.find('、').map_or(0, |at| at + '、'.len_utf8()));
    std::iter::once(numbering.to_string())
        .chain(rest.chars().map(String::from))
        .collect()
}

/// Display columns of `s` as a text browser counts them: a Chinese
/// character (or a full-width form) two, anything else one.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c >= '\u{2E80}' { 2 } else { 1 }).sum()
}

/// A text browser's dump of a page (lynx): a table too wide for its width
/// printed with a row's cells joined by one space, an empty cell
/// (`&nbsp;`) printed as a space before its separator, the spaces ending a
/// line trimmed (a row's trailing empty cells, all of a row of empty cells
/// but its label); the tables narrow enough aligned in columns padded with
/// spaces.
fn text_browser_dump(text: &str, report: &Report, blanked: &BTreeSet<usize>) -> String {
    let requests = report.tables["requests"].span;
    let (mut joined, mut trimmed, mut label_alone) = (0, 0, 0);
    let out = relayout(text, "\n", |at, line, out| {
        let f = fields_blanked(line, at, blanked);
        let start = out.len();
        if requests.offset <= at && at < requests.end() {
            joined += 1;
            for (k, cell) in f.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                out.push_str(if cell.is_empty() { " " } else { cell });
            }
            let kept = out.trim_end_matches(' ').len();
            trimmed += usize::from(kept < out.len());
            label_alone += usize::from(f.iter().skip(1).all(|c| c.is_empty()));
            out.truncate(kept);
        } else {
            for cell in &f {
                out.push_str(cell);
                let pad = 16usize.saturating_sub(display_width(cell)).max(1);
                out.extend(std::iter::repeat_n(' ', pad));
            }
            let kept = out.trim_end_matches(' ').len();
            out.truncate(kept);
        }
        assert!(out.len() > start);
        out.push('\n');
    });
    assert!(
        joined > 20 && trimmed > 5 && label_alone > 2,
        "{joined} {trimmed} {label_alone}"
    );
    out
}

#[test]
fn text_browser_dump_joining_a_wide_tables_cells_and_aligning_the_others() {
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_some_zeros(&report, &truth);
        check(
            r,
            "lynx-joined.txt",
            &text_browser_dump(&text, &report, &blanked),
            &truth,
        );
    }
}

/// A row's label garbled by the exporter beyond naming, its numbering
/// kept (PDF text with a quote mark moved into the words and the last
/// character wrapped: "3. “危及 三安全一稳" / "”定"), in a row printing no
/// number: the row is reported not read, never missing, and the rows
/// around it are read.
#[test]
fn a_numbered_row_whose_label_cannot_be_named_is_not_read_not_missing() {
    const LABEL: &str = "3.危及“三安全一稳定”";
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_some_zeros(&report, &truth);
        let mut out = text_browser_dump(&text, &report, &blanked);
        // The row's line, its numbers left out.
        let at = out.find(&format!("\n{LABEL}")).expect("the row's label") + 1;
        let end = out[at..].find('\n').map_or(out.len(), |n| at + n);
        out.replace_range(at..end, "3. “危及 三安全一稳\n”定");
        let s = score_variant(r, "lynx-garbled.txt", &out, &truth);
        assert_never_wrong(r, &s);
        assert_eq!(s.not_read, 7, "{r}: only the garbled row is not read");
    }
}

/// A text browser's dump of a Word page whose cells are paragraphs (lynx):
/// every cell its own line, one blank line between two paragraphs printed,
/// and an empty cell (`<p>&nbsp;</p>`) one line more, the blank lines
/// around it collapsed into one.
#[test]
fn one_cell_per_line_with_blank_lines_between_and_one_line_for_each_empty_cell() {
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_some_zeros(&report, &truth);
        let mut out = String::new();
        // Empty cells since the last paragraph printed.
        let mut empties = 0;
        let paragraph = |out: &mut String, s: &str, empties: &mut usize| {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.extend(std::iter::repeat_n('\n', std::mem::take(empties)));
            // Numbers stand right-aligned in the browser's column.
            let indent = if is_value(s) { 40 - s.len() } else { 3 };
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(s);
        };
        let mut empty_cells = 0;
        for (at, line) in lines(&text) {
            if line.contains('\t') {
                for f in fields_blanked(line, at, &blanked) {
                    if f.is_empty() {
                        empties += 1;
                        empty_cells += 1;
                    } else {
                        paragraph(&mut out, f, &mut empties);
                    }
                }
            } else if !line.trim().is_empty() {
                paragraph(&mut out, line, &mut empties);
            }
        }
        out.push('\n');
        assert!(empty_cells > 20, "{empty_cells}");
        check(r, "lynx-paragraphs.txt", &out, &truth);
    }
}

/// PDF text in layout mode with the application table's first group label
/// ("三、本年度办理结果") printed down a column of its own, a character a
/// line at the heights of its rows (so one of its characters shares the
/// line of a row's numbers, between that row's label cut short above and
/// the rest below), and the long labels wrapped in a narrow column after
/// their numbering and six characters, less than half of them: the
/// numbering and those characters name the row.
#[test]
fn aligned_columns_with_a_group_label_down_its_own_column_beside_labels_wrapped_around_numbers() {
    use nianbao_model::label::{normalize, split_numbering};
    const GROUP: usize = 6;
    const LABEL: usize = 40;
    const CELL: usize = 8;
    // A character a column, as PDF text in layout mode counts them.
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_some_zeros(&report, &truth);
        // The group label's pieces still to print, one a line.
        let mut column: std::collections::VecDeque<String> = std::collections::VecDeque::new();
        let (mut wrapped, mut beside_numbers) = (0, 0);
        let out = relayout(&text, "\n", |at, line, out| {
            let f = fields_blanked(line, at, &blanked);
            let n = f.iter().take_while(|c| !c.is_empty() && !is_value(c)).count();
            let (labels, cells) = f.split_at(n);
            let mut labels = labels.to_vec();
            if labels.len() > 1 && labels[0].starts_with("三、") {
                column = down_a_column(labels.remove(0));
            }
            let label = labels.join(" ");
            let values: String = cells.iter().map(|c| pad(c, CELL)).collect();
            let numbered = split_numbering(&normalize(&label)).0.chars().count();
            let chars: Vec<char> = label.chars().collect();
            let cut = numbered + 6;
            if !column.is_empty()
                && labels.len() == 1
                && numbered > 0
                && chars.len() > 2 * cut
                && cells.iter().any(|c| is_value(c))
            {
                wrapped += 1;
                beside_numbers += 1;
                let (head, tail) = chars.split_at(cut);
                let piece = column.pop_front().unwrap_or_default();
                out.push_str(&format!(
                    "{}{}\n",
                    " ".repeat(GROUP),
                    head.iter().collect::<String>()
                ));
                out.push_str(&format!(
                    "{}{}{}\n",
                    pad(&piece, GROUP),
                    " ".repeat(LABEL),
                    values.trim_end()
                ));
                out.push_str(&format!(
                    "{}{}\n",
                    " ".repeat(GROUP),
                    tail.iter().collect::<String>()
                ));
            } else {
                if let Some(piece) = column.pop_front() {
                    out.push_str(&format!("{piece}\n"));
                }
                let line = format!("{}{}{}", " ".repeat(GROUP), pad(&label, LABEL), values);
                out.push_str(&format!("{}\n", line.trim_end()));
            }
        });
        assert!(wrapped > 0 && beside_numbers > 0, "{wrapped} {beside_numbers}");
        check(r, "layout.txt", &out, &truth);
    }
}

/// PDF text that joins a row's printed cells with one space and drops its
/// empty cells (pdfplumber's text), the application table's first group
/// label printed down its own column (a character a line between the
/// rows), and a page break's running footer and header after a row: a row
/// with some cells empty cannot be placed and is reported not read; a row
/// with every cell empty is its label alone, read as empty wherever every
/// number of the table was placed in a row, whatever stands between it
/// and the next row's label.
#[test]
fn cells_joined_by_one_space_with_empty_cells_dropped_and_a_group_label_down_its_own_column() {
    for r in REPORTS {
        let (text, report, truth) = base(r);
        let (blanked, truth) = blank_some_zeros(&report, &truth);
        let requests = &report.tables["requests"];
        // Rows with some of their cells empty, not all: not read.
        let partly_empty: usize = requests
            .rows
            .values()
            .map(|row| {
                let empty = row
                    .cells
                    .values()
                    .filter(|c| blanked.contains(&c.span.offset))
                    .count();
                if empty > 0 && empty < row.cells.len() {
                    row.cells.len()
                } else {
                    0
                }
            })
            .sum();
        let mut column = std::collections::VecDeque::new();
        let (mut empty_rows, mut page_breaks) = (0, 0);
        let out = relayout(&text, "\n", |at, line, out| {
            let f = fields_blanked(line, at, &blanked);
            if !(requests.span.offset <= at && at < requests.span.end()) {
                out.push_str(&f.join("\t"));
                out.push('\n');
                return;
            }
            let mut printed: Vec<&str> = f.iter().copied().filter(|c| !c.is_empty()).collect();
            if printed.len() > 1 && printed[0].starts_with("三、") {
                column = down_a_column(printed.remove(0));
            }
            if let Some(piece) = column.pop_front() {
                out.push_str(&format!("{piece}\n"));
            }
            out.push_str(&printed.join(" "));
            out.push('\n');
            let all_empty = printed.len() < f.len()
                && printed.iter().all(|c| !is_value(c))
                && f.iter().any(|c| c.is_empty());
            if all_empty {
                empty_rows += 1;
                if empty_rows % 3 == 1 {
                    page_breaks += 1;
                    out.push_str("http://www.example.gov.cn/art/2023/1/13/art_1255_4673388.html 2/4\n");
                    out.push_str("3/15/23, 3:00 PM 政府信息公开工作年度报告\n");
                }
            }
        });
        assert!(
            empty_rows > 2 && page_breaks > 0 && partly_empty > 0,
            "{empty_rows} {page_breaks} {partly_empty}"
        );
        let s = score_variant(r, "pdfplumber.txt", &out, &truth);
        assert_never_wrong(r, &s);
        assert_eq!(
            s.not_read, partly_empty,
            "{r}: only the rows partly empty are not read"
        );
    }
}

/// Markdown from a PDF table converter (pymupdf4llm) that cuts a merged
/// label cell at a grid line: each line of a long label wrapped in its
/// cell split between two pipe cells, a cell's lines joined by `<br>`
/// (`|一、本年<br>数量|新收政府信息公开申请|7|…`), every other row's label
/// after an empty first cell. Read line by line across the cells, the
/// label is the row's (before its numbers).
#[test]
fn markdown_labels_cut_by_a_grid_line_into_two_cells() {
    const WRAP: usize = 10;
    const CUT: usize = 4;
    for r in ["r1-v2021", "r2-v2021", "r3-v2019", "r4-v2019"] {
        let (text, _, truth) = base(r);
        let mut out = String::new();
        let (mut in_table, mut cut) = (false, 0);
        for (_, line) in lines(&text) {
            if !line.contains('\t') {
                out.push_str(line);
                out.push('\n');
                in_table = false;
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let labels = f.iter().take_while(|c| !c.is_empty() && !is_value(c)).count();
            let mut cells: Vec<String> = Vec::new();
            let chars: Vec<char> = f.first().map(|l| l.chars().collect()).unwrap_or_default();
            // (A row printing no number is left whole: its label cut so is
            // followed by empty cells, not by numbers, and is not read.)
            if labels == 1 && f.iter().any(|c| is_value(c)) && chars.len() > WRAP + 1 {
                let piece = |from: usize, to: usize| {
                    chars[from.min(chars.len())..to.min(chars.len())]
                        .iter()
                        .collect::<String>()
                };
                let (first, second) = (piece(0, WRAP), piece(WRAP, chars.len()));
                let second_chars = second.chars().count();
                let join = |a: String, b: String| if b.is_empty() { a } else { format!("{a}<br>{b}") };
                cells.push(join(piece(0, CUT), second.chars().take(CUT).collect()));
                cells.push(join(
                    first.chars().skip(CUT).collect(),
                    second.chars().skip(CUT.min(second_chars)).collect(),
                ));
                cut += 1;
            } else if labels == 1 {
                cells.push(String::new());
                cells.push(f[0].to_string());
            } else {
                cells.extend(f.iter().take(labels.max(1)).map(|c| c.to_string()));
                if labels == 0 {
                    cells.insert(0, String::new());
                }
            }
            cells.extend(f.iter().skip(labels.max(1)).map(|c| c.to_string()));
            out.push_str(&format!("|{}|\n", cells.join("|")));
            if !in_table {
                out.push_str(&format!("|{}|\n", vec!["---"; cells.len()].join("|")));
            }
            in_table = true;
        }
        assert!(cut > 3, "{cut}");
        check(r, "pymupdf4llm.md", &out, &truth);
    }
}
