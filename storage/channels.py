"""What channels without buttons or uploads need kept: offered options, Zalo bots, media files."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelIdentity, MediaFile, OfferedChoice, ZaloBot
from storage.upsert import insert_ignoring_conflict

ZALO = "zalo"


def zalo_channel_name(number: int) -> str:
    """The channel name of the n-th Zalo bot the service met: "zalo", "zalo2", "zalo3", …"""
    return ZALO if number <= 1 else f"{ZALO}{number}"


def channel_family(channel: str) -> str:
    """ "zalo2" → "zalo": what a person and the coordinator call the channel."""
    return ZALO if channel.startswith(ZALO) else channel


class ChoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, channel: str, chat_id: str) -> OfferedChoice | None:
        stmt = select(OfferedChoice).where(
            OfferedChoice.channel == channel, OfferedChoice.chat_id == chat_id
        )
        return (await self._session.scalars(stmt)).first()

    async def offer(
        self,
        channel: str,
        chat_id: str,
        options: Sequence[dict[str, Any]],
        message_id: str | None,
        at: datetime,
    ) -> None:
        """These options replace whatever the chat was offered before."""
        await self.clear(channel, chat_id)
        values = {
            "channel": channel,
            "chat_id": chat_id,
            "options": list(options),
            "message_id": message_id,
            "offered_at": at,
        }
        await insert_ignoring_conflict(self._session, OfferedChoice, values)

    async def clear(self, channel: str, chat_id: str) -> None:
        await self._session.execute(
            delete(OfferedChoice).where(
                OfferedChoice.channel == channel, OfferedChoice.chat_id == chat_id
            )
        )


@dataclass(frozen=True)
class ZaloBotLoad:
    """A configured bot and how many people are linked through it (50 fit the free plan)."""

    bot_id: str
    channel: str
    name: str | None
    linked: int


class ZaloBotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def register(self, bot_ids: Sequence[str]) -> dict[str, str]:
        """The channel name of each bot, giving the next free name to a bot met for the first
        time; in the order given, so the first bot of a new installation is "zalo"."""
        rows = {r.bot_id: r for r in await self._session.scalars(select(ZaloBot))}
        taken = {r.channel for r in rows.values()}
        names: dict[str, str] = {}
        for bot_id in bot_ids:
            row = rows.get(bot_id)
            if row is None:
                number = 1
                while zalo_channel_name(number) in taken:
                    number += 1
                channel = zalo_channel_name(number)
                # Two processes starting together: the unique columns let one win; the loser
                # reads the winner's row below.
                await insert_ignoring_conflict(
                    self._session, ZaloBot, {"bot_id": bot_id, "channel": channel}
                )
                row = (
                    await self._session.scalars(select(ZaloBot).where(ZaloBot.bot_id == bot_id))
                ).first()
                if row is None:
                    raise RuntimeError(f"Zalo bot {bot_id}: no channel name could be kept")
                rows[bot_id] = row
                taken.add(row.channel)
            names[bot_id] = row.channel
        return names

    async def set_name(self, bot_id: str, name: str) -> None:
        await self._session.execute(
            update(ZaloBot).where(ZaloBot.bot_id == bot_id).values(name=name)
        )

    async def load(self, bot_ids: Sequence[str]) -> list[ZaloBotLoad]:
        """The bots among `bot_ids` that are registered, in that order, with their linked
        people (reachable accounts) counted."""
        if not bot_ids:
            return []
        linked = (
            select(ChannelIdentity.channel, func.count(ChannelIdentity.id).label("n"))
            .where(ChannelIdentity.reachable.is_(True))
            .group_by(ChannelIdentity.channel)
            .subquery()
        )
        stmt = (
            select(ZaloBot.bot_id, ZaloBot.channel, ZaloBot.name, func.coalesce(linked.c.n, 0))
            .outerjoin(linked, linked.c.channel == ZaloBot.channel)
            .where(ZaloBot.bot_id.in_(list(bot_ids)))
        )
        found = {
            row[0]: ZaloBotLoad(row[0], row[1], row[2], int(row[3]))
            for row in await self._session.execute(stmt)
        }
        return [found[b] for b in bot_ids if b in found]


class MediaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        content: bytes,
        mime_type: str,
        *,
        name: str | None,
        at: datetime,
        expires_at: datetime | None,
    ) -> str:
        """Keep a file and return its token: 256 random bits, the only key to its URL."""
        token = secrets.token_urlsafe(32)
        self._session.add(
            MediaFile(
                token=token,
                content=content,
                mime_type=mime_type,
                name=name,
                created_at=at,
                expires_at=expires_at,
            )
        )
        await self._session.flush()
        return token

    async def get(self, token: str) -> MediaFile | None:
        stmt = select(MediaFile).where(MediaFile.token == token)
        return (await self._session.scalars(stmt)).first()

    async def prune(self, now: datetime) -> int:
        result = await self._session.execute(
            delete(MediaFile).where(MediaFile.expires_at.is_not(None), MediaFile.expires_at < now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
