"""Coordinators and leaders ask what is overdue, how the plan goes and who has not reported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest

from handlers.queries import read_question
from scheduler.clock import LOCAL_TZ
from tests.fakes.harness import BotHarness, Person, Sent

TTTT = "Sở Thông tin và Truyền thông"
SNV = "Sở Ngoại vụ"
BAO = "Báo Hà Tĩnh"
DAI = "Đài Phát thanh và Truyền hình tỉnh"
BDBP = "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"
HUYEN = "UBND các huyện, thành phố, thị xã"
REFUSAL = "chỉ dành cho cán bộ điều phối và lãnh đạo"

MakeBot = Callable[..., BotHarness]


@dataclass(frozen=True)
class Province:
    bot: BotHarness
    coord: Person
    leader: Person
    snv: Person
    tttt: Person
    bao: Person
    dai: Person
    bdbp: Person


def at(day: tuple[int, int, int]) -> datetime:
    return datetime(*day, 9, 0, tzinfo=LOCAL_TZ)


async def report(bot: BotHarness, who: Person, text: str) -> None:
    """A focal point's report through the chat, confirmed with "Đúng"."""
    answer = await bot.say(text, as_=who)
    assert answer[-1].text.endswith("Đúng không ạ?"), answer[-1].text
    await bot.tap("Đúng", on=answer[-1], as_=who)


async def coordinator_taps(bot: BotHarness, coord: Person, label: str, code: str) -> None:
    notice = bot.last(coord)
    assert f"nhiệm vụ {code}" in notice.text, notice.text
    answer = await bot.tap(label, on=notice, as_=coord)
    assert code in answer[-1].text


async def recorded(
    bot: BotHarness,
    code: str,
    agency: str,
    status: str,
    *,
    state: str = "confirmed",
    percent: int | None = None,
) -> None:
    """A report the coordinator entered from a paper report: straight into the database."""
    agency_id, _ = await bot.agency_named(agency)
    async with bot.uow() as uow:
        plan = (await uow.plans.list_all())[0].plan
        task = await uow.tasks.get_by_code(plan.id, code)
        assert task is not None
        await uow.reports.add(
            task_id=task.id,
            agency_id=agency_id,
            contact_id=None,
            inbound_id=None,
            status=status,
            percent=100 if status == "done" else percent,
            text="(theo báo cáo bằng văn bản)",
            state=state,
            created_at=bot.clock.now(),
        )
        await uow.commit()


async def province_in_december(make_bot: MakeBot) -> Province:
    """Hà Tĩnh's 2018 plan, worked on from June to 20/12/2018.

    Sở TT&TT: 3.1 done on time (confirmed), 5.4 at 70%, 1.1 done late (confirmed), 3.2 done and
    awaiting confirmation, 1.3 4.1 4.2 5.2.3 5.2.4 6 done in December. Task 2: Các sở, ban, ngành
    and Tổ chức chính trị - xã hội done late, UBND các huyện at 50%. Đài: 5.2.1 done on time.
    Sở Ngoại vụ: 5.1 at 70%. Báo Hà Tĩnh: 5.2.1 blocked on funds. BCH BĐBP: 5.2.3 extended to
    10/01/2019.
    """
    bot = make_bot(start=at((2018, 6, 20)))
    await bot.import_plan()
    coord = await bot.person("Trần Thị Bình", TTTT, "coordinator")
    leader = await bot.person("Lê Văn Cường", "Văn phòng UBND tỉnh", "leader")
    p = Province(
        bot,
        coord,
        leader,
        snv=await bot.person("Nguyễn Văn An", SNV),
        tttt=await bot.person("Phạm Thị Dung", TTTT),
        bao=await bot.person("Hoàng Văn Em", BAO),
        dai=await bot.person("Võ Thị Giang", DAI),
        bdbp=await bot.person("Đặng Văn Hùng", BDBP),
    )
    await report(bot, p.tttt, "3.1 xong")
    await coordinator_taps(bot, coord, "Xác nhận", "3.1")
    await report(bot, p.tttt, "5.4 đang làm 70%")
    await recorded(bot, "2", "Các sở, ban, ngành", "done")
    await recorded(bot, "2", "Tổ chức chính trị - xã hội cấp tỉnh", "done")
    await recorded(bot, "2", HUYEN, "in_progress", state="recorded", percent=50)
    bot.clock.set(at((2018, 7, 10)))
    await report(bot, p.tttt, "1.1 xong")
    await coordinator_taps(bot, coord, "Xác nhận", "1.1")
    bot.clock.set(at((2018, 9, 20)))
    await report(bot, p.tttt, "3.2 xong")  # left awaiting the coordinator
    bot.clock.set(at((2018, 11, 1)))
    await report(bot, p.dai, "5.2.1 xong")
    await coordinator_taps(bot, coord, "Xác nhận", "5.2.1")
    bot.clock.set(at((2018, 12, 20)))
    await report(bot, p.snv, "5.1 đang làm 70%")
    await report(bot, p.bao, "5.2.1 vướng kinh phí")
    await report(bot, p.bdbp, "5.2.3 xin gia hạn đến 10/01/2019")
    await coordinator_taps(bot, coord, "Đồng ý", "5.2.3")
    for code in ("1.3", "4.1", "4.2", "5.2.3", "5.2.4", "6"):
        await recorded(bot, code, TTTT, "done")
    return p


async def province_in_january(make_bot: MakeBot) -> Province:
    """The December state, then Báo Hà Tĩnh's 6 done late on 05/01/2019; asked on 15/01/2019."""
    p = await province_in_december(make_bot)
    p.bot.clock.set(at((2019, 1, 5)))
    await recorded(p.bot, "6", BAO, "done")
    p.bot.clock.set(at((2019, 1, 15)))
    return p


async def ask(bot: BotHarness, text: str, who: Person) -> str:
    answer = await bot.say(text, as_=who)
    assert len(answer) == 1, answer
    return answer[0].text


def block(text: str, header: str) -> str:
    """One agency's part of a grouped answer."""
    start = text.index(header)
    end = text.find("\n\n", start)
    return text[start : end if end != -1 else None]


def in_order(text: str, *parts: str) -> bool:
    positions = [text.index(p) for p in parts]
    return positions == sorted(positions)


# ------------------------------------------------------------------ reading the question

QUESTIONS = [
    ("Sở Ngoại vụ còn việc gì quá hạn?", "overdue"),
    ("so ngoai vu con viec gi qua han", "overdue"),
    ("việc nào quá hạn", "overdue"),
    ("có việc nào trễ hạn không", "overdue"),
    ("đơn vị nào chậm tiến độ", "overdue"),
    ("nhiệm vụ nào chưa báo cáo", "unreported"),
    ("cơ quan nào chưa báo cáo", "unreported"),
    ("ai chưa nộp báo cáo?", "unreported"),
    ("tiến độ thế nào", "progress"),
    ("tien do the nao", "progress"),
    ("tiến độ của Sở Nội vụ", "progress"),
    ("tình hình thực hiện kế hoạch", "progress"),
    ("Tỷ lệ hoàn thành đúng hạn bao nhiêu?", "progress"),
]
REPORTS = [
    "3.5 xong",
    "đang làm 70%",
    "xin gia hạn đến 15/12",
    "vướng kinh phí",
    "đã báo cáo rồi",
    "quá hạn vì thiếu kinh phí, xin gia hạn",
    "tiến độ chậm do thiếu kinh phí",
    "tình hình: đang thực hiện",
    "em xin báo cáo tiến độ",
    "đã quá hạn nhưng sắp xong",
    "chậm vì chưa có hướng dẫn",
    "nhiệm vụ bị chậm",
    "em chưa báo cáo được vì bận",
]


@pytest.mark.parametrize(("text", "kind"), QUESTIONS)
def test_questions_are_read(text: str, kind: str) -> None:
    asked = read_question(text)
    assert asked is not None and asked.kind == kind


@pytest.mark.parametrize("text", REPORTS)
def test_reports_are_not_read_as_questions(text: str) -> None:
    assert read_question(text) is None


# ------------------------------------------------------------------ /quahan


async def test_overdue_grouped_by_agency_longest_first(make_bot: MakeBot) -> None:
    p = await province_in_january(make_bot)
    text = await ask(p.bot, "/quahan", p.leader)
    assert text.startswith("Tính đến 15/01/2019: 9 nhiệm vụ quá hạn ở 6 cơ quan.")
    assert in_order(
        text,
        f"{HUYEN} (2):",  # task 2, 321 days
        f"{TTTT} (3):",  # 1.2, 290 days
        f"{BAO} (1):",  # the 15-day ones by name
        f"{DAI} (1):",
        f"{SNV} (1):",
        f"{BDBP} (1):",  # 5 days since its extended deadline
    )
    tttt = block(text, f"{TTTT} (3):")
    assert in_order(tttt, "• 1.2 — Ban hành Quy chế", "• 5.4 — Xuất bản Sổ tay", "• 5.1 — Tổng hợp")
    assert "quá hạn 288 ngày (hạn 31/03/2018) · chưa báo cáo" in tttt
    assert "quá hạn 197 ngày (hạn 30/06/2018) · đang thực hiện 70%" in tttt
    assert "quá hạn 13 ngày (hạn 31/12/2018) · chưa báo cáo" in tttt
    huyen = block(text, f"{HUYEN} (2):")
    assert in_order(huyen, "• 2 — Phân công", "• 5.2.1 — Tuyên truyền")
    assert "quá hạn 321 ngày (hạn 28/02/2018) · đang thực hiện 50%" in huyen
    bao = block(text, f"{BAO} (1):")
    assert "• 5.2.1" in bao and "quá hạn 13 ngày (hạn 31/12/2018) · vướng mắc: kinh phí" in bao
    assert "• 6 —" in block(text, f"{DAI} (1):")
    assert "đang thực hiện 70%" in block(text, f"{SNV} (1):")
    assert (
        "• 5.2.3 — Tiếp tục thực hiện Chương trình phối hợp" in block(text, f"{BDBP} (1):")
        and "quá hạn 5 ngày (hạn 10/01/2019) (đã gia hạn, hạn cũ 31/12/2018) · chưa báo cáo" in text
    )
    # Done, awaiting confirmation or done late: none of it is overdue.
    for gone in ("• 1.1 —", "• 3.1 —", "• 3.2 —", "• 1.3 —", "Các sở, ban, ngành", "Tổ chức"):
        assert gone not in text
    assert await ask(p.bot, "/quahan", p.coord) == text


@pytest.mark.parametrize("typed", ["Sở Ngoại vụ", "so ngoai vu", "SNV", "ngoại vụ", "Sở Ngọai vụ"])
async def test_overdue_for_one_agency(make_bot: MakeBot, typed: str) -> None:
    p = await province_in_january(make_bot)
    text = await ask(p.bot, f"/quahan {typed}", p.coord)
    assert text == (
        "Tính đến 15/01/2019, Sở Ngoại vụ có 1 nhiệm vụ chủ trì quá hạn:\n\n"
        "• 5.1 — Tổng hợp thông tin báo chí trong nước và nước ngoài phản ánh về Hà Tĩnh; "
        "thực hiện công…\n"
        "   quá hạn 13 ngày (hạn 31/12/2018) · đang thực hiện 70%"
    )


async def test_agency_names_abbreviations_and_unknown_names(make_bot: MakeBot) -> None:
    p = await province_in_january(make_bot)
    bot, coord = p.bot, p.coord
    tttt = await ask(bot, "/quahan Sở TT&TT", coord)
    assert tttt.startswith(f"Tính đến 15/01/2019, {TTTT} có 3 nhiệm vụ chủ trì quá hạn:")
    assert in_order(tttt, "• 1.2 —", "• 5.4 —", "• 5.1 —") and SNV not in tttt
    assert await ask(bot, "/quahan sở tttt", coord) == tttt
    assert await ask(bot, "/quahan STTTT", coord) == tttt
    dai = await ask(bot, "/quahan Đài PT-TH tỉnh", coord)
    assert dai.startswith(f"Tính đến 15/01/2019, {DAI} có 1 nhiệm vụ chủ trì quá hạn:")
    assert "• 6 — Xây dựng kế hoạch truyền thông" in dai and "5.2.1" not in dai
    unknown = await ask(bot, "/quahan Sở Nội vụ", coord)
    assert unknown.startswith("Không tìm thấy cơ quan «Sở Nội vụ» trong kế hoạch.")
    assert "Tên gần giống: «Sở Ngoại vụ»" in unknown
    several = await ask(bot, "/quahan huyện", coord)
    assert several.startswith("Có nhiều cơ quan khớp với «huyện»:")
    for name in (HUYEN, "UBND huyện Cẩm Xuyên", "UBND huyện Lộc Hà"):
        assert f"«{name}»" in several


async def test_nothing_overdue(make_bot: MakeBot) -> None:
    bot = make_bot(start=at((2018, 2, 1)))
    await bot.import_plan()
    coord = await bot.person("Trần Thị Bình", TTTT, "coordinator")
    assert await ask(bot, "/quahan", coord) == (
        "Tính đến 01/02/2018, không có nhiệm vụ nào quá hạn. Các nhiệm vụ đều còn trong hạn "
        "hoặc đã hoàn thành ạ."
    )
    assert await ask(bot, "việc nào quá hạn", coord) == await ask(bot, "/quahan", coord)
    assert await ask(bot, "/quahan Sở Ngoại vụ", coord) == (
        "Tính đến 01/02/2018, Sở Ngoại vụ không có nhiệm vụ chủ trì nào quá hạn ạ."
    )
    progress = await ask(bot, "/tiendo", coord)
    assert "Tỷ lệ hoàn thành đúng hạn: chưa tính được vì chưa có nhiệm vụ nào đến hạn." in progress
    assert "• Chưa hoàn thành, còn hạn: 22" in progress
    assert await ask(bot, "/chuabaocao", coord) == (
        "Tính đến 01/02/2018, các cơ quan đều đã báo cáo các nhiệm vụ quá hạn và sắp đến hạn ạ."
    )


async def test_long_list_is_cut_with_the_rest_counted(make_bot: MakeBot) -> None:
    bot = make_bot(start=at((2019, 1, 15)))  # nobody has reported anything all year
    await bot.import_plan()
    coord = await bot.person("Trần Thị Bình", TTTT, "coordinator")
    text = await ask(bot, "/quahan", coord)
    assert text.startswith("Tính đến 15/01/2019: 22 nhiệm vụ quá hạn ở 8 cơ quan.")
    assert text.count("\n• ") == 15
    assert in_order(text, f"{TTTT} (12):", f"{HUYEN} (2):", "Các sở, ban, ngành (1):")
    assert text.endswith(
        "… và 7 nhiệm vụ khác (Tổ chức chính trị - xã hội cấp tỉnh: 1; Báo Hà Tĩnh: 2; "
        f"{DAI}: 2; {BDBP}: 1; Sở Ngoại vụ: 1).\n"
        "Để xem đủ, anh/chị gõ lệnh kèm tên cơ quan, ví dụ: "
        "/quahan Tổ chức chính trị - xã hội cấp tỉnh"
    )
    rest = await ask(bot, "/quahan Tổ chức chính trị - xã hội cấp tỉnh", coord)
    assert "có 1 nhiệm vụ chủ trì quá hạn" in rest
    assert "• 2 — Phân công" in rest and "quá hạn 321 ngày (hạn 28/02/2018)" in rest


# ------------------------------------------------------------------ /tiendo


async def test_progress_counts_and_on_time_rate(make_bot: MakeBot) -> None:
    p = await province_in_january(make_bot)
    text = await ask(p.bot, "/tiendo", p.coord)
    assert text == (
        "Tiến độ thực hiện kế hoạch, tính đến 15/01/2019: 27 nhiệm vụ.\n"
        "(Nhiệm vụ có nhiều cơ quan chủ trì được tính cho từng cơ quan.)\n\n"
        "Tỷ lệ hoàn thành đúng hạn: 36% (8/22 nhiệm vụ đến hạn)\n\n"
        "Theo thời hạn:\n"
        "• Hoàn thành đúng hạn: 8\n"
        "• Hoàn thành trễ hạn: 4\n"
        "• Chưa hoàn thành, còn hạn: 0\n"
        "• Chưa hoàn thành, quá hạn: 9\n"
        "• Chưa có thời hạn: 5\n"
        "• Đã báo hoàn thành, chờ xác nhận: 1\n\n"
        "Theo tình trạng báo cáo:\n"
        "• Chưa báo cáo: 10\n"
        "• Đang thực hiện: 3\n"
        "• Vướng mắc: 1\n"
        "• Chờ xác nhận hoàn thành: 1\n"
        "• Đã hoàn thành: 12"
    )
    assert await ask(p.bot, "/tiendo", p.leader) == text
    tttt = await ask(p.bot, "/tiendo Sở TT&TT", p.coord)
    assert tttt.startswith(
        f"Tiến độ các nhiệm vụ do {TTTT} chủ trì, tính đến 15/01/2019: 13 nhiệm vụ.\n\n"
        "Tỷ lệ hoàn thành đúng hạn: 58% (7/12 nhiệm vụ đến hạn)"
    )
    for line in (
        "• Hoàn thành đúng hạn: 7",
        "• Hoàn thành trễ hạn: 1",
        "• Chưa hoàn thành, quá hạn: 3",
        "• Chưa có thời hạn: 1",
        "• Đã báo hoàn thành, chờ xác nhận: 1",
        "• Đang thực hiện: 1",
        "• Đã hoàn thành: 8",
    ):
        assert line in tttt
    snv = await ask(p.bot, "/tiendo so ngoai vu", p.coord)
    assert "Tỷ lệ hoàn thành đúng hạn: 0% (0/1 nhiệm vụ đến hạn)" in snv
    assert "• Chưa hoàn thành, quá hạn: 1" in snv and "• Đang thực hiện: 1" in snv


async def test_progress_in_december_counts_tasks_due_soon(make_bot: MakeBot) -> None:
    p = await province_in_december(make_bot)
    p.bot.clock.set(at((2018, 12, 27)))
    text = await ask(p.bot, "/tiendo", p.coord)
    # Due: 11 confirmed done (8 on time) + 1.2, 2 (UBND các huyện), 5.4 overdue + 3.2 awaiting
    # confirmation since its 30/09 deadline. The 31/12 tasks are due soon, except 5.2.3 of
    # BCH BĐBP, extended to 10/01/2019.
    assert text == (
        "Tiến độ thực hiện kế hoạch, tính đến 27/12/2018: 27 nhiệm vụ.\n"
        "(Nhiệm vụ có nhiều cơ quan chủ trì được tính cho từng cơ quan.)\n\n"
        "Tỷ lệ hoàn thành đúng hạn: 53% (8/15 nhiệm vụ đến hạn)\n\n"
        "Theo thời hạn:\n"
        "• Hoàn thành đúng hạn: 8\n"
        "• Hoàn thành trễ hạn: 3\n"
        "• Chưa hoàn thành, còn hạn: 7 (sắp đến hạn: 6)\n"
        "• Chưa hoàn thành, quá hạn: 3\n"
        "• Chưa có thời hạn: 5\n"
        "• Đã báo hoàn thành, chờ xác nhận: 1\n\n"
        "Theo tình trạng báo cáo:\n"
        "• Chưa báo cáo: 11\n"
        "• Đang thực hiện: 3\n"
        "• Vướng mắc: 1\n"
        "• Chờ xác nhận hoàn thành: 1\n"
        "• Đã hoàn thành: 11"
    )


# ------------------------------------------------------------------ /chuabaocao


async def test_agencies_that_have_not_reported(make_bot: MakeBot) -> None:
    p = await province_in_january(make_bot)
    text = await ask(p.bot, "/chuabaocao", p.coord)
    assert text == (
        "Tính đến 15/01/2019, 4 cơ quan chưa báo cáo 5 nhiệm vụ đã quá hạn hoặc sắp đến hạn:\n\n"
        f"{TTTT} (2):\n"
        "• 1.2 — quá hạn 288 ngày (hạn 31/03/2018)\n"
        "• 5.1 — quá hạn 13 ngày (hạn 31/12/2018)\n\n"
        f"{DAI} (1):\n"
        "• 6 — quá hạn 13 ngày (hạn 31/12/2018)\n\n"
        f"{HUYEN} (1):\n"
        "• 5.2.1 — quá hạn 13 ngày (hạn 31/12/2018)\n\n"
        f"{BDBP} (1):\n"
        "• 5.2.3 — quá hạn 5 ngày (hạn 10/01/2019) (đã gia hạn, hạn cũ 31/12/2018)"
    )
    assert await ask(p.bot, "/chuabaocao", p.leader) == text


async def test_unreported_tasks_due_soon_come_after_overdue_ones(make_bot: MakeBot) -> None:
    p = await province_in_december(make_bot)
    p.bot.clock.set(at((2018, 12, 27)))
    text = await ask(p.bot, "/chuabaocao", p.coord)
    # 31/12/2018 was a day off (the New Year bridge), so Friday 28/12 is the last working day.
    # Sở Ngoại vụ reported 70%, Báo Hà Tĩnh's 5.2.1 is blocked: both have reported. BCH BĐBP's
    # 5.2.3 now falls due on 10/01/2019: not yet due soon.
    assert text == (
        "Tính đến 27/12/2018, 4 cơ quan chưa báo cáo 5 nhiệm vụ đã quá hạn hoặc sắp đến hạn:\n\n"
        f"{TTTT} (2):\n"
        "• 1.2 — quá hạn 269 ngày (hạn 31/03/2018)\n"
        "• 5.1 — hạn 31/12/2018, còn 1 ngày làm việc\n\n"
        f"{BAO} (1):\n"
        "• 6 — hạn 31/12/2018, còn 1 ngày làm việc\n\n"
        f"{DAI} (1):\n"
        "• 6 — hạn 31/12/2018, còn 1 ngày làm việc\n\n"
        f"{HUYEN} (1):\n"
        "• 5.2.1 — hạn 31/12/2018, còn 1 ngày làm việc"
    )


# ------------------------------------------------------------------ questions in plain words


async def test_plain_questions_answer_like_the_commands(make_bot: MakeBot) -> None:
    p = await province_in_january(make_bot)
    bot, coord, leader = p.bot, p.coord, p.leader
    same = [
        ("việc nào quá hạn", "/quahan"),
        ("Sở Ngoại vụ còn việc gì quá hạn?", "/quahan Sở Ngoại vụ"),
        ("so ngoai vu con viec gi qua han", "/quahan Sở Ngoại vụ"),
        ("Sở TT&TT có việc nào trễ hạn không?", f"/quahan {TTTT}"),
        ("nhiệm vụ nào chưa báo cáo", "/chuabaocao"),
        ("cơ quan nào chưa báo cáo", "/chuabaocao"),
        ("tiến độ thế nào", "/tiendo"),
        ("tình hình thực hiện kế hoạch", "/tiendo"),
        ("tiến độ của Sở Ngoại vụ", "/tiendo Sở Ngoại vụ"),
        ("tien do cua dai phat thanh va truyen hinh tinh", f"/tiendo {DAI}"),
    ]
    for question, command in same:
        asked = await ask(bot, question, coord)
        assert asked == await ask(bot, command, coord), question
        assert await ask(bot, question, leader) == asked, question
    snv = await ask(bot, "so ngoai vu con viec gi qua han", coord)
    assert "Sở Ngoại vụ có 1 nhiệm vụ chủ trì quá hạn" in snv and "• 5.1 —" in snv
    unknown = await ask(bot, "tiến độ của Sở Nội vụ", coord)
    assert unknown.startswith("Không tìm thấy cơ quan «Sở Nội vụ» trong kế hoạch.")
    assert "«Sở Ngoại vụ»" in unknown
    assert await ask(bot, "tiến độ STTTT", coord) == await ask(bot, f"/tiendo {TTTT}", coord)
    two = await ask(bot, "Sở Ngoại vụ và Sở Tài chính còn việc gì quá hạn?", coord)
    assert two.startswith("Có nhiều cơ quan khớp với")
    assert "«Sở Ngoại vụ»; «Sở Tài chính»" in two


async def test_focal_point_sees_only_own_agency(make_bot: MakeBot) -> None:
    p = await province_in_january(make_bot)
    bot, snv = p.bot, p.snv
    for command in ("/quahan", "/tiendo", "/chuabaocao", f"/quahan {SNV}"):
        assert REFUSAL in await ask(bot, command, snv), command
    own = await ask(bot, "việc nào quá hạn", snv)
    assert own == (
        "Tính đến 15/01/2019, Sở Ngoại vụ có 1 nhiệm vụ chủ trì quá hạn:\n\n"
        "• 5.1 — Tổng hợp thông tin báo chí trong nước và nước ngoài phản ánh về Hà Tĩnh; "
        "thực hiện công…\n"
        "   quá hạn 13 ngày (hạn 31/12/2018) · đang thực hiện 70%"
    )
    assert await ask(bot, "Sở Ngoại vụ còn việc gì quá hạn?", snv) == own
    progress = await ask(bot, "tiến độ thế nào", snv)
    assert progress.startswith(
        "Tiến độ các nhiệm vụ do Sở Ngoại vụ chủ trì, tính đến 15/01/2019: 1 nhiệm vụ."
    )
    assert "0% (0/1 nhiệm vụ đến hạn)" in progress and TTTT not in progress
    for other in (
        "Sở Thông tin và Truyền thông còn việc gì quá hạn?",
        "tiến độ của Đài PT-TH tỉnh",
        "tiến độ của Sở Nội vụ",
    ):
        answer = await ask(bot, other, snv)
        assert REFUSAL in answer and "Tính đến" not in answer, other
    # Đài's own unreported task, and nothing of anyone else's.
    dai = await ask(bot, "nhiệm vụ nào chưa báo cáo", p.dai)
    assert dai == (
        f"Tính đến 15/01/2019, {DAI} chưa báo cáo 1 nhiệm vụ đã quá hạn hoặc sắp đến hạn:\n"
        "• 6 — quá hạn 13 ngày (hạn 31/12/2018)"
    )


async def test_reports_still_go_to_the_report_flow(make_bot: MakeBot) -> None:
    bot = make_bot()
    await bot.import_plan()
    await bot.person("Trần Thị Bình", TTTT, "coordinator")
    focal = await bot.person("Phạm Thị Dung", TTTT)
    for text in REPORTS:
        bot.advance(hours=13)  # the previous exchange's question no longer binds this message
        answer: list[Sent] = await bot.say(text, as_=focal)
        said = answer[-1].text
        assert not said.startswith(("Tính đến", "Tiến độ", "Không tìm thấy cơ quan")), text
        assert REFUSAL not in said
        assert (
            said.endswith("Đúng không ạ?")
            or said.startswith("Anh/chị báo cáo cho nhiệm vụ nào ạ?")
            or said.startswith(("Không thấy nhiệm vụ", "Bot chưa hiểu rõ", "Anh/chị xin gia hạn"))
        ), (text, said)
