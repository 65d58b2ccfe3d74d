"""The consolidated report as a Word document in the Vietnamese administrative layout."""

from __future__ import annotations

import io

import docx
from docx.document import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm
from docx.styles.style import ParagraphStyle

from reports.consolidated import ConsolidatedReport, Heading, TaskEntry
from reports.docx_layout import (
    LANDSCAPE_TEXT_WIDTH,
    PORTRAIT_TEXT_WIDTH,
    first_paragraph,
    fixed_table,
    keep_together,
    page,
    page_numbers,
    repeat_header,
    rule,
    setup_styles,
    text,
    use_style,
)
from texts import t

CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
HEADER_WIDTHS = (Mm(65), PORTRAIT_TEXT_WIDTH - Mm(65))
SIGNATURE_WIDTHS = (Mm(85), PORTRAIT_TEXT_WIDTH - Mm(85))
# STT, nhiệm vụ, chủ trì, phối hợp, thời hạn, kết quả, tình trạng: 252 mm of landscape A4.
APPENDIX_MM = (15, 52, 30, 32, 27, 70, 26)
APPENDIX_COLUMNS = ("number", "task", "leads", "supports", "deadline", "result", "status")
SUMMARY_WIDTHS = (Mm(55), Mm(35), Mm(35), Mm(35))


def _header(doc: Document, report: ConsolidatedReport) -> None:
    h = report.header
    table = fixed_table(doc, 1, HEADER_WIDTHS, grid=False)
    left, right = table.rows[0].cells
    first = first_paragraph(left)
    first.alignment = CENTER
    first.paragraph_format.space_after = 0
    if h.parent_body:
        first.add_run(h.parent_body).font.size = docx.shared.Pt(13)
        body = text(left, h.body, bold=True, size=13, align=CENTER, after=0)
    else:
        body = first
        run = body.add_run(h.body)
        run.bold = True
        run.font.size = docx.shared.Pt(13)
    body.paragraph_format.line_spacing = 1.0
    rule(left, HEADER_WIDTHS[0], Mm(25))
    year = report.as_of.year
    text(left, t("report.number", abbreviation=h.abbreviation), size=13, align=CENTER, after=0)

    country = first_paragraph(right)
    country.alignment = CENTER
    country.paragraph_format.space_after = 0
    run = country.add_run(t("report.motto_country"))
    run.bold = True
    run.font.size = docx.shared.Pt(12)
    text(right, t("report.motto_words"), bold=True, size=13, align=CENTER, after=0)
    rule(right, HEADER_WIDTHS[1], Mm(58))
    text(
        right,
        t("report.place_date", place=h.place, year=year),
        italic=True,
        size=13,
        align=CENTER,
        after=0,
    )


def _title(doc: Document, report: ConsolidatedReport) -> None:
    text(doc, t("report.kind"), bold=True, align=CENTER, before=18, after=0, keep_with_next=True)
    title = text(doc, report.title_main, bold=True, align=CENTER, after=0, keep_with_next=True)
    # The period on a line of its own rather than broken across two.
    title.runs[0].add_break()
    title.add_run(report.title_period).bold = True
    rule(doc, PORTRAIT_TEXT_WIDTH, Mm(40))
    text(doc, report.intro, align=JUSTIFY, indent=True, before=6)


def _section(doc: Document, key: str) -> None:
    text(doc, t(key), bold=True, align=JUSTIFY, indent=True, before=6, keep_with_next=True)


def _bullet(doc: Document, content: str, **kwargs: object) -> None:
    text(doc, "- " + content, align=JUSTIFY, indent=True, **kwargs)  # type: ignore[arg-type]


def _results(doc: Document, report: ConsolidatedReport) -> None:
    _section(doc, "report.section.results")
    for item in report.results:
        if isinstance(item, Heading):
            text(
                doc,
                item.text,
                bold=True,
                italic=item.level > 0,
                align=JUSTIFY,
                indent=True,
                keep_with_next=True,
            )
            continue
        _task(doc, item)


def _task(doc: Document, entry: TaskEntry) -> None:
    title = f"{entry.code}. {entry.title}" if entry.code else entry.title
    text(doc, title, italic=True, bold=True, align=JUSTIFY, indent=True, keep_with_next=True)
    assigned = t("report.task.leads", leads=entry.leads)
    if entry.supports != t("report.none"):
        assigned += " " + t("report.task.supports", supports=entry.supports)
    text(
        doc,
        assigned + " " + t("report.task.deadline", deadline=entry.deadline, status=entry.status),
        italic=True,
        align=JUSTIFY,
        indent=True,
    )
    for line in entry.results:
        _bullet(doc, line)


def _assessment(doc: Document, report: ConsolidatedReport, cell_style: ParagraphStyle) -> None:
    _section(doc, "report.section.assessment")
    n = report.tally
    text(
        doc,
        t("report.assessment.total", total=n.total, as_of=_dmy(report), due=n.due),
        align=JUSTIFY,
        indent=True,
    )
    text(doc, t("report.assessment.table_caption"), indent=True, keep_with_next=True)
    cells = n.cells
    rows = [
        ("report.assessment.row.done", cells["done_on_time"], cells["done_late"]),
        ("report.assessment.row.open", cells["open_in_time"], cells["open_overdue"]),
    ]
    total_on_time = sum(r[1] for r in rows)
    total_late = sum(r[2] for r in rows)
    table = fixed_table(doc, 4, SUMMARY_WIDTHS, grid=True)
    grid = [
        [t(f"report.assessment.col.{c}") for c in ("kind", "on_time", "late", "total")],
        *[[t(key), str(a), str(b), str(a + b)] for key, a, b in rows],
        [
            t("report.assessment.row.total"),
            str(total_on_time),
            str(total_late),
            str(total_on_time + total_late),
        ],
    ]
    for r, values in enumerate(grid):
        for c, value in enumerate(values):
            cell = table.rows[r].cells[c]
            para = first_paragraph(cell)
            use_style(para, cell_style)
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 else CENTER
            run = para.add_run(value)
            run.bold = (r == 0 or r == 3) or None
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    text(doc, t("report.assessment.open_note"), italic=True, align=JUSTIFY, indent=True, before=6)
    if cells["pending"]:
        _bullet(doc, t("report.assessment.pending", count=cells["pending"]))
    if cells["no_deadline"]:
        _bullet(doc, t("report.assessment.no_deadline", count=cells["no_deadline"]))
    if n.percent is None:
        rate = t("report.assessment.no_rate")
    else:
        rate = t("report.assessment.rate", percent=n.percent, done=n.on_time, due=n.due)
    text(doc, rate, bold=True, align=JUSTIFY, indent=True)
    if report.longest_overdue:
        text(doc, t("report.assessment.overdue_head"), indent=True, keep_with_next=True)
        for line in report.longest_overdue:
            _bullet(doc, line)
    else:
        _bullet(doc, t("report.assessment.no_overdue"))


def _difficulties_and_proposals(doc: Document, report: ConsolidatedReport) -> None:
    _section(doc, "report.section.difficulties")
    for line in report.difficulties or (t("report.difficulty.none"),):
        _bullet(doc, line)
    _section(doc, "report.section.proposals")
    for line in report.proposals:
        _bullet(doc, line)
    text(doc, report.closing, align=JUSTIFY, indent=True, before=6)


def _signature(doc: Document, report: ConsolidatedReport) -> None:
    h = report.header
    text(doc, after=0)  # a blank line between the closing words and the signature
    table = fixed_table(doc, 1, SIGNATURE_WIDTHS, grid=False)
    left, right = table.rows[0].cells
    head = first_paragraph(left)
    run = head.add_run(t("report.recipients"))
    run.bold = run.italic = True
    run.font.size = docx.shared.Pt(12)
    head.paragraph_format.space_after = 0
    for line in h.recipients:
        text(left, "- " + line, size=11, after=0).paragraph_format.line_spacing = 1.0
    sign = first_paragraph(right)
    sign.alignment = CENTER
    sign.paragraph_format.space_after = 0
    for i, line in enumerate(h.signer):
        para = sign if i == 0 else text(right, align=CENTER, after=0)
        para.add_run(line).bold = True
    for _ in range(4):  # room for the signature and the seal
        text(right, after=0)
    if h.signer_name:
        text(right, h.signer_name, bold=True, align=CENTER, after=0)


def _appendix(doc: Document, report: ConsolidatedReport, cell_style: ParagraphStyle) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    page(section, landscape=True)
    h = report.header
    text(doc, t("report.appendix.label"), bold=True, align=CENTER, after=0)
    text(doc, t("report.appendix.title"), bold=True, align=CENTER, after=0)
    text(
        doc,
        t(
            "report.appendix.subtitle",
            abbreviation=h.abbreviation,
            year=report.as_of.year,
            body=h.body_name,
        ),
        italic=True,
        align=CENTER,
        after=6,
    )
    widths = [Mm(w) for w in APPENDIX_MM]
    assert sum(APPENDIX_MM) * Mm(1) <= LANDSCAPE_TEXT_WIDTH
    table = fixed_table(doc, 1, widths, grid=True)
    head = table.rows[0]
    repeat_header(head)
    for cell, column in zip(head.cells, APPENDIX_COLUMNS, strict=True):
        para = first_paragraph(cell)
        use_style(para, cell_style)
        para.alignment = CENTER
        para.add_run(t(f"report.col.{column}")).bold = True
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for item in report.results:
        if isinstance(item, Heading):
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[-1])
            para = first_paragraph(merged)
            use_style(para, cell_style)
            run = para.add_run(item.text)
            run.bold = True
            run.italic = item.level > 0 or None
            continue
        row = table.add_row()
        keep_together(row)
        values = (
            item.code,
            item.title,
            item.leads,
            item.supports,
            item.deadline,
            "\n".join(item.results),
            item.status,
        )
        # add_row() gives each new cell its column's width already.
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            lines = value.split("\n")
            para = first_paragraph(cell)
            use_style(para, cell_style)
            if c in (0, 4, 6):
                para.alignment = CENTER
            para.add_run(lines[0])
            for line in lines[1:]:
                extra = cell.add_paragraph(line)
                use_style(extra, cell_style)
                extra.paragraph_format.space_before = docx.shared.Pt(3)


def _dmy(report: ConsolidatedReport) -> str:
    return report.as_of.strftime("%d/%m/%Y")


def render_docx(report: ConsolidatedReport) -> bytes:
    """The .docx file's bytes."""
    doc = docx.Document()
    _, cell_style = setup_styles(doc)
    page(doc.sections[0])
    page_numbers(doc.sections[0])
    props = doc.core_properties
    props.title = t("report.kind") + " " + report.title
    props.author = report.header.body_name
    props.language = "vi-VN"
    _header(doc, report)
    _title(doc, report)
    _results(doc, report)
    _assessment(doc, report, cell_style)
    _difficulties_and_proposals(doc, report)
    _signature(doc, report)
    if report.entries:
        _appendix(doc, report, cell_style)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
