"""Zalo's stand-in for buttons: numbered options under the question, a bare number back.

What a number means is decided per chat by the options the chat was last offered (kept by
the outbox when the message went out), while they are fresh and no plain reply in the chat
has moved the conversation on."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from storage.models import InboundMessage, OfferedChoice, Report
from tests.dialog.reminder_plan import TTTT, at, received, save, walk
from tests.fakes.harness import BotHarness, Person


@pytest.fixture(params=["zalo"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)  # numbered options exist only where buttons do not


@pytest.fixture
async def bot(make_bot) -> BotHarness:
    bot = make_bot()
    await bot.import_plan()
    return bot


async def reports(bot: BotHarness) -> list[Report]:
    async with bot.uow() as uow:
        return list((await uow.session.scalars(select(Report).order_by(Report.id))).all())


async def test_the_question_shows_its_options_and_a_number_answers_it(bot: BotHarness) -> None:
    an = await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")
    answer = await bot.say("dang lam 70%", as_=an)
    assert answer[-1].parts == (
        "Nhiệm vụ 5.1: đang thực hiện 70%. Đúng không ạ?\n\nTrả lời 1 = Đúng, 2 = Sửa",
    )
    done = await bot.say(" 1. ", as_=an)
    assert "Đã ghi nhận tiến độ nhiệm vụ 5.1" in done[-1].text
    assert [r.percent for r in await reports(bot)] == [70]
    async with bot.uow() as uow:
        typed = (
            await uow.session.scalars(select(InboundMessage).where(InboundMessage.text == " 1. "))
        ).one()
    # Stored as typed, with what it was read as.
    assert (typed.callback_data, typed.handled_by) == ("cf:y", "confirm_button")


async def test_options_belong_to_their_chat(bot: BotHarness) -> None:
    an = await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")
    hoa = await bot.person("Nguyễn Thị Hoa", "Báo Hà Tĩnh")
    await bot.say("dang lam 70%", as_=an)
    other = await bot.say("1", as_=hoa)  # Hoa was offered nothing: her "1" is text
    assert "Đã ghi nhận" not in other[-1].text
    assert await reports(bot) == []


async def test_a_number_beyond_the_options_is_text(bot: BotHarness) -> None:
    an = await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")
    await bot.say("dang lam 70%", as_=an)
    answer = await bot.say("7", as_=an)
    assert "Đã ghi nhận" not in answer[-1].text
    assert await reports(bot) == []


async def test_a_plain_reply_withdraws_the_options_a_notice_does_not(bot: BotHarness) -> None:
    coordinator = await bot.person("Trần Thị Bình", "Sở Thông tin và Truyền thông", "coordinator")
    hoa = await bot.person("Nguyễn Thị Hoa", "Báo Hà Tĩnh")
    an = await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")
    answer = await bot.say("5.2.1 xong", as_=hoa)
    await bot.tap("Đúng", on=answer[-1], as_=hoa)
    notice = bot.last(coordinator)
    assert notice.parts[-1].endswith("Trả lời 1 = Xác nhận, 2 = Trả lại")
    # Another report's notice without options (a blocked task) does not replace the question.
    blocked = await bot.say("5.1 vuong kinh phi", as_=an)
    await bot.tap("Đúng", on=blocked[-1], as_=an)
    assert "vướng mắc" in bot.last(coordinator).text and not bot.last(coordinator).buttons
    confirmed = await bot.say("1", as_=coordinator)
    assert confirmed[-1].text == "Đã xác nhận nhiệm vụ 5.2.1 hoàn thành."
    # That answer was a plain reply: the options are withdrawn.
    async with bot.uow() as uow:
        open_now = (await uow.session.scalars(select(OfferedChoice))).all()
    assert coordinator.chat_id not in {o.chat_id for o in open_now}


async def test_options_go_stale(bot: BotHarness) -> None:
    an = await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")
    await bot.say("ht", as_=an)  # unclear: the four statuses are offered
    bot.advance(days=8)
    answer = await bot.say("1", as_=an)
    assert "Đúng không" not in answer[-1].text  # not "Hoàn thành" any more: read as text


async def test_a_reminder_offers_its_tasks_then_their_statuses(make_bot) -> None:
    bot = make_bot(start=at(20, 9, 7, 0))
    await save(bot, "1", "3")
    an: Person = await bot.person("Nguyễn Văn An", TTTT)
    diary = await walk(bot, date(2023, 9, 21), date(2023, 9, 21))
    [reminder] = received(diary, an, date(2023, 9, 21))
    assert reminder.parts[-1].endswith("Trả lời 1 = nhiệm vụ 3, 2 = nhiệm vụ 1")
    statuses = await bot.say("2", as_=an)
    assert "Nhiệm vụ 1" in statuses[-1].text
    assert (
        statuses[-1]
        .parts[-1]
        .endswith("Trả lời 1 = Hoàn thành, 2 = Đang thực hiện, 3 = Gặp vướng mắc, 4 = Xin gia hạn")
    )
    recorded = await bot.say("số 2", as_=an)
    assert "nhiệm vụ 1" in recorded[0].text


async def test_long_answers_are_cut_for_zalo(bot: BotHarness) -> None:
    coordinator = await bot.person("Trần Thị Bình", "Sở Thông tin và Truyền thông", "coordinator")
    answer = await bot.say("/tiendo", as_=coordinator)
    assert all(len(part) <= 2000 for sent in answer for part in sent.parts)
