//! Read one file and print how long it took and what was found:
//! `cargo run --release -p nianbao-reader --example read_file FILE`.
//! With `--rendered`, prints the text a web page, Word file or PDF renders to
//! (what the text reader reads) instead.
fn main() {
    let rendered = std::env::args().any(|a| a == "--rendered");
    for path in std::env::args().skip(1).filter(|a| a != "--rendered") {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let t = std::time::Instant::now();
        match nianbao_reader::read_bytes(&path, &bytes) {
            Ok(r) if rendered => match &r.source.rendered {
                Some(text) => print!("{}", text.text),
                None => println!("{path}: read as text; nothing rendered"),
            },
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
