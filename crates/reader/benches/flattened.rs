//! How long splitting a run of digits takes (issue 9): real rows, a large
//! realistic row, and a pathological run that ends at the work cap.
//! Run with `cargo bench -p nianbao-reader --bench flattened`.

use nianbao_model::{template, Format};
use nianbao_reader::flattened::{split_row, RowSplit};

fn main() {
    divan::main();
}

/// Split `run` as row `row` of `table` (template ids: static data, not input).
fn split(table: &str, row: &str, run: &str) -> RowSplit {
    let t = template(Format::V2021).table(table).expect("a template table");
    split_row(t, t.row(row).expect("a template row"), run, 0)
}

/// `requests` rows: pingtan's 一、 (unique), pingtan's （一） (two splits
/// satisfy the total), a large office's row of five-digit counts, and 60
/// digits that no 7-column row can use sensibly (TooAmbiguous).
#[divan::bench(args = [
    "640020470",
    "270020130",
    "123456789102345613521",
    "728631121752523434485677008471008118313721575179220232268252",
])]
fn requests_row(run: &str) -> RowSplit {
    split("requests", "new", divan::black_box(run))
}

/// pingtan's `review` row: fifteen numbers, three group totals.
#[divan::bench]
fn review_row() -> RowSplit {
    split("review", "cases", divan::black_box("10203120001200000"))
}

/// A `disclosure` row (no totals): only counted and listed.
#[divan::bench]
fn disclosure_row() -> RowSplit {
    split("disclosure", "normative_docs", divan::black_box("693665"))
}
