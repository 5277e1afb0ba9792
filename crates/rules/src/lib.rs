//! # nianbao-rules
//!
//! The rule language in which every consistency rule of the template is
//! written (`rules/*.rules`, reference in `docs/rules.md`):
//! - a pest grammar (`rules.pest`) and [`parse`]r building the [`ast`];
//! - a [`check`]er resolving every table, row, column, section and label
//!   against the model's template schema (2021 and 2019 formats), typing
//!   every expression and reporting every mistake as a miette
//!   [`diagnostic`] pointing at the exact bytes of the rule file;
//! - the built-in rule files, embedded at build time.
//!
//! It knows the model's schema but not how reports are read, nor how rules
//! are evaluated (the engine does that) or findings shown.
//!
//! Public API (others code against it): [`Severity`], [`RuleSource`],
//! [`builtin_sources`], [`load_dir`], [`compile`] → [`RuleSet`] of [`Rule`]s
//! and [`RuleTest`]s, or [`RuleErrors`].

pub mod ast;
pub mod check;
pub mod diagnostic;
pub mod parse;

pub use ast::{Rule, RuleTest};

use diagnostic::{Code, FileRef, RuleDiagnostic};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule file: where it came from and its text.
#[derive(Debug, Clone)]
pub struct RuleSource {
    pub name: String,
    pub text: String,
}

/// Checked rules and rule tests, in file order.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub tests: Vec<RuleTest>,
}

impl RuleSet {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// All errors found in a set of rule files.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid rules: {} error{}", errors.len(), if errors.len() == 1 { "" } else { "s" })]
#[diagnostic(code(nianbao::rules::invalid))]
pub struct RuleErrors {
    #[related]
    pub errors: Vec<miette::Report>,
}

/// The rule files shipped with nianbao (`rules/*.rules`, embedded at build time).
pub fn builtin_sources() -> Vec<RuleSource> {
    builtin::BUILTIN
        .iter()
        .map(|(name, text)| RuleSource {
            name: format!("rules/{name}"),
            text: (*text).to_string(),
        })
        .collect()
}

/// The `.rules` files of a directory, sorted by name.
pub fn load_dir(dir: &Path) -> miette::Result<Vec<RuleSource>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        miette::miette!(
            code = "nianbao::rules::io",
            "cannot read rule directory {}: {e}",
            dir.display()
        )
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| {
            miette::miette!(code = "nianbao::rules::io", "cannot read {}: {e}", dir.display())
        })?;
        let path = entry.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "rules") {
            paths.push(path);
        }
    }
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|e| {
            miette::miette!(code = "nianbao::rules::io", "cannot read {}: {e}", path.display())
        })?;
        // A byte-order mark is not part of the rules (editors on Windows add one).
        let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            miette::miette!(
                code = "nianbao::rules::io",
                help = "save rule files as UTF-8",
                "{} is not UTF-8 (invalid byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        out.push(RuleSource {
            name: path.display().to_string(),
            text,
        });
    }
    Ok(out)
}

/// What a configuration may set that rules read: the publication deadlines
/// behind `report.deadline_department` and `report.deadline_government`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// (month, day) of the year after the report's: a department's report
    /// is due by then (the State Council's rule: 1月31日).
    pub department_deadline: (u8, u8),
    /// The same for a people's government (3月31日).
    pub government_deadline: (u8, u8),
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            department_deadline: (1, 31),
            government_deadline: (3, 31),
        }
    }
}

/// Parse and check rule files with the default [`Settings`]. Every error of
/// every file is returned; a file with errors contributes nothing, so
/// nothing is half-loaded.
pub fn compile(sources: &[RuleSource]) -> Result<RuleSet, RuleErrors> {
    compile_with(sources, &Settings::default())
}

/// [`compile`] with the configuration's settings: each setting a rule reads
/// is resolved here, once, into the expression it stands for.
pub fn compile_with(sources: &[RuleSource], settings: &Settings) -> Result<RuleSet, RuleErrors> {
    compile_parts(sources, settings, parse::Tests::Read)
}

/// [`compile_with`] for checking reports: the files' `test` blocks are passed
/// over, not parsed nor checked (`rules check` and `rules test` read them), so
/// [`RuleSet::tests`] is empty. The rules are the same.
pub fn compile_for_checking(sources: &[RuleSource], settings: &Settings) -> Result<RuleSet, RuleErrors> {
    compile_parts(sources, settings, parse::Tests::Skip)
}

fn compile_parts(
    sources: &[RuleSource],
    settings: &Settings,
    tests: parse::Tests,
) -> Result<RuleSet, RuleErrors> {
    let mut diags: Vec<RuleDiagnostic> = Vec::new();
    let mut set = RuleSet::default();
    let mut parsed = Vec::new();
    let mut patterns = parse::PatternCache::default();
    for src in sources {
        let file = FileRef {
            name: Arc::from(src.name.as_str()),
            text: Arc::from(src.text.as_str()),
        };
        let (p, errs) = parse::parse_file(&file, tests, &mut patterns);
        diags.extend(errs);
        parsed.push((file, p));
    }
    let mut first_def: Vec<(String, FileRef, ast::SrcSpan)> = Vec::new();
    let mut all_ids: Vec<String> = Vec::new();
    for (file, p) in &parsed {
        for r in &p.rules {
            if let Some((_, ffile, fspan)) = first_def.iter().find(|(id, ..)| *id == r.id.text) {
                let mut d = RuleDiagnostic::new(
                    file,
                    Code::DuplicateId,
                    r.id.span,
                    format!("rule id `{}` is defined twice", r.id.text),
                )
                .label("second definition");
                if Arc::ptr_eq(&ffile.name, &file.name) {
                    d = d
                        .also(*fspan, "first definition")
                        .help("rule ids must be unique; rename one");
                } else {
                    d = d.help(format!(
                        "first defined in {}; rule ids must be unique",
                        ffile.name
                    ));
                }
                diags.push(d);
            } else {
                first_def.push((r.id.text.clone(), file.clone(), r.id.span));
            }
            all_ids.push(r.id.text.clone());
        }
    }
    for (file, p) in parsed {
        let mut checker = check::Checker::new(&file, *settings);
        for raw in p.rules {
            if let Some(rule) = checker.rule(raw) {
                set.rules.push(rule);
            }
        }
        for raw in p.tests {
            if let Some(t) = checker.test(raw, &all_ids) {
                set.tests.push(t);
            }
        }
        diags.extend(checker.errors);
    }
    if diags.is_empty() {
        // Duplicates were reported above; keep the first definition only.
        Ok(set)
    } else {
        diags.sort_by(|a, b| (a.src.name(), a.span.start).cmp(&(b.src.name(), b.span.start)));
        Err(RuleErrors {
            errors: diags.into_iter().map(miette::Report::new).collect(),
        })
    }
}
