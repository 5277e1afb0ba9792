//! The 问题清单: an Excel workbook an office sends to the bodies it
//! reviews. Sheets: 问题清单 (one row per finding, with its review state),
//! 汇总 (per body: findings by severity and by review state), 未完整读取
//! (reports not read whole, and files that could not be read), and, when a
//! review file was applied, 过时的复核决定. Chinese headers, a frozen
//! header row, filters, column widths that fit the text.
//!
//! The workbook is one file: rows are kept until [`Renderer::finish`]
//! writes it (a finding is a row of short strings; a batch of 100,000
//! reports with findings stays well within memory).

use super::{document_place, Locator, Outcome, Renderer, ReportResult, RuleInfo, Summary};
use crate::finding::{Finding, ReadingStatus, Severity};
use crate::review::Decision;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

const FINDINGS: [&str; 12] = [
    "单位",
    "年度",
    "文件",
    "问题类型",
    "规则",
    "严重程度",
    "说明",
    "位置",
    "复核状态",
    "复核意见",
    "复核人",
    "指纹",
];
const SUMMARY: [&str; 9] = [
    "单位",
    "报告数",
    "问题数",
    "错误",
    "警告",
    "提示",
    "未复核",
    "已确认",
    "已排除",
];
const NOT_READ: [&str; 6] = ["文件", "单位", "年度", "读取情况", "未能读取处数", "说明"];
const STALE: [&str; 8] = [
    "文件",
    "单位",
    "年度",
    "规则",
    "复核状态",
    "复核意见",
    "当时的说明",
    "指纹",
];

/// Widest a column is made (in Excel's character units); longer text wraps.
const MAX_WIDTH: usize = 60;

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "错误",
        Severity::Warning => "警告",
        Severity::Info => "提示",
    }
}

/// A cell of the workbook: counts and years are numbers (sortable,
/// summable), everything else text.
enum Cell {
    Text(String),
    Number(i64),
}

impl Cell {
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(s) => s.as_str().into(),
            Cell::Number(n) => n.to_string().into(),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

fn number(n: usize) -> Cell {
    Cell::Number(i64::try_from(n).unwrap_or(i64::MAX))
}

fn year_cell(year: Option<i32>) -> Cell {
    year.map_or_else(|| Cell::Text(String::new()), |y| Cell::Number(i64::from(y)))
}

/// Counts for one body on the summary sheet.
#[derive(Default)]
struct BodyCounts {
    reports: usize,
    findings: usize,
    by_severity: [usize; 3],
    undecided: usize,
    confirmed: usize,
    dismissed: usize,
}

/// Collects the rows of the workbook, written at the end.
pub struct XlsxRenderer {
    titles: HashMap<String, String>,
    findings: Vec<Vec<Cell>>,
    bodies: BTreeMap<String, BodyCounts>,
    not_read: Vec<Vec<Cell>>,
}

impl XlsxRenderer {
    /// `rules`: the rules in force, whose titles name the kinds of problem.
    pub fn new(rules: Vec<RuleInfo>) -> Self {
        XlsxRenderer {
            titles: rules.into_iter().map(|r| (r.id, r.title)).collect(),
            findings: Vec::new(),
            bodies: BTreeMap::new(),
            not_read: Vec::new(),
        }
    }

    fn finding_row(
        &self,
        path: &str,
        body: &str,
        year: Option<i32>,
        f: &Finding,
        locator: &Locator,
    ) -> Vec<Cell> {
        let place = f.labels.first().map_or_else(String::new, |l| {
            let loc = locator.locate(l.span);
            let mut at = format!("第 {} 行", loc.line);
            if let Some(doc) = document_place(loc.page, loc.table_row) {
                at = format!("{doc}（文本第 {} 行）", loc.line);
            }
            match l.text.is_empty() {
                true => at,
                false => format!("{at}：{}", l.text),
            }
        });
        let (state, reason, reviewer) = match &f.review {
            None => ("未复核", String::new(), String::new()),
            Some(r) => (
                r.decision.describe(),
                r.reason.clone(),
                [r.reviewer.as_str(), r.date.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        vec![
            body.into(),
            year_cell(year),
            path.into(),
            self.titles
                .get(&f.rule)
                .cloned()
                .unwrap_or_else(|| f.rule.clone())
                .into(),
            f.rule.clone().into(),
            severity_name(f.severity).into(),
            f.message.clone().into(),
            place.into(),
            state.into(),
            reason.into(),
            reviewer.into(),
            f.fingerprint.clone().into(),
        ]
    }

    fn workbook(&self, summary: &Summary) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let header = Format::new()
            .set_bold()
            .set_background_color(0xD9E1F2)
            .set_align(FormatAlign::Center);
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);

        let sheet = book.add_worksheet();
        sheet.set_name("问题清单")?;
        table(sheet, &FINDINGS, &self.findings, &header, &wrap)?;

        let sheet = book.add_worksheet();
        sheet.set_name("汇总")?;
        let rows: Vec<Vec<Cell>> = self
            .bodies
            .iter()
            .map(|(body, c)| {
                let name = if body.is_empty() {
                    "（未写明单位）"
                } else {
                    body
                };
                let counts = [
                    c.reports,
                    c.findings,
                    c.by_severity[2],
                    c.by_severity[1],
                    c.by_severity[0],
                    c.undecided,
                    c.confirmed,
                    c.dismissed,
                ];
                std::iter::once(name.into())
                    .chain(counts.into_iter().map(number))
                    .collect()
            })
            .collect();
        table(sheet, &SUMMARY, &rows, &header, &wrap)?;

        let sheet = book.add_worksheet();
        sheet.set_name("未完整读取")?;
        table(sheet, &NOT_READ, &self.not_read, &header, &wrap)?;

        if !summary.stale_decisions.is_empty() {
            let rows: Vec<Vec<Cell>> = summary
                .stale_decisions
                .iter()
                .map(|d| {
                    vec![
                        d.file.as_str().into(),
                        d.body.as_str().into(),
                        year_cell(d.year),
                        d.rule.as_str().into(),
                        d.decision.describe().into(),
                        d.reason.as_str().into(),
                        d.message.as_str().into(),
                        d.fingerprint.as_str().into(),
                    ]
                })
                .collect();
            let sheet = book.add_worksheet();
            sheet.set_name("过时的复核决定")?;
            table(sheet, &STALE, &rows, &header, &wrap)?;
        }
        book.save_to_buffer()
    }
}

/// A sheet of `rows` under `headers`: numbers as numbers, a frozen header
/// row with filters, each column as wide as its text (up to [`MAX_WIDTH`],
/// then wrapped).
fn table(
    sheet: &mut Worksheet,
    headers: &[&str],
    rows: &[Vec<Cell>],
    header: &Format,
    wrap: &Format,
) -> Result<(), XlsxError> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, header)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let width = cell.text().width();
            match cell {
                Cell::Number(n) => {
                    sheet.write_number(r, col, *n as f64)?;
                }
                Cell::Text(s) if width > MAX_WIDTH => {
                    sheet.write_string_with_format(r, col, s, wrap)?;
                }
                Cell::Text(s) => {
                    sheet.write_string(r, col, s)?;
                }
            }
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width.min(MAX_WIDTH));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*w + 2) as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = rows.len() as u32;
    sheet.autofilter(0, 0, last_row, headers.len().saturating_sub(1) as u16)?;
    Ok(())
}

impl Renderer for XlsxRenderer {
    fn start(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn report(&mut self, _out: &mut dyn Write, result: &ReportResult) -> io::Result<()> {
        match &result.outcome {
            Outcome::Failed(e) => self.not_read.push(vec![
                result.path.as_str().into(),
                "".into(),
                "".into(),
                "无法读取".into(),
                "".into(),
                e.message.as_str().into(),
            ]),
            Outcome::Checked(c) => {
                let body = c.body.clone().unwrap_or_default();
                let year = c.year;
                let locator = Locator::of(c);
                for f in &c.findings {
                    let row = self.finding_row(&result.path, &body, year, f, &locator);
                    self.findings.push(row);
                }
                let counts = self.bodies.entry(body.clone()).or_default();
                counts.reports += 1;
                for f in &c.findings {
                    match f.review.as_ref().map(|r| r.decision) {
                        Some(Decision::Dismissed) => {
                            counts.dismissed += 1;
                            continue;
                        }
                        Some(Decision::Confirmed) => counts.confirmed += 1,
                        None => counts.undecided += 1,
                    }
                    counts.findings += 1;
                    counts.by_severity[f.severity as usize] += 1;
                }
                if c.reading.status != ReadingStatus::Complete {
                    let first = c.reading.limits.first().map(|l| l.message.clone());
                    let instances: usize = c.reading.unchecked.iter().map(|u| u.instances).sum();
                    let mut note = first.unwrap_or_default();
                    if instances > 0 {
                        note.push_str(&format!(
                            "（{} 条规则的 {instances} 处检查因此未做）",
                            c.reading.unchecked.len()
                        ));
                    }
                    self.not_read.push(vec![
                        result.path.as_str().into(),
                        body.into(),
                        year_cell(year),
                        c.reading.status.describe().into(),
                        number(c.reading.limits.len()),
                        note.into(),
                    ]);
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        let bytes = self.workbook(summary).map_err(io::Error::other)?;
        out.write_all(&bytes)
    }
}
