"""The composition root: the only module that wires concrete storage and services together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
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
