"""CLI for what runs on a timetable: reminder preview and status, days off, deadlines, policy."""

from __future__ import annotations

import argparse
import asyncio
import re
from datetime import UTC, date, datetime
from typing import Any

from bot import views
from bot.app import open_database
from bot.config import Settings
from handlers.format import short_title
from scheduler.calendar import WorkingCalendar, public_holidays
from scheduler.planner import PlannedReminder, plan_range
from scheduler.policy import SETTINGS_KEY, PolicyError, ReminderPolicy, policy_for
from scheduler.snapshot import load_snapshot
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork
from texts import t

MAX_PREVIEW_DAYS = 400


class ScheduleCommandError(Exception):
    """A problem the user can fix; bot.cli prints it in Vietnamese with exit code 2."""


def day_arg(value: str) -> date:
    """dd/mm/yyyy (how officials write it) or yyyy-mm-dd."""
    text = value.strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(t("cli.bad_day", text=value)) from exc


def add_parsers(sub: Any) -> None:
    remind = sub.add_parser("remind", help="nhắc việc").add_subparsers(
        dest="remind_command", required=True
    )
    preview = remind.add_parser("preview", help="xem trước nhắc việc sẽ gửi (không gửi)")
    preview.add_argument("--from", dest="start", type=day_arg, required=True)
    preview.add_argument("--to", dest="end", type=day_arg, required=True)
    preview.add_argument("--format", choices=("table", "json"), default="table")
    remind.add_parser("status", help="hộp thư đi, tin lỗi, người không liên lạc được")
    policy = remind.add_parser("policy", help="xem hoặc đặt thiết lập nhắc việc của kế hoạch")
    policy.add_argument("--plan", type=int)
    policy.add_argument("--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ")
    policy.add_argument("--reset", action="store_true")
    policy.add_argument("--format", choices=("table", "json"), default="table")

    calendar = sub.add_parser("calendar", help="lịch làm việc").add_subparsers(
        dest="calendar_command", required=True
    )
    add = calendar.add_parser("add-holiday", help="thêm một ngày nghỉ")
    add.add_argument("day", type=day_arg)
    add.add_argument("--note")
    remove = calendar.add_parser("remove-holiday", help="bỏ một ngày nghỉ đã thêm")
    remove.add_argument("day", type=day_arg)
    listing = calendar.add_parser("list", help="các ngày nghỉ")
    listing.add_argument("--year", type=int)

    task = sub.add_parser("task", help="nhiệm vụ").add_subparsers(
        dest="task_command", required=True
    )
    deadline = task.add_parser("set-deadline", help="đặt hạn cho nhiệm vụ (nhiệm vụ theo sự kiện)")
    deadline.add_argument("code")
    deadline.add_argument("day", type=day_arg, nargs="?")
    deadline.add_argument("--plan", type=int)
    deadline.add_argument("--clear", action="store_true")


# ------------------------------------------------------------------ remind preview


async def preview(settings: Settings, start: date, end: date) -> list[PlannedReminder]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        calendar = WorkingCalendar(await uow.calendar_days.days())
        snapshot = await load_snapshot(uow, start)
    return plan_range(snapshot, start, end, calendar)


def preview_json(planned: list[PlannedReminder]) -> list[dict[str, Any]]:
    return [
        {
            "send_at": p.send_at.astimezone(LOCAL_TZ).isoformat(),
            "contact": p.person.name,
            "agency": p.person.agency_name,
            "channel": p.person.channel,
            "kind": p.kind,
            "tasks": p.task_codes,
        }
        for p in planned
    ]


def cmd_remind_preview(args: argparse.Namespace, settings: Settings) -> int:
    if args.end < args.start:
        raise ScheduleCommandError(t("cli.remind.bad_range"))
    if (args.end - args.start).days > MAX_PREVIEW_DAYS:
        raise ScheduleCommandError(t("cli.remind.range_too_long", days=MAX_PREVIEW_DAYS))
    planned = asyncio.run(preview(settings, args.start, args.end))
    if args.format == "json":
        views.print_json(preview_json(planned))
        return 0
    span = {"start": views.ddmmyyyy(args.start), "end": views.ddmmyyyy(args.end)}
    if not planned:
        print(t("cli.remind.none", **span))
        return 0
    print(t("cli.remind.title", count=len(planned), **span))
    views.simple_table(
        [t(f"cli.remind.col.{c}") for c in ("send_at", "contact", "agency", "channel", "kind")]
        + [t("cli.remind.col.tasks")],
        [
            [
                p.send_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M"),
                p.person.name,
                p.person.agency_name,
                p.person.channel or t("cli.remind.not_linked"),
                t(f"cli.remind.kind.{p.kind}"),
                ", ".join(p.task_codes),
            ]
            for p in planned
        ],
    )
    return 0


# ------------------------------------------------------------------ remind status


async def _status(settings: Settings) -> dict[str, Any]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        overview = uow.outbox_overview
        counts = await overview.by_state_and_kind()
        oldest = await overview.oldest_pending()
        failures = await overview.recent_failures()
        unreachable = await overview.unreachable()
        runs = await uow.reminder_runs.recent()
        contacts = await uow.contacts.list_all()
        linked = {i.contact_id for i in await uow.identities.for_contacts([c.id for c in contacts])}
        not_linked = [(c.name, c.agency.name, c.role) for c in contacts if c.id not in linked]
        return {
            "outbox": counts,
            "oldest_pending": oldest,
            "failures": [(f.id, f.channel, f.kind, f.error or "") for f in failures],
            "unreachable": unreachable,
            "not_linked": not_linked,
            "runs": [(r.day, r.messages, r.run_at) for r in runs],
        }


def cmd_remind_status(args: argparse.Namespace, settings: Settings) -> int:
    status = asyncio.run(_status(settings))
    totals: dict[str, int] = {}
    for state, _kind, count in status["outbox"]:
        totals[state] = totals.get(state, 0) + count
    print(t("cli.status.outbox"))
    for state in ("pending", "sending", "sent", "failed"):
        print(t("cli.status.state_line", state=t(f"cli.state.{state}"), count=totals.get(state, 0)))
    if status["oldest_pending"] is not None:
        at = status["oldest_pending"].astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
        print(t("cli.status.oldest_pending", at=at))
    if status["failures"]:
        print(t("cli.status.failed_header"))
        for outbox_id, channel, kind, error in status["failures"]:
            line = t(
                "cli.status.failed_line", id=outbox_id, channel=channel, kind=kind, error=error
            )
            print(line)
    if status["unreachable"]:
        print(t("cli.status.unreachable_header"))
        for name, agency, channel in status["unreachable"]:
            print(t("cli.status.unreachable_line", name=name, agency=agency, channel=channel))
    if status["not_linked"]:
        print(t("cli.status.not_linked_header"))
        for name, agency, role in status["not_linked"]:
            role_name = t(f"contact.role.{role}")
            print(t("cli.status.not_linked_line", name=name, agency=agency, role=role_name))
    if status["runs"]:
        print(t("cli.status.runs_header"))
        for day, messages, run_at in status["runs"]:
            at = run_at.astimezone(LOCAL_TZ).strftime("%H:%M")
            print(t("cli.status.run_line", day=views.ddmmyyyy(day), messages=messages, at=at))
    return 0


# ------------------------------------------------------------------ remind policy


def _pairs(items: list[str]) -> dict[str, str]:
    pairs = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ScheduleCommandError(t("cli.policy.bad_pair", text=item))
        pairs[name.strip()] = value.strip()
    return pairs


async def _plan_id(uow: UnitOfWork, wanted: int | None) -> int:
    plans = await uow.plans.list_all()
    if not plans:
        raise ScheduleCommandError(t("cli.task.no_plan"))
    if wanted is not None:
        return wanted
    if len(plans) > 1:
        ids = ", ".join(str(p.plan.id) for p in plans)
        raise ScheduleCommandError(t("cli.task.which_plan", ids=ids))
    return plans[0].plan.id


async def _policy(args: argparse.Namespace, settings: Settings) -> tuple[int, ReminderPolicy]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        plan_id = await _plan_id(uow, args.plan)
        plan = await uow.plans.get(plan_id)
        if plan is None:
            raise ScheduleCommandError(t("cli.task.which_plan", ids=plan_id))
        chosen = {} if args.reset else dict((plan.settings or {}).get(SETTINGS_KEY) or {})
        chosen |= _pairs(args.set)
        try:
            policy = policy_for({SETTINGS_KEY: chosen})
        except PolicyError as exc:
            known = ", ".join(ReminderPolicy().to_json())
            raise ScheduleCommandError(t("cli.policy.unknown", name=exc, known=known)) from exc
        if args.set or args.reset:
            # Stored as the typed values, so the defaults can still change under the rest.
            stored = {k: policy.to_json()[k] for k in chosen}
            plan.settings = {**(plan.settings or {}), SETTINGS_KEY: stored}
            await uow.commit()
    return plan_id, policy


def cmd_remind_policy(args: argparse.Namespace, settings: Settings) -> int:
    plan_id, policy = asyncio.run(_policy(args, settings))
    data = policy.to_json()
    if args.format == "json":
        views.print_json({"plan_id": plan_id, **data})
        return 0
    if args.set or args.reset:
        print(t("cli.policy.saved", plan=plan_id))
    print(t("cli.policy.header", plan=plan_id))
    for name, value in data.items():
        print(f"  {name} = {value}")
    return 0


# ------------------------------------------------------------------ calendar


async def _calendar_change(settings: Settings, day: date, note: str | None, add: bool) -> bool:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        changed = await (uow.calendar_days.add(day, note) if add else uow.calendar_days.remove(day))
        await uow.commit()
    return changed


def _already_off(day: date) -> str | None:
    name = public_holidays(day.year).get(day)
    if name:
        return name
    return t("cli.calendar.weekend") if day.weekday() >= 5 else None


def cmd_calendar_add(args: argparse.Namespace, settings: Settings) -> int:
    day = views.ddmmyyyy(args.day)
    why = _already_off(args.day)
    if why:
        print(t("cli.calendar.already_off", day=day, why=why))
    if asyncio.run(_calendar_change(settings, args.day, args.note, add=True)):
        print(t("cli.calendar.added", day=day, note=f" ({args.note})" if args.note else ""))
    else:
        print(t("cli.calendar.exists", day=day))
    return 0


def cmd_calendar_remove(args: argparse.Namespace, settings: Settings) -> int:
    day = views.ddmmyyyy(args.day)
    if not asyncio.run(_calendar_change(settings, args.day, None, add=False)):
        raise ScheduleCommandError(t("cli.calendar.not_found", day=day))
    print(t("cli.calendar.removed", day=day))
    return 0


async def _added_days(settings: Settings) -> list[tuple[date, str | None]]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        return [(d.day, d.note) for d in await uow.calendar_days.list_all()]


def cmd_calendar_list(args: argparse.Namespace, settings: Settings) -> int:
    year = args.year or datetime.now(UTC).astimezone(LOCAL_TZ).year
    print(t("cli.calendar.public_header", year=year))
    for day, name in sorted(public_holidays(year).items()):
        print(f"  {views.ddmmyyyy(day)}  {name}")
    added = asyncio.run(_added_days(settings))
    print(t("cli.calendar.list_header") if added else t("cli.calendar.list_empty"))
    for day, note in added:
        print(f"  {views.ddmmyyyy(day)}  {note or ''}".rstrip())
    return 0


# ------------------------------------------------------------------ task deadline


async def _set_deadline(args: argparse.Namespace, settings: Settings) -> str:
    from plans.schedule import Schedule

    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        plan_id = await _plan_id(uow, args.plan)
        task = await uow.tasks.get_by_code(plan_id, args.code.strip())
        if task is None:
            raise ScheduleCommandError(t("cli.task.not_found", code=args.code, plan=plan_id))
        dues = Schedule.from_json(task.schedule).due
        if len(set(dues)) > 1:
            # A recurring task keeps its occurrences; one date cannot stand for all of them.
            raise ScheduleCommandError(
                t("cli.task.deadline_recurring", code=task.code, count=len(set(dues)))
            )
        if args.clear:
            task.deadline_override = None
            message = t("cli.task.deadline_cleared", code=task.code)
        else:
            if args.day is None:
                raise ScheduleCommandError(t("cli.bad_day", text=""))
            task.deadline_override = args.day
            message = t(
                "cli.task.deadline_set",
                code=task.code,
                title=short_title(task.title, 80),
                due=views.ddmmyyyy(args.day),
            )
        await uow.commit()
    return message


def cmd_task_set_deadline(args: argparse.Namespace, settings: Settings) -> int:
    print(asyncio.run(_set_deadline(args, settings)))
    return 0


COMMANDS = {
    ("remind", "preview"): cmd_remind_preview,
    ("remind", "status"): cmd_remind_status,
    ("remind", "policy"): cmd_remind_policy,
    ("calendar", "add-holiday"): cmd_calendar_add,
    ("calendar", "remove-holiday"): cmd_calendar_remove,
    ("calendar", "list"): cmd_calendar_list,
    ("task", "set-deadline"): cmd_task_set_deadline,
}
