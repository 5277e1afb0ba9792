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

#[derive(Default)]
struct Collector {
    pages: Vec<Vec<Glyph>>,
    page_top: f64,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page_top = media_box.ury;
        self.pages.push(Vec::new());
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
            page.push(Glyph {
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
}

/// A gap wider than this many glyph sizes separates cells.
const CELL_GAP: f64 = 1.5;
/// A gap wider than this many glyph sizes is a space between words.
const WORD_GAP: f64 = 0.2;

/// One page's glyphs as lines: glyphs whose baselines lie within half a
/// glyph of each other share a line; in a line, wide gaps are tabs.
fn page_lines(mut glyphs: Vec<Glyph>, out: &mut String) {
    glyphs.retain(|g| !g.text.trim().is_empty());
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<(f64, Vec<Glyph>)> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some((y, line)) if (g.y - *y).abs() < g.size * 0.5 => line.push(g),
            _ => lines.push((g.y, vec![g])),
        }
    }
    let mut lines: Vec<Vec<Glyph>> = lines
        .into_iter()
        .map(|(_, mut line)| {
            line.sort_by(|a, b| a.x.total_cmp(&b.x));
            line
        })
        .collect();
    for (at, label) in vertical_labels(&mut lines).into_iter().rev() {
        lines.insert(at, label);
    }
    for line in lines {
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
        out.push('\n');
    }
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

/// The text layer of a PDF laid out as lines and tab-separated cells.
pub(crate) fn text(bytes: &[u8]) -> Result<String, String> {
    let doc = pdf_extract::Document::load_mem(bytes).map_err(|e| format!("not a readable PDF ({e})"))?;
    if doc.is_encrypted() {
        return Err("the PDF is encrypted".to_string());
    }
    let mut collector = Collector::default();
    // pdf-extract asserts on some malformed content; a damaged file must
    // be an error, not a crash.
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
    for page in collector.pages {
        page_lines(page, &mut out);
    }
    if out.trim().is_empty() {
        return Err(format!(
            "no text layer in {pages} page(s): it looks like a scanned PDF (images of pages), which is not read (no OCR)"
        ));
    }
    Ok(out)
}
