//! Variants of the real fixtures, built in code: what the reader reads or
//! reports when a number changes, a row or a value goes missing, the layout
//! changes, or cells hold what is not a plain number.

use nianbao_model::{CellValue, Format, LabelMatch, ProblemKind, Report};
use nianbao_reader::read_text;
use std::path::Path;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every cell as (table, row, column, value).
fn cells(r: &Report) -> Vec<(String, String, String, CellValue)> {
    let mut out = Vec::new();
    for (t, table) in &r.tables {
        for (rid, row) in &table.rows {
            for (c, cell) in &row.cells {
                out.push((t.clone(), rid.to_string(), c.to_string(), cell.value.clone()));
            }
        }
    }
    out
}

fn value(r: &Report, t: &str, row: &str, c: &str) -> Option<CellValue> {
    r.cell(t, row, c).map(|c| c.value.clone())
}

fn kinds(r: &Report) -> Vec<(ProblemKind, Option<String>)> {
    r.problems.iter().map(|p| (p.kind, p.row.clone())).collect()
}

/// Replace the one occurrence of `from` (asserting there is exactly one).
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

#[test]
fn a_changed_number_is_read_and_nothing_else_moves() {
    let text = fixture("haiyan-jingxin-2023.txt");
    let base = read_text("haiyan", &text);
    let changed = replace_once(&text, "行政规范性文件\t1\t5\t4", "行政规范性文件\t1\t15\t4");
    let r = read_text("haiyan", &changed);
    assert_eq!(
        value(&r, "disclosure", "normative_docs", "repealed"),
        Some(CellValue::Integer(15))
    );
    let differing: Vec<_> = cells(&base)
        .into_iter()
        .zip(cells(&r))
        .filter(|(a, b)| a != b)
        .map(|(a, _)| (a.1, a.2))
        .collect();
    assert_eq!(
        differing,
        [("normative_docs".to_string(), "repealed".to_string())]
    );
    assert_eq!(r.problems, vec![]);
}

#[test]
fn a_deleted_row_is_a_missing_row_problem() {
    let text = fixture("haiyan-jingxin-2023.txt");
    let deleted = replace_once(&text, "2.重复申请\t0\t0\t0\t0\t0\t0\t0\n", "");
    let r = read_text("haiyan", &deleted);
    assert_eq!(
        kinds(&r),
        [(
            ProblemKind::MissingRow,
            Some("not_processed.duplicate".to_string())
        )]
    );
    let p = &r.problems[0];
    assert_eq!(p.table.as_deref(), Some("requests"));
    assert!(p.span.is_some());
    assert!(r.tables["requests"].rows.get("not_processed.duplicate").is_none());
    // The neighbours keep their own values.
    assert!(r.cell("requests", "not_processed.publication", "total").is_some());

    // Same in the one-cell-per-line layout.
    let text = fixture("jiaxing-jingxin-2022.txt");
    let deleted = replace_once(
        &text,
        "2.没有现成信息需要另行制作\n\n1\n\n0\n\n0\n\n0\n\n0\n\n0\n\n1\n\n",
        "",
    );
    let r = read_text("jiaxing", &deleted);
    assert_eq!(
        kinds(&r),
        [(ProblemKind::MissingRow, Some("unable.needs_creation".to_string()))]
    );
    assert_eq!(
        value(&r, "requests", "unable.unclear", "total"),
        Some(CellValue::Integer(0))
    );
}

#[test]
fn a_missing_value_is_missing_cells_and_the_row_is_not_guessed() {
    let text = fixture("haiyan-jingxin-2023.txt");
    let short = replace_once(&text, "3.其他\t0\t0\t0\t0\t0\t0\t0", "3.其他\t0\t0\t0\t0\t0\t0");
    let r = read_text("haiyan", &short);
    assert_eq!(
        kinds(&r),
        [(ProblemKind::MissingCells, Some("other.other".to_string()))]
    );
    let row = &r.tables["requests"].rows["other.other"];
    assert!(row.cells.is_empty(), "no cell is guessed");
    assert!(row.label.is_some());
    // The next row is untouched.
    assert_eq!(
        value(&r, "requests", "total", "natural_person"),
        Some(CellValue::Integer(0))
    );

    // One value too many.
    let long = replace_once(&text, "规章\t0\t0\t0", "规章\t0\t0\t0\t0");
    let r = read_text("haiyan", &long);
    assert_eq!(
        kinds(&r),
        [(ProblemKind::ExtraCells, Some("regulations".to_string()))]
    );
}

/// jiaxing prints one cell per line; rebuild its table rows with every other
/// separator and read the same cells.
fn jiaxing_rows_joined(sep: &str) -> String {
    let text = fixture("jiaxing-jingxin-2022.txt");
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let is_number = line.trim().chars().all(|c| c.is_ascii_digit());
        match out.last_mut() {
            Some(prev) if is_number => {
                prev.push_str(sep);
                prev.push_str(line.trim());
            }
            _ => out.push(line.to_string()),
        }
    }
    out.join("\n")
}

#[test]
fn layouts_mixed_read_the_same_cells() {
    let base = read_text("jiaxing", &fixture("jiaxing-jingxin-2022.txt"));
    assert_eq!(cells(&base).len(), 200);
    for sep in ["\t", " | ", "   ", " ", "\t\t"] {
        let r = read_text("jiaxing", &jiaxing_rows_joined(sep));
        assert_eq!(cells(&r), cells(&base), "separator {sep:?}");
        assert_eq!(r.problems, vec![], "separator {sep:?}");
    }
    // Pipe table rows with a leading pipe and empty trailing cells.
    let piped: String = jiaxing_rows_joined(" | ")
        .lines()
        .map(|l| format!("| {l} | | |\n"))
        .collect();
    let r = read_text("jiaxing", &piped);
    assert_eq!(cells(&r), cells(&base));
}

#[test]
fn vertical_labels_page_furniture_and_full_width_digits() {
    let text = fixture("jiaxing-jingxin-2022.txt");
    // 三、本年度办理结果 one character per line, a page number inside the
    // table, full-width digits in a row, and bold markers.
    let vertical: String = "三、本年度办理结果".chars().map(|c| format!("{c}\n")).collect();
    let t = replace_once(&text, "三、本年度办理结果\n", &vertical);
    let t = replace_once(&t, "(二)部分公开", "- 5 -\n\n(二)部分公开");
    let t = replace_once(&t, "(一)予以公开\n\n3\n", "**(一)予以公开**\n\n**３**\n");
    let r = read_text("jiaxing", &t);
    let base = read_text("jiaxing", &text);
    assert_eq!(cells(&r), cells(&base));
    assert_eq!(r.problems, vec![]);
    let granted = r.cell("requests", "granted", "natural_person").unwrap();
    assert_eq!(granted.span.slice(&t), Some("３"));
    let results = r.tables["requests"]
        .headers
        .iter()
        .find(|h| h.target == "results");
    assert!(results.is_some_and(|h| h.text.contains('\n')));
}

#[test]
fn a_row_broken_across_lines_with_a_running_header_between() {
    let text = fixture("haiyan-jingxin-2023.txt");
    let t = replace_once(
        &text,
        "1.信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0",
        "1.信访举报投诉类申请\t0\t0\t0\n海盐县经济和信息化局2023年度政府信息公开工作年度报告\n- 3 -\n0\t0\t0\t0",
    );
    let r = read_text("haiyan", &t);
    assert_eq!(r.problems, vec![]);
    assert_eq!(cells(&r), cells(&read_text("haiyan", &text)));
}

#[test]
fn blank_text_and_overflowing_cells_are_kept_as_printed() {
    let text = fixture("haiyan-jingxin-2023.txt");
    let t = replace_once(&text, "规章\t0\t0\t0", "规章\t0\t\t0");
    let t = replace_once(&t, "行政事业性收费\t0", "行政事业性收费\t251000元");
    let t = replace_once(&t, "行政许可\t0", "行政许可\t99999999999999999999999");
    let r = read_text("haiyan", &t);
    assert_eq!(
        value(&r, "disclosure", "regulations", "repealed"),
        Some(CellValue::Blank)
    );
    assert_eq!(
        value(&r, "disclosure", "fees", "amount"),
        Some(CellValue::Text("251000元".into()))
    );
    assert_eq!(
        value(&r, "disclosure", "licensing", "decisions"),
        Some(CellValue::Text("99999999999999999999999".into()))
    );
    assert_eq!(
        kinds(&r),
        [
            (ProblemKind::NumberOverflow, Some("licensing".to_string())),
            (ProblemKind::UnreadableCell, Some("fees".to_string())),
        ]
    );
}

#[test]
fn amounts_are_decimals_with_their_printed_scale() {
    let text = fixture("hongze-2023-pypdf.txt");
    let r = read_text("hongze", &text);
    let CellValue::Decimal(d) = value(&r, "disclosure", "fees", "amount").unwrap() else {
        panic!("amount is a decimal")
    };
    assert_eq!(d.to_string(), "7730.28");
    let t = replace_once(&text, "行政事业性收费 7730.28", "行政事业性收费 7730.20");
    let r = read_text("hongze", &t);
    assert_eq!(
        value(&r, "disclosure", "fees", "amount").map(|v| v.to_string()),
        Some("7730.20".into())
    );
}

#[test]
fn typos_and_wording_variants_are_matched_and_recorded() {
    let text = fixture("haiyan-jingxin-2023.txt");
    let t = replace_once(&text, "1.属于国家秘密", "1.属于国家秘蜜");
    let r = read_text("haiyan", &t);
    assert_eq!(r.problems, vec![]);
    let label = r.tables["requests"].rows["denied.state_secret"]
        .label
        .clone()
        .unwrap();
    assert_eq!(label.matched, LabelMatch::Approximate { distance: 1 });
    // haiyan's own variants: 本年度止件数, and the fees header that names
    // another column.
    let r = read_text("haiyan", &text);
    let headers = &r.tables["disclosure"].headers;
    let repealed = headers.iter().find(|h| h.target == "repealed").unwrap();
    assert_eq!(
        repealed.matched,
        LabelMatch::Variant {
            variant: "本年度止件数".into()
        }
    );
    let amount = headers.iter().find(|h| h.target == "amount").unwrap();
    assert_eq!(
        amount.matched,
        LabelMatch::Different {
            other: Some("decisions".into())
        }
    );
    assert!(!r.tables["requests"].headers.iter().any(|h| h.target == "results"));
    // hongze's "2.其他法律行政止公开" is three edits from the template.
    let r = read_text("hongze", &fixture("hongze-2023-pdfplumber.txt"));
    let l = r.tables["requests"].rows["denied.law_prohibits"]
        .label
        .clone()
        .unwrap();
    assert_eq!(l.matched, LabelMatch::Approximate { distance: 3 });
}

#[test]
fn a_label_far_from_the_template_is_placed_by_the_order_of_rows() {
    let text = fixture("haiyan-jingxin-2023.txt");
    let t = replace_once(&text, "4.保护第三方合法权益", "4.随便什么别的内容");
    let r = read_text("haiyan", &t);
    // Between rows 3 and 5 of the group, with 7 values: the template's row 4,
    // its label marked as told by position; nothing left unread.
    assert!(kinds(&r).is_empty(), "{:?}", kinds(&r));
    assert_eq!(cells(&r), cells(&read_text("haiyan", &text)));
    let l = r.tables["requests"].rows["denied.third_party"]
        .label
        .clone()
        .unwrap();
    assert_eq!(l.matched, LabelMatch::Different { other: None });
    assert_eq!(l.text, "4.随便什么别的内容");
    // The row before keeps exactly its own 7 values.
    assert_eq!(r.tables["requests"].rows["denied.three_safeties"].cells.len(), 7);
    // Two rows garbled side by side: which values are whose is not known
    // from the order alone, so neither is placed and neither is said missing.
    let t = replace_once(&t, "5.属于三类内部事务信息", "5.另一段无关文字");
    let r = read_text("haiyan", &t);
    let k = kinds(&r);
    assert!(k.contains(&(ProblemKind::UnknownLabel, None)), "{k:?}");
    assert!(
        k.contains(&(ProblemKind::RowNotRead, Some("denied.third_party".to_string()))),
        "{k:?}"
    );
    assert!(
        !k.iter().any(|(kind, _)| *kind == ProblemKind::MissingRow),
        "{k:?}"
    );
}

#[test]
fn the_2019_format_is_detected() {
    let text = fixture("haiyan-jingxin-2023.txt");
    let t = replace_once(
        &text,
        "信息内容\t本年制发件数\t本年度止件数\t现行有效件数",
        "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
    );
    let t = replace_once(
        &t,
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0\n",
        "",
    );
    let t = replace_once(
        &t,
        "2.申请人逾期未按要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0\n",
        "",
    );
    let t = replace_once(&t, "3.其他\t0\t0\t0\t0\t0\t0\t0\n", "");
    let r = read_text("haiyan-2019", &t);
    assert_eq!(r.format, Format::V2019);
    assert_eq!(
        value(&r, "disclosure", "normative_docs", "new_published"),
        Some(CellValue::Integer(5))
    );
    assert_eq!(
        value(&r, "requests", "other", "total"),
        Some(CellValue::Integer(0))
    );
}

#[test]
fn a_2021_report_with_other_as_one_row_reads_it_as_other() {
    // hongze prints （六）其他处理 with numbers and no sub-rows: read as
    // `other`, sub-rows not reported missing (the group stands for them).
    let r = read_text("hongze", &fixture("hongze-2023-pypdf.txt"));
    assert_eq!(r.format, Format::V2021);
    assert_eq!(r.tables["requests"].rows["other"].cells.len(), 7);
    assert!(r.tables["requests"].rows.get("other.other").is_none());
    assert_eq!(r.problems, vec![]);
}

#[test]
fn missing_section_heading_still_reads_the_table() {
    let text = fixture("sanmen-yanhai-2023.txt");
    let t = replace_once(&text, "三、收到和处理政府信息公开申请情况\n", "");
    let r = read_text("sanmen", &t);
    assert_eq!(kinds(&r), [(ProblemKind::MissingSection, None)]);
    assert_eq!(r.problems[0].section.as_deref(), Some("requests"));
    assert_eq!(cells(&r), cells(&read_text("sanmen", &text)));
    // The review heading, and then both.
    let t = replace_once(&text, "四、政府信息公开行政复议、行政诉讼情况\n", "");
    let r = read_text("sanmen", &t);
    assert_eq!(kinds(&r), [(ProblemKind::MissingSection, None)]);
    assert_eq!(cells(&r), cells(&read_text("sanmen", &text)));
    let t = replace_once(&t, "三、收到和处理政府信息公开申请情况\n", "");
    let r = read_text("sanmen", &t);
    assert_eq!(
        kinds(&r),
        [
            (ProblemKind::MissingSection, None),
            (ProblemKind::MissingSection, None)
        ]
    );
    assert_eq!(cells(&r), cells(&read_text("sanmen", &text)));
}

#[test]
fn json_report_round_trips_through_read_bytes() {
    let r = read_text("jiaxing", &fixture("jiaxing-jingxin-2022.txt"));
    let json = serde_json::to_vec(&r).unwrap();
    let back = nianbao_reader::read_bytes("jiaxing.json", &json).unwrap();
    assert_eq!(back, r);
    // With a BOM the text reads the same.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(fixture("jiaxing-jingxin-2022.txt").as_bytes());
    let with_bom = nianbao_reader::read_bytes("jiaxing", &bom).unwrap();
    assert_eq!(cells(&with_bom), cells(&r));
    // JSON that is no report is an error, not an empty report.
    assert!(nianbao_reader::read_bytes("x.json", b"{\"a\": 1}").is_err());
}

#[test]
fn a_label_cut_short_by_its_numbers_with_the_rest_wrapped_below() {
    // pdftotext -layout puts a wrapped label's second line under the numbers.
    let text = fixture("hongze-2023-pypdf.txt");
    let t = replace_once(
        &text,
        "（二）部分公开（区分处理的，只计这一情 形，不\n计其他情形） 4 0 0 0 0 0 4",
        "（二）部分公开（区分处理的，只计这一情形，    4    0    0    0    0    0    4\n不计其他情形）",
    );
    let r = read_text("hongze", &t);
    assert_eq!(r.problems, vec![]);
    assert_eq!(cells(&r), cells(&read_text("hongze", &text)));
    let l = r.tables["requests"].rows["partial"].label.clone().unwrap();
    assert!(l.text.ends_with("只计这一情形，"), "{}", l.text);
    // Too short a start is not taken for a label; its row is placed by the
    // order of rows, and what stood there, a piece of the table's wording,
    // is marked a fragment: not the report's wording, not a typo of it.
    let t = replace_once(&text, "（七）总计 21", "（七）总 21");
    let r = read_text("hongze", &t);
    assert!(kinds(&r).is_empty(), "{:?}", kinds(&r));
    assert_eq!(cells(&r), cells(&read_text("hongze", &text)));
    let l = r.tables["requests"].rows["total"].label.clone().unwrap();
    assert_eq!(l.matched, LabelMatch::Fragment);
}

#[test]
fn markdown_headings_and_a_title_year_in_chinese_numerals() {
    let text = fixture("zhenhai-jingxin-2023.txt");
    let t = replace_once(
        &text,
        "宁波市镇海区经济和信息化局\n\n2023年度",
        "宁波市镇海区经济和信息化局二〇二三年度",
    );
    let t = replace_once(&t, "一、总体情况", "## **一、总体情况**");
    let t = replace_once(&t, "二、主动公开政府信息情况", "### 二、主动公开政府信息情况");
    let r = read_text("zhenhai", &t);
    assert_eq!(r.problems, vec![]);
    assert_eq!(r.metadata.year.as_ref().map(|y| y.value), Some(2023));
    assert_eq!(
        r.metadata.body.as_ref().map(|b| b.value.as_str()),
        Some("宁波市镇海区经济和信息化局")
    );
    assert_eq!(
        r.sections["overview"].heading.as_ref().map(|h| h.text.as_str()),
        Some("一、总体情况")
    );
    assert_eq!(cells(&r), cells(&read_text("zhenhai", &text)));
}

#[test]
fn a_2019_disclosure_table_with_signed_changes_and_procurement() {
    let text = fixture("haiyan-jingxin-2023.txt");
    let start = text.find("第二十条第(一)项").unwrap();
    let end = text.find("收到和处理政府信息公开申请情况").unwrap();
    let disclosure_2019 = "第二十条第（一）项\n\
        信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量\n\
        规章 | 0 | 0 | 0\n\
        规范性文件 | 2 | 2 | 15\n\
        第二十条第（五）项\n\
        信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量\n\
        行政许可 | 10 | -1 | 50\n\
        其他对外管理服务事项 | 0 | 0 | 0\n\
        第二十条第（六）项\n\
        信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量\n\
        行政处罚 | 3 | 0 | 120\n\
        行政强制 | 1 | 1 | 4\n\
        第二十条第（八）项\n\
        信息内容 | 上一年项目数量 | 本年增/减\n\
        行政事业性收费 | 2 | 0\n\
        第二十条第（九）项\n\
        信息内容 | 采购项目数量 | 采购总金额\n\
        政府集中采购 | 5 | 123.45\n\n";
    let t = format!("{}{}{}", &text[..start], disclosure_2019, &text[end..]);
    // 2019 requests: （六）其他处理 is one row.
    let t = t
        .lines()
        .filter(|l| {
            !l.starts_with("1.申请人无正当理由") && !l.starts_with("2.申请人逾期") && !l.starts_with("3.其他")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let r = read_text("2019", &t);
    assert_eq!(r.format, Format::V2019);
    assert_eq!(r.problems, vec![]);
    assert_eq!(
        value(&r, "disclosure", "normative_docs", "total_published"),
        Some(CellValue::Integer(15))
    );
    assert_eq!(
        value(&r, "disclosure", "licensing", "change"),
        Some(CellValue::Integer(-1))
    );
    assert_eq!(
        value(&r, "disclosure", "fees", "prev_items"),
        Some(CellValue::Integer(2))
    );
    assert_eq!(
        value(&r, "disclosure", "procurement", "amount").map(|v| v.to_string()),
        Some("123.45".into())
    );
    assert_eq!(r.tables["disclosure"].rows.len(), 8);
    assert_eq!(r.tables["requests"].rows["other"].cells.len(), 7);
    let change = r.tables["disclosure"]
        .headers
        .iter()
        .find(|h| h.target == "change")
        .unwrap();
    assert_eq!(change.matched, LabelMatch::Exact);
}

#[test]
fn a_group_label_lost_over_its_read_sub_rows_is_no_missing_row() {
    // The 2021 format's group labels carry no numbers: with their sub-rows
    // read, the label is a heading over them (rules/structure.rules reports
    // its absence as wording), never a missing row.
    let text = fixture("hongze-2023-pypdf.txt");
    let t = replace_once(&text, "（四）无法提供\n", "");
    let r = read_text("hongze", &t);
    assert!(kinds(&r).is_empty(), "{:?}", kinds(&r));
    assert_eq!(cells(&r), cells(&read_text("hongze", &text)));
    // A group with numbers of its own (haiyan): its sub-rows stand for it.
    let text = fixture("haiyan-jingxin-2023.txt");
    let t = replace_once(&text, "(三) 不予公开\t0\t0\t0\t0\t0\t0\t0\n", "");
    let r = read_text("haiyan", &t);
    assert!(kinds(&r).is_empty(), "{:?}", kinds(&r));
    // A group whose sub-rows went with it is missing.
    let text = fixture("hongze-2023-pypdf.txt");
    let start = text.find("（四）无法提供").unwrap();
    let end = text.find("（五）不予处理").unwrap();
    let t = format!("{}{}", &text[..start], &text[end..]);
    let r = read_text("hongze", &t);
    let k = kinds(&r);
    for row in [
        "unable",
        "unable.not_held",
        "unable.needs_creation",
        "unable.unclear",
    ] {
        assert!(
            k.contains(&(ProblemKind::MissingRow, Some(row.to_string()))),
            "{row}: {k:?}"
        );
    }
}

#[test]
fn flattened_rows_are_split_by_their_arithmetic() {
    // pingtan's web page ran every table's cells together (issue 9): rows are
    // split where the row and column arithmetic leaves one way, else reported.
    let text = fixture("pingtan-2021-flattened.txt");
    let r = read_text("pingtan", &text);
    let truth = fixture("pingtan-2021-flattened.truth.tsv");
    let mut checked = 0;
    for line in truth.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let cell = r
            .cell(f[0], f[1], f[2])
            .unwrap_or_else(|| panic!("{line}: not read"));
        assert_eq!(cell.value.to_string(), f[3], "{line}");
        let printed = cell.span.slice(&text).unwrap_or("");
        assert_eq!(
            printed.chars().filter(|c| !c.is_whitespace()).count(),
            f[3].len(),
            "{line}: span"
        );
        checked += 1;
    }
    assert_eq!(checked, 190);
    assert!(r
        .cell("requests", "new", "natural_person")
        .is_some_and(|c| c.inferred.is_some()));
    assert_eq!(
        kinds(&r),
        [(ProblemKind::AmbiguousSplit, Some("normative_docs".to_string()))]
    );
}

#[test]
fn a_vertical_heading_interleaved_with_space_aligned_rows() {
    // pdftotext -layout: columns aligned by runs of spaces, the merged cell
    // 三、本年度办理结果 printed in pieces at the start of the rows beside it.
    let text = fixture("hongze-2023-pypdf.txt");
    let vertical: String = "三\n、\n本\n年\n度\n办\n理\n结\n果\n".to_string();
    let mut t = replace_once(&text, &vertical, "");
    for (row, piece) in [
        ("（一）予以公开 ", "三、本    "),
        ("（三）不予公开\n", "年度办    "),
        ("1.属于国家秘密 ", "理结果    "),
    ] {
        t = replace_once(&t, row, &format!("{piece}{row}"));
    }
    let t: String = t
        .lines()
        .map(|l| {
            // Numbers aligned by runs of spaces.
            let words: Vec<&str> = l.split(' ').collect();
            if words.len() > 3 && words.iter().rev().take(7).all(|w| w.parse::<u32>().is_ok()) {
                words.join("      ")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let r = read_text("hongze", &t);
    assert_eq!(cells(&r), cells(&read_text("hongze", &text)));
    assert_eq!(r.problems, vec![]);
    for row in ["granted", "denied", "denied.state_secret"] {
        let l = r.tables["requests"].rows[row].label.clone().unwrap();
        assert_eq!(l.matched, LabelMatch::Exact, "{row}: {}", l.text);
    }
}

#[test]
fn a_blank_beside_the_label_is_not_taken_for_a_cell() {
    // pinghu prints an empty cell after each label; with one value missing,
    // that blank could be the missing cell or layout: the row is not read.
    let text = fixture("pinghu-jingxin-2021.txt");
    let t = replace_once(
        &text,
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0",
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0",
    );
    let r = read_text("pinghu", &t);
    assert_eq!(kinds(&r), [(ProblemKind::MissingCells, Some("new".to_string()))]);
    assert!(r.tables["requests"].rows["new"].cells.is_empty());
}

#[test]
fn windows_line_ends_and_a_bom_read_the_same() {
    for file in ["jiaxing-jingxin-2022.txt", "hongze-2023-pdfplumber.txt"] {
        let text = fixture(file);
        let crlf = text.replace('\n', "\r\n");
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(crlf.as_bytes());
        let r = nianbao_reader::read_bytes(file, &bytes).unwrap();
        assert_eq!(cells(&r), cells(&read_text(file, &text)), "{file}");
        assert_eq!(r.problems, vec![], "{file}");
        assert_eq!(
            r.metadata
                .body
                .as_ref()
                .map(|b| b.span.slice(&r.source.text).is_some()),
            Some(true)
        );
    }
}

#[test]
fn title_forms_give_the_body_and_year() {
    for (title, body, year) in [
        (
            "某某市交通运输局关于2023年度政府信息公开工作年度报告",
            "某某市交通运输局",
            2023,
        ),
        (
            "2022年度某某镇人民政府政府信息公开工作年度报告",
            "某某镇人民政府",
            2022,
        ),
        (
            "某某县人民政府办公室二〇二一年政府信息公开工作年度报告",
            "某某县人民政府办公室",
            2021,
        ),
    ] {
        let text = format!("{title}\n一、总体情况\n正文。\n");
        let r = read_text("t", &text);
        let b = r
            .metadata
            .body
            .clone()
            .unwrap_or_else(|| panic!("{title}: no body"));
        assert_eq!(b.value, body, "{title}");
        assert_eq!(b.span.slice(&text), Some(body), "{title}");
        assert_eq!(r.metadata.year.as_ref().map(|y| y.value), Some(year), "{title}");
    }
}
