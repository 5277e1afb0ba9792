//! Bytes to text: which encoding a file is in, and the clear error when it
//! is in none we read.
//!
//! Reports come from many tools. UTF-8 (with or without a byte-order mark)
//! is read as is; UTF-16 with a byte-order mark (Word's "Unicode text") and
//! GB18030/GBK (the default of Chinese office software and of Windows in
//! China) are decoded into UTF-8. The order is what can be told for sure
//! first: a byte-order mark, then valid UTF-8, then GB18030 when the bytes
//! decode without error *and* read like Chinese text (see [`looks_like_gbk`]).
//! Binary data (NUL bytes), empty files and what stays undecodable are
//! errors naming the offset, never a report of garbage.
//!
//! Spans of a re-encoded input are into the decoded UTF-8 text (the
//! report's `source.text`), not into the file's bytes.

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};

/// Why bytes are not text the reader can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum DecodeError {
    #[error("{name}: the file is empty")]
    #[diagnostic(
        code(nianbao::read::empty),
        help("nothing to check: the export or download may have failed")
    )]
    Empty { name: String },
    #[error("{name}: binary data, not text (NUL byte at offset {offset})")]
    #[diagnostic(
        code(nianbao::read::binary),
        help("give the report as text, a web page, a .docx or JSON; UTF-16 text needs its byte-order mark")
    )]
    Binary { name: String, offset: usize },
    #[error("{name}: not UTF-8 text (invalid byte at offset {offset}), nor {tried}")]
    #[diagnostic(
        code(nianbao::read::encoding),
        help("save the file as UTF-8 (UTF-16 with a byte-order mark and GB18030/GBK are also read)")
    )]
    Undecodable {
        name: String,
        offset: usize,
        /// The other encodings tried, and why each failed.
        tried: String,
    },
    #[error("{name}: invalid {encoding} text (at byte offset {offset})")]
    #[diagnostic(
        code(nianbao::read::encoding),
        help("the byte-order mark says {encoding}, but the file is damaged or truncated; save it again as UTF-8")
    )]
    InvalidWithBom {
        name: String,
        encoding: &'static str,
        offset: usize,
    },
}

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    Utf8,
    /// UTF-8 with a byte-order mark (dropped from the text).
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Gb18030,
}

/// Decoded text and the encoding it was in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'b> {
    pub text: Cow<'b, str>,
    pub encoding: SourceEncoding,
}

/// Decode a file's bytes (see the module documentation for the order).
pub fn decode<'b>(name_str: &str, bytes: &'b [u8]) -> Result<Decoded<'b>, DecodeError> {
    let name = || name_str.to_string();
    let decoded = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = utf8(rest).map_err(|e| DecodeError::InvalidWithBom {
            name: name(),
            encoding: "UTF-8",
            offset: 3 + e.valid_up_to(),
        })?;
        Decoded {
            text: Cow::Borrowed(text),
            encoding: SourceEncoding::Utf8Bom,
        }
    } else if let Some((encoding, source)) = utf16_bom(bytes) {
        let text = decode_strict(encoding, bytes.get(2..).unwrap_or_default()).map_err(|at| {
            DecodeError::InvalidWithBom {
                name: name(),
                encoding: encoding.name(),
                offset: 2 + at,
            }
        })?;
        Decoded {
            text: Cow::Owned(text),
            encoding: source,
        }
    } else {
        if let Some(offset) = memchr::memchr(0, bytes) {
            return Err(DecodeError::Binary { name: name(), offset });
        }
        match utf8(bytes) {
            // The bytes are the text: their NUL check above was the text's.
            Ok(text) if !text.trim().is_empty() => {
                return Ok(Decoded {
                    text: Cow::Borrowed(text),
                    encoding: SourceEncoding::Utf8,
                })
            }
            Ok(text) => Decoded {
                text: Cow::Borrowed(text),
                encoding: SourceEncoding::Utf8,
            },
            Err(e) => {
                let tried = match decode_strict(GB18030, bytes) {
                    Ok(text) if looks_like_gbk(bytes) => {
                        return finish(
                            name(),
                            Decoded {
                                text: Cow::Owned(text),
                                encoding: SourceEncoding::Gb18030,
                            },
                        )
                    }
                    Ok(_) => "GB18030/GBK (it decodes, but not to Chinese text)".to_string(),
                    Err(at) => format!("GB18030/GBK (invalid at offset {at})"),
                };
                return Err(DecodeError::Undecodable {
                    name: name(),
                    offset: e.valid_up_to(),
                    tried,
                });
            }
        }
    };
    finish(name(), decoded)
}

/// `std::str::from_utf8`, validated with SIMD first: only invalid input
/// (whose error, with its offset, std reports) is validated twice.
fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => std::str::from_utf8(bytes),
    }
}

/// The checks every decoded text passes: not empty, no NUL characters.
fn finish(name: String, decoded: Decoded<'_>) -> Result<Decoded<'_>, DecodeError> {
    if decoded.text.trim().is_empty() {
        return Err(DecodeError::Empty { name });
    }
    // memchr's vectorised search (`str::find` reads a byte or two at a time).
    if let Some(offset) = memchr::memchr(0, decoded.text.as_bytes()) {
        return Err(DecodeError::Binary { name, offset });
    }
    Ok(decoded)
}

fn utf16_bom(bytes: &[u8]) -> Option<(&'static Encoding, SourceEncoding)> {
    match bytes.get(..2)? {
        [0xFF, 0xFE] => Some((UTF_16LE, SourceEncoding::Utf16Le)),
        [0xFE, 0xFF] => Some((UTF_16BE, SourceEncoding::Utf16Be)),
        _ => None,
    }
}

/// Decode with no replacement characters: the offset of the first
/// malformed byte sequence (or of a truncated one at the end) on failure.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .ok_or(0usize)?;
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(text),
        // The buffer was sized for the worst case.
        encoding_rs::DecoderResult::OutputFull => Err(read),
        encoding_rs::DecoderResult::Malformed(bad, unread) => {
            Err(read.saturating_sub(usize::from(bad) + usize::from(unread)))
        }
    }
}

/// Whether bytes that are valid GB18030 read like Chinese text rather than
/// like another encoding's bytes that happen to decode: at least 80 % of the
/// two-byte characters are in GB2312 (lead and trail bytes `A1`–`FE`), the
/// common characters and punctuation every Chinese text is mostly made of.
/// UTF-8 Chinese cut in the middle of a character, or Latin-1 text, decodes
/// as GB18030 too, but mostly into rare characters (trail bytes `80`–`A0`).
fn looks_like_gbk(bytes: &[u8]) -> bool {
    let (mut common, mut double) = (0usize, 0usize);
    let mut i = 0;
    while let Some(&lead) = bytes.get(i) {
        if lead < 0x80 {
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            // Four-byte GB18030 sequences: outside GBK, counted as uncommon.
            Some(b'0'..=b'9') => {
                double += 1;
                i += 4;
            }
            Some(&trail) => {
                double += 1;
                if (0xA1..=0xFE).contains(&lead) && (0xA1..=0xFE).contains(&trail) {
                    common += 1;
                }
                i += 2;
            }
            None => break,
        }
    }
    double > 0 && common * 5 >= double * 4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        encoding.encode(text).0.into_owned()
    }

    const TEXT: &str = "政府信息公开工作年度报告\n（一）主动公开政府信息情况\t0\t12\n";

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("a", TEXT.as_bytes()).unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), (TEXT, SourceEncoding::Utf8));
        assert!(matches!(d.text, Cow::Borrowed(_)));
        let bom = [b"\xEF\xBB\xBF".as_slice(), TEXT.as_bytes()].concat();
        let d = decode("a", &bom).unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), (TEXT, SourceEncoding::Utf8Bom));
    }

    #[test]
    fn utf16_with_bom_both_byte_orders() {
        let units: Vec<u16> = TEXT.encode_utf16().collect();
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(units.iter().flat_map(|u| u.to_le_bytes()))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(units.iter().flat_map(|u| u.to_be_bytes()))
            .collect();
        let d = decode("a", &le).unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), (TEXT, SourceEncoding::Utf16Le));
        let d = decode("a", &be).unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), (TEXT, SourceEncoding::Utf16Be));
        // A lone high surrogate, then a truncated unit.
        let mut broken = le.clone();
        broken.splice(4..4, [0x00, 0xD8, 0x41, 0x00]);
        assert_eq!(
            decode("a", &broken),
            Err(DecodeError::InvalidWithBom {
                name: "a".into(),
                encoding: "UTF-16LE",
                offset: 4
            })
        );
        let odd = &le[..le.len() - 1];
        assert!(matches!(
            decode("a", odd),
            Err(DecodeError::InvalidWithBom { offset, .. }) if offset == le.len() - 2
        ));
    }

    #[test]
    fn gbk_and_gb18030_are_decoded() {
        for encoding in [GB18030, encoding_rs::GBK] {
            let bytes = encode(encoding, TEXT);
            let d = decode("a", &bytes).unwrap();
            assert_eq!((d.text.as_ref(), d.encoding), (TEXT, SourceEncoding::Gb18030));
        }
    }

    #[test]
    fn utf8_cut_mid_character_is_not_taken_for_gbk() {
        // Cut after the first byte of 况 (three bytes in UTF-8).
        let at = TEXT.find('况').unwrap();
        let cut = &TEXT.as_bytes()[..at + 1];
        let e = decode("a", cut).unwrap_err();
        assert!(
            matches!(&e, DecodeError::Undecodable { offset, .. } if *offset == at),
            "{e:?}"
        );
        assert_eq!(
            miette::Diagnostic::code(&e).map(|c| c.to_string()),
            Some("nianbao::read::encoding".to_string())
        );
    }

    #[test]
    fn latin1_is_undecodable_not_chinese() {
        let bytes = encode(encoding_rs::WINDOWS_1252, "Année: réunion à Zürich, coût élevé\n");
        let e = decode("a", &bytes).unwrap_err();
        assert!(matches!(e, DecodeError::Undecodable { offset: 3, .. }), "{e:?}");
        assert!(e.to_string().contains("offset 3"), "{e}");
    }

    #[test]
    fn binary_and_empty_are_errors() {
        assert_eq!(
            decode("a", b"%!\x00\x01"),
            Err(DecodeError::Binary {
                name: "a".into(),
                offset: 2
            })
        );
        for empty in [&b""[..], b"\xEF\xBB\xBF", b" \n\t\r\n", b"\xFF\xFE"] {
            assert_eq!(
                decode("e.txt", empty),
                Err(DecodeError::Empty { name: "e.txt".into() }),
                "{empty:?}"
            );
        }
        // A NUL character spelled out in UTF-16 is binary too.
        assert!(matches!(
            decode("a", b"\xFF\xFEa\x00\x00\x00"),
            Err(DecodeError::Binary { offset: 1, .. })
        ));
    }
}
