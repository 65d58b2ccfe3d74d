"""The web chat in a running service: live delivery, history, files, and the demo's clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import Attachment, ChatRef, OutgoingMessage
from bot.contacts import register_contact
from bot.demo import build_demo
from bot.service import build_service
from plans.importer import import_plan
from plans.persist import save_plan
from plans.samples import DEFAULT_SAMPLE
from scheduler.clock import LOCAL_TZ, ManualClock
from storage.db import session_factory
from storage.models import Contact, LinkCode
from storage.uow import UnitOfWork
from tests.fakes.web_client import Page, running

pytest_plugins = ["tests.fakes.conftest_telegram"]

BROWSER = "0123456789abcdef0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def sessions(db_engine: AsyncEngine):
    sessions = session_factory(db_engine)
    async with UnitOfWork(sessions) as uow:
        plan = import_plan(DEFAULT_SAMPLE)
        await save_plan(uow, plan, province=plan.province)
        await uow.commit()
    return sessions


async def test_a_browser_links_with_its_code_and_gets_replies_live(
    sessions, tmp_path: Path
) -> None:
    clock = ManualClock(datetime(2018, 6, 25, 9, 0, tzinfo=LOCAL_TZ))
    async with UnitOfWork(sessions) as uow:
        registered = await register_contact(
            uow,
            name="Nguyễn Văn An",
            agency_name="Sở Ngoại vụ",
            role="focal",
            phone=None,
            now=clock.now(),
        )
        await uow.commit()
    service = build_service(
        sessions, telegram_token=None, port=0, clock=clock, web_chat=True, web_files=tmp_path
    )
    async with running(service), aiohttp.ClientSession() as http:
        page = Page(http, service.url, BROWSER)
        async with page.events() as stream:
            sent = await page.say(f"/start {registered.code}")
            _, echo = await stream.next("message")
            assert (echo["id"], echo["from"]) == (sent, "me")
            assert echo["text"] == f"/start {registered.code}"
            welcome = await stream.bot_message("Nguyễn Văn An")
            assert "Sở Ngoại vụ" in welcome["text"] and "5.1" in welcome["text"]
            clock.advance(timedelta(minutes=1))  # a person takes a moment to answer
            await page.say("dang lam 70%")
            summary = await stream.bot_message("Nhiệm vụ 5.1")
            assert summary["text"] == "Nhiệm vụ 5.1: đang thực hiện 70%. Đúng không ạ?"
            assert [b["label"] for row in summary["buttons"] for b in row] == ["Đúng", "Sửa"]
            clock.advance(timedelta(seconds=10))
            await page.press(summary, "Đúng")
            done = await stream.bot_message("Đã ghi nhận")
            assert "tiến độ nhiệm vụ 5.1" in done["text"]
        # A page opened again reads the whole conversation from the database, in order.
        history = await page.history_of(6)
        assert [(i["from"], i["pressed"]) for i in history] == [
            ("me", None),
            ("bot", None),
            ("me", None),
            ("bot", None),
            ("me", "Đúng"),
            ("bot", None),
        ]
        assert history[2]["text"] == "dang lam 70%" and history[1]["text"] == welcome["text"]
        assert history[3]["buttons"] == summary["buttons"]
        assert history[0]["time"] == "25/06/2018 09:00"


async def test_outside_demo_mode_there_is_no_clock_and_no_demo_people(
    sessions, tmp_path: Path
) -> None:
    clock = ManualClock(datetime(2018, 6, 25, 9, 0, tzinfo=LOCAL_TZ))
    service = build_service(
        sessions, telegram_token=None, port=0, clock=clock, web_chat=True, web_files=tmp_path
    )
    async with running(service), aiohttp.ClientSession() as http:
        async with http.get(f"{service.url}/web/api/config") as response:
            config = await response.json()
        assert config["demo"] is False and "people" not in config and "clock" not in config
        assert config["texts"]["send"] == "Gửi"
        async with http.post(f"{service.url}/web/api/demo/clock", json={"jump": "week"}) as r:
            assert r.status == 404
        async with http.get(f"{service.url}/web/api/events", params={"chat": "demo-leader"}) as r:
            assert r.status == 400
        body = {"chat_id": "demo-leader", "event_id": "e1", "text": "/quahan"}
        async with http.post(f"{service.url}/web/api/messages", json=body) as r:
            assert r.status == 400
        # A cross-site page cannot post as the person.
        body = {"chat_id": BROWSER, "event_id": "e2", "text": "xong"}
        headers = {"Origin": "https://evil.example"}
        async with http.post(f"{service.url}/web/api/messages", json=body, headers=headers) as r:
            assert r.status == 403
        async with http.get(f"{service.url}/") as r:
            page = await r.text()
            assert r.status == 200 and "/web/static/app.js" in page
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]


async def test_a_service_without_the_web_chat_has_none_of_its_routes(sessions) -> None:
    clock = ManualClock(datetime(2018, 6, 25, 9, 0, tzinfo=LOCAL_TZ))
    service = build_service(
        sessions,
        telegram_token=None,
        telegram_webhook_url=None,
        port=0,
        clock=clock,
    )
    assert "web" not in service.channels and service.web_setup == []


async def test_the_demo_clock_brings_the_reminders_and_tells_every_page(
    sessions, tmp_path: Path
) -> None:
    demo = await build_demo(sessions, port=0, web_files=tmp_path)
    service = demo.service
    async with running(service), aiohttp.ClientSession() as http:
        async with http.get(f"{service.url}/web/api/config") as response:
            config = await response.json()
        assert config["demo"] is True
        assert [(p["name"], p["role"], p["agency"]) for p in config["people"]] == [
            ("Trần Thị Bình", "coordinator", "Sở Thông tin và Truyền thông"),
            ("Lê Văn Cường", "leader", "Sở Thông tin và Truyền thông"),
            ("Nguyễn Văn An", "focal", "Báo Hà Tĩnh"),
            ("Phạm Thị Hoa", "focal", "Đài Phát thanh và Truyền hình tỉnh"),
            ("Hoàng Minh Đức", "focal", "Sở Ngoại vụ"),
        ]
        # The working day before the first reminder of a task a demo agency leads.
        assert config["clock"]["label"].startswith("Thứ Sáu, 22/06/2018 09:0")
        focal = Page(http, service.url, "demo-focal-3")
        welcome = await focal.history()
        assert any("Xin chào anh/chị Hoàng Minh Đức" in item["text"] for item in welcome)
        # The plan reports "định kỳ 06 tháng": the round for 30/06 is open, its invitation next.
        assert welcome[-1]["text"].startswith("Kính gửi anh/chị, đã đến kỳ báo cáo 6 tháng đầu")
        async with focal.events() as stream:
            async with http.post(
                f"{service.url}/web/api/demo/clock", json={"jump": "next_day"}
            ) as response:
                moved = await response.json()
            assert moved["clock"]["label"].startswith("Thứ Hai, 25/06/2018 09:0")
            reminder = await stream.bot_message("nhắc việc ngày 25/06/2018")
            assert reminder["text"].startswith(
                "Kính gửi anh/chị Hoàng Minh Đức (Sở Ngoại vụ), nhắc việc ngày 25/06/2018:"
            )
            assert "5.1" in reminder["text"]
            assert [b["label"] for row in reminder["buttons"] for b in row] == [
                "Hoàn thành",
                "Đang thực hiện",
                "Gặp vướng mắc",
                "Xin gia hạn",
            ]
            _, clock = await stream.next("clock")
            assert clock["date"] == "25/06/2018"
        async with http.post(f"{service.url}/web/api/demo/clock", json={"jump": "x"}) as r:
            assert r.status == 400
        # The coordinator heard about the long-overdue tasks on the first day already.
        coordinator = await Page(http, service.url, "demo-coordinator").history()
        assert any("quá hạn từ 7 ngày làm việc" in i["text"] for i in coordinator)


async def test_a_photo_is_shown_from_the_file_and_kept_in_the_history(
    sessions, tmp_path: Path
) -> None:
    demo = await build_demo(sessions, port=0, web_files=tmp_path)
    service = demo.service
    channel = service.channels["web"]
    async with running(service), aiohttp.ClientSession() as http:
        leader = Page(http, service.url, "demo-leader")
        async with leader.events() as stream:
            # As the digest sends its chart: through the outbox sender, bytes in hand.
            await channel.send(
                OutgoingMessage(
                    ChatRef("web", "demo-leader"),
                    "Tỷ lệ hoàn thành đúng hạn",
                    attachment=Attachment(kind="photo", content=PNG, mime_type="image/png"),
                )
            )
            _, item = await stream.next("message")
        url = item["attachment"]["url"]
        assert item["attachment"]["kind"] == "photo" and url.endswith(".png")
        async with http.get(f"{service.url}{url}") as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "image/png"
            assert await response.read() == PNG
        async with http.get(f"{service.url}/web/files/{item['id']}/other.png") as response:
            assert response.status == 404


async def test_the_demo_links_its_people_once_and_never_goes_back_in_time(
    sessions, tmp_path: Path
) -> None:
    first = await build_demo(sessions, port=0, web_files=tmp_path)
    async with (
        running(first.service),
        aiohttp.ClientSession() as http,
        http.post(f"{first.service.url}/web/api/demo/clock", json={"jump": "week"}) as response,
    ):
        assert (await response.json())["clock"]["date"] == "29/06/2018"
    again = await build_demo(sessions, port=0, web_files=tmp_path)
    assert again.clock.now() > first.clock.now()
    assert again.clock.now().astimezone(LOCAL_TZ).date().isoformat() == "2018-06-29"
    async with UnitOfWork(sessions) as uow:
        contacts = await uow.session.scalar(select(func.count(Contact.id)))
        codes = await uow.session.scalar(select(func.count(LinkCode.id)))
    assert (contacts, codes) == (5, 5)


async def test_a_real_deployment_serves_telegram_and_the_web_chat_without_demo_controls(
    sessions, tmp_path: Path, fake_telegram
) -> None:
    service = build_service(
        sessions,
        telegram_token=fake_telegram.token,
        telegram_api_url=fake_telegram.base_url,
        telegram_rate_limit=False,
        port=0,
        reminders=True,
        web_chat=True,
        web_files=tmp_path,
    )
    assert sorted(service.channels) == ["telegram", "web"]
    async with running(service), aiohttp.ClientSession() as http:
        async with http.get(f"{service.url}/healthz") as response:
            health = await response.json()
            assert health["channels"] == {"telegram": "running", "web": "running"}
            assert response.status == 200 and health["status"] == "ok"
        async with http.get(f"{service.url}/web/api/config") as response:
            config = await response.json()
        assert config["demo"] is False and "clock" not in config
        for jump in ("next_day", "week", "deadline"):
            async with http.post(
                f"{service.url}/web/api/demo/clock", json={"jump": jump}
            ) as response:
                assert response.status == 404


async def test_a_plan_with_few_agencies_gives_fewer_focal_points(db_engine: AsyncEngine) -> None:
    from bot.demo import demo_people
    from tests.dialog.reminder_plan import plan_of

    sessions = session_factory(db_engine)
    async with UnitOfWork(sessions) as uow:
        await save_plan(uow, plan_of("1", "2", "3", "4"), province="Quảng Trị")
        await uow.commit()
    people = await demo_people(sessions)
    assert [(p.chat_id, p.role, p.agency) for p in people] == [
        ("demo-coordinator", "coordinator", "Sở Thông tin và Truyền thông"),
        ("demo-leader", "leader", "Sở Thông tin và Truyền thông"),
        ("demo-focal-1", "focal", "Sở Nội vụ"),
        ("demo-focal-2", "focal", "Báo Quảng Trị"),
    ]
