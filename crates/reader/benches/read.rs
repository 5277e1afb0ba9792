//! How long reading one report takes: each text fixture, decoded and read
//! into a `Report` (tokens, sections, labels, tables, metadata).
//! Run with `cargo bench -p nianbao-reader --bench read`.

fn main() {
    divan::main();
}

/// The text fixtures (tests/fixtures), one per layout the reader supports.
const FIXTURES: &[&str] = &[
    "haiyan-jingxin-2023.txt",
    "hongze-2023-pdfplumber.txt",
    "hongze-2023-pypdf.txt",
    "jiaxing-jingxin-2022.txt",
    "pinghu-jingxin-2021.txt",
    "pingtan-2021-flattened.txt",
    "sanmen-yanhai-2023.txt",
    "zhenhai-jingxin-2023.txt",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[divan::bench(args = FIXTURES)]
fn read_fixture(bencher: divan::Bencher, name: &str) {
    let bytes = fixture(name);
    bencher.bench(|| nianbao_reader::read_bytes(name, divan::black_box(&bytes)).map(|r| r.tables.len()));
}
