"""Queries for the conversation's plumbing: link codes, identities, inbound, dialogs, outbox."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import (
    Agency,
    ChannelIdentity,
    Contact,
    Conversation,
    InboundMessage,
    LinkCode,
    LinkFailure,
    OutboxMessage,
    SentMessage,
)
from storage.together import Part
from storage.types import LOCAL_TZ, as_utc
from storage.upsert import insert_ignoring_conflict, insert_many_ignoring_conflict

# Statements of every message, built once: building and keying one costs more than running it.
# Who wrote and where their dialog stands; each may be missing, so both hang off a one-row
# anchor.
_IN_CHAT = (
    select(ChannelIdentity, Conversation)
    .select_from(select(literal(1).label("one")).subquery())
    .outerjoin(
        ChannelIdentity,
        and_(
            ChannelIdentity.channel == bindparam("channel"),
            ChannelIdentity.external_id == bindparam("external_id"),
        ),
    )
    .outerjoin(Contact, Contact.id == ChannelIdentity.contact_id)
    .outerjoin(Agency, Agency.id == Contact.agency_id)
    .outerjoin(
        Conversation,
        and_(
            Conversation.channel == bindparam("channel"),
            Conversation.chat_id == bindparam("chat_id"),
        ),
    )
    .options(contains_eager(ChannelIdentity.contact).contains_eager(Contact.agency))
)
_OUTBOX = OutboxMessage.__table__
# Every reply is marked sent and its platform ids kept: one UPDATE and one INSERT, no objects.
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("b_id"))
    .values(state="sent", sent_at=bindparam("b_at"), error=None)
)
_RECORD_SENT = insert(SentMessage.__table__)
# The same on PostgreSQL as one statement for any number of rows: the rows' values go as one
# array per column, so the statement is built (and planned) once whatever the batch's size.
_MARK_AND_RECORD_SENT = text(
    """
    WITH marked AS (
        UPDATE outbox SET state = 'sent', sent_at = went.at, error = NULL
        FROM unnest(CAST(:marked_ids AS integer[]), CAST(:marked_ats AS timestamptz[]))
            AS went(id, at)
        WHERE outbox.id = went.id
    )
    INSERT INTO sent_messages (outbox_id, channel, chat_id, message_id, task_ids, sent_at)
    SELECT kept.outbox_id, kept.channel, kept.chat_id, kept.message_id,
        CAST(kept.task_ids AS json), kept.sent_at
    FROM unnest(
        CAST(:kept_outbox_ids AS integer[]), CAST(:kept_channels AS varchar[]),
        CAST(:kept_chat_ids AS varchar[]), CAST(:kept_message_ids AS varchar[]),
        CAST(:kept_task_ids AS text[]), CAST(:kept_ats AS timestamptz[])
    ) AS kept(outbox_id, channel, chat_id, message_id, task_ids, sent_at)
    """
)
_DIALOG = Conversation.__table__
# The writes that end a message, built once (storage.together): each bind parameter named for
# its statement alone, since they may go to the database as one.
_DIALOG_VALUES = {
    "state": bindparam("dialog_state"),
    "data": bindparam("dialog_data"),
    "updated_at": bindparam("dialog_at"),
}
_NEW_DIALOG = insert(_DIALOG).values(
    channel=bindparam("dialog_channel"), chat_id=bindparam("dialog_chat_id"), **_DIALOG_VALUES
)
_MOVE_DIALOG = update(_DIALOG).where(_DIALOG.c.id == bindparam("dialog_id")).values(_DIALOG_VALUES)
_INBOUND = InboundMessage.__table__
_FINISHED = {
    "state": bindparam("finished_state"),
    "processed_at": bindparam("finished_at"),
    "handled_by": bindparam("finished_by"),
    "contact_id": bindparam("finished_contact_id"),
    "error": bindparam("finished_error"),
}
_FINISH = update(_INBOUND).where(_INBOUND.c.id == bindparam("finished_id")).values(_FINISHED)
# A typed number read as an option also keeps what it meant.
_FINISH_CHOICE = _FINISH.values(callback_data=bindparam("finished_callback_data"))


def delivery_order(avoid_channel: str | None = None) -> tuple[Any, ...]:
    """Which of a contact's reachable accounts gets the messages, best first (ChannelIdentity
    joined to its Contact): the channel the coordinator chose for the person ("zalo" covers
    every Zalo bot), else the channel they last wrote from, else the account linked last.
    `avoid_channel` goes last of all (a notice about that channel being out of quota)."""
    chosen = and_(
        Contact.preferred_channel.is_not(None),
        ChannelIdentity.channel.startswith(Contact.preferred_channel, autoescape=False),
    )
    keys: list[Any] = []
    if avoid_channel is not None:
        keys.append(case((ChannelIdentity.channel == avoid_channel, 1), else_=0))
    keys += [
        case((chosen, 0), else_=1),
        case((ChannelIdentity.channel == Contact.last_channel, 0), else_=1),
        ChannelIdentity.linked_at.desc(),
        ChannelIdentity.id.desc(),
    ]
    return tuple(keys)


class LinkCodeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, contact_id: int, code: str, created_at: datetime, expires_at: datetime
    ) -> LinkCode:
        row = LinkCode(
            contact_id=contact_id, code=code, created_at=created_at, expires_at=expires_at
        )
        self._session.add(row)
        await self._session.flush()
        return row

    async def get(self, code: str) -> LinkCode | None:
        stmt = (
            select(LinkCode)
            .where(LinkCode.code == code)
            .options(selectinload(LinkCode.contact).selectinload(Contact.agency))
        )
        return (await self._session.scalars(stmt)).first()

    async def use(self, row: LinkCode, at: datetime, by: str) -> bool:
        """Spend the code; False when someone else spent it first (single use under races)."""
        stmt = (
            update(LinkCode)
            .where(LinkCode.id == row.id, LinkCode.used_at.is_(None))
            .values(used_at=at, used_by=by)
            .execution_options(synchronize_session=False)
        )
        return (await self._session.execute(stmt)).rowcount == 1  # type: ignore[attr-defined]

    async def record_failure(self, channel: str, chat_id: str, at: datetime) -> None:
        self._session.add(LinkFailure(channel=channel, chat_id=chat_id, failed_at=at))
        await self._session.flush()

    async def failures_since(self, channel: str, chat_id: str, since: datetime) -> int:
        stmt = select(func.count(LinkFailure.id)).where(
            LinkFailure.channel == channel,
            LinkFailure.chat_id == chat_id,
            LinkFailure.failed_at >= since,
        )
        return int((await self._session.execute(stmt)).scalar_one())


class IdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, channel: str, external_id: str) -> ChannelIdentity | None:
        """The identity with its contact and the contact's agency loaded."""
        stmt = (
            select(ChannelIdentity)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
            # One joined query: this runs for every message that arrives.
            .options(joinedload(ChannelIdentity.contact).joinedload(Contact.agency))
            # A row already in the session (just linked) still gets its contact loaded.
            .execution_options(populate_existing=True)
        )
        return (await self._session.scalars(stmt)).first()

    async def find_in_chat(
        self, channel: str, external_id: str, chat_id: str
    ) -> tuple[ChannelIdentity | None, Conversation | None]:
        """Who wrote (contact and agency loaded) and where their dialog stands, in one query."""
        params = {"channel": channel, "external_id": external_id, "chat_id": chat_id}
        identity, conversation = (await self._session.execute(_IN_CHAT, params)).one()
        return identity, conversation

    async def link(
        self, contact_id: int, channel: str, external_id: str, chat_id: str, at: datetime
    ) -> ChannelIdentity:
        """Bind an account to a contact; an account bound elsewhere before moves to this one."""
        row = await self.find(channel, external_id)
        if row is None:
            row = ChannelIdentity(
                contact_id=contact_id,
                channel=channel,
                external_id=external_id,
                chat_id=chat_id,
                linked_at=at,
            )
            self._session.add(row)
        else:
            row.contact_id = contact_id
            row.chat_id = chat_id
            row.reachable = True
            row.linked_at = at
        await self._session.flush()
        linked = await self.find(channel, external_id)
        assert linked is not None
        return linked

    async def for_contacts(
        self, contact_ids: Sequence[int], *, avoid_channel: str | None = None
    ) -> list[ChannelIdentity]:
        """Where to reach each of these contacts: one reachable account each, chosen by
        `delivery_order` (their chosen channel, else where they last wrote, else linked last)."""
        if not contact_ids:
            return []
        stmt = (
            select(ChannelIdentity)
            .join(Contact, Contact.id == ChannelIdentity.contact_id)
            .where(
                ChannelIdentity.contact_id.in_(list(contact_ids)),
                ChannelIdentity.reachable.is_(True),
                ChannelIdentity.chat_id.is_not(None),
            )
            .order_by(*delivery_order(avoid_channel))
        )
        latest: dict[int, ChannelIdentity] = {}
        for identity in await self._session.scalars(stmt):
            latest.setdefault(identity.contact_id, identity)
        return list(latest.values())

    async def mark_unreachable(self, channel: str, chat_id: str) -> list[ChannelIdentity]:
        stmt = (
            select(ChannelIdentity)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.chat_id == chat_id)
            .options(selectinload(ChannelIdentity.contact).selectinload(Contact.agency))
        )
        rows = list(await self._session.scalars(stmt))
        for row in rows:
            row.reachable = False
        await self._session.flush()
        return rows


class InboundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, values: dict[str, Any]) -> int | None:
        """Store a message as received; None when this (channel, event_id) was stored before."""
        return await insert_ignoring_conflict(self._session, InboundMessage, values)

    async def record_many(self, messages: Sequence[dict[str, Any]]) -> list[int | None]:
        """`record` for messages arriving together, in one statement; ids in their order."""
        if len(messages) == 1:
            return [await self.record(messages[0])]
        firsts: dict[tuple[str, str], dict[str, Any]] = {}
        for values in messages:  # the same event twice in one batch: the second is a duplicate
            firsts.setdefault((values["channel"], values["event_id"]), values)
        ids = await insert_many_ignoring_conflict(
            self._session, InboundMessage, list(firsts.values()), key=("channel", "event_id")
        )
        return [
            ids.get(key) if firsts[key] is values else None
            for values in messages
            for key in [(values["channel"], values["event_id"])]
        ]

    async def get(self, inbound_id: int) -> InboundMessage | None:
        return await self._session.get(InboundMessage, inbound_id)

    @staticmethod
    def finishing(
        inbound_id: int,
        *,
        state: str,
        at: datetime,
        handled_by: str | None = None,
        contact_id: int | None = None,
        error: str | None = None,
        callback_data: str | None = None,
    ) -> Part:
        """The write that marks a stored message handled (state "done") or "failed"."""
        values = {"finished_id": inbound_id, "finished_state": state, "finished_at": at}
        values |= {"finished_by": handled_by, "finished_contact_id": contact_id}
        values["finished_error"] = error
        if callback_data is None:
            return _FINISH, values
        return _FINISH_CHOICE, values | {"finished_callback_data": callback_data[:100]}

    async def count_by_state(self) -> dict[str, int]:
        stmt = select(InboundMessage.state, func.count(InboundMessage.id)).group_by(
            InboundMessage.state
        )
        return {state: int(n) for state, n in await self._session.execute(stmt)}


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, channel: str, chat_id: str) -> Conversation | None:
        stmt = select(Conversation).where(
            Conversation.channel == channel, Conversation.chat_id == chat_id
        )
        return (await self._session.scalars(stmt)).first()

    @staticmethod
    def stage(
        channel: str,
        chat_id: str,
        state: str | None,
        data: dict[str, Any],
        at: datetime,
        row: Conversation | None = None,
    ) -> Conversation:
        """The dialog's new state, held in `row` (a new row when the chat has none yet) but not
        yet stored: `write(row)` stores it, with the handler's other writes at its end.

        The loaded row takes the values as its stored state, so no flush writes it twice.
        """
        if row is None:
            return Conversation(
                channel=channel, chat_id=chat_id, state=state, data=data, updated_at=at
            )
        for key, value in (("state", state), ("data", data), ("updated_at", at)):
            if row.id is None:
                setattr(row, key, value)
            else:
                set_committed_value(row, key, value)
        return row

    @staticmethod
    def write(row: Conversation) -> Part:
        """The write that stores a staged dialog state (see `stage`)."""
        values = {"dialog_state": row.state, "dialog_data": row.data, "dialog_at": row.updated_at}
        if row.id is None:
            return _NEW_DIALOG, values | {
                "dialog_channel": row.channel,
                "dialog_chat_id": row.chat_id,
            }
        return _MOVE_DIALOG, values | {"dialog_id": row.id}


@dataclass(frozen=True)
class SentRecord:
    """One outbox row as it went out: the platform's ids of its messages, and its tasks."""

    outbox_id: int
    channel: str
    chat_id: str
    message_ids: Sequence[str]
    task_ids: Sequence[int]
    at: datetime


def reminder_day(row: OutboxMessage) -> date:
    """The day a reminder row was planned for (its text says "còn N ngày" as of that day)."""
    info = (row.payload or {}).get("reminder") or {}
    try:
        return date.fromisoformat(info["day"])
    except (KeyError, TypeError, ValueError):
        return row.created_at.astimezone(LOCAL_TZ).date()


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, values: dict[str, Any]) -> int | None:
        """Plan a message; None when its idempotency key was planned before."""
        values = {"state": "pending", "attempts": 0, **values}
        if values.get("idempotency_key"):
            return await insert_ignoring_conflict(self._session, OutboxMessage, values)
        row = OutboxMessage(**values)
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def claim(
        self, *, now: datetime, worker: str, limit: int, ids: Sequence[int] | None = None
    ) -> list[OutboxMessage]:
        """Take pending, due messages for this worker; a row is only ever claimed once.

        FOR UPDATE SKIP LOCKED keeps concurrent PostgreSQL workers off each other's rows (SQLite
        ignores it and serialises writers anyway); the conditional UPDATE is the real guard.
        """
        stmt = (
            select(OutboxMessage.id)
            .where(OutboxMessage.state == "pending", OutboxMessage.not_before <= now)
            .order_by(OutboxMessage.not_before, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if ids is not None:
            stmt = stmt.where(OutboxMessage.id.in_(list(ids)))
        candidates = list(await self._session.scalars(stmt))
        if not candidates:
            return []
        claim = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(candidates), OutboxMessage.state == "pending")
            .values(state="sending", claimed_at=now, claimed_by=worker)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(claim)
        mine = (
            select(OutboxMessage)
            .where(
                OutboxMessage.id.in_(candidates),
                OutboxMessage.state == "sending",
                OutboxMessage.claimed_by == worker,
                OutboxMessage.claimed_at == now,
            )
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
        return list(await self._session.scalars(mine))

    async def reclaim_stale(self, *, claimed_before: datetime) -> int:
        """Put back rows a worker claimed and never finished (it crashed or was killed).

        The lease is long against a send (seconds), so a live worker's rows are not taken;
        a row whose send reached the platform just before the crash is sent again: the one
        window where at-least-once shows, kept to the moment between the answer and the mark.
        """
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.state == "sending", OutboxMessage.claimed_at < claimed_before)
            .values(state="pending", claimed_at=None, claimed_by=None, error="reclaimed")
            .execution_options(synchronize_session=False)
        )
        result = await self._session.execute(stmt)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def release(self, worker: str) -> int:
        """Put back the rows `worker` claimed and has not finished (it is stopping)."""
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.state == "sending", OutboxMessage.claimed_by == worker)
            .values(state="pending", claimed_at=None, claimed_by=None, error="released at stop")
            .execution_options(synchronize_session=False)
        )
        result = await self._session.execute(stmt)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def unsent_reminders(self, *, before: date, stale_error: str) -> list[OutboxMessage]:
        """Reminders of days before `before` that never left: waiting, or refused as stale.

        Locked (SKIP LOCKED) so a sender claiming one right now keeps it and we leave it be.
        """
        waiting = OutboxMessage.state == "pending"
        refused = (OutboxMessage.state == "failed") & (OutboxMessage.error == stale_error)
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.kind == "reminder", waiting | refused)
            .order_by(OutboxMessage.id)
            .with_for_update(skip_locked=True)
        )
        rows = await self._session.scalars(stmt)
        return [row for row in rows if reminder_day(row) < before]

    async def retire(self, outbox_ids: Sequence[int], error: str) -> None:
        """Never send these (their content went into a later message)."""
        if not outbox_ids:
            return
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(outbox_ids)), OutboxMessage.state != "sent")
            .values(state="failed", error=error, claimed_at=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(stmt)

    async def _set(self, outbox_id: int, **values: Any) -> None:
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(stmt)

    async def mark_sent(self, sent: Sequence[tuple[int, datetime]]) -> None:
        """Mark these rows (outbox id, when) sent: one statement for them all."""
        if sent:
            params = [{"b_id": outbox_id, "b_at": at} for outbox_id, at in sent]
            await self._session.execute(_MARK_SENT, params)

    async def mark_retry(
        self, outbox_id: int, not_before: datetime, error: str, *, count_attempt: bool = True
    ) -> None:
        await self._set(
            outbox_id,
            state="pending",
            not_before=not_before,
            error=error,
            attempts=OutboxMessage.attempts + (1 if count_attempt else 0),
            claimed_at=None,
            claimed_by=None,
        )

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        await self._set(outbox_id, state="failed", error=error, attempts=OutboxMessage.attempts + 1)

    async def count_by_state(self) -> dict[str, int]:
        stmt = select(OutboxMessage.state, func.count(OutboxMessage.id)).group_by(
            OutboxMessage.state
        )
        return {state: int(n) for state, n in await self._session.execute(stmt)}

    async def mark_and_record_sent(self, sent: Sequence[SentRecord]) -> None:
        """`mark_sent` and `record_sent` together: on PostgreSQL one statement for them all."""
        if self._session.get_bind().dialect.name != "postgresql":
            await self.mark_sent([(r.outbox_id, r.at) for r in sent])
            await self.record_sent(sent)
            return
        kept = [(r, message_id) for r in sent for message_id in r.message_ids]
        at = {r.outbox_id: as_utc(r.at) for r in sent}  # what UTCDateTime would bind
        await self._session.execute(
            _MARK_AND_RECORD_SENT,
            {
                "marked_ids": [r.outbox_id for r in sent],
                "marked_ats": [at[r.outbox_id] for r in sent],
                "kept_outbox_ids": [r.outbox_id for r, _ in kept],
                "kept_channels": [r.channel for r, _ in kept],
                "kept_chat_ids": [r.chat_id for r, _ in kept],
                "kept_message_ids": [message_id for _, message_id in kept],
                "kept_task_ids": [json.dumps(list(r.task_ids)) for r, _ in kept],
                "kept_ats": [at[r.outbox_id] for r, _ in kept],
            },
        )

    async def record_sent(self, sent: Sequence[SentRecord]) -> None:
        """Keep the platform's ids of what went out (a reply to one of them finds its row and
        tasks): one statement for them all."""
        rows = [
            {"outbox_id": r.outbox_id, "channel": r.channel, "chat_id": r.chat_id}
            | {"message_id": message_id, "task_ids": list(r.task_ids), "sent_at": r.at}
            for r in sent
            for message_id in r.message_ids
        ]
        if rows:
            await self._session.execute(_RECORD_SENT, rows)

    async def find_sent(self, channel: str, chat_id: str, message_id: str) -> SentMessage | None:
        stmt = select(SentMessage).where(
            SentMessage.channel == channel,
            SentMessage.chat_id == chat_id,
            SentMessage.message_id == message_id,
        )
        return (await self._session.scalars(stmt)).first()
