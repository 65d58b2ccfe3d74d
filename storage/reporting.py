"""Queries for what agencies reported and the files they sent as evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Evidence, Report
from storage.types import LOCAL_TZ


class ReportFacts(NamedTuple):
    """What a report says about where its task stands: a plain row, not a tracked object."""

    task_id: int
    agency_id: int
    status: str
    state: str
    percent: int | None
    said_date: date | None
    date_role: str | None
    reason: str | None
    checkpoint: date | None
    created_at: datetime

    @property
    def created_on(self) -> date:
        """The local day the report was made (for "done on time")."""
        return self.created_at.astimezone(LOCAL_TZ).date()


# Built once: building and keying a statement costs more than running it (every report asks).
# Each report numbered newest first within its task, agency, status and checkpoint, so that
# of the statuses where only the latest counts, only the latest is read (window functions:
# PostgreSQL, SQLite 3.25+).
_RANKED = (
    select(
        *(getattr(Report, name) for name in ReportFacts._fields),
        Report.id,
        func.row_number()
        .over(
            partition_by=(Report.task_id, Report.agency_id, Report.status, Report.checkpoint),
            order_by=(Report.created_at.desc(), Report.id.desc()),
        )
        .label("newer"),
    )
    .where(
        Report.task_id.in_(bindparam("task_ids", expanding=True)),
        Report.agency_id.in_(bindparam("agency_ids", expanding=True)),
        Report.state.not_in(bindparam("void_states", expanding=True)),
    )
    .subquery()
)
_FACTS = (
    select(*(_RANKED.c[name] for name in ReportFacts._fields))
    .where(
        or_(
            _RANKED.c.status.not_in(bindparam("latest_only", expanding=True)),
            _RANKED.c.newer == 1,
        )
    )
    .order_by(_RANKED.c.created_at, _RANKED.c.id)
)
_EVIDENCE = Evidence.__table__
_ATTACH_LOOSE = (
    update(_EVIDENCE)
    .where(
        _EVIDENCE.c.contact_id == bindparam("b_contact_id"),
        _EVIDENCE.c.report_id.is_(None),
        _EVIDENCE.c.created_at >= bindparam("b_since"),
    )
    .values(report_id=bindparam("b_report_id"))
)


_REPORTS = Report.__table__
# What a report by chat says; stored with the files sent before it in one statement.
NEW_REPORT_FIELDS = (
    "task_id",
    "agency_id",
    "contact_id",
    "inbound_id",
    "status",
    "percent",
    "said_date",
    "date_role",
    "reason",
    "text",
    "checkpoint",
    "state",
    "created_at",
)
_NEW_REPORT = (
    insert(_REPORTS)
    .values({name: bindparam(f"new_{name}") for name in NEW_REPORT_FIELDS})
    .returning(_REPORTS.c.id)
)
# On PostgreSQL the loose files take the new report's id in the same statement: a CTE sees
# what an earlier one returns, though not the rows it wrote.
_NEW = _NEW_REPORT.cte("new_report")
_ATTACHED = (
    update(_EVIDENCE)
    .where(
        _EVIDENCE.c.contact_id == bindparam("b_contact_id"),
        _EVIDENCE.c.report_id.is_(None),
        _EVIDENCE.c.created_at >= bindparam("b_since"),
    )
    .values(report_id=select(_NEW.c.id).scalar_subquery())
    .returning(_EVIDENCE.c.id)
    .cte("attached")
)
_NEW_REPORT_WITH_FILES = select(
    select(_NEW.c.id).scalar_subquery(),
    select(func.count()).select_from(_ATTACHED).scalar_subquery(),
)


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, **values: Any) -> Report:
        row = Report(**values)
        self._session.add(row)
        await self._session.flush()
        return row

    async def add_with_files(
        self, values: dict[str, Any], *, files_since: datetime
    ) -> tuple[Report, int]:
        """A new report (`values` holds NEW_REPORT_FIELDS), given the files its author sent
        just before it (see `EvidenceRepository.attach_loose`): the report, not tracked by
        the session, and how many files it got. One statement on PostgreSQL."""
        params = {f"new_{name}": values[name] for name in NEW_REPORT_FIELDS}
        loose = {"b_contact_id": values["contact_id"], "b_since": files_since}
        if self._session.get_bind().dialect.name == "postgresql":
            result = await self._session.execute(_NEW_REPORT_WITH_FILES, params | loose)
            report_id, files = result.one()
        else:
            report_id = (await self._session.execute(_NEW_REPORT, params)).scalar_one()
            files = await EvidenceRepository(self._session).attach_loose(
                values["contact_id"], files_since, report_id
            )
        return Report(id=report_id, **{name: values[name] for name in NEW_REPORT_FIELDS}), files

    async def get(self, report_id: int) -> Report | None:
        return await self._session.get(Report, report_id)

    async def for_tasks(self, task_ids: Iterable[int]) -> list[Report]:
        """Every report on these tasks, oldest first (the latest per agency wins when folded)."""
        ids = list(task_ids)
        if not ids:
            return []
        stmt = select(Report).where(Report.task_id.in_(ids)).order_by(Report.created_at, Report.id)
        return list(await self._session.scalars(stmt))

    async def facts_for(
        self,
        task_ids: Iterable[int],
        agency_ids: Iterable[int],
        *,
        void_states: Sequence[str],
        latest_only: Sequence[str],
    ) -> list[ReportFacts]:
        """The reports of these agencies on these tasks as plain rows, oldest first.

        Left out: reports in `void_states`, and of the statuses in `latest_only` all but the
        newest per task, agency, status and checkpoint. Where a task stands is read on every
        report by chat; a task reported on weekly for a year would otherwise be read whole,
        and plain rows cost a fraction of tracked objects.
        """
        tasks, agencies = sorted(set(task_ids)), sorted(set(agency_ids))
        if not tasks or not agencies:
            return []
        params = {"task_ids": tasks, "agency_ids": agencies}
        params |= {"void_states": list(void_states), "latest_only": list(latest_only)}
        return [ReportFacts(*row) for row in await self._session.execute(_FACTS, params)]

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
        params = {"b_contact_id": contact_id, "b_since": since, "b_report_id": report_id}
        return (await self._session.execute(_ATTACH_LOOSE, params)).rowcount  # type: ignore[attr-defined]

    async def for_report(self, report_id: int) -> list[Evidence]:
        stmt = select(Evidence).where(Evidence.report_id == report_id).order_by(Evidence.id)
        return list(await self._session.scalars(stmt))
