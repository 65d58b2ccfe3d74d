"""The clock every part asks for the time, so tests move time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from storage.types import LOCAL_TZ

__all__ = [
    "LOCAL_TZ",
    "Clock",
    "ManualClock",
    "SystemClock",
    "at_local",
    "local_now",
    "local_today",
]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until told to move; for tests and the demo."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware instant")
        self._now = instant.astimezone(UTC)


def local_now(clock: Clock) -> datetime:
    """Wall time in Asia/Ho_Chi_Minh, where every calendar decision is made."""
    return clock.now().astimezone(LOCAL_TZ)


def local_today(clock: Clock) -> date:
    return local_now(clock).date()


def at_local(day: date, hour: int = 8, minute: int = 0) -> datetime:
    """An instant given as a local wall time on a day."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)
