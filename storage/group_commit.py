"""Small writes from many tasks, committed together: one transaction for all who are waiting."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.uow import UnitOfWork, holds_sqlite_lock

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[UnitOfWork], Awaitable[Any]]

# Why: under load a hundred chats each store their message, then each marks its reply sent,
# and every one of those writes is a transaction of its own: a BEGIN, a COMMIT and a unit of
# work built and torn down around one statement. Writes that arrive while a commit is under
# way (or, on SQLite, while another unit of work holds the write lock) wait and go together in
# the next one. Alone, a write is committed at once, as before: nothing waits on a timer.


class GroupCommit:
    """`await writes.run(lambda uow: uow.inbound.record(values))` returns once it is committed.

    Each write runs in the shared transaction in the order it came. When the shared
    transaction fails, each write of it is tried again alone, so one bad write fails only its
    own caller. A write must not commit, and must be safe to run again after a rollback.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._waiting: list[tuple[Work, asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # transactions committed, for the benchmark's report
        self.writes = 0

    async def run(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        if holds_sqlite_lock(self._sessions):
            # The writer would wait for the lock this task holds, and this task for the writer.
            raise RuntimeError("GroupCommit.run inside a SQLite UnitOfWork: finish that first")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((work, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="group-commit")
        # If the caller is cancelled its write still happens: it was asked for.
        return await future

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._together(batch)
            except asyncio.CancelledError:
                for _, future in batch + self._waiting:
                    future.cancel()
                self._waiting = []
                raise
            except Exception:
                log.warning("a group of %d writes failed; each is tried alone", len(batch))
                for item in batch:
                    await self._alone(*item)

    async def _together(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> None:
        async with UnitOfWork(self._sessions) as uow:
            results = [await work(uow) for work, _ in batch]
            await uow.commit()
        self.batches += 1
        self.writes += len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def _alone(self, work: Work, future: asyncio.Future[Any]) -> None:
        try:
            async with UnitOfWork(self._sessions) as uow:
                result = await work(uow)
                await uow.commit()
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
        else:
            self.batches += 1
            self.writes += 1
            if not future.done():
                future.set_result(result)
