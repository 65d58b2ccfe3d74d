"""Reminders walked day by day with the injected clock: which message, to whom, on which day."""

from __future__ import annotations

from datetime import date

from tests.dialog.reminder_plan import (
    BAO,
    NOI_VU,
    TTTT,
    at,
    days_with,
    received,
    save,
    walk,
)
from tests.fakes.harness import BotHarness


async def _people(bot: BotHarness) -> dict[str, object]:
    return {
        "an": await bot.person("Nguyễn Văn An", TTTT),
        "binh": await bot.person("Trần Thị Bình", NOI_VU),
        "dung": await bot.person("Phạm Văn Dũng", NOI_VU, role="leader"),
        "ha": await bot.person("Lê Thu Hà", TTTT, role="coordinator"),
    }


async def test_quarter_end_on_a_saturday_runs_to_monday(make_bot) -> None:
    bot = make_bot(start=at(15, 9, 7, 0))
    await save(bot, "1")
    p = await _people(bot)
    diary = await walk(bot, date(2023, 9, 15), date(2023, 10, 13))

    # Deadline Saturday 30/09 counts to Monday 02/10: 7, 3 and 1 working days before it,
    # on it, then every 3 working days overdue; nothing on a weekend.
    assert days_with(diary, p["an"], "1") == [
        date(2023, 9, 21),
        date(2023, 9, 27),
        date(2023, 9, 29),
        date(2023, 10, 2),
        date(2023, 10, 5),
        date(2023, 10, 10),
        date(2023, 10, 13),
    ]
    first = received(diary, p["an"], date(2023, 9, 21))[0]
    assert "Nguyễn Văn An" in first.text and "nhắc việc ngày 21/09/2023" in first.text
    assert "hạn 30/09/2023, còn 7 ngày làm việc" in first.text
    assert first.labels == ["Hoàn thành", "Đang thực hiện", "Gặp vướng mắc", "Xin gia hạn"]
    due_day = received(diary, p["an"], date(2023, 10, 2))[0].text
    assert "hạn 30/09/2023 rơi vào ngày nghỉ nên tính đến hết hôm nay" in due_day
    assert "quá hạn 5 ngày (hạn 30/09/2023)" in received(diary, p["an"], date(2023, 10, 5))[0].text

    # The coordinating agency hears once, five working days before, about its contribution.
    assert days_with(diary, p["binh"], "1") == [date(2023, 9, 25)]
    support = received(diary, p["binh"], date(2023, 9, 25))[0].text
    assert f"1 (phối hợp với {TTTT})" in support and "gửi nội dung phối hợp" in support

    # 7 working days overdue (11/10): the agency's leader... of the lead agency and the
    # coordinator; Nội vụ's leader hears nothing about a task it only supports.
    assert days_with(diary, p["ha"], "1") == [date(2023, 10, 11)]
    escalation = received(diary, p["ha"], date(2023, 10, 11))[0].text
    assert "quá hạn từ 7 ngày làm việc trở lên" in escalation and TTTT in escalation
    assert days_with(diary, p["dung"]) == []
    # Weekends are silent for everyone.
    assert all(not diary[d] for d in diary if d.weekday() >= 5)


async def test_deadline_inside_tet_runs_to_the_first_working_day_after(make_bot) -> None:
    bot = make_bot(start=at(3, 1, 7, 0))
    await save(bot, "2")
    binh = await bot.person("Trần Thị Bình", NOI_VU)
    diary = await walk(bot, date(2023, 1, 3), date(2023, 2, 1))

    assert days_with(diary, binh, "2") == [
        date(2023, 1, 11),  # 7 working days before Friday 27/01 (Tết 20–26/01 is off)
        date(2023, 1, 17),
        date(2023, 1, 19),  # the last working day before Tết: 1 day left
        date(2023, 1, 27),
        date(2023, 2, 1),
    ]
    assert all(not diary[date(2023, 1, d)] for d in range(20, 27))
    last_before_tet = received(diary, binh, date(2023, 1, 19))[0].text
    assert "hạn 25/01/2023, còn 1 ngày làm việc" in last_before_tet
    assert "quá hạn 7 ngày (hạn 25/01/2023)" in received(diary, binh, date(2023, 2, 1))[0].text


async def test_a_day_off_added_by_the_coordinator_moves_the_reminder(make_bot) -> None:
    bot = make_bot(start=at(15, 9, 7, 0))
    await save(bot, "1")
    an = await bot.person("Nguyễn Văn An", TTTT)
    async with bot.uow() as uow:
        assert await uow.calendar_days.add(date(2023, 9, 27), "Nghỉ bù do bão")
        await uow.commit()
    diary = await walk(bot, date(2023, 9, 15), date(2023, 10, 2))

    # 27/09 is off now: "3 working days before Monday 02/10" is Tuesday 26/09.
    assert days_with(diary, an, "1") == [
        date(2023, 9, 20),
        date(2023, 9, 26),
        date(2023, 9, 29),
        date(2023, 10, 2),
    ]
    assert not diary[date(2023, 9, 27)]


async def test_monthly_task_is_reminded_and_reported_per_occurrence(make_bot) -> None:
    bot = make_bot(start=at(1, 2, 7, 0))
    await save(bot, "3")
    an = await bot.person("Nguyễn Văn An", TTTT)
    diary = await walk(bot, date(2023, 2, 1), date(2023, 2, 6))
    # January's report is late: the overdue line names the January deadline.
    jan = received(diary, an, date(2023, 2, 3))
    assert jan and "hạn 31/01/2023" in jan[0].text

    await bot.say("3 xong", as_=an)
    answer = await bot.tap("Đúng", on=bot.last(an), as_=an)
    assert "3" in answer[0].text

    diary = await walk(bot, date(2023, 2, 7), date(2023, 2, 28))
    texts = [s.text for day in sorted(diary) for s in received(diary, an, day)]
    assert texts, "February's checkpoint is still reminded"
    assert all("31/01/2023" not in text for text in texts)
    assert days_with(diary, an, "3") == [
        date(2023, 2, 17),  # 7 working days before 28/02
        date(2023, 2, 23),
        date(2023, 2, 27),
        date(2023, 2, 28),
    ]
    assert "hạn hôm nay (28/02/2023)" in received(diary, an, date(2023, 2, 28))[0].text


async def test_ongoing_task_gets_a_check_in_before_each_reporting_deadline(make_bot) -> None:
    bot = make_bot(start=at(10, 5, 7, 0))
    await save(bot, "4")
    lan = await bot.person("Hoàng Thị Lan", BAO)
    diary = await walk(bot, date(2023, 5, 10), date(2023, 5, 18))
    # "trước ngày 25/5 và 25/11": five working days before Thursday 25/05.
    assert days_with(diary, lan, "4") == [date(2023, 5, 18)]
    assert "báo cáo tình hình trước 25/05/2023" in received(diary, lan, date(2023, 5, 18))[0].text

    await bot.say("4 dang lam, da dang 12 tin bai", as_=lan)
    await bot.tap("Đúng", on=bot.last(lan), as_=lan)
    diary = await walk(bot, date(2023, 5, 19), date(2023, 5, 26))
    assert days_with(diary, lan) == []  # answered for this period
    # 25/11 is a Saturday: the check-in counts back from Monday 27/11. The year end
    # (31/12, a Sunday; 01/01 a holiday) counts back from Tuesday 02/01/2024.
    diary = await walk(bot, date(2023, 11, 13), date(2023, 12, 29))
    assert days_with(diary, lan, "4") == [date(2023, 11, 20), date(2023, 12, 25)]


async def test_event_task_is_reminded_only_once_a_deadline_is_set(make_bot) -> None:
    bot = make_bot(start=at(1, 6, 7, 0))
    plan_id = await save(bot, "5")
    lan = await bot.person("Hoàng Thị Lan", BAO)
    diary = await walk(bot, date(2023, 6, 1), date(2023, 6, 9))
    assert days_with(diary, lan) == []

    async with bot.uow() as uow:
        task = await uow.tasks.get_by_code(plan_id, "5")
        assert task is not None
        task.deadline_override = date(2023, 6, 20)
        await uow.commit()
    diary = await walk(bot, date(2023, 6, 10), date(2023, 6, 21))
    # 7 working days before 20/06 was 09/06, before the deadline existed.
    assert days_with(diary, lan, "5") == [date(2023, 6, 15), date(2023, 6, 19), date(2023, 6, 20)]
    assert "hạn 20/06/2023, còn 3 ngày làm việc" in received(diary, lan, date(2023, 6, 15))[0].text


async def test_reports_quiet_and_stop_reminders(make_bot) -> None:
    bot = make_bot(start=at(1, 3, 7, 0))
    await save(bot, "6")
    binh = await bot.person("Trần Thị Bình", NOI_VU)
    await bot.say("6 dang lam 50%", as_=binh)
    await bot.tap("Đúng", on=bot.last(binh), as_=binh)

    diary = await walk(bot, date(2023, 3, 1), date(2023, 3, 14))
    # In progress: the 7-day reminder (06/03) is skipped, the 3- and 1-day ones come.
    assert days_with(diary, binh, "6") == [date(2023, 3, 10), date(2023, 3, 14)]

    await bot.say("6 da hoan thanh", as_=binh)
    await bot.tap("Đúng", on=bot.last(binh), as_=binh)
    diary = await walk(bot, date(2023, 3, 15), date(2023, 3, 31))
    assert days_with(diary, binh) == []  # done (waiting for the coordinator counts)


async def test_escalation_to_the_leader_and_the_coordinator(make_bot) -> None:
    bot = make_bot(start=at(10, 3, 7, 0))
    await save(bot, "6")
    p = await _people(bot)
    diary = await walk(bot, date(2023, 3, 10), date(2023, 3, 31))

    assert days_with(diary, p["binh"], "6") == [
        date(2023, 3, 10),
        date(2023, 3, 14),
        date(2023, 3, 15),
        date(2023, 3, 20),
        date(2023, 3, 23),
        date(2023, 3, 28),
        date(2023, 3, 31),
    ]
    # 7 working days overdue is Friday 24/03, then every 3 working days.
    assert days_with(diary, p["dung"], "6") == [date(2023, 3, 24), date(2023, 3, 29)]
    assert days_with(diary, p["ha"], "6") == [date(2023, 3, 24), date(2023, 3, 29)]
    leader = received(diary, p["dung"], date(2023, 3, 24))[0].text
    assert "Phạm Văn Dũng" in leader and NOI_VU in leader
    assert "quá hạn 9 ngày (hạn 15/03/2023)" in leader and "chỉ đạo" in leader
    coordinator = received(diary, p["ha"], date(2023, 3, 24))[0].text
    assert f"{NOI_VU}:" in coordinator and "• 6 " in coordinator


async def test_leave_hands_reminders_to_the_deputy(make_bot) -> None:
    bot = make_bot(start=at(6, 3, 9, 0))
    await save(bot, "6")
    binh = await bot.person("Trần Thị Bình", NOI_VU)
    cuong = await bot.person("Đỗ Văn Cường", NOI_VU)
    ha = await bot.person("Lê Thu Hà", TTTT, role="coordinator")
    async with bot.uow() as uow:
        contact = await uow.contacts.get(cuong.contact_id)
        assert contact is not None
        contact.is_deputy = True
        await uow.commit()

    answer = await bot.say("/nghiphep đến 16/3", as_=binh)
    assert "từ 06/03/2023 đến hết 16/03/2023" in answer[0].text
    assert "Đỗ Văn Cường" in answer[0].text
    assert "Trần Thị Bình" in bot.last(ha).text and "16/03/2023" in bot.last(ha).text

    diary = await walk(bot, date(2023, 3, 7), date(2023, 3, 20))
    assert days_with(diary, cuong, "6") == [date(2023, 3, 10), date(2023, 3, 14), date(2023, 3, 15)]
    assert "nhận thay đầu mối đang nghỉ phép" in received(diary, cuong, date(2023, 3, 10))[0].text
    assert days_with(diary, binh, "6") == [date(2023, 3, 20)]  # back at work

    answer = await bot.say("/nghiphep", as_=binh)
    assert "không có lịch nghỉ phép" in answer[0].text


async def test_leave_can_be_ended_early_and_bad_dates_are_explained(make_bot) -> None:
    bot = make_bot(start=at(6, 3, 9, 0))
    await save(bot, "6")
    binh = await bot.person("Trần Thị Bình", NOI_VU)
    assert "Chưa đọc được" in (await bot.say("/nghiphep lâu lâu", as_=binh))[0].text
    saved = (await bot.say("/nghiphep den 10/3", as_=binh))[0].text
    assert "chưa có người nhận thay" in saved
    ended = await bot.say("/nghiphep huy", as_=binh)
    assert "trở lại" in ended[0].text
    diary = await walk(bot, date(2023, 3, 7), date(2023, 3, 10))
    assert days_with(diary, binh, "6") == [date(2023, 3, 10)]


async def test_one_message_per_person_per_day_lists_everything(make_bot) -> None:
    bot = make_bot(start=at(20, 9, 7, 0))
    await save(bot, "1", "3")
    an = await bot.person("Nguyễn Văn An", TTTT)
    diary = await walk(bot, date(2023, 9, 21), date(2023, 9, 21))
    [message] = received(diary, an, date(2023, 9, 21))
    # Task 1 and task 3's September occurrence (both 30/09, 7 days left) in one list, after
    # the overdue earlier months of task 3 (January's among them); a button per task.
    assert message.text.count("còn 7 ngày làm việc") == 2
    assert message.text.index("(hạn 31/01/2023)") < message.text.index("• 1 ")
    assert message.labels == ["3", "1"], message.text
    picked = await bot.tap("1", on=message, as_=an)
    assert "Nhiệm vụ 1" in picked[0].text and "Hoàn thành" in picked[0].labels


async def test_outside_working_hours_waits_for_the_next_slot(make_bot) -> None:
    bot = make_bot(start=at(21, 9, 12, 0))
    await save(bot, "1")
    an = await bot.person("Nguyễn Văn An", TTTT)
    await bot.tick()  # lunch break: planned for 13:30, not sent
    assert [s for s in bot.inbox(an) if "nhắc việc" in s.text] == []
    bot.clock.set(at(21, 9, 13, 31))
    await bot.tick()
    assert [s.text for s in bot.inbox(an) if "còn 7 ngày làm việc" in s.text]


async def test_missed_days_are_caught_up_in_one_message(make_bot) -> None:
    bot = make_bot(start=at(20, 9, 7, 0))
    await save(bot, "1")
    an = await bot.person("Nguyễn Văn An", TTTT)
    await walk(bot, date(2023, 9, 20), date(2023, 9, 20))  # the service ran on 20/09
    # ... and was down from 21/09 (the 7-day reminder) until 26/09.
    diary = await walk(bot, date(2023, 9, 26), date(2023, 9, 26))
    [message] = received(diary, an, date(2023, 9, 26))
    assert "hạn 30/09/2023, còn 4 ngày làm việc" in message.text


async def test_unsent_reminder_is_folded_into_the_next_day(make_bot) -> None:
    bot = make_bot(start=at(21, 9, 8, 5))
    await save(bot, "1")
    an = await bot.person("Nguyễn Văn An", TTTT)
    bot.channel.down = True  # the platform fails all day: the row waits for retry
    await bot.tick()
    bot.channel.down = False
    bot.clock.set(at(22, 9, 8, 5))
    await bot.tick()
    reminders = [s.text for s in bot.inbox(an) if "nhắc việc" in s.text]
    assert reminders == [reminders[0]] and "nhắc việc ngày 22/09/2023" in reminders[0]
    assert "còn 6 ngày làm việc" in reminders[0]  # as things stand today, not yesterday
    async with bot.uow() as uow:
        states = await uow.outbox.count_by_state()
    assert states.get("pending", 0) == 0 and states.get("sending", 0) == 0


async def test_the_day_is_planned_once_even_with_many_ticks(make_bot) -> None:
    bot = make_bot(start=at(21, 9, 8, 5))
    await save(bot, "1")
    an = await bot.person("Nguyễn Văn An", TTTT)
    for _ in range(5):
        await bot.tick()
        bot.advance(minutes=30)
    assert len([s for s in bot.inbox(an) if "nhắc việc" in s.text]) == 1
