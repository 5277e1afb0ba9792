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
/// pattern is not run over a text that cannot match.
fn period_captures(text: &str) -> Option<Captures<'_>> {
    let start = STATISTICS.find(text.as_bytes())?;
    PERIOD.captures_at(text, start)
}

/// Substring searchers for the literals the period and publication date
/// need, built once.
type Finder = memchr::memmem::Finder<'static>;
static STATISTICS: LazyLock<Finder> = LazyLock::new(|| Finder::new("统计".as_bytes()));
static DATE: LazyLock<Finder> = LazyLock::new(|| Finder::new("日期".as_bytes()));
static TIME: LazyLock<Finder> = LazyLock::new(|| Finder::new("时间".as_bytes()));

/// `PUBLISHED.captures(text)`, searched from two characters before the
/// first "日期" or "时间" (every match has one of them after its first two
/// characters): the pattern is not run over a text that cannot match.
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

/// Org-name endings, to tell a body from the start of a sentence.
fn looks_like_body(s: &str) -> bool {
    s.chars().count() >= 2
        && s.chars()
            .last()
            .is_some_and(|c| "局委办心府院会所站处室厅部署区县市镇乡道司行团馆队社厂场校园".contains(c))
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
    let s = m.as_str().trim();
    if s.is_empty() {
        return None;
    }
    let lead = m.as_str().len() - m.as_str().trim_start().len();
    Some(Spanned::new(
        s.to_string(),
        Span::new(base + m.start() + lead, s.len()),
    ))
}

fn spanned_year(caps: &Captures, name: &str, base: usize) -> Option<Spanned<i32>> {
    let m = caps.name(name)?;
    let y = i32::try_from(number(m.as_str())?).ok()?;
    Some(Spanned::new(y, Span::new(base + m.start(), m.len())))
}

fn date(caps: &Captures, y: &str, m: &str, d: &str, year: Option<i32>) -> Option<Date> {
    let year = match caps.name(y) {
        Some(y) => i32::try_from(number(y.as_str())?).ok()?,
        None => year?,
    };
    let month = u8::try_from(number(caps.name(m)?.as_str())?).ok()?;
    let day = u8::try_from(number(caps.name(d)?.as_str())?).ok()?;
    Date::new(year, month, day)
}

/// Read the metadata; `head_end` is where the first section starts (the
/// title is looked for before it).
pub(crate) fn read(text: &str, head_end: usize, overview: Option<Span>) -> Metadata {
    let mut meta = Metadata::default();
    let head = text.get(..head_end).unwrap_or("");
    let head_lines: Vec<Span> = lines(head);
    let mut prev: Option<Span> = None;
    for line in &head_lines {
        let Some(s) = line.slice(text) else { continue };
        if s.trim().is_empty() {
            continue;
        }
        if s.trim_start().starts_with(['>', '＞']) || s.contains(" > ") || s.contains("首页") {
            prev = None;
            continue;
        }
        // Both title patterns need the words 信息公开.
        if !s.contains("信息公开") {
            prev = Some(*line);
            continue;
        }
        if let Some(c) = TITLE.captures(s) {
            // Without a "标题:" prefix and leading white space.
            let lead = title_prefix_len(s);
            let mut title_span = Span::from_range(line.offset + lead, line.offset + s.trim_end().len());
            let pre = spanned_str(&c, "pre", line.offset)
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
            let mid = spanned_str(&c, "mid", line.offset);
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
                if t.chars().count() > 40 || t.chars().any(|c| c.is_ascii_digit() || "。，,:：".contains(c))
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
            meta.title = Some(Spanned::new(
                title.split_whitespace().collect::<Vec<_>>().join(" "),
                title_span,
            ));
            meta.body = body;
            meta.year = spanned_year(&c, "year", line.offset);
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
    if let Some(c) = period_captures(text) {
        if let (Some(start), Some(whole)) = (date(&c, "y1", "m1", "d1", None), c.get(0)) {
            let end = date(&c, "y2", "m2", "d2", Some(start.year));
            if let Some(end) = end {
                meta.period = Some(Spanned::new(
                    Period { start, end },
                    Span::new(whole.start(), whole.len()),
                ));
            }
        }
    }
    if meta.year.is_none() {
        if let Some(p) = &meta.period {
            meta.year = Some(Spanned::new(p.value.end.year, p.span));
        }
    }
    if let Some(c) = published_captures(text) {
        if let (Some(d), Some(whole)) = (date(&c, "y", "m", "d", None), c.get(0)) {
            let start = c.name("y").map_or(whole.start(), |m| m.start());
            meta.published = Some(Spanned::new(d, Span::from_range(start, whole.end())));
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
        ] {
            assert_eq!(number(s), by_parse(s), "{s}");
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
            found += usize::from(PERIOD.is_match(t)) + usize::from(PUBLISHED.is_match(t));
        }
        assert!(found >= 8, "{found}");
    }
}
