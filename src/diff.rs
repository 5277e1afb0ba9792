//! `nianbao diff LAST THIS`: what changed from a body's report of last year
//! to this year's — how much of the narrative repeats (per section, the
//! repeated sentences listed, template wording left out) and every table
//! cell with both years' values and the change. `--pair-by-body` pairs the
//! reports of a batch by issuing body and year, as `check` does.
//! Human, JSON and HTML (side by side, repeated passages marked) output.

use crate::check::{pair_by_body, RuleArgs, Sink};
use crate::inputs::for_each_input;
use clap::ValueEnum;
use miette::IntoDiagnostic;
use nianbao_engine::render::html::write_page_start;
use nianbao_engine::repetition::{self, CellChange, Repetition, Sentence, DEFAULT_THRESHOLD};
use nianbao_model::{LineIndex, Report};
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Last year's report and this year's; with --pair-by-body, any number
    /// of reports or directories.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Pair the reports among PATHS by issuing body and year, and compare
    /// each with last year's.
    #[arg(long)]
    pair_by_body: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The share of repeated narrative (0 to 1) above which a report is
    /// flagged [default: the configuration's repeated-text-threshold, or 0.5].
    #[arg(long, value_name = "SHARE")]
    threshold: Option<f64>,
    /// In human output, list every table cell, not only those that changed.
    #[arg(long)]
    all_cells: bool,
    /// Largest input file read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    max_size: u64,
    #[command(flatten)]
    rule_args: RuleArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Human,
    Json,
    /// A self-contained page: the narratives side by side, repeated
    /// passages marked, and the tables' changes.
    Html,
}

/// A report read, with its name.
struct Named {
    path: String,
    report: Report,
}

/// One year's report as the output names it.
#[derive(Serialize)]
struct Side<'a> {
    path: &'a str,
    body: Option<&'a str>,
    year: Option<i32>,
}

impl<'a> Side<'a> {
    fn of(n: &'a Named) -> Side<'a> {
        Side {
            path: &n.path,
            body: n.report.metadata.body.as_ref().map(|b| b.value.as_str()),
            year: n.report.metadata.year.as_ref().map(|y| y.value),
        }
    }

    fn describe(&self) -> String {
        let year = self.year.map(|y| format!(" {y} 年度报告")).unwrap_or_default();
        format!("{}{year}（{}）", self.body.unwrap_or("（未写明单位）"), self.path)
    }
}

/// A repeated sentence, located.
#[derive(Serialize)]
struct Repeated<'a> {
    section: &'a str,
    line: usize,
    text: &'a str,
}

/// The comparison of one pair.
#[derive(Serialize)]
struct PairDiff<'a> {
    last: Side<'a>,
    this: Side<'a>,
    threshold: f64,
    /// Whether the repetition is above the threshold (`content.repeated-text`).
    repeated_text: bool,
    repetition: &'a Repetition,
    repeated: Vec<Repeated<'a>>,
    cells: &'a [CellChange],
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    let config = args.rule_args.config()?;
    let threshold = args
        .threshold
        .or(config.repeated_text_threshold)
        .unwrap_or(DEFAULT_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        miette::bail!("--threshold is a share from 0 to 1 (0.5 = half), not {threshold}");
    }
    let mut reports = Vec::new();
    let mut failed = Vec::new();
    for_each_input(
        &args.paths,
        args.max_size.saturating_mul(1 << 20),
        |path, bytes| {
            let read = bytes
                .map_err(|f| f.message)
                .and_then(|b| nianbao_reader::read_bytes(&path, &b).map_err(|e| e.to_string()));
            match read {
                Ok(report) => reports.push(Named { path, report }),
                Err(e) => failed.push(format!("{path}: {e}")),
            }
        },
    );
    if let Some(first) = failed.first() {
        miette::bail!(
            code = "nianbao::diff::input",
            "cannot read {} report(s): {first}",
            failed.len()
        );
    }
    let pairs: Vec<(usize, usize)> = if args.pair_by_body {
        let identities: Vec<Option<(String, i32)>> = reports
            .iter()
            .map(|n| {
                let body = nianbao_model::label::normalize(&n.report.metadata.body.as_ref()?.value);
                Some((body, n.report.metadata.year.as_ref()?.value))
            })
            .collect();
        pair_by_body(&identities)
            .into_iter()
            .enumerate()
            .filter_map(|(this, last)| Some((last?, this)))
            .collect()
    } else {
        if reports.len() != 2 {
            miette::bail!(
                help = "nianbao diff LAST THIS, or --pair-by-body with the reports of several years",
                "diff compares two reports, last year's and this year's; {} given",
                reports.len()
            );
        }
        vec![(0, 1)]
    };

    let computed: Vec<(Repetition, Vec<CellChange>)> = pairs
        .iter()
        .map(|&(l, t)| {
            let (last, this) = (&reports[l].report, &reports[t].report);
            (
                repetition::compare(this, last),
                repetition::cell_changes(this, last),
            )
        })
        .collect();
    let diffs: Vec<PairDiff> = pairs
        .iter()
        .zip(&computed)
        .map(|(&(l, t), (rep, cells))| {
            let index = LineIndex::new(&reports[t].report.source.text);
            PairDiff {
                last: Side::of(&reports[l]),
                this: Side::of(&reports[t]),
                threshold,
                repeated_text: rep.chars > 0 && rep.rate > threshold,
                repetition: rep,
                repeated: rep
                    .repeated
                    .iter()
                    .map(|s| Repeated {
                        section: &s.section,
                        line: index.line_col(s.span.offset).line,
                        text: &s.text,
                    })
                    .collect(),
                cells,
            }
        })
        .collect();

    let mut sink = Sink::open(args.output.as_deref())?;
    let out = sink.writer();
    let written = match args.format {
        DiffFormat::Json => serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "pairs": diffs }))
            .map_err(std::io::Error::other)
            .and_then(|()| out.write_all(b"\n")),
        DiffFormat::Human => write_human(out, &diffs, &reports, args.all_cells),
        DiffFormat::Html => write_html(out, &diffs, &pairs, &reports),
    };
    written.into_diagnostic()?;
    sink.commit()?;
    if args.pair_by_body && diffs.is_empty() {
        eprintln!("nianbao diff: no two reports of one body in consecutive years among the inputs");
    }
    Ok(if diffs.iter().any(|d| d.repeated_text) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn percent(x: f64) -> u32 {
    (x * 100.0).round() as u32
}

fn section_name(report: &Report, id: &str) -> String {
    report
        .template()
        .section(id)
        .map_or_else(|| id.to_string(), |s| format!("{}{}", s.numbering, s.label))
}

fn write_human(
    out: &mut dyn Write,
    diffs: &[PairDiff],
    reports: &[Named],
    all_cells: bool,
) -> std::io::Result<()> {
    let report_of = |path: &str| reports.iter().find(|n| n.path == path).map(|n| &n.report);
    for (i, d) in diffs.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "上年：{}", d.last.describe())?;
        writeln!(out, "本年：{}", d.this.describe())?;
        let rep = d.repetition;
        let verdict = match d.repeated_text {
            true => "超过阈值（content.repeated-text）",
            false => "未超过阈值",
        };
        writeln!(
            out,
            "正文与上年相同：{}%（{} / {} 字，阈值 {}%）：{verdict}",
            percent(rep.rate),
            rep.repeated_chars,
            rep.chars,
            percent(d.threshold)
        )?;
        let this = report_of(d.this.path);
        for s in &rep.sections {
            let name = this.map_or_else(|| s.section.clone(), |r| section_name(r, &s.section));
            writeln!(
                out,
                "  {name}：{}%（{} / {} 字）",
                percent(s.rate),
                s.repeated_chars,
                s.chars
            )?;
        }
        if !d.repeated.is_empty() {
            writeln!(out, "与上年相同的句子（{} 句）：", d.repeated.len())?;
            for r in &d.repeated {
                writeln!(out, "  第 {} 行：{}", r.line, r.text)?;
            }
        }
        let changed: Vec<&CellChange> = d.cells.iter().filter(|c| all_cells || c.last != c.this).collect();
        let differing = d.cells.iter().filter(|c| c.last != c.this).count();
        writeln!(out, "表格：{} 个单元格中 {differing} 个与上年不同", d.cells.len())?;
        for c in changed {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "（未读出）".to_string());
            let change = c.change.as_ref().map(|c| format!("（{c}）")).unwrap_or_default();
            writeln!(
                out,
                "  {} / {} / {}：{} → {}{change}",
                c.table,
                c.row_label,
                c.column_label,
                show(&c.last),
                show(&c.this)
            )?;
        }
    }
    Ok(())
}

fn escape(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

fn write_html(
    out: &mut dyn Write,
    diffs: &[PairDiff],
    pairs: &[(usize, usize)],
    reports: &[Named],
) -> std::io::Result<()> {
    write_page_start(out, "年报对比 · nianbao diff")?;
    writeln!(
        out,
        "<style>.side{{display:grid;grid-template-columns:1fr 1fr;gap:1rem}}\
         .side p{{margin:.2rem 0}} mark.repeated{{background:#fde2a7}}</style>"
    )?;
    writeln!(out, "<h1>年度报告对比</h1>")?;
    for (d, &(l, t)) in diffs.iter().zip(pairs) {
        let (last, this) = (&reports[l].report, &reports[t].report);
        let rep = d.repetition;
        writeln!(
            out,
            "<section class=\"report\"><h2>{}</h2><p class=\"meta\">上年：{}</p>",
            escape(&d.this.describe()),
            escape(&d.last.describe())
        )?;
        writeln!(
            out,
            "<p class=\"counts\"><span class=\"sev {}\">正文与上年相同 {}%</span>（{} / {} 字，阈值 {}%）</p>",
            if d.repeated_text { "warning" } else { "ok" },
            percent(rep.rate),
            rep.repeated_chars,
            rep.chars,
            percent(d.threshold)
        )?;
        // Sentences each side has that the other has too are marked.
        let this_sentences = repetition::sentences(this);
        let last_sentences = repetition::sentences(last);
        let this_keys: HashSet<&str> = this_sentences.iter().map(|s| s.key.as_str()).collect();
        let last_keys: HashSet<&str> = last_sentences.iter().map(|s| s.key.as_str()).collect();
        let mut sections: Vec<&str> = this_sentences.iter().map(|s| s.section.as_str()).collect();
        sections.dedup();
        for section in sections {
            let rate = rep
                .sections
                .iter()
                .find(|s| s.section == section)
                .map_or(0, |s| percent(s.rate));
            writeln!(
                out,
                "<h3>{}（{rate}%）</h3><div class=\"side\">",
                escape(&section_name(this, section))
            )?;
            for (year, list, other) in [
                ("上年", &last_sentences, &this_keys),
                ("本年", &this_sentences, &last_keys),
            ] {
                writeln!(out, "<div><h4>{year}</h4>")?;
                let in_section = list.iter().filter(|s: &&Sentence| s.section == section);
                for s in in_section {
                    match other.contains(s.key.as_str()) {
                        true => writeln!(out, "<p><mark class=\"repeated\">{}</mark></p>", escape(&s.text))?,
                        false => writeln!(out, "<p>{}</p>", escape(&s.text))?,
                    }
                }
                writeln!(out, "</div>")?;
            }
            writeln!(out, "</div>")?;
        }
        writeln!(
            out,
            "<h3>表格</h3><div class=\"table-wrap\"><table><thead><tr><th>表</th><th>行</th><th>列</th>\
             <th>上年</th><th>本年</th><th>变化</th></tr></thead><tbody>"
        )?;
        for c in d.cells {
            let v = |x: &Option<String>| escape(x.as_deref().unwrap_or("—"));
            writeln!(
                out,
                "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if c.last != c.this {
                    " class=\"changed\""
                } else {
                    ""
                },
                escape(c.table),
                escape(c.row_label),
                escape(c.column_label),
                v(&c.last),
                v(&c.this),
                v(&c.change)
            )?;
        }
        writeln!(out, "</tbody></table></div></section>")?;
    }
    writeln!(out, "</body>\n</html>")
}
