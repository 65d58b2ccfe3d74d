"""Insert-unless-present, the one statement whose spelling differs between the two databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_ignoring_conflict(
    session: AsyncSession, model: type[DeclarativeBase], values: dict[str, Any]
) -> int | None:
    """Insert a row and return its id, or None when a unique constraint says it already exists.

    Both branches are ON CONFLICT DO NOTHING … RETURNING id, which never raises, so the
    surrounding transaction stays usable (a caught IntegrityError would poison PostgreSQL's).
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**values).on_conflict_do_nothing().returning(model.id)  # type: ignore[attr-defined]
    return (await session.execute(stmt)).scalar_one_or_none()
