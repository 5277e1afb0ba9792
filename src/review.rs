//! The review file: a reviewer's decisions on findings (confirmed, or
//! dismissed with a reason), kept next to the reports in a plain TOML file
//! that diffs line by line, and applied by `check --review` and `serve
//! --review` on every re-run. A decision is tied to its finding by the
//! finding's fingerprint (`nianbao_engine::review::fingerprint`), so it
//! survives re-exports, re-encodings and unrelated edits of the report; a
//! decision whose report was checked and no longer has its finding is
//! stale (the report was corrected).
//!
//! `nianbao review` records decisions from the command line; the format is
//! documented in docs/review.md.

use crate::check::{RuleArgs, Sink};
use crate::config::rule_matches;
use crate::inputs::for_each_input;
use miette::{Diagnostic, IntoDiagnostic, NamedSource, SourceSpan};
use nianbao_engine::review::{Decision, DecisionRecord, Review};
use nianbao_engine::{Checked, Finding, Outcome, ReportResult};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The review file `nianbao review` uses when none is given.
pub const DEFAULT_FILE: &str = "nianbao-review.toml";

/// What the file says before its decisions.
const HEADER: &str = "\
# nianbao 复核记录 (review file). Written by `nianbao review` and `nianbao serve --review`;
# read by `nianbao check --review`. One [[decision]] per finding, matched by its
# fingerprint; `message` is the finding as it was when decided. See docs/review.md.
";

/// The report a decision is about: its body and year when it names both,
/// else its file.
fn report_key(d: &DecisionRecord) -> ReportKey {
    match (d.body.is_empty(), d.year) {
        (false, Some(year)) => ReportKey::Identity(nianbao_model::label::normalize(&d.body), year),
        _ => ReportKey::File(d.file.clone()),
    }
}

/// How a decision names its report.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ReportKey {
    /// The issuing body (normalised) and the year.
    Identity(String, i32),
    /// The file, for a report that does not state both.
    File(String),
}

/// The keys a checked report answers to.
fn report_keys(file: &str, checked: &Checked) -> [Option<ReportKey>; 2] {
    let identity = match (&checked.body, checked.year) {
        (Some(body), Some(year)) => Some(ReportKey::Identity(nianbao_model::label::normalize(body), year)),
        _ => None,
    };
    [identity, Some(ReportKey::File(file.to_string()))]
}

/// The file as written: its decisions in order.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    #[serde(default)]
    decision: Vec<DecisionRecord>,
}

/// A review file that cannot be used: where and what is wrong.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("review file {path}: {message}")]
#[diagnostic(
    code(nianbao::review::invalid),
    help("fix or remove the entry (docs/review.md describes the file); nothing was checked against a damaged review file")
)]
pub struct ReviewFileError {
    path: String,
    message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
}

/// The decisions of a review file, by fingerprint.
#[derive(Debug, Default)]
pub struct ReviewBook {
    pub path: PathBuf,
    pub entries: Vec<DecisionRecord>,
    by_fingerprint: HashMap<String, usize>,
    /// The entries about each report.
    by_report: HashMap<ReportKey, Vec<usize>>,
    /// Which entries' findings were seen in this run.
    seen: Vec<bool>,
    /// Which entries' reports were checked in this run, and the file
    /// that matched.
    checked_in: Vec<Option<String>>,
}

impl ReviewBook {
    /// The review file at `path`; a file that does not exist is an empty
    /// book when `may_be_new` (it is written on the first decision), else an
    /// error.
    pub fn load(path: &Path, may_be_new: bool) -> miette::Result<ReviewBook> {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
                miette::miette!(
                    code = "nianbao::review::encoding",
                    "review file {}: not UTF-8 (byte {})",
                    path.display(),
                    e.utf8_error().valid_up_to()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && may_be_new => String::new(),
            Err(e) => {
                return Err(miette::miette!(
                    code = "nianbao::review::io",
                    "cannot read the review file {}: {e}",
                    path.display()
                ))
            }
        };
        Self::parse(path, &text).map_err(|e| miette::Report::new(*e))
    }

    /// The decisions of `text`, the contents of the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<ReviewBook, Box<ReviewFileError>> {
        let name = path.display().to_string();
        let error = |message: String, span: Option<std::ops::Range<usize>>, label: &str| {
            Box::new(ReviewFileError {
                path: name.clone(),
                message,
                src: NamedSource::new(&name, text.to_string()),
                span: span.map(SourceSpan::from),
                label: label.to_string(),
            })
        };
        let form: FileForm =
            toml::from_str(text).map_err(|e| error(e.message().to_string(), e.span(), "here"))?;
        // Where each entry's fingerprint is written, for errors about it.
        let spans = fingerprint_spans(text);
        let mut book = ReviewBook {
            path: path.to_path_buf(),
            ..ReviewBook::default()
        };
        for (i, entry) in form.decision.into_iter().enumerate() {
            let span = spans.get(i).cloned();
            if !is_fingerprint(&entry.fingerprint) {
                return Err(error(
                    format!(
                        "{:?} is not a fingerprint (16 hexadecimal digits)",
                        entry.fingerprint
                    ),
                    span,
                    "this fingerprint",
                ));
            }
            if entry.decision == Decision::Dismissed && entry.reason.trim().is_empty() {
                return Err(error(
                    format!("the dismissal of {} has no reason", entry.fingerprint),
                    span,
                    "this decision",
                ));
            }
            if let Some(&first) = book.by_fingerprint.get(&entry.fingerprint) {
                return Err(error(
                    format!(
                        "{} is decided twice (decisions {} and {})",
                        entry.fingerprint,
                        first + 1,
                        i + 1
                    ),
                    span,
                    "the second decision",
                ));
            }
            book.insert(entry);
        }
        Ok(book)
    }

    fn insert(&mut self, entry: DecisionRecord) {
        self.by_fingerprint
            .insert(entry.fingerprint.clone(), self.entries.len());
        self.by_report
            .entry(report_key(&entry))
            .or_default()
            .push(self.entries.len());
        self.entries.push(entry);
        self.seen.push(false);
        self.checked_in.push(None);
    }

    /// Record `entry`, replacing an earlier decision on the same finding.
    pub fn record(&mut self, entry: DecisionRecord) {
        match self.by_fingerprint.get(&entry.fingerprint) {
            Some(&i) => {
                // The same finding, perhaps seen in another file: index it anew.
                if let Some(list) = self.by_report.get_mut(&report_key(&self.entries[i])) {
                    list.retain(|&k| k != i);
                }
                self.by_report.entry(report_key(&entry)).or_default().push(i);
                self.entries[i] = entry;
            }
            None => self.insert(entry),
        }
    }

    /// Remove the decisions `remove` says to; how many were removed.
    pub fn remove_where(&mut self, mut remove: impl FnMut(usize, &DecisionRecord) -> bool) -> usize {
        let entries = std::mem::take(&mut self.entries);
        let (seen, checked_in) = (
            std::mem::take(&mut self.seen),
            std::mem::take(&mut self.checked_in),
        );
        self.by_fingerprint.clear();
        self.by_report.clear();
        let mut removed = 0;
        for (i, ((entry, seen), checked_in)) in entries.into_iter().zip(seen).zip(checked_in).enumerate() {
            if remove(i, &entry) {
                removed += 1;
                continue;
            }
            self.insert(entry);
            if let (Some(s), Some(c)) = (self.seen.last_mut(), self.checked_in.last_mut()) {
                *s = seen;
                *c = checked_in;
            }
        }
        removed
    }

    /// Apply the decisions to a report's findings, and note which
    /// decisions' reports were checked and which findings were seen.
    pub fn apply(&mut self, result: &mut ReportResult) {
        let Outcome::Checked(checked) = &mut result.outcome else {
            return;
        };
        for f in &mut checked.findings {
            if let Some(&i) = self.by_fingerprint.get(&f.fingerprint) {
                f.review = Some(self.entries[i].review());
                self.seen[i] = true;
            }
        }
        for key in report_keys(&result.path, checked).into_iter().flatten() {
            for &i in self.by_report.get(&key).into_iter().flatten() {
                if self.checked_in[i].is_none() {
                    self.checked_in[i] = Some(result.path.clone());
                }
            }
        }
    }

    /// Decisions whose report was checked in this run without their
    /// finding, each with the file that was checked.
    pub fn stale(&self) -> Vec<DecisionRecord> {
        self.stale_indices()
            .map(|(i, file)| DecisionRecord {
                file: file.to_string(),
                ..self.entries[i].clone()
            })
            .collect()
    }

    fn stale_indices(&self) -> impl Iterator<Item = (usize, &str)> + '_ {
        (0..self.entries.len()).filter_map(|i| match (&self.checked_in[i], self.seen[i]) {
            (Some(file), false) => Some((i, file.as_str())),
            _ => None,
        })
    }

    /// Write the book to its file, atomically, in TOML.
    pub fn save(&self) -> miette::Result<()> {
        let form = FileForm {
            decision: self.entries.clone(),
        };
        let body = toml::to_string(&form).into_diagnostic()?;
        let mut sink = Sink::open(Some(&self.path))?;
        let written = sink
            .writer()
            .write_all(HEADER.as_bytes())
            .and_then(|()| sink.writer().write_all(b"\n"))
            .and_then(|()| sink.writer().write_all(body.as_bytes()));
        written
            .into_diagnostic()
            .map_err(|e| e.wrap_err(format!("cannot write {}", self.path.display())))?;
        sink.commit()
    }
}

fn is_fingerprint(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Where each `fingerprint = "…"` of the file is, in order: the spans of
/// errors about an entry.
fn fingerprint_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("fingerprint") && trimmed.contains('=') {
            let start = offset + (line.len() - trimmed.len());
            spans.push(start..offset + line.trim_end().len());
        }
        offset += line.len();
    }
    spans
}

/// Today's date where the reviewer is (YYYY-MM-DD).
pub fn today() -> String {
    jiff::Zoned::now().date().to_string()
}

// ------------------------------------------------------------ the command

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Confirm findings: real problems, for the 问题清单.
    Confirm(DecideArgs),
    /// Dismiss findings, with a reason (--reason): not counted any more.
    Dismiss(DecideArgs),
    /// Remove the decisions on findings (they count as undecided again).
    Reopen(SelectArgs),
    /// Remove the decisions whose finding no longer occurs in its report
    /// among PATHS (the report was corrected).
    Prune(FileArgs),
    /// List the decisions of the review file.
    List(ListArgs),
}

#[derive(clap::Args)]
struct ListArgs {
    /// The review file.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_FILE)]
    review: PathBuf,
}

#[derive(clap::Args)]
struct FileArgs {
    /// The review file (created on the first decision).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_FILE)]
    review: PathBuf,
    /// The reports the findings are in (files or directories).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    #[command(flatten)]
    rule_args: RuleArgs,
    /// Largest input file read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    max_size: u64,
}

#[derive(clap::Args)]
struct SelectArgs {
    #[command(flatten)]
    file: FileArgs,
    /// The finding with this fingerprint, or a unique prefix of one
    /// (repeatable; `check --format json` shows them).
    #[arg(long, value_name = "FP")]
    fingerprint: Vec<String>,
    /// Every finding of this rule (an id, or a prefix such as `requests`;
    /// repeatable).
    #[arg(long, value_name = "RULE")]
    rule: Vec<String>,
}

#[derive(clap::Args)]
struct DecideArgs {
    #[command(flatten)]
    select: SelectArgs,
    /// Why (required to dismiss), e.g. "表内已注明口径".
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// Who decides [default: $NIANBAO_REVIEWER].
    #[arg(long, value_name = "NAME")]
    reviewer: Option<String>,
    /// When [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<jiff::civil::Date>,
}

/// The findings of every report of PATHS, with the report they are in.
fn check_paths(args: &FileArgs) -> miette::Result<Vec<ReportResult>> {
    let config = args.rule_args.config()?;
    let checker = args.rule_args.checker(&config)?;
    let mut results = Vec::new();
    let mut failed = Vec::new();
    for_each_input(
        &args.paths,
        args.max_size.saturating_mul(1 << 20),
        |name, bytes| match bytes {
            Ok(bytes) => results.push(checker.check_read(&name, &bytes, None, false).0),
            Err(failure) => failed.push(format!("{name}: {}", failure.message)),
        },
    );
    if let Some(first) = failed.first() {
        miette::bail!(
            code = "nianbao::review::input",
            "cannot read {} of the reports: {first}",
            failed.len()
        );
    }
    Ok(results)
}

impl SelectArgs {
    /// The findings selected, each with its report; an error when nothing
    /// is selected or a fingerprint matches no finding (or several).
    fn selected<'r>(
        &self,
        results: &'r [ReportResult],
    ) -> miette::Result<Vec<(&'r Finding, &'r str, &'r Checked)>> {
        if self.fingerprint.is_empty() && self.rule.is_empty() {
            miette::bail!(
                code = "nianbao::review::usage",
                help = "`nianbao check --format json` shows each finding's fingerprint",
                "say which findings: --fingerprint FP or --rule RULE"
            );
        }
        let all: Vec<(&Finding, &str, &Checked)> = results
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::Checked(c) => Some((r.path.as_str(), c)),
                Outcome::Failed(_) => None,
            })
            .flat_map(|(path, c)| c.findings.iter().map(move |f| (f, path, c)))
            .collect();
        for fp in &self.fingerprint {
            let mut matching: Vec<&str> = all
                .iter()
                .filter(|(f, _, _)| f.fingerprint.starts_with(fp.as_str()))
                .map(|(f, _, _)| f.fingerprint.as_str())
                .collect();
            matching.sort_unstable();
            matching.dedup();
            match matching.len() {
                1 => {}
                0 => miette::bail!(
                    code = "nianbao::review::no_finding",
                    help = "`nianbao check --format json` on the same reports shows their fingerprints",
                    "no finding has fingerprint {fp:?} in {}",
                    self.file.paths.join(" ")
                ),
                n => miette::bail!(
                    code = "nianbao::review::ambiguous",
                    "{fp:?} begins {n} fingerprints ({}): give more of it",
                    matching.join(", ")
                ),
            }
        }
        let chosen: Vec<_> = all
            .into_iter()
            .filter(|(f, _, _)| {
                self.fingerprint
                    .iter()
                    .any(|fp| f.fingerprint.starts_with(fp.as_str()))
                    || self.rule.iter().any(|r| rule_matches(r, &f.rule))
            })
            .collect();
        if chosen.is_empty() {
            miette::bail!(
                code = "nianbao::review::no_finding",
                "no finding of {} in {}",
                self.rule.join(", "),
                self.file.paths.join(" ")
            );
        }
        Ok(chosen)
    }
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    match args.action {
        Action::Confirm(a) => decide(a, Decision::Confirmed),
        Action::Dismiss(a) => decide(a, Decision::Dismissed),
        Action::Reopen(a) => {
            let results = check_paths(&a.file)?;
            let chosen = a.selected(&results)?;
            let mut book = ReviewBook::load(&a.file.review, true)?;
            let fingerprints: std::collections::HashSet<&str> =
                chosen.iter().map(|(f, _, _)| f.fingerprint.as_str()).collect();
            let removed = book.remove_where(|_, e| fingerprints.contains(e.fingerprint.as_str()));
            book.save()?;
            println!("{removed} 个决定已撤销（{}）", book.path.display());
            Ok(ExitCode::SUCCESS)
        }
        Action::Prune(a) => {
            let mut book = ReviewBook::load(&a.review, false)?;
            for mut result in check_paths(&a)? {
                book.apply(&mut result);
            }
            let stale: std::collections::HashSet<usize> = book.stale_indices().map(|(i, _)| i).collect();
            let removed = book.remove_where(|i, _| stale.contains(&i));
            book.save()?;
            println!("{removed} 个过时的决定已删去（{}）", book.path.display());
            Ok(ExitCode::SUCCESS)
        }
        Action::List(a) => {
            let book = ReviewBook::load(&a.review, false)?;
            let mut out = std::io::stdout().lock();
            for e in &book.entries {
                let year = e.year.map(|y| format!(" {y}")).unwrap_or_default();
                writeln!(
                    out,
                    "{}\t{}\t{}{year}\t{}\t{}\t{}",
                    e.fingerprint,
                    e.decision.describe(),
                    e.body,
                    e.rule,
                    e.reason,
                    e.message
                )
                .into_diagnostic()?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn decide(args: DecideArgs, decision: Decision) -> miette::Result<ExitCode> {
    let reason = args.reason.unwrap_or_default().trim().to_string();
    if decision == Decision::Dismissed && reason.is_empty() {
        miette::bail!(
            code = "nianbao::review::usage",
            help = "e.g. --reason \"表内已注明口径\"",
            "a dismissal needs a reason (--reason)"
        );
    }
    let reviewer = args
        .reviewer
        .or_else(|| std::env::var("NIANBAO_REVIEWER").ok())
        .unwrap_or_default();
    let date = args.date.map_or_else(today, |d| d.to_string());
    let results = check_paths(&args.select.file)?;
    let chosen = args.select.selected(&results)?;
    let mut book = ReviewBook::load(&args.select.file.review, true)?;
    for (finding, file, checked) in &chosen {
        let review = Review {
            decision,
            reason: reason.clone(),
            reviewer: reviewer.clone(),
            date: date.clone(),
        };
        book.record(DecisionRecord::new(finding, file, checked, review));
    }
    book.save()?;
    println!(
        "{} 个问题{}，记入 {}",
        chosen.len(),
        decision.describe(),
        book.path.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = "[[decision]]\nfingerprint = \"0123456789abcdef\"\nrule = \"requests.row-total\"\n\
                         body = \"某局\"\nyear = 2023\ndecision = \"dismissed\"\nreason = \"表内已注明口径\"\n";

    fn parse(text: &str) -> Result<ReviewBook, Box<ReviewFileError>> {
        ReviewBook::parse(Path::new("r.toml"), text)
    }

    #[test]
    fn reads_what_it_writes() {
        let book = parse(ENTRY).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(book.entries.len(), 1);
        let again = toml::to_string(&FileForm {
            decision: book.entries.clone(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let reread = parse(&again).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(reread.entries, book.entries);
        assert_eq!(book.entries[0].reason, "表内已注明口径");
    }

    #[test]
    fn damage_is_an_error_at_its_place() {
        let wrong_decision = ENTRY.replace("\"dismissed\"", "\"dismiss\"");
        let e = parse(&wrong_decision)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("dismiss"), "{e}");
        let no_reason = ENTRY.replace("reason = \"表内已注明口径\"\n", "");
        let e = parse(&no_reason).err().map(|e| e.message).unwrap_or_default();
        assert!(e.contains("no reason"), "{e}");
        let twice = format!("{ENTRY}\n{ENTRY}");
        let e = parse(&twice).err().map(|e| (e.message, e.span));
        assert_eq!(
            e.as_ref().map(|(m, _)| m.as_str()),
            Some("0123456789abcdef is decided twice (decisions 1 and 2)")
        );
        let second = twice.rfind("fingerprint").unwrap_or(0);
        assert_eq!(e.and_then(|(_, s)| s).map(|s| s.offset()), Some(second));
        let bad_fingerprint = ENTRY.replace("0123456789abcdef", "xyz");
        assert!(parse(&bad_fingerprint).is_err());
        assert!(parse("[[decision]]\nfingerprint = ").is_err());
        assert!(parse("").map(|b| b.entries.is_empty()).unwrap_or(false));
    }
}
