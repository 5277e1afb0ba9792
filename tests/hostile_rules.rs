//! Hostile rule files: patterns that are too big or need backtracking,
//! deep nesting, and attempts to reach outside the rules (files, commands,
//! the network). Each asserts the exact diagnostic code and exit code.

mod check_support;

use check_support::{code, fixtures_dir, nianbao, stderr};
use nianbao_rules::{compile, RuleSource};
use serde_json::Value;
use std::path::Path;

/// The diagnostic codes of compiling one rule file.
fn codes(text: &str) -> Vec<String> {
    match compile(&[RuleSource {
        name: "hostile.rules".to_string(),
        text: text.to_string(),
    }]) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .errors
            .iter()
            .map(|d| d.code().map(|c| c.to_string()).unwrap_or_default())
            .collect(),
    }
}

fn rule_with_check(check: &str) -> String {
    format!(
        "rule hostile.rule {{\n  title \"示例\"\n  severity warning\n  check {check}\n  message \"m\"\n}}\n"
    )
}

/// `nianbao check --format json --rules DIR` on `report` with only DIR's rules.
fn check_with_rules(rules: &Path, report: &Path) -> std::process::Output {
    nianbao(
        &[
            "check",
            "--isolated",
            "--no-default-rules",
            "--format",
            "json",
            "--rules",
            rules.to_str().expect("path"),
            report.to_str().expect("path"),
        ],
        None,
    )
}

fn rule_ids(o: &std::process::Output) -> Vec<String> {
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(o)));
    doc["reports"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str().map(String::from))
        .collect()
}

#[test]
fn patterns_too_big_or_needing_backtracking_are_bad_regex_diagnostics() {
    for pattern in [
        // Compiles to more than the size limit.
        r"(?:\w{300}){300}",
        // Back-references and look-around need a backtracking engine.
        r"(a)\1",
        r"a(?=b)",
        // Plain syntax errors.
        r"([0-9]+件",
    ] {
        let text = rule_with_check(&format!("report.body matches /{pattern}/"));
        assert_eq!(codes(&text), ["nianbao::rules::bad-regex"], "{pattern}");
    }
}

#[test]
fn nested_quantifiers_run_in_linear_time_on_long_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    // Exponential for a backtracking engine on "aaa…ab"; linear here.
    std::fs::write(
        rules.join("slow.rules"),
        format!(
            "{}{}",
            rule_with_check("not (text(section other) matches /^(a+)+$/)")
                .replace("hostile.rule", "hostile.no-match"),
            rule_with_check("not (text(section other) matches /(a|aa)+b/)")
                .replace("hostile.rule", "hostile.match"),
        ),
    )
    .expect("write");
    let text = std::fs::read_to_string(fixtures_dir().join("jiaxing-jingxin-2022.txt")).expect("fixture");
    let heading = "六、其他需要报告的事项\n";
    let at = text.find(heading).expect("section six") + heading.len();
    let report = dir.path().join("long.txt");
    std::fs::write(
        &report,
        format!("{}{}b\n{}", &text[..at], "a".repeat(200_000), &text[at..]),
    )
    .expect("write");
    let started = std::time::Instant::now();
    let o = check_with_rules(&rules, &report);
    let elapsed = started.elapsed();
    assert_eq!(code(&o), 0, "warnings only: {}", stderr(&o));
    assert_eq!(rule_ids(&o), ["hostile.match"]);
    assert!(elapsed.as_secs() < 60, "took {elapsed:?}");
}

#[test]
fn deep_nesting_in_a_rule_directory_is_a_diagnostic_and_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let deep = format!("{}1{} == 1", "(".repeat(10_000), ")".repeat(10_000));
    std::fs::write(dir.path().join("deep.rules"), rule_with_check(&deep)).expect("write");
    let o = check_with_rules(dir.path(), &fixtures_dir().join("jiaxing-jingxin-2022.txt"));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nianbao::rules::too-deep"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("overflow"), "{}", stderr(&o));
}

#[test]
fn the_rule_language_cannot_read_files_run_commands_or_reach_the_network() {
    // No include or import: a top-level statement is a rule or a test.
    for statement in ["include \"/etc/passwd\"\n", "import \"../secrets.rules\"\n"] {
        assert_eq!(codes(statement), ["nianbao::rules::syntax"], "{statement}");
    }
    // No function reaches outside the report.
    for call in [
        "read(\"/etc/passwd\") == \"\"",
        "file(\"/etc/passwd\") == \"\"",
        "exec(\"rm -rf /\") == 0",
        "env(\"HOME\") == \"\"",
        "fetch(\"http://example.com/\") == \"\"",
    ] {
        assert_eq!(
            codes(&rule_with_check(call)),
            ["nianbao::rules::unknown-function"],
            "{call}"
        );
    }
    // A path in a rule is just text: compared, never opened.
    let path_text =
        rule_with_check("not (report.body matches /\\/etc\\/passwd/) and report.body != \"/etc/passwd\"");
    assert_eq!(codes(&path_text), Vec::<String>::new());
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("path.rules"), path_text).expect("write");
    let o = check_with_rules(dir.path(), &fixtures_dir().join("jiaxing-jingxin-2022.txt"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(rule_ids(&o), Vec::<String>::new());
}

#[test]
fn a_rule_directory_contributes_only_its_own_rules_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("sub")).expect("mkdir");
    std::fs::write(
        rules.join("ok.rules"),
        rule_with_check("report.year < 2000").replace("hostile.rule", "local.ok"),
    )
    .expect("write");
    // Neither other extensions nor sub-directories are read (both would
    // fail to compile if they were).
    for path in ["notes.txt", "ok.rules.bak", "sub/nested.rules"] {
        std::fs::write(rules.join(path), "rule broken {\n").expect("write");
    }
    // Nor a rule directory's parent.
    std::fs::write(dir.path().join("outside.rules"), "rule broken {\n").expect("write");
    let o = check_with_rules(&rules, &fixtures_dir().join("jiaxing-jingxin-2022.txt"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(rule_ids(&o), ["local.ok"]);
    // A rule file that is not UTF-8 is an error naming it, exit 2.
    std::fs::write(rules.join("binary.rules"), b"rule \xFF\xFE\x00").expect("write");
    let o = check_with_rules(&rules, &fixtures_dir().join("jiaxing-jingxin-2022.txt"));
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("nianbao::rules::io") && stderr(&o).contains("binary.rules"),
        "{}",
        stderr(&o)
    );
}
