//! Floors for `nianbao check`'s throughput: what reading a directory of
//! reports costs when each text gets only the first, cheapest steps of
//! aligning it on the template's labels. `bench/corpus.sh` times them next
//! to `check` and `rg -c 总计`, so that a throughput target can be judged
//! against what reading at all costs.
//!
//! ```sh
//! cargo run --release -p nianbao-corpus --example floor -- MODE DIR OUT
//! ```
//!
//! Every `.txt` file of DIR (not its subdirectories), in path order, is read
//! and checked to be UTF-8, in parallel (one thread per core, as `check`),
//! and one line per file is written to OUT. MODE then adds:
//! - `read`: nothing;
//! - `numbers`: every run of ASCII digits parsed, line by line;
//! - `heads`: each line's text before its first ASCII digit looked up, as
//!   it stands, among the template's wordings in a hash set, and the line's
//!   numbers parsed: labels found where a table row prints them, with none
//!   of the normalising real text needs (numbering, spaces, wrapped labels);
//! - `labels`: every wording of the template found wherever it stands (one
//!   Aho-Corasick DFA, the standard way to find ~100 literals at once), and
//!   the numbers after each on its line parsed.
//!
//! Section boundaries, cells and their spans, wrapped or broken labels,
//! metadata and the rules all come on top.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use miette::{miette, IntoDiagnostic, Result, WrapErr};
use nianbao_model::schema::{template, FORMATS};
use rayon::prelude::*;

#[derive(Clone, Copy)]
enum Mode {
    Read,
    Numbers,
    Heads,
    Labels,
}

/// Files read in parallel between two writes of output.
const BATCH: usize = 256;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, dir, out] = args.as_slice() else {
        return Err(miette!("usage: floor read|numbers|heads|labels DIR OUT"));
    };
    let mode = match mode.as_str() {
        "read" => Mode::Read,
        "numbers" => Mode::Numbers,
        "heads" => Mode::Heads,
        "labels" => Mode::Labels,
        other => return Err(miette!("unknown mode {other:?}: read, numbers, heads or labels")),
    };
    let wordings = wordings();
    let labels = label_finder(&wordings)?;
    let wordings: HashSet<&[u8]> = wordings.into_iter().map(str::as_bytes).collect();
    let paths = reports_in(Path::new(dir))?;
    let file = std::fs::File::create(out)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write {out}"))?;
    let mut out = BufWriter::new(file);
    for batch in paths.chunks(BATCH) {
        let sums: Vec<Result<(usize, u64)>> = batch
            .par_iter()
            .map(|path| {
                let bytes = std::fs::read(path)
                    .into_diagnostic()
                    .wrap_err_with(|| format!("cannot read {}", path.display()))?;
                let text = simdutf8::basic::from_utf8(&bytes)
                    .map_err(|_| miette!("{} is not UTF-8", path.display()))?;
                Ok(match mode {
                    Mode::Read => (text.len(), 0),
                    Mode::Numbers => text.split('\n').fold((0, 0), |(lines, sum), line| {
                        (lines + 1, sum + digit_runs_sum(line.as_bytes()))
                    }),
                    Mode::Heads => text.split('\n').fold((0, 0), |(found, sum), line| {
                        let line = line.as_bytes();
                        let Some(digit) = line.iter().position(u8::is_ascii_digit) else {
                            return (found, sum);
                        };
                        let head = line.get(..digit).unwrap_or_default().trim_ascii();
                        let rest = line.get(digit..).unwrap_or_default();
                        (
                            found + usize::from(wordings.contains(head)),
                            sum + digit_runs_sum(rest),
                        )
                    }),
                    Mode::Labels => labels.find_iter(text).fold((0, 0), |(found, sum), label| {
                        let rest = text.as_bytes().get(label.end()..).unwrap_or_default();
                        let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
                        (found + 1, sum + digit_runs_sum(line))
                    }),
                })
            })
            .collect();
        for (path, sum) in batch.iter().zip(sums) {
            let (count, sum) = sum?;
            writeln!(out, "{}\t{count}\t{sum}", path.display()).into_diagnostic()?;
        }
    }
    out.flush().into_diagnostic()
}

/// Every wording of both formats' templates (`Template::wordings`), once.
fn wordings() -> Vec<&'static str> {
    let mut wordings: Vec<&'static str> = FORMATS
        .iter()
        .flat_map(|&format| template(format).wordings())
        .filter(|wording| !wording.is_empty())
        .collect();
    wordings.sort_unstable();
    wordings.dedup();
    wordings
}

/// `wordings` as one leftmost-longest DFA.
fn label_finder(wordings: &[&str]) -> Result<AhoCorasick> {
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::LeftmostLongest)
        .build(wordings)
        .into_diagnostic()
}

/// The `.txt` files of `dir`, in path order.
fn reports_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot list {}", dir.display()))?
    {
        let path = entry.into_diagnostic()?.path();
        if path.extension().is_some_and(|e| e == "txt") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// The sum of the runs of ASCII digits in `bytes`, each read as a number.
fn digit_runs_sum(bytes: &[u8]) -> u64 {
    let (sum, last) = bytes.iter().fold((0u64, 0u64), |(sum, run), &b| {
        if b.is_ascii_digit() {
            (sum, run.wrapping_mul(10).wrapping_add(u64::from(b - b'0')))
        } else {
            (sum.wrapping_add(run), 0)
        }
    });
    sum.wrapping_add(last)
}
