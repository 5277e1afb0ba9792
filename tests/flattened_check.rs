//! Tables whose cells ran together (issue 9), end to end through `check`:
//! inferred cells are announced per table, and a defect that the rows' own
//! arithmetic does not hide is still found.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn check_json(path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .expect("run nianbao");
    serde_json::from_slice(&out.stdout).expect("check prints JSON")
}

fn findings(doc: &Value) -> Vec<Value> {
    doc["reports"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The notes on how the report was read (inferred cells), apart from findings.
fn reading_notes(doc: &Value) -> Vec<Value> {
    doc["reports"][0]["reading"]["notes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn pingtan_announces_inferred_cells_per_table_and_the_assumed_rule() {
    let doc = check_json(&fixture("pingtan-2021-flattened.txt"));
    let notes: Vec<Value> = reading_notes(&doc)
        .into_iter()
        .filter(|f| f["rule"] == "extract.inferred-cells")
        .collect();
    assert!(
        !findings(&doc)
            .iter()
            .any(|f| f["rule"] == "extract.inferred-cells"),
        "notes on the reading are not findings"
    );
    let messages: Vec<&str> = notes.iter().filter_map(|f| f["message"].as_str()).collect();
    assert_eq!(notes.len(), 3, "one note per table: {messages:#?}");
    assert!(notes.iter().all(|f| f["severity"] == "info"));
    let requests = messages
        .iter()
        .find(|m| m.contains("收到和处理政府信息公开申请情况"))
        .expect("a note for the requests table");
    assert!(requests.contains("175 个单元格"), "{requests}");
    assert!(requests.contains("granted、unable.not_held"), "{requests}");
    assert!(requests.contains("规则 3"), "{requests}");
    let review = messages
        .iter()
        .find(|m| m.contains("行政复议、行政诉讼情况"))
        .expect("a note for the review table");
    assert!(review.contains("15 个单元格"), "{review}");
    assert!(
        !review.contains("假定"),
        "review rows are decided by their own totals: {review}"
    );

    // The inferred flag is in the extracted data too.
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["extract", "--format", "json"])
        .arg(fixture("pingtan-2021-flattened.txt"))
        .output()
        .expect("run nianbao");
    let report: Value = serde_json::from_slice(&out.stdout).expect("extract prints JSON");
    let granted = &report["tables"]["requests"]["rows"]["granted"]["cells"]["natural_person"];
    assert_eq!(granted["value"]["value"], 27);
    assert_eq!(
        granted["inferred"]["assumed_template_rules"],
        serde_json::json!([3])
    );
    let new_total = &report["tables"]["requests"]["rows"]["new"]["cells"]["total"];
    assert_eq!(new_total["value"]["value"], 70);
    assert!(new_total["inferred"].is_object());
    assert!(new_total["inferred"].get("assumed_template_rules").is_none());
}

#[test]
fn tsv_and_csv_flag_inferred_cells() {
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(["extract", "--format", format])
            .arg(fixture("pingtan-2021-flattened.txt"))
            .output()
            .expect("run nianbao");
        String::from_utf8(out.stdout).expect("UTF-8 output")
    };
    let tsv = run("tsv");
    let granted = tsv
        .lines()
        .find(|l| l.starts_with("requests\tgranted\tnatural_person\t27\t"))
        .expect("granted/natural_person is read as 27");
    assert!(granted.ends_with("\tinferred"), "{granted}");
    // Printed cells keep the five documented fields: pingtan prints 行政许可 2293 alone.
    let licensing = tsv
        .lines()
        .find(|l| l.starts_with("disclosure\tlicensing\tdecisions\t2293\t"))
        .expect("licensing is read");
    assert_eq!(licensing.split('\t').count(), 5, "{licensing}");
    let csv = run("csv");
    assert!(csv
        .lines()
        .next()
        .is_some_and(|h| h.ends_with(",inferred,reading")));
    assert!(csv
        .lines()
        .any(|l| l.contains(",requests,granted,natural_person,27,") && l.ends_with(",true,read")));
    assert!(csv
        .lines()
        .any(|l| l.contains(",disclosure,licensing,decisions,2293,") && l.ends_with(",false,read")));
    // The row whose digits would not split: a place not read, no value.
    let not_read: Vec<&str> = csv.lines().filter(|l| l.ends_with(",not_read")).collect();
    assert_eq!(not_read.len(), 1, "{not_read:?}");
    assert!(
        not_read[0].contains(",disclosure,normative_docs,,,10:"),
        "{}",
        not_read[0]
    );
}

/// Flatten the `requests` rows of a tab-separated report: the numbers of each
/// row are written with no separator, as crawlers do.
fn flatten_requests_rows(text: &str) -> String {
    let mut out = String::new();
    let mut in_requests = false;
    for line in text.split_inclusive('\n') {
        if line.contains("收到和处理政府信息公开申请情况") {
            in_requests = true;
        } else if line.contains("行政复议、行政诉讼情况") {
            in_requests = false;
        }
        let cells: Vec<&str> = line.trim_end().split('\t').collect();
        let numeric = cells.len() > 1 && cells[1..].iter().all(|c| c.parse::<u64>().is_ok());
        if in_requests && numeric {
            out.push_str(cells[0]);
            out.push_str(&cells[1..].concat());
            out.push('\n');
        } else {
            out.push_str(line);
        }
    }
    out
}

#[test]
fn a_defect_inside_a_flattened_table_is_still_found() {
    let original = std::fs::read_to_string(fixture("haiyan-jingxin-2023.txt")).expect("fixture");
    // Twelve requests granted (row consistent: 12 = 12) but not counted in
    // （七）总计: template rule 3 is broken, rules 1 and 2 are not.
    let broken = original.replacen(
        "(一) 予以公开\t0\t0\t0\t0\t0\t0\t0",
        "(一) 予以公开\t12\t0\t0\t0\t0\t0\t12",
        1,
    );
    assert_ne!(broken, original, "the fixture line to break was found");
    let flattened = flatten_requests_rows(&broken);
    assert!(
        flattened.contains("(一) 予以公开120000012\n"),
        "the row ran together"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("haiyan-flattened.txt");
    std::fs::write(&path, &flattened).expect("write");

    let doc = check_json(&path);
    let all = findings(&doc);
    let rule3: Vec<&Value> = all
        .iter()
        .filter(|f| f["rule"] == "requests.results-total" && f["severity"] == "error")
        .collect();
    assert!(!rule3.is_empty(), "rule 3 is reported: {all:#?}");
    let message = rule3[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("予以公开 12"), "{message}");
    // Every row was decided by its own total: nothing was assumed.
    let notes = reading_notes(&doc);
    let note = notes
        .iter()
        .find(|f| f["rule"] == "extract.inferred-cells")
        .expect("inferred cells are announced");
    assert!(
        !note["message"].as_str().unwrap_or_default().contains("假定"),
        "{note:#?}"
    );
    assert!(!all
        .iter()
        .any(|f| f["rule"].as_str().is_some_and(|r| r.ends_with("split"))));
}
