//! The built-in rules: they compile, cover every numbered rule of the
//! template, and pass their own pass/fail tests.

use nianbao_engine::eval::cases::run_tests;
use nianbao_rules::{builtin_sources, compile};

fn builtin() -> nianbao_rules::RuleSet {
    match compile(&builtin_sources()) {
        Ok(set) => set,
        Err(e) => panic!("{:?}", miette::Report::new(e)),
    }
}

#[test]
fn builtin_rule_tests_pass() {
    let set = builtin();
    let outcomes = run_tests(&set);
    assert!(!outcomes.is_empty());
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| format!("{} \"{}\": {}", o.rule, o.name, o.detail))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} rule tests failed:\n{}",
        failed.len(),
        outcomes.len(),
        failed.join("\n")
    );
}

#[test]
fn every_rule_has_a_passing_and_a_failing_test() {
    let set = builtin();
    for rule in &set.rules {
        let tests: Vec<_> = set.tests.iter().filter(|t| t.rule == rule.id).collect();
        let fails = tests
            .iter()
            .any(|t| matches!(t.expects[..], [nianbao_rules::ast::Expect::Fails { .. }, ..]));
        let passes = tests
            .iter()
            .any(|t| matches!(t.expects[..], [nianbao_rules::ast::Expect::Passes]));
        assert!(
            fails && passes,
            "rule {} needs a `passes` and a `fails` test",
            rule.id
        );
    }
}
