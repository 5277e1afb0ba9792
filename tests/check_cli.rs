//! `nianbao check` as a user runs it: exit codes, inputs (files, directories,
//! stdin), configuration (select/ignore/severity), `--output`.

mod check_support;

use check_support::*;
use serde_json::Value;
use std::path::Path;

/// `check --isolated --format json PATH` as JSON.
fn check_json(path: &Path) -> Value {
    let path = path.to_str().expect("UTF-8 path");
    json(&nianbao(&["check", "--isolated", "--format", "json", path], None))
}

const JIAXING: &str = "tests/fixtures/jiaxing-jingxin-2022.txt";

#[test]
fn consistent_report_exits_0_without_errors() {
    let o = nianbao(&["check", "--isolated", JIAXING], None);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let o = nianbao(&["check", "--isolated", "--format", "json", JIAXING], None);
    let doc = json(&o);
    assert_eq!(doc["summary"]["error"], 0, "{doc:#}");
    assert_eq!(doc["summary"]["reports"], 1);
}

#[test]
fn inconsistent_report_exits_1_and_ignore_all_exits_0() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, inconsistent_jiaxing()).expect("write");
    let bad = bad.to_str().expect("UTF-8 path");
    let o = nianbao(&["check", "--isolated", bad], None);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("个错误"), "{}", stdout(&o));
    let o = nianbao(&["check", "--isolated", "--ignore", "ALL", bad], None);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("未发现问题"), "{}", stdout(&o));
    // Selecting exactly the rules that fired keeps them.
    let doc = json(&nianbao(&["check", "--isolated", "--format", "json", bad], None));
    let rules: Vec<&str> = doc["reports"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(!rules.is_empty());
    let o = nianbao(&["check", "--isolated", "--select", rules[0], bad], None);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
}

#[test]
fn config_file_is_found_upward_and_overrides_severity() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bad.txt"), inconsistent_jiaxing()).expect("write");
    let sub = dir.path().join("a/b");
    std::fs::create_dir_all(&sub).expect("mkdir");
    let bad = dir.path().join("bad.txt");
    let bad = bad.to_str().expect("UTF-8 path");

    // Every rule turned into info: nothing fails at the default level …
    std::fs::write(dir.path().join("nianbao.toml"), "[severity]\nALL = \"info\"\n").expect("write");
    let o = nianbao_in(&sub, &["check", "--format", "json", bad], None);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["summary"]["error"], 0);
    assert!(doc["summary"]["info"].as_u64() > Some(0), "{doc:#}");
    // … but does with --fail-on info, and --isolated ignores the file.
    let o = nianbao_in(&sub, &["check", "--fail-on", "info", bad], None);
    assert_eq!(code(&o), 1);
    let o = nianbao_in(&sub, &["check", "--isolated", bad], None);
    assert_eq!(code(&o), 1);

    // ignore by prefix, and fail-on from the file.
    std::fs::write(dir.path().join("nianbao.toml"), "ignore = [\"ALL\"]\n").expect("write");
    let o = nianbao_in(&sub, &["check", bad], None);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    std::fs::write(dir.path().join("nianbao.toml"), "fail-on = \"info\"\n").expect("write");
    let o = nianbao_in(&sub, &["check", bad], None);
    assert_eq!(code(&o), 1);
}

#[test]
fn invalid_config_is_a_usage_error_pointing_at_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("nianbao.toml"), "selcet = [\"requests\"]\n").expect("write");
    let fixture = fixtures_dir().join("jiaxing-jingxin-2022.txt");
    let o = nianbao_in(dir.path(), &["check", fixture.to_str().expect("path")], None);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("selcet") && err.contains("nianbao.toml"), "{err}");
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(code(&nianbao(&["check"], None)), 2);
    assert_eq!(code(&nianbao(&["check", "--format", "xml", JIAXING], None)), 2);
    assert_eq!(
        code(&nianbao(
            &["check", "--isolated", "--rules", "no/such/dir", JIAXING],
            None
        )),
        2
    );
    let o = nianbao(
        &["check", "--isolated", "--previous", "no/such/file.txt", JIAXING],
        None,
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no/such/file.txt"), "{}", stderr(&o));
}

#[test]
fn invalid_rules_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("broken.rules"), "rule {{{ not a rule\n").expect("write");
    let o = nianbao(
        &[
            "check",
            "--isolated",
            "--rules",
            dir.path().to_str().expect("path"),
            JIAXING,
        ],
        None,
    );
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("broken.rules"), "{}", stderr(&o));
}

#[test]
fn a_bad_input_does_not_stop_the_batch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty-dir");
    std::fs::create_dir(&empty).expect("mkdir");
    let args = [
        "check",
        "--isolated",
        "--format",
        "json",
        "no/such/report.txt",
        JIAXING,
        empty.to_str().expect("path"),
    ];
    let o = nianbao(&args, None);
    assert_eq!(code(&o), 2);
    let doc = json(&o);
    let reports = doc["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0]["path"], "no/such/report.txt");
    assert_eq!(reports[0]["error"]["code"], "nianbao::io");
    assert!(reports[1].get("error").is_none());
    assert_eq!(reports[2]["error"]["code"], "nianbao::io::no_reports");
    assert_eq!(
        reports[2]["error"]["help"],
        "reports are .txt, .json, .html, .htm, .docx, .pdf files; use --glob to choose others"
    );
    assert_eq!(doc["summary"]["unreadable"], 2);
    // Human and SARIF output carry the errors too.
    let human = stdout(&nianbao(
        &args.map(|a| if a == "json" { "human" } else { a }),
        None,
    ));
    assert!(
        human.contains("no/such/report.txt") && human.contains("2 个文件无法检查"),
        "{human}"
    );
    let sarif = json(&nianbao(
        &args.map(|a| if a == "json" { "sarif" } else { a }),
        None,
    ));
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn directories_are_walked_in_path_order_with_the_extension_filter() {
    let o = nianbao(
        &["check", "--isolated", "--format", "json", "tests/fixtures"],
        None,
    );
    assert!(
        o.stderr.is_empty(),
        "no progress bar when not on a terminal: {}",
        stderr(&o)
    );
    let doc = json(&o);
    let paths: Vec<&str> = doc["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    // The text fixtures, the published PDF and the exporter matrix's
    // documents and texts, sorted; not the .truth.tsv, .tsv or .jsonc files.
    let mut expected: Vec<String> = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("tests/fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in
            std::fs::read_dir(fixtures_dir().join(dir.strip_prefix("tests/fixtures").unwrap_or(&dir)))
                .expect("fixture dir")
        {
            let entry = entry.expect("entry");
            let rel = dir.join(entry.file_name());
            if entry.path().is_dir() {
                dirs.push(rel);
            } else if rel
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ["txt", "json", "html", "htm", "docx", "pdf"].contains(&e))
            {
                expected.push(rel.display().to_string());
            }
        }
    }
    expected.sort();
    assert!(expected.contains(&"tests/fixtures/hongze-2023.pdf".to_string()));
    assert_eq!(paths, expected, "sorted, report extensions only (no .truth.tsv)");
    let o = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "--glob",
            "*2023*.txt",
            "tests/fixtures",
        ],
        None,
    );
    let doc = json(&o);
    let n = doc["reports"].as_array().map(Vec::len);
    let txt_2023 = expected
        .iter()
        .filter(|p| p.contains("2023") && p.ends_with(".txt"));
    assert_eq!(n, Some(txt_2023.count()));
}

/// Found files are kept compactly per directory argument, for up to 256 of
/// them; directories past that are still walked, checked and ordered.
#[test]
fn three_hundred_directory_arguments_are_all_walked_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = std::fs::read("tests/fixtures/haiyan-jingxin-2023.txt").expect("fixture");
    let mut args: Vec<String> = ["check", "--isolated", "--format", "json"]
        .map(String::from)
        .into();
    let mut expected = Vec::new();
    for k in 0..300 {
        let sub = dir.path().join(format!("d{k:03}"));
        std::fs::create_dir(&sub).expect("mkdir");
        for name in ["b.txt", "a.txt"] {
            std::fs::write(sub.join(name), &report).expect("write");
        }
        let sub = sub.to_str().expect("UTF-8 temp dir").to_string();
        expected.push(format!("{sub}/a.txt"));
        expected.push(format!("{sub}/b.txt"));
        args.push(sub);
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let doc = json(&nianbao(&argv, None));
    let reports = doc["reports"].as_array().expect("reports");
    let paths: Vec<&str> = reports.iter().filter_map(|r| r["path"].as_str()).collect();
    assert_eq!(paths, expected);
    let first = &reports[0]["findings"];
    assert!(
        first.as_array().is_some_and(|f| !f.is_empty()),
        "haiyan has findings"
    );
    assert!(
        reports.iter().all(|r| r["findings"] == *first),
        "the same report, the same findings"
    );
}

#[test]
fn stdin_gives_the_same_findings_as_the_file() {
    let bytes = inconsistent_jiaxing();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bad.txt");
    std::fs::write(&file, &bytes).expect("write");
    let from_file = check_json(&file);
    let o = nianbao(
        &["check", "--isolated", "--format", "json", "-"],
        Some(bytes.as_bytes()),
    );
    assert_eq!(code(&o), 1);
    let from_stdin = json(&o);
    assert_eq!(from_stdin["reports"][0]["path"], "<stdin>");
    assert_eq!(
        from_stdin["reports"][0]["findings"],
        from_file["reports"][0]["findings"]
    );
}

#[test]
fn offsets_count_a_byte_order_mark() {
    let text = inconsistent_jiaxing();
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("plain.txt");
    let bom = dir.path().join("bom.txt");
    std::fs::write(&plain, &text).expect("write");
    std::fs::write(&bom, [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()).expect("write");
    let (a, b) = (check_json(&plain), check_json(&bom));
    let labels = |d: &Value| -> Vec<(u64, u64, u64)> {
        d["reports"][0]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|f| f["labels"].as_array().cloned().unwrap_or_default())
            .map(|l| {
                let n = |k: &str| l[k].as_u64().unwrap_or(u64::MAX);
                (n("offset"), n("line"), n("column"))
            })
            .collect()
    };
    let (la, lb) = (labels(&a), labels(&b));
    assert!(!la.is_empty());
    assert_eq!(la.len(), lb.len());
    for ((oa, line_a, col_a), (ob, line_b, col_b)) in la.iter().zip(&lb) {
        assert_eq!(*ob, oa + 3, "offsets are into the file");
        assert_eq!(
            (line_a, col_a),
            (line_b, col_b),
            "lines and columns are in the text"
        );
    }
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.json");
    let o = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "--output",
            out.to_str().expect("path"),
            JIAXING,
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let written = std::fs::read_to_string(&out).expect("output written");
    let direct = stdout(&nianbao(
        &["check", "--isolated", "--format", "json", JIAXING],
        None,
    ));
    assert_eq!(written, direct);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).expect("output").permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o644,
            "an ordinary file, not the temporary file's 0600"
        );
    }
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(names.len(), 1);
    // An output path in a missing directory is an error, before any work.
    let o = nianbao(
        &["check", "--isolated", "--output", "no/such/dir/out.json", JIAXING],
        None,
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn previous_report_feeds_the_cross_year_rules() {
    let text = std::fs::read_to_string(fixtures_dir().join("jiaxing-jingxin-2022.txt")).expect("fixture");
    // Last year's report carried one more request forward than this year took over.
    let (previous, _) = bump_cell(&text, "requests", "carried_forward", "natural_person")
        .expect("the reader reads requests.carried_forward.natural_person as an integer");
    let dir = tempfile::tempdir().expect("temp dir");
    let prev = dir.path().join("previous.txt");
    std::fs::write(&prev, previous).expect("write");
    let args = [
        "check",
        "--isolated",
        "--format",
        "json",
        "--previous",
        prev.to_str().expect("path"),
        JIAXING,
    ];
    let o = nianbao(&args, None);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let doc = json(&o);
    let cross_year: Vec<&Value> = doc["reports"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["severity"] == "error" && f["rule"].as_str().is_some_and(|r| r.starts_with("cross-year"))
        })
        .collect();
    assert!(!cross_year.is_empty(), "{doc:#}");
    // Without --previous the same report is clean.
    assert_eq!(code(&nianbao(&["check", "--isolated", JIAXING], None)), 0);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let text = inconsistent_jiaxing();
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, text).expect("write");
    let bad = bad.to_str().expect("path");
    let piped = stdout(&nianbao(&["check", "--isolated", bad], None));
    assert!(!piped.contains('\u{1b}'), "piped output has no escape codes");
    assert!(piped.contains("requests."), "{piped}");
    let forced = stdout(&nianbao(&["check", "--isolated", "--color", "always", bad], None));
    assert!(forced.contains("\u{1b}["), "--color always colours");
}

#[test]
fn parallel_checking_keeps_path_order_and_results() {
    let one = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "-j",
            "1",
            "tests/fixtures",
        ],
        None,
    );
    let many = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "-j",
            "3",
            "tests/fixtures",
        ],
        None,
    );
    assert_eq!(code(&one), code(&many));
    assert_eq!(stdout(&one), stdout(&many));
}

/// A rule directory with one rule that fires on jiaxing-jingxin-2022 (8 new requests).
fn local_rules(dir: &Path) -> std::path::PathBuf {
    let rules = dir.join("local");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::write(
        rules.join("local.rules"),
        r#"rule local.few-requests {
  title     "本地规则：新收申请少于 5 件"
  severity  warning
  check requests[new, total] < 5
  message "新收 {requests[new, total]} 件，不少于 5 件"
}
"#,
    )
    .expect("write rule");
    rules
}

fn rule_ids(doc: &Value) -> Vec<String> {
    doc["reports"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str().map(String::from))
        .collect()
}

#[test]
fn rule_directories_from_the_command_line_and_the_config() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = local_rules(dir.path());
    let fixture = fixtures_dir().join("jiaxing-jingxin-2022.txt");
    let fixture = fixture.to_str().expect("path");

    let o = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "--rules",
            rules.to_str().expect("path"),
            fixture,
        ],
        None,
    );
    assert_eq!(code(&o), 0, "a warning does not fail at the default level");
    assert!(rule_ids(&json(&o)).contains(&"local.few-requests".to_string()));

    // From nianbao.toml, relative to the file, without the built-in rules.
    std::fs::write(
        dir.path().join("nianbao.toml"),
        "rules = [\"local\"]\nno-default-rules = true\nfail-on = \"warning\"\n",
    )
    .expect("write config");
    let o = nianbao_in(dir.path(), &["check", "--format", "sarif", fixture], None);
    assert_eq!(code(&o), 1);
    let sarif = json(&o);
    assert_valid_sarif(&sarif);
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(driver["rules"][0]["id"], "local.few-requests");
    assert_eq!(
        driver["rules"][0]["shortDescription"]["text"],
        "本地规则：新收申请少于 5 件"
    );
    assert_eq!(driver["rules"][0]["defaultConfiguration"]["level"], "warning");
    let o = nianbao_in(dir.path(), &["check", "--format", "json", fixture], None);
    let ids = rule_ids(&json(&o));
    assert!(
        ids.iter().all(|id| !id.starts_with("requests.")),
        "no built-in rules: {ids:?}"
    );
    assert!(ids.contains(&"local.few-requests".to_string()));
}

#[test]
fn inputs_over_the_size_limit_are_refused_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = dir.path().join("big.txt");
    std::fs::write(&big, "总计 1\n".repeat(200_000)).expect("write");
    let args = ["check", "--isolated", "--format", "json", "--max-size", "1"];
    let o = nianbao(
        &[&args[..], &[big.to_str().expect("path"), JIAXING]].concat(),
        None,
    );
    assert_eq!(code(&o), 2);
    let doc = json(&o);
    assert_eq!(doc["reports"][0]["error"]["code"], "nianbao::io::too_large");
    assert!(
        doc["reports"][1].get("error").is_none(),
        "the other input is still checked"
    );
    let bytes = std::fs::read(&big).expect("read");
    let o = nianbao(&[&args[..], &["-"]].concat(), Some(&bytes));
    assert_eq!(code(&o), 2);
    assert_eq!(json(&o)["reports"][0]["error"]["code"], "nianbao::io::too_large");
}

/// A size limit of 0 MiB would refuse every report: a usage error naming
/// the option, for every command that takes it (it used to crash `check`).
#[test]
fn a_size_limit_of_zero_is_a_usage_error() {
    for command in ["check", "extract"] {
        let o = nianbao(&[command, "--max-size", "0", JIAXING], None);
        assert_eq!(code(&o), 2, "{command}: {}", stderr(&o));
        assert!(stderr(&o).contains("--max-size"), "{command}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{command}: {}", stderr(&o));
    }
}

#[test]
fn statistics_count_the_findings_per_rule() {
    let full = json(&nianbao(
        &["check", "--isolated", "--format", "json", "tests/fixtures"],
        None,
    ));
    let stats = json(&nianbao(
        &[
            "check",
            "--isolated",
            "--statistics",
            "--format",
            "json",
            "tests/fixtures",
        ],
        None,
    ));
    let mut expected = std::collections::BTreeMap::new();
    for report in full["reports"].as_array().expect("reports") {
        for f in report["findings"].as_array().expect("findings") {
            let key = (f["rule"].to_string(), f["severity"].to_string());
            *expected.entry(key).or_insert(0u64) += 1;
        }
    }
    let got: std::collections::BTreeMap<_, _> = stats["statistics"]
        .as_array()
        .expect("statistics")
        .iter()
        .map(|r| {
            (
                (r["rule"].to_string(), r["severity"].to_string()),
                r["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(stats["summary"], full["summary"]);
    let o = nianbao(
        &[
            "check",
            "--isolated",
            "--statistics",
            "--format",
            "sarif",
            JIAXING,
        ],
        None,
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn a_report_json_gives_the_findings_of_its_text() {
    let fixture = "tests/fixtures/haiyan-jingxin-2023.txt";
    let extracted = nianbao(&["extract", "--format", "json", fixture], None);
    assert_eq!(code(&extracted), 0, "{}", stderr(&extracted));
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.json");
    std::fs::write(&report, &extracted.stdout).expect("write");
    let from_json = check_json(&report);
    let from_text = json(&nianbao(
        &["check", "--isolated", "--format", "json", fixture],
        None,
    ));
    let findings = &from_text["reports"][0]["findings"];
    assert!(
        findings.as_array().is_some_and(|f| !f.is_empty()),
        "haiyan has findings"
    );
    assert_eq!(
        &from_json["reports"][0]["findings"], findings,
        "offsets into the report's text"
    );
}

#[test]
fn a_pattern_matching_no_rule_is_an_error_with_a_suggestion() {
    // A typo in --select would otherwise select nothing and report "all good".
    let o = nianbao(&["check", "--isolated", "--select", "requets", JIAXING], None);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("did you mean \"requests\""), "{}", stderr(&o));
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("nianbao.toml"),
        "[severity]\n\"structure.row-presnt\" = \"info\"\n",
    )
    .expect("write");
    let fixture = fixtures_dir().join("jiaxing-jingxin-2022.txt");
    let o = nianbao_in(dir.path(), &["check", fixture.to_str().expect("path")], None);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("structure.row-present"), "{}", stderr(&o));
}

#[test]
fn pair_by_body_applies_the_cross_year_rules_within_the_inputs() {
    let text_2022 =
        std::fs::read_to_string(fixtures_dir().join("jiaxing-jingxin-2022.txt")).expect("fixture");
    // The same body's next report, which takes over one request that last
    // year's did not carry forward.
    let (text_2023, _) = bump_cell(
        &text_2022.replace("2022年度", "2023年度"),
        "requests",
        "carried_over",
        "natural_person",
    )
    .expect("the reader reads requests.carried_over.natural_person");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a-2023.txt"), text_2023).expect("write");
    std::fs::write(dir.path().join("b-2022.txt"), &text_2022).expect("write");
    let cross_year = |args: &[&str]| -> Vec<Vec<String>> {
        let doc = json(&nianbao(
            &[
                &["check", "--isolated", "--format", "json"],
                args,
                &[dir.path().to_str().expect("path")],
            ]
            .concat(),
            None,
        ));
        doc["reports"]
            .as_array()
            .expect("reports")
            .iter()
            .map(|r| {
                r["findings"]
                    .as_array()
                    .expect("findings")
                    .iter()
                    .filter_map(|f| {
                        f["rule"]
                            .as_str()
                            .filter(|id| id.starts_with("cross-year"))
                            .map(String::from)
                    })
                    .collect()
            })
            .collect()
    };
    assert_eq!(cross_year(&[]), [Vec::<String>::new(), vec![]]);
    let paired = cross_year(&["--pair-by-body"]);
    assert!(!paired[0].is_empty(), "2023 is checked against 2022: {paired:?}");
    assert!(
        paired[1].is_empty(),
        "2022 has no 2021 report among the inputs: {paired:?}"
    );
    let o = nianbao(&["check", "--isolated", "--pair-by-body", "-"], Some(b"x"));
    assert_eq!(code(&o), 2, "stdin cannot be read twice");
}

#[test]
fn input_format_overrides_the_choice_by_extension() {
    // The PDF read as a PDF: its real defects.
    let pdf = check_json(Path::new("tests/fixtures/hongze-2023.pdf"));
    let rules = rule_ids(&pdf);
    assert!(rules.iter().any(|r| r == "review.group-total"), "{rules:?}");
    // A text file forced to be read as a PDF is not a PDF: an error entry, exit 2.
    let o = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "--input-format",
            "pdf",
            JIAXING,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["summary"]["unreadable"], 1, "{doc:#}");
    // An unknown format name is a usage error naming the valid ones.
    let o = nianbao(&["check", "--input-format", "odt", JIAXING], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pdf"), "{}", stderr(&o));
}

/// A province's earlier publication deadline, set in nianbao.toml, is the
/// one `metadata.published-deadline` checks; a day that is not one is a
/// configuration error at its place.
#[test]
fn publication_deadlines_come_from_the_configuration() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        fixtures_dir().join("jiaxing-jingxin-2022.txt"),
        dir.path().join("r.txt"),
    )
    .expect("copy");
    let run = || nianbao_in(dir.path(), &["check", "--select", "metadata", "r.txt"], None);
    // Published 2023-01-17 by a department: on time by the State Council's 1月31日.
    let default = run();
    assert_eq!(code(&default), 0, "{}", stdout(&default));
    std::fs::write(
        dir.path().join("nianbao.toml"),
        "[deadline]\ndepartment = \"01-15\"\n",
    )
    .expect("write");
    let earlier = run();
    assert!(
        stdout(&earlier).contains(
            "2022 年度报告于 2023年1月17日 公布，晚于规定期限（部门 2023年1月15日，人民政府 2023年3月31日）"
        ),
        "{}",
        stdout(&earlier)
    );
    std::fs::write(
        dir.path().join("nianbao.toml"),
        "[deadline]\ngovernment = \"02-30\"\n",
    )
    .expect("write");
    let wrong = run();
    assert_eq!(code(&wrong), 2);
    assert!(
        stderr(&wrong).contains("deadline \"02-30\" is not a day"),
        "{}",
        stderr(&wrong)
    );
    assert!(stderr(&wrong).contains("nianbao.toml:2:"), "{}", stderr(&wrong));
}
