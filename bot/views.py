"""How plans, tasks and agencies are shown on a terminal: a review table and stable JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from plans.model import ImportedPlan
from plans.schedule import Schedule
from texts import t


def console() -> Console:
    # A pipe gets a wide, colourless table so CI logs and files stay readable.
    if sys.stdout.isatty():
        return Console()
    return Console(width=180, no_color=True, highlight=False)


def ddmmyyyy(d: Any) -> str:
    return d.strftime("%d/%m/%Y") if d else t("view.none")


def describe_schedule(s: Schedule) -> str:
    """The schedule as understood, in Vietnamese, dates dd/mm/yyyy."""
    dues = ", ".join(ddmmyyyy(d) for d in s.due) or t("view.none")
    if s.kind == "one-off":
        return t("schedule.one-off", due=dues) if s.due else t("schedule.unknown")
    if s.kind == "range":
        return t("schedule.range", start=ddmmyyyy(s.start), due=dues)
    if s.kind == "recurring":
        return t("schedule.recurring", due=dues)
    if s.kind == "ongoing":
        return t("schedule.ongoing", due=dues)
    if s.kind == "event":
        return t("schedule.event", event=s.event or s.text)
    return t("schedule.unknown")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plan_table(plan: ImportedPlan) -> None:
    out = console()
    out.print(t("view.plan_header", title=plan.title), style="bold")
    out.print(
        t(
            "view.plan_meta",
            number=plan.number or t("view.none"),
            issued=ddmmyyyy(plan.issued_on),
            year=plan.year,
            issuer=plan.issuer or t("view.none"),
        )
    )
    items = "; ".join(f"{r.text} ({describe_schedule(r.schedule)})" for r in plan.reporting)
    out.print(t("view.reporting", items=items or t("view.none")))
    for remark in plan.review:
        out.print(f"⚠ {remark}")
    table = Table(show_lines=True)
    table.add_column(t("view.col.code"), no_wrap=True)
    table.add_column(t("view.col.title"), max_width=40)
    table.add_column(t("view.col.lead"), max_width=30)
    table.add_column(t("view.col.support"), max_width=30)
    table.add_column(t("view.col.timeframe"), max_width=38)
    table.add_column(t("view.col.review"), max_width=45)
    for task in plan.tasks:
        written = task.timeframe or t("view.none")
        table.add_row(
            task.code,
            _short(task.title, 80),
            "\n".join(task.lead) or t("view.none"),
            _short("; ".join(task.support), 120) or t("view.none"),
            f"{_short(written, 60)} → {describe_schedule(task.schedule)}",
            "\n".join(f"• {r}" for r in task.review),
        )
    out.print(table)
    flagged = sum(1 for task in plan.tasks if task.review)
    if flagged:
        out.print(t("import.review_count", count=flagged))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def simple_table(columns: list[str], rows: list[list[str]]) -> None:
    table = Table()
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(*r)
    console().print(table)
