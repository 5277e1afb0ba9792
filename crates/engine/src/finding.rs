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
}

/// A place in the source text that a finding points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingLabel {
    pub span: Span,
    /// What this place is, e.g. "总计 8" or "新收 8".
    pub text: String,
    /// The place most likely wrong (e.g. a total); others are operands.
    pub primary: bool,
}
