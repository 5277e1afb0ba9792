//! The template of 国办公开办函〔2021〕30号 (and its 2019 predecessor) as data:
//! sections, tables, rows and columns with stable ids, official labels and
//! the wording variants seen in published reports.
//!
//! Ids are public vocabulary (rule files, JSON/TSV output); never rename one.

use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// Which State Council format a report follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Format {
    /// 国办公开办函〔2019〕60号: reports for 2019 and 2020.
    #[serde(rename = "2019")]
    V2019,
    /// 国办公开办函〔2021〕30号: reports for 2021 onwards.
    #[serde(rename = "2021")]
    V2021,
}

impl Format {
    /// The format's position in [`FORMATS`], for tables kept per format.
    pub fn index(self) -> usize {
        match self {
            Format::V2021 => 0,
            Format::V2019 => 1,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Format::V2019 => "2019",
            Format::V2021 => "2021",
        }
    }

    /// The notice that fixed this format.
    pub fn notice(self) -> &'static str {
        match self {
            Format::V2019 => "国办公开办函〔2019〕60号",
            Format::V2021 => "国办公开办函〔2021〕30号",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// What kind of number a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// A whole number ≥ 0.
    Count,
    /// A whole number that may be negative (2019 format 本年增/减).
    SignedCount,
    /// A decimal amount in 万元, compared with the precision it was printed with.
    Amount,
}

/// A top-level section of the report.
#[derive(Debug, Clone, Serialize)]
pub struct SectionSchema {
    pub id: &'static str,
    /// Numbering as in the template ("一、").
    pub numbering: &'static str,
    pub label: &'static str,
    /// Other wordings seen for this heading.
    pub variants: &'static [&'static str],
    /// The table this section holds, if any.
    pub table: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A row of numbers.
    Data,
    /// A row with sub-rows; in the 2021 format it has no numbers of its own,
    /// though some reports still give it numbers.
    Group,
    /// A heading inside a table that never carries numbers (三、本年度办理结果).
    Heading,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowSchema {
    /// Stable id; sub-rows are `group.item` (`denied.state_secret`).
    pub id: &'static str,
    /// Numbering as in the template ("一、", "（三）", "1."), may be empty.
    pub numbering: &'static str,
    pub label: &'static str,
    pub variants: &'static [&'static str],
    pub kind: RowKind,
    /// The group row this is a sub-row of.
    pub parent: Option<&'static str>,
    /// For tables whose rows take different columns (`disclosure`): the block
    /// label ("第二十条第（一）项") this row sits under.
    pub block: Option<&'static str>,
    /// The columns this row has values for; empty means every column of the table.
    pub columns: &'static [&'static str],
}

impl RowSchema {
    /// The level of the row's numbering: 1 for "一、", 2 for "（一）", 3 for
    /// "1.", 0 for a row without numbering. The template's table prints
    /// each level's labels in a label column of its own, merged down the
    /// rows a label covers (三、本年度办理结果 beside （一）–（七）, （三）不予公开
    /// beside its sub-rows).
    pub fn level(&self) -> u8 {
        match self.numbering.chars().next() {
            None => 0,
            Some('（' | '(') => 2,
            Some(c) if c.is_ascii_digit() => 3,
            Some(_) => 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnSchema {
    /// Stable id; columns of a group may be `group.item` (`reconsideration.upheld`).
    pub id: &'static str,
    pub label: &'static str,
    pub variants: &'static [&'static str],
    pub kind: ValueKind,
    /// The column group this column belongs to.
    pub group: Option<&'static str>,
}

/// A header spanning several columns (法人或其他组织, 行政复议, 行政诉讼 …).
#[derive(Debug, Clone, Serialize)]
pub struct ColumnGroupSchema {
    pub id: &'static str,
    pub label: &'static str,
    pub variants: &'static [&'static str],
    /// Enclosing group (未经复议直接起诉 lies under 行政诉讼).
    pub parent: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableSchema {
    pub id: &'static str,
    /// The section the table belongs to.
    pub section: &'static str,
    pub rows: Vec<RowSchema>,
    pub columns: Vec<ColumnSchema>,
    pub column_groups: Vec<ColumnGroupSchema>,
}

impl TableSchema {
    /// Every wording of the table, in template order and with repeats: the
    /// label and variants of each row, column and column group, and the
    /// block label each row sits under.
    pub fn wordings(&self) -> impl Iterator<Item = &'static str> + '_ {
        let rows = self.rows.iter().flat_map(|r| {
            std::iter::once(r.label)
                .chain(r.variants.iter().copied())
                .chain(r.block)
        });
        let columns = self
            .columns
            .iter()
            .flat_map(|c| std::iter::once(c.label).chain(c.variants.iter().copied()));
        let groups = self
            .column_groups
            .iter()
            .flat_map(|g| std::iter::once(g.label).chain(g.variants.iter().copied()));
        rows.chain(columns).chain(groups)
    }

    pub fn row(&self, id: &str) -> Option<&RowSchema> {
        self.rows.iter().find(|r| r.id == id)
    }

    pub fn column(&self, id: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.id == id)
    }

    pub fn column_group(&self, id: &str) -> Option<&ColumnGroupSchema> {
        self.column_groups.iter().find(|g| g.id == id)
    }

    /// Sub-rows of a group row, in template order.
    pub fn sub_rows<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a RowSchema> + 'a {
        self.rows.iter().filter(move |r| r.parent == Some(group))
    }

    /// Columns of a column group, directly or through nested groups.
    pub fn group_columns<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a ColumnSchema> + 'a {
        self.columns.iter().filter(move |c| {
            let mut g = c.group;
            while let Some(id) = g {
                if id == group {
                    return true;
                }
                g = self.column_group(id).and_then(|cg| cg.parent);
            }
            false
        })
    }

    /// The columns a row has values for.
    pub fn row_columns<'a>(&'a self, row: &'a RowSchema) -> impl Iterator<Item = &'a ColumnSchema> + 'a {
        self.columns
            .iter()
            .filter(move |c| row.columns.is_empty() || row.columns.contains(&c.id))
    }

    /// Rows that carry numbers in this format (data rows; group rows are
    /// included because older layouts give them numbers).
    pub fn value_rows(&self) -> impl Iterator<Item = &RowSchema> {
        self.rows.iter().filter(|r| r.kind != RowKind::Heading)
    }
}

/// One format of the template.
#[derive(Debug, Clone, Serialize)]
pub struct Template {
    pub format: Format,
    pub sections: Vec<SectionSchema>,
    pub tables: Vec<TableSchema>,
}

impl Template {
    pub fn section(&self, id: &str) -> Option<&SectionSchema> {
        self.sections.iter().find(|s| s.id == id)
    }

    pub fn table(&self, id: &str) -> Option<&TableSchema> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// Every wording the template gives, in template order and with
    /// repeats: the label and variants of each section, row, column and
    /// column group, and the block label each row sits under.
    pub fn wordings(&self) -> impl Iterator<Item = &'static str> + '_ {
        let sections = self
            .sections
            .iter()
            .flat_map(|s| std::iter::once(s.label).chain(s.variants.iter().copied()));
        sections.chain(self.tables.iter().flat_map(TableSchema::wordings))
    }
}

/// The template of a format.
pub fn template(format: Format) -> &'static Template {
    match format {
        Format::V2021 => &TEMPLATE_2021,
        Format::V2019 => &TEMPLATE_2019,
    }
}

/// Every format, newest first.
pub const FORMATS: [Format; 2] = [Format::V2021, Format::V2019];

/// Whether two template ids (of sections, tables, rows, columns) are the
/// same. Readers name things by the template's own strings, so equal ids are
/// mostly one string: compared by address first, then as text.
#[inline]
pub fn same_id(a: &str, b: &str) -> bool {
    (std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()) || a == b
}

const SECTIONS: [SectionSchema; 6] = [
    SectionSchema {
        id: "overview",
        numbering: "一、",
        label: "总体情况",
        variants: &[],
        table: None,
    },
    SectionSchema {
        id: "disclosure",
        numbering: "二、",
        label: "主动公开政府信息情况",
        variants: &["主动公开政府信息的情况"],
        table: Some("disclosure"),
    },
    SectionSchema {
        id: "requests",
        numbering: "三、",
        label: "收到和处理政府信息公开申请情况",
        variants: &["收到和处理政府信息公开申请的情况"],
        table: Some("requests"),
    },
    SectionSchema {
        id: "review",
        numbering: "四、",
        label: "政府信息公开行政复议、行政诉讼情况",
        variants: &[
            "因政府信息公开申请行政复议、提起行政诉讼的情况",
            "政府信息公开行政复议、行政诉讼的情况",
        ],
        table: Some("review"),
    },
    SectionSchema {
        id: "problems",
        numbering: "五、",
        label: "存在的主要问题及改进情况",
        variants: &[
            "政府信息公开工作存在的主要问题及改进情况",
            "存在的主要问题和改进情况",
        ],
        table: None,
    },
    SectionSchema {
        id: "other",
        numbering: "六、",
        label: "其他需要报告的事项",
        variants: &["其他需要报告的事情"],
        table: None,
    },
];

const fn data_row(id: &'static str, numbering: &'static str, label: &'static str) -> RowSchema {
    RowSchema {
        id,
        numbering,
        label,
        variants: &[],
        kind: RowKind::Data,
        parent: None,
        block: None,
        columns: &[],
    }
}

const fn sub_row(
    parent: &'static str,
    id: &'static str,
    numbering: &'static str,
    label: &'static str,
) -> RowSchema {
    RowSchema {
        parent: Some(parent),
        ..data_row(id, numbering, label)
    }
}

const fn count(id: &'static str, label: &'static str) -> ColumnSchema {
    ColumnSchema {
        id,
        label,
        variants: &[],
        kind: ValueKind::Count,
        group: None,
    }
}

fn disclosure_row(
    id: &'static str,
    label: &'static str,
    variants: &'static [&'static str],
    block: &'static str,
    columns: &'static [&'static str],
) -> RowSchema {
    RowSchema {
        variants,
        block: Some(block),
        columns,
        ..data_row(id, "", label)
    }
}

const BLOCK_1: &str = "第二十条第（一）项";
const BLOCK_5: &str = "第二十条第（五）项";
const BLOCK_6: &str = "第二十条第（六）项";
const BLOCK_8: &str = "第二十条第（八）项";
const BLOCK_9: &str = "第二十条第（九）项";

fn disclosure_2021() -> TableSchema {
    const DOCS: &[&str] = &["issued", "repealed", "in_force"];
    TableSchema {
        id: "disclosure",
        section: "disclosure",
        rows: vec![
            disclosure_row("regulations", "规章", &[], BLOCK_1, DOCS),
            disclosure_row("normative_docs", "行政规范性文件", &["规范性文件"], BLOCK_1, DOCS),
            disclosure_row("licensing", "行政许可", &[], BLOCK_5, &["decisions"]),
            disclosure_row("penalty", "行政处罚", &[], BLOCK_6, &["decisions"]),
            disclosure_row("enforcement", "行政强制", &[], BLOCK_6, &["decisions"]),
            disclosure_row("fees", "行政事业性收费", &[], BLOCK_8, &["amount"]),
        ],
        columns: vec![
            ColumnSchema {
                variants: &["本年制发数量", "本年新制发件数"],
                ..count("issued", "本年制发件数")
            },
            ColumnSchema {
                variants: &["本年度止件数", "本年废止数量"],
                ..count("repealed", "本年废止件数")
            },
            ColumnSchema {
                variants: &["现行有效数量"],
                ..count("in_force", "现行有效件数")
            },
            ColumnSchema {
                variants: &["本年处理决定数"],
                ..count("decisions", "本年处理决定数量")
            },
            ColumnSchema {
                id: "amount",
                label: "本年收费金额（单位：万元）",
                variants: &["本年收费金额（万元）", "本年收费金额"],
                kind: ValueKind::Amount,
                group: None,
            },
        ],
        column_groups: vec![],
    }
}

fn disclosure_2019() -> TableSchema {
    const DOCS: &[&str] = &["new_made", "new_published", "total_published"];
    const ITEMS: &[&str] = &["prev_items", "change", "decisions"];
    TableSchema {
        id: "disclosure",
        section: "disclosure",
        rows: vec![
            disclosure_row("regulations", "规章", &[], BLOCK_1, DOCS),
            disclosure_row("normative_docs", "规范性文件", &["行政规范性文件"], BLOCK_1, DOCS),
            disclosure_row("licensing", "行政许可", &[], BLOCK_5, ITEMS),
            disclosure_row("other_services", "其他对外管理服务事项", &[], BLOCK_5, ITEMS),
            disclosure_row("penalty", "行政处罚", &[], BLOCK_6, ITEMS),
            disclosure_row("enforcement", "行政强制", &[], BLOCK_6, ITEMS),
            disclosure_row("fees", "行政事业性收费", &[], BLOCK_8, &["prev_items", "change"]),
            disclosure_row("procurement", "政府集中采购", &[], BLOCK_9, &["items", "amount"]),
        ],
        columns: vec![
            count("new_made", "本年新制作数量"),
            count("new_published", "本年新公开数量"),
            count("total_published", "对外公开总数量"),
            count("prev_items", "上一年项目数量"),
            ColumnSchema {
                kind: ValueKind::SignedCount,
                variants: &["本年增减"],
                ..count("change", "本年增/减")
            },
            ColumnSchema {
                variants: &["本年处理决定数量"],
                ..count("decisions", "处理决定数量")
            },
            count("items", "采购项目数量"),
            ColumnSchema {
                id: "amount",
                label: "采购总金额",
                variants: &["采购总金额（万元）"],
                kind: ValueKind::Amount,
                group: None,
            },
        ],
        column_groups: vec![],
    }
}

fn requests(format: Format) -> TableSchema {
    use RowKind::*;
    let group = |id, numbering, label| RowSchema {
        kind: Group,
        ..data_row(id, numbering, label)
    };
    let mut rows = vec![
        data_row("new", "一、", "本年新收政府信息公开申请数量"),
        data_row("carried_over", "二、", "上年结转政府信息公开申请数量"),
        RowSchema {
            kind: Heading,
            ..data_row("results", "三、", "本年度办理结果")
        },
        data_row("granted", "（一）", "予以公开"),
        RowSchema {
            variants: &["部分公开"],
            ..data_row(
                "partial",
                "（二）",
                "部分公开（区分处理的，只计这一情形，不计其他情形）",
            )
        },
        group("denied", "（三）", "不予公开"),
        sub_row("denied", "denied.state_secret", "1.", "属于国家秘密"),
        sub_row("denied", "denied.law_prohibits", "2.", "其他法律行政法规禁止公开"),
        sub_row("denied", "denied.three_safeties", "3.", "危及“三安全一稳定”"),
        sub_row("denied", "denied.third_party", "4.", "保护第三方合法权益"),
        sub_row("denied", "denied.internal_affairs", "5.", "属于三类内部事务信息"),
        sub_row("denied", "denied.process_info", "6.", "属于四类过程性信息"),
        sub_row("denied", "denied.enforcement_file", "7.", "属于行政执法案卷"),
        sub_row("denied", "denied.inquiry", "8.", "属于行政查询事项"),
        group("unable", "（四）", "无法提供"),
        sub_row("unable", "unable.not_held", "1.", "本机关不掌握相关政府信息"),
        sub_row(
            "unable",
            "unable.needs_creation",
            "2.",
            "没有现成信息需要另行制作",
        ),
        sub_row("unable", "unable.unclear", "3.", "补正后申请内容仍不明确"),
        group("not_processed", "（五）", "不予处理"),
        sub_row(
            "not_processed",
            "not_processed.petition",
            "1.",
            "信访举报投诉类申请",
        ),
        sub_row("not_processed", "not_processed.duplicate", "2.", "重复申请"),
        sub_row(
            "not_processed",
            "not_processed.publication",
            "3.",
            "要求提供公开出版物",
        ),
        sub_row(
            "not_processed",
            "not_processed.excessive",
            "4.",
            "无正当理由大量反复申请",
        ),
        sub_row(
            "not_processed",
            "not_processed.confirmation",
            "5.",
            "要求行政机关确认或重新出具已获取信息",
        ),
    ];
    match format {
        Format::V2021 => rows.extend([
            group("other", "（六）", "其他处理"),
            sub_row(
                "other",
                "other.no_correction",
                "1.",
                "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ),
            RowSchema {
                variants: &["申请人逾期未按要求缴纳费用、行政机关不再处理其政府信息公开申请"],
                ..sub_row(
                    "other",
                    "other.unpaid_fee",
                    "2.",
                    "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                )
            },
            sub_row("other", "other.other", "3.", "其他"),
        ]),
        Format::V2019 => rows.push(data_row("other", "（六）", "其他处理")),
    }
    rows.extend([
        data_row("total", "（七）", "总计"),
        data_row("carried_forward", "四、", "结转下年度继续办理"),
    ]);
    let org = |id, label| ColumnSchema {
        group: Some("org"),
        ..count(id, label)
    };
    TableSchema {
        id: "requests",
        section: "requests",
        rows,
        columns: vec![
            count("natural_person", "自然人"),
            org("business", "商业企业"),
            org("research", "科研机构"),
            org("nonprofit", "社会公益组织"),
            org("legal_services", "法律服务机构"),
            org("other_org", "其他"),
            count("total", "总计"),
        ],
        column_groups: vec![ColumnGroupSchema {
            id: "org",
            label: "法人或其他组织",
            variants: &[],
            parent: None,
        }],
    }
}

fn review() -> TableSchema {
    // Ids are spelt out (not formatted) because they are `&'static str` vocabulary.
    const GROUPS: [(&str, [&str; 5]); 3] = [
        (
            "reconsideration",
            [
                "reconsideration.upheld",
                "reconsideration.corrected",
                "reconsideration.other",
                "reconsideration.pending",
                "reconsideration.total",
            ],
        ),
        (
            "litigation_direct",
            [
                "litigation_direct.upheld",
                "litigation_direct.corrected",
                "litigation_direct.other",
                "litigation_direct.pending",
                "litigation_direct.total",
            ],
        ),
        (
            "litigation_after",
            [
                "litigation_after.upheld",
                "litigation_after.corrected",
                "litigation_after.other",
                "litigation_after.pending",
                "litigation_after.total",
            ],
        ),
    ];
    const LABELS: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
    let columns = GROUPS
        .iter()
        .flat_map(|(group, ids)| {
            ids.iter().zip(LABELS).map(move |(id, label)| ColumnSchema {
                group: Some(group),
                ..count(id, label)
            })
        })
        .collect();
    TableSchema {
        id: "review",
        section: "review",
        rows: vec![RowSchema {
            numbering: "",
            ..data_row("cases", "", "案件数")
        }],
        columns,
        column_groups: vec![
            ColumnGroupSchema {
                id: "reconsideration",
                label: "行政复议",
                variants: &[],
                parent: None,
            },
            ColumnGroupSchema {
                id: "litigation",
                label: "行政诉讼",
                variants: &[],
                parent: None,
            },
            ColumnGroupSchema {
                id: "litigation_direct",
                label: "未经复议直接起诉",
                variants: &[],
                parent: Some("litigation"),
            },
            ColumnGroupSchema {
                id: "litigation_after",
                label: "复议后起诉",
                variants: &[],
                parent: Some("litigation"),
            },
        ],
    }
}

static TEMPLATE_2021: LazyLock<Template> = LazyLock::new(|| Template {
    format: Format::V2021,
    sections: SECTIONS.to_vec(),
    tables: vec![disclosure_2021(), requests(Format::V2021), review()],
});

static TEMPLATE_2019: LazyLock<Template> = LazyLock::new(|| Template {
    format: Format::V2019,
    sections: SECTIONS.to_vec(),
    tables: vec![disclosure_2019(), requests(Format::V2019), review()],
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rows_level_is_its_numberings() {
        for format in FORMATS {
            let t = template(format);
            let level =
                |table: &str, row: &str| t.table(table).and_then(|t| t.row(row)).map(RowSchema::level);
            assert_eq!(level("requests", "new"), Some(1));
            assert_eq!(level("requests", "results"), Some(1));
            assert_eq!(level("requests", "granted"), Some(2));
            assert_eq!(level("requests", "denied"), Some(2));
            assert_eq!(level("requests", "denied.state_secret"), Some(3));
            assert_eq!(level("requests", "total"), Some(2));
            assert_eq!(level("disclosure", "regulations"), Some(0));
        }
    }

    #[test]
    fn a_format_indexes_formats_and_ids_compare_as_text() {
        for (i, f) in FORMATS.into_iter().enumerate() {
            assert_eq!(f.index(), i);
        }
        let copy = String::from("requests");
        assert!(same_id("requests", &copy));
        assert!(!same_id("requests", "review"));
        assert!(!same_id("requests", &copy[..3]), "same start, other length");
    }

    #[test]
    fn requests_2021_has_25_value_rows_and_7_columns() {
        let t = template(Format::V2021).table("requests").unwrap();
        let data = t.rows.iter().filter(|r| r.kind == RowKind::Data).count();
        assert_eq!(data, 25);
        assert_eq!(t.columns.len(), 7);
        assert_eq!(t.group_columns("org").count(), 5);
    }

    #[test]
    fn review_groups_nest() {
        let t = template(Format::V2021).table("review").unwrap();
        assert_eq!(t.columns.len(), 15);
        assert_eq!(t.group_columns("litigation").count(), 10);
        assert_eq!(t.group_columns("reconsideration").count(), 5);
    }

    #[test]
    fn disclosure_2021_has_ten_cells() {
        let t = template(Format::V2021).table("disclosure").unwrap();
        let cells: usize = t.rows.iter().map(|r| t.row_columns(r).count()).sum();
        assert_eq!(cells, 10);
    }

    #[test]
    fn wordings_give_every_label_variant_and_block() {
        let t = template(Format::V2021);
        let wordings: Vec<&str> = t.wordings().collect();
        let requests = t.table("requests").unwrap();
        for expected in [
            t.sections[0].label,
            requests.rows[0].label,
            requests.columns[0].label,
            requests.column_groups[0].label,
            BLOCK_1,
        ] {
            assert!(wordings.contains(&expected), "{expected} missing");
        }
        let variants = t.sections.iter().map(|s| s.variants.len()).sum::<usize>()
            + t.tables
                .iter()
                .map(|t| {
                    t.rows.iter().map(|r| r.variants.len()).sum::<usize>()
                        + t.columns.iter().map(|c| c.variants.len()).sum::<usize>()
                        + t.column_groups.iter().map(|g| g.variants.len()).sum::<usize>()
                })
                .sum::<usize>();
        let labels = t.sections.len()
            + t.tables
                .iter()
                .map(|t| t.rows.len() + t.columns.len() + t.column_groups.len())
                .sum::<usize>();
        let blocks = t
            .tables
            .iter()
            .flat_map(|t| &t.rows)
            .filter(|r| r.block.is_some())
            .count();
        assert!(variants > 0 && blocks > 0);
        assert_eq!(wordings.len(), labels + variants + blocks);
    }

    #[test]
    fn ids_are_unique() {
        for f in FORMATS {
            for t in &template(f).tables {
                let mut rows: Vec<_> = t.rows.iter().map(|r| r.id).collect();
                rows.sort();
                rows.dedup();
                assert_eq!(rows.len(), t.rows.len(), "{}", t.id);
                for r in &t.rows {
                    for c in r.columns {
                        assert!(
                            t.column(c).is_some(),
                            "{}.{} names unknown column {c}",
                            t.id,
                            r.id
                        );
                    }
                }
            }
        }
    }
}
