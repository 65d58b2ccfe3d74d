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
from scheduler.policy import PolicyError
from scheduler.report_policy import (
    DIGEST_KEY,
    DigestPolicy,
    RoundPolicy,
    to_json,
    with_settings,
)
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
    digest_settings = report.add_parser("digest-policy", help="thiết lập bản tin tuần của kế hoạch")
    policy_args(digest_settings, DIGEST_KEY)


def policy_args(parser: argparse.ArgumentParser, key: str) -> None:
    parser.add_argument("--plan", type=int)
    parser.add_argument("--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ")
    parser.add_argument("--reset", action="store_true")
    parser.set_defaults(settings_key=key)


async def plan_id_of(uow: UnitOfWork, wanted: int | None) -> int:
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
            data = await plan_data(uow, await plan_id_of(uow, args.plan))
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
            data = await plan_data(uow, await plan_id_of(uow, args.plan))
        return await digest_with_chart(data, _today(args))

    digest, png = asyncio.run(go())
    print(digest.text)
    if args.out:
        _write(args.out, png)
        print("\n" + t("cli.report.chart", path=args.out))
    return 0


def cmd_policy(args: argparse.Namespace, settings: Settings) -> int:
    key = args.settings_key
    default: DigestPolicy | RoundPolicy = DigestPolicy() if key == DIGEST_KEY else RoundPolicy()

    async def go() -> tuple[int, dict[str, Any]]:
        async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
            plan_id = await plan_id_of(uow, args.plan)
            plan = await uow.plans.get(plan_id)
            assert plan is not None
            chosen = {} if args.reset else dict((plan.settings or {}).get(key) or {})
            for item in args.set:
                name, sep, value = item.partition("=")
                if not sep or not name.strip():
                    raise ReportCommandError(t("cli.policy.bad_pair", text=item))
                chosen[name.strip()] = value.strip()
            try:
                policy = with_settings(default, chosen)
            except PolicyError as exc:
                known = ", ".join(to_json(default))
                raise ReportCommandError(t("cli.policy.unknown", name=exc, known=known)) from exc
            if args.set or args.reset:
                stored = {k: to_json(policy)[k] for k in chosen}
                plan.settings = {**(plan.settings or {}), key: stored}
                await uow.commit()
            return plan_id, to_json(policy)

    plan_id, values = asyncio.run(go())
    if args.set or args.reset:
        print(t("cli.settings.saved", plan=plan_id))
    print(t(f"cli.settings.header_{args.settings_key}", plan=plan_id))
    for name, value in values.items():
        print(f"  {name} = {value}")
    return 0


COMMANDS = {
    ("report", "consolidated"): cmd_report_consolidated,
    ("report", "digest"): cmd_report_digest,
    ("report", "digest-policy"): cmd_policy,
}
