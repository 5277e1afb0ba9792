//! Report metadata: title, issuing body, year, statistics period and
//! publication date, from the title line(s) before the first section, or,
//! when there is no title, from the first sentence that names the body
//! ("2023年,沿海工业城发展服务中心政务信息公开工作…").

use crate::tokens::lines;
use nianbao_model::label::fold_char;
use nianbao_model::{Date, Metadata, Period, Span, Spanned};
use regex::{Captures, Regex};
use std::sync::LazyLock;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("metadata pattern is valid: {e}"))
}

/// Title: "<body> 2023 年度 <body> 政府信息公开工作年度报告".
static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:标题\s*[:：])?\s*(?P<pre>.*?)\s*(?P<year>\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*度?\s*(?P<mid>.*?)\s*(?:政府|政务)信息公开.*(?:报告|年报)",
    )
});
static TITLE_NO_YEAR: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:政府|政务)信息公开.*(?:年度报告|工作报告|年报)"));
/// A sentence naming the body: "2023年,沿海工业城发展服务中心政务信息公开工作…".
static BODY_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<year>\d{4})\s*年度?\s*[,，、]?\s*(?P<body>[^\s,，。、；;：:“”\x22（）()《》0-9我本]{2,30}?)(?:的)?(?:政务|政府)信息公开",
    )
});
/// "本报告由淮安市洪泽区人民政府办公室根据…编制".
static COMPILED_BY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"本报告由\s*(?P<body>[^\s,，。、；;：:（）()《》]{2,30}?)\s*(?:根据|依据|按照|编制)")
});
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"统计(?:期限|时限|时间|区间)[^0-9\n]{0,6}?(?P<y1>\d{4})\s*年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日\s*(?:起)?\s*(?:至|到|—|-|－|~)\s*(?:(?P<y2>\d{4})\s*年)?\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日",
    )
});
static PUBLISHED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:发布日期|发布时间|发文日期|成文日期|公开日期)\s*[:：]?\s*(?P<y>\d{4})\s*[-/年.．]\s*(?P<m>\d{1,2})\s*[-/月.．]\s*(?P<d>\d{1,2})",
    )
});

/// `PERIOD.captures(text)`, searched from the first "统计" (every match
/// starts with it; most reports print it once, near the top): the
/// pattern is not run over a text that cannot match. ([`period_match`]
/// reads the same, mostly without the pattern.)
#[cfg(test)]
fn period_captures(text: &str) -> Option<Captures<'_>> {
    let start = STATISTICS.find(text.as_bytes())?;
    PERIOD.captures_at(text, start)
}

/// A match of [`PERIOD`]: the whole and each named group, as byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PeriodMatch {
    whole: (usize, usize),
    /// `y1`, `m1`, `d1`, `y2`, `m2`, `d2`.
    parts: [Option<(usize, usize)>; 6],
}

impl PeriodMatch {
    fn of(c: &Captures) -> Option<PeriodMatch> {
        let range = |name: &str| c.name(name).map(|m| (m.start(), m.end()));
        let whole = c.get(0)?;
        Some(PeriodMatch {
            whole: (whole.start(), whole.end()),
            parts: ["y1", "m1", "d1", "y2", "m2", "d2"].map(range),
        })
    }
}

/// [`period_captures`] as a [`PeriodMatch`]: read by [`period_at`] at each
/// "统计" in turn (every match starts at one, and `period_at` finds the
/// pattern's match there or tells that there is none), by the pattern from
/// where a character only the pattern's Unicode classes can tell.
fn period_match(text: &str) -> Option<PeriodMatch> {
    for start in STATISTICS.find_iter(text.as_bytes()) {
        match period_at(text, start) {
            Ok(Some(found)) => return Some(found),
            // No match starting here: the pattern looks further too.
            Ok(None) => {}
            Err(Unsure) => return PERIOD.captures_at(text, start).as_ref().and_then(PeriodMatch::of),
        }
    }
    None
}

/// A character whose class (`\d`) [`period_at`] does not know: only the
/// pattern can tell.
#[derive(Debug)]
struct Unsure;

/// What [`period_at`] reads at a place: `Ok(Some(end))` when the piece is
/// there, `Ok(None)` when it is not.
type Step = Result<Option<usize>, Unsure>;

/// The character at byte `at` of `text`, and its length.
fn char_at(text: &str, at: usize) -> Option<(char, usize)> {
    let c = text.get(at..)?.chars().next()?;
    Some((c, c.len_utf8()))
}

/// Whether `c` is a decimal digit as the pattern's `\d` (Unicode `Nd`)
/// reads it, where that is told without the Unicode tables: ASCII and
/// full-width digits are, ASCII, Latin-1, general punctuation, CJK symbols,
/// kana and ideographs, and full-width punctuation are not (no `Nd` lies
/// there); anything else is unsure.
fn is_digit(c: char) -> Result<bool, Unsure> {
    match c {
        '0'..='9' | '０'..='９' => Ok(true),
        '\0'..='\u{FF}'
        | '\u{2000}'..='\u{206F}'
        | '\u{3000}'..='\u{9FFF}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}' => Ok(false),
        _ => Err(Unsure),
    }
}

/// After `\s*` from `at` (`\s` is Unicode white space, as `is_whitespace`).
fn skip_space(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or_default();
    at + (rest.len() - rest.trim_start().len())
}

/// `\d{n}` at `at`.
fn digits(text: &str, mut at: usize, n: usize) -> Step {
    for _ in 0..n {
        match char_at(text, at) {
            Some((c, len)) if is_digit(c)? => at += len,
            _ => return Ok(None),
        }
    }
    Ok(Some(at))
}

/// `(\d{1,2})\s*<unit>` at `at` (two digits tried first, as the greedy
/// pattern does): the digits' end and the end after the unit.
fn number_then(text: &str, at: usize, unit: char) -> Result<Option<(usize, usize)>, Unsure> {
    number_then_any(text, at, |c| c == unit)
}

/// [`number_then`] with any unit `is_unit` takes.
fn number_then_any(
    text: &str,
    at: usize,
    is_unit: impl Fn(char) -> bool,
) -> Result<Option<(usize, usize)>, Unsure> {
    for n in [2, 1] {
        if let Some(end) = digits(text, at, n)? {
            let u = skip_space(text, end);
            if let Some((c, len)) = char_at(text, u) {
                if is_unit(c) {
                    return Ok(Some((end, u + len)));
                }
            }
        }
    }
    Ok(None)
}

/// [`PERIOD`] matched at `start` (where "统计" is), trying its
/// alternatives in the pattern's order, so a match found is the one the
/// pattern finds there; `Err(Unsure)` when a character's class decides
/// and only the Unicode tables know it.
fn period_at(text: &str, start: usize) -> Result<Option<PeriodMatch>, Unsure> {
    let Some(rest) = text.get(start..).and_then(|r| r.strip_prefix("统计")) else {
        return Ok(None);
    };
    if !["期限", "时限", "时间", "区间"]
        .iter()
        .any(|w| rest.starts_with(w))
    {
        return Ok(None);
    }
    // `[^0-9\n]{0,6}?`: as few characters as will do.
    let mut at = start + "统计期限".len();
    for taken in 0..=6 {
        if let Some(found) = period_after_lead(text, start, at)? {
            return Ok(Some(found));
        }
        match char_at(text, at) {
            Some((c, len)) if taken < 6 && !c.is_ascii_digit() && c != '\n' => at += len,
            _ => break,
        }
    }
    Ok(None)
}

/// The rest of [`PERIOD`] from `(?P<y1>…` at `at`.
fn period_after_lead(text: &str, start: usize, at: usize) -> Result<Option<PeriodMatch>, Unsure> {
    let Some(y1_end) = digits(text, at, 4)? else {
        return Ok(None);
    };
    let year_mark = skip_space(text, y1_end);
    if char_at(text, year_mark).map(|(c, _)| c) != Some('年') {
        return Ok(None);
    }
    let m1_start = skip_space(text, year_mark + '年'.len_utf8());
    let Some((m1_end, after)) = number_then(text, m1_start, '月')? else {
        return Ok(None);
    };
    let d1_start = skip_space(text, after);
    let Some((d1_end, after)) = number_then(text, d1_start, '日')? else {
        return Ok(None);
    };
    let mut i = skip_space(text, after);
    if char_at(text, i).map(|(c, _)| c) == Some('起') {
        i += '起'.len_utf8();
    }
    i = skip_space(text, i);
    match char_at(text, i) {
        Some(('至' | '到' | '—' | '-' | '－' | '~', len)) => i += len,
        _ => return Ok(None),
    }
    i = skip_space(text, i);
    // `(?:(?P<y2>\d{4})\s*年)?`: with the year first, then without.
    let mut second = None;
    if let Some(y2_end) = digits(text, i, 4)? {
        let mark = skip_space(text, y2_end);
        if char_at(text, mark).map(|(c, _)| c) == Some('年') {
            if let Some(found) = month_and_day(text, skip_space(text, mark + '年'.len_utf8()))? {
                second = Some((Some((i, y2_end)), found));
            }
        }
    }
    if second.is_none() {
        second = month_and_day(text, i)?.map(|found| (None, found));
    }
    let Some((y2, (m2, d2, end))) = second else {
        return Ok(None);
    };
    Ok(Some(PeriodMatch {
        whole: (start, end),
        parts: [
            Some((at, y1_end)),
            Some((m1_start, m1_end)),
            Some((d1_start, d1_end)),
            y2,
            Some(m2),
            Some(d2),
        ],
    }))
}

/// `\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日` at `at`: the month,
/// the day and the end.
type MonthDay = ((usize, usize), (usize, usize), usize);
fn month_and_day(text: &str, at: usize) -> Result<Option<MonthDay>, Unsure> {
    let m_start = skip_space(text, at);
    let Some((m_end, after)) = number_then(text, m_start, '月')? else {
        return Ok(None);
    };
    let d_start = skip_space(text, after);
    let Some((d_end, end)) = number_then(text, d_start, '日')? else {
        return Ok(None);
    };
    Ok(Some(((m_start, m_end), (d_start, d_end), end)))
}

/// Substring searchers for the literals the period and publication date
/// need, built once.
type Finder = memchr::memmem::Finder<'static>;
static STATISTICS: LazyLock<Finder> = LazyLock::new(|| Finder::new("统计".as_bytes()));
static DATE: LazyLock<Finder> = LazyLock::new(|| Finder::new("日期".as_bytes()));
static TIME: LazyLock<Finder> = LazyLock::new(|| Finder::new("时间".as_bytes()));
static DISCLOSURE: LazyLock<Finder> = LazyLock::new(|| Finder::new("信息公开".as_bytes()));
static HOME: LazyLock<Finder> = LazyLock::new(|| Finder::new("首页".as_bytes()));
static BREADCRUMB: LazyLock<Finder> = LazyLock::new(|| Finder::new(" > ".as_bytes()));
static REPORT: LazyLock<Finder> = LazyLock::new(|| Finder::new("报告".as_bytes()));
static ANNUAL_REPORT: LazyLock<Finder> = LazyLock::new(|| Finder::new("年报".as_bytes()));

/// Whether each line of a text, taken in order, holds a word: one search
/// over the text for all its lines (a `contains` per line sets up a new
/// searcher each time), resumed only past the line that holds the last
/// place found.
struct LinesHolding<'f> {
    finder: &'f Finder,
    /// The first place at or after the last line asked about.
    next: Option<usize>,
    /// Where the search for `next` started.
    from: usize,
}

impl<'f> LinesHolding<'f> {
    fn new(finder: &'f Finder) -> Self {
        LinesHolding {
            finder,
            next: None,
            from: usize::MAX,
        }
    }

    /// Whether `line` (of `text`, after every line asked about before) holds the word.
    fn holds(&mut self, text: &[u8], line: Span) -> bool {
        let stale = match self.next {
            Some(at) => at < line.offset,
            None => self.from > line.offset,
        };
        if stale {
            self.from = line.offset;
            self.next = text
                .get(line.offset..)
                .and_then(|rest| self.finder.find(rest))
                .map(|at| at + line.offset);
        }
        self.next
            .is_some_and(|at| at + self.finder.needle().len() <= line.end())
    }
}

/// `PUBLISHED.captures(text)`, searched from two characters before the
/// first "日期" or "时间" (every match has one of them after its first two
/// characters): the pattern is not run over a text that cannot match.
/// ([`published_match`] reads the same, mostly without the pattern.)
fn published_captures(text: &str) -> Option<Captures<'_>> {
    let bytes = text.as_bytes();
    let first = [DATE.find(bytes), TIME.find(bytes)].into_iter().flatten().min()?;
    // Two characters back (at most eight bytes), on a character boundary.
    let mut start = first.saturating_sub(8);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    PUBLISHED.captures_at(text, start)
}

/// A match of [`PUBLISHED`]: the whole and its `y`, `m` and `d` groups, as
/// byte ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PublishedMatch {
    whole: (usize, usize),
    parts: [(usize, usize); 3],
}

impl PublishedMatch {
    fn of(c: &Captures) -> Option<PublishedMatch> {
        let range = |name: &str| c.name(name).map(|m| (m.start(), m.end()));
        let whole = c.get(0)?;
        Some(PublishedMatch {
            whole: (whole.start(), whole.end()),
            parts: [range("y")?, range("m")?, range("d")?],
        })
    }
}

/// [`published_captures`] as a [`PublishedMatch`]: read at each "日期" and
/// "时间" in turn by [`published_after`] when it can tell, by the pattern
/// otherwise.
fn published_match(text: &str) -> Option<PublishedMatch> {
    match published_at_keywords(text) {
        Ok(found) => found,
        Err(Unsure) => published_captures(text).as_ref().and_then(PublishedMatch::of),
    }
}

/// [`PUBLISHED`]'s first match, tried where each of its keywords
/// (发布日期, 发布时间, 发文日期, 成文日期, 公开日期) is printed, in
/// order: every match starts with one, and at most one matches at a place.
fn published_at_keywords(text: &str) -> Result<Option<PublishedMatch>, Unsure> {
    let bytes = text.as_bytes();
    let mut dates = DATE.find_iter(bytes).peekable();
    let mut times = TIME.find_iter(bytes).peekable();
    loop {
        // The next 日期 or 时间, whichever comes first.
        let (at, is_date) = match (dates.peek().copied(), times.peek().copied()) {
            (Some(d), Some(t)) if t < d => (times.next().unwrap_or(t), false),
            (Some(d), _) => (dates.next().unwrap_or(d), true),
            (None, Some(t)) => (times.next().unwrap_or(t), false),
            (None, None) => return Ok(None),
        };
        let Some(start) = at.checked_sub("发布".len()) else {
            continue;
        };
        let keyword = match text.get(start..at) {
            Some("发布") => true,
            Some("发文" | "成文" | "公开") => is_date,
            _ => false,
        };
        if keyword {
            if let Some(found) = published_after(text, start, at + "日期".len())? {
                return Ok(Some(found));
            }
        }
    }
}

/// The rest of [`PUBLISHED`] after its keyword (which starts at `start` and
/// ends at `at`): `\s*[:：]?\s*(?P<y>\d{4})\s*[-/年.．]\s*(?P<m>\d{1,2})\s*[-/月.．]\s*(?P<d>\d{1,2})`.
/// White space is never a colon, a digit or a separator, so each piece has
/// one place to be: only the month's and day's two digits are tried before
/// one, as the greedy pattern does.
fn published_after(text: &str, start: usize, at: usize) -> Result<Option<PublishedMatch>, Unsure> {
    let mut y_start = skip_space(text, at);
    if let Some((':' | '：', len)) = char_at(text, y_start) {
        y_start = skip_space(text, y_start + len);
    }
    let Some(y_end) = digits(text, y_start, 4)? else {
        return Ok(None);
    };
    let mark = skip_space(text, y_end);
    let Some(('-' | '/' | '年' | '.' | '．', len)) = char_at(text, mark) else {
        return Ok(None);
    };
    let m_start = skip_space(text, mark + len);
    let Some((m_end, after)) =
        number_then_any(text, m_start, |c| matches!(c, '-' | '/' | '月' | '.' | '．'))?
    else {
        return Ok(None);
    };
    let d_start = skip_space(text, after);
    let d_end = match digits(text, d_start, 2)? {
        Some(end) => end,
        None => match digits(text, d_start, 1)? {
            Some(end) => end,
            None => return Ok(None),
        },
    };
    Ok(Some(PublishedMatch {
        whole: (start, d_end),
        parts: [(y_start, y_end), (m_start, m_end), (d_start, d_end)],
    }))
}

/// A match of [`TITLE`] in a line: its `pre`, `year` and `mid` groups as
/// byte ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TitleMatch {
    pre: (usize, usize),
    year: (usize, usize),
    mid: (usize, usize),
}

impl TitleMatch {
    fn of(c: &Captures) -> Option<TitleMatch> {
        let range = |name: &str| c.name(name).map(|m| (m.start(), m.end()));
        Some(TitleMatch {
            pre: range("pre")?,
            year: range("year")?,
            mid: range("mid")?,
        })
    }
}

/// `TITLE.captures(line)` as a [`TitleMatch`]: read by [`title_at`] when
/// it can tell, by the pattern otherwise.
fn title_match(line: &str) -> Option<TitleMatch> {
    match title_at(line) {
        Ok(Some(found)) => Some(found),
        Ok(None) | Err(Unsure) => TITLE.captures(line).as_ref().and_then(TitleMatch::of),
    }
}

/// Chinese numerals of a year printed in words ("二〇二三"), as the
/// pattern's second year alternative lists them.
fn is_year_numeral(c: char) -> bool {
    matches!(
        c,
        '〇' | '○' | '零' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九'
    )
}

/// `(?P<year>\d{4}|[〇○零一二三四五六七八九]{4})\s*年` at `at`: the year's end
/// and the end after 年.
fn year_at(line: &str, at: usize) -> Result<Option<(usize, usize)>, Unsure> {
    let mut end = digits(line, at, 4)?;
    if end.is_none() {
        let mut i = at;
        for _ in 0..4 {
            match char_at(line, i) {
                Some((c, len)) if is_year_numeral(c) => i += len,
                _ => return Ok(None),
            }
        }
        end = Some(i);
    }
    let Some(end) = end else { return Ok(None) };
    let mark = skip_space(line, end);
    Ok((char_at(line, mark).map(|(c, _)| c) == Some('年')).then(|| (end, mark + '年'.len_utf8())))
}

/// A match of [`TITLE`] in `line`, found by walking the pattern in its own
/// order (the optional "标题:" first, the lazy `pre` and `mid` as short as
/// will do), so a match it finds is the pattern's; `Ok(None)` when it
/// finds none where the pattern might still (the pattern then decides),
/// `Err(Unsure)` where a character's class only the Unicode tables know.
fn title_at(line: &str) -> Result<Option<TitleMatch>, Unsure> {
    // `.` stops at a line feed: lines hold none, but leave it to the pattern.
    if line.contains('\n') {
        return Ok(None);
    }
    // `^(?:标题\s*[:：])?\s*`
    let mut start = 0;
    if line.starts_with("标题") {
        let colon = skip_space(line, "标题".len());
        if let Some((':' | '：', len)) = char_at(line, colon) {
            start = colon + len;
        }
    }
    let pre_start = skip_space(line, start);
    // `(?P<pre>.*?)\s*` then the year: the first place where a year follows.
    let mut p = pre_start;
    let (year_start, year_end, after_year) = loop {
        let q = skip_space(line, p);
        if let Some((end, after)) = year_at(line, q)? {
            break (q, end, after);
        }
        match char_at(line, p) {
            Some((_, len)) => p += len,
            None => return Ok(None),
        }
    };
    // `\s*度?\s*(?P<mid>.*?)\s*(?:政府|政务)信息公开.*(?:报告|年报)`
    let mut mid_start = skip_space(line, after_year);
    if char_at(line, mid_start).map(|(c, _)| c) == Some('度') {
        mid_start = skip_space(line, mid_start + '度'.len_utf8());
    }
    let rest = line.get(mid_start..).unwrap_or_default();
    // The first 政府信息公开 or 政务信息公开 at or after `mid_start`.
    let Some(keyword) = DISCLOSURE
        .find_iter(rest.as_bytes())
        .find(|&k| k >= 6 && matches!(rest.get(k - 6..k), Some("政府" | "政务")))
        .map(|k| mid_start + k - 6)
    else {
        return Ok(None);
    };
    let after_keyword = line.get(keyword + "政府信息公开".len()..).unwrap_or_default();
    if REPORT.find(after_keyword.as_bytes()).is_none()
        && ANNUAL_REPORT.find(after_keyword.as_bytes()).is_none()
    {
        return Ok(None);
    }
    // `mid` stops where the white space before the keyword starts.
    let before = line.get(mid_start..keyword).unwrap_or_default();
    let mid_end = mid_start + before.trim_end().len();
    Ok(Some(TitleMatch {
        pre: (pre_start, p),
        year: (year_start, year_end),
        mid: (mid_start, mid_end),
    }))
}

/// Length of a title line's lead: white space and a "标题:" label, as
/// `^\s*(?:标题\s*[:：])?\s*` matches it.
fn title_prefix_len(line: &str) -> usize {
    let rest = line.trim_start();
    let rest = rest
        .strip_prefix("标题")
        .and_then(|r| r.trim_start().strip_prefix([':', '：']))
        .unwrap_or(rest);
    line.len() - rest.trim_start().len()
}

/// `s` with its runs of white space made one space, none at the ends (as
/// `split_whitespace` and `join(" ")` make it).
fn single_spaced(s: &str) -> String {
    // Bytes that start or are white space in UTF-8 (ASCII, U+0085, U+00A0,
    // U+1680, U+2000–U+205F, U+3000): without them, there is none.
    let may_have_space = s
        .bytes()
        .any(|b| matches!(b, b'\t'..=b'\r' | b' ' | 0xC2 | 0xE1 | 0xE2 | 0xE3));
    if !may_have_space {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Last characters of org names ("…局", "…中心"), as characters: a
/// `str::contains(c)` over them searched for the character's UTF-8 bytes.
const BODY_ENDINGS: [char; 30] = [
    '局', '委', '办', '心', '府', '院', '会', '所', '站', '处', '室', '厅', '部', '署', '区', '县', '市',
    '镇', '乡', '道', '司', '行', '团', '馆', '队', '社', '厂', '场', '校', '园',
];

/// Org-name endings, to tell a body from the start of a sentence.
fn looks_like_body(s: &str) -> bool {
    s.chars().nth(1).is_some() && s.chars().last().is_some_and(|c| BODY_ENDINGS.contains(&c))
}

/// A character of a printed date number as an ASCII digit where it is one:
/// Chinese numerals 〇一…九 and full-width digits folded.
fn digit_folded(c: char) -> char {
    match c {
        '〇' | '○' | '零' => '0',
        '一' => '1',
        '二' => '2',
        '三' => '3',
        '四' => '4',
        '五' => '5',
        '六' => '6',
        '七' => '7',
        '八' => '8',
        '九' => '9',
        c => fold_char(c),
    }
}

/// A number printed with ASCII, full-width or Chinese digits ("二〇二三"),
/// read as `str::parse` reads the digits folded to ASCII (an optional sign,
/// then digits only), without building the folded text.
fn number(s: &str) -> Option<i64> {
    // ASCII digits only (most dates), too few to overflow: read directly.
    if !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(s.bytes().fold(0, |v, b| v * 10 + i64::from(b - b'0')));
    }
    let mut chars = s.chars().map(digit_folded).peekable();
    let negative = match chars.peek() {
        Some('-') => true,
        Some('+') => false,
        _ => {
            return digits_value(chars, false);
        }
    };
    chars.next();
    digits_value(chars, negative)
}

/// The value of a run of ASCII digits (at least one), negated when
/// `negative`; `None` on anything else or on overflow.
fn digits_value(chars: impl Iterator<Item = char>, negative: bool) -> Option<i64> {
    let mut value: i64 = 0;
    let mut digits = 0;
    for c in chars {
        let d = i64::from(c.to_digit(10).filter(|_| c.is_ascii_digit())?);
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(d)?
        } else {
            value.checked_add(d)?
        };
        digits += 1;
    }
    (digits > 0).then_some(value)
}

fn spanned_str(caps: &Captures, name: &str, base: usize) -> Option<Spanned<String>> {
    let m = caps.name(name)?;
    spanned_text(m.as_str(), m.start(), base)
}

/// `group` (printed at `start` of a text at `base`) trimmed, unless empty.
fn spanned_text(group: &str, start: usize, base: usize) -> Option<Spanned<String>> {
    let s = group.trim();
    if s.is_empty() {
        return None;
    }
    let lead = group.len() - group.trim_start().len();
    Some(Spanned::new(
        s.to_string(),
        Span::new(base + start + lead, s.len()),
    ))
}

fn spanned_year(caps: &Captures, name: &str, base: usize) -> Option<Spanned<i32>> {
    let m = caps.name(name)?;
    spanned_number(m.as_str(), m.start(), base)
}

/// The year `group` (printed at `start` of a text at `base`) reads as.
fn spanned_number(group: &str, start: usize, base: usize) -> Option<Spanned<i32>> {
    let y = i32::try_from(number(group)?).ok()?;
    Some(Spanned::new(y, Span::new(base + start, group.len())))
}

/// The date printed as year, month and day; without a year, in `year`.
fn date_of(y: Option<&str>, m: Option<&str>, d: Option<&str>, year: Option<i32>) -> Option<Date> {
    let year = match y {
        Some(y) => i32::try_from(number(y)?).ok()?,
        None => year?,
    };
    let month = u8::try_from(number(m?)?).ok()?;
    let day = u8::try_from(number(d?)?).ok()?;
    Date::new(year, month, day)
}

/// A title wrapped over two lines mid-word, as a PDF's text prints a long
/// centred title ("…局 2023 年政府信息公" / "开工作年度报告"): two short
/// lines that make a title together. The title spans both; the body and
/// year are taken where they lie within one of the lines.
#[cold]
fn wrapped_title(text: &str, head_lines: &[Span], meta: &mut Metadata) {
    let short = |l: &Span| -> Option<(usize, &str)> {
        let s = l.slice(text)?;
        let t = s.trim();
        let lead = s.len() - s.trim_start().len();
        (!t.is_empty() && t.chars().count() <= 40 && !t.ends_with(['。', '；', ';']))
            .then_some((l.offset + lead, t))
    };
    let lines: Vec<(usize, &str)> = head_lines.iter().filter_map(short).collect();
    for pair in lines.windows(2) {
        let [(a_at, a), (b_at, b)] = pair else { continue };
        let joined = format!("{a}{b}");
        let Some(c) = title_match(&joined) else { continue };
        // A position in `joined` within one line: its offset in the text.
        let within = |(start, end): (usize, usize)| -> Option<usize> {
            if end <= a.len() {
                Some(a_at + start)
            } else if start >= a.len() {
                Some(b_at + start - a.len())
            } else {
                None
            }
        };
        let group = |(x, y): (usize, usize)| joined.get(x..y).unwrap_or_default();
        meta.title = Some(Spanned::new(
            single_spaced(&joined),
            Span::from_range(*a_at, b_at + b.len()),
        ));
        meta.body = within(c.pre)
            .and_then(|at| spanned_text(group(c.pre), 0, at))
            .filter(|b| looks_like_body(&b.value));
        meta.year = within(c.year).and_then(|at| spanned_number(group(c.year), 0, at));
        return;
    }
}

/// Read the metadata; `head_end` is where the first section starts (the
/// title is looked for before it).
pub(crate) fn read(text: &str, head_end: usize, overview: Option<Span>) -> Metadata {
    let mut meta = Metadata::default();
    let head = text.get(..head_end).unwrap_or("");
    let head_lines: Vec<Span> = lines(head);
    let mut prev: Option<Span> = None;
    let (mut breadcrumb, mut home, mut disclosure) = (
        LinesHolding::new(&BREADCRUMB),
        LinesHolding::new(&HOME),
        LinesHolding::new(&DISCLOSURE),
    );
    let head_bytes = head.as_bytes();
    // A title naming the year was found on a line of its own.
    let mut titled = false;
    for line in &head_lines {
        let Some(s) = line.slice(text) else { continue };
        if s.trim().is_empty() {
            continue;
        }
        if s.trim_start().starts_with(['>', '＞'])
            || breadcrumb.holds(head_bytes, *line)
            || home.holds(head_bytes, *line)
        {
            prev = None;
            continue;
        }
        // Both title patterns need the words 信息公开.
        if !disclosure.holds(head_bytes, *line) {
            prev = Some(*line);
            continue;
        }
        if let Some(c) = title_match(s) {
            let group = |(a, b): (usize, usize)| (s.get(a..b).unwrap_or_default(), a);
            let ((pre, pre_at), (mid, mid_at)) = (group(c.pre), group(c.mid));
            // Without a "标题:" prefix and leading white space.
            let lead = title_prefix_len(s);
            let mut title_span = Span::from_range(line.offset + lead, line.offset + s.trim_end().len());
            let pre = spanned_text(pre, pre_at, line.offset)
                .map(|b| {
                    let v = b.value.trim_start_matches(['标', '题', ':', '：']).trim();
                    let v = v.strip_prefix("关于").unwrap_or(v);
                    // "XX局关于2023年度…".
                    let v = v.strip_suffix("关于").unwrap_or(v).trim_end();
                    // `v` is a slice of `b.value`: its place there is a pointer difference.
                    let at = (v.as_ptr() as usize).saturating_sub(b.value.as_ptr() as usize);
                    Spanned::new(v.to_string(), Span::new(b.span.offset + at, v.len()))
                })
                .filter(|b| !b.value.is_empty());
            let mid = spanned_text(mid, mid_at, line.offset);
            // Before the year or between it and 政府信息公开; an org name if either is one.
            let named = [&pre, &mid]
                .into_iter()
                .flatten()
                .find(|b| looks_like_body(&b.value))
                .cloned();
            let body = named.or(pre).or(mid).or_else(|| {
                // The body on the line before: "洪泽区人民政府\n2023 年政府信息公开…".
                let p = prev?;
                let ps = p.slice(text)?;
                let t = ps.trim();
                if t.chars().count() > 40
                    || t.chars()
                        .any(|c| c.is_ascii_digit() || matches!(c, '。' | '，' | ',' | ':' | '：'))
                {
                    return None;
                }
                let lead = ps.len() - ps.trim_start().len();
                title_span = Span::new(
                    p.offset + lead,
                    line.offset + s.trim_end().len() - (p.offset + lead),
                );
                Some(Spanned::new(t.to_string(), Span::new(p.offset + lead, t.len())))
            });
            let title = title_span.slice(text).unwrap_or("");
            meta.title = Some(Spanned::new(single_spaced(title), title_span));
            meta.body = body;
            let (year, year_at) = group(c.year);
            meta.year = spanned_number(year, year_at, line.offset);
            titled = true;
            break;
        }
        if TITLE_NO_YEAR.is_match(s) && meta.title.is_none() {
            let t = s.trim();
            let lead = s.len() - s.trim_start().len();
            meta.title = Some(Spanned::new(
                t.to_string(),
                Span::new(line.offset + lead, t.len()),
            ));
        }
        prev = Some(*line);
    }
    if !titled {
        wrapped_title(text, &head_lines, &mut meta);
    }
    // No title naming them: the first sentence that does.
    if meta.body.is_none() || meta.year.is_none() {
        let search = overview
            .map(|o| Span::new(o.offset, o.len.min(3000)))
            .unwrap_or(Span::new(0, head_end.min(3000)));
        let mut end = search.end().min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let region = text.get(search.offset..end).unwrap_or("");
        let sentence = BODY_SENTENCE
            .captures_iter(region)
            .find(|c| c.name("body").is_some_and(|b| looks_like_body(b.as_str())));
        if let Some(c) = sentence {
            if meta.body.is_none() {
                meta.body = spanned_str(&c, "body", search.offset);
            }
            if meta.year.is_none() {
                meta.year = spanned_year(&c, "year", search.offset);
            }
        }
        if meta.body.is_none() {
            let head_region = text.get(..head_end.max(end)).unwrap_or(head);
            if let Some(c) = COMPILED_BY.captures(head_region) {
                meta.body = spanned_str(&c, "body", 0).filter(|b| looks_like_body(&b.value));
            }
        }
    }
    if let Some(found) = period_match(text) {
        let part = |k: usize| {
            let (a, b) = found.parts.get(k).copied().flatten()?;
            text.get(a..b)
        };
        if let Some(start) = date_of(part(0), part(1), part(2), None) {
            let end = date_of(part(3), part(4), part(5), Some(start.year));
            if let Some(end) = end {
                meta.period = Some(Spanned::new(
                    Period { start, end },
                    Span::from_range(found.whole.0, found.whole.1),
                ));
            }
        }
    }
    if meta.year.is_none() {
        if let Some(p) = &meta.period {
            meta.year = Some(Spanned::new(p.value.end.year, p.span));
        }
    }
    if let Some(found) = published_match(text) {
        let part = |(a, b): (usize, usize)| text.get(a..b);
        let [y, m, d] = found.parts;
        if let Some(date) = date_of(part(y), part(m), part(d), None) {
            meta.published = Some(Spanned::new(date, Span::from_range(y.0, found.whole.1)));
        }
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_lead_is_what_the_pattern_matched() {
        let pattern = re(r"^\s*(?:标题\s*[:：])?\s*");
        let mut lines: Vec<String> = [
            "标题：某局2023年政府信息公开工作年度报告",
            "  标题 : 报告",
            "\u{3000}标题\u{3000}：\u{3000}报告",
            "标题 报告",
            "标题",
            "标题:",
            "  ",
            "",
            "某局报告",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for text in crate::fixtures::texts() {
            lines.extend(text.lines().take(40).map(str::to_string));
        }
        for l in &lines {
            assert_eq!(
                title_prefix_len(l),
                pattern.find(l).map_or(0, |m| m.end()),
                "{l:?}"
            );
        }
    }

    #[test]
    fn digits_and_spaces_as_the_pattern_reads_them() {
        let digit = re(r"^\d$");
        let space = re(r"^\s$");
        let mut told = 0;
        for c in (0..=0xFFFF).filter_map(char::from_u32) {
            let s = c.to_string();
            if let Ok(is) = is_digit(c) {
                assert_eq!(is, digit.is_match(&s), "{c:?}");
                told += 1;
            }
            assert_eq!(c.is_whitespace(), space.is_match(&s), "{c:?}");
        }
        assert!(told > 28_000, "{told}");
    }

    /// The period read by [`period_match`], and whenever [`period_at`]
    /// reads it itself, is the pattern's.
    fn same_period(text: &str) -> bool {
        let by_pattern = period_captures(text).as_ref().and_then(PeriodMatch::of);
        assert_eq!(period_match(text), by_pattern, "{text}");
        let Some(start) = STATISTICS.find(text.as_bytes()) else {
            return false;
        };
        match period_at(text, start) {
            Ok(Some(found)) => {
                assert_eq!(Some(found), by_pattern, "{text}");
                true
            }
            _ => false,
        }
    }

    #[test]
    fn periods_read_as_the_pattern_reads_them() {
        let mut texts: Vec<String> = [
            "统计期限自2021年1月1日起至2021年12月31日止",
            "统计期限：2023年1月1日至12月31日",
            "统计时间为 2023 年 1 月 1 日 — 2023 年 12 月 31 日",
            "统计区间２０２３年１月１日－１２月３１日",
            "统计期限12023年1月1日至2023年12月31日",
            "统计期限自2021年1月1日起到2021年12 月31日。统计期限2020年1月1日至2020年12月31日",
            "统计期限：二〇二三年1月1日至12月31日",
            "统计期限 ٢٠٢٣年1月1日至12月31日",
            "统计期限自自自自自自2021年1月1日至12月31日",
            "统计期限自自自自自自自2021年1月1日至12月31日",
            "统计期限2021年123月1日至12月31日",
            "统计期限2021年1月1日至2021年1月",
            "统计期限2021年1月1日至2021年13月1日",
            "统计期限2021年1月1日至2021 12月1日",
            "统计期限\n2021年1月1日至12月31日",
            "统计数据，统计口径，统计期限2021年1月1日至12月31日",
            "统计期限2021\u{3000}年1月1日\u{A0}至12月31日",
            "统计",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // The usual shapes are read without the pattern.
        for t in texts.iter().take(4) {
            assert!(same_period(t), "{t}");
        }
        texts.extend(crate::fixtures::texts());
        let fast = texts.iter().filter(|t| same_period(t)).count();
        assert!(fast >= 8, "{fast}");
    }

    proptest::proptest! {
        #[test]
        fn periods_read_as_the_pattern_reads_any_mix(
            picks in proptest::collection::vec(0usize..24, 0..30)
        ) {
            const PIECES: [&str; 24] = [
                "2021", "1", "12", "３", "年", "月", "日", "起", "至", "-", "—", " ", "\u{3000}",
                "\n", "：", "自", "为", "٣", "0", "期限", "时间", "统计", "到", "~",
            ];
            let text: String = std::iter::once("统计期限")
                .chain(picks.iter().map(|&k| PIECES[k]))
                .collect();
            same_period(&text);
        }
    }

    proptest::proptest! {
        #[test]
        fn periods_read_as_the_pattern_reads_them_in_every_shape(
            changes in proptest::collection::vec((0usize..14, 0usize..6), 0..4)
        ) {
            // Each slot of a printed period, with its usual and unusual forms.
            const SLOTS: [[&str; 6]; 14] = [
                ["统计期限", "统计时间", "统计区间", "统计时限", "统计口径", "统计期限\n"],
                ["", "自", "：", "为 ", "自自自自自自", "自自自自自自自"],
                ["2021", "２０２１", "202", "20211", "٢٠٢١", "二〇二一"],
                ["", " ", "\u{3000}", "  ", "\u{A0}", "\t"],
                ["年", "年度", "月", "", "年 ", "-"],
                ["1", "01", "123", "１", "", "1 "],
                ["月", "月 ", "日", "", " 月", "月1"],
                ["1", "31", "311", "３", "", "٣"],
                ["日", "日起", "日 起 ", "", "号", "日起起"],
                ["至", "到", "—", "－", "~", "和"],
                ["2021年", "", "2021 年 ", "2021", "２０２１年", "12"],
                ["12", "1", "123", "", "１２", "12 "],
                ["月", "月 ", "", "日", "年", "月月"],
                ["31日", "3日", "31 日", "", "311日", "31"],
            ];
            // The usual form in every slot but a few.
            let mut picks = [0; 14];
            for (slot, form) in changes {
                picks[slot] = form;
            }
            let text: String = SLOTS.iter().zip(picks).map(|(slot, k)| slot[k]).collect();
            same_period(&text);
        }
    }

    /// The title read by [`title_match`], and whenever [`title_at`] reads
    /// it itself, is the pattern's.
    fn same_title(line: &str) -> bool {
        let by_pattern = TITLE.captures(line).as_ref().and_then(TitleMatch::of);
        assert_eq!(title_match(line), by_pattern, "{line}");
        match title_at(line) {
            Ok(Some(found)) => {
                assert_eq!(Some(found), by_pattern, "{line}");
                true
            }
            _ => false,
        }
    }

    #[test]
    fn titles_read_as_the_pattern_reads_them() {
        let mut lines: Vec<String> = [
            "仪征市人民政府2021年度政府信息公开工作年度报告",
            "标题：某局 2023 年 度 某局政务信息公开工作年度报告",
            "南京市 二〇二三年政府信息公开年报",
            "关于2023年度政府信息公开工作年度报告",
            "标题 ：  2023年政府信息公开工作报告（修订）",
            "2023 年政府信息公开工作",
            "某局12023年政府信息公开工作年度报告",
            "某局２０２３年政府信息公开工作年度报告",
            "某局٢٠٢٣年政府信息公开工作年度报告",
            "某局2023年政府信息公开年报 2024年政府信息公开报告",
            "本报告由某局根据《中华人民共和国政府信息公开条例》编制，统计期限自2021年1月1日起",
            "2021年，本级政府认真贯彻落实政府信息公开工作报告",
            "某局 2023年　政府 信息公开 政府信息公开报告",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // The usual shapes are read without the pattern.
        for l in lines.iter().take(5) {
            assert!(same_title(l), "{l}");
        }
        for text in crate::fixtures::texts() {
            lines.extend(text.lines().take(40).map(str::to_string));
        }
        let fast = lines.iter().filter(|l| same_title(l)).count();
        assert!(fast >= 10, "{fast}");
    }

    proptest::proptest! {
        #[test]
        fn titles_read_as_the_pattern_reads_them_in_every_shape(
            changes in proptest::collection::vec((0usize..9, 0usize..6), 0..4)
        ) {
            const SLOTS: [[&str; 6]; 9] = [
                ["", "标题：", "标题 :", "标题", " \u{3000}", "关于"],
                ["某局", "", "某局 ", "2023年", "局2", "二〇"],
                ["2023", "二〇二三", "202", "20231", "٢٠٢٣", "２０２３"],
                ["", " ", "\u{3000}", "\t", "年", "\u{A0}"],
                ["年", "年度", "年 度 ", "", "度", "年年"],
                ["", "某局", " 某局 ", "政府", "信息公开", "2024年"],
                ["政府信息公开", "政务信息公开", "政府 信息公开", "", "政府信息公开报告", "政政府信息公开"],
                ["工作年度", "", "年报", "报", "2024年政府信息公开", "。"],
                ["报告", "年报", "报告书", "", "报 告", "报告年报"],
            ];
            let mut picks = [0; 9];
            for (slot, form) in changes {
                picks[slot] = form;
            }
            let line: String = SLOTS.iter().zip(picks).map(|(slot, k)| slot[k]).collect();
            same_title(&line);
        }
    }

    #[test]
    fn numbers_read_as_parse_reads_them() {
        let by_parse = |s: &str| -> Option<i64> {
            let folded: String = s.chars().map(digit_folded).collect();
            folded.parse().ok()
        };
        for s in [
            "2023",
            "二〇二三",
            "二○二三",
            "２０２３",
            "12",
            "0",
            "",
            "+",
            "-",
            "-5",
            "+7",
            "－3",
            "１2",
            "٣",
            "2023年",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "+-1",
            "999999999999999999",
            "0000000000000000000",
            "07",
        ] {
            assert_eq!(number(s), by_parse(s), "{s}");
        }
    }

    /// The publication date read by [`published_match`], and whenever
    /// [`published_at_keywords`] reads it itself, is the pattern's.
    fn same_published(text: &str) -> bool {
        let by_pattern = PUBLISHED.captures(text).as_ref().and_then(PublishedMatch::of);
        assert_eq!(published_match(text), by_pattern, "{text}");
        match published_at_keywords(text) {
            Ok(found) => {
                assert_eq!(found, by_pattern, "{text}");
                true
            }
            Err(Unsure) => false,
        }
    }

    #[test]
    fn publication_dates_read_as_the_pattern_reads_them() {
        let mut texts: Vec<String> = [
            "发布日期：2024-01-02",
            "发布时间 2024年1月2日 成文日期：2023.12.30",
            "日期：2024-01-02 公开日期:2024/1/3",
            "ab发布日期2024.1.2",
            "成文时间：2024-01-02 发文日期：２０２４．１．２",
            "发布日期：\u{3000}2024 - 1 - 23号",
            "发布日期：٢٠٢٤-1-2 公开日期：2024-1-2",
            "发布日期：20245-1-2 发布时间:2024年12月311日",
            "发布日期::2024-1-2 发布日期 ：2024年 1月",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for t in texts.iter().take(6) {
            assert!(same_published(t), "{t}");
        }
        texts.extend(crate::fixtures::texts());
        let fast = texts.iter().filter(|t| same_published(t)).count();
        assert!(fast >= 8, "{fast}");
    }

    proptest::proptest! {
        #[test]
        fn publication_dates_read_as_the_pattern_reads_any_mix(
            picks in proptest::collection::vec(0usize..26, 0..30)
        ) {
            const PIECES: [&str; 26] = [
                "发布", "发文", "成文", "公开", "日期", "时间", "2024", "1", "12", "３", "年", "月",
                "日", "-", "/", ".", "．", " ", "\u{3000}", "\n", "：", ":", "٣", "0", "发", "期",
            ];
            let text: String = picks.iter().map(|&k| PIECES[k]).collect();
            same_published(&text);
        }
    }

    #[test]
    fn lines_holding_a_word_are_the_lines_that_contain_it() {
        let mut texts: Vec<String> = [
            "首页 > 信息公开\n信息公开信息公开\r\n\n首\n页 >  > \n信息\n公开首页",
            "",
            "\n\n",
            "首页",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        texts.extend(crate::fixtures::texts());
        let mut held = 0;
        for text in &texts {
            let spans = lines(text);
            for (finder, word) in [
                (&*BREADCRUMB, " > "),
                (&*HOME, "首页"),
                (&*DISCLOSURE, "信息公开"),
            ] {
                // Every line, then every third (lines skipped must not matter).
                for step in [1, 3] {
                    let mut holding = LinesHolding::new(finder);
                    for line in spans.iter().step_by(step) {
                        let contains = line.slice(text).is_some_and(|l| l.contains(word));
                        assert_eq!(holding.holds(text.as_bytes(), *line), contains, "{word} {line:?}");
                        held += usize::from(contains);
                    }
                }
            }
        }
        assert!(held >= 20, "{held}");
    }

    #[test]
    fn titles_are_single_spaced_as_split_whitespace_spaces_them() {
        let mut lines: Vec<String> = [
            "某局 2023 年　政府信息公开\t工作年度报告 ",
            "\u{A0}某局\u{2003}报告\u{85}",
            "某局2023年政府信息公开工作年度报告",
            "",
            "  ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for text in crate::fixtures::texts() {
            lines.extend(text.lines().take(40).map(str::to_string));
        }
        for l in &lines {
            assert_eq!(
                single_spaced(l),
                l.split_whitespace().collect::<Vec<_>>().join(" "),
                "{l:?}"
            );
        }
        for c in (0..=0xFFFF).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(
                single_spaced(&s),
                s.split_whitespace().collect::<Vec<_>>().join(" "),
                "{c:?}"
            );
        }
    }

    #[test]
    fn prefiltered_searches_find_what_the_patterns_find() {
        let mut texts: Vec<String> = [
            "统计期限：2023年1月1日至2023年12月31日",
            "本报告统计时间为2023年1月1日起至12月31日止。统计期限自2022年1月1日至2022年12月31日",
            "统计数据说明。统计期限 2023 年 1 月 1 日 — 2023 年 12 月 31 日",
            "发布日期：2024-01-02",
            "发布时间 2024年1月2日 成文日期：2023.12.30",
            "日期：2024-01-02 公开日期:2024/1/3",
            "ab发布日期2024.1.2",
            "统计",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        texts.extend(crate::fixtures::texts());
        let spans = |c: Option<Captures>| -> Vec<Option<(usize, usize)>> {
            c.map(|c| c.iter().map(|m| m.map(|m| (m.start(), m.end()))).collect())
                .unwrap_or_default()
        };
        let mut found = 0;
        for t in &texts {
            assert_eq!(spans(period_captures(t)), spans(PERIOD.captures(t)), "{t}");
            assert_eq!(spans(published_captures(t)), spans(PUBLISHED.captures(t)), "{t}");
            same_published(t);
            found += usize::from(PERIOD.is_match(t)) + usize::from(PUBLISHED.is_match(t));
        }
        assert!(found >= 8, "{found}");
    }
}
