"""Loads tasks with where each stands for an agency, the shared input of every chat answer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from plans.progress import PROGRESS_STATUSES, VOID_STATES, Standing, standing
from plans.schedule import Schedule
from scheduler.calendar import WorkingCalendar
from storage.models import Agency, Task
from storage.reporting import ReportFacts
from storage.uow import UnitOfWork

# Reports of which only the newest per task, agency and checkpoint can change a standing.
LATEST_ONLY = PROGRESS_STATUSES


@dataclass(frozen=True)
class Assigned:
    """One task as one agency is assigned it, before any report is read."""

    task: Task
    agency: Agency
    role: str  # "lead" | "support"


@dataclass(frozen=True)
class TaskView(Assigned):
    """One task as one agency sees it: with where it stands."""

    standing: Standing


def _plan_order(a: Assigned) -> tuple[bool, int, int]:
    return (a.role != "lead", a.task.plan_id, a.task.position)


async def assigned(
    uow: UnitOfWork, agency: Agency, *, task_id: int | None = None, code: str | None = None
) -> list[Assigned]:
    """The agency's active tasks (or the one with this id, or those with this code), leads
    before support, in plan order.

    One query and no reports: enough to tell which task a message names.
    """
    rows = await uow.assigned.tasks_of(agency.id, task_id, code)
    found = [Assigned(task, agency, role) for task, role in rows]
    found.sort(key=_plan_order)
    return found


async def views(
    uow: UnitOfWork,
    tasks: Sequence[Assigned],
    today: date,
    calendar: WorkingCalendar,
    confirm_done: bool,
) -> list[TaskView]:
    """Where each of these stands, in the same order."""
    # A supporting agency sees the task as its lead agency reports it.
    support = [a.task.id for a in tasks if a.role != "lead"]
    leads = await uow.assigned.lead_ids(support)
    owners = {
        (a.task.id, a.agency.id): (
            a.agency.id if a.role == "lead" else (leads.get(a.task.id) or [a.agency.id])[0]
        )
        for a in tasks
    }
    history: dict[tuple[int, int], list[ReportFacts]] = defaultdict(list)
    facts = await uow.reports.facts_for(
        (a.task.id for a in tasks),
        set(owners.values()),
        # What `standing` folds: every approved extension, but of done, progress and blocked
        # reports only the newest per checkpoint (the checkpoints reported done, and the
        # latest word, come out the same); nothing sent back or refused.
        void_states=VOID_STATES,
        latest_only=LATEST_ONLY,
    )
    for r in facts:
        history[(r.task_id, r.agency_id)].append(r)
    return [
        TaskView(
            task=a.task,
            agency=a.agency,
            role=a.role,
            standing=standing(
                Schedule.from_json(a.task.schedule),
                a.task.deadline_override,
                history[(a.task.id, owners[(a.task.id, a.agency.id)])],
                today,
                calendar,
                needs_confirmation=confirm_done,
            ),
        )
        for a in tasks
    ]


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
    tasks = await assigned(uow, agency, task_id=task_id)
    return await views(uow, tasks, today, calendar, confirm_done)


async def lead_views(
    uow: UnitOfWork, today: date, calendar: WorkingCalendar, confirm_done: bool
) -> list[TaskView]:
    """Every active task once per lead agency: the plan-wide picture the coordinator asks for."""
    plans = await uow.plans.list_all()
    leads: list[Assigned] = []
    for summary in plans:
        rows = await uow.assignments.list_for_plan(summary.plan.id)
        tasks = {t.id: t for t in await uow.tasks.list_for_plan(summary.plan.id)}
        for a in rows:
            task = tasks.get(a.task_id)
            if a.role == "lead" and task is not None:
                leads.append(Assigned(task, a.agency, a.role))
    return await views(uow, leads, today, calendar, confirm_done)
