//! # nianbao-reader
//!
//! Turns a report as other tools export it into a [`nianbao_model::Report`]
//! (work in progress). Public API used by the CLI — keep these signatures:
//! - [`read_bytes`]: decode a file's bytes (UTF-8 with or without BOM; a JSON
//!   `Report` is taken as is after validation) and read it;
//! - [`read_text`]: read already-decoded text. Never fails: what cannot be
//!   read becomes a `Problem` in the report.

pub mod flattened;

use nianbao_model::{Format, Report};

/// Why an input could not be read at all.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReadError {
    #[error("{name}: not UTF-8 text (invalid byte at offset {offset})")]
    #[diagnostic(code(nianbao::read::encoding), help("save the file as UTF-8"))]
    NotUtf8 { name: String, offset: usize },
}

/// Decode and read one input.
pub fn read_bytes(name: &str, bytes: &[u8]) -> Result<Report, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ReadError::NotUtf8 { name: name.to_string(), offset: e.valid_up_to() })?;
    Ok(read_text(name, text))
}

/// Read decoded text.
pub fn read_text(name: &str, text: &str) -> Report {
    Report::new(name, text, Format::V2021)
}
