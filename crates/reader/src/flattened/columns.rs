//! Choosing among a row's candidate splits by the table's column rules — only
//! when the row's own arithmetic left several, and only when the rules leave
//! exactly one. Whatever rule decided a row is reported as *assumed*: it was
//! used to read those cells, so it can no longer find a defect in them.

use super::{Outcome, RowSplit, Split};
use nianbao_model::{Decimal, Inference, TableSchema};
use std::collections::HashMap;

/// Combinations of candidates tried per group of linked rows before giving up
/// (the rows then stay ambiguous).
const MAX_COMBINATIONS: usize = 100_000;

/// An equality between rows that holds in every column: Σ `lhs` = Σ `rhs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRule {
    /// Stable id: `requests.column-balance` (template rule 1), `requests.results-total`
    /// (rule 3), `requests.group-sum` (rule 4, one per group row).
    pub id: &'static str,
    /// The rule's number in the template's list of 勾稽关系 (docs/template.md).
    pub template_rule: u8,
    /// In words and ids, e.g. `requests, every column: new + carried_over =
    /// total + carried_forward`.
    pub description: String,
    pub lhs: Vec<&'static str>,
    pub rhs: Vec<&'static str>,
}

impl ColumnRule {
    fn rows(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.lhs.iter().chain(&self.rhs).copied()
    }
}

/// A column rule that was used to decide rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumedRule {
    pub rule: ColumnRule,
    /// The rows it decided (their cells now satisfy it by construction).
    pub rows: Vec<&'static str>,
}

/// The column rules of `table` that can be evaluated given which rows have
/// values (`present`). Only `requests` has rules across rows:
/// 1. new + carried_over = total + carried_forward;
/// 3. total = granted + partial + each result group (its sub-rows where any
///    sub-row is present, else the group row itself — the 2019 format's
///    single `other` row);
/// 4. a group row with numbers = Σ its sub-rows.
pub fn column_rules(table: &TableSchema, present: impl Fn(&str) -> bool) -> Vec<ColumnRule> {
    if table.id != "requests" {
        return Vec::new();
    }
    let mut rules = Vec::new();
    let all_present = |rows: &[&'static str]| rows.iter().all(|r| table.row(r).is_some() && present(r));
    let balance = (vec!["new", "carried_over"], vec!["total", "carried_forward"]);
    if all_present(&balance.0) && all_present(&balance.1) {
        rules.push(ColumnRule {
            id: "requests.column-balance",
            template_rule: 1,
            description: "requests, every column: new + carried_over = total + carried_forward".into(),
            lhs: balance.0,
            rhs: balance.1,
        });
    }
    let mut rhs = Vec::new();
    let mut words = Vec::new();
    let mut complete = true;
    for result in ["granted", "partial", "denied", "unable", "not_processed", "other"] {
        let subs: Vec<&'static str> = table.sub_rows(result).map(|r| r.id).collect();
        if subs.iter().any(|s| present(s)) {
            complete &= all_present(&subs);
            rhs.extend(subs);
            words.push(format!("Σ {result}.*"));
        } else if let Some(row) = table.row(result).filter(|_| present(result)) {
            rhs.push(row.id);
            words.push(result.to_string());
        } else {
            complete = false;
        }
    }
    if complete && all_present(&["total"]) {
        rules.push(ColumnRule {
            id: "requests.results-total",
            template_rule: 3,
            description: format!("requests, every column: total = {}", words.join(" + ")),
            lhs: vec!["total"],
            rhs,
        });
    }
    for group in table.rows.iter().filter(|r| present(r.id)) {
        let subs: Vec<&'static str> = table.sub_rows(group.id).map(|r| r.id).collect();
        if !subs.is_empty() && all_present(&subs) {
            rules.push(ColumnRule {
                id: "requests.group-sum",
                template_rule: 4,
                description: format!("requests, every column: {} = Σ {}.*", group.id, group.id),
                lhs: vec![group.id],
                rhs: subs,
            });
        }
    }
    rules
}

/// One row's possible values, one list per candidate, in table column order.
type Candidates = Vec<Vec<Option<Decimal>>>;

/// Decide rows of `table` that their own arithmetic left [`Outcome::Ambiguous`]
/// by the table's column rules ([`column_rules`]).
///
/// `splits` are the table's split rows (others are ignored); `printed` gives
/// the value of a cell read normally (`(row id, column id)`), `None` when
/// there is none. A row is decided only when every combination of candidates
/// that satisfies all the rules linking the ambiguous rows picks the same
/// candidate for it (in particular when exactly one combination does). Rows
/// whose candidates were not all listed, rows that could not be split, and
/// rules touching such rows take no part. Decided rows become
/// [`Outcome::Unique`] with an [`Inference`] naming the rules; the rules used
/// are returned.
pub fn resolve_with_columns(
    table: &TableSchema,
    splits: &mut [RowSplit],
    printed: impl Fn(&str, &str) -> Option<Decimal>,
) -> Vec<AssumedRule> {
    let columns: Vec<&'static str> = table.columns.iter().map(|c| c.id).collect();
    let mut known: HashMap<&'static str, Candidates> = HashMap::new();
    for row in table.value_rows() {
        let split = splits.iter().find(|s| s.table == table.id && s.row == row.id);
        let candidates = match split {
            Some(split) => match &split.outcome {
                Outcome::Unique { split, .. } => Some(vec![values_of(split, &columns)]),
                Outcome::Ambiguous { candidates, count } if candidates.len() == *count => {
                    Some(candidates.iter().map(|c| values_of(c, &columns)).collect())
                }
                _ => None,
            },
            None => {
                let values: Vec<Option<Decimal>> = columns.iter().map(|c| printed(row.id, c)).collect();
                values.iter().any(Option::is_some).then(|| vec![values])
            }
        };
        if let Some(c) = candidates {
            known.insert(row.id, c);
        }
    }
    let ambiguous: Vec<&'static str> = table
        .value_rows()
        .map(|r| r.id)
        .filter(|r| known.get(r).is_some_and(|c| c.len() > 1))
        .collect();
    if ambiguous.is_empty() {
        return Vec::new();
    }
    let rules: Vec<ColumnRule> = column_rules(table, |r| known.contains_key(r))
        .into_iter()
        .filter(|rule| rule.rows().any(|r| ambiguous.contains(&r)))
        .collect();

    let mut assumed = Vec::new();
    for component in components(&ambiguous, &rules) {
        let comp_rules: Vec<&ColumnRule> = rules
            .iter()
            .filter(|rule| rule.rows().any(|r| component.contains(&r)))
            .collect();
        let Some(chosen) = choose(&component, &comp_rules, &known, columns.len()) else {
            continue;
        };
        let decided: Vec<(&'static str, usize)> = component
            .iter()
            .zip(chosen)
            .filter_map(|(row, pick)| pick.map(|p| (*row, p)))
            .collect();
        if decided.is_empty() {
            continue;
        }
        let words: Vec<String> = comp_rules
            .iter()
            .map(|r| format!("{} (template rule {}): {}", r.id, r.template_rule, r.description))
            .collect();
        for (row, pick) in &decided {
            if let Some(split) = splits.iter_mut().find(|s| s.table == table.id && s.row == *row) {
                let numbers: Vec<u32> = comp_rules.iter().map(|r| u32::from(r.template_rule)).collect();
                decide(split, *pick, &words.join("; "), numbers);
            }
        }
        for rule in comp_rules {
            let rows: Vec<&'static str> = decided
                .iter()
                .map(|(r, _)| *r)
                .filter(|r| rule.rows().any(|x| x == *r))
                .collect();
            if !rows.is_empty() {
                assumed.push(AssumedRule {
                    rule: rule.clone(),
                    rows,
                });
            }
        }
    }
    assumed
}

fn values_of(split: &Split, columns: &[&'static str]) -> Vec<Option<Decimal>> {
    columns
        .iter()
        .map(|c| {
            split
                .cells
                .iter()
                .find(|cell| cell.column == *c)
                .and_then(|cell| cell.value.number())
        })
        .collect()
}

/// Groups of ambiguous rows linked (directly or not) by a rule.
fn components(ambiguous: &[&'static str], rules: &[ColumnRule]) -> Vec<Vec<&'static str>> {
    let mut groups: Vec<Vec<&'static str>> = ambiguous.iter().map(|r| vec![*r]).collect();
    for rule in rules {
        let linked: Vec<usize> = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.iter().any(|r| rule.rows().any(|x| x == *r)))
            .map(|(i, _)| i)
            .collect();
        if let Some((&keep, rest)) = linked.split_first() {
            for &i in rest.iter().rev() {
                let moved = groups.remove(i);
                if let Some(g) = groups.get_mut(keep) {
                    g.extend(moved);
                }
            }
        }
    }
    groups
}

/// For each row of `component`: the candidate every satisfying combination
/// agrees on, if any. `None` when there are too many combinations or none
/// satisfies the rules.
fn choose(
    component: &[&'static str],
    rules: &[&ColumnRule],
    known: &HashMap<&'static str, Candidates>,
    width: usize,
) -> Option<Vec<Option<usize>>> {
    if rules.is_empty() {
        return None;
    }
    let sizes: Vec<usize> = component
        .iter()
        .map(|r| known.get(r).map_or(0, Vec::len))
        .collect();
    let product = sizes.iter().try_fold(1usize, |acc, s| acc.checked_mul(*s))?;
    if product == 0 || product > MAX_COMBINATIONS {
        return None;
    }
    let mut pick = vec![0usize; component.len()];
    let mut agreed: Option<Vec<Option<usize>>> = None;
    for _ in 0..product {
        let value = |row: &str, col: usize| -> Option<Decimal> {
            let cands = known.get(row)?;
            let index = component
                .iter()
                .position(|r| *r == row)
                .and_then(|i| pick.get(i))
                .copied()
                .unwrap_or(0);
            *cands.get(index)?.get(col)?
        };
        let holds = rules.iter().all(|rule| {
            (0..width).all(|col| {
                let side = |rows: &[&'static str]| -> Option<Decimal> {
                    rows.iter()
                        .try_fold(Decimal::ZERO, |acc, r| Some(acc + value(r, col)?))
                };
                match (side(&rule.lhs), side(&rule.rhs)) {
                    (Some(l), Some(r)) => l == r,
                    _ => true, // a blank or text cell: this column cannot be checked
                }
            })
        });
        if holds {
            agreed = Some(match agreed {
                None => pick.iter().map(|p| Some(*p)).collect(),
                Some(prev) => prev
                    .iter()
                    .zip(&pick)
                    .map(|(a, p)| a.filter(|a| a == p))
                    .collect(),
            });
        }
        // Next combination (odometer).
        for (slot, size) in pick.iter_mut().zip(&sizes) {
            *slot += 1;
            if *slot < *size {
                break;
            }
            *slot = 0;
        }
    }
    agreed
}

fn decide(split: &mut RowSplit, pick: usize, rules: &str, assumed_template_rules: Vec<u32>) {
    let Outcome::Ambiguous { candidates, count } = &split.outcome else {
        return;
    };
    let Some(chosen) = candidates.get(pick).cloned() else {
        return;
    };
    let own = split
        .constraint
        .clone()
        .unwrap_or_else(|| format!("{}.{}: no arithmetic within the row", split.table, split.row));
    split.outcome = Outcome::Unique {
        split: chosen,
        inference: Some(Inference {
            constraint: format!("{own}; of the {count} splits that satisfy it, the only one consistent with the column rules (assumed, so not checked): {rules}"),
            candidates: split.possible,
            assumed_template_rules,
        }),
    };
}
