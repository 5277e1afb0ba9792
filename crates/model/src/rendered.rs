//! Text rendered from markup, and where each piece of it is in the source.
//!
//! A web page's section reads differently from its source: tags drop out
//! (`收到申请<span>12</span>件` reads `收到申请12件`), entities become
//! characters, block ends become line ends. Whatever reads a section's words
//! (a narrative number, a phrase) must read the rendered text, while spans it
//! reports must still point into the source, which is what users open.

use crate::span::Span;
use serde::{Deserialize, Serialize};

/// Rendered text and its way back to the source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedText {
    pub text: String,
    /// In order of `at`: where each piece of `text` starts and the source it
    /// stands for. A piece as long as its source span was copied unchanged
    /// (byte `at + k` is source byte `source.offset + k`); any other piece is
    /// one character (an entity, a line end the markup implies) standing for
    /// its whole source span. A piece ends where the next begins.
    pub pieces: Vec<Piece>,
}

/// One piece of a [`RenderedText`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    /// Byte offset in the rendered text.
    pub at: usize,
    pub source: Span,
}

impl RenderedText {
    /// Renders `text` piece by piece: `origins` gives, for each character in
    /// order, its byte offset in `text` and the source span it came from.
    /// Runs of characters copied unchanged from consecutive source bytes
    /// become one piece.
    pub fn from_origins(text: String, origins: impl IntoIterator<Item = (usize, Span)>) -> Self {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut origins = origins.into_iter().peekable();
        while let Some((at, source)) = origins.next() {
            let len = origins
                .peek()
                .map_or(text.len(), |&(next, _)| next)
                .saturating_sub(at);
            let copied = source.len == len;
            match pieces.last_mut() {
                // Extends the last piece when both were copied and follow on
                // in the source as in the text.
                Some(last)
                    if copied
                        && last.source.len == at.saturating_sub(last.at)
                        && last.source.end() == source.offset =>
                {
                    last.source.len += len;
                }
                _ => pieces.push(Piece { at, source }),
            }
        }
        RenderedText { text, pieces }
    }

    /// The source span of the rendered bytes `start..end`: from the source
    /// of the first character to the end of the last one's (as wide as the
    /// whole piece where a character was not copied unchanged). Offsets
    /// outside the text, or pieces that say nothing of them, give `None`.
    pub fn source_span(&self, start: usize, end: usize) -> Option<Span> {
        if start > end || end > self.text.len() {
            return None;
        }
        let from = self.source_at(start, false)?;
        let to = if end == start {
            from
        } else {
            self.source_at(end - 1, true)?
        };
        Some(Span::from_range(from, to.max(from)))
    }

    /// The rendered byte range `(start, end)` that a source span covers (the
    /// inverse of [`RenderedText::source_span`] for spans made by it). Relies on
    /// the pieces following the source in order, as a rendering does.
    pub fn rendered_range(&self, source: Span) -> Option<(usize, usize)> {
        let piece_len = |i: usize| {
            let at = self.pieces.get(i).map_or(0, |p| p.at);
            self.pieces
                .get(i + 1)
                .map_or(self.text.len(), |p| p.at)
                .saturating_sub(at)
        };
        let first = self.pieces.partition_point(|p| p.source.end() <= source.offset);
        let p = self.pieces.get(first)?;
        let start = if p.source.len == piece_len(first) && p.source.offset < source.offset {
            p.at + (source.offset - p.source.offset)
        } else {
            p.at
        };
        let last = self
            .pieces
            .partition_point(|p| p.source.offset < source.end())
            .checked_sub(1)?;
        let q = self.pieces.get(last)?;
        let end = if q.source.len == piece_len(last) && source.end() < q.source.end() {
            q.at + (source.end() - q.source.offset)
        } else {
            q.at + piece_len(last)
        };
        Some((start, end.max(start)))
    }

    /// The source offset where the rendered byte `offset` starts (or, with
    /// `end`, where it ends).
    fn source_at(&self, offset: usize, end: bool) -> Option<usize> {
        let i = self.pieces.partition_point(|p| p.at <= offset).checked_sub(1)?;
        let piece = self.pieces.get(i)?;
        let next = self.pieces.get(i + 1).map_or(self.text.len(), |p| p.at);
        let len = next.saturating_sub(piece.at);
        let into = offset - piece.at;
        Some(if piece.source.len == len {
            piece.source.offset.saturating_add(into + usize::from(end))
        } else if end {
            piece.source.end()
        } else {
            piece.source.offset
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `收到<span>12</span>件&nbsp;` as a page would render it.
    fn page() -> (&'static str, RenderedText) {
        let source = "收到<span>12</span>件&nbsp;";
        let mut origins = Vec::new();
        let mut text = String::new();
        let mut copy = |text: &mut String, from: usize, s: &str| {
            for (k, c) in s.char_indices() {
                origins.push((text.len(), Span::new(from + k, c.len_utf8())));
                text.push(c);
            }
        };
        copy(&mut text, 0, "收到");
        copy(&mut text, 12, "12");
        copy(&mut text, 21, "件");
        origins.push((text.len(), Span::new(24, 6)));
        text.push('\u{a0}');
        (source, RenderedText::from_origins(text, origins))
    }

    #[test]
    fn copied_runs_are_one_piece_and_entities_their_own() {
        let (_, r) = page();
        assert_eq!(r.text, "收到12件\u{a0}");
        let spans: Vec<(usize, Span)> = r.pieces.iter().map(|p| (p.at, p.source)).collect();
        assert_eq!(
            spans,
            [
                (0, Span::new(0, 6)),
                (6, Span::new(12, 2)),
                (8, Span::new(21, 3)),
                (11, Span::new(24, 6)),
            ]
        );
    }

    #[test]
    fn rendered_ranges_map_to_the_source() {
        let (source, r) = page();
        let at = |needle: &str| {
            let start = r.text.find(needle).expect("in the text");
            r.source_span(start, start + needle.len())
                .and_then(|s| s.slice(source))
                .map(str::to_string)
        };
        assert_eq!(at("12").as_deref(), Some("12"));
        assert_eq!(at("2").as_deref(), Some("2"));
        assert_eq!(at("收到").as_deref(), Some("收到"));
        // Across a tag: the source span takes the tag in.
        assert_eq!(at("到12").as_deref(), Some("到<span>12"));
        assert_eq!(at("12件").as_deref(), Some("12</span>件"));
        // An entity stands for all of its source.
        assert_eq!(at("\u{a0}").as_deref(), Some("&nbsp;"));
        assert_eq!(r.source_span(3, 3), Some(Span::new(3, 0)));
        assert_eq!(r.source_span(4, 2), None);
        assert_eq!(r.source_span(0, 99), None);
        assert_eq!(RenderedText::default().source_span(0, 0), None);
    }

    #[test]
    fn source_spans_map_back_to_the_rendered_text() {
        let (source, r) = page();
        let rendered = |needle: &str| {
            let at = source.find(needle).expect("in the source");
            let (a, b) = r.rendered_range(Span::new(at, needle.len()))?;
            r.text.get(a..b).map(str::to_string)
        };
        assert_eq!(rendered("收到").as_deref(), Some("收到"));
        assert_eq!(rendered("<span>12</span>件").as_deref(), Some("12件"));
        assert_eq!(rendered("到<span>1").as_deref(), Some("到1"));
        assert_eq!(rendered(source).as_deref(), Some("收到12件\u{a0}"));
        assert_eq!(rendered("&nbsp;").as_deref(), Some("\u{a0}"));
        // Every rendered range maps to the source and back.
        for (start, _) in r.text.char_indices() {
            for end in (start + 1..=r.text.len()).filter(|&e| r.text.is_char_boundary(e)) {
                let span = r.source_span(start, end).expect("maps");
                assert_eq!(r.rendered_range(span), Some((start, end)), "{start}..{end}");
            }
        }
    }
}
