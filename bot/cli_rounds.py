"""CLI for reporting rounds (open one by hand, see who has answered) and the rounds' and
digest's settings per plan."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.app import open_database
from bot.cli_report import ReportCommandError, cmd_policy, period_arg, plan_id_of, policy_args
from bot.cli_schedule import day_arg
from bot.config import Settings
from bot.rounds import open_round
from handlers.format import ddmmyyyy
from handlers.policy import Policy
from handlers.rounds import agencies_in, period_label
from plans.text import key as text_key
from scheduler.calendar import WorkingCalendar
from scheduler.clock import SystemClock, local_today
from scheduler.report_policy import ROUNDS_KEY, round_policy
from scheduler.rounds import cutoff_for
from storage.uow import UnitOfWork
from texts import t


def add_parsers(sub: Any) -> None:
    rounds = sub.add_parser("round", help="kỳ báo cáo").add_subparsers(
        dest="round_command", required=True
    )
    opening = rounds.add_parser("open", help="mở một kỳ báo cáo và mời các cán bộ đầu mối")
    opening.add_argument("--period", type=period_arg, required=True,
                         metavar="2026H1|2026Q3|2026|TỪ:ĐẾN")  # fmt: skip
    opening.add_argument("--due", type=day_arg, help="hạn gửi báo cáo (mặc định: cuối kỳ)")
    opening.add_argument("--cutoff", type=day_arg, help="ngày tổng hợp dự thảo")
    opening.add_argument("--plan", type=int)
    opening.add_argument("--today", type=day_arg, help=argparse.SUPPRESS)
    status = rounds.add_parser("status", help="các kỳ báo cáo đang mở và ai chưa báo cáo")
    status.add_argument("--plan", type=int)
    policy = rounds.add_parser("policy", help="thiết lập kỳ báo cáo của kế hoạch")
    policy_args(policy, ROUNDS_KEY)


def cmd_round_open(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> tuple[int, Any, Any]:
        async with open_database(settings) as sessions:
            async with UnitOfWork(sessions) as uow:
                plan_id = await plan_id_of(uow, args.plan)
                plan = await uow.plans.get(plan_id)
                assert plan is not None
                calendar = WorkingCalendar(await uow.calendar_days.days())
                policy = round_policy(plan.settings)
            due = args.due or args.period.end
            cutoff = args.cutoff or cutoff_for(due, policy, calendar)
            today = args.today or local_today(SystemClock())
            if cutoff < today:
                raise ReportCommandError(t("cli.round.cutoff_past", cutoff=ddmmyyyy(cutoff)))
            opened = await open_round(
                sessions,
                plan_id=plan_id,
                period=args.period,
                due=due,
                cutoff=cutoff,
                opened_by="cli",
                now=datetime.now(UTC),
                calendar=calendar,
                policy=Policy(),
            )
            return plan_id, opened, (due, cutoff)

    plan_id, opened, (due, cutoff) = asyncio.run(go())
    if opened is None:
        raise ReportCommandError(t("cli.round.exists", plan=plan_id, due=ddmmyyyy(due)))
    print(
        t(
            "cli.round.opened",
            id=opened.round_id,
            period=args.period.label,
            due=ddmmyyyy(due),
            cutoff=ddmmyyyy(cutoff),
            invited=opened.invited,
        )
    )
    if opened.not_linked:
        print(t("cli.round.not_linked", count=opened.not_linked))
    return 0


def cmd_round_status(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> list[str]:
        lines: list[str] = []
        async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
            calendar = WorkingCalendar(await uow.calendar_days.days())
            today = local_today(SystemClock())
            for rnd in await uow.rounds.open_rounds():
                if args.plan is not None and rnd.plan_id != args.plan:
                    continue
                entries = await agencies_in(uow, rnd, today, calendar, Policy().confirm_done)
                lines.append(
                    t(
                        "round.status.header",
                        period=period_label(rnd),
                        due=ddmmyyyy(rnd.due),
                        cutoff=ddmmyyyy(rnd.cutoff),
                    )
                )
                for e in sorted(entries.values(), key=lambda e: text_key(e.agency.name)):
                    answered = len(e.tasks) - len(e.pending)
                    key = "round.status.line" if e.pending else "round.status.line_done"
                    lines.append(
                        t(key, agency=e.agency.name, answered=answered, total=len(e.tasks))
                    )
        return lines

    lines = asyncio.run(go())
    print("\n".join(lines) if lines else t("round.none_open"))
    return 0


COMMANDS = {
    ("round", "open"): cmd_round_open,
    ("round", "status"): cmd_round_status,
    ("round", "policy"): cmd_policy,
}
