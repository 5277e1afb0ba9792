//! Whatever the input, the reader answers (a report or a `ReadError`) and
//! never panics; every span it produces lies inside the text.

use nianbao_reader::{read_bytes, read_text};
use proptest::prelude::*;

const FIXTURES: [&str; 4] = [
    include_str!("../../../tests/fixtures/haiyan-jingxin-2023.txt"),
    include_str!("../../../tests/fixtures/hongze-2023-pypdf.txt"),
    include_str!("../../../tests/fixtures/sanmen-yanhai-2023.txt"),
    include_str!("../../../tests/fixtures/pingtan-2021-flattened.txt"),
];

/// Characters that matter to the reader: digits of both widths, separators,
/// numbering, brackets, label characters, units.
fn tricky_char() -> impl Strategy<Value = char> {
    prop::sample::select(
        "0123456789０１２３４５６７８９.．、,，-－—|｜\t\n\r *()（）一二三四五六七八九十第项规章行政许可总计其他不予公开年元件万\u{3000}\u{00A0}\u{200B}\u{FEFF}"
            .chars()
            .collect::<Vec<_>>(),
    )
}

fn assert_valid(text: &str) {
    let report = read_text("prop", text);
    assert_eq!(report.validate(), Ok(()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..1500)) {
        if let Ok(report) = read_bytes("prop", &bytes) {
            prop_assert_eq!(report.validate(), Ok(()));
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(text in ".{0,1000}") {
        assert_valid(&text);
    }

    #[test]
    fn tricky_strings_never_panic(chars in prop::collection::vec(tricky_char(), 0..1000)) {
        assert_valid(&chars.into_iter().collect::<String>());
    }

    /// Real reports with a slice cut out and tricky text pasted in.
    #[test]
    fn mutilated_fixtures_never_panic(
        which in 0..FIXTURES.len(),
        cut in any::<prop::sample::Index>(),
        len in 0usize..400,
        paste in prop::collection::vec(tricky_char(), 0..40),
    ) {
        let text = FIXTURES[which];
        let mut start = cut.index(text.len().max(1));
        while !text.is_char_boundary(start) { start -= 1; }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        let mutated = format!("{}{}{}", &text[..start], paste.into_iter().collect::<String>(), &text[end..]);
        assert_valid(&mutated);
    }
}

#[test]
fn json_prefix_that_is_no_report_is_an_error() {
    assert!(read_bytes("x", b"{ not json").is_err());
    assert!(read_bytes("x", b"\xff\xfe\x00").is_err());
    // An empty file is an error, not a report with every section missing.
    assert!(read_bytes("x", b"").is_err());
}
