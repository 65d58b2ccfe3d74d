"""Reporting rounds: opened before the deadline, each focal point walked through the agency's
tasks one at a time, nudged, and the coordinator handed the draft at the cut-off."""

from __future__ import annotations

import io
from datetime import datetime

import docx
import pytest
from sqlalchemy import select

from plans.persist import save_plan
from scheduler.clock import LOCAL_TZ
from storage.models import Conversation, Report, RoundAnswer
from tests.fakes.harness import BotHarness, Person, Sent
from tests.fixtures.report_season import NOI_VU, TTTT, plan

# The plan reports "trước ngày 25/5 và 25/11": for 25/05/2026 (a Monday) the round opens 10
# working days before, on Monday 11/05, and the draft goes out 2 working days before, 21/05.
OPENS = datetime(2026, 5, 11, 8, 0, tzinfo=LOCAL_TZ)
PROGRESS_2_1 = "Đang lắp đặt thiết bị mạng truyền số liệu tại 10 sở, ngành"
BLOCKED = "Chưa được phân bổ vốn đầu tư công năm 2026, đã có văn bản đề nghị Sở Tài chính"


def at(day: int, month: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture
async def bot(make_bot) -> BotHarness:
    bot = make_bot(start=at(4, 5, 9))
    async with bot.uow() as uow:
        saved = await save_plan(uow, plan(), province="Quảng Trị")
        tasks = {t.code: t.id for t in await uow.tasks.list_for_plan(saved.plan_id)}
        agencies = {a.name: a.id for a in await uow.agencies.list_all()}
        # Before the round: 1.1 done and confirmed (not asked again), 2.1 in progress.
        await uow.reports.add(task_id=tasks["1.1"], agency_id=agencies[TTTT], status="done",
                              state="confirmed", text="xong", created_at=at(20, 3))  # fmt: skip
        await uow.reports.add(task_id=tasks["2.1"], agency_id=agencies[TTTT],
                              status="in_progress", percent=40, text=PROGRESS_2_1,
                              created_at=at(28, 4))  # fmt: skip
        await uow.commit()
    return bot


@pytest.fixture
async def people(bot: BotHarness) -> dict[str, Person]:
    return {
        "tttt": await bot.person("Nguyễn Văn Thông", TTTT),
        "noi_vu": await bot.person("Trần Thị Nội", NOI_VU),
        "coordinator": await bot.person("Phan Thị Điều", TTTT, "coordinator"),
    }


async def _tick(bot: BotHarness, moment: datetime) -> list[Sent]:
    bot.clock.set(moment)
    before = len(bot.channel.sent)
    await bot.tick_rounds()
    return bot.channel.sent[before:]


async def _answers(bot: BotHarness) -> list[tuple[str, str, int | None]]:
    async with bot.uow() as uow:
        tasks = {t.id: t.code for t in await uow.tasks.list_for_plan(1)}
        rows = (await uow.session.scalars(select(RoundAnswer).order_by(RoundAnswer.id))).all()
        return [(tasks[a.task_id], a.state, a.report_id) for a in rows]


async def test_a_round_from_opening_to_the_draft(bot: BotHarness, people) -> None:
    tttt, noi_vu, coordinator = people["tttt"], people["noi_vu"], people["coordinator"]
    assert await _tick(bot, at(8, 5)) == []  # Friday before: not yet
    assert await _tick(bot, at(11, 5, 7, 59)) == []  # before the send time
    sent = await _tick(bot, OPENS)
    invite = next(s for s in sent if s.chat_id == tttt.chat_id)
    assert invite.text == (
        "Kính gửi anh/chị, đã đến kỳ báo cáo 6 tháng đầu năm 2026. Đề nghị Sở Thông tin và "
        "Truyền thông báo cáo kết quả thực hiện 3 nhiệm vụ trước ngày 21/05/2026. Anh/chị bấm "
        "«Bắt đầu báo cáo» (hoặc gõ /kybaocao), bot sẽ hỏi lần lượt từng nhiệm vụ ạ."
    )
    assert invite.labels == ["Bắt đầu báo cáo"]
    assert "báo cáo kết quả thực hiện 2 nhiệm vụ" in bot.last(noi_vu).text
    assert not [s for s in sent if s.chat_id == coordinator.chat_id]
    assert await _tick(bot, at(11, 5, 9)) == []  # opened once

    # The walk: 2.1 as last time, 2.2 blocked with a paragraph, 2.5 skipped.
    bot.clock.set(at(11, 5, 9, 30))
    # Typed rather than pressed: on Zalo the day's reminder, sent after the invitation, holds
    # the open numbered options (the button itself is pressed in the test after this one).
    intro, first = await bot.say("/kybaocao", as_=tttt)
    assert intro.text.startswith("Kỳ báo cáo 6 tháng đầu năm 2026: Sở Thông tin và Truyền thông")
    assert first.text.startswith("Nhiệm vụ 1/3 — 2.1. Nâng cấp mạng truyền số liệu")
    assert f"Báo cáo gần nhất (28/04/2026): đang thực hiện 40% — «{PROGRESS_2_1}»" in first.text
    assert first.labels == ["Hoàn thành", "Đang thực hiện", "Gặp vướng mắc", "Như lần trước",
                            "Bỏ qua"]  # fmt: skip
    [ask] = await bot.tap("Như lần trước", on=first, as_=tttt)
    assert ask.text.startswith("Anh/chị nhập kết quả thực hiện")
    assert f"Nội dung lần trước: «{PROGRESS_2_1}»" in ask.text
    kept, second = await bot.tap("Giữ nội dung cũ", on=ask, as_=tttt)
    assert kept.text == "Đã giữ nguyên báo cáo lần trước (đang thực hiện)."
    assert second.text.startswith("Nhiệm vụ 2/3 — 2.2. Xây dựng kho dữ liệu dùng chung")
    assert "Chưa có báo cáo nào." in second.text and "Như lần trước" not in second.labels
    await bot.tap("Gặp vướng mắc", on=second, as_=tttt)
    recorded, third = await bot.say(BLOCKED, as_=tttt)
    assert recorded.text == "Đã ghi nhận nhiệm vụ 2.2: gặp vướng mắc."
    assert third.text.startswith("Nhiệm vụ 3/3 — 2.5.")
    assert "2.2" in bot.last(coordinator).text and BLOCKED in bot.last(coordinator).text
    [done] = await bot.tap("Bỏ qua", on=third, as_=tttt)
    assert done.text == (
        "Cảm ơn anh/chị. Đã ghi nhận 2 nhiệm vụ trong kỳ báo cáo này.\n"
        "Còn các nhiệm vụ đã bỏ qua: 2.5. Anh/chị bấm «Bắt đầu báo cáo» khi sẵn sàng ạ."
    )
    answers = await _answers(bot)
    assert [(code, state) for code, state, _ in answers] == [
        ("2.1", "answered"), ("2.2", "answered"), ("2.5", "skipped")
    ]  # fmt: skip
    async with bot.uow() as uow:
        reports = (await uow.session.scalars(select(Report).order_by(Report.id))).all()
        conversation = await uow.session.scalar(
            select(Conversation).where(Conversation.chat_id == tttt.chat_id)
        )
    assert answers[0][2] == reports[1].id  # "as last time" points at the report already there
    blocked = reports[-1]
    assert (blocked.status, blocked.reason, blocked.text) == ("blocked", BLOCKED, BLOCKED)
    assert conversation is not None and conversation.state is None

    # The coordinator sees who has answered.
    [status] = await bot.say("/kybaocao", as_=coordinator)
    assert status.text.startswith(
        "Kỳ báo cáo 6 tháng đầu năm 2026 (hạn báo cáo 25/05/2026, tổng hợp ngày 21/05/2026)"
    )
    assert "• Sở Nội vụ: đã báo cáo 0/2 nhiệm vụ" in status.text
    assert "• Sở Thông tin và Truyền thông: đã báo cáo 2/3 nhiệm vụ" in status.text
    [unreported] = await bot.say("/chuabaocao", as_=coordinator)
    assert "• Sở Nội vụ: đã báo cáo 0/2 nhiệm vụ" in unreported.text

    # Nudged every 3 working days: Thursday 14/05, once, only those who still owe answers.
    assert await _tick(bot, at(13, 5, 9)) == []
    nudges = await _tick(bot, at(14, 5, 8, 1))
    assert sorted(s.chat_id for s in nudges) == sorted([tttt.chat_id, noi_vu.chat_id])
    assert bot.last(tttt).text.startswith(
        "Nhắc kỳ báo cáo 6 tháng đầu năm 2026: cơ quan anh/chị còn 1/3 nhiệm vụ chưa báo cáo"
    )
    assert await _tick(bot, at(14, 5, 10)) == []

    # At the cut-off the coordinator gets the draft, once; the round takes no more answers.
    draft = await _tick(bot, at(21, 5, 8, 0))
    mine = [s for s in draft if s.chat_id == coordinator.chat_id]
    assert [s.attachment.name for s in mine] == [
        "bao-cao-ke-hoach-1-2026H1.docx",
        "bao-cao-ke-hoach-1-2026H1.xlsx",
    ]
    assert mine[0].text.startswith(
        "Kỳ báo cáo 6 tháng đầu năm 2026 đã hết hạn tổng hợp. Gửi anh/chị dự thảo báo cáo kết quả "
        "thực hiện Kế hoạch chuyển đổi số tỉnh Quảng Trị năm 2026 (số liệu đến ngày 21/05/2026, "
        "hạn gửi báo cáo 25/05/2026). 0/5 cơ quan đã báo cáo đủ."
    )
    assert "• Sở Nội vụ: còn 2 nhiệm vụ" in mine[0].text
    document = docx.Document(io.BytesIO(mine[0].attachment.content))
    lines = [p.text for p in document.paragraphs]
    assert (
        f"- Sở Thông tin và Truyền thông (chủ trì): Đang gặp khó khăn, vướng mắc: {BLOCKED}."
        in (lines)
    )
    assert await _tick(bot, at(21, 5, 9)) == []
    [typed] = await bot.say("/kybaocao", as_=tttt)
    assert typed.text == "Hiện không có kỳ báo cáo nào đang mở."
    if bot.channel.flavour == "telegram":  # the invitation's button, pressed after the cut-off
        [closed] = await bot.tap("Bắt đầu báo cáo", on=invite, as_=tttt)
        assert (
            closed.text
            == "Kỳ báo cáo 6 tháng đầu năm 2026 đã kết thúc, không nhận thêm báo cáo theo kỳ này."
        )


async def test_the_walk_survives_a_restart_and_takes_typed_answers(bot: BotHarness, people) -> None:
    noi_vu, coordinator = people["noi_vu"], people["coordinator"]
    await _tick(bot, OPENS)
    invite = bot.last(noi_vu)
    bot.clock.set(at(11, 5, 10))
    _, first = await bot.tap("Bắt đầu báo cáo", on=invite, as_=noi_vu)
    assert first.text.startswith("Nhiệm vụ 1/2 — 1.2.")
    # Typed at the status question: a clear "done" and the paragraph in one message.
    recorded, second = await bot.say(
        "đã hoàn thành, đã ban hành Quyết định công bố danh mục thủ tục nội bộ", as_=noi_vu
    )
    assert recorded.text == "Đã ghi nhận nhiệm vụ 1.2: đã hoàn thành."
    assert bot.last(coordinator).labels == ["Xác nhận", "Trả lại"]  # awaiting confirmation
    # The service restarts: a new process, the same database; the walk goes on from there.
    bot.clock.set(at(11, 5, 14))
    again = bot.restarted()
    await again.tap("Đang thực hiện", on=second, as_=noi_vu)
    [recorded, finished] = await again.say(
        "Đã tổ chức 02 lớp bồi dưỡng kỹ năng số cho 120 cán bộ, đạt 30%", as_=noi_vu
    )
    assert recorded.text == "Đã ghi nhận nhiệm vụ 5: đang thực hiện."
    assert finished.text == "Cảm ơn anh/chị. Đã ghi nhận 2 nhiệm vụ trong kỳ báo cáo này."
    async with again.uow() as uow:
        last = (await uow.session.scalars(select(Report).order_by(Report.id.desc()))).first()
    assert (last.status, last.percent) == ("in_progress", 30)
    [nothing] = await again.say("/kybaocao", as_=noi_vu)
    assert nothing.text == (
        "Sở Nội vụ đã báo cáo đủ các nhiệm vụ của kỳ báo cáo 6 tháng đầu năm 2026. "
        "Cảm ơn anh/chị ạ."
    )


@pytest.mark.telegram_only("presses buttons of a message that is not the latest question")
async def test_an_old_button_and_a_stranger_to_rounds(bot: BotHarness, people) -> None:
    tttt, coordinator = people["tttt"], people["coordinator"]
    await _tick(bot, OPENS)
    invite = bot.last(tttt)
    bot.clock.set(at(11, 5, 10))
    _, first = await bot.tap("Bắt đầu báo cáo", on=invite, as_=tttt)
    skipped = await bot.tap("Bỏ qua", on=first, as_=tttt)
    assert skipped[-1].text.startswith("Nhiệm vụ 2/3 — 2.2.")
    [stale] = await bot.tap("Hoàn thành", on=first, as_=tttt)  # the first task's button again
    assert stale.text.startswith("Nút này thuộc một bước đã qua.")
    [refused] = await bot.tap("Bắt đầu báo cáo", on=invite, as_=coordinator)
    assert refused.text == "Kỳ báo cáo dành cho cán bộ đầu mối của các cơ quan chủ trì."


async def test_no_round_before_its_day_or_when_the_plan_turns_them_off(
    bot: BotHarness, people
) -> None:
    [answer] = await bot.say("/kybaocao", as_=people["tttt"])
    assert answer.text == "Hiện không có kỳ báo cáo nào đang mở."
    async with bot.uow() as uow:
        [summary] = await uow.plans.list_all()
        summary.plan.settings = {"rounds": {"enabled": False}}
        await uow.commit()
    assert await _tick(bot, OPENS) == []
    async with bot.uow() as uow:
        [summary] = await uow.plans.list_all()
        # Opened 5 working days before instead: Monday 18/05.
        summary.plan.settings = {"rounds": {"open_before": 5}}
        await uow.commit()
    assert await _tick(bot, at(15, 5, 9)) == []
    opened = await _tick(bot, at(18, 5, 8, 0))
    assert "trước ngày 21/05/2026" in bot.last(people["tttt"]).text and opened
