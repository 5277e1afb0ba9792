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
    /// An empty cell between two explicit separators (tab or pipe) of a line
    /// that has content on both sides. Empty span at the cell's place.
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
    // A whole page run together on one line is not furniture, whatever it starts with.
    line.len() <= 600 && may_start_furniture(line) && FURNITURE.is_match(line)
}

/// Whether the first character after leading white space is one a
/// [`FURNITURE`] line can start with: most lines (text, labels) start with
/// none of them, and are told apart without running the pattern.
fn may_start_furniture(line: &str) -> bool {
    line.trim_start().chars().next().is_none_or(|c| {
        // `\d` in the pattern is any Unicode decimal digit: `is_numeric` covers them.
        c.is_numeric()
            || matches!(
                c,
                '-' | '－'
                    | '—'
                    | '–'
                    | '第'
                    | '首'
                    | '当'
                    | '您'
                    | '>'
                    | '＞'
                    | '发'
                    | '浏'
                    | '信'
                    | '来'
                    | '字'
                    | '【'
                    | '图'
                    | '|'
                    | '｜'
                    | ':'
                    | '：'
            )
    })
}

/// Lines of `text` as byte spans, without the line break (`\n` or `\r\n`).
pub(crate) fn lines(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        let end = if i > start && text.as_bytes().get(i - 1) == Some(&b'\r') {
            i - 1
        } else {
            i
        };
        out.push(Span::from_range(start, end));
        start = i + 1;
    }
    if start < text.len() {
        out.push(Span::from_range(start, text.len()));
    }
    out
}

fn is_cell_separator(c: char) -> bool {
    matches!(c, '\t' | '|' | '｜')
}

/// Characters that separate words without being a cell boundary.
fn is_word_gap(c: char) -> bool {
    c.is_whitespace() || matches!(c, '*' | '\u{200B}' | '\u{FEFF}' | '\u{00A0}' | '\u{3000}')
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

/// Tokenize the whole text, line by line.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for line in lines(text) {
        let Some(s) = line.slice(text) else { continue };
        if s.trim().is_empty() || is_furniture(s) {
            continue;
        }
        tokenize_line(s, line.offset, &mut out);
    }
    out
}

fn tokenize_line(line: &str, base: usize, out: &mut Vec<Token>) {
    // Cells between explicit separators, with their start offsets;
    // whitespace-only cells are blanks, kept only between cells with content.
    let mut cells: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for (i, c) in line.char_indices() {
        if is_cell_separator(c) {
            cells.push((start, &line[start..i]));
            start = i + c.len_utf8();
        }
    }
    cells.push((start, &line[start..]));
    let filled = |cell: &&(usize, &str)| !cell.1.chars().all(is_word_gap);
    let first = cells.iter().position(|c| filled(&c));
    let last = cells.iter().rposition(|c| filled(&c));
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    for cell in cells.iter().take(last + 1).skip(first) {
        if filled(&cell) {
            tokenize_cell(cell.1, base + cell.0, out);
        } else {
            out.push(Token {
                kind: Kind::Blank,
                span: Span::new(base + cell.0, 0),
            });
        }
    }
}

/// One cell: words separated by white space (or `**`), each cut into text
/// and numbers.
fn tokenize_cell(cell: &str, base: usize, out: &mut Vec<Token>) {
    let first_new = out.len();
    let mut word_start: Option<usize> = None;
    let mut prev_word_end: Option<usize> = None;
    let flush = |ws: usize, we: usize, prev_end: Option<usize>, out: &mut Vec<Token>| {
        let word = &cell[ws..we];
        // "2023 年…", "0 元": a number followed, after one space, by a unit
        // belongs to the words.
        let glued_unit = prev_end.is_some_and(|pe| ws - pe == 1 && cell[pe..ws] == *" ")
            && word.chars().next().map(fold_char).is_some_and(is_unit);
        let before = out.len();
        split_word(word, base + ws, out);
        if glued_unit && before > first_new {
            if let (Some(prev), Some(next)) = (out.get(before - 1).copied(), out.get(before).copied()) {
                if prev.kind == Kind::Number && next.kind == Kind::Text {
                    out[before - 1] = Token {
                        kind: Kind::Text,
                        span: prev.span.cover(next.span),
                    };
                    out.remove(before);
                }
            }
        }
    };
    for (i, c) in cell.char_indices() {
        if is_word_gap(c) {
            if let Some(ws) = word_start.take() {
                flush(ws, i, prev_word_end, out);
                prev_word_end = Some(i);
            }
        } else if word_start.is_none() {
            word_start = Some(i);
        }
    }
    if let Some(ws) = word_start {
        flush(ws, cell.len(), prev_word_end, out);
    }
}

/// Cut one word into text and number tokens. A digit run is a number unless
/// it is part of the words: followed by a unit ("2023年"), next to Latin
/// letters ("5G"), after 第, in brackets ("(1)"), or a numbering ("1.属于" —
/// when digits ran into a numbering, "00000002.其他", only the last digit
/// numbers the label).
fn split_word(word: &str, base: usize, out: &mut Vec<Token>) {
    // Most words are all text or all ASCII digits: one token, no cutting.
    let whole = |kind| Token {
        kind,
        span: Span::new(base, word.len()),
    };
    if word.bytes().all(|b| b.is_ascii_digit()) {
        if !word.is_empty() {
            out.push(whole(Kind::Number));
        }
        return;
    }
    if !word.chars().any(|c| fold_char(c).is_ascii_digit()) {
        out.push(whole(Kind::Text));
        return;
    }
    let chars: Vec<(usize, char)> = word.char_indices().map(|(i, c)| (i, fold_char(c))).collect();
    let n = chars.len();
    let byte_at = |k: usize| chars.get(k).map_or(word.len(), |&(i, _)| i);
    let ch = |k: usize| chars.get(k).map(|&(_, c)| c);
    let is_digit = |k: usize| ch(k).is_some_and(|c| c.is_ascii_digit());
    let mut pieces: Vec<(Kind, usize, usize)> = Vec::new(); // char ranges
    let mut k = 0;
    let mut text_start = 0;
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
            // The last digit numbers the following label.
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
                pieces.push((Kind::Text, text_start, a));
            }
            pieces.push((Kind::Number, a, number_end));
            text_start = number_end;
        }
        k = b.max(a + 1);
    }
    if text_start < n {
        pieces.push((Kind::Text, text_start, n));
    }
    for (kind, a, b) in pieces {
        out.push(Token {
            kind,
            span: Span::from_range(base + byte_at(a), base + byte_at(b)),
        });
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
        assert_eq!(
            toks("| 行政许可 | 550 |  |  |"),
            [(Text, "行政许可"), (Number, "550")]
        );
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
