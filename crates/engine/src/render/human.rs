//! Human output: each finding as a miette graphical report over the report
//! text, the cells underlined and labelled (the primary label gives the
//! `[file:line:column]` header), the rule id as the code, then one summary
//! line. What could not be read follows a report's findings, marked as such
//! (never with an error's severity), with a line saying how far the report
//! was read. Clean, fully read reports print nothing; unreadable inputs
//! print their error.

use super::{Checked, InputFailure, Locator, Outcome, Renderer, ReportResult, Summary};
use crate::finding::{Finding, Reading, ReadingStatus, Severity};
use crate::review::{DecisionRecord, Review};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use nianbao_model::{LineIndex, Span};
use std::fmt;
use std::io::{self, Write};

/// How human output looks.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    /// ANSI colours (on a terminal without NO_COLOR).
    pub colour: bool,
    /// Width text is wrapped to.
    pub width: usize,
    /// List the rules not checked on each report (`--show-unchecked`).
    pub show_unchecked: bool,
    /// List the findings a reviewer dismissed, apart from the others
    /// (`--problems-only` hides them).
    pub show_dismissed: bool,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            colour: false,
            width: 100,
            show_unchecked: false,
            show_dismissed: true,
        }
    }
}

pub struct HumanRenderer {
    handler: GraphicalReportHandler,
    show_unchecked: bool,
    show_dismissed: bool,
    /// The colour theme, when colour is on.
    colours: Option<GraphicalTheme>,
}

impl HumanRenderer {
    pub fn new(options: HumanOptions) -> Self {
        let theme = if options.colour {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        HumanRenderer {
            show_unchecked: options.show_unchecked,
            show_dismissed: options.show_dismissed,
            colours: options.colour.then(|| theme.clone()),
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(options.width)
                .with_links(false)
                .with_context_lines(1),
        }
    }

    /// In colour, the primary label takes the severity's colour and the
    /// operands one calmer colour. miette colours labels by their order in
    /// the text, so the styles are laid out in that order.
    fn handler_for(&self, finding: &Finding, locator: &Locator) -> GraphicalReportHandler {
        let Some(theme) = &self.colours else {
            return self.handler.clone();
        };
        if finding.labels.is_empty() {
            return self.handler.clone();
        }
        let mut theme = theme.clone();
        let primary = match finding.severity {
            Severity::Error => theme.styles.error,
            Severity::Warning => theme.styles.warning,
            Severity::Info => theme.styles.advice,
        };
        let operand = theme
            .styles
            .highlights
            .first()
            .copied()
            .unwrap_or(theme.styles.link);
        let mut order: Vec<(usize, bool)> = finding
            .labels
            .iter()
            .map(|l| (locator.clamp(l.span).offset, l.primary))
            .collect();
        order.sort_by_key(|(offset, _)| *offset);
        theme.styles.highlights = order
            .iter()
            .map(|(_, is_primary)| if *is_primary { primary.bold() } else { operand })
            .collect();
        self.handler.clone().with_theme(theme)
    }

    fn write_diagnostic(
        &self,
        out: &mut dyn Write,
        handler: &GraphicalReportHandler,
        diagnostic: &dyn Diagnostic,
    ) -> io::Result<()> {
        let mut text = String::new();
        handler
            .render_report(&mut text, diagnostic)
            .map_err(io::Error::other)?;
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")
    }
}

impl Renderer for HumanRenderer {
    fn start(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn report(&mut self, out: &mut dyn Write, result: &ReportResult) -> io::Result<()> {
        match &result.outcome {
            Outcome::Failed(failure) => self.write_diagnostic(
                out,
                &self.handler,
                &FailureDiagnostic {
                    path: &result.path,
                    failure,
                },
            ),
            Outcome::Checked(checked) => {
                let source = ReportSource::new(&result.path, checked);
                let reading = &checked.reading;
                let entries = checked
                    .findings
                    .iter()
                    .filter(|f| !f.is_dismissed())
                    .map(|f| (f, Kind::Finding))
                    .chain(reading.limits.iter().map(|f| (f, Kind::NotRead)))
                    .chain(reading.notes.iter().map(|f| (f, Kind::ReadingNote)));
                for (finding, kind) in entries {
                    self.write_diagnostic(
                        out,
                        &self.handler_for(finding, &source.locator),
                        &FindingDiagnostic {
                            finding,
                            kind,
                            source: &source,
                        },
                    )?;
                }
                if self.show_dismissed {
                    write_dismissed(out, &result.path, &checked.findings)?;
                }
                self.write_reading(out, &result.path, reading)
            }
        }
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        writeln!(out, "{}", summary.line())?;
        write_stale(out, &summary.stale_decisions)
    }
}

/// Who decided and when, e.g. "（张三，2026-12-07）", or nothing.
fn decided_by(review: &Review) -> String {
    let who: Vec<&str> = [review.reviewer.as_str(), review.date.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    match who.is_empty() {
        true => String::new(),
        false => format!("（{}）", who.join("，")),
    }
}

/// The findings a reviewer dismissed, one line each, apart from the rest:
/// the reviewer sees what was set aside and why, and nothing else of it.
fn write_dismissed(out: &mut dyn Write, path: &str, findings: &[Finding]) -> io::Result<()> {
    let dismissed: Vec<(&Finding, &Review)> = findings
        .iter()
        .filter_map(|f| Some((f, f.review.as_ref().filter(|_| f.is_dismissed())?)))
        .collect();
    if dismissed.is_empty() {
        return Ok(());
    }
    writeln!(out, "{path}：复核已排除 {} 个问题（不计入）：", dismissed.len())?;
    for (f, review) in dismissed {
        writeln!(
            out,
            "  {} [{}] {} —— 理由：{}{}",
            f.rule,
            f.fingerprint,
            f.message,
            if review.reason.is_empty() {
                "（未写）"
            } else {
                &review.reason
            },
            decided_by(review)
        )?;
    }
    Ok(())
}

/// Decisions whose finding no longer occurs: the report was most likely
/// corrected, and the decision can be dropped from the review file.
fn write_stale(out: &mut dyn Write, stale: &[DecisionRecord]) -> io::Result<()> {
    if stale.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{} 个复核决定已过时：报告中已没有这些问题（多半已更正；`nianbao review prune` 可删去）：",
        stale.len()
    )?;
    for d in stale {
        let year = d.year.map(|y| format!(" {y} 年")).unwrap_or_default();
        writeln!(
            out,
            "  {}：{}{} {} [{}] {}：{}{}",
            d.file,
            d.body,
            year,
            d.rule,
            d.fingerprint,
            d.decision.describe(),
            d.message,
            decided_by(&d.review())
        )?;
    }
    Ok(())
}

impl HumanRenderer {
    /// For a report not read whole: how far it was read, and how many rules
    /// that leaves unchecked (listed with `show_unchecked`).
    fn write_reading(&self, out: &mut dyn Write, path: &str, reading: &Reading) -> io::Result<()> {
        // Rules go unchecked only where something was not read: in a report
        // read whole, only what reads a place found nowhere (no publication
        // date), listed on request.
        if reading.status == ReadingStatus::Complete {
            if !self.show_unchecked || reading.unchecked.is_empty() {
                return Ok(());
            }
            writeln!(out, "{path}：{}；以下规则未检查：", reading.status.describe())?;
            return self.write_unchecked(out, reading);
        }
        let instances: usize = reading.unchecked.iter().map(|u| u.instances).sum();
        write!(
            out,
            "{path}：{}（{} 处未能读取）",
            reading.status.describe(),
            reading.limits.len()
        )?;
        if reading.unchecked.is_empty() {
            return writeln!(out);
        }
        write!(
            out,
            "；{} 条规则的 {instances} 处检查因此未做",
            reading.unchecked.len()
        )?;
        if !self.show_unchecked {
            return writeln!(out, "（--show-unchecked 列出）");
        }
        writeln!(out, "：")?;
        self.write_unchecked(out, reading)
    }

    fn write_unchecked(&self, out: &mut dyn Write, reading: &Reading) -> io::Result<()> {
        for u in &reading.unchecked {
            writeln!(
                out,
                "  {} ×{}：未能读取 {}",
                u.rule,
                u.instances,
                u.unread.join("、")
            )?;
        }
        Ok(())
    }
}

/// What an entry of a report's output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A finding about the report.
    Finding,
    /// Something nianbao could not read.
    NotRead,
    /// How some cells were read.
    ReadingNote,
}

/// Lines longer than this (in characters) are cut around the labels, so a
/// report exported as one long line still shows a readable excerpt.
const MAX_LINE_CHARS: usize = 120;
/// Blank lines passed over to reach a context line.
const MAX_BLANK_SKIPPED: usize = 3;
/// Characters kept on each side of the labels when a line is cut.
const KEEP_CHARS: usize = 40;

/// The report text as miette reads it: line and column computed by
/// [`LineIndex`] (miette's own counts bytes), long lines cut around the span.
struct ReportSource<'t> {
    name: &'t str,
    text: &'t str,
    index: LineIndex<'t>,
    locator: Locator<'t>,
}

impl<'t> ReportSource<'t> {
    fn new(name: &'t str, checked: &'t Checked) -> Self {
        ReportSource {
            name,
            text: &checked.text,
            index: LineIndex::new(&checked.text),
            locator: Locator::of(checked),
        }
    }

    // Byte searches: `i` may be inside a character ('\n' never is).
    fn line_start(&self, i: usize) -> usize {
        let bytes = &self.text.as_bytes()[..i];
        bytes.iter().rposition(|&b| b == b'\n').map_or(0, |n| n + 1)
    }

    fn line_end(&self, i: usize) -> usize {
        let bytes = &self.text.as_bytes()[i..];
        bytes
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.text.len(), |n| i + n)
    }

    /// Byte offset `n` characters before `i` (not before `floor`).
    fn chars_before(&self, i: usize, n: usize, floor: usize) -> usize {
        self.text[floor..i]
            .char_indices()
            .rev()
            .nth(n.saturating_sub(1))
            .map_or(floor, |(j, _)| floor + j)
    }

    /// Byte offset `n` characters after `i` (not after `ceiling`).
    fn chars_after(&self, i: usize, n: usize, ceiling: usize) -> usize {
        self.text[i..ceiling]
            .char_indices()
            .nth(n)
            .map_or(ceiling, |(j, _)| i + j)
    }
}

impl SourceCode for ReportSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let clamped = self.locator.clamp(Span::new(span.offset(), span.len()));
        if clamped.offset != span.offset() || clamped.len != span.len() {
            return Err(MietteError::OutOfBounds);
        }
        let (start, end) = (clamped.offset, clamped.end());
        let first_line = self.line_start(start);
        // The end of the line holding the span's last byte (or, for a span
        // that ends with a newline, of the next line): always at a '\n' or
        // the end of the text, never before `end`.
        let ends_line = end > start && self.text.as_bytes().get(end - 1) == Some(&b'\n');
        let last_line_end = self.line_end(if end > start && !ends_line { end - 1 } else { end });
        // Context lines do not count blank lines (up to a few), so a report
        // with one cell per line and blank lines between still shows the
        // neighbouring label or value.
        let blank = |from: usize, to: usize| self.text[from..to].trim().is_empty();
        let mut ctx_start = first_line;
        for _ in 0..before {
            for _ in 0..=MAX_BLANK_SKIPPED {
                if ctx_start == 0 {
                    break;
                }
                let end = ctx_start - 1;
                ctx_start = self.line_start(end);
                if !blank(ctx_start, end) {
                    break;
                }
            }
        }
        let mut ctx_end = last_line_end;
        for _ in 0..after {
            for _ in 0..=MAX_BLANK_SKIPPED {
                if ctx_end >= self.text.len() {
                    break;
                }
                let start = ctx_end + 1;
                ctx_end = self.line_end(start);
                if !blank(start, ctx_end) {
                    break;
                }
            }
        }
        // Cut a long first or last line around the span (counting no
        // further than needed: a report may be one line of megabytes).
        let limit = MAX_LINE_CHARS - KEEP_CHARS;
        if self.text[first_line..start].chars().rev().take(limit + 1).count() > limit {
            ctx_start = self.chars_before(start, KEEP_CHARS, first_line);
        }
        if self.text[end..last_line_end].chars().take(limit + 1).count() > limit {
            ctx_end = self.chars_after(end, KEEP_CHARS, last_line_end);
        }
        if ctx_end > end && self.text[..ctx_end].ends_with('\r') {
            ctx_end -= 1;
        }
        // Without context miette expects the contents to start at the span:
        // that is how it finds the `[file:line:column]` of the primary label.
        if before == 0 {
            ctx_start = start;
        }
        let data = &self.text[ctx_start..ctx_end];
        let at = self.index.line_col(ctx_start);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            data.as_bytes(),
            SourceSpan::from((ctx_start, ctx_end - ctx_start)),
            at.line - 1,
            at.column - 1,
            data.matches('\n').count(),
        )))
    }
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    kind: Kind,
    source: &'a ReportSource<'a>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.finding.fmt(f)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Without a label there is no excerpt naming the file: name it here.
        if self.finding.labels.is_empty() {
            write!(f, "{}: ", self.source.name)?;
        }
        match self.kind {
            Kind::Finding if self.finding.review.is_some() => f.write_str("【复核已确认】")?,
            Kind::Finding => {}
            Kind::NotRead => f.write_str("【未能读取，不是报告的问题】")?,
            Kind::ReadingNote => f.write_str("【读取说明】")?,
        }
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        if self.kind != Kind::Finding {
            return Some(miette::Severity::Advice);
        }
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let f = self.finding;
        let mut lines: Vec<String> = f.help.iter().cloned().collect();
        if let Some(r) = &f.reference {
            lines.push(format!("依据：{r}"));
        }
        if let Some(review) = f.review.as_ref().filter(|r| !r.reason.is_empty()) {
            lines.push(format!("复核意见：{}{}", review.reason, decided_by(review)));
        }
        (!lines.is_empty()).then(|| Box::new(lines.join("\n")) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.finding.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.finding.labels.iter().map(|l| {
            let span = self.source.locator.clamp(l.span);
            // In a PDF the page, in a web page's or Word file's table the
            // table and row, is how a reader finds the place.
            let place = l
                .primary
                .then(|| self.source.locator.document_place(span.offset))
                .flatten();
            let text = match place {
                Some(place) if l.text.is_empty() => Some(place),
                Some(place) => Some(format!("{}（{place}）", l.text)),
                None => (!l.text.is_empty()).then(|| l.text.clone()),
            };
            let span = SourceSpan::from((span.offset, span.len));
            if l.primary {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        })))
    }
}

struct FailureDiagnostic<'a> {
    path: &'a str,
    failure: &'a InputFailure,
}

impl fmt::Debug for FailureDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.failure.fmt(f)
    }
}

impl fmt::Display for FailureDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.failure.message)
    }
}

impl std::error::Error for FailureDiagnostic<'_> {}

impl Diagnostic for FailureDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.failure.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.failure
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}
