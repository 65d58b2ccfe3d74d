"""Demo mode's people and first day: contacts linked on the web chat, a start with work to show."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import ChatRef, IncomingMessage
from bot.contacts import register_contact
from bot.service import WEB_FILES, Service, build_service
from scheduler.calendar import WorkingCalendar
from scheduler.demo_clock import DemoClock
from scheduler.jumps import LANDING
from scheduler.planner import Person, plan_day
from scheduler.snapshot import load_snapshot
from storage.models import Agency, Assignment, ChannelIdentity, Plan, Task
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork
from storage.webchat import latest_activity

CHANNEL = "web"
CHAT_PREFIX = "demo-"
# Vietnamese names for the demo's people, in the order the roles are filled.
COORDINATOR_NAME = "Trần Thị Bình"
LEADER_NAME = "Lê Văn Cường"
FOCAL_NAMES = ("Nguyễn Văn An", "Phạm Thị Hoa", "Hoàng Minh Đức")
FOCAL_AGENCIES = len(FOCAL_NAMES)
# How far ahead to look for the first reminder worth showing (a plan's whole year).
SEARCH_DAYS = 400


@dataclass(frozen=True)
class DemoPerson:
    chat_id: str  # stable: the page picks the person by it
    name: str
    role: str
    agency: str


async def _lead_agencies(session: AsyncSession) -> list[str]:
    """Concrete agencies that lead tasks of the newest plan: most tasks first, then in the
    order the plan names them (groups such as "Các sở, ban, ngành" are nobody's desk)."""
    plan_id = await session.scalar(select(Plan.id).order_by(Plan.id.desc()).limit(1))
    if plan_id is None:
        return []
    rows = await session.execute(
        select(Agency.name, Task.position)
        .join(Assignment, Assignment.agency_id == Agency.id)
        .join(Task, Task.id == Assignment.task_id)
        .where(
            Task.plan_id == plan_id,
            Task.active.is_(True),
            Assignment.role == "lead",
            Agency.kind != "group",
        )
        .order_by(Task.position)
    )
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for name, position in rows:
        counts[name] += 1
        first.setdefault(name, position)
    return sorted(counts, key=lambda name: (-counts[name], first[name]))


async def demo_people(sessions: async_sessionmaker[AsyncSession]) -> list[DemoPerson]:
    """Who the demo has: a coordinator and a leader of the agency leading the most tasks (the
    department running the plan), and focal points of the next three agencies."""
    async with UnitOfWork(sessions) as uow:
        agencies = await _lead_agencies(uow.session)
    if not agencies:
        raise LookupError("the plan names no agency that leads a task: nothing to demonstrate")
    # A small plan may have fewer agencies: then fewer focal points (the first one's agency
    # doubles as the running one when it is alone).
    running = agencies[0]
    focal = agencies[1 : 1 + FOCAL_AGENCIES] or agencies[:1]
    people = [
        DemoPerson(f"{CHAT_PREFIX}coordinator", COORDINATOR_NAME, "coordinator", running),
        DemoPerson(f"{CHAT_PREFIX}leader", LEADER_NAME, "leader", running),
    ]
    people += [
        DemoPerson(f"{CHAT_PREFIX}focal-{i}", name, "focal", agency)
        for i, (name, agency) in enumerate(zip(FOCAL_NAMES, focal, strict=False), 1)
    ]
    return people


async def register_people(
    sessions: async_sessionmaker[AsyncSession], people: list[DemoPerson], now: datetime
) -> dict[str, str]:
    """Register the people not linked yet; their link codes by chat id (empty: all linked)."""
    codes: dict[str, str] = {}
    async with UnitOfWork(sessions) as uow:
        linked = set(
            await uow.session.scalars(
                select(ChannelIdentity.chat_id).where(ChannelIdentity.channel == CHANNEL)
            )
        )
        for person in people:
            if person.chat_id in linked:
                continue
            registered = await register_contact(
                uow,
                name=person.name,
                agency_name=person.agency,
                role=person.role,
                phone=None,
                now=now,
            )
            codes[person.chat_id] = registered.code
        await uow.commit()
    return codes


def link_messages(codes: dict[str, str], now: datetime) -> list[IncomingMessage]:
    """Each new person links the way anyone does, `/start CODE` from their chat: their chat
    then opens with the bot's welcome and their agency's open tasks."""
    return [
        IncomingMessage(
            ref=ChatRef(CHANNEL, chat_id, chat_id),
            event_id=f"{chat_id}:link-{code}",
            text=f"/start {code}",
            command="start",
            args=code,
            message_id=f"link-{code}",
            sent_at=now,
            raw={"text": f"/start {code}", "demo": True},
        )
        for chat_id, code in codes.items()
    ]


async def first_reminder_day(
    sessions: async_sessionmaker[AsyncSession],
    people: list[DemoPerson],
    calendar: WorkingCalendar,
) -> date | None:
    """The first day a demo focal point would be reminded of a task their agency leads.

    Asked before the people are registered (their link codes must not expire before the demo
    clock starts), so they stand in the planner's snapshot as they will be.
    """
    async with UnitOfWork(sessions) as uow:
        plan = await uow.session.scalar(select(Plan).order_by(Plan.id.desc()).limit(1))
        if plan is None:
            return None
        start = max(plan.issued_on or date(plan.year, 1, 1), date(plan.year, 1, 1))
        snapshot = await load_snapshot(uow, start)
    agency_ids = {name: agency_id for agency_id, name in snapshot.agency_names.items()}
    standing_in = tuple(
        Person(-n, p.name, agency_ids[p.agency], p.agency, p.role)
        for n, p in enumerate(people, 1)
        if p.role == "focal" and p.agency in agency_ids
    )
    snapshot = replace(snapshot, people=standing_in)
    for day in (start + timedelta(days=n) for n in range(SEARCH_DAYS)):
        for reminder in plan_day(snapshot, day, calendar):
            if any(line.duty.role == "lead" for line in reminder.lines):
                return day
    return None


async def start_instant(
    sessions: async_sessionmaker[AsyncSession],
    people: list[DemoPerson],
    calendar: WorkingCalendar,
    fallback: datetime,
) -> datetime:
    """Where the demo clock starts: the working day before the first reminder worth showing
    (so one click shows it), or just after the last thing recorded when the demo ran before
    (time never goes back for the database)."""
    first = await first_reminder_day(sessions, people, calendar)
    if first is None:
        start = fallback
    else:
        day = calendar.add_working_days(first, -1)
        start = datetime.combine(day, LANDING, LOCAL_TZ)
    async with UnitOfWork(sessions) as uow:
        last = await latest_activity(uow.session)
    if last is not None and last >= start:
        start = last + timedelta(minutes=1)
    return start


def order_key(chat_id: str) -> tuple[int, str]:
    """Coordinator, leader, then the focal points: how the picker lists them."""
    for rank, prefix in zip(itertools.count(), ("coordinator", "leader", "focal")):
        if chat_id.startswith(CHAT_PREFIX + prefix):
            return rank, chat_id
    return 9, chat_id


@dataclass(frozen=True)
class Demo:
    service: Service
    people: list[DemoPerson]
    clock: DemoClock


async def build_demo(
    sessions: async_sessionmaker[AsyncSession],
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    web_files: Path = WEB_FILES,
) -> Demo:
    """The service in demo mode, its people registered and linked, its clock at the start."""
    people = await demo_people(sessions)
    start = await start_instant(sessions, people, WorkingCalendar(), datetime.now(UTC))
    clock = DemoClock(start)
    service = build_service(
        sessions,
        telegram_token=None,
        host=host,
        port=port,
        clock=clock,
        reminders=True,
        demo=True,
        web_files=web_files,
    )
    # Before the scheduler's first wake-up, so the first day's reminders find them linked.
    codes = await register_people(sessions, people, clock.now())
    for message in link_messages(codes, clock.now()):
        await service.dispatcher.handle(message)
    # The first day's reminders before anyone can move the clock: a jump clicked before the
    # scheduler's first wake-up would otherwise skip the day.
    await service.run_jobs()
    return Demo(service, people, clock)
