//! `docs/rules.md` cannot drift from the rules: its table of rule ids is the
//! output of `nianbao rules list --markdown`, and every example of a built-in
//! rule or test in it is that rule's or test's text in `rules/` (an example
//! may leave lines out, marked `…`, shorten a line with `…` in its place,
//! and add comments after `#`).
//! `NIANBAO_UPDATE_DOCS=1 cargo test --test docs` rewrites the table.

use std::path::Path;
use std::process::Command;

const DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
const BEGIN: &str = "<!-- rule table: begin (generated) -->\n";
const END: &str = "<!-- rule table: end -->";

#[test]
fn the_rule_table_is_the_registry() {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["rules", "list", "--markdown"])
        .output()
        .expect("nianbao runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8(out.stdout).expect("UTF-8");
    let docs = std::fs::read_to_string(DOCS).expect("docs/rules.md");
    let start = docs.find(BEGIN).expect("the table's begin marker") + BEGIN.len();
    let end = start + docs[start..].find(END).expect("the table's end marker");
    if docs[start..end] == table {
        return;
    }
    if std::env::var_os("NIANBAO_UPDATE_DOCS").is_some() {
        let updated = format!("{}{table}{}", &docs[..start], &docs[end..]);
        let tmp = Path::new(DOCS).with_extension("md.tmp");
        std::fs::write(&tmp, updated).expect("write");
        std::fs::rename(&tmp, DOCS).expect("rename");
        return;
    }
    panic!(
        "docs/rules.md's rule table is out of date; run NIANBAO_UPDATE_DOCS=1 cargo test --test docs\n\
         expected:\n{table}"
    );
}

#[test]
fn examples_of_built_in_rules_are_their_text() {
    let sources = nianbao_rules::builtin_sources();
    let set = nianbao_rules::compile(&sources).expect("the built-in rules compile");
    let text_of = |file: &str, span: nianbao_rules::ast::SrcSpan| -> String {
        let source = sources.iter().find(|s| s.name == file).expect("the rule's file");
        source.text[span.start..span.end].to_string()
    };
    let docs = std::fs::read_to_string(DOCS).expect("docs/rules.md");
    let mut checked = 0;
    for item in example_items(&docs) {
        let mut words = item[0].split_whitespace();
        let (kind, id) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        let written: Vec<String> = match kind {
            "rule" => match set.rule(id) {
                Some(rule) => vec![text_of(&rule.file, rule.block)],
                None => continue,
            },
            _ if set.rule(id).is_some() => set
                .tests
                .iter()
                .filter(|t| t.rule == id)
                .map(|t| text_of(&t.file, t.span))
                .collect(),
            _ => continue,
        };
        checked += 1;
        // Every line the example shows is a line of one block, in order.
        let shown: Vec<&str> = item
            .iter()
            .map(|line| strip_comment(line))
            .filter(|line| !line.trim().is_empty() && line.trim() != "…")
            .collect();
        let found = written.iter().any(|block| {
            let mut lines = block.lines().map(str::trim_end);
            shown
                .iter()
                .all(|want| lines.any(|line| abridges(want.trim_end(), line)))
        });
        assert!(
            found,
            "docs/rules.md shows {kind} {id} as\n{}\nbut rules/ has\n{}",
            item.join("\n"),
            written.join("\n")
        );
    }
    assert!(checked >= 8, "only {checked} examples found");
}

/// The `rule …`/`test …` items of the Markdown's fenced blocks, as lines.
fn example_items(docs: &str) -> Vec<Vec<&str>> {
    let mut items = Vec::new();
    let mut in_block = false;
    let mut current: Option<Vec<&str>> = None;
    for line in docs.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(item) = current.as_mut() {
            item.push(line);
            if line == "}" {
                items.extend(current.take());
            }
        } else if line.starts_with("rule ") || line.starts_with("test ") {
            if line.ends_with('}') {
                items.push(vec![line]);
            } else {
                current = Some(vec![line]);
            }
        }
    }
    items
}

/// Whether `shown` is `line`, or `line` with parts left out where `shown`
/// has `…` (spaces around it are the docs' own).
fn abridges(shown: &str, line: &str) -> bool {
    if !shown.contains('…') {
        return shown == line;
    }
    let mut parts = shown.split('…').map(|part| part.trim_matches(' '));
    let indent = &shown[..shown.len() - shown.trim_start().len()];
    let first = format!("{indent}{}", parts.next().unwrap_or(""));
    let Some(mut rest) = line.strip_prefix(first.as_str()) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// A line without a trailing `# comment` the docs add (a `#` in a string or
/// pattern is kept: comments follow two spaces).
fn strip_comment(line: &str) -> &str {
    match line.find("  #") {
        Some(at) => line[..at].trim_end(),
        None => line,
    }
}
