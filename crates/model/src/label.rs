//! Label text normalisation: the one place that decides when two printed
//! labels are "the same words" (full-/half-width forms, spaces, bold markers,
//! quote styles) and how numbering ("一、", "（三）", "1．") is split off.

/// Fold full-width ASCII forms (digits, letters, brackets, colon, comma …) to
/// half-width and unify quote marks. Chinese characters are unchanged.
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
pub fn is_insignificant(c: char) -> bool {
    c.is_whitespace() || matches!(c, '*' | '\u{200B}' | '\u{FEFF}' | '\u{00A0}')
}

/// The comparable form of a label: width-folded, with white space and bold
/// markers removed.
pub fn normalize(label: &str) -> String {
    label
        .chars()
        .map(fold_char)
        .filter(|c| !is_insignificant(*c))
        .collect()
}

const CN_NUMERALS: &str = "一二三四五六七八九十";

/// Split a normalised label into its numbering and the rest:
/// `一、…`, `(三)…`, `1.…`, `1、…`, `1．…`, `第一，…`. Returns `("", label)`
/// when there is no numbering.
pub fn split_numbering(label: &str) -> (&str, &str) {
    let bytes_of = |n: usize| label.char_indices().nth(n).map_or(label.len(), |(i, _)| i);
    let chars: Vec<char> = label.chars().take(8).collect();
    // (一) / (1)
    if chars.first() == Some(&'(') || chars.first() == Some(&'（') {
        let digits = chars[1..]
            .iter()
            .take_while(|c| CN_NUMERALS.contains(**c) || c.is_ascii_digit())
            .count();
        if digits > 0 && matches!(chars.get(1 + digits), Some(')') | Some('）')) {
            let end = bytes_of(digits + 2);
            let end = skip_separator(label, end);
            return (&label[..end], &label[end..]);
        }
        return ("", label);
    }
    let digits = chars
        .iter()
        .take_while(|c| CN_NUMERALS.contains(**c) || c.is_ascii_digit())
        .count();
    if digits > 0 && digits < 4 {
        let all_ascii = chars[..digits].iter().all(|c| c.is_ascii_digit());
        let all_cn = chars[..digits].iter().all(|c| CN_NUMERALS.contains(*c));
        if let Some(sep) = chars.get(digits) {
            let ok = match sep {
                '、' => all_ascii || all_cn,
                '.' | '．' => all_ascii,
                _ => false,
            };
            if ok {
                let end = bytes_of(digits + 1);
                return (&label[..end], &label[end..]);
            }
        }
    }
    ("", label)
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn numbering_forms() {
        assert_eq!(split_numbering("一、本年新收"), ("一、", "本年新收"));
        assert_eq!(split_numbering("(三)不予公开"), ("(三)", "不予公开"));
        assert_eq!(split_numbering("1.属于国家秘密"), ("1.", "属于国家秘密"));
        assert_eq!(split_numbering("1、属于"), ("1、", "属于"));
        assert_eq!(split_numbering("1．属于"), ("1．", "属于"));
        assert_eq!(split_numbering("规章"), ("", "规章"));
        assert_eq!(split_numbering("2023年"), ("", "2023年"));
        assert_eq!(split_numbering("(本列数据"), ("", "(本列数据"));
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
}
