//! `nianbao rules check/list/test` as a user runs them (the built binary).

use std::path::Path;
use std::process::Command;

fn nianbao(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the nianbao binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A temporary rule directory holding `name` with `text`, and its path.
fn rule_dir(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(name), text).expect("write rule file");
    let path = dir.path().display().to_string();
    (dir, path)
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .display()
        .to_string()
}

#[test]
fn rules_check_of_the_shipped_rules_exits_0() {
    let (code, out, err) = nianbao(&["rules", "check", &repo("rules")]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("ok: "), "{out}");
}

#[test]
fn rules_list_covers_every_numbered_template_rule() {
    let (code, out, err) = nianbao(&["rules", "list", "--long"]);
    assert_eq!(code, 0, "{err}");
    for n in 1..=12 {
        // References name the template's numbered rules: "模板规则 5", "模板规则 10（…）".
        let cited = out.lines().any(|l| {
            l.match_indices(&format!("模板规则 {n}"))
                .any(|(i, m)| !l[i + m.len()..].starts_with(|c: char| c.is_ascii_digit()))
        });
        assert!(cited, "no rule cites template rule {n}:\n{out}");
    }
    // Extraction problems are listed under their own ids too.
    assert!(out.contains("extract.missing-row"), "{out}");
    assert!(out.contains("requests.column-balance"), "{out}");
}

#[test]
fn a_new_rule_in_a_directory_is_picked_up_without_rebuild() {
    let (_dir, d) = rule_dir("mine.rules", "rule mine.granted-limit {\n  title \"予以公开不超过新收\"\n  severity warning\n  for every column c in requests\n  check requests[\"予以公开\", c] <= requests[new, c]\n  message \"{c} 列予以公开 {left} 件多于新收 {right} 件\"\n}\n");
    let (code, out, err) = nianbao(&["rules", "list", "--rules", &d]);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("mine.granted-limit"))
        .unwrap_or_default();
    assert!(
        line.contains("warning") && line.contains("予以公开不超过新收"),
        "{out}"
    );
    // And only it of the rule files, without the built-in rules (the
    // reader's ids stay: they report whatever rules are loaded).
    let (code, out, _) = nianbao(&["rules", "list", "--no-default-rules", "--rules", &d]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = out.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(
        ids.iter().filter(|id| !id.starts_with("extract.")).count(),
        2,
        "{out}"
    );
    assert!(
        ids.contains(&"mine.granted-limit") && ids.contains(&"content.repeated-text"),
        "{out}"
    );
}

#[test]
fn rules_show_explains_a_rule_with_its_source_and_cases() {
    let (code, out, err) = nianbao(&["rules", "show", "requests.row-total"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("show_row_total", out);
    // A reader's id has its why and what to do, and no source.
    let (code, out, err) = nianbao(&["rules", "show", "extract.row-not-read"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("severity   reading") && out.contains("\nWhy\n") && !out.contains("\nRule\n"),
        "{out}"
    );
}

#[test]
fn rules_show_of_a_users_rule_and_of_an_unknown_id() {
    let (_dir, d) = rule_dir("mine.rules", "rule mine.granted-limit {\n  title \"予以公开不超过新收\"\n  severity warning\n  why \"多于新收说明予以公开填进了上年结转的申请\"\n  for every column c in requests\n  check requests[\"予以公开\", c] <= requests[new, c]\n  message \"{c} 列予以公开 {left} 件多于新收 {right} 件\"\n}\n\ntest mine.granted-limit \"模板报告\" { passes }\n");
    let (code, out, err) = nianbao(&["rules", "show", "mine.granted-limit", "--rules", &d]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("mine.granted-limit: 予以公开不超过新收\n"),
        "{out}"
    );
    assert!(
        out.contains("\nWhy\n    多于新收说明予以公开填进了上年结转的申请\n"),
        "{out}"
    );
    assert!(
        out.contains("    check requests[\"予以公开\", c] <= requests[new, c]\n"),
        "{out}"
    );
    assert!(
        out.contains("    test mine.granted-limit \"模板报告\" { passes }\n"),
        "{out}"
    );
    assert!(out.contains("mine.rules (rule file)"), "{out}");
    let (code, out, err) = nianbao(&["rules", "show", "requests.row-totl"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("no rule \"requests.row-totl\" (did you mean \"requests.row-total\"?)"),
        "{err}"
    );
}

#[test]
fn a_broken_rule_file_exits_2_with_every_error_and_is_not_skipped() {
    let (dir, d) = rule_dir(
        "good.rules",
        "rule ok.one {\n  title \"一\"\n  severity info\n  check report.year >= 2019\n  message \"x\"\n}\n",
    );
    std::fs::write(
        dir.path().join("bad.rules"),
        "rule bad.one {\n  title \"二\"\n  severity fatal\n  check requests[nwe, total] == 0\n  message \"x\"\n}\n",
    )
    .expect("write");
    let (code, _, err) = nianbao(&["rules", "check", &d]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nianbao::rules::unknown-severity"), "{err}");
    assert!(err.contains("nianbao::rules::unknown-row"), "{err}");
    assert!(err.contains("did you mean `new`?"), "{err}");
    // `list` and `check` refuse the set too: a broken file is never silently skipped.
    let (code, out, _) = nianbao(&["rules", "list", "--rules", &d]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
}

#[test]
fn an_empty_rule_directory_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, _, err) = nianbao(&["rules", "check", &dir.path().display().to_string()]);
    assert_eq!(code, 2);
    assert!(err.contains("no rule files"), "{err}");
}

#[test]
fn rules_test_runs_the_tests_of_a_directory_and_reports_failures() {
    let (_dir, d) = rule_dir("mine.rules", "rule mine.no-denials {\n  title \"不予公开为 0\"\n  severity info\n  check sum(requests[denied.*, total]) == 0\n  message \"不予公开 {left} 件\"\n}\n\
         test mine.no-denials \"都是 0\" { passes }\n\
         test mine.no-denials \"有一件\" {\n  given requests[denied.third_party, total] = 1\n  fails at requests[denied.third_party, total]\n}\n\
         test mine.no-denials \"写错的期望\" {\n  given requests[denied.third_party, total] = 1\n  passes\n}\n");
    let (code, out, err) = nianbao(&["rules", "test", &d]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("test mine.no-denials \"都是 0\" ... ok"), "{out}");
    assert!(out.contains("test mine.no-denials \"有一件\" ... ok"), "{out}");
    assert!(
        out.contains("test mine.no-denials \"写错的期望\" ... FAILED"),
        "{out}"
    );
    assert!(out.contains("2 passed; 1 failed"), "{out}");
}

#[test]
fn rules_test_of_the_shipped_rules_passes() {
    let (code, out, err) = nianbao(&["rules", "test", &repo("rules")]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("rules without tests"), "{out}");
}

#[test]
fn rules_list_snapshot() {
    let (code, out, err) = nianbao(&["rules", "list", "--long"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("list", out);
}

#[test]
fn rules_check_diagnostic_snapshot() {
    let (_dir, d) = rule_dir("bad.rules", "rule demo.one {\n  title \"申请总数\"\n  severity error\n  for every column c in requests\n  check requests[\"本年新收政府信息公开申请数\", c] == sum(requests[unable.*, c]) + requests[\"属于国家秘蜜\", c]\n  message \"{c}\"\n}\n");
    let (code, _, err) = nianbao(&["rules", "check", &d]);
    assert_eq!(code, 2);
    let err = err.replace(&d, "DIR");
    insta::assert_snapshot!("check_diagnostics", err);
}

#[test]
fn rule_tests_can_start_from_a_real_report() {
    let fixture = repo("tests/fixtures/jiaxing-jingxin-2022.txt");
    let (_dir, d) = rule_dir(
        "mine.rules",
        &format!(
            "rule mine.granted {{\n  title \"予以公开不多于新收\"\n  severity warning\n  for every column c in requests\n  check requests[granted, c] <= requests[new, c] + requests[carried_over, c]\n  message \"{{c}} 列予以公开 {{left}} 件，多于收到的 {{right}} 件\"\n}}\n\
             test mine.granted \"嘉兴原样\" on {fixture:?} {{ passes }}\n\
             test mine.granted \"予以公开改为 9\" on {fixture:?} {{\n  given requests[granted, natural_person] = 9\n  fails at requests[granted, natural_person] with \"予以公开 9 件，多于收到的 8 件\"\n}}\n"
        ),
    );
    let (code, out, err) = nianbao(&["rules", "test", &d]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 passed; 0 failed"), "{out}");
}

/// Every built-in rule's cases with the findings they give, as a reviewer
/// reads them: the messages are part of what the rules promise.
#[test]
fn rules_test_findings_snapshot() {
    let (code, out, err) = nianbao(&["rules", "test", "--findings"]);
    assert_eq!(code, 0, "{out}{err}");
    insta::assert_snapshot!("test_findings", out);
}

/// A test states exactly what fires: one finding more than its `fails`
/// lines, and it fails, saying what the rule gave.
#[test]
fn a_test_with_fewer_fails_lines_than_findings_fails() {
    let (dir, d) = rule_dir("mine.rules", "rule mine.balance {\n  title \"各列平衡\"\n  severity error\n  for every column c in requests\n  check requests[new, c] == requests[total, c]\n  message \"{c} 列不平\"\n}\n\ntest mine.balance \"两列不平，只写一列\" {\n  given requests[new, natural_person] = 1\n  given requests[new, total] = 1\n  fails at requests[total, natural_person]\n}\n\ntest mine.balance \"两列不平，两列都写\" {\n  given requests[new, natural_person] = 1\n  given requests[new, total] = 1\n  fails at requests[total, natural_person]\n  fails with \"总计 列\"\n}\n");
    let (code, out, err) = nianbao(&["rules", "test", &d]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("test mine.balance \"两列不平，只写一列\" ... FAILED"),
        "{out}"
    );
    assert!(out.contains("expected exactly:\n      a finding at requests[total, natural_person]\n    got:\n      自然人 列不平 at [requests[total, natural_person]]\n      总计 列不平 at [requests[total, total]]"), "{out}");
    assert!(
        out.contains("test mine.balance \"两列不平，两列都写\" ... ok"),
        "{out}"
    );
    // `passes` with `fails` is a mistake in the rule file.
    std::fs::write(
        dir.path().join("mine.rules"),
        "rule mine.one {\n  title \"一\"\n  severity error\n  check 1 == 1\n  message \"一\"\n}\n\ntest mine.one \"矛盾\" {\n  passes\n  fails\n}\n",
    )
    .expect("write rule file");
    let (code, _, err) = nianbao(&["rules", "check", &d]);
    assert_eq!(code, 2);
    assert!(err.contains("a test that passes expects no finding"), "{err}");
}
