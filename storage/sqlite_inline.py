"""An aiosqlite connection that runs SQLite calls on the event loop's own thread."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import aiosqlite

# Why not aiosqlite's worker thread: every call (cursor, execute, fetch, close, commit) is a
# round trip to it, four or more per statement at 60-80 µs each, while SQLite answers this
# project's statements in microseconds; and every transaction already queues on one
# in-process lock (storage.uow), so the thread buys no parallelism. The price: a statement
# runs on the loop's thread, so a slow one holds up the other chats for its length.
# Waiting for another process's write lock is the one slow thing that stays off the loop:
# the inline attempt does not wait (busy timeout 0) and the call is retried in the worker
# thread with the configured timeout.


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_BUSY
    return "database is locked" in str(exc)


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's API (what SQLAlchemy's aiosqlite dialect drives), executed in place."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], busy_timeout: float) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._busy_ms = int(busy_timeout * 1000)
        self._thread.daemon = True  # started only when another process holds the lock

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()

    async def _connect(self) -> aiosqlite.Connection:
        if self._connection is None:
            # Opening a local file takes no lock worth waiting for in a thread.
            self._connection = self._connector()
            self._connection.execute("PRAGMA busy_timeout=0")
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            # SQLITE_BUSY means the statement did nothing: it can be run again as it was.
            if not _is_busy(exc):
                raise
        if not self._thread.is_alive():
            self._thread.start()
        return await super()._execute(self._waiting, partial(fn, *args, **kwargs))

    def _waiting(self, call: Callable[[], Any]) -> Any:
        """In the worker thread: the call with SQLite's own busy wait, then back to none."""
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout={self._busy_ms}")
        try:
            return call()
        finally:
            conn.execute("PRAGMA busy_timeout=0")

    def stop(self) -> asyncio.Future[Any] | None:
        if self._thread.is_alive():
            return super().stop()
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        return None


def connect(database: str, *, timeout: float = 5.0, **kwargs: Any) -> InlineConnection:
    """What aiosqlite.connect() is to SQLAlchemy's dialect, for an InlineConnection."""
    kwargs.pop("iter_chunk_size", None)
    # The worker thread may run a call when another process holds the lock.
    kwargs["check_same_thread"] = False
    return InlineConnection(partial(sqlite3.connect, database, timeout=timeout, **kwargs), timeout)
