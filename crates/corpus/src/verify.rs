//! Comparing `nianbao check --format json` output with the manifest: recall
//! (each injected defect found by a finding pointing at it) and false
//! positives (findings on reports with nothing injected).

use crate::manifest::Record;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

/// The parts of check's JSON document (docs/output.md) that matter here.
#[derive(Debug, Deserialize)]
pub struct CheckOutput {
    pub reports: Vec<CheckedReport>,
}

#[derive(Debug, Deserialize)]
pub struct CheckedReport {
    pub path: String,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    #[serde(default)]
    pub findings: Vec<CheckFinding>,
    #[serde(default)]
    pub reading: Option<CheckReading>,
}

/// How far check read a report (`reports[].reading`).
#[derive(Debug, Deserialize)]
pub struct CheckReading {
    pub status: String,
}

#[derive(Debug, Deserialize)]
pub struct CheckFinding {
    pub rule: String,
    #[serde(default)]
    pub severity: serde_json::Value,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub labels: Vec<CheckLabel>,
}

#[derive(Debug, Deserialize)]
pub struct CheckLabel {
    pub offset: usize,
    pub length: usize,
}

/// A defect no finding pointed at.
#[derive(Debug, Clone)]
pub struct Miss {
    pub file: String,
    pub kind: String,
    pub location: String,
    /// Findings the report did get (rule ids), elsewhere.
    pub other_rules: Vec<String>,
}

/// A finding on a report with nothing injected.
#[derive(Debug, Clone)]
pub struct FalsePositive {
    pub file: String,
    pub rule: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Verification {
    pub reports: usize,
    pub unreadable: usize,
    pub defects: usize,
    pub found: usize,
    /// Per defect kind: (found, injected).
    pub by_kind: BTreeMap<String, (usize, usize)>,
    pub misses: Vec<Miss>,
    /// Defects in the manifest whose report is not in check's output.
    pub not_checked: Vec<String>,
    pub clean_reports: usize,
    pub clean_reports_with_findings: usize,
    pub false_positives: Vec<FalsePositive>,
    /// Per rule id: findings on clean reports.
    pub false_positives_by_rule: BTreeMap<String, usize>,
    /// Findings on defective reports that point elsewhere than the defect.
    pub extra_findings_on_defective: usize,
    /// Reports check could not read whole (every generated report can be).
    pub partly_read: usize,
}

impl Verification {
    pub fn recall(&self) -> f64 {
        if self.defects == 0 {
            1.0
        } else {
            self.found as f64 / self.defects as f64
        }
    }

    /// Recall 100 %, no false positive, every report read.
    pub fn perfect(&self) -> bool {
        self.found == self.defects && self.false_positives.is_empty() && self.unreadable == 0
    }

    /// A short human summary, with up to `examples` misses and false positives.
    pub fn summary(&self, examples: usize) -> String {
        let mut s = String::new();
        let pct = |a: usize, b: usize| {
            if b == 0 {
                100.0
            } else {
                a as f64 * 100.0 / b as f64
            }
        };
        s += &format!(
            "reports checked: {} (unreadable: {})\n",
            self.reports, self.unreadable
        );
        s += &format!(
            "recall: {}/{} injected defects found at their location ({:.2} %)\n",
            self.found,
            self.defects,
            self.recall() * 100.0
        );
        for (kind, (found, total)) in &self.by_kind {
            s += &format!("  {kind:<26} {found}/{total} ({:.1} %)\n", pct(*found, *total));
        }
        s += &format!(
            "false positives: {} clean reports of {} with findings ({} findings)\n",
            self.clean_reports_with_findings,
            self.clean_reports,
            self.false_positives.len()
        );
        for (rule, n) in &self.false_positives_by_rule {
            s += &format!("  {rule:<40} {n}\n");
        }
        s += &format!(
            "findings elsewhere on defective reports: {}\n",
            self.extra_findings_on_defective
        );
        s += &format!("reports not read whole: {}\n", self.partly_read);
        if !self.not_checked.is_empty() {
            s += &format!(
                "defective reports missing from check's output: {}\n",
                self.not_checked.len()
            );
        }
        for m in self.misses.iter().take(examples) {
            s += &format!(
                "  missed {} {} at {} (other findings: {})\n",
                m.file,
                m.kind,
                m.location,
                if m.other_rules.is_empty() {
                    "none".to_string()
                } else {
                    m.other_rules.join(", ")
                }
            );
        }
        for fp in self.false_positives.iter().take(examples) {
            s += &format!("  false positive {} {}: {}\n", fp.file, fp.rule, fp.message);
        }
        s
    }
}

/// Read a manifest (JSON Lines), keyed by file name.
pub fn read_manifest(reader: impl BufRead) -> Result<HashMap<String, Record>, String> {
    let mut records = HashMap::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("manifest line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record =
            serde_json::from_str(&line).map_err(|e| format!("manifest line {}: {e}", i + 1))?;
        records.insert(record.file.clone(), record);
    }
    Ok(records)
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Compare check's output with the manifest. Reports are matched by file name.
pub fn verify(check: &CheckOutput, manifest: &HashMap<String, Record>) -> Verification {
    let mut v = Verification::default();
    let mut seen = std::collections::HashSet::new();
    for report in &check.reports {
        v.reports += 1;
        let name = file_name(&report.path);
        seen.insert(name.to_string());
        if report.error.is_some() {
            v.unreadable += 1;
        }
        if report.reading.as_ref().is_some_and(|r| r.status != "complete") {
            v.partly_read += 1;
        }
        match manifest.get(name) {
            Some(record) => {
                v.defects += 1;
                let entry = v.by_kind.entry(record.kind.clone()).or_default();
                entry.1 += 1;
                let points_at = |f: &CheckFinding| {
                    f.labels.iter().any(|l| record.matches_label(l.offset, l.length))
                        || (record.place == "row" && f.labels.is_empty())
                };
                let hits = report.findings.iter().filter(|f| points_at(f)).count();
                v.extra_findings_on_defective += report.findings.len() - hits;
                if hits > 0 {
                    v.found += 1;
                    entry.0 += 1;
                } else {
                    v.misses.push(Miss {
                        file: name.to_string(),
                        kind: record.kind.clone(),
                        location: format!(
                            "{}.{}{} bytes {}+{}",
                            record.table,
                            record.row,
                            record
                                .column
                                .as_ref()
                                .map(|c| format!(".{c}"))
                                .unwrap_or_default(),
                            record.offset,
                            record.length
                        ),
                        other_rules: report.findings.iter().map(|f| f.rule.clone()).collect(),
                    });
                }
            }
            None => {
                v.clean_reports += 1;
                if !report.findings.is_empty() {
                    v.clean_reports_with_findings += 1;
                }
                for f in &report.findings {
                    *v.false_positives_by_rule.entry(f.rule.clone()).or_default() += 1;
                    v.false_positives.push(FalsePositive {
                        file: name.to_string(),
                        rule: f.rule.clone(),
                        message: f.message.clone(),
                    });
                }
            }
        }
    }
    let mut not_checked: Vec<String> = manifest.keys().filter(|f| !seen.contains(*f)).cloned().collect();
    not_checked.sort();
    for file in &not_checked {
        if let Some(record) = manifest.get(file) {
            v.defects += 1;
            v.by_kind.entry(record.kind.clone()).or_default().1 += 1;
        }
    }
    v.not_checked = not_checked;
    v
}
