"""What reminders read and write: days off, leave, the daily run ledger, the planner's inputs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from storage.messaging import delivery_order
from storage.models import (
    Agency,
    Assignment,
    CalendarDay,
    ChannelIdentity,
    Contact,
    Leave,
    OutboxMessage,
    Plan,
    ReminderRun,
    Report,
    Task,
)
from storage.upsert import insert_ignoring_conflict


class CalendarDayRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, day: date, note: str | None = None) -> bool:
        """Add a day off; False when it was already there."""
        added = await insert_ignoring_conflict(
            self._session, CalendarDay, {"day": day, "note": note}
        )
        return added is not None

    async def remove(self, day: date) -> bool:
        result = await self._session.execute(delete(CalendarDay).where(CalendarDay.day == day))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def list_all(self) -> list[CalendarDay]:
        return list(await self._session.scalars(select(CalendarDay).order_by(CalendarDay.day)))

    async def days(self) -> list[date]:
        return list(await self._session.scalars(select(CalendarDay.day)))


class LeaveRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, contact_id: int, starts_on: date, ends_on: date) -> Leave:
        leave = Leave(contact_id=contact_id, starts_on=starts_on, ends_on=ends_on)
        self._session.add(leave)
        await self._session.flush()
        return leave

    async def current(self, contact_id: int, today: date) -> Leave | None:
        """The leave that covers today or starts later, the latest made first."""
        stmt = (
            select(Leave)
            .where(Leave.contact_id == contact_id, Leave.ends_on >= today)
            .order_by(Leave.id.desc())
        )
        return (await self._session.scalars(stmt)).first()

    async def end(self, contact_id: int, today: date) -> int:
        """Back at work: leave running today ends yesterday; leave planned later is dropped."""
        yesterday = date.fromordinal(today.toordinal() - 1)
        ended = await self._session.execute(
            update(Leave)
            .where(Leave.contact_id == contact_id, Leave.starts_on < today, Leave.ends_on >= today)
            .values(ends_on=yesterday)
        )
        dropped = await self._session.execute(
            delete(Leave).where(Leave.contact_id == contact_id, Leave.starts_on >= today)
        )
        return int(ended.rowcount or 0) + int(dropped.rowcount or 0)  # type: ignore[attr-defined]

    async def from_day(self, day: date) -> list[Leave]:
        return list(await self._session.scalars(select(Leave).where(Leave.ends_on >= day)))


class ReminderRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, day: date, at: datetime, worker: str) -> bool:
        """Take the day for planning; False when another run (or instance) already has it."""
        values = {"day": day, "run_at": at, "worker": worker, "messages": 0}
        return await insert_ignoring_conflict(self._session, ReminderRun, values) is not None

    async def set_messages(self, day: date, count: int) -> None:
        await self._session.execute(
            update(ReminderRun).where(ReminderRun.day == day).values(messages=count)
        )

    async def last_before(self, day: date) -> date | None:
        return await self._session.scalar(
            select(func.max(ReminderRun.day)).where(ReminderRun.day < day)
        )

    async def recent(self, limit: int = 10) -> list[ReminderRun]:
        stmt = select(ReminderRun).order_by(ReminderRun.day.desc()).limit(limit)
        return list(await self._session.scalars(stmt))


class ReminderInputs:
    """The planner's raw inputs in a handful of plain queries (no ORM objects to keep alive)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _rows(self, stmt: Any) -> Sequence[Row[Any]]:
        return (await self._session.execute(stmt)).all()

    async def plans(self) -> Sequence[Row[Any]]:
        return await self._rows(select(Plan.id, Plan.year, Plan.reporting, Plan.settings))

    async def tasks(self) -> Sequence[Row[Any]]:
        stmt = select(
            Task.id,
            Task.plan_id,
            Task.code,
            Task.title,
            Task.schedule,
            Task.deadline_override,
        ).where(Task.active.is_(True))
        return await self._rows(stmt.order_by(Task.plan_id, Task.position))

    async def assignments(self) -> Sequence[Row[Any]]:
        stmt = (
            select(Assignment.task_id, Assignment.agency_id, Assignment.role, Agency.name)
            .join(Agency, Agency.id == Assignment.agency_id)
            .join(Task, Task.id == Assignment.task_id)
            .where(Task.active.is_(True))
            .order_by(Assignment.task_id, Assignment.role, Assignment.position)
        )
        return await self._rows(stmt)

    async def reports(self) -> Sequence[Row[Any]]:
        stmt = (
            select(
                Report.task_id,
                Report.agency_id,
                Report.status,
                Report.state,
                Report.percent,
                Report.said_date,
                Report.date_role,
                Report.reason,
                Report.checkpoint,
                Report.created_at,
            )
            .join(Task, Task.id == Report.task_id)
            .where(Task.active.is_(True))
            .order_by(Report.created_at, Report.id)
        )
        return await self._rows(stmt)

    async def people(self) -> Sequence[Row[Any]]:
        stmt = (
            select(
                Contact.id,
                Contact.name,
                Contact.agency_id,
                Agency.name.label("agency_name"),
                Contact.role,
                Contact.is_deputy,
            )
            .join(Agency, Agency.id == Contact.agency_id)
            .where(Contact.active.is_(True))
            .order_by(Contact.id)
        )
        return await self._rows(stmt)

    async def reachable(self) -> Sequence[Row[Any]]:
        """Each contact's accounts, the one reminders go to first (storage.messaging's
        delivery_order: the chosen channel, else where they last wrote, else linked last)."""
        stmt = (
            select(ChannelIdentity.contact_id, ChannelIdentity.channel, ChannelIdentity.chat_id)
            .join(Contact, Contact.id == ChannelIdentity.contact_id)
            .where(ChannelIdentity.reachable.is_(True), ChannelIdentity.chat_id.is_not(None))
            .order_by(*delivery_order())
        )
        return await self._rows(stmt)

    async def leaves(self, from_day: date) -> Sequence[Row[Any]]:
        stmt = select(Leave.contact_id, Leave.starts_on, Leave.ends_on).where(
            Leave.ends_on >= from_day
        )
        return await self._rows(stmt)


class OutboxOverview:
    """What `remind status` shows: the outbox by state and kind, its oldest waiting row."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_state_and_kind(self) -> list[tuple[str, str, int]]:
        stmt = select(OutboxMessage.state, OutboxMessage.kind, func.count(OutboxMessage.id))
        stmt = stmt.group_by(OutboxMessage.state, OutboxMessage.kind)
        return [(s, k, int(n)) for s, k, n in await self._session.execute(stmt)]

    async def oldest_pending(self) -> datetime | None:
        return await self._session.scalar(
            select(func.min(OutboxMessage.not_before)).where(OutboxMessage.state == "pending")
        )

    async def recent_failures(self, limit: int = 10) -> list[OutboxMessage]:
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.state == "failed")
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
        return list(await self._session.scalars(stmt))

    async def unreachable(self) -> list[tuple[str, str, str]]:
        """(contact, agency, channel) of every account the bot can no longer write to."""
        stmt = (
            select(Contact.name, Agency.name, ChannelIdentity.channel)
            .join(Contact, Contact.id == ChannelIdentity.contact_id)
            .join(Agency, Agency.id == Contact.agency_id)
            .where(ChannelIdentity.reachable.is_(False))
            .order_by(Agency.name, Contact.name)
        )
        return [tuple(row) for row in await self._session.execute(stmt)]  # type: ignore[misc]
