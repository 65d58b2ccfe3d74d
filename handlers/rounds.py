"""Reporting rounds in chat: a focal point walked through the agency's tasks one at a time.

The walk lives in the conversation row (state "round"): which round, the tasks in order, where
the person is and what they chose, so a restart or another instance carries on from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.channels.base import Button
from handlers import review, standings
from handlers.context import HandlerContext
from handlers.format import ddmmyyyy, deadline_phrase, short_title
from handlers.router import Router
from handlers.standings import TaskView
from plans.progress import PROGRESS_STATUSES, VOID_STATES
from plans.replies import CONFIDENT, read_reply
from plans.text import key as text_key
from reports.period import Period, parse_period
from scheduler.calendar import WorkingCalendar
from storage.models import Agency, Report, ReportRound
from storage.uow import UnitOfWork
from texts import t

STATE = "round"
OVERSEERS = ("coordinator", "leader")
CODES = {"d": "done", "p": "in_progress", "b": "blocked"}


def round_period(rnd: ReportRound) -> Period:
    """The period the round reports on, named as when it was opened ("6 tháng đầu năm 2026")."""
    try:
        named = parse_period(rnd.period_code)
    except ValueError:
        named = None
    if named is not None and (named.start, named.end) == (rnd.period_start, rnd.period_end):
        return named
    return parse_period(f"{rnd.period_start.isoformat()}:{rnd.period_end.isoformat()}")


def period_label(rnd: ReportRound) -> str:
    return round_period(rnd).label


# ------------------------------------------------------------------ who still has to answer


@dataclass
class AgencyRound:
    agency: Agency
    tasks: list[int]  # the lead tasks asked about, in plan order
    answered: set[int]
    skipped: set[int]

    @property
    def pending(self) -> list[int]:
        return [task for task in self.tasks if task not in self.answered]


async def agencies_in(
    uow: UnitOfWork,
    rnd: ReportRound,
    today: date,
    calendar: WorkingCalendar,
    confirm_done: bool,
) -> dict[int, AgencyRound]:
    """Every lead agency of the round's plan with the tasks it is asked about: those not done
    (confirmed) when asked, and what it answered or skipped so far."""
    views = [
        v
        for v in await standings.lead_views(uow, today, calendar, confirm_done)
        if v.task.plan_id == rnd.plan_id
    ]
    answers = await uow.rounds.answers(rnd.id)
    done_in_round = {(a.task_id, a.agency_id) for a in answers if a.state == "answered"}
    out: dict[int, AgencyRound] = {}
    for v in sorted(views, key=lambda v: v.task.position):
        asked = v.standing.status != "done" or (v.task.id, v.agency.id) in done_in_round
        if not asked:
            continue
        entry = out.setdefault(v.agency.id, AgencyRound(v.agency, [], set(), set()))
        entry.tasks.append(v.task.id)
    for a in answers:
        if a.agency_id in out:
            (out[a.agency_id].answered if a.state == "answered" else out[a.agency_id].skipped).add(
                a.task_id
            )
    return out


async def status_text(ctx: HandlerContext, rnd: ReportRound) -> str:
    """Who has answered the round and who has not, those behind first."""
    entries = await agencies_in(ctx.uow, rnd, ctx.today(), ctx.calendar, ctx.policy.confirm_done)
    head = t(
        "round.status.header",
        period=period_label(rnd),
        due=ddmmyyyy(rnd.due),
        cutoff=ddmmyyyy(rnd.cutoff),
    )
    ordered = sorted(
        entries.values(), key=lambda e: (not e.pending, -len(e.pending), text_key(e.agency.name))
    )
    lines = [
        t(
            "round.status.line" if e.pending else "round.status.line_done",
            agency=e.agency.name,
            answered=len(e.tasks) - len(e.pending),
            total=len(e.tasks),
        )
        for e in ordered
    ]
    return head + "\n" + ("\n".join(lines) if lines else t("round.status.nobody"))


async def open_rounds_note(ctx: HandlerContext) -> str:
    """For /chuabaocao while a round is open: who has not answered it."""
    rounds = await ctx.uow.rounds.open_rounds()
    return "\n\n".join([await status_text(ctx, r) for r in rounds])


# ------------------------------------------------------------------ the walk


def start_button(round_id: int) -> list[list[Button]]:
    return [[Button(t("round.button.start"), f"rd:{round_id}")]]


async def _round_for(ctx: HandlerContext) -> ReportRound | None:
    """The open round that asks about the person's agency (the latest, if several)."""
    assert ctx.agency is not None
    plan_ids = {a.task.plan_id for a in await standings.assigned(ctx.uow, ctx.agency)}
    rounds = [r for r in await ctx.uow.rounds.open_rounds() if r.plan_id in plan_ids]
    return rounds[-1] if rounds else None


async def start(ctx: HandlerContext, rnd: ReportRound) -> None:
    """Begin (or take up again) the walk through the agency's tasks not yet answered."""
    assert ctx.agency is not None
    if rnd.state != "open":
        ctx.clear_state()
        ctx.reply(t("round.closed", period=period_label(rnd)))
        return
    entries = await agencies_in(ctx.uow, rnd, ctx.today(), ctx.calendar, ctx.policy.confirm_done)
    mine = entries.get(ctx.agency.id)
    pending = mine.pending if mine is not None else []
    if not pending:
        ctx.clear_state()
        ctx.reply(t("round.nothing_left", agency=ctx.agency.name, period=period_label(rnd)))
        return
    data = {"round": rnd.id, "tasks": pending, "i": 0, "step": "status"}
    ctx.reply(
        t(
            "round.intro",
            agency=ctx.agency.name,
            period=period_label(rnd),
            count=len(pending),
            cutoff=ddmmyyyy(rnd.cutoff),
        )
    )
    await _ask_status(ctx, data)


async def _view(ctx: HandlerContext, task_id: int) -> TaskView | None:
    assert ctx.agency is not None
    found = await standings.for_agency(
        ctx.uow, ctx.agency, ctx.today(), ctx.calendar, ctx.policy.confirm_done, task_id=task_id
    )
    return found[0] if found else None


async def _last(ctx: HandlerContext, task_id: int) -> Report | None:
    assert ctx.agency is not None
    found = await ctx.uow.rounds.last_reports(
        [task_id], ctx.agency.id, statuses=PROGRESS_STATUSES, void_states=VOID_STATES
    )
    return found.get(task_id)


def _said(report: Report) -> str:
    status = t(f"round.said.{report.status}")
    if report.status == "in_progress" and report.percent is not None:
        status += f" {report.percent}%"
    return t(
        "round.last",
        day=ddmmyyyy(report.created_on),
        status=status,
        text=short_title(report.text, 160),
    )


async def _ask_status(ctx: HandlerContext, data: dict[str, Any]) -> None:
    task_id = data["tasks"][data["i"]]
    view = await _view(ctx, task_id)
    if view is None:  # no longer the agency's task: go on with the next
        await _advance(ctx, data)
        return
    last = await _last(ctx, task_id)
    ctx.set_state(STATE, {**data, "step": "status", "status": None})
    buttons = [
        [
            Button(t("button.done"), f"rs:{task_id}:d"),
            Button(t("button.in_progress"), f"rs:{task_id}:p"),
        ],
        [Button(t("button.blocked"), f"rs:{task_id}:b")],
        [Button(t("round.button.skip"), f"rs:{task_id}:s")],
    ]
    if last is not None:
        buttons[1].append(Button(t("round.button.same"), f"rs:{task_id}:k"))
    ctx.reply(
        t(
            "round.task",
            n=data["i"] + 1,
            total=len(data["tasks"]),
            code=view.task.code,
            title=short_title(view.task.title, 160),
            deadline=deadline_phrase(view.standing),
            last=_said(last) if last is not None else t("round.no_last"),
        ),
        buttons=buttons,
        task_ids=[task_id],
    )


async def _advance(ctx: HandlerContext, data: dict[str, Any]) -> None:
    data = {**data, "i": data["i"] + 1, "step": "status", "status": None}
    if data["i"] < len(data["tasks"]):
        await _ask_status(ctx, data)
        return
    ctx.clear_state()
    assert ctx.agency is not None
    answers = await ctx.uow.rounds.answers(data["round"], [ctx.agency.id])
    skipped = [a.task_id for a in answers if a.state == "skipped"]
    answered = sum(1 for a in answers if a.state == "answered")
    text = t("round.finished", answered=answered)
    if skipped:
        codes = [t_.code for t_ in await _tasks(ctx, skipped)]
        text += "\n" + t("round.finished_skipped", codes=", ".join(codes))
    ctx.reply(text, buttons=start_button(data["round"]) if skipped else ())


async def _tasks(ctx: HandlerContext, task_ids: list[int]) -> list[Any]:
    found = [await ctx.uow.tasks.get(i) for i in task_ids]
    return [task for task in found if task is not None]


async def _answer(
    ctx: HandlerContext, data: dict[str, Any], state: str, report_id: int | None
) -> None:
    assert ctx.agency is not None and ctx.contact is not None
    await ctx.uow.rounds.answer(
        {
            "round_id": data["round"],
            "task_id": data["tasks"][data["i"]],
            "agency_id": ctx.agency.id,
            "contact_id": ctx.contact.id,
            "report_id": report_id,
            "state": state,
            "answered_at": ctx.now(),
        }
    )


async def _record(
    ctx: HandlerContext, data: dict[str, Any], status: str, text: str, percent: int | None
) -> None:
    """A report of the status chosen with the paragraph as its words; then the next task."""
    task_id = data["tasks"][data["i"]]
    view = await _view(ctx, task_id)
    assert ctx.contact is not None
    if view is None:
        await _advance(ctx, data)
        return
    needs_review = status == "done" and ctx.policy.confirm_done
    report = await ctx.uow.reports.add(
        task_id=task_id,
        agency_id=view.agency.id,
        contact_id=ctx.contact.id,
        inbound_id=ctx.inbound_id,
        status=status,
        percent=100 if status == "done" else percent,
        reason=text if status == "blocked" else None,
        text=text,
        checkpoint=view.standing.checkpoint,
        state="awaiting_review" if needs_review else "recorded",
        created_at=ctx.now(),
    )
    await _answer(ctx, data, "answered", report.id)
    ctx.reply(t("round.recorded", code=view.task.code, status=t(f"round.said.{status}")))
    await review.announce(ctx, report, view)
    await _advance(ctx, data)


def _current(ctx: HandlerContext, task_id: int) -> dict[str, Any] | None:
    """The walk's state when this button belongs to the task it is at; None for an old one."""
    data = ctx.state_data if ctx.state == STATE else {}
    if not data or data["tasks"][data["i"]] != task_id:
        return None
    return data


# ------------------------------------------------------------------ routes


def register(router: Router) -> None:
    @router.callback("rd")
    async def begin(ctx: HandlerContext) -> None:
        if ctx.role != "focal":
            ctx.reply(t("round.focal_only"))
            return
        try:
            rnd = await ctx.uow.rounds.get(int((ctx.message.callback_data or "").split(":")[1]))
        except (IndexError, ValueError):
            rnd = None
        if rnd is None:
            ctx.reply(t("chat.stale_button"))
            return
        await start(ctx, rnd)

    @router.command("kybaocao")
    async def round_command(ctx: HandlerContext) -> None:
        if ctx.role in OVERSEERS:
            rounds = await ctx.uow.rounds.open_rounds()
            if not rounds:
                ctx.reply(t("round.none_open"))
                return
            ctx.reply("\n\n".join([await status_text(ctx, r) for r in rounds]))
            return
        rnd = await _round_for(ctx)
        if rnd is None:
            ctx.reply(t("round.none_open"))
            return
        await start(ctx, rnd)

    @router.callback("rs")
    async def pick(ctx: HandlerContext) -> None:
        parts = (ctx.message.callback_data or "").split(":")
        data = _current(ctx, int(parts[1])) if len(parts) == 3 and parts[1].isdigit() else None
        if data is None:
            ctx.reply(t("round.stale"))
            return
        code = parts[2]
        if code == "s":
            await _answer(ctx, data, "skipped", None)
            await _advance(ctx, data)
            return
        last = await _last(ctx, data["tasks"][data["i"]])
        if code == "k" and last is None:
            ctx.reply(t("round.stale"))
            return
        status = last.status if code == "k" and last is not None else CODES.get(code)
        if status is None:
            ctx.reply(t("round.stale"))
            return
        ctx.set_state(STATE, {**data, "step": "result", "status": status})
        buttons = []
        if last is not None and last.text.strip():
            buttons = [[Button(t("round.button.keep_text"), f"rk:{data['tasks'][data['i']]}")]]
        hint = t("round.keep_hint", text=short_title(last.text, 200)) if buttons and last else ""
        ctx.reply(t("round.ask_result") + hint, buttons=buttons)

    @router.callback("rk")
    async def keep_text(ctx: HandlerContext) -> None:
        parts = (ctx.message.callback_data or "").split(":")
        data = _current(ctx, int(parts[1])) if len(parts) == 2 and parts[1].isdigit() else None
        last = await _last(ctx, data["tasks"][data["i"]]) if data else None
        if data is None or data.get("step") != "result" or last is None:
            ctx.reply(t("round.stale"))
            return
        if data["status"] == last.status:
            # Nothing new to record: the round's answer is the report already there.
            await _answer(ctx, data, "answered", last.id)
            ctx.reply(t("round.kept", status=t(f"round.said.{last.status}")))
            await _advance(ctx, data)
            return
        await _record(ctx, data, data["status"], last.text, last.percent)

    @router.state(STATE, roles=("focal",))
    async def typed(ctx: HandlerContext) -> None:
        data = ctx.state_data
        text = " ".join(ctx.text.split())[: ctx.policy.max_text]
        if not text:
            ctx.reply(t("round.ask_result"))
            return
        reading = read_reply(text, ctx.today())
        if data.get("step") == "result":
            percent = reading.percent if data["status"] == "in_progress" else None
            await _record(ctx, data, data["status"], text, percent)
            return
        # Typed instead of pressed: a clear status and the words are the paragraph too.
        if reading.status in CODES.values() and reading.confidence >= CONFIDENT:
            await _record(ctx, data, reading.status, text, reading.percent)
            return
        ctx.reply(t("round.pick_status"))
        await _ask_status(ctx, data)
