//! `nianbao check --format sarif` on every fixture (and an unreadable input)
//! validates against the official SARIF 2.1.0 schema, and every finding of
//! the JSON output is a SARIF result at the same place.

mod check_support;

use check_support::*;
use serde_json::Value;

/// `nianbao check ARGS --format sarif`: its exit code and its log, which
/// must be JSON valid against the SARIF 2.1.0 schema.
fn check_sarif(args: &[&str]) -> (i32, Value) {
    let o = nianbao(&[&["check"], args, &["--format", "sarif"]].concat(), None);
    let sarif: Value = serde_json::from_str(&stdout(&o)).expect("SARIF is JSON");
    assert_valid_sarif(&sarif);
    (code(&o), sarif)
}

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
    let (exit, sarif) = check_sarif(&["--isolated", bad.to_str().expect("path")]);
    assert_eq!(exit, 1);
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["level"] == "error"), "{sarif:#}");
}

/// SARIF's rule table is the registry: every rule says why it matters
/// (`fullDescription`) and what to do (`help`, with its reference), and links
/// to its entry in the published docs when `docs-url` says where they are.
#[test]
fn sarif_rules_carry_why_help_and_a_link_to_the_docs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("nianbao.toml");
    std::fs::write(
        &config,
        "docs-url = \"https://example.org/nianbao/docs/rules.md\"\n",
    )
    .expect("write");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, inconsistent_jiaxing()).expect("write");
    let (bad, config) = (bad.to_str().expect("path"), config.to_str().expect("path"));
    let (exit, sarif) = check_sarif(&["--config", config, bad]);
    assert_eq!(exit, 1);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(rules.len() > 50, "{} rules", rules.len());
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        assert!(
            rule["fullDescription"]["text"]
                .as_str()
                .is_some_and(|t| t.chars().count() >= 20),
            "{rule}"
        );
        assert!(rule["help"]["text"].as_str().is_some(), "{rule}");
        assert_eq!(
            rule["helpUri"],
            format!("https://example.org/nianbao/docs/rules.md#{id}"),
            "{rule}"
        );
    }
    let row_total = rules
        .iter()
        .find(|r| r["id"] == "requests.row-total")
        .expect("requests.row-total");
    assert_eq!(
        row_total["help"]["text"],
        "总计列应等于自然人与法人或其他组织各列之和\n依据：模板规则 2"
    );
    // Without a docs URL there is no link, and the rest is the same.
    let (_, sarif) = check_sarif(&["--isolated", bad]);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(rules
        .iter()
        .all(|r| r.get("helpUri").is_none() && r.get("fullDescription").is_some()));
    // A docs URL that is not absolute is a configuration error at its place.
    std::fs::write(config, "docs-url = \"docs/rules.md\"\n").expect("write");
    let o = nianbao(&["check", "--config", config, bad], None);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not an absolute URL"), "{}", stderr(&o));
}
