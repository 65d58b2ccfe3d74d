"""/nghiphep: a contact pauses their reminders while on leave; the agency's deputy takes over."""

from __future__ import annotations

from datetime import date

from handlers.context import HandlerContext
from handlers.format import ddmmyyyy
from handlers.router import Router
from plans.text import fold
from plans.timegrammar import parse_time
from texts import t

MAX_LEAVE_DAYS = 180  # longer than this is a typo, or a matter for the coordinator
CANCEL_WORDS = ("huy", "thoi", "ket thuc", "di lam", "da di lam", "quay lai", "het")


def read_leave(text: str, today: date) -> tuple[date, date] | None:
    """(first day, last day) from "đến 15/12", "10/12 đến 15/12", "den het thu sau"."""
    schedule = parse_time(text, today=today, prefer="future")
    if not schedule.due:
        return None
    end = schedule.due[-1]
    start = schedule.start if schedule.kind == "range" and schedule.start else today
    return max(start, today), end


async def _who_covers(ctx: HandlerContext, start: date, end: date) -> str:
    """Who gets the agency's reminders meanwhile, in one sentence."""
    assert ctx.contact is not None and ctx.agency is not None
    others = [
        c
        for c in await ctx.uow.contacts.list_for_agency(ctx.agency.id)
        if c.id != ctx.contact.id and c.role == "focal"
    ]
    away = set()
    for c in others:
        leave = await ctx.uow.leaves.current(c.id, start)
        if leave is not None and leave.starts_on <= start:
            away.add(c.id)
    colleagues = [c for c in others if not c.is_deputy and c.id not in away]
    if colleagues and not ctx.contact.is_deputy:
        return t("leave.saved.colleague", agency=ctx.agency.name)
    deputies = [c for c in others if c.is_deputy and c.id not in away]
    if deputies:
        names = ", ".join(c.name for c in deputies)
        return t("leave.saved.deputy", agency=ctx.agency.name, deputy=names)
    return t("leave.saved.nobody", agency=ctx.agency.name)


def register(router: Router) -> None:
    @router.command("nghiphep")
    async def leave(ctx: HandlerContext) -> None:
        assert ctx.contact is not None and ctx.agency is not None
        today = ctx.today()
        typed = ctx.message.args.strip()
        folded = fold(typed)
        if not typed:
            current = await ctx.uow.leaves.current(ctx.contact.id, today)
            if current is None:
                ctx.reply(t("leave.none") + "\n" + t("leave.usage"))
            else:
                ctx.reply(
                    t(
                        "leave.current",
                        start=ddmmyyyy(current.starts_on),
                        end=ddmmyyyy(current.ends_on),
                    )
                )
            return
        if any(folded.startswith(word) for word in CANCEL_WORDS):
            changed = await ctx.uow.leaves.end(ctx.contact.id, today)
            ctx.reply(t("leave.ended") if changed else t("leave.none"))
            return
        span = read_leave(typed, today)
        if span is None:
            ctx.reply(t("leave.bad_date"))
            return
        start, end = span
        if end < today:
            ctx.reply(t("leave.past", end=ddmmyyyy(end)))
            return
        if (end - start).days > MAX_LEAVE_DAYS:
            ctx.reply(t("leave.too_long", days=MAX_LEAVE_DAYS))
            return
        await ctx.uow.leaves.add(ctx.contact.id, start, end)
        who = await _who_covers(ctx, start, end)
        dates = {"start": ddmmyyyy(start), "end": ddmmyyyy(end)}
        ctx.reply(t("leave.saved", who=who, **dates))
        coordinators = [c for c in await ctx.coordinators() if c.id != ctx.contact.id]
        if coordinators:
            await ctx.notify(
                coordinators,
                t("notice.leave", name=ctx.contact.name, agency=ctx.agency.name, who=who, **dates),
            )
