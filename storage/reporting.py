"""Queries for what agencies reported and the files they sent as evidence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Evidence, Report


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, **values: Any) -> Report:
        row = Report(**values)
        self._session.add(row)
        await self._session.flush()
        return row

    async def get(self, report_id: int) -> Report | None:
        return await self._session.get(Report, report_id)

    async def for_tasks(self, task_ids: Iterable[int]) -> list[Report]:
        """Every report on these tasks, oldest first (the latest per agency wins when folded)."""
        ids = list(task_ids)
        if not ids:
            return []
        stmt = select(Report).where(Report.task_id.in_(ids)).order_by(Report.created_at, Report.id)
        return list(await self._session.scalars(stmt))

    async def awaiting_review(self) -> list[Report]:
        stmt = (
            select(Report)
            .where(Report.state == "awaiting_review")
            .order_by(Report.created_at, Report.id)
        )
        return list(await self._session.scalars(stmt))

    async def latest_by_contact(self, contact_id: int, since: datetime) -> Report | None:
        stmt = (
            select(Report)
            .where(Report.contact_id == contact_id, Report.created_at >= since)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(1)
        )
        return (await self._session.scalars(stmt)).first()


class EvidenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, **values: Any) -> Evidence:
        row = Evidence(**values)
        self._session.add(row)
        await self._session.flush()
        return row

    async def attach_loose(self, contact_id: int, since: datetime, report_id: int) -> int:
        """Give a new report the files its author sent just before it; returns how many."""
        stmt = (
            update(Evidence)
            .where(
                Evidence.contact_id == contact_id,
                Evidence.report_id.is_(None),
                Evidence.created_at >= since,
            )
            .values(report_id=report_id)
            .execution_options(synchronize_session=False)
        )
        return (await self._session.execute(stmt)).rowcount  # type: ignore[attr-defined]

    async def for_report(self, report_id: int) -> list[Evidence]:
        stmt = select(Evidence).where(Evidence.report_id == report_id).order_by(Evidence.id)
        return list(await self._session.scalars(stmt))
