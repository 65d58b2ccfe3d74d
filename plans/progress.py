"""Where a task stands for one agency: its current deadline, what was reported, late or not."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from plans.schedule import Schedule

# Statuses a person can report; the first three move the task, an extension request does not.
PROGRESS_STATUSES = ("done", "in_progress", "blocked")
# Reports that no longer count: a "done" the coordinator sent back, a refused extension.
VOID_STATES = ("returned", "rejected")
DUE_SOON_WORKING_DAYS = 3


class ReportLike(Protocol):
    status: str
    state: str
    percent: int | None
    said_date: date | None
    date_role: str | None
    reason: str | None
    checkpoint: date | None
    agency_id: int

    @property
    def created_on(self) -> date: ...


class WorkingDays(Protocol):
    def working_days_between(self, start: date, end: date) -> int: ...

    def next_working_day(self, day: date) -> date: ...


@dataclass(frozen=True)
class Standing:
    """A task for one agency as of one day."""

    status: str  # not_reported | in_progress | blocked | done_pending | done
    timing: str  # no_deadline | in_time | due_soon | overdue | done_on_time | done_late
    due: date | None  # the deadline now in force (after an approved extension)
    original_due: date | None  # the plan's deadline when an extension moved it, else None
    checkpoint: date | None  # which occurrence this is about (recurring tasks have several)
    percent: int | None = None
    reason: str | None = None
    overdue_days: int = 0  # calendar days past the deadline's last working day
    working_days_left: int | None = None
    done_on: date | None = None

    @property
    def is_overdue(self) -> bool:
        return self.timing == "overdue"

    @property
    def is_done(self) -> bool:
        return self.status in ("done", "done_pending")


def checkpoints(schedule: Schedule, override: date | None) -> tuple[date, ...]:
    """The deadlines a task is reported against, in order.

    A person's date (an event task's deadline set later, an extension on a one-off) replaces
    a schedule with at most one deadline; a recurring task keeps every occurrence.
    """
    dues = tuple(sorted(set(schedule.due)))
    if override is not None and len(dues) <= 1:
        return (override,)
    return dues


def _is_done(report: ReportLike, needs_confirmation: bool) -> bool:
    if report.status != "done" or report.state in VOID_STATES:
        return False
    return report.state == "confirmed" or not needs_confirmation or report.state == "recorded"


def _current_checkpoint(
    dues: Sequence[date], reports: Sequence[ReportLike]
) -> tuple[date | None, bool]:
    """The first occurrence not yet reported done, and whether every one of them was."""
    if not dues:
        return None, False
    done = {r.checkpoint for r in reports if r.status == "done" and r.state not in VOID_STATES}
    if len(dues) == 1:
        answered = any(r.status == "done" and r.state not in VOID_STATES for r in reports)
        return dues[0], answered
    for due in dues:
        if due not in done:
            return due, False
    return dues[-1], True


def _extended(checkpoint: date | None, reports: Sequence[ReportLike]) -> date | None:
    approved = [
        r.said_date
        for r in reports
        if r.status == "extension_request"
        and r.state == "approved"
        and r.said_date is not None
        and (checkpoint is None or r.checkpoint in (None, checkpoint))
    ]
    return approved[-1] if approved else None


def standing(
    schedule: Schedule,
    override: date | None,
    reports: Iterable[ReportLike],
    today: date,
    calendar: WorkingDays,
    *,
    needs_confirmation: bool = True,
) -> Standing:
    """Fold one agency's reports on one task (oldest first) into where the task stands today."""
    history = list(reports)
    plan_dues = checkpoints(schedule, None)
    dues = checkpoints(schedule, override)
    checkpoint, all_done = _current_checkpoint(dues, history)
    due = _extended(checkpoint, history) or checkpoint
    original = None
    if due is not None and plan_dues and due not in plan_dues:
        original = checkpoint if checkpoint in plan_dues else plan_dues[-1]
    relevant = [
        r
        for r in history
        if r.status in PROGRESS_STATUSES
        and r.state not in VOID_STATES
        and (len(dues) <= 1 or r.checkpoint in (None, checkpoint))
    ]
    latest = relevant[-1] if relevant else None
    if latest is not None and latest.status == "done":
        status = "done" if _is_done(latest, needs_confirmation) else "done_pending"
        done_on = latest.said_date if latest.date_role == "done_on" else latest.created_on
        late = due is not None and done_on is not None and done_on > calendar.next_working_day(due)
        return Standing(
            status=status,
            timing="done_late" if late else "done_on_time",
            due=due,
            original_due=original,
            checkpoint=checkpoint,
            percent=100,
            done_on=done_on,
        )
    if all_done:  # a recurring task whose every occurrence is done
        return Standing("done", "done_on_time", due, original, checkpoint, percent=100)
    status = latest.status if latest is not None else "not_reported"
    percent = latest.percent if latest is not None else None
    reason = latest.reason if latest is not None and latest.status == "blocked" else None
    if due is None:
        return Standing(status, "no_deadline", None, None, checkpoint, percent, reason)
    # A deadline on a day off runs to the end of the next working day (Civil Code, art. 148),
    # as the reminders count it: Monday is still on time for a Saturday deadline.
    last_day = calendar.next_working_day(due)
    if today > last_day:
        return Standing(
            status,
            "overdue",
            due,
            original,
            checkpoint,
            percent,
            reason,
            overdue_days=(today - last_day).days,
        )
    left = calendar.working_days_between(today, due)
    timing = "due_soon" if left <= DUE_SOON_WORKING_DAYS else "in_time"
    return Standing(
        status, timing, due, original, checkpoint, percent, reason, working_days_left=left
    )
