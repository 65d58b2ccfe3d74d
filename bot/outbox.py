"""Sends what the outbox holds: claim a row, send it through its channel, mark the outcome."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import (
    Attachment,
    Button,
    Capabilities,
    Channel,
    ChannelError,
    ChatRef,
    OutgoingMessage,
    PermanentFailure,
    QuotaExceeded,
    Receipt,
    RetryLater,
    Unreachable,
)
from bot.media import MEDIA_TTL
from scheduler.clock import Clock, local_today
from scheduler.hours import WorkingHours
from storage.channels import channel_family
from storage.group_commit import GroupCommit
from storage.messaging import SentRecord, reminder_day
from storage.models import MediaFile, OutboxMessage
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


def media_url(public_base_url: str, token: str) -> str:
    """Where a stored media file is served (bot.media): unguessable, by its token alone."""
    return f"{public_base_url.rstrip('/')}/media/{token}"


def to_outgoing(
    row: OutboxMessage,
    media: MediaFile | None = None,
    public_base_url: str | None = None,
    content: bytes | None = None,
) -> OutgoingMessage:
    """The row as a message. `content` is the stored file a payload's {"file": id} names;
    `media` the served file its {"media": token} names (its bytes for platforms that upload,
    its URL for those that fetch, like Zalo)."""
    payload: Mapping[str, Any] = row.payload
    buttons = tuple(
        tuple(Button(b["label"], b["data"]) for b in line) for line in payload.get("buttons") or ()
    )
    attachment = None
    if payload.get("attachment"):
        a = payload["attachment"]
        url, mime = a.get("url"), a.get("mime_type")
        if media is not None:
            content, mime = media.content, media.mime_type
            if public_base_url and not url:
                url = media_url(public_base_url, media.token)
        attachment = Attachment(
            kind=a["kind"],
            name=a.get("name") or (media.name if media else None),
            url=url,
            content=content,
            mime_type=mime,
        )
    return OutgoingMessage(
        ref=ChatRef(row.channel, row.chat_id),
        text=payload.get("text") or "",
        buttons=buttons,
        reply_to=payload.get("reply_to"),
        attachment=attachment,
    )


@dataclass(frozen=True)
class _Sent:
    """An outbox row the channel took, waiting to be marked sent."""

    row: OutboxMessage
    receipt: Receipt
    at: datetime
    capabilities: Capabilities

    def record(self) -> SentRecord:
        row = self.row
        task_ids = row.payload.get("task_ids") or []
        return SentRecord(
            row.id, row.channel, row.chat_id, self.receipt.message_ids, task_ids, self.at
        )


def _one_statement(sent: list[_Sent]) -> bool:
    """Whether marking these rows sent is one statement (`OutboxRepository.mark_and_record_sent`
    on PostgreSQL): no numbered options to keep for any of them."""
    return all(s.capabilities.buttons for s in sent)


class OutboxSender:
    """One per service instance; `worker` names it in the rows it claims."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Mapping[str, Channel],
        clock: Clock,
        worker: str | None = None,
        hours: WorkingHours | None = None,
        public_base_url: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._channels = channels
        self._clock = clock
        self._hours = hours
        self._public_base_url = public_base_url
        self._quota_logged: set[tuple[str, str]] = set()  # (channel, month) said in the log
        self.worker = worker or f"w-{uuid.uuid4().hex[:12]}"
        # Rows sent at about the same moment are marked sent in one transaction.
        self._marks: GroupCommit[_Sent, None] = GroupCommit(
            sessions, self._mark_sent, one_statement=_one_statement
        )

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
            receipt = await channel.send(await self._outgoing(row, channel, content))
        except QuotaExceeded as exc:
            # The platform's monthly allowance is used up: the message waits (it does not use
            # up a try) and the coordinator hears of it once.
            await self._retry(
                row, timedelta(seconds=exc.retry_after), f"quota: {exc}", counts=False
            )
            await self._quota_notice(row, channel, str(exc))
        except RetryLater as exc:
            # Being asked to slow down is not the message failing: it does not use up a try.
            wait = timedelta(seconds=exc.retry_after)
            await self._retry(row, wait, f"retry: {exc}", counts=False)
        except Unreachable as exc:
            await self._unreachable(row, str(exc))
        except PermanentFailure as exc:
            await self._fail(row, f"refused: {exc}")
        except ChannelError as exc:  # an answer that is neither final nor a pause: bounded
            log.warning("outbox %s to %s: %s", row.id, row.channel, exc)
            await self._retry(row, backoff(row.attempts), f"error: {exc}")
        except Exception as exc:  # a bug or an unexpected platform answer: retry, bounded
            log.exception("outbox %s: sending failed", row.id)
            await self._retry(row, backoff(row.attempts), f"error: {type(exc).__name__}: {exc}")
        else:
            await self._marks.submit(_Sent(row, receipt, self._clock.now(), channel.capabilities))

    async def _outgoing(
        self, row: OutboxMessage, channel: Channel, content: bytes | None
    ) -> OutgoingMessage:
        attachment = (row.payload or {}).get("attachment") or {}
        media = None
        if attachment.get("media"):
            async with UnitOfWork(self._sessions) as uow:
                media = await uow.media.get(str(attachment["media"]))
            if media is None:
                raise PermanentFailure(f"media file {attachment['media']!r} is gone")
        elif content is not None and not channel.capabilities.files and self._public_base_url:
            # A platform that cannot upload (Zalo) fetches the stored file by its URL instead.
            async with UnitOfWork(self._sessions) as uow:
                token = await uow.media.add(
                    content,
                    attachment.get("mime_type") or "application/octet-stream",
                    name=attachment.get("name"),
                    at=self._clock.now(),
                    expires_at=self._clock.now() + MEDIA_TTL,
                )
                media = await uow.media.get(token)
                await uow.commit()
        return to_outgoing(row, media, self._public_base_url, content)

    async def _mark_sent(self, uow: UnitOfWork, sent: list[_Sent]) -> list[None]:
        """Rows that went out: marked sent, with the platform's ids of their messages."""
        await uow.outbox.mark_and_record_sent([s.record() for s in sent])
        for s in sent:
            if not s.capabilities.buttons:
                await self._remember_choices(uow, s.row, s.receipt, s.at)
        return [None] * len(sent)

    @staticmethod
    async def _remember_choices(
        uow: UnitOfWork, row: OutboxMessage, receipt: Receipt, now: Any
    ) -> None:
        """On a channel without buttons the buttons went out as numbered options: keep them,
        so a number typed back means that option. A plain reply in the chat withdraws them
        (the bot has moved on to another question); notices and reminders leave them be."""
        options = [
            {"label": b["label"], "data": b["data"]}
            for line in (row.payload or {}).get("buttons") or ()
            for b in line
        ]
        if options:
            last = receipt.message_ids[-1] if receipt.message_ids else None
            await uow.choices.offer(row.channel, row.chat_id, options, last, now)
        elif row.kind == "reply":
            await uow.choices.clear(row.channel, row.chat_id)

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

    async def _quota_notice(self, row: OutboxMessage, channel: Channel, error: str) -> None:
        """Tell every coordinator, once a month per bot, that its message quota is used up;
        by another channel where they have one (this one cannot deliver it now)."""
        month = local_today(self._clock).strftime("%Y-%m")
        bot = getattr(channel, "display_name", None) or row.channel
        text = t(
            "notice.quota",
            channel=t(f"channel.{channel_family(row.channel)}"),
            bot=bot,
            error=error[:300],
        )
        notices: list[int] = []
        async with UnitOfWork(self._sessions) as uow:
            now = self._clock.now()
            coordinators = await uow.contacts.with_role("coordinator")
            targets = await uow.identities.for_contacts(
                [c.id for c in coordinators], avoid_channel=row.channel
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
                        "idempotency_key": f"quota:{row.channel}:{month}:{target.contact_id}",
                    }
                )
                if outbox_id is not None:
                    notices.append(outbox_id)
            await uow.commit()
        if (row.channel, month) not in self._quota_logged:
            self._quota_logged.add((row.channel, month))
            log.error(
                "%s: the platform's message quota is used up, messages wait (%s); "
                "%d coordinator notice(s) planned",
                row.channel,
                error,
                len(notices),
            )
        if notices:
            await self.send_due(ids=notices)  # on the same channel they simply wait too

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
                    channel=t(f"channel.{channel_family(row.channel)}"),
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
