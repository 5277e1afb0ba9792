//! Rows whose empty cells the exporter printed as nothing at all: no
//! separator says where they stood, yet the table's rows printed in full
//! show where each column is, in one of two ways exporters lay cells out:
//!
//! - **one cell per line**, a constant number of line breaks apart
//!   (BeautifulSoup's text and docx2txt put empty lines between cells; a page
//!   copied cell by cell puts none, and an empty cell is an empty line): an
//!   empty cell is one more period of line breaks;
//! - **aligned with spaces** (lynx, pandoc's plain text, PDF text in layout
//!   mode): a column is a place on the line, and a value stands under it.
//!
//! A row with values missing is read by that evidence only when the
//! evidence is consistent across the table's full rows and places every
//! value of the row in exactly one column; a row printing no value at all
//! is read as empty only where every number the table printed was placed in
//! a row. Otherwise the row stays not read, as it was.

use super::{cell_value, line_start, Reader, Value};
use crate::labels::VERTICAL_PIECE_CHARS;
use crate::tokens::is_furniture;
use nianbao_model::{Cell, CellValue, Cells, ProblemKind, Row, RowSchema, Span};
use unicode_width::UnicodeWidthChar;

/// A row closed with fewer values than columns: kept to be read by where
/// its values stand once the table's full rows are known.
pub(super) struct Unfit {
    /// The row's position in the schema.
    pub index: usize,
    /// The row's label; for a row without one, an empty span where the
    /// line of its first value starts.
    pub label: Span,
    pub labelled: bool,
    /// Whether the row's digits were taken for digits that ran together
    /// (`crate::flattened`): where the layout says which column each value
    /// stands in, they are not split.
    pub run_together: bool,
    /// The values printed (blanks left out).
    pub values: Vec<Value>,
    /// Where the next item of the table starts (the next row's label), when
    /// the row was closed by one.
    pub next_at: Option<usize>,
    /// The numbering level of the row whose label is there, if it is one.
    pub next_level: Option<u8>,
}

/// Line breaks between `from` and `to` when only white space stands there
/// (no-break spaces of an `&nbsp;` cell included).
pub(super) fn breaks(text: &str, from: usize, to: usize) -> Option<usize> {
    let between = text.get(from..to)?;
    between
        .chars()
        .all(char::is_whitespace)
        .then(|| between.bytes().filter(|&b| b == b'\n').count())
}

/// What a table's full rows, printed one cell per line, show: the line
/// breaks from a row's label to its first cell, between cells, and from its
/// last cell to the next row's label, by the next row's numbering level
/// ([`nianbao_model::RowSchema::level`]): an exporter printing a merged
/// cell in every grid row it covers prints, before a row's label, an empty
/// cell for each label column merged down to it from above (三、本年度办理结果
/// beside （二）, and （三）不予公开 too beside its sub-row 2.).
#[derive(Default, Clone, Copy)]
struct Period {
    label: Option<usize>,
    cell: Option<usize>,
    next: [Option<usize>; 4],
}

impl Period {
    /// The breaks before a next row of numbering level `level` (`None`: not
    /// a row's label). Where the full rows do not show them for that
    /// level, they follow from the levels they show where these fit one of
    /// the two ways exporters print merged label cells: not again (the same
    /// breaks before every level), or again and empty in each row below
    /// their first (one cell's breaks more for each level above the row's);
    /// where the full rows show none, they are the breaks between cells
    /// (the label a cell like the others).
    fn next(&self, level: Option<u8>) -> Option<usize> {
        if let Some(n) = level.and_then(|l| self.next.get(usize::from(l)).copied().flatten()) {
            return Some(n);
        }
        let g = self.cell?;
        let known = || self.next.iter().enumerate().filter_map(|(l, n)| Some((l, (*n)?)));
        let Some((_, first)) = known().next() else {
            return Some(g);
        };
        if known().all(|(_, n)| n == first) {
            return Some(first);
        }
        // Merged cells printed again: the breaks before a row of level 1
        // (no label column above it), the same from every level shown.
        let base = |(l, n): (usize, usize)| n.checked_sub(l.checked_sub(1)? * g);
        let bases = known().map(|k| if k.0 == 0 { None } else { base(k) });
        let mut base_seen: Option<usize> = None;
        for b in bases {
            if !agree(&mut base_seen, b?) {
                return None;
            }
        }
        let level = usize::from(level.filter(|&l| l > 0)?);
        Some(base_seen? + (level - 1) * g)
    }
}

/// Records `n` as `slot`'s reading; false when it disagrees with one seen.
fn agree(slot: &mut Option<usize>, n: usize) -> bool {
    match *slot {
        Some(m) => m == n,
        None => {
            *slot = Some(n);
            true
        }
    }
}

/// Where a column stands on the line in a table aligned with spaces: the
/// display columns its values occupy in the full rows.
#[derive(Clone, Copy)]
struct Place {
    start: usize,
    end: usize,
}

/// How an exporter aligning with spaces counts a line's columns: by
/// display width (text browsers, pandoc: a Chinese character is two
/// columns wide) or one a character (PDF text in layout mode).
#[derive(Clone, Copy, Debug)]
enum Measure {
    Width,
    Chars,
}

/// Where each column of the schema stands on a page (by position in the
/// schema's columns), where the full rows show it.
type Places = Vec<Option<Place>>;

/// [`Places`] by each [`Measure`] the full rows stand apart in.
type ByMeasure = [Option<(Measure, Places)>; 2];

/// The column at which byte `at` of `text` stands on its line.
fn display_column(text: &str, at: usize, measure: Measure) -> Option<usize> {
    let line = text.get(line_start(text, at)?..at)?;
    Some(match measure {
        Measure::Width => line.chars().map(|c| c.width().unwrap_or(1)).sum(),
        Measure::Chars => line.chars().count(),
    })
}

impl Reader<'_> {
    /// Reads the rows closed with values missing ([`Unfit`]) by where their
    /// values stand, as the table's full rows show (see the module's doc).
    #[cold]
    pub(super) fn read_unfit(&mut self) {
        let unfit = std::mem::take(&mut self.unfit);
        let period = self.period();
        let page_breaks = self.page_breaks();
        // Every number the table printed is in a row: a row printing none
        // is then a row of empty cells, not one whose numbers went elsewhere.
        let all_placed = self.unplaced.iter().all(|run| run.foreign) && self.orphans.is_empty();
        // Where the columns stand on each page, by each measure: worked out
        // once a page, for the first row on it that needs them.
        let mut pages: Vec<(usize, ByMeasure)> = Vec::new();
        let single_spaced = self.single_spaced();
        let rulers = self.rulers();
        for u in &unfit {
            let ncols = self.layout.cells(u.index).len();
            // Spaces that say where each empty cell is say it of a row
            // printing no value too.
            if let Some(slots) = single_spaced.then(|| self.slots_by_spaces(u, ncols)).flatten() {
                self.fill_by_slots(u, &slots);
                continue;
            }
            if let Some(slots) = self.slots_by_ruler(&rulers, u, ncols) {
                self.fill_by_slots(u, &slots);
                continue;
            }
            if u.values.is_empty() && all_placed && self.label_alone_before_next(u) {
                self.fill_by_slots(u, &vec![None; ncols]);
                continue;
            }
            if !u.labelled || (u.values.is_empty() && !all_placed) {
                continue;
            }
            let mut slots = period.and_then(|p| self.slots_by_lines(&p, u, ncols));
            if slots.is_none() {
                // Columns stand where they stand on the row's page.
                let page = page_breaks.partition_point(|&b| b < u.label.offset);
                let at = match pages.iter().position(|(p, _)| *p == page) {
                    Some(at) => at,
                    None => {
                        let places = [Measure::Width, Measure::Chars]
                            .map(|m| self.places(m, &page_breaks, page).map(|p| (m, p)));
                        pages.push((page, places));
                        pages.len() - 1
                    }
                };
                slots = pages
                    .get(at)
                    .and_then(|(_, places)| self.slots_by_any_places(places, u));
            }
            if let Some(slots) = slots {
                self.fill_by_slots(u, &slots);
            }
        }
    }

    /// The rows read with every cell printed and a label: (label, cells in
    /// column order, with their column positions).
    fn full_rows(&self) -> impl Iterator<Item = (Span, Vec<(usize, Span)>)> + '_ {
        self.rows.iter().enumerate().filter_map(|(index, row)| {
            let row = row.as_ref()?;
            let label = row.label.as_ref()?.span;
            let columns = self.layout.columns(index);
            if row.cells.len() != columns.len() || row.cells.len() < 2 {
                return None;
            }
            let cells: Vec<(usize, Span)> = columns
                .iter()
                .zip(row.cells.values())
                .map(|(&c, cell)| (c, cell.span))
                .collect();
            printed_whole(row).then_some((label, cells))
        })
    }

    /// The line breaks of a table printed one cell per line, the same in
    /// every full row: from a row's label to its first cell, between cells,
    /// and from its last cell to the next row's label where nothing else
    /// stands between. `None` when no full row is printed so, or two differ.
    fn period(&self) -> Option<Period> {
        let level = |index: usize| self.schema.rows.get(index).map(RowSchema::level);
        let mut labels: Vec<(usize, Option<u8>)> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(index, r)| Some((r.as_ref()?.label.as_ref()?.span.offset, level(index))))
            .chain(
                self.unfit
                    .iter()
                    .filter(|u| u.labelled)
                    .map(|u| (u.label.offset, level(u.index))),
            )
            .collect();
        labels.sort_unstable();
        let mut p = Period::default();
        for (label, cells) in self.full_rows() {
            let (Some(first), Some(last)) = (cells.first(), cells.last()) else {
                continue;
            };
            let Some(lead) = breaks(self.text, label.end(), first.1.offset).filter(|&n| n > 0) else {
                continue;
            };
            let mut gaps = cells.windows(2).map(|w| match w {
                [a, b] => breaks(self.text, a.1.end(), b.1.offset),
                _ => None,
            });
            let Some(Some(gap)) = gaps.next() else { continue };
            if gap == 0 || !gaps.all(|g| g == Some(gap)) {
                return None;
            }
            if !agree(&mut p.cell, gap) || !agree(&mut p.label, lead) {
                return None;
            }
            let next = labels.iter().find(|&&(l, _)| l >= last.1.end());
            if let Some((n, Some(level))) =
                next.and_then(|&(l, level)| Some((breaks(self.text, last.1.end(), l)?, level)))
            {
                let slot = p.next.get_mut(usize::from(level))?;
                if !agree(slot, n) {
                    return None;
                }
            }
        }
        p.cell.is_some().then_some(p)
    }

    /// Each value's column (by position among the row's columns) in a
    /// table printed one cell per line, or `None`. Where the full rows do
    /// not show the breaks after a label or before the next, they are the
    /// breaks between cells (the label a cell like the others).
    fn slots_by_lines(&self, p: &Period, u: &Unfit, ncols: usize) -> Option<Vec<Option<usize>>> {
        let g = p.cell?;
        let lead = p.label.unwrap_or(g);
        // The line breaks each empty cell adds: a period (the cell printed
        // as nothing between its separators), or one (an exporter that
        // collapses the blank lines between blocks prints an empty block
        // as one line). One must explain the whole row; where a period is
        // more than one break, the two never both make up its columns.
        let by_empty_breaks = |empty: usize| {
            let mut slots = Vec::with_capacity(u.values.len());
            let mut at = u.label.end();
            // The position of the cell read last (the label's is 0).
            let mut cell = 0;
            for (k, v) in u.values.iter().enumerate() {
                let n = breaks(self.text, at, v.span().offset)?;
                // Breaks from the cell before to the first of the empty ones.
                let base = if k == 0 { lead } else { g };
                let extra = n.checked_sub(base)?;
                if extra % empty != 0 {
                    return None;
                }
                cell += 1 + extra / empty;
                slots.push(cell - 1);
                at = v.span().end();
            }
            let cells = match u.next_at {
                Some(next) => {
                    let next_breaks = p.next(u.next_level)?;
                    let n = breaks(self.text, at, next)?;
                    let extra = if u.values.is_empty() {
                        // Empty cells after the label, then the next label
                        // (with none, the two would be a period apart less
                        // than a label and a cell and a label are).
                        (n + g).checked_sub(lead + next_breaks)
                    } else {
                        n.checked_sub(next_breaks)
                    }?;
                    if extra % empty != 0 {
                        return None;
                    }
                    cell + extra / empty
                }
                // Nothing says what follows: only a row printed to its last column.
                None => cell,
            };
            (cells == ncols).then(|| column_slots(&slots, ncols))
        };
        by_empty_breaks(g).or_else(|| (g > 1).then(|| by_empty_breaks(1)).flatten())
    }

    /// Whether the table's full rows are printed on one line each, one
    /// space (no more) between the label and each value: an exporter that
    /// joins a row's cells with a space. Where such an exporter prints an
    /// empty cell as the space its cell holds (a page's `&nbsp;`), a run of
    /// spaces says how many empty cells stand there ([`Self::slots_by_spaces`]).
    /// At least two full rows must show it: the table's own, where it has
    /// two; else with those of the tables read before it, printed by the
    /// same exporter (a table of one row without a label, the review
    /// table's, shows nothing by itself). A table's own rows decide for it
    /// because one exporter may lay tables out both ways: a text browser
    /// aligns the columns of a table that fits its width and joins the
    /// cells of one that does not.
    fn single_spaced(&self) -> bool {
        let full = |row: &Row| {
            let label = row.label.as_ref()?.span;
            (!row.cells.is_empty() && printed_whole(row))
                .then(|| (label, row.cells.values().map(|c| c.span).collect::<Vec<_>>()))
        };
        // Rows printed on one line joined by single spaces; `None` when
        // one is joined otherwise.
        let single_spaced_rows = |rows: &mut dyn Iterator<Item = (Span, Vec<Span>)>| {
            let mut count = 0;
            for (label, cells) in rows {
                let mut at = label.end();
                let mut one_line = true;
                for span in cells {
                    match self.text.get(at..span.offset) {
                        Some(" ") => {}
                        // A row wrapped over lines says nothing of its
                        // fields across the break.
                        Some(gap) if gap.contains('\n') => one_line = false,
                        _ => return None,
                    }
                    at = span.end();
                }
                count += usize::from(one_line);
            }
            Some(count)
        };
        let Some(own) = single_spaced_rows(&mut self.rows.iter().flatten().filter_map(full)) else {
            return false;
        };
        if own >= 2 {
            return true;
        }
        let mut earlier = self
            .earlier
            .values()
            .flat_map(|t| t.rows.values().filter_map(full));
        single_spaced_rows(&mut earlier).is_some_and(|n| own + n >= 2)
    }

    /// Each value's column in a table whose cells are joined by one space
    /// ([`Self::single_spaced`]): after the separator that follows the label
    /// (a space, or the line break of a label wrapped in its cell) or a
    /// value (a space), runs of spaces are empty cells. An empty cell prints
    /// what it holds and its separator: nothing and a space, or, where the
    /// cell holds a no-break space that the exporter prints as a space (a
    /// text browser's dump of `&nbsp;`), two spaces. One width must explain
    /// every run of the row; the two can never both make up its columns (a
    /// run of spaces counts twice as many cells at one as at the other).
    /// `None` unless the row's values and spaces fill its line and make up
    /// exactly its columns.
    fn slots_by_spaces(&self, u: &Unfit, ncols: usize) -> Option<Vec<Option<usize>>> {
        let text = self.text;
        // The spaces from `from` to `to`, and nothing else.
        let spaces = |from: usize, to: usize| -> Option<usize> {
            let between = text.get(from..to)?;
            between.bytes().all(|b| b == b' ').then_some(between.len())
        };
        let separator = |at: usize, line_break: bool| match text.as_bytes().get(at) {
            Some(b' ') => at + 1,
            Some(b'\n') if line_break => at + 1,
            _ => at,
        };
        let mut at = if u.labelled {
            let after = separator(u.label.end(), true);
            if after == u.label.end() {
                return None;
            }
            after
        } else {
            u.label.end()
        };
        // The spaces before each value, then those ending its line.
        let mut runs = Vec::with_capacity(u.values.len() + 1);
        for v in &u.values {
            runs.push(spaces(at, v.span().offset)?);
            at = separator(v.span().end(), false);
        }
        let line_end = text.get(at..)?.find('\n').map_or(text.len(), |n| at + n);
        runs.push(spaces(at, line_end)?);
        [1, 2].into_iter().find_map(|empty_width: usize| {
            let mut cell = 0;
            let mut slots = Vec::with_capacity(u.values.len());
            for (k, run) in runs.iter().enumerate() {
                if run % empty_width != 0 {
                    return None;
                }
                cell += run / empty_width;
                if k < u.values.len() {
                    slots.push(cell);
                    cell += 1;
                }
            }
            (cell == ncols).then(|| column_slots(&slots, ncols))
        })
    }

    /// Each value's column under a ruler: a plain-text table (pandoc's) is
    /// drawn under a line of dashes, one run per column, and each cell is
    /// printed within its column's run ([`Self::rulers`]). Read so when the
    /// nearest ruler above the row has a run for each of the row's cells (and
    /// its label's, first) and each value, on the row's line, stands within
    /// one run; a row printing no value, when its line is padded with spaces
    /// into the last column's run.
    fn slots_by_ruler(&self, rulers: &[usize], u: &Unfit, ncols: usize) -> Option<Vec<Option<usize>>> {
        let ruler_at = *rulers
            .get(..rulers.partition_point(|&r| r < u.label.offset))?
            .last()?;
        let ruler = self.text.get(ruler_at..)?.lines().next()?;
        let mut runs: Vec<Place> = Vec::new();
        let mut at = 0;
        for piece in ruler.split(' ') {
            if !piece.is_empty() {
                runs.push(Place {
                    start: at,
                    end: at + piece.len(),
                });
            }
            at += piece.len() + 1;
        }
        let runs = match runs.len().checked_sub(ncols)? {
            0 if !u.labelled => runs,
            1 if u.labelled => runs.split_off(1),
            _ => return None,
        };
        let line = line_start(self.text, u.label.offset)?;
        if u.values.is_empty() {
            // Padded with spaces into every column's run: empty cells.
            let rest = self.text.get(u.label.end()..)?;
            let rest = rest.split('\n').next().unwrap_or("");
            let reach = display_column(self.text, u.label.end() + rest.len(), Measure::Width)?;
            let padded = rest.bytes().all(|b| b == b' ') && runs.last().is_some_and(|r| reach > r.start);
            return padded.then(|| vec![None; ncols]);
        }
        let mut slots = Vec::with_capacity(u.values.len());
        for v in &u.values {
            let s = v.span();
            // On the row's line.
            if line_start(self.text, s.offset)? != line {
                return None;
            }
            let start = display_column(self.text, s.offset, Measure::Width)?;
            let end = display_column(self.text, s.end(), Measure::Width)?;
            let mut under = runs
                .iter()
                .enumerate()
                .filter(|(_, r)| r.start <= start && end <= r.end);
            let (slot, _) = under.next()?;
            if slots.last().is_some_and(|&l| l >= slot) {
                return None;
            }
            slots.push(slot);
        }
        Some(column_slots(&slots, ncols))
    }

    /// Where the table's ruler lines start (a plain-text table's rules: runs
    /// of dashes apart by spaces), from the line above its first line (its
    /// top rule) to its end.
    fn rulers(&self) -> Vec<usize> {
        let Some(span) = self.span else { return Vec::new() };
        let first_line = line_start(self.text, span.offset).unwrap_or(span.offset);
        let mut at = first_line
            .checked_sub(1)
            .and_then(|end| line_start(self.text, end))
            .unwrap_or(first_line);
        let mut out = Vec::new();
        for line in self.text.get(at..span.end()).unwrap_or("").split_inclusive('\n') {
            let rule = line.trim();
            if rule.len() >= 3 && rule.bytes().all(|b| b == b'-' || b == b' ') {
                out.push(at);
            }
            at += line.len();
        }
        out
    }

    /// Where the table's pages break: the lines of page furniture (a print
    /// header or footer, a page number) and form feeds within it. A PDF's
    /// text in layout mode sets each page's columns apart anew.
    fn page_breaks(&self) -> Vec<usize> {
        let Some(span) = self.span else { return Vec::new() };
        let mut at = span.offset;
        let mut out = Vec::new();
        for line in self
            .text
            .get(span.offset..span.end())
            .unwrap_or("")
            .split_inclusive('\n')
        {
            if line.contains('\u{000C}') || crate::tokens::is_furniture(line.trim_end()) {
                out.push(at);
            }
            at += line.len();
        }
        out
    }

    /// Where each column of a table aligned with spaces stands, from its
    /// full rows printed on one line on page `page`; `None` when there are
    /// none, or two columns of a row overlap.
    fn places(&self, m: Measure, page_breaks: &[usize], page: usize) -> Option<Places> {
        let mut places: Places = vec![None; self.schema.columns.len()];
        let mut seen = false;
        let on_page = |l: &Span| page_breaks.partition_point(|&b| b < l.offset) == page;
        for (label, cells) in self.full_rows().filter(|(l, _)| on_page(l)) {
            let mut at = label.end();
            let mut row: Vec<(usize, Place)> = Vec::with_capacity(cells.len());
            for &(c, span) in &cells {
                // Only white space before it on its line.
                if breaks(self.text, at, span.offset) != Some(0) {
                    row.clear();
                    break;
                }
                let start = display_column(self.text, span.offset, m)?;
                let end = display_column(self.text, span.end(), m)?;
                row.push((c, Place { start, end }));
                at = span.end();
            }
            for (c, p) in row {
                seen = true;
                let slot = places.get_mut(c)?;
                *slot = Some(match *slot {
                    Some(q) => Place {
                        start: q.start.min(p.start),
                        end: q.end.max(p.end),
                    },
                    None => p,
                });
            }
        }
        // The columns of each row stand apart, in order (a table of blocks
        // with columns of their own, as the disclosure table, may print two
        // blocks' columns at one place).
        for index in 0..self.schema.rows.len() {
            let mut end = 0;
            for p in self
                .layout
                .columns(index)
                .iter()
                .filter_map(|&c| places.get(c).copied().flatten())
            {
                if p.start < end {
                    return None;
                }
                end = p.end;
            }
        }
        seen.then_some(places)
    }

    /// [`Self::slots_by_places`] by each measure the full rows stand
    /// apart in: `None` unless one reading results (measures that place
    /// every value agree, and at least one does).
    fn slots_by_any_places(
        &self,
        places: &[Option<(Measure, Places)>],
        u: &Unfit,
    ) -> Option<Vec<Option<usize>>> {
        // A measure that places no column under a value is not the one the
        // table is aligned in; those that place every value must agree.
        let mut read = places
            .iter()
            .flatten()
            .filter_map(|(m, p)| self.slots_by_places(*m, p, u));
        let first = read.next()?;
        read.all(|other| other == first).then_some(first)
    }

    /// Each value's column in a table aligned with spaces: the one column
    /// it stands under, or `None`.
    fn slots_by_places(&self, m: Measure, places: &[Option<Place>], u: &Unfit) -> Option<Vec<Option<usize>>> {
        let columns = self.layout.columns(u.index);
        // Every column of the row has a place.
        let row_places: Vec<Place> = columns
            .iter()
            .map(|&c| places.get(c).copied().flatten())
            .collect::<Option<_>>()?;
        let mut at = u.label.end();
        let mut slots = Vec::with_capacity(u.values.len());
        for (k, v) in u.values.iter().enumerate() {
            let s = v.span();
            // The row's values on one line: after its label, or on a line
            // of their own (a label wrapped in its cell, pieces above and
            // below the line of numbers, as PDF text in layout mode prints it).
            let on_label_line = breaks(self.text, at, s.offset) == Some(0);
            let own_line = k == 0
                && line_start(self.text, s.offset).and_then(|from| breaks(self.text, from, s.offset))
                    == Some(0);
            if !(on_label_line || own_line) {
                return None;
            }
            let start = display_column(self.text, s.offset, m)?;
            let end = display_column(self.text, s.end(), m)?;
            let mut under = row_places
                .iter()
                .enumerate()
                .filter(|(_, p)| start < p.end && p.start < end);
            let (slot, _) = under.next()?;
            if under.next().is_some() || slots.last().is_some_and(|&l| l >= slot) {
                return None;
            }
            slots.push(slot);
            at = s.end();
        }
        if u.values.is_empty() {
            // The label alone on its line.
            let rest = self.text.get(u.label.end()..)?;
            let line = rest.split('\n').next().unwrap_or("");
            if !line.chars().all(char::is_whitespace) {
                return None;
            }
        }
        Some(column_slots(&slots, row_places.len()))
    }

    /// Whether row `u`'s label stands alone on its line up to the next
    /// row's label, with nothing between but page furniture (a running
    /// header or footer) and pieces of labels printed down a narrow column
    /// (a few characters, no digit): with every number of the table placed
    /// in a row, its cells are then empty however the exporter lays out
    /// the others (a text browser joining a wide table's cells trims a
    /// row's trailing empty cells, and an all-empty row to its label).
    fn label_alone_before_next(&self, u: &Unfit) -> bool {
        let Some(between) = u.next_at.and_then(|next| self.text.get(u.label.end()..next)) else {
            return false;
        };
        let mut lines = between.split('\n');
        let rest_of_label_line = lines.next().unwrap_or_default();
        u.labelled
            && between.contains('\n')
            && rest_of_label_line.trim().is_empty()
            && lines.all(|line| {
                let piece = line.trim();
                is_furniture(line)
                    || (piece.chars().count() <= VERTICAL_PIECE_CHARS
                        && !piece.contains(|c: char| c.is_ascii_digit()))
            })
    }

    /// Stores row `u` with its values in `slots` (for each of its columns,
    /// the value standing there) and the other cells blank.
    fn fill_by_slots(&mut self, u: &Unfit, slots: &[Option<usize>]) {
        let Some(row) = self.schema.rows.get(u.index) else {
            return;
        };
        let table = self.schema.id;
        let columns = self.layout.cells(u.index);
        self.forget_row_problems(row.id, Some(ProblemKind::MissingCells));
        if u.run_together {
            // Not digits that ran together after all.
            self.splits.retain(|split| split.row != row.id);
        }
        let mut cells = Cells::with_capacity(columns.len());
        // A blank cell stands after the value or label before it.
        let mut at = u.label.end();
        for (&col, slot) in columns.iter().zip(slots) {
            let cell = match slot.and_then(|k| u.values.get(k)) {
                Some(&v) => {
                    at = v.span().end();
                    cell_value(self.text, v, col, table, row.id, &mut self.problems)
                }
                None => Cell {
                    value: CellValue::Blank,
                    span: Span::new(at, 0),
                    inferred: None,
                },
            };
            cells.push_distinct(col.id.into(), cell);
        }
        if let Some(read) = self.rows.get_mut(u.index) {
            let label = read.take().and_then(|r| r.label);
            *read = Some(Row { label, cells });
        }
    }
}

/// For each of `ncols` columns, the value standing there, from each
/// value's column.
fn column_slots(slots: &[usize], ncols: usize) -> Vec<Option<usize>> {
    let mut out = vec![None; ncols];
    for (k, &s) in slots.iter().enumerate() {
        if let Some(o) = out.get_mut(s) {
            *o = Some(k);
        }
    }
    out
}

/// Whether every cell of `row` was printed (none blank, none inferred).
fn printed_whole(row: &Row) -> bool {
    row.cells
        .values()
        .all(|c| c.value != CellValue::Blank && c.inferred.is_none())
}
