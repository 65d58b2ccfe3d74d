"""Where the database is, how to connect to it, and bringing its schema up to date."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from storage import first_write, sqlite_inline

# Found next to this module, not from the working directory, so an installed service migrates.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# A pooled PostgreSQL connection idle this long is tried before it is used again.
PING_AFTER_IDLE_SECONDS = 10.0
POOL_SIZE = 10  # PostgreSQL connections per process

# Schemes people paste from hosting panels, and the async driver each one means here.
_DRIVER_FOR = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


def default_database_url() -> str:
    """`DATABASE_URL` from the environment, else a SQLite file at ./data/nhacviec.db."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return normalize_database_url(url)
    return f"sqlite+aiosqlite:///{Path.cwd() / 'data' / 'nhacviec.db'}"


def normalize_database_url(url: str | URL) -> str:
    """The URL with the async driver this project uses (`postgres://…` → `postgresql+asyncpg://…`)."""
    parsed = make_url(url)
    driver = _DRIVER_FOR.get(parsed.drivername)
    if driver:
        parsed = parsed.set(drivername=driver)
    if parsed.drivername == "postgresql+asyncpg" and "sslmode" in parsed.query:
        # libpq spells it sslmode, asyncpg spells it ssl; the values ("require", …) are the same.
        query = dict(parsed.query)
        query.setdefault("ssl", query.pop("sslmode"))
        parsed = parsed.set(query=query)
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str | URL | None = None, *, foreign_keys: bool = True) -> AsyncEngine:
    """An async engine for `url` (default: `default_database_url()`).

    On SQLite, foreign keys are enforced on every connection unless `foreign_keys` is False,
    which only migrations want (see `upgrade`).
    """
    parsed = make_url(normalize_database_url(url or default_database_url()))
    if parsed.get_backend_name() == "sqlite":
        _ensure_sqlite_folder(parsed)
        # timeout: how long a writer waits for another one's lock before "database is locked".
        # isolation_level=None: the driver stops opening transactions by itself, so that the
        # "begin" hook below opens every one with BEGIN IMMEDIATE.
        engine = _create_async_engine(parsed, connect_args={"timeout": 30, "isolation_level": None})
        on_disk = _sqlite_path(parsed) is not None
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(foreign_keys, on_disk))
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        event.listen(engine.sync_engine, "do_connect", _inline_sqlite)
        return engine
    # A fixed pool: work beyond ten transactions at once waits for a connection. Overflow
    # connections would be opened for a burst and closed as each came back, and opening one
    # costs a PostgreSQL backend start and a fresh set of prepared statements; under a
    # hundred chats at once that churn cost more than all the handling (bench/inbound.py).
    engine = _create_async_engine(parsed, pool_size=POOL_SIZE, max_overflow=0, pool_recycle=1800)
    # A server restart or an idle-killing proxy leaves dead connections in the pool, so a
    # connection is tried before use, as pool_pre_ping would, but only after it sat idle: the
    # asyncpg ping is three round trips (BEGIN, ";", ROLLBACK), as many as a message's own work,
    # and a connection handed back a moment ago is alive.
    event.listen(engine.sync_engine.pool, "checkin", _idle_from)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    first_write.install(engine)
    return engine


def _idle_from(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_from"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
    idle_from = record.info.get("idle_from")
    if idle_from is None or time.monotonic() - idle_from < PING_AFTER_IDLE_SECONDS:
        return  # new, or in use a moment ago
    try:
        dbapi_connection.ping()
    except Exception as exc:
        # What pool_pre_ping does: drop every pooled connection older than now and reconnect.
        raise InvalidatePoolError(f"ping after {time.monotonic() - idle_from:.0f}s idle") from exc


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for `engine`; objects stay readable after commit (replies are built from them)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str | URL) -> Config:
    """An Alembic Config built in code, so no alembic.ini has to be found at run time."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser would read a "%" in a password as interpolation.
    cfg.set_main_option("sqlalchemy.url", normalize_database_url(url).replace("%", "%%"))
    return cfg


async def upgrade(url: str | URL | None = None, revision: str = "head") -> None:
    """Run the migrations up to `revision` on the database at `url`."""
    url = normalize_database_url(url or default_database_url())
    # SQLite batch mode rebuilds a table by copying and dropping it, and with foreign keys on,
    # the drop would delete (or refuse over) the rows that point at it. Keys are checked after.
    engine = create_engine(url, foreign_keys=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade_on, alembic_config(url), revision)
    finally:
        await engine.dispose()


async def downgrade(url: str | URL, revision: str) -> None:
    """Take the schema back to `revision` (only restoring a backup into an empty database does)."""
    url = normalize_database_url(url)
    engine = create_engine(url, foreign_keys=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_on, alembic_config(url), revision)
    finally:
        await engine.dispose()


def _downgrade_on(connection: Connection, cfg: Config, revision: str) -> None:
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


def _upgrade_on(connection: Connection, cfg: Config, revision: str) -> None:
    cfg.attributes["connection"] = connection  # env.py runs on it instead of connecting again
    command.upgrade(cfg, revision)
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows with dangling foreign keys: {broken[:10]}")


def _sqlite_path(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _ensure_sqlite_folder(url: URL) -> None:
    path = _sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def _inline_sqlite(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
    # SQLAlchemy's aiosqlite dialect, on a connection that skips aiosqlite's thread.
    cparams["async_creator_fn"] = sqlite_inline.connect


def _begin_immediate(connection: Connection) -> None:
    # A plain BEGIN takes the write lock only at the first write; when two concurrent handlers
    # both read and then write, the second gets "database is locked" at once (WAL snapshot
    # rule) instead of waiting. BEGIN IMMEDIATE takes the lock up front, so writers queue on
    # the busy timeout instead of failing.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(foreign_keys: bool, on_disk: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # SQLite leaves foreign keys off unless each connection asks.
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            if on_disk:
                # The webhook handlers keep reading while the scheduler writes.
                cursor.execute("PRAGMA journal_mode=WAL")
                # In WAL mode NORMAL syncs at checkpoints, not at every commit: an application
                # crash loses nothing, a power cut may lose the last commits (SQLite's advice
                # for WAL); every message costs three commits, so this is the hot path.
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return on_connect
