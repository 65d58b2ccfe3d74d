"""The demo's clock: real time running on from a simulated instant that can be moved forward."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class DemoClock:
    """`now()` is the real time plus an offset, so the simulated day still moves between
    messages; `set()` moves it to a chosen instant (forward only: the database never sees time
    go back). Used only in demo mode; a real deployment runs on SystemClock."""

    def __init__(
        self, start: datetime, *, real: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("DemoClock needs a timezone-aware start")
        self._real = real
        self._offset = start - real()

    def now(self) -> datetime:
        return (self._real() + self._offset).astimezone(UTC)

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("DemoClock needs a timezone-aware instant")
        if instant < self.now():
            raise ValueError("the demo clock only moves forward")
        self._offset = instant - self._real()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)
