"""The briefing as a Word document (.docx): A4, the usual office layout, 黑体 headings, 仿宋 body, page
numbers in the footer, tables and charts as images. Fonts are named for Word's East Asian text, so the
document shows the intended faces on any office machine that has them."""
from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from . import charts
from .content import Briefing, Chart, Table

TITLE_FONT, HEADING_FONT, BODY_FONT, TABLE_FONT = "方正小标宋简体", "黑体", "仿宋", "宋体"
SHADES = {"red": "DCE8F5", "black": "F8D7D5", "alert": "FCEFD0"}
# Characters XML 1.0 forbids (and Word with it): C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: object) -> str:
    """Text Word can hold: characters XML forbids (which data may carry) as spaces."""
    return _NOT_XML.sub(" ", str(text))


def _font(run, name: str, size: float, bold: bool = False, colour: RGBColor | None = None) -> None:
    """Set a run's Latin and East Asian font, size and weight."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    props = run._element.get_or_add_rPr()
    fonts = props.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        props.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _paragraph(doc, text: str, font: str = BODY_FONT, size: float = 14, bold: bool = False,
               align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True, after: float = 4):
    """A paragraph in one font, first line indented two characters as office documents are."""
    p = doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after = Pt(after)
    fmt.line_spacing = Pt(size * 1.6)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(p.add_run(_xml(text)), font, size, bold)
    return p


def _page_number(section) -> None:
    """'— 1 —' centred in the footer, from Word's PAGE field."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), TABLE_FONT, 10.5)
    run = p.add_run()
    _font(run, TABLE_FONT, 10.5)
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), TABLE_FONT, 10.5)


def _shade(cell, colour: str) -> None:
    """Fill a table cell."""
    props = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    props.append(shading)


def _table(doc, table: Table) -> None:
    """A titled table with a shaded header, repeated on every page it spans."""
    _paragraph(doc, table.title, HEADING_FONT, 11, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=2)
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    trh = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trh.append(repeat)
    for cell, text in zip(header.cells, table.columns):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(_xml(text)), HEADING_FONT, 9.5)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _shade(cell, "E7EBF0")
    for i, values in enumerate(table.rows):
        cells = grid.add_row().cells
        for j, (cell, text) in enumerate(zip(cells, values)):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(_xml(text)), TABLE_FONT, 9)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT if j == len(values) - 1 and len(
                str(text)) > 12 else WD_ALIGN_PARAGRAPH.CENTER
            if i in table.marks:
                _shade(cell, SHADES[table.marks[i]])
    if table.note:
        _paragraph(doc, table.note, TABLE_FONT, 9, indent=False, after=8)
    else:
        doc.add_paragraph()


def _chart(doc, chart: Chart) -> None:
    """A chart as a centred picture, or a line saying why it is missing."""
    image = charts.png(chart)
    if image is None:
        _paragraph(doc, f"（图：{chart.title}。本机没有中文字体，图从略。）", TABLE_FONT, 9, indent=False)
        return
    doc.add_picture(io.BytesIO(image), width=Cm(15))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def render(briefing: Briefing) -> bytes:
    """The briefing as .docx bytes."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _page_number(section)
    doc.core_properties.title = _xml(briefing.title + briefing.subtitle)
    doc.core_properties.subject = _xml(briefing.scheme_line)
    _paragraph(doc, briefing.title, TITLE_FONT, 20, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=2)
    _paragraph(doc, briefing.subtitle, BODY_FONT, 14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=2)
    _paragraph(doc, f"{briefing.issued.year}年{briefing.issued.month}月{briefing.issued.day}日", BODY_FONT, 12,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=10)
    for part in briefing.sections:
        _paragraph(doc, part.heading, HEADING_FONT, 14, indent=part.heading != "附表", after=4)
        for block in part.blocks:
            if isinstance(block, Table):
                _table(doc, block)
            elif isinstance(block, Chart):
                _chart(doc, block)
            else:
                _paragraph(doc, str(block))
    _paragraph(doc, briefing.scheme_line + "。数据截至 " + (
        briefing.period.through.isoformat() if briefing.period.through else "—") + "；本通报由治理绩效看板按模板生成。",
               TABLE_FONT, 9, indent=False)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
