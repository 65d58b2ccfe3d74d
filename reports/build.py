"""From the database to finished files: the report and the digest for one plan and day."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from reports.chart import status_chart
from reports.consolidated import ConsolidatedReport, build_report
from reports.consolidated_docx import render_docx
from reports.consolidated_xlsx import render_xlsx
from reports.data import PlanData, load_plan_data
from reports.digest import Digest, build_digest
from reports.period import Period
from scheduler.calendar import WorkingCalendar
from storage.uow import UnitOfWork


class NoPlan(LookupError):
    """No plan with that id, or none at all."""


@dataclass(frozen=True)
class ReportFiles:
    report: ConsolidatedReport
    docx: bytes
    xlsx: bytes | None

    def file_name(self, ext: str) -> str:
        return f"bao-cao-ke-hoach-{self.report.plan_id}-{self.report.period.code}.{ext}"


async def plan_data(uow: UnitOfWork, plan_id: int) -> PlanData:
    data = await load_plan_data(uow, plan_id)
    if data is None:
        raise NoPlan(plan_id)
    return data


def _files(data: PlanData, period: Period, today: date, xlsx: bool, confirm: bool) -> ReportFiles:
    calendar = WorkingCalendar(data.extra_holidays)
    report = build_report(data, period, today, calendar, confirm_done=confirm)
    return ReportFiles(report, render_docx(report), render_xlsx(report) if xlsx else None)


async def report_files(
    data: PlanData, period: Period, today: date, *, xlsx: bool = True, confirm_done: bool = True
) -> ReportFiles:
    """Rendered off the event loop: a thousand-task document takes a second or two of CPU."""
    return await asyncio.to_thread(_files, data, period, today, xlsx, confirm_done)


def _digest(data: PlanData, today: date, confirm: bool) -> tuple[Digest, bytes]:
    digest = build_digest(data, today, WorkingCalendar(data.extra_holidays), confirm_done=confirm)
    return digest, status_chart(digest.chart_rows, digest.chart_title)


async def digest_with_chart(
    data: PlanData, today: date, *, confirm_done: bool = True
) -> tuple[Digest, bytes]:
    return await asyncio.to_thread(_digest, data, today, confirm_done)
