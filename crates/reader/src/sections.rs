//! Section headings: a line whose first cell is a section's label (with
//! 一、 numbering or none at all, as haiyan prints "总体情况" alone), taken
//! in template order.

use crate::labels::{label_match, max_distance, more_bits_than, signature, TextMap};
use crate::tokens::Head;
use nianbao_model::label::{
    distance_within, fold_char, is_insignificant, normalize, normalize_into, normalized_len_at_least,
    split_numbering,
};
use nianbao_model::{template, Format, LabelMatch, LabelUse, SectionSchema, Span, FORMATS};
use std::cell::RefCell;
use std::sync::LazyLock;

/// A heading found: which section (index in template order) and where.
#[derive(Debug, Clone)]
pub(crate) struct Heading {
    pub index: usize,
    pub label: LabelUse,
}

/// Byte length of the prefix of `s` holding its first `n` significant characters.
fn significant_prefix_len(s: &str, n: usize) -> usize {
    let mut seen = 0;
    for (i, c) in s.char_indices() {
        if !is_insignificant(c) {
            if seen == n {
                return i;
            }
            seen += 1;
        }
    }
    s.len()
}

/// The Chinese numerals that number sections (一 to 十).
fn is_section_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// Whether printed numbering may number a section ("一、", "六." or none).
fn section_numbering(num: &str) -> bool {
    num.is_empty()
        || (!num.starts_with('(') && num.chars().find(|c| *c != '第').is_some_and(is_section_numeral))
}

/// "第一部分总体情况" / "第一部分:总体情况": numbering by part.
fn part_numbering(norm: &str) -> Option<(&str, &str)> {
    let rest = norm.strip_prefix('第')?;
    let numeral = rest.chars().take_while(|c| is_section_numeral(*c)).count();
    let after = rest.get(numeral * '一'.len_utf8()..)?.strip_prefix("部分")?;
    let after = after.trim_start_matches([':', '、', ',', '.']);
    (numeral > 0).then(|| norm.split_at(norm.len() - after.len()))
}

/// Whether a line's first cell cannot be a heading, told from its first
/// normalised characters rather than from all of them (a paragraph of prose
/// is one long first cell): with neither 第 nor a Chinese numeral first,
/// [`LineHead::new`] takes it only without numbering (numbering by brackets
/// or digits numbers no section) and no longer than the longest label and
/// its edits.
fn too_long_for_a_heading(cell: &str, max_label_chars: usize) -> bool {
    // More than `max_label_chars + 5` characters in all.
    !numbered_start(cell) && normalized_len_at_least(cell, max_label_chars + 6)
}

/// Whether the first significant character of `cell` is 第 or a Chinese
/// numeral, as [`too_long_for_a_heading`] tells it (then a cell of any
/// length may head a section).
fn numbered_start(cell: &str) -> bool {
    cell.chars()
        .map(fold_char)
        .find(|c| !is_insignificant(*c))
        .is_some_and(|c| c == '第' || is_section_numeral(c))
}

/// Whether a line's first cell cannot head a section, told from its first
/// significant characters (folded, as normalising reads them) before it is
/// looked up or normalised: numbering by digits ("1、", "2.") or brackets
/// ("（三）") numbers no section ([`section_numbering`]), and a cell of
/// fewer than `fewest` characters is shorter than every label less the
/// edits it tolerates. Most rows of a table are one or the other.
///
/// Told from the bytes where they tell it (this runs for every head,
/// before the remembered readings are looked up): the characters (white
/// space among them, so at least as many as normalising keeps) are
/// counted only of a cell short enough to have fewer
/// than `fewest`, and characters are read only when the first byte may
/// start a digit, a bracket or white space.
fn ruled_out_by_first_chars(cell: &str, fewest: usize) -> bool {
    let bytes = cell.as_bytes();
    if bytes.len() < 4 * fewest && cell.chars().count() < fewest {
        return true;
    }
    match bytes.first() {
        // ASCII digits and brackets, white space and `*`; full-width forms
        // (U+FF01–U+FF5E) and U+FEFF; U+0085, U+00A0, U+1680, U+2000–U+205F
        // and U+3000.
        Some(b'0'..=b'9' | b'(' | b'\t'..=b'\r' | b' ' | b'*' | 0xEF | 0xC2 | 0xE1 | 0xE2 | 0xE3) => {
            numbered_by_digits_or_brackets(cell)
        }
        // Any other first character is significant and neither.
        _ => false,
    }
}

/// Whether the normalised cell starts with numbering by digits ("1、",
/// "2.") or brackets ("（三）"), as [`split_numbering`] splits it off, or
/// is empty (no heading either).
fn numbered_by_digits_or_brackets(cell: &str) -> bool {
    let mut chars = cell.chars().map(fold_char).filter(|c| !is_insignificant(*c));
    let Some(first) = chars.next() else {
        return true;
    };
    if first.is_ascii_digit() {
        // One to three digits, then 、 or . ([`split_numbering`]).
        let mut digits = 1;
        for c in chars.by_ref() {
            match c {
                '、' | '.' => return true,
                c if c.is_ascii_digit() && digits < 3 => digits += 1,
                _ => break,
            }
        }
        return false;
    }
    if first == '(' {
        // One to six numerals, then the closing bracket.
        let mut numerals = 0;
        for c in chars.by_ref() {
            match c {
                ')' => return numerals > 0,
                c if (c.is_ascii_digit() || is_section_numeral(c)) && numerals < 6 => numerals += 1,
                _ => break,
            }
        }
    }
    false
}

/// A section label (or variant) normalised, with its length in characters
/// and its character signature.
struct NormLabel {
    text: String,
    chars: usize,
    mask: u128,
}

/// Bytes of a line's head normalised before deciding whether the rest of
/// the line matters.
const HEAD_BYTES: usize = 192;

/// Characters numbering a section ("第一部分：", "（一）", "一、").
fn is_numbering_char(c: char) -> bool {
    matches!(
        c,
        '第' | '部' | '分' | ':' | '、' | ',' | '.' | '(' | ')' | '0'
            ..='9' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// `normalize_into(cell, norm)`, but only of the head of a long cell when
/// that decides the match: numbering is decided by its leading run of
/// numbering characters and the character after it, and when the head
/// holds more characters after that run than any section label and its
/// edits, only whether the rest starts with a label matters (a paragraph of
/// prose is not normalised whole).
fn normalize_head(cell: &str, norm: &mut String, max_label_chars: usize) {
    let mut cut = HEAD_BYTES.min(cell.len());
    while !cell.is_char_boundary(cut) {
        cut -= 1;
    }
    normalize_into(cell.get(..cut).unwrap_or(cell), norm);
    if cut == cell.len() {
        return;
    }
    let chars = norm.chars().count();
    let numbering = norm.chars().take_while(|c| is_numbering_char(*c)).count();
    if chars < numbering + max_label_chars + 7 {
        norm.clear();
        normalize_into(cell, norm);
    }
}

/// The normalised labels and variants of each section, per format (in
/// [`FORMATS`] order): computed once, as every line of every report is
/// compared with them.
static SECTION_LABELS: LazyLock<Vec<Vec<Vec<NormLabel>>>> = LazyLock::new(|| {
    FORMATS
        .iter()
        .map(|f| {
            template(*f)
                .sections
                .iter()
                .map(|s| {
                    std::iter::once(&s.label)
                        .chain(s.variants)
                        .map(|l| {
                            let text = normalize(l);
                            let chars = text.chars().count();
                            let mask = signature(&text);
                            NormLabel { text, chars, mask }
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
});

/// The first cell of a line, normalised and split into numbering and the
/// rest, with what [`match_section`] compares: worked out once per line
/// rather than once per section.
struct LineHead<'n> {
    norm: &'n str,
    num: &'n str,
    rest: &'n str,
    rest_chars: usize,
    rest_mask: u128,
}

impl<'n> LineHead<'n> {
    /// `None` when the line cannot be a heading: numbering no section
    /// takes, or no numbering and more characters than any label of at
    /// most `max_label_chars` and its edits (at most five).
    fn new(norm: &'n str, max_label_chars: usize) -> Option<LineHead<'n>> {
        let (num, rest) = part_numbering(norm).unwrap_or_else(|| split_numbering(norm));
        if !section_numbering(num) {
            return None;
        }
        let rest_chars = rest.chars().count();
        let short = rest_chars <= max_label_chars + 5;
        if num.is_empty() && !short {
            return None;
        }
        Some(LineHead {
            norm,
            num,
            rest,
            rest_chars,
            // Only compared when the lengths are close.
            rest_mask: if short { signature(rest) } else { 0 },
        })
    }
}

fn match_section(head: &LineHead, labels: &[NormLabel]) -> Option<(usize, usize)> {
    // Returns (significant chars covered, edit distance).
    let LineHead {
        norm,
        num,
        rest,
        rest_chars,
        rest_mask,
    } = *head;
    let mut num_chars = None;
    let mut num_chars = || *num_chars.get_or_insert_with(|| num.chars().count());
    let mut best: Option<(usize, usize)> = None;
    for &NormLabel {
        text: ref l,
        chars,
        mask,
    } in labels
    {
        let d = if rest == l {
            Some((num_chars() + chars, 0))
        } else if !num.is_empty() && rest.starts_with(l.as_str()) {
            // "二、主动公开政府信息情况 第二十条…" where the heading ran on.
            Some((num_chars() + chars, 0))
        } else {
            let max = max_distance(chars);
            // Too long or short to be within `max` edits, or with more
            // characters than `max` that one text has and the other lacks.
            if rest_chars.abs_diff(chars) > max
                || more_bits_than(rest_mask & !mask, max)
                || more_bits_than(mask & !rest_mask, max)
            {
                continue;
            }
            distance_within(rest, l, max)
                .filter(|&d| d > 0)
                .map(|d| (norm.chars().count(), d))
        };
        if let Some(d) = d {
            if best.is_none_or(|b| d.1 < b.1) {
                best = Some(d);
            }
        }
    }
    best
}

/// Which section (index) a line's first cell heads, and how many of its
/// significant characters the heading covers: the cell normalised and
/// compared with every section's labels.
fn read_head(
    cell: &str,
    labels: &[Vec<NormLabel>],
    max_label_chars: usize,
    norm: &mut String,
) -> Option<(usize, usize)> {
    norm.clear();
    normalize_head(cell, norm, max_label_chars);
    let head = LineHead::new(norm, max_label_chars)?;
    labels.iter().enumerate().find_map(|(index, section_labels)| {
        match_section(&head, section_labels).map(|(covered, _)| (index, covered))
    })
}

/// The characters of every section label (normalised, all formats), to
/// tell cheaply that a cell cannot head a section ([`may_head_a_section`]).
struct LabelChars {
    /// Each character of the Basic Multilingual Plane: its number among the
    /// labels' characters plus one, or 0 when no label has it.
    number: Vec<u8>,
    /// Per format (in [`FORMATS`] order), each label's characters as bits
    /// of their numbers, with the edits the label tolerates.
    labels: Vec<Vec<(u128, usize)>>,
    /// Characters of a cell's rest after numbering that can matter: the
    /// most any label covers with the edits it tolerates (see [`Self::bits_of`]).
    window: usize,
    /// Fewest of its characters a cell holds when it may match a label
    /// (the label's distinct characters less its edits, least of all labels).
    fewest_held: u32,
    /// Whether some label has an ASCII character (else [`Self::bits_of`]
    /// passes over ASCII).
    ascii: bool,
}

impl LabelChars {
    /// `None` when the labels' characters do not fit the bits (more than
    /// 128, or beyond the Basic Multilingual Plane): then every cell is read.
    fn new(sections: &[Vec<Vec<NormLabel>>]) -> Option<LabelChars> {
        let mut number = vec![0u8; 0x1_0000];
        let mut count = 0u8;
        let mut labels = Vec::new();
        let mut window = 0;
        let mut fewest_held = u32::MAX;
        let mut ascii = false;
        for format in sections {
            let mut bits_of_format = Vec::new();
            for label in format.iter().flatten() {
                let mut bits = 0u128;
                for c in label.text.chars() {
                    let slot = number.get_mut(usize::try_from(u32::from(c)).ok()?)?;
                    if *slot == 0 {
                        if count == 128 {
                            return None;
                        }
                        count += 1;
                        *slot = count;
                    }
                    bits |= 1u128 << (*slot - 1);
                }
                bits_of_format.push((bits, max_distance(label.chars)));
                window = window.max(label.chars + max_distance(label.chars));
                let edits = u32::try_from(max_distance(label.chars)).unwrap_or(u32::MAX);
                fewest_held = fewest_held.min(bits.count_ones().saturating_sub(edits));
                ascii |= label.text.bytes().any(|b| b.is_ascii());
            }
            labels.push(bits_of_format);
        }
        Some(LabelChars {
            number,
            labels,
            window,
            fewest_held: if fewest_held == u32::MAX { 0 } else { fewest_held },
            ascii,
        })
    }

    /// The labels' characters that `cell` holds, folded, as bits: those of
    /// its leading run of numbering characters and of the [`Self::window`]
    /// significant characters after it, the rest of the cell unread. The
    /// numbering [`LineHead::new`] splits off lies within that run, and a
    /// label matches a rest only when the rest starts with it or is at most
    /// the label's length and edits long, so a label's characters that
    /// matter lie among the rest's first `window` characters (a table row
    /// printed with its numbers is not read to its end). Without ASCII in
    /// any label, ASCII is passed over as if not there: it adds no bits,
    /// and reading on further only adds bits.
    fn bits_of(&self, cell: &str) -> u128 {
        let bytes = cell.as_bytes();
        let number = |c: u32| usize::try_from(c).ok().and_then(|c| self.number.get(c)).copied();
        let mut bits = 0u128;
        let mut i = 0;
        let mut in_run = true;
        // Significant characters after the numbering run still to read.
        let mut left = self.window;
        while let Some(&b) = bytes.get(i) {
            let c = match b {
                // U+4000 to U+EFFF: three bytes, never folded, never white space.
                0xE4..=0xEE => {
                    let (Some(&b1), Some(&b2)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
                        break;
                    };
                    i += 3;
                    (u32::from(b & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F)
                }
                0..=0x7F if !self.ascii => {
                    let run = bytes.get(i..).unwrap_or_default();
                    i += run.iter().position(|b| !b.is_ascii()).unwrap_or(run.len());
                    continue;
                }
                // ASCII is never folded.
                0..=0x7F => {
                    i += 1;
                    if is_insignificant(char::from(b)) {
                        continue;
                    }
                    u32::from(b)
                }
                _ => {
                    let Some(c) = cell.get(i..).and_then(|rest| rest.chars().next()) else {
                        break;
                    };
                    i += c.len_utf8();
                    let c = fold_char(c);
                    if is_insignificant(c) {
                        continue;
                    }
                    u32::from(c)
                }
            };
            if in_run {
                if char::from_u32(c).is_some_and(is_numbering_char) {
                    if let Some(n @ 1..) = number(c) {
                        bits |= 1u128 << (n - 1);
                    }
                    continue;
                }
                in_run = false;
            }
            if left == 0 {
                break;
            }
            left -= 1;
            if let Some(n @ 1..) = number(c) {
                bits |= 1u128 << (n - 1);
            }
        }
        bits
    }
}

static LABEL_CHARS: LazyLock<Option<LabelChars>> = LazyLock::new(|| LabelChars::new(&SECTION_LABELS));

/// Whether some section label of the format (index in [`FORMATS`]) could
/// match `cell` ([`read_head`]), told from the characters alone, without
/// normalising the cell: every character of a label missing from the
/// cell's rest after numbering costs an edit at least (the rest has to be
/// the label, or start with it, or be within its tolerated edits of it),
/// and the cell's characters, folded, hold the rest's. Most table rows
/// printed with spaces between cells lack most characters of every section
/// label (and, numbers in them, are new to the memo each report).
fn may_head_a_section(cell: &str, format_index: usize) -> bool {
    let Some(chars) = LABEL_CHARS.as_ref() else {
        return true;
    };
    let Some(labels) = chars.labels.get(format_index) else {
        return true;
    };
    let held = chars.bits_of(cell);
    if held.count_ones() < chars.fewest_held {
        return false;
    }
    labels
        .iter()
        .any(|&(bits, edits)| !more_bits_than(bits & !held, edits))
}

/// Longest first cell (as printed) whose reading [`heading_remembered`] keeps.
const REMEMBERED_HEAD_BYTES: usize = 128;

/// Line heads remembered before starting afresh (bounded memory; small
/// enough to fill within some hundreds of reports, see labels.rs's
/// `REMEMBERED`).
const REMEMBERED_HEADS: usize = 1 << 12;

/// What a line's first cell (as printed) reads as when it heads a section:
/// everything of its [`Heading`] but where it is.
#[derive(Debug, Clone, PartialEq)]
struct HeadReading {
    /// The section, index in template order.
    index: usize,
    /// Bytes of the cell the heading takes (as printed, white space after
    /// it left out).
    len: usize,
    matched: LabelMatch,
}

/// [`HeadReading`]s of first cells, by the cell as printed.
type HeadReadings = TextMap<Option<HeadReading>>;

thread_local! {
    /// [`HeadReadings`] by format (index in [`FORMATS`]).
    static HEADS: RefCell<Vec<HeadReadings>> = const { RefCell::new(Vec::new()) };
}

/// `read()` (the section a line's first cell is a heading of, and the
/// characters covered), remembered per thread for short cells: table rows
/// and headings print the template's words report after report, so most
/// lines of a report were read before. The reading depends on the cell as
/// printed and the format alone, so a cell read before is not even
/// normalised again.
fn heading_remembered(
    heads: &mut HeadReadings,
    cell: &str,
    read: impl FnOnce() -> Option<HeadReading>,
) -> Option<HeadReading> {
    if cell.len() > REMEMBERED_HEAD_BYTES {
        return read();
    }
    if let Some(found) = heads.get(cell) {
        return found.clone();
    }
    let found = read();
    if heads.len() >= REMEMBERED_HEADS {
        heads.clear();
    }
    heads.insert(cell.to_string(), found.clone());
    found
}

/// Fewest characters a first cell can have and read as the heading of one
/// of these sections (a label less the edits it allows).
fn fewest_chars(labels: &[Vec<NormLabel>]) -> usize {
    labels
        .iter()
        .flatten()
        .map(|l| l.chars - max_distance(l.chars))
        .min()
        .unwrap_or(0)
}

/// How `cell` reads as the heading of a section ([`read_head`]), with the
/// heading as printed and how it matches the section's label.
fn head_reading(
    cell: &str,
    sections: &[SectionSchema],
    labels: &[Vec<NormLabel>],
    max_label_chars: usize,
    format_index: usize,
    norm: &mut String,
) -> Option<HeadReading> {
    if !may_head_a_section(cell, format_index) || too_long_for_a_heading(cell, max_label_chars) {
        return None;
    }
    let (index, covered) = read_head(cell, labels, max_label_chars, norm)?;
    let schema = sections.get(index)?;
    let len = significant_prefix_len(cell, covered);
    let printed = cell.get(..len).unwrap_or(cell).trim_end();
    let norm = normalize(printed);
    let rest = split_numbering(&norm).1;
    Some(HeadReading {
        index,
        len: printed.len(),
        matched: label_match(rest, schema.label, schema.variants),
    })
}

/// Every section heading, in template order (each section at most once,
/// each after the previous one found). `heads` are the heads of the lines
/// that may head a section, as the tokenizer found them
/// ([`crate::tokens::Scan::heads`]).
// Not inlined: called once per report, and a profile then shows its share.
#[inline(never)]
pub(crate) fn find(text: &str, heads: &[Head], format: Format) -> Vec<Heading> {
    let mut found = find_labelled(text, heads, format);
    let sections = &template(format).sections;
    if found.len() < sections.len() && !found.is_empty() {
        let max_label_chars = SECTION_LABELS.get(format.index()).map_or(0, |labels| {
            labels.iter().flatten().map(|l| l.chars).max().unwrap_or(0)
        });
        reworded_headings(text, heads, sections, max_label_chars, &mut found);
    }
    found
}

/// The headings that read as their section's label or a variant, within
/// the edits a label tolerates, taken in template order.
fn find_labelled(text: &str, heads: &[Head], format: Format) -> Vec<Heading> {
    let sections = &template(format).sections;
    let format_index = format.index();
    let no_labels = Vec::new();
    let labels = SECTION_LABELS.get(format_index).unwrap_or(&no_labels);
    // Each taken (at most once) where it heads its section.
    let mut candidates: Vec<Option<Heading>> = Vec::new();
    let mut norm = String::new();
    let max_label_chars = labels.iter().flatten().map(|l| l.chars).max().unwrap_or(0);
    let fewest = fewest_chars(labels);
    // This format's remembered readings, taken out of the thread's store for
    // the report's lines (put back below) rather than looked up through it
    // line by line.
    let mut memo = HEADS.with_borrow_mut(|memo| {
        if memo.len() <= format_index {
            memo.resize_with(format_index + 1, HeadReadings::default);
        }
        memo.get_mut(format_index).map(std::mem::take).unwrap_or_default()
    });
    // Heads all in ASCII are not among them: every section label has more
    // characters outside ASCII than the edits it tolerates
    // (`ascii_never_reads_as_a_section`).
    for head in heads {
        // The first cell's wording (found by the tokenizer).
        let Some(cell) = head.span.slice(text) else {
            continue;
        };
        let offset = head.span.offset;
        // Too long, told from the characters the tokenizer counted
        // (`too_long_for_a_heading` without counting them again): most
        // lines of prose.
        if head.min_chars >= max_label_chars + 6 && !numbered_start(cell) {
            continue;
        }
        // Told without looking the cell up: cheaper than the lookup.
        if ruled_out_by_first_chars(cell, fewest) {
            continue;
        }
        let reading = heading_remembered(&mut memo, cell, || {
            head_reading(cell, sections, labels, max_label_chars, format_index, &mut norm)
        });
        if let Some(HeadReading { index, len, matched }) = reading {
            if let Some(schema) = sections.get(index) {
                candidates.push(Some(Heading {
                    index,
                    label: LabelUse {
                        target: schema.id.into(),
                        text: cell.get(..len).unwrap_or(cell).to_string(),
                        span: Span::new(offset, len),
                        matched,
                    },
                }));
            }
        }
    }
    HEADS.with_borrow_mut(|store| {
        if let Some(slot) = store.get_mut(format_index) {
            *slot = memo;
        }
    });
    let mut found: Vec<Heading> = Vec::new();
    let mut after = 0;
    for (index, schema) in sections.iter().enumerate() {
        let h = candidates
            .iter_mut()
            .find(|h| {
                h.as_ref()
                    .is_some_and(|h| h.index == index && h.label.span.offset >= after)
            })
            .and_then(Option::take)
            .or_else(|| inline_heading(text, after, schema, index));
        if let Some(h) = h {
            after = h.label.span.end();
            found.push(h);
        }
    }
    found
}

/// Headings reworded beyond the edits a label tolerates ("五、存在的主要问题
/// 及整改措施"), found by their place: a line between the headings found
/// around a missing section, numbered with that section's own numeral, short
/// enough to be a heading, opening as the section's label (or a variant)
/// opens and sharing most of its characters. Its wording is then reported,
/// not the section missing.
/// Characters of a section label's opening a reworded heading keeps.
const OPENING_CHARS: usize = 4;

fn reworded_headings(
    text: &str,
    heads: &[Head],
    sections: &[SectionSchema],
    max_label_chars: usize,
    found: &mut Vec<Heading>,
) {
    let mut norm = String::new();
    for (index, schema) in sections.iter().enumerate() {
        if found.iter().any(|h| h.index == index) {
            continue;
        }
        let start = found
            .iter()
            .filter(|h| h.index < index)
            .map(|h| h.label.span.end())
            .max()
            .unwrap_or(0);
        let end = found
            .iter()
            .filter(|h| h.index > index)
            .map(|h| h.label.span.offset)
            .min()
            .unwrap_or(text.len());
        let Some(numeral) = schema.numbering.chars().next() else {
            continue;
        };
        let label: Vec<char> = normalize(schema.label).chars().collect();
        let labels_norm: Vec<String> = std::iter::once(&schema.label)
            .chain(schema.variants)
            .map(|l| normalize(l))
            .collect();
        // How the label and its variants open: what a rewording keeps.
        let openings: Vec<String> = labels_norm
            .iter()
            .map(|l| l.chars().take(OPENING_CHARS).collect())
            .collect();
        let heading = heads
            .iter()
            .filter(|h| start <= h.span.offset && h.span.end() <= end)
            .find_map(|h| {
                let cell = h.span.slice(text)?;
                norm.clear();
                normalize_into(cell, &mut norm);
                let (num, rest) = split_numbering(&norm);
                let numbered = num.starts_with(numeral) && section_numbering(num);
                let chars = rest.chars().count();
                let opens_alike = openings.iter().any(|o| rest.starts_with(o.as_str()));
                if !numbered || !opens_alike || chars > max_label_chars + 5 {
                    return None;
                }
                // Most of the label's characters, in the heading; or the
                // label's start, the rest wrapped onto the next line.
                let shared = label.iter().filter(|c| rest.contains(**c)).count();
                let wrapped = labels_norm.iter().any(|l| l.starts_with(rest));
                (2 * shared > label.len() || wrapped).then(|| Heading {
                    index,
                    label: LabelUse {
                        target: schema.id.into(),
                        text: cell.trim_end().to_string(),
                        span: Span::new(h.span.offset, cell.trim_end().len()),
                        matched: LabelMatch::Different { other: None },
                    },
                })
            })
            .or_else(|| heading_in_markup(text, start, end, schema, index, &openings));
        if let Some(h) = heading {
            let at = found.partition_point(|f| f.index < index);
            found.insert(at, h);
        }
    }
}

/// Bytes after a section's numeral in which its label must open.
const MARKUP_REACH: usize = 160;

/// A heading inside a line of markup, between the headings found around
/// its section: the section's numeral and 、, then — past tags, table bars
/// and white space (raw HTML in markdown, a heading cut into table cells:
/// "||三、|收到和处理政府信息公开申|请情况") — the opening of its label.
fn heading_in_markup(
    text: &str,
    start: usize,
    end: usize,
    schema: &SectionSchema,
    index: usize,
    openings: &[String],
) -> Option<Heading> {
    let numbering = schema.numbering;
    let gap = text.get(start..end)?;
    let mut from = 0;
    while let Some(at) = gap.get(from..)?.find(numbering) {
        let numeral_at = from + at;
        from = numeral_at + numbering.len();
        let mut reach = (from + MARKUP_REACH).min(gap.len());
        while !gap.is_char_boundary(reach) {
            reach -= 1;
        }
        let after = gap.get(from..reach)?;
        // The words after the numeral, tags and bars dropped.
        let mut words = String::new();
        let mut in_tag = false;
        for c in after.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                _ if in_tag => {}
                '|' | '｜' | '*' | '#' => {}
                c if c.is_whitespace() => {}
                c => words.push(c),
            }
        }
        let words = normalize(&words);
        if openings.iter().any(|o| words.starts_with(o.as_str())) {
            let offset = start + numeral_at;
            return Some(Heading {
                index,
                label: LabelUse {
                    target: schema.id.into(),
                    text: numbering.to_string(),
                    span: Span::new(offset, numbering.len()),
                    matched: LabelMatch::Different { other: None },
                },
            });
        }
    }
    None
}

/// A numbered heading printed inside a line, as in web pages whose text ran
/// together ("…相关链接： --> 二、主动公开政府信息情况 第二十条…"): only the
/// template's own numbering and wording, verbatim, count.
fn inline_heading(text: &str, after: usize, schema: &SectionSchema, index: usize) -> Option<Heading> {
    let rest = text.get(after..)?;
    std::iter::once(&schema.label)
        .chain(schema.variants)
        .filter_map(|label| {
            let printed = format!("{}{}", schema.numbering, label);
            rest.find(&printed).map(|at| (at, printed, label))
        })
        .min_by_key(|(at, _, _)| *at)
        .map(|(at, printed, label)| Heading {
            index,
            label: LabelUse {
                target: schema.id.into(),
                span: Span::new(after + at, printed.len()),
                text: printed,
                matched: label_match(&normalize(label), schema.label, schema.variants),
            },
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first cell of every line of every text fixture.
    fn fixture_line_heads() -> Vec<String> {
        let mut heads = Vec::new();
        for text in crate::fixtures::texts() {
            // All of them, those all in ASCII too (which the scan leaves out).
            heads.extend(crate::tokens::line_heads(&text));
        }
        heads
    }

    fn heads_read(text: &str) -> Vec<Head> {
        crate::tokens::scan(text).heads
    }

    /// [`find`] without its shortcuts: every head the scan found read by
    /// [`read_head`] in full, nothing told from first characters,
    /// character sets or remembered readings.
    fn find_reading_every_head(text: &str, format: Format) -> Vec<(usize, String, Span, LabelMatch)> {
        let sections = &template(format).sections;
        let labels = &SECTION_LABELS[format.index()];
        let max = labels.iter().flatten().map(|l| l.chars).max().unwrap_or(0);
        let mut norm = String::new();
        let mut candidates = Vec::new();
        for head in heads_read(text) {
            let Some(cell) = head.span.slice(text) else {
                continue;
            };
            if let Some((index, covered)) = read_head(cell, labels, max, &mut norm) {
                let schema = &sections[index];
                let printed = cell[..significant_prefix_len(cell, covered)].trim_end();
                let norm = normalize(printed);
                let matched = label_match(split_numbering(&norm).1, schema.label, schema.variants);
                candidates.push((
                    index,
                    printed.to_string(),
                    Span::new(head.span.offset, printed.len()),
                    matched,
                ));
            }
        }
        let mut found = Vec::new();
        let mut after = 0;
        for (index, schema) in sections.iter().enumerate() {
            let h = candidates
                .iter()
                .find(|h| h.0 == index && h.2.offset >= after)
                .cloned()
                .or_else(|| {
                    inline_heading(text, after, schema, index)
                        .map(|h| (h.index, h.label.text, h.label.span, h.label.matched))
                });
            if let Some(h) = h {
                after = h.2.end();
                found.push(h);
            }
        }
        found
    }

    fn same_headings(text: &str) -> usize {
        let found: Vec<_> = find_labelled(text, &heads_read(text), Format::V2021)
            .into_iter()
            .map(|h| (h.index, h.label.text, h.label.span, h.label.matched))
            .collect();
        assert_eq!(found, find_reading_every_head(text, Format::V2021), "{text}");
        found.len()
    }

    #[test]
    fn headings_are_those_read_from_every_head() {
        let mut texts = crate::fixtures::texts();
        // Table rows printed with their numbers, as plain text exports do.
        texts.push(
            "一、总体情况\n正文\n一、本年新收政府信息公开申请数量          80      18       0       0\n\
             5、属于三类内部事务信息                                  0       0       0\n\
             （七）总计      80      18       0\n四、结转下年度继续办理             0       0\n\
             二、主动公开政府信息情况                                 1       2\n\
             三、收到和处理政府信息公开申请情况 第二十条\n1、其他需要报告的事项\n\
             （五）存在的主要问题及改进情况\n五、存在的主要问题及改进情况\n"
                .to_string(),
        );
        let found: usize = texts.iter().map(|t| same_headings(t)).sum();
        assert!(found > 5 * crate::fixtures::texts().len(), "{found}");
    }

    proptest::proptest! {
        #[test]
        fn headings_are_those_read_from_every_head_in_any_mix(
            picks in proptest::collection::vec(0usize..30, 0..40)
        ) {
            const PIECES: [&str; 30] = [
                "一、", "二、", "（三）", "(1)", "1、", "2.", "１．", "第一部分", "第二部分：", "四、",
                "总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "存在的主要问题及改进情况",
                "其他需要报告的事项", "政府信息公开行政复议、行政诉讼情况", "情况", "主动公开", "其他",
                "\n", "\n", "\t", "  ", "　", "12", "0", " 5 ", "的", "x", "**",
            ];
            let text: String = picks.iter().map(|&k| PIECES[k]).collect();
            same_headings(&text);
        }
    }

    #[test]
    fn a_reworded_heading_is_found_by_its_place_and_numbering() {
        let text = "一、总体情况\n正文\n四、政府信息公开行政复议、行政诉讼情况\n表\n\
                    五、存在的主要问题及整改措施\n（一）存在的主要问题\n六、其他需要报告的事项\n无\n";
        let found = find(text, &heads_read(text), Format::V2021);
        let problems = found.iter().find(|h| h.index == 4).map(|h| &h.label);
        let Some(label) = problems else {
            panic!("no problems section in {found:?}");
        };
        assert_eq!(label.text, "五、存在的主要问题及整改措施");
        assert_eq!(label.matched, LabelMatch::Different { other: None });
        // Not with another section's numeral, nor opening otherwise, nor
        // outside the place between its neighbours.
        for other in [
            "三、存在的主要问题及整改措施",
            "五、工作中的不足和下一步打算",
            "（五）存在的主要问题及整改措施",
        ] {
            let text = text.replace("五、存在的主要问题及整改措施", other);
            let found = find(&text, &heads_read(&text), Format::V2021);
            assert!(!found.iter().any(|h| h.index == 4), "{other}: {found:?}");
        }
    }

    #[test]
    fn ascii_never_reads_as_a_section() {
        // A first cell all in ASCII is skipped: it would need more edits
        // than any label tolerates.
        for labels in SECTION_LABELS.iter().flatten() {
            for l in labels {
                let outside_ascii = l.text.chars().filter(|c| !c.is_ascii()).count();
                assert!(outside_ascii > max_distance(l.chars), "{}", l.text);
            }
        }
    }

    #[test]
    fn long_cells_are_told_as_the_full_reading_tells_them() {
        let labels = SECTION_LABELS.first().map_or(&[][..], |l| &l[..]);
        let max = labels.iter().flatten().map(|l| l.chars).max().unwrap_or(0);
        let mut cells: Vec<String> = [
            "（一）主动公开情况。本级政府通过政府信息公开专栏主动公开政府信息1418条，及时发布政策文件",
            "1. 本级政府通过政府信息公开专栏主动公开政府信息1418条，及时发布政策文件、通知公告等",
            "二、主动公开政府信息情况 第二十条第（一）项 信息内容 本年制发件数 本年废止件数",
            "第二部分：主动公开政府信息情况 第二十条第（一）项 信息内容 本年制发件数 本年废止件数",
            "2021年，本级政府认真贯彻落实《中华人民共和国政府信息公开条例》和上级关于政务公开工作的部署要求",
            "总体情况",
            "  ** 一、 总体情况 **",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        cells.extend(fixture_line_heads());
        let mut told = 0;
        for cell in &cells {
            if too_long_for_a_heading(cell, max) {
                told += 1;
                let mut norm = String::new();
                normalize_head(cell, &mut norm, max);
                assert!(LineHead::new(&norm, max).is_none(), "{cell}");
            }
        }
        assert!(told > 40, "{told}");
    }

    #[test]
    fn cells_ruled_out_by_their_characters_read_as_no_heading() {
        let mut cells: Vec<String> = vec![
            "行政规范性文件        5        0       137".into(),
            "一、本年新收政府信息公开申请数量     0     0     0".into(),
            "四、结转下年度继续办理 0".into(),
            "二、主动公开政府信息情况 第二十条第（一）项 信息内容".into(),
            "（三）政府信息公开行政复议、行政诉讼情况".into(),
            "第五部分：存在的主要问题及改进情况".into(),
            "６、其他需要报告的事项".into(),
            "一、本年新收政府信息公开申请数量          80      18       0       0".into(),
            "五、存在的主要问题及改进情况                      12       3".into(),
            "二、主动公开政府信息情况 第二十条第（一）项 信息内容 本年制发件数 本年废止件数".into(),
            "（1）总体情况".into(),
            "(一二三四五六)总体情况".into(),
            "(一二三四五六七)总体情况".into(),
            "1234、总体情况".into(),
            "12 3、总体情况".into(),
            "1一、总体情况".into(),
            "()总体情况".into(),
            "总体情".into(),
            " * 总 体 ".into(),
        ];
        // Every label and variant, numbered or not, whole and with each
        // character left out or replaced (edits the matcher tolerates).
        for schema in &template(Format::V2021).sections {
            for label in std::iter::once(&schema.label).chain(schema.variants) {
                let chars: Vec<char> = label.chars().collect();
                for k in 0..=chars.len() {
                    for edit in ["", "x", "的"] {
                        let mut edited = chars.clone();
                        if k < chars.len() {
                            edited.splice(k..=k, edit.chars());
                        }
                        let edited: String = edited.into_iter().collect();
                        cells.push(edited.clone());
                        cells.push(format!("{}{edited}", schema.numbering));
                        cells.push(format!("{}　{edited} 12 3", schema.numbering));
                    }
                }
            }
        }
        cells.extend(fixture_line_heads());
        // The characters fit: the shortcut is not silently off.
        assert!(LABEL_CHARS.is_some());
        let (mut ruled_out, mut headings, mut told_first) = (0, 0, 0);
        let mut norm = String::new();
        for (format_index, labels) in SECTION_LABELS.iter().enumerate() {
            let max = labels.iter().flatten().map(|l| l.chars).max().unwrap_or(0);
            let fewest = fewest_chars(labels);
            for cell in &cells {
                let reading = read_head(cell, labels, max, &mut norm);
                headings += usize::from(reading.is_some());
                if ruled_out_by_first_chars(cell, fewest) {
                    told_first += 1;
                    assert_eq!(reading, None, "{cell}");
                }
                if !may_head_a_section(cell, format_index) {
                    ruled_out += 1;
                    assert_eq!(reading, None, "{cell}");
                }
            }
        }
        assert!(ruled_out > 2000, "{ruled_out}");
        assert!(told_first > 500, "{told_first}");
        assert!(headings > 200, "{headings}");
    }

    #[test]
    fn part_numbering_headings() {
        let text = "第一部分 总体情况\n正文\n第二部分：主动公开政府信息情况\n";
        let ids: Vec<_> = find(text, &heads_read(text), Format::V2021)
            .into_iter()
            .map(|h| h.label.text)
            .collect();
        assert_eq!(ids, ["第一部分 总体情况", "第二部分：主动公开政府信息情况"]);
    }

    #[test]
    fn remembered_headings_are_the_headings() {
        let text =
            "标题\n| 一、总体情况 |\n正文\n主动公开政府信息情况\n四、政府信息公开行政复议、行政诉讼情况\n";
        let read = || -> Vec<(usize, String)> {
            find(text, &heads_read(text), Format::V2021)
                .into_iter()
                .map(|h| (h.index, h.label.text))
                .collect()
        };
        let fresh = std::thread::scope(|scope| scope.spawn(read).join().unwrap_or_default());
        assert_eq!(fresh.len(), 3);
        assert_eq!(read(), fresh);
        assert_eq!(read(), fresh);
    }

    #[test]
    fn numbered_bare_and_piped_headings() {
        let text = "标题\n| 一、总体情况 |\n正文\n主动公开政府信息情况\n\t三、收到和处理政府信息公开申请情况\n四、结转下年度继续办理\t0\n四、政府信息公开行政复议、行政诉讼情况\n";
        let ids: Vec<_> = find(text, &heads_read(text), Format::V2021)
            .into_iter()
            .map(|h| (h.label.target.into_owned(), h.label.text))
            .collect();
        assert_eq!(
            ids,
            [
                ("overview".to_string(), "一、总体情况".to_string()),
                ("disclosure".into(), "主动公开政府信息情况".into()),
                ("requests".into(), "三、收到和处理政府信息公开申请情况".into()),
                ("review".into(), "四、政府信息公开行政复议、行政诉讼情况".into()),
            ]
        );
    }
}
