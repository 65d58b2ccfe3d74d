"""Queries for what is handed to people: files to send, the digest ledger, reporting rounds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    DigestRun,
    OutboxMessage,
    Report,
    ReportRound,
    RoundAnswer,
    StoredFile,
)
from storage.upsert import insert_ignoring_conflict


class StoredFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, *, kind: str, name: str, content: bytes, mime_type: str | None, at: datetime
    ) -> int:
        row = StoredFile(kind=kind, name=name, content=content, mime_type=mime_type, created_at=at)
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def get(self, file_id: int) -> StoredFile | None:
        return await self._session.get(StoredFile, file_id)


class DigestRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, plan_id: int, week_of: date, at: datetime, worker: str) -> bool:
        """Take the plan's week; False when another run (or instance) already has it."""
        values = {"plan_id": plan_id, "week_of": week_of, "run_at": at, "worker": worker,
                  "messages": 0}  # fmt: skip
        return await insert_ignoring_conflict(self._session, DigestRun, values) is not None

    async def set_messages(self, plan_id: int, week_of: date, count: int) -> None:
        await self._session.execute(
            update(DigestRun)
            .where(DigestRun.plan_id == plan_id, DigestRun.week_of == week_of)
            .values(messages=count)
        )

    async def weeks(self, plan_id: int) -> list[date]:
        stmt = select(DigestRun.week_of).where(DigestRun.plan_id == plan_id)
        return list(await self._session.scalars(stmt.order_by(DigestRun.week_of)))


class RoundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open(self, values: dict[str, Any]) -> int | None:
        """A new round; None when the plan already has one for that reporting deadline."""
        values = {"state": "open", "closed_at": None, **values}
        return await insert_ignoring_conflict(self._session, ReportRound, values)

    async def get(self, round_id: int) -> ReportRound | None:
        return await self._session.get(ReportRound, round_id)

    async def for_plan(self, plan_id: int) -> list[ReportRound]:
        stmt = select(ReportRound).where(ReportRound.plan_id == plan_id)
        return list(await self._session.scalars(stmt.order_by(ReportRound.due)))

    async def open_rounds(self) -> list[ReportRound]:
        stmt = select(ReportRound).where(ReportRound.state == "open").order_by(ReportRound.id)
        return list(await self._session.scalars(stmt))

    async def nudged_on(self, round_id: int, day: date) -> bool:
        """Whether the round's nudges of that day are in the outbox already."""
        key = f"round:{round_id}:nudge:%:{day.isoformat()}"
        stmt = select(OutboxMessage.id).where(OutboxMessage.idempotency_key.like(key)).limit(1)
        return await self._session.scalar(stmt) is not None

    async def close(self, round_id: int, at: datetime) -> bool:
        """Close an open round; False when it was closed already (by another instance)."""
        result = await self._session.execute(
            update(ReportRound)
            .where(ReportRound.id == round_id, ReportRound.state == "open")
            .values(state="closed", closed_at=at)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def answer(self, values: dict[str, Any]) -> None:
        """Record an agency's answer or skip for a task, replacing an earlier one."""
        existing = await self._session.scalar(
            select(RoundAnswer).where(
                RoundAnswer.round_id == values["round_id"],
                RoundAnswer.task_id == values["task_id"],
                RoundAnswer.agency_id == values["agency_id"],
            )
        )
        if existing is None:
            if await insert_ignoring_conflict(self._session, RoundAnswer, values) is not None:
                return
            return await self.answer(values)  # another message of the same agency got there
        for key, value in values.items():
            setattr(existing, key, value)
        await self._session.flush()

    async def answers(
        self, round_id: int, agency_ids: Sequence[int] | None = None
    ) -> list[RoundAnswer]:
        stmt = select(RoundAnswer).where(RoundAnswer.round_id == round_id)
        if agency_ids is not None:
            stmt = stmt.where(RoundAnswer.agency_id.in_(list(agency_ids)))
        return list(await self._session.scalars(stmt.order_by(RoundAnswer.id)))

    async def last_reports(
        self,
        task_ids: Sequence[int],
        agency_id: int,
        *,
        statuses: Sequence[str],
        void_states: Sequence[str],
    ) -> dict[int, Report]:
        """Per task, the agency's newest report of these statuses that still stands."""
        if not task_ids:
            return {}
        stmt = (
            select(Report)
            .where(
                Report.task_id.in_(list(task_ids)),
                Report.agency_id == agency_id,
                Report.status.in_(list(statuses)),
                Report.state.not_in(list(void_states)),
            )
            .order_by(Report.created_at, Report.id)
        )
        return {r.task_id: r for r in await self._session.scalars(stmt)}
