//! Tests on real fixtures (tests/fixtures at the workspace root): the crawled
//! pingtan page, and flattened versions of the other fixtures made here by
//! concatenating each row's printed cells.

use super::*;
use nianbao_model::label::{normalize, split_numbering};
use nianbao_model::{template, Decimal, Format, RowKind, TableSchema};
use std::collections::HashMap;

use crate::fixtures::text as fixture;

/// A truth file's rows: `(table, row)` and its `(column, value)` cells.
type TruthRow = ((String, String), Vec<(String, String)>);

/// The rows of a truth TSV (`table row column value`), in file order.
fn truth(name: &str) -> Vec<TruthRow> {
    let mut rows: Vec<TruthRow> = Vec::new();
    for line in fixture(name).lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let [table, row, column, value] = f[..] else {
            panic!("bad truth line {line:?}")
        };
        let key = (table.to_string(), row.to_string());
        match rows.last_mut() {
            Some((k, cells)) if *k == key => cells.push((column.into(), value.into())),
            _ => rows.push((key, vec![(column.into(), value.into())])),
        }
    }
    rows
}

fn table(id: &str) -> &'static TableSchema {
    template(Format::V2021).table(id).unwrap()
}

fn row<'t>(table: &'t TableSchema, id: &str) -> &'t RowSchema {
    table.row(id).unwrap()
}

/// Find each row of `table` by its template numbering and label, in order,
/// from `start`, and split the run after it.
fn split_in_text(text: &str, start: usize, table: &TableSchema) -> Vec<RowSplit> {
    let mut cursor = start;
    let mut out = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let label = format!("{}{}", row.numbering, row.label);
        let at = cursor
            + text[cursor..]
                .find(&label)
                .unwrap_or_else(|| panic!("{label} not found"));
        let from = at + label.len();
        let mut run = take_run(text, from);
        if let Some(next) = table.rows.get(i + 1) {
            run = strip_glued_numbering(run, next.numbering);
        }
        cursor = from + run.len();
        if row.kind == RowKind::Heading {
            assert_eq!(run.trim(), "", "{label}");
            continue;
        }
        out.push(split_row(table, row, run, from));
    }
    out
}

fn unique(split: &RowSplit) -> (&Split, &Option<Inference>) {
    match &split.outcome {
        Outcome::Unique { split: s, inference } => (s, inference),
        other => panic!("{}.{} {:?}: {other:?}", split.table, split.row, split.run),
    }
}

fn values(split: &RowSplit) -> Vec<String> {
    unique(split).0.values()
}

fn truth_values(cells: &[(String, String)], table: &TableSchema, row: &RowSchema) -> Vec<String> {
    let cols: Vec<&str> = table.row_columns(row).map(|c| c.id).collect();
    let got: Vec<&str> = cells.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(got, cols, "truth columns of {}", row.id);
    cells.iter().map(|(_, v)| v.clone()).collect()
}

const PINGTAN: &str = "pingtan-2021-flattened.txt";

#[test]
fn pingtan_requests_rows_split_to_the_truth() {
    let text = fixture(PINGTAN);
    let t = table("requests");
    let start = text.find("三、收到和处理政府信息公开申请情况").unwrap();
    let mut splits = split_in_text(&text, start, t);
    // Two rows are genuinely ambiguous by their own totals:
    // "270020130" is 27|0|0|2|0|1|30 or 2|7|0|0|20|1|30, and
    // "220000325" is 22|0|0|0|0|3|25 or 2|20|0|0|0|3|25.
    let ambiguous: Vec<(&str, usize)> = splits
        .iter()
        .filter_map(|s| match &s.outcome {
            Outcome::Ambiguous { count, .. } => Some((s.row, *count)),
            _ => None,
        })
        .collect();
    assert_eq!(ambiguous, [("granted", 2), ("unable.not_held", 2)]);
    // The column sums into （七）总计 decide them, and that rule is assumed.
    let assumed = resolve_with_columns(t, &mut splits, |_, _| None);
    let assumed: Vec<(&str, Vec<&str>)> = assumed.iter().map(|a| (a.rule.id, a.rows.clone())).collect();
    assert_eq!(
        assumed,
        [("requests.results-total", vec!["granted", "unable.not_held"])]
    );
    let truth: HashMap<String, Vec<(String, String)>> = truth("pingtan-2021-flattened.truth.tsv")
        .into_iter()
        .filter(|((tb, _), _)| tb == "requests")
        .map(|((_, r), c)| (r, c))
        .collect();
    let mut checked = 0;
    for split in &splits {
        let schema = row(t, split.row);
        if schema.kind == RowKind::Group {
            // 2021 group rows print no numbers: "（三）不予公开1.属于…".
            assert_eq!(split.outcome, Outcome::Empty, "{}", split.row);
            assert_eq!(split.problem(), None);
            continue;
        }
        let want = truth_values(&truth[split.row], t, schema);
        assert_eq!(values(split), want, "{} from {:?}", split.row, split.run);
        let (s, inference) = unique(split);
        let inference = inference.as_ref().expect("values that ran together are inferred");
        let own = format!(
            "requests.{}: total = natural_person + business + research + nonprofit + legal_services + other_org",
            split.row
        );
        if ["granted", "unable.not_held"].contains(&split.row) {
            assert!(
                inference.constraint.starts_with(&format!("{own}; of the 2 splits that satisfy it, the only one consistent with the column rules (assumed, so not checked): requests.results-total (template rule 3): requests, every column: total = granted + partial")),
                "{}",
                inference.constraint
            );
        } else {
            assert_eq!(inference.constraint, own);
        }
        assert!(inference.candidates >= 1);
        // Every span covers exactly the digits of its value.
        for cell in &s.cells {
            assert_eq!(cell.span.slice(&text), Some(cell.value.to_string().as_str()));
        }
        let cells = split.cells().unwrap();
        assert_eq!(cells.len(), 7);
        assert!(cells.iter().all(|(_, c)| c.inferred.is_some()));
        assert_eq!(split.problem(), None);
        checked += 1;
    }
    assert_eq!(checked, 25);
    // The glued numbering was taken off: "…申请00000002.其他法律…".
    let law = splits.iter().find(|s| s.row == "denied.state_secret").unwrap();
    assert_eq!(law.run, "0000000");
    // The printed space is a boundary: "500000 5".
    let partial = splits.iter().find(|s| s.row == "partial").unwrap();
    assert_eq!(partial.run, "500000 5");
    assert_eq!(partial.possible, 1);
    // "0000000" splits only one way.
    assert_eq!(law.possible, 1);
    let new = splits.iter().find(|s| s.row == "new").unwrap();
    assert_eq!(new.run, "640020470");
    // 9 digits into 7 columns without leading zeros: 12 ways, 1 with the total.
    assert_eq!(new.possible, 12);
}

#[test]
fn pingtan_review_row_splits_to_the_truth() {
    let text = fixture(PINGTAN);
    let t = table("review");
    let heading = text.find("四、政府信息公开行政复议、行政诉讼情况").unwrap();
    // The row has no label: its run is the first number after the headers.
    let from = heading + text[heading..].find(|c: char| c.is_ascii_digit()).unwrap();
    let run = take_run(&text, from);
    assert_eq!(run, "10203120001200000");
    let split = split_row(t, row(t, "cases"), run, from);
    let truth = truth("pingtan-2021-flattened.truth.tsv");
    let (_, cells) = truth.iter().find(|((tb, _), _)| tb == "review").unwrap();
    assert_eq!(values(&split), truth_values(cells, t, row(t, "cases")));
    let inference = unique(&split).1.as_ref().unwrap();
    assert!(inference.constraint.starts_with(
        "review.cases: reconsideration.total = reconsideration.upheld + reconsideration.corrected + reconsideration.other + reconsideration.pending; litigation_direct.total ="
    ));
    for cell in &unique(&split).0.cells {
        assert_eq!(cell.span.slice(&text), Some(cell.value.to_string().as_str()));
    }
}

#[test]
fn pingtan_disclosure_is_read_only_where_the_split_is_unique() {
    let text = fixture(PINGTAN);
    let t = table("disclosure");
    let start = text.find("二、主动公开政府信息情况").unwrap();
    let splits = split_in_text(&text, start, t);
    let by_row = |id: &str| splits.iter().find(|s| s.row == id).unwrap();

    // "规章 000": only 0, 0, 0 has no leading zeros — read, marked inferred.
    let regulations = by_row("regulations");
    assert_eq!(values(regulations), ["0", "0", "0"]);
    let inference = unique(regulations).1.as_ref().unwrap();
    assert_eq!(
        inference.constraint,
        "disclosure.regulations: the only split into 3 numbers without leading zeros"
    );
    assert_eq!(inference.candidates, 1);

    // "693665" into 本年制发/本年废止/现行有效: C(5,2) = 10 splits, no total to choose.
    let docs = by_row("normative_docs");
    assert_eq!(docs.run, "693665");
    let Outcome::Ambiguous { candidates, count } = &docs.outcome else {
        panic!("{docs:?}")
    };
    assert_eq!((*count, candidates.len()), (10, 10));
    assert!(candidates.iter().any(|c| c.values() == ["69", "3", "665"]));
    let problem = docs.problem().unwrap();
    assert_eq!(problem.kind, ProblemKind::AmbiguousSplit);
    assert_eq!(problem.candidates.len(), 10);
    assert!(problem.message.contains("10 种"), "{}", problem.message);
    assert_eq!(
        problem.message,
        "disclosure.normative_docs：数字“693665”连在一起，有 10 种拆分，本行没有总计可用来选择；未读取"
    );
    assert_eq!(problem.span.and_then(|s| s.slice(&text)), Some("693665"));

    // Single-value rows were printed as one number: read, nothing inferred.
    for (id, value) in [("licensing", "2293"), ("penalty", "1282"), ("enforcement", "42")] {
        assert_eq!(values(by_row(id)), [value], "{id}");
        assert_eq!(unique(by_row(id)).1, &None, "{id}");
    }
    // The fee is one printed decimal (万元 to six places = yuan to the fen).
    let fees = by_row("fees");
    let (split, inference) = unique(fees);
    assert_eq!(
        split.cells[0].value,
        CellValue::Decimal("24252.311082".parse::<Decimal>().unwrap())
    );
    assert_eq!(inference, &None);
}

#[test]
fn glued_numbering_is_stripped_only_when_it_is_the_next_rows() {
    assert_eq!(strip_glued_numbering("00000002.", "2."), "0000000");
    assert_eq!(strip_glued_numbering("0000000２．", "2."), "0000000");
    assert_eq!(strip_glued_numbering("1000001 3、", "3."), "1000001 ");
    assert_eq!(strip_glued_numbering("1.", "1."), "");
    // Not the next row's numbering, or no numbering at all: unchanged.
    assert_eq!(strip_glued_numbering("00000003.", "2."), "00000003.");
    assert_eq!(strip_glued_numbering("0000000", "2."), "0000000");
    assert_eq!(strip_glued_numbering("0000000", "（四）"), "0000000");
    assert_eq!(strip_glued_numbering("", "2."), "");
}

/// Each row's printed values in a tab-, pipe- or line-separated fixture:
/// the field holding the row's label (found in template order), then the
/// numeric fields after it, across lines.
fn printed_rows(text: &str, table: &TableSchema) -> Vec<(&'static str, Vec<String>)> {
    let fields: Vec<&str> = text
        .split(['\t', '|', '\n'])
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    let is_label = |field: &str, row: &RowSchema| {
        let f = normalize(field);
        let (_, rest) = split_numbering(&f);
        rest == normalize(row.label) || row.variants.iter().any(|v| rest == normalize(v))
    };
    let mut out = Vec::new();
    let mut cursor = 0;
    for row in table.value_rows() {
        let n = table.row_columns(row).count();
        let Some(at) = fields.iter().skip(cursor).position(|f| is_label(f, row)) else {
            continue;
        };
        cursor += at + 1;
        let values: Vec<String> = fields[cursor..]
            .iter()
            .take_while(|f| f.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .take(n)
            .map(|f| f.to_string())
            .collect();
        if values.len() == n {
            cursor += n;
            out.push((row.id, values));
        }
    }
    out
}

/// Flatten rows (concatenate their cells), split them, resolve by columns,
/// and return the splits.
fn flatten_and_split(
    table: &TableSchema,
    rows: &[(&'static str, Vec<String>)],
) -> (Vec<RowSplit>, Vec<AssumedRule>) {
    let mut text = String::new();
    let mut splits = Vec::new();
    for (id, cells) in rows {
        let run = cells.concat();
        let offset = text.len();
        text.push_str(&run);
        splits.push(split_row(table, row(table, id), &run, offset));
    }
    let assumed = resolve_with_columns(table, &mut splits, |_, _| None);
    for split in &splits {
        if let Outcome::Unique { split: s, .. } = &split.outcome {
            for cell in &s.cells {
                assert_eq!(cell.span.slice(&text), Some(cell.value.to_string().as_str()));
            }
        }
    }
    (splits, assumed)
}

#[test]
fn flattened_layout_fixtures_are_recovered() {
    // (fixture, rows expected, of which not all zeros)
    for (name, rows, nonzero) in [
        ("haiyan-jingxin-2023.txt", 29, 0),
        ("pinghu-jingxin-2021.txt", 25, 0),
        ("sanmen-yanhai-2023.txt", 25, 0),
        ("jiaxing-jingxin-2022.txt", 25, 7),
    ] {
        let t = table("requests");
        let printed = printed_rows(&fixture(name), t);
        assert_eq!(printed.len(), rows, "{name}: {printed:?}");
        assert_eq!(
            printed.iter().filter(|(_, v)| v.iter().any(|x| x != "0")).count(),
            nonzero,
            "{name}"
        );
        let (splits, assumed) = flatten_and_split(t, &printed);
        assert_eq!(assumed, vec![], "{name}");
        for (split, (id, want)) in splits.iter().zip(&printed) {
            assert_eq!(&values(split), want, "{name} {id}");
            assert!(unique(split).1.is_some(), "{name} {id}: inferred");
        }
    }
}

#[test]
fn jiaxing_rows_are_the_ones_seen() {
    let printed = printed_rows(&fixture("jiaxing-jingxin-2022.txt"), table("requests"));
    let new = printed.iter().find(|(id, _)| *id == "new").unwrap();
    assert_eq!(new.1, ["8", "0", "0", "0", "0", "0", "8"]);
}

#[test]
fn flattened_truth_tables_are_recovered_where_arithmetic_decides() {
    let t = table("requests");
    for (name, decided_by_columns) in [
        ("hongze-2023.truth.tsv", vec![]),
        (
            "pingtan-2021-flattened.truth.tsv",
            vec!["granted", "unable.not_held"],
        ),
    ] {
        let rows: Vec<(&'static str, Vec<String>)> = truth(name)
            .into_iter()
            .filter(|((tb, _), _)| tb == "requests")
            .map(|((_, r), cells)| (row(t, &r).id, cells.into_iter().map(|(_, v)| v).collect()))
            .collect();
        let (splits, assumed) = flatten_and_split(t, &rows);
        let decided: Vec<&str> = assumed.iter().flat_map(|a| a.rows.clone()).collect();
        assert_eq!(decided, decided_by_columns, "{name}");
        for (split, (id, want)) in splits.iter().zip(&rows) {
            assert_eq!(&values(split), want, "{name} {id}");
        }
    }
}

#[test]
fn hongze_review_row_breaks_its_own_totals_and_is_not_guessed() {
    // hongze prints 10, 1, 0, 0 with 总计 0: no split satisfies the row.
    let t = table("review");
    let rows = truth("hongze-2023.truth.tsv");
    let (_, cells) = rows.iter().find(|((tb, _), _)| tb == "review").unwrap();
    let run: String = cells.iter().map(|(_, v)| v.as_str()).collect();
    let split = split_row(t, row(t, "cases"), &run, 0);
    assert_eq!(split.outcome, Outcome::NoValidSplit);
    let problem = split.problem().unwrap();
    assert_eq!(problem.kind, ProblemKind::NoValidSplit);
    assert!(problem.message.contains("没有一种"), "{}", problem.message);
}

#[test]
fn hongze_disclosure_flattened_is_unreadable_where_not_unique() {
    let t = table("disclosure");
    let rows = truth("hongze-2023.truth.tsv");
    let mut outcomes = Vec::new();
    for ((tb, r), cells) in rows.iter().filter(|((tb, _), _)| tb == "disclosure") {
        let run: String = cells.iter().map(|(_, v)| v.as_str()).collect();
        let split = split_row(table(tb), row(t, r), &run, 0);
        let got = match &split.outcome {
            Outcome::Unique { split, .. } => split.values().join(","),
            Outcome::Ambiguous { count, .. } => format!("{count} splits"),
            other => format!("{other:?}"),
        };
        outcomes.push(format!("{r}: {run} → {got}"));
    }
    assert_eq!(
        outcomes,
        [
            "regulations: 000 → 0,0,0",
            // "055" cannot be 0|5|5 only: 05 is not a number, so it is unique.
            "normative_docs: 055 → 0,5,5",
            "licensing: 550 → 550",
            "penalty: 4119 → 4119",
            "enforcement: 195 → 195",
            "fees: 7730.28 → 7730.28",
        ]
    );
}

/// A full requests table with values that run together ambiguously:
/// `carried_over` 1|12|…|13 and `granted` 11|2|…|13 both print "112000013".
fn constructed_requests() -> Vec<(&'static str, Vec<i64>)> {
    let zero = vec![0; 7];
    let mut rows: Vec<(&'static str, Vec<i64>)> = vec![
        ("new", vec![64, 0, 0, 2, 0, 4, 70]),
        ("carried_over", vec![1, 12, 0, 0, 0, 0, 13]),
        ("granted", vec![11, 2, 0, 0, 0, 0, 13]),
        ("partial", vec![5, 0, 0, 0, 0, 0, 5]),
    ];
    let t = table("requests");
    for r in t.rows.iter().filter(|r| r.parent.is_some()) {
        let v = match r.id {
            "denied.internal_affairs" => vec![1, 0, 0, 0, 0, 0, 1],
            "denied.enforcement_file" => vec![6, 0, 0, 0, 0, 0, 6],
            "unable.not_held" => vec![22, 0, 0, 0, 0, 3, 25],
            "other.other" => vec![1, 0, 0, 0, 0, 0, 1],
            _ => zero.clone(),
        };
        rows.push((r.id, v));
    }
    rows.push(("total", vec![46, 2, 0, 0, 0, 3, 51]));
    rows.push(("carried_forward", vec![19, 10, 0, 2, 0, 1, 32]));
    rows
}

fn as_text(rows: &[(&'static str, Vec<i64>)]) -> Vec<(&'static str, Vec<String>)> {
    rows.iter()
        .map(|(id, v)| (*id, v.iter().map(i64::to_string).collect()))
        .collect()
}

#[test]
fn constructed_row_with_two_valid_splits_is_ambiguous_with_both() {
    let t = table("requests");
    let split = split_row(t, row(t, "granted"), "112000013", 100);
    let Outcome::Ambiguous { candidates, count } = &split.outcome else {
        panic!("{split:?}")
    };
    assert_eq!(*count, 2);
    let listed: Vec<Vec<String>> = candidates.iter().map(Split::values).collect();
    assert_eq!(
        listed,
        [
            ["1", "12", "0", "0", "0", "0", "13"],
            ["11", "2", "0", "0", "0", "0", "13"]
        ]
    );
    assert_eq!(split.cells(), None);
    let problem = split.problem().unwrap();
    assert_eq!(problem.kind, ProblemKind::AmbiguousSplit);
    assert_eq!(problem.candidates, listed);
    assert_eq!(problem.span, Some(Span::new(100, 9)));
    assert_eq!(problem.row.as_deref(), Some("granted"));
}

#[test]
fn column_rules_decide_ambiguous_rows_and_are_reported_as_assumed() {
    let t = table("requests");
    let rows = constructed_requests();
    let (splits, assumed) = flatten_and_split(t, &as_text(&rows));
    for (split, (id, want)) in splits.iter().zip(&rows) {
        let want: Vec<String> = want.iter().map(i64::to_string).collect();
        assert_eq!(values(split), want, "{id}");
    }
    let decided: Vec<(&str, Vec<&str>)> = assumed.iter().map(|a| (a.rule.id, a.rows.clone())).collect();
    assert_eq!(
        decided,
        [
            ("requests.column-balance", vec!["carried_over"]),
            ("requests.results-total", vec!["granted", "unable.not_held"]),
        ]
    );
    let granted = splits.iter().find(|s| s.row == "granted").unwrap();
    let inference = unique(granted).1.as_ref().unwrap();
    assert!(
        inference.constraint.contains("the only one consistent with the column rules (assumed, so not checked): requests.results-total (template rule 3): requests, every column: total = granted + partial + Σ denied.* + Σ unable.* + Σ not_processed.* + Σ other.*"),
        "{}",
        inference.constraint
    );
    // Rows decided by their own totals name no column rule.
    let new = splits.iter().find(|s| s.row == "new").unwrap();
    assert!(!unique(new)
        .1
        .as_ref()
        .unwrap()
        .constraint
        .contains("column rules"));
}

#[test]
fn printed_rows_take_part_in_column_rules() {
    // Only `granted` ran together; the other rows were printed apart.
    let t = table("requests");
    let rows = constructed_requests();
    let mut splits = vec![split_row(t, row(t, "granted"), "112000013", 0)];
    let printed = |r: &str, c: &str| -> Option<Decimal> {
        let (_, values) = rows.iter().find(|(id, _)| *id == r && r != "granted")?;
        let i = t.columns.iter().position(|col| col.id == c)?;
        Some(Decimal::from(*values.get(i)?))
    };
    let assumed = resolve_with_columns(t, &mut splits, printed);
    assert_eq!(values(&splits[0]), ["11", "2", "0", "0", "0", "0", "13"]);
    assert_eq!(assumed.len(), 1);
    assert_eq!(assumed[0].rule.template_rule, 3);
}

#[test]
fn column_rules_that_do_not_single_out_a_split_leave_it_ambiguous() {
    // Without the rows that link `granted` to a total, nothing decides it.
    let t = table("requests");
    let mut splits = vec![split_row(t, row(t, "granted"), "112000013", 0)];
    let assumed = resolve_with_columns(t, &mut splits, |_, _| None);
    assert!(assumed.is_empty());
    assert!(matches!(splits[0].outcome, Outcome::Ambiguous { count: 2, .. }));
}

/// A flattened requests table from a truth file, with one row replaced.
fn truth_requests(name: &str, replace: (&str, Vec<&str>)) -> Vec<(&'static str, Vec<String>)> {
    let t = table("requests");
    truth(name)
        .into_iter()
        .filter(|((tb, _), _)| tb == "requests")
        .map(|((_, r), cells)| {
            let values = if r == replace.0 {
                replace.1.iter().map(|v| v.to_string()).collect()
            } else {
                cells.into_iter().map(|(_, v)| v).collect()
            };
            (row(t, &r).id, values)
        })
        .collect()
}

#[test]
fn a_defect_between_rows_survives_flattening() {
    // hongze with 6.属于四类过程性信息 raised from 1 to 2: the sub-items no
    // longer add up to （七）总计 (rule 3). Each row is still decided by its
    // own total, no column rule is assumed, and the defect is there for
    // the rule to find.
    let t = table("requests");
    let rows = truth_requests(
        "hongze-2023.truth.tsv",
        ("denied.process_info", vec!["2", "0", "0", "0", "0", "0", "2"]),
    );
    let (splits, assumed) = flatten_and_split(t, &rows);
    assert!(assumed.is_empty());
    for (split, (id, want)) in splits.iter().zip(&rows) {
        assert_eq!(&values(split), want, "{id}");
        let inference = unique(split).1.as_ref().unwrap();
        assert!(!inference.constraint.contains("column rules"), "{id}");
    }
    let natural_person = |id: &str| -> i64 {
        let split = splits.iter().find(|s| s.row == id).unwrap();
        values(split)[0].parse().unwrap()
    };
    let rule = column_rules(t, |r| splits.iter().any(|s| s.row == r))
        .into_iter()
        .find(|r| r.id == "requests.results-total")
        .unwrap();
    // hongze prints （六）其他处理 as one row: the rule uses it as such.
    assert!(rule.rhs.contains(&"other") && !rule.rhs.contains(&"other.other"));
    let results: i64 = rule.rhs.iter().map(|r| natural_person(r)).sum();
    assert_eq!((natural_person("total"), results), (21, 22));
}

#[test]
fn a_defect_keeps_column_rules_from_choosing() {
    // The constructed table with 7.属于行政执法案卷 raised from 6 to 7: rule 3
    // now fails for every choice, so `granted` and `unable.not_held` stay
    // ambiguous (reported, not guessed); rule 1 still decides `carried_over`.
    let t = table("requests");
    let mut rows = constructed_requests();
    for (id, v) in rows.iter_mut() {
        if *id == "denied.enforcement_file" {
            *v = vec![7, 0, 0, 0, 0, 0, 7];
        }
    }
    let (splits, assumed) = flatten_and_split(t, &as_text(&rows));
    let decided: Vec<(&str, Vec<&str>)> = assumed.iter().map(|a| (a.rule.id, a.rows.clone())).collect();
    assert_eq!(decided, [("requests.column-balance", vec!["carried_over"])]);
    let still: Vec<&str> = splits
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Ambiguous { count: 2, .. }))
        .map(|s| s.row)
        .collect();
    assert_eq!(still, ["granted", "unable.not_held"]);
    let granted = splits.iter().find(|s| s.row == "granted").unwrap();
    assert_eq!(granted.problem().unwrap().candidates.len(), 2);
}

#[test]
fn full_width_digits_and_spans() {
    let t = table("requests");
    let run = "６４００２０４７０";
    let split = split_row(t, row(t, "new"), run, 7);
    assert_eq!(values(&split), ["64", "0", "0", "2", "0", "4", "70"]);
    let first = &unique(&split).0.cells[0];
    assert_eq!(first.span, Span::new(7, 6)); // two 3-byte digits
}

#[test]
fn decimals_only_in_amount_columns() {
    let t = table("requests");
    let split = split_row(t, row(t, "new"), "6400.20470", 0);
    assert_eq!(split.outcome, Outcome::NoValidSplit);
    let problem = split.problem().unwrap();
    // No split at all: not read, not a row that does not add up.
    assert_eq!(problem.kind, ProblemKind::UnsplittableRun);
    assert!(
        problem.message.contains("拆不成本行的 7 列"),
        "{}",
        problem.message
    );
}

#[test]
fn only_one_unbroken_run_that_adds_up_under_no_split_is_a_defect() {
    let t = table("requests");
    // Seven digits, one split, and 6 + 0 + … ≠ 5: the row does not add up.
    let split = split_row(t, row(t, "partial"), "6000005", 0);
    assert_eq!(split.problem().map(|p| p.kind), Some(ProblemKind::NoValidSplit));
    // The same digits in pieces: the pieces may be cells whose empty
    // neighbours were lost on export, so the row is only not read.
    let split = split_row(t, row(t, "partial"), "600000 5", 0);
    assert_eq!(
        split.problem().map(|p| p.kind),
        Some(ProblemKind::UnsplittableRun)
    );
}

#[test]
fn other_characters_are_unreadable_with_their_span() {
    let t = table("requests");
    let split = split_row(t, row(t, "new"), "64,0020470", 10);
    assert_eq!(
        split.outcome,
        Outcome::Unreadable {
            span: Span::new(12, 1),
            found: ','
        }
    );
    assert_eq!(split.problem().unwrap().kind, ProblemKind::UnreadableCell);
}

#[test]
fn empty_data_row_is_missing_cells() {
    let t = table("requests");
    let split = split_row(t, row(t, "new"), " ", 0);
    assert_eq!(split.outcome, Outcome::Empty);
    assert_eq!(split.problem().unwrap().kind, ProblemKind::MissingCells);
}

#[test]
fn long_runs_end_quickly() {
    // Digits of 7·i² for i = 1, 2, 3 …: "72863112175…".
    let digits: String = (1..100u64).map(|i| (7 * i * i).to_string()).collect();
    // 200 digits: far more than 7 or 15 numbers of at most 15 digits can use.
    for (tb, r) in [
        ("requests", "new"),
        ("review", "cases"),
        ("disclosure", "normative_docs"),
    ] {
        let started = std::time::Instant::now();
        let split = split_row(table(tb), row(table(tb), r), &digits[..200], 0);
        assert!(started.elapsed().as_secs_f64() < 1.0, "{tb}.{r}");
        assert_eq!(split.outcome, Outcome::NoValidSplit, "{tb}.{r}");
    }
    // 60 digits into 7 columns: 2941126 splits; the search gives up.
    let t = table("requests");
    let started = std::time::Instant::now();
    let split = split_row(t, row(t, "new"), &digits[..60], 0);
    assert!(started.elapsed().as_secs_f64() < 5.0);
    assert_eq!(split.possible, 2_941_126);
    assert!(
        matches!(split.outcome, Outcome::TooAmbiguous { explored, .. } if explored == Limits::default().max_nodes + 1),
        "{:?}",
        split.outcome
    );
    let problem = split.problem().unwrap();
    assert_eq!(problem.kind, ProblemKind::TooAmbiguous);
    assert!(
        problem.message.contains("共 2941126 种可能"),
        "{}",
        problem.message
    );
}

#[test]
fn take_run_stops_at_what_cannot_be_a_number() {
    let text = "行政许可2293 第二十条；费用24252.311082三、；申请00000002.其他；x-5 -y；7\n8";
    let at = |s: &str| text.find(s).unwrap() + s.len();
    assert_eq!(take_run(text, at("行政许可")), "2293 ");
    assert_eq!(take_run(text, at("费用")), "24252.311082");
    assert_eq!(take_run(text, at("申请")), "00000002.");
    assert_eq!(take_run(text, at("x")), "-5 ");
    assert_eq!(take_run(text, at("；")), "");
    assert_eq!(take_run(text, text.find('7').unwrap()), "7");
    assert_eq!(take_run(text, 1), ""); // inside a character
    assert_eq!(take_run("１２．５", 0), "１２．５");
}

#[test]
fn the_work_cap_answers_too_ambiguous() {
    let t = table("requests");
    let limits = Limits {
        max_nodes: 5,
        max_listed: 12,
    };
    let split = split_row_with(t, row(t, "new"), "640020470", 0, limits);
    assert!(
        matches!(split.outcome, Outcome::TooAmbiguous { explored: 6, .. }),
        "{split:?}"
    );
    assert_eq!(split.problem().unwrap().kind, ProblemKind::TooAmbiguous);
}

/// Brute force: how many splits of ASCII `digits` into `k` numbers without
/// leading zeros exist, and those for which `keep` holds.
fn all_splits(digits: &str, k: usize, keep: &dyn Fn(&[i64]) -> bool) -> (usize, Vec<Vec<i64>>) {
    fn walk(
        rest: &str,
        k: usize,
        acc: &mut Vec<i64>,
        keep: &dyn Fn(&[i64]) -> bool,
        out: &mut (usize, Vec<Vec<i64>>),
    ) {
        if acc.len() == k {
            if rest.is_empty() {
                out.0 += 1;
                if keep(acc) {
                    out.1.push(acc.clone());
                }
            }
            return;
        }
        for len in 1..=rest.len().min(15) {
            let (head, tail) = rest.split_at(len);
            if len > 1 && head.starts_with('0') {
                break;
            }
            acc.push(head.parse().unwrap());
            walk(tail, k, acc, keep, out);
            acc.pop();
        }
    }
    let mut out = (0, Vec::new());
    walk(digits, k, &mut Vec::new(), keep, &mut out);
    out
}

/// Whether the values satisfy `table`'s row arithmetic (each `total` /
/// `*.total` column = the columns since the previous total).
fn satisfies(values: &[i64], table: &TableSchema) -> bool {
    let mut first = 0;
    for (i, c) in table.columns.iter().enumerate() {
        if c.id == "total" || c.id.ends_with(".total") {
            if values[first..i].iter().sum::<i64>() != values[i] {
                return false;
            }
            first = i + 1;
        }
    }
    true
}

#[test]
fn search_agrees_with_brute_force() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut compared, mut decided) = (0, 0);
    // Longest run the brute force enumerates (review: C(18, 14) splits).
    for (tb, r, longest) in [("requests", "new", 16), ("review", "cases", 19)] {
        let t = table(tb);
        let schema = row(t, r);
        for i in 0..300 {
            // Half the runs are real rows (values that add up), half noise.
            let digits: String = if i % 2 == 0 {
                let mut values: Vec<i64> = Vec::new();
                let mut first = 0;
                for (c, col) in t.columns.iter().enumerate() {
                    if col.id == "total" || col.id.ends_with(".total") {
                        values.push(values[first..c].iter().sum());
                        first = c + 1;
                    } else {
                        // Mostly zeros and small counts, as in real tables.
                        let x = next() % 10;
                        let bound = [10, 10, 100][(x % 3) as usize];
                        values.push(if x < 5 { 0 } else { (next() % bound) as i64 });
                    }
                }
                values.iter().map(i64::to_string).collect()
            } else {
                let len = t.columns.len() + i % (longest + 1 - t.columns.len());
                (0..len)
                    .map(|_| char::from(b'0' + [0, 0, 0, 1, 1, 2, 3, 5, 7, 9][(next() % 10) as usize]))
                    .collect()
            };
            if digits.len() > longest {
                continue;
            }
            let (possible, mut want) = all_splits(&digits, t.columns.len(), &|v| satisfies(v, t));
            let unlimited = Limits {
                max_nodes: usize::MAX,
                max_listed: usize::MAX,
            };
            let split = split_row_with(t, schema, &digits, 0, unlimited);
            let parse = |s: &Split| -> Vec<i64> { s.values().iter().map(|v| v.parse().unwrap()).collect() };
            let mut got: Vec<Vec<i64>> = match &split.outcome {
                Outcome::Unique { split, .. } => vec![parse(split)],
                Outcome::Ambiguous { candidates, count } => {
                    assert_eq!(*count, candidates.len());
                    candidates.iter().map(parse).collect()
                }
                Outcome::NoValidSplit => vec![],
                other => panic!("{digits}: {other:?}"),
            };
            want.sort();
            got.sort();
            assert_eq!(got, want, "{tb} {digits}");
            assert_eq!(split.possible, possible, "{tb} {digits}");
            compared += 1;
            decided += usize::from(got.len() == 1);
        }
    }
    // Both kinds of run were compared, and many rows were decidable.
    assert!(
        compared > 450 && decided > 150,
        "{compared} compared, {decided} decided"
    );
}

#[test]
fn printed_rows_are_not_judged_by_their_arithmetic() {
    // Seven printed numbers whose total is wrong: read as printed, not
    // inferred, so the rule that checks the total still reports it.
    let t = table("requests");
    let split = split_row(t, row(t, "new"), "64 0 0 2 0 4 71", 0);
    assert_eq!(values(&split), ["64", "0", "0", "2", "0", "4", "71"]);
    assert_eq!(unique(&split).1, &None);
    // Run together, the same defect makes the row unreadable, never a guess.
    let split = split_row(t, row(t, "new"), "640020471", 0);
    assert_eq!(split.outcome, Outcome::NoValidSplit);
}

#[test]
fn signed_counts_and_amounts_in_the_2019_format() {
    let t = template(Format::V2019).table("disclosure").unwrap();
    // 上一年项目数量 12, 本年增/减 -3, 处理决定数量 5: the minus sign can only
    // start 本年增/减, so the split is unique.
    let split = split_row(t, row(t, "licensing"), "12-35", 0);
    assert_eq!(values(&split), ["12", "-3", "5"]);
    // 采购项目数量 then 采购总金额: where the amount starts is anyone's guess.
    let split = split_row(t, row(t, "procurement"), "31234.5", 0);
    let Outcome::Ambiguous { candidates, count } = &split.outcome else {
        panic!("{split:?}")
    };
    assert_eq!(*count, 4);
    let listed: Vec<Vec<String>> = candidates.iter().map(Split::values).collect();
    assert_eq!(
        listed,
        [["3", "1234.5"], ["31", "234.5"], ["312", "34.5"], ["3123", "4.5"]]
    );
}

#[test]
fn any_run_gives_an_outcome_never_a_panic() {
    let alphabet: Vec<char> = "0000111234567899..-－−  *\u{200B}０９．,、a四\n"
        .chars()
        .collect();
    let mut seed: u64 = 0xDEAD_BEEF;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut outcomes = std::collections::HashSet::new();
    for format in [Format::V2021, Format::V2019] {
        for t in &template(format).tables {
            for r in t.value_rows() {
                for _ in 0..40 {
                    let len = (next() % 24) as usize;
                    let run: String = (0..len)
                        .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                        .collect();
                    let split = split_row(t, r, &run, 3);
                    // Spans stay inside the run (offset 3).
                    let inside = |s: Span| s.offset >= 3 && s.end() <= 3 + run.len();
                    match &split.outcome {
                        Outcome::Unique { split: s, .. } => assert!(s.cells.iter().all(|c| inside(c.span))),
                        Outcome::Unreadable { span, .. } => assert!(inside(*span)),
                        _ => {}
                    }
                    assert_eq!(
                        split.cells().is_some(),
                        split.problem().is_none() && split.outcome != Outcome::Empty
                    );
                    outcomes.insert(std::mem::discriminant(&split.outcome));
                }
            }
        }
    }
    // The generator reaches most outcomes (unique, ambiguous, none, unreadable, empty).
    assert!(outcomes.len() >= 5, "{}", outcomes.len());
}
