"""PostgreSQL transactions that begin at their first write: the reads before it need no BEGIN."""

from __future__ import annotations

import re
import weakref
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry

# Why: a message's work is mostly reads (who wrote, which task, where it stands) and then one
# statement writing everything (storage.together). In a transaction that is BEGIN, the reads,
# the write and COMMIT; each a round trip. At READ COMMITTED, the isolation level every unit of
# work here runs at, a plain SELECT sees the data committed when it starts and keeps no lock
# that matters (only one against dropping the table), inside a transaction or not. So the reads
# run on their own and the transaction begins with the first write: nothing a read sees or
# leaves changes, and when the first write is also the last, it needs no transaction at all.
#
# How: the asyncpg adapter sends BEGIN itself, before the first statement it executes while its
# DBAPI `autocommit` is off. The connection starts a unit of work with it on, and a hook turns
# it off just before the first statement that writes or locks rows.

_STATE = "first_write"  # in the pooled connection's info: where its unit of work stands
_READING = "reading"  # no write yet: statements run on their own
_LAST = "last"  # the next write ends the unit of work: it runs on its own too
_DONE = "done"  # that last write ran: another one would be outside any transaction

_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.IGNORECASE)
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def install(engine: AsyncEngine) -> None:
    """Let units of work on this PostgreSQL engine begin their transaction at the first write."""
    event.listen(engine.sync_engine, "before_cursor_execute", _before_statement)
    event.listen(engine.sync_engine.pool, "checkin", _forget)
    _ENGINES.add(engine.sync_engine)


async def read_until_first_write(connection: AsyncConnection) -> bool:
    """Run this connection's statements on their own until one writes; False (and nothing
    changed) where the engine was not installed or does not read committed data (where a
    transaction keeps one snapshot, reads apart from it would see more). Call it before the
    first statement."""
    if connection.sync_engine not in _ENGINES:
        return False
    if connection.sync_connection.default_isolation_level != "READ COMMITTED":
        return False
    raw = await connection.get_raw_connection()
    raw.info[_STATE] = _READING
    raw.dbapi_connection.autocommit = True  # type: ignore[union-attr]
    return True


def last_write_follows(connection: Connection) -> None:
    """The next write ends the unit of work: if no transaction has begun, it runs on its own
    (one statement is atomic by itself), and another write after it is an error."""
    if connection.info.get(_STATE) == _READING:
        connection.info[_STATE] = _LAST


@lru_cache(maxsize=512)
def _reads(statement: str) -> bool:
    # The same statement strings come back from SQLAlchemy's compiled cache, so this is a
    # lookup after the first time. Values are bound parameters, never part of the text.
    # A read-only WITH counts as a write (it only begins the transaction early). A SELECT with
    # side effects (nextval, an advisory lock) or a server-side cursor would run on its own:
    # none comes before the first write on the dispatcher's path; keep it so.
    head = statement.lstrip()[:6].upper()
    return head == "SELECT" and _LOCKING.search(statement) is None


def _before_statement(
    conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    state = conn.info.get(_STATE)
    if state is None or _reads(statement):
        return
    if state == _LAST:
        conn.info[_STATE] = _DONE
        return
    if state == _DONE:
        raise RuntimeError("a write after the one that was to end the unit of work alone")
    # The adapter sends BEGIN before this statement: it and all after it are one transaction.
    del conn.info[_STATE]
    conn.connection.dbapi_connection.autocommit = False  # type: ignore[union-attr]


def _forget(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    """Back in the pool: the next user gets a connection that opens transactions as usual."""
    if record.info.pop(_STATE, None) is not None and dbapi_connection is not None:
        dbapi_connection.autocommit = False
