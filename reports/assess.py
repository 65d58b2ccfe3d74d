"""Where every task of a plan stood on a given day, per agency and for the task as a whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from plans.progress import Standing, WorkingDays, standing
from reports.data import AgencyRef, PlanData, ReportRecord, TaskRecord

# The colour keys of MISSION.md: green, orange, red, blue, grey.
STATUS_KEYS = ("done_on_time", "done_late", "overdue", "in_progress", "not_started")


@dataclass(frozen=True)
class AgencyPart:
    """One agency's part in a task: its role, its reports so far and where that leaves it."""

    agency: AgencyRef
    role: str  # "lead" | "support"
    standing: Standing
    reports: tuple[ReportRecord, ...]


@dataclass(frozen=True)
class TaskState:
    task: TaskRecord
    parts: tuple[AgencyPart, ...]  # lead agencies first, in the plan's order, then support
    standing: Standing  # the task's: its first lead agency's, as /quahan and /tiendo count it

    @property
    def key(self) -> str:
        return status_key(self.standing)

    @property
    def lead_parts(self) -> tuple[AgencyPart, ...]:
        return tuple(p for p in self.parts if p.role == "lead")


def status_key(s: Standing) -> str:
    """The colour a standing is shown in; a "done" awaiting confirmation is not done yet."""
    if s.status == "done":
        return "done_late" if s.timing == "done_late" else "done_on_time"
    if s.timing == "overdue":
        return "overdue"
    return "not_started" if s.status == "not_reported" else "in_progress"


def task_states(
    data: PlanData, day: date, calendar: WorkingDays, *, confirm_done: bool = True
) -> list[TaskState]:
    """Every task as it stood at the end of `day`, in the plan's order."""
    out = []
    for task in data.tasks:
        override = task.override_as_of(day)
        parts = []
        for role, agencies in (("lead", task.leads), ("support", task.supports)):
            for agency in agencies:
                history = task.reports_of(agency.id, day)
                s = standing(
                    task.schedule,
                    override,
                    history,
                    day,
                    calendar,
                    needs_confirmation=confirm_done,
                )
                parts.append(AgencyPart(agency, role, s, tuple(history)))
        leads = [p for p in parts if p.role == "lead"]
        if leads:
            overall = leads[0].standing
        else:  # a task the importer found no lead for: its deadline alone
            overall = standing(task.schedule, override, [], day, calendar)
        out.append(TaskState(task, tuple(parts), overall))
    return out
