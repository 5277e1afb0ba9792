//! The checked syntax tree of rule files. The parser builds it with names as
//! written; the checker resolves every name to a template id (or a bound
//! variable) and gives every expression its type, so the evaluator never
//! meets an unknown id.

use nianbao_model::Decimal;
use std::sync::Arc;

use crate::Severity;

/// A byte range in a rule file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SrcSpan {
    pub start: usize,
    pub end: usize,
}

impl SrcSpan {
    pub fn new(start: usize, end: usize) -> Self {
        SrcSpan { start, end }
    }
}

impl From<SrcSpan> for miette::SourceSpan {
    fn from(s: SrcSpan) -> Self {
        (s.start, s.end.saturating_sub(s.start)).into()
    }
}

/// A word as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: SrcSpan,
    /// Written as a quoted label ("予以公开") rather than an id.
    pub quoted: bool,
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub help: Option<Template>,
    /// Where the rule comes from (e.g. the template clause).
    pub reference: Option<String>,
    /// What the rule protects and why a reviewer cares (`why "…"`).
    pub why: Option<String>,
    pub message: Template,
    /// Nested quantifiers, outermost first; the check runs once per binding.
    pub quantifiers: Vec<Quantifier>,
    pub guard: Option<Expr>,
    pub check: Expr,
    /// Which side of the check's comparison gets the primary label.
    pub blame: Blame,
    /// True when the rule refers to last year's report (`previous.`); such
    /// rules are evaluated only when one is supplied.
    pub cross_year: bool,
    /// The rule file and the span of the rule id in it.
    pub file: Arc<str>,
    pub span: SrcSpan,
    /// The span of the whole `rule … { … }` block, for showing its source.
    pub block: SrcSpan,
}

/// Which side of a comparison is most likely wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Blame {
    /// Cells in a total row/column or a group row; else the left side.
    #[default]
    Totals,
    Left,
    Right,
}

/// `for every <kind> <var> in <domains>`.
#[derive(Debug, Clone)]
pub struct Quantifier {
    pub kind: VarKind,
    pub var: String,
    pub domains: Vec<Domain>,
    pub span: SrcSpan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarKind {
    Column,
    Row,
    ColumnGroup,
    RowGroup,
    Cell,
    Section,
}

impl VarKind {
    pub fn describe(self) -> &'static str {
        match self {
            VarKind::Column => "column",
            VarKind::Row => "row",
            VarKind::ColumnGroup => "column group",
            VarKind::RowGroup => "row group",
            VarKind::Cell => "cell",
            VarKind::Section => "section",
        }
    }
}

/// What a quantifier ranges over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    /// Every section of the template.
    Sections,
    /// A whole table.
    Table(String),
    /// The sub-rows of a group row.
    RowGroup { table: String, group: String },
    /// The columns of a column group (nested groups included).
    ColumnGroup { table: String, group: String },
}

/// A message or help text: literal text and interpolated expressions.
#[derive(Debug, Clone, Default)]
pub struct Template {
    pub pieces: Vec<Piece>,
    /// The text between the quotes as written, interpolations and escapes
    /// unexpanded: how documentation shows a message or help.
    pub source: String,
}

#[derive(Debug, Clone)]
pub enum Piece {
    Text(String),
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: SrcSpan,
    pub ty: Ty,
}

/// Types of expressions. `Cell` is a number read from one cell and is
/// accepted wherever a number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Unknown,
    Number,
    Bool,
    Text,
    Date,
    Pattern,
    Cell,
    Cells,
    Row,
    Column,
    Table,
    Section,
    Label,
}

impl Ty {
    pub fn describe(self) -> &'static str {
        match self {
            Ty::Unknown => "unknown",
            Ty::Number => "a number",
            Ty::Bool => "a condition (true/false)",
            Ty::Text => "text",
            Ty::Date => "a date",
            Ty::Pattern => "a pattern",
            Ty::Cell => "a cell",
            Ty::Cells => "a group of cells",
            Ty::Row => "a row",
            Ty::Column => "a column",
            Ty::Table => "a table",
            Ty::Section => "a section",
            Ty::Label => "a label",
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Ty::Number | Ty::Cell)
    }
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// Stands in for something already reported as an error.
    Invalid,
    Number(Decimal),
    Text(String),
    Pattern(Pattern),
    /// `table[row, column]`, `table[row]` (a row), `table[*, column]` (a column).
    Cell(CellRef),
    /// A whole table.
    Table {
        previous: bool,
        table: String,
    },
    Section {
        previous: bool,
        section: Coord,
    },
    /// `report.year` and friends.
    Meta {
        previous: bool,
        field: MetaField,
    },
    /// A bound variable.
    Var(String),
    /// In messages: the two sides of the check's comparison and their difference.
    Side(SideValue),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Is {
        expr: Box<Expr>,
        negated: bool,
        test: Test,
    },
    Matches(Box<Expr>, Pattern),
    Call {
        func: Func,
        args: Vec<Expr>,
    },
    /// Left by the parser, replaced by the checker: a variable, a table or
    /// a message keyword (`left`, `right`, `difference`).
    Unresolved {
        previous: bool,
        name: Name,
    },
    UnresolvedCall {
        func: Name,
        args: Vec<Expr>,
    },
    UnresolvedIs {
        expr: Box<Expr>,
        negated: bool,
        test: Name,
    },
    UnresolvedMeta {
        previous: bool,
        field: Name,
    },
}

impl Expr {
    /// Whether `test` holds for this expression or any inside it.
    pub fn any(&self, test: &dyn Fn(&Expr) -> bool) -> bool {
        if test(self) {
            return true;
        }
        match &self.kind {
            ExprKind::Neg(e) | ExprKind::Not(e) | ExprKind::Matches(e, _) => e.any(test),
            ExprKind::Is { expr, .. } | ExprKind::UnresolvedIs { expr, .. } => expr.any(test),
            ExprKind::Binary(_, l, r) => l.any(test) || r.any(test),
            ExprKind::Call { args, .. } | ExprKind::UnresolvedCall { args, .. } => {
                args.iter().any(|a| a.any(test))
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SideValue {
    Left,
    Right,
    Difference,
}

#[derive(Debug, Clone)]
pub struct CellRef {
    pub previous: bool,
    pub table: String,
    pub table_name: Name,
    pub row: Coord,
    /// `None` for a row reference `table[row]`.
    pub column: Option<Coord>,
}

/// A row or column position in a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coord {
    /// A template id.
    Id(String),
    /// A bound variable.
    Var(String),
    /// `g.total`: the member `item` of the group bound to `var`.
    Member { var: String, item: String },
    /// `denied.*` / `g.*`: the members of a group.
    Children(Box<Coord>),
    /// `*`: every row / column.
    All,
    /// Left by the parser, replaced by the checker.
    Unresolved(Name),
}

#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    pub regex: regex::Regex,
    /// Literals of which every match contains one, if the pattern has
    /// such: a text without any cannot match, and a byte search says so
    /// faster than the regex (a narrative section is scanned by many
    /// patterns).
    required: Vec<memchr::memmem::Finder<'static>>,
}

impl Pattern {
    pub fn new(source: String, regex: regex::Regex) -> Pattern {
        let required = required_literals(&source)
            .iter()
            .map(|l| memchr::memmem::Finder::new(l.as_bytes()).into_owned())
            .collect();
        Pattern {
            source,
            regex,
            required,
        }
    }

    /// Whether the pattern cannot match `text` (exact: only when a literal
    /// every match contains is absent). `false` says nothing.
    pub fn cannot_match(&self, text: &str) -> bool {
        !self.required.is_empty() && self.required.iter().all(|f| f.find(text.as_bytes()).is_none())
    }
}

/// Literals of which every match of `source` contains at least one (each at
/// least 2 bytes), the longest such choice: found in the parts of the
/// pattern every match goes through (a sequence's parts, groups, repetitions
/// of at least one) and, for an alternation whose every branch has one,
/// one literal per branch.
fn required_literals(source: &str) -> Vec<String> {
    use regex_syntax::hir::{Hir, HirKind};
    /// Each entry: a set of literals every match contains one of.
    fn walk(hir: &Hir, found: &mut Vec<Vec<Vec<u8>>>) {
        match hir.kind() {
            HirKind::Literal(l) => found.push(vec![l.0.to_vec()]),
            HirKind::Concat(parts) => parts.iter().for_each(|p| walk(p, found)),
            HirKind::Capture(c) => walk(&c.sub, found),
            HirKind::Repetition(r) if r.min >= 1 => walk(&r.sub, found),
            HirKind::Alternation(branches) => {
                let each: Option<Vec<Vec<Vec<u8>>>> = branches
                    .iter()
                    .map(|b| {
                        let mut inner = Vec::new();
                        walk(b, &mut inner);
                        best(inner)
                    })
                    .collect();
                if let Some(mut any) = each.map(|sets| sets.concat()) {
                    any.sort();
                    any.dedup();
                    found.push(any);
                }
            }
            _ => {}
        }
    }
    /// The set whose shortest literal is longest (a rarer byte string).
    fn best(found: Vec<Vec<Vec<u8>>>) -> Option<Vec<Vec<u8>>> {
        found
            .into_iter()
            .filter(|set| set.iter().all(|l| l.len() >= 2))
            .max_by_key(|set| {
                (
                    set.iter().map(Vec::len).min().unwrap_or(0),
                    std::cmp::Reverse(set.len()),
                )
            })
    }
    let Ok(hir) = regex_syntax::Parser::new().parse(source) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk(&hir, &mut found);
    best(found)
        .map(|set| {
            set.into_iter()
                .filter_map(|l| String::from_utf8(l).ok())
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaField {
    Year,
    Title,
    Body,
    Published,
    PeriodStart,
    PeriodEnd,
    Format,
}

impl MetaField {
    pub const ALL: [(&'static str, MetaField); 7] = [
        ("year", MetaField::Year),
        ("title", MetaField::Title),
        ("body", MetaField::Body),
        ("published", MetaField::Published),
        ("period_start", MetaField::PeriodStart),
        ("period_end", MetaField::PeriodEnd),
        ("format", MetaField::Format),
    ];

    pub fn ty(self) -> Ty {
        match self {
            MetaField::Year | MetaField::Format => Ty::Number,
            MetaField::Title | MetaField::Body => Ty::Text,
            MetaField::Published | MetaField::PeriodStart | MetaField::PeriodEnd => Ty::Date,
        }
    }

    pub fn name(self) -> &'static str {
        MetaField::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "×",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

/// `x is <test>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// Cell tests.
    Filled,
    Blank,
    Number,
    Whole,
    Count,
    /// A column that may be negative (2019 本年增/减).
    Signed,
    Amount,
    /// Label tests (on `label(...)`): how the printed wording matches the template.
    Exact,
    Variant,
    Approximate,
    Different,
    Missing,
}

impl Test {
    pub const ALL: [(&'static str, Test); 12] = [
        ("filled", Test::Filled),
        ("blank", Test::Blank),
        ("number", Test::Number),
        ("whole", Test::Whole),
        ("count", Test::Count),
        ("signed", Test::Signed),
        ("amount", Test::Amount),
        ("exact", Test::Exact),
        ("variant", Test::Variant),
        ("approximate", Test::Approximate),
        ("different", Test::Different),
        ("missing", Test::Missing),
    ];

    pub fn on_label(self) -> bool {
        matches!(
            self,
            Test::Exact | Test::Variant | Test::Approximate | Test::Different | Test::Missing
        )
    }
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Sum,
    Abs,
    Min,
    Max,
    Present,
    Label,
    Number,
    Text,
    Chars,
    Date,
    Year,
    InOrder,
    Parent,
    HasNumbers,
}

impl Func {
    pub const ALL: [(&'static str, Func); 14] = [
        ("sum", Func::Sum),
        ("abs", Func::Abs),
        ("min", Func::Min),
        ("max", Func::Max),
        ("present", Func::Present),
        ("label", Func::Label),
        ("number", Func::Number),
        ("text", Func::Text),
        ("chars", Func::Chars),
        ("date", Func::Date),
        ("year", Func::Year),
        ("in_order", Func::InOrder),
        ("parent", Func::Parent),
        ("has_numbers", Func::HasNumbers),
    ];

    pub fn name(self) -> &'static str {
        Func::ALL.iter().find(|(_, f)| *f == self).map_or("?", |(n, _)| n)
    }

    /// The parameter types (each a set of accepted types) and the result.
    pub fn signature(self) -> (&'static [&'static [Ty]], Ty) {
        use Ty::*;
        const NUM: &[Ty] = &[Number, Cell];
        const TEXTISH: &[Ty] = &[Text, Section];
        const ANY_REF: &[Ty] = &[Cell, Cells, Row, Column, Table, Section, Text, Date, Number];
        match self {
            Func::Sum => (&[&[Cells]], Number),
            Func::Abs => (&[NUM], Number),
            Func::Min | Func::Max => (&[NUM, NUM], Number),
            Func::Present => (&[ANY_REF], Bool),
            Func::Label => (&[&[Row, Column, Section]], Label),
            Func::Number => (&[TEXTISH, &[Pattern]], Number),
            Func::Text => (&[&[Section]], Text),
            Func::Chars => (&[TEXTISH], Number),
            Func::Date => (&[NUM, NUM, NUM], Date),
            Func::Year => (&[&[Date]], Number),
            Func::InOrder => (&[&[Section]], Bool),
            Func::Parent => (&[&[Row]], Row),
            Func::HasNumbers => (&[&[Row]], Bool),
        }
    }
}

/// A rule test: a report built from the template with some changes, and
/// what the rule must say about it.
#[derive(Debug, Clone)]
pub struct RuleTest {
    pub rule: String,
    pub name: String,
    /// `on "path"`: a report file (relative to the rule file) to start from
    /// instead of the template-built report.
    pub base: Option<String>,
    pub givens: Vec<Given>,
    /// `[Passes]`, or one `Fails` per finding the tested rule must give: the
    /// rule's findings are exactly these (a `fails` line without `at` or
    /// `with` stands for any one finding).
    pub expects: Vec<Expect>,
    pub file: Arc<str>,
    pub span: SrcSpan,
}

#[derive(Debug, Clone)]
pub enum Given {
    /// Set a cell (`blank` clears it), section text or metadata field.
    Value { target: Expr, value: GivenValue },
    /// Remove a section, row or cell.
    Missing(Expr),
    /// Print a row/column/section label with other wording.
    Label { target: Expr, text: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum GivenValue {
    Number(Decimal),
    Text(String),
    Date { year: i32, month: u8, day: u8 },
    Blank,
}

#[derive(Debug, Clone)]
pub enum Expect {
    /// The rule gives no finding.
    Passes,
    /// One finding of the rule, with its primary label on `at` and its
    /// message containing `with`, where given.
    Fails {
        at: Option<Box<Expr>>,
        with: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::required_literals;

    #[test]
    fn required_literals_are_those_every_match_contains() {
        let r = |s: &str| required_literals(s);
        assert_eq!(r("(?:(\\d+)件)?予以公开(?:(\\d+)件|$)"), ["予以公开"]);
        // Of a required alternation and a required literal as long, the literal.
        assert_eq!(r("(?:收到|受理)[^。]{0,12}?申请([0-9]+)件"), ["申请"]);
        assert_eq!(r("行政诉讼[^。]{0,10}?([0-9]+)\\s*(?:件|起)"), ["行政诉讼"]);
        // Optional parts are not required; of alternatives, one per branch is.
        assert_eq!(r("(?:予以公开)?([0-9]+)"), Vec::<String>::new());
        assert_eq!(r("(?:予以公开|部分公开)([0-9]+)"), ["予以公开", "部分公开"]);
        assert_eq!(r("^\\s*(?:无|暂无)[。.]?\\s*$"), ["无", "暂无"]);
        assert_eq!(
            r("(?:予以)?公开及部分公开|([0-9]+)件部分公开"),
            ["件部分公开", "公开及部分公开"]
        );
        // A branch without a literal leaves the alternation without one
        // (what follows it may still be required).
        assert_eq!(r("(?:予以公开|[0-9]+)"), Vec::<String>::new());
        assert_eq!(r("(?:予以公开|[0-9]+)件"), ["件"]);
        // Case-insensitive text is no literal.
        assert_eq!(r("(?i)abc"), Vec::<String>::new());
    }

    /// The prefilter is exact: a text it rejects has no match.
    #[test]
    fn a_text_without_the_literals_cannot_match() {
        let pattern = |s: &str| super::Pattern::new(s.to_string(), regex::Regex::new(s).expect("valid"));
        let p = pattern("(?:予以)?公开(?:及|和)部分公开|(?:([0-9]+)件)?部分公开([0-9]+)件");
        for (text, matches) in [
            ("予以公开及部分公开3件", true),
            ("部分公开2件", true),
            ("予以公开3件", false),
            ("全部公开", false),
        ] {
            assert_eq!(p.regex.is_match(text), matches, "{text}");
            if !matches {
                assert!(p.cannot_match(text) || !p.regex.is_match(text), "{text}");
            } else {
                assert!(!p.cannot_match(text), "{text}");
            }
        }
        assert!(p.cannot_match("予以公开3件"));
    }
}
