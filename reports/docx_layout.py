"""Low-level python-docx helpers for the administrative layout: fonts, pages, lines, tables."""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length, Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
BODY_PT = 14  # Nghị định 30/2020/NĐ-CP: 13–14 pt for the body
TABLE_PT = 12
# A4 with the decree's margins: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
A4 = (Mm(210), Mm(297))
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
PORTRAIT_TEXT_WIDTH = Mm(210 - 30 - 15)
LANDSCAPE_TEXT_WIDTH = Mm(297 - 30 - 15)
FIRST_LINE = Mm(12.7)


def set_font(style_or_run: object, size: float | None = None) -> None:
    """Times New Roman for every script slot: Word picks eastAsia/cs fonts for some letters."""
    font = style_or_run.font  # type: ignore[attr-defined]
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    rpr = style_or_run.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def set_language(style: ParagraphStyle, lang: str = "vi-VN") -> None:
    """So that Word and LibreOffice check spelling in Vietnamese."""
    rpr = style.element.get_or_add_rPr()
    node = OxmlElement("w:lang")
    node.set(qn("w:val"), lang)
    node.set(qn("w:eastAsia"), lang)
    rpr.append(node)


def setup_styles(doc: Document) -> tuple[ParagraphStyle, ParagraphStyle]:
    """The body style (Normal) and a compact one for table cells."""
    normal = doc.styles["Normal"]
    set_font(normal, BODY_PT)
    set_language(normal)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15
    cell = doc.styles.add_style("Bảng", 1)  # WD_STYLE_TYPE.PARAGRAPH
    cell.base_style = normal
    set_font(cell, TABLE_PT)
    cf = cell.paragraph_format
    cf.space_before = Pt(2)
    cf.space_after = Pt(2)
    cf.line_spacing = 1.0
    cf.first_line_indent = Mm(0)
    return normal, cell


def page(section: Section, *, landscape: bool = False) -> None:
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def page_numbers(section: Section) -> None:
    """The page number centred at the top, from the second page on (as the decree asks)."""
    section.different_first_page_header_footer = True
    para = section.header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run()
    set_font(run, 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        else:
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = text
        run._r.append(node)


def text(
    container: object,
    content: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
    style: ParagraphStyle | None = None,
    after: float | None = None,
    before: float | None = None,
    keep_with_next: bool = False,
) -> Paragraph:
    """A paragraph with one run, formatted; `container` is the document or a table cell."""
    para = container.add_paragraph()  # type: ignore[attr-defined]
    if style is not None:
        use_style(para, style)
    if content:
        run = para.add_run(content)
        run.bold = bold or None
        run.italic = italic or None
        if size is not None:
            run.font.size = Pt(size)
    fmt = para.paragraph_format
    if align is not None:
        para.alignment = align
    fmt.first_line_indent = FIRST_LINE if indent else Mm(0)
    if after is not None:
        fmt.space_after = Pt(after)
    if before is not None:
        fmt.space_before = Pt(before)
    if keep_with_next:
        fmt.keep_with_next = True
    return para


def rule(container: object, width: Length, line: Length) -> Paragraph:
    """A short centred horizontal line (under the issuing body and under the motto)."""
    para = container.add_paragraph()  # type: ignore[attr-defined]
    fmt = para.paragraph_format
    side = Length(max(int((width - line) / 2), 0))
    fmt.left_indent = side
    fmt.right_indent = side
    fmt.first_line_indent = Mm(0)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(4)
    fmt.line_spacing = Pt(2)
    ppr = para._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)
    return para


def first_paragraph(cell: _Cell) -> Paragraph:
    """A new cell holds one empty paragraph: use it rather than leave a blank line on top."""
    return cell.paragraphs[0]


def fixed_table(
    doc: Document, rows: int, widths: Sequence[Length], *, grid: bool, center: bool = True
) -> Table:
    """A table with fixed column widths (Word and LibreOffice both honour them)."""
    table = doc.add_table(rows=rows, cols=len(widths))
    table.style = doc.styles["Table Grid"] if grid else doc.styles["Normal Table"]
    table.autofit = False
    if center:
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    return table


def repeat_header(row: object) -> None:
    """Repeat this row at the top of every page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    node = OxmlElement("w:tblHeader")
    node.set(qn("w:val"), "true")
    tr_pr.append(node)


def shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    node = OxmlElement("w:shd")
    node.set(qn("w:val"), "clear")
    node.set(qn("w:color"), "auto")
    node.set(qn("w:fill"), fill)
    tc_pr.append(node)


def keep_together(row: object) -> None:
    """A row is not split across two pages (a task's row reads as one)."""
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    node = OxmlElement("w:cantSplit")
    node.set(qn("w:val"), "true")
    tr_pr.append(node)


def use_style(para: Paragraph, style: ParagraphStyle) -> None:
    """Set the paragraph's style by id: python-docx's own setter scans every style each time,
    which for a thousand-row table was most of the document's build time."""
    para._p.style = style.style_id
