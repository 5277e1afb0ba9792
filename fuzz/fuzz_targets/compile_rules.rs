//! The rule language: parser and checker on any text (one rule file).
//! Diagnostics are fine, and must render; compiled rules' tests must run.
#![no_main]

use nianbao_rules::RuleSource;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = RuleSource {
        name: "fuzz.rules".to_string(),
        text: text.to_string(),
    };
    match nianbao_rules::compile(std::slice::from_ref(&source)) {
        Ok(set) => {
            // Rule tests of a compiled file run like `nianbao rules test`.
            let _ = nianbao_engine::eval::cases::run_tests(&set);
        }
        Err(errors) => {
            // Diagnostics render with their labels inside the file.
            let handler =
                miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
            for e in &errors.errors {
                let mut out = String::new();
                handler
                    .render_report(&mut out, e.as_ref())
                    .unwrap_or_else(|err| panic!("a rule diagnostic does not render: {err}"));
            }
        }
    }
});
