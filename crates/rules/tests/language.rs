//! What the checker makes of valid rules: labels resolve to ids, variables
//! and groups to the right kinds, cross-year rules are marked.

use nianbao_rules::ast::{Coord, Domain, ExprKind, Ty, VarKind};
use nianbao_rules::{compile, RuleSet, RuleSource, Severity};

fn one(text: &str) -> RuleSet {
    let src = RuleSource {
        name: "t.rules".into(),
        text: text.into(),
    };
    compile(&[src]).unwrap_or_else(|e| panic!("{:?}", miette::Report::new(e)))
}

fn rule(check: &str, header: &str) -> String {
    format!(
        "rule t.r {{\n  title \"t\"\n  severity warning\n  {header}\n  check {check}\n  message \"m\"\n}}\n"
    )
}

#[test]
fn chinese_labels_resolve_to_the_same_ids_as_ids() {
    let by_label = one(&rule(
        "requests[\"（三）不予公开\", \"自然人\"] == requests[\"1．属于国家秘密\", 自然人]",
        "",
    ));
    let by_id = one(&rule(
        "requests[denied, natural_person] == requests[denied.state_secret, natural_person]",
        "",
    ));
    let cells = |set: &RuleSet| -> Vec<(String, Coord, Option<Coord>)> {
        let ExprKind::Binary(_, l, r) = &set.rules[0].check.kind else {
            panic!("a comparison")
        };
        [l, r]
            .iter()
            .map(|e| match &e.kind {
                ExprKind::Cell(c) => (c.table.clone(), c.row.clone(), c.column.clone()),
                other => panic!("a cell, got {other:?}"),
            })
            .collect()
    };
    assert_eq!(cells(&by_label), cells(&by_id));
    assert_eq!(
        cells(&by_id)[1],
        (
            "requests".to_string(),
            Coord::Id("denied.state_secret".into()),
            Some(Coord::Id("natural_person".into()))
        )
    );
}

#[test]
fn wording_variants_and_section_headings_resolve() {
    // 本年度止件数 is a known variant of 本年废止件数; a table may be named by its section heading.
    let set = one(&rule("disclosure[行政规范性文件, \"本年度止件数\"] >= 0 and present(section \"三、收到和处理政府信息公开申请的情况\")", ""));
    let ExprKind::Binary(_, l, r) = &set.rules[0].check.kind else {
        panic!()
    };
    let ExprKind::Binary(_, cell, _) = &l.kind else {
        panic!()
    };
    match &cell.kind {
        ExprKind::Cell(c) => assert_eq!(c.column, Some(Coord::Id("repealed".into()))),
        other => panic!("{other:?}"),
    }
    let ExprKind::Call { args, .. } = &r.kind else {
        panic!()
    };
    assert!(matches!(&args[0].kind, ExprKind::Section { section: Coord::Id(id), .. } if id == "requests"));
}

#[test]
fn quantifiers_bind_the_right_domains_and_types() {
    let set = one(&rule(
        "review[cases, g.total] == sum(review[cases, g.*])",
        "for every column group g in review",
    ));
    let r = &set.rules[0];
    assert_eq!(r.quantifiers[0].kind, VarKind::ColumnGroup);
    assert_eq!(r.quantifiers[0].domains, vec![Domain::Table("review".into())]);
    let ExprKind::Binary(_, l, rhs) = &r.check.kind else {
        panic!()
    };
    assert_eq!(l.ty, Ty::Cell);
    assert_eq!(rhs.ty, Ty::Number);
    let set = one(&rule(
        "requests[r, total] >= 0",
        "for every row r in requests.\"不予公开\"",
    ));
    assert_eq!(
        set.rules[0].quantifiers[0].domains,
        vec![Domain::RowGroup {
            table: "requests".into(),
            group: "denied".into()
        }]
    );
}

#[test]
fn cross_year_rules_are_marked_and_severities_read_in_chinese() {
    let set = one(
        "rule t.x {\n  title \"t\"\n  severity 警告\n  for every column c in requests\n  check requests[carried_over, c] == previous.requests[carried_forward, c]\n  message \"{left} {right}\"\n}\n\
         rule t.y {\n  title \"t\"\n  severity 提示\n  check report.year >= 2019\n  message \"m\"\n}\n",
    );
    assert!(set.rules[0].cross_year);
    assert_eq!(set.rules[0].severity, Severity::Warning);
    assert!(!set.rules[1].cross_year);
    assert_eq!(set.rules[1].severity, Severity::Info);
}

#[test]
fn tests_are_attached_to_their_rules() {
    let set = one(&format!(
        "{}test t.r \"ok\" {{ passes }}\ntest t.r \"bad\" on \"x.txt\" {{ given requests[new, total] = 3 fails at requests[new, total] with \"m\" }}\n",
        rule("requests[new, total] == 0", "")
    ));
    assert_eq!(set.tests.len(), 2);
    assert_eq!(set.tests[1].base.as_deref(), Some("x.txt"));
    assert_eq!(set.tests[1].givens.len(), 1);
}
