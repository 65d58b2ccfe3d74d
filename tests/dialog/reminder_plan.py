"""A small 2023 plan whose deadlines hit the calendar's hard cases, for the reminder tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from plans.model import ImportedAgency, ImportedPlan, ImportedTask, ReportingRule
from plans.persist import save_plan
from plans.timegrammar import parse_time
from scheduler.clock import LOCAL_TZ
from tests.fakes.harness import BotHarness, Person, Sent

YEAR = 2023
TTTT = "Sở Thông tin và Truyền thông"
NOI_VU = "Sở Nội vụ"
BAO = "Báo Quảng Trị"

# code: (title, lead, support, timeframe as a plan writes it)
TASKS = {
    # 30/09/2023 is a Saturday: the deadline runs to Monday 02/10.
    "1": ("Xây dựng kho dữ liệu dùng chung của tỉnh", TTTT, [NOI_VU], "Quý III/2023"),
    # 25/01/2023 falls inside the Tết break (20–26/01): the deadline runs to Friday 27/01.
    "2": ("Tổng kết công tác cải cách hành chính năm 2022", NOI_VU, [], "trước ngày 25/01/2023"),
    "3": ("Báo cáo tình hình bảo đảm an toàn thông tin mạng", TTTT, [], "Hàng tháng"),
    "4": ("Tuyên truyền về chuyển đổi số trên báo in và báo điện tử", BAO, [], "Cả năm"),
    "5": ("Tổ chức hội nghị chuyên đề về chuyển đổi số", BAO, [], "Khi có yêu cầu"),
    "6": ("Rà soát, đơn giản hóa thủ tục hành chính nội bộ", NOI_VU, [], "Trước ngày 15/3/2023"),
}


def plan_of(*codes: str) -> ImportedPlan:
    tasks = []
    for code in codes:
        title, lead, support, timeframe = TASKS[code]
        tasks.append(
            ImportedTask(
                code=code,
                title=title,
                full_text=f"{code}. {title}. Thời gian: {timeframe}.",
                section="II. NHIỆM VỤ",
                parent_code=None,
                lead=[lead],
                support=list(support),
                timeframe=timeframe,
                schedule=parse_time(timeframe, plan_year=YEAR),
            )
        )
    regime = "trước ngày 25/5 và 25/11"
    return ImportedPlan(
        title=f"Kế hoạch chuyển đổi số tỉnh Quảng Trị năm {YEAR}",
        number="12/KH-UBND",
        issued_on=date(YEAR, 1, 5),
        year=YEAR,
        issuer="Ủy ban nhân dân tỉnh Quảng Trị",
        source_name="kh-12.docx",
        source_hash="b" * 64,
        reporting=[ReportingRule(regime, parse_time(regime, plan_year=YEAR))],
        tasks=tasks,
        agencies=[
            ImportedAgency(name=TTTT, kind="department"),
            ImportedAgency(name=NOI_VU, kind="department"),
            ImportedAgency(name=BAO, kind="press"),
        ],
    )


async def save(bot: BotHarness, *codes: str) -> int:
    async with bot.uow() as uow:
        result = await save_plan(uow, plan_of(*codes), province="Quảng Trị")
        await uow.commit()
    return result.plan_id


def at(day: int, month: int, hour: int = 8, minute: int = 5, year: int = YEAR) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


Diary = dict[date, list[Sent]]


async def walk(bot: BotHarness, start: date, end: date, hour: int = 8, minute: int = 5) -> Diary:
    """Wake the reminder job once a day (every day, weekends too) and note what went out."""
    diary: Diary = {}
    day = start
    while day <= end:
        bot.clock.set(datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ))
        before = len(bot.channel.sent)
        await bot.tick()
        diary[day] = bot.channel.sent[before:]
        day += timedelta(days=1)
    return diary


def days_with(diary: Diary, who: Person, code: str | None = None) -> list[date]:
    """The days this person got a message (with a line for task `code`, when given)."""
    return [
        day
        for day, sent in diary.items()
        if any(s.chat_id == who.chat_id and (code is None or f"• {code} " in s.text) for s in sent)
    ]


def received(diary: Diary, who: Person, day: date) -> list[Sent]:
    return [s for s in diary.get(day, []) if s.chat_id == who.chat_id]
