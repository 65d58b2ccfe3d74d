"""Small writes from many tasks, committed together: one transaction for all who are waiting."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.uow import UnitOfWork, holds_sqlite_lock

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Why: under load a hundred chats each store their message, then each marks its reply sent,
# and every one of those writes is a transaction of its own: a BEGIN, a COMMIT and a unit of
# work built and torn down around one or two statements (on PostgreSQL each of them a round
# trip). Writes that arrive while a commit is under way (or, on SQLite, while another unit of
# work holds the write lock) wait and go together in the next one, written by one call that
# can send them as one statement for many rows. Alone, a write is committed at once: nothing
# waits on a timer.


class GroupCommit(Generic[T, R]):
    """`await writes.submit(item)` returns `write_many`'s result for it once it is committed.

    `write_many(uow, items)` writes the items in the order they came and returns one result
    per item; it must not commit, and must be safe to run again after a rollback. When the
    shared transaction fails, each item is written again alone, so one bad item fails only
    its own caller.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        write_many: Callable[[UnitOfWork, list[T]], Awaitable[Sequence[R]]],
        *,
        one_statement: Callable[[list[T]], bool] | None = None,
    ) -> None:
        self._sessions = sessions
        self._write_many = write_many
        # Whether `write_many` writes these items in one statement: then they need no
        # transaction around them (see UnitOfWork).
        self._one_statement = one_statement
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # transactions committed, for tests
        self.writes = 0

    async def submit(self, item: T) -> R:
        if holds_sqlite_lock(self._sessions):
            # The writer would wait for the lock this task holds, and this task for the writer.
            raise RuntimeError("GroupCommit.submit inside a SQLite UnitOfWork: finish that first")
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="group-commit")
        # If the caller is cancelled its write still happens: it was asked for.
        return await future

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._write_batch(batch)
            except asyncio.CancelledError:
                for _, future in batch + self._waiting:
                    future.cancel()
                self._waiting = []
                raise

    async def _write_batch(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            await self._commit(batch)
            return
        except Exception as exc:
            if len(batch) == 1:
                self._fail(batch, exc)
                return
            log.warning("a group of %d writes failed; each is tried alone", len(batch))
        for one in batch:
            try:
                await self._commit([one])
            except Exception as exc:
                self._fail([one], exc)

    async def _commit(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        items = [item for item, _ in batch]
        single = self._one_statement is not None and self._one_statement(items)
        async with UnitOfWork(self._sessions, single_statement=single) as uow:
            results = await self._write_many(uow, items)
            await uow.commit()
        self.batches += 1
        self.writes += len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    @staticmethod
    def _fail(batch: list[tuple[T, asyncio.Future[R]]], exc: Exception) -> None:
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)
