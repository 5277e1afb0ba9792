//! `nianbao extract` on the real fixtures: every cell's value, every cell's
//! LINE:COL, the metadata, and the output formats.

use nianbao_model::label::fold_char;
use nianbao_model::{template, Format, RowKind};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn nianbao(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run nianbao: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

/// `nianbao extract FILE --format tsv`, asserting exit 0.
fn tsv(file: &str) -> String {
    let path = fixture(file);
    let out = nianbao(&["extract", path.to_str().expect("UTF-8 path"), "--format", "tsv"]);
    assert!(
        out.status.success(),
        "{file}: exit {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

type Key = (String, String, String);

/// TSV lines as key → (value, line, column).
fn parse_tsv(tsv: &str) -> BTreeMap<Key, (String, usize, usize)> {
    let mut out = BTreeMap::new();
    for line in tsv.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 5, "not 5 fields: {line:?}");
        let (l, c) = f[4].split_once(':').expect("LINE:COL");
        let key = (f[0].to_string(), f[1].to_string(), f[2].to_string());
        let prev = out.insert(key, (f[3].to_string(), l.parse().unwrap(), c.parse().unwrap()));
        assert!(prev.is_none(), "cell printed twice: {line}");
    }
    out
}

/// Every printed position holds exactly the printed number.
fn assert_positions(file: &str, cells: &BTreeMap<Key, (String, usize, usize)>) {
    let text = std::fs::read_to_string(fixture(file)).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    for ((t, r, c), (value, line, col)) in cells {
        let at: String = lines[line - 1]
            .chars()
            .skip(col - 1)
            .take(value.chars().count())
            .map(fold_char)
            .collect();
        assert_eq!(&at, value, "{file}: {t}.{r}.{c} at {line}:{col}");
        let after = lines[line - 1].chars().nth(col - 1 + value.chars().count());
        assert!(
            !after.is_some_and(|ch| fold_char(ch).is_ascii_digit()),
            "{file}: {t}.{r}.{c} at {line}:{col} is only part of a number"
        );
    }
}

/// The cells every 2021 report has: data rows × their columns.
fn template_cells() -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for t in &template(Format::V2021).tables {
        for r in t.rows.iter().filter(|r| r.kind == RowKind::Data) {
            for c in t.row_columns(r) {
                out.insert((t.id.to_string(), r.id.to_string(), c.id.to_string()));
            }
        }
    }
    out
}

fn key(t: &str, r: &str, c: &str) -> Key {
    (t.to_string(), r.to_string(), c.to_string())
}

/// All cells read, with the non-zero ones as listed, all others 0, and every
/// position pointing at its number.
fn assert_fixture(file: &str, nonzero: &[(&str, &str, &str, &str)], groups_with_numbers: &[&str]) {
    let cells = parse_tsv(&tsv(file));
    let mut expected = template_cells();
    let requests = template(Format::V2021).table("requests").unwrap();
    for g in groups_with_numbers {
        for c in &requests.columns {
            expected.insert(key("requests", g, c.id));
        }
    }
    let got: BTreeSet<Key> = cells.keys().cloned().collect();
    assert_eq!(
        got.symmetric_difference(&expected).collect::<Vec<_>>(),
        Vec::<&Key>::new(),
        "{file}: cells read differ from the template's"
    );
    let nonzero: BTreeMap<Key, &str> = nonzero.iter().map(|(t, r, c, v)| (key(t, r, c), *v)).collect();
    for (k, (value, _, _)) in &cells {
        let want = nonzero.get(k).copied().unwrap_or("0");
        assert_eq!(value, want, "{file}: {k:?}");
    }
    assert_positions(file, &cells);
}

#[test]
fn haiyan_all_cells() {
    assert_fixture(
        "haiyan-jingxin-2023.txt",
        &[
            ("disclosure", "normative_docs", "issued", "1"),
            ("disclosure", "normative_docs", "repealed", "5"),
            ("disclosure", "normative_docs", "in_force", "4"),
        ],
        // haiyan prints numbers on the group rows too.
        &["denied", "unable", "not_processed", "other"],
    );
}

#[test]
fn jiaxing_all_cells() {
    let mut nonzero = vec![
        ("disclosure", "normative_docs", "issued", "5"),
        ("disclosure", "normative_docs", "repealed", "1"),
        ("disclosure", "normative_docs", "in_force", "6"),
    ];
    for (row, v) in [
        ("new", "8"),
        ("granted", "3"),
        ("unable.not_held", "2"),
        ("unable.needs_creation", "1"),
        ("not_processed.petition", "1"),
        ("not_processed.excessive", "1"),
        ("total", "8"),
    ] {
        nonzero.push(("requests", row, "natural_person", v));
        nonzero.push(("requests", row, "total", v));
    }
    assert_fixture("jiaxing-jingxin-2022.txt", &nonzero, &[]);
}

#[test]
fn pinghu_all_cells() {
    assert_fixture("pinghu-jingxin-2021.txt", &[], &[]);
}

#[test]
fn sanmen_all_cells() {
    assert_fixture("sanmen-yanhai-2023.txt", &[], &[]);
}

#[test]
fn zhenhai_all_cells() {
    assert_fixture(
        "zhenhai-jingxin-2023.txt",
        &[
            ("disclosure", "normative_docs", "issued", "0"),
            ("disclosure", "normative_docs", "repealed", "1"),
            ("disclosure", "normative_docs", "in_force", "1"),
        ],
        &[],
    );
}

/// Both PDF exports of hongze give exactly the truth's cells and values,
/// real defects included (review totals printed 0).
#[test]
fn hongze_matches_truth_from_both_pdf_tools() {
    let truth_text = std::fs::read_to_string(fixture("hongze-2023.truth.tsv")).unwrap();
    let truth: BTreeMap<Key, String> = truth_text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (key(f[0], f[1], f[2]), f[3].to_string())
        })
        .collect();
    assert_eq!(truth.len(), 186);
    for file in ["hongze-2023-pypdf.txt", "hongze-2023-pdfplumber.txt"] {
        let cells = parse_tsv(&tsv(file));
        let got: BTreeMap<Key, String> = cells
            .iter()
            .map(|(k, (v, _, _))| (k.clone(), v.clone()))
            .collect();
        assert_eq!(got, truth, "{file}");
        assert_positions(file, &cells);
    }
}

#[test]
fn metadata_of_every_fixture() {
    let cases = [
        ("haiyan-jingxin-2023.txt", "海盐县经济和信息化局", 2023, None),
        (
            "jiaxing-jingxin-2022.txt",
            "嘉兴市经济和信息化局",
            2022,
            Some("2023-01-17"),
        ),
        ("pinghu-jingxin-2021.txt", "平湖市经信局", 2021, None),
        ("sanmen-yanhai-2023.txt", "沿海工业城发展服务中心", 2023, None),
        (
            "zhenhai-jingxin-2023.txt",
            "宁波市镇海区经济和信息化局",
            2023,
            None,
        ),
        ("hongze-2023-pypdf.txt", "洪泽区人民政府", 2023, None),
        ("hongze-2023-pdfplumber.txt", "洪泽区人民政府", 2023, None),
        (
            "pingtan-2021-flattened.txt",
            "平潭综合实验区",
            2021,
            Some("2022-02-08"),
        ),
    ];
    for (file, body, year, published) in cases {
        let text = std::fs::read_to_string(fixture(file)).unwrap();
        let report = nianbao_reader::read_text(file, &text);
        let m = &report.metadata;
        let b = m.body.as_ref().unwrap_or_else(|| panic!("{file}: no body"));
        assert_eq!(b.value, body, "{file}");
        assert_eq!(b.span.slice(&text), Some(body), "{file}: body span");
        let y = m.year.as_ref().unwrap_or_else(|| panic!("{file}: no year"));
        assert_eq!(y.value, year, "{file}");
        assert_eq!(
            m.published.as_ref().map(|p| p.value.to_string()),
            published.map(str::to_string),
            "{file}"
        );
        assert_eq!(report.format, Format::V2021, "{file}");
        assert_eq!(
            report.sections.len(),
            6,
            "{file}: sections {:?}",
            report.sections.keys()
        );
        if file != "pingtan-2021-flattened.txt" {
            assert_eq!(report.problems, vec![], "{file}");
        }
    }
    // sanmen has no title: year and body come from its first paragraph.
    let text = std::fs::read_to_string(fixture("sanmen-yanhai-2023.txt")).unwrap();
    let report = nianbao_reader::read_text("sanmen", &text);
    assert!(report.metadata.title.is_none());
    let year = report.metadata.year.unwrap();
    assert_eq!(year.span.slice(&text), Some("2023"));
    assert!(text
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("2023年,沿海工业城发展服务中心"));
    // Statistics periods where printed.
    for file in [
        "haiyan-jingxin-2023.txt",
        "hongze-2023-pypdf.txt",
        "pinghu-jingxin-2021.txt",
    ] {
        let text = std::fs::read_to_string(fixture(file)).unwrap();
        let p = nianbao_reader::read_text(file, &text)
            .metadata
            .period
            .expect("period");
        assert_eq!(p.value.start.month, 1, "{file}");
        assert_eq!((p.value.end.month, p.value.end.day), (12, 31), "{file}");
    }
}

#[test]
fn tsv_snapshots() {
    for file in [
        "haiyan-jingxin-2023",
        "jiaxing-jingxin-2022",
        "pinghu-jingxin-2021",
        "sanmen-yanhai-2023",
        "zhenhai-jingxin-2023",
        "hongze-2023-pypdf",
        "hongze-2023-pdfplumber",
    ] {
        insta::assert_snapshot!(format!("extract_{file}"), tsv(&format!("{file}.txt")));
    }
}

#[test]
fn json_reads_back_to_the_same_cells() {
    let dir = std::env::temp_dir().join(format!("nianbao-extract-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["hongze-2023-pdfplumber.txt", "jiaxing-jingxin-2022.txt"] {
        let path = fixture(file);
        let out = nianbao(&["extract", path.to_str().unwrap(), "--format", "json"]);
        assert!(out.status.success());
        let json_path = dir.join(format!("{file}.json"));
        std::fs::write(&json_path, &out.stdout).unwrap();
        let again = nianbao(&["extract", json_path.to_str().unwrap(), "--format", "tsv"]);
        assert!(
            again.status.success(),
            "{}",
            String::from_utf8_lossy(&again.stderr)
        );
        assert_eq!(stdout(&again), tsv(file), "{file}");
    }
    // A report JSON with a span outside its text is refused.
    let bad = r#"{"source":{"name":"x","text":"abc"},"format":"2021","tables":{"review":{"span":{"offset":0,"len":99},"rows":{}}}}"#;
    let bad_path = dir.join("bad.json");
    std::fs::write(&bad_path, bad).unwrap();
    let out = nianbao(&["extract", bad_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside the text"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_has_a_header_and_a_file_column_and_several_files_continue_past_errors() {
    let a = fixture("sanmen-yanhai-2023.txt");
    let b = fixture("zhenhai-jingxin-2023.txt");
    let missing = fixture("no-such-report.txt");
    let out = nianbao(&[
        "extract",
        a.to_str().unwrap(),
        missing.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(2), "an unreadable file is exit 2");
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("file,table,row,column,value,position,inferred,reading")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 400, "both readable files are extracted");
    assert!(rows[0].starts_with(&format!("{},disclosure,regulations,issued,0,", a.display())));
    assert!(
        rows.iter().all(|r| r.ends_with(",false,read")),
        "printed cells are not inferred, and every place was read"
    );
    assert!(rows
        .iter()
        .any(|r| r.starts_with(&format!("{},disclosure,normative_docs,repealed,1,", b.display()))));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-report.txt"));
}

#[test]
fn several_files_in_tsv_are_prefixed_with_the_file() {
    let a = fixture("sanmen-yanhai-2023.txt");
    let b = fixture("pinghu-jingxin-2021.txt");
    let out = nianbao(&["extract", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 400);
    assert!(text.lines().all(|l| l.split('\t').count() == 6));
}

#[test]
fn problems_are_warnings_on_stderr_with_exit_0() {
    let out = nianbao(&["extract", fixture("pingtan-2021-flattened.txt").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    // The one row of pingtan's flattened digits that no arithmetic decides.
    assert!(err.contains("AmbiguousSplit: disclosure.normative_docs"), "{err}");
    assert!(
        err.contains("pingtan-2021-flattened.txt:10:"),
        "warnings carry a location: {err}"
    );
}

#[test]
fn undecodable_input_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("nianbao-binary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("binary.txt");
    // Binary bytes (NULs, invalid sequences): no text encoding reads them.
    std::fs::write(
        &path,
        [0x00u8, 0xFF, 0x00, 0xC3, 0x28, 0x00, 0x80, 0xFE, 0x00, 0x01],
    )
    .unwrap();
    let out = nianbao(&["extract", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("binary.txt"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_streams_one_csv_for_every_report_in_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let out = nianbao(&["extract", dir.to_str().unwrap(), "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    let mut per_file: std::collections::BTreeMap<String, usize> = Default::default();
    let mut matrix = 0;
    for line in text.lines().skip(1) {
        let file = line.split(',').next().unwrap_or_default();
        // The exporter matrix (tests/fixtures/exporters) is counted apart.
        if file.contains("/exporters/") {
            matrix += 1;
            continue;
        }
        let name = Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        *per_file.entry(name.to_string()).or_default() += 1;
    }
    let expected: Vec<(&str, usize)> = vec![
        ("haiyan-jingxin-2023.txt", 228),
        ("hongze-2023-pdfplumber.txt", 186),
        ("hongze-2023-pypdf.txt", 186),
        ("hongze-2023.pdf", 186),
        ("jiaxing-jingxin-2022.txt", 200),
        ("pinghu-jingxin-2021.txt", 200),
        // 197 cells and the row whose digits would not split (not read).
        ("pingtan-2021-flattened.txt", 198),
        ("sanmen-yanhai-2023.txt", 200),
        ("zhenhai-jingxin-2023.txt", 200),
    ];
    let got: Vec<(&str, usize)> = per_file.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        got, expected,
        "every report file in the directory, not the .truth.tsv files"
    );
    assert!(matrix > 10_000, "the subdirectories' files too: {matrix} lines");
    // A directory's TSV lines carry the file, as for several files.
    let out = nianbao(&["extract", dir.to_str().unwrap()]);
    assert!(stdout(&out).lines().all(|l| l.split('\t').count() >= 6));
}
