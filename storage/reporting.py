"""Queries for what agencies reported and the files they sent as evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Update, bindparam, false, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plans.progress import PROGRESS_STATUSES, VOID_STATES
from storage.models import Evidence, Report
from storage.together import bound, named
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
        Report.superseded == false(),  # ranked out anyway; skipped with the index
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
# The files a person sent just before a report, not yet given to one.
_LOOSE_FILES = (
    _EVIDENCE.c.contact_id == bindparam("b_contact_id"),
    _EVIDENCE.c.report_id.is_(None),
    _EVIDENCE.c.created_at >= bindparam("b_since"),
)
_ATTACH_LOOSE = update(_EVIDENCE).where(*_LOOSE_FILES).values(report_id=bindparam("b_report_id"))


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
    .values(bound("new", NEW_REPORT_FIELDS))
    # Spelled out: inside a CTE an insert gets no Python-side defaults.
    .values(superseded=false())
    .returning(_REPORTS.c.id)
)
# On PostgreSQL the loose files take the new report's id in the same statement: a CTE sees
# what an earlier one returns, though not the rows it wrote.
_NEW = _NEW_REPORT.cte("new_report")
_NEW_ID = select(_NEW.c.id).scalar_subquery()
_ATTACHED = (
    update(_EVIDENCE)
    .where(*_LOOSE_FILES)
    .values(report_id=_NEW_ID)
    .returning(_EVIDENCE.c.id)
    .cte("attached")
)


def _group_of(prefix: str) -> tuple[Any, ...]:
    """The reports of one agency on one task, status and checkpoint, the last one counting."""
    return (
        _REPORTS.c.task_id == bindparam(f"{prefix}_task_id"),
        _REPORTS.c.agency_id == bindparam(f"{prefix}_agency_id"),
        _REPORTS.c.status == bindparam(f"{prefix}_status"),
        _REPORTS.c.status.in_(PROGRESS_STATUSES),
        _REPORTS.c.checkpoint.is_not_distinct_from(bindparam(f"{prefix}_checkpoint")),
    )


def _older_unmarked(new_id: Any) -> tuple[Any, ...]:
    """The reports a new progress report supersedes (see Report.superseded): of its group,
    older than it, not marked yet."""
    return (
        *_group_of("new"),
        _REPORTS.c.superseded == false(),
        _REPORTS.c.created_at <= bindparam("new_created_at"),
        _REPORTS.c.id < new_id,
    )


def _superseding(new_id: Any) -> Update:
    """Mark what a new progress report supersedes. Rows another transaction holds are left
    unmarked (SKIP LOCKED, PostgreSQL; SQLite has one writer), not waited for: two reports on
    one task at once would otherwise queue on the older rows, and a row left unmarked is
    still ranked out when read."""
    free = select(_REPORTS.c.id).where(*_older_unmarked(new_id)).with_for_update(skip_locked=True)
    return update(_REPORTS).where(_REPORTS.c.id.in_(free)).values(superseded=True)


_SUPERSEDE = _superseding(bindparam("new_id"))
_NEW_REPORT_WITH_FILES = select(
    _NEW_ID, select(func.count()).select_from(_ATTACHED).scalar_subquery()
).add_cte(_superseding(_NEW_ID).cte("superseding"))
# A report sent back: the newest other one of its group, not sent back itself, counts again.
_REINSTATE = (
    update(_REPORTS)
    .where(
        _REPORTS.c.id
        == select(_REPORTS.c.id)
        .where(
            *_group_of("back"),
            _REPORTS.c.state.not_in(VOID_STATES),
            _REPORTS.c.id != bindparam("back_id"),
        )
        .order_by(_REPORTS.c.created_at.desc(), _REPORTS.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    .values(superseded=False)
)


_GROUP_FIELDS = ("task_id", "agency_id", "status", "checkpoint")


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, **values: Any) -> Report:
        row = Report(**values)
        self._session.add(row)
        await self._session.flush()
        await self._supersede_older(
            row.id, {name: getattr(row, name) for name in NEW_REPORT_FIELDS}
        )
        return row

    async def add_with_files(
        self, values: dict[str, Any], *, files_since: datetime
    ) -> tuple[Report, int]:
        """A new report (`values` holds NEW_REPORT_FIELDS), given the files its author sent
        just before it (see `EvidenceRepository.attach_loose`): the report, not tracked by
        the session, and how many files it got. One statement on PostgreSQL."""
        params = named("new", {name: values[name] for name in NEW_REPORT_FIELDS})
        loose = {"b_contact_id": values["contact_id"], "b_since": files_since}
        if self._session.get_bind().dialect.name == "postgresql":
            result = await self._session.execute(_NEW_REPORT_WITH_FILES, params | loose)
            report_id, files = result.one()
        else:
            report_id = (await self._session.execute(_NEW_REPORT, params)).scalar_one()
            files = await EvidenceRepository(self._session).attach_loose(
                values["contact_id"], files_since, report_id
            )
            await self._supersede_older(report_id, values)
        return Report(id=report_id, **{name: values[name] for name in NEW_REPORT_FIELDS}), files

    async def _supersede_older(self, report_id: int, values: dict[str, Any]) -> None:
        if values["status"] in PROGRESS_STATUSES and values["state"] not in VOID_STATES:
            params = named("new", {name: values[name] for name in _GROUP_FIELDS})
            params |= {"new_id": report_id, "new_created_at": values["created_at"]}
            await self._session.execute(_SUPERSEDE, params)

    async def reinstate_before(self, report: Report) -> None:
        """`report` was sent back (a void state): the newest other report of its group that
        was not counts again, as it did before this one came."""
        await self._session.flush()  # states changed on loaded reports count in the choice
        params = {f"back_{name}": getattr(report, name) for name in _GROUP_FIELDS}
        await self._session.execute(_REINSTATE, params | {"back_id": report.id})

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
