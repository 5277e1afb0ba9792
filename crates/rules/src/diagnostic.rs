//! Errors in rule files, as miette diagnostics pointing at the exact bytes.

use crate::ast::SrcSpan;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use std::fmt;
use std::sync::Arc;

/// Error codes, one per kind of mistake (`nianbao::rules::<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Syntax,
    TooDeep,
    UnknownTable,
    UnknownRow,
    UnknownColumn,
    UnknownSection,
    UnknownGroup,
    UnknownVariable,
    UnknownFunction,
    UnknownField,
    UnknownTest,
    UnknownSeverity,
    UnknownRule,
    Arity,
    Type,
    DuplicateId,
    DuplicateField,
    MissingField,
    BadRegex,
    BadNumber,
    Io,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "nianbao::rules::syntax",
            Code::TooDeep => "nianbao::rules::too-deep",
            Code::UnknownTable => "nianbao::rules::unknown-table",
            Code::UnknownRow => "nianbao::rules::unknown-row",
            Code::UnknownColumn => "nianbao::rules::unknown-column",
            Code::UnknownSection => "nianbao::rules::unknown-section",
            Code::UnknownGroup => "nianbao::rules::unknown-group",
            Code::UnknownVariable => "nianbao::rules::unknown-variable",
            Code::UnknownFunction => "nianbao::rules::unknown-function",
            Code::UnknownField => "nianbao::rules::unknown-field",
            Code::UnknownTest => "nianbao::rules::unknown-test",
            Code::UnknownSeverity => "nianbao::rules::unknown-severity",
            Code::UnknownRule => "nianbao::rules::unknown-rule",
            Code::Arity => "nianbao::rules::arity",
            Code::Type => "nianbao::rules::type",
            Code::DuplicateId => "nianbao::rules::duplicate-id",
            Code::DuplicateField => "nianbao::rules::duplicate-field",
            Code::MissingField => "nianbao::rules::missing-field",
            Code::BadRegex => "nianbao::rules::bad-regex",
            Code::BadNumber => "nianbao::rules::bad-number",
            Code::Io => "nianbao::rules::io",
        }
    }
}

/// One mistake in one rule file.
#[derive(Debug)]
pub struct RuleDiagnostic {
    pub code: Code,
    pub message: String,
    /// Text under the underlined span.
    pub label: String,
    pub span: SrcSpan,
    pub help: Option<String>,
    /// Other places worth showing (e.g. the first definition of a duplicate id).
    pub related_spans: Vec<(SrcSpan, String)>,
    pub src: NamedSource<Arc<str>>,
}

impl RuleDiagnostic {
    pub fn new(file: &FileRef, code: Code, span: SrcSpan, message: impl Into<String>) -> Self {
        RuleDiagnostic {
            code,
            message: message.into(),
            label: String::new(),
            span,
            help: None,
            related_spans: Vec::new(),
            src: NamedSource::new(&file.name, file.text.clone()),
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn also(mut self, span: SrcSpan, label: impl Into<String>) -> Self {
        self.related_spans.push((span, label.into()));
        self
    }
}

impl fmt::Display for RuleDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleDiagnostic {}

impl Diagnostic for RuleDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let main = LabeledSpan::new_primary_with_span(
            (!self.label.is_empty()).then(|| self.label.clone()),
            self.span,
        );
        let others = self
            .related_spans
            .iter()
            .map(|(s, l)| LabeledSpan::new_with_span(Some(l.clone()), *s));
        Some(Box::new(std::iter::once(main).chain(others)))
    }
}

/// The rule file a diagnostic points into.
#[derive(Debug, Clone)]
pub struct FileRef {
    pub name: Arc<str>,
    pub text: Arc<str>,
}

/// "did you mean …" for a misspelt word, from candidates (ids or labels):
/// the closest within a third of the word's length, or a word with two
/// letters swapped (`nwe` → `new`).
pub fn did_you_mean<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<String> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let max = (word.chars().count() / 3).clamp(1, 4);
    let close = nianbao_model::label::closest(word, candidates.iter().copied(), max).map(|(c, _)| c);
    let swapped = || {
        let mut sorted: Vec<char> = word.chars().collect();
        sorted.sort_unstable();
        candidates.iter().copied().find(|c| {
            let mut cs: Vec<char> = c.chars().collect();
            cs.sort_unstable();
            cs == sorted && nianbao_model::label::distance(word, c) <= 2
        })
    };
    close.or_else(swapped).map(|c| format!("did you mean `{c}`?"))
}
