//! Year over year: how much of a report's narrative repeats last year's.
//!
//! Evaluators compare a body's report with its previous one, and a report
//! that repeats last year's text is a known failing (内容雷同). The
//! narrative is the sections' text outside their tables, cut into
//! sentences; a sentence is repeated when last year's report has the same
//! sentence once spacing, punctuation and numbers are set aside (a copied
//! paragraph with this year's figures put in is still copied). What every
//! report says because the template says it — headings, table labels, the
//! standard sentences on the statistics period and where to find the
//! report — is not counted, so a short honest report is not flagged.
//! The rate is repeated characters over all counted characters.

use crate::finding::{Finding, FindingLabel, Place, Severity};
use nianbao_model::{Report, Span};
use rustc_hash::FxHashSet;
use serde::Serialize;

/// The rule id of the finding ([`finding`]).
pub const REPEATED_TEXT: &str = "content.repeated-text";
/// Its title, for rule lists.
pub const REPEATED_TEXT_TITLE: &str = "正文不应大段照搬上年报告（内容雷同）";
/// Its help line.
pub const REPEATED_TEXT_HELP: &str =
    "按本年度的实际工作撰写总体情况、存在的问题和改进措施，不照搬上年报告的文字";
/// What it protects and why a reviewer cares.
pub const REPEATED_TEXT_WHY: &str = "年度报告应写本年度的工作；照搬上年的文字是评估中常见的失分项（2021 年格式通知把内容雷同列为问责情形，有的地方评分细则对与上年重复过半的报告扣分）。模板的固定表述不计入重复。";
/// The rate above which the finding is made, unless configured.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// Sentences shorter than this (in characters, once normalised) are not
/// counted: "无。", "详见附表" say too little to be copied.
const MIN_SENTENCE_CHARS: usize = 6;

/// Phrases of the standard sentences every report contains (the statistics
/// period, where the report is published, whom to ask), from the template's
/// notice and common practice: a sentence holding one is template wording.
const STANDARD_PHRASES: [&str; 8] = [
    "统计期限",
    "政府信息公开条例",
    "年度报告电子版",
    "本报告电子版",
    "如对本报告有",
    "如对报告有",
    "政府信息公开工作年度报告格式",
    "本报告由",
];

/// One sentence of the narrative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub section: String,
    /// Where it is printed in the source.
    pub span: Span,
    /// As printed, trimmed.
    pub text: String,
    /// What is compared: letters only, numbers as `#`.
    pub key: String,
    /// Characters counted (those of `key`).
    pub chars: usize,
}

/// A section's repetition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionRepetition {
    pub section: String,
    /// Characters of the narrative counted.
    pub chars: usize,
    /// Of which in sentences last year's report also has.
    pub repeated_chars: usize,
    /// `repeated_chars / chars`, 0 for a section without narrative.
    pub rate: f64,
}

/// How much of this year's narrative repeats last year's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repetition {
    /// Per section with narrative, in template order.
    pub sections: Vec<SectionRepetition>,
    pub chars: usize,
    pub repeated_chars: usize,
    pub rate: f64,
    /// The repeated sentences, in order.
    #[serde(skip)]
    pub repeated: Vec<Sentence>,
}

/// Whether `c` is spacing or punctuation: not compared.
fn is_noise(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || "，。、；：？！“”‘’（）《》【】〔〕…—·「」『』﹝﹞".contains(c)
}

/// The key of a sentence: letters kept, runs of digits (ASCII or full
/// width) as one `#`, spacing and punctuation dropped.
fn key(sentence: &str) -> String {
    let mut key = String::with_capacity(sentence.len());
    let mut in_number = false;
    for c in sentence.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '.' && in_number {
            if !in_number {
                key.push('#');
            }
            in_number = true;
            continue;
        }
        in_number = false;
        if !is_noise(c) {
            key.push(c);
        }
    }
    key
}

/// The template's own wording of a format (sections, rows, columns and
/// their variants), as keys: a narrative line that is one of them is
/// template wording. Worked out once per format.
fn template_keys(report: &Report) -> &'static FxHashSet<String> {
    static KEYS: [std::sync::OnceLock<FxHashSet<String>>; 2] =
        [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
    KEYS[report.format.index()].get_or_init(|| report.template().wordings().map(key).collect())
}

/// Numbered headings inside a section ("（一）主动公开情况。", "二、工作
///措施"): at most this many characters after their numbering.
const MAX_HEADING_CHARS: usize = 12;

/// Whether a sentence is a numbered heading: what a report's outline
/// repeats every year, not text.
fn is_heading(printed: &str) -> bool {
    let t = printed.trim_start();
    let numbered = t
        .strip_prefix(['(', '（'])
        .map(|rest| {
            rest.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
        })
        .and_then(|rest| rest.strip_prefix([')', '）']))
        .or_else(|| {
            let rest =
                t.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c));
            (rest.len() < t.len())
                .then_some(rest)?
                .strip_prefix(['、', '.', '．'])
        });
    numbered.is_some_and(|rest| key(rest).chars().count() <= MAX_HEADING_CHARS)
}

/// Where a sentence ends.
fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '；' | ';' | '\n')
}

/// The narrative sentences of a report: each section's body outside its
/// tables, in order, template wording left out.
pub fn sentences(report: &Report) -> Vec<Sentence> {
    let fixed = template_keys(report);
    let mut out = Vec::new();
    for (id, section) in &report.sections {
        // The body's pieces around the tables inside it.
        let mut tables: Vec<Span> = report
            .tables
            .values()
            .map(|t| t.span)
            .filter(|t| t.offset >= section.body.offset && t.end() <= section.body.end())
            .collect();
        tables.sort_by_key(|t| t.offset);
        let mut start = section.body.offset;
        let mut pieces = Vec::new();
        for t in tables {
            if t.offset > start {
                pieces.push(Span::from_range(start, t.offset));
            }
            start = start.max(t.end());
        }
        if section.body.end() > start {
            pieces.push(Span::from_range(start, section.body.end()));
        }
        for piece in pieces {
            let Some(slice) = report.rendered_slice(piece) else {
                continue;
            };
            let text = slice.text;
            let mut from = 0;
            for (i, c) in text.char_indices().chain(std::iter::once((text.len(), '\n'))) {
                if !ends_sentence(c) {
                    continue;
                }
                let end = if i < text.len() { i + c.len_utf8() } else { i };
                let raw = &text[from..end];
                let start_trim = raw.len() - raw.trim_start().len();
                let printed = raw.trim();
                let (s, e) = (from + start_trim, from + start_trim + printed.len());
                from = end;
                let k = key(printed);
                let chars = k.chars().count();
                if chars < MIN_SENTENCE_CHARS
                    || fixed.contains(&k)
                    || is_heading(printed)
                    || STANDARD_PHRASES.iter().any(|p| printed.contains(p))
                {
                    continue;
                }
                let Some(span) = slice.source_span(s, e) else {
                    continue;
                };
                out.push(Sentence {
                    section: id.to_string(),
                    span,
                    text: printed.to_string(),
                    key: k,
                    chars,
                });
            }
        }
    }
    out
}

/// How much of `this` year's narrative `last` year's report already has.
pub fn compare(this: &Report, last: &Report) -> Repetition {
    let last_keys: FxHashSet<String> = sentences(last).into_iter().map(|s| s.key).collect();
    let mut sections: Vec<SectionRepetition> = Vec::new();
    let mut repeated = Vec::new();
    for s in sentences(this) {
        let is_repeated = last_keys.contains(&s.key);
        let entry = match sections.last_mut() {
            Some(e) if e.section == s.section => e,
            _ => {
                sections.push(SectionRepetition {
                    section: s.section.clone(),
                    chars: 0,
                    repeated_chars: 0,
                    rate: 0.0,
                });
                sections.last_mut().expect("just pushed")
            }
        };
        entry.chars += s.chars;
        if is_repeated {
            entry.repeated_chars += s.chars;
            repeated.push(s);
        }
    }
    let rate = |r: usize, n: usize| if n == 0 { 0.0 } else { r as f64 / n as f64 };
    for s in &mut sections {
        s.rate = rate(s.repeated_chars, s.chars);
    }
    let chars = sections.iter().map(|s| s.chars).sum();
    let repeated_chars = sections.iter().map(|s| s.repeated_chars).sum();
    Repetition {
        sections,
        chars,
        repeated_chars,
        rate: rate(repeated_chars, chars),
        repeated,
    }
}

/// Labels a finding points at, at most: the first repeated passages.
const MAX_LABELS: usize = 8;

/// The `content.repeated-text` finding, when more than `threshold` of the
/// narrative repeats last year's: pointing at the repeated passages.
pub fn finding(this: &Report, last: &Report, threshold: f64) -> Option<Finding> {
    let r = compare(this, last);
    if r.chars == 0 || r.rate <= threshold {
        return None;
    }
    let percent = |x: f64| (x * 100.0).round() as u32;
    // Repeated sentences that follow each other on one line are one
    // passage: one label each.
    let mut passages: Vec<(Span, &str)> = Vec::new();
    for s in &r.repeated {
        if let Some((span, section)) = passages.last_mut() {
            let between = this.source.text.get(span.end()..s.span.offset);
            if *section == s.section && between.is_some_and(|b| !b.contains('\n')) {
                *span = span.cover(s.span);
                continue;
            }
        }
        passages.push((s.span, &s.section));
    }
    let labels = passages
        .iter()
        .take(MAX_LABELS)
        .enumerate()
        .map(|(i, (span, section))| FindingLabel {
            span: *span,
            text: "与上年报告相同".to_string(),
            primary: i == 0,
            place: Some(Place {
                table: section.to_string(),
                row: None,
                column: None,
            }),
        })
        .collect();
    let by_section = r
        .sections
        .iter()
        .filter(|s| s.repeated_chars > 0)
        .map(|s| {
            let name = this
                .template()
                .section(&s.section)
                .map_or(s.section.as_str(), |t| t.label);
            format!("{name} {}%", percent(s.rate))
        })
        .collect::<Vec<_>>()
        .join("，");
    Some(Finding {
        rule: REPEATED_TEXT.to_string(),
        severity: Severity::Warning,
        message: format!(
            "正文有 {}% 与上年报告相同（{} 句，{} / {} 字；{by_section}），超过 {}%",
            percent(r.rate),
            r.repeated.len(),
            r.repeated_chars,
            r.chars,
            percent(threshold)
        ),
        help: Some(REPEATED_TEXT_HELP.to_string()),
        reference: Some("国办公开办函〔2021〕30号：内容雷同".to_string()),
        labels,
        fingerprint: String::new(),
        review: None,
    })
}

/// One cell of the template in two consecutive reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellChange {
    pub table: &'static str,
    pub row: &'static str,
    pub column: &'static str,
    /// The template's labels of the row and the column.
    pub row_label: &'static str,
    pub column_label: &'static str,
    /// As printed last year and this year; `None` where not read.
    pub last: Option<String>,
    pub this: Option<String>,
    /// This year's number less last year's, signed ("+3", "-1", "0"),
    /// where both are numbers.
    pub change: Option<String>,
}

/// Every cell of this year's template, with last year's value, this
/// year's and the change, in template order.
pub fn cell_changes(this: &Report, last: &Report) -> Vec<CellChange> {
    let mut out = Vec::new();
    for t in &this.template().tables {
        for r in &t.rows {
            for c in &t.columns {
                let l = last.cell(t.id, r.id, c.id).map(|cell| &cell.value);
                let n = this.cell(t.id, r.id, c.id).map(|cell| &cell.value);
                if l.is_none() && n.is_none() {
                    continue;
                }
                let change = match (l.and_then(|v| v.number()), n.and_then(|v| v.number())) {
                    (Some(l), Some(n)) => {
                        let d = n - l;
                        Some(if d.is_sign_positive() && !d.is_zero() {
                            format!("+{d}")
                        } else {
                            d.to_string()
                        })
                    }
                    _ => None,
                };
                out.push(CellChange {
                    table: t.id,
                    row: r.id,
                    column: c.id,
                    row_label: r.label,
                    column_label: c.label,
                    last: l.map(ToString::to_string),
                    this: n.map(ToString::to_string),
                    change,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn numbered_headings_are_outline() {
        use super::is_heading;
        assert!(is_heading("(一)主动公开情况。"));
        assert!(is_heading("（四）平台建设情况"));
        assert!(is_heading("二、存在的主要问题及改进措施"));
        assert!(!is_heading(
            "(二)依申请公开情况。2022年共收到申请8件，均已按时答复。"
        ));
        assert!(!is_heading("一是推进网站信息公开，通过门户网站公开信息533条。"));
        assert!(!is_heading("2022年共收到申请8件"));
    }

    #[test]
    fn keys_drop_layout_and_numbers() {
        assert_eq!(
            key("2023年，本机关共收到申请 12 件。"),
            key("2022年,本机关共收到申请3件")
        );
        assert_eq!(key("收到申请１２件"), "收到申请#件");
        assert_ne!(key("本机关共收到申请3件。"), key("本机关共办结申请3件。"));
    }
}
