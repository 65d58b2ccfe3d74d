"""Demo mode's time controls: move the demo clock and wake the scheduler's jobs on the way."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plans.progress import checkpoints
from scheduler.calendar import WorkingCalendar
from scheduler.clock import local_now, local_today
from scheduler.demo_clock import DemoClock
from scheduler.jumps import JUMPS, stops, target_day
from scheduler.snapshot import load_snapshot
from storage.uow import UnitOfWork
from texts import t


@dataclass(frozen=True)
class JumpResult:
    moved: bool
    stops: int  # how many times the jobs ran


class DemoControls:
    """The three buttons of the demo: next working day, one week, the next deadline."""

    def __init__(
        self,
        clock: DemoClock,
        calendar: WorkingCalendar,
        sessions: async_sessionmaker[AsyncSession],
        run_jobs: Callable[[], Awaitable[None]],
    ) -> None:
        self.clock = clock
        self._calendar = calendar
        self._sessions = sessions
        self._run_jobs = run_jobs
        self._lock = asyncio.Lock()  # two clicks in a row must not interleave their stops

    def state(self) -> dict[str, Any]:
        now = local_now(self.clock)
        return {
            "now": now.isoformat(),
            "date": now.strftime("%d/%m/%Y"),
            "label": t(
                "web.clock.label",
                weekday=t(f"web.weekday.{now.weekday()}"),
                date=now.strftime("%d/%m/%Y"),
                time=now.strftime("%H:%M"),
            ),
            "working_day": self._calendar.is_working_day(now.date()),
        }

    async def deadlines(self) -> list[date]:
        """Every deadline of the stored plans: the tasks' checkpoints and the reporting dates."""
        async with UnitOfWork(self._sessions) as uow:
            snapshot = await load_snapshot(uow, local_today(self.clock))
        found = {d for duty in snapshot.duties for d in checkpoints(duty.schedule, duty.override)}
        for dues in snapshot.reporting_dues.values():
            found.update(dues)
        return sorted(found)

    async def jump(self, kind: str) -> JumpResult:
        """Move to the jump's day, running the jobs at every working day on the way (what the
        real scheduler would have done had the days passed)."""
        if kind not in JUMPS:
            raise ValueError(f"unknown jump {kind!r}")
        async with self._lock:
            today = local_today(self.clock)
            deadlines = await self.deadlines() if kind == "deadline" else ()
            target = target_day(kind, today, self._calendar, deadlines)
            if target is None:
                return JumpResult(False, 0)
            instants = [i for i in stops(today, target, self._calendar) if i > self.clock.now()]
            for instant in instants:
                self.clock.set(instant)
                await self._run_jobs()
            return JumpResult(bool(instants), len(instants))
