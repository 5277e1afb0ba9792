//! Byte spans into the source text, and their 1-based line/column form.

use serde::{Deserialize, Serialize};

/// A byte range `offset..offset + len` in a report's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub offset: usize,
    pub len: usize,
}

impl Span {
    #[inline]
    pub fn new(offset: usize, len: usize) -> Self {
        Span { offset, len }
    }

    /// The span from `start` to `end` (byte offsets, `end` exclusive).
    #[inline]
    pub fn from_range(start: usize, end: usize) -> Self {
        Span {
            offset: start,
            len: end.saturating_sub(start),
        }
    }

    #[inline]
    pub fn end(&self) -> usize {
        self.offset + self.len
    }

    /// The smallest span covering both.
    #[inline]
    pub fn cover(&self, other: Span) -> Span {
        Span::from_range(self.offset.min(other.offset), self.end().max(other.end()))
    }

    /// The text this span covers, or `None` when it lies outside `text` or
    /// splits a character (possible for spans that came from JSON input).
    #[inline]
    pub fn slice<'t>(&self, text: &'t str) -> Option<&'t str> {
        text.get(self.offset..self.end())
    }
}

impl From<Span> for std::ops::Range<usize> {
    #[inline]
    fn from(s: Span) -> Self {
        s.offset..s.end()
    }
}

/// A value with the place it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    #[inline]
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// 1-based line and column (column counted in characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for LineCol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Maps byte offsets to [`LineCol`]. The line starts are found on the
/// first lookup, not when the index is made: most reports are rendered
/// without a single finding to locate. Each lookup is then a binary search
/// plus a character count within one line.
#[derive(Debug, Clone)]
pub struct LineIndex<'t> {
    text: &'t str,
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        LineIndex {
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1));
            starts
        })
    }

    /// Line and column of a byte offset. Offsets past the end or inside a
    /// character are clamped to the previous character boundary.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&s| s <= offset) - 1;
        let start = line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "一、总体\n规章\t0\t5";
        let idx = LineIndex::new(text);
        let five = text.rfind('5').unwrap();
        assert_eq!(idx.line_col(five), LineCol { line: 2, column: 6 });
        assert_eq!(idx.line_col(0), LineCol { line: 1, column: 1 });
        // Inside a multi-byte character: clamped to its start.
        assert_eq!(idx.line_col(1), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(10_000).line, 2);
    }
}
