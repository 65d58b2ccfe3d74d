"""The weekly digest job: once per plan per week, the digest and its chart to leaders and the
coordinators, through the outbox; a `digest_runs` row per plan and week keeps it to once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Attachment
from bot.outbox import OutboxSender, store_attachment
from reports.build import digest_with_chart, plan_data
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock, local_now
from scheduler.report_policy import DigestPolicy, digest_policy
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
READERS = ("leader", "coordinator")


@dataclass(frozen=True)
class DigestSent:
    plan_id: int
    week_of: date
    messages: int


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def due_day(day: date, policy: DigestPolicy, calendar: WorkingCalendar) -> date:
    """This week's digest day: the chosen weekday, or the next working day when that is off."""
    return calendar.next_working_day(week_of(day) + timedelta(days=policy.day_offset))


class DigestJob:
    """Run `tick()` every few minutes (APScheduler in the service, by hand in tests)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: OutboxSender,
        clock: Clock,
        calendar: WorkingCalendar,
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._clock = clock
        self._calendar = calendar

    async def tick(self) -> list[DigestSent]:
        sent = await self.send_due()
        if sent:
            await self._sender.send_due()
        return sent

    async def send_due(self) -> list[DigestSent]:
        """Write this week's digest of every plan whose time has come and that has none yet."""
        now = local_now(self._clock)
        today = now.date()
        async with UnitOfWork(self._sessions) as uow:
            self._calendar.set_extra_holidays(await uow.calendar_days.days())
            plans = [(s.plan.id, s.plan.settings) for s in await uow.plans.list_all()]
            done = {p: await uow.digest_runs.weeks(p) for p, _ in plans}
        out = []
        for plan_id, settings in plans:
            policy = digest_policy(settings)
            day = due_day(today, policy, self._calendar)
            if not policy.enabled or week_of(today) in done[plan_id]:
                continue
            if today < day or (today == day and now.time() < policy.send_time):
                continue
            if today > day and not done[plan_id]:
                # A service started mid-week for the first time waits for the next digest day
                # rather than greet leaders with an unexpected one; after an outage, the
                # week's digest still goes out late.
                continue
            result = await self._send(plan_id, today, now)
            if result is not None:
                out.append(result)
        return out

    async def _send(self, plan_id: int, today: date, now: datetime) -> DigestSent | None:
        # Read, then draw outside any transaction (a chart takes a moment of CPU), then claim
        # the week and write every message in one transaction: all of them or none.
        async with UnitOfWork(self._sessions) as uow:
            data = await plan_data(uow, plan_id)
        digest, png = await digest_with_chart(data, today)
        week = week_of(today)
        async with UnitOfWork(self._sessions) as uow:
            if not await uow.digest_runs.claim(plan_id, week, now, self._sender.worker):
                return None
            readers = [c for role in READERS for c in await uow.contacts.with_role(role)]
            identities = await uow.identities.for_contacts(sorted({c.id for c in readers}))
            written = 0
            if identities:
                chart = Attachment(
                    kind="photo",
                    name=f"tinh-hinh-{week:%Y%m%d}.png",
                    content=png,
                    mime_type="image/png",
                )
                attachment = await store_attachment(uow, chart, now)
                for identity in identities:
                    added = await uow.outbox.add(
                        {
                            "channel": identity.channel,
                            "chat_id": identity.chat_id,
                            "contact_id": identity.contact_id,
                            "kind": "digest",
                            "idempotency_key": f"digest:{plan_id}:{week}:{identity.contact_id}",
                            "payload": {
                                "text": digest.text,
                                "buttons": [],
                                "task_ids": [],
                                "attachment": attachment,
                            },
                            "not_before": now,
                            "created_at": now,
                        }
                    )
                    written += added is not None
            await uow.digest_runs.set_messages(plan_id, week, written)
            await uow.commit()
        log.info("digest of plan %s for the week of %s: %d messages", plan_id, week, written)
        return DigestSent(plan_id, week, written)
