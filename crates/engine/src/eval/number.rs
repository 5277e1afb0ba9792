//! `number(text, pattern)`: the number a pattern's first matching group
//! captures in a text.
//!
//! Run for every narrative fact of every report, so a search allocates
//! nothing: the capture slots are kept per thread and pattern, and the
//! digits are read into a decimal directly (the general parse is the
//! fallback for shapes it does not take).

use super::Num;
use nianbao_model::label::fold_char;
use nianbao_model::Decimal;
use nianbao_rules::ast::Pattern;
use std::cell::RefCell;

/// How many patterns' capture slots a thread keeps (a rule set has a few;
/// past this the oldest are dropped, which costs only an allocation).
const KEPT: usize = 32;

thread_local! {
    /// Capture slots by the address of the regex they were made for.
    static LOCATIONS: RefCell<Vec<(usize, regex::CaptureLocations)>> = const { RefCell::new(Vec::new()) };
}

/// The number a pattern's first matching group captures in `text`, with
/// the group's offset in `text` and its text (`None`: no match).
pub(super) fn number_in<'t>(text: &'t str, p: &Pattern) -> Option<(Num, usize, &'t str)> {
    if p.cannot_match(text) {
        return None;
    }
    let (start, end) = first_group(text, &p.regex)?;
    let matched = text.get(start..end)?;
    let value = digits_value(matched)?;
    Some((
        Num {
            decimals: Some(value.scale()),
            value,
        },
        start,
        matched,
    ))
}

/// The span of the first group that takes part in the first match of
/// `regex` in `text` (leftmost-first, as [`regex::Regex::captures`] gives
/// matches) in which a group takes part: a pattern may make its number
/// optional on either side of a phrase, `(?:(\d+)件)?予以公开(?:(\d+)件)?`,
/// so that the phrase is the literal the search looks for.
fn first_group(text: &str, regex: &regex::Regex) -> Option<(usize, usize)> {
    let key = std::ptr::from_ref(regex) as usize;
    let search = |locs: &mut regex::CaptureLocations| {
        let mut at = 0;
        while at <= text.len() {
            let whole = regex.captures_read_at(locs, text, at)?;
            if let Some(group) = (1..locs.len()).find_map(|i| locs.get(i)) {
                return Some(group);
            }
            // On past this match (past one character, if it is empty).
            at = match whole.end() > whole.start() {
                true => whole.end(),
                false => text[whole.end()..]
                    .chars()
                    .next()
                    .map_or(text.len() + 1, |c| whole.end() + c.len_utf8()),
            };
        }
        None
    };
    LOCATIONS
        .try_with(|kept| {
            let Ok(mut kept) = kept.try_borrow_mut() else {
                return search(&mut regex.capture_locations());
            };
            // Slots made for this regex (the same number of groups: an
            // address reused by another regex must not be read wrongly).
            let at = kept
                .iter()
                .position(|(k, locs)| *k == key && locs.len() == regex.captures_len());
            let at = match at {
                Some(at) => at,
                None => {
                    if kept.len() >= KEPT {
                        kept.remove(0);
                    }
                    kept.push((key, regex.capture_locations()));
                    kept.len() - 1
                }
            };
            match kept.get_mut(at) {
                Some((_, locs)) => search(locs),
                None => search(&mut regex.capture_locations()),
            }
        })
        .unwrap_or_else(|_| search(&mut regex.capture_locations()))
}

/// The decimal the digits (and decimal point) of `matched` spell, other
/// characters dropped, full-width digits read as ASCII ones; a count
/// written in Chinese numerals (十二, 一百零三, 两) when it has no digits.
fn digits_value(matched: &str) -> Option<Decimal> {
    direct_value(matched)
        .or_else(|| parsed_value(matched))
        .or_else(|| chinese_value(matched))
}

/// The value of a Chinese numeral digit.
fn chinese_digit(c: char) -> Option<i64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// A whole number written in Chinese numerals: with units (十二, 一百零三,
/// 两千零五十, 三万二千) or digit by digit (二〇二三). `None` when
/// `matched` holds anything else, or nothing.
fn chinese_value(matched: &str) -> Option<Decimal> {
    let numeral = matched.trim();
    if numeral.is_empty() {
        return None;
    }
    let has_units = numeral.chars().any(|c| "十拾百佰千仟万".contains(c));
    if !has_units {
        // Digit by digit.
        let mut value: i64 = 0;
        for c in numeral.chars() {
            value = value.checked_mul(10)?.checked_add(chinese_digit(c)?)?;
        }
        return Some(Decimal::from(value));
    }
    // `total`: the ten-thousands done; `section`: below ten thousand so
    // far; `digit`: the digit waiting for its unit.
    let (mut total, mut section, mut digit): (i64, i64, Option<i64>) = (0, 0, None);
    for c in numeral.chars() {
        if let Some(d) = chinese_digit(c) {
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' | '拾' => 10,
            '百' | '佰' => 100,
            '千' | '仟' => 1000,
            '万' => {
                total = total.checked_add(
                    section
                        .checked_add(digit.take().unwrap_or(0))?
                        .checked_mul(10_000)?,
                )?;
                section = 0;
                continue;
            }
            _ => return None,
        };
        // "十二": a unit with no digit before it counts once.
        section = section.checked_add(digit.take().unwrap_or(1).checked_mul(unit)?)?;
    }
    let value = total.checked_add(section)?.checked_add(digit.unwrap_or(0))?;
    Some(Decimal::from(value))
}

/// The general reading: the kept characters parsed as a decimal.
fn parsed_value(matched: &str) -> Option<Decimal> {
    let digits: String = matched
        .chars()
        .map(fold_char)
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().ok()
}

/// [`parsed_value`] without a string, for the common shape: up to 18
/// digits with at most one point between two of them (`None`: another
/// shape, which the parse decides).
fn direct_value(matched: &str) -> Option<Decimal> {
    let mut mantissa: i64 = 0;
    let mut digits = 0u32;
    // Digits after the point; `None`: no point yet.
    let mut fraction: Option<u32> = None;
    for c in matched.chars().map(fold_char) {
        if let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
            digits += 1;
            if digits > 18 {
                return None;
            }
            mantissa = mantissa * 10 + i64::from(d);
            if let Some(f) = fraction.as_mut() {
                *f += 1;
            }
        } else if c == '.' {
            if fraction.is_some() || digits == 0 {
                return None;
            }
            fraction = Some(0);
        }
    }
    match fraction {
        _ if digits == 0 => None,
        Some(0) => None,
        Some(scale) => Some(Decimal::new(mantissa, scale)),
        None => Some(Decimal::new(mantissa, 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(a: Option<Decimal>, b: Option<Decimal>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a == b && a.scale() == b.scale() && a.to_string() == b.to_string(),
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn chinese_numerals_are_read() {
        for (text, want) in [
            ("十二", 12),
            ("一百零三", 103),
            ("两", 2),
            ("十", 10),
            ("二十", 20),
            ("一百一十", 110),
            ("两千零五十", 2050),
            ("三万二千", 32000),
            ("二〇二三", 2023),
            ("零", 0),
            ("壹佰贰拾", 120),
        ] {
            assert_eq!(digits_value(text), Some(Decimal::from(want)), "{text}");
        }
        for text in ["", "件", "十二件", "百分之五"] {
            assert_eq!(chinese_value(text), None, "{text}");
        }
        // Digits win: a numeral is read only where there are none.
        assert_eq!(digits_value("12"), Some(Decimal::from(12)));
    }

    /// Reading the digits directly gives what parsing them gives, or declines.
    #[test]
    fn direct_reading_agrees_with_the_parse() {
        for s in [
            "0",
            "8",
            "007",
            "12",
            "１２",
            "３",
            "1.5",
            "1.50",
            "0.0",
            "12.",
            ".5",
            "1.2.3",
            "１２．５",
            "元",
            "",
            "123456789012345678",
            "1234567890123456789",
            "99999999999999999999999999999",
            "1,234",
            "12 件",
            "0.000000000000000001",
        ] {
            let direct = direct_value(s);
            assert!(direct.is_none() || same(direct, parsed_value(s)), "{s:?}");
            assert!(same(digits_value(s), parsed_value(s)), "{s:?}");
        }
        assert!(direct_value("1.50").is_some_and(|d| d.scale() == 2));
    }

    proptest! {
        #[test]
        fn direct_reading_agrees_on_any_text(s in "[0-9０-９.．,a件 ]{0,24}") {
            prop_assert!(same(digits_value(&s), parsed_value(&s)), "{:?}", s);
        }
    }

    /// The group found with kept slots is the one `captures` finds, for
    /// several patterns searched in turn on one thread.
    #[test]
    fn kept_slots_find_what_captures_finds() {
        let patterns = [
            r"(?:收到|受理)[^。；0-9０-９]{0,12}?申请[^。；0-9０-９]{0,8}?([0-9０-９]+)\s*(?:件|个)",
            r"((?:19|20)[0-9]{2})\s*年",
            r"(a)|(b)(c)?",
        ]
        .map(|p| regex::Regex::new(p).expect("pattern"));
        let texts = [
            "本年度共收到政府信息公开申请12件，受理申请３件。",
            "某局2023年度报告",
            "xxbcxa",
            "无",
        ];
        for _ in 0..2 {
            for r in &patterns {
                for t in texts {
                    let expected = r
                        .captures(t)
                        .and_then(|c| (1..c.len()).find_map(|i| c.get(i)))
                        .map(|m| (m.start(), m.end()));
                    assert_eq!(first_group(t, r), expected, "{r} on {t}");
                }
            }
        }
    }
}
