//! Time reading the fixtures (and random text) many times: `cargo run
//! --release -p nianbao-reader --example bench_read`.
fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut texts = Vec::new();
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        if e.path().extension().is_some_and(|x| x == "txt") {
            texts.push(std::fs::read_to_string(e.path()).unwrap_or_default());
        }
    }
    let rounds = 200;
    let t = std::time::Instant::now();
    let mut cells = 0;
    for _ in 0..rounds {
        for text in &texts {
            let r = nianbao_reader::read_text("bench", text);
            cells += r.tables.values().map(|t| t.rows.len()).sum::<usize>();
        }
    }
    let n = rounds * texts.len();
    println!(
        "{n} reports in {:?} ({:?} per report), {cells} rows",
        t.elapsed(),
        t.elapsed() / n as u32
    );
}
