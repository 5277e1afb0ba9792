//! Web pages: html5gum's WHATWG tokenizer (with byte spans) and a small
//! tag-soup tree builder that knows what a report page needs — tables with
//! implied end tags, nested tables, `<br>`, blocks — and skips what is not
//! the page's text (`<head>`, `<script>`, `<style>`, comments).

use super::{Kind, Node, MAX_DEPTH};
use html5gum::{DefaultEmitter, Token, Tokenizer};
use nianbao_model::Span;

/// Elements whose content is never text of the report.
const SKIPPED: &[&str] = &[
    "head", "script", "style", "noscript", "template", "title", "svg", "object", "iframe", "select",
    "textarea", "button",
];

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr",
];

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "main",
    "aside",
    "blockquote",
    "pre",
    "center",
    "form",
    "fieldset",
    "address",
    "figure",
    "figcaption",
    "caption",
    "hr",
    "body",
    "html",
];

fn kind_of(name: &str) -> Kind {
    match name {
        "table" => Kind::Table,
        "tbody" | "thead" | "tfoot" => Kind::RowGroup,
        "tr" => Kind::Row,
        "td" | "th" => Kind::Cell,
        "br" => Kind::Break,
        _ if BLOCKS.contains(&name) => Kind::Block,
        _ => Kind::Inline,
    }
}

/// An open element while building.
struct Open {
    name: String,
    kind: Kind,
    children: Vec<Node>,
}

struct Builder {
    /// The stack of open elements; the bottom one is the document.
    stack: Vec<Open>,
    /// Inside a skipped element: its name and nesting depth.
    skipping: Option<(String, usize)>,
    /// Line ends in text outside tables end lines ([`parse_text`]).
    keep_lines: bool,
}

impl Builder {
    fn top(&mut self) -> &mut Vec<Node> {
        if self.stack.is_empty() {
            self.stack.push(Open {
                name: String::new(),
                kind: Kind::Block,
                children: Vec::new(),
            });
        }
        let last = self.stack.len() - 1;
        &mut self.stack[last].children
    }

    fn pop(&mut self) {
        if self.stack.len() > 1 {
            if let Some(open) = self.stack.pop() {
                let node = Node::Element {
                    kind: open.kind,
                    children: open.children,
                };
                self.top().push(node);
            }
        }
    }

    /// Close open elements down to (and including) the nearest `names`,
    /// without crossing an element in `boundary`.
    fn close(&mut self, names: &[&str], boundary: &[&str]) -> bool {
        let Some(pos) = self
            .stack
            .iter()
            .rposition(|o| names.contains(&o.name.as_str()) || boundary.contains(&o.name.as_str()))
        else {
            return false;
        };
        if pos == 0 || !names.contains(&self.stack[pos].name.as_str()) {
            return false;
        }
        while self.stack.len() > pos {
            self.pop();
        }
        true
    }

    fn start(&mut self, name: &str) {
        if let Some((skipped, depth)) = &mut self.skipping {
            if skipped == name {
                *depth += 1;
            }
            return;
        }
        if SKIPPED.contains(&name) {
            self.skipping = Some((name.to_string(), 1));
            return;
        }
        const TABLE: &[&str] = &["table"];
        match name {
            "td" | "th" => {
                self.close(&["td", "th"], TABLE);
                if !self.in_row() {
                    self.start_row();
                }
            }
            "tr" => {
                self.close(&["tr"], TABLE);
            }
            "tbody" | "thead" | "tfoot" => {
                self.close(&["tbody", "thead", "tfoot"], TABLE);
            }
            "p" | "li" | "dt" | "dd" => {
                self.close(&[name], &["table", "td", "th", "ul", "ol", "div"]);
            }
            _ => {}
        }
        if self.stack.len() > MAX_DEPTH && !VOID.contains(&name) {
            // Too deep: the content joins the current element.
            return;
        }
        if VOID.contains(&name) {
            self.top().push(Node::Element {
                kind: kind_of(name),
                children: Vec::new(),
            });
            return;
        }
        self.stack.push(Open {
            name: name.to_string(),
            kind: kind_of(name),
            children: Vec::new(),
        });
    }

    fn in_row(&self) -> bool {
        self.stack
            .iter()
            .rev()
            .find(|o| matches!(o.name.as_str(), "tr" | "table"))
            .is_some_and(|o| o.name == "tr")
    }

    fn start_row(&mut self) {
        self.stack.push(Open {
            name: "tr".to_string(),
            kind: Kind::Row,
            children: Vec::new(),
        });
    }

    fn end(&mut self, name: &str) {
        if let Some((skipped, depth)) = &mut self.skipping {
            if skipped == name {
                *depth -= 1;
                if *depth == 0 {
                    self.skipping = None;
                }
            }
            return;
        }
        if name == "br" {
            // `</br>` is read as `<br>` by browsers.
            self.start("br");
            return;
        }
        let boundary: &[&str] = match name {
            "table" => &[],
            "tr" | "td" | "th" | "tbody" | "thead" | "tfoot" => &["table"],
            _ => &["table", "td", "th"],
        };
        self.close(&[name], boundary);
    }

    fn text(&mut self, chars: Vec<(char, Span)>) {
        if self.skipping.is_some() || chars.is_empty() {
            return;
        }
        if self.keep_lines && chars.iter().any(|(c, _)| *c == '\n') && !self.in_table() {
            for (k, line) in chars.split(|(c, _)| *c == '\n').enumerate() {
                if k > 0 {
                    self.top().push(Node::Element {
                        kind: Kind::Break,
                        children: Vec::new(),
                    });
                }
                if !line.is_empty() {
                    self.top().push(Node::Text(line.to_vec()));
                }
            }
            return;
        }
        self.top().push(Node::Text(chars));
    }

    fn in_table(&self) -> bool {
        self.stack.iter().any(|o| o.name == "table")
    }

    fn finish(mut self) -> Vec<Node> {
        while self.stack.len() > 1 {
            self.pop();
        }
        self.stack.pop().map(|o| o.children).unwrap_or_default()
    }
}

/// Pair decoded text with the source bytes between two tags: characters
/// printed as themselves map to themselves, an entity (`&nbsp;`, `&#21517;`)
/// maps to its whole reference.
fn align(source: &str, start: usize, decoded: &str) -> Vec<(char, Span)> {
    let raw = source.get(start..).unwrap_or("");
    let mut src = raw.char_indices().peekable();
    let mut out = Vec::with_capacity(decoded.len());
    for c in decoded.chars() {
        // Line ends are normalised by the tokenizer: skip a CR.
        while let Some(&(_, '\r')) = src.peek() {
            if c == '\r' {
                break;
            }
            src.next();
        }
        match src.peek().copied() {
            Some((i, s)) if s == c => {
                src.next();
                out.push((c, Span::new(start + i, s.len_utf8())));
            }
            Some((i, '&')) => {
                let reference = raw.get(i..).unwrap_or("");
                let len = reference
                    .char_indices()
                    .skip(1)
                    .take(40)
                    .find(|(_, ch)| !(ch.is_ascii_alphanumeric() || *ch == '#'))
                    .map_or(reference.len(), |(k, ch)| if ch == ';' { k + 1 } else { k });
                while src.peek().is_some_and(|(k, _)| *k < i + len) {
                    src.next();
                }
                out.push((c, Span::new(start + i, len)));
            }
            other => {
                let at = other.map_or(start + raw.len(), |(i, _)| start + i);
                out.push((c, Span::new(at, 0)));
            }
        }
    }
    out
}

/// The document tree of an HTML page. Never fails: tag soup is read the
/// way browsers read it, as far as tables and text go.
pub(crate) fn parse(source: &str) -> Vec<Node> {
    parse_with(source, false)
}

/// The document tree of a text file holding HTML markup (a page's source
/// saved as text, tables pasted as markup among lines of text): read as a
/// page, but the text's own line ends outside tables still end lines.
pub(crate) fn parse_text(source: &str) -> Vec<Node> {
    parse_with(source, true)
}

fn parse_with(source: &str, keep_lines: bool) -> Vec<Node> {
    let mut emitter = DefaultEmitter::<usize>::new_with_span();
    emitter.naively_switch_states(true);
    let tokens = Tokenizer::new_with_emitter(source, emitter);
    let mut b = Builder {
        stack: Vec::new(),
        skipping: None,
        keep_lines,
    };
    // Text between two tags, decoded, and where it starts.
    let mut pending = String::new();
    let mut text_start = 0;
    let flush = |b: &mut Builder, pending: &mut String, text_start: usize| {
        if !pending.is_empty() {
            b.text(align(source, text_start, pending));
            pending.clear();
        }
    };
    for token in tokens {
        let Ok(token) = token;
        match token {
            Token::String(s) => {
                pending.push_str(&String::from_utf8_lossy(&s.value));
            }
            Token::StartTag(tag) => {
                flush(&mut b, &mut pending, text_start);
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                if hidden(&tag.attributes) && !VOID.contains(&name.as_str()) && b.skipping.is_none() {
                    // Text the browser does not show is not the report's.
                    b.skipping = Some((name.clone(), 1));
                } else {
                    b.start(&name);
                }
                text_start = tag.span.end;
                if tag.self_closing && !VOID.contains(&name.as_str()) {
                    b.end(&name);
                }
            }
            Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                let script = (name == "script"
                    && b.skipping.as_ref().is_some_and(|(n, d)| n == "script" && *d == 1))
                .then(|| source.get(text_start..tag.span.start))
                .flatten();
                flush(&mut b, &mut pending, text_start);
                b.end(&name);
                if let Some(code) = script {
                    for (markup, map) in markup_strings(code, text_start) {
                        let mut nodes = parse_with(&markup, false);
                        remap(&mut nodes, &map);
                        b.top().extend(nodes);
                    }
                }
                text_start = tag.span.end;
            }
            Token::Comment(c) => {
                flush(&mut b, &mut pending, text_start);
                text_start = c.span.end;
            }
            Token::Doctype(d) => {
                flush(&mut b, &mut pending, text_start);
                text_start = d.span.end;
            }
            Token::Error(_) => {}
        }
    }
    flush(&mut b, &mut pending, text_start);
    b.finish()
}

/// The string literals of a script (`code`, at byte `base` of the page)
/// that hold table markup: pages that draw their article from a script
/// (`var content = "<table class=\"t\">…"`). Each is decoded, with the
/// page offset of each of its bytes and of its end.
fn markup_strings(code: &str, base: usize) -> Vec<(String, Vec<usize>)> {
    let mut out = Vec::new();
    let mut chars = code.char_indices().peekable();
    while let Some((_, quote)) = chars.next() {
        if !matches!(quote, '"' | '\'' | '`') {
            continue;
        }
        let mut decoded = String::new();
        let mut map = Vec::new();
        let mut closed = false;
        while let Some((i, c)) = chars.next() {
            if c == quote {
                map.push(base + i);
                closed = true;
                break;
            }
            let c = if c == '\\' {
                match chars.next() {
                    Some((_, 'n')) => '\n',
                    Some((_, 't')) => '\t',
                    Some((_, 'r')) => '\r',
                    Some((_, 'u')) => hex_char(&mut chars, 4).unwrap_or('\u{FFFD}'),
                    Some((_, 'x')) => hex_char(&mut chars, 2).unwrap_or('\u{FFFD}'),
                    Some((_, other)) => other,
                    None => break,
                }
            } else {
                c
            };
            let at = decoded.len();
            decoded.push(c);
            map.extend(std::iter::repeat_n(base + i, decoded.len() - at));
        }
        if closed && (decoded.contains("<td") || decoded.contains("<TD")) {
            out.push((decoded, map));
        }
    }
    out
}

/// The character of the next `digits` hex digits.
fn hex_char(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, digits: usize) -> Option<char> {
    let mut n = 0u32;
    for _ in 0..digits {
        let d = chars.next_if(|(_, c)| c.is_ascii_hexdigit())?.1.to_digit(16)?;
        n = n * 16 + d;
    }
    char::from_u32(n)
}

/// Spans of nodes parsed from decoded text moved to the page: `map` gives
/// each decoded byte's page offset, and the end's.
fn remap(nodes: &mut [Node], map: &[usize]) {
    let at = |k: usize| map.get(k).or(map.last()).copied().unwrap_or(0);
    for n in nodes {
        match n {
            Node::Text(chars) => {
                for (_, s) in chars.iter_mut() {
                    let (a, b) = (at(s.offset), at(s.end()));
                    *s = Span::from_range(a, b.max(a));
                }
            }
            Node::Element { children, .. } => remap(children, map),
        }
    }
}

/// Whether an element's attributes hide it (`hidden`, `display: none`).
fn hidden<V>(attributes: &std::collections::BTreeMap<html5gum::HtmlString, V>) -> bool
where
    V: std::ops::Deref<Target = html5gum::HtmlString>,
{
    attributes.iter().any(|(k, v)| {
        let key: &[u8] = k;
        let value: String = String::from_utf8_lossy(v)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        key == b"hidden" || (key == b"style" && value.to_ascii_lowercase().contains("display:none"))
    })
}

/// Whether bytes look like an HTML page or fragment.
pub(crate) fn sniff(text: &str) -> bool {
    let head: String = text
        .trim_start()
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "<!doctype html",
        "<html",
        "<table",
        "<body",
        "<head",
        "<meta",
        "<div",
        "<p>",
        "<p ",
    ]
    .iter()
    .any(|m| head.contains(m))
}
