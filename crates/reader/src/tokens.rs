//! Layout-independent tokens: the text cut into words, numbers and blank
//! cells, each with its exact byte span, whatever the exporter used to
//! separate cells (tabs, pipes, runs of spaces, single spaces, one cell per
//! line). Page furniture lines ("- 5 -", breadcrumbs, 发布日期 …) yield no
//! tokens. Labels are not recognised here: a wrapped or spaced label is
//! several `Text` tokens that the label matcher joins.

use nianbao_model::label::fold_char;
use nianbao_model::Span;
use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A word (or part of one) that is not a number.
    Text,
    /// A number as printed: optional sign, digits, optional decimals.
    Number,
    /// An empty cell after a cell with content on its line: between two
    /// explicit separators (tab, bar), or after a line's last tab (a tab
    /// separates cells, so the piece after it is a cell; a bar closing a
    /// line is the table's border, unless no bar opened the line and blank
    /// space follows it); or a line of no-break spaces only (an
    /// `&nbsp;` cell of a table printed one cell per line: an empty cell
    /// the exporter kept). Empty span at the cell's place.
    Blank,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub span: Span,
}

/// Lines that belong to the web page or the printed page, not the report.
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*(?:",
        r"[-－—–]\s*\d+\s*[-－—–]",                         // - 5 -
        r"|第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?", // 第 2 页 共 5 页
        r"|\d+\s*[/／]\s*\d+",                              // 2 / 5
        r")\s*$",
        r"|^\s*(?:首页|当前位置|您的位置|您现在的位置|>|＞)",
        r"|^\s*(?:发布日期|发布时间|浏览次数|信息来源|来源[:：]|字号|【\s*(?:打印|关闭|字体))",
        r"|^\s*图解\s*[|｜]",
        r"|^[\s|｜:：]*[-—]{2,}[\s|｜:：\-—]*$", // markdown table rule
    ))
    .unwrap_or_else(|e| unreachable!("furniture pattern is valid: {e}"))
});

/// Whether a line is page furniture (never part of a table).
pub(crate) fn is_furniture(line: &str) -> bool {
    if !may_be_furniture(line.as_bytes()) {
        return false;
    }
    if let Some(told) = furniture_by_bytes(line.as_bytes()) {
        return told;
    }
    // A whole page run together on one line is not furniture, whatever it starts with.
    line.len() <= 600
        && (furniture_by_start(line).unwrap_or_else(|| FURNITURE.is_match(line))
            || printed_page_furniture(line))
}

/// What a browser or a text browser adds to a page it prints or draws,
/// told by hand (a Unicode class in [`FURNITURE`] would cost more to build
/// than all the reports of a batch take to read): the print header's date
/// and time ("3/15/20, 3:00 PM 标题", also in a markdown row), the footer's
/// page address with its page counter, and a box-drawn table's rules.
fn printed_page_furniture(line: &str) -> bool {
    // Told from the first character: most lines start otherwise.
    let first = line.trim_start().chars().next();
    if !first
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, '|' | '｜' | 'h' | 'f' | '\u{2500}'..='\u{257F}'))
    {
        return false;
    }
    let bare = line.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '|' | '｜'));
    if bare.starts_with(|c: char| c.is_ascii_digit()) && starts_with_date_and_time(bare) {
        // Not a line that runs on into the page's content ("…<br>行政处罚 0 4 0").
        return !line.contains('<');
    }
    let trimmed = line.trim();
    if ["http://", "https://", "file://"]
        .iter()
        .any(|p| trimmed.starts_with(p))
    {
        let after = trimmed
            .split_once(char::is_whitespace)
            .map_or("", |(_, rest)| rest.trim());
        return after.is_empty() || is_page_counter(after);
    }
    let is_box = |c: char| ('\u{2500}'..='\u{257F}').contains(&c);
    first.is_some_and(is_box) && trimmed.chars().all(|c| c.is_whitespace() || is_box(c))
}

/// "3/4": a page of pages.
fn is_page_counter(s: &str) -> bool {
    let Some((a, b)) = s.split_once(['/', '／']) else {
        return false;
    };
    let digits = |t: &str| !t.trim().is_empty() && t.trim().bytes().all(|b| b.is_ascii_digit());
    digits(a) && digits(b)
}

/// A date and a time at the start: "3/15/20, 3:00 PM", "2022/3/21 09:00",
/// "2022/3/21 下午3:00".
fn starts_with_date_and_time(s: &str) -> bool {
    let digits = |t: &str, max: usize| -> Option<usize> {
        let n = t.bytes().take_while(u8::is_ascii_digit).count();
        (1..=max).contains(&n).then_some(n)
    };
    let mut rest = s;
    for (i, max) in [4, 2, 4].into_iter().enumerate() {
        let Some(n) = digits(rest, max) else { return false };
        rest = &rest[n..];
        if i < 2 {
            let Some(r) = rest.strip_prefix(['/', '／']) else {
                return false;
            };
            rest = r;
        }
    }
    rest = rest.trim_start_matches([',', '，']).trim_start();
    for marker in ["上午", "下午", "AM", "PM", "am", "pm"] {
        if let Some(r) = rest.strip_prefix(marker) {
            rest = r.trim_start();
            break;
        }
    }
    let Some(n) = digits(rest, 2) else { return false };
    rest = &rest[n..];
    rest.strip_prefix(':').is_some_and(|r| digits(r, 2) == Some(2))
}

/// [`furniture_by_start`] for the commonest lines, told from their bytes
/// (no character decoded, no Unicode table looked in): blank lines, and
/// lines that start, after ASCII white space, with a CJK ideograph, common
/// prose punctuation or digits followed by neither white space nor a
/// slash ("0", "12.", "3、"): none is furniture. `None` for the others.
#[inline(always)]
fn furniture_by_bytes(line: &[u8]) -> Option<bool> {
    // White space as `char::is_whitespace` tells it in ASCII.
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
    let Some(rest) = line.iter().position(|b| !is_space(b)).and_then(|k| line.get(k..)) else {
        return Some(false);
    };
    if !may_be_furniture(rest) {
        return Some(false);
    }
    if let [b'0'..=b'9', ..] = rest {
        return match rest.iter().find(|b| !b.is_ascii_digit()) {
            None => Some(false),
            // Printable ASCII: neither a numeral, white space nor a slash.
            Some(&b) if b.is_ascii_graphic() && b != b'/' => Some(false),
            _ => None,
        };
    }
    PROSE_OPENINGS_UTF8
        .iter()
        .any(|p| rest.starts_with(p))
        .then_some(false)
}

/// Common openings of prose and labels: no digits, and no alternative of
/// [`FURNITURE`] starts with one.
const PROSE_OPENINGS: [char; 9] = ['（', '）', '“', '”', '《', '》', '，', '、', '。'];

/// [`PROSE_OPENINGS`] in UTF-8, worked out once: each is three bytes.
const PROSE_OPENINGS_UTF8: [[u8; 3]; 9] = {
    let mut out = [[0; 3]; 9];
    let mut i = 0;
    while i < PROSE_OPENINGS.len() {
        let c = PROSE_OPENINGS[i] as u32;
        assert!(c >= 0x800 && c < 0x10000, "a three-byte character");
        out[i] = [
            0xE0 | (c >> 12) as u8,
            0x80 | ((c >> 6) & 0x3F) as u8,
            0x80 | (c & 0x3F) as u8,
        ];
        i += 1;
    }
    out
};

/// Whether a line (its bytes, or the text from its start) may be page
/// furniture, told from its first bytes: most lines start with a CJK
/// ideograph (U+4000 to U+9FFF, three bytes from E4 to E9) that starts no
/// furniture.
#[inline(always)]
fn may_be_furniture(line: &[u8]) -> bool {
    if let [b0 @ 0xE4..=0xE9, b1, b2, ..] = *line {
        let c = (u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
        return FURNITURE_STARTS.contains(&c);
    }
    true
}

/// The CJK ideographs a furniture line may start with ([`furniture_by_start`]).
const FURNITURE_STARTS: [u32; 10] = [
    '第' as u32,
    '首' as u32,
    '当' as u32,
    '您' as u32,
    '发' as u32,
    '浏' as u32,
    '信' as u32,
    '来' as u32,
    '字' as u32,
    '图' as u32,
];

/// Whether a line matches [`FURNITURE`], told by its first character after
/// leading white space and the literal the pattern then needs, or `None`
/// when only the pattern can tell: most lines (text, labels, table rows,
/// breadcrumbs, "- 5 -") are told apart without running it.
fn furniture_by_start(line: &str) -> Option<bool> {
    // A printable ASCII character first (a digit, a bar): no white space to trim.
    let rest = match line.as_bytes().first() {
        Some(b'!'..=b'~') => line,
        _ => line.trim_start(),
    };
    let starts = |words: &[&str]| words.iter().any(|w| rest.starts_with(w));
    // Alternatives of the pattern that a literal start decides.
    // A literal start the pattern needs: without it, no match; with it,
    // only the pattern can tell.
    let needs = |found: bool| if found { None } else { Some(false) };
    // A literal start that decides a match by itself.
    let decides = |words: &[&str]| Some(starts(words));
    // "2 / 5": after the leading numerals (`\d` among them) and white
    // space, a slash or no match.
    let page_number = || {
        rest.trim_start_matches(char::is_numeric)
            .trim_start()
            .starts_with(['/', '／'])
    };
    match rest.chars().next() {
        // Nothing but white space: no alternative matches.
        None => Some(false),
        // `\d` in the pattern is any Unicode decimal digit (`is_numeric`
        // covers them): then only "2 / 5" matches.
        Some('0'..='9') => needs(page_number()),
        // CJK ideographs are no digits (nor the characters below): told
        // without the Unicode tables `is_numeric` looks in.
        Some(c @ '\u{4E00}'..='\u{9FFF}') if !FURNITURE_STARTS.contains(&u32::from(c)) => Some(false),
        // Told without the Unicode tables.
        Some(c) if PROSE_OPENINGS.contains(&c) => Some(false),
        Some(c) if !c.is_ascii() && c.is_numeric() => needs(page_number()),
        // Only a markdown table rule ("|---|---|") starts so.
        Some('|' | '｜' | ':' | '：') => Some(markdown_rule(rest)),
        // "第 2 页".
        Some('第') => needs(line.contains('页')),
        // "- 5 -": dashes around digits; other lines starting so (rules,
        // "－12－ 共 3 页") go to the pattern.
        Some('-' | '－' | '—' | '–') if page_dashes(rest) => Some(true),
        Some('-' | '－' | '—' | '–' | '【') => None,
        Some('>' | '＞') => Some(true),
        Some('首') => decides(&["首页"]),
        Some('当') => decides(&["当前位置"]),
        Some('您') => decides(&["您的位置", "您现在的位置"]),
        Some('发') => decides(&["发布日期", "发布时间"]),
        Some('浏') => decides(&["浏览次数"]),
        Some('信') => decides(&["信息来源"]),
        Some('来') => decides(&["来源:", "来源："]),
        Some('字') => decides(&["字号"]),
        Some('图') => needs(starts(&["图解"])),
        Some(_) => Some(false),
    }
}

/// A markdown table rule, as the pattern's last alternative reads it:
/// white space, bars and colons, then at least two dashes, then nothing
/// but those characters and dashes.
fn markdown_rule(rest: &str) -> bool {
    let frame = |c: char| c.is_whitespace() || matches!(c, '|' | '｜' | ':' | '：');
    let dash = |c: char| matches!(c, '-' | '—');
    let mut chars = rest.trim_start_matches(frame).chars();
    chars.next().is_some_and(dash) && chars.next().is_some_and(dash) && chars.all(|c| frame(c) || dash(c))
}

/// "- 5 -" (a page number between dashes, white space around), which the
/// pattern's first alternative matches.
fn page_dashes(rest: &str) -> bool {
    let is_dash = |c: char| matches!(c, '-' | '－' | '—' | '–');
    let Some(inner) = rest
        .trim_end()
        .strip_prefix(is_dash)
        .and_then(|s| s.strip_suffix(is_dash))
    else {
        return false;
    };
    let digits = inner.trim();
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Lines of `text` as byte spans, without the line break (`\n` or `\r\n`):
/// line ends found bytewise (memchr).
fn line_spans(text: &str) -> impl Iterator<Item = Span> + '_ {
    let bytes = text.as_bytes();
    let mut ends = memchr::memchr_iter(b'\n', bytes);
    let mut start = 0;
    std::iter::from_fn(move || {
        let Some(i) = ends.next() else {
            let last = (start < bytes.len()).then(|| Span::from_range(start, bytes.len()));
            start = bytes.len();
            return last;
        };
        let end = if i > start && bytes.get(i - 1) == Some(&b'\r') {
            i - 1
        } else {
            i
        };
        let line = Span::from_range(start, end);
        start = i + 1;
        Some(line)
    })
}

/// Lines of `text` as byte spans, without the line break (`\n` or `\r\n`).
pub(crate) fn lines(text: &str) -> Vec<Span> {
    line_spans(text).collect()
}

pub(crate) fn is_cell_separator(c: char) -> bool {
    // Tabs, bars, and the vertical lines text browsers draw tables with.
    matches!(c, '\t' | '|' | '｜' | '│' | '┃' | '║')
}

/// Whether bytes `from..to` of `text` are only cell separators (one at
/// least) and white space on one line: what stands between two fields.
pub(crate) fn fields_apart(text: &str, from: usize, to: usize) -> bool {
    text.get(from..to).is_some_and(|between| {
        between.contains(is_cell_separator)
            && between
                .chars()
                .all(|c| c != '\n' && (c.is_whitespace() || is_cell_separator(c)))
    })
}

/// What stands before byte `at` on its line, when that is only white space
/// and cell separators (a grid line's opening rule, `|  | `): `at` opens
/// its line's content.
pub(crate) fn line_opening(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?;
    let opening = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    opening
        .chars()
        .all(|c| c.is_whitespace() || is_cell_separator(c))
        .then_some(opening)
}

/// Whether a line break stands between bytes `from` and `to` of `text`;
/// `None` when they are no range of it.
pub(crate) fn breaks_between(text: &str, from: usize, to: usize) -> Option<bool> {
    text.get(from..to).map(|between| between.contains('\n'))
}

/// Characters that separate words without being a cell boundary.
fn is_word_gap(c: char) -> bool {
    // Box drawing but for its vertical lines (separators): the rules and
    // junctions a text browser draws between rows, which may share a line
    // with a character of a label that spans rows.
    c.is_whitespace()
        || matches!(
            c,
            '*' | '\u{200B}' | '\u{FEFF}' | '\u{00A0}' | '\u{3000}' | '\u{2500}'..='\u{257F}'
        )
}

/// Characters after a number that make it part of the words ("251000元",
/// "2023年", "45条") rather than a table value.
fn is_unit(c: char) -> bool {
    matches!(
        c,
        '年' | '月'
            | '日'
            | '元'
            | '件'
            | '条'
            | '个'
            | '家'
            | '人'
            | '次'
            | '万'
            | '亿'
            | '%'
            | '号'
            | '项'
            | '页'
            | '则'
    )
}

fn is_numbering_mark(c: char) -> bool {
    matches!(c, '.' | '、')
}

/// What one pass over the text yields ([`scan`]).
pub(crate) struct Scan {
    /// The tokens of every line that is not page furniture, in text order.
    pub tokens: Vec<Token>,
    /// The head of every line that is not furniture and may head a section,
    /// in text order: the wording of the line's first cell that has any, as
    /// the section finder reads it (from its first character that is neither
    /// white space, a bold marker nor a markdown heading's `#`, to the end of
    /// the cell's last word). Heads all in ASCII are left out: no section
    /// label reads so (`sections` tests `ascii_never_reads_as_a_section`).
    pub heads: Vec<Head>,
}

/// A line's head ([`Scan::heads`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    pub span: Span,
    /// At most its number of characters once normalised
    /// (`nianbao_model::label::normalize`): its CJK ideographs and
    /// punctuation ([`plain_word3`]), which normalising keeps, counted as
    /// the tokenizer skips them. A head with many of them is too long to
    /// head a section without being counted again.
    pub min_chars: usize,
}

/// Tokenize the whole text in one pass over its bytes: line ends are found
/// by the tokenizer itself, each line is tokenized first and dropped again
/// when it turns out to be furniture (rare; most lines are told not to be
/// from their first bytes), and the heads come out of the same pass.
// Not inlined: called once per report, and a profile then shows its share.
#[inline(never)]
pub(crate) fn scan(text: &str) -> Scan {
    scan_with::<{ runs::SIMD }>(text)
}

/// [`scan`], skipping runs of bytes with SSE2 blocks or not ([`runs`]).
#[inline(always)]
fn scan_with<const SIMD: bool>(text: &str) -> Scan {
    let bytes = text.as_bytes();
    // About one token per eight bytes in tables; fewer in prose.
    let mut tokens = Vec::with_capacity(text.len() / 16);
    let mut heads = Vec::with_capacity(64);
    let mut start = 0;
    while start < bytes.len() {
        let before = tokens.len();
        let (end, without_break, head) = tokenize_line_at::<SIMD>(text, start, &mut tokens);
        // Told from the first bytes for most lines, before the line is cut out.
        let furniture = may_be_furniture(bytes.get(start..).unwrap_or_default())
            && is_furniture(text.get(start..without_break).unwrap_or(""));
        if furniture {
            tokens.truncate(before);
        } else if let Some((a, b, plain_bytes)) = head {
            if bytes.get(a..b).is_some_and(|h| !h.is_ascii()) {
                heads.push(Head {
                    span: Span::from_range(a, b),
                    min_chars: plain_bytes / 3,
                });
            }
        }
        start = end + 1;
    }
    Scan { tokens, heads }
}

/// Where the line from `start` to its `\n` at `end` ends without the line
/// break (`\r\n` too).
fn line_end(bytes: &[u8], start: usize, end: usize) -> usize {
    if end > start && bytes.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// Tokenize the whole text ([`scan`]'s tokens).
#[cfg(test)]
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    scan(text).tokens
}

/// The head of every line of `text` that is not furniture, all-ASCII ones
/// too (which [`scan`] leaves out).
#[cfg(test)]
pub(crate) fn line_heads(text: &str) -> Vec<String> {
    line_spans(text)
        .filter(|l| !l.slice(text).is_some_and(is_furniture))
        .filter_map(|l| {
            let (a, b, _) = tokenize_line_at::<{ runs::SIMD }>(text, l.offset, &mut Vec::new()).2?;
            Some(text.get(a..b)?.to_string())
        })
        .collect()
}

/// How the tokenizer treats a character.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// Ends a cell ([`is_cell_separator`]).
    Separator,
    /// Ends a word ([`is_word_gap`]).
    Gap,
    /// Part of a word.
    Word,
}

fn class(c: char) -> Class {
    // CJK ideographs and most other text: part of a word, told with one
    // comparison (no separator or gap lies in this range).
    // Full-width forms (U+FF00 on) are words too, but for the full-width
    // bar: told before the Unicode tables `is_whitespace` looks in.
    if ('\u{3400}'..'\u{FEFF}').contains(&c) || (c > '\u{FF00}' && c != '｜') {
        Class::Word
    } else if is_cell_separator(c) {
        Class::Separator
    } else if is_word_gap(c) {
        Class::Gap
    } else {
        Class::Word
    }
}

/// Whether the character at byte `i` is three bytes long, a word character
/// ([`class`]) and no digit ([`is_digit`]), told from its bytes without
/// decoding it: U+4000 to U+EFFF (CJK ideographs among them), and the rest
/// of U+2000 to U+FFFF but for its spaces, gaps, the full-width bar and
/// digits. Chinese punctuation ("，", "。", "、", "（", "“") is then skipped
/// with the ideographs around it.
#[inline(always)]
fn plain_word3(bytes: &[u8], i: usize) -> bool {
    let Some(&lead) = bytes.get(i) else {
        return false;
    };
    if (0xE4..=0xEE).contains(&lead) {
        return true;
    }
    let (Some(&b1), Some(&b2)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
        return false;
    };
    match (lead, b1, b2) {
        // U+2000 to U+200B (spaces, the zero-width space), U+2028, U+2029,
        // U+202F, U+205F: white space or gaps.
        (0xE2, 0x80, 0x80..=0x8B | 0xA8 | 0xA9 | 0xAF) | (0xE2, 0x81, 0x9F) => false,
        // U+3000, the ideographic space.
        (0xE3, 0x80, 0x80) => false,
        // U+FEFF (a gap), U+FF5C (the full-width bar), U+FF10 to U+FF19
        // (full-width digits), and U+FF0A, the full-width asterisk, which
        // normalising drops as a bold marker ([`Head::min_chars`]).
        (0xEF, 0xBB, 0xBF) | (0xEF, 0xBD, 0x9C) | (0xEF, 0xBC, 0x90..=0x99 | 0x8A) => false,
        // U+2500 to U+257F, box drawing: its vertical lines separate cells
        // (the rest of the block, rules, is page furniture).
        (0xE2, 0x94 | 0x95, _) => false,
        (0xE2 | 0xE3 | 0xEF, _, _) => true,
        _ => false,
    }
}

/// Where the run of characters [`plain_word3`] takes from byte `from` (a
/// character boundary) ends: ideographs skipped a block at a time
/// ([`runs::ideographs_end`]), the other plain characters (Chinese
/// punctuation) told one by one.
#[inline(always)]
fn plain_run_end<const SIMD: bool>(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    loop {
        at = runs::ideographs_end::<SIMD>(bytes, at);
        match bytes.get(at) {
            Some(0xE2 | 0xE3 | 0xEF) if plain_word3(bytes, at) => at += 3,
            _ => return at,
        }
    }
}

/// The length in bytes of the run of characters [`plain_word3`] takes at
/// the start of `bytes`, read three bytes at a time ([`plain_run_end`] as
/// first written).
#[cfg(test)]
fn plain_words3(bytes: &[u8]) -> usize {
    let mut run = 0;
    for c in bytes.chunks_exact(3) {
        if !plain_word3(c, 0) {
            break;
        }
        run += 3;
    }
    run
}

/// Runs of bytes that cannot change the tokenizer's state, skipped a block
/// at a time rather than byte by byte: runs of CJK ideographs (most of a
/// report's bytes) and runs of spaces (cells printed apart). `SIMD` picks
/// SSE2, sixteen bytes at a time (part of the x86_64 baseline: no runtime
/// detection); otherwise, and on other targets, eight-byte words are
/// classified bitwise (SWAR). Both give the same answers (tests run both).
mod runs {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;

    /// Whether SSE2 blocks are used where the target has them.
    pub(super) const SIMD: bool = cfg!(target_arch = "x86_64");

    /// A byte of a three-byte character from U+4000 to U+EFFF (the CJK
    /// ideographs among them): a lead byte E4 to EE, or any continuation
    /// byte. From a character boundary, the first byte that is not one is a
    /// character boundary again (an ASCII byte or another lead byte).
    #[inline(always)]
    pub(super) fn is_ideograph_byte(b: u8) -> bool {
        matches!(b, 0x80..=0xBF | 0xE4..=0xEE)
    }

    /// The eight bytes at `at`, little-endian (byte `at` lowest).
    #[inline(always)]
    fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
        let chunk = bytes.get(at..at.checked_add(8)?)?;
        Some(u64::from_le_bytes(<[u8; 8]>::try_from(chunk).ok()?))
    }

    /// Bit 7 of each byte of `w` set where the byte is not an ideograph byte
    /// ([`is_ideograph_byte`]). No sum carries into the next byte: each
    /// adds at most 0x1C to a byte's low seven bits.
    #[inline(always)]
    pub(super) fn swar_not_ideograph(w: u64) -> u64 {
        let low = w & !HIGHS;
        // Bit 7 set where the low bits are at least 0x64 (E4 once bit 7 is
        // set), and where they are below 0x6F (EF).
        let from_e4 = low + 0x1C * ONES;
        let below_ef = !(low + 0x11 * ONES);
        let lead = w & from_e4 & below_ef;
        // Continuation bytes: bits 7 and 6 are 1 and 0.
        let continuation = w & !(w << 1);
        !(lead | continuation) & HIGHS
    }

    /// Where the run of ideograph bytes ([`is_ideograph_byte`]) from `from`
    /// ends: `bytes.len()` when it runs to the end.
    #[inline(always)]
    pub(super) fn ideographs_end<const SIMD: bool>(bytes: &[u8], from: usize) -> usize {
        #[cfg(target_arch = "x86_64")]
        let block = sse2::not_ideograph;
        #[cfg(not(target_arch = "x86_64"))]
        let block = |_: &[u8; 16]| 0u32;
        run_end::<SIMD>(bytes, from, block, swar_not_ideograph, is_ideograph_byte)
    }

    /// Where the run of spaces (`b' '`) from `from` ends.
    #[inline(always)]
    pub(super) fn spaces_end<const SIMD: bool>(bytes: &[u8], from: usize) -> usize {
        #[cfg(target_arch = "x86_64")]
        let block = sse2::not_space;
        #[cfg(not(target_arch = "x86_64"))]
        let block = |_: &[u8; 16]| 0u32;
        // Spaces become zero bytes; the first other byte is the lowest byte
        // left non-zero.
        let word = |w: u64| w ^ (u64::from(b' ') * ONES);
        run_end::<SIMD>(bytes, from, block, word, |b| b == b' ')
    }

    /// Where the run of bytes that are `in_run` from `from` ends, taken 16
    /// bytes at a time (SSE2, where `SIMD`), then 8, then one: `block` and
    /// `word` give a mask of the bytes not in the run (a bit a byte in a
    /// block; in a word, bits set only in the bytes not in the run).
    #[inline(always)]
    fn run_end<const SIMD: bool>(
        bytes: &[u8],
        from: usize,
        block: impl Fn(&[u8; 16]) -> u32,
        word: impl Fn(u64) -> u64,
        in_run: impl Fn(u8) -> bool,
    ) -> usize {
        let mut at = from;
        if SIMD && cfg!(target_arch = "x86_64") {
            while let Some(b) = at
                .checked_add(16)
                .and_then(|end| bytes.get(at..end)?.try_into().ok())
            {
                let others = block(b);
                if others != 0 {
                    return at + others.trailing_zeros() as usize;
                }
                at += 16;
            }
        }
        while let Some(w) = word_at(bytes, at) {
            let others = word(w);
            if others != 0 {
                return at + (others.trailing_zeros() / 8) as usize;
            }
            at += 8;
        }
        while bytes.get(at).is_some_and(|&b| in_run(b)) {
            at += 1;
        }
        at
    }

    #[cfg(target_arch = "x86_64")]
    mod sse2 {
        use core::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
            _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };

        /// Bit k set where byte k of `block` is not an ideograph byte
        /// ([`super::is_ideograph_byte`]).
        #[inline(always)]
        pub(super) fn not_ideograph(block: &[u8; 16]) -> u32 {
            // SAFETY: `block` is sixteen bytes, which is what the unaligned
            // load reads. SSE2 is part of the x86_64 baseline: every x86_64
            // CPU runs these instructions.
            unsafe {
                let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
                // Signed bytes: continuation bytes 80 to BF are the ones
                // below C0 (ASCII is not negative); lead bytes E4 to EE lie
                // strictly between E3 and EF.
                let continuation = _mm_cmplt_epi8(v, _mm_set1_epi8(0xC0_u8 as i8));
                let lead = _mm_and_si128(
                    _mm_cmpgt_epi8(v, _mm_set1_epi8(0xE3_u8 as i8)),
                    _mm_cmplt_epi8(v, _mm_set1_epi8(0xEF_u8 as i8)),
                );
                !(_mm_movemask_epi8(_mm_or_si128(continuation, lead)) as u32) & 0xFFFF
            }
        }

        /// Bit k set where byte k of `block` is not a space.
        #[inline(always)]
        pub(super) fn not_space(block: &[u8; 16]) -> u32 {
            // SAFETY: as in `not_ideograph`.
            unsafe {
                let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
                let spaces = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
                !(_mm_movemask_epi8(spaces) as u32) & 0xFFFF
            }
        }
    }
}

/// A digit once width-folded (`fold_char(c).is_ascii_digit()`).
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// What the byte at a character boundary tells the tokenizer: its class
/// ([`class`]) for ASCII, whether it starts an ideograph (U+4000 to
/// U+EFFF, [`plain_word3`] for sure), or that the character must be looked
/// at further.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lead {
    /// An ASCII word character other than a digit.
    Word,
    /// An ASCII digit.
    Digit,
    Space,
    /// An ASCII gap other than the space and the line feed.
    Gap,
    /// A tab or a pipe.
    Separator,
    Newline,
    /// Lead bytes E4 to EE.
    Ideograph,
    /// Any other lead byte (continuation bytes never start a character).
    Other,
}

/// [`Lead`] of every byte value: one load tells the common cases apart.
static LEADS: [Lead; 256] = {
    let mut leads = [Lead::Other; 256];
    let mut b = 0;
    while b < 256 {
        leads[b] = match b as u8 {
            b'\n' => Lead::Newline,
            b' ' => Lead::Space,
            b'\t' | b'|' => Lead::Separator,
            0x0B | 0x0C | b'\r' | b'*' => Lead::Gap,
            b'0'..=b'9' => Lead::Digit,
            0..=0x7F => Lead::Word,
            0xE4..=0xEE => Lead::Ideograph,
            _ => Lead::Other,
        };
        b += 1;
    }
    leads
};

#[inline(always)]
fn lead(b: u8) -> Lead {
    LEADS[usize::from(b)]
}

/// The line of `text` from byte `start` to the next `\n` (or the end):
/// cells between explicit separators (tabs, pipes), each cut into words;
/// white-space-only cells after a cell with content are blanks ([`Kind::Blank`]).
/// One pass over the bytes: ASCII and CJK ideographs are told from their
/// first byte, other characters are decoded. Returns where the line ends
/// (its `\n`, or the text's end), where it ends without its line break
/// (`\r\n` too), and its head ([`Scan::heads`]), in bytes of the text, with
/// the bytes of the [`plain_word3`] characters in it.
fn tokenize_line_at<const SIMD: bool>(
    text: &str,
    start: usize,
    out: &mut Vec<Token>,
) -> (usize, usize, Option<(usize, usize, usize)>) {
    let mut seen_filled = false;
    // The last separator of the line was a tab (see [`Kind::Blank`]).
    let mut after_tab = false;
    // Where the line's first no-break space is (see [`Kind::Blank`]), and
    // whether the line has a separator.
    let mut nbsp: Option<usize> = None;
    let mut separated = false;
    // The line opens with a bar (a grid's border, `|  | 1 | …`): its empty
    // cells before the first with content are cells too when that one is
    // a number (a row with no label whose first cells are empty); before a
    // label they are its label columns. Where they start, until then.
    let mut bordered = false;
    let mut leading_blanks: Vec<usize> = Vec::new();
    let line_tokens = out.len();
    let mut cell = Cell::new(start, out.len());
    // Where the head starts (its first word character other than `#`), and
    // the head once its cell has ended.
    let mut head_start: Option<usize> = None;
    let mut head: Option<(usize, usize)> = None;
    // Bytes of `plain_word3` characters in the head's cell (so far).
    let mut head_plain = 0;
    let bytes = text.as_bytes();
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        let (class, len) = match lead(b) {
            Lead::Digit => {
                head_start.get_or_insert(i);
                // A run of digits at once: the word's state after its last
                // digit is what it was after each one in turn.
                let run = bytes.get(i + 1..).unwrap_or_default();
                let end = i + 1 + run.iter().take_while(|b| b.is_ascii_digit()).count();
                cell.word_char(i, true, true);
                if end > i + 1 {
                    cell.word_char(end - 1, true, true);
                }
                i = end;
                continue;
            }
            Lead::Word => {
                if head_start.is_none() && b != b'#' {
                    head_start = Some(i);
                }
                cell.word_char(i, false, false);
                i += 1;
                continue;
            }
            // The line ends here.
            Lead::Newline => break,
            Lead::Space | Lead::Gap => (Class::Gap, 1),
            Lead::Separator => (Class::Separator, 1),
            // CJK ideographs and punctuation: word characters and no
            // digits, three bytes each: a run of them is skipped whole.
            lead @ (Lead::Ideograph | Lead::Other) if lead == Lead::Ideograph || plain_word3(bytes, i) => {
                head_start.get_or_insert(i);
                cell.word_char(i, false, false);
                let end = plain_run_end::<SIMD>(bytes, i + 3);
                if head.is_none() {
                    head_plain += end - i;
                }
                i = end;
                continue;
            }
            Lead::Ideograph | Lead::Other => {
                let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                    break;
                };
                if c == '\u{00A0}' {
                    nbsp.get_or_insert(i);
                }
                match class(c) {
                    Class::Word => {
                        head_start.get_or_insert(i);
                        cell.word_char(i, is_digit(c), false);
                        i += c.len_utf8();
                        continue;
                    }
                    class => (class, c.len_utf8()),
                }
            }
        };
        match class {
            Class::Separator => {
                if !separated {
                    bordered = !cell.filled && b != b'\t';
                } else if bordered && !cell.filled && !seen_filled {
                    leading_blanks.push(cell.start);
                }
                separated = true;
                cell.end_word(text, i, 0, out);
                if head.is_none() {
                    head = head_start.map(|start| (start, cell.prev_word_end.unwrap_or(i)));
                }
                if cell.filled {
                    seen_filled = true;
                } else if seen_filled {
                    out.push(Token {
                        kind: Kind::Blank,
                        span: Span::new(cell.start, 0),
                    });
                }
                after_tab = b == b'\t';
                cell = Cell::new(i + len, out.len());
            }
            // Word characters were taken above.
            Class::Gap | Class::Word => {
                cell.end_word(text, i, 0, out);
                // The rest of a run of spaces (cells printed apart) ends
                // no word: skipped.
                i += len;
                if bytes.get(i) == Some(&b' ') {
                    i = runs::spaces_end::<SIMD>(bytes, i + 1);
                }
                continue;
            }
        }
        i += len;
    }
    // A `\r` before the `\n` ended the last word already, as a gap.
    let end = line_end(bytes, start, i);
    cell.end_word(text, end, 0, out);
    if head.is_none() {
        head = head_start.map(|start| (start, cell.prev_word_end.unwrap_or(end)));
    }
    // A bar followed by blank space ends a line as the table's border only
    // where a bar opened it: a table drawn without outer bars
    // (`规章 | 0 |   `) has an empty cell after its last bar. (A bar closing
    // the line is a border either way.)
    let open_last_cell = separated && !bordered && cell.start < end;
    if !cell.filled && (after_tab || open_last_cell) && seen_filled {
        out.push(Token {
            kind: Kind::Blank,
            span: Span::new(cell.start, 0),
        });
    } else if let Some(at) = nbsp.filter(|_| !cell.filled && !separated) {
        out.push(Token {
            kind: Kind::Blank,
            span: Span::new(at, 0),
        });
    }
    if !leading_blanks.is_empty() && out.get(line_tokens).is_some_and(|t| t.kind == Kind::Number) {
        out.splice(
            line_tokens..line_tokens,
            leading_blanks.iter().map(|&at| Token {
                kind: Kind::Blank,
                span: Span::new(at, 0),
            }),
        );
    }
    (i, end, head.map(|(a, b)| (a, b, head_plain)))
}

/// The word being read by [`tokenize_line_at`].
#[derive(Clone, Copy)]
struct Word {
    start: usize,
    has_digit: bool,
    all_ascii_digits: bool,
    /// Where the word's digits lie, when it has any: from the start of its
    /// first to the end of its last (bytes of the line), so that cutting it
    /// ([`split_word_within`]) looks for digits there only.
    digits: (usize, usize),
}

/// The cell being cut into words by [`tokenize_line_at`].
struct Cell {
    /// Offset of the cell in the line.
    start: usize,
    /// `out`'s length when the cell started.
    first_token: usize,
    filled: bool,
    word: Option<Word>,
    prev_word_end: Option<usize>,
}

impl Cell {
    fn new(start: usize, first_token: usize) -> Cell {
        Cell {
            start,
            first_token,
            filled: false,
            word: None,
            prev_word_end: None,
        }
    }

    /// A word character at `i`: a digit or not, an ASCII one (one byte)
    /// or not (a full-width digit is three).
    #[inline]
    fn word_char(&mut self, i: usize, digit: bool, ascii_digit: bool) {
        let digit_end = i + if ascii_digit { 1 } else { 3 };
        match &mut self.word {
            Some(w) => {
                if digit {
                    if !w.has_digit {
                        w.has_digit = true;
                        w.digits.0 = i;
                    }
                    w.digits.1 = digit_end;
                }
                w.all_ascii_digits &= ascii_digit;
            }
            None => {
                self.word = Some(Word {
                    start: i,
                    has_digit: digit,
                    all_ascii_digits: ascii_digit,
                    digits: (i, digit_end),
                })
            }
        }
    }

    /// The word (if any) ends at `end`: its tokens go to `out`.
    #[inline(always)]
    fn end_word(&mut self, line: &str, end: usize, base: usize, out: &mut Vec<Token>) {
        if let Some(w) = self.word.take() {
            self.push_word(w, line, end, base, out);
        }
    }

    /// The tokens of word `w`, which ends at `end`. Inlined: most words
    /// are one token, pushed here; the rest go to [`Cell::close_word`].
    #[inline(always)]
    fn push_word(&mut self, w: Word, line: &str, end: usize, base: usize, out: &mut Vec<Token>) {
        // Most words are all ASCII digits, or text that cannot be a unit
        // glued to the number before it: one token, pushed here.
        // A number ended just before, one byte back in this cell: this word
        // may be its unit.
        let after_number = |cell: &Cell, out: &[Token]| {
            cell.prev_word_end == Some(w.start.wrapping_sub(1))
                && out.len() > cell.first_token
                && out.last().is_some_and(|t| t.kind == Kind::Number)
        };
        let kind = if w.all_ascii_digits {
            Kind::Number
        } else if w.has_digit || after_number(self, out) {
            return self.close_word(w, line, end, base, out);
        } else {
            Kind::Text
        };
        self.filled = true;
        out.push(Token {
            kind,
            span: Span::from_range(base + w.start, base + end),
        });
        self.prev_word_end = Some(end);
    }

    // Not inlined: rarely called, and inlined it burdens every word's push.
    #[inline(never)]
    fn close_word(&mut self, w: Word, line: &str, end: usize, base: usize, out: &mut Vec<Token>) {
        self.filled = true;
        let ws = w.start;
        let word = || line.get(ws..end).unwrap_or("");
        let before = out.len();
        let whole = |kind| Token {
            kind,
            span: Span::from_range(base + ws, base + end),
        };
        // Most words are all text or all ASCII digits: one token, no cutting.
        if w.all_ascii_digits {
            out.push(whole(Kind::Number));
        } else if !w.has_digit {
            out.push(whole(Kind::Text));
        } else {
            let digits = (w.digits.0 - ws)..(w.digits.1 - ws);
            debug_assert_eq!(
                Some(digits.clone()),
                digit_range(word().as_bytes()),
                "{:?}",
                word()
            );
            split_word_within(word(), base + ws, digits, out);
        }
        // "2023 年…", "0 元": a number followed, after one space, by a unit
        // belongs to the words.
        if before > self.first_token {
            if let (Some(prev), Some(next)) = (out.get(before - 1).copied(), out.get(before).copied()) {
                let glued_unit = || {
                    self.prev_word_end
                        .is_some_and(|pe| ws - pe == 1 && line.as_bytes().get(pe) == Some(&b' '))
                        && word().chars().next().map(fold_char).is_some_and(is_unit)
                };
                if prev.kind == Kind::Number && next.kind == Kind::Text && glued_unit() {
                    out[before - 1] = Token {
                        kind: Kind::Text,
                        span: prev.span.cover(next.span),
                    };
                    out.remove(before);
                }
            }
        }
        self.prev_word_end = Some(end);
    }
}

/// The width-folded character at byte `at` of `word`, and its length in bytes.
fn folded_at(word: &str, at: usize) -> Option<(char, usize)> {
    let b = *word.as_bytes().get(at)?;
    if b.is_ascii() {
        return Some((char::from(b), 1));
    }
    let c = word.get(at..)?.chars().next()?;
    Some((fold_char(c), c.len_utf8()))
}

/// Whether the character at byte `at` of `word` is a digit once folded.
fn digit_at(word: &str, at: usize) -> bool {
    folded_at(word, at).is_some_and(|(c, _)| c.is_ascii_digit())
}

/// The first byte at or after `from` where a digit (ASCII or full-width)
/// starts. Prose holds few digits: eight bytes are ruled out at a time
/// when none is an ASCII digit or the first byte of a full-width one.
fn next_digit(bytes: &[u8], from: usize) -> Option<usize> {
    // '０'..'９' are EF BC 90 to EF BC 99.
    let digit_at = |at: usize| match bytes.get(at) {
        Some(b) if b.is_ascii_digit() => true,
        Some(0xEF) => {
            bytes.get(at + 1) == Some(&0xBC) && bytes.get(at + 2).is_some_and(|b| (0x90..=0x99).contains(b))
        }
        _ => false,
    };
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
        if may_hold_digit(u64::from_le_bytes(chunk)) {
            if let Some(k) = (at..at + 8).find(|&k| digit_at(k)) {
                return Some(k);
            }
        }
        at += 8;
    }
    (at..bytes.len()).find(|&k| digit_at(k))
}

/// Whether any of eight bytes is an ASCII digit or EF (bitwise: "has a
/// byte less than n" and "has a zero byte" over the whole word, exact as to
/// whether there is one).
fn may_hold_digit(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Bytes '0'..'9' become 0..9; any byte below 10 then?
    let digits = w ^ (0x30 * ONES);
    let has_digit = digits.wrapping_sub(10 * ONES) & !digits & HIGHS;
    // Bytes EF become 0; any zero byte then?
    let ef = w ^ (0xEF * ONES);
    let has_ef = ef.wrapping_sub(ONES) & !ef & HIGHS;
    has_digit | has_ef != 0
}

/// Cut one word with digits and other characters into text and number
/// tokens. A digit run is a number unless it is part of the words: followed
/// by a unit ("2023年"), next to Latin letters ("5G"), after 第, in brackets
/// ("(1)"), or a numbering ("1.属于" — when digits ran into a numbering,
/// "00000002.其他", only the last digit numbers the label). Works on byte
/// offsets, decoding only the characters around digit runs (a paragraph of
/// prose with a date in it is one word).
#[cfg(test)]
fn split_word(word: &str, base: usize, out: &mut Vec<Token>) {
    let digits = digit_range(word.as_bytes()).unwrap_or(0..0);
    split_word_within(word, base, digits, out);
}

/// From the first digit of `bytes` (as [`next_digit`] finds them) to the
/// end of the last one.
fn digit_range(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let first = next_digit(bytes, 0)?;
    let mut end = first;
    let mut at = first;
    while let Some(k) = next_digit(bytes, at) {
        end = k + if bytes.get(k).is_some_and(u8::is_ascii_digit) {
            1
        } else {
            3
        };
        at = end;
    }
    Some(first..end)
}

/// [`split_word`], told where the word's digits lie ([`digit_range`]): the
/// rest of the word is not searched for them.
fn split_word_within(word: &str, base: usize, digits: std::ops::Range<usize>, out: &mut Vec<Token>) {
    let bytes = word.as_bytes();
    // No digit lies after the last one: the search for the next one stops there.
    let searched = bytes.get(..digits.end).unwrap_or(bytes);
    let mut push = |kind, a: usize, b: usize| {
        out.push(Token {
            kind,
            span: Span::from_range(base + a, base + b),
        })
    };
    let mut at = 0;
    let mut text_start = 0;
    loop {
        // A sign counts only at the start of the word.
        let signed = at == 0
            && folded_at(word, 0).is_some_and(|(c, len)| matches!(c, '-' | '−' | '+') && digit_at(word, len));
        let a = if signed {
            0
        } else {
            let next = if at <= digits.start && digits.start < digits.end {
                Some(digits.start)
            } else {
                next_digit(searched, at)
            };
            match next {
                Some(a) => a,
                None => break,
            }
        };
        // The run: digits, decimals, thousands groups; `chars` counts its
        // characters (the sign among them), `only_digits` whether it has no
        // point or comma.
        let mut b = a;
        let mut chars = 0;
        let mut only_digits = !signed;
        if signed {
            b += folded_at(word, a).map_or(1, |(_, len)| len);
            chars = 1;
        }
        while let Some((c, len)) = folded_at(word, b) {
            if c.is_ascii_digit() {
                b += len;
                chars += 1;
            } else if c == '.' && b > a && digit_at(word, b + len) {
                b += len;
                chars += 1;
                only_digits = false;
            } else if c == ',' && (1..=3).contains(&chars) {
                // Exactly three digits after the comma.
                let mut end = b + len;
                let mut group = 0;
                while group < 3 {
                    match folded_at(word, end) {
                        Some((d, l)) if d.is_ascii_digit() => {
                            end += l;
                            group += 1;
                        }
                        _ => break,
                    }
                }
                if group < 3 || digit_at(word, end) {
                    break;
                }
                b = end;
                chars += 4;
                only_digits = false;
            } else {
                break;
            }
        }
        let prev = word.get(..a).and_then(|s| s.chars().next_back()).map(fold_char);
        let next = folded_at(word, b);
        let in_words = next.is_some_and(|(c, _)| is_unit(c) || c.is_ascii_alphabetic())
            || prev.is_some_and(|c| c == '第' || c.is_ascii_alphabetic())
            || (matches!(prev, Some('(')) && matches!(next, Some((')', _))));
        let numbering = next.is_some_and(|(c, len)| is_numbering_mark(c) && !digit_at(word, b + len));
        let number_end = if in_words {
            a
        } else if numbering {
            // The last digit numbers the following label.
            if chars >= 2 && only_digits {
                let last = if bytes.get(b - 1).is_some_and(u8::is_ascii_digit) {
                    1
                } else {
                    3
                };
                b - last
            } else {
                a
            }
        } else {
            b
        };
        if number_end > a {
            if a > text_start {
                push(Kind::Text, text_start, a);
            }
            push(Kind::Number, a, number_end);
            text_start = number_end;
        }
        at = b;
    }
    if text_start < word.len() {
        push(Kind::Text, text_start, word.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(Kind, &str)> {
        tokenize(s)
            .into_iter()
            .map(|t| (t.kind, t.span.slice(s).unwrap_or("?")))
            .collect()
    }

    #[test]
    fn separators_of_every_layout() {
        use Kind::*;
        assert_eq!(
            toks("规章\t0\t1\t２"),
            [(Text, "规章"), (Number, "0"), (Number, "1"), (Number, "２")]
        );
        // Empty cells after the last value are cells; a closing bar is a
        // border, the piece after a last tab a cell.
        assert_eq!(
            toks("| 行政许可 | 550 |  |  |"),
            [(Text, "行政许可"), (Number, "550"), (Blank, ""), (Blank, "")]
        );
        assert_eq!(
            toks("行政许可\t550\t\t"),
            [(Text, "行政许可"), (Number, "550"), (Blank, ""), (Blank, "")]
        );
        assert_eq!(toks("\t\t行政许可\t"), [(Text, "行政许可"), (Blank, "")]);
        // Bars between cells and none around them (html2text): blank space
        // after the last bar is a cell; a bar ending the line is not one.
        assert_eq!(
            toks("规章 |   | 3 |    "),
            [(Text, "规章"), (Blank, ""), (Number, "3"), (Blank, "")]
        );
        assert_eq!(toks("规章 | 3 |"), [(Text, "规章"), (Number, "3")]);
        assert_eq!(
            toks("| 一、本年 |  | 21 | **3** |"),
            [(Text, "一、本年"), (Blank, ""), (Number, "21"), (Number, "3")]
        );
        assert_eq!(
            toks("行政事业性收费 7730.28"),
            [(Text, "行政事业性收费"), (Number, "7730.28")]
        );
        assert_eq!(toks("- 5 -\n0"), [(Number, "0")]);
    }

    #[test]
    fn furniture_prefilter_agrees_with_the_pattern() {
        let mut lines: Vec<String> = [
            "- 5 -",
            " －12－ ",
            "第 2 页 共 5 页",
            "第2页",
            "2 / 5",
            "３／５",
            "首页 > 政务公开",
            "当前位置：首页",
            "> 信息公开",
            "＞ 年报",
            "发布日期：2024-01-01",
            "来源：本站",
            "【打印】【关闭】",
            "图解 | 年报",
            "|---|---|",
            "| :--- | ---: |",
            "|-|--|",
            "| - |",
            "|——|",
            "｜—-｜",
            "|--x|",
            "| 行政许可 | 95 | -5 | 0 |",
            ": --",
            "：-",
            "|\u{3000}--\u{3000}|",
            "：——",
            "——",
            "| 行政许可 | 550 |",
            "第二十条第（一）项",
            "2023年",
            "12",
            "- 3",
            "信息内容",
            "信息内容 | 本年制发件数 |",
            "信息来源：本站",
            "来源 本站",
            "来源:本站",
            "您现在的位置：首页",
            "您好",
            "发布时间：2024年1月2日",
            "发文机关",
            "浏览次数：12",
            "字号：大 中 小",
            "字体",
            "图解｜年报",
            "图解年报",
            "首页",
            "首先",
            "当前位置：",
            "当年",
            "【字体：大】",
            "  ",
            "\t",
            "  \u{3000}- 7 -",
            "-12-",
            "12",
            "12/3",
            "3 ／ 5",
            "1，2",
            "1½/2",
            "12 / 3 ",
            "１２／３",
            "12 x/3",
            "12/",
            "2021年，12/3",
            "abc",
            "Z - 1 -",
            "— 3 —",
            "- 3 - 共 5 页",
            "-- 3 --",
            "- -",
            "--",
            "-x-",
            "> 政务公开 > 年报",
            "【打印本页】",
            "【 关闭 】",
            "（一）主动公开情况",
            "（ 2 / 5 ）",
            "）",
            "“三审三校”",
            "”",
            "《条例》",
            "》 - 3 -",
            "，12/3",
            "、",
            "。",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for text in crate::fixtures::texts() {
            lines.extend(text.lines().map(str::to_string));
        }
        assert!(lines.len() > 1000);
        assert!(lines.iter().filter(|l| is_furniture(l)).count() >= 15);
        for l in &lines {
            assert_eq!(is_furniture(l), l.len() <= 600 && FURNITURE.is_match(l), "{l:?}");
        }
        // Every answer told without the pattern is the pattern's.
        let mut by_bytes = 0;
        for l in &lines {
            if let Some(told) = furniture_by_start(l) {
                assert_eq!(told, FURNITURE.is_match(l), "{l:?}");
            }
            if let Some(told) = furniture_by_bytes(l.as_bytes()) {
                assert_eq!(told, FURNITURE.is_match(l), "{l:?}");
                by_bytes += 1;
            }
        }
        assert!(by_bytes > 1000, "{by_bytes}");
    }

    proptest::proptest! {
        #[test]
        fn furniture_prefilter_agrees_on_any_mix(
            picks in proptest::collection::vec(0usize..24, 0..12)
        ) {
            const PIECES: [&str; 24] = [
                "1", "23", "１", "½", "٣", " ", "\u{3000}", "\t", "/", "／",
                "x", "年", "-", "第", "页", "共", "|", "—", "首页", ">",
                ".", "（", "、", "\u{0B}",
            ];
            let line: String = picks.iter().map(|&k| PIECES[k]).collect();
            if let Some(told) = furniture_by_start(&line) {
                proptest::prop_assert_eq!(told, FURNITURE.is_match(&line), "{:?}", line);
            }
            if let Some(told) = furniture_by_bytes(line.as_bytes()) {
                proptest::prop_assert_eq!(told, FURNITURE.is_match(&line), "{:?}", line);
            }
        }
    }

    /// The first cell's wording as the section finder first read it: the
    /// first cell that has any, trimmed of white space, bold markers and
    /// leading `#`.
    fn first_cell_by_chars(line: &str) -> Option<(usize, usize)> {
        use nianbao_model::label::is_insignificant;
        let mut start = 0;
        loop {
            let end = line
                .get(start..)?
                .find(['\t', '|', '｜'])
                .map_or(line.len(), |k| start + k);
            let cell = line.get(start..end)?;
            let trimmed = cell.trim_start_matches(|c: char| is_insignificant(c) || c == '#');
            if !trimmed.trim().is_empty() {
                let lead = cell.len() - trimmed.len();
                let t = trimmed.trim_end_matches(is_insignificant);
                return Some((start + lead, start + lead + t.len()));
            }
            if end >= line.len() {
                return None;
            }
            start = end + line.get(end..)?.chars().next().map_or(1, char::len_utf8);
        }
    }

    #[test]
    fn heads_are_the_first_cells() {
        let mut lines: Vec<String> = [
            "## 一、总体情况",
            "| # | 一、总体 |",
            "  **一、** 总体 \t 0",
            "#",
            "# #|a",
            "a#  |b",
            "#a#|b",
            "\u{3000}标题\u{200B}\u{FEFF}",
            "｜ ｜x｜",
            "\t\t规章\t0",
            "（一）主动公开情况。本级政府",
            "",
            "   ",
            "|||",
            "1 2 3",
            "\u{00A0}\u{2003}文\u{205F}字\u{3000}|",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for text in crate::fixtures::texts() {
            lines.extend(text.lines().map(str::to_string));
        }
        let mut heads = 0;
        for l in &lines {
            let head = tokenize_line_at::<{ runs::SIMD }>(l, 0, &mut Vec::new())
                .2
                .map(|(a, b, _)| (a, b));
            assert_eq!(head, first_cell_by_chars(l), "{l:?}");
            heads += usize::from(head.is_some());
        }
        assert!(heads > 1000, "{heads}");
    }

    /// [`scan`]'s portable path cuts as its SSE2 one; every head is the
    /// first cell of a line that is not furniture, and its lower bound on
    /// its normalised length holds.
    fn same_scan(text: &str) {
        let portable = scan_with::<false>(text);
        let new = scan(text);
        assert_eq!(portable.tokens, new.tokens, "{text:?}");
        assert_eq!(portable.heads, new.heads, "{text:?}");
        let firsts: Vec<Span> = line_spans(text)
            .filter(|l| !l.slice(text).is_some_and(is_furniture))
            .filter_map(|l| {
                let (a, b) = first_cell_by_chars(l.slice(text)?)?;
                Some(Span::from_range(l.offset + a, l.offset + b))
            })
            .filter(|h| h.slice(text).is_some_and(|s| !s.is_ascii()))
            .collect();
        let heads: Vec<Span> = new.heads.iter().map(|h| h.span).collect();
        assert_eq!(heads, firsts, "{text:?}");
        for h in &new.heads {
            let cell = h.span.slice(text).unwrap_or_default();
            let chars = nianbao_model::label::normalize(cell).chars().count();
            assert!(h.min_chars <= chars, "{cell:?}: {} > {chars}", h.min_chars);
        }
    }

    #[test]
    fn scan_agrees_with_the_line_by_line_tokenizer() {
        let mut texts = crate::fixtures::texts();
        assert!(texts.len() > 5);
        // The same texts with Windows line ends, and with none at the end.
        let more: Vec<String> = texts
            .iter()
            .flat_map(|t| [t.replace('\n', "\r\n"), t.trim_end().to_string()])
            .collect();
        texts.extend(more);
        texts.extend(
            [
                "",
                "\n",
                "\r\n",
                "\r",
                "a\r",
                "规章\t0\r\n- 5 -\r\n\t1\t\r\n",
                "| 一、本年 |  | 21 | **3** |\n|---|---|\n第 2 页 共 5 页\n行政许可\t１２\n",
                "2 / 5\n2023 年\n１２\r\n\n\n首页 > 年报",
                "  一、总体情况\t\r\n\u{3000}二、主动公开\u{3000}|\n# #|a\n",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        for text in &texts {
            same_scan(text);
        }
    }

    proptest::proptest! {
        #[test]
        fn scan_agrees_on_any_mix(
            picks in proptest::collection::vec(0usize..40, 0..40)
        ) {
            // Long runs of ideographs and of spaces too, which are skipped
            // a block at a time ([`runs`]).
            const PIECES: [&str; 40] = [
                "\n", "\r\n", "\r", "\t", "|", "｜", " ", "\u{3000}", "*", "#",
                "- 5 -", "第 2 页", "2 / 5", "首页", "发布日期：", "|---|", "--",
                "一、总体情况", "主动公开", "行政许可", "12", "-3", "1,234", "２",
                "年", "(1)", "1.", "a", "\u{00A0}", "（一）",
                "                    ", "    ", "中华人民共和国政府信息公开条例", "，",
                "１２３", "“三审三校”", "\u{2003}", "\u{FEFF}", "é", "𠀀",
            ];
            let text: String = picks.iter().map(|&k| PIECES[k]).collect();
            same_scan(&text);
        }
    }

    #[test]
    fn classes_are_those_of_the_separators_and_gaps() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let by_rules = if is_cell_separator(c) {
                Class::Separator
            } else if is_word_gap(c) {
                Class::Gap
            } else {
                Class::Word
            };
            assert_eq!(class(c), by_rules, "{c:?}");
        }
    }

    #[test]
    fn plain_three_byte_words_are_words_without_digits() {
        let mut plain = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            // U+0800 to U+1FFF, box drawing (whose vertical lines separate
            // cells) and the full-width asterisk are left to the decoding path.
            let expected = ('\u{2000}'..='\u{FFFF}').contains(&c)
                && !('\u{2500}'..='\u{257F}').contains(&c)
                && class(c) == Class::Word
                && !is_digit(c)
                && c != '＊';
            // Each is kept by normalising ([`Head::min_chars`]).
            if expected {
                assert!(!nianbao_model::label::is_insignificant(fold_char(c)), "{c:?}");
            }
            assert_eq!(plain_word3(bytes, 0), expected, "{c:?}");
            plain += usize::from(expected);
        }
        assert!(plain > 50_000, "{plain}");
        // Cut short (not at a character's end): not told as one.
        assert!(!plain_word3("，".as_bytes().get(..2).unwrap_or_default(), 0));
        let text = "中文，“标点”。\u{3000}12ab｜一二三";
        assert_eq!(plain_words3(text.as_bytes()), "中文，“标点”。".len());
        assert_eq!(plain_words3("一二三".as_bytes()), 9);
        assert_eq!(plain_words3(&"一二三".as_bytes()[..8]), 6);
        assert_eq!(plain_words3(b"a"), 0);
    }

    /// Both paths of [`runs`] against byte-by-byte loops, from every start.
    fn same_runs(bytes: &[u8]) {
        for from in 0..=bytes.len() {
            let ideographs = (from..bytes.len())
                .find(|&k| !runs::is_ideograph_byte(bytes[k]))
                .unwrap_or(bytes.len());
            assert_eq!(
                runs::ideographs_end::<true>(bytes, from),
                ideographs,
                "{bytes:x?} {from}"
            );
            assert_eq!(
                runs::ideographs_end::<false>(bytes, from),
                ideographs,
                "{bytes:x?} {from}"
            );
            let spaces = (from..bytes.len())
                .find(|&k| bytes[k] != b' ')
                .unwrap_or(bytes.len());
            assert_eq!(runs::spaces_end::<true>(bytes, from), spaces, "{bytes:x?} {from}");
            assert_eq!(
                runs::spaces_end::<false>(bytes, from),
                spaces,
                "{bytes:x?} {from}"
            );
        }
    }

    #[test]
    fn runs_end_where_the_bytes_change() {
        // Every byte value in every lane of a block and of a word, among
        // ideograph bytes and among spaces.
        for b in 0..=255u8 {
            for lane in 0..24 {
                for fill in ["中".as_bytes()[0], 0x80, b' '] {
                    let mut bytes = [fill; 24];
                    bytes[lane] = b;
                    same_runs(&bytes);
                }
            }
        }
        for text in [
            "",
            " ",
            "中",
            "一二三四五六七八九十，  12\n",
            "        \t",
            "中文中文中文中文中文中文中文",
        ] {
            same_runs(text.as_bytes());
        }
        let mut lanes = 0;
        for w in [u64::MAX, 0, 0xE4E4_E4E4_E4E4_E4E4, 0xBFEE_80E3_EFC0_7FE4] {
            let bytes = w.to_le_bytes();
            let expected: u64 = (0..8)
                .filter(|&k| !runs::is_ideograph_byte(bytes[k]))
                .map(|k| 0x80 << (8 * k))
                .sum();
            assert_eq!(runs::swar_not_ideograph(w), expected, "{w:x}");
            lanes += expected.count_ones();
        }
        assert_eq!(lanes, 8 + 8 + 4);
    }

    proptest::proptest! {
        #[test]
        fn runs_agree_on_any_bytes(bytes in proptest::collection::vec(
            proptest::sample::select(vec![0x20u8, 0x0A, 0x30, 0x7C, 0x80, 0xBF, 0xC0, 0xC2, 0xE3, 0xE4, 0xE9, 0xEE, 0xEF, 0xF0, 0xFF]),
            0..70,
        )) {
            same_runs(&bytes);
        }
    }

    #[test]
    fn ascii_classes_agree_with_the_characters() {
        for b in 0..0x80u8 {
            let by_lead = match lead(b) {
                Lead::Separator => Class::Separator,
                Lead::Space | Lead::Gap | Lead::Newline => Class::Gap,
                Lead::Word | Lead::Digit => Class::Word,
                Lead::Ideograph | Lead::Other => unreachable!("{b:#x}"),
            };
            assert_eq!(by_lead, class(char::from(b)), "{b:#x}");
            assert_eq!(lead(b) == Lead::Digit, b.is_ascii_digit(), "{b:#x}");
        }
        for b in 0x80..=0xFFu8 {
            assert_eq!(lead(b) == Lead::Ideograph, (0xE4..=0xEE).contains(&b), "{b:#x}");
        }
    }

    /// [`split_word`] as it was written first, over a vector of folded
    /// characters: the byte-offset version must cut every word the same way.
    fn split_word_by_chars(word: &str, base: usize, out: &mut Vec<Token>) {
        let chars: Vec<(usize, char)> = word.char_indices().map(|(i, c)| (i, fold_char(c))).collect();
        let n = chars.len();
        let byte_at = |k: usize| chars.get(k).map_or(word.len(), |&(i, _)| i);
        let ch = |k: usize| chars.get(k).map(|&(_, c)| c);
        let is_digit = |k: usize| ch(k).is_some_and(|c| c.is_ascii_digit());
        let mut push = |kind, a: usize, b: usize| {
            out.push(Token {
                kind,
                span: Span::from_range(base + byte_at(a), base + byte_at(b)),
            })
        };
        let (mut k, mut text_start) = (0, 0);
        while k < n {
            let signed = k == 0 && matches!(ch(k), Some('-' | '−' | '+')) && is_digit(k + 1);
            if !(is_digit(k) || signed) {
                k += 1;
                continue;
            }
            let a = k;
            let mut b = if signed { k + 1 } else { k };
            while b < n {
                if is_digit(b) || (ch(b) == Some('.') && is_digit(b + 1) && b > a) {
                    b += 1;
                } else if ch(b) == Some(',')
                    && (1..=3).contains(&(b - a))
                    && (1..=3).all(|d| is_digit(b + d))
                    && !is_digit(b + 4)
                {
                    b += 4;
                } else {
                    break;
                }
            }
            let prev = a.checked_sub(1).and_then(ch);
            let next = ch(b);
            let in_words = next.is_some_and(|c| is_unit(c) || c.is_ascii_alphabetic())
                || prev.is_some_and(|c| c == '第' || c.is_ascii_alphabetic())
                || (matches!(prev, Some('(')) && matches!(next, Some(')')));
            let numbering = next.is_some_and(is_numbering_mark) && !is_digit(b + 1);
            let number_end = if in_words {
                a
            } else if numbering {
                if b - a >= 2 && !signed && (a..b).all(is_digit) {
                    b - 1
                } else {
                    a
                }
            } else {
                b
            };
            if number_end > a {
                if a > text_start {
                    push(Kind::Text, text_start, a);
                }
                push(Kind::Number, a, number_end);
                text_start = number_end;
            }
            k = b.max(a + 1);
        }
        if text_start < n {
            push(Kind::Text, text_start, n);
        }
    }

    fn same_cuts(word: &str) {
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        split_word(word, 7, &mut fast);
        split_word_by_chars(word, 7, &mut slow);
        assert_eq!(fast, slow, "{word:?}");
    }

    #[test]
    fn next_digit_finds_the_first_digit() {
        let naive = |bytes: &[u8], from: usize| {
            (from..bytes.len()).find(|&k| {
                bytes[k].is_ascii_digit()
                    || (bytes[k] == 0xEF
                        && bytes.get(k + 1) == Some(&0xBC)
                        && bytes.get(k + 2).is_some_and(|b| (0x90..=0x99).contains(b)))
            })
        };
        let texts = [
            "本级政府通过政府信息公开专栏主动公开政府信息1418条，及时发布政策文件",
            "全年共收到申请１２件，办结（３）件。",
            "没有数字的一段话，只有标点：；。",
            "abcdefghijklmnopqrstuvwxyz/:;<=>?@[]^_`{|}~ 9",
            "／＼，。；：７",
            "",
        ];
        for t in texts {
            let bytes = t.as_bytes();
            for from in 0..=bytes.len() {
                assert_eq!(next_digit(bytes, from), naive(bytes, from), "{t} {from}");
            }
        }
        // Every byte value in every lane.
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut w = [0xE4u8; 8];
                w[lane] = b;
                let expected = b.is_ascii_digit() || b == 0xEF;
                assert_eq!(may_hold_digit(u64::from_le_bytes(w)), expected, "{b:#x} {lane}");
            }
        }
    }

    #[test]
    fn split_word_agrees_with_the_character_version() {
        for w in [
            "-3",
            "−12.5万",
            "+1,234,567",
            "１，２３４条",
            "1,2345",
            "00000002.其他",
            "２．属于",
            "(1)",
            "（２）",
            "第3",
            "5G",
            "A5",
            "12.",
            "1.2.3",
            "-",
            "-.5",
            "2021年，本级政府主动公开信息1418条，答复5件",
            "规章000行政规范性文件693665",
        ] {
            same_cuts(w);
        }
        let mut words = 0;
        for text in crate::fixtures::texts() {
            for w in text.split(|c: char| class(c) != Class::Word) {
                if w.chars().any(is_digit) {
                    same_cuts(w);
                    words += 1;
                }
            }
        }
        assert!(words > 1000, "{words}");
    }

    proptest::proptest! {
        #[test]
        fn split_word_agrees_on_any_mix(
            picks in proptest::collection::vec(0usize..27, 1..24)
        ) {
            const ALPHABET: [&str; 27] = [
                "0", "7", "９", "０", ".", "．", ",", "，", "、", "-", "−", "+", "－",
                "(", ")", "（", "）", "第", "年", "条", "A", "z", "中", "文", "%", "'", "１",
            ];
            let word: String = picks.iter().map(|&k| ALPHABET[k]).collect();
            same_cuts(&word);
        }
    }

    #[test]
    fn numbers_inside_words() {
        use Kind::*;
        assert_eq!(toks("251000元"), [(Text, "251000元")]);
        assert_eq!(toks("2023 年政府"), [(Text, "2023 年政府")]);
        assert_eq!(toks("1.属于国家秘密"), [(Text, "1.属于国家秘密")]);
        assert_eq!(toks("1. 属于"), [(Text, "1."), (Text, "属于")]);
        assert_eq!(
            toks("规章 000行政规范性文件693665"),
            [
                (Text, "规章"),
                (Number, "000"),
                (Text, "行政规范性文件"),
                (Number, "693665")
            ]
        );
        assert_eq!(toks("00000002.其他"), [(Number, "0000000"), (Text, "2.其他")]);
        assert_eq!(toks("-3"), [(Number, "-3")]);
    }
}
