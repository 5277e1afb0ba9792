#!/usr/bin/env python3
"""Turns every source document under tests/fixtures/exporters/<report-id>/ into
text with the tools people actually use, one file per (source, tool):

  <report-id>/<source>.<tool>.txt      e.g. r1-v2021/cms-html.w3m.txt

where <source> is the document's file name with its dot made a hyphen
(cms-html, word-html, report-docx, cms-pdf, word-pdf), so that a name splits
on "." into exactly source, tool and "txt".

HTML (cms.html, word.html): w3m, lynx, html2text, markitdown, pandoc-plain,
    pandoc-gfm, bs4 (BeautifulSoup get_text("\\n"))
DOCX (report.docx): pandoc-plain, pandoc-gfm, docx2txt, python-docx (paragraphs,
    then each table row's cells joined by tabs), markitdown, soffice (LibreOffice
    "Text (encoded)" UTF-8)
PDF (cms.pdf, word.pdf): pdftotext, pdftotext-layout, pypdf, pdfplumber,
    pymupdf (get_text), pymupdf4llm (to_markdown), markitdown

Every output is written as the tool gave it (markdown too, under .txt). A tool
that is missing or fails is reported and skipped. Also writes index.tsv:
report, source id, source document, tool, output file, and the command
or call that made it.
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "tests" / "fixtures" / "exporters"
ENV = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ="Asia/Shanghai", COLUMNS="80")


def run(cmd: list[str], **kw) -> str:
    res = subprocess.run(cmd, check=True, capture_output=True, env=ENV, timeout=300, **kw)
    return res.stdout.decode("utf-8")


# ------------------------------------------------------------------ HTML

def html_w3m(p: Path) -> str:
    return run(["w3m", "-dump", "-cols", "80", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8", str(p)])


def html_lynx(p: Path) -> str:
    return run(["lynx", "-dump", "-nolist", "-width=80", "-display_charset=UTF-8",
                "-assume_charset=UTF-8", "-assume_local_charset=UTF-8", str(p)])


def html_html2text(p: Path) -> str:
    import html2text
    return html2text.HTML2Text().handle(p.read_text(encoding="utf-8"))


def any_markitdown(p: Path) -> str:
    from markitdown import MarkItDown
    return MarkItDown(enable_plugins=False).convert(str(p)).text_content


def html_pandoc_plain(p: Path) -> str:
    return run(["pandoc", "-f", "html", "-t", "plain", str(p)])


def html_pandoc_gfm(p: Path) -> str:
    return run(["pandoc", "-f", "html", "-t", "gfm", str(p)])


def html_bs4(p: Path) -> str:
    from bs4 import BeautifulSoup
    return BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").get_text("\n")


# ------------------------------------------------------------------ DOCX

def docx_pandoc_plain(p: Path) -> str:
    return run(["pandoc", "-f", "docx", "-t", "plain", str(p)])


def docx_pandoc_gfm(p: Path) -> str:
    return run(["pandoc", "-f", "docx", "-t", "gfm", str(p)])


def docx_docx2txt(p: Path) -> str:
    import docx2txt
    return docx2txt.process(str(p))


def docx_python_docx(p: Path) -> str:
    """The naive script: paragraphs, then every table row's cells joined by
    tabs (row.cells repeats a merged cell once per grid column it covers)."""
    import docx
    d = docx.Document(str(p))
    lines = [para.text for para in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines) + "\n"


def docx_soffice(p: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
             "--convert-to", "txt:Text (encoded):UTF8", "--outdir", tmp, str(p)])
        return (Path(tmp) / (p.stem + ".txt")).read_bytes().decode("utf-8")


# ------------------------------------------------------------------- PDF

def pdf_pdftotext(p: Path) -> str:
    return run(["pdftotext", "-enc", "UTF-8", str(p), "-"])


def pdf_pdftotext_layout(p: Path) -> str:
    return run(["pdftotext", "-layout", "-enc", "UTF-8", str(p), "-"])


def pdf_pypdf(p: Path) -> str:
    from pypdf import PdfReader
    return "\n".join(page.extract_text() for page in PdfReader(str(p)).pages)


def pdf_pdfplumber(p: Path) -> str:
    import pdfplumber
    with pdfplumber.open(str(p)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def pdf_pymupdf(p: Path) -> str:
    import pymupdf
    with pymupdf.open(str(p)) as doc:
        return "".join(page.get_text() for page in doc)


def pdf_pymupdf4llm(p: Path) -> str:
    import pymupdf4llm
    return pymupdf4llm.to_markdown(str(p))


TOOLS = {
    ".html": [("w3m", html_w3m, "w3m -dump -cols 80 -T text/html -I UTF-8 -O UTF-8 FILE"),
              ("lynx", html_lynx, "lynx -dump -nolist -width=80 -display_charset=UTF-8 -assume_charset=UTF-8 FILE"),
              ("html2text", html_html2text, "html2text.HTML2Text().handle(html)"),
              ("markitdown", any_markitdown, "MarkItDown().convert(FILE).text_content"),
              ("pandoc-plain", html_pandoc_plain, "pandoc -f html -t plain FILE"),
              ("pandoc-gfm", html_pandoc_gfm, "pandoc -f html -t gfm FILE"),
              ("bs4", html_bs4, "BeautifulSoup(html, 'html.parser').get_text('\\n')")],
    ".docx": [("pandoc-plain", docx_pandoc_plain, "pandoc -f docx -t plain FILE"),
              ("pandoc-gfm", docx_pandoc_gfm, "pandoc -f docx -t gfm FILE"),
              ("docx2txt", docx_docx2txt, "docx2txt.process(FILE)"),
              ("python-docx", docx_python_docx, "paragraphs, then '\\t'.join(cell.text for cell in row.cells) per table row"),
              ("markitdown", any_markitdown, "MarkItDown().convert(FILE).text_content"),
              ("soffice", docx_soffice, "soffice --headless --convert-to 'txt:Text (encoded):UTF8' FILE")],
    ".pdf": [("pdftotext", pdf_pdftotext, "pdftotext -enc UTF-8 FILE -"),
             ("pdftotext-layout", pdf_pdftotext_layout, "pdftotext -layout -enc UTF-8 FILE -"),
             ("pypdf", pdf_pypdf, "'\\n'.join(page.extract_text() for page in PdfReader(FILE).pages)"),
             ("pdfplumber", pdf_pdfplumber, "'\\n'.join(page.extract_text() for page in pdf.pages)"),
             ("pymupdf", pdf_pymupdf, "''.join(page.get_text() for page in pymupdf.open(FILE))"),
             ("pymupdf4llm", pdf_pymupdf4llm, "pymupdf4llm.to_markdown(FILE)"),
             ("markitdown", any_markitdown, "MarkItDown().convert(FILE).text_content")],
}
SOURCES = ["cms.html", "word.html", "report.docx", "cms.pdf", "word.pdf"]


def source_id(name: str) -> str:
    """cms.html → cms-html: the source part of an output's file name."""
    return name.replace(".", "-")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="one report id")
    ap.add_argument("--tool", help="one tool name")
    args = ap.parse_args()
    index = ["report\tsource\tdocument\ttool\toutput\tcommand"]
    failures = 0
    for d in sorted(p for p in OUT.iterdir() if p.is_dir()):
        if args.only and d.name != args.only:
            continue
        if not (args.only or args.tool):
            for stale in d.glob("*.txt"):
                stale.unlink()
        for src in SOURCES:
            path = d / src
            if not path.exists():
                continue
            for tool, fn, how in TOOLS[path.suffix]:
                if args.tool and tool != args.tool:
                    continue
                out = d / f"{source_id(src)}.{tool}.txt"
                try:
                    noise = io.StringIO()
                    with redirect_stdout(noise), redirect_stderr(noise):
                        text = fn(path)
                except (subprocess.CalledProcessError, OSError, ImportError, RuntimeError, ValueError) as e:
                    failures += 1
                    print(f"FAILED {d.name}/{src} {tool}: {e}", file=sys.stderr)
                    continue
                out.write_text(text, encoding="utf-8", newline="")
                index.append(f"{d.name}\t{source_id(src)}\t{src}\t{tool}\t{out.relative_to(OUT)}\t{how}")
                print(f"{out.relative_to(ROOT)} ({len(text)} chars)")
    if not (args.only or args.tool):
        (OUT / "index.tsv").write_text("\n".join(index) + "\n", encoding="utf-8")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    if shutil.which("pandoc") is None:
        print("pandoc missing: run tools/exporters/install.sh", file=sys.stderr)
    main()
