"""The composition root: the only module that wires concrete storage and services together."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Channel
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.outbox import OutboxSender
from handlers.policy import Policy
from handlers.registry import build_router
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock
from scheduler.hours import WorkingHours
from storage.db import (
    create_engine,
    default_database_url,
    normalize_database_url,
    session_factory,
    upgrade,
)


def database_url(settings: Settings) -> str:
    return normalize_database_url(settings.database_url or default_database_url())


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A migrated database for the length of one command or the service's life."""
    url = database_url(settings)
    await upgrade(url)  # creates the SQLite file and schema on first use
    engine = create_engine(url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


def build_conversation(
    sessions: async_sessionmaker[AsyncSession],
    channels: Mapping[str, Channel],
    clock: Clock,
    *,
    calendar: WorkingCalendar | None = None,
    policy: Policy | None = None,
    raise_errors: bool = False,
    hours: WorkingHours | None = None,
    public_base_url: str | None = None,
) -> tuple[Dispatcher, OutboxSender]:
    """The message path: every channel hands messages to the dispatcher, replies leave by the
    sender. The channels map may be filled in after this call (they need the dispatcher)."""
    sender = OutboxSender(sessions, channels, clock, hours=hours, public_base_url=public_base_url)
    dispatcher = Dispatcher(
        sessions,
        build_router(),
        sender,
        channels,
        clock,
        calendar or WorkingCalendar(),
        policy,
        raise_errors=raise_errors,
    )
    return dispatcher, sender
