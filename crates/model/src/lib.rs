//! # nianbao-model
//!
//! Owns the vocabulary every other crate speaks:
//! - [`schema`]: the template of the annual report on government information
//!   disclosure (政府信息公开工作年度报告) in its 2021 and 2019 formats —
//!   sections, tables, rows (with groups and sub-rows) and columns, with
//!   stable ids, official labels and the wording variants seen in the wild;
//! - [`report`]: the typed [`Report`] a reader produces, where every value
//!   carries its byte [`Span`] in the source text, and what could not be read
//!   is recorded as a [`Problem`] rather than guessed;
//! - [`span`] and [`label`]: byte spans ↔ line/column, and label normalisation;
//! - [`rendered`]: text rendered from markup and its way back to source spans.
//!
//! It must not know about rules, how reports are read, or how findings are
//! shown. `Report` round-trips through serde (JSON is how other tools hand us
//! structured reports).

pub mod cells;
pub mod label;
pub mod rendered;
pub mod report;
pub mod schema;
pub mod span;

pub use cells::Cells;
pub use rendered::{Piece, RenderedText};
pub use report::{
    Cell, CellValue, Date, DocumentRow, Id, Inference, LabelMatch, LabelUse, Metadata, Period, Problem,
    ProblemClass, ProblemKind, RenderedSlice, Report, ReportHasher, ReportMap, Row, Section, Source, Table,
};
pub use rust_decimal::Decimal;
pub use schema::{
    same_id, template, ColumnGroupSchema, ColumnSchema, Format, RowKind, RowSchema, SectionSchema,
    TableSchema, Template, ValueKind, FORMATS,
};
pub use span::{LineCol, LineIndex, Span, Spanned};
