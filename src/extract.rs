//! `nianbao extract`: read reports and print every table cell in template
//! order (TSV, CSV or JSON). Extraction problems are printed to stderr as
//! warnings; a file that cannot be read at all is an error (exit 2) but the
//! other files are still extracted.

use miette::{Diagnostic, NamedSource, SourceSpan};
use nianbao_engine::render::InputFailure;
use nianbao_model::{LineIndex, Problem, Report};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// `table<TAB>row<TAB>column<TAB>value<TAB>LINE:COL`, one line per cell.
    /// With several files, each line starts with the file name and a tab.
    Tsv,
    /// A header row, then `file,table,row,column,value,position` per cell.
    Csv,
    /// The whole report as JSON (readable back as input); several files
    /// give a JSON array.
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// Report files or directories (searched for .txt, .json, .html, .htm,
    /// .docx and .pdf files); `-` reads standard input. Text exported from a
    /// web page, Word or PDF, the published files themselves, or a report
    /// JSON written by `--format json`.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Largest input file read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    max_size: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Tsv)]
    format: OutputFormat,
    /// Read every input as this format instead of choosing by extension and
    /// content (text, json, html, docx, pdf).
    #[arg(long, value_name = "FORMAT")]
    input_format: Option<nianbao_reader::InputFormat>,
}

/// One cell: table, row, column, value, LINE:COL, and whether the value was
/// recovered (split from digits that ran together) rather than printed alone.
struct CellLine {
    fields: [String; 5],
    inferred: bool,
}

fn cell_lines(report: &Report) -> Vec<CellLine> {
    let index = LineIndex::new(&report.source.text);
    let mut out = Vec::new();
    for (tid, table) in &report.tables {
        for (rid, row) in &table.rows {
            for (cid, cell) in &row.cells {
                out.push(CellLine {
                    fields: [
                        tid.clone(),
                        rid.to_string(),
                        cid.to_string(),
                        cell.value.to_string(),
                        index.line_col(cell.span.offset).to_string(),
                    ],
                    inferred: cell.inferred.is_some(),
                });
            }
        }
    }
    out
}

/// Quote a CSV field when it needs it (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// An extraction problem as a miette warning, pointing into the source.
#[derive(Debug, Diagnostic)]
#[diagnostic(severity(Warning), code(nianbao::extract::problem))]
struct ProblemWarning {
    message: String,
    #[source_code]
    src: NamedSource<Arc<String>>,
    #[label("here")]
    at: Option<SourceSpan>,
}

impl std::fmt::Display for ProblemWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProblemWarning {}

/// Problems shown with their source excerpt, per file; the rest are counted
/// (rendering an excerpt costs time proportional to the text).
const WARNINGS_SHOWN: usize = 50;

fn warn(report: &Report, src: &Arc<String>, p: &Problem) {
    let at = p.span.map(|s| SourceSpan::new(s.offset.into(), s.len));
    let w = ProblemWarning {
        message: format!("{:?}: {}", p.kind, p.message),
        src: NamedSource::new(report.source.name.clone(), Arc::clone(src)),
        at,
    };
    eprintln!("{:?}", miette::Report::new(w));
}

fn warn_all(report: &Report) {
    let src = Arc::new(report.source.text.clone());
    for p in report.problems.iter().take(WARNINGS_SHOWN) {
        warn(report, &src, p);
    }
    if report.problems.len() > WARNINGS_SHOWN {
        eprintln!(
            "{}: {} more extraction problems not shown (all are in `--format json`)",
            report.source.name,
            report.problems.len() - WARNINGS_SHOWN
        );
    }
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match extract(&args, &mut out).and_then(|failed| out.flush().map(|()| failed)) {
        Ok(false) => Ok(ExitCode::SUCCESS),
        Ok(true) => Ok(ExitCode::from(crate::EXIT_ERROR)),
        // `nianbao extract … | head`: the reader has all it wants.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(miette::miette!(
            code = "nianbao::extract::io",
            "cannot write output: {e}"
        )),
    }
}

/// Extract every input to `out`, streaming (TSV and CSV are written one
/// report at a time); `Ok(true)` when some input could not be read.
fn extract(args: &Args, out: &mut impl Write) -> std::io::Result<bool> {
    // One file named alone prints bare TSV lines; otherwise each line starts
    // with the file it comes from.
    let several = args.paths.len() > 1 || args.paths.iter().any(|p| Path::new(p).is_dir());
    let mut failed = false;
    let mut json_reports = Vec::new();
    if args.format == OutputFormat::Csv {
        writeln!(out, "file,table,row,column,value,position,inferred,reading")?;
    }
    let mut result = Ok(());
    let max_bytes = args.max_size.saturating_mul(1 << 20);
    crate::inputs::for_each_input(&args.paths, max_bytes, |name, bytes| {
        if result.is_err() {
            return;
        }
        let Some(report) = read_input(&name, bytes, args.input_format) else {
            failed = true;
            return;
        };
        warn_all(&report);
        result = match args.format {
            OutputFormat::Tsv => write_tsv(out, several.then_some(name.as_str()), &report),
            OutputFormat::Csv => write_csv(out, &name, &report),
            OutputFormat::Json => {
                json_reports.push(report);
                Ok(())
            }
        };
    });
    result?;
    if args.format == OutputFormat::Json {
        let json = if several {
            serde_json::to_string_pretty(&json_reports)
        } else {
            match json_reports.first() {
                Some(r) => serde_json::to_string_pretty(r),
                None => Ok(String::new()),
            }
        };
        let json = json.map_err(std::io::Error::other)?;
        if !json.is_empty() {
            writeln!(out, "{json}")?;
        }
    }
    Ok(failed)
}

/// The report of one input, or `None` after printing why it cannot be read.
fn read_input(
    name: &str,
    bytes: Result<Vec<u8>, InputFailure>,
    format: Option<nianbao_reader::InputFormat>,
) -> Option<Report> {
    let bytes = match bytes {
        Ok(b) => b,
        Err(failure) => {
            let mut diagnostic =
                miette::MietteDiagnostic::new(format!("{name}: {}", failure.message)).with_code(failure.code);
            if let Some(help) = failure.help {
                diagnostic = diagnostic.with_help(help);
            }
            eprintln!("{:?}", miette::Report::new(diagnostic));
            return None;
        }
    };
    match nianbao_reader::read_bytes_as(name, &bytes, format) {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("{:?}", miette::Report::new(e));
            None
        }
    }
}

fn write_tsv(out: &mut impl Write, file: Option<&str>, report: &Report) -> std::io::Result<()> {
    for line in cell_lines(report) {
        if let Some(file) = file {
            write!(out, "{file}\t")?;
        }
        // An inferred value gets a sixth field, so printed cells keep
        // exactly the five documented fields.
        let flag = if line.inferred { "\tinferred" } else { "" };
        writeln!(out, "{}{flag}", line.fields.join("\t"))?;
    }
    Ok(())
}

/// CSV: a line per cell read (`reading` = `read`), then a line per place
/// the reader could not read (`not_read`: a cell, a row with its column
/// empty, or a table with row and column empty; no value), so that a corpus
/// table tells a cell not read from a cell the report leaves out.
fn write_csv(out: &mut impl Write, file: &str, report: &Report) -> std::io::Result<()> {
    for line in cell_lines(report) {
        let inferred = if line.inferred { "true" } else { "false" };
        let fields: Vec<String> = std::iter::once(file)
            .chain(line.fields.iter().map(String::as_str))
            .chain([inferred, "read"])
            .map(csv_field)
            .collect();
        writeln!(out, "{}", fields.join(","))?;
    }
    let index = nianbao_model::LineIndex::new(&report.source.text);
    for p in report.problems.iter().filter(|p| p.leaves_unread()) {
        let Some(table) = &p.table else { continue };
        let position = p
            .span
            .map(|s| index.line_col(s.offset).to_string())
            .unwrap_or_default();
        let fields: Vec<String> = [
            file,
            table,
            p.row.as_deref().unwrap_or(""),
            p.column.as_deref().unwrap_or(""),
            "",
            &position,
            "false",
            "not_read",
        ]
        .into_iter()
        .map(csv_field)
        .collect();
        writeln!(out, "{}", fields.join(","))?;
    }
    Ok(())
}
