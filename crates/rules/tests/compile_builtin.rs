//! The shipped rule files compile, and cover every numbered template rule.

#[test]
fn builtin_rules_compile() {
    let sources = nianbao_rules::builtin_sources();
    assert!(!sources.is_empty(), "no built-in rule files embedded");
    match nianbao_rules::compile(&sources) {
        Ok(set) => assert!(!set.rules.is_empty()),
        Err(e) => {
            let mut out = String::new();
            for err in &e.errors {
                out.push_str(&format!("{err:?}\n"));
            }
            panic!("{out}");
        }
    }
}

/// Checking reports reads the rules only: the same rules, no tests — test
/// blocks passed over even where a brace stands in a string or a comment.
#[test]
fn compiling_for_checking_reads_the_same_rules_and_skips_the_tests() {
    let settings = nianbao_rules::Settings::default();
    let mut sources = nianbao_rules::builtin_sources();
    sources.push(nianbao_rules::RuleSource {
        name: "braces.rules".into(),
        text: r#"# A test whose strings and comments hold braces.
test requests.row-total "花括号 { 在名字里" on "report-2021" { # } in a comment
  given requests[granted, business] = 2
  fails at requests[granted, total] with "相差 {2}}"
}
rule braces.after-test {
  title "在测试之后的规则"
  severity info
  check 1 == 1
  message "{{不}}会出现"
}
"#
        .into(),
    });
    let full = nianbao_rules::compile_with(&sources, &settings).expect("the rules compile");
    let checking = nianbao_rules::compile_for_checking(&sources, &settings).expect("the rules compile");
    assert!(checking.tests.is_empty());
    assert!(full.tests.len() > 100, "{} tests", full.tests.len());
    assert!(checking.rule("braces.after-test").is_some());
    assert_eq!(format!("{:?}", full.rules), format!("{:?}", checking.rules));
}

/// Every built-in rule says why it matters (`nianbao rules show`, SARIF's
/// `fullDescription`, the table in docs/rules.md).
#[test]
fn every_builtin_rule_has_a_why() {
    let set = nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("the rules compile");
    let without: Vec<&str> = set
        .rules
        .iter()
        .filter(|r| r.why.as_deref().is_none_or(|w| w.chars().count() < 20))
        .map(|r| r.id.as_str())
        .collect();
    assert!(without.is_empty(), "rules without a why: {without:?}");
}
