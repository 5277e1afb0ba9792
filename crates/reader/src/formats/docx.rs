//! Word files (.docx): `word/document.xml` from the zip, read with
//! quick-xml into the shared document tree — paragraphs and tables in
//! document order; a cell continuing a vertical merge (`w:vMerge` without
//! `restart`) is printed once, by the cell that starts it, as a web page's
//! rowspan is; `w:gridSpan` needs nothing. Deleted text and field codes are
//! skipped. Findings are shown against the text rendering.

use super::{Kind, Node, MAX_DEPTH};
use nianbao_model::Span;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::io::Read;

/// The zip entry holding the main document.
const DOCUMENT: &str = "word/document.xml";

/// The main document's XML, or why it cannot be had.
pub(crate) fn document_xml(bytes: &[u8]) -> Result<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable zip archive ({e})"))?;
    if archive.index_for_name(DOCUMENT).is_none() {
        let has = |name: &str| archive.file_names().any(|n| n.eq_ignore_ascii_case(name));
        let what = if has("OFD.xml") {
            "an OFD document, which is not read: export it as PDF or .docx"
        } else if has("xl/workbook.xml") {
            "an Excel workbook, not a Word file"
        } else if has("content.xml") {
            "an OpenDocument file: save it as .docx"
        } else {
            "a zip archive that is not a Word file"
        };
        return Err(format!("no {DOCUMENT}: {what}"));
    }
    let mut entry = archive
        .by_name(DOCUMENT)
        .map_err(|e| format!("cannot open {DOCUMENT} ({e})"))?;
    let mut xml = String::new();
    entry
        .read_to_string(&mut xml)
        .map_err(|e| format!("cannot unpack {DOCUMENT} ({e})"))?;
    Ok(xml)
}

struct Open {
    kind: Kind,
    children: Vec<Node>,
    /// A `w:tc` continuing a vertical merge: dropped when closed.
    continuation: bool,
}

/// Element names (local) that open a node, and its kind.
fn kind_of(local: &[u8]) -> Option<Kind> {
    Some(match local {
        b"p" => Kind::Block,
        b"tbl" => Kind::Table,
        b"tr" => Kind::Row,
        b"tc" => Kind::Cell,
        _ => return None,
    })
}

/// Elements whose text is not the document's (deleted runs, field codes,
/// the fallback copy of alternate content, properties).
fn skipped(local: &[u8]) -> bool {
    matches!(
        local,
        b"delText" | b"instrText" | b"Fallback" | b"pPr" | b"rPr" | b"tblPr" | b"trPr" | b"tblGrid"
    )
}

fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// The document tree of `word/document.xml`.
pub(crate) fn parse(xml: &str) -> Result<Vec<Node>, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Open> = vec![Open {
        kind: Kind::Block,
        children: Vec::new(),
        continuation: false,
    }];
    // Depth inside skipped elements.
    let mut skip = 0usize;
    // Opened elements not pushed for being nested too deep.
    let mut too_deep = 0usize;
    let mut in_text = false;
    let text = |stack: &mut Vec<Open>, s: &str| {
        if let Some(top) = stack.last_mut() {
            top.children
                .push(Node::Text(s.chars().map(|c| (c, Span::new(0, 0))).collect()));
        }
    };
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "{DOCUMENT} is not well-formed XML at byte {} ({e})",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) => {
                let local = e.local_name();
                let local = local.as_ref();
                if skip > 0 || skipped(local) {
                    skip += 1;
                    continue;
                }
                if local == b"t" {
                    in_text = true;
                }
                if local == b"vMerge" {
                    mark_continuation(&mut stack, &e);
                }
                if let Some(kind) = kind_of(local) {
                    if stack.len() > MAX_DEPTH {
                        // Too deep: the content joins the current element.
                        too_deep += 1;
                        continue;
                    }
                    stack.push(Open {
                        kind,
                        children: Vec::new(),
                        continuation: false,
                    });
                }
            }
            Event::Empty(e) => {
                let local = e.local_name();
                let local = local.as_ref();
                if skip > 0 || skipped(local) {
                    continue;
                }
                match local {
                    b"vMerge" => mark_continuation(&mut stack, &e),
                    b"br" | b"cr" => {
                        if let Some(top) = stack.last_mut() {
                            top.children.push(Node::Element {
                                kind: Kind::Break,
                                children: Vec::new(),
                            });
                        }
                    }
                    b"tab" => {
                        if let Some(top) = stack.last_mut() {
                            top.children.push(Node::Element {
                                kind: Kind::Tab,
                                children: Vec::new(),
                            });
                        }
                    }
                    b"p" => {
                        if let Some(top) = stack.last_mut() {
                            top.children.push(Node::Element {
                                kind: Kind::Block,
                                children: Vec::new(),
                            });
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => {
                let local = e.local_name();
                let local = local.as_ref();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                if local == b"t" {
                    in_text = false;
                }
                if kind_of(local).is_some() && too_deep > 0 {
                    too_deep -= 1;
                    continue;
                }
                if kind_of(local).is_some() && stack.len() > 1 {
                    if let Some(open) = stack.pop() {
                        if let Some(top) = stack.last_mut() {
                            if !open.continuation {
                                top.children.push(Node::Element {
                                    kind: open.kind,
                                    children: open.children,
                                });
                            }
                        }
                    }
                }
            }
            Event::Text(t) if in_text && skip == 0 => {
                let s = t
                    .xml_content()
                    .map_err(|e| format!("{DOCUMENT}: undecodable text ({e})"))?;
                text(&mut stack, &s);
            }
            Event::GeneralRef(r) if in_text && skip == 0 => {
                let name = r
                    .decode()
                    .map_err(|e| format!("{DOCUMENT}: undecodable reference ({e})"))?;
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&name)
                        .map(str::to_string)
                        .ok_or_else(|| format!("{DOCUMENT}: unknown entity &{name};"))?,
                    Err(e) => return Err(format!("{DOCUMENT}: bad character reference ({e})")),
                };
                text(&mut stack, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    while stack.len() > 1 {
        if let Some(open) = stack.pop() {
            if let Some(top) = stack.last_mut() {
                top.children.push(Node::Element {
                    kind: open.kind,
                    children: open.children,
                });
            }
        }
    }
    Ok(stack.pop().map(|o| o.children).unwrap_or_default())
}

/// `w:vMerge` without `w:val="restart"` continues the cell above.
fn mark_continuation(stack: &mut [Open], e: &BytesStart<'_>) {
    let restart = attr(e, b"val").is_some_and(|v| v == "restart");
    if let Some(cell) = stack.iter_mut().rev().find(|o| o.kind == Kind::Cell) {
        cell.continuation = !restart;
    }
}
