"""Group commit: writes waiting together share a transaction; a bad write sinks only itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dispatcher import _store_all
from storage.db import session_factory
from storage.group_commit import GroupCommit
from storage.models import InboundMessage
from storage.uow import UnitOfWork

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def inbound(event_id: str, text: str) -> dict[str, Any]:
    return {
        "channel": "telegram",
        "event_id": event_id,
        "chat_id": "424242",
        "user_id": "424242",
        "message_id": event_id,
        "text": text,
        "callback_data": None,
        "payload": {"update_id": event_id},
        "received_at": AT,
        "state": "received",
    }


async def store_all(uow: UnitOfWork, messages: list[dict[str, Any]]) -> list[int | None]:
    return [await uow.inbound.record(values) for values in messages]


def writer(engine: AsyncEngine) -> GroupCommit[dict[str, Any], int | None]:
    return GroupCommit(session_factory(engine), store_all)


async def stored_texts(engine: AsyncEngine) -> list[str]:
    async with UnitOfWork(session_factory(engine)) as uow:
        rows = await uow.session.scalars(select(InboundMessage).order_by(InboundMessage.id))
        return [row.text for row in rows]


async def test_writes_arriving_together_share_one_commit_in_their_order(
    db_engine: AsyncEngine,
) -> None:
    writes = writer(db_engine)
    texts = [f"báo cáo {n}" for n in range(1, 9)]

    ids = await asyncio.gather(
        *(writes.submit(inbound(str(n), text)) for n, text in enumerate(texts))
    )

    assert writes.writes == 8 and writes.batches < 8  # the first alone, the rest together
    assert all(isinstance(i, int) for i in ids) and ids == sorted(ids)
    assert await stored_texts(db_engine) == texts


async def test_a_duplicate_inside_a_group_is_answered_none_as_alone(
    db_engine: AsyncEngine,
) -> None:
    writes = writer(db_engine)
    first, again = await asyncio.gather(
        writes.submit(inbound("77", "xong rồi")), writes.submit(inbound("77", "xong rồi"))
    )
    assert isinstance(first, int) and again is None
    assert await stored_texts(db_engine) == ["xong rồi"]


async def test_one_bad_write_fails_only_its_caller(db_engine: AsyncEngine) -> None:
    writes = writer(db_engine)
    broken = inbound("2", "không có kênh") | {"channel": None}  # NOT NULL

    results = await asyncio.gather(
        writes.submit(inbound("1", "đang làm 70%")),
        writes.submit(inbound("3", "vướng kinh phí")),
        writes.submit(broken),
        writes.submit(inbound("4", "xin gia hạn đến 15/12")),
        return_exceptions=True,
    )

    assert isinstance(results[2], IntegrityError)
    assert all(isinstance(r, int) for i, r in enumerate(results) if i != 2)
    assert await stored_texts(db_engine) == [
        "đang làm 70%",
        "vướng kinh phí",
        "xin gia hạn đến 15/12",
    ]


async def test_the_dispatchers_messages_arriving_together_go_in_one_statement(
    db_engine: AsyncEngine,
) -> None:
    inserts: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INBOUND_MESSAGES"):
            inserts.append(1)

    event.listen(db_engine.sync_engine, "before_cursor_execute", count)
    try:
        writes = GroupCommit(session_factory(db_engine), _store_all, one_statement=lambda _: True)
        first = await writes.submit(inbound("1", "xong rồi"))
        ids = await asyncio.gather(
            writes.submit(inbound("2", "đang làm 70%")),
            writes.submit(inbound("1", "xong rồi")),  # stored before: a duplicate
            writes.submit(inbound("3", "vướng kinh phí")),
            writes.submit(inbound("3", "vướng kinh phí")),  # twice in one batch
            writes.submit(inbound("4", "xin gia hạn đến 15/12")),
        )
    finally:
        event.remove(db_engine.sync_engine, "before_cursor_execute", count)

    assert isinstance(first, int)
    assert [i is None for i in ids] == [False, True, False, True, False]
    assert ids[0] < ids[2] < ids[4] and first < ids[0]  # type: ignore[operator]
    assert len(inserts) == 2  # the first alone, then the five that came together at once
    assert await stored_texts(db_engine) == [
        "xong rồi",
        "đang làm 70%",
        "vướng kinh phí",
        "xin gia hạn đến 15/12",
    ]


async def test_a_caller_that_gives_up_still_gets_its_write(db_engine: AsyncEngine) -> None:
    writes = writer(db_engine)
    first = asyncio.create_task(writes.submit(inbound("1", "một")))
    second = asyncio.create_task(writes.submit(inbound("2", "hai")))
    await asyncio.sleep(0)  # both are waiting for the writer
    second.cancel()
    assert isinstance(await first, int)
    with pytest.raises(asyncio.CancelledError):
        await second
    await writes.submit(inbound("3", "ba"))  # the writer lives on
    assert await stored_texts(db_engine) == ["một", "hai", "ba"]


async def test_asking_from_inside_a_sqlite_unit_of_work_is_refused_not_a_deadlock(
    db_engine: AsyncEngine, db_kind: str
) -> None:
    if db_kind != "sqlite":
        pytest.skip("PostgreSQL has no in-process write lock to wait for")
    sessions = session_factory(db_engine)
    writes = GroupCommit(sessions, store_all)
    async with UnitOfWork(sessions):
        with pytest.raises(RuntimeError, match="inside a SQLite UnitOfWork"):
            await writes.submit(inbound("1", "một"))


async def test_a_lone_write_on_postgresql_runs_without_begin_and_the_connection_comes_back_whole(
    db_engine: AsyncEngine, db_kind: str
) -> None:
    if db_kind != "postgres":
        pytest.skip("on SQLite BEGIN and COMMIT are calls in this process, not round trips")
    sessions = session_factory(db_engine)
    now_and_backend = text("SELECT now(), pg_backend_pid()")

    async def two_reads(uow: UnitOfWork) -> tuple[bool, int]:
        # now() is when the transaction began: apart, two statements see two (µs) values.
        first, pid = (await uow.session.execute(now_and_backend)).one()
        second, _ = (await uow.session.execute(now_and_backend)).one()
        return first == second, pid

    async with UnitOfWork(sessions, single_statement=True) as uow:
        in_one_transaction, lone_backend = await two_reads(uow)
    assert not in_one_transaction
    async with UnitOfWork(sessions) as uow:
        in_one_transaction, backend = await two_reads(uow)
    assert backend == lone_backend and in_one_transaction  # the same connection, transactional


async def test_a_unit_of_work_inside_another_on_sqlite_is_refused_not_a_deadlock(
    db_engine: AsyncEngine, db_kind: str
) -> None:
    if db_kind != "sqlite":
        pytest.skip("PostgreSQL has no in-process write lock to wait for")
    sessions = session_factory(db_engine)
    async with UnitOfWork(sessions):
        with pytest.raises(RuntimeError, match="nested UnitOfWork on SQLite"):
            async with UnitOfWork(sessions):
                pass
    assert await stored_texts(db_engine) == []  # the lock was left free for the next one
