"""Working hours: whether an instant falls in them, and the next instant that does."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from scheduler.calendar import WorkingCalendar
from storage.types import LOCAL_TZ


class WorkingHours:
    """Office slots (08:00–11:30, 13:30–17:00 by default) on working days, local time."""

    def __init__(self, calendar: WorkingCalendar, slots: tuple[tuple[time, time], ...]) -> None:
        self._calendar = calendar
        self._slots = tuple(sorted(slots))

    def contains(self, instant: datetime) -> bool:
        local = instant.astimezone(LOCAL_TZ)
        if not self._calendar.is_working_day(local.date()):
            return False
        now = local.time()
        return any(start <= now < end for start, end in self._slots)

    def next_slot(self, instant: datetime) -> datetime:
        """The instant itself when inside working hours, else the start of the next slot (UTC)."""
        if self.contains(instant):
            return instant
        local = instant.astimezone(LOCAL_TZ)
        day = local.date()
        if self._calendar.is_working_day(day):
            for start, _ in self._slots:
                if local.time() < start:
                    return datetime.combine(day, start, LOCAL_TZ).astimezone(UTC)
        day = self._calendar.next_working_day(day + timedelta(days=1))
        return datetime.combine(day, self._slots[0][0], LOCAL_TZ).astimezone(UTC)
