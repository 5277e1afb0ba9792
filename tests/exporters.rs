//! The exporter matrix (issue 19): consistent reports published as web
//! pages, Word-saved HTML, .docx and PDF, turned into text by the tools
//! users have (tools/exporters/README.md), with each report's truth.
//!
//! For every file: every cell is read exactly or reported not read — never
//! a wrong number — and the consistent report gets no error. The table of
//! files read exactly and cells right per tool and per source is printed
//! by `matrix_table` (`bash bench/exporters.sh`).

mod check_support;

use check_support::truth::{score_bytes, truth, Place, Score};
use nianbao_model::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn matrix_dir() -> PathBuf {
    check_support::fixtures_dir().join("exporters")
}

/// Every file of the matrix: (report, source, tool, path). A source
/// document read by nianbao itself is tool `nianbao`.
fn matrix() -> Vec<(String, String, String, PathBuf)> {
    let mut files = Vec::new();
    let Ok(dirs) = std::fs::read_dir(matrix_dir()) else {
        return files;
    };
    let mut dirs: Vec<PathBuf> = dirs
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let report = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("report dir")
            .filter_map(|e| Some(e.ok()?.path()))
            .collect();
        entries.sort();
        for path in entries {
            let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if file == "truth.tsv" || file == "meta.jsonc" {
                continue;
            }
            let parts: Vec<&str> = file.split('.').collect();
            let (source, tool) = match parts.as_slice() {
                [source, tool, "txt"] => (source.to_string(), tool.to_string()),
                [source, ext] => (format!("{source}.{ext}"), "nianbao".to_string()),
                _ => continue,
            };
            files.push((report.clone(), source, tool, path));
        }
    }
    files
}

fn scores() -> Vec<(String, String, String, PathBuf, Score)> {
    let mut out = Vec::new();
    let mut truths: BTreeMap<String, BTreeMap<Place, Option<Decimal>>> = BTreeMap::new();
    for (report, source, tool, path) in matrix() {
        let truth = truths
            .entry(report.clone())
            .or_insert_with(|| truth(&matrix_dir().join(&report)));
        let bytes = std::fs::read(&path).expect("matrix file");
        let s = score_bytes(&path.display().to_string(), &bytes, truth);
        out.push((report, source, tool, path, s));
    }
    out
}

#[test]
fn every_cell_is_right_or_said_not_read_and_no_consistent_report_gets_an_error() {
    let scores = scores();
    if scores.is_empty() {
        return;
    }
    let mut failures = Vec::new();
    for (_, _, _, path, s) in &scores {
        let name = path
            .strip_prefix(matrix_dir())
            .unwrap_or(path)
            .display()
            .to_string();
        for w in s.wrong.iter().take(3) {
            failures.push(format!("{name}: WRONG {w}"));
        }
        for w in s.silent.iter().take(3) {
            failures.push(format!("{name}: not read and not said: {w}"));
        }
        for e in s.errors.iter().take(3) {
            failures.push(format!("{name}: error on a consistent report: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.iter().take(60).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// The table for closing notes: files read exactly and cells right, per
/// tool and per source (printed; run with `--nocapture`).
#[test]
fn matrix_table() {
    let scores = scores();
    let mut by: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for (_, source, tool, _, s) in &scores {
        for key in [
            ("tool".to_string(), tool.clone()),
            ("source".to_string(), source.clone()),
        ] {
            let e = by.entry(key).or_default();
            e.files += 1;
            e.exact += usize::from(s.exact());
            e.cells += s.cells;
            e.right += s.right;
            e.wrong += s.wrong.len() + s.silent.len();
            e.errors += s.errors.len();
        }
    }
    // MATRIX_FILES=1: a line per file not read exactly, with its first problem.
    if std::env::var_os("MATRIX_FILES").is_some() {
        for (_, _, _, path, s) in scores.iter().filter(|s| !s.4.exact()) {
            let name = path.strip_prefix(matrix_dir()).unwrap_or(path).display();
            let first = s
                .wrong
                .first()
                .or(s.silent.first())
                .or(s.errors.first())
                .cloned()
                .unwrap_or_default();
            println!(
                "{name}: right {}/{}, not read {}, wrong {}, silent {}, errors {} {first}",
                s.right,
                s.cells,
                s.not_read,
                s.wrong.len(),
                s.silent.len(),
                s.errors.len()
            );
        }
    }
    let files = scores.len();
    let exact = scores.iter().filter(|s| s.4.exact()).count();
    let cells: usize = scores.iter().map(|s| s.4.cells).sum();
    let right: usize = scores.iter().map(|s| s.4.right).sum();
    let wrong: usize = scores.iter().map(|s| s.4.wrong.len() + s.4.silent.len()).sum();
    println!("exporter matrix: {files} files, {exact} read exactly; {right}/{cells} cells right, {wrong} wrong or silently missing");
    println!(
        "{:<8} {:<22} {:>6} {:>6} {:>12} {:>6} {:>7}",
        "by", "name", "files", "exact", "cells right", "wrong", "errors"
    );
    for ((kind, name), t) in &by {
        let right = if t.cells == 0 {
            0.0
        } else {
            t.right as f64 * 100.0 / t.cells as f64
        };
        println!(
            "{kind:<8} {name:<22} {:>6} {:>6} {right:>11.1}% {:>6} {:>7}",
            t.files, t.exact, t.wrong, t.errors
        );
    }
}

/// Files and cells of one tool or source.
#[derive(Default)]
struct Tally {
    files: usize,
    exact: usize,
    cells: usize,
    right: usize,
    wrong: usize,
    errors: usize,
}
