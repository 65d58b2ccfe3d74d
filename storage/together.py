"""Statements sent together: on PostgreSQL as one statement (one round trip), elsewhere in turn."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, Delete, Insert, Update, bindparam
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession

Write = Insert | Update | Delete
# A statement built once (a module constant) and the values of its bind parameters.
Part = tuple[Write, Mapping[str, Any]]


def bound(prefix: str, columns: Iterable[str]) -> dict[str, BindParameter[Any]]:
    """Values for these columns as bind parameters named for one statement, for `.values()`:
    {"state": bindparam("reply_state"), …}."""
    return {name: bindparam(f"{prefix}_{name}") for name in columns}


def named(prefix: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a statement built with `bound(prefix, …)`, from column values."""
    return {f"{prefix}_{name}": value for name, value in values.items()}


@lru_cache(maxsize=64)
def _combined(main: Write, writes: tuple[Write, ...]) -> Write:
    # Built once per combination: building a statement costs more than sending it.
    return main.add_cte(*(write.cte(f"w{i}") for i, write in enumerate(writes)))


async def execute_together(
    session: AsyncSession, main: Part, writes: Sequence[Part] = ()
) -> Result[Any]:
    """Run the `writes`, then `main`, and return `main`'s result.

    On PostgreSQL the writes ride along as data-modifying CTEs of `main`, so the lot is one
    statement and one round trip instead of one each: for a small write the round trip is
    most of its cost. What that asks of the parts, on every database alike:
    - each statement is built once, and its bind parameters are named for it alone
      (`bindparam("dialog_state")`, not a column's name): the parts' values are bound
      together, and a column's name would also be read as a value for that column;
    - the parts touch different rows and none needs another's effect: in one PostgreSQL
      statement every part sees the database as it was before any of them.
    """
    if not writes:
        return await session.execute(main[0], main[1])
    if session.get_bind().dialect.name == "postgresql":
        params = dict(main[1])
        for _, values in writes:
            params |= values
        if len(params) != len(main[1]) + sum(len(values) for _, values in writes):
            raise ValueError("statements sent together share a bind parameter name")
        statement = _combined(main[0], tuple(write for write, _ in writes))
        return await session.execute(statement, params)
    for write, values in writes:
        await session.execute(write, values)
    return await session.execute(main[0], main[1])
