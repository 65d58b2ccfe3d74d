"""`/healthz`: is the database answering, and is each chat channel running, stopped or refused."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.uow import UnitOfWork

DATABASE_TIMEOUT_SECONDS = 3.0
CHANNEL_STATES = ("running", "stopped", "unauthorized")


@dataclass(frozen=True)
class Health:
    """What /healthz answers: HTTP 503 when this instance cannot do its work."""

    status: str  # "ok", "degraded" (a channel is not running), "down" (no database), "stopping"
    database: bool
    database_ms: float | None
    channels: dict[str, str]
    error: str | None = None

    @property
    def http_status(self) -> int:
        # A channel refused by its platform is the same on every instance: routing webhooks
        # elsewhere would not help, so only the database and shutting down make this one unfit.
        return 503 if self.status in ("down", "stopping") else 200

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": self.status,
            "database": {"ok": self.database, "ms": self.database_ms},
            "channels": self.channels,
        }
        if self.error:
            body["database"]["error"] = self.error
        return body


async def database_ok(
    sessions: async_sessionmaker[AsyncSession], timeout: float = DATABASE_TIMEOUT_SECONDS
) -> tuple[bool, float | None, str | None]:
    """(reachable, milliseconds, error class) for one trivial query, bounded in time."""
    started = time.perf_counter()

    async def ping() -> None:
        # Through a unit of work: on SQLite it queues behind the service's writers instead of
        # taking the file lock beside them.
        async with UnitOfWork(sessions) as uow:
            await uow.session.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(ping(), timeout)
    except Exception as exc:  # the connection's error text may carry the URL: class only
        return False, None, type(exc).__name__
    return True, round((time.perf_counter() - started) * 1000, 1), None


async def check(
    sessions: async_sessionmaker[AsyncSession],
    channels: Mapping[str, str],
    *,
    stopping: bool = False,
    timeout: float = DATABASE_TIMEOUT_SECONDS,
) -> Health:
    """The service's health from a database ping and each channel's state."""
    ok, ms, error = await database_ok(sessions, timeout)
    if stopping:
        status = "stopping"
    elif not ok:
        status = "down"
    elif any(state != "running" for state in channels.values()):
        status = "degraded"
    else:
        status = "ok"
    return Health(status, ok, ms, dict(sorted(channels.items())), error)
