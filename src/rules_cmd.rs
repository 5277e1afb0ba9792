//! `nianbao rules`: validate rule files (`check`), list rules (`list`),
//! explain one (`show`) and run rule tests (`test`). Rule files are read at
//! run time, so a user's rules need no rebuild. What is listed and shown is
//! the engine's one registry of rule ids (`nianbao_engine::registry`).

use nianbao_engine::eval::cases::{run_tests_with, BaseReports};
use nianbao_engine::registry::{registry, Origin, RuleDoc};
use nianbao_model::{LineIndex, Report};
use nianbao_rules::{builtin_sources, compile, load_dir, RuleSet, RuleSource};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Validate the rule files of DIR (default: the built-in rules); exit 2
    /// with diagnostics on any error.
    Check {
        /// Directories of `.rules` files.
        #[arg(value_name = "DIR")]
        dirs: Vec<PathBuf>,
    },
    /// List rules: id, severity, title.
    List {
        #[command(flatten)]
        rules: RuleDirs,
        /// Also show each rule's reference (the template clause it checks).
        #[arg(long)]
        long: bool,
        /// Print a Markdown table (id, severity, title, why), as in docs/rules.md.
        #[arg(long, conflicts_with = "long")]
        markdown: bool,
    },
    /// Explain a rule: title, severity, reference, why, help, its source
    /// and its pass/fail cases.
    Show {
        /// The rule id (`nianbao rules list` shows them).
        #[arg(value_name = "ID")]
        id: String,
        #[command(flatten)]
        rules: RuleDirs,
    },
    /// Run the `test` blocks of the rule files of DIR (default: the built-in
    /// rules); exit 1 when a test fails.
    Test {
        /// Directories of `.rules` files.
        #[arg(value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Print the tested rule's findings under every case (message and
        /// place), passing or not.
        #[arg(long)]
        findings: bool,
    },
}

/// The rule files `list` and `show` describe.
#[derive(clap::Args)]
struct RuleDirs {
    /// Add the rule files of DIR (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Leave out the built-in rules (the reader's and year-over-year ids stay).
    #[arg(long)]
    no_default_rules: bool,
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    let (text, code) = output(args)?;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        // `nianbao rules list | head`: the reader has all it wants.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(miette::miette!(
            code = "nianbao::rules::io",
            "cannot write output: {e}"
        )),
        _ => Ok(code),
    }
}

/// What the subcommand prints, and its exit code.
fn output(args: Args) -> miette::Result<(String, ExitCode)> {
    use std::fmt::Write as _;
    let mut out = String::new();
    match args.command {
        Command::Check { dirs } => {
            let sources = sources(&dirs, dirs.is_empty())?;
            let set = compile_all(&sources)?;
            let _ = writeln!(
                out,
                "ok: {} rules and {} tests in {} file{}",
                set.rules.len(),
                set.tests.len(),
                sources.len(),
                if sources.len() == 1 { "" } else { "s" }
            );
            Ok((out, ExitCode::SUCCESS))
        }
        Command::List {
            rules,
            long,
            markdown,
        } => {
            let sources = sources(&rules.rules, !rules.no_default_rules)?;
            let set = compile_all(&sources)?;
            let docs = registry(&set);
            if markdown {
                return Ok((markdown_table(&docs), ExitCode::SUCCESS));
            }
            let width = docs.iter().map(|d| d.id.len()).max().unwrap_or(0);
            for doc in &docs {
                let _ = write!(
                    out,
                    "{:<width$}  {:<7}  {}",
                    doc.id,
                    shown_severity(doc),
                    doc.title
                );
                if let (true, Some(r)) = (long, doc.reference) {
                    let _ = write!(out, "  〔{r}〕");
                }
                out.push('\n');
            }
            Ok((out, ExitCode::SUCCESS))
        }
        Command::Show { id, rules } => {
            let sources = sources(&rules.rules, !rules.no_default_rules)?;
            let set = compile_all(&sources)?;
            let docs = registry(&set);
            let Some(doc) = docs.iter().find(|d| d.id == id) else {
                let suggestion = crate::check::did_you_mean(&id, docs.iter().map(|d| d.id));
                return Err(miette::miette!(
                    code = "nianbao::rules::unknown-rule",
                    help = "`nianbao rules list` shows the rules",
                    "no rule {id:?}{suggestion}"
                ));
            };
            Ok((show(doc, &set, &sources), ExitCode::SUCCESS))
        }
        Command::Test { dirs, findings } => {
            let sources = sources(&dirs, dirs.is_empty())?;
            let set = compile_all(&sources)?;
            Ok(report_tests(&set, &sources, findings))
        }
    }
}

/// A rule's severity as lists show it: a reading limit has none of its own,
/// since it is never counted as a defect of the report.
fn shown_severity(doc: &RuleDoc<'_>) -> &'static str {
    match doc.origin {
        Origin::ReadingLimit => "reading",
        _ => doc.severity.as_str(),
    }
}

/// `rules show`: everything a rule says about itself, as `ruff rule` does.
fn show(doc: &RuleDoc<'_>, set: &RuleSet, sources: &[RuleSource]) -> String {
    use std::fmt::Write as _;
    let text_of = |file: &str, span: nianbao_rules::ast::SrcSpan| {
        sources
            .iter()
            .find(|s| s.name == file)
            .and_then(|s| s.text.get(span.start..span.end))
            .map(str::to_string)
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}\n", doc.id, doc.title);
    let _ = writeln!(out, "severity   {}", shown_severity(doc));
    let from = match doc.rule {
        Some(rule) => format!("{} ({})", rule.file, doc.origin.as_str()),
        None => doc.origin.as_str().to_string(),
    };
    let _ = writeln!(out, "from       {from}");
    if let Some(reference) = doc.reference {
        let _ = writeln!(out, "reference  {reference}");
    }
    let mut section = |title: &str, body: &str| {
        let _ = writeln!(out, "\n{title}");
        for line in body.lines() {
            let _ = writeln!(out, "    {line}");
        }
    };
    section("Why", doc.why.unwrap_or("(no `why` given)"));
    if let Some(help) = doc.help {
        section("What to do", help);
    }
    if let Some(rule) = doc.rule {
        if let Some(block) = text_of(&rule.file, rule.block) {
            section("Rule", &block);
        }
        let cases: Vec<String> = set
            .tests
            .iter()
            .filter(|t| t.rule == rule.id)
            .filter_map(|t| text_of(&t.file, t.span))
            .collect();
        if !cases.is_empty() {
            section(
                "Examples (pass/fail cases, run by `nianbao rules test`)",
                &cases.join("\n"),
            );
        }
    }
    out
}

/// The registry as the Markdown table of `docs/rules.md`: each id an anchor
/// (`#requests.row-total`), which SARIF's `helpUri` links to.
fn markdown_table(docs: &[RuleDoc<'_>]) -> String {
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from("| id | severity | title | why |\n|---|---|---|---|\n");
    for doc in docs {
        out.push_str(&format!(
            "| <a id=\"{}\"></a>`{}` | {} | {} | {} |\n",
            doc.anchor(),
            doc.id,
            shown_severity(doc),
            cell(doc.title),
            cell(doc.why.unwrap_or("")),
        ));
    }
    out
}

/// The built-in rule files (when `builtin`) and those of `dirs`.
fn sources(dirs: &[PathBuf], builtin: bool) -> miette::Result<Vec<RuleSource>> {
    let mut out = if builtin { builtin_sources() } else { Vec::new() };
    for dir in dirs {
        let found = load_dir(dir)?;
        if found.is_empty() {
            return Err(miette::miette!(
                code = "nianbao::rules::io",
                help = "rule files end in .rules",
                "no rule files in {}",
                dir.display()
            ));
        }
        out.extend(found);
    }
    Ok(out)
}

fn compile_all(sources: &[RuleSource]) -> miette::Result<RuleSet> {
    compile(sources).map_err(miette::Report::new)
}

/// Base reports of `test … on "path"`: files next to the rule file, read by
/// the reader.
struct FileBases;

impl BaseReports for FileBases {
    fn load(&self, base: &str, rule_file: &str) -> Result<String, String> {
        let dir = std::path::Path::new(rule_file)
            .parent()
            .unwrap_or(std::path::Path::new("."));
        let path = dir.join(base);
        let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        String::from_utf8(bytes.to_vec()).map_err(|_| format!("{} is not UTF-8 text", path.display()))
    }

    fn read(&self, name: &str, text: &str) -> Report {
        nianbao_reader::read_text(name, text)
    }
}

fn report_tests(set: &RuleSet, sources: &[RuleSource], show_findings: bool) -> (String, ExitCode) {
    use std::fmt::Write as _;
    let mut out = String::new();
    let outcomes = run_tests_with(set, Some(&FileBases));
    let mut failed = 0;
    for o in &outcomes {
        let place = sources
            .iter()
            .find(|s| s.name == o.file)
            .map(|s| LineIndex::new(&s.text).line_col(o.offset))
            .map_or_else(|| o.file.clone(), |lc| format!("{}:{lc}", o.file));
        if o.passed {
            let _ = writeln!(out, "test {} \"{}\" ... ok", o.rule, o.name);
            if show_findings {
                for f in &o.findings {
                    let _ = writeln!(out, "    {f}");
                }
            }
        } else {
            failed += 1;
            let _ = writeln!(out, "test {} \"{}\" ... FAILED ({place})", o.rule, o.name);
            for line in o.detail.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    let untested: Vec<&str> = set
        .rules
        .iter()
        .filter(|r| !set.tests.iter().any(|t| t.rule == r.id))
        .map(|r| r.id.as_str())
        .collect();
    if !untested.is_empty() {
        let _ = writeln!(out, "rules without tests: {}", untested.join(", "));
    }
    let _ = writeln!(
        out,
        "\ntest result: {}. {} passed; {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" },
        outcomes.len() - failed
    );
    let code = if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    (out, code)
}
