//! From rule file text to the syntax tree (names unresolved). Syntax errors,
//! bad numbers and bad patterns are reported here; everything that needs
//! the template is the checker's job.

use crate::ast::*;
use crate::diagnostic::{Code, FileRef, RuleDiagnostic};
use nianbao_model::Decimal;
use pest::iterators::Pair;
use pest::Parser;
use std::collections::HashMap;
use std::str::FromStr;

#[derive(pest_derive::Parser)]
#[grammar = "rules.pest"]
struct RuleParser;

/// Deepest nesting of brackets and expressions accepted. Real rules need a
/// handful; the limit keeps the recursive parser and evaluator off the
/// stack's edge.
pub const MAX_DEPTH: usize = 48;

/// Most operands in one chain (`a + b + …`).
pub const MAX_CHAIN: usize = 100;

/// Largest compiled size of one pattern (the `regex` crate's size limit).
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

pub struct RawRule {
    pub id: Name,
    pub fields: Vec<RawField>,
    pub span: SrcSpan,
}

pub enum RawField {
    Title(String, SrcSpan),
    Severity(Name),
    Reference(String, SrcSpan),
    Why(String, SrcSpan),
    Help(Template, SrcSpan),
    Message(Template, SrcSpan),
    For(RawFor),
    When(Expr, SrcSpan),
    Check(Expr, SrcSpan),
    Blame(Name),
}

impl RawField {
    pub fn keyword(&self) -> &'static str {
        match self {
            RawField::Title(..) => "title",
            RawField::Severity(_) => "severity",
            RawField::Reference(..) => "reference",
            RawField::Why(..) => "why",
            RawField::Help(..) => "help",
            RawField::Message(..) => "message",
            RawField::For(_) => "for",
            RawField::When(..) => "when",
            RawField::Check(..) => "check",
            RawField::Blame(_) => "blame",
        }
    }
}

pub struct RawFor {
    pub kind: VarKind,
    pub var: Name,
    pub domains: Vec<RawDomain>,
    pub span: SrcSpan,
}

pub struct RawDomain {
    pub table: Name,
    pub member: Option<Name>,
    pub span: SrcSpan,
}

pub struct RawTest {
    pub rule: Name,
    pub name: Option<String>,
    pub base: Option<String>,
    pub givens: Vec<Given>,
    pub expects: Vec<(Expect, SrcSpan)>,
    pub span: SrcSpan,
}

#[derive(Default)]
pub struct ParsedFile {
    pub rules: Vec<RawRule>,
    pub tests: Vec<RawTest>,
}

/// Whether a file's `test` blocks are read. Checking reports needs only the
/// rules: a test block is then passed over unparsed (about a third of the
/// built-in files, and a fixed cost of every `check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tests {
    Read,
    Skip,
}

/// Patterns already compiled, by source. Compiling a pattern costs far more
/// than parsing its file (bounded repeats of Unicode classes expand to large
/// automata), and rule files repeat patterns; a `Regex` clone shares the
/// compiled program.
#[derive(Default)]
pub struct PatternCache {
    compiled: HashMap<String, regex::Regex>,
}

struct Ctx<'f, 'c> {
    file: &'f FileRef,
    errors: Vec<RuleDiagnostic>,
    patterns: &'c mut PatternCache,
}

fn span_of(p: &Pair<'_, Rule>) -> SrcSpan {
    let s = p.as_span();
    SrcSpan::new(s.start(), s.end())
}

/// Parse one file. On a syntax error nothing of the file is returned but the
/// error; otherwise the tree plus any errors in numbers and patterns.
pub fn parse_file(
    file: &FileRef,
    tests: Tests,
    patterns: &mut PatternCache,
) -> (ParsedFile, Vec<RuleDiagnostic>) {
    if let Some(err) = nesting_too_deep(file) {
        return (ParsedFile::default(), vec![err]);
    }
    let start = match tests {
        Tests::Read => Rule::file,
        Tests::Skip => Rule::rules_only,
    };
    let pairs = match RuleParser::parse(start, &file.text) {
        Ok(p) => p,
        Err(e) => return (ParsedFile::default(), vec![syntax_error(file, e)]),
    };
    let mut cx = Ctx {
        file,
        errors: Vec::new(),
        patterns,
    };
    let mut out = ParsedFile::default();
    // `rule` and `test` appear only directly under `file`: no need to walk
    // every token of the file.
    for pair in pairs
        .flat_map(|file| file.into_inner())
        .filter(|p| matches!(p.as_rule(), Rule::rule | Rule::test))
    {
        match pair.as_rule() {
            Rule::rule => out.rules.push(cx.rule(pair)),
            _ => out.tests.push(cx.test(pair)),
        }
    }
    (out, cx.errors)
}

/// Bracket nesting beyond [`MAX_DEPTH`], found before the recursive parser
/// sees the text (strings, patterns and comments skipped).
fn nesting_too_deep(file: &FileRef) -> Option<RuleDiagnostic> {
    #[derive(PartialEq)]
    enum Mode {
        /// Inside brackets, or at the top level.
        Code,
        /// Inside a quoted string (messages interpolate code in `{…}`).
        Str,
    }
    let mut stack: Vec<Mode> = Vec::new();
    let mut depth = 0usize;
    let mut chars = file.text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let in_string = stack.last() == Some(&Mode::Str);
        let opens = if in_string {
            match c {
                '\\' => {
                    chars.next();
                    false
                }
                '"' | '\n' => {
                    stack.pop();
                    false
                }
                '{' if chars.peek().is_some_and(|(_, n)| *n == '{') => {
                    chars.next();
                    false
                }
                '{' => true,
                _ => false,
            }
        } else {
            match c {
                '#' => {
                    // A comment: skip to the end of the line.
                    while chars.peek().is_some_and(|(_, n)| *n != '\n') {
                        chars.next();
                    }
                    false
                }
                '"' => {
                    stack.push(Mode::Str);
                    false
                }
                '(' | '[' | '{' => true,
                ')' | ']' | '}' => {
                    if stack.last() == Some(&Mode::Code) {
                        stack.pop();
                        depth = depth.saturating_sub(1);
                    }
                    false
                }
                _ => false,
            }
        };
        if opens {
            stack.push(Mode::Code);
            depth += 1;
            if depth > MAX_DEPTH {
                return Some(
                    RuleDiagnostic::new(
                        file,
                        Code::TooDeep,
                        SrcSpan::new(i, i + c.len_utf8()),
                        format!("brackets nested more than {MAX_DEPTH} deep"),
                    )
                    .label("too deep here")
                    .help("split the expression into simpler checks"),
                );
            }
        }
    }
    None
}

fn describe_rule(r: &Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "end of file",
        Rule::rule | Rule::kw_rule => "`rule`",
        Rule::test | Rule::kw_test => "`test`",
        Rule::rule_id => "a rule id",
        Rule::string => "a quoted string",
        Rule::template => "a quoted message",
        Rule::word | Rule::name | Rule::dotted => "a name",
        Rule::expr | Rule::or_expr | Rule::and_expr | Rule::not_expr | Rule::cmp_expr => "an expression",
        Rule::sum_expr | Rule::product | Rule::unary | Rule::paren => "an expression",
        Rule::number | Rule::signed_number => "a number",
        Rule::regex => "a /pattern/",
        Rule::cmp_op => "a comparison (==, !=, <, <=, >, >=)",
        Rule::add_op => "`+` or `-`",
        Rule::mul_op => "`×` or `*`",
        Rule::coord | Rule::star => "a row or column",
        Rule::title | Rule::kw_title => "`title`",
        Rule::severity | Rule::kw_severity => "`severity`",
        Rule::reference | Rule::kw_reference => "`reference`",
        Rule::why | Rule::kw_why => "`why`",
        Rule::help | Rule::kw_help => "`help`",
        Rule::message | Rule::kw_message => "`message`",
        Rule::for_clause | Rule::kw_for => "`for every`",
        Rule::when_clause | Rule::kw_when => "`when`",
        Rule::check_clause | Rule::kw_check => "`check`",
        Rule::blame | Rule::kw_blame => "`blame`",
        Rule::domain_kind => "column, row, column group, row group, cell or section",
        Rule::domain => "a table or group",
        Rule::kw_in => "`in`",
        Rule::given | Rule::kw_given => "`given`",
        Rule::expect | Rule::expect_pass | Rule::expect_fail => "`passes` or `fails`",
        Rule::value => "a value",
        Rule::target => "a cell, section or report field",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::is_test | Rule::kw_is => "`is`",
        Rule::match_test | Rule::kw_matches => "`matches`",
        _ => return None,
    })
}

fn syntax_error(file: &FileRef, e: pest::error::Error<Rule>) -> RuleDiagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let start = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let start = start.min(file.text.len());
    let end = file.text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    let found = file.text[start..]
        .chars()
        .next()
        .map_or("the end of the file".to_string(), |c| {
            if c == '\n' {
                "the end of the line".to_string()
            } else {
                format!("`{c}`")
            }
        });
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(describe_rule).collect();
            names.sort_unstable();
            names.dedup();
            names
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_or(&expected))
    };
    RuleDiagnostic::new(file, Code::Syntax, SrcSpan::new(start, end), message)
        .label("here")
        .help("see docs/rules.md for the rule syntax")
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn unquote(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Ctx<'_, '_> {
    fn error(&mut self, d: RuleDiagnostic) {
        self.errors.push(d);
    }

    fn name(&self, p: Pair<'_, Rule>) -> Name {
        let span = span_of(&p);
        if p.as_rule() == Rule::string {
            let text = p
                .into_inner()
                .next()
                .map_or(String::new(), |b| unquote(b.as_str()));
            Name {
                text,
                span,
                quoted: true,
            }
        } else {
            Name {
                text: p.as_str().to_string(),
                span,
                quoted: false,
            }
        }
    }

    fn string(&self, p: Pair<'_, Rule>) -> String {
        p.into_inner()
            .next()
            .map_or(String::new(), |b| unquote(b.as_str()))
    }

    fn rule(&mut self, pair: Pair<'_, Rule>) -> RawRule {
        let span = span_of(&pair);
        let mut inner = pair.into_inner().filter(|p| p.as_rule() != Rule::kw_rule);
        let id = inner.next().map_or_else(
            || Name {
                text: String::new(),
                span,
                quoted: false,
            },
            |p| self.name(p),
        );
        let mut fields = Vec::new();
        for f in inner {
            if let Some(field) = self.field(f) {
                fields.push(field);
            }
        }
        RawRule { id, fields, span }
    }

    fn field(&mut self, f: Pair<'_, Rule>) -> Option<RawField> {
        let span = span_of(&f);
        let kind = f.as_rule();
        let mut parts = f.into_inner().filter(|p| !is_keyword(p.as_rule()));
        let first = parts.next()?;
        Some(match kind {
            Rule::title => RawField::Title(self.string(first), span),
            Rule::severity => RawField::Severity(self.name(first)),
            Rule::reference => RawField::Reference(self.string(first), span),
            Rule::why => RawField::Why(self.string(first), span),
            Rule::help => RawField::Help(self.template(first), span),
            Rule::message => RawField::Message(self.template(first), span),
            Rule::when_clause => RawField::When(self.expr(first), span),
            Rule::check_clause => RawField::Check(self.expr(first), span),
            Rule::blame => RawField::Blame(self.name(first)),
            Rule::for_clause => {
                let kind = match first.as_str().split_whitespace().collect::<Vec<_>>().as_slice() {
                    ["column", "group"] => VarKind::ColumnGroup,
                    ["row", "group"] => VarKind::RowGroup,
                    ["column"] => VarKind::Column,
                    ["row"] => VarKind::Row,
                    ["cell"] => VarKind::Cell,
                    _ => VarKind::Section,
                };
                let var = self.name(parts.next()?);
                let domains = parts
                    .map(|d| {
                        let dspan = span_of(&d);
                        let mut it = d.into_inner();
                        let table = it.next().map_or_else(
                            || Name {
                                text: String::new(),
                                span: dspan,
                                quoted: false,
                            },
                            |p| self.name(p),
                        );
                        let member = it.next().map(|p| self.name(p));
                        RawDomain {
                            table,
                            member,
                            span: dspan,
                        }
                    })
                    .collect();
                RawField::For(RawFor {
                    kind,
                    var,
                    domains,
                    span,
                })
            }
            _ => return None,
        })
    }

    fn template(&mut self, p: Pair<'_, Rule>) -> Template {
        let written = p.as_str();
        let source = written
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(written)
            .to_string();
        let mut pieces = Vec::new();
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::text_chunk => push_text(&mut pieces, part.as_str()),
                Rule::text_esc => {
                    let s = part.as_str();
                    let t = match s {
                        "{{" => "{".to_string(),
                        "}}" => "}".to_string(),
                        _ => unquote(s),
                    };
                    push_text(&mut pieces, &t);
                }
                Rule::interp => {
                    if let Some(e) = part.into_inner().next() {
                        pieces.push(Piece::Expr(self.expr(e)));
                    }
                }
                _ => {}
            }
        }
        Template { pieces, source }
    }

    fn test(&mut self, pair: Pair<'_, Rule>) -> RawTest {
        let span = span_of(&pair);
        let mut rule = Name {
            text: String::new(),
            span,
            quoted: false,
        };
        let mut name = None;
        let mut base = None;
        let mut givens = Vec::new();
        let mut expects = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::rule_id => rule = self.name(p),
                Rule::string => name = Some(self.string(p)),
                Rule::test_base => {
                    base = p
                        .into_inner()
                        .find(|b| b.as_rule() == Rule::string)
                        .map(|b| self.string(b));
                }
                Rule::given => {
                    if let Some(g) = self.given(p) {
                        givens.push(g);
                    }
                }
                Rule::expect => {
                    let espan = span_of(&p);
                    if let Some(e) = self.expect(p) {
                        expects.push((e, espan));
                    }
                }
                _ => {}
            }
        }
        RawTest {
            rule,
            name,
            base,
            givens,
            expects,
            span,
        }
    }

    fn given(&mut self, p: Pair<'_, Rule>) -> Option<Given> {
        let g = p.into_inner().find(|p| !is_keyword(p.as_rule()))?;
        let kind = g.as_rule();
        let mut parts = g.into_inner().filter(|p| !is_keyword(p.as_rule()));
        let target = self.target(parts.next()?)?;
        Some(match kind {
            Rule::given_missing => Given::Missing(target),
            Rule::given_label => Given::Label {
                target,
                text: self.string(parts.next()?),
            },
            _ => {
                let v = parts.next()?.into_inner().next()?;
                let vspan = span_of(&v);
                let value = match v.as_rule() {
                    Rule::date_lit => {
                        let nums: Vec<&str> = v.as_str().split('-').collect();
                        match nums.as_slice() {
                            [y, m, d] => match (y.parse(), m.parse(), d.parse()) {
                                (Ok(year), Ok(month), Ok(day))
                                    if (1..=12).contains(&month) && (1..=31).contains(&day) =>
                                {
                                    GivenValue::Date { year, month, day }
                                }
                                _ => {
                                    self.bad_number(vspan, "not a date (YYYY-MM-DD)");
                                    return None;
                                }
                            },
                            _ => return None,
                        }
                    }
                    Rule::signed_number => GivenValue::Number(self.decimal(v.as_str(), vspan)?),
                    Rule::string => GivenValue::Text(self.string(v)),
                    _ => GivenValue::Blank,
                };
                Given::Value { target, value }
            }
        })
    }

    fn expect(&mut self, p: Pair<'_, Rule>) -> Option<Expect> {
        let e = p.into_inner().next()?;
        if e.as_rule() == Rule::expect_pass {
            return Some(Expect::Passes);
        }
        let mut at = None;
        let mut with = None;
        for part in e.into_inner() {
            match part.as_rule() {
                Rule::target => at = self.target(part),
                Rule::string => with = Some(self.string(part)),
                _ => {}
            }
        }
        Some(Expect::Fails {
            at: at.map(Box::new),
            with,
        })
    }

    fn target(&mut self, p: Pair<'_, Rule>) -> Option<Expr> {
        let inner = p.into_inner().next()?;
        Some(self.primary(inner))
    }

    fn bad_number(&mut self, span: SrcSpan, msg: &str) {
        let d = RuleDiagnostic::new(self.file, Code::BadNumber, span, msg.to_string())
            .label("this value")
            .help("numbers have at most 28 significant digits; dates are written YYYY-MM-DD");
        self.error(d);
    }

    fn decimal(&mut self, s: &str, span: SrcSpan) -> Option<Decimal> {
        match Decimal::from_str(s) {
            Ok(d) => Some(d),
            Err(_) => {
                self.bad_number(span, "number too large or too precise");
                None
            }
        }
    }

    fn mk(&self, kind: ExprKind, span: SrcSpan) -> Expr {
        Expr {
            kind,
            span,
            ty: Ty::Unknown,
        }
    }

    fn expr(&mut self, p: Pair<'_, Rule>) -> Expr {
        let span = span_of(&p);
        match p.as_rule() {
            Rule::expr => match p.into_inner().next() {
                Some(inner) => self.expr(inner),
                None => self.mk(ExprKind::Invalid, span),
            },
            Rule::or_expr | Rule::and_expr | Rule::sum_expr | Rule::product => self.chain(p),
            Rule::not_expr => self.prefixed(p, Rule::kw_not, |e| ExprKind::Not(Box::new(e))),
            Rule::unary => self.prefixed(p, Rule::neg_op, |e| ExprKind::Neg(Box::new(e))),
            Rule::cmp_expr => {
                let mut it = p.into_inner();
                let Some(first) = it.next() else {
                    return self.mk(ExprKind::Invalid, span);
                };
                let left = self.expr(first);
                let Some(tail) = it.next() else {
                    return left;
                };
                match tail.as_rule() {
                    Rule::cmp_tail => {
                        let mut t = tail.into_inner();
                        let op = match t.next().map(|o| o.as_str()) {
                            Some("==" | "=") => BinOp::Eq,
                            Some("!=" | "≠") => BinOp::Ne,
                            Some("<=" | "≤") => BinOp::Le,
                            Some(">=" | "≥") => BinOp::Ge,
                            Some("<") => BinOp::Lt,
                            _ => BinOp::Gt,
                        };
                        let right = match t.next() {
                            Some(r) => self.expr(r),
                            None => self.mk(ExprKind::Invalid, span),
                        };
                        self.mk(ExprKind::Binary(op, Box::new(left), Box::new(right)), span)
                    }
                    Rule::is_test => {
                        let mut negated = false;
                        let mut test = None;
                        for part in tail.into_inner() {
                            match part.as_rule() {
                                Rule::kw_not => negated = true,
                                Rule::word => test = Some(self.name(part)),
                                _ => {}
                            }
                        }
                        let test = test.unwrap_or(Name {
                            text: String::new(),
                            span,
                            quoted: false,
                        });
                        self.mk(
                            ExprKind::UnresolvedIs {
                                expr: Box::new(left),
                                negated,
                                test,
                            },
                            span,
                        )
                    }
                    _ => {
                        let pat = tail.into_inner().find(|p| p.as_rule() == Rule::regex);
                        match pat.and_then(|r| self.pattern(r)) {
                            Some(pat) => self.mk(ExprKind::Matches(Box::new(left), pat), span),
                            None => self.mk(ExprKind::Invalid, span),
                        }
                    }
                }
            }
            _ => self.primary(p),
        }
    }

    /// `not not x`, `- -x`: prefix operators folded onto their operand.
    fn prefixed(&mut self, p: Pair<'_, Rule>, op: Rule, wrap: fn(Expr) -> ExprKind) -> Expr {
        let span = span_of(&p);
        let mut ops = Vec::new();
        let mut operand = None;
        for part in p.into_inner() {
            if part.as_rule() == op {
                ops.push(span_of(&part).start);
            } else if part.as_rule() == Rule::cmp_expr {
                operand = Some(self.expr(part));
            } else {
                operand = Some(self.primary(part));
            }
        }
        if ops.len() > MAX_DEPTH {
            self.too_deep(span);
            return self.mk(ExprKind::Invalid, span);
        }
        let mut e = operand.unwrap_or_else(|| self.mk(ExprKind::Invalid, span));
        for start in ops.into_iter().rev() {
            let s = SrcSpan::new(start, e.span.end);
            e = self.mk(wrap(e), s);
        }
        e
    }

    fn too_deep(&mut self, span: SrcSpan) {
        let d = RuleDiagnostic::new(
            self.file,
            Code::TooDeep,
            span,
            "expression too long or too deeply nested",
        )
        .label("here")
        .help("split it into several checks");
        self.error(d);
    }

    /// Left-associative chains (`a + b - c`, `x and y and z`) folded without recursion.
    fn chain(&mut self, p: Pair<'_, Rule>) -> Expr {
        let span = span_of(&p);
        // Each operator adds a level to the tree; evaluation recurses on it.
        if p.clone().into_inner().count() > 2 * MAX_CHAIN + 1 {
            self.too_deep(span);
            return self.mk(ExprKind::Invalid, span);
        }
        let mut it = p.into_inner();
        let mut acc = match it.next() {
            Some(first) => self.expr(first),
            None => return self.mk(ExprKind::Invalid, span),
        };
        while let Some(op) = it.next() {
            let Some(rhs) = it.next() else { break };
            let op = match op.as_str() {
                "+" => BinOp::Add,
                "-" | "−" => BinOp::Sub,
                "*" | "×" => BinOp::Mul,
                "and" => BinOp::And,
                _ => BinOp::Or,
            };
            let rhs = self.expr(rhs);
            let s = SrcSpan::new(acc.span.start, rhs.span.end);
            acc = self.mk(ExprKind::Binary(op, Box::new(acc), Box::new(rhs)), s);
        }
        acc
    }

    fn pattern(&mut self, p: Pair<'_, Rule>) -> Option<Pattern> {
        let span = span_of(&p);
        let body = p.into_inner().next().map_or("", |b| b.as_str());
        // `\/` is a slash; every other escape belongs to the regex syntax.
        let source = body.replace("\\/", "/");
        if let Some(regex) = self.patterns.compiled.get(&source) {
            let regex = regex.clone();
            return Some(Pattern::new(source, regex));
        }
        match regex::RegexBuilder::new(&source)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            Ok(regex) => {
                self.patterns.compiled.insert(source.clone(), regex.clone());
                Some(Pattern::new(source, regex))
            }
            Err(e) => {
                let detail = match &e {
                    regex::Error::Syntax(s) => s.lines().last().unwrap_or("").trim().to_string(),
                    regex::Error::CompiledTooBig(n) => format!("the pattern compiles to more than {n} bytes"),
                    _ => e.to_string(),
                };
                let d = RuleDiagnostic::new(self.file, Code::BadRegex, span, "invalid pattern")
                    .label(detail)
                    .help("patterns use the syntax of the Rust `regex` crate (no look-around, no back-references)");
                self.error(d);
                None
            }
        }
    }

    fn coord(&mut self, p: Pair<'_, Rule>) -> Coord {
        let mut it = p.into_inner();
        let Some(first) = it.next() else {
            return Coord::All;
        };
        if first.as_rule() == Rule::star {
            return Coord::All;
        }
        let base = Coord::Unresolved(self.name(first));
        if it.next().is_some() {
            Coord::Children(Box::new(base))
        } else {
            base
        }
    }

    fn primary(&mut self, p: Pair<'_, Rule>) -> Expr {
        let span = span_of(&p);
        match p.as_rule() {
            Rule::number => match self.decimal(p.as_str(), span) {
                Some(d) => self.mk(ExprKind::Number(d), span),
                None => self.mk(ExprKind::Invalid, span),
            },
            Rule::string => {
                let s = self.string(p);
                self.mk(ExprKind::Text(s), span)
            }
            Rule::regex => match self.pattern(p) {
                Some(pat) => self.mk(ExprKind::Pattern(pat), span),
                None => self.mk(ExprKind::Invalid, span),
            },
            Rule::paren => match p.into_inner().next() {
                Some(e) => {
                    let mut e = self.expr(e);
                    e.span = span;
                    e
                }
                None => self.mk(ExprKind::Invalid, span),
            },
            Rule::call => {
                let mut it = p.into_inner();
                let func = it.next().map_or(
                    Name {
                        text: String::new(),
                        span,
                        quoted: false,
                    },
                    |f| self.name(f),
                );
                let args = it.map(|a| self.expr(a)).collect();
                self.mk(ExprKind::UnresolvedCall { func, args }, span)
            }
            Rule::section_ref => {
                let mut previous = false;
                let mut section = Coord::All;
                for part in p.into_inner() {
                    match part.as_rule() {
                        Rule::previous => previous = true,
                        Rule::coord => section = self.coord(part),
                        _ => {}
                    }
                }
                self.mk(ExprKind::Section { previous, section }, span)
            }
            Rule::report_ref => {
                let mut previous = false;
                let mut field = None;
                for part in p.into_inner() {
                    match part.as_rule() {
                        Rule::previous => previous = true,
                        Rule::word => field = Some(self.name(part)),
                        _ => {}
                    }
                }
                let field = field.unwrap_or(Name {
                    text: String::new(),
                    span,
                    quoted: false,
                });
                self.mk(ExprKind::UnresolvedMeta { previous, field }, span)
            }
            Rule::cell_ref => {
                let mut previous = false;
                let mut table = None;
                let mut coords = Vec::new();
                for part in p.into_inner() {
                    match part.as_rule() {
                        Rule::previous => previous = true,
                        Rule::word => table = Some(self.name(part)),
                        Rule::coord => {
                            let cspan = span_of(&part);
                            coords.push((self.coord(part), cspan));
                        }
                        _ => {}
                    }
                }
                let table_name = table.unwrap_or(Name {
                    text: String::new(),
                    span,
                    quoted: false,
                });
                if coords.len() > 2 {
                    let extra = coords[2].1;
                    let d = RuleDiagnostic::new(
                        self.file,
                        Code::Arity,
                        SrcSpan::new(extra.start, coords[coords.len() - 1].1.end),
                        format!(
                            "a cell reference takes a row and a column, but {} positions were given",
                            coords.len()
                        ),
                    )
                    .label("unexpected")
                    .help(format!(
                        "write `{}[row, column]` for a cell, `{}[row]` for a row",
                        table_name.text, table_name.text
                    ));
                    self.error(d);
                }
                let mut coords = coords.into_iter().map(|(c, _)| c);
                let row = coords.next().unwrap_or(Coord::All);
                let column = coords.next();
                self.mk(
                    ExprKind::Cell(CellRef {
                        previous,
                        table: String::new(),
                        table_name,
                        row,
                        column,
                    }),
                    span,
                )
            }
            Rule::name => {
                let mut previous = false;
                let mut name = None;
                for part in p.into_inner() {
                    match part.as_rule() {
                        Rule::previous => previous = true,
                        Rule::word => name = Some(self.name(part)),
                        _ => {}
                    }
                }
                let name = name.unwrap_or(Name {
                    text: String::new(),
                    span,
                    quoted: false,
                });
                self.mk(ExprKind::Unresolved { previous, name }, span)
            }
            _ => self.expr(p),
        }
    }
}

fn push_text(pieces: &mut Vec<Piece>, s: &str) {
    if let Some(Piece::Text(t)) = pieces.last_mut() {
        t.push_str(s);
    } else {
        pieces.push(Piece::Text(s.to_string()));
    }
}

fn is_keyword(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_rule
            | Rule::kw_test
            | Rule::kw_title
            | Rule::kw_severity
            | Rule::kw_reference
            | Rule::kw_why
            | Rule::kw_help
            | Rule::kw_message
            | Rule::kw_for
            | Rule::kw_every
            | Rule::kw_in
            | Rule::kw_when
            | Rule::kw_check
            | Rule::kw_blame
            | Rule::kw_given
            | Rule::kw_missing
            | Rule::kw_labelled
            | Rule::kw_at
            | Rule::kw_with
    )
}
