//! # nianbao-engine
//!
//! Joins reports and rules: [`eval`] evaluates a rule set on a [`Report`]
//! (and, for cross-year rules, last year's report) and returns [`Finding`]s
//! pinned to the cells involved; [`render`] streams findings, report by
//! report, to people (miette) and machines (JSON, SARIF, statistics).
//! Extraction problems recorded by a reader become findings here too.
//!
//! It must not know how reports are read from files (that is the readers'
//! job) nor how rule files are parsed (the rules crate hands it a checked AST).
//!
//! [`Report`]: nianbao_model::Report

pub mod eval;
pub mod finding;
pub mod registry;
pub mod render;
pub mod repetition;
pub mod review;

pub use finding::{Evaluation, Finding, FindingLabel, Place, Reading, ReadingStatus, Severity, Unchecked};
pub use render::{Checked, InputFailure, Outcome, Renderer, ReportResult, RuleInfo, Summary};
