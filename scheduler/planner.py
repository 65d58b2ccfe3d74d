"""A day's reminders: every agency's lines gathered into one message per person."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from scheduler.calendar import WorkingCalendar
from scheduler.hours import WorkingHours
from scheduler.policy import DEFAULT_POLICY, ReminderPolicy
from scheduler.triggers import KINDS, Duty, Trigger, triggers_on
from storage.types import LOCAL_TZ


@dataclass(frozen=True)
class Person:
    """A contact as the reminders see them: role, leave, and where to write."""

    contact_id: int
    name: str
    agency_id: int
    agency_name: str
    role: str  # focal | coordinator | leader
    is_deputy: bool = False
    leaves: tuple[tuple[date, date], ...] = ()
    channel: str | None = None
    chat_id: str | None = None

    def away(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.leaves)


@dataclass(frozen=True)
class Snapshot:
    """What the planner needs, loaded once: duties, people, and each plan's rules."""

    duties: tuple[Duty, ...]
    people: tuple[Person, ...]
    policies: Mapping[int, ReminderPolicy] = field(default_factory=dict)
    reporting_dues: Mapping[int, tuple[date, ...]] = field(default_factory=dict)
    agency_names: Mapping[int, str] = field(default_factory=dict)

    def policy(self, plan_id: int) -> ReminderPolicy:
        return self.policies.get(plan_id, DEFAULT_POLICY)


@dataclass(frozen=True)
class PlannedReminder:
    """One message to one person on one day."""

    day: date
    send_at: datetime  # UTC, inside working hours
    person: Person
    audience: str  # focal | leader | coordinator
    lines: tuple[Trigger, ...]

    @property
    def kind(self) -> str:
        kinds = {"escalation" if self.audience != "focal" else line.kind for line in self.lines}
        return min(kinds, key=KINDS.index)

    @property
    def task_codes(self) -> list[str]:
        seen: dict[str, None] = {}
        for line in self.lines:
            seen.setdefault(line.duty.code, None)
        return list(seen)

    @property
    def idempotency_key(self) -> str:
        """(contact, day, checkpoint set): planning the same day twice yields the same key."""
        points = sorted(f"{t.duty.task_id}@{t.checkpoint.isoformat()}" for t in self.lines)
        digest = hashlib.sha256("|".join(points).encode()).hexdigest()[:16]
        return f"remind:{self.person.contact_id}:{self.day.isoformat()}:{self.audience}:{digest}"


def _order(line: Trigger) -> tuple[int, int, int, str]:
    return (
        KINDS.index(line.kind),
        -line.overdue_working_days,
        line.working_days_left,
        line.duty.code,
    )


def lines_on(
    snapshot: Snapshot,
    day: date,
    calendar: WorkingCalendar,
    *,
    only: Mapping[tuple[int, int], set[date]] | None = None,
) -> list[Trigger]:
    """Every reminder line of the day (or, with `only`, those checkpoints as they stand)."""
    found: list[Trigger] = []
    for duty in snapshot.duties:
        wanted = None
        if only is not None:
            wanted = only.get((duty.task_id, duty.agency_id))
            if not wanted:
                continue
        found.extend(
            triggers_on(
                duty,
                day,
                calendar,
                snapshot.policy(duty.plan_id),
                snapshot.reporting_dues.get(duty.plan_id, ()),
                only=wanted,
            )
        )
    return found


def catch_up(
    snapshot: Snapshot,
    missed: Iterable[date],
    today: date,
    calendar: WorkingCalendar,
    carried: Mapping[tuple[int, int], set[date]] | None = None,
) -> list[Trigger]:
    """Lines that fell on days the service did not run, or were planned and never sent, as
    they stand today if still open."""
    wanted: dict[tuple[int, int], set[date]] = defaultdict(set)
    for key, points in (carried or {}).items():
        wanted[key] |= points
    for day in missed:
        for line in lines_on(snapshot, day, calendar):
            wanted[(line.duty.task_id, line.duty.agency_id)].add(line.checkpoint)
    if not wanted:
        return []
    return lines_on(snapshot, today, calendar, only=wanted)


def _recipients(people: Sequence[Person], day: date) -> list[Person]:
    """An agency's focal points at work; their deputies only when none of them is."""
    present = [p for p in people if not p.is_deputy and not p.away(day)]
    if present:
        return present
    return [p for p in people if p.is_deputy and not p.away(day)]


def plan_day(
    snapshot: Snapshot,
    day: date,
    calendar: WorkingCalendar,
    *,
    missed: Iterable[date] = (),
    carried: Mapping[tuple[int, int], set[date]] | None = None,
    earliest: datetime | None = None,
) -> list[PlannedReminder]:
    """The day's messages (nothing on a day off), missed days' open lines folded in.

    `earliest`: no message is timed before this instant (planning late in the day).
    """
    if not calendar.is_working_day(day):
        return []
    lines = {line.key: line for line in catch_up(snapshot, missed, day, calendar, carried)}
    lines |= {line.key: line for line in lines_on(snapshot, day, calendar)}
    by_agency: dict[int, list[Trigger]] = defaultdict(list)
    for line in lines.values():
        by_agency[line.duty.agency_id].append(line)
    focal: dict[int, list[Person]] = defaultdict(list)
    leaders: dict[int, list[Person]] = defaultdict(list)
    coordinators = []
    for person in snapshot.people:
        if person.role == "focal":
            focal[person.agency_id].append(person)
        elif person.role == "leader":
            leaders[person.agency_id].append(person)
        elif person.role == "coordinator":
            coordinators.append(person)

    messages: list[tuple[Person, str, list[Trigger]]] = []
    escalated: list[Trigger] = []
    for agency_id, agency_lines in by_agency.items():
        agency_lines.sort(key=_order)
        told = [line for line in agency_lines if line.remind]
        if told:
            for person in _recipients(focal.get(agency_id, []), day):
                messages.append((person, "focal", told))
        up = [line for line in agency_lines if line.escalate]
        if up:
            escalated.extend(up)
            for person in leaders.get(agency_id, []):
                if not person.away(day):
                    messages.append((person, "leader", up))
    if escalated:
        escalated.sort(key=lambda line: (-line.overdue_working_days, line.duty.code))
        for person in coordinators:
            if not person.away(day):
                messages.append((person, "coordinator", escalated))
    return [
        PlannedReminder(
            day,
            _send_at(snapshot, day, calendar, lines_, earliest),
            person,
            audience,
            tuple(lines_),
        )
        for person, audience, lines_ in messages
    ]


def _send_at(
    snapshot: Snapshot,
    day: date,
    calendar: WorkingCalendar,
    lines: Sequence[Trigger],
    earliest: datetime | None,
) -> datetime:
    policies = [snapshot.policy(line.duty.plan_id) for line in lines] or [DEFAULT_POLICY]
    policy = min(policies, key=lambda p: p.send_time)
    hours = WorkingHours(calendar, policy.slots)
    planned = datetime.combine(day, policy.send_time, LOCAL_TZ)
    if earliest is not None and earliest > planned:
        planned = earliest
    return hours.next_slot(planned)


def plan_range(
    snapshot: Snapshot, start: date, end: date, calendar: WorkingCalendar
) -> list[PlannedReminder]:
    """Every day's messages from start to end, as today's reports stand (the preview)."""
    planned: list[PlannedReminder] = []
    day = start
    while day <= end:
        planned.extend(plan_day(snapshot, day, calendar))
        day = date.fromordinal(day.toordinal() + 1)
    return planned
