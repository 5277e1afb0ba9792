//! `nianbao check --format html`: the audit page on real fixtures. The
//! snapshot is what a reviewer opens in a browser (read it); the other tests
//! check that the highlighted cell is the one that was changed, and that
//! report text is shown, never run.

mod check_support;

use check_support::*;

fn audit(args: &[&str], stdin: Option<&[u8]>) -> (i32, String) {
    let mut all = vec!["check", "--isolated", "--format", "html"];
    all.extend_from_slice(args);
    let o = nianbao(&all, stdin);
    let err = stderr(&o);
    assert!(err.is_empty(), "check wrote to stderr:\n{err}");
    (code(&o), stdout(&o))
}

/// The opening tag of the element with `id`.
fn tag_with_id<'h>(html: &'h str, id: &str) -> &'h str {
    let needle = format!("id=\"{id}\"");
    let at = html.find(&needle).unwrap_or_else(|| panic!("no element {id:?}"));
    let start = html[..at].rfind('<').expect("tag start");
    let end = at + html[at..].find('>').expect("tag end");
    &html[start..=end]
}

/// The page without its style sheet (the same on every page).
fn without_style(html: &str) -> String {
    match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) => format!("{}<style>…</style>{}", &html[..a], &html[b + "</style>".len()..]),
        _ => panic!("the page has its style sheet inline"),
    }
}

/// Two fixtures with findings: digits that ran together and could not be
/// split (pingtan), and group rows that give numbers of their own, label
/// variants and a missing header (haiyan).
#[test]
fn snapshots_of_reports_with_findings() {
    for name in ["pingtan-2021-flattened", "haiyan-jingxin-2023"] {
        let (exit, html) = audit(&[&format!("tests/fixtures/{name}.txt")], None);
        assert_eq!(exit, 0, "{name}: warnings only");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no external assets"
        );
        insta::assert_snapshot!(format!("{name}.html"), without_style(&html));
    }
}

#[test]
fn the_changed_cell_is_highlighted_with_the_message() {
    let path = fixtures_dir().join("jiaxing-jingxin-2022.txt");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let report = nianbao_reader::read_text("jiaxing.txt", &text);
    let cell = report
        .cell("requests", "new", "natural_person")
        .expect("cell read");
    let printed = &text[cell.span.offset..cell.span.end()];
    let bumped = (printed.parse::<u64>().expect("a count") + 1).to_string();
    let mutated = format!(
        "{}{bumped}{}",
        &text[..cell.span.offset],
        &text[cell.span.end()..]
    );
    let (exit, html) = audit(&["-"], Some(mutated.as_bytes()));
    assert_eq!(exit, 1, "an error is found");
    let td = tag_with_id(&html, "r1-requests-new-natural_person");
    assert!(td.contains("class=\"hit error"), "{td}");
    let cell_html = &html[html.find(td).expect("td")..];
    let cell_html = &cell_html[..cell_html.find("</td>").expect("td end")];
    assert!(cell_html.contains(&format!("</span>{bumped}</a>")), "{cell_html}");
    // The message is on the cell (hover/focus) and in the list it links to.
    let tip = &cell_html[cell_html.find("role=\"tooltip\"").expect("tip")..];
    assert!(tip.contains("× 错误："), "{tip}");
    let link = cell_html
        .split("href=\"#")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("link");
    let item = tag_with_id(&html, link);
    assert!(item.contains("finding error"), "{item}");
    // Cells no finding involves are not highlighted.
    let other = tag_with_id(&html, "r1-requests-granted-business");
    assert!(!other.contains("hit"), "{other}");
    // The other fixtures' values are drawn unchanged: the unchanged row total.
    let total = tag_with_id(&html, "r1-requests-carried_over-total");
    assert!(!total.contains("missing"), "{total}");
}

#[test]
fn report_text_with_markup_is_shown_not_run() {
    let text = std::fs::read_to_string(fixtures_dir().join("jiaxing-jingxin-2022.txt")).expect("fixture");
    let hostile = text
        .replacen(
            "嘉兴市经济和信息化局2022年度",
            "嘉兴市<script>alert('x')</script>经济和信息化局2022年度",
            1,
        )
        .replacen(
            "一、总体情况",
            "一、总体情况\n<img src=x onerror=\"alert(1)\">",
            1,
        );
    assert_ne!(hostile, text);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("<b>报告\".txt");
    std::fs::write(&file, hostile).expect("write");
    let (_, html) = audit(&[file.to_str().expect("UTF-8 path")], None);
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>报告"), "{html}");
    assert_eq!(html.matches("<script>").count(), 1, "the page's own script only");
    assert!(html.contains("&lt;b&gt;报告"), "the path is shown, escaped");
}

#[test]
fn a_batch_has_an_index_with_counts_per_report() {
    let (exit, html) = audit(
        &[
            "tests/fixtures/jiaxing-jingxin-2022.txt",
            "tests/fixtures/pingtan-2021-flattened.txt",
            "tests/fixtures/missing.txt",
        ],
        None,
    );
    assert_eq!(exit, 2, "one input cannot be read");
    let index = &html[html.find("<nav id=\"index\"").expect("index")..];
    let rows: Vec<&str> = index.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 3, "{index}");
    assert!(
        rows[0].contains("href=\"#r1\"") && rows[0].contains("jiaxing"),
        "{}",
        rows[0]
    );
    // pingtan: no finding; one row's digits could not be split (not read)
    // and three tables' cells were inferred: reading, not findings.
    assert!(
        rows[1].contains("<td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">0</td>")
            && rows[1].contains("（未能完整读取）"),
        "{}",
        rows[1]
    );
    assert!(rows[2].contains("（无法检查）"), "{}", rows[2]);
    assert!(html.contains("class=\"index sortable\""));
    assert!(tag_with_id(&html, "r3").contains("section"));
}
