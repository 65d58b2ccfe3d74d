"""Units of work that begin their transaction at the first write (storage.first_write)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage import first_write
from storage.db import session_factory
from storage.models import InboundMessage
from storage.uow import UnitOfWork

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
# now() is when the transaction began: two statements apart see two (µs) values, in one the same.
NOW_AND_BACKEND = text("SELECT now(), pg_backend_pid()")


class Undone(Exception):
    """Raised to leave a unit of work without committing."""


async def store(uow: UnitOfWork, event_id: str) -> None:
    await uow.inbound.record(
        {
            "channel": "telegram",
            "event_id": event_id,
            "chat_id": "77",
            "user_id": "77",
            "message_id": event_id,
            "text": f"tin {event_id}",
            "callback_data": None,
            "payload": {},
            "received_at": AT,
            "state": "received",
        }
    )


async def store_committed(sessions: async_sessionmaker[AsyncSession], event_id: str) -> None:
    async with UnitOfWork(sessions) as uow:
        await store(uow, event_id)
        await uow.commit()


async def stored(engine: AsyncEngine) -> list[str]:
    async with UnitOfWork(session_factory(engine)) as uow:
        query = select(InboundMessage.event_id).order_by(InboundMessage.id)
        return list(await uow.session.scalars(query))


async def in_one_transaction(uow: UnitOfWork) -> tuple[bool, int]:
    first, backend = (await uow.session.execute(NOW_AND_BACKEND)).one()
    second, _ = (await uow.session.execute(NOW_AND_BACKEND)).one()
    return first == second, backend


@pytest.fixture
def postgres(db_kind: str) -> None:
    if db_kind != "postgres":
        pytest.skip("on SQLite BEGIN and COMMIT are calls in this process, not round trips")


async def test_reads_run_alone_and_the_transaction_begins_at_the_first_write(
    db_engine: AsyncEngine, postgres: None
) -> None:
    sessions = session_factory(db_engine)
    with pytest.raises(Undone):
        async with UnitOfWork(sessions, begin_at_first_write=True) as uow:
            reading_together, _ = await in_one_transaction(uow)
            await store(uow, "1")
            await store(uow, "2")
            writing_together, _ = await in_one_transaction(uow)
            raise Undone
    assert not reading_together
    assert writing_together
    assert await stored(db_engine) == []  # both writes undone together


async def test_a_locking_read_begins_the_transaction(
    db_engine: AsyncEngine, postgres: None
) -> None:
    sessions = session_factory(db_engine)
    await store_committed(sessions, "1")
    async with UnitOfWork(sessions, begin_at_first_write=True) as uow:
        await uow.session.execute(select(InboundMessage.id).with_for_update())
        locked_together, _ = await in_one_transaction(uow)
    assert locked_together


async def test_a_last_write_that_is_also_the_first_runs_alone_and_nothing_may_follow_it(
    db_engine: AsyncEngine, postgres: None
) -> None:
    sessions = session_factory(db_engine)
    async with UnitOfWork(sessions, begin_at_first_write=True) as uow:
        uow.last_write_follows()
        await store(uow, "1")
        after, _ = await in_one_transaction(uow)
        with pytest.raises(RuntimeError, match="a write after the one"):
            await store(uow, "2")
    assert not after
    # It ran as a statement of its own: committed as it ran, with no commit() to wait for.
    assert await stored(db_engine) == ["1"]


async def test_changes_waiting_for_a_flush_keep_the_last_write_in_their_transaction(
    db_engine: AsyncEngine, postgres: None
) -> None:
    sessions = session_factory(db_engine)
    await store_committed(sessions, "1")
    async with UnitOfWork(sessions, begin_at_first_write=True) as uow:
        row = (await uow.session.scalars(select(InboundMessage))).one()
        row.state = "done"  # changed in memory only: commit() will flush it
        uow.last_write_follows()
        await store(uow, "2")  # not alone: the flush still has to follow
        await uow.commit()  # no "write after the one" error: one transaction for both
    async with UnitOfWork(sessions) as uow:
        query = select(InboundMessage.event_id, InboundMessage.state).order_by(InboundMessage.id)
        assert list(await uow.session.execute(query)) == [("1", "done"), ("2", "received")]


async def test_a_last_write_inside_a_begun_transaction_stays_in_it(
    db_engine: AsyncEngine, postgres: None
) -> None:
    sessions = session_factory(db_engine)
    with pytest.raises(Undone):
        async with UnitOfWork(sessions, begin_at_first_write=True) as uow:
            await store(uow, "1")
            uow.last_write_follows()
            await store(uow, "2")
            raise Undone
    assert await stored(db_engine) == []


async def test_the_connection_goes_back_to_the_pool_opening_transactions_as_usual(
    db_engine: AsyncEngine, postgres: None
) -> None:
    sessions = session_factory(db_engine)
    async with UnitOfWork(sessions, begin_at_first_write=True) as uow:
        _, lazy_backend = await in_one_transaction(uow)
    async with UnitOfWork(sessions) as uow:
        together, backend = await in_one_transaction(uow)
    assert backend == lazy_backend and together


async def test_on_sqlite_every_unit_of_work_is_one_transaction_from_its_start(
    db_engine: AsyncEngine, db_kind: str
) -> None:
    if db_kind != "sqlite":
        pytest.skip("SQLite only")
    sessions = session_factory(db_engine)
    with pytest.raises(Undone):
        async with UnitOfWork(sessions, begin_at_first_write=True) as uow:
            uow.last_write_follows()
            await store(uow, "1")
            await store(uow, "2")  # no error: the flag means nothing here
            raise Undone
    assert await stored(db_engine) == []


async def test_a_unit_of_work_that_fails_to_start_gives_its_connection_back(
    db_engine: AsyncEngine, postgres: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def interrupted(connection: object) -> bool:
        raise Undone

    monkeypatch.setattr(first_write, "read_until_first_write", interrupted)
    with pytest.raises(Undone):
        async with UnitOfWork(session_factory(db_engine), begin_at_first_write=True):
            pass
    assert db_engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_single_statement_unit_of_work_refuses_a_second_write(
    db_engine: AsyncEngine, postgres: None
) -> None:
    async with UnitOfWork(session_factory(db_engine), single_statement=True) as uow:
        await store(uow, "1")
        with pytest.raises(RuntimeError, match="a write after the one"):
            await store(uow, "2")
    assert await stored(db_engine) == ["1"]  # the one write ran alone, committed as it ran
