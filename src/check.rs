//! `nianbao check`: read reports, evaluate the rules, render findings.
//!
//! The work per input is one pure function, [`Checker::check`], from (path,
//! bytes) to a [`ReportResult`], so inputs can be checked in any order (or in
//! parallel) and rendered in path order as they complete.

use crate::config::{Config, Selection};
use crate::inputs::{collect_inputs, read_input, read_input_into, Input, Inputs};
use crate::review::ReviewBook;
use crate::EXIT_ERROR;
use clap::ValueEnum;
use miette::{Context, Diagnostic, IntoDiagnostic};
use nianbao_engine::eval::CompiledRules;
use nianbao_engine::registry::{registry, Origin};
use nianbao_engine::render::html::HtmlRenderer;
use nianbao_engine::render::human::{HumanOptions, HumanRenderer};
use nianbao_engine::render::json::JsonRenderer;
use nianbao_engine::render::sarif::SarifRenderer;
use nianbao_engine::render::statistics::StatisticsRenderer;
use nianbao_engine::render::xlsx::XlsxRenderer;
use nianbao_engine::repetition::{DEFAULT_THRESHOLD, REPEATED_TEXT};
use nianbao_engine::{
    Checked, Evaluation, InputFailure, Outcome, Renderer, ReportResult, RuleInfo, Severity, Summary,
};
use nianbao_model::Report;
use nianbao_rules::RuleSet;
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Report files or directories (searched for .txt, .json, .html, .htm, .docx and .pdf files); `-`
    /// reads standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    #[command(flatten)]
    rule_args: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Last year's report of the same body, for cross-year rules.
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,
    /// Pair each report with last year's report of the same body among the
    /// inputs (by issuing body and year) for the cross-year rules.
    #[arg(long, conflicts_with = "previous")]
    pair_by_body: bool,
    /// Lowest severity that makes the exit code 1 [default: error, or the
    /// configuration's fail-on].
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<Level>,
    /// Only check files under directories whose path matches GLOB
    /// (repeatable; replaces the .txt/.json filter). Named files are always checked.
    #[arg(long, value_name = "GLOB")]
    glob: Vec<String>,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Print how many findings each rule has (a table, or JSON with
    /// --format json) instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// No progress bar (there is none when standard error is not a terminal).
    #[arg(long, short)]
    quiet: bool,
    /// Inputs checked at once [default: one per CPU].
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Largest input file read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    max_size: u64,
    /// Read every input as this format instead of choosing by extension and
    /// content (text, json, html, docx, pdf).
    #[arg(long, value_name = "FORMAT")]
    input_format: Option<nianbao_reader::InputFormat>,
    /// List, for each report not read whole, the rules that could not be
    /// checked and the places not read that they needed (human output; JSON
    /// and SARIF always carry them).
    #[arg(long)]
    show_unchecked: bool,
    /// Treat a report that could not be read whole as a failure (exit 2),
    /// e.g. in CI where every report must be checked in full.
    #[arg(long)]
    require_complete: bool,
    /// Apply a reviewer's decisions (docs/review.md): dismissed findings
    /// are not counted nor in the exit code, and are shown apart; decisions
    /// whose finding no longer occurs are reported as stale.
    #[arg(long, value_name = "FILE")]
    review: Option<PathBuf>,
    /// Show only what counts: not the findings a reviewer dismissed.
    #[arg(long)]
    problems_only: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Sarif,
    /// A self-contained audit page with the report's tables.
    Html,
    /// The 问题清单 workbook (Excel): findings with their review state, a
    /// summary per body, reports not read whole. Needs --output.
    Xlsx,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Level {
    Error,
    Warning,
    Info,
}

impl From<Level> for Severity {
    fn from(l: Level) -> Severity {
        match l {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

/// Last year's report for an input.
enum Previous {
    /// Its pair's among the inputs (`--pair-by-body`), if that can be read.
    Paired(Option<Box<Report>>),
    /// `--previous`, if given.
    Given,
}

/// A report read from an input, not yet checked.
pub struct ReadReport {
    report: Report,
    /// Where the report's text starts in the input's bytes.
    base_offset: usize,
}

/// Everything needed to check one input, shared by all inputs.
pub struct Checker {
    pub rules: CompiledRules,
    pub previous: Option<Report>,
    pub selection: Selection,
    /// `--input-format`: read inputs as this format; `None` chooses by
    /// extension and content.
    pub input_format: Option<nianbao_reader::InputFormat>,
    /// Where the rules' documentation is published (`docs-url`), for links.
    pub docs_url: Option<String>,
}

impl Checker {
    /// Read and check one input with `previous` as last year's report,
    /// also giving the report as read when `keep_report` (for output that
    /// draws its tables). Never fails: an unreadable input is an
    /// [`Outcome::Failed`].
    pub fn check_read(
        &self,
        path: &str,
        bytes: &[u8],
        previous: Option<&Report>,
        keep_report: bool,
    ) -> (ReportResult, Option<Report>) {
        self.check_report(path, self.read(path, bytes), previous, keep_report)
    }

    /// The first half of [`Checker::check_read`]: the report of an input's
    /// bytes, with the offset of its text in them.
    pub fn read(&self, path: &str, bytes: &[u8]) -> Result<ReadReport, InputFailure> {
        let report = nianbao_reader::read_bytes_as(path, bytes, self.input_format)
            .map_err(|e| failure_of(path, &e))?;
        // Offsets in output are into the file: count what decoding dropped
        // before the text (a byte-order mark).
        let text = report.source.text.as_bytes();
        let base_offset = if bytes.ends_with(text) {
            bytes.len() - text.len()
        } else {
            0
        };
        Ok(ReadReport { report, base_offset })
    }

    /// The second half of [`Checker::check_read`]: the rules on a report read.
    pub fn check_report(
        &self,
        path: &str,
        read: Result<ReadReport, InputFailure>,
        previous: Option<&Report>,
        keep_report: bool,
    ) -> (ReportResult, Option<Report>) {
        let mut kept = None;
        let outcome = match read {
            Err(failure) => Outcome::Failed(failure),
            Ok(ReadReport {
                mut report,
                base_offset,
            }) => {
                let Evaluation {
                    mut findings,
                    mut reading,
                } = self.rules.evaluate(&report, previous);
                findings.retain(|f| self.selection.enabled(&f.rule));
                reading.limits.retain(|f| self.selection.enabled(&f.rule));
                reading.notes.retain(|f| self.selection.enabled(&f.rule));
                // Reading limits keep their own severity: configuration sets
                // how findings about the report count, and these are not.
                for f in &mut findings {
                    if let Some(s) = self.selection.severity(&f.rule) {
                        f.severity = s;
                    }
                }
                let body = report.metadata.body.as_ref().map(|b| b.value.clone());
                let year = report.metadata.year.as_ref().map(|y| y.value);
                let (text, pages, table_rows) = if keep_report {
                    let source = (
                        report.source.text.clone(),
                        report.source.pages.clone(),
                        report.source.table_rows.clone(),
                    );
                    kept = Some(report);
                    source
                } else {
                    (
                        std::mem::take(&mut report.source.text),
                        std::mem::take(&mut report.source.pages),
                        std::mem::take(&mut report.source.table_rows),
                    )
                };
                Outcome::Checked(Checked {
                    text,
                    base_offset,
                    pages,
                    table_rows,
                    body,
                    year,
                    findings,
                    reading,
                })
            }
        };
        let result = ReportResult {
            path: path.to_string(),
            outcome,
        };
        (result, kept)
    }

    /// The rules in force, as output formats describe them.
    pub fn rule_infos(&self) -> Vec<RuleInfo> {
        registry(self.rules.rules())
            .iter()
            .filter(|doc| self.selection.enabled(doc.id))
            .map(|doc| {
                let mut info = RuleInfo::from_doc(doc, self.docs_url.as_deref());
                // A reading limit's severity is not configurable: it is never
                // a defect of the report.
                if doc.origin != Origin::ReadingLimit {
                    info.severity = self.selection.severity(doc.id).unwrap_or(doc.severity);
                }
                info
            })
            .collect()
    }
}

/// " (did you mean \"…\"?)" with the rule id (or prefix) among `candidates`
/// closest to a mistyped `word`, or nothing when none is close.
pub(crate) fn did_you_mean<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> String {
    let max_distance = word.chars().count() / 3 + 1;
    nianbao_model::label::closest(word, candidates, max_distance)
        .map(|(id, _)| format!(" (did you mean {id:?}?)"))
        .unwrap_or_default()
}

/// Fails on select/ignore/severity patterns that match none of `rules`
/// (nor an extraction rule), suggesting the closest rule id.
fn validate_selection(selection: &Selection, rules: &RuleSet) -> miette::Result<()> {
    let ids: Vec<&str> = registry(rules).iter().map(|doc| doc.id).collect();
    let unknown = selection.unknown_patterns(&ids);
    let Some((place, pattern)) = unknown.first() else {
        return Ok(());
    };
    // Suggest among the ids and their dotted prefixes ("requests").
    let mut candidates: Vec<&str> = ids
        .iter()
        .flat_map(|id| id.match_indices('.').map(|(i, _)| &id[..i]).chain([*id]))
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let suggestion = did_you_mean(pattern, candidates);
    Err(miette::miette!(
        code = "nianbao::config::unknown_rule",
        help = "patterns are rule ids or prefixes of them; `nianbao rules list` shows the rules",
        "{place} pattern {pattern:?} matches no rule{suggestion}"
    ))
}

/// A reader error as the failure of input `path`. Every output shows the
/// path beside the failure, so the reader's own "path: " prefix is dropped
/// rather than printed twice.
fn failure_of(path: &str, e: &dyn Diagnostic) -> InputFailure {
    let message = e.to_string();
    let message = message
        .strip_prefix(path)
        .and_then(|rest| rest.strip_prefix(": "))
        .map_or_else(|| message.clone(), str::to_string);
    InputFailure {
        code: e
            .code()
            .map_or_else(|| "nianbao::read".to_string(), |c| c.to_string()),
        message,
        help: e.help().map(|h| h.to_string()),
    }
}

/// Inputs checked per thread between two writes of output.
const BATCH_PER_THREAD: usize = 64;

/// Inputs read one after another before they are checked one after
/// another. Interleaving the two per input evicts each phase's tables from
/// the core's caches (the rules' regexes search 2-3x slower after the
/// reader has run); a few reports held at once keep memory flat.
const PHASE_GROUP: usize = 8;

thread_local! {
    /// Each checking thread reads its files into one buffer, reused.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Which rules run and how their findings count: the options `check` and
/// `serve` share, over the configuration file.
#[derive(clap::Args)]
pub struct RuleArgs {
    /// Add the rule files of DIR to the rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Do not use the built-in rules.
    #[arg(long)]
    no_default_rules: bool,
    /// Only these rules (ids or prefixes, comma-separated); replaces the
    /// configuration's `select`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,
    /// Also ignore these rules (ids or prefixes, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// Configuration file [default: nianbao.toml in the current directory or a parent].
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    isolated: bool,
}

impl RuleArgs {
    /// The configuration in force (none with `--isolated`).
    pub fn config(&self) -> miette::Result<Config> {
        if self.isolated {
            return Ok(Config::default());
        }
        let cwd = std::env::current_dir().into_diagnostic()?;
        Ok(Config::find_and_load(self.config.as_deref(), &cwd)?)
    }

    /// A checker with the configured rules and selection, checked against
    /// each other (a pattern that matches no rule is an error).
    pub fn checker(&self, config: &Config) -> miette::Result<Checker> {
        let selection = Selection {
            select: if self.select.is_empty() {
                config.select.clone()
            } else {
                self.select.clone()
            },
            ignore: config.ignore.iter().chain(&self.ignore).cloned().collect(),
            severity: config.severity.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        };
        let mut rules = self.load_rules(config)?;
        validate_selection(&selection, &rules)?;
        // A rule left out is never evaluated: a narrowed check costs only
        // what it checks. (Findings are still filtered: the engine's
        // extraction rules are not in the rule set.)
        rules.rules.retain(|r| selection.enabled(&r.id));
        let repeated_text = selection
            .enabled(REPEATED_TEXT)
            .then(|| config.repeated_text_threshold.unwrap_or(DEFAULT_THRESHOLD));
        Ok(Checker {
            rules: CompiledRules::new(rules).with_repeated_text_threshold(repeated_text),
            previous: None,
            selection,
            input_format: None,
            docs_url: config.docs_url.clone(),
        })
    }

    fn load_rules(&self, config: &Config) -> miette::Result<RuleSet> {
        let mut sources = if self.no_default_rules || config.no_default_rules {
            Vec::new()
        } else {
            nianbao_rules::builtin_sources()
        };
        for dir in config.rule_dirs().iter().chain(&self.rules) {
            if !dir.is_dir() {
                miette::bail!("rule directory not found: {}", dir.display());
            }
            sources.extend(nianbao_rules::load_dir(dir)?);
        }
        Ok(nianbao_rules::compile_for_checking(&sources, &config.settings())?)
    }
}

fn load_previous(path: &Path) -> miette::Result<Report> {
    let bytes = std::fs::read(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the previous report {}", path.display()))?;
    Ok(nianbao_reader::read_bytes(&path.display().to_string(), &bytes)?)
}

/// Bytes of output written at once: a batch's JSON in a write or two
/// (std's 8 KiB made a thousand writes of 20,000 reports).
const OUTPUT_BUFFER: usize = 64 << 10;

/// Where output goes: standard output, or a temporary file renamed over the
/// target when complete (an interrupted run leaves the target untouched).
pub(crate) enum Sink {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
    File(std::io::BufWriter<tempfile::NamedTempFile>, PathBuf),
}

impl Sink {
    pub(crate) fn open(output: Option<&Path>) -> miette::Result<Sink> {
        Ok(match output {
            None => Sink::Stdout(std::io::BufWriter::with_capacity(
                OUTPUT_BUFFER,
                std::io::stdout().lock(),
            )),
            Some(path) => {
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let tmp = tempfile::Builder::new()
                    .prefix(".nianbao-")
                    .tempfile_in(dir)
                    .into_diagnostic()
                    .wrap_err_with(|| format!("cannot write to {}", path.display()))?;
                Sink::File(
                    std::io::BufWriter::with_capacity(OUTPUT_BUFFER, tmp),
                    path.to_path_buf(),
                )
            }
        })
    }

    pub(crate) fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::Stdout(w) => w,
            Sink::File(w, _) => w,
        }
    }

    pub(crate) fn commit(self) -> miette::Result<()> {
        match self {
            Sink::Stdout(mut w) => w.flush().into_diagnostic(),
            Sink::File(w, path) => {
                let tmp = w.into_inner().map_err(|e| e.into_error()).into_diagnostic()?;
                // Temporary files are private (0600); the output gets the
                // permissions of the file it replaces, or ordinary ones.
                let permissions = match std::fs::metadata(&path) {
                    Ok(meta) => Some(meta.permissions()),
                    Err(_) => default_permissions(),
                };
                if let Some(p) = permissions {
                    tmp.as_file().set_permissions(p).into_diagnostic()?;
                }
                tmp.persist(&path)
                    .into_diagnostic()
                    .wrap_err_with(|| format!("cannot write {}", path.display()))?;
                Ok(())
            }
        }
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    let config = args.rule_args.config()?;
    let mut globs = globset::GlobSetBuilder::new();
    for g in &args.glob {
        globs.add(
            globset::Glob::new(g)
                .into_diagnostic()
                .wrap_err_with(|| format!("invalid --glob {g:?}"))?,
        );
    }
    let globs = globs.build().into_diagnostic()?;

    let checker = Checker {
        previous: args.previous.as_deref().map(load_previous).transpose()?,
        input_format: args.input_format,
        ..args.rule_args.checker(&config)?
    };
    let fail_on = args
        .fail_on
        .map(Severity::from)
        .or(config.fail_on)
        .unwrap_or(Severity::Error);

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let colour = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => to_terminal && !no_color,
    };
    if args.statistics && matches!(args.format, FormatArg::Sarif | FormatArg::Html | FormatArg::Xlsx) {
        miette::bail!("--statistics prints a table or JSON, not SARIF, HTML or a workbook");
    }
    if args.format == FormatArg::Xlsx && args.output.is_none() && std::io::stdout().is_terminal() {
        miette::bail!(
            help = "e.g. --output 问题清单.xlsx",
            "a workbook is not for the terminal: write it to a file with --output"
        );
    }
    let mut renderer: Box<dyn Renderer> = match args.format {
        _ if args.statistics => Box::new(StatisticsRenderer::new(args.format == FormatArg::Json)),
        FormatArg::Human => Box::new(HumanRenderer::new(HumanOptions {
            colour,
            width: terminal_width(to_terminal),
            show_unchecked: args.show_unchecked,
            show_dismissed: !args.problems_only,
        })),
        FormatArg::Json => Box::new(JsonRenderer::new()),
        FormatArg::Sarif => Box::new(SarifRenderer::new(checker.rule_infos())),
        FormatArg::Html => Box::new(HtmlRenderer::new()),
        FormatArg::Xlsx => Box::new(XlsxRenderer::new(checker.rule_infos())),
    };
    // Only the HTML page draws the tables: other formats keep no report.
    let keep_reports = args.format == FormatArg::Html && !args.statistics;

    let mut review = args
        .review
        .as_deref()
        .map(|path| ReviewBook::load(path, false))
        .transpose()?;
    let max_bytes = args.max_size.saturating_mul(1 << 20);
    let mut sink = Sink::open(args.output.as_deref())?;
    let mut summary = Summary::default();
    let inputs = collect_inputs(&args.paths, &globs, !args.glob.is_empty());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .into_diagnostic()?;
    // Pairing reads every input twice, and the second time in any order:
    // it lists the inputs in full (its memory grows with the batch, as its
    // identities do).
    let (listed, previous_of): (Vec<(Input, String)>, _) = if args.pair_by_body {
        if inputs.has_stdin() {
            miette::bail!("--pair-by-body reads every input twice: it cannot take standard input");
        }
        let listed: Vec<(Input, String)> = inputs.iter().collect();
        let identities = pool.install(|| {
            listed
                .par_iter()
                .map(|(input, name)| identity(&inputs, *input, name, max_bytes))
                .collect::<Vec<_>>()
        });
        (listed, pair_by_body(&identities))
    } else {
        (Vec::new(), Vec::new())
    };
    // An input read: its name, its report (or why not) and last year's.
    type Read = (String, Result<ReadReport, InputFailure>, Previous);
    let read_one = |(index, (input, name)): (usize, (Input, String))| -> Read {
        READ_BUFFER.with_borrow_mut(|buffer| {
            match read_input_into(&inputs, input, &name, max_bytes, buffer) {
                Ok(len) => {
                    let bytes = buffer.get(..len).unwrap_or_default();
                    let previous = match previous_of.get(index).copied().flatten() {
                        // Last year's report is read again rather than kept: memory
                        // stays flat however many reports are paired.
                        Some(last) => Previous::Paired(
                            listed
                                .get(last)
                                .and_then(|(input, name)| read_report(&inputs, *input, name, max_bytes))
                                .map(Box::new),
                        ),
                        None => Previous::Given,
                    };
                    let read = checker.read(&name, bytes);
                    (name, read, previous)
                }
                Err(failure) => (name, Err(failure), Previous::Given),
            }
        })
    };
    let check_one = |(name, read, previous): Read| {
        let previous = match &previous {
            Previous::Paired(report) => report.as_deref(),
            Previous::Given => checker.previous.as_ref(),
        };
        checker.check_report(&name, read, previous, keep_reports)
    };
    // A few inputs are read, then checked (see PHASE_GROUP).
    let check_group = |group: Vec<(usize, (Input, String))>| {
        let read: Vec<Read> = group.into_iter().map(read_one).collect();
        read.into_iter().map(check_one).collect::<Vec<_>>()
    };
    let progress = Progress::new(inputs.len(), std::io::stderr().is_terminal() && !args.quiet);
    // Inputs are checked in parallel a batch at a time and written in input
    // order, so memory holds a few batches of results, not all. A checking
    // thread hands each batch to this one, which writes it while the next
    // batch is being checked.
    let batch = (BATCH_PER_THREAD * pool.current_num_threads()).max(1);
    let written = std::thread::scope(|scope| -> std::io::Result<()> {
        let (batches, checked) = std::sync::mpsc::sync_channel::<Vec<(ReportResult, Option<Report>)>>(1);
        let (pool, check_group, inputs) = (&pool, &check_group, &inputs);
        scope.spawn(move || {
            // The inputs are listed (their names merged in path order) one
            // batch ahead of the checking, never all at once.
            let mut listed = inputs.iter().enumerate();
            loop {
                let chunk: Vec<(usize, (Input, String))> = listed.by_ref().take(batch).collect();
                let results = match chunk.len() {
                    0 => break,
                    1 => check_group(chunk),
                    _ => pool.install(|| {
                        chunk
                            .into_par_iter()
                            .chunks(PHASE_GROUP)
                            .flat_map_iter(check_group)
                            .collect()
                    }),
                };
                if batches.send(results).is_err() {
                    // The writer stopped (an output error): so do we.
                    break;
                }
            }
        });
        renderer.start(sink.writer())?;
        for mut results in checked {
            progress.suspend(|| {
                for (result, report) in &mut results {
                    if let Some(book) = review.as_mut() {
                        book.apply(result);
                    }
                    summary.add(result);
                    if args.problems_only {
                        hide_dismissed(result);
                    }
                    renderer.report_read(sink.writer(), result, report.as_ref())?;
                }
                sink.writer().flush()
            })?;
            progress.advance(results.len());
        }
        progress.finish();
        if let Some(book) = &review {
            summary.stale_decisions = book.stale();
        }
        renderer.finish(sink.writer(), &summary)?;
        sink.writer().flush()
    });
    match written {
        // The reader of a pipe went away (`| head`): stop quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::from(EXIT_ERROR)),
        Err(e) => miette::bail!("cannot write output: {e}"),
        Ok(()) => sink.commit()?,
    }

    Ok(
        if summary.unreadable > 0 || (args.require_complete && summary.partly_read > 0) {
            ExitCode::from(EXIT_ERROR)
        } else if summary.at_least(fail_on) > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// Leave out the findings a reviewer dismissed (`--problems-only`), from
/// every output format; the summary still counts them as dismissed.
fn hide_dismissed(result: &mut ReportResult) {
    if let Outcome::Checked(c) = &mut result.outcome {
        c.findings.retain(|f| !f.is_dismissed());
    }
}

/// An input's report, if it can be read.
fn read_report(inputs: &Inputs, input: Input, name: &str, max_bytes: u64) -> Option<Report> {
    let bytes = read_input(inputs, input, name, max_bytes).ok()?;
    nianbao_reader::read_bytes(name, &bytes).ok()
}

/// The issuing body (normalised) and year of an input, if its report states both.
fn identity(inputs: &Inputs, input: Input, name: &str, max_bytes: u64) -> Option<(String, i32)> {
    let report = read_report(inputs, input, name, max_bytes)?;
    let body = nianbao_model::label::normalize(&report.metadata.body?.value);
    Some((body, report.metadata.year?.value))
}

/// For each input, the index of last year's report of the same body among
/// the inputs. Where a body has several reports for one year, nothing is
/// paired with them or from them: which one is meant cannot be told.
pub(crate) fn pair_by_body(identities: &[Option<(String, i32)>]) -> Vec<Option<usize>> {
    let mut by_key: std::collections::HashMap<(&str, i32), Vec<usize>> = std::collections::HashMap::new();
    for (i, id) in identities.iter().enumerate() {
        if let Some((body, year)) = id {
            by_key.entry((body.as_str(), *year)).or_default().push(i);
        }
    }
    let unique = |body: &str, year: i32| match by_key.get(&(body, year)).map(Vec::as_slice) {
        Some([only]) => Some(*only),
        _ => None,
    };
    identities
        .iter()
        .map(|id| {
            let (body, year) = id.as_ref()?;
            unique(body, *year)?;
            unique(body, year.checked_sub(1)?)
        })
        .collect()
}

/// A progress bar on standard error for batches that take more than a
/// moment: only on a terminal, never with `--quiet`, shown after a delay.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    start: std::time::Instant,
}

impl Progress {
    /// How long a batch runs before the bar appears.
    const DELAY: std::time::Duration = std::time::Duration::from_millis(500);

    fn new(total: usize, enabled: bool) -> Progress {
        let bar = (enabled && total > 1).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total as u64),
                indicatif::ProgressDrawTarget::hidden(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} 个报告  已用 {elapsed}  剩余 {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            start: std::time::Instant::now(),
        }
    }

    fn advance(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
            if bar.is_hidden() && self.start.elapsed() > Self::DELAY {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
        }
    }

    /// Run `write` with the bar cleared, so output on the same terminal
    /// does not mix with it.
    fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Width of human output: the terminal's (from COLUMNS) on a terminal, else
/// a fixed 100 so that piped output does not depend on the environment.
fn terminal_width(to_terminal: bool) -> usize {
    const DEFAULT: usize = 100;
    if !to_terminal {
        return DEFAULT;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::{pair_by_body, RuleArgs};
    use crate::config::Config;
    use clap::Parser;

    #[derive(Parser)]
    struct RuleOptions {
        #[command(flatten)]
        rule_args: RuleArgs,
    }

    fn compiled_rule_ids(args: &[&str]) -> Vec<String> {
        let options = RuleOptions::try_parse_from(std::iter::once("nianbao").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{e}"));
        let checker = options
            .rule_args
            .checker(&Config::default())
            .unwrap_or_else(|e| panic!("{e:?}"));
        checker.rules.rules().rules.iter().map(|r| r.id.clone()).collect()
    }

    /// Rules left out by `--select`/`--ignore` are not compiled, so never
    /// evaluated; the full set still decides which patterns are valid.
    #[test]
    fn only_selected_rules_are_compiled() {
        let all = compiled_rule_ids(&[]);
        let builtin =
            nianbao_rules::compile(&nianbao_rules::builtin_sources()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(all.len(), builtin.rules.len());
        assert_eq!(
            compiled_rule_ids(&["--select", "values", "--ignore", "values.filled"]),
            ["values.non-negative", "values.whole-count", "values.not-a-number"]
        );
        let without_narrative = compiled_rule_ids(&["--ignore", "narrative"]);
        assert!(without_narrative.iter().all(|id| !id.starts_with("narrative.")));
        assert_eq!(
            without_narrative.len(),
            all.iter().filter(|id| !id.starts_with("narrative.")).count()
        );
        // A pattern that only an extraction rule matches is valid, and
        // compiles none of the file rules.
        assert_eq!(compiled_rule_ids(&["--select", "extract"]), Vec::<String>::new());
    }

    #[test]
    fn pairs_last_years_report_of_the_same_body_only() {
        let id = |body: &str, year| Some((body.to_string(), year));
        let ids = [
            id("甲局", 2023),
            id("甲局", 2022),
            id("乙局", 2022),
            None,
            id("乙局", 2021),
            id("乙局", 2021),
            id("丙局", 2023),
        ];
        assert_eq!(
            pair_by_body(&ids),
            // 乙局 has two 2021 reports: neither is paired, nor is 2022 paired with one.
            [Some(1), None, None, None, None, None, None]
        );
    }
}
