"""A pooled PostgreSQL connection is tried after sitting idle, and replaced when it is dead."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

import storage.db
from storage.db import create_engine
from tests.conftest import PgServer

pytestmark = pytest.mark.postgres


async def _backend_pid(engine: object) -> int:
    async with engine.connect() as conn:  # type: ignore[attr-defined]
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_killed_while_idle_is_replaced_before_use(
    pg_server: PgServer, migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(migrated_url)
    try:
        first = await _backend_pid(engine)
        # What a server restart or an idle-killing proxy does to a pooled connection.
        admin = await pg_server.connect()
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        monkeypatch.setattr(storage.db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been idle
        second = await _backend_pid(engine)
    finally:
        await engine.dispose()
    assert second != first


async def test_a_connection_used_a_moment_ago_is_not_pinged(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[object] = []
    engine = create_engine(migrated_url)
    try:
        first = await _backend_pid(engine)
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).dbapi_connection
            monkeypatch.setattr(type(raw), "ping", lambda self: pings.append(self))
        second = await _backend_pid(engine)
        monkeypatch.setattr(storage.db, "PING_AFTER_IDLE_SECONDS", 0.0)
        third = await _backend_pid(engine)
    finally:
        await engine.dispose()
    assert first == second == third
    assert len(pings) == 1  # only once it counted as idle


async def test_a_burst_of_work_reuses_a_fixed_set_of_connections(migrated_url: str) -> None:
    """Sixty transactions at once, twice: at most POOL_SIZE backends, and the second burst
    opens none (a connection opened for a burst and closed after costs a backend start)."""
    engine = create_engine(migrated_url)

    async def burst() -> set[int]:
        async def one() -> int:
            async with engine.begin() as conn:
                pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
                await conn.execute(text("SELECT pg_sleep(0.001)"))  # hold it a moment
                return int(pid)

        return set(await asyncio.gather(*(one() for _ in range(60))))

    try:
        first = await burst()
        second = await burst()
    finally:
        await engine.dispose()
    assert 1 < len(first) <= storage.db.POOL_SIZE
    assert second <= first
