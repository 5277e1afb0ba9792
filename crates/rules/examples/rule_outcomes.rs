//! Prints the outcome (rule set or rendered diagnostics) of compiling about
//! 9,700 mutations of the built-in rule files: truncations, deleted
//! characters and inserted tokens. Run it before and after a change to the
//! grammar, the parser or pest, and compare the outputs: they must be identical.
//!
//! `cargo run --release -p nianbao-rules --example rule_outcomes | md5sum`
use std::fmt::Write;
fn main() {
    let mut out = String::new();
    let sources = nianbao_rules::builtin_sources();
    let junk = [
        ")", "(", "+", " and ", "\"", "[", "]", "{", "}", "/", "#", " x ", "1", ",", ".",
    ];
    for s in &sources {
        let text = &s.text;
        let mut variants: Vec<String> = vec![text.clone()];
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for (k, &i) in bounds.iter().enumerate() {
            if k % 5 == 0 {
                variants.push(text[..i].to_string());
            }
            if k % 7 == 1 {
                let next = bounds.get(k + 1).copied().unwrap_or(text.len());
                variants.push(format!("{}{}", &text[..i], &text[next..]));
            }
            if k % 11 == 3 {
                let j = junk[k % junk.len()];
                variants.push(format!("{}{}{}", &text[..i], j, &text[i..]));
            }
        }
        for v in variants {
            let src = nianbao_rules::RuleSource {
                name: s.name.clone(),
                text: v,
            };
            match nianbao_rules::compile(std::slice::from_ref(&src)) {
                Ok(set) => {
                    let _ = writeln!(out, "OK {set:?}");
                }
                Err(e) => {
                    for r in &e.errors {
                        let _ = writeln!(out, "ERR {r:?}");
                    }
                }
            }
        }
    }
    print!("{out}");
}
