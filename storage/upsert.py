"""Insert-unless-present, the one statement whose spelling differs between the two databases."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


@cache
def _insert_ignoring_conflict(dialect: str, table: Table) -> Insert:
    # Built once per table: the values travel as parameters, so the statement (and its
    # compiled form) is the same for every row; building one per call cost more than running it.
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing().returning(table.c.id)


async def insert_ignoring_conflict(
    session: AsyncSession, model: type[DeclarativeBase], values: dict[str, Any]
) -> int | None:
    """Insert a row and return its id, or None when a unique constraint says it already exists.

    Both branches are ON CONFLICT DO NOTHING … RETURNING id, which never raises, so the
    surrounding transaction stays usable (a caught IntegrityError would poison PostgreSQL's).
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    stmt = _insert_ignoring_conflict(dialect, model.__table__)  # type: ignore[arg-type]
    return (await session.execute(stmt, values)).scalar_one_or_none()


@cache
def _insert_many_ignoring_conflict(dialect: str, table: Table, key: tuple[str, ...]) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing().returning(table.c.id, *(table.c[k] for k in key))


async def insert_many_ignoring_conflict(
    session: AsyncSession,
    model: type[DeclarativeBase],
    rows: list[dict[str, Any]],
    *,
    key: tuple[str, ...],
) -> dict[tuple[Any, ...], int]:
    """`insert_ignoring_conflict` for many rows in one statement (SQLAlchemy's "insertmanyvalues"
    for an INSERT with RETURNING): the ids of the rows inserted, by their `key` columns' values;
    a row missing there already existed. The rows must differ in `key`."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    stmt = _insert_many_ignoring_conflict(dialect, model.__table__, key)  # type: ignore[arg-type]
    return {tuple(found[1:]): found[0] for found in await session.execute(stmt, rows)}
