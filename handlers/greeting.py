"""The welcome a person gets on linking, and the help each role gets with /huongdan."""

from __future__ import annotations

from handlers import standings
from handlers.context import HandlerContext
from handlers.format import task_line
from handlers.router import Router
from texts import t

GREETING_TASK_LIMIT = 15


async def open_task_lines(ctx: HandlerContext, limit: int | None = None) -> list[str]:
    assert ctx.agency is not None
    views = await standings.for_agency(
        ctx.uow, ctx.agency, ctx.today(), ctx.calendar, ctx.policy.confirm_done
    )
    open_views = [v for v in views if not v.standing.is_done]
    lines = [task_line(v, with_role=True) for v in open_views]
    if limit is not None and len(lines) > limit:
        lines = [*lines[:limit], t("chat.more_tasks", count=len(lines) - limit)]
    return lines


async def greet(ctx: HandlerContext, *, linked_now: bool) -> None:
    contact, agency = ctx.contact, ctx.agency
    assert contact is not None and agency is not None
    key = "link.welcome" if linked_now else "link.welcome_back"
    parts = [t(key, name=contact.name, agency=agency.name, role=t(f"role.{contact.role}"))]
    lines = await open_task_lines(ctx, GREETING_TASK_LIMIT)
    if lines:
        parts.append(t("chat.open_tasks_header", agency=agency.name, count=len(lines)))
        parts.append("\n".join(lines))
    else:
        parts.append(t("chat.no_open_tasks", agency=agency.name))
    parts.append(t(f"help.short.{contact.role}"))
    ctx.reply("\n\n".join(parts))


def register(router: Router) -> None:
    @router.command("huongdan", "help", linked=False)
    async def help_command(ctx: HandlerContext) -> None:
        if ctx.contact is None:
            ctx.reply(t("help.stranger"))
        else:
            ctx.reply(t(f"help.{ctx.contact.role}"))

    @router.not_linked
    async def not_linked(ctx: HandlerContext) -> None:
        # A stranger learns how to link and nothing about the plan.
        ctx.reply(t("help.stranger"))

    @router.forbidden
    async def forbidden(ctx: HandlerContext) -> None:
        ctx.reply(t("chat.coordinator_only"))

    @router.unsupported
    async def unsupported(ctx: HandlerContext) -> None:
        ctx.reply(t("report.unsupported") if ctx.contact is not None else t("help.stranger"))

    @router.stale_button
    async def stale_button(ctx: HandlerContext) -> None:
        ctx.reply(t("chat.stale_button"))
