"""Linking a chat account to a contact with a one-time code: `/start CODE` or the code alone."""

from __future__ import annotations

import re

from handlers import greeting
from handlers.context import HandlerContext
from handlers.router import Router
from storage.models import LINK_CODE_LENGTH
from texts import t

# No 0/O, 1/I: a code is read off a screen or a sheet of paper and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE = re.compile(rf"[{CODE_ALPHABET}]{{{LINK_CODE_LENGTH}}}")


def normalize_code(text: str) -> str | None:
    """The link code in what a person typed ("abcd-efgh", " ABCDEFGH "), or None."""
    squeezed = re.sub(r"[\s\-_.]", "", text or "").upper()
    return squeezed if _CODE.fullmatch(squeezed) else None


def _looks_like_code(ctx: HandlerContext) -> bool:
    return ctx.contact is None and normalize_code(ctx.text) is not None


async def _throttled(ctx: HandlerContext) -> bool:
    ref = ctx.message.ref
    since = ctx.now() - ctx.policy.link_failure_window
    failures = await ctx.uow.link_codes.failures_since(ref.channel, ref.chat_id, since)
    return failures >= ctx.policy.link_failures_allowed


async def try_link(ctx: HandlerContext, typed: str) -> None:
    if await _throttled(ctx):
        minutes = int(ctx.policy.link_failure_window.total_seconds() // 60)
        ctx.reply(t("link.throttled", minutes=minutes))
        return
    ref = ctx.message.ref
    code = normalize_code(typed)
    row = await ctx.uow.link_codes.get(code) if code else None
    if row is None:
        await ctx.uow.link_codes.record_failure(ref.channel, ref.chat_id, ctx.now())
        ctx.reply(t("link.wrong_code"))
        return
    if row.used_at is not None:
        await ctx.uow.link_codes.record_failure(ref.channel, ref.chat_id, ctx.now())
        ctx.reply(t("link.used_code"))
        return
    if row.expires_at <= ctx.now():
        ctx.reply(t("link.expired_code"))
        return
    external = ref.user_id or ref.chat_id
    if not await ctx.uow.link_codes.use(row, ctx.now(), f"{ref.channel}:{external}"):
        ctx.reply(t("link.used_code"))
        return
    ctx.identity = await ctx.uow.identities.link(
        row.contact_id, ref.channel, external, ref.chat_id, ctx.now()
    )
    ctx.clear_state()
    await greeting.greet(ctx, linked_now=True)


def register(router: Router) -> None:
    @router.command("start", linked=False)
    async def start(ctx: HandlerContext) -> None:
        if ctx.message.args.strip():
            await try_link(ctx, ctx.message.args)
        elif ctx.contact is not None:
            await greeting.greet(ctx, linked_now=False)
        else:
            ctx.reply(t("link.how_to"))

    @router.text(_looks_like_code, linked=False)
    async def link_code_text(ctx: HandlerContext) -> None:
        await try_link(ctx, ctx.text)
