"""Whole conversations over real HTTP: python-telegram-bot, the fake Bot API, our handlers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.service import Service, build_service
from scheduler.clock import ManualClock
from storage.db import session_factory
from storage.models import InboundMessage, Report
from storage.uow import UnitOfWork
from tests.conftest import DEFAULT_BOT_START
from tests.fakes.harness import BotHarness
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_helpers import BOT_USERNAME, TELEGRAM_TOKEN, WEBHOOK_SECRET

FOCAL, PRESS, COORDINATOR = 111, 222, 333


@dataclass
class World:
    fake: FakeTelegramAPI
    service: Service
    sessions: Any

    async def say(self, user: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
        """Send as a person and wait for the bot's next message to them."""
        self.fake.user_sends(user, text, reply_to=reply_to)
        return (await self.fake.wait_sent(user))[-1]

    async def press(self, user: int, message: dict[str, Any], label: str) -> str:
        data = next(
            b["callback_data"]
            for row in message["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"] == label
        )
        return self.fake.user_presses(user, message["message_id"], data)


def labels(message: dict[str, Any]) -> list[str]:
    markup = message["reply_markup"] or {"inline_keyboard": []}
    return [b["text"] for row in markup["inline_keyboard"] for b in row]


@pytest.fixture
async def world(db_engine: AsyncEngine) -> AsyncIterator[World]:
    sessions = session_factory(db_engine)
    # The plan and people are set up through the harness's helpers, on the same database.
    setup = BotHarness(sessions, DEFAULT_BOT_START)
    await setup.import_plan()
    for code, name, agency, role in (
        ("FXCAL234", "Nguyễn Văn An", "Sở Ngoại vụ", "focal"),
        ("PRESS234", "Nguyễn Thị Hoa", "Báo Hà Tĩnh", "focal"),
        ("CXXRD234", "Trần Thị Bình", "Sở Thông tin và Truyền thông", "coordinator"),
    ):
        await setup.issue_code(await setup.new_contact(name, agency, role), code)
    async with FakeTelegramAPI(TELEGRAM_TOKEN, bot_username=BOT_USERNAME) as fake:
        service = build_service(
            sessions,
            telegram_token=TELEGRAM_TOKEN,
            telegram_api_url=fake.base_url,
            # Telegram's pacing (1 message a second per chat) is the channel's own tests' job;
            # here it would only make each exchange take seconds of real time.
            telegram_rate_limit=False,
            clock=ManualClock(DEFAULT_BOT_START + timedelta(days=1)),
        )
        await service.start()
        try:
            yield World(fake, service, sessions)
        finally:
            await service.stop()


async def link_everyone(world: World) -> None:
    for user, code, name in (
        (FOCAL, "FXCAL234", "Nguyễn Văn An"),
        (PRESS, "press-234", "Nguyễn Thị Hoa"),
        (COORDINATOR, "/start CXXRD234", "Trần Thị Bình"),
    ):
        text = code if code.startswith("/") else (f"/start {code}" if user == FOCAL else code)
        welcome = await world.say(user, text)
        assert f"Xin chào anh/chị {name}" in welcome["text"]


async def test_link_report_by_text_and_confirm_with_the_button(world: World) -> None:
    await link_everyone(world)
    summary = await world.say(FOCAL, "dang lam 70%, du kien xong 15/12")
    assert summary["text"] == (
        "Nhiệm vụ 5.1: đang thực hiện 70%, dự kiến xong 15/12/2018. Đúng không ạ?"
    )
    assert labels(summary) == ["Đúng", "Sửa"]
    query_id = await world.press(FOCAL, summary, "Đúng")
    recorded = (await world.fake.wait_sent(FOCAL))[-1]
    assert "Đã ghi nhận tiến độ nhiệm vụ 5.1" in recorded["text"]
    await world.fake.wait_for(
        lambda: query_id in [a["callback_query_id"] for a in world.fake.answered_callbacks]
    )
    async with UnitOfWork(world.sessions) as uow:
        report = (await uow.session.scalars(select(Report))).one()
    assert (report.status, report.percent, report.said_date.isoformat()) == (
        "in_progress",
        70,
        "2018-12-15",
    )


async def test_a_reply_to_the_bot_and_an_approved_extension(world: World) -> None:
    await link_everyone(world)
    first = await world.say(PRESS, "5.3 dang lam 20%")
    await world.press(PRESS, first, "Đúng")
    recorded = (await world.fake.wait_sent(PRESS))[-1]
    assert "nhiệm vụ 5.3" in recorded["text"]
    # A Telegram reply to the bot's message about 5.3 is about 5.3, without a code.
    ask = await world.say(PRESS, "xin gia han den 15/01/2019", reply_to=recorded["message_id"])
    assert ask["text"].startswith("Nhiệm vụ 5.3: xin gia hạn đến 15/01/2019")
    await world.press(PRESS, ask, "Đúng")
    assert "đề nghị gia hạn nhiệm vụ 5.3" in (await world.fake.wait_sent(PRESS))[-1]["text"]
    notice = (await world.fake.wait_sent(COORDINATOR))[-1]
    assert "Báo Hà Tĩnh (Nguyễn Thị Hoa) đề nghị gia hạn nhiệm vụ 5.3" in notice["text"]
    assert labels(notice) == ["Đồng ý", "Không đồng ý"]
    await world.press(COORDINATOR, notice, "Đồng ý")
    assert (
        "Đã đồng ý gia hạn nhiệm vụ 5.3 đến 15/01/2019"
        in (await world.fake.wait_sent(COORDINATOR))[-1]["text"]
    )
    told = (await world.fake.wait_sent(PRESS))[-1]
    assert told["text"] == "Đề nghị gia hạn nhiệm vụ 5.3 đã được đồng ý: hạn mới 15/01/2019."


async def test_done_by_code_confirmed_by_the_coordinator(world: World) -> None:
    await link_everyone(world)
    summary = await world.say(PRESS, "5.2.1 xong roi")
    assert summary["text"] == "Nhiệm vụ 5.2.1: đã hoàn thành. Đúng không ạ?"
    await world.press(PRESS, summary, "Đúng")
    await world.fake.wait_sent(PRESS)
    notice = (await world.fake.wait_sent(COORDINATOR))[-1]
    assert "báo cáo hoàn thành nhiệm vụ 5.2.1" in notice["text"]
    await world.press(COORDINATOR, notice, "Xác nhận")
    assert (await world.fake.wait_sent(COORDINATOR))[-1]["text"] == (
        "Đã xác nhận nhiệm vụ 5.2.1 hoàn thành."
    )
    assert "xác nhận nhiệm vụ 5.2.1 hoàn thành" in (await world.fake.wait_sent(PRESS))[-1]["text"]


async def test_a_button_under_a_task_and_a_stranger(world: World) -> None:
    await link_everyone(world)
    stranger = await world.say(999, "cho xem nhiệm vụ quá hạn")
    assert "mã liên kết" in stranger["text"] and "5.1" not in stranger["text"]
    listing = await world.say(PRESS, "dang lam 50%")
    assert "báo cáo cho nhiệm vụ nào" in listing["text"]
    await world.press(PRESS, listing, "2. 5.3")
    summary = (await world.fake.wait_sent(PRESS))[-1]
    assert summary["text"] == "Nhiệm vụ 5.3: đang thực hiện 50%. Đúng không ạ?"


async def test_every_update_is_stored_verbatim_once(world: World) -> None:
    await link_everyone(world)
    await world.say(FOCAL, "/nhiemvu")
    async with UnitOfWork(world.sessions) as uow:
        rows = (await uow.session.scalars(select(InboundMessage).order_by(InboundMessage.id))).all()
    assert [r.text for r in rows] == ["/start FXCAL234", "press-234", "/start CXXRD234", "/nhiemvu"]
    assert all(r.state == "done" for r in rows)
    # The platform's own update is kept as it came.
    assert json.dumps(rows[-1].payload["message"]["text"]) == '"/nhiemvu"'
    assert {r.event_id for r in rows} == {str(u) for u in range(100000, 100004)}


async def test_the_same_conversation_by_webhook(db_engine: AsyncEngine) -> None:
    import socket

    sessions = session_factory(db_engine)
    setup = BotHarness(sessions, DEFAULT_BOT_START)
    await setup.import_plan()
    await setup.issue_code(await setup.new_contact("Nguyễn Văn An", "Sở Ngoại vụ"), "HKXK2345")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with FakeTelegramAPI(TELEGRAM_TOKEN, bot_username=BOT_USERNAME) as fake:
        service = build_service(
            sessions,
            telegram_token=TELEGRAM_TOKEN,
            telegram_api_url=fake.base_url,
            telegram_webhook_url=url,
            telegram_webhook_secret=WEBHOOK_SECRET,
            telegram_rate_limit=False,
            port=port,
            clock=ManualClock(DEFAULT_BOT_START),
        )
        await service.channels["telegram"].set_webhook()  # type: ignore[attr-defined]
        await service.start()
        try:
            world = World(fake, service, sessions)
            assert "Xin chào anh/chị Nguyễn Văn An" in (await world.say(FOCAL, "HKXK2345"))["text"]
            summary = await world.say(FOCAL, "vuong kinh phi")
            assert summary["text"].startswith("Nhiệm vụ 5.1: gặp vướng mắc: kinh phi")
            assert [d["status"] for d in fake.webhook_deliveries] == [200, 200]
        finally:
            await service.stop()


async def test_the_coordinator_asks_what_is_overdue(world: World) -> None:
    await link_everyone(world)
    answer = await world.say(COORDINATOR, "/quahan")
    text = answer["text"]
    assert text.startswith("Tính đến 21/06/2018:")
    assert "• 1.1 — Xây dựng Kế hoạch Thông tin đối ngoại năm 2018" in text
    assert "quá hạn 113 ngày (hạn 28/02/2018)" in text
    plain = await world.say(COORDINATOR, "Sở TT&TT còn việc gì quá hạn?")
    assert "1.1" in plain["text"] and "Báo Hà Tĩnh" not in plain["text"]
    refused = await world.say(FOCAL, "/quahan")
    assert "chỉ dành cho cán bộ điều phối" in refused["text"]
