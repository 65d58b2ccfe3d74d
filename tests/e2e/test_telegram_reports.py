"""The report and the digest over real HTTP: files uploaded through python-telegram-bot."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime

import docx
import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.digests import DigestJob
from bot.service import Service, build_service
from scheduler.clock import LOCAL_TZ, ManualClock
from storage.db import session_factory
from tests.fakes.harness import BotHarness
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_helpers import BOT_USERNAME, TELEGRAM_TOKEN

COORDINATOR, LEADER = 333, 444
THURSDAY = datetime(2018, 6, 21, 9, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
async def world(
    db_engine: AsyncEngine,
) -> AsyncIterator[tuple[FakeTelegramAPI, Service, ManualClock]]:
    sessions = session_factory(db_engine)
    setup = BotHarness(sessions, THURSDAY)
    await setup.import_plan()
    for code, name, role in (("CXXRD234", "Trần Thị Bình", "coordinator"),
                             ("LEADR234", "Võ Văn Lãnh", "leader")):  # fmt: skip
        contact = await setup.new_contact(name, "Sở Thông tin và Truyền thông", role)
        await setup.issue_code(contact, code)
    async with FakeTelegramAPI(TELEGRAM_TOKEN, bot_username=BOT_USERNAME) as fake:
        clock = ManualClock(THURSDAY)
        service = build_service(
            sessions,
            telegram_token=TELEGRAM_TOKEN,
            telegram_api_url=fake.base_url,
            telegram_rate_limit=False,
            clock=clock,
            reminders=True,  # with the weekly digest and rounds jobs
        )
        await service.start()
        try:
            for user, code in ((COORDINATOR, "CXXRD234"), (LEADER, "LEADR234")):
                fake.user_sends(user, f"/start {code}")
                await fake.wait_sent(user)
            yield fake, service, clock
        finally:
            await service.stop()


async def test_the_report_arrives_as_two_documents(world) -> None:
    fake, _, _ = world
    fake.user_sends(COORDINATOR, "/baocaotonghop 2018H1")
    word, sheet = await fake.wait_sent(COORDINATOR, count=2, timeout=20)
    assert word["method"] == "sendDocument"
    assert word["caption"].startswith(
        "Dự thảo báo cáo kết quả thực hiện Kế hoạch Công tác thông tin đối ngoại tỉnh Hà Tĩnh "
        "năm 2018 (6 tháng đầu năm 2018), số liệu đến ngày 21/06/2018: 18 nhiệm vụ"
    )
    assert word["document"]["file_name"] == "bao-cao-ke-hoach-1-2018H1.docx"
    document = docx.Document(io.BytesIO(word["document"]["content"]))
    header = [p.text for p in document.tables[0].rows[0].cells[0].paragraphs if p.text]
    assert header[:2] == ["UBND TỈNH HÀ TĨNH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"]
    assert sheet["document"]["file_name"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(sheet["document"]["content"]))
    assert book["Nhiệm vụ"].max_row == 19  # a header and the plan's 18 tasks


async def test_the_monday_digest_arrives_with_its_chart(world) -> None:
    fake, service, clock = world
    [digests] = [job.__self__ for job in service.jobs if isinstance(job.__self__, DigestJob)]
    # Started on a Thursday: the first digest waits for Monday.
    assert await digests.tick() == []
    clock.set(datetime(2018, 6, 25, 8, 5, tzinfo=LOCAL_TZ))
    await digests.tick()
    for user in (COORDINATOR, LEADER):
        [photo] = await fake.wait_sent(user, timeout=20)
        # Short enough to be the photo's caption (Telegram allows 1 024 characters).
        assert photo["method"] == "sendPhoto"
        assert photo["caption"].startswith(
            "BẢN TIN TUẦN: Kế hoạch Công tác thông tin đối ngoại tỉnh Hà Tĩnh năm 2018\n"
            "Số liệu đến ngày 25/06/2018."
        )
        assert photo["photo"]["content"][:8] == b"\x89PNG\r\n\x1a\n"
