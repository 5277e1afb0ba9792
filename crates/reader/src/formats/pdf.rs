//! PDFs with a text layer: pdf-extract (on lopdf) gives every glyph with
//! its position, Unicode mapped through the fonts' ToUnicode CMaps; lines
//! are rebuilt from the glyphs' baselines and a wide horizontal gap becomes
//! a cell boundary (a tab), so a table row reads as one line whatever order
//! the PDF draws it in. No OCR: a PDF without text is an error.

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

#[derive(Debug, Clone)]
struct Glyph {
    /// Left edge and baseline, in points from the page's top left.
    x: f64,
    y: f64,
    /// Right edge (x plus advance).
    end: f64,
    size: f64,
    text: String,
}

/// One page: its glyphs and the ruling lines drawn on it (table borders).
#[derive(Default)]
struct Page {
    glyphs: Vec<Glyph>,
    width: f64,
    /// Horizontal rules: (y, x0, x1), top-down y.
    horizontal: Vec<(f64, f64, f64)>,
    /// Vertical rules: (x, y0, y1), top-down y.
    vertical: Vec<(f64, f64, f64)>,
}

#[derive(Default)]
struct Collector {
    pages: Vec<Page>,
    page_top: f64,
}

/// A line thinner than this (points) is a rule, not a shape.
const RULE_WIDTH: f64 = 3.0;

impl Collector {
    /// Record the straight rules of a drawn path (strokes and thin fills).
    fn rules(&mut self, ctm: &Transform, path: &pdf_extract::Path) {
        use pdf_extract::PathOp;
        let top = self.page_top;
        let at = |x: f64, y: f64| {
            (
                x * ctm.m11 + y * ctm.m21 + ctm.m31,
                top - (x * ctm.m12 + y * ctm.m22 + ctm.m32),
            )
        };
        let Some(page) = self.pages.last_mut() else {
            return;
        };
        let mut add = |(ax, ay): (f64, f64), (bx, by): (f64, f64)| {
            let (w, h) = ((ax - bx).abs(), (ay - by).abs());
            if !(w.is_finite() && h.is_finite()) {
                return;
            }
            if h < RULE_WIDTH && w >= RULE_WIDTH {
                page.horizontal.push(((ay + by) / 2.0, ax.min(bx), ax.max(bx)));
            } else if w < RULE_WIDTH && h >= RULE_WIDTH {
                page.vertical.push(((ax + bx) / 2.0, ay.min(by), ay.max(by)));
            } else if w >= RULE_WIDTH && h >= RULE_WIDTH {
                // A cell drawn as a rectangle: its four edges.
                let (x0, x1, y0, y1) = (ax.min(bx), ax.max(bx), ay.min(by), ay.max(by));
                page.horizontal.push((y0, x0, x1));
                page.horizontal.push((y1, x0, x1));
                page.vertical.push((x0, y0, y1));
                page.vertical.push((x1, y0, y1));
            }
        };
        let mut current = (0.0, 0.0);
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => current = (x, y),
                PathOp::LineTo(x, y) => {
                    add(at(current.0, current.1), at(x, y));
                    current = (x, y);
                }
                PathOp::Rect(x, y, w, h) => add(at(x, y), at(x + w, y + h)),
                PathOp::CurveTo(_, _, _, _, x, y) => current = (x, y),
                PathOp::Close => {}
            }
        }
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page_top = media_box.ury;
        self.pages.push(Page {
            width: (media_box.urx - media_box.llx).abs(),
            ..Page::default()
        });
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // The glyph's size on the page: the font size through the text matrix.
        let scale = (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        let size = (font_size * scale).abs();
        let (x, y) = (trm.m31, self.page_top - trm.m32);
        if !(x.is_finite() && y.is_finite() && size.is_finite()) {
            return Ok(());
        }
        if let Some(page) = self.pages.last_mut() {
            page.glyphs.push(Glyph {
                x,
                y,
                end: x + width * size,
                size: size.max(1.0),
                text: text.to_string(),
            });
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn stroke(
        &mut self,
        ctm: &Transform,
        _colorspace: &pdf_extract::ColorSpace,
        _color: &[f64],
        path: &pdf_extract::Path,
    ) -> Result<(), OutputError> {
        self.rules(ctm, path);
        Ok(())
    }

    fn fill(
        &mut self,
        ctm: &Transform,
        _colorspace: &pdf_extract::ColorSpace,
        _color: &[f64],
        path: &pdf_extract::Path,
    ) -> Result<(), OutputError> {
        self.rules(ctm, path);
        Ok(())
    }
}

/// A gap wider than this many glyph sizes separates cells.
const CELL_GAP: f64 = 1.5;
/// A gap wider than this many glyph sizes is a space between words.
const WORD_GAP: f64 = 0.2;

/// Glyphs whose baselines lie within half a glyph of each other share a
/// line; lines top to bottom, glyphs left to right.
fn lines_of(mut glyphs: Vec<Glyph>) -> Vec<Vec<Glyph>> {
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<(f64, Vec<Glyph>)> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some((y, line)) if (g.y - *y).abs() < g.size * 0.5 => line.push(g),
            _ => lines.push((g.y, vec![g])),
        }
    }
    lines
        .into_iter()
        .map(|(_, mut line)| {
            line.sort_by(|a, b| a.x.total_cmp(&b.x));
            line
        })
        .collect()
}

/// A line's text: wide gaps are tabs (cells without rules), narrow ones
/// spaces.
fn line_text(line: &[Glyph]) -> String {
    let mut out = String::new();
    let mut prev_end: Option<f64> = None;
    for g in line {
        if let Some(end) = prev_end {
            let gap = g.x - end;
            if gap > g.size * CELL_GAP {
                out.push('\t');
            } else if gap > g.size * WORD_GAP {
                out.push(' ');
            }
        }
        out.push_str(&g.text);
        prev_end = Some(prev_end.map_or(g.end, |e: f64| e.max(g.end)));
    }
    out
}

/// A ruled table cell's box (top-down points).
#[derive(Debug, Clone, Copy)]
struct CellBox {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

/// Points within which two rules, or two cell edges, are the same.
const SLACK: f64 = 1.0;

/// A segment `(at, from, to)` reaching across `at_other` (with
/// [`SLACK`]).
fn across(&(_, a, b): &(f64, f64, f64), at_other: f64) -> bool {
    a - SLACK <= at_other && at_other <= b + SLACK
}

/// The ruled box around the point (`cx`, `cy`): the nearest rules on its
/// four sides that reach past it. A box wider than most of the page is a
/// frame, not a cell.
fn box_around(cx: f64, cy: f64, page: &Page) -> Option<CellBox> {
    let verticals = page.vertical.iter().filter(|v| across(v, cy));
    let left = verticals
        .clone()
        .map(|v| v.0)
        .filter(|x| *x <= cx)
        .reduce(f64::max)?;
    let right = verticals.map(|v| v.0).filter(|x| *x >= cx).reduce(f64::min)?;
    let horizontals = page.horizontal.iter().filter(|h| across(h, cx));
    let top = horizontals
        .clone()
        .map(|h| h.0)
        .filter(|y| *y <= cy)
        .reduce(f64::max)?;
    let bottom = horizontals.map(|h| h.0).filter(|y| *y >= cy).reduce(f64::min)?;
    (right - left <= page.width * 0.6 && bottom > top).then_some(CellBox {
        left,
        top,
        right,
        bottom,
    })
}

/// The ruled cell a glyph sits in (see [`box_around`]).
fn cell_of(g: &Glyph, page: &Page) -> Option<CellBox> {
    box_around((g.x + g.end) / 2.0, g.y - g.size * 0.3, page)
}

/// A cell's text: its lines joined, without a space between CJK characters
/// (a label wrapped in its cell, or printed one character per line).
fn cell_text(glyphs: Vec<Glyph>) -> String {
    let mut out = String::new();
    for line in lines_of(glyphs) {
        let text = line_text(&line).replace('\t', " ");
        let joins = out.chars().last().is_some_and(|c| !c.is_ascii())
            && text.chars().next().is_some_and(|c| !c.is_ascii());
        if !out.is_empty() && !joins {
            out.push(' ');
        }
        out.push_str(&text);
    }
    out
}

/// One page as lines. Glyphs inside ruled table cells are gathered by cell
/// and each table row is printed as one line, a tab between cells (a
/// merged cell printed once, in the row where it starts); other glyphs are
/// laid out by baseline.
fn page_lines(page: Page, out: &mut String) {
    let mut cells: Vec<(CellBox, Vec<Glyph>)> = Vec::new();
    let mut free: Vec<Glyph> = Vec::new();
    for g in page.glyphs.iter().filter(|g| !g.text.trim().is_empty()) {
        match cell_of(g, &page) {
            Some(b) => {
                let same = |c: &CellBox| (c.left - b.left).abs() < 1.0 && (c.top - b.top).abs() < 1.0;
                match cells.iter_mut().find(|(c, _)| same(c)) {
                    Some((_, glyphs)) => glyphs.push(g.clone()),
                    None => cells.push((b, vec![g.clone()])),
                }
            }
            None => free.push(g.clone()),
        }
    }
    // (y, text) of every line to print.
    let mut items: Vec<(f64, String)> = Vec::new();
    let mut free_lines = lines_of(free);
    for (at, label) in vertical_labels(&mut free_lines).into_iter().rev() {
        free_lines.insert(at, label);
    }
    let mut last_y = 0.0;
    for line in free_lines {
        // A line emptied by a vertical label keeps its place.
        let y = line.first().map_or(last_y, |g| g.y);
        last_y = y;
        items.push((y, line_text(&line)));
    }
    cells.sort_by(|(a, _), (b, _)| a.top.total_cmp(&b.top).then(a.left.total_cmp(&b.left)));
    let mut rows: Vec<(f64, Vec<(CellBox, String)>)> = Vec::new();
    for (b, glyphs) in cells {
        let text = cell_text(glyphs);
        match rows.last_mut() {
            Some((top, row)) if (b.top - *top).abs() < SLACK => row.push((b, text)),
            _ => rows.push((b.top, vec![(b, text)])),
        }
    }
    for (top, row) in rows {
        let fields = match row_with_empty_cells(&row, &page) {
            Some(fields) => fields,
            None => row.into_iter().map(|(_, text)| text).collect(),
        };
        items.push((top, fields.join("\t")));
    }
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, text) in items.into_iter().filter(|(_, t)| !t.is_empty()) {
        out.push_str(&text);
        out.push('\n');
    }
}

/// A ruled row's cells, the empty ones included: the grid its rules draw
/// across the row says where every cell is, and a cell with no text is an
/// empty field, as a table exported with its cells keeps it. A cell merged
/// down from a row above is printed in that row only. `None` where the
/// rules do not draw one unbroken run of boxes holding every cell with
/// text: the row is then printed as its cells with text alone.
fn row_with_empty_cells(row: &[(CellBox, String)], page: &Page) -> Option<Vec<String>> {
    let top = row.first()?.0.top;
    // Just below the row's top: a cell merged down over the rows below
    // reaches further than the row, and the rules of those rows start
    // lower.
    let bottom = row.iter().map(|(b, _)| b.bottom).reduce(f64::min)?;
    let cy = top + ((bottom - top) / 2.0).min(3.0);
    let mut xs: Vec<f64> = page
        .vertical
        .iter()
        .filter(|v| across(v, cy))
        .map(|v| v.0)
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup_by(|b, a| (*b - *a).abs() < SLACK);
    // Runs of adjacent boxes between the rules, left to right: (box, whether
    // it starts in this row).
    let mut runs: Vec<Vec<(CellBox, bool)>> = Vec::new();
    for pair in xs.windows(2) {
        let (l, r) = (pair[0], pair[1]);
        let Some(b) = box_around((l + r) / 2.0, cy, page) else {
            runs.push(Vec::new());
            continue;
        };
        let starts_here = (b.top - top).abs() < SLACK;
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|(p, _)| (b.left - p.right).abs() < SLACK) => {
                run.push((b, starts_here))
            }
            _ => runs.push(vec![(b, starts_here)]),
        }
    }
    let holds = |run: &[(CellBox, bool)], cell: &CellBox| {
        run.iter().any(|(b, here)| {
            *here && (b.left - cell.left).abs() < SLACK && (b.right - cell.right).abs() < SLACK
        })
    };
    let run = runs
        .iter()
        .find(|run| row.iter().all(|(cell, _)| holds(run, cell)))?;
    let text_of = |b: &CellBox| {
        row.iter()
            .find(|(cell, _)| (cell.left - b.left).abs() < SLACK)
            .map(|(_, text)| text.as_str())
    };
    // The grid's row: as tall as its shortest box.
    let bottom = run
        .iter()
        .filter(|(_, here)| *here)
        .map(|(b, _)| b.bottom)
        .reduce(f64::min)?;
    let first = run.iter().position(|(b, _)| text_of(b).is_some())?;
    let last = run.iter().rposition(|(b, _)| text_of(b).is_some())?;
    Some(
        run.iter()
            .enumerate()
            .filter(|&(k, (b, here))| {
                // An empty box before or after the cells with text is a cell
                // of the row only when it is as tall as the row: a taller one
                // is a merged label cell carried over from the page before,
                // or the frame around the table.
                *here && ((first..=last).contains(&k) || (b.bottom - bottom).abs() < SLACK)
            })
            .map(|(_, (b, _))| text_of(b).unwrap_or("").to_string())
            .collect(),
    )
}

/// A label printed one character per line down a merged cell (三、本年度办理
///结果 beside the rows it heads) comes out as one character at the start
/// of each of those lines. Runs of at least [`VERTICAL_RUN`] lines whose
/// first glyph is a lone character at the same left edge, set apart from
/// the rest of its line, are taken out and returned as one line each, with
/// the index of the line they go before (ascending).
fn vertical_labels(lines: &mut [Vec<Glyph>]) -> Vec<(usize, Vec<Glyph>)> {
    let lone_first = |line: &[Glyph]| -> Option<f64> {
        let first = line.first()?;
        if first.text.chars().count() != 1 || first.text.is_ascii() {
            return None;
        }
        match line.get(1) {
            Some(next) if next.x - first.end <= first.size * WORD_GAP => None,
            _ => Some(first.x),
        }
    };
    let mut found = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let Some(x) = lines.get(k).and_then(|l| lone_first(l)) else {
            k += 1;
            continue;
        };
        let size = lines[k].first().map_or(1.0, |g| g.size);
        let run = lines[k..]
            .iter()
            .take_while(|l| lone_first(l).is_some_and(|x2| (x2 - x).abs() < size * 0.5))
            .count();
        if run >= VERTICAL_RUN {
            let mut label: Vec<Glyph> = Vec::new();
            for line in &mut lines[k..k + run] {
                if !line.is_empty() {
                    let mut g = line.remove(0);
                    // One line: each character right after the previous.
                    g.x = label.last().map_or(g.x, |p| p.end);
                    g.end = g.x + g.size;
                    label.push(g);
                }
            }
            found.push((k, label));
        }
        k += run.max(1);
    }
    found
}

/// Fewer characters down a cell than this are not taken for a vertical label.
const VERTICAL_RUN: usize = 4;

/// Crates whose panics on damaged PDFs are caught and reported as errors.
const PDF_CRATES: &[&str] = &[
    "pdf-extract",
    "lopdf",
    "adobe-cmap-parser",
    "type1-encoding-parser",
    "cff-parser",
];

/// Keep the panic hook from printing panics raised inside the PDF crates
/// (they are caught and become a `ReadError`); every other panic is
/// printed by the hook that was installed before.
fn quiet_pdf_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_pdf_crate = info
                .location()
                .is_some_and(|l| PDF_CRATES.iter().any(|c| l.file().contains(c)));
            if !in_pdf_crate {
                previous(info);
            }
        }));
    });
}

/// The text layer of a PDF laid out as lines and tab-separated cells, and
/// where each page starts in it.
pub(crate) fn text(bytes: &[u8]) -> Result<(String, Vec<usize>), String> {
    // lopdf and pdf-extract assert on some malformed files; a damaged file
    // must be an error, not a crash (nor a panic message).
    quiet_pdf_panics();
    let loaded = std::panic::catch_unwind(|| pdf_extract::Document::load_mem(bytes))
        .map_err(|_| "the PDF's structure is damaged".to_string())?;
    let doc = loaded.map_err(|e| format!("not a readable PDF ({e})"))?;
    if doc.is_encrypted() {
        return Err("the PDF is encrypted".to_string());
    }
    let mut collector = Collector::default();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdf_extract::output_doc(&doc, &mut collector)
    }));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("cannot read the PDF's text ({e:?})")),
        Err(_) => return Err("the PDF's content is damaged (text extraction failed)".to_string()),
    }
    let mut out = String::new();
    let pages = collector.pages.len();
    let mut starts = Vec::with_capacity(pages);
    for page in collector.pages {
        starts.push(out.len());
        page_lines(page, &mut out);
    }
    if out.trim().is_empty() {
        return Err(format!(
            "no text layer in {pages} page(s): it looks like a scanned PDF (images of pages), which is not read (no OCR)"
        ));
    }
    Ok((out, starts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(x: f64, y: f64, text: &str) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(k, c)| Glyph {
                x: x + 10.0 * k as f64,
                y,
                end: x + 10.0 * (k + 1) as f64,
                size: 10.0,
                text: c.to_string(),
            })
            .collect()
    }

    /// A ruled table of a label column and three value columns, rows at
    /// 100, 120, 140 (to 160); the label cell of the second row is merged
    /// down over the third; the page's frame (x 20 and 280) starts where the
    /// table does, as on a page a table continues onto.
    fn page(cells: &[(f64, f64, &str)]) -> Page {
        let mut page = Page {
            width: 595.0,
            ..Page::default()
        };
        for &(x, y, text) in cells {
            page.glyphs.extend(glyphs(x, y, text));
        }
        page.horizontal = vec![
            (100.0, 20.0, 280.0),
            (120.0, 50.0, 250.0),
            (140.0, 100.0, 250.0),
            (160.0, 50.0, 250.0),
            (800.0, 20.0, 280.0),
        ];
        page.vertical = vec![(20.0, 100.0, 800.0), (280.0, 100.0, 800.0)];
        for x in [50.0, 100.0, 150.0, 200.0, 250.0] {
            page.vertical.push((x, 100.0, 160.0));
        }
        page
    }

    #[test]
    fn empty_ruled_cells_are_empty_fields() {
        let page = page(&[
            (55.0, 114.0, "甲"),
            (105.0, 114.0, "1"),
            (205.0, 114.0, "3"),
            (55.0, 134.0, "乙"),
            (105.0, 154.0, "4"),
            (155.0, 154.0, "5"),
            (205.0, 154.0, "6"),
        ]);
        let mut out = String::new();
        page_lines(page, &mut out);
        // The frame's sides are not cells; the merged label is printed once,
        // in the row where it starts; an empty row keeps its three fields.
        assert_eq!(out, "甲\t1\t\t3\n乙\t\t\t\n4\t5\t6\n");
    }

    #[test]
    fn a_row_its_rules_do_not_box_whole_is_printed_as_its_cells() {
        // The rule above the third column is missing: the row's cells with
        // text stand in two runs of boxes, so no empty field is guessed.
        let mut page = page(&[(55.0, 114.0, "甲"), (105.0, 114.0, "1"), (205.0, 114.0, "3")]);
        page.horizontal.retain(|h| h.0 != 100.0);
        page.horizontal
            .extend([(100.0, 20.0, 150.0), (100.0, 200.0, 280.0)]);
        let mut out = String::new();
        page_lines(page, &mut out);
        assert_eq!(out, "甲\t1\t3\n");
    }
}
