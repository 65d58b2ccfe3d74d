"""The coordinator's decisions: confirm or return a "done", approve or refuse an extension."""

from __future__ import annotations

from bot.channels.base import Button
from handlers.context import HandlerContext
from handlers.format import ddmmyyyy, short_title
from handlers.router import Router
from handlers.standings import TaskView
from plans.progress import checkpoints
from plans.schedule import Schedule
from storage.models import Report, Task
from texts import t

COORDINATOR = ("coordinator",)


async def announce(ctx: HandlerContext, report: Report, view: TaskView) -> None:
    """Tell the coordinators about a report that needs them (or that they should know of)."""
    assert ctx.contact is not None
    common = {
        "agency": view.agency.name,
        "name": ctx.contact.name,
        "code": view.task.code,
        "title": short_title(view.task.title, 80),
        "text": report.text,
    }
    if report.status not in ("done", "extension_request", "blocked") or (
        report.status == "done" and report.state != "awaiting_review"
    ):
        return  # progress is for the lists, not worth a message
    others = [c for c in await ctx.coordinators() if c.id != ctx.contact.id]
    if report.status == "done" and report.state == "awaiting_review":
        await ctx.notify(
            others,
            t("notice.done_for_review", **common),
            buttons=[
                [
                    Button(t("button.confirm"), f"rv:{report.id}:a"),
                    Button(t("button.return"), f"rv:{report.id}:r"),
                ]
            ],
            task_ids=[view.task.id],
        )
    elif report.status == "extension_request":
        await ctx.notify(
            others,
            t(
                "notice.extension_request",
                **common,
                due=ddmmyyyy(view.standing.due),
                new=ddmmyyyy(report.said_date),
                reason=report.reason or t("view.none"),
            ),
            buttons=[
                [
                    Button(t("button.approve"), f"ex:{report.id}:a"),
                    Button(t("button.refuse"), f"ex:{report.id}:r"),
                ]
            ],
            task_ids=[view.task.id],
        )
    elif report.status == "blocked":
        await ctx.notify(
            others,
            t("notice.blocked", **common, reason=report.reason or report.text),
            task_ids=[view.task.id],
        )


async def _pending(ctx: HandlerContext, status: str) -> tuple[Report, Task] | None:
    parts = (ctx.message.callback_data or "").split(":")
    try:
        report = await ctx.uow.reports.get(int(parts[1]))
    except (IndexError, ValueError):
        report = None
    if report is None or report.status != status:
        ctx.reply(t("chat.stale_button"))
        return None
    if report.state != "awaiting_review":
        ctx.reply(t("review.already_decided", state=t(f"report_state.{report.state}")))
        return None
    task = await ctx.uow.tasks.get(report.task_id)
    assert task is not None
    return report, task


async def _tell_reporter(ctx: HandlerContext, report: Report, text: str, task: Task) -> None:
    if report.contact_id is None:
        return
    reporter = await ctx.uow.contacts.get(report.contact_id)
    if reporter is not None:
        await ctx.notify([reporter], text, task_ids=[task.id])


def _decide(ctx: HandlerContext, report: Report, state: str, note: str | None = None) -> None:
    assert ctx.contact is not None
    report.state = state
    report.review_note = note
    report.reviewed_by = ctx.contact.id
    report.reviewed_at = ctx.now()


async def _approve_extension(ctx: HandlerContext, report: Report, task: Task) -> None:
    _decide(ctx, report, "approved")
    # A task with one deadline and one lead carries the new one on the task itself (both dates
    # are kept: the plan's in the schedule, the granted one here); a recurring task's extension
    # stays on its occurrence, in the report.
    leads = [a for a in await ctx.uow.assignments.list_for_tasks([task.id]) if a.role == "lead"]
    # With several lead agencies the extension is one agency's: it stays on its report, which
    # `standing` reads, instead of moving every lead agency's deadline.
    if len(checkpoints(Schedule.from_json(task.schedule), None)) <= 1 and len(leads) <= 1:
        task.deadline_override = report.said_date
    new = ddmmyyyy(report.said_date)
    ctx.reply(t("review.extension_approved", code=task.code, new=new))
    await _tell_reporter(ctx, report, t("notice.extension_approved", code=task.code, new=new), task)


def register(router: Router) -> None:
    @router.callback("rv", roles=COORDINATOR)
    async def review_done(ctx: HandlerContext) -> None:
        found = await _pending(ctx, "done")
        if found is None:
            return
        report, task = found
        if (ctx.message.callback_data or "").endswith(":a"):
            _decide(ctx, report, "confirmed")
            ctx.reply(t("review.confirmed", code=task.code))
            await _tell_reporter(ctx, report, t("notice.done_confirmed", code=task.code), task)
        else:
            ctx.set_state("return_note", {"report_id": report.id})
            ctx.reply(t("review.ask_return_note", code=task.code))

    @router.callback("ex", roles=COORDINATOR)
    async def review_extension(ctx: HandlerContext) -> None:
        found = await _pending(ctx, "extension_request")
        if found is None:
            return
        report, task = found
        if (ctx.message.callback_data or "").endswith(":a"):
            await _approve_extension(ctx, report, task)
        else:
            ctx.set_state("refuse_note", {"report_id": report.id})
            ctx.reply(t("review.ask_refuse_note", code=task.code))

    async def _with_note(ctx: HandlerContext, state: str, key: str) -> None:
        report = await ctx.uow.reports.get(int(ctx.state_data["report_id"]))
        ctx.clear_state()
        if report is None or report.state != "awaiting_review":
            ctx.reply(t("chat.stale_button"))
            return
        task = await ctx.uow.tasks.get(report.task_id)
        assert task is not None
        note = ctx.text.strip()[:1000]
        _decide(ctx, report, state, note)
        # Sent back, it no longer counts: the report before it in its group counts again.
        await ctx.uow.reports.reinstate_before(report)
        ctx.reply(t(f"review.{key}", code=task.code))
        await _tell_reporter(ctx, report, t(f"notice.{key}", code=task.code, note=note), task)

    @router.state("return_note", roles=COORDINATOR)
    async def return_note(ctx: HandlerContext) -> None:
        await _with_note(ctx, "returned", "returned")

    @router.state("refuse_note", roles=COORDINATOR)
    async def refuse_note(ctx: HandlerContext) -> None:
        await _with_note(ctx, "rejected", "refused")
