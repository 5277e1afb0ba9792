"""HTML renderings of a report: a government CMS article page and Word-saved HTML."""
from __future__ import annotations

import html
import random
import re

from model import Grid, Report, layout

# ------------------------------------------------------------------ CMS page

CMS_CSS = """
body{margin:0;font:14px/1.8 "Microsoft YaHei","微软雅黑","WenQuanYi Zen Hei",sans-serif;color:#333;background:#fff}
a{color:#333;text-decoration:none}
.top{background:#f2f2f2;font-size:12px;line-height:30px}
.w1100{max-width:1100px;margin:0 auto;padding:0 10px}
.top .r{float:right}
.header{background:#1c5cab;color:#fff;padding:18px 0}
.header .logo{font-size:28px;font-weight:bold;letter-spacing:4px}
.nav{background:#164b8f}
.nav ul{margin:0 auto;padding:0;list-style:none;max-width:1100px}
.nav li{display:inline-block;padding:0 22px;line-height:42px}
.nav li a{color:#fff;font-size:16px}
.crumb{line-height:40px;border-bottom:1px solid #e5e5e5;font-size:13px}
.article{padding:20px 30px}
.article h1{font-size:22px;text-align:center;color:#1c5cab;line-height:1.5;margin:10px 0}
.info{text-align:center;border-bottom:1px dashed #ccc;font-size:12px;color:#888;padding-bottom:8px}
#zoom{font-size:15px;padding:15px 0}
#zoom p{text-indent:2em;margin:0 0 8px}
#zoom p.h1{font-weight:bold;text-indent:2em}
#zoom p.sign{text-align:right}
#zoom table{border-collapse:collapse;margin:0 auto 14px;width:100%;table-layout:fixed}
#zoom td{border:1px solid #000;padding:7px 4px;text-align:center;font-size:14px;line-height:1.6;word-break:break-all}
#zoom td.l{text-align:left}
#zoom td.h{font-weight:bold;background:#f7f7f7}
.tools{text-align:right;font-size:12px;color:#666;border-top:1px solid #e5e5e5;padding-top:6px}
.footer{background:#e9eef5;font-size:12px;color:#555;text-align:center;line-height:24px;padding:14px 0;margin-top:20px}
@page{size:A4}
"""


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def cms_table(g: Grid) -> str:
    px = 700
    lines = [f'<table border="1" cellspacing="0" cellpadding="0" width="{px}" data-table="{g.table}">', "<colgroup>"]
    lines += [f'<col width="{round(w * px / 100)}" style="width:{w:g}%">' for w in g.widths]
    lines += ["</colgroup>", "<tbody>"]
    for row in layout(g):
        lines.append("<tr>")
        for c, col in row:
            attrs = []
            if c.rowspan > 1:
                attrs.append(f'rowspan="{c.rowspan}"')
            if c.colspan > 1:
                attrs.append(f'colspan="{c.colspan}"')
            if c.colspan == 1:
                w = round(g.widths[col] * px / 100)
                attrs.append(f'width="{w}" style="width:{w}px"')
            cls = {"head": "h", "block": "h l", "label": "l", "num": ""}[c.kind]
            if c.kind == "label" and c.rowspan > 3:  # vertical group labels stay centred
                cls = ""
            if cls:
                attrs.append(f'class="{cls}"')
            text = esc(c.text) if c.text else "&nbsp;"
            lines.append(f"<td {' '.join(attrs)}>{text}</td>".replace("<td >", "<td>"))
        lines.append("</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def render_cms(r: Report, blocks, grids: dict[str, Grid], art_path: str) -> str:
    place = r.site.replace("人民政府", "")
    body = []
    for kind, text in blocks:
        if kind == "title":
            continue
        if kind == "h1":
            body.append(f'<p class="h1"><strong>{esc(text)}</strong></p>')
        elif kind == "h2":
            body.append(f"<p><strong>{esc(text)}</strong></p>")
        elif kind == "p":
            body.append(f"<p>{esc(text)}</p>")
        elif kind == "sign":
            body.append(f'<p class="sign">{esc(text)}</p>')
        elif kind == "table":
            body.append(cms_table(grids[text]))
    y = r.published[:4]
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="SiteName" content="{esc(r.site)}">
<meta name="ArticleTitle" content="{esc(r.title)}">
<meta name="PubDate" content="{r.published} 09:30">
<meta name="ColumnName" content="政府信息公开年报">
<title>{esc(r.title)}_{esc(r.site)}</title>
<style>{CMS_CSS}</style>
</head>
<body>
<div class="top"><div class="w1100"><span class="r"><a href="/">无障碍</a> | <a href="/">长者模式</a> | <a href="/">English</a></span>欢迎访问{esc(r.site)}门户网站！</div></div>
<div class="header"><div class="w1100"><span class="logo">{esc(r.site)}</span></div></div>
<div class="nav"><ul>
<li><a href="/">首页</a></li>
<li><a href="/col/zwgk/">政务公开</a></li>
<li><a href="/col/zwfw/">政务服务</a></li>
<li><a href="/col/hdjl/">互动交流</a></li>
<li><a href="/col/zj/">走进{esc(place)}</a></li>
</ul></div>
<div class="w1100">
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/col/zwgk/">政务公开</a> &gt; <a href="/col/ndbg/">年报</a></div>
<div class="article">
<h1>{esc(r.title)}</h1>
<div class="info">发布日期：{r.published} 09:30 &nbsp;&nbsp; 来源：{esc(r.body)} &nbsp;&nbsp; 浏览次数：<span id="hits">1</span> &nbsp;&nbsp; 字号：[ <a href="#">大</a> <a href="#">中</a> <a href="#">小</a> ]</div>
<div id="zoom">
{chr(10).join(body)}
</div>
<div class="tools"><a href="#">【打印本页】</a> <a href="#">【关闭窗口】</a></div>
</div>
</div>
<div class="footer">
<p>主办单位：{esc(r.site)}办公室 &nbsp;&nbsp; 承办单位：{esc(place)}大数据发展中心</p>
<p>网站标识码：{r.facts['site_code']} &nbsp;&nbsp; <a href="#">ICP备{r.facts['icp']}号-1</a> &nbsp;&nbsp; 公网安备 {r.facts['psb']}号</p>
<p>更新日期：{r.published} &nbsp;&nbsp; 建议使用1920×1080分辨率浏览本站 &nbsp; 本文网址：{esc(art_path)}</p>
<p>Copyright © {y} {esc(r.site)} 版权所有</p>
</div>
</body>
</html>
"""


# ------------------------------------------------------------ Word HTML

WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<link rel=File-List href="{stem}.files/filelist.xml">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>Administrator</o:Author>
  <o:LastAuthor>Administrator</o:LastAuthor>
  <o:Revision>4</o:Revision>
  <o:TotalTime>38</o:TotalTime>
  <o:Created>{created}</o:Created>
  <o:LastSaved>{saved}</o:LastSaved>
  <o:Pages>5</o:Pages>
  <o:Company>Microsoft</o:Company>
  <o:Version>16.00</o:Version>
 </o:DocumentProperties>
</xml><![endif]-->
<link rel=themeData href="{stem}.files/themedata.thmx">
<link rel=colorSchemeMapping href="{stem}.files/colorschememapping.xml">
<!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:SpellingState>Clean</w:SpellingState>
  <w:GrammarState>Clean</w:GrammarState>
  <w:TrackMoves>false</w:TrackMoves>
  <w:TrackFormatting/>
  <w:PunctuationKerning/>
  <w:DrawingGridVerticalSpacing>7.8 磅</w:DrawingGridVerticalSpacing>
  <w:DisplayHorizontalDrawingGridEvery>0</w:DisplayHorizontalDrawingGridEvery>
  <w:DisplayVerticalDrawingGridEvery>2</w:DisplayVerticalDrawingGridEvery>
  <w:ValidateAgainstSchemas/>
  <w:Compatibility>
   <w:SpaceForUL/>
   <w:BalanceSingleByteDoubleByteWidth/>
   <w:DoNotLeaveBackslashAlone/>
   <w:ULTrailSpace/>
   <w:DoNotExpandShiftReturn/>
   <w:AdjustLineHeightInTable/>
   <w:UseFELayout/>
  </w:Compatibility>
  <w:BrowserLevel>MicrosoftInternetExplorer4</w:BrowserLevel>
 </w:WordDocument>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face
	{{font-family:宋体;
	panose-1:2 1 6 0 3 1 1 1 1 1;
	mso-font-alt:SimSun;
	mso-font-charset:134;
	mso-generic-font-family:auto;
	mso-font-pitch:variable;
	mso-font-signature:3 680460288 22 0 262145 0;}}
@font-face
	{{font-family:黑体;
	panose-1:2 1 6 9 6 1 1 1 1 1;
	mso-font-alt:SimHei;
	mso-font-charset:134;
	mso-generic-font-family:modern;
	mso-font-pitch:fixed;
	mso-font-signature:-2147482945 953122042 22 0 262145 0;}}
@font-face
	{{font-family:仿宋_GB2312;
	mso-font-alt:仿宋;
	mso-font-charset:134;
	mso-generic-font-family:modern;
	mso-font-pitch:fixed;
	mso-font-signature:1 135135232 16 0 262144 0;}}
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal
	{{mso-style-unhide:no;
	mso-style-qformat:yes;
	mso-style-parent:"";
	margin:0cm;
	text-align:justify;
	text-justify:inter-ideograph;
	mso-pagination:none;
	font-size:10.5pt;
	mso-bidi-font-size:12.0pt;
	font-family:"Times New Roman",serif;
	mso-fareast-font-family:宋体;
	mso-font-kerning:1.0pt;}}
p.MsoFooter, li.MsoFooter, div.MsoFooter
	{{mso-style-unhide:no;
	margin:0cm;
	layout-grid-mode:char;
	font-size:9.0pt;
	font-family:"Times New Roman",serif;}}
span.GramE
	{{mso-style-name:"";
	mso-gram-e:yes;}}
@page WordSection1
	{{size:595.3pt 841.9pt;
	margin:104.9pt 73.7pt 99.25pt 79.4pt;
	mso-header-margin:42.55pt;
	mso-footer-margin:49.6pt;
	mso-even-footer:url("{stem}.files/header.htm") ef1;
	mso-footer:url("{stem}.files/header.htm") f1;
	mso-page-numbers:1;
	layout-grid:28.95pt 0pt;}}
div.WordSection1
	{{page:WordSection1;}}
-->
</style>
<!--[if gte mso 10]>
<style>
 /* Style Definitions */
 table.MsoNormalTable
	{{mso-style-name:普通表格;
	mso-tstyle-rowband-size:0;
	mso-tstyle-colband-size:0;
	mso-style-noshow:yes;
	mso-style-priority:99;
	mso-style-parent:"";
	mso-padding-alt:0cm 5.4pt 0cm 5.4pt;
	mso-para-margin:0cm;
	font-size:10.0pt;
	font-family:"Times New Roman",serif;}}
</style>
<![endif]--><!--[if gte mso 9]><xml>
 <o:shapedefaults v:ext="edit" spidmax="2049"/>
</xml><![endif]-->
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>

<div class=WordSection1 style='layout-grid:14.5pt'>
"""

FS = "仿宋_GB2312"
ASCII_RUN = re.compile(r"([0-9A-Za-z.%/+\-]+)")


def word_runs(text: str, style: str, rng: random.Random, split: float = 0.0) -> str:
    """Word's runs: ASCII in `<span lang=EN-US>`, CJK in plain spans, and with
    probability `split` an extra run boundary in the middle of a CJK stretch
    (as edits and rsids leave them)."""
    out = []
    for part in ASCII_RUN.split(text):
        if not part:
            continue
        if ASCII_RUN.fullmatch(part):
            m = re.search(r"font-family:([^;]+)", style)
            east = m.group(1) if m else FS
            ascii_style = re.sub(r"font-family:[^;]+", "font-family:\"Times New Roman\",serif;"
                                 f"mso-fareast-font-family:{east}", style, count=1)
            out.append(f"<span lang=EN-US style='{ascii_style}'>{esc(part)}</span>")
            continue
        pieces = [part]
        if split and len(part) >= 4 and rng.random() < split:
            k = rng.randint(2, len(part) - 2)
            pieces = [part[:k], part[k:]]
        for i, p in enumerate(pieces):
            extra = ";mso-bidi-font-family:宋体" if i else ""
            out.append(f"<span style='{style}{extra}'>{esc(p)}</span>")
    return "".join(out)


def _wrap_line(line: str, width: int = 76) -> list[str]:
    """Breaks a long line as Word's HTML writer does: preferably at a space
    (inside tags too) or after a ';' inside a tag; in a stretch of CJK text
    with no such place, between two characters."""
    if not line:
        return [""]
    out: list[str] = []
    buf: list[str] = []
    strong: tuple[int, bool] | None = None  # (index in buf, the char there is a space to drop)
    weak: int | None = None
    in_tag = in_ent = False

    def cjk(ch: str) -> bool:
        return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"

    for ch in line:
        if not in_tag and ch == "<":
            in_tag = True
        elif in_tag and ch == ">":
            in_tag = False
        if not in_tag and ch == "&":
            in_ent = True
        if ch == " " and not in_ent:
            strong = (len(buf), True)
        elif in_tag and buf and buf[-1] == ";":
            strong = (len(buf), False)
        elif not in_tag and not in_ent and buf and cjk(ch) and cjk(buf[-1]):
            weak = len(buf)
        buf.append(ch)
        if in_ent and ch == ";":
            in_ent = False
        if len(buf) > width:
            if strong is not None and strong[0] > 0:
                i, drop = strong
            elif weak:
                i, drop = weak, False
            else:
                continue
            out.append("".join(buf[:i]))
            buf = buf[i + 1:] if drop else buf[i:]
            shift = i + 1 if drop else i
            strong = None
            weak = weak - shift if weak is not None and weak - shift > 0 else None
    if buf:
        out.append("".join(buf))
    return out


def _wrap(lines: list[str]) -> str:
    res = []
    for ln in lines:
        res += _wrap_line(ln)
    return "\n".join(res) + "\n"


def word_table(g: Grid, rng: random.Random, blanks_nbsp: bool) -> list[str]:
    text_pt = 442.2  # printable width of the page in pt
    lines = [
        "<div align=center>",
        "",
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width="
        f"{round(text_pt * 4 / 3)} style='width:{text_pt}pt;border-collapse:collapse;border:none;"
        "mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>",
    ]
    rows = layout(g)
    for ri, row in enumerate(rows):
        tr = f"mso-yfti-irow:{ri}"
        if ri == 0:
            tr += ";mso-yfti-firstrow:yes"
        if ri == len(rows) - 1:
            tr += ";mso-yfti-lastrow:yes"
        lines.append(f" <tr style='{tr};height:19.85pt'>")
        for c, col in row:
            span = sum(g.widths[col:col + c.colspan])
            wpt = round(text_pt * span / 100, 1)
            attrs = f"width={round(wpt * 4 / 3)}"
            if c.rowspan > 1:
                attrs += f" rowspan={c.rowspan}"
            if c.colspan > 1:
                attrs += f" colspan={c.colspan}"
            border = "border:solid windowtext 1.0pt" if ri == 0 else \
                "border:solid windowtext 1.0pt;border-top:none;mso-border-top-alt:solid windowtext .5pt"
            lines.append(f"  <td {attrs} style='width:{wpt}pt;{border};mso-border-alt:solid windowtext .5pt;"
                         "padding:0cm 5.4pt 0cm 5.4pt;height:19.85pt'>")
            left = c.kind in ("label", "block") and c.rowspan <= 3
            align = "align=left style='text-align:left" if left else "align=center style='text-align:center"
            style = "font-size:10.5pt;font-family:宋体;mso-bidi-font-family:宋体;color:black;mso-font-kerning:0pt"
            if c.kind in ("head", "block"):
                style = "font-size:10.5pt;font-family:黑体;mso-hansi-font-family:宋体;color:black;mso-font-kerning:0pt"
            if c.text:
                runs = word_runs(c.text, style, rng, split=0.5 if c.kind != "num" else 0.0)
                lines.append(f"  <p class=MsoNormal {align};line-height:14.0pt;mso-line-height-rule:exactly'>"
                             f"{runs}<span lang=EN-US style='{style}'><o:p></o:p></span></p>")
            else:
                lines.append(f"  <p class=MsoNormal {align};line-height:14.0pt;mso-line-height-rule:exactly'>"
                             f"<span lang=EN-US style='{style}'><o:p>&nbsp;</o:p></span></p>")
            lines.append("  </td>")
        lines.append(" </tr>")
    lines.append(" <![if !supportMisalignedColumns]>")
    lines.append(" <tr height=0>")
    for w in g.widths:
        lines.append(f"  <td width={round(text_pt * w / 100 * 4 / 3)} style='border:none'></td>")
    lines.append(" </tr>")
    lines.append(" <![endif]>")
    lines.append("</table>")
    lines.append("")
    lines.append("</div>")
    lines.append("")
    lines.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    lines.append("")
    return lines


def render_word(r: Report, blocks, grids: dict[str, Grid], rng: random.Random) -> str:
    body_style = f"font-size:16.0pt;font-family:{FS};mso-hansi-font-family:\"Times New Roman\""
    lines: list[str] = []
    for kind, text in blocks:
        if kind == "title":
            st = "font-size:22.0pt;font-family:方正小标宋简体;mso-hansi-font-family:\"Times New Roman\""
            lines.append("<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;"
                         f"mso-line-height-rule:exactly'>{word_runs(text, st, rng, 0.3)}</p>")
            lines.append("")
            lines.append("<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;"
                         "mso-line-height-rule:exactly'><span lang=EN-US style='font-size:16.0pt'>"
                         "<o:p>&nbsp;</o:p></span></p>")
        elif kind == "h1":
            if text.startswith("三、"):
                lines.append("<span lang=EN-US style='font-size:16.0pt;font-family:黑体;mso-hansi-font-family:"
                             "\"Times New Roman\";mso-font-kerning:1.0pt'><br clear=all "
                             "style='page-break-before:always'>")
                lines.append("</span>")
                lines.append("")
            st = "font-size:16.0pt;font-family:黑体;mso-hansi-font-family:\"Times New Roman\""
            lines.append("<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;"
                         f"line-height:28.0pt;mso-line-height-rule:exactly'>{word_runs(text, st, rng, 0.2)}</p>")
        elif kind == "h2":
            st = "font-size:16.0pt;font-family:楷体_GB2312;mso-hansi-font-family:\"Times New Roman\""
            lines.append("<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;"
                         f"line-height:28.0pt;mso-line-height-rule:exactly'><b>{word_runs(text, st, rng)}</b></p>")
        elif kind == "p":
            lines.append("<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;"
                         f"line-height:28.0pt;mso-line-height-rule:exactly'>{word_runs(text, body_style, rng, 0.3)}"
                         "</p>")
        elif kind == "sign":
            lines.append("<p class=MsoNormal align=right style='text-align:right;line-height:28.0pt;"
                         f"mso-line-height-rule:exactly'>{word_runs(text, body_style, rng)}</p>")
        elif kind == "table":
            lines.append("")
            lines += word_table(grids[text], rng, True)
            continue
        lines.append("")
    created = f"{r.published}T01:12:00Z"
    saved = f"{r.published}T02:40:00Z"
    head = WORD_HEAD.format(stem=esc(r.title), title=esc(r.title), created=created, saved=saved)
    return head + _wrap(lines) + "\n</div>\n\n</body>\n\n</html>\n"
