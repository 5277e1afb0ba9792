"""The report template (ids, labels, numbering) and a consistent random report.

Ids and labels follow crates/model/src/schema.rs and shared/docs/template.md.
Everything here is deterministic given the `random.Random` passed in.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

# ---------------------------------------------------------------- template

APPLICANTS = [
    ("natural_person", "自然人"),
    ("business", "商业企业"),
    ("research", "科研机构"),
    ("nonprofit", "社会公益组织"),
    ("legal_services", "法律服务机构"),
    ("other_org", "其他"),
]
REQ_COLS = APPLICANTS + [("total", "总计")]
ORG_COLS = [c for c, _ in APPLICANTS[1:]]

TOP_ROWS = {
    "new": ("一、", "本年新收政府信息公开申请数量"),
    "carried_over": ("二、", "上年结转政府信息公开申请数量"),
    "carried_forward": ("四、", "结转下年度继续办理"),
}
RESULTS_HEADING = ("三、", "本年度办理结果")

GROUPS = [
    ("denied", "（三）", "不予公开", [
        ("state_secret", "属于国家秘密"),
        ("law_prohibits", "其他法律行政法规禁止公开"),
        ("three_safeties", "危及“三安全一稳定”"),
        ("third_party", "保护第三方合法权益"),
        ("internal_affairs", "属于三类内部事务信息"),
        ("process_info", "属于四类过程性信息"),
        ("enforcement_file", "属于行政执法案卷"),
        ("inquiry", "属于行政查询事项"),
    ]),
    ("unable", "（四）", "无法提供", [
        ("not_held", "本机关不掌握相关政府信息"),
        ("needs_creation", "没有现成信息需要另行制作"),
        ("unclear", "补正后申请内容仍不明确"),
    ]),
    ("not_processed", "（五）", "不予处理", [
        ("petition", "信访举报投诉类申请"),
        ("duplicate", "重复申请"),
        ("publication", "要求提供公开出版物"),
        ("excessive", "无正当理由大量反复申请"),
        ("confirmation", "要求行政机关确认或重新出具已获取信息"),
    ]),
    ("other", "（六）", "其他处理", [
        ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("unpaid_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other", "其他"),
    ]),
]
GRANTED = ("granted", "（一）", "予以公开")
PARTIAL = ("partial", "（二）", "部分公开（区分处理的，只计这一情形，不计其他情形）")
TOTAL = ("total", "（七）", "总计")

REVIEW_GROUPS = [
    ("reconsideration", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after", "复议后起诉"),
]
REVIEW_ITEMS = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
]

BLOCK = "第二十条第（{}）项"

# disclosure blocks: (block numeral, header labels per column [(col id, label, span)], rows)
DISCLOSURE_2021 = [
    ("一", [("issued", "本年制发件数", 1), ("repealed", "本年废止件数", 1),
            ("in_force", "现行有效件数", 1)],
     [("regulations", "规章"), ("normative_docs", "行政规范性文件")]),
    ("五", [("decisions", "本年处理决定数量", 3)], [("licensing", "行政许可")]),
    ("六", [("decisions", "本年处理决定数量", 3)],
     [("penalty", "行政处罚"), ("enforcement", "行政强制")]),
    ("八", [("amount", "本年收费金额（单位：万元）", 3)], [("fees", "行政事业性收费")]),
]
DISCLOSURE_2019 = [
    ("一", [("new_made", "本年新制作数量", 1), ("new_published", "本年新公开数量", 1),
            ("total_published", "对外公开总数量", 1)],
     [("regulations", "规章"), ("normative_docs", "规范性文件")]),
    ("五", [("prev_items", "上一年项目数量", 1), ("change", "本年增/减", 1),
            ("decisions", "处理决定数量", 1)],
     [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")]),
    ("六", [("prev_items", "上一年项目数量", 1), ("change", "本年增/减", 1),
            ("decisions", "处理决定数量", 1)],
     [("penalty", "行政处罚"), ("enforcement", "行政强制")]),
    ("八", [("prev_items", "上一年项目数量", 1), ("change", "本年增/减", 2)],
     [("fees", "行政事业性收费")]),
    ("九", [("items", "采购项目数量", 1), ("amount", "采购总金额", 2)],
     [("procurement", "政府集中采购")]),
]


def leaf_rows(fmt: str) -> list[str]:
    """Outcome rows that carry numbers, in template order (no group rows)."""
    rows = ["granted", "partial"]
    for gid, _, _, subs in GROUPS:
        if gid == "other" and fmt == "2019":
            rows.append("other")
        else:
            rows += [f"{gid}.{s}" for s, _ in subs]
    rows.append("total")
    return rows


# ---------------------------------------------------------------- grid

@dataclass
class Cell:
    """One cell of a table as laid out on the page (a merged cell is one Cell)."""
    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"  # "head" (column header), "label" (row label), "num", "block"
    key: tuple[str, str, str] | None = None  # (table, row, column) for "num"


@dataclass
class Grid:
    table: str
    ncols: int
    rows: list[list[Cell]]
    # relative column widths (sum 100), used by every renderer
    widths: list[float]
    header_rows: int = 0


@dataclass
class Report:
    rid: str
    fmt: str
    year: int
    body: str
    kind: str  # "bureau" | "township"
    place: str  # 青溪县
    site: str  # site name 青溪县人民政府
    host: str  # www.qingxi.gov.cn
    published: str  # 2024-01-18
    printed: str  # 2024-03-05 10:12:00, the Chromium header date
    blanks: bool  # zero cells printed empty in some rows
    req: dict = field(default_factory=dict)  # (row, col) -> int
    review: dict = field(default_factory=dict)  # col -> int
    disclosure: dict = field(default_factory=dict)  # (row, col) -> str (printed)
    printed_req: dict = field(default_factory=dict)  # (row, col) -> str
    printed_review: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)  # other numbers used in prose

    @property
    def title(self) -> str:
        return f"{self.body}{self.year}年政府信息公开工作年度报告"


# ---------------------------------------------------------------- numbers

def _spread(rng: random.Random, n: int, weights: dict[str, float]) -> dict[str, int]:
    """Puts n items into the keys of `weights` one at a time."""
    out = {k: 0 for k in weights}
    keys = list(weights)
    w = [weights[k] for k in keys]
    for _ in range(n):
        out[rng.choices(keys, w)[0]] += 1
    return out


def fill_requests(rng: random.Random, r: Report) -> None:
    leaves = [x for x in leaf_rows(r.fmt) if x != "total"]
    weights = {x: 0.15 for x in leaves}
    weights.update({"granted": 6.0, "partial": 1.2, "unable.not_held": 2.0,
                    "not_processed.petition": 0.6, "not_processed.duplicate": 0.5,
                    "denied.process_info": 0.3, "denied.third_party": 0.3})
    if r.fmt == "2021":
        weights.update({"other.no_correction": 0.5, "other.other": 0.4})
    else:
        weights["other"] = 0.8
    # a couple of rare outcomes never occur at all (many zero rows)
    for x in rng.sample([x for x in leaves if weights[x] <= 0.15], k=len(leaves) // 3):
        weights[x] = 0.0
    new_range = {"natural_person": (4, 45), "business": (0, 6), "research": (0, 1),
                 "nonprofit": (0, 1), "legal_services": (0, 3), "other_org": (0, 2)}
    for col, _ in APPLICANTS:
        lo, hi = new_range[col]
        new = rng.randint(lo, hi) if col == "natural_person" or rng.random() < 0.55 else 0
        co = rng.choice([0, 0, 0, 1, 2]) if col == "natural_person" else (1 if rng.random() < 0.1 else 0)
        cf_max = min(3, new + co)
        cf = rng.randint(0, cf_max) if col == "natural_person" else (1 if cf_max and rng.random() < 0.15 else 0)
        done = new + co - cf
        split = _spread(rng, done, weights)
        r.req[("new", col)] = new
        r.req[("carried_over", col)] = co
        r.req[("carried_forward", col)] = cf
        for leaf in leaves:
            r.req[(leaf, col)] = split[leaf]
        r.req[("total", col)] = done
    for row in ["new", "carried_over", "carried_forward"] + leaf_rows(r.fmt):
        r.req[(row, "total")] = sum(r.req[(row, c)] for c, _ in APPLICANTS)


def fill_review(rng: random.Random, r: Report) -> None:
    for gid, _ in REVIEW_GROUPS:
        busy = rng.random() < (0.7 if gid == "reconsideration" else 0.4)
        total = 0
        for item, _ in REVIEW_ITEMS[:4]:
            v = 0
            if busy:
                v = rng.choice([0, 0, 1, 1, 2, 3]) if item == "upheld" else rng.choice([0, 0, 0, 1])
            r.review[f"{gid}.{item}"] = v
            total += v
        r.review[f"{gid}.total"] = total


def fill_disclosure(rng: random.Random, r: Report) -> None:
    d = r.disclosure
    township = r.kind == "township"

    def amount(lo: float, hi: float, nd: int) -> str:
        v = round(rng.uniform(lo, hi), nd)
        return f"{v:.{nd}f}".rstrip("0").rstrip(".") if nd else str(int(v))

    if r.fmt == "2021":
        is_gov = "人民政府" in r.body and not township
        d[("regulations", "issued")] = str(rng.randint(0, 1) if is_gov else 0)
        d[("regulations", "repealed")] = "0"
        d[("regulations", "in_force")] = str(rng.randint(2, 9) if is_gov else 0)
        issued, repealed = rng.randint(0, 6), rng.randint(0, 3)
        d[("normative_docs", "issued")] = str(issued)
        d[("normative_docs", "repealed")] = str(repealed)
        d[("normative_docs", "in_force")] = str(rng.randint(repealed + 3, 40))
        d[("licensing", "decisions")] = str(rng.choice([0, rng.randint(10, 4000)]))
        d[("penalty", "decisions")] = str(rng.choice([0, rng.randint(1, 900)]))
        d[("enforcement", "decisions")] = str(rng.choice([0, 0, rng.randint(1, 60)]))
        d[("fees", "amount")] = rng.choice(["0", amount(0.1, 30, 2), amount(0.5, 9, 1)])
        r.facts["normative_issued"] = issued
        r.facts["normative_repealed"] = repealed
    else:
        d[("regulations", "new_made")] = "0"
        d[("regulations", "new_published")] = "0"
        d[("regulations", "total_published")] = "0" if township else str(rng.randint(0, 3))
        made = rng.randint(0, 5)
        d[("normative_docs", "new_made")] = str(made)
        d[("normative_docs", "new_published")] = str(made)
        d[("normative_docs", "total_published")] = str(rng.randint(made, made + 30))
        for row in ["licensing", "other_services", "penalty", "enforcement"]:
            prev = rng.choice([0, rng.randint(1, 120)])
            d[(row, "prev_items")] = str(prev)
            d[(row, "change")] = str(rng.choice([0, 0, rng.randint(-min(prev, 5), 6)]))
            d[(row, "decisions")] = str(rng.choice([0, rng.randint(1, 1500)]) if prev else 0)
        if not any(d[(row, "change")].startswith("-") for row in ["licensing", "other_services", "penalty", "enforcement"]):
            # 本年增/减 may be negative: make sure one is
            for row in ["penalty", "licensing", "other_services", "enforcement"]:
                if int(d[(row, "prev_items")]) > 0:
                    d[(row, "change")] = str(-rng.randint(1, min(int(d[(row, "prev_items")]), 5)))
                    break
        prev = rng.randint(0, 4)
        d[("fees", "prev_items")] = str(prev)
        d[("fees", "change")] = str(rng.choice([0, -1]) if prev else 0)
        items = rng.choice([0, rng.randint(1, 20)])
        d[("procurement", "items")] = str(items)
        d[("procurement", "amount")] = amount(3, 900, 2) if items else "0"
        r.facts["normative_issued"] = made


def print_values(r: Report) -> None:
    """Decides how each number is printed ("" where a zero is left blank)."""
    blank_rows = set()
    if r.blanks:
        if r.fmt == "2021":
            blank_rows = {x for x in leaf_rows(r.fmt) if x.split(".")[0] in ("denied", "not_processed", "other")}
        else:
            blank_rows = {"carried_over", "other"} | {x for x in leaf_rows(r.fmt) if x.startswith("denied.")}
    for (row, col), v in r.req.items():
        r.printed_req[(row, col)] = "" if (row in blank_rows and v == 0) else str(v)
    for col, v in r.review.items():
        r.printed_review[col] = "" if (r.blanks and r.fmt == "2021" and v == 0) else str(v)
    if r.blanks and r.fmt == "2019":
        for k, v in list(r.disclosure.items()):
            if v == "0" and k[0] in ("regulations", "other_services", "enforcement"):
                r.disclosure[k] = ""


def check(r: Report) -> None:
    """Consistency rules 1–5 of the template (4 is moot: groups carry no numbers)."""
    q = r.req
    cols = [c for c, _ in REQ_COLS]
    leaves = [x for x in leaf_rows(r.fmt) if x != "total"]
    for c in cols:
        assert q[("new", c)] + q[("carried_over", c)] == q[("total", c)] + q[("carried_forward", c)], c
        assert q[("total", c)] == sum(q[(x, c)] for x in leaves), c
    for row in ["new", "carried_over", "carried_forward"] + leaf_rows(r.fmt):
        assert q[(row, "total")] == sum(q[(row, c)] for c, _ in APPLICANTS), row
    for gid, _ in REVIEW_GROUPS:
        assert r.review[f"{gid}.total"] == sum(r.review[f"{gid}.{i}"] for i, _ in REVIEW_ITEMS[:4])


# ---------------------------------------------------------------- grids

def requests_grid(r: Report) -> Grid:
    rows: list[list[Cell]] = []
    corner = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
              if r.fmt == "2021" else "")
    rows.append([Cell(corner, 3, 3, "head"), Cell("申请人情况", 1, 7, "head")])
    rows.append([Cell("自然人", 2, 1, "head"), Cell("法人或其他组织", 1, 5, "head"),
                 Cell("总计", 2, 1, "head")])
    rows.append([Cell(label, kind="head") for _, label in APPLICANTS[1:]])

    def nums(row: str) -> list[Cell]:
        return [Cell(r.printed_req[(row, c)], kind="num", key=("requests", row, c)) for c, _ in REQ_COLS]

    for row in ["new", "carried_over"]:
        n, label = TOP_ROWS[row]
        rows.append([Cell(n + label, 1, 3)] + nums(row))
    results: list[list[Cell]] = []
    for rid, n, label in [GRANTED, PARTIAL]:
        results.append([Cell(n + label, 1, 2)] + nums(rid))
    for gid, n, label, subs in GROUPS:
        if gid == "other" and r.fmt == "2019":
            results.append([Cell(n + label, 1, 2)] + nums("other"))
            continue
        for i, (sid, slabel) in enumerate(subs):
            cells = [Cell(n + label, len(subs), 1)] if i == 0 else []
            cells.append(Cell(f"{i + 1}.{slabel}"))
            results.append(cells + nums(f"{gid}.{sid}"))
    tid, tn, tlabel = TOTAL
    results.append([Cell(tn + tlabel, 1, 2)] + nums("total"))
    results[0].insert(0, Cell("".join(RESULTS_HEADING), len(results), 1))
    rows += results
    n, label = TOP_ROWS["carried_forward"]
    rows.append([Cell(n + label, 1, 3)] + nums("carried_forward"))
    return Grid("requests", 10, rows, [3, 8, 26] + [9] * 7, header_rows=3)


def review_grid(r: Report) -> Grid:
    rows = [
        [Cell("行政复议", 1, 5, "head"), Cell("行政诉讼", 1, 10, "head")],
        [Cell(label, 2, 1, "head") for _, label in REVIEW_ITEMS]
        + [Cell("未经复议直接起诉", 1, 5, "head"), Cell("复议后起诉", 1, 5, "head")],
        [Cell(label, kind="head") for _, label in REVIEW_ITEMS] * 2,
        [Cell(r.printed_review[f"{g}.{i}"], kind="num", key=("review", "cases", f"{g}.{i}"))
         for g, _ in REVIEW_GROUPS for i, _ in REVIEW_ITEMS],
    ]
    return Grid("review", 15, rows, [100 / 15] * 15, header_rows=3)


def disclosure_grid(r: Report) -> Grid:
    rows: list[list[Cell]] = []
    for numeral, cols, drows in (DISCLOSURE_2021 if r.fmt == "2021" else DISCLOSURE_2019):
        rows.append([Cell(BLOCK.format(numeral), 1, 4, "block")])
        rows.append([Cell("信息内容", kind="head")] + [Cell(lbl, 1, span, "head") for _, lbl, span in cols])
        for rid, rlabel in drows:
            rows.append([Cell(rlabel)] + [Cell(r.disclosure[(rid, c)], 1, span, "num", ("disclosure", rid, c))
                                          for c, _, span in cols])
    return Grid("disclosure", 4, rows, [31, 23, 23, 23], header_rows=0)


def grids(r: Report) -> dict[str, Grid]:
    return {"disclosure": disclosure_grid(r), "requests": requests_grid(r), "review": review_grid(r)}


def truth_lines(r: Report) -> list[str]:
    out = []
    for g in grids(r).values():
        for row in g.rows:
            for c in row:
                if c.kind == "num":
                    out.append("\t".join(c.key + (c.text,)))
    return out


def layout(g: Grid) -> list[list[tuple[Cell, int]]]:
    """Each row's cells with their starting grid column (resolving rowspans)."""
    taken: dict[tuple[int, int], bool] = {}
    out = []
    for ri, row in enumerate(g.rows):
        col = 0
        placed = []
        for c in row:
            while taken.get((ri, col)):
                col += 1
            placed.append((c, col))
            for dr in range(c.rowspan):
                for dc in range(c.colspan):
                    taken[(ri + dr, col + dc)] = True
            col += c.colspan
        out.append(placed)
    return out
