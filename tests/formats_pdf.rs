//! PDFs with a text layer: the real hongze-2023.pdf (exported from Word,
//! Chinese fonts with ToUnicode CMaps) gives every cell of its truth file,
//! and its real defects; damaged and scanned PDFs are clear errors.

use nianbao_reader::{read_bytes, InputFormat};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn nianbao(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .output()
        .expect("run nianbao")
}

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn hongze_pdf_gives_every_cell_of_its_truth() {
    let pdf = fixture("hongze-2023.pdf");
    let out = nianbao(&["extract", pdf.to_str().expect("UTF-8 path"), "--format", "tsv"]);
    assert!(out.status.success(), "{}", said(&out));
    let got: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').take(4).collect::<Vec<_>>().join("\t"))
        .collect();
    let truth = std::fs::read_to_string(fixture("hongze-2023.truth.tsv")).expect("truth");
    let want: BTreeSet<String> = truth.lines().map(str::to_string).collect();
    assert_eq!(want.len(), 186);
    let missing: Vec<&String> = want.difference(&got).collect();
    let extra: Vec<&String> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
}

#[test]
fn hongze_pdf_keeps_its_real_defects() {
    let bytes = std::fs::read(fixture("hongze-2023.pdf")).expect("pdf");
    let report = read_bytes("hongze-2023.pdf", &bytes).expect("reads");
    let rules = nianbao_rules::compile(&nianbao_rules::builtin_sources()).expect("rules");
    let findings = nianbao_engine::eval::evaluate(&rules, &report, None).findings;
    // 行政复议 total 0 while its parts are 10 + 1; 复议后起诉 total 0, parts 5.
    let totals: Vec<&str> = findings
        .iter()
        .filter(|f| f.rule == "review.group-total")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(totals.len(), 2, "{totals:?}");
    assert!(
        totals.iter().any(|m| m.contains("行政复议") && m.contains("11")),
        "{totals:?}"
    );
    assert!(
        totals.iter().any(|m| m.contains("复议后起诉") && m.contains('5')),
        "{totals:?}"
    );
    // The same rule ids as the text other tools extracted from this PDF.
    let ids = |r: &nianbao_model::Report| -> BTreeSet<String> {
        nianbao_engine::eval::evaluate(&rules, r, None)
            .findings
            .into_iter()
            .map(|f| f.rule)
            .collect()
    };
    for export in ["hongze-2023-pdfplumber.txt", "hongze-2023-pypdf.txt"] {
        let text = std::fs::read(fixture(export)).expect("export");
        let exported = read_bytes(export, &text).expect("reads");
        assert_eq!(ids(&report), ids(&exported), "pdf vs {export}");
    }
    // Findings are shown against the text rendering of the PDF.
    for f in &findings {
        for l in &f.labels {
            assert!(
                l.span.slice(&report.source.text).is_some(),
                "{}: span outside",
                f.rule
            );
        }
    }
    let pdf = fixture("hongze-2023.pdf");
    let out = nianbao(&["check", pdf.to_str().expect("UTF-8 path")]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
}

/// A one-page PDF with correct cross references; `content` is the page's
/// content stream.
fn pdf_with_page(content: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (k, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", k + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn scanned_and_damaged_pdfs_are_clear_errors() {
    // Pages that only draw (a scan is an image): no text layer.
    let scanned = pdf_with_page("0 0 m 100 100 l S");
    let e = read_bytes("scan.pdf", &scanned).expect_err("no text").to_string();
    assert!(e.contains("scanned") && e.contains("no OCR"), "{e}");

    let bytes = std::fs::read(fixture("hongze-2023.pdf")).expect("pdf");
    for cut in [8, 1000, bytes.len() / 3] {
        let e = read_bytes("cut.pdf", &bytes[..cut])
            .expect_err("truncated")
            .to_string();
        assert!(e.contains("cut.pdf") && e.contains("pdf"), "{e}");
    }
    let e = nianbao_reader::read_bytes_as("x", b"%PDF-1.7 garbage", Some(InputFormat::Pdf))
        .expect_err("garbage")
        .to_string();
    assert!(e.contains("not a readable PDF"), "{e}");

    let dir = tempfile::tempdir().expect("tempdir");
    let cut = dir.path().join("cut.pdf");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).expect("write");
    let out = nianbao(&["check", cut.to_str().expect("UTF-8 path")]);
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert!(said(&out).contains("cannot read this pdf file"), "{}", said(&out));
}

/// Each page's start is kept, so places can be given as pages: the six
/// sections of hongze-2023.pdf are on the pages another extractor (pypdf)
/// finds their headings on.
#[test]
fn hongze_pdf_knows_the_page_of_each_section() {
    let bytes = std::fs::read(fixture("hongze-2023.pdf")).expect("fixture");
    let report = read_bytes("hongze-2023.pdf", &bytes).expect("reads");
    report.validate().expect("consistent");
    assert_eq!(report.source.pages.len(), 5);
    let pages: Vec<(String, Option<usize>)> = report
        .sections
        .iter()
        .map(|(id, s)| (id.to_string(), report.source.page_of(s.span.offset)))
        .collect();
    let want = [
        ("overview", 1),
        ("disclosure", 2),
        ("requests", 3),
        ("review", 4),
        ("problems", 4),
        ("other", 5),
    ]
    .map(|(id, page)| (id.to_string(), Some(page)));
    assert_eq!(pages, want);
    let total = report
        .cell("requests", "new", "total")
        .expect("requests.new.total");
    assert_eq!(report.source.page_of(total.span.offset), Some(3));
}

/// Output gives a PDF finding's page (pages are how a PDF's readers find a
/// place; lines of the text rendering mean nothing in a viewer): JSON labels
/// carry `page`, SARIF regions a `page` property, human output and the audit
/// page name it.
#[test]
fn pdf_findings_name_their_page() {
    let pdf = fixture("hongze-2023.pdf");
    let path = pdf.to_str().expect("UTF-8 path");
    let run = |format: &str| {
        let out = nianbao(&["check", "--isolated", "--format", format, path]);
        assert_eq!(out.status.code(), Some(1), "{}", said(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).expect("JSON");
    let findings = json["reports"][0]["findings"].as_array().expect("findings");
    // The 行政复议 total (0 for 10 + 1) is in the table on page 4.
    let review = findings
        .iter()
        .find(|f| {
            f["rule"] == "review.group-total" && f["message"].as_str().is_some_and(|m| m.contains("行政复议"))
        })
        .expect("review.group-total");
    let pages: Vec<u64> = review["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .map(|l| l["page"].as_u64().expect("every label has a page"))
        .collect();
    assert_eq!(pages, [4; 5]);
    // A mistyped row label of the requests table, on page 3.
    let typo = findings
        .iter()
        .find(|f| f["rule"] == "structure.row-label-approximate")
        .expect("row label typo");
    assert_eq!(typo["labels"][0]["page"], 3);

    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).expect("SARIF");
    let regions: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| &r["locations"][0]["physicalLocation"]["region"])
        .collect();
    assert!(!regions.is_empty());
    assert!(
        regions
            .iter()
            .all(|r| (1..=5).contains(&r["properties"]["page"].as_u64().unwrap_or(0))),
        "{regions:?}"
    );

    assert!(run("human").contains("（第 4 页）"));
    assert!(run("html").contains("<span class=\"where\">第 4 页，第 "));

    // Text has no pages: no `page` key.
    let text = fixture("hongze-2023-pypdf.txt");
    let out = nianbao(&[
        "check",
        "--isolated",
        "--format",
        "json",
        text.to_str().expect("path"),
    ]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\"page\""));
}
