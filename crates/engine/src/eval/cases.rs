//! Rule tests (`test <rule> "name" { given …  passes | fails at … }`), run
//! the way ast-grep/Semgrep run rule tests: each builds a report from the
//! template — every section with its template heading, every cell 0, every
//! label in the template's wording — applies its `given` changes, evaluates
//! the whole rule set and checks what the tested rule says.
//!
//! The report is *written* here (text and spans together), not read, so the
//! tests do not depend on a reader.

use super::evaluate;
use crate::finding::Finding;
use indexmap::IndexMap;
use nianbao_model::label::{label_match, max_distance, normalize, split_numbering};
use nianbao_model::{
    template, Cell, CellValue, Cells, Date, Decimal, Format, LabelMatch, LabelUse, Metadata, Period, Report,
    ReportMap, Row, RowKind, Section, Span, Spanned, Table, ValueKind,
};
use nianbao_rules::ast::{Coord, Expect, Expr, ExprKind, Given, GivenValue, MetaField, RuleTest};
use nianbao_rules::RuleSet;

/// What one rule test gave.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    pub rule: String,
    pub name: String,
    /// The rule file and byte offset of the test.
    pub file: String,
    pub offset: usize,
    pub passed: bool,
    /// Why it failed (empty when it passed).
    pub detail: String,
    /// The tested rule's findings, each as "message at [place]" (for
    /// `nianbao rules test --findings` and snapshots of a rule's cases).
    pub findings: Vec<String>,
}

/// Where tests written `on "path"` get their report: the file's text, and a
/// reader for it (the engine does not know how reports are read).
pub trait BaseReports {
    /// The text of `base`, a path relative to the rule file `rule_file`.
    fn load(&self, base: &str, rule_file: &str) -> Result<String, String>;
    /// Read a report from its text.
    fn read(&self, name: &str, text: &str) -> Report;
}

/// Run every test of `set` against the rules of `set`; tests `on` a report
/// file fail with a message saying they need [`run_tests_with`].
pub fn run_tests(set: &RuleSet) -> Vec<CaseOutcome> {
    run_tests_with(set, None)
}

/// Run every test of `set`, reading base reports through `bases`.
pub fn run_tests_with(set: &RuleSet, bases: Option<&dyn BaseReports>) -> Vec<CaseOutcome> {
    set.tests.iter().map(|t| run_test(set, t, bases)).collect()
}

fn run_test(set: &RuleSet, t: &RuleTest, bases: Option<&dyn BaseReports>) -> CaseOutcome {
    let mut outcome = CaseOutcome {
        rule: t.rule.clone(),
        name: t.name.clone(),
        file: t.file.to_string(),
        offset: t.span.start,
        passed: false,
        detail: String::new(),
        findings: Vec::new(),
    };
    let built = match &t.base {
        None => synthetic(t),
        Some(base) => match bases {
            None => Err(format!(
                "`on {base:?}` needs a report reader: run it with `nianbao rules test`"
            )),
            Some(b) => from_base(t, base, b),
        },
    };
    let (report, prev) = match built {
        Ok(r) => r,
        Err(e) => {
            outcome.detail = e;
            return outcome;
        }
    };
    let findings: Vec<Finding> = evaluate(set, &report, prev.as_ref())
        .findings
        .into_iter()
        .filter(|f| f.rule == t.rule)
        .collect();
    let shown: Vec<String> = findings
        .iter()
        .map(|f| {
            let at: Vec<String> = f
                .labels
                .iter()
                .filter(|l| l.primary)
                .map(|l| describe(&report, l.span))
                .collect();
            match at.is_empty() {
                true => f.message.clone(),
                false => format!("{} at [{}]", f.message, at.join(", ")),
            }
        })
        .collect();
    let got = || {
        if shown.is_empty() {
            "got none".to_string()
        } else {
            format!("got:\n  {}", shown.join("\n  "))
        }
    };
    // Each `fails` line, as the place and the text a finding must have.
    let mut wanted: Vec<(Option<Span>, Option<&str>)> = Vec::new();
    for expect in &t.expects {
        if let Expect::Fails { at, with } = expect {
            let span = match at {
                Some(e) => match locate(&report, e) {
                    Some(s) => Some(s),
                    None => {
                        outcome.detail = "the `at` place is not in the test report".into();
                        return outcome;
                    }
                },
                None => None,
            };
            wanted.push((span, with.as_deref()));
        }
    }
    let fits = |(span, with): &(Option<Span>, Option<&str>), f: &Finding| {
        span.is_none_or(|s| f.labels.iter().any(|l| l.primary && l.span == s))
            && with.is_none_or(|w| f.message.contains(w))
    };
    outcome.passed = wanted.len() == findings.len() && one_to_one(&wanted, &findings, fits);
    if !outcome.passed {
        outcome.detail = if wanted.is_empty() {
            format!("expected no finding, {}", got())
        } else {
            let lines: Vec<String> = wanted
                .iter()
                .map(|(span, with)| {
                    let mut want = String::from("a finding");
                    if let Some(s) = span {
                        want.push_str(&format!(" at {}", describe(&report, *s)));
                    }
                    if let Some(w) = with {
                        want.push_str(&format!(" with message containing {w:?}"));
                    }
                    want
                })
                .collect();
            format!("expected exactly:\n  {}\n{}", lines.join("\n  "), got())
        };
    }
    outcome.findings = shown;
    outcome
}

/// Whether each expectation can be given its own finding (`wanted` and
/// `found` of equal length; a few lines each, so a plain augmenting-path
/// matching).
fn one_to_one<W, F>(wanted: &[W], found: &[F], fits: impl Fn(&W, &F) -> bool) -> bool {
    fn assign<W, F>(
        w: usize,
        wanted: &[W],
        found: &[F],
        fits: &dyn Fn(&W, &F) -> bool,
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        for f in 0..found.len() {
            if seen[f] || !fits(&wanted[w], &found[f]) {
                continue;
            }
            seen[f] = true;
            let free = match owner[f] {
                None => true,
                Some(other) => assign(other, wanted, found, fits, owner, seen),
            };
            if free {
                owner[f] = Some(w);
                return true;
            }
        }
        false
    }
    let mut owner = vec![None; found.len()];
    (0..wanted.len()).all(|w| {
        let mut seen = vec![false; found.len()];
        assign(w, wanted, found, &fits, &mut owner, &mut seen)
    })
}

/// This year's and (if any `given` mentions it) last year's report, built
/// from the template.
fn synthetic(t: &RuleTest) -> Result<(Report, Option<Report>), String> {
    let mut this = SyntheticReport::template(Format::V2021, 2023);
    let mut previous: Option<SyntheticReport> = None;
    // The format first: it decides which rows exist.
    for g in &t.givens {
        if let Given::Value {
            target,
            value: GivenValue::Number(n),
        } = g
        {
            if let ExprKind::Meta {
                previous: p,
                field: MetaField::Format,
            } = target.kind
            {
                let format = if *n == Decimal::from(2019) {
                    Format::V2019
                } else {
                    Format::V2021
                };
                let year = if format == Format::V2019 { 2020 } else { 2023 };
                if p {
                    previous = Some(SyntheticReport::template(format, year - 1));
                } else {
                    this = SyntheticReport::template(format, year);
                }
            }
        }
    }
    for g in &t.givens {
        let target = given_target(g);
        let r = if is_previous(target) {
            previous.get_or_insert_with(|| SyntheticReport::template(this.format, this.year - 1))
        } else {
            &mut this
        };
        r.apply(g)?;
    }
    Ok((this.build(), previous.map(|p| p.build())))
}

fn given_target(g: &Given) -> &Expr {
    match g {
        Given::Value { target, .. } | Given::Missing(target) | Given::Label { target, .. } => target,
    }
}

/// A report file with the `given` changes made to its text, read again.
/// Last year's report, if mentioned, is built from the template.
fn from_base(t: &RuleTest, base: &str, bases: &dyn BaseReports) -> Result<(Report, Option<Report>), String> {
    let text = bases.load(base, &t.file)?;
    let original = bases.read(base, &text);
    let mut edits: Vec<(Span, String)> = Vec::new();
    let mut previous: Option<SyntheticReport> = None;
    for g in &t.givens {
        if is_previous(given_target(g)) {
            let year = original.metadata.year.as_ref().map_or(2023, |y| y.value);
            previous
                .get_or_insert_with(|| SyntheticReport::template(original.format, year - 1))
                .apply(g)?;
            continue;
        }
        edits.push(edit_for(&original, g)?);
    }
    // From the end, so that earlier spans stay valid; overlapping edits are refused.
    edits.sort_by_key(|(s, _)| std::cmp::Reverse(s.offset));
    let mut edited = text.clone();
    let mut limit = usize::MAX;
    for (span, new) in &edits {
        if span.end() > limit {
            return Err("two `given`s change the same place".into());
        }
        if edited.get(span.offset..span.end()).is_none() {
            return Err("a `given` points outside the report".into());
        }
        edited.replace_range(span.offset..span.end(), new);
        limit = span.offset;
    }
    Ok((bases.read(base, &edited), previous.map(|p| p.build())))
}

/// The text change one `given` makes to a read report.
fn edit_for(report: &Report, g: &Given) -> Result<(Span, String), String> {
    let not_found = || "the `given` place is not in the base report".to_string();
    match g {
        Given::Value { target, value } => {
            let span = match &target.kind {
                ExprKind::Section { section, .. } => {
                    let id = id_of(section).ok_or_else(not_found)?;
                    report.sections.get(id).map(|s| s.body).ok_or_else(not_found)?
                }
                _ => locate(report, target).ok_or_else(not_found)?,
            };
            let text = match value {
                GivenValue::Number(n) => n.to_string(),
                GivenValue::Text(t) if matches!(target.kind, ExprKind::Section { .. }) => format!("{t}\n"),
                GivenValue::Text(t) => t.clone(),
                GivenValue::Blank => String::new(),
                GivenValue::Date { year, month, day } => {
                    let printed = span.slice(&report.source.text).unwrap_or("");
                    if printed.contains('年') {
                        format!("{year}年{month}月{day}日")
                    } else {
                        format!("{year:04}-{month:02}-{day:02}")
                    }
                }
            };
            Ok((span, text))
        }
        Given::Missing(target) => {
            let span = match &target.kind {
                ExprKind::Section { section, .. } => {
                    let id = id_of(section).ok_or_else(not_found)?;
                    report.sections.get(id).map(|s| s.span).ok_or_else(not_found)?
                }
                ExprKind::Table { table, .. } => {
                    report.tables.get(table).map(|t| t.span).ok_or_else(not_found)?
                }
                ExprKind::Cell(c) if c.column.is_none() => {
                    let row = id_of(&c.row).ok_or_else(not_found)?;
                    let r = report
                        .tables
                        .get(&c.table)
                        .and_then(|t| t.rows.get(row))
                        .ok_or_else(not_found)?;
                    let first = r
                        .label
                        .as_ref()
                        .map(|l| l.span)
                        .or(r.cells.values().next().map(|c| c.span));
                    let first = first.ok_or_else(not_found)?;
                    r.cells.values().fold(first, |s, c| s.cover(c.span))
                }
                _ => locate(report, target).ok_or_else(not_found)?,
            };
            Ok((span, String::new()))
        }
        Given::Label { target, text } => Ok((locate(report, target).ok_or_else(not_found)?, text.clone())),
    }
}

/// Where a test's `at` (or a `given` target) is in a report: a cell, a row
/// label, a column header, a section heading or a report field.
fn locate(report: &Report, e: &Expr) -> Option<Span> {
    match &e.kind {
        ExprKind::Cell(c) => {
            let t = report.tables.get(&c.table)?;
            match (&c.row, &c.column) {
                (Coord::All, Some(col)) => {
                    let col = id_of(col)?;
                    t.headers.iter().find(|h| h.target == col).map(|h| h.span)
                }
                (row, None) => {
                    let row = id_of(row)?;
                    match t.rows.get(row) {
                        Some(r) => r.label.as_ref().map(|l| l.span),
                        None => t.headers.iter().find(|h| h.target == row).map(|h| h.span),
                    }
                }
                (row, Some(col)) => report.cell(&c.table, id_of(row)?, id_of(col)?).map(|c| c.span),
            }
        }
        ExprKind::Section { section, .. } => {
            let s = report.sections.get(id_of(section)?)?;
            Some(s.heading.as_ref().map_or(s.span, |h| h.span))
        }
        ExprKind::Meta { field, .. } => {
            let m = &report.metadata;
            match field {
                MetaField::Year => m.year.as_ref().map(|x| x.span),
                MetaField::Title => m.title.as_ref().map(|x| x.span),
                MetaField::Body => m.body.as_ref().map(|x| x.span),
                MetaField::Published => m.published.as_ref().map(|x| x.span),
                MetaField::PeriodStart | MetaField::PeriodEnd => m.period.as_ref().map(|x| x.span),
                MetaField::Format => None,
            }
        }
        _ => None,
    }
}

/// A span in words, for test failure messages.
fn describe(report: &Report, span: Span) -> String {
    for (tid, t) in &report.tables {
        for (rid, r) in &t.rows {
            if let Some((cid, _)) = r.cells.iter().find(|(_, c)| c.span == span) {
                return format!("{tid}[{rid}, {cid}]");
            }
            if r.label.as_ref().is_some_and(|l| l.span == span) {
                return format!("{tid}[{rid}]");
            }
        }
        if let Some(h) = t.headers.iter().find(|h| h.span == span) {
            return format!("{tid}[*, {}]", h.target);
        }
    }
    for (id, s) in &report.sections {
        if s.heading.as_ref().is_some_and(|h| h.span == span) {
            return format!("section {id}");
        }
    }
    let lc = nianbao_model::LineIndex::new(&report.source.text).line_col(span.offset);
    format!("line {lc}")
}

fn is_previous(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Cell(c) => c.previous,
        ExprKind::Section { previous, .. }
        | ExprKind::Meta { previous, .. }
        | ExprKind::Table { previous, .. } => *previous,
        _ => false,
    }
}

fn id_of(c: &Coord) -> Option<&str> {
    match c {
        Coord::Id(id) => Some(id),
        _ => None,
    }
}

/// A report described by its values, written out as text with spans.
#[derive(Debug, Clone)]
pub struct SyntheticReport {
    pub format: Format,
    pub year: i32,
    /// (table, row) → column → value; a row absent here is not printed.
    cells: IndexMap<(String, String), IndexMap<String, CellValue>>,
    /// Section id → body text; a section absent here is not printed.
    sections: IndexMap<String, String>,
    /// Label overrides: "section:id", "row:table:id", "column:table:id" → printed text.
    labels: IndexMap<String, String>,
    title: Option<String>,
    body: Option<String>,
    period: Option<Period>,
    published: Option<Date>,
    year_stated: bool,
    /// "table:column" headers not printed.
    no_header: Vec<String>,
}

impl SyntheticReport {
    /// Every section, every cell 0 (amounts 0.00), labels as in the template,
    /// a title, statistics period and publication date for `year`.
    pub fn template(format: Format, year: i32) -> Self {
        let tpl = template(format);
        let mut cells = IndexMap::new();
        for t in &tpl.tables {
            for r in t.rows.iter().filter(|r| r.kind == RowKind::Heading) {
                // Printed as a line of its own; listed so that it can be removed.
                cells.insert((t.id.to_string(), r.id.to_string()), IndexMap::new());
            }
            for r in t.value_rows() {
                if r.kind == RowKind::Group {
                    // 2021 group rows carry no numbers of their own.
                    cells.insert((t.id.to_string(), r.id.to_string()), IndexMap::new());
                    continue;
                }
                let row = t
                    .row_columns(r)
                    .map(|c| {
                        let v = match c.kind {
                            ValueKind::Amount => CellValue::Decimal(Decimal::new(0, 2)),
                            _ => CellValue::Integer(0),
                        };
                        (c.id.to_string(), v)
                    })
                    .collect();
                cells.insert((t.id.to_string(), r.id.to_string()), row);
            }
        }
        let sections = tpl
            .sections
            .iter()
            .map(|s| {
                let text = match s.id {
                    "overview" => format!(
                        "{year}年，本机关共收到政府信息公开申请0件，没有发生政府信息公开行政复议、行政诉讼。"
                    ),
                    "problems" => "（一）存在的主要问题。政策解读形式较为单一。（二）改进情况。丰富图表、视频等解读形式。".to_string(),
                    "other" => "本年度未收取信息处理费。".to_string(),
                    _ => String::new(),
                };
                (s.id.to_string(), text)
            })
            .collect();
        let start = Date::new(year, 1, 1);
        let end = Date::new(year, 12, 31);
        SyntheticReport {
            format,
            year,
            cells,
            sections,
            labels: IndexMap::new(),
            title: Some(format!("测试市测试局{year}年度政府信息公开工作年度报告")),
            body: Some("测试市测试局".to_string()),
            period: start.zip(end).map(|(start, end)| Period { start, end }),
            published: Date::new(year + 1, 1, 20),
            year_stated: true,
            no_header: Vec::new(),
        }
    }

    /// Set one cell (adding the row if needed).
    pub fn set_cell(&mut self, table: &str, row: &str, column: &str, value: CellValue) {
        self.cells
            .entry((table.to_string(), row.to_string()))
            .or_default()
            .insert(column.to_string(), value);
    }

    /// Set a section's text (adding the section at the end if it was left out).
    pub fn set_section(&mut self, id: &str, text: &str) {
        self.sections.insert(id.to_string(), text.to_string());
    }

    /// Leave a row out.
    pub fn remove_row(&mut self, table: &str, row: &str) {
        self.cells.shift_remove(&(table.to_string(), row.to_string()));
    }

    /// Apply one `given`.
    pub fn apply(&mut self, g: &Given) -> Result<(), String> {
        match g {
            Given::Value { target, value } => match &target.kind {
                ExprKind::Cell(c) => {
                    let (Some(row), Some(col)) = (id_of(&c.row), c.column.as_ref().and_then(id_of)) else {
                        return Err(
                            "`given` sets one cell: write table[row, column] with ids or labels".into(),
                        );
                    };
                    let v = match value {
                        GivenValue::Number(n) if n.scale() == 0 => match i64::try_from(*n) {
                            Ok(i) => CellValue::Integer(i),
                            Err(_) => CellValue::Decimal(*n),
                        },
                        GivenValue::Number(n) => CellValue::Decimal(*n),
                        GivenValue::Text(t) => CellValue::Text(t.clone()),
                        GivenValue::Blank => CellValue::Blank,
                        GivenValue::Date { .. } => return Err("a cell holds a number, not a date".into()),
                    };
                    self.cells
                        .entry((c.table.clone(), row.to_string()))
                        .or_default()
                        .insert(col.to_string(), v);
                    Ok(())
                }
                ExprKind::Section { section, .. } => {
                    let id = id_of(section).ok_or("name the section by id or heading")?;
                    let text = match value {
                        GivenValue::Text(t) => t.clone(),
                        GivenValue::Blank => String::new(),
                        _ => return Err("a section's text is a quoted string".into()),
                    };
                    self.sections.insert(id.to_string(), text);
                    Ok(())
                }
                ExprKind::Meta { field, .. } => {
                    match (field, value) {
                        (MetaField::Year, GivenValue::Number(n)) => {
                            self.year = i32::try_from(n.trunc()).map_err(|_| "year out of range")?;
                        }
                        (MetaField::Title, GivenValue::Text(t)) => self.title = Some(t.clone()),
                        (MetaField::Body, GivenValue::Text(t)) => self.body = Some(t.clone()),
                        (MetaField::Published, GivenValue::Date { year, month, day }) => {
                            self.published = Date::new(*year, *month, *day);
                        }
                        (MetaField::PeriodStart, GivenValue::Date { year, month, day }) => {
                            if let (Some(p), Some(d)) = (self.period.as_mut(), Date::new(*year, *month, *day))
                            {
                                p.start = d;
                            }
                        }
                        (MetaField::PeriodEnd, GivenValue::Date { year, month, day }) => {
                            if let (Some(p), Some(d)) = (self.period.as_mut(), Date::new(*year, *month, *day))
                            {
                                p.end = d;
                            }
                        }
                        (MetaField::Format, _) => {}
                        _ => return Err(format!("report.{} cannot take this value", field.name())),
                    }
                    Ok(())
                }
                _ => Err("`given … =` sets a cell, a section or a report field".into()),
            },
            Given::Missing(target) => match &target.kind {
                ExprKind::Cell(c) => {
                    if let (Coord::All, Some(col)) = (&c.row, c.column.as_ref()) {
                        let col = id_of(col).ok_or("name the column by id or label")?;
                        self.no_header.push(format!("{}:{col}", c.table));
                        return Ok(());
                    }
                    let row = id_of(&c.row).ok_or("name the row by id or label")?;
                    let key = (c.table.clone(), row.to_string());
                    match c.column.as_ref() {
                        None => {
                            self.cells.shift_remove(&key);
                        }
                        Some(col) => {
                            let col = id_of(col).ok_or("name the column by id or label")?;
                            if let Some(r) = self.cells.get_mut(&key) {
                                r.shift_remove(col);
                            }
                        }
                    }
                    Ok(())
                }
                ExprKind::Table { table, .. } => {
                    self.cells.retain(|(t, _), _| t != table);
                    Ok(())
                }
                ExprKind::Section { section, .. } => {
                    let id = id_of(section).ok_or("name the section by id or heading")?;
                    self.sections.shift_remove(id);
                    let tables: Vec<&str> = template(self.format)
                        .tables
                        .iter()
                        .filter(|t| t.section == id)
                        .map(|t| t.id)
                        .collect();
                    self.cells.retain(|(t, _), _| !tables.contains(&t.as_str()));
                    Ok(())
                }
                ExprKind::Meta { field, .. } => {
                    match field {
                        MetaField::Title => self.title = None,
                        MetaField::Body => self.body = None,
                        MetaField::Published => self.published = None,
                        MetaField::PeriodStart | MetaField::PeriodEnd => self.period = None,
                        MetaField::Year => self.year_stated = false,
                        MetaField::Format => {}
                    }
                    Ok(())
                }
                _ => Err("`given missing` removes a cell, row, table, section or report field".into()),
            },
            Given::Label { target, text } => {
                let key = match &target.kind {
                    ExprKind::Section { section, .. } => format!("section:{}", id_of(section).unwrap_or("")),
                    ExprKind::Cell(c) => match (&c.row, &c.column) {
                        (r, None) => format!("row:{}:{}", c.table, id_of(r).unwrap_or("")),
                        (Coord::All, Some(col)) => format!("column:{}:{}", c.table, id_of(col).unwrap_or("")),
                        _ => {
                            return Err(
                                "`labelled` applies to a row, a column (table[*, column]) or a section"
                                    .into(),
                            )
                        }
                    },
                    _ => return Err("`labelled` applies to a row, a column or a section".into()),
                };
                self.labels.insert(key, text.clone());
                Ok(())
            }
        }
    }

    fn label_use(
        &self,
        key: &str,
        target: &str,
        label: &str,
        variants: &[&str],
        span: Span,
        text: &str,
    ) -> LabelUse {
        let _ = key;
        let bare = |s: &str| {
            let n = normalize(s);
            split_numbering(&n).1.to_string()
        };
        // As the reader relates a printed label to the template's; one it
        // would not take for this label (more edits than it tolerates) is
        // another label printed in its place.
        let matched = match label_match(&bare(text), label, variants) {
            LabelMatch::Approximate { distance } if distance > max_distance(bare(label).chars().count()) => {
                LabelMatch::Different { other: None }
            }
            m => m,
        };
        LabelUse {
            target: target.to_string().into(),
            text: text.to_string(),
            span,
            matched,
        }
    }

    /// Write the report out: its text, and the `Report` with spans into it.
    pub fn build(&self) -> Report {
        let tpl = template(self.format);
        let mut w = Writer::default();
        let mut report = Report::new("test", "", self.format);
        let mut meta = Metadata::default();
        if let Some(title) = &self.title {
            let span = w.line(title);
            meta.title = Some(Spanned::new(title.clone(), span));
            let ystr = self.year.to_string();
            if self.year_stated {
                let y = title
                    .find(&ystr)
                    .map_or(span, |i| Span::new(span.offset + i, ystr.len()));
                meta.year = Some(Spanned::new(self.year, y));
            }
        } else if self.year_stated {
            let span = w.line(&format!("{}年度", self.year));
            meta.year = Some(Spanned::new(self.year, Span::new(span.offset, 4)));
        }
        if let Some(b) = &self.body {
            let span = w.line(&format!("发布机关：{b}"));
            let off = span.offset + "发布机关：".len();
            meta.body = Some(Spanned::new(b.clone(), Span::new(off, b.len())));
        }
        if let Some(p) = &self.period {
            let s = format!(
                "统计期限：{}年{}月{}日至{}年{}月{}日",
                p.start.year, p.start.month, p.start.day, p.end.year, p.end.month, p.end.day
            );
            let span = w.line(&s);
            meta.period = Some(Spanned::new(*p, span));
        }
        if let Some(d) = &self.published {
            let span = w.line(&format!("发布日期：{d}"));
            let off = span.offset + "发布日期：".len();
            meta.published = Some(Spanned::new(*d, Span::new(off, d.to_string().len())));
        }
        report.metadata = meta;
        // In the order given: a section removed and given again comes last.
        for (id, body) in &self.sections {
            let Some(s) = tpl.section(id) else {
                continue;
            };
            let key = format!("section:{}", s.id);
            let heading_text = self
                .labels
                .get(&key)
                .cloned()
                .unwrap_or_else(|| format!("{}{}", s.numbering, s.label));
            let start = w.pos();
            let hspan = w.line(&heading_text);
            let heading = self.label_use(&key, s.id, s.label, s.variants, hspan, &heading_text);
            let body_start = w.pos();
            if !body.is_empty() {
                w.line(body);
            }
            if let Some(t) = s.table.and_then(|t| tpl.table(t)) {
                if let Some(table) = self.write_table(&mut w, t) {
                    report.tables.insert(t.id.to_string(), table);
                }
            }
            let end = w.pos();
            report.sections.insert(
                s.id.to_string(),
                Section {
                    heading: Some(heading),
                    span: Span::from_range(start, end),
                    body: Span::from_range(body_start, end),
                },
            );
        }
        report.source.text = w.text;
        report
    }

    fn write_table(&self, w: &mut Writer, t: &nianbao_model::TableSchema) -> Option<Table> {
        if !self.cells.keys().any(|(tid, _)| tid == t.id) {
            return None;
        }
        let start = w.pos();
        let mut headers = Vec::new();
        // One header line per table: its column labels.
        let mut cols: Vec<&nianbao_model::ColumnSchema> = Vec::new();
        for r in t.value_rows() {
            for c in t.row_columns(r) {
                if !cols.iter().any(|x| x.id == c.id) {
                    cols.push(c);
                }
            }
        }
        let cols: Vec<_> = cols
            .into_iter()
            .filter(|c| !self.no_header.contains(&format!("{}:{}", t.id, c.id)))
            .collect();
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                w.push("\t");
            }
            let key = format!("column:{}:{}", t.id, c.id);
            let text = self
                .labels
                .get(&key)
                .cloned()
                .unwrap_or_else(|| c.label.to_string());
            let span = w.push(&text);
            headers.push(self.label_use(&key, c.id, c.label, c.variants, span, &text));
        }
        w.push("\n");
        let mut rows = ReportMap::default();
        for r in &t.rows {
            let key = (t.id.to_string(), r.id.to_string());
            let lkey = format!("row:{}:{}", t.id, r.id);
            let label_text = self
                .labels
                .get(&lkey)
                .cloned()
                .unwrap_or_else(|| format!("{}{}", r.numbering, r.label));
            if r.kind == RowKind::Heading {
                if !self.cells.contains_key(&key) {
                    continue;
                }
                let span = w.line(&label_text);
                headers.push(self.label_use(&lkey, r.id, r.label, r.variants, span, &label_text));
                continue;
            }
            let Some(values) = self.cells.get(&key) else {
                continue;
            };
            let single = t.rows.len() == 1;
            let label = if single {
                None
            } else {
                let span = w.push(&label_text);
                Some(self.label_use(&lkey, r.id, r.label, r.variants, span, &label_text))
            };
            let mut cells = Cells::new();
            for (i, c) in t.row_columns(r).enumerate() {
                let Some(v) = values.get(c.id) else { continue };
                if !single || i > 0 {
                    w.push("\t");
                }
                let span = w.push(&v.to_string());
                cells.insert(
                    c.id.into(),
                    Cell {
                        value: v.clone(),
                        span,
                        inferred: None,
                    },
                );
            }
            w.push("\n");
            rows.insert(r.id.into(), Row { label, cells });
        }
        Some(Table {
            span: Span::from_range(start, w.pos()),
            rows,
            headers,
        })
    }
}

#[derive(Default)]
struct Writer {
    text: String,
}

impl Writer {
    fn pos(&self) -> usize {
        self.text.len()
    }

    fn push(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        Span::new(start, s.len())
    }

    fn line(&mut self, s: &str) -> Span {
        let span = self.push(s);
        self.text.push('\n');
        span
    }
}
