//! Read every file of a directory once, for profiling the reader alone
//! (`valgrind --tool=callgrind target/release/examples/read_dir DIR`):
//! `cargo build --release -p nianbao-reader --example read_dir`.
// The CLI's allocator, so that profiles count what `nianbao` spends.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: read_dir DIR");
        std::process::exit(2);
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x != "jsonl"))
        .collect();
    paths.sort();
    let (mut reports, mut rows) = (0, 0);
    for path in &paths {
        let Ok(bytes) = std::fs::read(path) else { continue };
        if let Ok(r) = nianbao_reader::read_bytes(&path.to_string_lossy(), &bytes) {
            reports += 1;
            rows += r.tables.values().map(|t| t.rows.len()).sum::<usize>();
        }
    }
    println!("{reports} reports, {rows} rows");
}
