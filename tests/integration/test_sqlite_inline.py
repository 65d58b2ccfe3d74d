"""SQLite on the event loop's thread: same results, another process's lock waited for off it."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import create_engine, session_factory
from storage.sqlite_inline import InlineConnection
from storage.uow import UnitOfWork


@pytest.fixture
def sqlite_only(db_kind: str) -> None:
    if db_kind != "sqlite":
        pytest.skip("SQLite's own connection class")


async def test_statements_run_without_the_worker_thread(
    sqlite_only: None, migrated_url: str
) -> None:
    engine = create_engine(migrated_url)
    try:
        async with engine.begin() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            assert isinstance(raw, InlineConnection)
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
            await conn.execute(text("INSERT INTO t (v) VALUES ('a'), ('b')"))
            rows = (await conn.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
            assert not raw._thread.is_alive()
    finally:
        await engine.dispose()
    assert rows == ["a", "b"]


async def test_another_process_holding_the_write_lock_is_waited_for_off_the_loop(
    sqlite_only: None, migrated_url: str
) -> None:
    path = make_url(migrated_url).database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # what the CLI importing a plan would hold
    engine = create_engine(migrated_url)
    try:

        async def count_inbound() -> int:
            async with UnitOfWork(session_factory(engine)) as uow:
                counts = await uow.inbound.count_by_state()
                await uow.commit()
            return sum(counts.values())

        waiting = asyncio.create_task(count_inbound())
        turns = 0
        while turns < 20:  # the loop keeps turning while the unit of work waits for the lock
            await asyncio.sleep(0)  # a yield, not a wait
            turns += 1
        assert not waiting.done()
        other.execute("COMMIT")
        assert await waiting == 0
        # The next unit of work runs in place again.
        assert await count_inbound() == 0
    finally:
        other.close()
        await engine.dispose()


async def test_errors_other_than_a_busy_database_are_raised_at_once(
    sqlite_only: None, migrated_url: str
) -> None:
    engine = create_engine(migrated_url)
    try:
        async with engine.connect() as conn:
            with pytest.raises(Exception, match="no such table"):
                await conn.execute(text("SELECT * FROM missing"))
    finally:
        await engine.dispose()
