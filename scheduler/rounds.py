"""When reporting rounds open, close and nudge: from the plan's reporting deadlines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from plans.schedule import Schedule
from reports.period import Period, half, quarter, whole_year
from scheduler.calendar import WorkingCalendar
from scheduler.report_policy import RoundPolicy


@dataclass(frozen=True)
class RoundDates:
    due: date  # the reporting deadline
    opens_on: date
    cutoff: date  # the draft goes to the coordinator
    period: Period


def reporting_deadlines(reporting: Iterable[Mapping[str, Any]]) -> list[date]:
    """Every deadline the plan's reporting rules give ("trước ngày 25/5 và 25/11", …)."""
    dues: set[date] = set()
    for rule in reporting:
        schedule = rule.get("schedule")
        if schedule:
            dues.update(Schedule.from_json(schedule).due)
    return sorted(dues)


def period_for(due: date, dues: Iterable[date]) -> Period:
    """What a report due on `due` covers: twice a year, the first half then the whole year (the
    annual report); more often, the quarter; once a year, the year."""
    per_year = Counter(d.year for d in dues)[due.year]
    if per_year >= 3:
        return quarter(due.year, (due.month - 1) // 3 + 1)
    if per_year == 2 and due.month <= 6:
        return half(due.year, 1)
    return whole_year(due.year)


def cutoff_for(due: date, policy: RoundPolicy, calendar: WorkingCalendar) -> date:
    if policy.cutoff_before == 0:
        return due
    return calendar.add_working_days(due, -policy.cutoff_before)


def dates_for(
    due: date, dues: Iterable[date], policy: RoundPolicy, calendar: WorkingCalendar
) -> RoundDates:
    return RoundDates(
        due=due,
        opens_on=calendar.add_working_days(due, -policy.open_before),
        cutoff=cutoff_for(due, policy, calendar),
        period=period_for(due, dues),
    )


def to_open(
    reporting: Iterable[Mapping[str, Any]],
    today: date,
    policy: RoundPolicy,
    calendar: WorkingCalendar,
) -> list[RoundDates]:
    """The rounds whose opening day has come and whose cut-off has not passed."""
    dues = reporting_deadlines(reporting)
    out = []
    for due in dues:
        dates = dates_for(due, dues, policy, calendar)
        if dates.opens_on <= today <= dates.cutoff:
            out.append(dates)
    return out


def is_nudge_day(
    opened_on: date, cutoff: date, today: date, policy: RoundPolicy, calendar: WorkingCalendar
) -> bool:
    """Every `nudge_every` working days after opening, and the working day before cut-off."""
    if not calendar.is_working_day(today) or not opened_on < today < cutoff:
        return False
    if calendar.add_working_days(cutoff, -1) == today:
        return True
    return calendar.working_days_between(opened_on, today) % policy.nudge_every == 0
