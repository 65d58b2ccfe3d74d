"""Reports by chat: work out which task and what was said, repeat it back, record on a yes."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.channels.base import Button
from handlers import review, standings
from handlers.context import HandlerContext
from handlers.format import ddmmyyyy, numbered
from handlers.router import Router
from handlers.standings import Assigned, TaskView
from plans.replies import CONFIDENT, ReplyReading, read_reply, read_yes_no
from plans.text import fold
from texts import t

STATUS_CODES = {"d": "done", "p": "in_progress", "b": "blocked", "e": "extension_request"}
CODE_OF = {v: k for k, v in STATUS_CODES.items()}
CHOICE_LIMIT = 12
# Words that say how a task goes, not which task it is: they must not drive the title match.
_STATUS_WORDS = (
    "xong roi dang lam thuc hien hoan thanh xin gia han vuong mac kinh phi den ngay thang nam "
    "bao cao da chua duoc cho em anh chi nhiem vu cong viec phan tram tuan sau nay ke hoach "
    "trien khai tinh cac cua va voi tren theo"
)
_NOT_TITLE_WORDS = frozenset(_STATUS_WORDS.split())


# ------------------------------------------------------------------ drafts


def draft_of(reading: ReplyReading, text: str) -> dict[str, Any]:
    return {
        "status": reading.status,
        "percent": reading.percent,
        "date": reading.date.isoformat() if reading.date else None,
        "date_role": reading.date_role,
        "reason": reading.reason,
        "text": text,
    }


def _date(draft: dict[str, Any]) -> date | None:
    return date.fromisoformat(draft["date"]) if draft.get("date") else None


def summary(view: Assigned, draft: dict[str, Any]) -> str:
    """One line saying what the bot understood, for the person to confirm."""
    status, when = draft["status"], _date(draft)
    if status == "done":
        said = t("report.said.done")
        if when is not None and draft.get("date_role") == "done_on":
            said += t("report.said.on_date", date=ddmmyyyy(when))
    elif status == "in_progress":
        said = t("report.said.in_progress")
        if draft.get("percent") is not None:
            said += f" {draft['percent']}%"
        if when is not None:
            said += t("report.said.expected", date=ddmmyyyy(when))
    elif status == "blocked":
        said = t("report.said.blocked")
        if draft.get("reason"):
            said += t("report.said.reason", reason=draft["reason"])
    else:
        said = t("report.said.extension", date=ddmmyyyy(when))
        if draft.get("reason"):
            said += t("report.said.because", reason=draft["reason"])
    return t("report.summary", code=view.task.code, said=said)


# ------------------------------------------------------------------ which task


async def _assigned(ctx: HandlerContext, task_id: int | None = None) -> list[Assigned]:
    """The agency's tasks (or one of them) without their standing: most steps need no more."""
    assert ctx.agency is not None
    return await standings.assigned(ctx.uow, ctx.agency, task_id=task_id)


async def _one(ctx: HandlerContext, task_id: int | None) -> Assigned | None:
    """One of the agency's tasks by id (None when it is not theirs), without reading the rest."""
    if task_id is None:
        return None
    found = await _assigned(ctx, task_id)
    return found[0] if found else None


async def _standings(ctx: HandlerContext, tasks: list[Assigned]) -> list[TaskView]:
    return await standings.views(ctx.uow, tasks, ctx.today(), ctx.calendar, ctx.policy.confirm_done)


async def _view(ctx: HandlerContext, task_id: int | None) -> TaskView | None:
    """One of the agency's tasks with where it stands, for recording a report on it."""
    one = await _one(ctx, task_id)
    return (await _standings(ctx, [one]))[0] if one is not None else None


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", fold(text)) if w not in _NOT_TITLE_WORDS}


def _by_title(text: str, views: list[Assigned]) -> Assigned | None:
    """The task whose title shares clearly more words with the message than any other."""
    said = _words(text)
    if len(said) < 2:
        return None
    titles = [_words(v.task.title) for v in views]
    scored = sorted(((len(said & words), i) for i, words in enumerate(titles)), reverse=True)
    best, index = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0
    # Two shared words are enough only for a short title: a reason such as "chưa có hướng dẫn"
    # shares a couple of words with many long titles without naming any of them.
    enough = best >= 3 or (best >= 2 and best * 2 >= len(titles[index]))
    return views[index] if enough and best > runner_up else None


async def _replied_tasks(ctx: HandlerContext) -> list[int]:
    reply_to = ctx.message.reply_to
    if reply_to is None:
        return []
    ref = ctx.message.ref
    sent = await ctx.uow.outbox.find_sent(ref.channel, ref.chat_id, reply_to)
    return list(sent.task_ids) if sent is not None else []


async def resolve(
    ctx: HandlerContext, reading: ReplyReading, views: list[Assigned]
) -> Assigned | list[Assigned] | None:
    """The task meant, or the candidates to ask about, or None when a named code is unknown."""
    candidates = views
    replied = await _replied_tasks(ctx)
    if replied:
        narrowed = [v for v in views if v.task.id in replied]
        if len(narrowed) == 1:
            return narrowed[0]
        candidates = narrowed or views
    if reading.task_code:
        named = [v for v in views if v.task.code == reading.task_code]
        return named[0] if named else None
    titled = _by_title(ctx.text, candidates)
    if titled is not None:
        return titled
    # An agency answers for what it leads; what it supports is reported by the lead agency.
    leading = [v for v in candidates if v.role == "lead"]
    # Only here does where the tasks stand matter: the one still open is the one meant.
    viewed = await _standings(ctx, leading or candidates)
    open_ones: list[Assigned] = [v for v in viewed if not v.standing.is_done]
    if len(open_ones) == 1:
        return open_ones[0]
    return open_ones or list(viewed)


# ------------------------------------------------------------------ steps


def _confirm_buttons() -> list[list[Button]]:
    return [[Button(t("button.yes"), "cf:y"), Button(t("button.fix"), "cf:n")]]


def status_buttons(task_id: int | None) -> list[list[Button]]:
    prefix = f"rp:{task_id}" if task_id is not None else "st"
    return [
        [
            Button(t("button.done"), f"{prefix}:d"),
            Button(t("button.in_progress"), f"{prefix}:p"),
        ],
        [
            Button(t("button.blocked"), f"{prefix}:b"),
            Button(t("button.extension"), f"{prefix}:e"),
        ],
    ]


async def propose(ctx: HandlerContext, view: Assigned, draft: dict[str, Any]) -> None:
    """Repeat what was understood and wait for a yes; ask for what is still missing first."""
    if draft["status"] == "extension_request" and _date(draft) is None:
        ctx.set_state("ask_date", {"task_id": view.task.id, "draft": draft})
        ctx.reply(t("report.ask_date", code=view.task.code), task_ids=[view.task.id])
        return
    ctx.set_state("confirm", {"task_id": view.task.id, "draft": draft})
    ctx.reply(summary(view, draft), buttons=_confirm_buttons(), task_ids=[view.task.id])


async def ask_which(ctx: HandlerContext, choices: list[Assigned], draft: dict[str, Any]) -> None:
    choices = choices[:CHOICE_LIMIT]
    ctx.set_state("choose_task", {"task_ids": [v.task.id for v in choices], "draft": draft})
    buttons = [
        [Button(f"{i}. {v.task.code}", f"pick:{v.task.id}")] for i, v in enumerate(choices, 1)
    ]
    ctx.reply(
        t("report.which_task") + "\n" + numbered(choices),
        buttons=buttons,
        task_ids=[v.task.id for v in choices],
    )


async def continue_with(
    ctx: HandlerContext, reading: ReplyReading, draft: dict[str, Any], fixed_task: int | None
) -> None:
    named = await _named(ctx, reading, fixed_task)
    if named is not None:
        await propose(ctx, named, draft)
        return
    views = await _assigned(ctx)
    if not views:
        ctx.clear_state()
        ctx.reply(t("chat.no_tasks", agency=ctx.agency.name if ctx.agency else ""))
        return
    target: Assigned | list[Assigned] | None
    if fixed_task is not None:
        target = views  # the task under discussion is no longer one of theirs: ask which
    else:
        target = await resolve(ctx, reading, views)
    if target is None:
        ctx.clear_state()
        ctx.reply(
            t("report.unknown_code", code=reading.task_code) + "\n" + numbered(views[:CHOICE_LIMIT])
        )
        return
    if isinstance(target, list):
        await ask_which(ctx, target, draft)
        return
    await propose(ctx, target, draft)


async def _named(
    ctx: HandlerContext, reading: ReplyReading, fixed_task: int | None
) -> Assigned | None:
    """The task the message settles by itself (the one under discussion, or a code typed
    without replying to a list), read alone; None when the agency's whole list is needed."""
    if fixed_task is not None:
        return await _one(ctx, fixed_task)
    if reading.task_code and ctx.message.reply_to is None:
        assert ctx.agency is not None
        found = await standings.assigned(ctx.uow, ctx.agency, code=reading.task_code)
        return found[0] if found else None
    return None


async def record(ctx: HandlerContext, task_id: int, draft: dict[str, Any]) -> None:
    """Store the report the person confirmed and pass what needs a decision to the coordinator."""
    view = await _view(ctx, task_id)
    ctx.clear_state()
    if view is None or ctx.contact is None:
        ctx.reply(t("chat.stale_button"))
        return
    status = draft["status"]
    needs_review = status == "extension_request" or (status == "done" and ctx.policy.confirm_done)
    report, files = await ctx.uow.reports.add_with_files(
        {
            "task_id": task_id,
            "agency_id": view.agency.id,
            "contact_id": ctx.contact.id,
            "inbound_id": ctx.inbound_id,
            "status": status,
            "percent": 100 if status == "done" else draft.get("percent"),
            "said_date": _date(draft),
            "date_role": draft.get("date_role"),
            "reason": draft.get("reason"),
            "text": draft.get("text") or "",
            "checkpoint": view.standing.checkpoint,
            "state": "awaiting_review" if needs_review else "recorded",
            "created_at": ctx.now(),
        },
        files_since=ctx.now() - ctx.policy.evidence_window,
    )
    key = {
        "done": "report.recorded_done_review" if needs_review else "report.recorded_done",
        "in_progress": "report.recorded_progress",
        "blocked": "report.recorded_blocked",
        "extension_request": "report.recorded_extension",
    }[status]
    text = t(key, code=view.task.code)
    if files:
        text += "\n" + t("report.files_attached", count=files)
    ctx.reply(text, task_ids=[task_id])
    await review.announce(ctx, report, view)


# ------------------------------------------------------------------ entry points


async def on_text(ctx: HandlerContext, fixed_task: int | None = None) -> None:
    await keep_files(ctx)
    text = ctx.text[: ctx.policy.max_text]
    if not text.strip():
        if not ctx.message.attachments:  # a sticker, a location: nothing to read
            ctx.reply(t("report.empty"))
        return  # a file alone: keep_files answered
    reading = read_reply(text, ctx.today())
    draft = draft_of(reading, ctx.text)
    if reading.status == "question" and reading.confidence >= CONFIDENT:
        await _forward_question(ctx)
        return
    if reading.status == "other" or reading.confidence < CONFIDENT:
        if reading.status == "other" and reading.confidence >= CONFIDENT:
            ctx.reply(t("report.acknowledged"))
            return
        state = {"draft": draft, "task_id": fixed_task}
        ctx.set_state("choose_status", state)
        ctx.reply(t("report.unsure"), buttons=status_buttons(None))
        return
    await continue_with(ctx, reading, draft, fixed_task)


async def _forward_question(ctx: HandlerContext) -> None:
    assert ctx.contact is not None and ctx.agency is not None
    sent = await ctx.notify(
        [c for c in await ctx.coordinators() if c.id != ctx.contact.id],
        t("notice.question", name=ctx.contact.name, agency=ctx.agency.name, text=ctx.text),
    )
    ctx.reply(t("report.question_forwarded" if sent else "report.question_noted"))


async def keep_files(ctx: HandlerContext) -> None:
    """Keep every file sent as evidence; a file alone goes to the person's latest report."""
    if not ctx.message.attachments or ctx.contact is None:
        return
    latest = await ctx.uow.reports.latest_by_contact(
        ctx.contact.id, ctx.now() - ctx.policy.evidence_window
    )
    # With text, the report this message is about does not exist yet: leave it loose so
    # `record` attaches it; alone, the file belongs to the latest report.
    report_id = latest.id if latest is not None and not ctx.text.strip() else None
    for a in ctx.message.attachments:
        await ctx.uow.evidence.add(
            report_id=report_id,
            contact_id=ctx.contact.id,
            inbound_id=ctx.inbound_id,
            channel=ctx.message.ref.channel,
            kind=a.kind,
            file_id=a.file_id,
            name=a.name,
            size=a.size,
            mime_type=a.mime_type,
            created_at=ctx.now(),
        )
    if ctx.text.strip():
        return
    names = ", ".join(a.name or t("report.unnamed_file") for a in ctx.message.attachments)
    if latest is not None:
        task = await ctx.uow.tasks.get(latest.task_id)
        ctx.reply(t("report.file_kept_for", names=names, code=task.code if task else "?"))
    else:
        ctx.reply(t("report.file_kept_loose", names=names))


def _task_of(ctx: HandlerContext) -> int | None:
    value = ctx.state_data.get("task_id")
    return int(value) if value is not None else None


def register(router: Router) -> None:
    @router.callback("cf")
    async def confirm_button(ctx: HandlerContext) -> None:
        if ctx.state != "confirm":
            ctx.reply(t("chat.stale_button"))
            return
        data = ctx.state_data
        if ctx.message.callback_data == "cf:y":
            await record(ctx, int(data["task_id"]), data["draft"])
        else:
            ctx.set_state("correct", {"task_id": data["task_id"]})
            ctx.reply(t("report.rewrite"))

    @router.state("confirm")
    async def confirm_text(ctx: HandlerContext) -> None:
        data = ctx.state_data
        answer = read_yes_no(ctx.text)
        if answer is True:
            await record(ctx, int(data["task_id"]), data["draft"])
        elif answer is False:
            ctx.set_state("correct", {"task_id": data["task_id"]})
            ctx.reply(t("report.rewrite"))
        else:  # a new report instead of a yes: read it, about the same task
            await on_text(ctx, fixed_task=int(data["task_id"]))

    @router.state("correct")
    async def corrected(ctx: HandlerContext) -> None:
        await on_text(ctx, fixed_task=_task_of(ctx))

    @router.state("choose_task")
    async def chosen_by_text(ctx: HandlerContext) -> None:
        data = ctx.state_data
        ids = [int(i) for i in data.get("task_ids", [])]
        typed = ctx.text.strip().rstrip(".")
        views = {v.task.id: v for v in await _assigned(ctx)}
        picked = None
        if typed.isdigit() and 1 <= int(typed) <= len(ids):
            picked = views.get(ids[int(typed) - 1])
        else:
            by_code = [v for v in views.values() if v.task.code == typed]
            picked = by_code[0] if by_code else None
        if picked is None:
            await on_text(ctx)  # not a choice: a new message to read afresh
            return
        await propose(ctx, picked, data["draft"])

    @router.callback("pick")
    async def chosen_by_button(ctx: HandlerContext) -> None:
        data = ctx.state_data
        task_id = _int_after(ctx.message.callback_data, 1)
        allowed = [int(i) for i in data.get("task_ids", [])]
        if ctx.state != "choose_task" or task_id not in allowed:
            ctx.reply(t("chat.stale_button"))
            return
        view = await _one(ctx, task_id)
        if view is None:
            ctx.reply(t("chat.stale_button"))
            return
        await propose(ctx, view, data["draft"])

    @router.callback("st")
    async def status_chosen(ctx: HandlerContext) -> None:
        if ctx.state != "choose_status":
            ctx.reply(t("chat.stale_button"))
            return
        code = (ctx.message.callback_data or "").split(":")[-1]
        if code not in STATUS_CODES:
            ctx.reply(t("chat.stale_button"))
            return
        data = ctx.state_data
        draft = dict(data["draft"], status=STATUS_CODES[code])
        reading = read_reply(draft.get("text") or "", ctx.today())
        await continue_with(ctx, reading, draft, data.get("task_id"))

    @router.callback("rp")
    async def task_button(ctx: HandlerContext) -> None:
        task_id = _int_after(ctx.message.callback_data, 1)
        code = (ctx.message.callback_data or "").split(":")[-1]
        view = await _one(ctx, task_id)
        if view is None or code not in STATUS_CODES:
            ctx.reply(t("chat.stale_button"))
            return
        status = STATUS_CODES[code]
        draft = {"status": status, "percent": None, "date": None, "date_role": None}
        draft |= {"reason": None, "text": t(f"button.{status}")}
        if status == "blocked":
            ctx.set_state("ask_reason", {"task_id": task_id, "draft": draft})
            ctx.reply(t("report.ask_reason", code=view.task.code), task_ids=[view.task.id])
        elif status == "extension_request":
            await propose(ctx, view, draft)  # asks for the date first
        else:
            await record(ctx, view.task.id, draft)
            if status == "in_progress":
                ctx.set_state("correct", {"task_id": view.task.id})
                ctx.reply(t("report.add_detail", code=view.task.code), task_ids=[view.task.id])

    @router.state("ask_reason")
    async def reason_given(ctx: HandlerContext) -> None:
        data = ctx.state_data
        draft = dict(data["draft"], reason=ctx.text.strip()[:1000], text=ctx.text)
        view = await _one(ctx, int(data["task_id"]))
        if view is None:
            ctx.clear_state()
            ctx.reply(t("chat.stale_button"))
            return
        await propose(ctx, view, draft)

    @router.state("ask_date")
    async def date_given(ctx: HandlerContext) -> None:
        data = ctx.state_data
        reading = read_reply(ctx.text[: ctx.policy.max_text], ctx.today())
        view = await _one(ctx, int(data["task_id"]))
        if view is None:
            ctx.clear_state()
            ctx.reply(t("chat.stale_button"))
            return
        if reading.date is None:
            ctx.reply(t("report.ask_date_again"))
            return
        draft = dict(data["draft"])
        draft |= {"date": reading.date.isoformat(), "date_role": "new_deadline"}
        draft["reason"] = draft.get("reason") or reading.reason
        draft["text"] = " / ".join(x for x in (draft.get("text"), ctx.text) if x)
        await propose(ctx, view, draft)

    @router.fallback
    async def free_text(ctx: HandlerContext) -> None:
        await on_text(ctx)


def _int_after(data: str | None, index: int) -> int | None:
    parts = (data or "").split(":")
    try:
        return int(parts[index])
    except (IndexError, ValueError):
        return None
