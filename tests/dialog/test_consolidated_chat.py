"""/baocaotonghop in chat: the coordinator receives the report's .docx and .xlsx."""

from __future__ import annotations

import io
from datetime import datetime

import docx
import openpyxl
import pytest

from scheduler.clock import LOCAL_TZ
from tests.fakes.harness import BotHarness
from tests.fixtures.report_season import NOI_VU, TTTT, build_season


@pytest.fixture
async def bot(make_bot) -> BotHarness:
    bot = make_bot(start=datetime(2026, 7, 6, 9, 0, tzinfo=LOCAL_TZ))
    async with bot.uow() as uow:
        await build_season(uow)
        await uow.commit()
    return bot


async def test_the_coordinator_gets_both_files(bot: BotHarness) -> None:
    coordinator = await bot.person("Phan Thị Điều", TTTT, "coordinator")
    answer = await bot.say("/baocaotonghop 2026H1", as_=coordinator)
    assert len(answer) == 2
    summary, sheet = answer
    assert summary.text.startswith(
        "Dự thảo báo cáo kết quả thực hiện Kế hoạch chuyển đổi số tỉnh Quảng Trị năm 2026 "
        "(6 tháng đầu năm 2026), số liệu đến ngày 30/06/2026: 10 nhiệm vụ; tỷ lệ hoàn thành đúng "
        "hạn 29% (2/7 nhiệm vụ đã đến hạn); 2 nhiệm vụ quá hạn."
    )
    assert summary.attachment is not None and summary.attachment.kind == "document"
    assert summary.attachment.name == "bao-cao-ke-hoach-1-2026H1.docx"
    document = docx.Document(io.BytesIO(summary.attachment.content))
    assert document.paragraphs[0].text == "BÁO CÁO"
    assert "Tỷ lệ hoàn thành đúng hạn: 29% (2/7 nhiệm vụ đã đến hạn)." in [
        p.text for p in document.paragraphs
    ]
    assert sheet.attachment is not None and sheet.attachment.name.endswith("2026H1.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(sheet.attachment.content))
    assert book["Nhiệm vụ"]["A2"].value == "1.1"


async def test_without_a_period_the_current_one_and_a_bad_one_explained(bot: BotHarness) -> None:
    coordinator = await bot.person("Phan Thị Điều", TTTT, "coordinator")
    # In July the annual report is the one being prepared.
    [summary, _] = await bot.say("/baocaotonghop", as_=coordinator)
    assert "(năm 2026), số liệu đến ngày 06/07/2026" in summary.text
    [refused] = await bot.say("/baocaotonghop 2026H3", as_=coordinator)
    assert refused.text.startswith("Kỳ báo cáo «2026H3» không hợp lệ.")
    assert refused.attachment is None


async def test_only_the_coordinator(bot: BotHarness) -> None:
    focal = await bot.person("Trần Văn Đầu", NOI_VU)
    [answer] = await bot.say("/baocaotonghop 2026H1", as_=focal)
    assert answer.attachment is None
    assert answer.text.startswith("Nội dung này chỉ dành cho cán bộ điều phối")
