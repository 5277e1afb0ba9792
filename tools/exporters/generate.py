#!/usr/bin/env python3
"""Writes consistent synthetic 政府信息公开工作年度报告 as published documents.

For each of four reports (two 2021-format, two 2019-format) it writes, under
tests/fixtures/exporters/<report-id>/:
  cms.html     a government CMS article page (site chrome, rowspan/colspan tables)
  word.html    the same report as Word's "Save as Web Page" HTML
  report.docx  a python-docx Word file with merged cells and a "- N -" footer
  cms.pdf      cms.html printed by headless Chromium, default header/footer kept
  word.pdf     report.docx converted by LibreOffice (if soffice is installed)
  truth.tsv    table<TAB>row<TAB>column<TAB>value for every printed cell
  meta.jsonc    format, year, body and the counts the narrative states

Deterministic: the same --seed gives the same files (PDF dates are pinned).
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import model  # noqa: E402
import prose  # noqa: E402
from render_docx import render_docx  # noqa: E402
from render_html import render_cms, render_word  # noqa: E402

ROOT = HERE.parents[1]
OUT = ROOT / "tests" / "fixtures" / "exporters"

# (report id, format, year, kind of body, zero cells left blank)
SLOTS = [
    ("r1-v2021", "2021", 2023, "county", False),
    ("r2-v2021", "2021", 2022, "city", True),
    ("r3-v2019", "2019", 2020, "district", False),
    ("r4-v2019", "2019", 2019, "township", True),
]
PLACES = {
    "county": [("青溪县", "qingxi"), ("石湖县", "shihu"), ("梅岭县", "meiling")],
    "city": [("云岭市", "yunling"), ("江屿市", "jiangyu"), ("枫川市", "fengchuan")],
    "district": [("白石区", "baishi"), ("柳塘区", "liutang"), ("金沙区", "jinsha")],
    "township": [("东河镇", "donghe", "松阳县", "songyang"), ("南溪镇", "nanxi", "桐江县", "tongjiang")],
}
BUREAUS = ["市场监督管理局", "自然资源和规划局", "卫生健康局", "住房和城乡建设局",
           "交通运输局", "农业农村局", "人力资源和社会保障局", "民政局"]

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
]
PDF_EPOCH = "20240101000000"


def make_report(seed: int, idx: int) -> model.Report:
    rid, fmt, year, kind, blanks = SLOTS[idx]
    rng = random.Random(f"nianbao-exporters:{seed}:{rid}")
    if kind == "township":
        town, _, county, chost = rng.choice(PLACES[kind])
        body, site, host, place = f"{town}人民政府", f"{county}人民政府", f"www.{chost}.gov.cn", town
    else:
        place, phost = rng.choice(PLACES[kind])
        body = place + rng.choice(BUREAUS)
        site, host = f"{place}人民政府", f"www.{phost}.gov.cn"
    day = rng.randint(10, 29)
    published = f"{year + 1}-01-{day:02d}"
    printed = f"{year + 1}-{rng.randint(2, 11):02d}-{rng.randint(1, 28):02d} {rng.randint(9, 17):02d}:{rng.randint(0, 5)}0:00"
    r = model.Report(rid=rid, fmt=fmt, year=year, body=body, kind="township" if kind == "township" else "bureau",
                     place=place, site=site, host=host, published=published, printed=printed, blanks=blanks)
    model.fill_requests(rng, r)
    model.fill_review(rng, r)
    model.fill_disclosure(rng, r)
    model.check(r)
    model.print_values(r)
    prose.facts(rng, r)
    r.facts["site_code"] = str(rng.randint(3300000000, 3399999999))
    r.facts["icp"] = f"{rng.randint(10000000, 19999999)}"
    r.facts["psb"] = f"{rng.randint(33000000000000, 33999999999999)}"
    r.facts["art"] = f"/art/{published[:4]}/{int(published[5:7])}/{int(published[8:10])}/art_{rng.randint(1200, 1299)}_{rng.randint(1000000, 9999999)}.html"
    return r


# ------------------------------------------------------------------- PDFs

def _pin_pdf_dates(path: Path) -> None:
    """Replaces creation/modification dates and the file /ID with fixed bytes of
    the same length, so the cross-reference offsets stay valid."""
    data = path.read_bytes()
    data = re.sub(rb"\(D:\d{14}", b"(D:" + PDF_EPOCH.encode(), data)
    data = re.sub(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d",
                  rb"\g<1>2024-01-01T00:00:00", data)
    data = re.sub(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>",
                  lambda m: m.group(0).replace(m.group(1), b"0" * len(m.group(1)))
                  .replace(m.group(2), b"0" * len(m.group(2))), data)
    data = re.sub(rb"/DocChecksum /[0-9A-Fa-f]+", lambda m: b"/DocChecksum /" + b"0" * (len(m.group(0)) - 14), data)
    data = re.sub(rb"uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                  b"uuid:00000000-0000-0000-0000-000000000000", data)
    path.write_bytes(data)


class _Pages(http.server.BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802
        body = self.pages.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def print_cms_pdf(r: model.Report, html_bytes: bytes, out: Path) -> None:
    """Prints the page as a visitor does (headless Chromium, default header and
    footer: print date, page title, URL and "1/4"). The page is served from
    127.0.0.1 under the site's host name, so the footer shows a site URL; the
    clock is set with faketime, so the header date is fixed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium missing: cms.pdf skipped", file=sys.stderr)
        return
    _Pages.pages = {r.facts["art"]: html_bytes}
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    port = srv.server_address[1]
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        with tempfile.TemporaryDirectory() as profile:
            cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--host-resolver-rules=MAP {r.host} 127.0.0.1:{port}",
                   f"--print-to-pdf={out}", f"http://{r.host}{r.facts['art']}"]
            if shutil.which("faketime"):
                cmd = ["faketime", r.printed] + cmd
            env = dict(os.environ, TZ="Asia/Shanghai", LANG="C.UTF-8")
            subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=180)
    finally:
        srv.shutdown()
    _pin_pdf_dates(out)


def print_word_pdf(docx: Path, out: Path) -> None:
    """report.docx → PDF with LibreOffice, as "另存为 PDF" would."""
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice missing: word.pdf skipped", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
               "--convert-to", "pdf", "--outdir", tmp, str(docx)]
        if shutil.which("setarch"):
            # LibreOffice orders the embedded fonts by address: without address
            # randomisation the bytes come out the same on every run.
            cmd = ["setarch", os.uname().machine, "-R"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=300, env=dict(os.environ, TZ="Asia/Shanghai"))
        shutil.move(Path(tmp) / (docx.stem + ".pdf"), out)
    _pin_pdf_dates(out)


# ------------------------------------------------------------------- main

def write_report(r: model.Report, seed: int, pdf: bool) -> Path:
    d = OUT / r.rid
    d.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"nianbao-exporters:{seed}:{r.rid}:layout")
    blocks = prose.blocks(rng, r)
    grids = model.grids(r)
    cms = render_cms(r, blocks, grids, f"http://{r.host}{r.facts['art']}")
    (d / "cms.html").write_text(cms, encoding="utf-8")
    (d / "word.html").write_text(render_word(r, blocks, grids, rng), encoding="utf-8")
    (d / "report.docx").write_bytes(render_docx(r, blocks, grids))
    (d / "truth.tsv").write_text("\n".join(model.truth_lines(r)) + "\n", encoding="utf-8")
    meta = {
        "format": r.fmt,
        "year": r.year,
        "body": r.body,
        "title": r.title,
        "published": r.published,
        "url": f"http://{r.host}{r.facts['art']}",
        "blank_zero_cells": r.blanks,
        "narrative": prose.narrative_claims(r),
        "sources": {
            "cms.html": "government CMS article page",
            "word.html": "Word 'Save as Web Page' HTML",
            "report.docx": "Word file made with python-docx",
            "cms.pdf": f"cms.html printed by headless Chromium, header date {r.printed}",
            "word.pdf": "report.docx converted to PDF by LibreOffice",
        },
    }
    (d / "meta.jsonc").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if pdf:
        print_cms_pdf(r, cms.encode("utf-8"), d / "cms.pdf")
        print_word_pdf(d / "report.docx", d / "word.pdf")
    return d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-pdf", action="store_true", help="skip Chromium/LibreOffice printing")
    ap.add_argument("--only", help="one report id")
    args = ap.parse_args()
    for i, slot in enumerate(SLOTS):
        if args.only and slot[0] != args.only:
            continue
        r = make_report(args.seed, i)
        d = write_report(r, args.seed, not args.no_pdf)
        print(f"{d.relative_to(ROOT)}: {r.fmt} {r.year} {r.body}")


if __name__ == "__main__":
    main()
