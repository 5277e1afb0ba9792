//! `nianbao-corpus`: write a synthetic corpus, or verify check's findings on one.
//!
//! ```text
//! nianbao-corpus --seed 1 --count 100000 --out DIR [--defect-rate 0.1]
//! nianbao check DIR --format json > check.json
//! nianbao-corpus --verify check.json --manifest DIR/manifest.jsonl
//! ```

use clap::Parser;
use miette::{miette, Context, IntoDiagnostic, Result};
use nianbao_corpus::defect::DefectKind;
use nianbao_corpus::manifest::Record;
use nianbao_corpus::render::Layout;
use nianbao_corpus::{generate, verify, Options};
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "nianbao-corpus",
    about = "Generate a synthetic corpus of annual reports with a manifest of injected defects, \
             or verify `nianbao check --format json` output against such a manifest"
)]
struct Args {
    /// Seed of the corpus: the same seed and options give the same bytes.
    #[arg(long, required_unless_present = "verify")]
    seed: Option<u64>,
    /// Number of reports.
    #[arg(long, required_unless_present = "verify")]
    count: Option<u64>,
    /// Directory to write NNNNNN.txt and manifest.jsonl into (created if missing).
    #[arg(long, required_unless_present = "verify")]
    out: Option<PathBuf>,
    /// Fraction of reports with one injected inconsistency.
    #[arg(long, default_value_t = 0.1, value_parser = parse_fraction)]
    defect_rate: f64,
    /// Fraction of reports in the 2019 format.
    #[arg(long, default_value_t = 0.1, value_parser = parse_fraction)]
    share_2019: f64,
    /// Layouts to use (comma-separated; default all): tabs, tabs_merged,
    /// lines_blank, lines_indented, pipes, pdf_text, pdf_pipes, pdf_aligned.
    #[arg(long, value_delimiter = ',')]
    layouts: Vec<Layout>,
    /// Defect kinds to inject (comma-separated; default all).
    #[arg(long, value_delimiter = ',')]
    defect_kinds: Vec<DefectKind>,
    /// Verify mode: the JSON written by `nianbao check --format json`.
    #[arg(long, requires = "manifest", conflicts_with_all = ["seed", "count", "out"])]
    verify: Option<PathBuf>,
    /// The manifest.jsonl of the corpus that was checked.
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// In verify mode, how many misses and false positives to list.
    #[arg(long, default_value_t = 10)]
    examples: usize,
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    let f: f64 = s.parse().map_err(|e| format!("{s:?} is not a number: {e}"))?;
    if (0.0..=1.0).contains(&f) {
        Ok(f)
    } else {
        Err(format!("{f} is not between 0 and 1"))
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(check) = &args.verify {
        return run_verify(check, args.manifest.as_ref(), args.examples);
    }
    let (Some(seed), Some(count), Some(out)) = (args.seed, args.count, args.out.as_ref()) else {
        return Err(miette!(
            "--seed, --count and --out are required to generate a corpus"
        ));
    };
    let options = Options {
        defect_rate: args.defect_rate,
        share_2019: args.share_2019,
        layouts: if args.layouts.is_empty() {
            Options::default().layouts
        } else {
            args.layouts.clone()
        },
        defect_kinds: if args.defect_kinds.is_empty() {
            Options::default().defect_kinds
        } else {
            args.defect_kinds.clone()
        },
    };
    std::fs::create_dir_all(out)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot create {}", out.display()))?;
    let manifest_path = out.join("manifest.jsonl");
    let mut manifest = BufWriter::new(
        std::fs::File::create(&manifest_path)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot create {}", manifest_path.display()))?,
    );
    let (mut bytes, mut defects) = (0u64, 0u64);
    for report in generate(seed, count, &options) {
        let path = out.join(&report.name);
        std::fs::write(&path, report.text())
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write {}", path.display()))?;
        bytes += report.text().len() as u64;
        if let Some(record) = Record::of(&report) {
            defects += 1;
            serde_json::to_writer(&mut manifest, &record).into_diagnostic()?;
            manifest.write_all(b"\n").into_diagnostic()?;
        }
    }
    manifest.flush().into_diagnostic()?;
    eprintln!(
        "wrote {count} reports ({:.1} MB, {defects} with one injected defect) and {} to {}",
        bytes as f64 / 1e6,
        manifest_path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("manifest.jsonl"),
        out.display()
    );
    Ok(())
}

fn run_verify(check: &PathBuf, manifest: Option<&PathBuf>, examples: usize) -> Result<()> {
    let manifest = manifest.ok_or_else(|| miette!("--verify needs --manifest"))?;
    let open = |p: &PathBuf| {
        std::fs::File::open(p)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot open {}", p.display()))
    };
    let records = verify::read_manifest(BufReader::new(open(manifest)?))
        .map_err(|e| miette!("{}: {e}", manifest.display()))?;
    let output: verify::CheckOutput = serde_json::from_reader(BufReader::new(open(check)?))
        .into_diagnostic()
        .wrap_err_with(|| format!("{} is not the JSON output of `nianbao check`", check.display()))?;
    let result = verify::verify(&output, &records);
    print!("{}", result.summary(examples));
    if result.perfect() {
        Ok(())
    } else {
        std::process::exit(1)
    }
}
