"""Two service instances on one database: every message handled once, every reminder sent once."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import build_conversation
from bot.channels.base import ChatRef, IncomingMessage, OutgoingMessage, Receipt
from bot.dispatcher import Dispatcher
from bot.outbox import OutboxSender
from bot.reminders import ReminderJob
from scheduler.calendar import WorkingCalendar
from scheduler.clock import ManualClock
from storage.db import create_engine, session_factory
from storage.models import InboundMessage, OutboxMessage, ReminderRun, Report
from storage.uow import UnitOfWork
from tests.dialog.reminder_plan import NOI_VU, TTTT, at, save
from tests.fakes.harness import CHANNEL, BotHarness, RecordingChannel


class PlatformChannel(RecordingChannel):
    """One instance's connection to a shared platform: every instance's sends land in one
    list, tagged with the instance, and message ids are the platform's, not the instance's."""

    def __init__(self, instance: str, platform: list[tuple[str, str, str]], ids: object) -> None:
        super().__init__()
        self.instance = instance
        self.platform = platform
        self._ids = ids  # type: ignore[assignment]

    async def send(self, message: OutgoingMessage) -> Receipt:
        receipt = await super().send(message)
        self.platform.append((self.instance, message.ref.chat_id, message.text))
        return receipt


@dataclass
class Instance:
    """What one running copy of the service holds: its own pool, channel, worker and job."""

    name: str
    engine: AsyncEngine
    dispatcher: Dispatcher
    sender: OutboxSender
    reminders: ReminderJob
    clock: ManualClock


@pytest.fixture
async def two_instances(
    db_engine: AsyncEngine,
) -> AsyncIterator[tuple[BotHarness, Instance, Instance, list[tuple[str, str, str]]]]:
    start = at(10, 3, 8, 5)  # Friday 10/03/2023: task 6 (Nội vụ, due 15/03) is 3 days away
    setup = BotHarness(session_factory(db_engine), start)
    await save(setup, "1", "3", "6")
    platform: list[tuple[str, str, str]] = []
    ids = itertools.count(1)
    url = db_engine.url.render_as_string(hide_password=False)
    instances = []
    for name in ("a", "b"):
        engine = create_engine(url)  # a pool of its own, as a separate process would have
        sessions: async_sessionmaker[AsyncSession] = session_factory(engine)
        clock = ManualClock(start)
        calendar = WorkingCalendar()
        channel = PlatformChannel(name, platform, ids)
        dispatcher, sender = build_conversation(
            sessions, {CHANNEL: channel}, clock, calendar=calendar, raise_errors=True
        )
        job = ReminderJob(sessions, sender, clock, calendar)
        instances.append(Instance(name, engine, dispatcher, sender, job, clock))
    try:
        yield setup, instances[0], instances[1], platform
    finally:
        for instance in instances:
            await instance.engine.dispose()


def _message(chat: str, event: str, text: str) -> IncomingMessage:
    return IncomingMessage(
        ref=ChatRef(CHANNEL, chat, chat), event_id=event, text=text, raw={"text": text}
    )


async def _link(setup: BotHarness, instance: Instance, name: str, agency: str, chat: str) -> None:
    contact = await setup.new_contact(name, agency)
    code = "".join("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[10 + int(d)] for d in (chat * 2)[:8])
    await setup.issue_code(contact, code)
    await instance.dispatcher.handle(_message(chat, f"link-{chat}", code))  # the code alone links


async def test_the_same_update_at_both_instances_is_handled_once(two_instances) -> None:
    _setup, a, b, platform = two_instances
    chats = [str(7000 + n) for n in range(20)]
    # Every update reaches both instances at the same moment (a webhook retried elsewhere,
    # a proxy that sent it twice): 20 chats × 3 messages.
    results = []
    for round_ in range(3):
        deliveries = [
            instance.dispatcher.handle(_message(chat, f"u-{round_}-{chat}", "xin chào"))
            for chat in chats
            for instance in (a, b)
        ]
        results += await asyncio.gather(*deliveries)
    assert results.count(True) == 60 and results.count(False) == 60
    async with UnitOfWork(session_factory(a.engine)) as uow:
        stored = await uow.session.scalar(select(func.count()).select_from(InboundMessage))
        states = await uow.inbound.count_by_state()
    assert stored == 60 and states == {"done": 60}
    answered = Counter(chat for _instance, chat, _text in platform)
    assert answered == {chat: 3 for chat in chats}  # one answer per message, never two


async def test_a_conversation_may_move_between_instances(two_instances) -> None:
    setup, a, b, platform = two_instances
    await _link(setup, a, "Trần Thị Bình", NOI_VU, "8101")
    # The report goes to one instance, the "yes" to the other: the dialog lives in the database.
    await a.dispatcher.handle(_message("8101", "r-1", "6 dang lam 70%"))
    assert platform[-1][2].endswith("Đúng không ạ?")
    await b.dispatcher.handle(_message("8101", "r-2", "Đúng"))
    assert platform[-1][0] == "b" and "Đã ghi nhận" in platform[-1][2]
    async with UnitOfWork(session_factory(b.engine)) as uow:
        [report] = list(await uow.session.scalars(select(Report)))
    assert (report.status, report.percent) == ("in_progress", 70)


async def test_each_day_is_planned_once_and_each_reminder_sent_once(two_instances) -> None:
    setup, a, b, platform = two_instances
    for n, (name, agency) in enumerate(
        [("Nguyễn Văn An", TTTT), ("Trần Thị Bình", NOI_VU), ("Lê Văn Cường", NOI_VU)]
    ):
        await _link(setup, a if n % 2 else b, name, agency, str(8200 + n))
    platform.clear()
    plans = []
    for _minute in range(3):  # both wake every minute of the morning
        plans += await asyncio.gather(a.reminders.tick(), b.reminders.tick())
        for instance in (a, b):
            instance.clock.advance(timedelta(minutes=1))
    made = [plan for plan in plans if plan is not None]
    assert len(made) == 1 and made[0].planned == 2  # the two Nội vụ focal points
    async with UnitOfWork(session_factory(a.engine)) as uow:
        runs = list(await uow.session.scalars(select(ReminderRun)))
        is_reminder = OutboxMessage.kind == "reminder"
        reminders = list(await uow.session.scalars(select(OutboxMessage).where(is_reminder)))
    assert [r.day.isoformat() for r in runs] == ["2023-03-10"]
    assert sorted(r.state for r in reminders) == ["sent", "sent"]
    delivered = Counter(chat for _instance, chat, _text in platform)
    assert delivered == {"8201": 1, "8202": 1}
    assert all("còn 3 ngày làm việc" in text for _, _, text in platform)


async def test_outbox_rows_are_claimed_by_one_instance_each(two_instances) -> None:
    _setup, a, b, platform = two_instances
    now = a.clock.now()
    async with UnitOfWork(session_factory(a.engine)) as uow:
        for n in range(300):
            await uow.outbox.add(
                {
                    "channel": CHANNEL,
                    "chat_id": str(9000 + n % 60),
                    "kind": "notice",
                    "payload": {"text": f"thông báo {n}", "buttons": [], "task_ids": []},
                    "not_before": now,
                    "created_at": now,
                }
            )
        await uow.commit()
    taken = await asyncio.gather(a.sender.send_due(limit=50), b.sender.send_due(limit=50))
    assert sum(taken) == 300
    texts = Counter(text for _, _, text in platform)
    assert len(texts) == 300 and set(texts.values()) == {1}  # each sent, none twice
    async with UnitOfWork(session_factory(a.engine)) as uow:
        sent_by = select(OutboxMessage.claimed_by).where(OutboxMessage.state == "sent")
        workers = Counter(await uow.session.scalars(sent_by))
    assert set(workers) == {a.sender.worker, b.sender.worker}  # both took rows, in turns
    assert sum(workers.values()) == 300
    # Each instance sends a chat's rows in the order they were written. Across instances a
    # chat's later row may overtake an earlier one held by the other instance: the known
    # limit documented in deploy/README.md (reminders are one a person a day; replies leave
    # from the instance that handled the message).
    for instance in ("a", "b"):
        for chat in {c for i, c, _ in platform if i == instance}:
            sent = [int(t.split()[-1]) for i, c, t in platform if c == chat and i == instance]
            assert sent == sorted(sent), (instance, chat)
