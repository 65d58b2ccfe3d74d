"""Linking by one-time code, what strangers get, and that every message is kept once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from storage.models import ChannelIdentity, InboundMessage
from tests.fakes.harness import BotHarness


@pytest.fixture
async def bot(make_bot) -> BotHarness:
    bot = make_bot()
    await bot.import_plan()
    return bot


async def test_a_stranger_gets_help_and_linking_only(bot: BotHarness) -> None:
    for text in ("xin chào", "/nhiemvu", "/quahan", "5.1 xong", "Sở Ngoại vụ còn việc gì quá hạn?"):
        answer = await bot.say(text, as_="777")
        assert len(answer) == 1
        assert "mã liên kết" in answer[0].text
        assert "5.1" not in answer[0].text and "Sở Ngoại vụ" not in answer[0].text
    start = await bot.say("/start", as_="777")
    assert "gửi mã liên kết gồm 8 ký tự" in start[0].text


async def test_start_with_code_links_and_lists_open_tasks(bot: BotHarness) -> None:
    contact_id = await bot.new_contact("Nguyễn Thị Hoa", "Báo Hà Tĩnh")
    await bot.issue_code(contact_id, "HTBA2345")
    answer = await bot.say("/start HTBA2345", as_="501")
    text = answer[0].text
    assert "Xin chào anh/chị Nguyễn Thị Hoa" in text
    assert "Báo Hà Tĩnh" in text and "cán bộ đầu mối" in text
    # Its lead tasks with their deadlines, as of 20/06/2018.
    assert "5.2.1" in text and "hạn 31/12/2018" in text
    assert "5.5" in text and "chưa có thời hạn" in text
    async with bot.uow() as uow:
        identity = await uow.identities.find("test", "501")
    assert identity is not None and identity.contact_id == contact_id


async def test_the_code_alone_links_too_however_it_is_typed(bot: BotHarness) -> None:
    contact_id = await bot.new_contact("Lê Văn Cường", "Sở Ngoại vụ")
    await bot.issue_code(contact_id, "NGVU2345")
    answer = await bot.say(" ngvu-2345 ", as_="502")
    assert "Xin chào anh/chị Lê Văn Cường" in answer[0].text
    assert "5.1" in answer[0].text


async def test_wrong_used_and_expired_codes_get_clear_answers(bot: BotHarness) -> None:
    contact_id = await bot.new_contact("Phạm Văn Dũng", "Sở Ngoại vụ")
    await bot.issue_code(contact_id, "ABCDEFGH")
    wrong = await bot.say("/start ZZZZZZZZ", as_="601")
    assert "Mã liên kết không đúng" in wrong[0].text
    await bot.say("/start ABCDEFGH", as_="601")
    used = await bot.say("/start ABCDEFGH", as_="602")
    assert "đã được sử dụng" in used[0].text
    await bot.issue_code(contact_id, "QRSTUVWX", days=7)
    bot.advance(days=7, seconds=1)
    expired = await bot.say("/start QRSTUVWX", as_="603")
    assert "đã hết hạn" in expired[0].text
    async with bot.uow() as uow:
        assert await uow.identities.find("test", "602") is None
        assert await uow.identities.find("test", "603") is None


async def test_repeated_wrong_codes_are_throttled(bot: BotHarness) -> None:
    contact_id = await bot.new_contact("Hồ Thị Em", "Sở Ngoại vụ")
    await bot.issue_code(contact_id, "RIGHTCD2".replace("I", "J"))
    for n in range(5):
        answer = await bot.say(f"/start WRNGCD{n + 2}A".replace("0", "2"), as_="701")
        assert "không đúng" in answer[0].text
    refused = await bot.say("/start RJGHTCD2", as_="701")
    assert "sai mã nhiều lần" in refused[0].text and "15 phút" in refused[0].text
    # Another chat is not affected, and the same chat may try again later.
    bot.advance(minutes=16)
    linked = await bot.say("/start RJGHTCD2", as_="701")
    assert "Xin chào anh/chị Hồ Thị Em" in linked[0].text


async def test_a_duplicate_update_is_processed_once(bot: BotHarness) -> None:
    focal = await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")
    first = await bot.say("/nhiemvu", as_=focal, event_id="dup-1")
    again = await bot.say("/nhiemvu", as_=focal, event_id="dup-1")
    assert first and "5.1" in first[0].text
    assert again == []
    async with bot.uow() as uow:
        rows = (
            await uow.session.scalars(
                select(InboundMessage).where(InboundMessage.event_id == "dup-1")
            )
        ).all()
    assert len(rows) == 1 and rows[0].state == "done" and rows[0].handled_by == "my_tasks"


async def test_a_handler_error_keeps_the_message_and_tells_the_person(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    focal = await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")

    async def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr("handlers.my_tasks.my_tasks_text", broken)
    with pytest.raises(RuntimeError, match="boom"):
        await bot.say("/nhiemvu", as_=focal, event_id="err-1")
    assert "hệ thống gặp lỗi" in bot.last(focal).text
    async with bot.uow() as uow:
        row = (
            await uow.session.scalars(
                select(InboundMessage).where(InboundMessage.event_id == "err-1")
            )
        ).one()
    assert row.state == "failed" and "boom" in (row.error or "") and row.text == "/nhiemvu"


async def test_relinking_moves_the_account_to_the_new_contact(bot: BotHarness) -> None:
    old = await bot.new_contact("Người Cũ", "Sở Ngoại vụ")
    new = await bot.new_contact("Người Mới", "Báo Hà Tĩnh")
    await bot.issue_code(old, "AAAABBBB")
    await bot.issue_code(new, "CCCCDDDD")
    await bot.say("/start AAAABBBB", as_="801")
    answer = await bot.say("/start CCCCDDDD", as_="801")
    assert "Người Mới" in answer[0].text and "Báo Hà Tĩnh" in answer[0].text
    async with bot.uow() as uow:
        rows = (await uow.session.scalars(select(ChannelIdentity))).all()
    assert [(r.contact_id, r.external_id) for r in rows] == [(new, "801")]


async def test_a_message_cut_short_by_shutdown_is_kept_as_received(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    focal = await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")
    started, never = asyncio.Event(), asyncio.Event()

    async def stuck(*args: object, **kwargs: object) -> str:
        started.set()
        await never.wait()  # until the service stops
        return ""

    monkeypatch.setattr("handlers.my_tasks.my_tasks_text", stuck)
    talking = asyncio.create_task(bot.say("/nhiemvu", as_=focal, event_id="cut-1"))
    await started.wait()
    talking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await talking
    async with bot.uow() as uow:
        row = (
            await uow.session.scalars(
                select(InboundMessage).where(InboundMessage.event_id == "cut-1")
            )
        ).one()
    assert row.state == "received" and row.text == "/nhiemvu"


class _ProcessDied(BaseException):
    """Stands for the process dying mid-handler: nothing in the service catches it."""


async def test_a_message_is_stored_before_its_handler_runs(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Committed on its own first: dying while handling cannot lose what arrived."""
    focal = await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")

    async def dies(*args: object, **kwargs: object) -> str:
        raise _ProcessDied

    monkeypatch.setattr("handlers.my_tasks.my_tasks_text", dies)
    with pytest.raises(_ProcessDied):
        await bot.say("/nhiemvu", as_=focal, event_id="early-1")
    async with bot.uow() as uow:
        row = (
            await uow.session.scalars(
                select(InboundMessage).where(InboundMessage.event_id == "early-1")
            )
        ).one()
    assert row.state == "received" and row.text == "/nhiemvu"
