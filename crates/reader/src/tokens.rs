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

/// Whether a line may match [`FURNITURE`], by its first character after
/// leading white space and a character the pattern then needs: most lines
/// (text, labels, table rows) are told apart without running the pattern.
fn may_start_furniture(line: &str) -> bool {
    let has_dash = || line.as_bytes().contains(&b'-') || line.contains('—');
    match line.trim_start().chars().next() {
        None => true,
        // `\d` in the pattern is any Unicode decimal digit (`is_numeric`
        // covers them): then only "2 / 5" matches.
        Some(c) if c.is_numeric() => line.as_bytes().contains(&b'/') || line.contains('／'),
        // Only a markdown table rule ("|---|---|") starts so.
        Some('|' | '｜' | ':' | '：') => has_dash(),
        // "第 2 页".
        Some('第') => line.contains('页'),
        Some(c) => matches!(
            c,
            '-' | '－'
                | '—'
                | '–'
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
        ),
    }
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

/// A line of the text and whether it is page furniture: worked out once
/// and shared by the tokenizer and the section finder.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextLine {
    pub span: Span,
    pub furniture: bool,
}

/// The lines of `text` ([`lines`]), each marked furniture or not.
pub(crate) fn text_lines(text: &str) -> Vec<TextLine> {
    lines(text)
        .into_iter()
        .map(|span| TextLine {
            span,
            furniture: span.slice(text).is_some_and(is_furniture),
        })
        .collect()
}

/// Tokenize the whole text, line by line.
#[cfg(test)]
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    tokenize_lines(text, &text_lines(text))
}

/// Tokenize the lines of `text` that are not furniture.
pub(crate) fn tokenize_lines(text: &str, lines: &[TextLine]) -> Vec<Token> {
    // About one token per eight bytes in tables; fewer in prose.
    let mut out = Vec::with_capacity(text.len() / 16);
    let mut chars = Vec::new();
    for line in lines {
        if line.furniture {
            continue;
        }
        let Some(s) = line.span.slice(text) else { continue };
        tokenize_line(s, line.span.offset, &mut out, &mut chars);
    }
    out
}

/// How the tokenizer treats a character.
#[derive(Clone, Copy, PartialEq, Eq)]
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
    if ('\u{3400}'..'\u{FEFF}').contains(&c) {
        Class::Word
    } else if is_cell_separator(c) {
        Class::Separator
    } else if is_word_gap(c) {
        Class::Gap
    } else {
        Class::Word
    }
}

/// A digit once width-folded (`fold_char(c).is_ascii_digit()`).
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// One line: cells between explicit separators (tabs, pipes), each cut into
/// words; white-space-only cells are blanks, kept only between cells with
/// content. One pass over the characters.
fn tokenize_line(line: &str, base: usize, out: &mut Vec<Token>, chars: &mut Vec<(usize, char)>) {
    // `out`'s length after the last cell with content: blanks after it are dropped.
    let mut kept = out.len();
    let mut seen_filled = false;
    let mut cell = Cell::new(0, out.len());
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // U+4000 to U+EFFF (CJK ideographs among them) are word characters
        // and no digits: told from the first byte.
        if (0xE4..=0xEE).contains(&b) {
            cell.word_char(i, '\u{4E00}');
            i += 3;
            continue;
        }
        let c = if b.is_ascii() {
            char::from(b)
        } else {
            let Some(c) = line.get(i..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            c
        };
        match class(c) {
            Class::Separator => {
                cell.end_word(line, i, base, out, chars);
                if cell.filled {
                    seen_filled = true;
                    kept = out.len();
                } else if seen_filled {
                    out.push(Token {
                        kind: Kind::Blank,
                        span: Span::new(base + cell.start, 0),
                    });
                }
                cell = Cell::new(i + c.len_utf8(), out.len());
            }
            Class::Gap => cell.end_word(line, i, base, out, chars),
            Class::Word => cell.word_char(i, c),
        }
        i += c.len_utf8();
    }
    cell.end_word(line, line.len(), base, out, chars);
    if cell.filled {
        kept = out.len();
    }
    out.truncate(kept);
}

/// The cell being cut into words by [`tokenize_line`].
struct Cell {
    /// Offset of the cell in the line.
    start: usize,
    /// `out`'s length when the cell started.
    first_token: usize,
    filled: bool,
    /// The word being read: its start, whether it has a digit, whether it
    /// is all ASCII digits.
    word: Option<(usize, bool, bool)>,
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

    fn word_char(&mut self, i: usize, c: char) {
        let digit = is_digit(c);
        match &mut self.word {
            Some((_, has_digit, all_ascii_digits)) => {
                *has_digit |= digit;
                *all_ascii_digits &= c.is_ascii_digit();
            }
            None => self.word = Some((i, digit, c.is_ascii_digit())),
        }
    }

    /// The word (if any) ends at `end`: its tokens go to `out`.
    fn end_word(
        &mut self,
        line: &str,
        end: usize,
        base: usize,
        out: &mut Vec<Token>,
        chars: &mut Vec<(usize, char)>,
    ) {
        let Some((ws, has_digit, all_ascii_digits)) = self.word.take() else {
            return;
        };
        self.filled = true;
        let word = line.get(ws..end).unwrap_or("");
        // "2023 年…", "0 元": a number followed, after one space, by a unit
        // belongs to the words.
        let glued_unit = self
            .prev_word_end
            .is_some_and(|pe| ws - pe == 1 && line.get(pe..ws) == Some(" "))
            && word.chars().next().map(fold_char).is_some_and(is_unit);
        let before = out.len();
        let whole = |kind| Token {
            kind,
            span: Span::new(base + ws, word.len()),
        };
        // Most words are all text or all ASCII digits: one token, no cutting.
        if all_ascii_digits {
            out.push(whole(Kind::Number));
        } else if !has_digit {
            out.push(whole(Kind::Text));
        } else {
            split_word(word, base + ws, out, chars);
        }
        if glued_unit && before > self.first_token {
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
        self.prev_word_end = Some(end);
    }
}

/// Cut one word with digits and other characters into text and number
/// tokens. A digit run is a number unless it is part of the words: followed
/// by a unit ("2023年"), next to Latin letters ("5G"), after 第, in brackets
/// ("(1)"), or a numbering ("1.属于" — when digits ran into a numbering,
/// "00000002.其他", only the last digit numbers the label). `chars` is a
/// buffer reused between words.
fn split_word(word: &str, base: usize, out: &mut Vec<Token>, chars: &mut Vec<(usize, char)>) {
    chars.clear();
    chars.extend(word.char_indices().map(|(i, c)| (i, fold_char(c))));
    let chars = &chars[..];
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
    fn furniture_prefilter_agrees_with_the_pattern() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");
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
            "：——",
            "——",
            "| 行政许可 | 550 |",
            "第二十条第（一）项",
            "2023年",
            "12",
            "- 3",
            "信息内容",
            "  \u{3000}- 7 -",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().extension().is_some_and(|x| x == "txt") {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                lines.extend(text.lines().map(str::to_string));
            }
        }
        assert!(lines.len() > 1000);
        assert!(lines.iter().filter(|l| is_furniture(l)).count() >= 15);
        for l in &lines {
            assert_eq!(is_furniture(l), l.len() <= 600 && FURNITURE.is_match(l), "{l:?}");
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
