//! Floors for `nianbao check`'s throughput: what reading a directory of
//! reports costs when each text gets only the first, cheapest steps any
//! reader that aligns on the template's labels must take. `bench/corpus.sh`
//! times them next to `check` and `rg -c 总计`, so that a throughput target
//! can be judged against what no reader can undercut.
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
//! - `labels`: every wording of every section, row, column and column group
//!   of both template formats found (with the block labels rows sit under) (one Aho-Corasick DFA, the fastest
//!   general way to find ~100 literals at once), and the numbers after each
//!   on its line parsed.
//!
//! What a reader does on top (section boundaries, cells and their spans,
//! wrapped or broken labels, metadata) and the rules all come on top of
//! `labels`.

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
    Labels,
}

/// Files read in parallel between two writes of output.
const BATCH: usize = 256;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, dir, out] = args.as_slice() else {
        return Err(miette!("usage: floor read|numbers|labels DIR OUT"));
    };
    let mode = match mode.as_str() {
        "read" => Mode::Read,
        "numbers" => Mode::Numbers,
        "labels" => Mode::Labels,
        other => return Err(miette!("unknown mode {other:?}: read, numbers or labels")),
    };
    let labels = label_finder()?;
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

/// Every wording of both formats' templates (`Template::wordings`), as one
/// leftmost-longest DFA.
fn label_finder() -> Result<AhoCorasick> {
    let mut labels: Vec<&'static str> = FORMATS
        .iter()
        .flat_map(|&format| template(format).wordings())
        .collect();
    labels.retain(|label| !label.is_empty());
    labels.sort_unstable();
    labels.dedup();
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::LeftmostLongest)
        .build(&labels)
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
