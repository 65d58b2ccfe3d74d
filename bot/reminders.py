"""The reminder job: once per working day, plan everyone's message into the outbox, then send.

The database is the truth: a `reminder_runs` row per day (unique) keeps a restart or a second
instance from planning a day twice, the outbox's idempotency key keeps a message from being
written twice, and claimed-but-unfinished rows come back after a lease.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import STALE_REMINDER as STALE
from bot.outbox import OutboxSender
from handlers.reminders import compose
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock, local_today
from scheduler.planner import PlannedReminder, plan_day
from scheduler.policy import DEFAULT_POLICY, ReminderPolicy
from scheduler.snapshot import load_plan_rules, load_snapshot
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Longer than any batch a live worker holds (a batch of 100 rows for one chat paced at one a
# second takes about 105 s), so a live worker's rows are never taken from it.
CLAIM_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class DayPlan:
    """What planning one day produced."""

    day: date
    planned: int  # messages written to the outbox
    not_linked: int  # people who would have had a message but have no chat account
    folded: int  # old unsent reminders whose lines were carried into today's


def _earliest_send(policies: Iterable[ReminderPolicy]) -> time:
    return min((p.send_time for p in policies), default=DEFAULT_POLICY.send_time)


def _missed_days(
    last: date | None, today: date, calendar: WorkingCalendar, limit: int
) -> list[date]:
    """Working days after the last planned day and before today (at most `limit`, latest)."""
    if last is None:
        return []  # a first run starts today: it does not replay the plan's past
    days = []
    day = today - timedelta(days=1)
    while day > last and len(days) < limit:
        if calendar.is_working_day(day):
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


class ReminderJob:
    """Run `tick()` every minute or so (APScheduler in the service, by hand in tests)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: OutboxSender,
        clock: Clock,
        calendar: WorkingCalendar,
        *,
        lease: timedelta = CLAIM_LEASE,
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._clock = clock
        self._calendar = calendar
        self._lease = lease

    @property
    def worker(self) -> str:
        return self._sender.worker

    async def tick(self) -> DayPlan | None:
        """Refresh the calendar, take back abandoned rows, plan today if due, send what is due."""
        await self.refresh_calendar()
        async with UnitOfWork(self._sessions) as uow:
            back = await uow.outbox.reclaim_stale(claimed_before=self._clock.now() - self._lease)
            await uow.commit()
        if back:
            log.warning("outbox: %d abandoned rows put back for sending", back)
        result = await self.plan_today()
        await self._sender.send_due()
        return result

    async def refresh_calendar(self) -> None:
        """Days off the coordinator added (from the CLI, another process) take effect here."""
        async with UnitOfWork(self._sessions) as uow:
            self._calendar.set_extra_holidays(await uow.calendar_days.days())

    async def plan_today(self) -> DayPlan | None:
        """Plan today's reminders once; None when it is not time or already done."""
        now = self._clock.now()
        today = local_today(self._clock)
        if not self._calendar.is_working_day(today):
            return None
        async with UnitOfWork(self._sessions) as uow:
            if await uow.reminder_runs.last_before(today + timedelta(days=1)) == today:
                return None
            # The plans' rules alone say whether it is time: before the send time (every
            # minute of the night) the whole snapshot is not worth loading.
            rules = await load_plan_rules(uow)
            if now.astimezone(LOCAL_TZ).time() < _earliest_send(rules[0].values()):
                return None  # reports sent before the send time still count
            if not await uow.reminder_runs.claim(today, now, self.worker):
                return None  # another instance has the day
            snapshot = await load_snapshot(uow, today, rules)
            limit = max((p.catch_up_days for p in snapshot.policies.values()), default=10)
            last = await uow.reminder_runs.last_before(today)
            missed = _missed_days(last, today, self._calendar, limit)
            folded_rows, carried = await self._fold_stale(uow, today)
            planned = plan_day(
                snapshot, today, self._calendar, missed=missed, carried=carried, earliest=now
            )
            written, not_linked = await self._write(uow, planned, now)
            await uow.reminder_runs.set_messages(today, written)
            await uow.commit()
        log.info(
            "reminders for %s: %d messages, %d people not linked, %d missed days, %d carried",
            today.isoformat(),
            written,
            not_linked,
            len(missed),
            folded_rows,
        )
        return DayPlan(today, written, not_linked, folded_rows)

    async def _fold_stale(
        self, uow: UnitOfWork, today: date
    ) -> tuple[int, dict[tuple[int, int], set[date]]]:
        """Unsent reminders of earlier days: retire them, keep their lines for today."""
        carried: dict[tuple[int, int], set[date]] = defaultdict(set)
        rows = await uow.outbox.unsent_reminders(before=today, stale_error=STALE)
        for row in rows:
            info = row.payload.get("reminder") or {}
            for task_id, agency_id, checkpoint in info.get("points") or ():
                carried[(int(task_id), int(agency_id))].add(date.fromisoformat(checkpoint))
        await uow.outbox.retire([row.id for row in rows], f"{STALE}: folded into {today}")
        return len(rows), carried

    async def _write(
        self, uow: UnitOfWork, planned: list[PlannedReminder], now: datetime
    ) -> tuple[int, int]:
        written = not_linked = 0
        for reminder in planned:
            person = reminder.person
            if person.channel is None or person.chat_id is None:
                not_linked += 1
                continue
            payload = compose(reminder, self._calendar)
            payload["reminder"]["points"] = [
                [line.duty.task_id, line.duty.agency_id, line.checkpoint.isoformat()]
                for line in reminder.lines
            ]
            added = await uow.outbox.add(
                {
                    "channel": person.channel,
                    "chat_id": person.chat_id,
                    "contact_id": person.contact_id,
                    "kind": "reminder",
                    "idempotency_key": reminder.idempotency_key,
                    "payload": payload,
                    "not_before": reminder.send_at,
                    "created_at": now,
                }
            )
            written += added is not None
        return written, not_linked
