"""A plan, its tasks, who does them and every report, read once into plain dataclasses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from plans.schedule import Schedule
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork

DECIDED = ("confirmed", "returned", "approved", "rejected")


@dataclass(frozen=True)
class AgencyRef:
    id: int
    name: str


@dataclass(frozen=True)
class ReportRecord:
    """One report as stored; satisfies plans.progress.ReportLike."""

    id: int
    agency_id: int
    status: str
    state: str
    percent: int | None
    said_date: date | None
    date_role: str | None
    reason: str | None
    text: str
    checkpoint: date | None
    review_note: str | None
    created_at: datetime
    reviewed_at: datetime | None

    @property
    def created_on(self) -> date:
        return self.created_at.astimezone(LOCAL_TZ).date()

    def as_of(self, day: date) -> ReportRecord | None:
        """The report as it stood at the end of `day`: None before it was made, undecided
        before the coordinator decided (a confirmation next week does not count this week)."""
        if self.created_on > day:
            return None
        if (
            self.state in DECIDED
            and self.reviewed_at is not None
            and self.reviewed_at.astimezone(LOCAL_TZ).date() > day
        ):
            return replace(self, state="awaiting_review", review_note=None)
        return self


@dataclass(frozen=True)
class TaskRecord:
    id: int
    code: str
    title: str
    section: str | None
    parent_code: str | None
    position: int
    timeframe: str | None
    schedule: Schedule
    deadline_override: date | None
    leads: tuple[AgencyRef, ...]  # in the plan's order: the first answers for the task
    supports: tuple[AgencyRef, ...]
    reports: tuple[ReportRecord, ...]  # every agency's, oldest first

    def reports_of(self, agency_id: int, day: date) -> list[ReportRecord]:
        """One agency's reports on this task as they stood at the end of `day`, oldest first."""
        out = []
        for r in self.reports:
            if r.agency_id == agency_id:
                seen = r.as_of(day)
                if seen is not None:
                    out.append(seen)
        return out

    def override_as_of(self, day: date) -> date | None:
        """The deadline set by hand, unless it came from an extension approved after `day`."""
        if self.deadline_override is None:
            return None
        for r in self.reports:
            if (
                r.status == "extension_request"
                and r.state == "approved"
                and r.said_date == self.deadline_override
                and r.reviewed_at is not None
                and r.reviewed_at.astimezone(LOCAL_TZ).date() > day
            ):
                return None
        return self.deadline_override


@dataclass(frozen=True)
class PlanData:
    id: int
    title: str
    number: str | None
    issued_on: date | None
    year: int
    issuer: str | None
    settings: dict[str, Any]
    reporting: tuple[dict[str, Any], ...]
    tasks: tuple[TaskRecord, ...]  # active ones, in document order
    coordinator_agency: str | None  # the department that runs the plan, when one is registered
    extra_holidays: frozenset[date]


def _record(r: Any) -> ReportRecord:
    return ReportRecord(
        id=r.id,
        agency_id=r.agency_id,
        status=r.status,
        state=r.state,
        percent=r.percent,
        said_date=r.said_date,
        date_role=r.date_role,
        reason=r.reason,
        text=r.text or "",
        checkpoint=r.checkpoint,
        review_note=r.review_note,
        created_at=r.created_at,
        reviewed_at=r.reviewed_at,
    )


async def load_plan_data(uow: UnitOfWork, plan_id: int) -> PlanData | None:
    """Everything the report and the digest read about one plan, in four queries."""
    plan = await uow.plans.get(plan_id)
    if plan is None:
        return None
    tasks = await uow.tasks.list_for_plan(plan_id)
    leads: dict[int, list[AgencyRef]] = defaultdict(list)
    supports: dict[int, list[AgencyRef]] = defaultdict(list)
    for a in await uow.assignments.list_for_plan(plan_id):
        (leads if a.role == "lead" else supports)[a.task_id].append(
            AgencyRef(a.agency_id, a.agency.name)
        )
    reports: dict[int, list[ReportRecord]] = defaultdict(list)
    for r in await uow.reports.for_tasks(t.id for t in tasks):
        reports[r.task_id].append(_record(r))
    coordinators = await uow.contacts.with_role("coordinator")
    return PlanData(
        id=plan.id,
        title=plan.title,
        number=plan.number,
        issued_on=plan.issued_on,
        year=plan.year,
        issuer=plan.issuer,
        settings=dict(plan.settings or {}),
        reporting=tuple(plan.reporting or ()),
        tasks=tuple(
            TaskRecord(
                id=t.id,
                code=t.code,
                title=t.title,
                section=t.section,
                parent_code=t.parent_code,
                position=t.position,
                timeframe=t.timeframe,
                schedule=Schedule.from_json(t.schedule),
                deadline_override=t.deadline_override,
                leads=tuple(leads[t.id]),
                supports=tuple(supports[t.id]),
                reports=tuple(reports[t.id]),
            )
            for t in tasks
        ),
        coordinator_agency=coordinators[0].agency.name if coordinators else None,
        extra_holidays=frozenset(await uow.calendar_days.days()),
    )
