"""A .docx rendering of a report, made with python-docx as an office worker's
Word file looks: 公文 fonts and margins, tables with merged cells (vertical
merges for the group labels and the narrow 三、本年度办理结果 column, horizontal
ones for header groups), and a "- N -" page number in the footer."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from model import Grid, Report, layout

TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6


def _font(run, east_asia: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.name = "Times New Roman"
    run.bold = bold or None
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _para(doc, text: str, east_asia: str, size: float, align=None, indent: bool = True, bold: bool = False):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), east_asia, size, bold)
    return p


def _page_number_footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(text=None, fld=None, instr=None):
        r = p.add_run(text or "")
        _font(r, "宋体", 14)
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._element.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._element.append(el)

    run("- ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" -")


def _table(doc, g: Grid) -> None:
    nrows = len(g.rows)
    t = doc.add_table(rows=nrows, cols=g.ncols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Cm(TEXT_WIDTH_CM * w / 100) for w in g.widths]
    for i, col in enumerate(t.columns):
        col.width = widths[i]
    for row in t.rows:
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
    placed = layout(g)
    # merge first, then write (merging concatenates the cells' paragraphs)
    for ri, row in enumerate(placed):
        for c, col in row:
            cell = t.cell(ri, col)
            if c.rowspan > 1 or c.colspan > 1:
                cell = cell.merge(t.cell(ri + c.rowspan - 1, col + c.colspan - 1))
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            left = c.kind in ("label", "block") and c.rowspan <= 3
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            if c.text:
                east = "黑体" if c.kind in ("head", "block") else "宋体"
                _font(p.add_run(c.text), east, 10.5)
    doc.add_paragraph()


def _fixed_zip(data: bytes, when: tuple) -> bytes:
    """python-docx stamps zip entries with the current time; restamp them."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def render_docx(r: Report, blocks, grids: dict[str, Grid]) -> bytes:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    sec.footer_distance = Cm(2.0)
    _page_number_footer(sec)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    for kind, text in blocks:
        if kind == "title":
            _para(doc, text, "方正小标宋简体", 22, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
            _para(doc, "", "仿宋_GB2312", 16, indent=False)
        elif kind == "h1":
            if text.startswith("三、"):
                doc.add_page_break()
            _para(doc, text, "黑体", 16)
        elif kind == "h2":
            _para(doc, text, "楷体_GB2312", 16, bold=True)
        elif kind == "p":
            _para(doc, text, "仿宋_GB2312", 16)
        elif kind == "sign":
            _para(doc, text, "仿宋_GB2312", 16, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        elif kind == "table":
            _table(doc, grids[text])
    y, m, d = map(int, r.published.split("-"))
    when = dt.datetime(y, m, d, 9, 30, 0)
    cp = doc.core_properties
    cp.author = "Administrator"
    cp.last_modified_by = "Administrator"
    cp.title = ""
    cp.created = when - dt.timedelta(days=3)
    cp.modified = when
    cp.revision = 3
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue(), (y, m, d, 9, 30, 0))
