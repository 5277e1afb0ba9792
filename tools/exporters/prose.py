"""The report as a sequence of blocks (headings, paragraphs, tables).

Blocks: ("title", text), ("h1", text), ("h2", text), ("p", text),
("table", table id), ("sign", text) for the signature lines at the end.
Numbers in the prose that also appear in a table are taken from the table.
"""
from __future__ import annotations

import random

from model import APPLICANTS, GROUPS, REVIEW_GROUPS, Report, leaf_rows

SECTIONS = [
    ("一、", "总体情况"),
    ("二、", "主动公开政府信息情况"),
    ("三、", "收到和处理政府信息公开申请情况"),
    ("四、", "政府信息公开行政复议、行政诉讼情况"),
    ("五、", "存在的主要问题及改进情况"),
    ("六、", "其他需要报告的事项"),
]
NOTICE = {"2021": "国办公开办函〔2021〕30号", "2019": "国办公开办函〔2019〕60号"}


def _group_sum(r: Report, gid: str) -> int:
    if gid == "other" and r.fmt == "2019":
        return r.req[("other", "total")]
    return sum(r.req[(x, "total")] for x in leaf_rows(r.fmt) if x.startswith(gid + "."))


def facts(rng: random.Random, r: Report) -> None:
    f = r.facts
    f["published_items"] = rng.randint(80, 1600)
    f["policy_docs"] = rng.randint(3, 60)
    f["interpretations"] = rng.randint(1, 25)
    f["new_media"] = rng.randint(20, 900)
    f["trainings"] = rng.randint(1, 6)
    f["trainees"] = rng.randint(12, 260)
    f["visits"] = round(rng.uniform(1.2, 98.0), 1)
    f["phone"] = f"0{rng.randint(570, 579)}-{rng.randint(2000000, 8999999)}"
    f["postcode"] = f"{rng.randint(310000, 329999)}"
    unpaid = r.req.get(("other.unpaid_fee", "total"), 0)
    f["fee_notices"] = unpaid + (1 if unpaid else 0)
    f["fee_yuan"] = rng.choice([100, 200, 300]) if unpaid else 0


def blocks(rng: random.Random, r: Report) -> list[tuple[str, str]]:
    f = r.facts
    q = r.req
    new, co, cf = q[("new", "total")], q[("carried_over", "total")], q[("carried_forward", "total")]
    natural = q[("new", "natural_person")]
    org = new - natural
    done = q[("total", "total")]
    recon = r.review["reconsideration.total"]
    litig = r.review["litigation_direct.total"] + r.review["litigation_after.total"]
    out: list[tuple[str, str]] = [("title", r.title)]
    out.append(("p", (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息"
        f"公开工作年度报告格式》（{NOTICE[r.fmt]}）要求，由{r.body}编制。全文包括总体情况、主动公开政府"
        f"信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要"
        f"问题及改进情况、其他需要报告的事项。本报告中所使用数据统计期限为{r.year}年1月1日至"
        f"{r.year}年12月31日。本报告电子版可在“{r.site}”门户网站（{r.host}）查阅或下载。如对本报告"
        f"有疑问，请与{r.body}办公室联系（邮编：{f['postcode']}；电话：{f['phone']}）。")))
    out.append(("h1", "".join(SECTIONS[0])))
    apply_sentence = (
        f"本年度共收到政府信息公开申请{new}件，上年结转{co}件。其中自然人申请{natural}件，"
        f"法人或其他组织申请{org}件。已办结{done}件，其中予以公开{q[('granted', 'total')]}件，"
        f"部分公开{q[('partial', 'total')]}件，不予公开{_group_sum(r, 'denied')}件，"
        f"无法提供{_group_sum(r, 'unable')}件，不予处理{_group_sum(r, 'not_processed')}件，"
        f"其他处理{_group_sum(r, 'other')}件；结转下年度继续办理{cf}件。"
        f"所有申请均在法定期限内答复。")
    if r.fmt == "2021":
        out.append(("p", (
            f"{r.year}年，{r.body}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》"
            f"和上级关于政务公开工作的部署要求，围绕中心工作，持续深化政务公开，各项工作取得新成效。")))
        out.append(("h2", "（一）主动公开"))
        out.append(("p", (
            f"全年通过{r.site}门户网站主动公开政府信息{f['published_items']}条，其中政策文件"
            f"{f['policy_docs']}条，发布政策解读{f['interpretations']}篇；通过政务新媒体发布信息"
            f"{f['new_media']}条。重点领域信息公开及时、准确、完整。")))
        out.append(("h2", "（二）依申请公开"))
        out.append(("p", apply_sentence))
        out.append(("h2", "（三）政府信息管理"))
        out.append(("p", (
            f"严格落实公开前保密审查制度，动态调整政府信息公开目录。本年度制发行政规范性文件"
            f"{f['normative_issued']}件，废止{f['normative_repealed']}件，均按规定在规范性文件库集中公开。")))
        out.append(("h2", "（四）平台建设"))
        out.append(("p", (
            f"持续优化门户网站政府信息公开专栏，规范栏目设置，全年网站访问量{f['visits']}万人次。"
            f"加强政务新媒体管理，确保信息发布安全。")))
        out.append(("h2", "（五）监督保障"))
        out.append(("p", (
            f"将政务公开工作纳入年度工作要点，全年组织政务公开业务培训{f['trainings']}次，参训"
            f"{f['trainees']}人次。本年度因政府信息公开引发行政复议{recon}件、行政诉讼{litig}件，"
            f"未发生因政府信息公开工作被追究责任的情况。")))
    else:
        out.append(("p", (
            f"{r.year}年，{r.body}认真贯彻落实新修订的《条例》，进一步完善政府信息公开工作机制，"
            f"全年主动公开政府信息{f['published_items']}条，发布政策解读{f['interpretations']}篇。"
            f"{apply_sentence}本年度发生政府信息公开行政复议{recon}件、行政诉讼{litig}件。"
            f"全年组织业务培训{f['trainings']}次。")))
    out.append(("h1", "".join(SECTIONS[1])))
    out.append(("table", "disclosure"))
    out.append(("h1", "".join(SECTIONS[2])))
    out.append(("table", "requests"))
    out.append(("h1", "".join(SECTIONS[3])))
    out.append(("table", "review"))
    out.append(("h1", "".join(SECTIONS[4])))
    problems = rng.sample([
        "政策解读形式较为单一，图解、视频等解读方式运用不够",
        "部分栏目信息更新不够及时",
        "依申请公开答复的规范性有待进一步提高",
        "工作人员业务水平有待提升",
        "重点领域信息公开的深度和广度不够",
    ], 2)
    measures = rng.sample([
        "丰富政策解读形式，提升解读质量",
        "建立栏目定期巡查机制，确保信息及时更新",
        "加强依申请公开答复文书的审核把关",
        "定期组织业务培训，提升工作人员能力",
        "围绕群众关切，扩大重点领域信息公开范围",
    ], 2)
    out.append(("p", f"存在的主要问题：一是{problems[0]}；二是{problems[1]}。"))
    out.append(("p", f"改进措施：一是{measures[0]}；二是{measures[1]}。"))
    out.append(("h1", "".join(SECTIONS[5])))
    if r.fmt == "2021":
        if f["fee_yuan"]:
            out.append(("p", (
                f"依据《政府信息公开信息处理费管理办法》，本年度发出收费通知{f['fee_notices']}件，"
                f"收取信息处理费{f['fee_yuan']}元。")))
        else:
            out.append(("p", "依据《政府信息公开信息处理费管理办法》，本年度未收取信息处理费。"))
    else:
        out.append(("p", "本年度无其他需要报告的事项。"))
    out.append(("sign", r.body))
    y, m, d = r.published.split("-")
    out.append(("sign", f"{y}年{int(m)}月{int(d)}日"))
    return out


def narrative_claims(r: Report) -> dict:
    """Counts the narrative states, with what they should equal (for meta.jsonc)."""
    q = r.req
    return {
        "requests.new.total": q[("new", "total")],
        "requests.carried_over.total": q[("carried_over", "total")],
        "requests.new.natural_person": q[("new", "natural_person")],
        "requests.total.total": q[("total", "total")],
        "requests.carried_forward.total": q[("carried_forward", "total")],
        "review.cases.reconsideration.total": r.review["reconsideration.total"],
        "review.litigation": r.review["litigation_direct.total"] + r.review["litigation_after.total"],
        "fees_yuan": r.facts["fee_yuan"],
    }


__all__ = ["SECTIONS", "blocks", "facts", "narrative_claims", "APPLICANTS", "GROUPS", "REVIEW_GROUPS"]
