"""A portable dump of every table (a zip of JSON lines), restored into SQLite or PostgreSQL."""

from __future__ import annotations

import base64
import json
import os
import tempfile
import zipfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from storage.db import (
    alembic_config,
    create_engine,
    downgrade,
    normalize_database_url,
    upgrade,
)

FORMAT = "nhacviec-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VERSION_TABLE = "alembic_version"
BATCH = 2000  # rows read or inserted per statement: bounded memory for a year of messages
PROGRESS_EVERY = 20_000  # a table this big reports how far it got as it goes

# (table, rows done, rows in the table): called per batch so the CLI can show progress.
Progress = Callable[[str, int, int], None]


class BackupError(Exception):
    """A backup that cannot be made or restored as asked; the message says why."""


class TargetNotEmpty(BackupError):
    """The restore target holds data and replacing it was not asked for (--force)."""


@dataclass(frozen=True)
class Summary:
    """What a backup or restore moved: rows per table and the schema revision."""

    revision: str
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --- values: column kinds and their JSON spelling ------------------------------------------


def _kind(column: sa.Column[Any]) -> str:
    """How a column's values are written to JSON; a type not listed here is refused."""
    col_type = column.type
    if isinstance(col_type, sa.TypeDecorator):  # the models' UTCDateTime; reflection never
        col_type = col_type.impl_instance
    if isinstance(col_type, sa.DateTime):
        return "datetime"
    if isinstance(col_type, sa.Date):
        return "date"
    if isinstance(col_type, sa.JSON):
        return "json"
    if isinstance(col_type, sa.Boolean):
        return "bool"
    if isinstance(col_type, sa.Integer):
        return "int"
    if isinstance(col_type, sa.String):  # Text and VARCHAR too
        return "str"
    if isinstance(col_type, sa.LargeBinary):  # the files the bot sends (reports, charts)
        return "bytes"
    raise BackupError(f"column {column.table.name}.{column.name}: type {col_type!r} not supported")


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        # Every timestamp of this project is UTC; SQLite hands them back without a zone.
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if kind == "date":
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(kind: str, dialect: str) -> Callable[[Any], Any]:
    if kind == "datetime":

        def moment(value: Any) -> Any:
            if value is None:
                return None
            parsed = datetime.fromisoformat(value).astimezone(UTC)
            # A reflected SQLite DATETIME drops the zone silently; give it UTC as the app stores.
            return parsed.replace(tzinfo=None) if dialect == "sqlite" else parsed

        return moment
    if kind == "date":
        return lambda value: None if value is None else date.fromisoformat(value)
    if kind == "bytes":
        return lambda value: None if value is None else base64.b64decode(value)
    return lambda value: value


# --- the database side ----------------------------------------------------------------------


def _reader_engine(url: str) -> AsyncEngine:
    """An engine for reading one consistent snapshot without holding up the running service.

    The application's SQLite engine opens every transaction with BEGIN IMMEDIATE (the write
    lock); a plain BEGIN in WAL mode reads a snapshot while writers go on. PostgreSQL reads
    in REPEATABLE READ: one snapshot for every table.
    """
    parsed = sa.make_url(normalize_database_url(url))
    if parsed.get_backend_name() == "sqlite":
        engine = _create_async_engine(parsed, connect_args={"isolation_level": None})

        def begin_deferred(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN")

        event.listen(engine.sync_engine, "begin", begin_deferred)
        return engine
    return _create_async_engine(parsed, isolation_level="REPEATABLE READ", pool_size=1)


def _reflect(connection: Connection) -> sa.MetaData:
    metadata = sa.MetaData()
    metadata.reflect(connection)
    return metadata


def _data_tables(metadata: sa.MetaData) -> list[sa.Table]:
    """Every table but Alembic's own, parents before the tables that point at them."""
    return [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]


async def _revision(conn: AsyncConnection) -> str | None:
    has_table = await conn.run_sync(lambda c: sa.inspect(c).has_table(VERSION_TABLE))
    if not has_table:
        return None
    return await conn.scalar(sa.text(f"SELECT version_num FROM {VERSION_TABLE}"))


async def current_revision(url: str) -> str | None:
    """The database's Alembic revision; None when it was never migrated."""
    engine = _reader_engine(url)
    try:
        async with engine.connect() as conn:
            return await _revision(conn)
    finally:
        await engine.dispose()


def _order_key(table: sa.Table) -> sa.Column[Any] | None:
    """The single integer primary key to read in pages by, if the table has one."""
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and isinstance(pk[0].type, sa.Integer):
        return pk[0]
    return None


async def _table_rows(conn: AsyncConnection, table: sa.Table) -> AsyncIterator[list[Any]]:
    """The table's rows in batches, by primary key (keyset pages: no offset scans)."""
    key = _order_key(table)
    if key is None:
        result = await conn.execute(sa.select(table).order_by(*table.columns))
        rows = list(result)
        for start in range(0, len(rows), BATCH):
            yield rows[start : start + BATCH]
        return
    last: Any = None
    while True:
        stmt = sa.select(table).order_by(key).limit(BATCH)
        if last is not None:
            stmt = stmt.where(key > last)
        rows = list(await conn.execute(stmt))
        if not rows:
            return
        yield rows
        last = rows[-1]._mapping[key.name]


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def known_revisions() -> list[str]:
    """This release's migrations, oldest first."""
    return [r.revision for r in reversed(list(_script().walk_revisions()))]


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


# --- backup ---------------------------------------------------------------------------------


async def backup(url: str, path: str | Path, *, progress: Progress | None = None) -> Summary:
    """Write every table of the database at `url` to the zip file `path`.

    Written beside the target and renamed at the end, so a failed run leaves no half a backup
    under the name; readable by the owner only, as it holds names and phone numbers.
    """
    target = Path(path)
    parsed = sa.make_url(normalize_database_url(url))
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        # Connecting would create an empty file and the backup would hold nothing.
        raise BackupError(f"no database file at {parsed.database}")
    engine = _reader_engine(url)
    fd, tmp_name = tempfile.mkstemp(prefix=".nhacviec-backup-", dir=target.parent or Path("."))
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o600)
        async with engine.connect() as conn:
            revision = await _revision(conn)
            if revision is None:
                raise BackupError("the database has no schema yet (run: nhacviec db upgrade)")
            metadata = await conn.run_sync(_reflect)
            tables: dict[str, dict[str, Any]] = {}
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for table in _data_tables(metadata):
                    tables[table.name] = await _dump_table(conn, table, archive, progress)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "alembic_revision": revision,
                    "created_at": datetime.now(UTC).isoformat(),
                    "source": conn.dialect.name,
                    "tables": tables,
                }
                archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        await engine.dispose()
    return Summary(revision, {name: info["rows"] for name, info in tables.items()})


async def _dump_table(
    conn: AsyncConnection,
    table: sa.Table,
    archive: zipfile.ZipFile,
    progress: Progress | None,
) -> dict[str, Any]:
    kinds = {column.name: _kind(column) for column in table.columns}
    total = int(await conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
    done = 0
    with archive.open(f"tables/{table.name}.jsonl", "w") as out:
        async for rows in _table_rows(conn, table):
            for row in rows:
                values = row._mapping
                record = {name: _encode(kind, values[name]) for name, kind in kinds.items()}
                out.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
            done += len(rows)
            if progress is not None:
                progress(table.name, done, total)
    if progress is not None and done == 0:
        progress(table.name, 0, 0)
    return {"rows": done, "columns": kinds}


# --- restore --------------------------------------------------------------------------------


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The backup's manifest, checked to be one this release can restore."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
    except FileNotFoundError:
        raise BackupError(f"no such file: {path}") from None
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BackupError(f"{path} is not a nhacviec backup ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a nhacviec backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format version {manifest.get('format_version')} is not supported "
            f"(this release reads version {FORMAT_VERSION})"
        )
    if manifest.get("alembic_revision") not in known_revisions():
        raise BackupError(
            f"the backup's schema revision {manifest.get('alembic_revision')!r} is newer than this "
            "release knows: restore it with the release that made it, or upgrade first"
        )
    return manifest


def _records(archive: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    with archive.open(f"tables/{name}.jsonl") as stream:
        for line in _lines(stream):
            yield json.loads(line)


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    for line in stream:
        if line.strip():
            yield line


async def _row_counts(conn: AsyncConnection, tables: list[sa.Table]) -> dict[str, int]:
    counts = {}
    for table in tables:
        counts[table.name] = int(
            await conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0
        )
    return counts


async def _migrate_to(url: str, revision: str) -> None:
    """Bring an empty database's schema to `revision`, up or down."""
    order = known_revisions()
    current = await current_revision(url)
    if current == revision:
        return
    if current is None or order.index(current) < order.index(revision):
        await upgrade(url, revision)
    else:
        await downgrade(url, revision)


@asynccontextmanager
async def _engine(url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def restore(
    url: str,
    path: str | Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Load the backup at `path` into the database at `url`, then migrate it to this release.

    The target must be empty (a new database, or one only migrated); `force` deletes what it
    holds first. The rows are loaded in one transaction: a failure leaves the target as it was.
    """
    url = normalize_database_url(url)
    manifest = read_manifest(path)
    revision: str = manifest["alembic_revision"]
    current = await current_revision(url)
    if current is not None:
        async with _engine(url) as engine, engine.connect() as conn:
            metadata = await conn.run_sync(_reflect)
            held = {n: c for n, c in (await _row_counts(conn, _data_tables(metadata))).items() if c}
        if held and not force:
            listed = ", ".join(f"{name} ({count})" for name, count in sorted(held.items()))
            raise TargetNotEmpty(f"the target database is not empty: {listed}")
        if held and current != revision:
            # Its schema must change before the backup fits, and only an empty one may.
            async with _engine(url) as engine, engine.begin() as conn:
                await _clear(conn, _data_tables(await conn.run_sync(_reflect)))
    await _migrate_to(url, revision)
    with zipfile.ZipFile(path) as archive:
        async with _engine(url) as engine, engine.begin() as conn:
            metadata = await conn.run_sync(_reflect)
            tables = _data_tables(metadata)
            _check_tables(manifest, tables)
            await _clear(conn, tables)
            loaded = {}
            for table in tables:
                info = manifest["tables"].get(table.name, {"rows": 0, "columns": {}})
                loaded[table.name] = await _load_table(conn, table, archive, info, progress)
            if conn.dialect.name == "postgresql":
                await reset_sequences(conn, tables)
    await upgrade(url, "head")
    return Summary(revision, loaded)


def _check_tables(manifest: dict[str, Any], tables: list[sa.Table]) -> None:
    here = {t.name: t for t in tables}
    missing = sorted(set(manifest["tables"]) - set(here))
    if missing:
        raise BackupError(f"the target has no table for {', '.join(missing)}")
    for name, info in manifest["tables"].items():
        unknown = sorted(set(info["columns"]) - set(here[name].columns.keys()))
        if unknown:
            raise BackupError(f"table {name}: the target has no column {', '.join(unknown)}")


async def _clear(conn: AsyncConnection, tables: list[sa.Table]) -> None:
    for table in reversed(tables):  # children first, so no foreign key is left dangling
        await conn.execute(table.delete())


async def _load_table(
    conn: AsyncConnection,
    table: sa.Table,
    archive: zipfile.ZipFile,
    info: dict[str, Any],
    progress: Progress | None,
) -> int:
    total = int(info["rows"])
    if total == 0:
        if progress is not None:
            progress(table.name, 0, 0)
        return 0
    dialect = conn.dialect.name
    decoders = {name: _decoder(kind, dialect) for name, kind in info["columns"].items()}
    done = 0
    batch: list[dict[str, Any]] = []
    for record in _records(archive, table.name):
        batch.append({name: decode(record.get(name)) for name, decode in decoders.items()})
        if len(batch) >= BATCH:
            await conn.execute(table.insert(), batch)
            done += len(batch)
            batch = []
            if progress is not None:
                progress(table.name, done, total)
    if batch:
        await conn.execute(table.insert(), batch)
        done += len(batch)
        if progress is not None:
            progress(table.name, done, total)
    if done != total:
        raise BackupError(f"table {table.name}: {done} rows in the file, the manifest says {total}")
    return done


async def reset_sequences(conn: AsyncConnection, tables: list[sa.Table]) -> None:
    """Rows came with their ids, so each id sequence is moved past the largest one."""
    for table in tables:
        key = _order_key(table)
        if key is None:
            continue
        sequence = await conn.scalar(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": key.name},
        )
        if sequence is None:
            continue
        largest = await conn.scalar(sa.select(sa.func.max(key)))
        # setval(…, 1, false) makes the next id 1; setval(…, n, true) makes it n + 1.
        await conn.execute(
            sa.text("SELECT setval(CAST(:sequence AS regclass), :value, :called)"),
            {"sequence": sequence, "value": largest or 1, "called": largest is not None},
        )
