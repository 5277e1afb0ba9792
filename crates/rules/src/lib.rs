//! # nianbao-rules
//!
//! The rule language (work in progress). Public API used by the engine and
//! the CLI — keep these signatures stable:
//! - [`RuleSource`]: a rule file's name and text; [`builtin_sources`] are the
//!   files of `rules/`, embedded in the binary;
//! - [`load_dir`]: the `.rules` files of a directory;
//! - [`compile`]: parse and check sources into a [`RuleSet`], or every error
//!   found, as miette diagnostics.

use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A rule file: where it came from and its text.
#[derive(Debug, Clone)]
pub struct RuleSource {
    pub name: String,
    pub text: String,
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
}

/// Checked rules, in file order.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

/// All errors found in a set of rule files.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid rules")]
pub struct RuleErrors {
    #[related]
    pub errors: Vec<miette::Report>,
}

/// The rule files shipped with nianbao.
pub fn builtin_sources() -> Vec<RuleSource> {
    Vec::new()
}

/// The `.rules` files of a directory, sorted by name.
pub fn load_dir(dir: &Path) -> miette::Result<Vec<RuleSource>> {
    let _ = dir;
    Ok(Vec::new())
}

/// Parse and check rule files.
pub fn compile(sources: &[RuleSource]) -> Result<RuleSet, RuleErrors> {
    let _ = sources;
    Ok(RuleSet::default())
}
