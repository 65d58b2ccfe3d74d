"""`/nhiemvu`: the person's own agency's tasks with status and deadline."""

from __future__ import annotations

from handlers import standings
from handlers.context import HandlerContext
from handlers.format import task_line
from handlers.router import Router
from texts import t


async def my_tasks_text(ctx: HandlerContext) -> str:
    assert ctx.agency is not None
    views = await standings.for_agency(
        ctx.uow, ctx.agency, ctx.today(), ctx.calendar, ctx.policy.confirm_done
    )
    if not views:
        return t("chat.no_tasks", agency=ctx.agency.name)
    lead = [task_line(v) for v in views if v.role == "lead"]
    support = [task_line(v) for v in views if v.role == "support"]
    parts = [
        t("chat.my_tasks_header", agency=ctx.agency.name, today=ctx.today().strftime("%d/%m/%Y"))
    ]
    if lead:
        parts.append(t("chat.lead_header", count=len(lead)) + "\n" + "\n".join(lead))
    if support:
        parts.append(t("chat.support_header", count=len(support)) + "\n" + "\n".join(support))
    parts.append(t("chat.how_to_report"))
    return "\n\n".join(parts)


def register(router: Router) -> None:
    @router.command("nhiemvu")
    async def my_tasks(ctx: HandlerContext) -> None:
        ctx.reply(await my_tasks_text(ctx))
