"""Reports by chat: free text, codes, replies, buttons, confirmation, review, extensions, files."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from bot.channels.base import Attachment
from storage.models import Evidence, InboundMessage, Report
from tests.fakes.harness import BotHarness, Person


@pytest.fixture
async def bot(make_bot) -> BotHarness:
    bot = make_bot()
    await bot.import_plan()
    return bot


@pytest.fixture
async def coordinator(bot: BotHarness) -> Person:
    return await bot.person("Trần Thị Bình", "Sở Thông tin và Truyền thông", "coordinator")


@pytest.fixture
async def ngoai_vu(bot: BotHarness) -> Person:
    return await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")


@pytest.fixture
async def bao(bot: BotHarness) -> Person:
    return await bot.person("Nguyễn Thị Hoa", "Báo Hà Tĩnh")


async def reports(bot: BotHarness) -> list[Report]:
    async with bot.uow() as uow:
        return list((await uow.session.scalars(select(Report).order_by(Report.id))).all())


async def test_free_text_with_the_only_open_task_is_repeated_back_and_recorded(
    bot: BotHarness, ngoai_vu: Person
) -> None:
    answer = await bot.say("dang lam 70%, du kien xong 15/12", as_=ngoai_vu)
    assert answer[-1].text == (
        "Nhiệm vụ 5.1: đang thực hiện 70%, dự kiến xong 15/12/2018. Đúng không ạ?"
    )
    assert answer[-1].labels == ["Đúng", "Sửa"]
    done = await bot.tap("Đúng", on=answer[-1], as_=ngoai_vu)
    assert "Đã ghi nhận tiến độ nhiệm vụ 5.1" in done[-1].text
    [report] = await reports(bot)
    assert (report.status, report.percent, report.said_date, report.date_role) == (
        "in_progress",
        70,
        date(2018, 12, 15),
        "expected_done",
    )
    assert report.text == "dang lam 70%, du kien xong 15/12" and report.state == "recorded"
    listing = await bot.say("/nhiemvu", as_=ngoai_vu)
    assert "đang thực hiện 70%" in listing[0].text


async def test_a_yes_typed_instead_of_pressed_counts(bot: BotHarness, ngoai_vu: Person) -> None:
    await bot.say("đang triển khai 40%", as_=ngoai_vu)
    answer = await bot.say("dung roi", as_=ngoai_vu)
    assert "Đã ghi nhận tiến độ nhiệm vụ 5.1" in answer[-1].text
    assert [r.percent for r in await reports(bot)] == [40]


async def test_fix_asks_again_and_the_new_text_replaces_the_first(
    bot: BotHarness, ngoai_vu: Person
) -> None:
    first = await bot.say("dang lam 70%", as_=ngoai_vu)
    fix = await bot.tap("Sửa", on=first[-1], as_=ngoai_vu)
    assert "gõ lại nội dung báo cáo" in fix[-1].text
    again = await bot.say("đang làm 80%", as_=ngoai_vu)
    assert again[-1].text.startswith("Nhiệm vụ 5.1: đang thực hiện 80%")
    await bot.tap("Đúng", on=again[-1], as_=ngoai_vu)
    assert [r.percent for r in await reports(bot)] == [80]


async def test_a_done_report_whose_reporter_is_gone_is_still_confirmed(
    bot: BotHarness, bao: Person, coordinator: Person
) -> None:
    answer = await bot.say("5.2.1 xong roi a", as_=bao)
    await bot.tap("Đúng", on=answer[-1], as_=bao)
    notice = bot.last(coordinator)
    async with bot.uow() as uow:  # the reporter's contact deleted: the report keeps none
        await uow.session.execute(update(Report).values(contact_id=None))
        await uow.commit()
    confirmed = await bot.tap("Xác nhận", on=notice, as_=coordinator)
    assert confirmed[-1].text == "Đã xác nhận nhiệm vụ 5.2.1 hoàn thành."
    [report] = await reports(bot)
    assert report.state == "confirmed" and report.reviewed_by == coordinator.contact_id


async def test_done_by_code_waits_for_the_coordinator_who_confirms(
    bot: BotHarness, bao: Person, coordinator: Person
) -> None:
    answer = await bot.say("5.2.1 xong roi a", as_=bao)
    assert answer[-1].text == "Nhiệm vụ 5.2.1: đã hoàn thành. Đúng không ạ?"
    recorded = await bot.tap("Đúng", on=answer[-1], as_=bao)
    assert "chuyển cán bộ điều phối xác nhận" in recorded[-1].text
    notice = bot.last(coordinator)
    assert "Báo Hà Tĩnh (Nguyễn Thị Hoa) báo cáo hoàn thành nhiệm vụ 5.2.1" in notice.text
    assert "«5.2.1 xong roi a»" in notice.text
    assert notice.labels == ["Xác nhận", "Trả lại"]
    pending = await bot.say("/nhiemvu", as_=bao)
    assert "đã báo hoàn thành, chờ xác nhận" in pending[0].text
    confirmed = await bot.tap("Xác nhận", on=notice, as_=coordinator)
    assert confirmed[-1].text == "Đã xác nhận nhiệm vụ 5.2.1 hoàn thành."
    assert "xác nhận nhiệm vụ 5.2.1 hoàn thành" in bot.last(bao).text
    [report] = await reports(bot)
    assert report.state == "confirmed" and report.reviewed_by == coordinator.contact_id
    if bot.flavour == "telegram":
        # A second press on the same button changes nothing.
        twice = await bot.tap("Xác nhận", on=notice, as_=coordinator)
        assert "đã được xử lý trước đó (đã xác nhận)" in twice[-1].text
    else:
        # On Zalo the answer withdrew the options: the same number again is plain text now.
        again = await bot.say("1", as_=coordinator)
        assert "xác nhận" not in again[-1].text.lower()
        assert [r.state for r in await reports(bot)] == ["confirmed"]


async def test_a_returned_report_goes_back_with_the_note(
    bot: BotHarness, bao: Person, coordinator: Person
) -> None:
    answer = await bot.say("5.2.1 đã hoàn thành", as_=bao)
    await bot.tap("Đúng", on=answer[-1], as_=bao)
    asked = await bot.tap("Trả lại", on=bot.last(coordinator), as_=coordinator)
    assert "nhập lý do trả lại" in asked[-1].text
    await bot.say("Thiếu số liệu tin bài quý II", as_=coordinator)
    back = bot.last(bao)
    assert "5.2.1 đã được trả lại" in back.text and "«Thiếu số liệu tin bài quý II»" in back.text
    [report] = await reports(bot)
    assert report.state == "returned" and report.review_note == "Thiếu số liệu tin bài quý II"
    listing = await bot.say("/nhiemvu", as_=bao)
    assert "5.2.1" in listing[0].text and "chưa báo cáo" in listing[0].text


async def test_an_approved_extension_moves_the_deadline_and_keeps_both(
    bot: BotHarness, ngoai_vu: Person, coordinator: Person
) -> None:
    answer = await bot.say("xin gia han den 15/01/2019 vi chua co kinh phi", as_=ngoai_vu)
    assert answer[-1].text.startswith("Nhiệm vụ 5.1: xin gia hạn đến 15/01/2019")
    await bot.tap("Đúng", on=answer[-1], as_=ngoai_vu)
    assert "đề nghị gia hạn nhiệm vụ 5.1 tới cán bộ điều phối" in bot.last(ngoai_vu).text
    notice = bot.last(coordinator)
    assert "đề nghị gia hạn nhiệm vụ 5.1" in notice.text
    assert "từ 31/12/2018 đến 15/01/2019" in notice.text
    assert notice.labels == ["Đồng ý", "Không đồng ý"]
    await bot.tap("Đồng ý", on=notice, as_=coordinator)
    assert "hạn mới 15/01/2019" in bot.last(ngoai_vu).text
    async with bot.uow() as uow:
        task = (await uow.session.scalars(select(Report))).one()
        t = await uow.tasks.get(task.task_id)
    # 5.1 has two lead agencies: the extension is Sở Ngoại vụ's alone, kept on its report.
    assert t is not None and t.deadline_override is None
    assert t.schedule["due"] == ["2018-12-31"]  # the plan's own deadline is kept
    listing = await bot.say("/nhiemvu", as_=ngoai_vu)
    assert "hạn 15/01/2019" in listing[0].text and "hạn cũ 31/12/2018" in listing[0].text


async def test_an_extension_of_a_single_lead_task_moves_the_task_deadline(
    bot: BotHarness, coordinator: Person
) -> None:
    tttt = await bot.person("Lê Thị Cúc", "Sở Thông tin và Truyền thông")
    answer = await bot.say("1.2 xin gia hạn đến 30/09/2018", as_=tttt)
    await bot.tap("Đúng", on=answer[-1], as_=tttt)
    await bot.tap("Đồng ý", on=bot.last(coordinator), as_=coordinator)
    async with bot.uow() as uow:
        plan = (await uow.plans.list_all())[0].plan
        task = await uow.tasks.get_by_code(plan.id, "1.2")
    assert task is not None and task.deadline_override == date(2018, 9, 30)
    assert task.schedule["due"] == ["2018-03-31"]


async def test_a_refused_extension_tells_the_reason(
    bot: BotHarness, ngoai_vu: Person, coordinator: Person
) -> None:
    answer = await bot.say("xin lùi hạn đến 15/01/2019", as_=ngoai_vu)
    await bot.tap("Đúng", on=answer[-1], as_=ngoai_vu)
    await bot.tap("Không đồng ý", on=bot.last(coordinator), as_=coordinator)
    await bot.say("Nhiệm vụ thường xuyên, không gia hạn", as_=coordinator)
    assert "chưa được đồng ý" in bot.last(ngoai_vu).text
    assert "Nhiệm vụ thường xuyên, không gia hạn" in bot.last(ngoai_vu).text
    async with bot.uow() as uow:
        report = (await uow.session.scalars(select(Report))).one()
        task = await uow.tasks.get(report.task_id)
    assert report.state == "rejected" and task is not None and task.deadline_override is None


async def test_a_blockage_is_recorded_with_its_reason_and_the_coordinator_told(
    bot: BotHarness, ngoai_vu: Person, coordinator: Person
) -> None:
    answer = await bot.say("vướng kinh phí", as_=ngoai_vu)
    assert answer[-1].text.startswith("Nhiệm vụ 5.1: gặp vướng mắc: kinh phí")
    await bot.tap("Đúng", on=answer[-1], as_=ngoai_vu)
    assert "báo vướng mắc ở nhiệm vụ 5.1" in bot.last(coordinator).text
    listing = await bot.say("/nhiemvu", as_=ngoai_vu)
    assert "vướng mắc: kinh phí" in listing[0].text


async def test_several_open_tasks_ask_which_one_by_number(bot: BotHarness, bao: Person) -> None:
    answer = await bot.say("dang lam 50%", as_=bao)
    question = answer[-1]
    assert "báo cáo cho nhiệm vụ nào" in question.text
    assert "1. 5.2.1" in question.text and "2. 5.3" in question.text
    picked = await bot.say("2", as_=bao)
    assert picked[-1].text == "Nhiệm vụ 5.3: đang thực hiện 50%. Đúng không ạ?"


async def test_several_open_tasks_ask_which_one_by_button(bot: BotHarness, bao: Person) -> None:
    answer = await bot.say("dang lam 50%", as_=bao)
    picked = await bot.tap("4. 6", on=answer[-1], as_=bao)
    assert picked[-1].text == "Nhiệm vụ 6: đang thực hiện 50%. Đúng không ạ?"


async def test_a_title_names_the_task(bot: BotHarness, bao: Person) -> None:
    answer = await bot.say("Kế hoạch truyền thông quảng bá hình ảnh: đang làm 30%", as_=bao)
    assert answer[-1].text == "Nhiệm vụ 6: đang thực hiện 30%. Đúng không ạ?"


@pytest.mark.telegram_only("Zalo bots receive no replies to a message")
async def test_a_reply_to_a_bot_message_names_the_task(bot: BotHarness, bao: Person) -> None:
    answer = await bot.say("5.3 dang lam 20%", as_=bao)
    recorded = await bot.tap("Đúng", on=answer[-1], as_=bao)
    about_53 = recorded[-1]
    assert "5.3" in about_53.text
    reply = await bot.say("xong roi", as_=bao, reply_to=about_53.message_id)
    assert reply[-1].text == "Nhiệm vụ 5.3: đã hoàn thành. Đúng không ạ?"


async def test_an_unknown_code_is_said_plainly(bot: BotHarness, bao: Person) -> None:
    answer = await bot.say("9.9 xong", as_=bao)
    assert "Không thấy nhiệm vụ 9.9" in answer[-1].text and "5.2.1" in answer[-1].text


async def test_unclear_text_asks_with_status_buttons(bot: BotHarness, ngoai_vu: Person) -> None:
    answer = await bot.say("ht", as_=ngoai_vu)
    assert "chưa hiểu rõ" in answer[-1].text
    assert answer[-1].labels == ["Hoàn thành", "Đang thực hiện", "Gặp vướng mắc", "Xin gia hạn"]
    chosen = await bot.tap("Hoàn thành", on=answer[-1], as_=ngoai_vu)
    assert chosen[-1].text == "Nhiệm vụ 5.1: đã hoàn thành. Đúng không ạ?"


async def test_ok_alone_is_an_acknowledgement_not_done(bot: BotHarness, ngoai_vu: Person) -> None:
    answer = await bot.say("ok", as_=ngoai_vu)
    assert "Đúng không" not in answer[-1].text
    assert await reports(bot) == []


@pytest.mark.telegram_only("presses buttons of a message that is not the latest question")
async def test_a_button_under_a_task_records_at_once(
    bot: BotHarness, bao: Person, coordinator: Person
) -> None:
    async with bot.uow() as uow:
        plan = (await uow.plans.list_all())[0].plan
        task = await uow.tasks.get_by_code(plan.id, "5.3")
    assert task is not None
    done = await bot.press(f"rp:{task.id}:d", as_=bao)
    assert "nhiệm vụ 5.3 hoàn thành và chuyển cán bộ điều phối" in done[-1].text
    blocked = await bot.press(f"rp:{task.id}:b", as_=bao)
    assert "vướng mắc ở nhiệm vụ 5.3 là gì" in blocked[-1].text
    confirm = await bot.say("chưa có máy quay", as_=bao)
    assert confirm[-1].text == "Nhiệm vụ 5.3: gặp vướng mắc: chưa có máy quay. Đúng không ạ?"


@pytest.mark.telegram_only("forged button data cannot be typed as a number")
async def test_forged_and_foreign_buttons_are_refused(
    bot: BotHarness, bao: Person, ngoai_vu: Person, coordinator: Person
) -> None:
    async with bot.uow() as uow:
        plan = (await uow.plans.list_all())[0].plan
        foreign = await uow.tasks.get_by_code(plan.id, "1.1")  # not Sở Ngoại vụ's to report
    assert foreign is not None
    for data in (f"rp:{foreign.id + 1000}:d", "rp:abc:d", "zz:1", "cf:y", "pick:1", "st:d"):
        answer = await bot.press(data, as_=ngoai_vu)
        assert "Nút này không còn hiệu lực" in answer[-1].text, data
    answer = await bot.say("5.2.1 xong", as_=bao)
    await bot.tap("Đúng", on=answer[-1], as_=bao)
    notice = bot.last(coordinator)
    # A focal point pressing the coordinator's button gets the refusal, and nothing changes.
    refused = await bot.press(notice.data_for("Xác nhận"), as_=ngoai_vu)
    assert "chỉ dành cho cán bộ điều phối" in refused[-1].text
    assert [r.state for r in await reports(bot)] == ["awaiting_review"]


@pytest.mark.telegram_only("Zalo bots receive photos, not files")
async def test_a_file_alone_is_kept_for_the_latest_report(bot: BotHarness, bao: Person) -> None:
    answer = await bot.say("5.3 xong", as_=bao)
    await bot.tap("Đúng", on=answer[-1], as_=bao)
    scan = Attachment("document", file_id="F-1", name="bao-cao-245.pdf", size=81234)
    kept = await bot.say("", as_=bao, attachments=[scan])
    assert kept[-1].text == "Đã lưu bao-cao-245.pdf làm minh chứng cho nhiệm vụ 5.3."
    async with bot.uow() as uow:
        row = (await uow.session.scalars(select(Evidence))).one()
        report = (await uow.session.scalars(select(Report))).one()
    assert (row.file_id, row.name, row.size, row.report_id) == (
        "F-1",
        "bao-cao-245.pdf",
        81234,
        report.id,
    )


async def test_a_file_sent_with_the_report_is_attached_on_confirmation(
    bot: BotHarness, ngoai_vu: Person
) -> None:
    photo = Attachment("photo", file_id="P-9", name=None, size=2048)
    answer = await bot.say("xong, gửi ảnh hội nghị", as_=ngoai_vu, attachments=[photo])
    recorded = await bot.tap("Đúng", on=answer[-1], as_=ngoai_vu)
    assert "Đã gắn 1 tệp minh chứng" in recorded[-1].text
    async with bot.uow() as uow:
        row = (await uow.session.scalars(select(Evidence))).one()
        report = (await uow.session.scalars(select(Report))).one()
    assert (row.file_id, row.report_id, report.status) == ("P-9", report.id, "done")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "Hello, is this the right bot?", "'; DROP TABLE tasks; --", "x" * 10_000],
)
async def test_bad_input_gets_a_clear_answer_and_is_kept(
    bot: BotHarness, ngoai_vu: Person, text: str
) -> None:
    answer = await bot.say(text, as_=ngoai_vu, event_id=f"bad-{len(text)}-{hash(text)}")
    assert answer and answer[-1].text
    assert all(len(a.text) <= 4096 for a in answer)
    if not text.strip():
        assert "chỉ đọc được tin nhắn chữ" in answer[-1].text
    async with bot.uow() as uow:
        row = (
            await uow.session.scalars(
                select(InboundMessage).where(
                    InboundMessage.event_id == f"bad-{len(text)}-{hash(text)}"
                )
            )
        ).one()
        tables = await uow.session.execute(select(Report))
    assert row.text == text and row.state == "done"
    assert tables.all() == []


async def test_a_blocked_person_is_marked_unreachable_and_the_coordinator_told(
    bot: BotHarness, ngoai_vu: Person, coordinator: Person
) -> None:
    answer = await bot.say("xin gia han den 15/01/2019", as_=ngoai_vu)
    await bot.tap("Đúng", on=answer[-1], as_=ngoai_vu)
    bot.channel.blocked.add(ngoai_vu.chat_id)
    await bot.tap("Đồng ý", on=bot.last(coordinator), as_=coordinator)
    notice = bot.last(coordinator)
    assert "Không gửi được tin nhắn tới Nguyễn Văn An (Sở Ngoại vụ)" in notice.text
    async with bot.uow() as uow:
        identity = await uow.identities.find("test", ngoai_vu.chat_id)
    assert identity is not None and identity.reachable is False


async def test_a_failing_step_keeps_the_message_and_none_of_the_steps_work(
    bot: BotHarness, ngoai_vu: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> str:
        raise RuntimeError("summary broke")

    # propose() stores the question, then the summary fails: the question must not stay.
    monkeypatch.setattr("handlers.report.summary", broken)
    with pytest.raises(RuntimeError, match="summary broke"):
        await bot.say("5.1 dang lam 40%", as_=ngoai_vu, event_id="broken-1")
    assert "hệ thống gặp lỗi" in bot.last(ngoai_vu).text
    async with bot.uow() as uow:
        row = (
            await uow.session.scalars(
                select(InboundMessage).where(InboundMessage.event_id == "broken-1")
            )
        ).one()
        _, conversation = await uow.identities.find_in_chat(
            "test", ngoai_vu.chat_id, ngoai_vu.chat_id
        )
    assert row.state == "failed" and row.text == "5.1 dang lam 40%" and "summary broke" in row.error
    assert row.payload == {"text": "5.1 dang lam 40%"}
    assert conversation is None or conversation.state is None
    monkeypatch.undo()
    # The same delivery again is a duplicate; a new message starts afresh.
    assert await bot.say("5.1 dang lam 40%", as_=ngoai_vu, event_id="broken-1") == []
    answer = await bot.say("dung", as_=ngoai_vu)
    assert "Đã ghi nhận" not in answer[-1].text
    assert await reports(bot) == []
