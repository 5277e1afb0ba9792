//! Rendered diagnostics for mistakes in rule files: each must point at the
//! exact characters (snapshots are rendered without colour at a fixed width).

use miette::{GraphicalReportHandler, GraphicalTheme};
use nianbao_rules::{compile, RuleSource};

fn render(name: &str, text: &str) -> String {
    let src = RuleSource {
        name: name.to_string(),
        text: text.to_string(),
    };
    let errors = match compile(&[src]) {
        Ok(_) => panic!("{name}: expected errors"),
        Err(e) => e,
    };
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for err in &errors.errors {
        handler
            .render_report(&mut out, err.as_ref())
            .expect("rendering into a String cannot fail");
    }
    out
}

/// A valid rule around `check`, so each case shows one mistake.
fn rule_with_check(check: &str) -> String {
    format!(
        "rule demo.rule {{\n  title \"示例\"\n  severity error\n  for every column c in requests\n  check {check}\n  message \"{{c}}\"\n}}\n"
    )
}

#[test]
fn syntax_error() {
    let text = "rule demo.rule {\n  title \"示例\"\n  severity error\n  check requests[new, total] == == 1\n  message \"x\"\n}\n";
    insta::assert_snapshot!(render("syntax.rules", text));
}

#[test]
fn unknown_table() {
    insta::assert_snapshot!(render("table.rules", &rule_with_check("request[new, c] == 0")));
}

#[test]
fn misspelt_row_id_with_suggestion() {
    insta::assert_snapshot!(render(
        "row.rules",
        &rule_with_check("requests[carried_ovr, c] == requests[carried_forward, c]")
    ));
}

#[test]
fn misspelt_chinese_label_with_suggestion() {
    insta::assert_snapshot!(render(
        "label.rules",
        &rule_with_check("requests[\"其他法律行政止公开\", c] == 0")
    ));
}

#[test]
fn wrong_arity() {
    insta::assert_snapshot!(render(
        "arity.rules",
        &rule_with_check("sum(requests[denied.*, c], requests[unable.*, c]) == 0")
    ));
}

#[test]
fn type_mismatch_sum_of_a_cell() {
    insta::assert_snapshot!(render(
        "type.rules",
        &rule_with_check("sum(requests[total, c]) == 0")
    ));
}

#[test]
fn type_mismatch_group_compared_without_sum() {
    insta::assert_snapshot!(render(
        "type2.rules",
        &rule_with_check("requests[total, c] == requests[denied.*, c]")
    ));
}

#[test]
fn unknown_severity() {
    let text = "rule demo.rule {\n  title \"示例\"\n  severity eror\n  check report.year >= 2019\n  message \"x\"\n}\n";
    insta::assert_snapshot!(render("severity.rules", text));
}

#[test]
fn duplicate_rule_id() {
    let one = "rule demo.same {\n  title \"一\"\n  severity info\n  check report.year >= 2019\n  message \"x\"\n}\n";
    let text = format!("{one}\n{one}");
    insta::assert_snapshot!(render("duplicate.rules", &text));
}

#[test]
fn bad_regex() {
    let text = "rule demo.rule {\n  title \"示例\"\n  severity warning\n  check number(section overview, /共收到([0-9]+件/) == requests[new, total]\n  message \"x\"\n}\n";
    insta::assert_snapshot!(render("regex.rules", text));
}

#[test]
fn misspelt_column_in_chinese_text_after_chinese_title() {
    // The span must be right after multi-byte text on the same line.
    let text = "rule demo.rule { title \"申请人各列\" severity error for every row r in requests check requests[r, 自然仁] == 0 message \"x\" }\n";
    insta::assert_snapshot!(render("column.rules", text));
}

#[test]
fn several_errors_at_once_and_missing_fields() {
    let text = "rule demo.a {\n  severity error\n  check requests[new, totl] == 0\n}\nrule demo.b {\n  title \"乙\"\n  severity warning\n  check section overviw matches /无/\n  message \"{lef}\"\n}\n";
    insta::assert_snapshot!(render("several.rules", text));
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    let check = format!("{}1{} == 1", "(".repeat(5000), ")".repeat(5000));
    let out = render("deep.rules", &rule_with_check(&check));
    assert!(out.contains("nianbao::rules::too-deep"), "{out}");
    let long = vec!["requests[new, c]"; 3000].join(" + ");
    let out = render("long.rules", &rule_with_check(&format!("{long} == 0")));
    assert!(out.contains("nianbao::rules::too-deep"), "{out}");
}

/// pest is held at 2.8, which has no stack probe of its own: the bracket
/// limit checked before parsing must keep the deepest accepted rule within
/// the stack a main thread gets (8 MiB). Measured at 48 levels: a debug build
/// needs 3-4 MiB, a release build under 1 MiB, with pest 2.8 as with 2.9.
#[test]
fn deepest_accepted_nesting_compiles_on_a_main_thread_stack() {
    use nianbao_rules::parse::MAX_DEPTH;
    // The rule's braces and the cell's bracket count too.
    let parens = MAX_DEPTH - 2;
    let check = format!(
        "{}requests[new, c]{} == 0",
        "(".repeat(parens),
        ")".repeat(parens)
    );
    let text = rule_with_check(&check);
    let outcome = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            compile(&[RuleSource {
                name: "deepest.rules".into(),
                text,
            }])
            .map(|set| set.rules.len())
            .map_err(|e| format!("{e:?}"))
        })
        .expect("spawn a thread")
        .join()
        .expect("no stack overflow");
    assert_eq!(outcome, Ok(1));
    let too_deep = rule_with_check(&format!(
        "{}1{} == 1",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    ));
    assert!(render("deeper.rules", &too_deep).contains("nianbao::rules::too-deep"));
}

#[test]
fn unknown_test_and_function() {
    insta::assert_snapshot!(render(
        "misc.rules",
        &rule_with_check("summ(requests[denied.*, c]) == 0 and requests[new, c] is filed")
    ));
}

#[test]
fn deep_nesting_inside_a_message_and_long_prefix_chains_are_diagnostics() {
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let text = format!(
        "rule demo.rule {{\n  title \"示例 (说明)\"\n  severity error\n  check report.year >= 2019\n  message \"{{{deep}}}\"\n}}\n"
    );
    let out = render("deep-message.rules", &text);
    assert!(out.contains("nianbao::rules::too-deep"), "{out}");
    let negs = format!("{}1 == 1", "- ".repeat(20000));
    let out = render("negs.rules", &rule_with_check(&negs));
    assert!(out.contains("nianbao::rules::too-deep"), "{out}");
    let nots = format!("{}report.year == 1", "not ".repeat(20000));
    let out = render("nots.rules", &rule_with_check(&nots));
    assert!(out.contains("nianbao::rules::too-deep"), "{out}");
}

#[test]
fn braces_and_hashes_in_strings_do_not_confuse_the_nesting_check() {
    // "{{" is a literal brace, '#' inside a string is not a comment.
    let text = "rule demo.ok {\n  title \"#1 (a) [b]\"\n  severity info\n  check report.year >= 2019\n  message \"{{年度}} {report.year} #\"\n}\n";
    assert!(compile(&[RuleSource {
        name: "ok.rules".into(),
        text: text.into()
    }])
    .is_ok());
}
