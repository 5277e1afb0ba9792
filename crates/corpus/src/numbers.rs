//! Realistic numbers that satisfy every consistency rule by construction:
//! per applicant column, requests received and carried over are split into
//! results and carried forward; the total column and the group rows are sums;
//! review totals are the sums of their parts.

use crate::model::{result_rows, Body, BodyKind, Id, ReportModel, RowValues, TableValues, Value, APPLICANTS};
use nianbao_model::{template, Format, RowKind};
use rand::Rng;

/// Relative frequency of each result row in published reports (予以公开 and
/// 本机关不掌握 dominate; 国家秘密 is rare).
fn result_weight(row: &str) -> f64 {
    match row {
        "granted" => 40.0,
        "partial" => 8.0,
        "unable.not_held" => 20.0,
        "unable.needs_creation" => 5.0,
        "unable.unclear" => 3.0,
        "not_processed.petition" => 4.0,
        "not_processed.duplicate" => 3.0,
        "other.no_correction" | "other" => 3.0,
        "other.other" => 3.0,
        "denied.third_party" | "denied.process_info" => 2.0,
        "denied.state_secret" => 0.3,
        _ => 1.0,
    }
}

/// A count drawn log-uniformly from `1..=max` (report sizes span orders of magnitude).
fn log_uniform(rng: &mut impl Rng, max: i64) -> i64 {
    let x: f64 = rng.random_range(0.0..=(max.max(1) as f64).ln());
    (x.exp().round() as i64).clamp(1, max.max(1))
}

/// Split `n` into parts proportional to `weights` (some of which may be 0),
/// with the remainder handed out one by one at random.
fn allocate(rng: &mut impl Rng, n: i64, weights: &[f64]) -> Vec<i64> {
    let sum: f64 = weights.iter().sum();
    let mut parts = vec![0i64; weights.len()];
    if n <= 0 || sum <= 0.0 {
        return parts;
    }
    let mut given = 0;
    for (p, w) in parts.iter_mut().zip(weights) {
        // Jitter so that columns of one report do not split in identical ratios.
        let share = w / sum * rng.random_range(0.6..1.0);
        *p = (n as f64 * share).floor() as i64;
        given += *p;
    }
    while given < n {
        let mut x = rng.random_range(0.0..sum);
        let i = weights
            .iter()
            .position(|w| {
                x -= w;
                x < 0.0
            })
            .unwrap_or(0);
        if let Some(p) = parts.get_mut(i) {
            *p += 1;
        }
        given += 1;
    }
    parts
}

fn row(id: Id, cells: Vec<(Id, Value)>) -> RowValues {
    RowValues { id, cells }
}

fn requests(rng: &mut impl Rng, format: Format, kind: BodyKind, group_numbers: bool) -> TableValues {
    let Some(schema) = template(format).table("requests") else {
        return TableValues {
            id: "requests",
            rows: Vec::new(),
        };
    };
    let results: Vec<Id> = result_rows(schema).collect();
    let cap = match kind {
        BodyKind::CityGovernment => 3000,
        BodyKind::CountyGovernment => 600,
        BodyKind::Department => 150,
        BodyKind::Township => 25,
    };
    let received = if rng.random_bool(0.3) {
        0
    } else {
        log_uniform(rng, cap)
    };
    // Natural persons file most requests; companies some; the rest rarely.
    let mut applicant_weights = [rng.random_range(3.0..12.0), 0.0, 0.0, 0.0, 0.0, 0.0];
    for w in applicant_weights.iter_mut().skip(1) {
        if rng.random_bool(0.3) {
            *w = rng.random_range(0.1..2.0);
        }
    }
    let new = allocate(rng, received, &applicant_weights);
    // Which results this body ever gives, and how often.
    let weights: Vec<f64> = results
        .iter()
        .map(|r| {
            if *r != "granted" && rng.random_bool(0.4) {
                0.0
            } else {
                result_weight(r) * rng.random_range(0.3..2.0)
            }
        })
        .collect();

    // Per applicant column: new, carried_over, the results, carried_forward.
    let mut columns: Vec<(Id, i64, i64, Vec<i64>, i64)> = Vec::new();
    for (&col, &n) in APPLICANTS.iter().zip(&new) {
        let carried_over = if n > 0 && rng.random_bool(0.3) {
            rng.random_range(0..=(n / 8).max(1))
        } else {
            0
        };
        let open = n + carried_over;
        let carried_forward = if open > 0 && rng.random_bool(0.3) {
            rng.random_range(0..=(open / 6).max(1)).min(open)
        } else {
            0
        };
        let parts = allocate(rng, open - carried_forward, &weights);
        columns.push((col, n, carried_over, parts, carried_forward));
    }

    let count = |v: i64| Value::Count(v);
    let with_total = |cells: Vec<(Id, i64)>| -> Vec<(Id, Value)> {
        let total: i64 = cells.iter().map(|(_, v)| v).sum();
        cells
            .into_iter()
            .map(|(c, v)| (c, count(v)))
            .chain(std::iter::once(("total", count(total))))
            .collect()
    };
    let result_value = |row: Id, col: usize| -> i64 {
        let i = results.iter().position(|r| *r == row);
        columns
            .get(col)
            .and_then(|c| i.and_then(|i| c.3.get(i)))
            .copied()
            .unwrap_or(0)
    };
    let mut rows = Vec::new();
    for r in &schema.rows {
        let cells: Vec<(Id, i64)> = match (r.id, r.kind) {
            (_, RowKind::Heading) => continue,
            (_, RowKind::Group) if !group_numbers => continue,
            (group, RowKind::Group) => APPLICANTS
                .iter()
                .enumerate()
                .map(|(i, &c)| (c, schema.sub_rows(group).map(|s| result_value(s.id, i)).sum()))
                .collect(),
            ("new", _) => columns.iter().map(|c| (c.0, c.1)).collect(),
            ("carried_over", _) => columns.iter().map(|c| (c.0, c.2)).collect(),
            ("carried_forward", _) => columns.iter().map(|c| (c.0, c.4)).collect(),
            ("total", _) => columns.iter().map(|c| (c.0, c.3.iter().sum())).collect(),
            (id, _) => APPLICANTS
                .iter()
                .enumerate()
                .map(|(i, &c)| (c, result_value(id, i)))
                .collect(),
        };
        rows.push(row(r.id, with_total(cells)));
    }
    TableValues { id: "requests", rows }
}

/// The review groups, each with its columns in template order (four parts, then 总计).
pub(crate) const REVIEW_GROUPS: [&str; 3] = ["reconsideration", "litigation_direct", "litigation_after"];

fn review(rng: &mut impl Rng, format: Format) -> TableValues {
    let mut cells = Vec::new();
    let busy = rng.random_bool(0.25);
    let Some(schema) = template(format).table("review") else {
        return TableValues {
            id: "review",
            rows: Vec::new(),
        };
    };
    for group in REVIEW_GROUPS {
        let max = if group == "reconsideration" { 8 } else { 4 };
        let mut total = 0;
        for column in schema.group_columns(group) {
            if column.id.ends_with(".total") {
                cells.push((column.id, Value::Count(total)));
                continue;
            }
            let v = if busy && rng.random_bool(0.5) {
                rng.random_range(0..=max)
            } else {
                0
            };
            total += v;
            cells.push((column.id, Value::Count(v)));
        }
    }
    TableValues {
        id: "review",
        rows: vec![row("cases", cells)],
    }
}

fn amount(rng: &mut impl Rng, max_wan: i64) -> Value {
    if rng.random_bool(0.6) {
        Value::Amount { cents: 0 }
    } else {
        Value::Amount {
            cents: log_uniform(rng, max_wan * 100),
        }
    }
}

fn disclosure(rng: &mut impl Rng, format: Format, kind: BodyKind) -> TableValues {
    // Only a 设区的市 government issues 规章 (rule 11: a township issues none).
    let makes_regulations = kind == BodyKind::CityGovernment;
    let scale = match kind {
        BodyKind::CityGovernment => 20000,
        BodyKind::CountyGovernment => 5000,
        BodyKind::Department => 800,
        BodyKind::Township => 60,
    };
    let c = Value::Count;
    let small = |rng: &mut dyn rand::RngCore, max: i64| -> i64 {
        if rng.random_bool(0.5) {
            0
        } else {
            rng.random_range(0..=max)
        }
    };
    let rows = match format {
        Format::V2021 => {
            let docs = |rng: &mut dyn rand::RngCore, issue: bool, stock: i64| {
                if !issue {
                    return vec![("issued", c(0)), ("repealed", c(0)), ("in_force", c(0))];
                }
                let issued = small(rng, 12);
                let repealed = small(rng, 6);
                let in_force = issued + rng.random_range(0..=stock);
                vec![
                    ("issued", c(issued)),
                    ("repealed", c(repealed)),
                    ("in_force", c(in_force)),
                ]
            };
            let decisions = |rng: &mut dyn rand::RngCore, max: i64| vec![("decisions", c(small(rng, max)))];
            let township_issues = rng.random_bool(0.2);
            vec![
                row("regulations", docs(rng, makes_regulations, 60)),
                row(
                    "normative_docs",
                    docs(rng, kind != BodyKind::Township || township_issues, 150),
                ),
                row("licensing", decisions(rng, scale)),
                row("penalty", decisions(rng, scale / 2)),
                row("enforcement", decisions(rng, scale / 20)),
                row("fees", vec![("amount", amount(rng, scale / 2))]),
            ]
        }
        Format::V2019 => {
            let docs = |rng: &mut dyn rand::RngCore, issue: bool, stock: i64| {
                if !issue {
                    return vec![
                        ("new_made", c(0)),
                        ("new_published", c(0)),
                        ("total_published", c(0)),
                    ];
                }
                let made = small(rng, 12);
                let published = rng.random_range(0..=made);
                let total = published + rng.random_range(0..=stock);
                vec![
                    ("new_made", c(made)),
                    ("new_published", c(published)),
                    ("total_published", c(total)),
                ]
            };
            let items = |rng: &mut dyn rand::RngCore, decisions: bool, max: i64| {
                let prev = small(rng, 300);
                let change = rng.random_range(-(prev.min(5))..=5);
                let mut cells = vec![("prev_items", c(prev)), ("change", c(change))];
                if decisions {
                    cells.push(("decisions", c(small(rng, max))));
                }
                cells
            };
            let procurement_items = small(rng, 80);
            let procurement_amount = if procurement_items == 0 {
                Value::Amount { cents: 0 }
            } else {
                Value::Amount {
                    cents: log_uniform(rng, scale * 100),
                }
            };
            vec![
                row("regulations", docs(rng, makes_regulations, 60)),
                row("normative_docs", docs(rng, kind != BodyKind::Township, 150)),
                row("licensing", items(rng, true, scale)),
                row("other_services", items(rng, true, scale / 4)),
                row("penalty", items(rng, true, scale / 2)),
                row("enforcement", items(rng, true, scale / 20)),
                row("fees", items(rng, false, 0)),
                row(
                    "procurement",
                    vec![("items", c(procurement_items)), ("amount", procurement_amount)],
                ),
            ]
        }
    };
    TableValues {
        id: "disclosure",
        rows,
    }
}

/// A clean report model: every consistency rule holds.
pub fn report_model(rng: &mut impl Rng, format: Format, year: i32, body: Body) -> ReportModel {
    // The 2021 format gives group rows no numbers (printing them is a finding,
    // rule 7); reports in the 2019 format often do.
    let group_numbers = format == Format::V2019 && rng.random_bool(0.5);
    let disclosure = disclosure(rng, format, body.kind);
    let requests = requests(rng, format, body.kind, group_numbers);
    let review = review(rng, format);
    let narrative_received = requests.get("new", "total").map_or(0, |v| v.cents() / 100);
    // Some reports say they received none rather than print a 0 (zhenhai's does).
    let narrative_says_none = narrative_received == 0 && rng.random_bool(0.25);
    ReportModel {
        format,
        year,
        body,
        disclosure,
        requests,
        review,
        group_numbers,
        narrative_received,
        narrative_says_none,
        deleted_row: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn allocate_hands_out_exactly_n() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for n in [0, 1, 5, 17, 1000, 12345] {
            let parts = allocate(&mut rng, n, &[3.0, 0.0, 1.0, 0.5]);
            assert_eq!(parts.iter().sum::<i64>(), n);
            assert_eq!(parts.get(1), Some(&0), "a zero weight gets nothing");
        }
    }
}
