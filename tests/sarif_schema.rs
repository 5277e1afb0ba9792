//! `nianbao check --format sarif` on every fixture (and an unreadable input)
//! validates against the official SARIF 2.1.0 schema, and every finding of
//! the JSON output is a SARIF result at the same place.

mod check_support;

use check_support::*;
use serde_json::Value;

#[test]
fn sarif_of_all_fixtures_validates_and_matches_json() {
    let base = ["check", "--isolated", "tests/fixtures", "no/such/report.txt"];
    let sarif = nianbao(&[&base[..], &["--format", "sarif"]].concat(), None);
    assert_eq!(code(&sarif), 2, "the missing file makes the run fail");
    let sarif: Value = serde_json::from_str(&stdout(&sarif)).expect("SARIF is JSON");
    assert_valid_sarif(&sarif);

    let json: Value = serde_json::from_str(&stdout(&nianbao(
        &[&base[..], &["--format", "json"]].concat(),
        None,
    )))
    .expect("JSON");
    let mut expected = Vec::new();
    for report in json["reports"].as_array().expect("reports") {
        // Findings, then what could not be read and the notes on the
        // reading (SARIF results of kind "open" and "informational").
        let reading = &report["reading"];
        let all = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .chain(reading["limits"].as_array().into_iter().flatten())
            .chain(reading["notes"].as_array().into_iter().flatten());
        for f in all {
            let primary = &f["labels"][0];
            expected.push((
                f["rule"].as_str().unwrap_or_default().to_string(),
                primary["offset"].as_u64(),
                primary["line"].as_u64(),
                primary["column"].as_u64(),
            ));
        }
    }
    let run = &sarif["runs"][0];
    let got: Vec<_> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                r["ruleId"].as_str().unwrap_or_default().to_string(),
                region["byteOffset"].as_u64(),
                region["startLine"].as_u64(),
                region["startColumn"].as_u64(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    // Reading limits are never results at a level that fails a scan.
    for r in run["results"].as_array().expect("results") {
        if r["ruleId"]
            .as_str()
            .is_some_and(|id| id == "extract.ambiguous-split" || id == "extract.inferred-cells")
        {
            assert_eq!(r["level"], "none", "{r}");
            assert!(r["kind"] == "open" || r["kind"] == "informational", "{r}");
            assert_eq!(r["properties"]["readingStatus"], "partial", "{r}");
        }
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(run["columnKind"], "unicodeCodePoints");
}

#[test]
fn sarif_of_an_inconsistent_report_validates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, inconsistent_jiaxing()).expect("write");
    let o = nianbao(
        &[
            "check",
            "--isolated",
            "--format",
            "sarif",
            bad.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(code(&o), 1);
    let sarif: Value = serde_json::from_str(&stdout(&o)).expect("SARIF is JSON");
    assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["level"] == "error"), "{sarif:#}");
}
