"""Sends what the outbox holds: claim a row, send it through its channel, mark the outcome."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import (
    Attachment,
    Button,
    Channel,
    ChatRef,
    OutgoingMessage,
    PermanentFailure,
    RetryLater,
    Unreachable,
)
from scheduler.clock import Clock, local_today
from scheduler.hours import WorkingHours
from storage.messaging import reminder_day
from storage.models import OutboxMessage
from storage.uow import UnitOfWork
from texts import t

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
PARALLEL_CHATS = 32  # chats sent to at once; the channel's limiter still paces the total
STALE_REMINDER = "stale"  # bot.reminders folds these into the next day's message


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts + 1` after a network error: 2 s doubling, 10 min cap."""
    return timedelta(seconds=min(600, 2 ** (attempts + 1)))


async def store_attachment(
    uow: UnitOfWork, attachment: Attachment, now: datetime
) -> dict[str, Any]:
    """A file to send, kept in the database (the outbox row's payload only names it), so that
    a restart or another instance sends the very same bytes."""
    if attachment.content is None:
        return {"kind": attachment.kind, "name": attachment.name, "url": attachment.url}
    file_id = await uow.files.add(
        kind=attachment.kind,
        name=attachment.name or attachment.kind,
        content=attachment.content,
        mime_type=attachment.mime_type,
        at=now,
    )
    return {
        "kind": attachment.kind,
        "name": attachment.name,
        "mime_type": attachment.mime_type,
        "file": file_id,
    }


def to_outgoing(row: OutboxMessage, content: bytes | None = None) -> OutgoingMessage:
    payload: Mapping[str, Any] = row.payload
    buttons = tuple(
        tuple(Button(b["label"], b["data"]) for b in line) for line in payload.get("buttons") or ()
    )
    attachment = None
    if payload.get("attachment"):
        a = payload["attachment"]
        attachment = Attachment(
            kind=a["kind"],
            name=a.get("name"),
            url=a.get("url"),
            mime_type=a.get("mime_type"),
            content=content,
        )
    return OutgoingMessage(
        ref=ChatRef(row.channel, row.chat_id),
        text=payload.get("text") or "",
        buttons=buttons,
        reply_to=payload.get("reply_to"),
        attachment=attachment,
    )


class OutboxSender:
    """One per service instance; `worker` names it in the rows it claims."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Mapping[str, Channel],
        clock: Clock,
        worker: str | None = None,
        hours: WorkingHours | None = None,
    ) -> None:
        self._sessions = sessions
        self._channels = channels
        self._clock = clock
        self._hours = hours
        self.worker = worker or f"w-{uuid.uuid4().hex[:12]}"

    async def send_claimed(self, rows: Sequence[OutboxMessage]) -> None:
        """Send rows this worker already holds (claimed in the handler's own transaction)."""
        for row in rows:
            await self._send(row)

    async def send_due(self, limit: int = 100, ids: Sequence[int] | None = None) -> int:
        """Claim and send what is due now, batch after batch; returns how many rows were taken.

        Chats are served side by side (each chat's rows in order), so one person's one-a-second
        limit does not hold up everyone else; the channel's rate limiter paces the total.
        """
        taken = 0
        while True:
            async with UnitOfWork(self._sessions) as uow:
                rows = await uow.outbox.claim(
                    now=self._clock.now(), worker=self.worker, limit=limit, ids=ids
                )
                await uow.commit()
            if not rows:
                return taken
            taken += len(rows)
            await self._send_by_chat(rows)
            if ids is not None or len(rows) < limit:
                return taken

    async def release_claims(self) -> int:
        """Put back every row this worker holds unsent (a stop ran out of time), so the next
        start or another instance sends them without waiting for the claim lease."""
        async with UnitOfWork(self._sessions) as uow:
            released = await uow.outbox.release(self.worker)
            await uow.commit()
        return released

    async def _send_by_chat(self, rows: Sequence[OutboxMessage]) -> None:
        by_chat: dict[tuple[str, str], list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            by_chat[(row.channel, row.chat_id)].append(row)
        gate = asyncio.Semaphore(PARALLEL_CHATS)

        async def one_chat(chat_rows: list[OutboxMessage]) -> None:
            async with gate:
                for row in chat_rows:
                    await self._send(row)

        await asyncio.gather(*(one_chat(chat_rows) for chat_rows in by_chat.values()))

    async def _send(self, row: OutboxMessage) -> None:
        if row.kind == "reminder" and reminder_day(row) < local_today(self._clock):
            # "còn 3 ngày" is wrong a day later: the next day's run carries its lines instead.
            await self._fail(row, STALE_REMINDER)
            return
        channel = self._channels.get(row.channel)
        if channel is None:
            # Not configured in this instance (Zalo rows while only Telegram runs): leave for
            # an instance that has it, a while later.
            await self._retry(row, timedelta(minutes=5), f"channel {row.channel} not running")
            return
        content = None
        file_id = (row.payload.get("attachment") or {}).get("file")
        if file_id is not None:
            async with UnitOfWork(self._sessions) as uow:
                stored = await uow.files.get(int(file_id))
                content = stored.content if stored is not None else None
            if content is None:
                await self._fail(row, f"file {file_id} is gone")
                return
        try:
            receipt = await channel.send(to_outgoing(row, content))
        except RetryLater as exc:
            # Being asked to slow down is not the message failing: it does not use up a try.
            wait = timedelta(seconds=exc.retry_after)
            await self._retry(row, wait, f"retry: {exc}", counts=False)
        except Unreachable as exc:
            await self._unreachable(row, str(exc))
        except PermanentFailure as exc:
            await self._fail(row, f"refused: {exc}")
        except Exception as exc:  # a bug or an unexpected platform answer: retry, bounded
            log.exception("outbox %s: sending failed", row.id)
            await self._retry(row, backoff(row.attempts), f"error: {type(exc).__name__}: {exc}")
        else:
            async with UnitOfWork(self._sessions) as uow:
                now = self._clock.now()
                await uow.outbox.mark_sent(row.id, now)
                await uow.outbox.record_sent(
                    row.id,
                    row.channel,
                    row.chat_id,
                    receipt.message_ids,
                    row.payload.get("task_ids") or [],
                    now,
                )
                await uow.commit()

    async def _retry(
        self, row: OutboxMessage, wait: timedelta, error: str, *, counts: bool = True
    ) -> None:
        if counts and row.attempts + 1 >= MAX_ATTEMPTS:
            await self._fail(row, error)
            return
        when = self._clock.now() + wait
        if row.kind == "reminder" and self._hours is not None:
            when = self._hours.next_slot(when)  # a reminder waits for office hours
        async with UnitOfWork(self._sessions) as uow:
            await uow.outbox.mark_retry(row.id, when, error, count_attempt=counts)
            await uow.commit()

    async def _fail(self, row: OutboxMessage, error: str) -> None:
        log.warning("outbox %s to %s failed for good: %s", row.id, row.channel, error)
        async with UnitOfWork(self._sessions) as uow:
            await uow.outbox.mark_failed(row.id, error)
            await uow.commit()

    async def _unreachable(self, row: OutboxMessage, error: str) -> None:
        """The person blocked the bot: stop writing there and tell the coordinators."""
        notices: list[int] = []
        async with UnitOfWork(self._sessions) as uow:
            await uow.outbox.mark_failed(row.id, f"unreachable: {error}")
            lost = await uow.identities.mark_unreachable(row.channel, row.chat_id)
            now = self._clock.now()
            coordinators = await uow.contacts.with_role("coordinator")
            for identity in lost:
                contact = identity.contact
                text = t(
                    "notice.unreachable",
                    name=contact.name,
                    agency=contact.agency.name,
                    channel=t(f"channel.{row.channel}"),
                )
                targets = await uow.identities.for_contacts(
                    [c.id for c in coordinators if c.id != contact.id]
                )
                for target in targets:
                    outbox_id = await uow.outbox.add(
                        {
                            "channel": target.channel,
                            "chat_id": target.chat_id,
                            "contact_id": target.contact_id,
                            "kind": "notice",
                            "payload": {"text": text, "buttons": [], "task_ids": []},
                            "not_before": now,
                            "created_at": now,
                            # One notice per lost account, however many messages bounced.
                            "idempotency_key": f"unreachable:{identity.id}:{target.contact_id}:"
                            f"{identity.linked_at.isoformat()}",
                        }
                    )
                    if outbox_id is not None:
                        notices.append(outbox_id)
            await uow.commit()
        if notices:
            await self.send_due(ids=notices)
