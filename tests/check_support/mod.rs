//! Helpers shared by the `check` integration tests: the fixtures and a way
//! to run the `nianbao` binary.
#![allow(dead_code)] // each test file uses a part

pub mod truth;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every report fixture (the `.txt` files; `.truth.tsv` files are expected
/// readings, not reports), sorted by name.
pub fn report_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .map(|e| e.expect("readable fixture dir").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "expected the fixtures of tests/fixtures, found {files:?}"
    );
    files
}

/// The fixture's name without extension, e.g. `jiaxing-jingxin-2022`.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}

/// Run `nianbao` in the repository root with `args`, no configuration file
/// lookup unless the caller passes one, NO_COLOR set, optional stdin.
pub fn nianbao(args: &[&str], stdin: Option<&[u8]>) -> Output {
    nianbao_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, stdin)
}

pub fn nianbao_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nianbao"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run nianbao");
    // Write stdin from another thread (output is read meanwhile); nianbao
    // may stop reading early (a size limit), so a broken pipe is no error.
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin piped");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || match pipe.write_all(&bytes) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {e}"),
            _ => {}
        })
    });
    let output = child.wait_with_output().expect("nianbao finishes");
    if let Some(w) = writer {
        w.join().expect("stdin writer");
    }
    output
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output parsed as JSON; a panic showing both streams if it is not.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("JSON output ({e}): {}{}", stdout(o), stderr(o)))
}

/// [`nianbao_in`] `dir` with `args` and `--isolated` (no configuration file).
pub fn nianbao_isolated_in(dir: &Path, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.push("--isolated");
    nianbao_in(dir, &all, None)
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn sarif_schema() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema file")).expect("schema is JSON")
}

/// Validate `doc` against the official SARIF 2.1.0 schema, formats included.
pub fn assert_valid_sarif(doc: &serde_json::Value) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&sarif_schema())
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

/// The text of a report with the value of cell `table.row.column` increased
/// by one, and the span of the new value. Cells are located by the reader's
/// spans, so this works on every layout the reader supports.
pub fn bump_cell(text: &str, table: &str, row: &str, column: &str) -> Option<(String, nianbao_model::Span)> {
    bump_cell_of(
        text,
        &nianbao_reader::read_text("fixture", text),
        table,
        row,
        column,
    )
}

/// [`bump_cell`] with the report of `text` already read.
pub fn bump_cell_of(
    text: &str,
    report: &nianbao_model::Report,
    table: &str,
    row: &str,
    column: &str,
) -> Option<(String, nianbao_model::Span)> {
    let cell = report.cell(table, row, column)?;
    let nianbao_model::CellValue::Integer(n) = cell.value else {
        return None;
    };
    let new = n.checked_add(1)?.to_string();
    let mut mutated = String::with_capacity(text.len() + 1);
    mutated.push_str(text.get(..cell.span.offset)?);
    mutated.push_str(&new);
    mutated.push_str(text.get(cell.span.end()..)?);
    Some((mutated, nianbao_model::Span::new(cell.span.offset, new.len())))
}

/// The consistent fixture, with 本年新收 总计 increased by one: an error.
pub fn inconsistent_jiaxing() -> String {
    let text = std::fs::read_to_string(fixtures_dir().join("jiaxing-jingxin-2022.txt")).expect("fixture");
    bump_cell(&text, "requests", "new", "total")
        .expect("the reader reads requests.new.total of jiaxing-jingxin-2022 as an integer")
        .0
}
