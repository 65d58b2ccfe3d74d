"""Loads tasks with where each stands for an agency, the shared input of every chat answer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm.attributes import set_committed_value

from plans.progress import Standing, standing
from plans.schedule import Schedule
from scheduler.calendar import WorkingCalendar
from storage.models import Agency, Assignment, Report, Task
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class TaskView:
    """One task as one agency sees it."""

    task: Task
    agency: Agency
    role: str  # "lead" | "support"
    standing: Standing
    leads: tuple[str, ...]  # names of the lead agencies, in the plan's order
    last_report: Report | None


async def _views(
    uow: UnitOfWork,
    assignments: Iterable[Assignment],
    today: date,
    calendar: WorkingCalendar,
    confirm_done: bool,
) -> list[TaskView]:
    picked = [a for a in assignments if a.task.active]
    task_ids = sorted({a.task_id for a in picked})
    everyone = await uow.assignments.list_for_tasks(task_ids, with_aliases=False)
    leads: dict[int, list[str]] = defaultdict(list)
    lead_ids: dict[int, list[int]] = defaultdict(list)
    for a in everyone:
        if a.role == "lead":
            leads[a.task_id].append(a.agency.name)
            lead_ids[a.task_id].append(a.agency_id)
    reports: dict[tuple[int, int], list[Report]] = defaultdict(list)
    for r in await uow.reports.for_tasks(task_ids):
        reports[(r.task_id, r.agency_id)].append(r)
    views = []
    for a in picked:
        # A supporting agency sees the task as its lead agency reports it.
        owner = a.agency_id if a.role == "lead" else (lead_ids[a.task_id] or [a.agency_id])[0]
        history = reports[(a.task_id, owner)]
        mine = reports[(a.task_id, a.agency_id)]
        views.append(
            TaskView(
                task=a.task,
                agency=a.agency,
                role=a.role,
                standing=standing(
                    Schedule.from_json(a.task.schedule),
                    a.task.deadline_override,
                    history,
                    today,
                    calendar,
                    needs_confirmation=confirm_done,
                ),
                leads=tuple(leads[a.task_id]),
                last_report=mine[-1] if mine else None,
            )
        )
    return views


async def for_agency(
    uow: UnitOfWork,
    agency: Agency,
    today: date,
    calendar: WorkingCalendar,
    confirm_done: bool,
    *,
    task_id: int | None = None,
) -> list[TaskView]:
    """The agency's active tasks (or just one of them), leads before support, in plan order."""
    assignments = await uow.assignments.list_for_agency(agency.id)
    if task_id is not None:
        assignments = [a for a in assignments if a.task_id == task_id]
    for a in assignments:
        # Already loaded by the caller; set as loaded state, not as a change to flush.
        set_committed_value(a, "agency", agency)
    views = await _views(uow, assignments, today, calendar, confirm_done)
    views.sort(key=lambda v: (v.role != "lead", v.task.plan_id, v.task.position))
    return views


async def lead_views(
    uow: UnitOfWork, today: date, calendar: WorkingCalendar, confirm_done: bool
) -> list[TaskView]:
    """Every active task once per lead agency: the plan-wide picture the coordinator asks for."""
    plans = await uow.plans.list_all()
    assignments: list[Assignment] = []
    for summary in plans:
        rows = await uow.assignments.list_for_plan(summary.plan.id)
        tasks = {t.id: t for t in await uow.tasks.list_for_plan(summary.plan.id)}
        for a in rows:
            if a.role == "lead" and a.task_id in tasks:
                set_committed_value(a, "task", tasks[a.task_id])
                assignments.append(a)
    return await _views(uow, assignments, today, calendar, confirm_done)
