//! `--statistics`: instead of the findings, how many there are per rule and
//! severity (like ruff's), most frequent first; as a text table or as JSON
//! (`[{"rule", "severity", "count"}]` plus the summary). What could not be
//! read is counted apart (`"reading": [{"rule", "count"}]`, or rows marked
//! `not-read`): it is not a finding.

use super::{Renderer, ReportResult, Summary};
use crate::finding::Severity;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

#[derive(Serialize)]
struct Row<'a> {
    rule: &'a str,
    severity: Severity,
    count: usize,
}

#[derive(Serialize)]
struct ReadingRow<'a> {
    rule: &'a str,
    count: usize,
}

/// Counts findings per (rule, severity), and reading limits per rule.
pub struct StatisticsRenderer {
    json: bool,
    counts: BTreeMap<(String, Severity), usize>,
    reading: BTreeMap<String, usize>,
}

impl StatisticsRenderer {
    pub fn new(json: bool) -> Self {
        StatisticsRenderer {
            json,
            counts: BTreeMap::new(),
            reading: BTreeMap::new(),
        }
    }

    fn rows(&self) -> Vec<Row<'_>> {
        let mut rows: Vec<Row> = self
            .counts
            .iter()
            .map(|((rule, severity), &count)| Row {
                rule,
                severity: *severity,
                count,
            })
            .collect();
        // Most frequent first; ties by rule id (the map's order).
        rows.sort_by_key(|r| std::cmp::Reverse(r.count));
        rows
    }

    fn reading_rows(&self) -> Vec<ReadingRow<'_>> {
        let mut rows: Vec<ReadingRow> = self
            .reading
            .iter()
            .map(|(rule, &count)| ReadingRow { rule, count })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.count));
        rows
    }
}

impl Renderer for StatisticsRenderer {
    fn start(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn report(&mut self, _out: &mut dyn Write, result: &ReportResult) -> io::Result<()> {
        for f in result.findings() {
            *self.counts.entry((f.rule.clone(), f.severity)).or_default() += 1;
        }
        for f in result.reading().map_or(&[][..], |r| &r.limits) {
            *self.reading.entry(f.rule.clone()).or_default() += 1;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        let rows = self.rows();
        let reading = self.reading_rows();
        if self.json {
            let doc = serde_json::json!({ "statistics": rows, "reading": reading, "summary": summary });
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
            return out.write_all(b"\n");
        }
        let count_width = rows
            .iter()
            .map(|r| r.count)
            .chain(reading.iter().map(|r| r.count))
            .max()
            .map_or(1, |c| c.to_string().len());
        let rule_width = rows
            .iter()
            .map(|r| r.rule.len())
            .chain(reading.iter().map(|r| r.rule.len()))
            .max()
            .unwrap_or(0);
        for r in &rows {
            let severity = match r.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            writeln!(
                out,
                "{:>count_width$}  {:<rule_width$}  {severity}",
                r.count, r.rule
            )?;
        }
        for r in &reading {
            writeln!(
                out,
                "{:>count_width$}  {:<rule_width$}  not-read",
                r.count, r.rule
            )?;
        }
        writeln!(out, "{}", summary.line())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Checked, Outcome};
    use crate::Finding;

    fn finding(rule: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message: String::new(),
            help: None,
            reference: None,
            fingerprint: String::new(),
            review: None,
            labels: vec![],
        }
    }

    #[test]
    fn counts_per_rule_most_frequent_first() {
        let result = ReportResult {
            path: "a.txt".into(),
            outcome: Outcome::Checked(Checked {
                text: String::new(),
                base_offset: 0,
                pages: Vec::new(),
                table_rows: Vec::new(),
                body: None,
                year: None,
                findings: vec![
                    finding("b.rule", Severity::Warning),
                    finding("a.rule", Severity::Error),
                    finding("b.rule", Severity::Warning),
                ],
                reading: crate::Reading {
                    status: crate::ReadingStatus::Partial,
                    limits: vec![finding("extract.row-not-read", Severity::Warning)],
                    ..Default::default()
                },
            }),
        };
        let mut summary = Summary::default();
        summary.add(&result);
        let mut r = StatisticsRenderer::new(false);
        let mut out = Vec::new();
        r.report(&mut out, &result).expect("write");
        r.finish(&mut out, &summary).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("UTF-8"),
            "2  b.rule                warning\n1  a.rule                error\n1  extract.row-not-read  not-read\n\
             共检查 1 个报告：1 个错误，2 个警告，0 条提示；其中 1 个未能完整读取\n"
        );
    }
}
