"""The weekly digest in chat: Monday 08:00 to leaders and coordinators, once a week, a chart."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.digests import DigestJob
from scheduler.clock import LOCAL_TZ
from tests.fakes.harness import BotHarness, Person
from tests.fixtures.report_season import TTTT, VHTTDL, build_season


def at(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture
async def bot(make_bot) -> BotHarness:
    bot = make_bot(start=at(29, 5, 10))  # a Friday
    async with bot.uow() as uow:
        await build_season(uow)
        await uow.commit()
    return bot


@pytest.fixture
async def people(bot: BotHarness) -> dict[str, Person]:
    return {
        "leader": await bot.person("Hoàng Văn Lãnh", TTTT, "leader"),
        "coordinator": await bot.person("Phan Thị Điều", TTTT, "coordinator"),
        "focal": await bot.person("Đặng Văn Đầu", VHTTDL),
    }


async def _at(bot: BotHarness, moment: datetime) -> list:
    bot.clock.set(moment)
    before = len(bot.channel.sent)
    await bot.tick_digests()
    return bot.channel.sent[before:]


async def test_monday_morning_to_leaders_and_coordinators_once(bot, people) -> None:
    assert await _at(bot, at(1, 6, 7, 55)) == []  # Monday, before 08:00
    sent = await _at(bot, at(1, 6, 8, 0))
    assert sorted(s.chat_id for s in sent) == sorted(
        [people["leader"].chat_id, people["coordinator"].chat_id]
    )
    for message in sent:
        assert message.text.startswith("BẢN TIN TUẦN: Kế hoạch chuyển đổi số tỉnh Quảng Trị")
        assert "Số liệu đến ngày 01/06/2026." in message.text
        assert "Tỷ lệ hoàn thành đúng hạn: 40% (2/5 nhiệm vụ đã đến hạn), tăng 7 điểm" in (
            message.text
        )
        assert "• Sở Văn hóa, Thể thao và Du lịch: 1 nhiệm vụ (2.3)" in message.text
        assert message.attachment is not None and message.attachment.kind == "photo"
        assert message.attachment.content[:8] == b"\x89PNG\r\n\x1a\n"
    # Focal points get their reminders, not the digest (their one message is the welcome).
    assert [s.text[:9] for s in bot.inbox(people["focal"])] == ["Xin chào "]
    # Later the same day, the next day, and a second instance of the service: nothing more.
    assert await _at(bot, at(1, 6, 15, 0)) == []
    assert await _at(bot, at(2, 6, 8, 30)) == []
    other = DigestJob(bot.sessions, bot.sender, bot.clock, bot.calendar)
    assert await other.tick() == []
    # The next Monday brings the next one.
    again = await _at(bot, at(8, 6, 8, 1))
    assert len(again) == 2 and "Số liệu đến ngày 08/06/2026." in again[0].text


async def test_after_an_outage_the_weeks_digest_goes_out_late(bot, people) -> None:
    assert len(await _at(bot, at(1, 6, 8, 0))) == 2
    # The service was down on Monday 08/06; it comes back on Wednesday.
    sent = await _at(bot, at(10, 6, 10, 0))
    assert len(sent) == 2 and "Số liệu đến ngày 10/06/2026." in sent[0].text


async def test_a_first_start_mid_week_waits_for_the_digest_day(bot, people) -> None:
    assert await _at(bot, at(3, 6, 10, 0)) == []  # Wednesday, never sent before
    assert len(await _at(bot, at(8, 6, 8, 0))) == 2


async def test_a_day_off_moves_it_to_the_next_working_day(bot, people) -> None:
    async with bot.uow() as uow:
        await uow.calendar_days.add(date(2026, 6, 8), "Nghỉ bù")
        await uow.commit()
    await _at(bot, at(1, 6, 8, 0))
    assert await _at(bot, at(8, 6, 9, 0)) == []
    assert len(await _at(bot, at(9, 6, 8, 0))) == 2


async def test_the_plan_chooses_the_day_and_hour_or_none(bot, people) -> None:
    async with bot.uow() as uow:
        [summary] = await uow.plans.list_all()
        summary.plan.settings = {"digest": {"weekday": 6, "send_at": "16:30"}}
        await uow.commit()
    assert await _at(bot, at(1, 6, 8, 0)) == []
    assert await _at(bot, at(5, 6, 16, 0)) == []  # Friday, before 16:30
    assert len(await _at(bot, at(5, 6, 16, 30))) == 2
    async with bot.uow() as uow:
        [summary] = await uow.plans.list_all()
        summary.plan.settings = {"digest": {"enabled": "false"}}
        await uow.commit()
    assert await _at(bot, at(8, 6, 9, 0)) == []
