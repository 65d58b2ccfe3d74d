"""CLI for what is handed to people: the consolidated report and the weekly digest."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from bot.app import open_database
from bot.cli_schedule import day_arg
from bot.config import Settings
from reports.build import ReportFiles, digest_with_chart, plan_data, report_files
from reports.digest import Digest
from reports.period import Period, PeriodError, parse_period
from scheduler.clock import SystemClock, local_today
from storage.uow import UnitOfWork
from texts import t


class ReportCommandError(Exception):
    """A problem the user can fix; bot.cli prints it in Vietnamese with exit code 2."""


def period_arg(value: str) -> Period:
    try:
        return parse_period(value)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_parsers(sub: Any) -> None:
    report = sub.add_parser("report", help="báo cáo tổng hợp, bản tin tuần").add_subparsers(
        dest="report_command", required=True
    )
    consolidated = report.add_parser("consolidated", help="lập báo cáo tổng hợp (.docx, .xlsx)")
    consolidated.add_argument("--period", type=period_arg, required=True,
                              metavar="2026H1|2026Q3|2026|TỪ:ĐẾN")  # fmt: skip
    consolidated.add_argument("--out", required=True, metavar="TỆP.docx")
    consolidated.add_argument("--xlsx", metavar="TỆP.xlsx")
    consolidated.add_argument("--plan", type=int)
    consolidated.add_argument("--today", type=day_arg, help=argparse.SUPPRESS)
    digest = report.add_parser("digest", help="bản tin tuần cho lãnh đạo (văn bản và biểu đồ)")
    digest.add_argument("--out", metavar="TỆP.png")
    digest.add_argument("--plan", type=int)
    digest.add_argument("--today", type=day_arg)


async def _plan_id(uow: UnitOfWork, wanted: int | None) -> int:
    plans = await uow.plans.list_all()
    if not plans:
        raise ReportCommandError(t("cli.task.no_plan"))
    if wanted is not None:
        if all(p.plan.id != wanted for p in plans):
            raise ReportCommandError(t("view.plan_not_found", ref=wanted))
        return wanted
    if len(plans) > 1:
        raise ReportCommandError(
            t("cli.task.which_plan", ids=", ".join(str(p.plan.id) for p in plans))
        )
    return plans[0].plan.id


def _today(args: argparse.Namespace) -> date:
    return args.today or local_today(SystemClock())


def _write(path: str, content: bytes) -> None:
    try:
        Path(path).write_bytes(content)
    except OSError as exc:
        raise ReportCommandError(
            t("cli.report.cannot_write", path=path, error=exc.strerror)
        ) from exc


def cmd_report_consolidated(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> ReportFiles:
        async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
            data = await plan_data(uow, await _plan_id(uow, args.plan))
        return await report_files(data, args.period, _today(args), xlsx=bool(args.xlsx))

    files = asyncio.run(go())
    _write(args.out, files.docx)
    if args.xlsx and files.xlsx is not None:
        _write(args.xlsx, files.xlsx)
    report = files.report
    n = report.tally
    rate = t("cli.report.rate", percent=n.percent) if n.percent is not None else ""
    print(
        t(
            "cli.report.written",
            period=report.period.label,
            as_of=report.as_of.strftime("%d/%m/%Y"),
            tasks=n.total,
            rate=rate,
        )
    )
    for path in (args.out, args.xlsx):
        if path:
            print(t("cli.report.file", path=path))
    return 0


def cmd_report_digest(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> tuple[Digest, bytes]:
        async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
            data = await plan_data(uow, await _plan_id(uow, args.plan))
        return await digest_with_chart(data, _today(args))

    digest, png = asyncio.run(go())
    print(digest.text)
    if args.out:
        _write(args.out, png)
        print("\n" + t("cli.report.chart", path=args.out))
    return 0


COMMANDS = {
    ("report", "consolidated"): cmd_report_consolidated,
    ("report", "digest"): cmd_report_digest,
}
