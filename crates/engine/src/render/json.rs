//! nianbao's JSON document (schema in docs/output.md):
//! `{"reports":[{"path", "findings":[{"rule", "severity", "message", "help",
//! "labels":[{"offset", "length", "line", "column", "label"}]}], "reading":
//! {"status", "limits", "notes", "unchecked"}}], "summary"}`; an unreadable
//! input has an `"error"` object and no findings.

use super::{
    append_indented_json, write_indented_json, InputFailure, Locator, Outcome, Renderer, ReportResult,
    Summary, TableRow,
};
use crate::finding::{Finding, ReadingStatus, Severity, Unchecked};
use crate::review::Review;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct JsonReport<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a InputFailure>,
    findings: Vec<JsonFinding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reading: Option<JsonReading<'a>>,
}

/// How far the report was read: never findings about it.
#[derive(Serialize)]
struct JsonReading<'a> {
    status: ReadingStatus,
    limits: Vec<JsonFinding<'a>>,
    notes: Vec<JsonFinding<'a>>,
    unchecked: &'a [Unchecked],
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    /// The same across re-runs, exports and encodings of the report.
    #[serde(skip_serializing_if = "str::is_empty")]
    fingerprint: &'a str,
    /// A reviewer's decision, when a review file was applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<&'a Review>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    offset: usize,
    length: usize,
    line: usize,
    column: usize,
    /// For a paged source (a PDF): the page, which is how its readers find a place.
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<usize>,
    /// For a web page or a Word file: the row of the document's own table
    /// the place is in (`{"table": 2, "row": 5}`, numbered from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    table_row: Option<TableRow>,
    label: &'a str,
}

fn json_finding<'a>(finding: &'a Finding, locator: &Locator) -> JsonFinding<'a> {
    JsonFinding {
        rule: &finding.rule,
        severity: finding.severity,
        message: &finding.message,
        help: finding.help.as_deref(),
        labels: finding
            .labels
            .iter()
            .map(|l| {
                let (loc, _) = locator.locate_start(l.span);
                JsonLabel {
                    offset: loc.offset,
                    length: loc.length,
                    line: loc.line,
                    column: loc.column,
                    page: loc.page,
                    table_row: loc.table_row,
                    label: &l.text,
                }
            })
            .collect(),
        fingerprint: &finding.fingerprint,
        review: finding.review.as_ref(),
    }
}

/// Streams the JSON document, pretty-printed.
#[derive(Default)]
pub struct JsonRenderer {
    written: usize,
    /// One report's output, written at once, and its pretty JSON before
    /// indenting (both reused: no allocation per report).
    buffer: Vec<u8>,
    pretty: Vec<u8>,
}

impl JsonRenderer {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Renderer for JsonRenderer {
    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"{\n  \"reports\": [")
    }

    fn report<'a>(&mut self, out: &mut dyn Write, result: &'a ReportResult) -> io::Result<()> {
        let report = match &result.outcome {
            Outcome::Checked(c) => {
                let locator = Locator::of(c);
                let all = |fs: &'a [Finding]| fs.iter().map(|f| json_finding(f, &locator)).collect();
                JsonReport {
                    path: &result.path,
                    error: None,
                    findings: all(&c.findings),
                    reading: Some(JsonReading {
                        status: c.reading.status,
                        limits: all(&c.reading.limits),
                        notes: all(&c.reading.notes),
                        unchecked: &c.reading.unchecked,
                    }),
                }
            }
            Outcome::Failed(e) => JsonReport {
                path: &result.path,
                error: Some(e),
                findings: Vec::new(),
                reading: None,
            },
        };
        self.buffer.clear();
        self.buffer
            .extend_from_slice(if self.written == 0 { b"\n    " } else { b",\n    " });
        self.written += 1;
        append_indented_json(&mut self.buffer, &mut self.pretty, &report, 4)?;
        out.write_all(&self.buffer)
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        out.write_all(if self.written == 0 { b"],\n" } else { b"\n  ],\n" })?;
        out.write_all(b"  \"summary\": ")?;
        write_indented_json(out, summary, 2)?;
        out.write_all(b"\n}\n")
    }
}
