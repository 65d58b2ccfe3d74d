"""Which of one agency's checkpoints on one task call for a reminder on a given working day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from plans.progress import PROGRESS_STATUSES, VOID_STATES, ReportLike, checkpoints
from plans.schedule import Schedule
from scheduler.calendar import WorkingCalendar
from scheduler.policy import ReminderPolicy

# Most urgent first: a message takes the kind of its most urgent line.
KINDS = ("escalation", "overdue", "due", "before", "checkin")


@dataclass(frozen=True)
class Duty:
    """One agency's part in one task, with what it and the lead agency reported (oldest first)."""

    task_id: int
    code: str
    title: str
    plan_id: int
    agency_id: int
    agency_name: str
    role: str  # "lead" | "support"
    schedule: Schedule
    override: date | None  # a deadline set by a person (event task, granted extension)
    reports: tuple[ReportLike, ...]  # this agency's
    lead_reports: tuple[ReportLike, ...] = ()  # the lead agencies' (for a supporting agency)
    leads: tuple[str, ...] = ()  # lead agency names, for a supporting agency's message


@dataclass(frozen=True)
class Trigger:
    """A reminder line: this checkpoint, what kind of reminder, and where it stands that day."""

    duty: Duty
    checkpoint: date
    due: date  # the deadline in force (after an approved extension)
    kind: str  # before | due | overdue | checkin
    working_days_left: int = 0
    overdue_working_days: int = 0
    overdue_days: int = 0  # calendar days past the deadline
    escalate: bool = False  # the leader and the coordinator are told (escalation cadence)
    remind: bool = True  # the agency's focal point is told (reminder cadence)
    escalate_after: int = 0  # the threshold escalation counts from, for the message

    @property
    def key(self) -> tuple[int, int, date]:
        return (self.duty.task_id, self.duty.agency_id, self.checkpoint)


def _about(report: ReportLike, checkpoint: date, single: bool) -> bool:
    return single or report.checkpoint in (None, checkpoint)


def is_done(reports: Sequence[ReportLike], checkpoint: date, single: bool) -> bool:
    """Reported done for this checkpoint (waiting for the coordinator counts; returned does not)."""
    return any(
        r.status == "done" and r.state not in VOID_STATES and _about(r, checkpoint, single)
        for r in reports
    )


def _in_progress(reports: Sequence[ReportLike], checkpoint: date, single: bool) -> bool:
    said = [
        r
        for r in reports
        if r.status in PROGRESS_STATUSES
        and r.state not in VOID_STATES
        and _about(r, checkpoint, single)
    ]
    return bool(said) and said[-1].status == "in_progress"


def _extended(reports: Sequence[ReportLike], checkpoint: date, single: bool) -> date | None:
    granted = [
        r.said_date
        for r in reports
        if r.status == "extension_request"
        and r.state == "approved"
        and r.said_date is not None
        and _about(r, checkpoint, single)
    ]
    return granted[-1] if granted else None


def checkin_points(schedule: Schedule, reporting_dues: Sequence[date]) -> tuple[date, ...]:
    """An ongoing task is asked about before each reporting deadline and at its end."""
    end = schedule.final_due
    start = schedule.start
    points = {
        d for d in reporting_dues if (start is None or d >= start) and (end is None or d <= end)
    }
    if end is not None:
        points.add(end)
    return tuple(sorted(points))


def _deadlines(duty: Duty) -> tuple[date, ...]:
    if duty.schedule.kind in ("unknown", "ongoing") and duty.override is None:
        return ()
    if duty.schedule.kind == "event":
        return (duty.override,) if duty.override else ()
    return checkpoints(duty.schedule, duty.override)


def triggers_on(
    duty: Duty,
    day: date,
    calendar: WorkingCalendar,
    policy: ReminderPolicy,
    reporting_dues: Sequence[date] = (),
    *,
    only: set[date] | None = None,
) -> list[Trigger]:
    """The reminder lines this duty gives on `day`.

    With `only`, the cadence is ignored and those checkpoints are described as they stand on
    `day` when still open: how reminders missed while the service was down are caught up.
    """
    if duty.schedule.kind == "ongoing" and duty.override is None:
        return _checkins(duty, day, calendar, policy, reporting_dues, only)
    dues = _deadlines(duty)
    single = len(dues) <= 1
    found = []
    for checkpoint in dues:
        if only is not None and checkpoint not in only:
            continue
        line = _deadline_line(duty, checkpoint, single, day, calendar, policy, only is not None)
        if line is not None:
            found.append(line)
    return found


def _deadline_line(
    duty: Duty,
    checkpoint: date,
    single: bool,
    day: date,
    calendar: WorkingCalendar,
    policy: ReminderPolicy,
    any_day: bool,
) -> Trigger | None:
    lead = duty.role == "lead"
    if is_done(duty.reports, checkpoint, single):
        return None
    if not lead and is_done(duty.lead_reports, checkpoint, single):
        return None  # the task is done: nothing left to contribute
    history = duty.reports if lead else duty.lead_reports
    due = _extended(history, checkpoint, single) or checkpoint
    # A deadline on a day off runs to the end of the next working day (Civil Code, art. 148).
    effective = calendar.next_working_day(due)
    if day < effective:
        left = calendar.working_days_between(day, effective)
        offsets = policy.before_days if lead else policy.support_before_days
        if not any_day and left not in offsets:
            return None
        if (
            lead
            and left > policy.quiet_when_in_progress
            and _in_progress(duty.reports, checkpoint, single)
        ):
            return None
        return Trigger(duty, checkpoint, due, "before", working_days_left=left)
    if day == effective:
        # A coordinating agency was asked for its part before; the day itself is the lead's.
        return Trigger(duty, checkpoint, due, "due") if lead or any_day else None
    late = calendar.working_days_between(effective, day)
    if not lead and not policy.support_overdue:
        return None
    escalate = lead and late >= policy.escalate_after
    on_cadence = late % policy.overdue_every == 0
    escalation_day = escalate and (late - policy.escalate_after) % policy.escalate_every == 0
    if not any_day and not on_cadence and not escalation_day:
        return None
    return Trigger(
        duty,
        checkpoint,
        due,
        "overdue",
        overdue_working_days=late,
        overdue_days=(day - due).days,
        # Caught-up lines never escalate: the leader hears on the escalation cadence only.
        escalate=escalation_day and not any_day,
        remind=on_cadence or any_day,
        escalate_after=policy.escalate_after,
    )


def _checkins(
    duty: Duty,
    day: date,
    calendar: WorkingCalendar,
    policy: ReminderPolicy,
    reporting_dues: Sequence[date],
    only: set[date] | None,
) -> list[Trigger]:
    if duty.role != "lead":
        return []
    points = checkin_points(duty.schedule, reporting_dues)
    found = []
    previous: date | None = duty.schedule.start
    for point in points:
        since, previous = previous, point
        if only is not None and point not in only:
            continue
        effective = calendar.next_working_day(point)
        if day > effective:
            continue
        left = calendar.working_days_between(day, effective)
        if only is None and left not in policy.checkin_before_days:
            continue
        # Any word on the task since the last reporting deadline answers the check-in.
        answered = any(
            r.state not in VOID_STATES and (since is None or r.created_on > since)
            for r in duty.reports
        )
        if not answered:
            found.append(Trigger(duty, point, point, "checkin", working_days_left=left))
    return found
