"""Reminders survive restarts and a second instance: nothing due lost, nothing sent twice."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.outbox import MAX_ATTEMPTS, OutboxSender
from bot.reminders import CLAIM_LEASE, ReminderJob
from scheduler.calendar import WorkingCalendar
from storage.db import create_engine, session_factory
from storage.uow import UnitOfWork
from tests.dialog.reminder_plan import NOI_VU, TTTT, at, save
from tests.fakes.harness import BotHarness, Person


def _reminders(bot: BotHarness, who: Person) -> list[str]:
    return [s.text for s in bot.channel.sent if s.chat_id == who.chat_id and "nhắc việc" in s.text]


def _restarted(bot: BotHarness, sessions=None) -> ReminderJob:
    """A new process: its own sender (a new worker id) and job, the same database and chats."""
    sessions = sessions or bot.sessions
    sender = OutboxSender(sessions, bot.channels, bot.clock)
    return ReminderJob(sessions, sender, bot.clock, WorkingCalendar())


async def test_killed_between_claiming_and_sending(make_bot: Callable[..., BotHarness]) -> None:
    bot = make_bot(start=at(21, 9, 8, 5))
    await save(bot, "1")
    an = await bot.person("Nguyễn Văn An", TTTT)
    planned = await bot.reminders.plan_today()
    assert planned is not None and planned.planned == 1
    # The first process claims the row and dies before sending it.
    async with bot.uow() as uow:
        claimed = await uow.outbox.claim(now=bot.clock.now(), worker="dead", limit=10)
        await uow.commit()
    assert [row.kind for row in claimed] == ["reminder"]

    job = _restarted(bot)
    await job.tick()
    assert _reminders(bot, an) == []  # the dead worker's lease still runs: not taken yet
    bot.advance(seconds=CLAIM_LEASE.total_seconds() + 1)
    await job.tick()
    assert len(_reminders(bot, an)) == 1
    assert "còn 7 ngày làm việc" in _reminders(bot, an)[0]
    bot.advance(minutes=30)
    await _restarted(bot).tick()
    assert len(_reminders(bot, an)) == 1


async def test_killed_after_sending(make_bot: Callable[..., BotHarness]) -> None:
    bot = make_bot(start=at(21, 9, 8, 5))
    await save(bot, "1", "6")
    an = await bot.person("Nguyễn Văn An", TTTT)
    await bot.tick()
    assert len(_reminders(bot, an)) == 1
    for minutes in (1, 10, 120):  # restarted again and again the same day
        bot.advance(minutes=minutes)
        await _restarted(bot).tick()
    assert len(_reminders(bot, an)) == 1
    async with bot.uow() as uow:
        runs = await uow.reminder_runs.recent()
    assert [(r.day, r.messages) for r in runs] == [(date(2023, 9, 21), 1)]


async def test_killed_before_planning_loses_nothing(make_bot: Callable[..., BotHarness]) -> None:
    bot = make_bot(start=at(20, 9, 8, 5))
    await save(bot, "1")
    an = await bot.person("Nguyễn Văn An", TTTT)
    await bot.tick()  # 20/09 ran; the process is down on 21/09, the 7-day reminder's day
    bot.clock.set(at(22, 9, 9, 0))
    await _restarted(bot).tick()
    [text] = _reminders(bot, an)
    assert "nhắc việc ngày 22/09/2023" in text and "còn 6 ngày làm việc" in text


async def test_two_instances_on_one_database_send_once(
    make_bot: Callable[..., BotHarness], db_engine: AsyncEngine
) -> None:
    bot = make_bot(start=at(10, 3, 8, 5))
    await save(bot, "1", "6")
    an = await bot.person("Nguyễn Văn An", TTTT)
    binh = await bot.person("Trần Thị Bình", NOI_VU)
    second_engine = create_engine(db_engine.url.render_as_string(hide_password=False))
    try:
        first, second = _restarted(bot), _restarted(bot, session_factory(second_engine))
        for _ in range(3):  # both wake at once, several times over the morning
            await asyncio.gather(first.tick(), second.tick())
            bot.advance(minutes=1)
        bot.clock.set(at(14, 3, 8, 5))
        await asyncio.gather(first.tick(), second.tick(), first.tick())
    finally:
        await second_engine.dispose()
    assert len(_reminders(bot, binh)) == 2  # 10/03 (3 days left) and 14/03 (1 day left)
    assert "còn 3 ngày làm việc" in _reminders(bot, binh)[0]
    assert "còn 1 ngày làm việc" in _reminders(bot, binh)[1]
    assert _reminders(bot, an) == []  # task 1 is months away
    async with bot.uow() as uow:
        states = await uow.outbox.count_by_state()
    assert states.get("sending", 0) == 0 and states.get("pending", 0) == 0


async def test_a_429_waits_and_a_blocked_person_is_reported(
    make_bot: Callable[..., BotHarness],
) -> None:
    bot = make_bot(start=at(10, 3, 8, 5))
    await save(bot, "6")
    binh = await bot.person("Trần Thị Bình", NOI_VU)
    ha = await bot.person("Lê Thu Hà", TTTT, role="coordinator")
    bot.channel.down = True
    await bot.tick()
    assert _reminders(bot, binh) == []
    bot.channel.down = False
    bot.advance(seconds=31)
    await bot.tick()
    assert len(_reminders(bot, binh)) == 1

    bot.channel.blocked.add(binh.chat_id)
    bot.clock.set(at(14, 3, 8, 5))
    await bot.tick()
    assert "Trần Thị Bình" in bot.last(ha).text and "chặn bot" in bot.last(ha).text
    bot.clock.set(at(15, 3, 8, 5))
    before = len(bot.channel.sent)
    await bot.tick()  # the unreachable account gets nothing more; nothing piles up
    assert [s for s in bot.channel.sent[before:] if s.chat_id == binh.chat_id] == []


def test_lease_is_longer_than_a_send() -> None:
    assert timedelta(minutes=1) <= CLAIM_LEASE


async def test_being_slowed_down_never_uses_up_the_tries(
    make_bot: Callable[..., BotHarness],
) -> None:
    bot = make_bot(start=at(10, 3, 8, 5))
    await save(bot, "6")
    binh = await bot.person("Trần Thị Bình", NOI_VU)
    bot.channel.down = True  # 429 after 429, more than MAX_ATTEMPTS times
    for _ in range(MAX_ATTEMPTS + 2):
        await bot.tick()
        bot.advance(seconds=31)
    bot.channel.down = False
    await bot.tick()
    assert len(_reminders(bot, binh)) == 1


async def test_the_service_wakes_the_reminder_job(db_engine: AsyncEngine) -> None:
    from bot.service import build_service
    from scheduler.clock import ManualClock

    service = build_service(
        session_factory(db_engine),
        telegram_token=None,
        clock=ManualClock(at(21, 9, 8, 5)),
        reminders=True,
    )
    await service.start()
    try:
        assert service._scheduler is not None
        job = service._scheduler.get_job("reminders")
        assert job is not None and job.trigger.interval == timedelta(seconds=60)
        await service._remind()  # what the job runs: plans the (empty) day without error
    finally:
        await service.stop()
    async with UnitOfWork(session_factory(db_engine)) as uow:
        assert [r.day for r in await uow.reminder_runs.recent()] == [date(2023, 9, 21)]
