"""Where the demo clock's buttons take it: the next working day, a week on, the next deadline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from scheduler.calendar import WorkingCalendar
from storage.types import LOCAL_TZ

JUMPS = ("next_day", "week", "deadline")
# A jump lands after the day's reminders are due (08:00 by default) and inside office hours.
LANDING = time(9, 0)


def target_day(
    jump: str, today: date, calendar: WorkingCalendar, deadlines: Iterable[date] = ()
) -> date | None:
    """The day a jump lands on; None for "deadline" when no deadline is left."""
    if jump == "next_day":
        return calendar.next_working_day(today + timedelta(days=1))
    if jump == "week":
        return today + timedelta(days=7)
    if jump == "deadline":
        later = sorted(d for d in deadlines if d > today)
        # A deadline on a day off runs to the next working day: that is the day it is "due".
        return calendar.next_working_day(later[0]) if later else None
    raise ValueError(f"unknown jump {jump!r}")


def stops(today: date, target: date, calendar: WorkingCalendar) -> list[datetime]:
    """The instants the scheduler wakes at on the way: every working day after today up to the
    target, and the target itself, so nothing a day would have sent is skipped."""
    days = []
    day = today + timedelta(days=1)
    while day < target:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    days.append(target)
    return [datetime.combine(d, LANDING, LOCAL_TZ) for d in days]
