//! A reviewer's decisions on findings, as output shows them, and the
//! fingerprint that ties a decision to its finding across re-runs.
//!
//! The fingerprint is built from what the finding says about the report —
//! the rule, the issuing body and year, the template places it concerns
//! with their values, its message — and from nothing about the file: no
//! byte offset, line, page, encoding or layout. The same report exported
//! by another tool, re-saved in another encoding, or edited elsewhere keeps
//! its fingerprints; a finding whose values change gets a new one.
//!
//! Where decisions are kept (the review file) is the command line's
//! business, not this crate's.

use crate::finding::Finding;
use crate::render::Checked;
use serde::{Deserialize, Serialize};
use std::hash::Hasher;

/// What a reviewer decided about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// A real problem: it goes on the 问题清单 for the body to correct.
    Confirmed,
    /// Not a problem (with a reason): not counted, shown apart.
    Dismissed,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Confirmed => "confirmed",
            Decision::Dismissed => "dismissed",
        }
    }

    /// In Chinese, as output shows it.
    pub fn describe(self) -> &'static str {
        match self {
            Decision::Confirmed => "已确认",
            Decision::Dismissed => "已排除",
        }
    }
}

/// A decision as applied to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reviewer: String,
    /// When it was decided (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
}

/// A decision on one finding, as the review file records it and as output
/// reports a stale one: the finding's identity, the report it was in (body,
/// year, file), the decision and the message decided on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    pub fingerprint: String,
    pub rule: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// The file the finding was in when decided (in a stale decision: the
    /// file checked now that the decision's report matched).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub file: String,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reviewer: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
    /// The finding's message when it was decided.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl DecisionRecord {
    /// A decision on `finding` of the report checked as `checked` in `file`.
    pub fn new(finding: &Finding, file: &str, checked: &Checked, review: Review) -> DecisionRecord {
        DecisionRecord {
            fingerprint: finding.fingerprint.clone(),
            rule: finding.rule.clone(),
            body: checked.body.clone().unwrap_or_default(),
            year: checked.year,
            file: file.to_string(),
            decision: review.decision,
            reason: review.reason,
            reviewer: review.reviewer,
            date: review.date,
            message: finding.message.clone(),
        }
    }

    /// The decision as applied to a finding.
    pub fn review(&self) -> Review {
        Review {
            decision: self.decision,
            reason: self.reason.clone(),
            reviewer: self.reviewer.clone(),
            date: self.date.clone(),
        }
    }
}

/// Characters that say nothing about a finding's facts: how an exporter
/// spaced, wrapped or quoted text differs between files of one report.
fn is_layout(c: char) -> bool {
    c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}'
}

/// [`fingerprint`] of a finding of `report`, with the body and year it states.
pub fn fingerprint_in(finding: &Finding, report: &nianbao_model::Report) -> String {
    let body = report.metadata.body.as_ref().map(|b| b.value.as_str());
    let year = report.metadata.year.as_ref().map(|y| y.value);
    fingerprint(finding, body, year)
}

/// `text` without layout, then a separator.
fn push_text(into: &mut String, text: &str) {
    into.extend(text.chars().filter(|c| !is_layout(*c)));
    into.push('\0');
}

/// The fingerprint of `finding` in the report of `body` (as printed; it is
/// normalised here) for `year`: 16 hex digits of the 64-bit FNV-1a hash (a
/// fixed, published function: the same digits on every platform and
/// version) of the rule id, the body and year, the message and the labels
/// (their template places and texts, in no particular order), whitespace
/// removed. Decisions are looked up among a review file's few thousand
/// fingerprints: 64 bits leave no collision to fear.
pub fn fingerprint(finding: &Finding, body: Option<&str>, year: Option<i32>) -> String {
    // What is hashed, written out first: one call into the hash.
    let mut facts = String::with_capacity(256);
    push_text(&mut facts, "nianbao-finding-v1");
    push_text(&mut facts, &finding.rule);
    push_text(
        &mut facts,
        &body.map(nianbao_model::label::normalize).unwrap_or_default(),
    );
    push_text(&mut facts, &year.map(|y| y.to_string()).unwrap_or_default());
    push_text(&mut facts, &finding.message);
    let mut labels: Vec<String> = finding
        .labels
        .iter()
        .map(|l| {
            let mut key = String::new();
            if let Some(p) = &l.place {
                key.push_str(&p.table);
                key.push('/');
                key.push_str(p.row.as_deref().unwrap_or(""));
                key.push('/');
                key.push_str(p.column.as_deref().unwrap_or(""));
            }
            key.push('\u{1}');
            push_text(&mut key, &l.text);
            key
        })
        .collect();
    labels.sort_unstable();
    labels.dedup();
    for l in &labels {
        facts.push_str(l);
    }
    let mut hash = fnv::FnvHasher::default();
    hash.write(facts.as_bytes());
    format!("{:016x}", hash.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{FindingLabel, Place};
    use nianbao_model::Span;

    fn finding(message: &str, labels: Vec<(usize, &str, Option<Place>)>) -> Finding {
        Finding {
            rule: "requests.row-total".into(),
            severity: crate::Severity::Error,
            message: message.into(),
            help: None,
            reference: None,
            labels: labels
                .into_iter()
                .map(|(offset, text, place)| FindingLabel {
                    span: Span::new(offset, 2),
                    text: text.into(),
                    primary: offset == 0,
                    place,
                })
                .collect(),
            fingerprint: String::new(),
            review: None,
        }
    }

    fn cell(row: &str, column: &str) -> Option<Place> {
        Some(Place {
            table: "requests".into(),
            row: Some(row.into()),
            column: Some(column.into()),
        })
    }

    #[test]
    fn layout_does_not_change_it_and_facts_do() {
        let a = finding(
            "总计 9，但各项之和为 8",
            vec![
                (0, "总计 9", cell("total", "total")),
                (10, "新收 8", cell("new", "total")),
            ],
        );
        let base = fingerprint(&a, Some("某某市 财政局"), Some(2023));
        assert_eq!(base.len(), 16);
        // Other offsets, labels in another order, other spacing, the body's
        // spacing: the same finding.
        let b = finding(
            "总计 9，但各项之和为\n8",
            vec![
                (500, "新收8", cell("new", "total")),
                (90, "总计  9", cell("total", "total")),
            ],
        );
        assert_eq!(fingerprint(&b, Some("某某市财政局"), Some(2023)), base);
        // Another value, year, body or place: another finding.
        let c = finding(
            "总计 10，但各项之和为 8",
            vec![
                (0, "总计 10", cell("total", "total")),
                (10, "新收 8", cell("new", "total")),
            ],
        );
        assert_ne!(fingerprint(&c, Some("某某市财政局"), Some(2023)), base);
        assert_ne!(fingerprint(&a, Some("某某市财政局"), Some(2024)), base);
        assert_ne!(fingerprint(&a, Some("某某县财政局"), Some(2023)), base);
        let d = finding(
            "总计 9，但各项之和为 8",
            vec![
                (0, "总计 9", cell("total", "natural")),
                (10, "新收 8", cell("new", "natural")),
            ],
        );
        assert_ne!(fingerprint(&d, Some("某某市财政局"), Some(2023)), base);
    }
}
