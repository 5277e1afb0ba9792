//! What `nianbao check` prints for every fixture, in human form (no colour,
//! width 100) and as JSON, with the exit code. Read the snapshots: each is
//! what a person or a program gets for a real report.

mod check_support;

use check_support::*;

fn run(path: &str, format: &str) -> String {
    let o = nianbao(&["check", "--isolated", "--format", format, path], None);
    let err = stderr(&o);
    assert!(err.is_empty(), "check wrote to stderr:\n{err}");
    format!("exit code: {}\n\n{}", code(&o), stdout(&o))
}

#[test]
fn every_fixture_human_and_json() {
    for fixture in report_fixtures() {
        let name = stem(&fixture);
        let path = format!("tests/fixtures/{name}.txt");
        insta::assert_snapshot!(format!("{name}.human"), run(&path, "human"));
        let json = run(&path, "json");
        let doc: serde_json::Value = serde_json::from_str(json.split_once("\n\n").map_or("", |(_, d)| d))
            .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        assert_eq!(doc["reports"][0]["path"], path.as_str());
        insta::assert_snapshot!(format!("{name}.json"), json);
    }
}
