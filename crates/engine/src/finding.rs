//! What a check reports: the interface between evaluation and rendering.

use nianbao_model::Span;
use serde::{Deserialize, Serialize};

pub use nianbao_rules::Severity;

/// One thing wrong (or worth noting) in one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule id (from a rule file, or a built-in id for extraction problems).
    pub rule: String,
    pub severity: Severity,
    /// The message with the real numbers and labels filled in.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Where the rule comes from (e.g. the template clause), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Places in the report's source text, primary first.
    pub labels: Vec<FindingLabel>,
    /// What identifies this finding across re-runs, exports and encodings
    /// of the same report (see [`crate::review::fingerprint`]); set by
    /// evaluation, empty on findings made by hand.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
    /// A reviewer's decision on it, when a review file was applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::review::Review>,
}

impl Finding {
    /// Whether a reviewer dismissed it: then it is not counted.
    pub fn is_dismissed(&self) -> bool {
        self.review
            .as_ref()
            .is_some_and(|r| r.decision == crate::review::Decision::Dismissed)
    }
}

/// A place in the source text that a finding points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingLabel {
    pub span: Span,
    /// What this place is, e.g. "总计 8" or "新收 8".
    pub text: String,
    /// The place most likely wrong (e.g. a total); others are operands.
    pub primary: bool,
    /// The template's place it is, when it is one (a cell, a row, a table):
    /// how a finding is located independently of the file's layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
}

/// A place of the template, by its ids: a table, a row of it, or a cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Place {
    pub table: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

/// What checking one report gives: findings about the report, and how far
/// it could be read. The two are never mixed: nothing in [`Reading`] is a
/// defect of the report, and nothing in `findings` is a limit of nianbao's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Findings about the report, ordered by position.
    pub findings: Vec<Finding>,
    pub reading: Reading,
}

/// How far a report was read, and what that leaves unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    pub status: ReadingStatus,
    /// What the reader could not read (a cell, a row, a table, digits it
    /// could not split, text it could not place), ordered by position.
    /// Each is shown for a person to look at, never counted as a defect.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<Finding>,
    /// How some cells were read that a reviewer should know (recovered
    /// from digits that ran together).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Finding>,
    /// Rules that could not be checked, because some of their inputs were
    /// not read, in rule order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<Unchecked>,
}

/// Whether a report was read whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingStatus {
    /// Every place of the template the report has was read.
    #[default]
    Complete,
    /// Some cells, rows or tables were not read (see [`Reading::limits`]).
    Partial,
    /// None of the report's tables could be read.
    NotRead,
}

impl ReadingStatus {
    /// In Chinese, as output shows it.
    pub fn describe(self) -> &'static str {
        match self {
            ReadingStatus::Complete => "已完整读取",
            ReadingStatus::Partial => "部分未能读取",
            ReadingStatus::NotRead => "表格均未能读取",
        }
    }
}

/// A rule not checked on a report: how many of its instances read a place
/// that was not read, and which places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unchecked {
    pub rule: String,
    /// Instances (bindings of the rule's variables) not checked.
    pub instances: usize,
    /// The places not read that they needed, e.g. `requests.partial`.
    pub unread: Vec<String>,
}
