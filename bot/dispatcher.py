"""One message start to finish: store it, drop duplicates, run its handler, send the replies."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Channel, ChatRef, IncomingMessage
from bot.channels.choices import parse_choice
from bot.outbox import OutboxSender, store_attachment
from handlers.context import Draft, HandlerContext
from handlers.policy import Policy
from handlers.router import Router
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock
from storage.group_commit import GroupCommit
from storage.models import OutboxMessage
from storage.together import Part, bound, execute_together, named
from storage.uow import UnitOfWork
from texts import t

log = logging.getLogger(__name__)

_OUTBOX = OutboxMessage.__table__
_REPLY_COLUMNS = (
    "channel",
    "chat_id",
    "contact_id",
    "kind",
    "idempotency_key",
    "payload",
    "state",
    "attempts",
    "not_before",
    "claimed_at",
    "claimed_by",
    "sent_at",
    "error",
    "created_at",
)
# Built once (see storage.together): each value a bind parameter named for this statement.
_QUEUE = insert(_OUTBOX).values(bound("reply", _REPLY_COLUMNS)).returning(_OUTBOX.c.id)
# Replies in flight at once: a burst of a hundred chats answered together waits here rather
# than opening a hundred connections (the transport keeps a pool of 64 for the outbox and
# button answers too). Telegram's pacing waits inside the send (a second at most, for a
# second message to one chat), so 16 slots still carry more than its 30 messages a second.
MAX_SENDING = 16
# Messages stored together go as one INSERT up to SQLAlchemy's insertmanyvalues page (1 000
# rows); more are several statements, so they need a transaction around them.
ONE_INSERT = 1000


def _jsonable(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The platform's payload as stored: JSON-safe, whatever the channel handed over."""
    try:
        return json.loads(json.dumps(dict(raw), default=str))
    except (TypeError, ValueError):
        return {"unserialisable": repr(raw)[:2000]}


async def _store_all(uow: UnitOfWork, messages: list[dict[str, Any]]) -> list[int | None]:
    """Messages arriving together, stored in one statement (None for a duplicate)."""
    return await uow.inbound.record_many(messages)


class _ChatLocks:
    """One lock per chat so each person's messages are handled in the order they came."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)
        self._users: dict[tuple[str, str], int] = defaultdict(int)

    async def run(self, ref: ChatRef, work: Any) -> Any:
        key = (ref.channel, ref.chat_id)
        self._users[key] += 1
        try:
            async with self._locks[key]:
                return await work()
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody waiting: forget the chat
                del self._users[key]
                self._locks.pop(key, None)


class Dispatcher:
    """The sink every channel hands its messages to."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        router: Router,
        sender: OutboxSender,
        channels: Mapping[str, Channel],
        clock: Clock,
        calendar: WorkingCalendar,
        policy: Policy | None = None,
        *,
        raise_errors: bool = False,
    ) -> None:
        self._sessions = sessions
        self._router = router
        self._sender = sender
        self._channels = channels
        self._clock = clock
        self._calendar = calendar
        self._policy = policy or Policy()
        self._raise_errors = raise_errors  # tests want the traceback, people want an apology
        self._locks = _ChatLocks()
        self._sending = asyncio.Semaphore(MAX_SENDING)
        self._records: GroupCommit[dict[str, Any], int | None] = GroupCommit(
            sessions,
            _store_all,
            one_statement=lambda batch: len(batch) <= ONE_INSERT,  # record_many
        )

    async def __call__(self, message: IncomingMessage) -> None:
        await self.handle(message)

    async def handle(self, message: IncomingMessage) -> bool:
        """Process one message; False when it was a duplicate and nothing was done.

        The chat's lock is taken before the first await, so one person's messages are stored,
        handled and answered in the order the channel delivered them.
        """
        return bool(await self._locks.run(message.ref, lambda: self._handle_in_order(message)))

    async def _handle_in_order(self, message: IncomingMessage) -> bool:
        inbound_id = await self._record(message)
        if inbound_id is None:
            log.info("duplicate %s event %s dropped", message.ref.channel, message.event_id)
            return False
        try:
            rows = await self._process(message, inbound_id)
        except Exception as exc:
            rows = await self._mark_failed(message, inbound_id, exc)
            if self._raise_errors:
                await self._sender.send_claimed(rows)
                raise
        await self._acknowledge(message)
        async with self._sending:
            await self._sender.send_claimed(rows)
        return True

    def _inbound(self, message: IncomingMessage) -> dict[str, Any]:
        """The message as stored: verbatim, as it arrived."""
        ref = message.ref
        return {
            "channel": ref.channel,
            "event_id": message.event_id[:100],
            "chat_id": ref.chat_id,
            "user_id": ref.user_id,
            "message_id": message.message_id,
            "text": message.text,
            "callback_data": (message.callback_data or None) and message.callback_data[:100],
            "payload": _jsonable(message.raw),
            "received_at": self._clock.now(),
            "state": "received",
        }

    async def _record(self, message: IncomingMessage) -> int | None:
        """Store the message verbatim and commit, before anything acts on it.

        Committed before handling starts (together with other chats' messages arriving at the
        same moment), so a crash while handling still leaves the message stored (state
        "received"); None when the same event was stored before (a duplicate delivery).
        """
        return await self._records.submit(self._inbound(message))

    async def _process(self, message: IncomingMessage, inbound_id: int) -> list[OutboxMessage]:
        """Run the message's handler, queue the replies and mark the message done: all or
        nothing. One transaction from the first write (storage.first_write: on PostgreSQL the
        reads before it need none), or none when one statement writes it all."""
        ref = message.ref
        async with UnitOfWork(self._sessions, begin_at_first_write=True) as uow:
            identity, conversation = await uow.identities.find_in_chat(
                ref.channel, ref.user_id or ref.chat_id, ref.chat_id
            )
            message = await self._as_choice(uow, message)
            ctx = HandlerContext(
                message=message,
                uow=uow,
                clock=self._clock,
                calendar=self._calendar,
                policy=self._policy,
                inbound_id=inbound_id,
                identity=identity,
                conversation=conversation,
            )
            name = await self._router.dispatch(ctx)
            contact = ctx.contact
            if contact is not None and contact.last_channel != ref.channel:
                # A write only when the person changes channel: their messages follow them.
                await uow.contacts.note_channel(contact.id, ref.channel)
            # The writes that end every message go to the database with its first reply.
            ending = []
            if ctx.dialog_changed and ctx.conversation is not None:
                ending.append(uow.conversations.write(ctx.conversation))
            ending.append(
                uow.inbound.finishing(
                    inbound_id,
                    state="done",
                    at=self._clock.now(),
                    handled_by=name,
                    contact_id=contact.id if contact is not None else None,
                    callback_data=message.callback_data if message.callback_id is None else None,
                )
            )
            rows = await self._queue(uow, ctx.drafts, ending)
            await uow.commit()
            return rows

    async def _as_choice(self, uow: UnitOfWork, message: IncomingMessage) -> IncomingMessage:
        """On a channel without buttons, a bare number answering the options last offered in
        this chat becomes the press of that button; anything else stays as it came."""
        if message.callback_data is not None:
            return message
        channel = self._channels.get(message.ref.channel)
        if channel is None or channel.capabilities.buttons:
            return message
        number = parse_choice(message.text)
        if number is None:
            return message
        offered = await uow.choices.get(message.ref.channel, message.ref.chat_id)
        if offered is None or offered.offered_at < self._clock.now() - self._policy.choice_ttl:
            return message
        if not 1 <= number <= len(offered.options):
            return message
        return replace(
            message,
            text="",
            command=None,
            args="",
            callback_data=str(offered.options[number - 1]["data"]),
            reply_to=offered.message_id,  # the message the options were under
        )

    async def _mark_failed(
        self, message: IncomingMessage, inbound_id: int, exc: Exception
    ) -> list[OutboxMessage]:
        """The handler's work is rolled back; the stored message is marked failed and the
        person is told plainly."""
        log.error(
            "handling %s event %s (inbound %s) failed",
            message.ref.channel,
            message.event_id,
            inbound_id,
            exc_info=exc,
        )
        async with UnitOfWork(self._sessions) as uow:
            failed = uow.inbound.finishing(
                inbound_id,
                state="failed",
                at=self._clock.now(),
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            rows = await self._queue(
                uow, [Draft(ref=message.ref, text=t("error.internal"))], [failed]
            )
            await uow.commit()
        return rows

    async def _queue(
        self, uow: UnitOfWork, drafts: list[Draft], ending: Sequence[Part] = ()
    ) -> list[OutboxMessage]:
        """Write the replies to the outbox already claimed by this worker, to send right after,
        and with the first of them the `ending` writes (one statement on PostgreSQL).

        Each row is inserted as plain values and handed to the sender as an object built from
        the same values: nothing is read back, and no tracked object is flushed.
        """
        now = self._clock.now()
        rows = []
        for draft in drafts:
            payload = draft.payload()
            if draft.attachment is not None:
                payload["attachment"] = await store_attachment(uow, draft.attachment, now)
            values = {
                "channel": draft.ref.channel,
                "chat_id": draft.ref.chat_id,
                "contact_id": draft.contact_id,
                "kind": draft.kind,
                "idempotency_key": None,
                "payload": payload,
                "state": "sending",
                "attempts": 0,
                "not_before": now,
                "claimed_at": now,
                "claimed_by": self._sender.worker,
                "sent_at": None,
                "error": None,
                "created_at": now,
            }
            queue = (_QUEUE, named("reply", values))
            if len(drafts) == 1 and draft.attachment is None:
                uow.last_write_follows()  # the reply and the ending: one statement, atomic
            outbox_id = (await execute_together(uow.session, queue, ending)).scalar_one()
            ending = ()
            rows.append(OutboxMessage(id=outbox_id, **values))
        if ending:  # no reply: the writes go by themselves
            uow.last_write_follows()
            await execute_together(uow.session, ending[-1], ending[:-1])
        return rows

    async def _acknowledge(self, message: IncomingMessage) -> None:
        if message.callback_id is None:
            return
        channel = self._channels.get(message.ref.channel)
        if channel is None:
            return
        try:
            await channel.acknowledge(message)
        except Exception:  # a stale button press must not undo the work already committed
            log.warning("acknowledging button press %s failed", message.callback_id, exc_info=True)
