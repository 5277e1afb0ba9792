//! SARIF 2.1.0 (OASIS), as code-scanning tools read it: one run whose tool
//! driver lists the rules, one result per finding with the primary label as
//! its location and the other labels as related locations. Columns are
//! counted in Unicode code points (`run.columnKind`), like nianbao's own
//! columns; regions also carry byte offsets into the file. Unreadable inputs
//! are tool execution notifications and make the invocation unsuccessful.
//!
//! What could not be read is not a finding: such results have `kind`
//! `"open"` (SARIF: the tool could not tell whether there is a problem) and
//! `level` `"none"`, notes on how cells were read `kind` `"informational"`,
//! and each result carries the report's reading status in its properties
//! (`readingStatus`), with the rules not checked (`uncheckedRules`) on the
//! report's first result (a report with rules not checked has results).
//!
//! `results` is written before `tool` (key order does not matter in JSON) so
//! that results stream and the rule table can include rule ids first seen in
//! findings (the engine's own ids for extraction problems).

use super::{write_indented_json, InputFailure, Locator, Outcome, Renderer, ReportResult, RuleInfo, Summary};
use crate::finding::{Finding, FindingLabel, Reading, ReadingStatus, Severity};
use crate::review::Decision;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{self, Write};

/// The `$schema` of the documents written.
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// SARIF's `level` for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The artifact URI of an input path: relative paths stay relative (with `/`
/// separators), absolute ones become `file://` URIs; anything outside the
/// URI's unreserved characters is percent-encoded.
pub fn artifact_uri(path: &str) -> String {
    if path == super::STDIN_NAME {
        return "stdin".to_string();
    }
    let path = path.replace('\\', "/");
    let mut uri = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        uri.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

/// Streams one SARIF log.
pub struct SarifRenderer {
    rules: Vec<RuleInfo>,
    index: HashMap<String, usize>,
    written: usize,
    failures: Vec<(String, InputFailure)>,
}

impl SarifRenderer {
    /// `rules`: the rules in force, with their configured severities.
    pub fn new(rules: Vec<RuleInfo>) -> Self {
        let index = rules.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
        SarifRenderer {
            rules,
            index,
            written: 0,
            failures: Vec::new(),
        }
    }

    fn rule_index(&mut self, finding: &Finding) -> usize {
        if let Some(&i) = self.index.get(&finding.rule) {
            return i;
        }
        let i = self.rules.len();
        self.rules.push(RuleInfo::bare(&finding.rule, finding.severity));
        self.index.insert(finding.rule.clone(), i);
        i
    }

    fn write_result(&mut self, out: &mut dyn Write, value: &Value) -> io::Result<()> {
        out.write_all(if self.written == 0 {
            b"\n        "
        } else {
            b",\n        "
        })?;
        self.written += 1;
        write_indented_json(out, value, 8)
    }

    /// The results of one report read: its findings, then what could not
    /// be read and the notes on the reading, each marked as such.
    fn report_results(
        &mut self,
        out: &mut dyn Write,
        uri: &str,
        locator: &Locator,
        reading: &Reading,
        findings: &[Finding],
    ) -> io::Result<()> {
        let status = serde_json::to_value(reading.status).unwrap_or(Value::Null);
        let entries = findings
            .iter()
            .map(|f| (f, None))
            .chain(reading.limits.iter().map(|f| (f, Some("open"))))
            .chain(reading.notes.iter().map(|f| (f, Some("informational"))));
        let mut first = true;
        for (finding, kind) in entries {
            let mut value = self.result(uri, locator, finding);
            if let Some(kind) = kind {
                value["kind"] = json!(kind);
                value["level"] = json!("none");
            }
            if reading.status != ReadingStatus::Complete || !reading.unchecked.is_empty() {
                let properties = &mut value["properties"];
                if !properties.is_object() {
                    *properties = json!({});
                }
                properties["readingStatus"] = status.clone();
                if first && !reading.unchecked.is_empty() {
                    properties["uncheckedRules"] = json!(reading.unchecked);
                }
            }
            first = false;
            self.write_result(out, &value)?;
        }
        Ok(())
    }

    fn result(&mut self, uri: &str, locator: &Locator, finding: &Finding) -> Value {
        let rule_index = self.rule_index(finding);
        let mut labels = finding.labels.iter();
        let primary = labels.next();
        let location = |label: Option<&FindingLabel>| {
            let mut physical = json!({ "artifactLocation": { "uri": uri } });
            let mut location = json!({});
            if let Some(label) = label {
                let loc = locator.locate(label.span);
                physical["region"] = json!({
                    "startLine": loc.line,
                    "startColumn": loc.column,
                    "endLine": loc.end_line,
                    "endColumn": loc.end_column,
                    "byteOffset": loc.offset,
                    "byteLength": loc.length,
                });
                // SARIF regions have no page or table row; a property bag
                // carries them.
                if let Some(page) = loc.page {
                    physical["region"]["properties"] = json!({ "page": page });
                } else if let Some(row) = loc.table_row {
                    physical["region"]["properties"] = json!({ "table": row.table, "row": row.row });
                }
                if !label.text.is_empty() {
                    location["message"] = json!({ "text": label.text });
                }
            }
            location["physicalLocation"] = physical;
            location
        };
        let mut result = json!({
            "ruleId": finding.rule,
            "ruleIndex": rule_index,
            "level": level(finding.severity),
            "message": { "text": finding.message },
            "locations": [location(primary)],
        });
        if !finding.fingerprint.is_empty() {
            result["partialFingerprints"] = json!({ "nianbao/v1": finding.fingerprint });
        }
        // A dismissed finding is SARIF's suppression (accepted, with the
        // reason); a confirmed one stays a result, marked in its properties.
        if let Some(review) = &finding.review {
            if review.decision == Decision::Dismissed {
                let mut suppression = json!({ "kind": "external", "status": "accepted" });
                if !review.reason.is_empty() {
                    suppression["justification"] = json!(review.reason);
                }
                result["suppressions"] = json!([suppression]);
            }
        }
        let related: Vec<Value> = labels
            .enumerate()
            .map(|(i, label)| {
                let mut l = location(Some(label));
                l["id"] = json!(i + 1);
                l
            })
            .collect();
        if !related.is_empty() {
            result["relatedLocations"] = Value::Array(related);
        }
        let mut properties = serde_json::Map::new();
        if let Some(help) = &finding.help {
            properties.insert("help".into(), json!(help));
        }
        if let Some(reference) = &finding.reference {
            properties.insert("reference".into(), json!(reference));
        }
        if let Some(review) = &finding.review {
            properties.insert("review".into(), json!(review));
        }
        if !properties.is_empty() {
            result["properties"] = Value::Object(properties);
        }
        result
    }
}

impl Renderer for SarifRenderer {
    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        write!(
            out,
            "{{\n  \"$schema\": \"{SARIF_SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \
             \"columnKind\": \"unicodeCodePoints\",\n      \"results\": ["
        )
    }

    fn report(&mut self, out: &mut dyn Write, result: &ReportResult) -> io::Result<()> {
        let uri = artifact_uri(&result.path);
        match &result.outcome {
            Outcome::Failed(e) => self.failures.push((uri, e.clone())),
            Outcome::Checked(c) => {
                let locator = Locator::of(c);
                self.report_results(out, &uri, &locator, &c.reading, &c.findings)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        out.write_all(if self.written == 0 {
            b"],\n"
        } else {
            b"\n      ],\n"
        })?;
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|r| {
                let mut rule = json!({
                    "id": r.id,
                    "shortDescription": { "text": r.title },
                    "defaultConfiguration": { "level": level(r.severity) },
                });
                if let Some(why) = &r.why {
                    rule["fullDescription"] = json!({ "text": why });
                }
                // `help` is the documentation where none is online: what to
                // do, then where the rule comes from.
                let help: Vec<String> = [
                    r.help.clone(),
                    r.reference.as_ref().map(|re| format!("依据：{re}")),
                ]
                .into_iter()
                .flatten()
                .collect();
                if !help.is_empty() {
                    rule["help"] = json!({ "text": help.join("\n") });
                }
                if let Some(uri) = &r.help_uri {
                    rule["helpUri"] = json!(uri);
                }
                rule
            })
            .collect();
        let tool = json!({
            "driver": {
                "name": "nianbao",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }
        });
        out.write_all(b"      \"tool\": ")?;
        write_indented_json(out, &tool, 6)?;
        let notifications: Vec<Value> = self
            .failures
            .iter()
            .map(|(uri, e)| {
                let text = match &e.help {
                    Some(help) => format!("{} ({help})", e.message),
                    None => e.message.clone(),
                };
                json!({
                    "level": "error",
                    "message": { "text": text },
                    "descriptor": { "id": e.code },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri } } }],
                })
            })
            .collect();
        let invocation = json!([{
            "executionSuccessful": notifications.is_empty(),
            "toolExecutionNotifications": notifications,
        }]);
        out.write_all(b",\n      \"invocations\": ")?;
        write_indented_json(out, &invocation, 6)?;
        out.write_all(b"\n    }\n  ]\n}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(artifact_uri("tests/fixtures/a b.txt"), "tests/fixtures/a%20b.txt");
        assert_eq!(
            artifact_uri("/tmp/年报.txt"),
            "file:///tmp/%E5%B9%B4%E6%8A%A5.txt"
        );
        assert_eq!(artifact_uri(crate::render::STDIN_NAME), "stdin");
    }
}
