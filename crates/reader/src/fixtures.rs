//! Test support: the text fixtures at the workspace root (tests/fixtures),
//! which the reader's unit tests read to compare fast paths with the code
//! or patterns they replace on real reports.

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");

/// One fixture's text, by file name.
pub(crate) fn text(name: &str) -> String {
    let path = format!("{DIR}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of every `.txt` fixture, in file-name order.
pub(crate) fn texts() -> Vec<String> {
    let entries = std::fs::read_dir(DIR).unwrap_or_else(|e| panic!("{DIR}: {e}"));
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".txt"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no .txt fixtures in {DIR}");
    names.iter().map(|name| text(name)).collect()
}
