//! Recognising the template's labels in a token stream: one catalogue of
//! every table label of both formats (rows, columns, column groups, block
//! labels, headings, and the fixed header words every table prints), and a
//! segmentation that finds which consecutive text tokens form which label —
//! labels wrapped over lines, split by spaces, printed one character per
//! line, or with small typos (approximate, with the distance recorded).

use crate::tokens::{breaks_between, line_opening, Kind, Token};
use nianbao_model::label::{distance_within, normalize, normalize_into, split_numbering};
pub(crate) use nianbao_model::label::{label_match, max_distance, template_bare};
use nianbao_model::{same_id, template, Format, ReportHasher, RowKind, Span, FORMATS};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::LazyLock;

/// What a label stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    Row(&'static str),
    Column(&'static str),
    Group(&'static str),
    /// A block label (第二十条第（一）项); the schema's block text.
    Block(&'static str),
    /// A heading inside a table (三、本年度办理结果): the row id.
    Heading(&'static str),
    /// Fixed header words with no id of their own (信息内容, 申请人情况, the
    /// 勾稽关系 note): recognised so they are not taken for unknown text.
    Furniture,
}

/// Numbering style and numeral ("(七)" → Paren "七").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Numbering {
    paren: bool,
    numeral: String,
}

fn numbering_of(printed: &str) -> Option<Numbering> {
    if printed.is_empty() {
        return None;
    }
    let paren = printed.starts_with('(') || printed.starts_with('（');
    let numeral: String = printed
        .chars()
        .filter(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
        .collect();
    Some(Numbering { paren, numeral })
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub table: &'static str,
    pub target: Target,
    /// Normalised text without numbering.
    pub text: String,
    pub numbering: Option<Numbering>,
    /// Bit set of formats (1 = 2021, 2 = 2019) whose template has this label.
    pub formats: u8,
    /// For a row or column label, the position of its row or column in
    /// its table's schema, per format ([`Entry::position`]).
    positions: [Option<usize>; 2],
    chars: usize,
    /// Character signature, for a cheap lower bound on edit distances.
    mask: u128,
    /// The same number for entries of the same text, and only for them
    /// (dense, from 0): counts kept per printed text are kept per this.
    pub text_id: u32,
}

/// One bit per character (hashed): a candidate character whose bit is not
/// in a label's signature needs at least one edit.
pub(crate) fn signature(s: &str) -> u128 {
    s.chars().fold(0u128, |m, c| m | char_bit(c))
}

/// A character's bit in a [`signature`].
fn char_bit(c: char) -> u128 {
    1u128 << ((c as u32).wrapping_mul(2_654_435_761) >> 25)
}

/// Whether `bits` has more than `max` bits set: `count_ones` without the
/// popcount instruction (not in baseline x86-64) costs more than clearing
/// the lowest bit the few times `max` (at most five) allows.
pub(crate) fn more_bits_than(mut bits: u128, max: usize) -> bool {
    for _ in 0..max {
        if bits == 0 {
            return false;
        }
        bits &= bits - 1;
    }
    bits != 0
}

/// A set of characters, tested in a few instructions: a bitmap of the
/// Basic Multilingual Plane (where every template label lives) and a list
/// for anything beyond.
struct CharSet {
    bmp: Vec<u64>,
    other: Vec<char>,
}

impl CharSet {
    fn new() -> CharSet {
        CharSet {
            bmp: vec![0; 0x1_0000 / 64],
            other: Vec::new(),
        }
    }

    fn insert(&mut self, c: char) {
        let n = c as usize;
        match self.bmp.get_mut(n / 64) {
            Some(word) => *word |= 1 << (n % 64),
            None => self.other.push(c),
        }
    }

    fn contains(&self, c: char) -> bool {
        let n = c as usize;
        match self.bmp.get(n / 64) {
            Some(word) => word >> (n % 64) & 1 == 1,
            None => self.other.contains(&c),
        }
    }
}

/// Characters that may number a label ([`split_numbering`]): brackets,
/// numerals and separators.
const NUMBERING_CHARS: &str = "()（）、.．0123456789一二三四五六七八九十";

/// Whether numbering ([`split_numbering`]) may start with `c`: a bracket
/// or a numeral. Most candidate texts start otherwise.
fn may_start_numbering(c: char) -> bool {
    matches!(
        c,
        '(' | '（' | '0'..='9' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// What the matcher needs to know of a normalised candidate text, gathered
/// while it is built (token by token) rather than recomputed per lookup.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Traits {
    /// Length in characters.
    chars: usize,
    /// [`signature`] of the text.
    mask: u128,
    /// Characters in no catalogue label and no numbering: each needs an
    /// edit whatever label the text is compared with.
    foreign: usize,
}

impl Traits {
    /// The traits of a normalised text.
    fn of(cat: &Catalogue, norm: &str) -> Traits {
        let mut t = Traits::default();
        for c in norm.chars() {
            t.push(cat, c);
        }
        t
    }

    fn push(&mut self, cat: &Catalogue, c: char) {
        self.chars += 1;
        self.mask |= char_bit(c);
        self.foreign += usize::from(!cat.known.contains(c));
    }

    /// The traits of two texts joined.
    fn join(self, other: Traits) -> Traits {
        Traits {
            chars: self.chars + other.chars,
            mask: self.mask | other.mask,
            foreign: self.foreign + other.foreign,
        }
    }
}

impl Entry {
    /// Where the row or column this label names sits in its table's schema
    /// of `format` (a hint: callers check the id found there).
    pub fn position(&self, format: Format) -> Option<usize> {
        self.positions.get(format.index()).copied().flatten()
    }
}

/// A format as a bit, for sets of formats.
pub(crate) fn format_bit(f: Format) -> u8 {
    1 << f.index()
}

/// Header words printed in the tables that are no template id.
const FURNITURE_LABELS: [(&str, &str); 4] = [
    ("disclosure", "信息内容"),
    ("requests", "申请人情况"),
    (
        "requests",
        "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
    ),
    (
        "requests",
        "本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和",
    ),
];

pub(crate) struct Catalogue {
    pub entries: Vec<Entry>,
    /// By normalised text; looked up for every candidate run of tokens, so
    /// with a fast hash rather than SipHash.
    exact: FxHashMap<String, Vec<usize>>,
    /// Entries by their [`signature`], for the exact lookup: comparing two
    /// numbers first is cheaper than hashing the text.
    exact_by_mask: FxHashMap<u128, Vec<usize>>,
    /// For a text of n characters (the index), the entries that may match
    /// it approximately: those whose tolerated edits cover the difference
    /// in length. Blocks and short labels are matched only exactly.
    approx_by_chars: Vec<Vec<Approx>>,
    max_chars: usize,
    /// The row entries ([`Target::Row`]) by the first character of their
    /// text, in catalogue order: those a cut-short row label
    /// ([`Catalogue::row_prefix`]) may be.
    rows_by_first: FxHashMap<char, Vec<usize>>,
    /// Every character of every entry, and the numbering characters: a
    /// text with a character outside this set matches no entry exactly,
    /// and one with more such characters than the most edits any entry
    /// tolerates matches none at all.
    known: CharSet,
    /// The characters of the labels of group and heading rows, printed or
    /// normalised: those a label spanning rows, printed down a narrow
    /// column, is made of ([`vertical_pieces`]).
    vertical: CharSet,
}

/// An entry in a list of [`Catalogue`] entries that may match approximately,
/// with what the filters before the edit distance read, kept together.
#[derive(Debug, Clone, Copy)]
struct Approx {
    mask: u128,
    /// Edits tolerated.
    max: usize,
    chars: usize,
    entry: usize,
}

pub(crate) static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(build);

fn build() -> Catalogue {
    let mut entries: Vec<Entry> = Vec::new();
    let mut add = |table: &'static str,
                   target: Target,
                   position: Option<usize>,
                   numbering: &str,
                   label: &str,
                   format: Format| {
        let norm = normalize(label);
        let (num, rest) = split_numbering(&norm);
        let numbering = numbering_of(&normalize(numbering)).or_else(|| numbering_of(num));
        let text = rest.to_string();
        if let Some(e) = entries
            .iter_mut()
            .find(|e| e.table == table && e.target == target && e.text == text)
        {
            e.formats |= format_bit(format);
            if let Some(p) = e.positions.get_mut(format.index()) {
                *p = position;
            }
            return;
        }
        let mut positions = [None; 2];
        if let Some(p) = positions.get_mut(format.index()) {
            *p = position;
        }
        entries.push(Entry {
            table,
            target,
            chars: text.chars().count(),
            mask: signature(&text),
            text,
            numbering,
            formats: format_bit(format),
            positions,
            text_id: 0,
        });
    };
    let mut vertical = CharSet::new();
    for format in FORMATS {
        for t in &template(format).tables {
            for (position, r) in t.rows.iter().enumerate() {
                let target = match r.kind {
                    RowKind::Heading => Target::Heading(r.id),
                    _ => Target::Row(r.id),
                };
                if matches!(r.kind, RowKind::Group | RowKind::Heading) {
                    for printed in [r.numbering, r.label] {
                        for c in printed.chars().chain(normalize(printed).chars()) {
                            vertical.insert(c);
                        }
                    }
                }
                for l in std::iter::once(&r.label).chain(r.variants) {
                    add(t.id, target, Some(position), r.numbering, l, format);
                }
                if let Some(b) = r.block {
                    add(t.id, Target::Block(b), None, "", b, format);
                }
            }
            for (position, c) in t.columns.iter().enumerate() {
                for l in std::iter::once(&c.label).chain(c.variants) {
                    add(t.id, Target::Column(c.id), Some(position), "", l, format);
                }
            }
            for g in &t.column_groups {
                for l in std::iter::once(&g.label).chain(g.variants) {
                    add(t.id, Target::Group(g.id), None, "", l, format);
                }
            }
            for (table, l) in FURNITURE_LABELS {
                if table == t.id {
                    add(t.id, Target::Furniture, None, "", l, format);
                }
            }
        }
    }
    let mut exact: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, e) in entries.iter().enumerate() {
        exact.entry(e.text.clone()).or_default().push(i);
    }
    for (text_id, ids) in exact.values().enumerate() {
        for &i in ids {
            if let Some(e) = entries.get_mut(i) {
                e.text_id = u32::try_from(text_id).unwrap_or(u32::MAX);
            }
        }
    }
    let mut exact_by_mask: FxHashMap<u128, Vec<usize>> = FxHashMap::default();
    for (i, e) in entries.iter().enumerate() {
        exact_by_mask.entry(e.mask).or_default().push(i);
    }
    let max_chars = entries.iter().map(|e| e.chars).max().unwrap_or(0);
    let mut approx_by_chars: Vec<Vec<Approx>> = vec![Vec::new(); max_chars + max_distance(max_chars) + 1];
    for (i, e) in entries.iter().enumerate() {
        // 第二十条第（一）项 and 第（五）项 are one edit apart: blocks only exactly.
        let max = max_distance(e.chars);
        if max == 0 || matches!(e.target, Target::Block(_)) {
            continue;
        }
        for chars in e.chars.saturating_sub(max)..=e.chars + max {
            if let Some(list) = approx_by_chars.get_mut(chars) {
                list.push(Approx {
                    mask: e.mask,
                    max,
                    chars: e.chars,
                    entry: i,
                });
            }
        }
    }
    // Shorter entries first, as ties go to the entry found first.
    for list in &mut approx_by_chars {
        list.sort_by_key(|a| a.chars);
    }
    let mut known = CharSet::new();
    for c in entries
        .iter()
        .flat_map(|e| e.text.chars())
        .chain(NUMBERING_CHARS.chars())
    {
        known.insert(c);
    }
    let mut rows_by_first: FxHashMap<char, Vec<usize>> = FxHashMap::default();
    for (i, e) in entries.iter().enumerate() {
        if let (Target::Row(_), Some(c)) = (e.target, e.text.chars().next()) {
            rows_by_first.entry(c).or_default().push(i);
        }
    }
    Catalogue {
        entries,
        exact,
        rows_by_first,
        exact_by_mask,
        approx_by_chars,
        max_chars,
        known,
        vertical,
    }
}

/// Score of a character covered by a label, and cost of one edit: an edit
/// costs more than a character gains, so a fragment printed next to a label
/// ("年" of a vertical heading) stays apart rather than count as a typo,
/// while the parts of a wrapped label join.
const CHAR_SCORE: i64 = 10;
const EDIT_COST: usize = 30;

/// A candidate's best reading.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub entry: usize,
    /// Character edits between the printed text (without numbering) and the entry.
    pub distance: usize,
    /// Lower is better: edits, numbering disagreement, other table.
    pub cost: usize,
}

impl Catalogue {
    pub fn entry(&self, i: usize) -> Option<&Entry> {
        self.entries.get(i)
    }

    /// The columns of `table` in the formats of `formats` (a bit set) with a
    /// label or variant reading `text` (normalised, no numbering).
    pub fn columns_reading<'c>(
        &'c self,
        table: &'c str,
        text: &str,
        formats: u8,
    ) -> impl Iterator<Item = &'static str> + 'c {
        self.exact
            .get(text)
            .into_iter()
            .flatten()
            .filter_map(move |&i| match self.entries.get(i)? {
                Entry {
                    table: t,
                    target: Target::Column(id),
                    formats: f,
                    ..
                } if same_id(t, table) && f & formats != 0 => Some(*id),
                _ => None,
            })
    }

    /// The [`Entry::text_id`] of the entries reading `text` (normalised, no
    /// numbering), if any does.
    pub fn text_id(&self, text: &str) -> Option<u32> {
        let first = *self.exact.get(text)?.first()?;
        self.entries.get(first).map(|e| e.text_id)
    }

    /// Whether `table` has a label reading `text` (normalised, no numbering).
    pub fn has_label(&self, table: &str, text: &str) -> bool {
        self.exact.get(text).is_some_and(|ids| {
            ids.iter()
                .any(|&i| self.entries.get(i).is_some_and(|e| same_id(e.table, table)))
        })
    }

    /// The best entry for a normalised candidate text, if any is close enough.
    /// `prefer` is the table whose region is being read.
    pub fn best(&self, norm: &str, prefer: Option<&str>) -> Option<Hit> {
        self.best_with(norm, Traits::of(self, norm), prefer)
    }

    /// [`Catalogue::best`] with the text's [`Traits`] already known.
    fn best_with(&self, norm: &str, traits: Traits, prefer: Option<&str>) -> Option<Hit> {
        let (num, rest) = if norm.starts_with(may_start_numbering) {
            split_numbering(norm)
        } else {
            ("", norm)
        };
        if rest.is_empty() {
            return None;
        }
        // Numbering characters are all known: the foreign ones are the rest's.
        let foreign = traits.foreign;
        let (rest_chars, rest_mask) = if num.is_empty() {
            (traits.chars, traits.mask)
        } else {
            (traits.chars - num.chars().count(), signature(rest))
        };
        // Only entries whose tolerated edits cover the difference in length
        // can match approximately; at most five edits are ever tolerated.
        let approx = self
            .approx_by_chars
            .get(rest_chars)
            .map_or(&[][..], |list| &list[..]);
        if foreign > 0 && (approx.is_empty() || foreign > max_distance(self.max_chars)) {
            return None;
        }
        // The printed numbering, only worked out for an entry that matches.
        let mut printed_num: Option<Option<Numbering>> = None;
        let mut cost_of = |e: &Entry, d: usize| -> Option<usize> {
            let printed_num = printed_num.get_or_insert_with(|| numbering_of(num));
            let numbering = match (&*printed_num, &e.numbering) {
                (Some(p), Some(n)) if p == n => 0,
                (Some(_), Some(_)) => 5,
                (None, Some(_)) => 1,
                (None, None) => 0,
                // Column and group headers are never numbered; rows may be.
                (Some(_), None) => match e.target {
                    Target::Row(_) => 2,
                    _ => return None,
                },
            };
            let other_table = usize::from(prefer.is_some_and(|t| t != e.table)) * 3;
            Some(d * EDIT_COST + numbering + other_table)
        };
        let mut best: Option<Hit> = None;
        let mut consider = |best: &mut Option<Hit>, i: usize, d: usize| {
            let Some(e) = self.entries.get(i) else { return };
            if let Some(cost) = cost_of(e, d) {
                if best.is_none_or(|b| cost < b.cost) {
                    *best = Some(Hit {
                        entry: i,
                        distance: d,
                        cost,
                    });
                }
            }
        };
        // An exact match has the same characters, so the same signature.
        if foreign == 0 {
            if let Some(ids) = self.exact_by_mask.get(&rest_mask) {
                for &i in ids {
                    if self.entries.get(i).is_some_and(|e| e.text == rest) {
                        consider(&mut best, i, 0);
                    }
                }
            }
        }
        if best.is_some_and(|b| b.distance == 0) {
            return best;
        }
        for a in approx {
            // Each character one text has and the other lacks is an edit.
            if foreign > a.max
                || more_bits_than(rest_mask & !a.mask, a.max)
                || more_bits_than(a.mask & !rest_mask, a.max)
            {
                continue;
            }
            let Some(e) = self.entries.get(a.entry) else {
                continue;
            };
            // A piece of a label, its start or its end, is no misprint of
            // it: the rest of a label wrapped over lines is printed on
            // another (read as pieces: `Catalogue::row_prefix`, `read_parts`).
            if e.text.starts_with(rest) || e.text.ends_with(rest) {
                continue;
            }
            if let Some(d) = distance_within(rest, &e.text, a.max) {
                consider(&mut best, a.entry, d);
            }
        }
        best
    }

    /// A row label cut short where its numbers were printed, the rest of it
    /// wrapped below them ("（二）部分公开（区分处理的，只计这一情形， 4 0 …"):
    /// at least six characters from its start, and half the label or its
    /// numbering.
    pub fn row_prefix(&self, norm: &str, traits: Traits, prefer: Option<&str>) -> Option<Hit> {
        // A label starting with the text starts with its first character.
        self.best_row_prefix(norm, traits, prefer, |first| {
            self.rows_by_first.get(&first).into_iter().flatten().copied()
        })
    }

    /// [`Catalogue::row_prefix`] among the row entries `rows` gives for the
    /// first character of the text (after its numbering).
    fn best_row_prefix<I: IntoIterator<Item = usize>>(
        &self,
        norm: &str,
        traits: Traits,
        prefer: Option<&str>,
        rows: impl FnOnce(char) -> I,
    ) -> Option<Hit> {
        // A label starting with the text has every character of it.
        if traits.foreign > 0 {
            return None;
        }
        let (num, rest) = split_numbering(norm);
        let rest_chars = rest.chars().count();
        if rest_chars < 6 {
            return None;
        }
        let first = rest.chars().next()?;
        let printed_num = numbering_of(num);
        let mut best: Option<Hit> = None;
        for i in rows(first) {
            let Some(e) = self.entries.get(i) else { continue };
            // Half the label, or its numbering printed with it: the
            // numbering and six characters tell a row from the others.
            let numbered_alike = printed_num.is_some() && printed_num == e.numbering;
            if (rest_chars * 2 < e.chars && !numbered_alike) || !e.text.starts_with(rest) {
                continue;
            }
            if printed_num.is_some() && e.numbering.is_some() && printed_num != e.numbering {
                continue;
            }
            let cost = (e.chars - rest_chars) + usize::from(prefer.is_some_and(|t| t != e.table)) * 3;
            if best.is_none_or(|b| cost < b.cost) {
                best = Some(Hit {
                    entry: i,
                    distance: 0,
                    cost,
                });
            }
        }
        best
    }

    /// A row label that ends a longer text ("…信息内容本年处理决定数量行政许可"
    /// where cells ran together): the entry and how many characters of the
    /// normalised text it covers, with its numbering when printed.
    /// Only rows of `table`: text that ran together is no place to find
    /// another table's labels.
    pub fn row_suffix(&self, norm: &str, table: Option<&str>) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for (i, e) in self.entries.iter().enumerate() {
            if !matches!(e.target, Target::Row(_))
                || table.is_some_and(|t| t != e.table)
                || e.chars < 2
                || !norm.ends_with(e.text.as_str())
            {
                continue;
            }
            let before = &norm[..norm.len() - e.text.len()];
            // Take the printed numbering along when it is there.
            let mut covered = e.chars;
            if let Some(n) = &e.numbering {
                let tail: String = before
                    .chars()
                    .rev()
                    .take(4)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                for k in (1..=tail.chars().count()).rev() {
                    let cand: String = tail.chars().skip(tail.chars().count() - k).collect();
                    let (num, rest) = split_numbering(&cand);
                    if rest.is_empty() && numbering_of(num).as_ref() == Some(n) {
                        covered += k;
                        break;
                    }
                }
            }
            if best.is_none_or(|(_, c)| covered > c) {
                best = Some((i, covered));
            }
        }
        best
    }
}

/// Whether an item is a label of its table that no other table has (not a
/// header such as 总计 that several tables print): where a table searched
/// for in the whole document can be said to start.
pub(crate) fn starts_its_table(item: &Item) -> bool {
    let Item::Label { entry, .. } = item else {
        return false;
    };
    let Some(e) = CATALOGUE.entries.get(*entry) else {
        return false;
    };
    CATALOGUE.exact.get(&e.text).is_none_or(|same| {
        same.iter()
            .filter_map(|i| CATALOGUE.entries.get(*i))
            .all(|o| o.table == e.table)
    })
}

/// One item of a table region after label recognition.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Label {
        entry: usize,
        /// From the first to the last character of the label as printed.
        span: Span,
        /// Normalised printed text without numbering: shared with the
        /// remembered reading of its run ([`segment`]), not copied per report.
        text: Rc<str>,
        distance: usize,
    },
    Number(Span),
    Blank(Span),
    /// Text matching no label.
    Unknown(Span),
}

impl Item {
    /// Where the item is printed.
    fn span(&self) -> Span {
        match self {
            Item::Label { span, .. } | Item::Number(span) | Item::Blank(span) | Item::Unknown(span) => *span,
        }
    }
}

/// Longest run of tokens joined into one label (vertical labels print one
/// character per token).
const MAX_JOIN: usize = 24;

/// Most characters a line of a label printed down a narrow column holds.
pub(crate) const VERTICAL_PIECE_CHARS: usize = 3;

/// Recognise labels in `tokens` (all of one region of the text).
pub(crate) fn items(text: &str, tokens: &[Token], prefer: Option<&str>) -> Vec<Item> {
    // The thread's buffers and remembered runs, borrowed once for the
    // region's runs rather than looked up through the thread-local run by
    // run, and kept from region to region rather than grown anew.
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => items_with(text, tokens, prefer, &mut scratch),
        // Only if a region were read while another is (it is not).
        Err(_) => items_with(text, tokens, prefer, &mut Scratch::default()),
    })
}

/// [`items`] with the thread's buffers.
fn items_with(text: &str, tokens: &[Token], prefer: Option<&str>, scratch: &mut Scratch) -> Vec<Item> {
    let cat = &*CATALOGUE;
    let mut out = Vec::with_capacity(tokens.len());
    let mut rest = tokens;
    while let Some(first) = rest.first() {
        if first.kind == Kind::Text {
            let end = rest
                .iter()
                .position(|t| t.kind != Kind::Text)
                .unwrap_or(rest.len());
            let (run, after) = rest.split_at(end);
            let blanks = after.iter().take_while(|t| t.kind == Kind::Blank).count();
            if blanks > 0 && after.get(blanks).is_some_and(|t| t.kind == Kind::Text) {
                rest = segment_across_blanks(text, rest, prefer, cat, scratch, &mut out);
                continue;
            }
            // Empty cells between a label and its numbers (a grid's label
            // columns) leave the numbers following it.
            let followed_by_number = after
                .iter()
                .find(|t| t.kind != Kind::Blank)
                .is_some_and(|t| t.kind == Kind::Number);
            segment_beside_column(text, run, prefer, followed_by_number, cat, scratch, &mut out);
            rest = after;
        } else {
            // A row's values: taken as they are, in one go.
            let end = rest
                .iter()
                .position(|t| t.kind == Kind::Text)
                .unwrap_or(rest.len());
            let (values, after) = rest.split_at(end);
            out.extend(values.iter().map(|t| match t.kind {
                Kind::Number => Item::Number(t.span),
                _ => Item::Blank(t.span),
            }));
            rest = after;
        }
    }
    scratch.shrink();
    out
}

/// Text interleaved with blank cells and no number (`rest` starts with
/// such a run): a row drawn over several lines (a wrapped label, each of its
/// lines with the row's cells, empty but for the line with the numbers), or
/// rows with no numbers, one a line. The text is read as one run, as if the
/// blanks were not there; blanks that then fall inside a label are the empty
/// rest of its lines and are dropped, blanks at a label's end are its row's
/// cells. Returns the tokens after the run.
#[cold]
fn segment_across_blanks<'t>(
    text: &str,
    rest: &'t [Token],
    prefer: Option<&str>,
    cat: &Catalogue,
    scratch: &mut Scratch,
    out: &mut Vec<Item>,
) -> &'t [Token] {
    // To the last text token before the first number: blanks after it are
    // the next values' (or the end's).
    let numbers_at = rest
        .iter()
        .position(|t| t.kind == Kind::Number)
        .unwrap_or(rest.len());
    let end = rest
        .get(..numbers_at)
        .unwrap_or_default()
        .iter()
        .rposition(|t| t.kind == Kind::Text)
        .map_or(0, |p| p + 1);
    let (run, after) = rest.split_at(end);
    let words: Vec<Token> = run.iter().filter(|t| t.kind == Kind::Text).copied().collect();
    // (As in `items_with`: empty cells between a label and its numbers.)
    let followed_by_number = after
        .iter()
        .find(|t| t.kind != Kind::Blank)
        .is_some_and(|t| t.kind == Kind::Number);
    let from = out.len();
    segment_beside_column(text, &words, prefer, followed_by_number, cat, scratch, out);
    let read: Vec<Item> = out.drain(from..).collect();
    let mut blanks = run
        .iter()
        .filter(|t| t.kind == Kind::Blank)
        .map(|t| t.span)
        .peekable();
    for item in read {
        let span = item.span();
        // Blanks before this item: at a boundary between items, kept.
        while let Some(b) = blanks.next_if(|b| b.offset < span.offset) {
            out.push(Item::Blank(b));
        }
        // Blanks inside this item (a label across lines): dropped.
        while blanks.next_if(|b| b.offset < span.end()).is_some() {}
        out.push(item);
    }
    out.extend(blanks.map(Item::Blank));
    after
}

/// [`segment`] of a run in which a label spanning rows, printed down a
/// narrow column beside the row labels (a PDF's or a grid's vertical group
/// label: "（六 1.申请人无正当理由 / ）其 逾期不补正、行政机 / …"), put
/// pieces of itself at the start of the lines of a wrapped row label: the
/// row label is read from its own pieces, and the column's pieces are
/// unknown text where they stand — when that leaves less of the run
/// unread than reading it as printed.
fn segment_beside_column(
    text: &str,
    run: &[Token],
    prefer: Option<&str>,
    followed_by_number: bool,
    cat: &Catalogue,
    scratch: &mut Scratch,
    out: &mut Vec<Item>,
) {
    let from = out.len();
    segment(text, run, prefer, followed_by_number, cat, scratch, out);
    // Only where the run as printed leaves text unread.
    let unknown_bytes = |items: &[Item]| -> usize {
        items
            .iter()
            .map(|i| match i {
                Item::Unknown(s) => s.len,
                _ => 0,
            })
            .sum()
    };
    let as_printed = unknown_bytes(out.get(from..).unwrap_or_default());
    if as_printed == 0 {
        return;
    }
    let Some(column) = vertical_pieces(text, run, cat) else {
        return;
    };
    let own: Vec<Token> = run
        .iter()
        .enumerate()
        .filter(|(k, _)| !column.contains(k))
        .map(|(_, &t)| t)
        .collect();
    let mut apart = Vec::new();
    segment(text, &own, prefer, followed_by_number, cat, scratch, &mut apart);
    // The column's pieces set apart must read more of the rest.
    if unknown_bytes(&apart) >= as_printed {
        return;
    }
    out.truncate(from);
    out.append(&mut apart);
    for k in column {
        if let Some(t) = run.get(k) {
            let at = from
                + out
                    .get(from..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|i| i.span().offset < t.span.offset)
                    .count();
            out.insert(at, Item::Unknown(t.span));
        }
    }
}

/// The tokens of a run that are pieces of a label printed down a narrow
/// column: each opens its line and is followed on it by more of the run, is
/// at most three characters of the template's group and heading labels,
/// and is not a whole numbering ("（三）" before its label). `None` when
/// there are none, or when every token would be one (then they are the
/// text itself). Such pieces are seldom seen: most runs are told apart by
/// their first token's length.
fn vertical_pieces(text: &str, run: &[Token], cat: &Catalogue) -> Option<Vec<usize>> {
    if run.len() < 2 {
        return None;
    }
    let mut found = Vec::new();
    for (k, t) in run.iter().enumerate() {
        // Characters of three bytes at most.
        if t.span.len > 3 * VERTICAL_PIECE_CHARS {
            continue;
        }
        let Some(next) = run.get(k + 1) else { break };
        let printed = t.span.slice(text).unwrap_or("");
        let chars = printed.chars().count();
        if chars > VERTICAL_PIECE_CHARS || !printed.chars().all(|c| cat.vertical.contains(c)) {
            continue;
        }
        let same_line = breaks_between(text, t.span.end(), next.span.offset) == Some(false);
        let opens_line = line_opening(text, t.span.offset).is_some();
        let (numbering, rest) = split_numbering(printed);
        let whole_numbering = !numbering.is_empty() && rest.is_empty();
        if same_line && opens_line && !whole_numbering {
            found.push(k);
        }
    }
    (!found.is_empty() && found.len() < run.len()).then_some(found)
}

/// Texts remembered by [`best_remembered`] (and runs by [`segment`]) before
/// it starts afresh, so that memory stays bounded whatever the input. The
/// template's wording recurs as a few hundred texts; most others are one
/// report's own (its body's name, its sentences) and never recur, so a
/// store this size fills within some hundreds of reports and then holds
/// steady: peak memory is the same for ten thousand reports as for a
/// hundred thousand (64 Ki entries took ~40,000 reports to fill, adding
/// ~9 MB), at the price of relearning the recurring texts after each reset.
const REMEMBERED: usize = 1 << 12;

/// The longest run (normalised, in bytes) whose segmentation is remembered:
/// with [`REMEMBERED`] runs at most this long, the store stays within a few
/// tens of MB per thread whatever the input.
const REMEMBERED_RUN_BYTES: usize = 512;

/// [`Catalogue::best`] of texts already looked up: by text, for each
/// preferred table (or none).
#[derive(Default)]
struct Remembered {
    by_table: TextMap<TextMap<Option<Hit>>>,
    no_table: TextMap<Option<Hit>>,
    len: usize,
}

thread_local! {
    static BEST: RefCell<Remembered> = RefCell::new(Remembered::default());
}

/// [`Catalogue::best_with`], remembered per thread: every report prints the
/// template's header and row labels, so the runs of words the
/// segmentation tries recur report after report (a few hundred distinct
/// texts in thousands of reports), and looking one up is much cheaper than
/// matching it again. The result depends on the text and the preferred
/// table alone.
fn best_remembered(cat: &Catalogue, cand: &str, traits: Traits, prefer: Option<&str>) -> Option<Hit> {
    let known = BEST.with_borrow(|memo| {
        let texts = match prefer {
            Some(table) => memo.by_table.get(table)?,
            None => &memo.no_table,
        };
        texts.get(cand).copied()
    });
    if let Some(hit) = known {
        return hit;
    }
    let hit = cat.best_with(cand, traits, prefer);
    BEST.with_borrow_mut(|memo| {
        if memo.len >= REMEMBERED {
            *memo = Remembered::default();
        }
        let texts = match prefer {
            Some(table) => memo.by_table.entry(table.to_string()).or_default(),
            None => &mut memo.no_table,
        };
        texts.insert(cand.to_string(), hit);
        memo.len += 1;
    });
    hit
}

/// One text token of a run, normalised into [`Scratch::norm`].
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// Byte range in the normalised buffer.
    start: usize,
    end: usize,
}

/// Buffers [`segment`] reuses from one run of text tokens to the next.
#[derive(Default)]
struct Scratch {
    /// The run's tokens normalised, one after the other: a run of tokens
    /// joined is a slice of it.
    norm: String,
    pieces: Vec<Piece>,
    best: Vec<Step>,
    /// The key the run's reading is remembered by ([`run_key`]).
    key: String,
    /// The run's reading.
    parts: Vec<Part>,
    /// The thread's remembered runs.
    runs: RememberedRuns,
}

impl Scratch {
    /// Buffers kept for the next region are this large at most: a long run
    /// (narrative) does not hold its memory for the thread's lifetime.
    const KEPT_BYTES: usize = 1 << 16;

    fn shrink(&mut self) {
        self.norm.shrink_to(Self::KEPT_BYTES);
        self.key.shrink_to(Self::KEPT_BYTES);
        let kept = |size: usize| Self::KEPT_BYTES / size.max(1);
        self.pieces.shrink_to(kept(std::mem::size_of::<Piece>()));
        self.best.shrink_to(kept(std::mem::size_of::<Step>()));
        self.parts.clear();
        self.parts.shrink_to(kept(std::mem::size_of::<Part>()));
    }
}

/// [`segment`]'s best reading of the first k tokens of a run: its score,
/// where its last part starts, and the label that part is, if any.
#[derive(Clone, Copy)]
struct Step {
    score: i64,
    from: usize,
    hit: Option<Hit>,
}

/// A run's parts: tokens `from..to`, and the label they read, if any.
type Segments = Vec<(usize, usize, Option<Hit>)>;

/// The dynamic programme of [`segment`] over a run's normalised tokens.
fn best_segments(
    norm: &str,
    pieces: &[Piece],
    prefer: Option<&str>,
    followed_by_number: bool,
    cat: &Catalogue,
    best: &mut Vec<Step>,
) -> Segments {
    let n = pieces.len();
    let piece_traits: Vec<Traits> = pieces
        .iter()
        .map(|p| Traits::of(cat, norm.get(p.start..p.end).unwrap_or("")))
        .collect();
    // The normalised text of tokens a..b.
    let joined = |a: usize, b: usize| -> &str {
        match (pieces.get(a), b.checked_sub(1).and_then(|l| pieces.get(l))) {
            (Some(first), Some(last)) => norm.get(first.start..last.end).unwrap_or(""),
            _ => "",
        }
    };
    // Where the pieces of a vertical label that end the run start: a label
    // printed down a narrow column, a character or two a line, may share
    // the line of a row's numbers (PDF text in layout mode), standing
    // between the label cut short above them and the numbers.
    let vertical_tail = n - piece_traits
        .iter()
        .rev()
        .take_while(|t| t.chars <= VERTICAL_PIECE_CHARS)
        .count();
    // best[k]: the best reading of the first k tokens.
    best.clear();
    best.resize(
        n + 1,
        Step {
            score: i64::MIN,
            from: 0,
            hit: None,
        },
    );
    if let Some(b) = best.first_mut() {
        b.score = 0;
    }
    let limit = cat.max_chars + max_distance(cat.max_chars) + 6;
    // Most edits any entry tolerates.
    let max_edits = max_distance(cat.max_chars);
    for i in 0..n {
        let base = best[i].score;
        if base == i64::MIN {
            continue;
        }
        if best[i + 1].score < base {
            best[i + 1] = Step {
                score: base,
                from: i,
                hit: None,
            };
        }
        let mut traits = Traits::default();
        for j in i + 1..=n.min(i + MAX_JOIN) {
            traits = traits.join(piece_traits[j - 1]);
            // Joining more tokens only adds characters: past the longest
            // label, or with more characters no label has than any label
            // tolerates as edits, no longer run matches either.
            if traits.chars > limit || traits.foreign > max_edits {
                break;
            }
            let cand = joined(i, j);
            let hit = best_remembered(cat, cand, traits, prefer).or_else(|| {
                // Only the text just before the numbers (or before pieces
                // of a vertical label there) can be a label cut short.
                (j >= vertical_tail && followed_by_number)
                    .then(|| cat.row_prefix(cand, traits, prefer))
                    .flatten()
            });
            if let Some(hit) = hit {
                let score = base + traits.chars as i64 * CHAR_SCORE - hit.cost as i64;
                if score > best[j].score {
                    best[j] = Step {
                        score,
                        from: i,
                        hit: Some(hit),
                    };
                }
            }
        }
    }
    let mut segs = Vec::new();
    let mut k = n;
    while k > 0 {
        let s = best[k];
        segs.push((s.from, k, s.hit));
        k = s.from;
    }
    segs.reverse();
    segs
}

/// What [`segment`] read in a run of text tokens, relative to the run:
/// remembered by the run's printed texts, and replayed on any run printing
/// the same texts.
#[derive(Debug, Clone)]
struct Part {
    /// Where the item starts and ends: a token of the run and a byte offset
    /// in that token.
    start: (usize, usize),
    end: (usize, usize),
    /// The label read (entry, normalised printed text without numbering,
    /// distance), or none: text matching no label.
    label: Option<(usize, Rc<str>, usize)>,
}

impl Part {
    /// Tokens `a..b` of `run` as one part.
    fn tokens(run: &[Token], a: usize, b: usize, label: Option<(usize, Rc<str>, usize)>) -> Part {
        let last = b.saturating_sub(1);
        Part {
            start: (a, 0),
            end: (last, run.get(last).map_or(0, |t| t.span.len)),
            label,
        }
    }

    /// The item this part reads in `run`.
    fn item(&self, run: &[Token]) -> Item {
        let at = |(k, delta): (usize, usize)| run.get(k).map_or(0, |t| t.span.offset) + delta;
        let span = Span::from_range(at(self.start), at(self.end));
        match &self.label {
            Some((entry, text, distance)) => Item::Label {
                entry: *entry,
                span,
                text: text.clone(),
                distance: *distance,
            },
            None => Item::Unknown(span),
        }
    }
}

/// A map keyed by text from reports: hashed like the report's own maps
/// ([`ReportHasher`], seeded per process, so crafted keys cannot target it);
/// Fx is only for template keys.
pub(crate) type TextMap<V> = std::collections::HashMap<String, V, ReportHasher>;

/// The parts of runs already read, by [`run_key`], and which runs followed
/// which: a report prints its tables' runs much as the last ones did, so the
/// runs read after the last one before are tried first, by comparing their
/// keys with the run's tokens in place, before a key is built and hashed.
#[derive(Default)]
struct RememberedRuns {
    /// Where in `runs` the run of each key is.
    index: std::collections::HashMap<Rc<str>, usize, ReportHasher>,
    runs: Vec<RememberedRun>,
    /// The run read last (in `runs`), if it was remembered.
    last: Option<usize>,
}

/// Runs remembered as read after a run: a report's layout, spacing and
/// brackets vary from report to report, so a run has a few successors
/// (four catch nine in ten of the runs of the generated corpus, and a
/// comparison that fails mostly fails at its first token's length).
const SUCCESSORS: usize = 4;

/// One remembered run: its key, its reading, and the runs read after it,
/// the latest first.
struct RememberedRun {
    key: Rc<str>,
    /// How the run was printed when first read.
    shape: Shape,
    parts: Box<[Part]>,
    next: [Option<usize>; SUCCESSORS],
}

impl RememberedRuns {
    /// One of the runs read after the last one before, if it is `run`.
    fn predicted(
        &self,
        text: &str,
        run: &[Token],
        prefer: Option<&str>,
        followed_by_number: bool,
    ) -> Option<usize> {
        let last = self.runs.get(self.last?)?;
        let successors = || last.next.iter().map_while(|n| *n);
        // Printed as the run first read: compared in one go.
        successors()
            .find(|&n| {
                self.runs.get(n).is_some_and(|r| {
                    r.shape.fits(text, run) && key_body(&r.key, prefer, followed_by_number).is_some()
                })
            })
            .or_else(|| {
                successors().find(|&n| {
                    self.runs
                        .get(n)
                        .is_some_and(|r| is_run_key(&r.key, text, run, prefer, followed_by_number))
                })
            })
    }

    /// Run `at` is read now: the one read last is followed by it.
    fn follow(&mut self, at: Option<usize>) {
        if let (Some(last), Some(next)) = (self.last, at) {
            if let Some(r) = self.runs.get_mut(last).filter(|r| r.next[0] != Some(next)) {
                // Latest first: the others move down to its old place, or
                // the oldest falls off the end.
                let mut carry = Some(next);
                for slot in &mut r.next {
                    let old = std::mem::replace(slot, carry);
                    if old == Some(next) {
                        break;
                    }
                    carry = old;
                }
            }
        }
        self.last = at;
    }

    /// Remember `parts` as the reading of the run of `key`; where it is.
    fn insert(&mut self, key: &str, text: &str, run: &[Token], parts: &[Part]) -> usize {
        if self.runs.len() >= REMEMBERED {
            self.index.clear();
            self.runs.clear();
            self.last = None;
        }
        let key: Rc<str> = Rc::from(key);
        let at = self.runs.len();
        self.runs.push(RememberedRun {
            key: key.clone(),
            shape: Shape::of(text, run),
            parts: parts.into(),
            next: [None; SUCCESSORS],
        });
        self.index.insert(key, at);
        at
    }
}

thread_local! {
    /// [`segment`]'s buffers and remembered runs, per thread.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// What a run's reading depends on, as one text: the preferred table,
/// whether numbers follow, and each token as printed, ended by a line
/// break (which no token holds).
fn run_key(text: &str, run: &[Token], prefer: Option<&str>, followed_by_number: bool, key: &mut String) {
    key.clear();
    match prefer {
        Some(table) => {
            key.push_str(table);
            key.push('\u{1}');
        }
        None => key.push('\u{2}'),
    }
    key.push(if followed_by_number { '#' } else { '-' });
    for t in run {
        key.push_str(t.span.slice(text).unwrap_or(""));
        key.push('\n');
    }
}

/// Whether `key` is the [`run_key`] of this run: compared piece by piece
/// with the run's tokens where they lie, without building it. A token is
/// compared as bytes: a key is text, so a span that is not (it splits a
/// character) never matches here, and is left to the key it is looked up by.
fn is_run_key(key: &str, text: &str, run: &[Token], prefer: Option<&str>, followed_by_number: bool) -> bool {
    let Some(mut at) = key_body(key, prefer, followed_by_number) else {
        return false;
    };
    let key = key.as_bytes();
    let text = text.as_bytes();
    for t in run {
        let end = at + t.span.len;
        // The line break first: a token of another length fails there.
        if key.get(end) != Some(&b'\n') {
            return false;
        }
        match (key.get(at..end), text.get(t.span.offset..t.span.end())) {
            (Some(k), Some(token)) if same_bytes(k, token) => {}
            _ => return false,
        }
        at = end + 1;
    }
    at == key.len()
}

/// Where the tokens start in `key`, if it is the [`run_key`] of a run read
/// for `prefer`, followed by numbers or not.
fn key_body(key: &str, prefer: Option<&str>, followed_by_number: bool) -> Option<usize> {
    let (table, mark) = match prefer {
        Some(table) => (table.as_bytes(), 1),
        None => (&[][..], 2),
    };
    let flag = if followed_by_number { b'#' } else { b'-' };
    let at = table.len() + 2;
    match key.as_bytes().get(..at) {
        Some([head @ .., m, f]) if *m == mark && *f == flag && same_bytes(head, table) => Some(at),
        _ => None,
    }
}

/// How a run was printed: its text from its first token to its last, and
/// where each token lies in it. A run printed alike has the same tokens,
/// so the same key: told by one comparison of the text and of the tokens'
/// places, rather than token by token.
struct Shape {
    printed: Box<[u8]>,
    /// Each token's offset in `printed`, and length.
    tokens: Box<[(usize, usize)]>,
}

impl Shape {
    /// The shape of `run`. Only a run whose every token is text (its span
    /// on character boundaries, as a key reads it) has one: any other
    /// never fits.
    fn of(text: &str, run: &[Token]) -> Shape {
        let none = Shape {
            printed: Box::default(),
            tokens: Box::default(),
        };
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            return none;
        };
        let start = first.span.offset;
        let printed = text.get(start..last.span.end());
        match printed {
            Some(printed)
                if run
                    .iter()
                    .all(|t| t.span.slice(text).is_some() && t.span.offset >= start) =>
            {
                Shape {
                    printed: printed.as_bytes().into(),
                    tokens: run.iter().map(|t| (t.span.offset - start, t.span.len)).collect(),
                }
            }
            _ => none,
        }
    }

    /// Whether `run` is printed as this shape: then its tokens read as the
    /// ones this shape was taken from (the same bytes at the same places;
    /// text that equals text is cut on the same character boundaries).
    fn fits(&self, text: &str, run: &[Token]) -> bool {
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            return false;
        };
        let start = first.span.offset;
        run.len() == self.tokens.len()
            && last.span.end().checked_sub(start) == Some(self.printed.len())
            && run
                .iter()
                .zip(&*self.tokens)
                .all(|(t, &(offset, len))| t.span.offset.wrapping_sub(start) == offset && t.span.len == len)
            && text.as_bytes().get(start..last.span.end()) == Some(&*self.printed)
    }
}

/// Whether `a` is `b`: the short texts of a run's tokens compared eight
/// bytes at a time in place, rather than by a call to `memcmp` for each.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (Some(a_last), Some(b_last)) = (a.last_chunk::<8>(), b.last_chunk::<8>()) else {
        return a == b;
    };
    let (mut x, mut y) = (a, b);
    while let (Some((xw, xs)), Some((yw, ys))) = (x.split_first_chunk::<8>(), y.split_first_chunk::<8>()) {
        if xw != yw {
            return false;
        }
        (x, y) = (xs, ys);
    }
    // The last eight bytes, overlapping the words compared.
    a_last == b_last
}

/// Best segmentation of a run of text tokens into labels and unknown text:
/// most characters covered by labels, less three per edit, so a stray
/// fragment is never pulled into a label as a typo (a dynamic programme
/// over token positions; each label joins at most [`MAX_JOIN`] tokens).
///
/// Remembered per thread like [`best_remembered`]: the same runs of header
/// words and labels recur report after report, and the reading depends on
/// the run's printed tokens, whether numbers follow and the preferred table
/// alone, so a run read before is neither normalised nor matched again.
fn segment(
    text: &str,
    run: &[Token],
    prefer: Option<&str>,
    followed_by_number: bool,
    cat: &Catalogue,
    scratch: &mut Scratch,
    out: &mut Vec<Item>,
) {
    let memo = &mut scratch.runs;
    let known = memo.predicted(text, run, prefer, followed_by_number).or_else(|| {
        run_key(text, run, prefer, followed_by_number, &mut scratch.key);
        memo.index.get(scratch.key.as_str()).copied()
    });
    if let Some(r) = known.and_then(|at| memo.runs.get(at)) {
        out.extend(r.parts.iter().map(|p| p.item(run)));
        memo.follow(known);
        return;
    }
    let mut parts = std::mem::take(&mut scratch.parts);
    parts.clear();
    read_parts(text, run, prefer, followed_by_number, cat, scratch, &mut parts);
    out.extend(parts.iter().map(|p| p.item(run)));
    // A long run (narrative that ran into a table) is unlikely to recur and
    // would make the store's size depend on the input's: read it afresh.
    let at = (scratch.key.len() <= REMEMBERED_RUN_BYTES)
        .then(|| scratch.runs.insert(&scratch.key, text, run, &parts));
    scratch.runs.follow(at);
    scratch.parts = parts;
}

/// [`segment`]'s reading of a run, worked out.
fn read_parts(
    text: &str,
    run: &[Token],
    prefer: Option<&str>,
    followed_by_number: bool,
    cat: &Catalogue,
    scratch: &mut Scratch,
    out: &mut Vec<Part>,
) {
    let Scratch {
        norm, pieces, best, ..
    } = scratch;
    norm.clear();
    pieces.clear();
    for t in run {
        let start = norm.len();
        normalize_into(t.span.slice(text).unwrap_or(""), norm);
        pieces.push(Piece {
            start,
            end: norm.len(),
        });
    }
    let norm = norm.as_str();
    // The normalised text of tokens a..b.
    let joined = |a: usize, b: usize| -> &str {
        match (pieces.get(a), b.checked_sub(1).and_then(|l| pieces.get(l))) {
            (Some(first), Some(last)) => norm.get(first.start..last.end).unwrap_or(""),
            _ => "",
        }
    };
    let mut segs = best_segments(norm, pieces, prefer, followed_by_number, cat, best);
    // The label read across cells, as read (its pieces in their order).
    let mut across: Option<String> = None;
    if followed_by_number {
        if let Some((from, hit, zipped)) = label_across_cells(text, run, norm, pieces, &segs, prefer, cat) {
            segs.retain(|&(a, _, _)| a < from);
            segs.push((from, run.len(), Some(hit)));
            across = Some(zipped);
        }
    }
    let last = segs.len().saturating_sub(1);
    for (idx, (a, b, hit)) in segs.into_iter().enumerate() {
        match hit {
            Some(h) => {
                let read = match (&across, idx == last) {
                    (Some(zipped), true) => zipped.as_str(),
                    _ => joined(a, b),
                };
                out.push(Part::tokens(
                    run,
                    a,
                    b,
                    Some((h.entry, Rc::from(split_numbering(read).1), h.distance)),
                ));
            }
            None => {
                // Cells that ran together: a row label ends the text and its
                // numbers follow.
                let norm = joined(a, a + 1);
                if idx == last && followed_by_number {
                    if let Some((entry, covered)) = cat.row_suffix(norm, prefer) {
                        if let Some(start) = suffix_start(text, run[a].span, covered) {
                            let token = run[a].span;
                            let start = start - token.offset;
                            if start > 0 {
                                // What ran into the label may be a label itself
                                // (a group: "（三）不予公开1.属于国家秘密").
                                let before = Span::new(token.offset, start);
                                let norm_before = normalize(before.slice(text).unwrap_or(""));
                                let label = cat
                                    .best(&norm_before, prefer)
                                    .filter(|h| h.distance == 0)
                                    .map(|h| (h.entry, Rc::from(split_numbering(&norm_before).1), 0));
                                out.push(Part {
                                    start: (a, 0),
                                    end: (a, start),
                                    label,
                                });
                            }
                            let e = cat.entry(entry);
                            out.push(Part {
                                start: (a, start),
                                end: (a, token.len),
                                label: Some((entry, Rc::from(e.map_or("", |e| e.text.as_str())), 0)),
                            });
                            continue;
                        }
                    }
                }
                out.push(Part::tokens(run, a, b, None));
            }
        }
    }
}

/// A row label that a PDF table converter cut at a grid line into cells
/// printed one after the other (pymupdf4llm: `|一、本年<br>数量|新收政府信息公开申请|`,
/// the label's first line split between the cells, its second in the
/// first): read line by line across the cells (each cell's lines, its
/// tokens, taken in turn from the top), it is the label. Only for the
/// text of a table row's line just before its numbers, none of it read as
/// a label, and only a label matched exactly. The token where it starts,
/// the label, and its text so read.
fn label_across_cells(
    text: &str,
    run: &[Token],
    norm: &str,
    pieces: &[Piece],
    segs: &Segments,
    prefer: Option<&str>,
    cat: &Catalogue,
) -> Option<(usize, Hit, String)> {
    // Most runs end with a row's label, read.
    if segs.last().is_some_and(|&(_, _, hit)| hit.is_some()) {
        return None;
    }
    // The tokens on the line of the run's last token.
    let on_line = |a: &Token, b: &Token| {
        text.get(a.span.end()..b.span.offset)
            .is_some_and(|g| !g.contains('\n'))
    };
    let from = run.len() - 1 - run.windows(2).rev().take_while(|w| on_line(&w[0], &w[1])).count();
    if segs.iter().any(|&(_, b, hit)| b > from && hit.is_some()) || !segs.iter().any(|&(a, _, _)| a == from) {
        return None;
    }
    // The line's cells, each its tokens (a cell's lines).
    let mut cells: Vec<Vec<usize>> = vec![vec![from]];
    for k in from + 1..run.len() {
        let (a, b) = (run.get(k - 1)?, run.get(k)?);
        let apart = text
            .get(a.span.end()..b.span.offset)?
            .contains(crate::tokens::is_cell_separator);
        match cells.last_mut() {
            Some(cell) if !apart => cell.push(k),
            _ => cells.push(vec![k]),
        }
    }
    if cells.len() < 2 || cells.iter().all(|c| c.len() < 2) {
        return None;
    }
    let lines = cells.iter().map(Vec::len).max()?;
    let mut zipped = String::new();
    for line in 0..lines {
        for cell in &cells {
            if let Some(p) = cell.get(line).and_then(|&k| pieces.get(k)) {
                zipped.push_str(norm.get(p.start..p.end)?);
            }
        }
    }
    let hit = cat.best(&zipped, prefer).filter(|h| h.distance == 0)?;
    matches!(cat.entry(hit.entry)?.target, Target::Row(_)).then_some((from, hit, zipped))
}

/// Byte offset where the last `covered` significant (normalised) characters
/// of `span` start.
fn suffix_start(text: &str, span: Span, covered: usize) -> Option<usize> {
    let s = span.slice(text)?;
    let mut seen = 0;
    for (i, c) in s.char_indices().rev() {
        if !nianbao_model::label::is_insignificant(c) {
            seen += 1;
            if seen == covered {
                return Some(span.offset + i);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::tokenize;

    fn labels(s: &str) -> Vec<String> {
        let toks = tokenize(s);
        items(s, &toks, Some("requests"))
            .into_iter()
            .map(|it| match it {
                Item::Label { entry, distance, .. } => {
                    let e = &CATALOGUE.entries[entry];
                    format!("{:?}~{distance}", e.target)
                }
                Item::Number(sp) => sp.slice(s).unwrap_or("").to_string(),
                Item::Blank(_) => "_".into(),
                Item::Unknown(sp) => format!("?{}", sp.slice(s).unwrap_or("")),
            })
            .collect()
    }

    /// [`items`] with every run read afresh: no remembered run, no
    /// predicted one (the store starts empty).
    fn items_afresh(text: &str, tokens: &[Token], prefer: Option<&str>) -> Vec<Item> {
        items_with(text, tokens, prefer, &mut Scratch::default())
    }

    #[test]
    fn remembered_and_predicted_runs_read_as_runs_read_afresh() {
        let describe =
            |items: Vec<Item>| -> Vec<String> { items.iter().map(|it| format!("{it:?}")).collect() };
        let texts = crate::fixtures::texts();
        let tokens: Vec<Vec<Token>> = texts.iter().map(|t| tokenize(t)).collect();
        let prefers = [Some("disclosure"), Some("requests"), Some("review"), None];
        // Each fixture after each other one, so that runs are predicted from
        // other reports' runs, rightly and wrongly.
        let mut compared = 0;
        for _ in 0..2 {
            for (text, toks) in texts.iter().zip(&tokens) {
                for prefer in prefers {
                    let expected = describe(items_afresh(text, toks, prefer));
                    assert_eq!(describe(items(text, toks, prefer)), expected);
                    compared += expected.len();
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    proptest::proptest! {
        /// Comparing a remembered key with a run in place is comparing it
        /// with the run's key: runs of fixture words, with line breaks and
        /// spaces between them, one word dropped, or a word split.
        #[test]
        fn is_run_key_agrees_with_run_key(
            picks in proptest::collection::vec(0usize..60, 0..6),
            other in proptest::collection::vec(0usize..60, 0..6),
            seps in proptest::collection::vec(0usize..3, 6),
            prefer in 0usize..4,
            other_prefer in 0usize..4,
            flags in (proptest::bool::ANY, proptest::bool::ANY),
            same_words in proptest::bool::ANY,
        ) {
            // Often the same words, printed alike or not.
            let other = if same_words { picks.clone() } else { other };
            let words: Vec<String> = tokenize(&crate::fixtures::text("pinghu-jingxin-2021.txt"))
                .iter()
                .filter(|t| t.kind == Kind::Text)
                .take(30)
                .map(|t| t.span.slice(&crate::fixtures::text("pinghu-jingxin-2021.txt")).unwrap_or("").to_string())
                .chain(["商业", "企业", "商业企业", "商业企", "业", "(一)", "（一）", "", "a", "abcdefgh", "abcdefghi"].map(String::from))
                .collect();
            let prefers = [Some("disclosure"), Some("requests"), Some("review"), None];
            let text_of = |picks: &[usize]| -> String {
                picks
                    .iter()
                    .zip(&seps)
                    .map(|(p, s)| format!("{}{}", words[p % words.len()], ["\n", " ", "\t"][*s]))
                    .collect()
            };
            let (a, b) = (text_of(&picks), text_of(&other).replace('\t', "  "));
            let (ta, tb) = (tokenize(&a), tokenize(&b));
            let (ra, rb): (Vec<Token>, Vec<Token>) = (
                ta.into_iter().filter(|t| t.kind == Kind::Text).collect(),
                tb.into_iter().filter(|t| t.kind == Kind::Text).collect(),
            );
            let (pa, pb) = (prefers[prefer], prefers[other_prefer]);
            let (mut ka, mut kb) = (String::new(), String::new());
            run_key(&a, &ra, pa, flags.0, &mut ka);
            run_key(&b, &rb, pb, flags.1, &mut kb);
            proptest::prop_assert!(is_run_key(&ka, &a, &ra, pa, flags.0));
            proptest::prop_assert_eq!(is_run_key(&kb, &a, &ra, pa, flags.0), ka == kb);
            // A run printed as another has its key; and a run fits its own shape.
            let mut kb_as_a = String::new();
            run_key(&b, &rb, pa, flags.0, &mut kb_as_a);
            if Shape::of(&a, &ra).fits(&b, &rb) {
                proptest::prop_assert_eq!(&ka, &kb_as_a);
            }
            proptest::prop_assert_eq!(Shape::of(&a, &ra).fits(&a, &ra), !ra.is_empty());
        }

        /// Words compared eight bytes at a time are compared.
        #[test]
        fn same_bytes_agrees_with_eq(
            a in proptest::collection::vec(0u8..4, 0..40),
            flip in proptest::option::of(0usize..40),
            cut in proptest::option::of(0usize..40),
        ) {
            let mut b = a.clone();
            if let Some(i) = flip {
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1;
                }
            }
            if let Some(n) = cut {
                b.truncate(n);
            }
            proptest::prop_assert_eq!(same_bytes(&a, &b), a == b);
            proptest::prop_assert!(same_bytes(&a, &a));
        }
    }

    /// [`Catalogue::row_prefix`] as it was, looking at every row entry: the
    /// oracle for the one that looks at the rows of the text's first
    /// character only.
    fn row_prefix_scanning_every_entry(
        cat: &Catalogue,
        norm: &str,
        traits: Traits,
        prefer: Option<&str>,
    ) -> Option<Hit> {
        cat.best_row_prefix(norm, traits, prefer, |_| {
            cat.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| matches!(e.target, Target::Row(_)))
                .map(|(i, _)| i)
        })
    }

    /// Every prefix of every catalogue text, bare and numbered, and windows
    /// of fixture words: the row a cut-short label is read as is the one
    /// the scan of every entry finds.
    #[test]
    fn row_prefix_agrees_with_the_scan_of_every_entry() {
        let cat = &*CATALOGUE;
        let mut texts: Vec<String> = Vec::new();
        for e in &cat.entries {
            let chars: Vec<char> = e.text.chars().collect();
            for n in 1..=chars.len() {
                let prefix: String = chars[..n].iter().collect();
                for numbering in ["", "（一）", "(二)", "3.", "十、"] {
                    texts.push(format!("{numbering}{prefix}"));
                }
            }
        }
        for text in crate::fixtures::texts() {
            let words: Vec<String> = tokenize(&text)
                .iter()
                .filter(|t| t.kind == Kind::Text)
                .map(|t| normalize(t.span.slice(&text).unwrap_or("")))
                .collect();
            for w in words.windows(3) {
                texts.push(w.concat());
                texts.push(w[0].clone());
            }
        }
        let mut found = 0;
        for norm in &texts {
            let traits = Traits::of(cat, norm);
            for prefer in [Some("requests"), Some("disclosure"), None] {
                let new = cat.row_prefix(norm, traits, prefer);
                let old = row_prefix_scanning_every_entry(cat, norm, traits, prefer);
                assert_eq!(format!("{new:?}"), format!("{old:?}"), "{norm}");
                found += usize::from(new.is_some());
            }
        }
        assert!(found > 500, "{found}");
    }

    /// Blank cells between pieces of text: inside a label wrapped over
    /// lines (each line with the row's empty cells) they are dropped; at a
    /// label's end they are its row's cells.
    #[test]
    fn blanks_inside_a_wrapped_label_are_dropped_and_at_its_end_kept() {
        assert_eq!(
            labels("| 1.属于国家 |  |  |\n| 秘密 | 0 | 1 |"),
            ["Row(\"denied.state_secret\")~0", "0", "1"]
        );
        assert_eq!(
            labels("1.属于国家秘密\t\t\n2.其他法律行政法规禁止公开\t1\t"),
            [
                "Row(\"denied.state_secret\")~0",
                "_",
                "_",
                "Row(\"denied.law_prohibits\")~0",
                "1",
                "_"
            ]
        );
    }

    #[test]
    fn entry_positions_name_their_rows_and_columns() {
        for format in FORMATS {
            for e in &CATALOGUE.entries {
                if e.formats & format_bit(format) == 0 {
                    continue;
                }
                let table = template(format).table(e.table);
                let at = e.position(format);
                match e.target {
                    Target::Row(id) | Target::Heading(id) => {
                        let found = table.and_then(|t| t.rows.get(at?)).map(|r| r.id);
                        assert_eq!(found, Some(id), "{format} {}", e.text);
                    }
                    Target::Column(id) => {
                        let found = table.and_then(|t| t.columns.get(at?)).map(|c| c.id);
                        assert_eq!(found, Some(id), "{format} {}", e.text);
                    }
                    _ => assert_eq!(at, None, "{format} {}", e.text),
                }
            }
        }
    }

    #[test]
    fn remembered_readings_are_the_readings() {
        let s = "商业\n企业\n结果 纠正\n2.其他法律行政止公开 0\n（七）总计 1";
        let toks = tokenize(s);
        let describe =
            |items: Vec<Item>| -> Vec<String> { items.iter().map(|it| format!("{it:?}")).collect() };
        // Read afresh on another thread (its own memory), then here twice.
        let fresh = std::thread::scope(|scope| {
            scope
                .spawn(|| describe(items(s, &toks, Some("requests"))))
                .join()
                .unwrap_or_default()
        });
        assert!(!fresh.is_empty());
        for _ in 0..2 {
            assert_eq!(describe(items(s, &toks, Some("requests"))), fresh);
        }
        // Another preferred table is remembered apart.
        let other = describe(items(s, &toks, None));
        assert_eq!(describe(items(s, &toks, None)), other);
    }

    #[test]
    fn wrapped_spaced_and_vertical_labels() {
        assert_eq!(labels("商业\n企业"), ["Column(\"business\")~0"]);
        assert_eq!(labels("结果 纠正"), ["Column(\"reconsideration.corrected\")~0"]);
        assert_eq!(
            labels("三\n、\n本\n年\n度\n办\n理\n结\n果"),
            ["Heading(\"results\")~0"]
        );
        assert_eq!(
            labels("（二）部分公开（区分处理的，只计这一情 形，不\n计其他情形） 4"),
            ["Row(\"partial\")~0", "4"]
        );
        assert_eq!(
            labels("2.其他法律行政止公开 0"),
            ["Row(\"denied.law_prohibits\")~3", "0"]
        );
        assert_eq!(labels("（七）总计 1"), ["Row(\"total\")~0", "1"]);
        assert_eq!(labels("3. 其他\t0"), ["Row(\"other.other\")~0", "0"]);
    }
}
