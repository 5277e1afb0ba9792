//! `nianbao rules`: validate rule files (`check`), list rules (`list`) and
//! run rule tests (`test`). Rule files are read at run time, so a user's
//! rules need no rebuild.

use miette::IntoDiagnostic;
use nianbao_engine::eval::cases::{run_tests_with, BaseReports};
use nianbao_engine::eval::EXTRACTION_RULES;
use nianbao_engine::repetition::{REPEATED_TEXT, REPEATED_TEXT_TITLE};
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
        /// Add the rule files of DIR (repeatable).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// Leave out the built-in rules.
        #[arg(long)]
        no_default_rules: bool,
        /// Also show each rule's reference (the template clause it checks).
        #[arg(long)]
        long: bool,
    },
    /// Run the `test` blocks of the rule files of DIR (default: the built-in
    /// rules); exit 1 when a test fails.
    Test {
        /// Directories of `.rules` files.
        #[arg(value_name = "DIR")]
        dirs: Vec<PathBuf>,
    },
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    match args.command {
        Command::Check { dirs } => {
            let sources = sources(&dirs, dirs.is_empty())?;
            let set = compile_all(&sources)?;
            println!(
                "ok: {} rules and {} tests in {} file{}",
                set.rules.len(),
                set.tests.len(),
                sources.len(),
                if sources.len() == 1 { "" } else { "s" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::List {
            rules,
            no_default_rules,
            long,
        } => {
            let sources = sources(&rules, !no_default_rules)?;
            let set = compile_all(&sources)?;
            let mut out = std::io::stdout().lock();
            let mut rows: Vec<(String, String, String, Option<String>)> = set
                .rules
                .iter()
                .map(|r| {
                    (
                        r.id.clone(),
                        r.severity.to_string(),
                        r.title.clone(),
                        r.reference.clone(),
                    )
                })
                .collect();
            if !no_default_rules {
                rows.extend(EXTRACTION_RULES.iter().map(|r| {
                    // A reading limit has no severity of its own: it is never
                    // counted as a defect of the report.
                    let (severity, reference) = match r.reads() {
                        true => ("reading", "读取的局限，不是报告的问题，不计入问题数"),
                        false => (r.severity.as_str(), "读取报告时确定的问题"),
                    };
                    (
                        r.id.to_string(),
                        severity.to_string(),
                        r.title.to_string(),
                        Some(reference.to_string()),
                    )
                }));
                rows.push((
                    REPEATED_TEXT.to_string(),
                    "warning".to_string(),
                    REPEATED_TEXT_TITLE.to_string(),
                    Some("与上年报告比较（--previous、--pair-by-body）；阈值见 nianbao.toml 的 repeated-text-threshold".to_string()),
                ));
            }
            let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
            for (id, severity, title, reference) in rows {
                write!(out, "{id:<width$}  {severity:<7}  {title}").into_diagnostic()?;
                if let (true, Some(r)) = (long, reference) {
                    write!(out, "  〔{r}〕").into_diagnostic()?;
                }
                writeln!(out).into_diagnostic()?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Test { dirs } => {
            let sources = sources(&dirs, dirs.is_empty())?;
            let set = compile_all(&sources)?;
            Ok(report_tests(&set, &sources))
        }
    }
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

fn report_tests(set: &RuleSet, sources: &[RuleSource]) -> ExitCode {
    let outcomes = run_tests_with(set, Some(&FileBases));
    let mut failed = 0;
    for o in &outcomes {
        let place = sources
            .iter()
            .find(|s| s.name == o.file)
            .map(|s| LineIndex::new(&s.text).line_col(o.offset))
            .map_or_else(|| o.file.clone(), |lc| format!("{}:{lc}", o.file));
        if o.passed {
            println!("test {} \"{}\" ... ok", o.rule, o.name);
        } else {
            failed += 1;
            println!("test {} \"{}\" ... FAILED ({place})", o.rule, o.name);
            for line in o.detail.lines() {
                println!("    {line}");
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
        println!("rules without tests: {}", untested.join(", "));
    }
    println!(
        "\ntest result: {}. {} passed; {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" },
        outcomes.len() - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
