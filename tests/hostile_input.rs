//! Hostile and broken report input through the CLI: encodings other than
//! UTF-8, binary and empty files, files that are no report at all, numbers
//! too large for any type, batches with bad files, and `--output` when a run
//! fails. Each class asserts the exact error code or rule ids, and the exit
//! code (2 for an input that cannot be checked, 1 for a finding).

mod check_support;

use check_support::{assert_valid_sarif, code, fixtures_dir, json, nianbao, stderr, stdout};
use serde_json::Value;
use std::path::Path;

fn check_json(path: &Path) -> (i32, Value) {
    let o = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            path.to_str().expect("path"),
        ],
        None,
    );
    assert!(
        !stderr(&o).contains("panicked"),
        "{}: {}",
        path.display(),
        stderr(&o)
    );
    (code(&o), json(&o))
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(name)).expect("fixture")
}

/// A finding's rule and its labels as (offset, line, column).
type RuleAndLabels = (String, Vec<(u64, u64, u64)>);

/// Each finding's rule and labels.
fn findings(doc: &Value) -> Vec<RuleAndLabels> {
    doc["reports"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let labels = f["labels"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| {
                    let n = |k: &str| l[k].as_u64().unwrap_or(u64::MAX);
                    (n("offset"), n("line"), n("column"))
                })
                .collect();
            (f["rule"].as_str().unwrap_or_default().to_string(), labels)
        })
        .collect()
}

fn error_code(doc: &Value, k: usize) -> &str {
    doc["reports"][k]["error"]["code"]
        .as_str()
        .unwrap_or("(no error)")
}

#[test]
fn gbk_gb18030_and_utf16_copies_give_the_same_findings_as_utf8() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut compared_with_findings = 0;
    for fixture_path in check_support::report_fixtures() {
        let text = std::fs::read_to_string(&fixture_path).expect("fixture");
        let (utf8_code, utf8_doc) = check_json(&fixture_path);
        let expected = findings(&utf8_doc);
        let utf16 = |le: bool| -> Vec<u8> {
            let bom: [u8; 2] = if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] };
            bom.into_iter()
                .chain(
                    text.encode_utf16()
                        .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() }),
                )
                .collect()
        };
        let mut copies: Vec<(&str, Vec<u8>)> = vec![
            ("gb18030.txt", encoding_rs::GB18030.encode(&text).0.into_owned()),
            ("utf16le.txt", utf16(true)),
            ("utf16be.txt", utf16(false)),
        ];
        // GBK has no code for some characters (GB18030 has one for every one).
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
        if !unmappable {
            copies.push(("gbk.txt", gbk.into_owned()));
        }
        for (name, bytes) in copies {
            assert_ne!(bytes, text.as_bytes(), "{name} is re-encoded");
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).expect("write");
            let (c, doc) = check_json(&path);
            assert_eq!(c, utf8_code, "{} as {name}", fixture_path.display());
            // Offsets are into the decoded UTF-8 text, so they equal the
            // UTF-8 file's; lines and columns are the same anyway.
            assert_eq!(findings(&doc), expected, "{} as {name}", fixture_path.display());
            if name == "gbk.txt" && !expected.is_empty() {
                compared_with_findings += 1;
            }
        }
    }
    assert!(
        compared_with_findings >= 3,
        "GBK copies of fixtures with findings were compared: {compared_with_findings}"
    );
}

#[test]
fn binary_empty_and_undecodable_inputs_are_errors_naming_the_offset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, &[u8], &str, &str); 5] = [
        (
            "binary.txt",
            b"PK\x05\x06 not a zip\x00\x00",
            "nianbao::read::binary",
            "NUL byte at offset 14",
        ),
        ("empty.txt", b"", "nianbao::read::empty", "the file is empty"),
        (
            "blank.txt",
            b"\xEF\xBB\xBF \r\n\t\n",
            "nianbao::read::empty",
            "the file is empty",
        ),
        (
            // Latin-1: neither UTF-8 nor Chinese text in GB18030.
            "latin1.txt",
            b"Ann\xE9e 2023: r\xE9union\n",
            "nianbao::read::encoding",
            "invalid byte at offset 3",
        ),
        (
            // A UTF-16 byte-order mark and a lone surrogate.
            "utf16-broken.txt",
            b"\xFF\xFE\x2C\x54\x00\xD8\x41\x00",
            "nianbao::read::encoding",
            "invalid UTF-16LE text (at byte offset 4)",
        ),
    ];
    for (name, bytes, expected_code, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let (c, doc) = check_json(&path);
        assert_eq!(c, 2, "{name}");
        assert_eq!(error_code(&doc, 0), expected_code, "{name}");
        let text = doc["reports"][0]["error"]["message"].as_str().unwrap_or_default();
        assert!(text.contains(message), "{name}: {text}");
        assert!(
            !text.contains(name),
            "the path is shown beside the error, not inside it: {text}"
        );
        assert!(doc["reports"][0]["error"]["help"].is_string(), "{name}");
    }
}

#[test]
fn utf8_cut_in_the_middle_of_a_character_is_not_read_as_gbk() {
    let text = fixture("jiaxing-jingxin-2022.txt");
    let at = text.find("总体情况").expect("heading");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cut.txt");
    std::fs::write(&path, &text.as_bytes()[..at + 1]).expect("write");
    let (c, doc) = check_json(&path);
    assert_eq!(c, 2);
    assert_eq!(error_code(&doc, 0), "nianbao::read::encoding");
    let message = doc["reports"][0]["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("invalid byte at offset {at}")),
        "{message}"
    );
}

#[test]
fn text_that_is_no_report_is_a_failure_not_a_list_of_missing_parts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("minutes.txt");
    std::fs::write(
        &path,
        "会议纪要\n时间：2023年3月2日上午9时\n地点：三楼会议室\n一、传达学习有关文件精神。\n\
         二、研究部署下一阶段工作，参会人员12人。\n",
    )
    .expect("write");
    let (c, doc) = check_json(&path);
    assert_eq!(c, 2, "not a report: the input could not be checked");
    let report = &doc["reports"][0];
    assert_eq!(report["error"]["code"], "nianbao::read::not-a-report", "{report}");
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(doc["summary"]["unreadable"], 1);
    // The same through every format: exit 2, never 0 or 1.
    for format in ["human", "sarif"] {
        let o = nianbao(
            &[
                "check",
                "--isolated",
                "--format",
                format,
                path.to_str().expect("path"),
            ],
            None,
        );
        assert_eq!(code(&o), 2, "{format}");
    }
    let o = nianbao(&["check", "--isolated", path.to_str().expect("path")], None);
    assert!(stdout(&o).contains("not an annual report"), "{}", stdout(&o));
}

/// The jiaxing fixture (one cell per line) with the cell of
/// requests.new.natural_person (a line of its own) replaced by `value`.
fn jiaxing_with_cell(value: &str) -> String {
    let text = fixture("jiaxing-jingxin-2022.txt");
    let report = nianbao_reader::read_text("jiaxing", &text);
    let cell = report
        .cell("requests", "new", "natural_person")
        .expect("the reader finds requests.new.natural_person");
    format!("{}{value}{}", &text[..cell.span.offset], &text[cell.span.end()..])
}

#[test]
fn numbers_too_large_for_any_type_are_cells_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (k, value) in [
        "9223372036854775808",                            // i64::MAX + 1
        "99999999999999999999999999999999999",            // beyond any decimal
        "１２３４５６７８９０１２３４５６７８９０１２３", // full-width digits
    ]
    .into_iter()
    .enumerate()
    {
        let path = dir.path().join(format!("big{k}.txt"));
        std::fs::write(&path, jiaxing_with_cell(value)).expect("write");
        let (c, doc) = check_json(&path);
        // A cell not read is no defect of the report: exit 0, the report
        // read in part, its rules on that cell not checked.
        assert_eq!(c, 0, "{value}");
        let reading = &doc["reports"][0]["reading"];
        assert_eq!(reading["status"], "partial", "{value}: {reading}");
        assert!(
            reading["unchecked"]
                .as_array()
                .is_some_and(|u| u.iter().any(|u| u["rule"] == "requests.row-total")),
            "{value}: {reading}"
        );
        assert_eq!(doc["summary"]["partly_read"], 1);
        let f = &reading["limits"];
        let overflow: Vec<&Value> = f
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["rule"] == "extract.number-overflow")
            .collect();
        assert_eq!(overflow.len(), 1, "{value}: {f}");
        let message = overflow[0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("requests.new.natural_person") && message.contains(value),
            "{message}"
        );
    }
}

#[test]
fn a_batch_with_bad_files_reports_each_in_every_format_and_checks_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files: [(&str, Vec<u8>); 4] = [
        ("a-good.txt", fixture("jiaxing-jingxin-2022.txt").into_bytes()),
        ("b-binary.txt", b"\x7FELF\x02\x01\x01\x00\x00\x00".to_vec()),
        ("c-latin1.txt", b"r\xE9sum\xE9 \xE0 la cr\xE8me\n".to_vec()),
        ("d-empty.txt", Vec::new()),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("write");
    }
    let dir_arg = dir.path().to_str().expect("path");
    let run = |format: &str| nianbao(&["check", "--isolated", "--format", format, dir_arg], None);
    let bad = [
        ("b-binary.txt", "nianbao::read::binary"),
        ("c-latin1.txt", "nianbao::read::encoding"),
        ("d-empty.txt", "nianbao::read::empty"),
    ];

    let o = run("json");
    assert_eq!(code(&o), 2);
    let doc = json(&o);
    let reports = doc["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 4);
    assert!(reports[0]["path"]
        .as_str()
        .unwrap_or_default()
        .ends_with("a-good.txt"));
    assert!(reports[0].get("error").is_none(), "the good file is checked");
    assert!(reports[0]["findings"].is_array());
    for (k, (name, expected)) in bad.iter().enumerate() {
        assert!(
            reports[k + 1]["path"]
                .as_str()
                .unwrap_or_default()
                .ends_with(name),
            "{name}"
        );
        assert_eq!(error_code(&doc, k + 1), *expected, "{name}");
    }
    assert_eq!(doc["summary"]["unreadable"], 3);

    let o = run("human");
    assert_eq!(code(&o), 2);
    let human = stdout(&o);
    for (name, expected) in bad {
        assert!(
            human.contains(name) && human.contains(expected),
            "{name}: {human}"
        );
    }
    assert!(human.contains("3 个文件无法检查"), "{human}");

    let o = run("sarif");
    assert_eq!(code(&o), 2);
    let sarif = json(&o);
    assert_valid_sarif(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    let listed: Vec<(String, String)> = notes
        .iter()
        .map(|n| {
            let uri = n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or_default();
            let file = uri.rsplit('/').next().unwrap_or_default().to_string();
            (
                file,
                n["descriptor"]["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = bad.iter().map(|(n, c)| (n.to_string(), c.to_string())).collect();
    assert_eq!(listed, expected);
}

#[test]
fn an_existing_output_file_is_untouched_when_the_run_fails_before_writing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.json");
    std::fs::write(&out, "previous output\n").expect("write");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    std::fs::write(rules.join("broken.rules"), "rule broken {\n").expect("write");
    let jiaxing = fixtures_dir().join("jiaxing-jingxin-2022.txt");
    let o = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "--rules",
            rules.to_str().expect("path"),
            "--output",
            out.to_str().expect("path"),
            jiaxing.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("nianbao::rules::syntax"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&out).expect("output"),
        "previous output\n"
    );
    // Nothing else (no temporary file) is left in the directory.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["out.json", "rules"]);

    // A run with an unreadable input still writes its output whole (with
    // the error entry), exit code 2.
    let o = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "--output",
            out.to_str().expect("path"),
            jiaxing.to_str().expect("path"),
            "no/such/file.txt",
        ],
        None,
    );
    assert_eq!(code(&o), 2);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("output")).expect("whole JSON");
    assert_eq!(written["reports"][1]["error"]["code"], "nianbao::io");
}

#[test]
fn json_reports_with_spans_outside_their_text_or_deep_nesting_are_errors() {
    let fixture = fixtures_dir().join("jiaxing-jingxin-2022.txt");
    let o = nianbao(
        &["extract", "--format", "json", fixture.to_str().expect("path")],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut report = json(&o);
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.json");
    std::fs::write(&good, report.to_string()).expect("write");
    assert_eq!(check_json(&good).0, 0, "the report as extracted checks clean");

    // A cell whose span lies beyond the end of the source text.
    let cell = &mut report["tables"]["requests"]["rows"]["new"]["cells"]["natural_person"];
    assert!(cell.is_object(), "{cell}");
    cell["span"]["offset"] = Value::from(u64::MAX - 1);
    let outside = dir.path().join("outside.json");
    std::fs::write(&outside, report.to_string()).expect("write");
    // Nesting far deeper than any report: a parse error, not a stack overflow.
    let deep = dir.path().join("deep.json");
    std::fs::write(&deep, format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))).expect("write");
    for (path, expected) in [
        (&outside, "nianbao::read::invalid_report"),
        (&deep, "nianbao::read::json"),
    ] {
        let (c, doc) = check_json(path);
        assert_eq!(c, 2, "{}", path.display());
        assert_eq!(error_code(&doc, 0), expected, "{doc}");
    }
}

#[test]
fn utf16_json_on_stdin_is_read_as_json() {
    // Structured reports handed over by another tool, saved as "Unicode"
    // (UTF-16 with a byte-order mark), without a file name to tell the format.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bad.txt");
    std::fs::write(&file, check_support::inconsistent_jiaxing()).expect("write");
    let o = nianbao(
        &["extract", "--format", "json", file.to_str().expect("path")],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report_json = stdout(&o);
    let check_stdin = |bytes: &[u8]| {
        let o = nianbao(&["check", "--isolated", "--format", "json", "-"], Some(bytes));
        (code(&o), json(&o))
    };
    let (utf8_code, utf8_doc) = check_stdin(report_json.as_bytes());
    assert_eq!(utf8_code, 1);
    let expected = findings(&utf8_doc);
    assert!(
        expected.iter().any(|(rule, _)| rule.starts_with("requests.")),
        "the altered cell is found: {expected:?}"
    );
    for le in [true, false] {
        let bom: [u8; 2] = if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] };
        let bytes: Vec<u8> = bom
            .into_iter()
            .chain(
                report_json
                    .encode_utf16()
                    .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() }),
            )
            .collect();
        let (c, doc) = check_stdin(&bytes);
        assert_eq!(c, utf8_code, "UTF-16{}", if le { "LE" } else { "BE" });
        assert_eq!(findings(&doc), expected, "UTF-16{}", if le { "LE" } else { "BE" });
    }
}
