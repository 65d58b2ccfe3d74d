"""How a day's reminder reads on a phone, and the per-task buttons under it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from bot.channels.base import Button
from handlers import standings
from handlers.context import HandlerContext
from handlers.format import ddmmyyyy, short_title
from handlers.report import status_buttons
from handlers.router import Router
from scheduler.calendar import WorkingCalendar
from scheduler.planner import PlannedReminder
from scheduler.triggers import Trigger
from texts import t

TASK_BUTTONS = 8  # more than this and the buttons bury the list; codes can still be typed
BUTTONS_PER_ROW = 3


def _phrase(line: Trigger, calendar: WorkingCalendar) -> str:
    due = ddmmyyyy(line.due)
    if line.kind == "before":
        text = t("remind.phrase.before", due=due, days=line.working_days_left)
    elif line.kind == "due":
        moved = not calendar.is_working_day(line.due)
        text = t("remind.phrase.due_moved" if moved else "remind.phrase.due", due=due)
    elif line.kind == "overdue":
        text = t("remind.phrase.overdue", due=due, days=line.overdue_days)
    else:
        text = t("remind.phrase.checkin", due=due)
    if line.due != line.checkpoint and line.kind != "checkin":
        text += t("remind.phrase.extended", original=ddmmyyyy(line.checkpoint))
    return text


def _line(line: Trigger, calendar: WorkingCalendar) -> str:
    title = short_title(line.duty.title, 80)
    phrase = _phrase(line, calendar)
    if line.duty.role == "support":
        leads = ", ".join(line.duty.leads) or "?"
        return t(
            "remind.line.support", code=line.duty.code, title=title, phrase=phrase, leads=leads
        )
    return t("remind.line", code=line.duty.code, title=title, phrase=phrase)


def _task_buttons(lines: tuple[Trigger, ...]) -> list[list[Button]]:
    lead = list({line.duty.task_id: line for line in lines if line.duty.role == "lead"}.values())
    if len(lead) == 1:
        return status_buttons(lead[0].duty.task_id)
    buttons = [Button(line.duty.code, f"tk:{line.duty.task_id}") for line in lead[:TASK_BUTTONS]]
    return [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]


def compose(reminder: PlannedReminder, calendar: WorkingCalendar) -> dict[str, Any]:
    """The outbox payload of one reminder: text, buttons, and the tasks a reply may be about."""
    person, day = reminder.person, ddmmyyyy(reminder.day)
    lines = reminder.lines
    parts: list[str] = []
    buttons: list[list[Button]] = []
    if reminder.audience == "focal":
        header = "remind.header.deputy" if person.is_deputy else "remind.header.focal"
        parts.append(t(header, name=person.name, agency=person.agency_name, day=day))
        parts.extend(_line(line, calendar) for line in lines)
        lead = [line for line in lines if line.duty.role == "lead"]
        if lead:
            parts.append(t("remind.footer.focal", code=lead[0].duty.code))
        if len(lead) < len(lines):
            parts.append(t("remind.footer.support"))
        buttons = _task_buttons(lines)
    elif reminder.audience == "leader":
        days = min(line.escalate_after for line in lines)
        parts.append(
            t("remind.header.leader", name=person.name, agency=person.agency_name, days=days)
        )
        parts.extend(_line(line, calendar) for line in lines)
        parts.append(t("remind.footer.leader"))
    else:
        days = min(line.escalate_after for line in lines)
        parts.append(t("remind.header.coordinator", name=person.name, days=days))
        by_agency: dict[str, list[Trigger]] = defaultdict(list)
        for line in lines:
            by_agency[line.duty.agency_name].append(line)
        for agency, agency_lines in by_agency.items():
            parts.append(t("remind.agency", agency=agency))
            parts.extend(_line(line, calendar) for line in agency_lines)
        parts.append(t("remind.footer.coordinator"))
    task_ids = list(dict.fromkeys(line.duty.task_id for line in lines))
    return {
        "text": "\n".join(parts),
        "buttons": [[{"label": b.label, "data": b.data} for b in row] for row in buttons],
        "task_ids": task_ids,
        "reminder": {"day": reminder.day.isoformat(), "kind": reminder.kind},
    }


def register(router: Router) -> None:
    @router.callback("tk")
    async def task_chosen(ctx: HandlerContext) -> None:
        """A task's button under a reminder: offer its four statuses."""
        parts = (ctx.message.callback_data or "").split(":")
        task_id = int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else None
        views = []
        if task_id is not None and ctx.agency is not None:
            # Only the person's own agency's task: a forged id finds nothing.
            views = await standings.for_agency(
                ctx.uow,
                ctx.agency,
                ctx.today(),
                ctx.calendar,
                ctx.policy.confirm_done,
                task_id=task_id,
            )
        if not views:
            ctx.reply(t("chat.stale_button"))
            return
        view = views[0]
        ctx.reply(
            t("remind.pick_status", code=view.task.code, title=short_title(view.task.title)),
            buttons=status_buttons(view.task.id),
            task_ids=[view.task.id],
        )
