//! The one registry of rule ids: every id a finding or a reading note can
//! carry — the rule files' rules, the reader's `extract.*` ids and the year
//! over year `content.repeated-text` — with what each says about itself
//! (title, severity, reference, why, help). `rules list`, `rules show`, the
//! ids `--select`/`--ignore` accept, SARIF's rule table and the table in
//! `docs/rules.md` are all made from it, so a rule is described once.

use crate::eval::EXTRACTION_RULES;
use crate::finding::Severity;
use crate::repetition::{REPEATED_TEXT, REPEATED_TEXT_HELP, REPEATED_TEXT_TITLE, REPEATED_TEXT_WHY};
use nianbao_rules::{Rule, RuleSet};

/// Where a rule id comes from, which decides what its findings mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A rule of a rule file.
    RuleFile,
    /// A part the reader is sure the report lacks: a finding about the report.
    Reader,
    /// A limit of the reading (or a note on it): never a defect of the report.
    ReadingLimit,
    /// Last year's report compared with this one (`--previous`, `diff`).
    YearOverYear,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::RuleFile => "rule file",
            Origin::Reader => "reader",
            Origin::ReadingLimit => "reading limit",
            Origin::YearOverYear => "year over year",
        }
    }
}

/// One rule id and what it says about itself.
#[derive(Debug, Clone)]
pub struct RuleDoc<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// The default severity (a reading limit's only says how much to look).
    pub severity: Severity,
    pub origin: Origin,
    /// Where the rule comes from (a template clause), when stated.
    pub reference: Option<&'a str>,
    /// What the rule protects and why a reviewer cares, when stated.
    pub why: Option<&'a str>,
    /// What to do about a finding, as written (a rule's help may interpolate
    /// the finding's values: `{…}` shows where).
    pub help: Option<&'a str>,
    /// The rule as written, for a rule file's rule.
    pub rule: Option<&'a Rule>,
}

impl RuleDoc<'_> {
    /// The rule's anchor in `docs/rules.md` (the generated table gives each
    /// id an element of this id).
    pub fn anchor(&self) -> &str {
        self.id
    }
}

/// Every rule id of `rules`, in order: the rule files' (file order), then the
/// reader's, then the year-over-year check.
pub fn registry(rules: &RuleSet) -> Vec<RuleDoc<'_>> {
    let files = rules.rules.iter().map(|r| RuleDoc {
        id: &r.id,
        title: &r.title,
        severity: r.severity,
        origin: Origin::RuleFile,
        reference: r.reference.as_deref(),
        why: r.why.as_deref(),
        help: r.help.as_ref().map(|h| h.source.as_str()),
        rule: Some(r),
    });
    let reader = EXTRACTION_RULES.iter().map(|r| RuleDoc {
        id: r.id,
        title: r.title,
        severity: r.severity,
        origin: if r.reads() {
            Origin::ReadingLimit
        } else {
            Origin::Reader
        },
        reference: Some(if r.reads() {
            "读取的局限，不是报告的问题，不计入问题数"
        } else {
            "读取报告时确定的问题"
        }),
        why: Some(r.why),
        help: Some(r.help),
        rule: None,
    });
    let repetition = RuleDoc {
        id: REPEATED_TEXT,
        title: REPEATED_TEXT_TITLE,
        severity: Severity::Warning,
        origin: Origin::YearOverYear,
        reference: Some("与上年报告比较（--previous、--pair-by-body、diff）；阈值见 nianbao.toml 的 repeated-text-threshold"),
        why: Some(REPEATED_TEXT_WHY),
        help: Some(REPEATED_TEXT_HELP),
        rule: None,
    };
    files.chain(reader).chain(std::iter::once(repetition)).collect()
}
