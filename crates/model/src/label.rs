//! Label text normalisation: the one place that decides when two printed
//! labels are "the same words" (full-/half-width forms, spaces, bold markers,
//! quote styles), how numbering ("一、", "（三）", "1．") is split off, and how
//! printed text relates to a template label ([`label_match`]: exact, a
//! variant, a fragment, or so many edits away, [`max_distance`] of them
//! tolerated) — for the reader and for the reports rule tests build alike.

use crate::{LabelMatch, FORMATS};
use std::sync::LazyLock;

/// Fold full-width ASCII forms (digits, letters, brackets, colon, comma …) to
/// half-width and unify quote marks. Chinese characters are unchanged.
#[inline]
pub fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '“' | '”' | '„' | '«' | '»' => '"',
        '‘' | '’' => '\'',
        '〔' | '【' => '[',
        '〕' | '】' => ']',
        _ => c,
    }
}

/// Characters that carry no wording: white space, markdown emphasis, and the
/// invisible characters web pages leave behind.
#[inline]
pub fn is_insignificant(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, ' ' | '\t'..='\r' | '*')
    } else if ('\u{3400}'..'\u{FEFF}').contains(&c) {
        // CJK ideographs and punctuation: no white space lies in this range,
        // told without the Unicode tables `is_whitespace` looks in.
        false
    } else {
        c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{00A0}')
    }
}

/// The comparable form of a label: width-folded, with white space and bold
/// markers removed.
pub fn normalize(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    normalize_into(label, &mut out);
    out
}

/// [`normalize`], appending to `out` (for callers that reuse a buffer).
///
/// Readers normalise every line they compare with a label, so the runs of
/// characters normalisation leaves as they are (most of any Chinese text)
/// are copied whole rather than character by character, and CJK
/// ideographs and ASCII are told from their first byte.
pub fn normalize_into(label: &str, out: &mut String) {
    let bytes = label.as_bytes();
    // Start of the run of unchanged characters not yet copied.
    let mut run = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let len = match b {
            // U+4000 to U+EFFF (CJK ideographs among them): kept.
            0xE4..=0xEE => 3,
            // ASCII is never folded; white space and `*` are dropped.
            0..=0x7F => {
                if is_insignificant(char::from(b)) {
                    out.push_str(label.get(run..i).unwrap_or_default());
                    run = i + 1;
                }
                1
            }
            _ => {
                let Some(c) = label.get(i..).and_then(|rest| rest.chars().next()) else {
                    break;
                };
                let f = fold_char(c);
                if f != c || is_insignificant(c) {
                    out.push_str(label.get(run..i).unwrap_or_default());
                    if !is_insignificant(f) {
                        out.push(f);
                    }
                    run = i + c.len_utf8();
                }
                c.len_utf8()
            }
        };
        i += len;
    }
    out.push_str(label.get(run..).unwrap_or_default());
}

/// Whether [`normalize`]`(label)` has at least `n` characters, counted
/// without building it and only as far as needed (readers ask this of
/// whole paragraphs).
pub fn normalized_len_at_least(label: &str, n: usize) -> bool {
    let bytes = label.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while count < n {
        let Some(&b) = bytes.get(i) else { break };
        match b {
            // U+4000 to U+EFFF (CJK ideographs among them): kept.
            0xE4..=0xEE => {
                count += 1;
                i += 3;
            }
            0..=0x7F => {
                count += usize::from(!is_insignificant(char::from(b)));
                i += 1;
            }
            _ => {
                let Some(c) = label.get(i..).and_then(|rest| rest.chars().next()) else {
                    break;
                };
                count += usize::from(!is_insignificant(fold_char(c)));
                i += c.len_utf8();
            }
        }
    }
    count >= n
}

/// Chinese numerals used in numbering ("一" … "十").
fn is_cn_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// A normalised piece that is an ordinal's opening half, its closing
/// bracket wrapped onto a later line of a narrow cell ("（七" of
/// "（七）总计"): a numbered label starts there, though
/// [`split_numbering`] finds no numbering in it.
pub fn cut_ordinal(piece: &str) -> bool {
    let mut chars = piece.chars();
    let opens = matches!(chars.next(), Some('(' | '（'));
    let numerals = chars.clone().count();
    opens && (1..=3).contains(&numerals) && chars.all(is_cn_numeral)
}

/// Split a normalised label into its numbering and the rest:
/// `一、…`, `(三)…`, `1.…`, `1、…`, `1．…`, `第一，…`. Returns `("", label)`
/// when there is no numbering.
///
/// Called for every candidate label while reading, so it walks the
/// characters once and allocates nothing.
pub fn split_numbering(label: &str) -> (&str, &str) {
    let mut chars = label.char_indices();
    let Some((_, first)) = chars.next() else {
        return ("", label);
    };
    // (一) / (1): at most six numerals, so the closing bracket is among the
    // first eight characters.
    if first == '(' || first == '（' {
        let mut digits = 0;
        for (i, c) in chars {
            if digits == 7 {
                break;
            }
            if is_cn_numeral(c) || c.is_ascii_digit() {
                digits += 1;
                continue;
            }
            if digits > 0 && (c == ')' || c == '）') {
                let end = skip_separator(label, i + c.len_utf8());
                return (&label[..end], &label[end..]);
            }
            break;
        }
        return ("", label);
    }
    // 一、 / 1、 / 1. / 1．: one to three numerals of one kind, then the separator.
    let mut digits = 0;
    let (mut all_ascii, mut all_cn) = (true, true);
    for (i, c) in label.char_indices() {
        if is_cn_numeral(c) {
            all_ascii = false;
        } else if c.is_ascii_digit() {
            all_cn = false;
        } else {
            if digits == 0 {
                break;
            }
            let ok = match c {
                '、' => all_ascii || all_cn,
                '.' | '．' => all_ascii,
                _ => false,
            };
            if ok {
                let end = i + c.len_utf8();
                return (&label[..end], &label[end..]);
            }
            break;
        }
        digits += 1;
        if digits >= 4 {
            break;
        }
    }
    ("", label)
}

/// The characters of [`normalize`]`(label)`, without building the string.
fn normalized_chars(label: &str) -> impl DoubleEndedIterator<Item = char> + Clone + '_ {
    label.chars().map(fold_char).filter(|c| !is_insignificant(*c))
}

/// `normalize(label) == norm`, without allocating (stops at the first
/// difference).
pub fn normalized_eq(label: &str, norm: &str) -> bool {
    normalized_chars(label).eq(norm.chars())
}

/// `split_numbering(&normalize(label)).1 == bare`, without allocating:
/// readers compare printed text with every template label and variant.
pub fn bare_eq(label: &str, bare: &str) -> bool {
    // Cheap rejection first: the bare text ends the normalised label.
    let mut tail = normalized_chars(label).rev();
    if !bare.chars().rev().all(|b| tail.next() == Some(b)) {
        return false;
    }
    // Numbering is decided by the first nine characters at most ("(" six
    // numerals ")" and a separator), so split a normalised head of that size.
    let mut head = [0u8; 9 * 4];
    let mut len = 0;
    let chars = normalized_chars(label);
    for c in chars.clone().take(9) {
        let Some(slot) = head.get_mut(len..len + c.len_utf8()) else {
            break;
        };
        len += c.encode_utf8(slot).len();
    }
    let numbering_chars = match std::str::from_utf8(head.get(..len).unwrap_or_default()) {
        Ok(head) => split_numbering(head).0.chars().count(),
        Err(_) => 0,
    };
    chars.skip(numbering_chars).eq(bare.chars())
}

fn skip_separator(label: &str, end: usize) -> usize {
    match label[end..].chars().next() {
        Some(c @ ('、' | '.' | '．')) => end + c.len_utf8(),
        _ => end,
    }
}

/// Edit distance in characters (for approximate label matches and
/// "did you mean" suggestions).
pub fn distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// Longest label [`distance_within`] compares on the stack; longer ones go
/// to [`distance`].
const WITHIN_STACK: usize = 128;

/// [`distance`] when it is at most `max`, else `None`: the same figure, but
/// allocation-free for labels and stopping as soon as `max` is exceeded
/// (readers compare every candidate with many template labels this way).
pub fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let mut b_chars = ['\0'; WITHIN_STACK];
    let mut b_len = 0;
    for c in b.chars() {
        let Some(slot) = b_chars.get_mut(b_len) else {
            let d = distance(a, b);
            return (d <= max).then_some(d);
        };
        *slot = c;
        b_len += 1;
    }
    let b_chars = &b_chars[..b_len];
    // row[j]: edits between the part of `a` seen so far and b[..j].
    let mut row = [0usize; WITHIN_STACK + 1];
    for (j, r) in row.iter_mut().enumerate() {
        *r = j;
    }
    let row = &mut row[..=b_len];
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = i;
        let mut left = i + 1;
        let mut row_min = left;
        for (j, &cb) in b_chars.iter().enumerate() {
            let up = row[j + 1];
            let value = (diagonal + usize::from(ca != cb)).min(up + 1).min(left + 1);
            row[j] = left;
            diagonal = up;
            left = value;
            row_min = row_min.min(value);
        }
        row[b_len] = left;
        // A row's minimum never decreases further down.
        if row_min > max {
            return None;
        }
    }
    let d = row[b_len];
    (d <= max).then_some(d)
}

/// The most similar candidate within `max_distance` edits, if any; ties go to
/// the earlier candidate.
pub fn closest<'c, I>(word: &str, candidates: I, max_distance: usize) -> Option<(&'c str, usize)>
where
    I: IntoIterator<Item = &'c str>,
{
    let mut best: Option<(&str, usize)> = None;
    for c in candidates {
        let d = distance(word, c);
        if d <= max_distance && best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
    }
    best
}

/// Whether `printed` is only a piece of `wording` (both normalised, numbering
/// removed): its start or its end, shorter than it. A label wrapped over
/// lines loses its rest to the next cell or line in many exports (PDF text,
/// narrow columns), so a label that stops short, or starts late, says
/// nothing about how the report words it: it is not a typo of it.
pub fn is_fragment(printed: &str, wording: &str) -> bool {
    !printed.is_empty()
        && printed.len() < wording.len()
        && (wording.starts_with(printed) || wording.ends_with(printed))
}

/// Edits tolerated in a label of `chars` characters: none in short labels
/// (where one edit makes another word), about one in four in longer ones,
/// and never more than five (beyond that it is another text run into it).
pub fn max_distance(chars: usize) -> usize {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        n => (n / 4).min(5),
    }
}

/// The bare form (normalised, numbering removed) of every label and variant
/// of both templates: compared with printed text for every label read, so
/// worked out once. Keyed by where the template's text lies (address and
/// length), which identifies it without hashing or comparing its bytes.
static BARE: LazyLock<foldhash::HashMap<(usize, usize), String>> = LazyLock::new(|| {
    FORMATS
        .iter()
        .flat_map(|&format| crate::template(format).wordings())
        .map(|l| (text_key(l), split_numbering(&normalize(l)).1.to_string()))
        .collect()
});

/// Where a text lies: the same key is the same text.
fn text_key(s: &str) -> (usize, usize) {
    (s.as_ptr() as usize, s.len())
}

/// The bare form of a template label or variant (what [`bare_is`] compares
/// with); `None` for any other text.
pub fn template_bare(label: &str) -> Option<&'static str> {
    BARE.get(&text_key(label)).map(String::as_str)
}

/// Whether `label`'s bare form is `bare` (as [`bare_eq`]): looked up for
/// template labels, worked out for any other text.
pub fn bare_is(label: &str, bare: &str) -> bool {
    match BARE.get(&text_key(label)) {
        Some(b) => b == bare,
        None => bare_eq(label, bare),
    }
}

/// How printed text (normalised, numbering removed) relates to a template
/// label and its variants.
pub fn label_match(printed: &str, official: &str, variants: &[&str]) -> LabelMatch {
    if bare_is(official, printed) {
        return LabelMatch::Exact;
    }
    if let Some(v) = variants.iter().find(|v| bare_is(v, printed)) {
        return LabelMatch::Variant {
            variant: (*v).to_string(),
        };
    }
    let off = normalize(official);
    let wording = split_numbering(&off).1;
    if is_fragment(printed, wording) {
        return LabelMatch::Fragment;
    }
    LabelMatch::Approximate {
        distance: distance(printed, wording),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinal_cut_before_its_bracket_starts_a_label() {
        assert!(cut_ordinal(&normalize("（七")));
        assert!(cut_ordinal("(十二"));
        assert!(!cut_ordinal("(七)总计"));
        assert!(!cut_ordinal("(七总"));
        assert!(!cut_ordinal("("));
        assert!(!cut_ordinal("七"));
    }

    #[test]
    fn normalize_folds_width_and_drops_spaces() {
        assert_eq!(normalize("（二） 部分公开 **"), "(二)部分公开");
        assert_eq!(normalize("商业 企业"), "商业企业");
        assert_eq!(
            normalize("本年收费金额(单位:万元)"),
            normalize("本年收费金额（单位：万元）")
        );
        assert_eq!(normalize("１２３"), "123");
    }

    #[test]
    fn normalize_into_agrees_with_char_by_char() {
        let texts = [
            "（二） 部分公开 **",
            "本年收费金额(单位:万元)\u{200B}\u{FEFF}\u{00A0}x",
            "“引号”‘单’〔括〕【号】　全角空格１２３ＡＢＣ",
            "\t\n 混合 text 𠀀 end*",
            "",
        ];
        for t in texts {
            let expected: String = t
                .chars()
                .map(fold_char)
                .filter(|c| !is_insignificant(*c))
                .collect();
            let mut out = String::from("前缀");
            normalize_into(t, &mut out);
            assert_eq!(out, format!("前缀{expected}"), "{t}");
        }
    }

    #[test]
    fn insignificant_characters_are_white_space_and_markers() {
        for n in 0..=0x10FFFF_u32 {
            if let Some(c) = char::from_u32(n) {
                let expected = c.is_whitespace() || matches!(c, '*' | '\u{200B}' | '\u{FEFF}' | '\u{00A0}');
                assert_eq!(is_insignificant(c), expected, "{n:#x}");
            }
        }
    }

    #[test]
    fn normalized_len_at_least_counts_the_normalised_characters() {
        let texts = [
            "（二） 部分公开 **",
            "本年收费金额(单位:万元)\u{200B}\u{FEFF}\u{00A0}x",
            "“引号”‘单’〔括〕【号】　全角空格１２３ＡＢＣ",
            "\t\n 混合 text 𠀀 end*",
            "   ",
            "",
        ];
        for t in texts {
            let len = normalize(t).chars().count();
            for n in 0..len + 3 {
                assert_eq!(normalized_len_at_least(t, n), len >= n, "{t} {n}");
            }
        }
    }

    #[test]
    fn numbering_forms() {
        assert_eq!(split_numbering("一、本年新收"), ("一、", "本年新收"));
        assert_eq!(split_numbering("(三)不予公开"), ("(三)", "不予公开"));
        assert_eq!(split_numbering("1.属于国家秘密"), ("1.", "属于国家秘密"));
        assert_eq!(split_numbering("1、属于"), ("1、", "属于"));
        assert_eq!(split_numbering("1．属于"), ("1．", "属于"));
        assert_eq!(split_numbering("规章"), ("", "规章"));
        assert_eq!(split_numbering("2023年"), ("", "2023年"));
        assert_eq!(split_numbering("(本列数据"), ("", "(本列数据"));
        assert_eq!(split_numbering("(一)、公开"), ("(一)、", "公开"));
        assert_eq!(split_numbering("（十二）其他"), ("（十二）", "其他"));
        assert_eq!(split_numbering("(123456)x"), ("(123456)", "x"));
        assert_eq!(split_numbering("(1234567)x"), ("", "(1234567)x"));
        assert_eq!(split_numbering("123.x"), ("123.", "x"));
        assert_eq!(split_numbering("1234.x"), ("", "1234.x"));
        assert_eq!(split_numbering("一1、x"), ("", "一1、x"));
        assert_eq!(split_numbering("一.x"), ("", "一.x"));
        assert_eq!(split_numbering("十、"), ("十、", ""));
        assert_eq!(split_numbering("()"), ("", "()"));
        assert_eq!(split_numbering(""), ("", ""));
    }

    #[test]
    fn distance_within_agrees_with_distance() {
        let words = [
            "",
            "属于国家秘密",
            "属于国家秘",
            "其他法律行政法规禁止公开",
            "其他法律行政止公开",
            "abc",
            "acb",
            "kitten",
            "sitting",
        ];
        for a in words {
            for b in words {
                let d = distance(a, b);
                for max in 0..8 {
                    assert_eq!(
                        distance_within(a, b, max),
                        (d <= max).then_some(d),
                        "{a} {b} {max}"
                    );
                }
            }
        }
        let long = "长".repeat(200);
        let longer = "长".repeat(202);
        assert_eq!(distance_within(&long, &longer, 2), Some(2));
        assert_eq!(distance_within(&long, &longer, 1), None);
    }

    #[test]
    fn bare_eq_and_normalized_eq_agree_with_normalize() {
        let labels = [
            "（二） 部分公开 **",
            "(二)部分公开",
            "部分公开",
            "1．属于国家秘密",
            "1.属于国家秘密",
            "（一二三四五六）、x",
            "（一二三四五六七）x",
            "一、 本年新收",
            "本年新收",
            "１２３",
            "",
        ];
        for l in labels {
            for other in labels {
                let n = normalize(other);
                assert_eq!(normalized_eq(l, &n), normalize(l) == n, "{l} {other}");
                let bare = split_numbering(&n).1;
                assert_eq!(
                    bare_eq(l, bare),
                    split_numbering(&normalize(l)).1 == bare,
                    "{l} {other}"
                );
            }
        }
    }

    #[test]
    fn closest_prefers_smallest_distance() {
        let c = closest(
            "其他法律行政止公开",
            ["属于国家秘密", "其他法律行政法规禁止公开"],
            4,
        );
        assert_eq!(c, Some(("其他法律行政法规禁止公开", 3)));
    }

    #[test]
    fn bare_is_agrees_with_bare_eq_for_template_labels_and_copies() {
        let labels: Vec<&'static str> = FORMATS
            .iter()
            .flat_map(|f| &crate::template(*f).tables)
            .flat_map(|t| {
                t.rows
                    .iter()
                    .flat_map(|r| std::iter::once(r.label).chain(r.variants.iter().copied()))
                    .chain(t.columns.iter().map(|c| c.label))
            })
            .collect();
        assert!(labels.len() > 50);
        for l in &labels {
            // A copy lies elsewhere: worked out rather than looked up.
            let copy = l.to_string();
            for other in &labels {
                let bare = split_numbering(&normalize(other)).1.to_string();
                let expected = bare_eq(l, &bare);
                assert_eq!(bare_is(l, &bare), expected, "{l} {other}");
                assert_eq!(bare_is(&copy, &bare), expected, "{l} {other}");
            }
        }
    }
}
