//! Read one file and print how long it took and what was found:
//! `cargo run --release -p nianbao-reader --example read_file FILE`.
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let t = std::time::Instant::now();
        match nianbao_reader::read_bytes(&path, &bytes) {
            Ok(r) => {
                let cells: usize = r
                    .tables
                    .values()
                    .flat_map(|t| t.rows.values())
                    .map(|r| r.cells.len())
                    .sum();
                println!(
                    "{path}: {cells} cells, {} problems in {:?}",
                    r.problems.len(),
                    t.elapsed()
                );
            }
            Err(e) => println!("{path}: {e}"),
        }
    }
}
