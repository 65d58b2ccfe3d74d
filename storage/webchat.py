"""What the web chat reads back: a chat's recent messages both ways, and the demo's people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Agency,
    ChannelIdentity,
    Contact,
    InboundMessage,
    OutboxMessage,
    ReminderRun,
    SentMessage,
)


@dataclass(frozen=True)
class HistoryItem:
    """One message of a chat as it was: from the person (inbound) or from the bot (sent)."""

    direction: str  # "in" | "out"
    at: datetime
    message_id: str  # the inbound event id, or the platform id the bot's message got
    text: str
    callback_data: str | None = None
    payload: dict[str, Any] | None = None  # inbound: what the page posted; out: the outbox's


async def chat_history(
    session: AsyncSession, channel: str, chat_id: str, limit: int = 100
) -> list[HistoryItem]:
    """The chat's last `limit` messages, oldest first (both directions interleaved by time)."""
    inbound = await session.execute(
        select(
            InboundMessage.event_id,
            InboundMessage.received_at,
            InboundMessage.text,
            InboundMessage.callback_data,
            InboundMessage.payload,
        )
        .where(InboundMessage.channel == channel, InboundMessage.chat_id == chat_id)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(limit)
    )
    items = [
        HistoryItem("in", at, event_id, text or "", data, payload)
        for event_id, at, text, data, payload in inbound
    ]
    # The first platform id of each sent message: the one a reply or a button press refers to.
    first_id = (
        select(SentMessage.outbox_id, func.min(SentMessage.message_id).label("message_id"))
        .where(SentMessage.channel == channel, SentMessage.chat_id == chat_id)
        .group_by(SentMessage.outbox_id)
        .subquery()
    )
    sent = await session.execute(
        select(OutboxMessage.sent_at, OutboxMessage.payload, first_id.c.message_id)
        .join(first_id, first_id.c.outbox_id == OutboxMessage.id)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.state == "sent",
        )
        .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    items += [
        HistoryItem("out", at, message_id, (payload or {}).get("text") or "", None, payload)
        for at, payload, message_id in sent
    ]
    # A question and its answer can carry the same instant: the question comes first.
    items.sort(key=lambda item: (item.at, item.direction != "in"))
    return items[-limit:]


@dataclass(frozen=True)
class ChatPerson:
    """A contact linked on a chat, as the web page's picker lists them."""

    chat_id: str
    contact_id: int
    name: str
    role: str
    agency: str


async def people_in_chats(
    session: AsyncSession, channel: str, chat_id_prefix: str
) -> list[ChatPerson]:
    """Contacts linked on `channel` whose chat id starts with the prefix (the demo's ids)."""
    rows = await session.execute(
        select(ChannelIdentity.chat_id, Contact.id, Contact.name, Contact.role, Agency.name)
        .join(Contact, Contact.id == ChannelIdentity.contact_id)
        .join(Agency, Agency.id == Contact.agency_id)
        .where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.chat_id.startswith(chat_id_prefix, autoescape=True),
            Contact.active.is_(True),
        )
        .order_by(ChannelIdentity.chat_id)
    )
    return [ChatPerson(*row) for row in rows]


async def latest_activity(session: AsyncSession) -> datetime | None:
    """The latest instant anything was recorded at: a message in or out, a day's reminders."""
    found = [
        await session.scalar(select(func.max(InboundMessage.received_at))),
        await session.scalar(select(func.max(OutboxMessage.created_at))),
        await session.scalar(select(func.max(OutboxMessage.sent_at))),
        await session.scalar(select(func.max(ReminderRun.run_at))),
    ]
    instants = [at for at in found if at is not None]
    return max(instants) if instants else None
