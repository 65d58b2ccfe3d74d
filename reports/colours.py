"""The status colours of MISSION.md, shared by the spreadsheet and the chart."""

from __future__ import annotations

# Light fills for spreadsheet cells (black text stays readable on them).
FILLS = {
    "done_on_time": "C6EFCE",  # green
    "in_progress": "BDD7EE",  # blue
    "done_late": "F8CBAD",  # orange
    "overdue": "FFC7CE",  # red
    "not_started": "D9D9D9",  # grey
}
# Stronger shades for chart bars, in the order the bars are stacked.
BARS = {
    "done_on_time": "#2E9E44",
    "done_late": "#F08C00",
    "in_progress": "#2F75B5",
    "not_started": "#A6A6A6",
    "overdue": "#D62828",
}
