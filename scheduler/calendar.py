"""The working-day calendar: weekends, Vietnamese public holidays (Tết included), extra days off."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def public_holidays(year: int) -> dict[date, str]:
    """Vietnam's public holidays of one year, as the `holidays` package knows them."""
    return dict(holidays.country_holidays("VN", years=year, language="vi"))


@lru_cache(maxsize=64)
def tet_holiday(year: int) -> tuple[date, ...]:
    """The days of the Tết (Lunar New Year) break that falls in the given calendar year."""
    names = dict(holidays.country_holidays("VN", years=year))
    days = sorted(d for d, name in names.items() if "Lunar New Year" in name)
    return tuple(days)


class WorkingCalendar:
    """Answers "is this a working day" and counts working days."""

    def __init__(self, extra_holidays: Iterable[date] = ()) -> None:
        self._extra = frozenset(extra_holidays)
        # Per year: working days from 1 January up to and including each day of the year.
        self._running: dict[int, list[int]] = {}

    @property
    def extra_holidays(self) -> frozenset[date]:
        return self._extra

    def set_extra_holidays(self, days: Iterable[date]) -> None:
        """Days off the coordinator added (read again from the database now and then)."""
        days = frozenset(days)
        if days != self._extra:
            self._extra = days
            self._running.clear()

    def _count_to(self, day: date) -> int:
        """Working days from 1 January of the day's year up to and including the day."""
        running = self._running.get(day.year)
        if running is None:
            running, count = [], 0
            current = date(day.year, 1, 1)
            while current.year == day.year:
                count += self.is_working_day(current)
                running.append(count)
                current += timedelta(days=1)
            self._running[day.year] = running
        return running[day.timetuple().tm_yday - 1]

    def is_holiday(self, day: date) -> bool:
        return day in self._extra or day in public_holidays(day.year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def next_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The working day n working days after `day` (before it when n is negative)."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        # Counted by running totals per year: the reminder planner asks this millions of times.
        count = -self._count_to(start)
        for year in range(start.year, end.year):
            count += self._count_to(date(year, 12, 31))
        return count + self._count_to(end)
