//! A reviewer's workflow from the command line: decisions recorded with
//! `nianbao review`, applied by `check --review` (dismissed findings not
//! counted, shown apart, hidden with --problems-only), stale once the report
//! is corrected, pruned; a damaged review file is an error at its line; the
//! 问题清单 workbook read back as a spreadsheet program reads it.
//! (That decisions survive re-exports and re-encodings: tests/formats.rs.)

mod check_support;

use calamine::{open_workbook, Data, Reader, Xlsx};
use check_support::{
    assert_valid_sarif, bump_cell, code, fixtures_dir, json, nianbao_isolated_in, stderr, stdout,
};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// A folder with `jiaxing.txt`, the fixture with one cell one more than
/// printed (so it has error findings), and the consistent original beside
/// it under `corrected/`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(fixtures_dir().join("jiaxing-jingxin-2022.txt")).expect("fixture");
    let (mutated, _) = bump_cell(&text, "requests", "new", "natural_person").expect("a cell to change");
    std::fs::write(dir.path().join("jiaxing.txt"), mutated).expect("write");
    std::fs::create_dir(dir.path().join("corrected")).expect("mkdir");
    std::fs::write(dir.path().join("corrected/jiaxing.txt"), text).expect("write");
    dir
}

/// The findings of a JSON document: (rule, review decision or "open").
fn findings(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["reports"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["findings"].as_array().into_iter().flatten())
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["review"]["decision"].as_str().unwrap_or("open").to_string(),
            )
        })
        .collect()
}

#[test]
fn dismissed_findings_do_not_count_and_corrected_reports_make_decisions_stale() {
    let dir = workspace();
    let d = dir.path();
    let before = nianbao_isolated_in(d, &["check", "--format", "json", "jiaxing.txt"]);
    assert_eq!(code(&before), 1, "errors before review");
    let errors: Vec<(String, String)> = findings(&json(&before));
    assert_eq!(
        errors,
        [
            ("requests.row-total".to_string(), "open".to_string()),
            ("requests.column-balance".to_string(), "open".to_string())
        ]
    );

    // A dismissal needs a reason.
    let refused = nianbao_isolated_in(
        d,
        &["review", "dismiss", "--rule", "requests.row-total", "jiaxing.txt"],
    );
    assert_eq!(code(&refused), 2);
    assert!(
        stderr(&refused).contains("a dismissal needs a reason"),
        "{}",
        stderr(&refused)
    );
    assert!(!d.join("nianbao-review.toml").exists());

    let dismissed = nianbao_isolated_in(
        d,
        &[
            "review",
            "dismiss",
            "--rule",
            "requests.row-total",
            "--reason",
            "表内已注明口径",
            "--reviewer",
            "张三",
            "--date",
            "2026-12-01",
            "jiaxing.txt",
        ],
    );
    assert_eq!(code(&dismissed), 0, "{}", stderr(&dismissed));
    assert_eq!(stdout(&dismissed), "1 个问题已排除，记入 nianbao-review.toml\n");
    // By fingerprint (a prefix of it), from the JSON output.
    let balance = json(&before)["reports"][0]["findings"][1]["fingerprint"]
        .as_str()
        .expect("a fingerprint")
        .to_string();
    let confirmed = nianbao_isolated_in(
        d,
        &["review", "confirm", "--fingerprint", &balance[..8], "jiaxing.txt"],
    );
    assert_eq!(code(&confirmed), 0, "{}", stderr(&confirmed));
    let file = std::fs::read_to_string(d.join("nianbao-review.toml")).expect("review file");
    assert!(file.contains("decision = \"dismissed\"\nreason = \"表内已注明口径\"\nreviewer = \"张三\"\ndate = \"2026-12-01\""), "{file}");
    assert!(file.contains(&format!("fingerprint = \"{balance}\"")), "{file}");

    // Applied: the dismissed error is not counted (one error left: exit 1),
    // shown apart; the confirmed one is marked.
    let args = ["check", "--review", "nianbao-review.toml", "jiaxing.txt"];
    let human = nianbao_isolated_in(d, &args);
    assert_eq!(code(&human), 1);
    let out = stdout(&human);
    assert!(out.contains("【复核已确认】"), "{out}");
    assert!(
        out.contains("jiaxing.txt：复核已排除 1 个问题（不计入）：\n  requests.row-total ["),
        "{out}"
    );
    assert!(out.contains("理由：表内已注明口径（张三，2026-12-01）"), "{out}");
    assert!(
        out.ends_with(
            "共检查 1 个报告：1 个错误，0 个警告，0 条提示；复核：1 个已确认，1 个已排除（不计入）\n"
        ),
        "{out}"
    );
    let only = nianbao_isolated_in(d, &[&args[..], &["--problems-only"]].concat());
    assert!(
        !stdout(&only).contains("复核已排除 1 个问题"),
        "{}",
        stdout(&only)
    );
    assert!(
        stdout(&only).contains("1 个已排除（不计入）"),
        "{}",
        stdout(&only)
    );
    let doc = json(&nianbao_isolated_in(
        d,
        &[&args[..], &["--format", "json"]].concat(),
    ));
    assert_eq!(
        findings(&doc),
        [
            ("requests.row-total".to_string(), "dismissed".to_string()),
            ("requests.column-balance".to_string(), "confirmed".to_string())
        ]
    );
    assert_eq!(doc["summary"]["error"], 1);
    assert_eq!(doc["summary"]["dismissed"], 1);
    // SARIF: the dismissal is a suppression with its reason; the schema holds.
    let sarif = json(&nianbao_isolated_in(
        d,
        &[&args[..], &["--format", "sarif"]].concat(),
    ));
    assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let suppressed: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{ "kind": "external", "status": "accepted", "justification": "表内已注明口径" }])
    );
    assert!(results
        .iter()
        .all(|r| r["partialFingerprints"]["nianbao/v1"].is_string()));

    // A typo fixed elsewhere in the report changes none of the findings'
    // fingerprints: every decision still applies, none is stale.
    let text = std::fs::read_to_string(d.join("jiaxing.txt")).expect("read");
    assert!(text.contains("均及时予以回复"));
    std::fs::write(
        d.join("edited.txt"),
        text.replace("均及时予以回复", "均及时予以答复"),
    )
    .expect("write");
    let edited = json(&nianbao_isolated_in(
        d,
        &[
            "check",
            "--review",
            "nianbao-review.toml",
            "--format",
            "json",
            "edited.txt",
        ],
    ));
    assert_eq!(edited["summary"]["dismissed"], 1, "{}", edited["summary"]);
    assert_eq!(edited["summary"]["confirmed"], 1, "{}", edited["summary"]);
    assert!(
        edited["summary"]["stale_decisions"].is_null(),
        "{}",
        edited["summary"]
    );

    // The corrected report no longer has the findings: both decisions are
    // stale, and check says so.
    let fixed = nianbao_isolated_in(
        d,
        &[
            "check",
            "--review",
            "nianbao-review.toml",
            "corrected/jiaxing.txt",
        ],
    );
    assert_eq!(code(&fixed), 0);
    let out = stdout(&fixed);
    assert!(out.contains("2 个复核决定已过时"), "{out}");
    assert!(
        out.contains("corrected/jiaxing.txt：嘉兴市经济和信息化局 2022 年 requests.row-total"),
        "{out}"
    );
    let doc = json(&nianbao_isolated_in(
        d,
        &[
            "check",
            "--review",
            "nianbao-review.toml",
            "--format",
            "json",
            "corrected/jiaxing.txt",
        ],
    ));
    let stale = doc["summary"]["stale_decisions"]
        .as_array()
        .expect("stale decisions");
    assert_eq!(stale.len(), 2);
    assert_eq!(stale[1]["fingerprint"], balance.as_str());
    // A report the decisions are not about makes none stale.
    let other = nianbao_isolated_in(
        d,
        &[
            "check",
            "--review",
            "nianbao-review.toml",
            &fixtures_dir()
                .join("haiyan-jingxin-2023.txt")
                .display()
                .to_string(),
        ],
    );
    assert!(!stdout(&other).contains("过时"), "{}", stdout(&other));
    // Pruned against the corrected report, the file keeps none.
    let pruned = nianbao_isolated_in(d, &["review", "prune", "corrected/jiaxing.txt"]);
    assert_eq!(
        stdout(&pruned),
        "2 个过时的决定已删去（nianbao-review.toml）\n",
        "{}",
        stderr(&pruned)
    );
    let list = nianbao_isolated_in(d, &["review", "list"]);
    assert_eq!(stdout(&list), "");
}

#[test]
fn a_damaged_review_file_is_an_error_at_its_line() {
    let dir = workspace();
    let d = dir.path();
    let ok = nianbao_isolated_in(d, &["review", "confirm", "--rule", "requests", "jiaxing.txt"]);
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let text = std::fs::read_to_string(d.join("nianbao-review.toml")).expect("review file");
    let cases = [
        (
            text.replacen("\"confirmed\"", "\"confirm\"", 1),
            "unknown variant `confirm`",
        ),
        (
            text.replacen("fingerprint = \"", "fingerprint = \"zz", 1),
            "is not a fingerprint",
        ),
        (
            format!("{text}{}", &text[text.find("\n[[decision]]").unwrap_or(0)..]),
            "is decided twice",
        ),
        (text.replacen("rule = ", "rules = ", 1), "unknown field `rules`"),
        (
            text.replacen("\"confirmed\"", "\"dismissed\"", 1),
            "has no reason",
        ),
        (text.replacen("\n[[decision]]", "\n[[decision]", 1), ""),
    ];
    for (damaged, what) in cases {
        std::fs::write(d.join("damaged.toml"), &damaged).expect("write");
        let out = nianbao_isolated_in(d, &["check", "--review", "damaged.toml", "jiaxing.txt"]);
        assert_eq!(code(&out), 2, "{what}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.contains("review file damaged.toml"), "{err}");
        assert!(err.contains(what), "{what}: {err}");
        // miette names the line: [damaged.toml:LINE:COLUMN].
        assert!(err.contains("[damaged.toml:"), "{err}");
        assert!(stdout(&out).is_empty(), "nothing checked against a damaged file");
    }
    // A review file that does not exist is an error for check (a typo would
    // otherwise apply nothing), not for review, which creates it.
    let missing = nianbao_isolated_in(d, &["check", "--review", "nope.toml", "jiaxing.txt"]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("cannot read the review file nope.toml"),
        "{}",
        stderr(&missing)
    );
}

fn sheet(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<String>> {
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The 问题清单 of the fixtures directory: one row per finding with its
/// review columns from the review file, a summary per body, the reports not
/// read whole; a frozen header row with filters.
#[test]
fn the_workbook_of_the_fixtures_reads_back() {
    let dir = workspace();
    let d = dir.path();
    let fixtures = fixtures_dir().display().to_string();
    // Decisions: dismiss the hongze report's review-table errors, confirm
    // the haiyan report's structure findings.
    let hongze = fixtures_dir().join("hongze-2023-pypdf.txt").display().to_string();
    let haiyan = fixtures_dir()
        .join("haiyan-jingxin-2023.txt")
        .display()
        .to_string();
    for args in [
        vec![
            "review",
            "dismiss",
            "--rule",
            "review.group-total",
            "--reason",
            "表注说明口径不同",
            "--reviewer",
            "李四",
            &hongze,
        ],
        vec![
            "review",
            "confirm",
            "--rule",
            "structure",
            "--reviewer",
            "李四",
            &haiyan,
        ],
    ] {
        let out = nianbao_isolated_in(d, &args);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let doc = json(&nianbao_isolated_in(
        d,
        &[
            "check",
            "--format",
            "json",
            "--review",
            "nianbao-review.toml",
            &fixtures,
        ],
    ));
    let out = nianbao_isolated_in(
        d,
        &[
            "check",
            "--format",
            "xlsx",
            "-o",
            "问题清单.xlsx",
            "--review",
            "nianbao-review.toml",
            &fixtures,
        ],
    );
    assert!(code(&out) < 2, "{}", stderr(&out));
    let path = d.join("问题清单.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).expect("an xlsx workbook");
    assert_eq!(book.sheet_names(), ["问题清单", "汇总", "未完整读取"]);

    let rows = sheet(&mut book, "问题清单");
    assert_eq!(
        rows[0],
        [
            "单位",
            "年度",
            "文件",
            "问题类型",
            "规则",
            "严重程度",
            "说明",
            "位置",
            "复核状态",
            "复核意见",
            "复核人",
            "指纹"
        ]
    );
    // One row per finding, in the order of the JSON document.
    let json_findings: Vec<&serde_json::Value> = doc["reports"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["findings"].as_array().into_iter().flatten())
        .collect();
    assert_eq!(rows.len() - 1, json_findings.len());
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    for (row, f) in rows[1..].iter().zip(&json_findings) {
        assert_eq!(row[4], f["rule"].as_str().unwrap_or_default());
        assert_eq!(row[6], f["message"].as_str().unwrap_or_default());
        assert_eq!(row[11], f["fingerprint"].as_str().unwrap_or_default());
        let (state, reason, reviewer) = match f["review"]["decision"].as_str() {
            Some("dismissed") => ("已排除", "表注说明口径不同", "李四 "),
            Some("confirmed") => ("已确认", "", "李四 "),
            _ => ("未复核", "", ""),
        };
        assert_eq!(row[8], state);
        assert_eq!(row[9], reason);
        assert!(row[10].starts_with(reviewer), "{row:?}");
        let has_place = f["labels"].as_array().is_some_and(|l| !l.is_empty());
        assert_eq!(
            row[7].starts_with('第'),
            has_place,
            "a place where the finding has one: {row:?}"
        );
        *states.entry(row[8].clone()).or_default() += 1;
    }
    // The hongze report is in three files (PDF and two text exports): its
    // two dismissed findings are dismissed in each.
    assert_eq!(states.get("已排除"), Some(&6), "{states:?}");
    assert!(states.get("已确认").is_some_and(|&n| n >= 4), "{states:?}");

    let summary = sheet(&mut book, "汇总");
    assert_eq!(
        summary[0],
        [
            "单位",
            "报告数",
            "问题数",
            "错误",
            "警告",
            "提示",
            "未复核",
            "已确认",
            "已排除"
        ]
    );
    let hongze_row = summary
        .iter()
        .find(|r| r[0] == "洪泽区人民政府")
        .expect("a row for the hongze body");
    assert_eq!(hongze_row[1], "3", "{hongze_row:?}");
    assert_eq!(hongze_row[8], "6", "{hongze_row:?}");
    assert_eq!(hongze_row[3], "0", "its errors are dismissed: {hongze_row:?}");

    let not_read = sheet(&mut book, "未完整读取");
    assert_eq!(
        not_read[0],
        ["文件", "单位", "年度", "读取情况", "未能读取处数", "说明"]
    );
    let partly = doc["reports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["reading"]["status"] != "complete")
        .count();
    assert_eq!(not_read.len() - 1, partly);

    // Frozen header rows and filters, as the sheets' XML states them.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).expect("open")).expect("a zip");
    for i in 1..=3 {
        let mut xml = String::new();
        zip.by_name(&format!("xl/worksheets/sheet{i}.xml"))
            .expect("a sheet")
            .read_to_string(&mut xml)
            .expect("read");
        assert!(xml.contains("state=\"frozen\""), "sheet {i}");
        assert!(xml.contains("<autoFilter"), "sheet {i}");
        assert!(xml.contains("<col "), "sheet {i}: column widths");
    }
    libreoffice_opens(&path, rows.len());
}

/// LibreOffice Calc converts the workbook's first sheet to CSV with as many
/// rows as written. Skipped (and said so) only where LibreOffice Calc is not
/// installed.
fn libreoffice_opens(path: &Path, rows: usize) {
    let soffice = ["soffice", "libreoffice"].into_iter().find(|name| {
        std::process::Command::new(name)
            .arg("--version")
            .stdin(std::process::Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let calc = Path::new("/usr/lib/libreoffice/program/libsclo.so").exists();
    let Some(soffice) = soffice.filter(|_| calc) else {
        eprintln!(
            "skipped: LibreOffice Calc is not installed; the workbook was read back with calamine only"
        );
        return;
    };
    let out_dir = tempfile::tempdir().expect("temp dir");
    let profile = tempfile::tempdir().expect("temp dir");
    let converted = std::process::Command::new(soffice)
        .args(["--headless", "--norestore"])
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        // CSV: comma, double quote, UTF-8 (76), first sheet.
        .args([
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
        ])
        .arg(out_dir.path())
        .arg(path)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run LibreOffice");
    let csv_path = out_dir.path().join("问题清单.csv");
    let csv = std::fs::read_to_string(&csv_path).unwrap_or_else(|e| {
        panic!(
            "LibreOffice did not convert the workbook ({e}): {}",
            String::from_utf8_lossy(&converted.stderr)
        )
    });
    assert!(
        csv.starts_with("单位,年度,文件,问题类型,规则,严重程度,说明,位置,复核状态,复核意见,复核人,指纹"),
        "{csv}"
    );
    // Records: line breaks outside quoted fields (a message may hold one).
    let mut quoted = false;
    let records = csv
        .chars()
        .filter(|&c| {
            if c == '"' {
                quoted = !quoted;
            }
            c == '\n' && !quoted
        })
        .count();
    assert_eq!(records, rows, "{csv}");
}
