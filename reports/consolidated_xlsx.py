"""The consolidated report's task table as a spreadsheet: filters, frozen header, colours."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reports.colours import FILLS
from reports.consolidated import ConsolidatedReport, TaskEntry
from texts import t

COLUMNS = (
    ("number", 8),
    ("task", 45),
    ("group", 28),
    ("leads", 26),
    ("supports", 30),
    ("deadline", 22),
    ("due", 13),
    ("original_due", 13),
    ("result", 60),
    ("status", 22),
    ("overdue_days", 10),
)
DATE_FORMAT = "DD/MM/YYYY"
LEGEND = ("done_on_time", "in_progress", "done_late", "overdue", "not_started")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, vertical="top", horizontal="center")


def _values(e: TaskEntry) -> list[object]:
    return [
        e.code,
        e.title,
        e.group or "",
        e.leads,
        e.supports,
        e.deadline,
        e.due,
        e.original_due,
        "\n".join(e.results),
        e.status,
        e.overdue_days or None,
    ]


def render_xlsx(report: ConsolidatedReport) -> bytes:
    """The .xlsx file's bytes: one row per task, the status cell in its colour, and a legend."""
    book = Workbook()
    sheet = book.active
    sheet.title = t("report.sheet.tasks")
    sheet.append([t(f"report.col.{name}") for name, _ in COLUMNS])
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = _CENTER
        cell.border = _BORDER
    fills = {key: PatternFill("solid", fgColor=colour) for key, colour in FILLS.items()}
    status_col = [name for name, _ in COLUMNS].index("status") + 1
    date_cols = {i + 1 for i, (name, _) in enumerate(COLUMNS) if name in ("due", "original_due")}
    for entry in report.entries:
        sheet.append(_values(entry))
        row = sheet.max_row
        for col in range(1, len(COLUMNS) + 1):
            cell = sheet.cell(row=row, column=col)
            cell.alignment = _CENTER if col in date_cols or col == 1 else _WRAP
            cell.border = _BORDER
            if col in date_cols:
                cell.number_format = DATE_FORMAT
        sheet.cell(row=row, column=status_col).fill = fills[entry.key]
    for i, (_, width) in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 2)}"
    sheet.freeze_panes = "C2"  # the header and the task's number and name stay in view
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    legend = book.create_sheet(t("report.sheet.legend"))
    legend.append([report.title])
    legend.cell(row=1, column=1).font = header_font
    n = report.tally
    if n.percent is None:
        legend.append([t("report.assessment.no_rate")])
    else:
        legend.append([t("report.assessment.rate", percent=n.percent, done=n.on_time, due=n.due)])
    legend.append([])
    for key in LEGEND:
        legend.append([t(f"report.legend.{key}")])
        legend.cell(row=legend.max_row, column=1).fill = fills[key]
    legend.column_dimensions["A"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
