"""Whole conversations over real HTTP: our Zalo client and channel, the strict fake Zalo Bot
API, the service and our handlers. Zalo user ids are opaque strings."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import Attachment
from bot.media import store_media
from bot.outbox import store_attachment
from bot.reminders import ReminderJob
from bot.service import Service, build_service
from plans.samples import DEFAULT_SAMPLE
from scheduler.calendar import WorkingCalendar
from scheduler.clock import ManualClock
from storage.db import session_factory
from storage.models import ChannelIdentity, Evidence, InboundMessage, Report
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork
from tests.conftest import DEFAULT_BOT_START
from tests.fakes.harness import BotHarness
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_helpers import BOT_USERNAME, TELEGRAM_TOKEN
from tests.fakes.zalo_api import FakeZaloAPI
from tests.fakes.zalo_helpers import ZALO_TOKEN, ZALO_TOKEN_2, ZALO_WEBHOOK_SECRET

FOCAL, PRESS, COORDINATOR = "z-focal-5e1a", "z-press-77b0", "z-coord-c3d9"
SECRET_HALF = ZALO_TOKEN.split(":", 1)[1]
PEOPLE = (
    ("FXCAL234", "Nguyễn Văn An", "Sở Ngoại vụ", "focal"),
    ("PRESS234", "Nguyễn Thị Hoa", "Báo Hà Tĩnh", "focal"),
    ("CXXRD234", "Trần Thị Bình", "Sở Thông tin và Truyền thông", "coordinator"),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handled:
    """The service's message sink, wrapped: a test can wait until a message it sent has been
    handled and answered, however many parts the answer took."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._done: dict[str, asyncio.Event] = {}

    def _event(self, message_id: str) -> asyncio.Event:
        return self._done.setdefault(message_id, asyncio.Event())

    async def __call__(self, message: Any) -> None:
        try:
            await self._inner(message)
        finally:
            self._event(message.message_id).set()

    async def wait(self, message_id: str, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._event(message_id).wait(), timeout)


def tracked(service: Service) -> Service:
    service.dispatcher = Handled(service.dispatcher)  # type: ignore[assignment]
    return service


@dataclass
class World:
    zalo: FakeZaloAPI
    service: Service
    sessions: Any
    clock: ManualClock

    async def say(self, user: str, text: str, *, fake: FakeZaloAPI | None = None) -> dict[str, Any]:
        """Send as a person and wait until it is handled: the bot's answer to them, its parts
        (`parts`, as Zalo shows them) and their text joined (`text`)."""
        fake = fake or self.zalo
        message_id = fake.user_sends(user, text)
        await self.service.dispatcher.wait(message_id)  # type: ignore[attr-defined]
        parts = await fake.wait_sent(user)
        return {"text": "\n".join(p["text"] or "" for p in parts), "parts": parts}

    async def link_everyone(self) -> None:
        for user, (code, name, _, _) in zip((FOCAL, PRESS, COORDINATOR), PEOPLE, strict=True):
            typed = f"/start {code}" if user == COORDINATOR else code.lower()
            welcome = await self.say(user, typed)
            assert f"Xin chào anh/chị {name}" in welcome["text"]


async def setup_people(sessions: Any, *plans: Path) -> BotHarness:
    setup = BotHarness(sessions, DEFAULT_BOT_START)
    await setup.import_plan()
    for plan in plans:
        await setup.import_plan(plan)
    for code, name, agency, role in PEOPLE:
        await setup.issue_code(await setup.new_contact(name, agency, role), code)
    return setup


def zalo_service(sessions: Any, fake: FakeZaloAPI, clock: ManualClock, **options: Any) -> Service:
    options.setdefault("zalo_tokens", [ZALO_TOKEN])
    service = build_service(
        sessions,
        telegram_token=options.pop("telegram_token", None),
        zalo_api_url=fake.api_url,
        zalo_part_pause=0,  # no real sleeping between parts in tests
        zalo_poll_timeout=1,
        clock=clock,
        **options,
    )
    return tracked(service)


@pytest.fixture
async def world(db_engine: AsyncEngine) -> AsyncIterator[World]:
    sessions = session_factory(db_engine)
    await setup_people(sessions)
    clock = ManualClock(DEFAULT_BOT_START + timedelta(days=1))
    async with FakeZaloAPI(ZALO_TOKEN, echo_bot_messages=True) as fake:
        service = zalo_service(sessions, fake, clock)
        await service.start()
        try:
            yield World(fake, service, sessions, clock)
        finally:
            await service.stop()


async def test_link_report_by_free_text_numbered_choice_and_confirm(world: World) -> None:
    await world.link_everyone()
    question = await world.say(PRESS, "dang lam 50%")
    assert "báo cáo cho nhiệm vụ nào" in question["text"]
    assert "Trả lời 1 = nhiệm vụ 5.2.1, 2 = nhiệm vụ 5.3" in question["text"]
    summary = await world.say(PRESS, "2")
    assert summary["text"] == (
        "Nhiệm vụ 5.3: đang thực hiện 50%. Đúng không ạ?\n\nTrả lời 1 = Đúng, 2 = Sửa"
    )
    recorded = await world.say(PRESS, "1")
    assert "Đã ghi nhận tiến độ nhiệm vụ 5.3" in recorded["text"]
    async with UnitOfWork(world.sessions) as uow:
        report = (await uow.session.scalars(select(Report))).one()
        identity = (
            await uow.session.scalars(
                select(ChannelIdentity).where(ChannelIdentity.external_id == PRESS)
            )
        ).one()
    assert (report.status, report.percent) == ("in_progress", 50)
    assert (identity.channel, identity.chat_id) == ("zalo", PRESS)
    # Echoes of the bot's own messages came back from Zalo and were dropped unstored.
    async with UnitOfWork(world.sessions) as uow:
        senders = set((await uow.session.scalars(select(InboundMessage.user_id))).all())
    assert senders == {FOCAL, PRESS, COORDINATOR}


async def test_done_is_confirmed_by_the_coordinator_by_number(world: World) -> None:
    await world.link_everyone()
    summary = await world.say(PRESS, "5.2.1 xong roi")
    assert summary["text"].startswith("Nhiệm vụ 5.2.1: đã hoàn thành. Đúng không ạ?")
    await world.say(PRESS, "1")
    notice = (await world.zalo.wait_sent(COORDINATOR))[-1]
    assert "báo cáo hoàn thành nhiệm vụ 5.2.1" in notice["text"]
    assert notice["text"].endswith("Trả lời 1 = Xác nhận, 2 = Trả lại")
    confirmed = await world.say(COORDINATOR, "1")
    assert confirmed["text"] == "Đã xác nhận nhiệm vụ 5.2.1 hoàn thành."
    told = (await world.zalo.wait_sent(PRESS))[-1]
    assert "xác nhận nhiệm vụ 5.2.1 hoàn thành" in told["text"]


async def test_a_reminder_arrives_and_is_answered_by_number(world: World) -> None:
    await world.link_everyone()
    world.clock.set(datetime(2018, 6, 25, 9, 0, tzinfo=LOCAL_TZ))  # a Monday with reminders
    job = ReminderJob(world.sessions, world.service.sender, world.clock, WorkingCalendar())
    planned = await job.tick()
    assert planned is not None and planned.planned >= 1
    [reminder] = await world.zalo.wait_sent(FOCAL)
    assert reminder["text"].startswith(
        "Kính gửi anh/chị Nguyễn Văn An (Sở Ngoại vụ), nhắc việc ngày 25/06/2018:"
    )
    assert "• 5.1 — " in reminder["text"]
    # The reminder's only lead task is 5.1: its four statuses are offered by number.
    assert reminder["text"].endswith(
        "\n\nTrả lời 1 = Hoàn thành, 2 = Đang thực hiện, 3 = Gặp vướng mắc, 4 = Xin gia hạn"
    )
    answer = await world.say(FOCAL, "2")
    assert "Đã ghi nhận tiến độ nhiệm vụ 5.1" in answer["text"]
    async with UnitOfWork(world.sessions) as uow:
        report = (await uow.session.scalars(select(Report))).one()
    assert (report.status, report.task_id is not None) == ("in_progress", True)


async def test_a_long_answer_is_split_at_2000_characters(db_engine: AsyncEngine) -> None:
    sessions = session_factory(db_engine)
    samples = Path(DEFAULT_SAMPLE).parent
    setup = await setup_people(sessions, samples / "quang-tri-2022-ke-hoach-ttdn.txt")
    await setup.import_plan(year=2019)  # the same plan again for 2019: more tasks to list
    clock = ManualClock(DEFAULT_BOT_START + timedelta(days=1))
    async with FakeZaloAPI(ZALO_TOKEN) as fake:
        service = zalo_service(sessions, fake, clock)
        await service.start()
        try:
            world = World(fake, service, sessions, clock)
            await world.say(COORDINATOR, "CXXRD234")
            before = len(fake.sent(COORDINATOR))
            await world.say(COORDINATOR, "/nhiemvu")
            parts = fake.sent(COORDINATOR)[before:]
        finally:
            await service.stop()
    texts = [p["text"] for p in parts]
    assert sum(len(t) for t in texts) > 5000 and len(texts) == 4
    assert all(len(t) <= 2000 for t in texts)
    # Cut where a line or paragraph ends: the middle parts start with a task of the list,
    # the last with the closing paragraph.
    assert texts[0].startswith("Nhiệm vụ của Sở Thông tin và Truyền thông")
    assert [t[:2] for t in texts[1:3]] == ["• ", "• "]
    assert texts[3].startswith("Báo cáo bằng cách nhắn mã nhiệm vụ")
    async with UnitOfWork(sessions) as uow:
        inbound = (
            await uow.session.scalars(
                select(InboundMessage).where(InboundMessage.text == "/nhiemvu")
            )
        ).one()
    async with UnitOfWork(sessions) as uow:
        from storage.models import SentMessage

        ids = (
            await uow.session.scalars(
                select(SentMessage.message_id).where(SentMessage.chat_id == COORDINATOR)
            )
        ).all()
    assert inbound.state == "done"
    assert {p["message_id"] for p in parts} <= set(ids)  # every part kept, for replies


async def test_the_token_is_never_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await world.link_everyone()
    world.zalo.fail_next("sendMessage", 502)  # a failure on the way out, retried
    world.zalo.user_sends(FOCAL, "/nhiemvu")
    await world.service.sender.send_due()
    world.zalo.fail_next("getUpdates", 500)  # and one on the way in
    await world.say(FOCAL, "dang lam 30%")
    world.zalo.revoke_token()  # the channel stops, saying so once
    channel = world.service.channels["zalo"]
    for _ in range(500):  # the next poll (at most a second away) meets the 401
        if channel.halted:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.01)
    assert "refused the bot token" in caplog.text
    assert SECRET_HALF not in caplog.text
    # The token travelled in the URL path only: never in a body or a header.
    for request in world.zalo.requests:
        assert SECRET_HALF not in request.raw.decode()
        assert all(SECRET_HALF not in v for v in request.headers.values())


async def test_the_same_conversation_by_webhook(db_engine: AsyncEngine) -> None:
    sessions = session_factory(db_engine)
    await setup_people(sessions)
    port = free_port()
    base = f"http://127.0.0.1:{port}/zalo/webhook"
    clock = ManualClock(DEFAULT_BOT_START)
    async with FakeZaloAPI(ZALO_TOKEN, envelope="wrapped", echo_bot_messages=True) as fake:
        service = zalo_service(
            sessions,
            fake,
            clock,
            zalo_webhook_url=base,
            zalo_webhook_secret=ZALO_WEBHOOK_SECRET,
            port=port,
        )
        await service.zalo[0].set_webhook()
        await service.start()
        try:
            world = World(fake, service, sessions, clock)
            assert fake.webhook_url == f"{base}/{ZALO_TOKEN.split(':')[0]}"
            welcome = await world.say(FOCAL, "FXCAL234")
            assert "Xin chào anh/chị Nguyễn Văn An" in welcome["text"]
            summary = await world.say(FOCAL, "vuong kinh phi")
            assert summary["text"].startswith("Nhiệm vụ 5.1: gặp vướng mắc: kinh phi")
            # A delivery Zalo repeats is handled once.
            event = {
                "event_name": "message.text.received",
                "message": {
                    "message_id": "dup-1",
                    "date": 1529460000000,
                    "from": {"id": FOCAL, "display_name": "An", "is_bot": False},
                    "chat": {"id": FOCAL, "chat_type": "PRIVATE"},
                    "text": "/nhiemvu",
                },
            }
            fake.queue_event(event)
            fake.queue_event(event)
            await fake.wait_sent(FOCAL)
            statuses = [d["status"] for d in fake.webhook_deliveries]
            assert statuses and set(statuses) == {200}
        finally:
            await service.stop()
    async with UnitOfWork(sessions) as uow:
        dup = (
            await uow.session.scalars(
                select(InboundMessage).where(InboundMessage.event_id == "dup-1")
            )
        ).all()
    assert len(dup) == 1


async def test_a_photo_and_something_unreadable(world: World) -> None:
    await world.link_everyone()
    world.zalo.user_sends_image(FOCAL, "https://photo-zalo.example/hoi-nghi.jpg", "5.1 xong")
    summary = (await world.zalo.wait_sent(FOCAL))[-1]
    assert summary["text"].startswith("Nhiệm vụ 5.1: đã hoàn thành. Đúng không ạ?")
    recorded = await world.say(FOCAL, "1")
    assert "Đã gắn 1 tệp minh chứng" in recorded["text"]
    async with UnitOfWork(world.sessions) as uow:
        evidence = (await uow.session.scalars(select(Evidence))).one()
    assert (evidence.channel, evidence.kind, evidence.file_id) == (
        "zalo",
        "photo",
        "https://photo-zalo.example/hoi-nghi.jpg",
    )
    world.zalo.user_sends_unsupported(FOCAL)
    polite = (await world.zalo.wait_sent(FOCAL))[-1]
    assert "Bot chỉ đọc được tin nhắn chữ và ảnh" in polite["text"]
    world.zalo.user_sends_sticker(FOCAL)  # a reaction: no answer
    ok = await world.say(FOCAL, "/huongdan")
    assert "Bot chỉ đọc được" not in ok["text"]


async def test_the_chart_is_sent_by_an_unguessable_url(db_engine: AsyncEngine) -> None:
    sessions = session_factory(db_engine)
    await setup_people(sessions)
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    png = b"\x89PNG\r\n\x1a\n" + b"chart" * 10
    clock = ManualClock(DEFAULT_BOT_START + timedelta(days=1))
    async with FakeZaloAPI(ZALO_TOKEN, fetch_photos=True) as fake:
        service = zalo_service(sessions, fake, clock, public_base_url=public, port=port)
        await service.start()
        try:
            world = World(fake, service, sessions, clock)
            await world.say(COORDINATOR, "CXXRD234")
            async with UnitOfWork(sessions) as uow:
                token = await store_media(
                    uow, png, "image/png", now=clock.now(), name="tien-do.png"
                )
                await uow.outbox.add(
                    {
                        "channel": "zalo",
                        "chat_id": COORDINATOR,
                        "kind": "digest",
                        "payload": {
                            "text": "Tiến độ tuần này",
                            "attachment": {"kind": "photo", "media": token},
                        },
                        "not_before": clock.now(),
                        "created_at": clock.now(),
                    }
                )
                await uow.commit()
            await service.sender.send_due()
            photo = (await fake.wait_sent(COORDINATOR))[-1]
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{public}/media/{'x' * 43}") as guessed,
            ):
                guessed_status = guessed.status
        finally:
            await service.stop()
    assert photo["method"] == "sendPhoto" and photo["caption"] == "Tiến độ tuần này"
    assert photo["photo"] == f"{public}/media/{token}" and len(token) >= 43
    [fetched] = fake.fetched_photos
    assert (fetched["status"], fetched["content_type"], fetched["content"]) == (
        200,
        "image/png",
        png,
    )
    assert guessed_status == 404


async def test_a_stored_file_such_as_the_digest_chart_goes_out_by_url(
    db_engine: AsyncEngine,
) -> None:
    """The digest and the reports keep their files as stored bytes ({"file": id}); Zalo cannot
    upload, so the outbox serves those bytes at a media URL for it to fetch."""
    sessions = session_factory(db_engine)
    await setup_people(sessions)
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    png = b"\x89PNG\r\n\x1a\n" + b"digest" * 10
    clock = ManualClock(DEFAULT_BOT_START + timedelta(days=1))
    async with FakeZaloAPI(ZALO_TOKEN, fetch_photos=True) as fake:
        service = zalo_service(sessions, fake, clock, public_base_url=public, port=port)
        await service.start()
        try:
            world = World(fake, service, sessions, clock)
            await world.say(COORDINATOR, "CXXRD234")
            async with UnitOfWork(sessions) as uow:
                chart = Attachment("photo", name="tien-do.png", mime_type="image/png", content=png)
                await uow.outbox.add(
                    {
                        "channel": "zalo",
                        "chat_id": COORDINATOR,
                        "kind": "digest",
                        "payload": {
                            "text": "Tổng hợp tuần",
                            "attachment": await store_attachment(uow, chart, clock.now()),
                        },
                        "not_before": clock.now(),
                        "created_at": clock.now(),
                    }
                )
                await uow.commit()
            await service.sender.send_due()
            photo = (await fake.wait_sent(COORDINATOR))[-1]
        finally:
            await service.stop()
    assert photo["method"] == "sendPhoto" and photo["caption"] == "Tổng hợp tuần"
    assert photo["photo"].startswith(f"{public}/media/")
    [fetched] = fake.fetched_photos
    assert (fetched["status"], fetched["content_type"], fetched["content"]) == (
        200,
        "image/png",
        png,
    )


async def test_two_bots_each_answer_their_own_people(db_engine: AsyncEngine) -> None:
    sessions = session_factory(db_engine)
    await setup_people(sessions)
    clock = ManualClock(DEFAULT_BOT_START + timedelta(days=1))
    async with FakeZaloAPI(ZALO_TOKEN, display_name="Bot Nhắc việc 1") as first:
        second = await first.add_bot(ZALO_TOKEN_2, display_name="Bot Nhắc việc 2")
        service = zalo_service(sessions, first, clock, zalo_tokens=[ZALO_TOKEN, ZALO_TOKEN_2])
        await service.start()
        try:
            assert sorted(service.channels) == ["zalo", "zalo2"]
            world = World(first, service, sessions, clock)
            assert "Nguyễn Văn An" in (await world.say(FOCAL, "FXCAL234"))["text"]
            assert "Nguyễn Thị Hoa" in (await world.say(PRESS, "PRESS234", fake=second))["text"]
            await world.say(COORDINATOR, "CXXRD234", fake=second)
            # Hoa's report reaches the coordinator through the bot the coordinator uses.
            await world.say(PRESS, "5.2.1 xong", fake=second)
            await world.say(PRESS, "1", fake=second)
            notice = second.sent(COORDINATOR)[-1]
            assert "5.2.1" in notice["text"]
        finally:
            await service.stop()
    assert first.sent(PRESS) == [] and second.sent(FOCAL) == []
    async with UnitOfWork(sessions) as uow:
        channels = {
            i.external_id: i.channel
            for i in (await uow.session.scalars(select(ChannelIdentity))).all()
        }
    assert channels == {FOCAL: "zalo", PRESS: "zalo2", COORDINATOR: "zalo2"}


@dataclass
class Both:
    telegram: FakeTelegramAPI
    zalo: FakeZaloAPI
    service: Service
    sessions: Any


@pytest.fixture
async def both(db_engine: AsyncEngine) -> AsyncIterator[Both]:
    sessions = session_factory(db_engine)
    await setup_people(sessions)
    clock = ManualClock(DEFAULT_BOT_START + timedelta(days=1))
    async with (
        FakeTelegramAPI(TELEGRAM_TOKEN, bot_username=BOT_USERNAME) as telegram,
        FakeZaloAPI(ZALO_TOKEN) as zalo,
    ):
        service = zalo_service(
            sessions,
            zalo,
            clock,
            telegram_token=TELEGRAM_TOKEN,
            telegram_api_url=telegram.base_url,
            telegram_rate_limit=False,
        )
        await service.start()
        try:
            yield Both(telegram, zalo, service, sessions)
        finally:
            await service.stop()


async def test_a_used_up_quota_is_told_to_the_coordinator_once(both: Both) -> None:
    tg_coordinator = 333
    both.telegram.user_sends(tg_coordinator, "/start CXXRD234")
    await both.telegram.wait_sent(tg_coordinator)
    both.zalo.user_sends(PRESS, "PRESS234")
    await both.zalo.wait_sent(PRESS)
    both.zalo.set_quota(0)  # the month's messages are used up
    for text in ("/nhiemvu", "/huongdan", "xin chào"):
        both.zalo.user_sends(PRESS, text)
    notice = (await both.telegram.wait_sent(tg_coordinator))[-1]
    assert "hết hạn mức tin nhắn" in notice["text"] and "Zalo" in notice["text"]
    await both.zalo.wait_for(lambda: len(both.zalo.calls("sendMessage")) >= 4)
    await both.service.sender.send_due()
    assert [m["text"] for m in both.telegram.sent(tg_coordinator)].count(notice["text"]) == 1
    async with UnitOfWork(both.sessions) as uow:
        waiting = await uow.outbox.count_by_state()
    assert waiting.get("pending", 0) >= 3  # the answers wait for the quota, none lost


async def test_a_person_on_both_channels_hears_where_they_last_wrote(both: Both) -> None:
    tg_user = 111
    both.telegram.user_sends(tg_user, "/start FXCAL234")
    await both.telegram.wait_sent(tg_user)
    async with UnitOfWork(both.sessions) as uow:
        contact_id = (
            await uow.session.scalars(
                select(ChannelIdentity.contact_id).where(ChannelIdentity.channel == "telegram")
            )
        ).one()
    await BotHarness(both.sessions, DEFAULT_BOT_START).issue_code(contact_id, "ZLAGAXN2")
    both.zalo.user_sends(FOCAL, "ZLAGAXN2")
    assert "Nguyễn Văn An" in (await both.zalo.wait_sent(FOCAL))[-1]["text"]

    async def notify() -> None:
        async with UnitOfWork(both.sessions) as uow:
            [identity] = await uow.identities.for_contacts([contact_id])
            await uow.outbox.add(
                {
                    "channel": identity.channel,
                    "chat_id": identity.chat_id,
                    "contact_id": contact_id,
                    "kind": "notice",
                    "payload": {"text": f"thông báo qua {identity.channel}", "buttons": []},
                    "not_before": both.service.sender._clock.now(),
                    "created_at": both.service.sender._clock.now(),
                }
            )
            await uow.commit()
        await both.service.sender.send_due()

    await notify()  # linked on Zalo last and wrote there last
    assert (await both.zalo.wait_sent(FOCAL))[-1]["text"] == "thông báo qua zalo"
    both.telegram.user_sends(tg_user, "/huongdan")
    await both.telegram.wait_sent(tg_user)
    await notify()  # wrote on Telegram since
    assert (await both.telegram.wait_sent(tg_user))[-1]["text"] == "thông báo qua telegram"
    async with UnitOfWork(both.sessions) as uow:
        await uow.contacts.set_preferred_channel(contact_id, "zalo")
        await uow.commit()
    await notify()  # the coordinator chose Zalo for this person
    assert (await both.zalo.wait_sent(FOCAL))[-1]["text"] == "thông báo qua zalo"
