//! The checker: resolves every name in a parsed file against the template
//! schema (both formats) and the variables in scope, gives every expression
//! a type, and reports every mistake it finds (not just the first).

use crate::ast::*;
use crate::diagnostic::{did_you_mean, Code, FileRef, RuleDiagnostic};
use crate::parse::{RawField, RawRule, RawTest};
use crate::Severity;
use nianbao_model::label::{normalize, split_numbering};
use nianbao_model::{template, Decimal, RowKind, TableSchema, FORMATS};

/// Deepest expression tree accepted (after brackets have been limited by the parser).
pub const MAX_EXPR_DEPTH: usize = 128;

#[derive(Clone)]
struct Var {
    name: String,
    kind: VarKind,
}

pub struct Checker<'f> {
    file: &'f FileRef,
    pub errors: Vec<RuleDiagnostic>,
    scope: Vec<Var>,
    /// Inside a message, where the check is a comparison: `left`, `right`, `difference`.
    sides: bool,
    in_message: bool,
    uses_previous: bool,
    settings: crate::Settings,
}

/// Report fields that stand for an expression the settings decide:
/// `report.deadline_department` is `date(report.year + 1, M, D)`.
const DEADLINE_FIELDS: [&str; 2] = ["deadline_department", "deadline_government"];

fn schemas(table: &str) -> Vec<&'static TableSchema> {
    FORMATS.iter().filter_map(|f| template(*f).table(table)).collect()
}

fn table_ids() -> Vec<&'static str> {
    template(FORMATS[0]).tables.iter().map(|t| t.id).collect()
}

/// The comparable form of a template label: normalised, numbering removed.
fn bare(label: &str) -> String {
    let n = normalize(label);
    split_numbering(&n).1.to_string()
}

fn is_ascii_id(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

fn label_matches(text: &str, label: &str, variants: &[&str]) -> bool {
    let t = bare(text);
    bare(label) == t || variants.iter().any(|v| bare(v) == t)
}

/// Row ids and labels of a table in every format.
fn rows_of(table: &str) -> Vec<(&'static str, &'static str, &'static [&'static str], RowKind)> {
    let mut out: Vec<(&str, &str, &[&str], RowKind)> = Vec::new();
    for t in schemas(table) {
        for r in &t.rows {
            if !out.iter().any(|(id, ..)| *id == r.id) {
                out.push((r.id, r.label, r.variants, r.kind));
            } else if r.kind == RowKind::Group {
                if let Some(e) = out.iter_mut().find(|(id, ..)| *id == r.id) {
                    e.3 = RowKind::Group;
                }
            }
        }
    }
    out
}

/// (id, label, variants) of every format's items, each id once.
fn unique<T>(
    table: &str,
    items: fn(&'static TableSchema) -> &'static [T],
    fields: fn(&'static T) -> (&'static str, &'static str, &'static [&'static str]),
) -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    let mut out: Vec<(&str, &str, &[&str])> = Vec::new();
    for t in schemas(table) {
        for item in items(t) {
            let f = fields(item);
            if !out.iter().any(|(id, ..)| *id == f.0) {
                out.push(f);
            }
        }
    }
    out
}

fn columns_of(table: &str) -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    unique(table, |t| &t.columns, |c| (c.id, c.label, c.variants))
}

fn column_groups_of(table: &str) -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    unique(table, |t| &t.column_groups, |g| (g.id, g.label, g.variants))
}

/// Column groups that hold columns directly (the ones `for every column group` ranges over).
pub fn leaf_column_groups(t: &TableSchema) -> Vec<&'static str> {
    t.column_groups
        .iter()
        .filter(|g| t.columns.iter().any(|c| c.group == Some(g.id)))
        .map(|g| g.id)
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Axis {
    Row,
    Column,
}

impl<'f> Checker<'f> {
    pub fn new(file: &'f FileRef, settings: crate::Settings) -> Self {
        Checker {
            file,
            errors: Vec::new(),
            scope: Vec::new(),
            sides: false,
            in_message: false,
            uses_previous: false,
            settings,
        }
    }

    /// `date(report.year + 1, month, day)` for a deadline field, at `span`.
    fn deadline(&self, previous: bool, field: &str, span: SrcSpan) -> ExprKind {
        let (month, day) = match field {
            "deadline_government" => self.settings.government_deadline,
            _ => self.settings.department_deadline,
        };
        let leaf = |kind, ty| Expr { kind, span, ty };
        let number = |n: u8| leaf(ExprKind::Number(Decimal::from(n)), Ty::Number);
        let year = leaf(
            ExprKind::Meta {
                previous,
                field: MetaField::Year,
            },
            Ty::Number,
        );
        let next_year = leaf(
            ExprKind::Binary(BinOp::Add, Box::new(year), Box::new(number(1))),
            Ty::Number,
        );
        ExprKind::Call {
            func: Func::Date,
            args: vec![next_year, number(month), number(day)],
        }
    }

    fn err(&mut self, code: Code, span: SrcSpan, message: impl Into<String>) -> &mut RuleDiagnostic {
        self.errors
            .push(RuleDiagnostic::new(self.file, code, span, message));
        let last = self.errors.len() - 1;
        &mut self.errors[last]
    }

    fn report(&mut self, d: RuleDiagnostic) {
        self.errors.push(d);
    }

    fn d(&self, code: Code, span: SrcSpan, message: impl Into<String>) -> RuleDiagnostic {
        RuleDiagnostic::new(self.file, code, span, message)
    }

    // ------------------------------------------------------------ rules

    pub fn rule(&mut self, raw: RawRule) -> Option<Rule> {
        let errors_before = self.errors.len();
        let mut title = None;
        let mut severity = None;
        let mut reference = None;
        let mut why = None;
        let mut help = None;
        let mut message = None;
        let mut quantifiers = Vec::new();
        let mut guard: Option<Expr> = None;
        let mut check: Option<Expr> = None;
        let mut blame = Blame::default();
        let mut seen: Vec<(&'static str, SrcSpan)> = Vec::new();
        self.scope.clear();
        self.uses_previous = false;

        // Quantifiers first: they bind the variables every other field uses.
        let mut rest = Vec::new();
        for f in raw.fields {
            match f {
                RawField::For(q) => {
                    if let Some(q) = self.quantifier(q) {
                        quantifiers.push(q);
                    }
                }
                other => rest.push(other),
            }
        }
        for f in rest {
            let span = field_span(&f);
            let kw = f.keyword();
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == kw) {
                let first = *first;
                let d = self
                    .d(
                        Code::DuplicateField,
                        span,
                        format!("`{kw}` is given twice in rule `{}`", raw.id.text),
                    )
                    .label("second one")
                    .also(first, "first one")
                    .help(if kw == "check" || kw == "when" {
                        "join the conditions with `and`"
                    } else {
                        "keep one"
                    });
                self.report(d);
                continue;
            }
            seen.push((kw, span));
            match f {
                RawField::Title(t, _) => title = Some(t),
                RawField::Reference(r, _) => reference = Some(r),
                RawField::Why(w, _) => why = Some(w),
                RawField::Severity(name) => severity = self.severity(&name),
                RawField::Blame(name) => {
                    blame = match name.text.as_str() {
                        "left" => Blame::Left,
                        "right" => Blame::Right,
                        "totals" => Blame::Totals,
                        other => {
                            let hint = did_you_mean(other, ["left", "right", "totals"]);
                            let d = self
                                .d(Code::UnknownField, name.span, format!("unknown blame `{other}`"))
                                .label("expected left, right or totals")
                                .help_opt(hint);
                            self.report(d);
                            Blame::default()
                        }
                    }
                }
                RawField::When(mut e, _) => {
                    self.expr(&mut e);
                    self.expect_ty(&e, &[Ty::Bool], "a `when` guard must be a condition");
                    guard = Some(e);
                }
                RawField::Check(mut e, _) => {
                    self.expr(&mut e);
                    self.expect_ty(&e, &[Ty::Bool], "a check must be a condition");
                    check = Some(e);
                }
                RawField::Message(t, _) => message = Some(t),
                RawField::Help(t, _) => help = Some(t),
                RawField::For(_) => {}
            }
        }
        // Messages after the check, so `left`/`right` know what they refer to.
        self.sides =
            matches!(&check, Some(Expr { kind: ExprKind::Binary(op, ..), .. }) if op.is_comparison());
        self.in_message = true;
        if let Some(m) = message.as_mut() {
            self.template(m);
        }
        if let Some(h) = help.as_mut() {
            self.template(h);
        }
        self.in_message = false;
        for (present, what) in [
            (title.is_some(), "title \"…\""),
            (
                severity.is_some() || seen.iter().any(|(k, _)| *k == "severity"),
                "severity error|warning|info",
            ),
            (message.is_some(), "message \"…\""),
            (check.is_some(), "check …"),
        ] {
            if !present {
                let kw = what.split(' ').next().unwrap_or(what);
                self.err(
                    Code::MissingField,
                    raw.id.span,
                    format!("rule `{}` has no `{kw}`", raw.id.text),
                )
                .label = "this rule".into();
                let last = self.errors.len() - 1;
                self.errors[last].help = Some(format!("add `{what}` to the rule"));
            }
        }
        let cross_year = self.uses_previous;
        if self.errors.len() > errors_before {
            return None;
        }
        Some(Rule {
            id: raw.id.text,
            title: title?,
            severity: severity?,
            help,
            reference,
            why,
            message: message?,
            quantifiers,
            guard,
            check: check?,
            blame,
            cross_year,
            file: self.file.name.clone(),
            span: raw.id.span,
            block: raw.span,
        })
    }

    fn severity(&mut self, name: &Name) -> Option<Severity> {
        match name.text.as_str() {
            "error" | "错误" => Some(Severity::Error),
            "warning" | "警告" => Some(Severity::Warning),
            "info" | "提示" => Some(Severity::Info),
            other => {
                let hint = did_you_mean(other, ["error", "warning", "info"])
                    .unwrap_or_else(|| "a severity is error, warning or info".to_string());
                let d = self
                    .d(
                        Code::UnknownSeverity,
                        name.span,
                        format!("unknown severity `{other}`"),
                    )
                    .label("expected error, warning or info")
                    .help(hint);
                self.report(d);
                None
            }
        }
    }

    fn quantifier(&mut self, q: crate::parse::RawFor) -> Option<Quantifier> {
        if self.scope.iter().any(|v| v.name == q.var.text) {
            let d = self
                .d(
                    Code::DuplicateId,
                    q.var.span,
                    format!("variable `{}` is already bound", q.var.text),
                )
                .label("second binding")
                .help("use another name");
            self.report(d);
            return None;
        }
        let mut domains = Vec::new();
        if q.kind == VarKind::Section {
            if let Some(d) = q.domains.first() {
                let d = self
                    .d(
                        Code::Syntax,
                        d.span,
                        "`for every section` ranges over all sections; it takes no `in`",
                    )
                    .label("remove this")
                    .help("write `for every section s` alone");
                self.report(d);
            }
            domains.push(Domain::Sections);
        } else if q.domains.is_empty() {
            let d = self
                .d(
                    Code::MissingField,
                    q.span,
                    format!("say which table the {} ranges over", q.kind.describe()),
                )
                .label("no `in …`")
                .help(format!(
                    "e.g. `for every {} {} in requests`",
                    q.kind.describe(),
                    q.var.text
                ));
            self.report(d);
            return None;
        }
        for raw in &q.domains {
            if q.kind == VarKind::Section {
                break;
            }
            let Some(table) = self.table(&raw.table) else {
                continue;
            };
            let domain = match (&raw.member, q.kind) {
                (
                    None,
                    VarKind::Column | VarKind::Row | VarKind::Cell | VarKind::RowGroup | VarKind::ColumnGroup,
                ) => Domain::Table(table),
                (Some(m), VarKind::Row | VarKind::Cell) => match self.row_group(&table, m) {
                    Some(group) => Domain::RowGroup { table, group },
                    None => continue,
                },
                (Some(m), VarKind::Column) => match self.column_group(&table, m) {
                    Some(group) => Domain::ColumnGroup { table, group },
                    None => continue,
                },
                (Some(m), _) => {
                    let d = self
                        .d(
                            Code::Type,
                            m.span,
                            format!("a {} ranges over a whole table", q.kind.describe()),
                        )
                        .label("remove this")
                        .help("ranges over sub-rows or column groups are written `for every row r in requests.denied` or `for every column c in review.reconsideration`");
                    self.report(d);
                    continue;
                }
                (None, VarKind::Section) => Domain::Sections,
            };
            domains.push(domain);
        }
        if domains.is_empty() {
            return None;
        }
        self.scope.push(Var {
            name: q.var.text.clone(),
            kind: q.kind,
        });
        Some(Quantifier {
            kind: q.kind,
            var: q.var.text,
            domains,
            span: q.span,
        })
    }

    // ------------------------------------------------------------ names

    fn table(&mut self, name: &Name) -> Option<String> {
        let ids = table_ids();
        if ids.contains(&name.text.as_str()) {
            return Some(name.text.clone());
        }
        // A table may also be named by its section heading.
        for f in FORMATS {
            for s in &template(f).sections {
                if let Some(t) = s.table {
                    if label_matches(&name.text, s.label, s.variants) {
                        return Some(t.to_string());
                    }
                }
            }
        }
        let hint = did_you_mean(&name.text, ids.iter().copied())
            .unwrap_or_else(|| format!("the tables are {}", ids.join(", ")));
        let d = self
            .d(
                Code::UnknownTable,
                name.span,
                format!("unknown table `{}`", name.text),
            )
            .label("not a table of the template")
            .help(hint);
        self.report(d);
        None
    }

    fn unknown_in_table(&mut self, axis: Axis, table: &str, name: &Name) {
        let (code, what) = match axis {
            Axis::Row => (Code::UnknownRow, "row"),
            Axis::Column => (Code::UnknownColumn, "column"),
        };
        let entries: Vec<(&str, &str)> = match axis {
            Axis::Row => rows_of(table).into_iter().map(|(id, l, ..)| (id, l)).collect(),
            Axis::Column => columns_of(table)
                .into_iter()
                .map(|(id, l, _)| (id, l))
                .chain(column_groups_of(table).into_iter().map(|(id, l, _)| (id, l)))
                .collect(),
        };
        let hint = if is_ascii_id(&name.text) && !name.quoted {
            did_you_mean(&name.text, entries.iter().map(|(id, _)| *id))
        } else {
            let labels: Vec<String> = entries.iter().map(|(_, l)| bare(l)).collect();
            let wanted = bare(&name.text);
            let max = (wanted.chars().count() / 3).clamp(1, 6);
            nianbao_model::label::closest(&wanted, labels.iter().map(String::as_str), max).and_then(
                |(l, _)| {
                    entries
                        .iter()
                        .find(|(_, lab)| bare(lab) == l)
                        .map(|(id, lab)| format!("did you mean \"{lab}\" (`{id}`)?"))
                },
            )
        };
        let shown = if name.quoted {
            format!("\"{}\"", name.text)
        } else {
            format!("`{}`", name.text)
        };
        let d = self
            .d(
                code,
                name.span,
                format!("unknown {what} {shown} in table `{table}`"),
            )
            .label(format!("no such {what}"))
            .help(
                hint.unwrap_or_else(|| {
                    format!("write a {what} id of table `{table}` or its label in quotes")
                }),
            );
        self.report(d);
    }

    /// A row id from an id or a label.
    fn row_id(&mut self, table: &str, name: &Name) -> Option<String> {
        let rows = rows_of(table);
        if let Some((id, ..)) = rows.iter().find(|(id, ..)| *id == name.text) {
            return Some(id.to_string());
        }
        if let Some((id, ..)) = rows.iter().find(|(_, l, v, _)| label_matches(&name.text, l, v)) {
            return Some(id.to_string());
        }
        self.unknown_in_table(Axis::Row, table, name);
        None
    }

    fn column_id(&mut self, table: &str, name: &Name, allow_groups: bool) -> Option<String> {
        let cols = columns_of(table);
        if let Some((id, ..)) = cols.iter().find(|(id, ..)| *id == name.text) {
            return Some(id.to_string());
        }
        let groups = column_groups_of(table);
        if allow_groups {
            if let Some((id, ..)) = groups.iter().find(|(id, ..)| *id == name.text) {
                return Some(id.to_string());
            }
        }
        // Labels repeat across column groups (总计); an unambiguous label only.
        let hits: Vec<&str> = cols
            .iter()
            .filter(|(_, l, v)| label_matches(&name.text, l, v))
            .map(|(id, ..)| *id)
            .collect();
        if hits.len() == 1 {
            return Some(hits[0].to_string());
        }
        if allow_groups {
            if let Some((id, ..)) = groups.iter().find(|(_, l, v)| label_matches(&name.text, l, v)) {
                return Some(id.to_string());
            }
        }
        if hits.len() > 1 {
            let d = self
                .d(
                    Code::UnknownColumn,
                    name.span,
                    format!(
                        "\"{}\" names {} columns of table `{table}`",
                        name.text,
                        hits.len()
                    ),
                )
                .label("ambiguous")
                .help(format!("use an id: {}", hits.join(", ")));
            self.report(d);
            return None;
        }
        self.unknown_in_table(Axis::Column, table, name);
        None
    }

    fn row_group(&mut self, table: &str, name: &Name) -> Option<String> {
        let id = self.row_id(table, name)?;
        let is_group = rows_of(table)
            .iter()
            .any(|(rid, .., k)| *rid == id && *k == RowKind::Group);
        if is_group {
            Some(id)
        } else {
            let groups: Vec<&str> = rows_of(table)
                .into_iter()
                .filter(|r| r.3 == RowKind::Group)
                .map(|r| r.0)
                .collect();
            let d = self
                .d(
                    Code::UnknownGroup,
                    name.span,
                    format!("row `{id}` has no sub-rows"),
                )
                .label("not a group row")
                .help(format!("the group rows of `{table}` are {}", groups.join(", ")));
            self.report(d);
            None
        }
    }

    fn column_group(&mut self, table: &str, name: &Name) -> Option<String> {
        if let Some((id, ..)) = column_groups_of(table)
            .iter()
            .find(|(id, l, v)| *id == name.text || label_matches(&name.text, l, v))
        {
            return Some(id.to_string());
        }
        let groups: Vec<&str> = column_groups_of(table).into_iter().map(|g| g.0).collect();
        let hint = did_you_mean(&name.text, groups.iter().copied()).unwrap_or_else(|| {
            if groups.is_empty() {
                format!("table `{table}` has no column groups")
            } else {
                format!("the column groups of `{table}` are {}", groups.join(", "))
            }
        });
        let d = self
            .d(
                Code::UnknownGroup,
                name.span,
                format!("unknown column group `{}`", name.text),
            )
            .label("no such group")
            .help(hint);
        self.report(d);
        None
    }

    fn var(&self, name: &str) -> Option<&Var> {
        self.scope.iter().rev().find(|v| v.name == name)
    }

    /// Resolve a row or column position of a reference to `table`.
    fn coord(&mut self, table: &str, axis: Axis, c: &mut Coord) -> Option<()> {
        let resolved = match std::mem::replace(c, Coord::All) {
            Coord::Unresolved(name) => self.coord_name(table, axis, &name)?,
            Coord::Children(inner) => {
                let Coord::Unresolved(name) = *inner else {
                    return None;
                };
                if let Some(v) = self.var(&name.text).cloned() {
                    let ok = matches!(
                        (axis, v.kind),
                        (Axis::Row, VarKind::RowGroup) | (Axis::Column, VarKind::ColumnGroup)
                    );
                    if !ok {
                        let d = self
                            .d(
                                Code::Type,
                                name.span,
                                format!(
                                    "`{}.*` needs a group, but `{}` is a {}",
                                    name.text,
                                    name.text,
                                    v.kind.describe()
                                ),
                            )
                            .label("not a group")
                            .help("`g.*` takes a variable bound by `for every row group g` or `for every column group g`");
                        self.report(d);
                        return None;
                    }
                    Coord::Children(Box::new(Coord::Var(name.text)))
                } else {
                    let id = match axis {
                        Axis::Row => self.row_group(table, &name)?,
                        Axis::Column => self.column_group(table, &name)?,
                    };
                    Coord::Children(Box::new(Coord::Id(id)))
                }
            }
            other => other,
        };
        *c = resolved;
        Some(())
    }

    fn coord_name(&mut self, table: &str, axis: Axis, name: &Name) -> Option<Coord> {
        if !name.quoted {
            if let Some(v) = self.var(&name.text).cloned() {
                let ok = match axis {
                    Axis::Row => matches!(v.kind, VarKind::Row | VarKind::RowGroup),
                    Axis::Column => matches!(v.kind, VarKind::Column | VarKind::ColumnGroup),
                };
                if !ok {
                    let want = if axis == Axis::Row { "a row" } else { "a column" };
                    let d = self
                        .d(
                            Code::Type,
                            name.span,
                            format!(
                                "`{}` is a {}, but {want} belongs here",
                                name.text,
                                v.kind.describe()
                            ),
                        )
                        .label(format!("expected {want}"))
                        .help("write the row first and the column second: `table[row, column]`");
                    self.report(d);
                    return None;
                }
                return Some(Coord::Var(name.text.clone()));
            }
            // `g.total`: a member of the group bound to `g`.
            if let Some((head, item)) = name.text.split_once('.') {
                if let Some(v) = self.var(head).cloned() {
                    return self.member(table, axis, &v, item, name);
                }
            }
        }
        Some(Coord::Id(match axis {
            Axis::Row => self.row_id(table, name)?,
            Axis::Column => self.column_id(table, name, false)?,
        }))
    }

    fn member(&mut self, table: &str, axis: Axis, v: &Var, item: &str, name: &Name) -> Option<Coord> {
        let groups: Vec<String> = match (axis, v.kind) {
            (Axis::Row, VarKind::RowGroup) => rows_of(table)
                .into_iter()
                .filter(|r| r.3 == RowKind::Group)
                .map(|r| r.0.to_string())
                .collect(),
            (Axis::Column, VarKind::ColumnGroup) => schemas(table)
                .into_iter()
                .flat_map(leaf_column_groups)
                .map(str::to_string)
                .collect(),
            _ => {
                let d = self
                    .d(
                        Code::Type,
                        name.span,
                        format!("`{}` is a {}, not a group", v.name, v.kind.describe()),
                    )
                    .label("members exist only for group variables")
                    .help("`g.total` takes a variable bound by `for every row group g` or `for every column group g`");
                self.report(d);
                return None;
            }
        };
        let ids: Vec<&str> = match axis {
            Axis::Row => rows_of(table).into_iter().map(|r| r.0).collect(),
            Axis::Column => columns_of(table).into_iter().map(|c| c.0).collect(),
        };
        let missing: Vec<&String> = groups
            .iter()
            .filter(|g| !ids.contains(&format!("{g}.{item}").as_str()))
            .collect();
        if !missing.is_empty() {
            let items: Vec<&str> = ids
                .iter()
                .filter_map(|id| groups.iter().find_map(|g| id.strip_prefix(&format!("{g}."))))
                .collect();
            let hint = did_you_mean(item, items.iter().copied())
                .unwrap_or_else(|| format!("the members are {}", dedup(items).join(", ")));
            let d = self
                .d(
                    if axis == Axis::Row {
                        Code::UnknownRow
                    } else {
                        Code::UnknownColumn
                    },
                    name.span,
                    format!("group `{}` has no member `{item}`", missing[0]),
                )
                .label("no such member")
                .help(hint);
            self.report(d);
            return None;
        }
        Some(Coord::Member {
            var: v.name.clone(),
            item: item.to_string(),
        })
    }

    // ------------------------------------------------------------ expressions

    /// `unknown <what> `x``, with "did you mean" or the list of known words.
    fn unknown_word<T>(&mut self, code: Code, name: &Name, what: &str, known: &[(&str, T)]) {
        let words = known.iter().map(|(n, _)| *n);
        let hint = did_you_mean(&name.text, words.clone())
            .unwrap_or_else(|| format!("the {what}s are {}", words.collect::<Vec<_>>().join(", ")));
        let d = self
            .d(code, name.span, format!("unknown {what} `{}`", name.text))
            .label(format!("no such {what}"))
            .help(hint);
        self.report(d);
    }

    fn expect_ty(&mut self, e: &Expr, allowed: &[Ty], what: &str) {
        if e.ty == Ty::Unknown || allowed.contains(&e.ty) {
            return;
        }
        let hint = if allowed.contains(&Ty::Bool) && e.ty.is_numeric() {
            "compare it with something: `… == …`, `… >= 0`".to_string()
        } else if e.ty == Ty::Cells {
            "add up a group with `sum(…)`".to_string()
        } else {
            format!(
                "expected {}",
                allowed
                    .iter()
                    .map(|t| t.describe())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        };
        let d = self
            .d(
                Code::Type,
                e.span,
                format!("{what}, but this is {}", e.ty.describe()),
            )
            .label(format!("this is {}", e.ty.describe()))
            .help(hint);
        self.report(d);
    }

    fn template(&mut self, t: &mut Template) {
        for p in &mut t.pieces {
            if let Piece::Expr(e) = p {
                self.expr(e);
                if matches!(e.ty, Ty::Pattern | Ty::Table) {
                    let d = self
                        .d(
                            Code::Type,
                            e.span,
                            format!("cannot show {} in a message", e.ty.describe()),
                        )
                        .label("here")
                        .help("a message shows numbers, text, dates, labels, rows, columns and sections");
                    self.report(d);
                }
            }
        }
    }

    /// Resolve and type one expression tree.
    pub fn expr(&mut self, e: &mut Expr) {
        if exceeds_depth(e, MAX_EXPR_DEPTH) {
            let d = self
                .d(
                    Code::TooDeep,
                    e.span,
                    format!("expression nested more than {MAX_EXPR_DEPTH} levels deep"),
                )
                .label("too deep")
                .help("split it into several checks");
            self.report(d);
            e.ty = Ty::Unknown;
            return;
        }
        self.expr_inner(e);
    }

    fn expr_inner(&mut self, e: &mut Expr) {
        let span = e.span;
        let kind = std::mem::replace(&mut e.kind, ExprKind::Invalid);
        let (kind, ty) = match kind {
            ExprKind::Invalid => (ExprKind::Invalid, Ty::Unknown),
            ExprKind::Number(n) => (ExprKind::Number(n), Ty::Number),
            ExprKind::Text(t) => (ExprKind::Text(t), Ty::Text),
            ExprKind::Pattern(p) => (ExprKind::Pattern(p), Ty::Pattern),
            ExprKind::Unresolved { previous, name } => self.name_expr(previous, name),
            ExprKind::UnresolvedMeta { previous, field }
                if DEADLINE_FIELDS.contains(&field.text.as_str()) =>
            {
                self.uses_previous |= previous;
                (self.deadline(previous, &field.text, span), Ty::Date)
            }
            ExprKind::UnresolvedMeta { previous, field } => {
                self.uses_previous |= previous;
                match MetaField::ALL.iter().find(|(n, _)| *n == field.text) {
                    Some((_, f)) => (ExprKind::Meta { previous, field: *f }, f.ty()),
                    None => {
                        self.unknown_word(Code::UnknownField, &field, "report field", &MetaField::ALL);
                        (ExprKind::Invalid, Ty::Unknown)
                    }
                }
            }
            ExprKind::Section { previous, section } => {
                self.uses_previous |= previous;
                match self.section_coord(section) {
                    Some(section) => (ExprKind::Section { previous, section }, Ty::Section),
                    None => (ExprKind::Invalid, Ty::Unknown),
                }
            }
            ExprKind::Cell(c) => self.cell(c),
            ExprKind::Neg(mut inner) => {
                self.expr_inner(&mut inner);
                self.expect_ty(&inner, &[Ty::Number, Ty::Cell], "`-` needs a number");
                (ExprKind::Neg(inner), Ty::Number)
            }
            ExprKind::Not(mut inner) => {
                self.expr_inner(&mut inner);
                self.expect_ty(&inner, &[Ty::Bool], "`not` needs a condition");
                (ExprKind::Not(inner), Ty::Bool)
            }
            ExprKind::Binary(op, mut l, mut r) => {
                self.expr_inner(&mut l);
                self.expr_inner(&mut r);
                let ty = self.binary(op, &l, &r);
                (ExprKind::Binary(op, l, r), ty)
            }
            ExprKind::UnresolvedIs {
                mut expr,
                negated,
                test,
            } => {
                self.expr_inner(&mut expr);
                match Test::ALL.iter().find(|(n, _)| *n == test.text) {
                    Some((_, t)) => {
                        if t.on_label() {
                            self.expect_ty(&expr, &[Ty::Label], &format!("`is {}` tests a label", test.text));
                        } else {
                            self.expect_ty(&expr, &[Ty::Cell], &format!("`is {}` tests a cell", test.text));
                        }
                        (
                            ExprKind::Is {
                                expr,
                                negated,
                                test: *t,
                            },
                            Ty::Bool,
                        )
                    }
                    None => {
                        self.unknown_word(Code::UnknownTest, &test, "test", &Test::ALL);
                        (ExprKind::Invalid, Ty::Unknown)
                    }
                }
            }
            ExprKind::Matches(mut inner, p) => {
                self.expr_inner(&mut inner);
                self.expect_ty(&inner, &[Ty::Text, Ty::Section], "`matches` looks into text");
                (ExprKind::Matches(inner, p), Ty::Bool)
            }
            ExprKind::UnresolvedCall { func, mut args } => {
                for a in &mut args {
                    self.expr_inner(a);
                }
                self.call(&func, args, span)
            }
            other => {
                let ty = e.ty;
                (other, ty)
            }
        };
        e.kind = kind;
        e.ty = ty;
    }

    fn name_expr(&mut self, previous: bool, name: Name) -> (ExprKind, Ty) {
        self.uses_previous |= previous;
        if !previous {
            if let Some(v) = self.var(&name.text) {
                let ty = match v.kind {
                    VarKind::Column | VarKind::ColumnGroup => Ty::Column,
                    VarKind::Row | VarKind::RowGroup => Ty::Row,
                    VarKind::Cell => Ty::Cell,
                    VarKind::Section => Ty::Section,
                };
                return (ExprKind::Var(name.text), ty);
            }
            if self.in_message {
                let side = match name.text.as_str() {
                    "left" => Some(SideValue::Left),
                    "right" => Some(SideValue::Right),
                    "difference" => Some(SideValue::Difference),
                    _ => None,
                };
                if let Some(side) = side {
                    if self.sides {
                        return (ExprKind::Side(side), Ty::Number);
                    }
                    let d = self
                        .d(
                            Code::Type,
                            name.span,
                            format!("`{}` needs a check that is a comparison", name.text),
                        )
                        .label("no comparison to take it from")
                        .help("write the check as `a == b` (or another comparison) to use `left`, `right` and `difference`");
                    self.report(d);
                    return (ExprKind::Invalid, Ty::Unknown);
                }
            }
        }
        if table_ids().contains(&name.text.as_str()) {
            return (
                ExprKind::Table {
                    previous,
                    table: name.text,
                },
                Ty::Table,
            );
        }
        let mut candidates: Vec<String> = self.scope.iter().map(|v| v.name.clone()).collect();
        candidates.extend(table_ids().iter().map(|s| s.to_string()));
        if self.in_message && self.sides {
            candidates.extend(["left", "right", "difference"].map(String::from));
        }
        let hint = did_you_mean(&name.text, candidates.iter().map(String::as_str)).unwrap_or_else(|| {
            "a name here is a variable bound by `for every`, or a table; cells are written `table[row, column]`"
                .to_string()
        });
        let d = self
            .d(
                Code::UnknownVariable,
                name.span,
                format!("unknown name `{}`", name.text),
            )
            .label("not defined")
            .help(hint);
        self.report(d);
        (ExprKind::Invalid, Ty::Unknown)
    }

    fn section_coord(&mut self, c: Coord) -> Option<Coord> {
        let Coord::Unresolved(name) = c else {
            let d = self
                .d(
                    Code::UnknownSection,
                    SrcSpan::default(),
                    "a section reference needs a section id",
                )
                .label("here")
                .help("write `section overview` or `section \"总体情况\"`");
            self.report(d);
            return None;
        };
        if let Some(v) = self.var(&name.text).cloned() {
            if v.kind == VarKind::Section {
                return Some(Coord::Var(name.text));
            }
        }
        let sections = &template(FORMATS[0]).sections;
        if let Some(s) = sections
            .iter()
            .find(|s| s.id == name.text || label_matches(&name.text, s.label, s.variants))
        {
            return Some(Coord::Id(s.id.to_string()));
        }
        let hint = if is_ascii_id(&name.text) && !name.quoted {
            did_you_mean(&name.text, sections.iter().map(|s| s.id))
        } else {
            let wanted = bare(&name.text);
            let labels: Vec<String> = sections.iter().map(|s| bare(s.label)).collect();
            nianbao_model::label::closest(&wanted, labels.iter().map(String::as_str), 4).and_then(|(l, _)| {
                sections
                    .iter()
                    .find(|s| bare(s.label) == l)
                    .map(|s| format!("did you mean \"{}\" (`{}`)?", s.label, s.id))
            })
        };
        let d = self
            .d(
                Code::UnknownSection,
                name.span,
                format!("unknown section `{}`", name.text),
            )
            .label("no such section")
            .help(hint.unwrap_or_else(|| {
                format!(
                    "the sections are {}",
                    sections.iter().map(|s| s.id).collect::<Vec<_>>().join(", ")
                )
            }));
        self.report(d);
        None
    }

    fn cell(&mut self, mut c: CellRef) -> (ExprKind, Ty) {
        self.uses_previous |= c.previous;
        let Some(table) = self.table(&c.table_name) else {
            return (ExprKind::Invalid, Ty::Unknown);
        };
        c.table = table.clone();
        let row_ok = self.coord(&table, Axis::Row, &mut c.row).is_some();
        let col_ok = match c.column.as_mut() {
            Some(col) => self.coord(&table, Axis::Column, col).is_some(),
            None => true,
        };
        if !row_ok || !col_ok {
            return (ExprKind::Invalid, Ty::Unknown);
        }
        let many = |k: &Coord| matches!(k, Coord::Children(_) | Coord::All);
        let ty = match (&c.row, &c.column) {
            (r, None) if many(r) => Ty::Cells,
            (_, None) => Ty::Row,
            (Coord::All, Some(col)) if !many(col) => Ty::Column,
            (r, Some(col)) if many(r) || many(col) => Ty::Cells,
            _ => Ty::Cell,
        };
        (ExprKind::Cell(c), ty)
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr) -> Ty {
        let numeric = [Ty::Number, Ty::Cell];
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                self.expect_ty(l, &numeric, &format!("`{}` needs numbers", op.symbol()));
                self.expect_ty(r, &numeric, &format!("`{}` needs numbers", op.symbol()));
                Ty::Number
            }
            BinOp::And | BinOp::Or => {
                self.expect_ty(l, &[Ty::Bool], &format!("`{}` joins conditions", op.symbol()));
                self.expect_ty(r, &[Ty::Bool], &format!("`{}` joins conditions", op.symbol()));
                Ty::Bool
            }
            _ => {
                if l.ty == Ty::Unknown || r.ty == Ty::Unknown {
                    return Ty::Bool;
                }
                let class = |t: Ty| match t {
                    Ty::Number | Ty::Cell => Some("number"),
                    Ty::Date => Some("date"),
                    Ty::Text => Some("text"),
                    _ => None,
                };
                match (class(l.ty), class(r.ty)) {
                    (Some(a), Some(b)) if a == b => {
                        if a == "text" && !matches!(op, BinOp::Eq | BinOp::Ne) {
                            let d = self
                                .d(Code::Type, r.span, "text can only be compared with == or !=")
                                .label("text")
                                .help("to look for words in text, use `matches /…/`");
                            self.report(d);
                        }
                    }
                    (Some(_), _) => {
                        let d = self
                            .d(
                                Code::Type,
                                r.span,
                                format!("cannot compare {} with {}", l.ty.describe(), r.ty.describe()),
                            )
                            .label(format!("this is {}", r.ty.describe()))
                            .also(l.span, format!("this is {}", l.ty.describe()))
                            .help(if r.ty == Ty::Cells {
                                "add up a group with `sum(…)`"
                            } else {
                                "both sides of a comparison must be numbers, dates or text"
                            });
                        self.report(d);
                    }
                    _ => {
                        let d = self
                            .d(Code::Type, l.span, format!("cannot compare {}", l.ty.describe()))
                            .label(format!("this is {}", l.ty.describe()))
                            .help(if l.ty == Ty::Cells {
                                "add up a group with `sum(…)`"
                            } else {
                                "both sides of a comparison must be numbers, dates or text"
                            });
                        self.report(d);
                    }
                }
                Ty::Bool
            }
        }
    }

    fn call(&mut self, func: &Name, args: Vec<Expr>, span: SrcSpan) -> (ExprKind, Ty) {
        let Some((_, f)) = Func::ALL.iter().find(|(n, _)| *n == func.text) else {
            self.unknown_word(Code::UnknownFunction, func, "function", &Func::ALL);
            return (ExprKind::Invalid, Ty::Unknown);
        };
        let (params, result) = f.signature();
        if params.len() != args.len() {
            let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
            let d = self
                .d(
                    Code::Arity,
                    span,
                    format!(
                        "`{}` takes {} {}, but {} {} given",
                        func.text,
                        params.len(),
                        plural(params.len()),
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                )
                .label(format!("{} {}", args.len(), plural(args.len())))
                .help(signature_help(*f));
            self.report(d);
            return (ExprKind::Invalid, Ty::Unknown);
        }
        for (a, allowed) in args.iter().zip(params) {
            let what = format!("`{}` expects {}", func.text, allowed[0].describe());
            if a.ty != Ty::Unknown && !allowed.contains(&a.ty) {
                let help = if *f == Func::Sum && a.ty.is_numeric() {
                    "`sum` adds up a group: write `table[group.*, column]` or `table[row, group.*]`"
                        .to_string()
                } else {
                    signature_help(*f)
                };
                let d = self
                    .d(
                        Code::Type,
                        a.span,
                        format!("{what}, but this is {}", a.ty.describe()),
                    )
                    .label(format!("this is {}", a.ty.describe()))
                    .help(help);
                self.report(d);
            }
        }
        if *f == Func::Number {
            if let Some(Expr {
                kind: ExprKind::Pattern(p),
                span,
                ..
            }) = args.get(1)
            {
                if p.regex.captures_len() < 2 {
                    let d = self
                        .d(Code::BadRegex, *span, "the pattern captures no number")
                        .label("no capture group")
                        .help("put the digits in a group, e.g. /共收到[^0-9]{0,8}([0-9]+)件/");
                    self.report(d);
                }
            }
        }
        (ExprKind::Call { func: *f, args }, result)
    }

    // ------------------------------------------------------------ tests

    pub fn test(&mut self, raw: RawTest, known_rules: &[String]) -> Option<RuleTest> {
        let before = self.errors.len();
        self.scope.clear();
        if !known_rules.contains(&raw.rule.text) {
            let hint = did_you_mean(&raw.rule.text, known_rules.iter().map(String::as_str))
                .unwrap_or_else(|| "a test names the rule it tests".to_string());
            let d = self
                .d(
                    Code::UnknownRule,
                    raw.rule.span,
                    format!("no rule `{}` to test", raw.rule.text),
                )
                .label("unknown rule")
                .help(hint);
            self.report(d);
        }
        let mut givens = Vec::new();
        for g in raw.givens {
            givens.push(match g {
                Given::Value { mut target, value } => {
                    self.expr(&mut target);
                    self.expect_ty(
                        &target,
                        &[Ty::Cell, Ty::Section, Ty::Number, Ty::Text, Ty::Date],
                        "`given … =` sets a cell, a section's text or a report field",
                    );
                    Given::Value { target, value }
                }
                Given::Missing(mut target) => {
                    self.expr(&mut target);
                    self.expect_ty(
                        &target,
                        &[
                            Ty::Cell,
                            Ty::Row,
                            Ty::Column,
                            Ty::Section,
                            Ty::Table,
                            Ty::Number,
                            Ty::Text,
                            Ty::Date,
                        ],
                        "`given missing` removes a cell, row, column header, section or report field",
                    );
                    Given::Missing(target)
                }
                Given::Label { mut target, text } => {
                    self.expr(&mut target);
                    self.expect_ty(
                        &target,
                        &[Ty::Row, Ty::Column, Ty::Section],
                        "`labelled` changes a row, column or section label",
                    );
                    Given::Label { target, text }
                }
            });
        }
        // `passes` alone, or one `fails` line per finding the rule gives.
        if raw.expects.is_empty() {
            let d = self
                .d(
                    Code::MissingField,
                    raw.rule.span,
                    "a test needs `passes` or `fails`",
                )
                .label("this test")
                .help("add `passes`, or `fails at table[row, column]`");
            self.report(d);
        }
        if raw.expects.len() > 1 {
            if let Some((_, span)) = raw.expects.iter().find(|(e, _)| matches!(e, Expect::Passes)) {
                let d = self
                    .d(
                        Code::DuplicateField,
                        *span,
                        "a test that passes expects no finding",
                    )
                    .label("`passes` with `fails`")
                    .help("list one `fails` per finding the rule gives, or write `passes` alone");
                self.report(d);
            }
        }
        let mut expects = Vec::with_capacity(raw.expects.len());
        for (expect, _) in raw.expects {
            expects.push(match expect {
                Expect::Fails {
                    at: Some(mut at),
                    with,
                } => {
                    self.expr(&mut at);
                    Expect::Fails { at: Some(at), with }
                }
                other => other,
            });
        }
        if self.errors.len() > before {
            return None;
        }
        Some(RuleTest {
            rule: raw.rule.text,
            name: raw.name.unwrap_or_default(),
            base: raw.base,
            givens,
            expects,
            file: self.file.name.clone(),
            span: raw.span,
        })
    }
}

fn dedup(mut v: Vec<&str>) -> Vec<&str> {
    let mut seen = Vec::new();
    v.retain(|x| {
        if seen.contains(x) {
            false
        } else {
            seen.push(*x);
            true
        }
    });
    v
}

fn signature_help(f: Func) -> String {
    let (params, result) = f.signature();
    let ps: Vec<&str> = params.iter().map(|p| p[0].describe()).collect();
    format!("{}({}) gives {}", f.name(), ps.join(", "), result.describe())
}

fn field_span(f: &RawField) -> SrcSpan {
    match f {
        RawField::Title(_, s)
        | RawField::Reference(_, s)
        | RawField::Why(_, s)
        | RawField::Help(_, s)
        | RawField::Message(_, s)
        | RawField::When(_, s)
        | RawField::Check(_, s) => *s,
        RawField::Severity(n) | RawField::Blame(n) => n.span,
        RawField::For(q) => q.span,
    }
}

/// Whether a tree is deeper than `limit`; recursion stops at the limit.
fn exceeds_depth(e: &Expr, limit: usize) -> bool {
    if limit == 0 {
        return true;
    }
    let next = limit - 1;
    match &e.kind {
        ExprKind::Neg(a) | ExprKind::Not(a) | ExprKind::Matches(a, _) => exceeds_depth(a, next),
        ExprKind::UnresolvedIs { expr, .. } | ExprKind::Is { expr, .. } => exceeds_depth(expr, next),
        ExprKind::Binary(_, a, b) => exceeds_depth(a, next) || exceeds_depth(b, next),
        ExprKind::Call { args, .. } | ExprKind::UnresolvedCall { args, .. } => {
            args.iter().any(|a| exceeds_depth(a, next))
        }
        _ => false,
    }
}
