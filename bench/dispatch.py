"""Benchmark: a year of reminders planned, then pushed through the fake Bot API at Telegram's limit.

Planning: 300 tasks over 60 agencies (each task one lead and 0–2 supporting agencies, a mix of
one-off dates, quarters, monthly, quarterly, six-monthly, yearly, ongoing and event schedules),
two focal contacts and a leader per agency and one coordinator. The year is planned from an
in-memory snapshot (plan_range, timed), then the same plan is stored and loaded back from the
database (load_snapshot, timed) and planned again, which must give the same messages.

Delivery: 2 000 of the year's focal reminders (each marked so the fake can count it) are queued
due now and sent by the real OutboxSender through a real TelegramChannel to the fake Bot API,
which answers 429 above 30 messages a second overall or 1 a second per chat. Half way the
sender's task is cancelled mid-flight and the channel stopped, as if the process died; a new
channel and sender (new worker id) take back the dead worker's rows and finish. Printed per
database: messages per second as a share of 30/s, lost, duplicated and 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402
import telegram  # noqa: E402
from sqlalchemy import event, func, select, update  # noqa: E402

from bot.channels.base import IncomingMessage  # noqa: E402
from bot.channels.telegram import OVERALL_PER_SECOND, PACING_MARGIN, TelegramChannel  # noqa: E402
from bot.outbox import OutboxSender  # noqa: E402
from handlers.reminders import compose  # noqa: E402
from plans.model import ImportedAgency, ImportedPlan, ImportedTask, ReportingRule  # noqa: E402
from plans.persist import save_plan  # noqa: E402
from plans.timegrammar import parse_time  # noqa: E402
from scheduler.calendar import WorkingCalendar  # noqa: E402
from scheduler.clock import SystemClock, local_today  # noqa: E402
from scheduler.planner import Person, PlannedReminder, Snapshot, plan_range  # noqa: E402
from scheduler.snapshot import load_snapshot  # noqa: E402
from scheduler.triggers import Duty  # noqa: E402
from storage.db import create_engine, session_factory, upgrade  # noqa: E402
from storage.models import OutboxMessage, Task  # noqa: E402
from storage.uow import UnitOfWork  # noqa: E402
from tests.conftest import PgServer, _stop, find_pg_bindir, start_pg_server  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402
from tests.fakes.telegram_helpers import BOT_USERNAME, TELEGRAM_TOKEN  # noqa: E402

SEED = 20260101
PROVINCE = "Hà Tĩnh"
TASKS = 300
FOCAL_PER_AGENCY = 2
CHANNEL = "telegram"
FIRST_CHAT = 7_100_001
LIMIT_TOTAL = 30  # what the fake enforces, and the yardstick of the share
LIMIT_CHAT = 1
GOAL_SHARE = 0.90
BATCH = 100  # OutboxSender.send_due's default
PACED_RATE = OVERALL_PER_SECOND / PACING_MARGIN  # the channel's own pace, 28.6/s
RUN_TIMEOUT = 240.0  # seconds for one delivery run before it is called stuck
MARKER_RE = re.compile(r"^\[#(\d{4,})\] ")

# (name, kind): sixty agencies of a province, distinct after agency_key().
AGENCIES: tuple[tuple[str, str], ...] = (
    ("Sở Nội vụ", "department"),
    ("Sở Tư pháp", "department"),
    ("Sở Kế hoạch và Đầu tư", "department"),
    ("Sở Tài chính", "department"),
    ("Sở Công Thương", "department"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "department"),
    ("Sở Giao thông vận tải", "department"),
    ("Sở Xây dựng", "department"),
    ("Sở Tài nguyên và Môi trường", "department"),
    ("Sở Thông tin và Truyền thông", "department"),
    ("Sở Lao động - Thương binh và Xã hội", "department"),
    ("Sở Văn hóa, Thể thao và Du lịch", "department"),
    ("Sở Khoa học và Công nghệ", "department"),
    ("Sở Giáo dục và Đào tạo", "department"),
    ("Sở Y tế", "department"),
    ("Sở Ngoại vụ", "department"),
    ("Thanh tra tỉnh", "department"),
    ("Văn phòng Ủy ban nhân dân tỉnh", "department"),
    ("Ban Dân tộc tỉnh", "department"),
    ("Ban Quản lý Khu kinh tế tỉnh", "department"),
    ("Công an tỉnh", "department"),
    ("Bộ Chỉ huy Quân sự tỉnh", "department"),
    ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "department"),
    ("Cục Thuế tỉnh", "department"),
    ("Cục Hải quan tỉnh", "department"),
    ("Kho bạc Nhà nước tỉnh", "department"),
    ("Ngân hàng Nhà nước chi nhánh tỉnh", "department"),
    ("Bảo hiểm xã hội tỉnh", "department"),
    ("Cục Thống kê tỉnh", "department"),
    ("Liên minh Hợp tác xã tỉnh", "department"),
    ("Trung tâm Xúc tiến Đầu tư tỉnh", "department"),
    ("Trường Đại học Hà Tĩnh", "department"),
    ("Trường Cao đẳng Kỹ thuật Việt - Đức Hà Tĩnh", "department"),
    ("Viễn thông Hà Tĩnh", "department"),
    ("Bưu điện tỉnh", "department"),
    ("Công ty Điện lực Hà Tĩnh", "department"),
    ("Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp", "department"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "provincial"),
    ("Tỉnh đoàn Hà Tĩnh", "provincial"),
    ("Hội Liên hiệp Phụ nữ tỉnh", "provincial"),
    ("Hội Nông dân tỉnh", "provincial"),
    ("Liên đoàn Lao động tỉnh", "provincial"),
    ("Báo Hà Tĩnh", "press"),
    ("Đài Phát thanh và Truyền hình tỉnh", "press"),
    ("Tạp chí Văn hóa Hà Tĩnh", "press"),
    ("Cổng Thông tin điện tử tỉnh", "press"),
    ("Ủy ban nhân dân thành phố Hà Tĩnh", "district"),
    ("Ủy ban nhân dân thị xã Hồng Lĩnh", "district"),
    ("Ủy ban nhân dân thị xã Kỳ Anh", "district"),
    ("Ủy ban nhân dân huyện Nghi Xuân", "district"),
    ("Ủy ban nhân dân huyện Đức Thọ", "district"),
    ("Ủy ban nhân dân huyện Hương Sơn", "district"),
    ("Ủy ban nhân dân huyện Vũ Quang", "district"),
    ("Ủy ban nhân dân huyện Can Lộc", "district"),
    ("Ủy ban nhân dân huyện Thạch Hà", "district"),
    ("Ủy ban nhân dân huyện Lộc Hà", "district"),
    ("Ủy ban nhân dân huyện Cẩm Xuyên", "district"),
    ("Ủy ban nhân dân huyện Kỳ Anh", "district"),
    ("Ủy ban nhân dân huyện Hương Khê", "district"),
    ("Ủy ban nhân dân huyện Thạch Hà mở rộng", "district"),
)
COORDINATOR_AGENCY = "Sở Thông tin và Truyền thông"
VERBS = (
    "Xây dựng",
    "Triển khai",
    "Rà soát, cập nhật",
    "Tổ chức tập huấn về",
    "Đánh giá kết quả",
    "Nâng cấp",
    "Tuyên truyền về",
    "Kiểm tra việc thực hiện",
    "Báo cáo tình hình",
    "Số hóa",
)
OBJECTS = (
    "hệ thống quản lý văn bản và điều hành",
    "cơ sở dữ liệu chuyên ngành",
    "dịch vụ công trực tuyến toàn trình",
    "nền tảng chia sẻ, tích hợp dữ liệu của tỉnh",
    "hạ tầng mạng và an toàn thông tin",
    "chữ ký số cho cán bộ, công chức",
    "hồ sơ, kết quả giải quyết thủ tục hành chính",
    "kỹ năng số cho người dân",
    "thanh toán không dùng tiền mặt",
    "trung tâm giám sát, điều hành thông minh",
    "kho dữ liệu dùng chung",
    "hội nghị trực tuyến các cấp",
)
# (label for the summary, timeframe as a plan writes it, weight); {y} is the plan year.
SCHEDULE_MIX: tuple[tuple[str, str, int], ...] = (
    ("one-off date", "trước ngày {d}/{m}/{y}", 24),
    ("quarter", "Quý {q}/{y}", 16),
    ("month", "Tháng {m}/{y}", 8),
    ("half year", "6 tháng đầu năm {y}", 4),
    ("monthly", "Hàng tháng", 8),
    ("quarterly", "Hàng quý", 8),
    ("every 6 months", "Định kỳ 6 tháng", 5),
    ("yearly", "trước ngày {d}/12 hằng năm", 5),
    ("whole year", "Năm {y}", 4),
    ("ongoing", "Cả năm", 10),
    ("ongoing", "Thường xuyên", 4),
    ("event", "Khi có yêu cầu", 4),
)
QUARTERS = ("I", "II", "III", "IV")
REPORTING = "trước ngày 25/5 và 25/11"


class HungUpFilter(logging.Filter):
    """Drops aiohttp's report of a client that hung up mid-request: the forced kill does that."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionResetError))


class RateLimitLogFilter(logging.Filter):
    """Counts, instead of printing, PTB's traceback for every 429 (the channel retries none
    itself, so PTB logs each as "Rate limit hit after maximum of 0 retries")."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Rate limit hit"):
            self.count += 1
            return False
        return True


PTB_429_LOG = RateLimitLogFilter()


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """The plan, its people, and the event tasks given a deadline later (code → date)."""

    year: int
    plan: ImportedPlan
    kinds: Counter[str]
    people: tuple[Person, ...]  # ids as the database will number them on a fresh schema
    overrides: dict[str, date]


def build_setup(year: int) -> Setup:
    rng = random.Random(SEED)
    names = [name for name, _ in AGENCIES]
    labels = [label for label, _, _ in SCHEDULE_MIX]
    texts = [text for _, text, _ in SCHEDULE_MIX]
    weights = [weight for _, _, weight in SCHEDULE_MIX]
    leads = [names[i % len(names)] for i in range(TASKS)]  # five tasks led by each agency
    rng.shuffle(leads)
    tasks: list[ImportedTask] = []
    kinds: Counter[str] = Counter()
    overrides: dict[str, date] = {}
    for i, lead in enumerate(leads):
        code = f"{i // 20 + 1}.{i % 20 + 1}"
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        pick = rng.choices(range(len(texts)), weights)[0]
        month = rng.randint(1, 12)
        timeframe = texts[pick].format(
            y=year, m=month, d=rng.randint(1, 28), q=QUARTERS[(month - 1) // 3]
        )
        schedule = parse_time(timeframe, plan_year=year)
        kinds[labels[pick]] += 1
        if schedule.kind == "event" and i % 2 == 0:
            # A coordinator set a deadline once the request came.
            overrides[code] = date(year, month, rng.randint(1, 28))
        support = rng.sample([n for n in names if n != lead], rng.choice((0, 1, 1, 2, 2)))
        tasks.append(
            ImportedTask(
                code=code,
                title=title,
                full_text=f"{code}. {title}. Thời gian: {timeframe}.",
                section=f"{i // 20 + 1}. Nhóm nhiệm vụ {i // 20 + 1}",
                parent_code=None,
                lead=[lead],
                support=support,
                timeframe=timeframe,
                schedule=schedule,
            )
        )
    plan = ImportedPlan(
        title=f"Kế hoạch chuyển đổi số tỉnh {PROVINCE} năm {year}",
        number=f"99/KH-UBND-{year}",
        issued_on=date(year, 1, 5),
        year=year,
        issuer=f"Ủy ban nhân dân tỉnh {PROVINCE}",
        source_name="bench-dispatch.docx",
        source_hash="d" * 64,
        reporting=[ReportingRule(REPORTING, parse_time(REPORTING, plan_year=year))],
        tasks=tasks,
        agencies=[ImportedAgency(name=name, kind=kind) for name, kind in AGENCIES],
        province=PROVINCE,
    )
    people: list[Person] = []
    for agency_id, name in enumerate(names, start=1):
        roles = ["focal"] * FOCAL_PER_AGENCY + ["leader"]
        if name == COORDINATOR_AGENCY:
            roles.append("coordinator")
        for role in roles:
            contact_id = len(people) + 1
            people.append(
                Person(
                    contact_id=contact_id,
                    name=f"Cán bộ {contact_id:03d}",
                    agency_id=agency_id,
                    agency_name=name,
                    role=role,
                    channel=CHANNEL,
                    chat_id=str(FIRST_CHAT + contact_id - 1),
                )
            )
    return Setup(year, plan, kinds, tuple(people), overrides)


def memory_snapshot(setup: Setup) -> Snapshot:
    """The snapshot load_snapshot would build from the stored plan, built here directly."""
    plan_id = 1
    agency_ids = {a.name: i for i, a in enumerate(setup.plan.agencies, start=1)}
    duties = []
    for task_id, task in enumerate(setup.plan.tasks, start=1):
        for role, names in (("lead", task.lead), ("support", task.support)):
            for name in names:
                duties.append(
                    Duty(
                        task_id=task_id,
                        code=task.code,
                        title=task.title,
                        plan_id=plan_id,
                        agency_id=agency_ids[name],
                        agency_name=name,
                        role=role,
                        schedule=task.schedule,
                        override=setup.overrides.get(task.code),
                        reports=(),
                        leads=tuple(task.lead),
                    )
                )
    dues = tuple(sorted({d for rule in setup.plan.reporting for d in rule.schedule.due}))
    return Snapshot(
        tuple(duties),
        setup.people,
        policies={},
        reporting_dues={plan_id: dues},
        agency_names={agency_id: name for name, agency_id in agency_ids.items()},
    )


@dataclass(frozen=True)
class Planned:
    seconds: float
    reminders: list[PlannedReminder]

    @property
    def lines(self) -> int:
        return sum(len(r.lines) for r in self.reminders)

    def by_audience(self) -> Counter[str]:
        return Counter(r.audience for r in self.reminders)

    def busiest(self) -> tuple[date, int]:
        per_day = Counter(r.day for r in self.reminders)
        return max(per_day.items(), key=lambda item: (item[1], item[0]))

    def signature(self) -> list[tuple[str, str, str, int]]:
        """What must match between two plannings: who, which day, which lines."""
        return sorted(
            (r.day.isoformat(), r.person.chat_id or "", r.audience, len(r.lines))
            for r in self.reminders
        )


def timed_plan(snapshot: Snapshot, year: int, calendar: WorkingCalendar) -> Planned:
    start = time.perf_counter()
    reminders = plan_range(snapshot, date(year, 1, 1), date(year, 12, 31), calendar)
    return Planned(time.perf_counter() - start, reminders)


# --- the database ---------------------------------------------------------------------------


@dataclass
class Stored:
    store_seconds: float
    load_seconds: float
    snapshot: Snapshot
    planned: Planned
    contact_ids: dict[str, int]  # chat id → contact id in this database


async def store_and_load(url: str, setup: Setup, calendar: WorkingCalendar) -> Stored:
    """Schema, the plan, contacts and their Telegram accounts; then the snapshot read back."""
    await upgrade(url)
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        start = time.perf_counter()
        async with UnitOfWork(sessions) as uow:
            result = await save_plan(uow, setup.plan, province=PROVINCE)
            for code, day in setup.overrides.items():
                await uow.session.execute(
                    update(Task)
                    .where(Task.plan_id == result.plan_id, Task.code == code)
                    .values(deadline_override=day)
                )
            agencies = {a.name: a.id for a in await uow.agencies.list_all()}
            now = SystemClock().now()
            contact_ids: dict[str, int] = {}
            for person in setup.people:
                contact = await uow.contacts.add(
                    person.name, agencies[person.agency_name], person.role
                )
                assert person.chat_id is not None
                await uow.identities.link(contact.id, CHANNEL, person.chat_id, person.chat_id, now)
                contact_ids[person.chat_id] = contact.id
            await uow.commit()
        stored = time.perf_counter() - start
        start = time.perf_counter()
        async with UnitOfWork(sessions) as uow:
            snapshot = await load_snapshot(uow, date(setup.year, 1, 1))
        loaded = time.perf_counter() - start
    finally:
        await engine.dispose()
    return Stored(stored, loaded, snapshot, timed_plan(snapshot, setup.year, calendar), contact_ids)


def pick_messages(planned: Planned, count: int) -> list[PlannedReminder]:
    """`count` focal reminders of the year, taking each chat's next one in turn.

    One day gives each person at most one message, so a morning's queue has every chat once;
    a queue of several days' messages is read in that interleaved order, as the sender would
    meet it after the days' rows were planned one morning after another.
    """
    queues: dict[str, list[PlannedReminder]] = defaultdict(list)
    for reminder in sorted(planned.reminders, key=lambda r: (r.day, r.person.contact_id)):
        if reminder.audience == "focal" and reminder.person.chat_id:
            queues[reminder.person.chat_id].append(reminder)
    picked: list[PlannedReminder] = []
    depth = 0
    while len(picked) < count:
        row = [q[depth] for q in queues.values() if len(q) > depth]
        if not row:
            raise SystemExit(f"the year plans only {len(picked)} focal reminders, not {count}")
        picked.extend(row[: count - len(picked)])
        depth += 1
    return picked


async def queue_messages(
    sessions: Any,
    picked: list[PlannedReminder],
    contact_ids: dict[str, int],
    calendar: WorkingCalendar,
    clock: SystemClock,
) -> int:
    """The outbox rows, pending and due now, each text starting with its own marker."""
    today = local_today(clock).isoformat()
    now = clock.now()
    longest = 0
    async with UnitOfWork(sessions) as uow:
        for number, reminder in enumerate(picked, start=1):
            payload = compose(reminder, calendar)
            payload["text"] = f"[#{number:04d}] {payload['text']}"
            # The sender drops a reminder of an earlier day as stale: these are today's.
            payload["reminder"]["day"] = today
            longest = max(longest, len(payload["text"]))
            chat_id = reminder.person.chat_id
            assert chat_id is not None
            await uow.outbox.add(
                {
                    "channel": CHANNEL,
                    "chat_id": chat_id,
                    "contact_id": contact_ids[chat_id],
                    "kind": "reminder",
                    "idempotency_key": f"bench-dispatch:{number}",
                    "payload": payload,
                    "not_before": now,
                    "created_at": now,
                }
            )
        await uow.commit()
    return longest


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    monotonic: float  # time.perf_counter()
    wall: float  # time.time(), to set beside the commit that marks its row sent
    chat_id: int
    marker: int | None


class CountingFake(FakeTelegramAPI):
    """The fake Bot API noting when each message arrived, which marker it carried, and which
    of the two limits each 429 was for."""

    def __init__(self) -> None:
        super().__init__(TELEGRAM_TOKEN, bot_username=BOT_USERNAME)
        self.arrivals: list[Arrival] = []
        self.copies: Counter[int] = Counter()
        self.first_wall: dict[int, float] = {}
        self.refused: Counter[str] = Counter()  # "per chat" | "overall"

    def _record(self, method: str, chat_id: int, **fields: Any) -> dict[str, Any]:
        record = super()._record(method, chat_id, **fields)
        found = MARKER_RE.match(record["text"] or "")
        marker = int(found.group(1)) if found else None
        arrival = Arrival(time.perf_counter(), time.time(), chat_id, marker)
        self.arrivals.append(arrival)
        if marker is not None:
            self.copies[marker] += 1
            self.first_wall.setdefault(marker, arrival.wall)
        return record

    def _check_rate(self, method: str, chat_id: int) -> None:
        try:
            super()._check_rate(method, chat_id)
        except Exception:
            # The refusing check left that window trimmed to the last second: a full per-chat
            # window means the chat's limit, otherwise the overall one refused.
            chat = self._sends_chat.get(chat_id, ())
            full = self._rate_chat is not None and len(chat) >= self._rate_chat
            self.refused["per chat" if full else "overall"] += 1
            raise


class MarkCommits:
    """Engine hooks noting when each outbox row's "sent" mark was committed (time.time()).

    Read-only instrumentation: the UPDATE that sets state 'sent' names the row, the next
    commit on that connection makes it stick.
    """

    def __init__(self) -> None:
        self.committed: dict[int, float] = {}
        self._pending: dict[int, int] = {}

    def watch(self, engine: Any) -> None:
        event.listen(engine.sync_engine, "after_cursor_execute", self._executed)
        event.listen(engine.sync_engine, "commit", self._commit)

    def _executed(self, conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.startswith("UPDATE outbox SET state") and params and params[0] == "sent":
            self._pending[id(conn)] = int(params[-1])

    def _commit(self, conn: Any) -> None:
        outbox_id = self._pending.pop(id(conn), None)
        if outbox_id is not None:
            self.committed[outbox_id] = time.time()


async def ignore(message: IncomingMessage) -> None:
    """The channel's sink: the /start each chat opened with needs no answer here."""


def new_channel(fake: FakeTelegramAPI) -> TelegramChannel:
    return TelegramChannel(
        TELEGRAM_TOKEN,
        api_url=fake.base_url,
        file_url=fake.base_file_url,
        poll_timeout=10,
        rate_limit=True,  # the channel's own pacing: 30/s less 5%, 1/s per chat
    )


async def outstanding(sessions: Any) -> tuple[int, int, datetime | None]:
    """(pending, sending, earliest not_before of a pending row)."""
    async with UnitOfWork(sessions) as uow:
        counts = await uow.outbox.count_by_state()
        earliest = await uow.session.scalar(
            select(func.min(OutboxMessage.not_before)).where(OutboxMessage.state == "pending")
        )
    return counts.get("pending", 0), counts.get("sending", 0), earliest


async def drain(sessions: Any, sender: OutboxSender, clock: SystemClock) -> None:
    """send_due() until nothing is pending; waits only for a retry_after the fake asked for."""
    while True:
        await sender.send_due(limit=BATCH)
        pending, sending, earliest = await outstanding(sessions)
        if pending == 0:
            if sending:
                raise RuntimeError(f"{sending} rows stay 'sending' with no worker holding them")
            return
        if earliest is not None:
            wait = (earliest - clock.now()).total_seconds()
            if wait > 0:
                await asyncio.sleep(wait)  # a 429's retry_after: the rate limit's own wait


@dataclass
class Delivery:
    database: str
    messages: int
    longest_text: int = 0
    seconds: float = 0.0
    gap: float = 0.0  # the dead worker's last arrival → the new worker's first
    restart_seconds: float = 0.0  # kill → new channel and sender ready
    at_kill_delivered: int = 0
    held: set[int] = field(default_factory=set)  # markers of rows left 'sending' at the kill
    # Of those, the ones the dead worker got to Telegram: seconds from the kill to arrival
    # (negative: arrived before it; positive: the request was on the wire when it came).
    in_window: dict[int, float] = field(default_factory=dict)
    reclaimed: int = 0
    throttled: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    killed_at: float = 0.0  # seconds into the run
    windows: list[float] = field(default_factory=list)  # arrival → "sent" committed, seconds
    intervals: list[float] = field(default_factory=list)  # between consecutive arrivals
    sends: int = 0  # messages the fake accepted, copies included
    copies: Counter[int] = field(default_factory=Counter)
    states: dict[str, int] = field(default_factory=dict)
    attempts: Counter[int] = field(default_factory=Counter)
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)
    finished: bool = True
    error: str | None = None

    @property
    def delivered(self) -> int:
        return len(self.copies)

    @property
    def lost(self) -> int:
        return self.messages - sum(1 for m in self.copies if 1 <= m <= self.messages)

    @property
    def duplicates(self) -> dict[int, int]:
        return {m: n - 1 for m, n in self.copies.items() if n > 1}

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds else float("nan")

    @property
    def rate_without_restart(self) -> float:
        # The gap less one ordinary interval between two paced sends.
        paced = PACING_MARGIN / OVERALL_PER_SECOND
        busy = self.seconds - max(0.0, self.gap - paced)
        return self.delivered / busy if busy > 0 else float("nan")


async def deliver(
    database: str, url: str, stored: Stored, calendar: WorkingCalendar, args: argparse.Namespace
) -> Delivery:
    clock = SystemClock()
    picked = pick_messages(stored.planned, args.messages)
    result = Delivery(database, len(picked))
    chats = sorted({r.person.chat_id for r in picked if r.person.chat_id})
    marks = MarkCommits()
    engine = create_engine(url)
    marks.watch(engine)
    sessions = session_factory(engine)
    result.longest_text = await queue_messages(
        sessions, picked, stored.contact_ids, calendar, clock
    )
    async with CountingFake() as fake:
        for chat in chats:  # a bot may only write to someone who wrote to it first
            fake.user_sends(int(chat), "/start")
        fake.enforce_rate(per_second_total=LIMIT_TOTAL, per_chat_per_second=LIMIT_CHAT)
        channel = new_channel(fake)
        await channel.start(ignore)
        sender = OutboxSender(sessions, {CHANNEL: channel}, clock, worker="bench-first")
        started = time.perf_counter()
        first = asyncio.create_task(drain(sessions, sender, clock), name="bench-sender-first")
        # The kill comes at a moment set by the clock, not by a send (a crash does not wait
        # for a message to arrive): when --kill-after messages would be out at the paced rate.
        done, _ = await asyncio.wait({first}, timeout=args.kill_after / PACED_RATE)
        if first in done:
            first.result()  # an error surfaces here
            raise RuntimeError("all sent before the kill: lower --kill-after")
        # The forced restart: no drain, no goodbye; whatever it had claimed stays 'sending'.
        killed = time.perf_counter()
        result.killed_at = killed - started
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        result.at_kill_delivered = len(fake.copies)
        async with UnitOfWork(sessions) as uow:
            holding = list(
                await uow.session.scalars(
                    select(OutboxMessage).where(OutboxMessage.state == "sending")
                )
            )
        for row in holding:
            found = MARKER_RE.match(row.payload.get("text") or "")
            if found:
                result.held.add(int(found.group(1)))
        await channel.stop()
        await engine.dispose()
        restarting = time.perf_counter()

        # The new process: its own engine, channel and worker id.
        engine = create_engine(url)
        marks.watch(engine)
        sessions = session_factory(engine)
        try:
            async with UnitOfWork(sessions) as uow:
                # A real restart waits for the lease to run out; here it is taken back at once.
                result.reclaimed = await uow.outbox.reclaim_stale(claimed_before=clock.now())
                await uow.commit()
            channel = new_channel(fake)
            await channel.start(ignore)
            result.restart_seconds = time.perf_counter() - killed
            sender = OutboxSender(sessions, {CHANNEL: channel}, clock, worker="bench-second")
            try:
                await asyncio.wait_for(
                    drain(sessions, sender, clock), RUN_TIMEOUT - (killed - started)
                )
            except TimeoutError:
                result.finished = False
                result.error = f"not all sent within {RUN_TIMEOUT:.0f} s"
            finally:
                await channel.stop()
            async with UnitOfWork(sessions) as uow:
                result.states = await uow.outbox.count_by_state()
                rows = (
                    await uow.session.execute(
                        select(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.payload)
                    )
                ).all()
            result.attempts = Counter(attempts for _, attempts, _ in rows)
            # How long each message sat between reaching Telegram and its row's "sent" being
            # committed: a crash inside that span sends it twice.
            for outbox_id, _, payload in rows:
                found = MARKER_RE.match(payload.get("text") or "")
                marker = int(found.group(1)) if found else None
                committed = marks.committed.get(outbox_id)
                if committed is not None and marker is not None and fake.copies[marker] == 1:
                    result.windows.append(committed - fake.first_wall[marker])
        finally:
            await engine.dispose()
        times = [a.monotonic for a in fake.arrivals]
        # The dead worker's last request may land just after the kill: the gap is measured
        # to the first message the new worker sent.
        before = [at for at in times if at < restarting]
        after = [at for at in times if at >= restarting]
        result.seconds = (max(times) - started) if times else 0.0
        result.gap = (min(after) - max(before)) if before and after else 0.0
        result.intervals = [b - a for a, b in pairwise(times)]
        result.throttled = len(fake.throttled)
        first_arrival: dict[int, float] = {}
        for a in fake.arrivals:
            if a.marker is not None:
                first_arrival.setdefault(a.marker, a.monotonic)
        result.in_window = {
            m: first_arrival[m] - killed
            for m in sorted(result.held)
            if m in first_arrival and first_arrival[m] < restarting
        }
        result.refused = fake.refused
        result.sends = len(fake.arrivals)
        result.copies = fake.copies
    result.load = os.getloadavg()
    return result


# --- report ---------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "goal met" if ok else "NOT met"


def print_machine(pg_version: str | None) -> None:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores ({usable} usable), "
        f"{platform.system()} {platform.release()}; load average now {load} (shared machine)"
    )
    print(
        f"python {platform.python_version()}, python-telegram-bot {telegram.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {pg_version} (fsync=off, synchronous_commit=off)" if pg_version else "")
    )
    print("everything (fake Bot API, channel, sender, client) runs in one process and event loop")


def print_planning(setup: Setup, planned: Planned) -> None:
    people = Counter(p.role for p in setup.people)
    supports = Counter(len(t.support) for t in setup.plan.tasks)
    print(
        f"\n== planning {setup.year}, in memory (no database)\n"
        f"{len(setup.plan.tasks)} tasks, {len(setup.plan.agencies)} agencies, each task 1 lead + "
        f"0/1/2 supporting agencies ({supports[0]}/{supports[1]}/{supports[2]} tasks); "
        f"{len(setup.people)} contacts ({people['focal']} focal, {people['leader']} leaders, "
        f"{people['coordinator']} coordinator)"
    )
    mix = ", ".join(f"{label} {n}" for label, n in setup.kinds.most_common())
    print(f"schedules: {mix} ({len(setup.overrides)} event tasks given a deadline)")
    print(f"reporting deadlines: {REPORTING}; no reports filed, so every task stays open all year")
    audience = planned.by_audience()
    day, most = planned.busiest()
    print(
        f"plan_range 01/01–31/12: {planned.seconds:.2f} s; {len(planned.reminders)} messages "
        f"(focal {audience['focal']}, leader {audience['leader']}, coordinator "
        f"{audience['coordinator']}), {planned.lines} lines"
    )
    print(
        f"busiest day {day.isoformat()}: {most} messages, {most / PACED_RATE:.1f} s at the "
        f"channel's paced {PACED_RATE:.1f}/s"
    )


def print_stored(database: str, stored: Stored, planned: Planned) -> None:
    same = stored.planned.signature() == planned.signature()
    print(
        f"\n== {database}\n"
        f"save_plan + {len(stored.snapshot.people)} contacts and Telegram accounts: "
        f"{stored.store_seconds:.2f} s; load_snapshot: {stored.load_seconds:.3f} s "
        f"({len(stored.snapshot.duties)} duties, {len(stored.snapshot.people)} people)"
    )
    print(
        f"plan_range on the loaded snapshot: {stored.planned.seconds:.2f} s, "
        f"{len(stored.planned.reminders)} messages, {stored.planned.lines} lines — "
        + ("the same as in memory" if same else "DIFFERENT from the in-memory plan")
    )


def print_delivery(d: Delivery) -> None:
    print(
        f"delivery: {d.messages} focal reminders of the year (longest text {d.longest_text} "
        f"characters, "
        + ("one Telegram message each" if d.longest_text <= 4096 else "the longest ones split")
        + f") to {LIMIT_TOTAL}/s overall, {LIMIT_CHAT}/s per chat"
    )
    print(
        f"  killed {d.killed_at:.2f} s in, after {d.at_kill_delivered} delivered: "
        f"{len(d.held)} rows left 'sending', {len(d.in_window)} of them had reached Telegram "
        f"(sent, not yet marked sent: the at-least-once window)"
        + "".join(
            f"; #{m:04d} arrived {abs(at) * 1000:.1f} ms "
            + ("before the kill" if at < 0 else "after it, its request already on the wire")
            for m, at in d.in_window.items()
        )
    )
    print(
        f"  restart: new channel + sender ready {d.restart_seconds:.2f} s after the kill; "
        f"reclaim_stale took back {d.reclaimed} rows at once (a real restart waits for the "
        f"lease); gap between deliveries {d.gap:.2f} s"
    )
    states = ", ".join(f"{k} {v}" for k, v in sorted(d.states.items()))
    tries = ", ".join(f"{n} attempt{'s' * (n != 1)}: {c}" for n, c in sorted(d.attempts.items()))
    refused = ", ".join(f"{n} {which}" for which, n in sorted(d.refused.items())) or "none"
    print(
        f"  fake accepted {d.sends} messages, refused {d.throttled} with 429 ({refused}); "
        f"outbox: {states}; {tries}"
    )
    if d.windows:
        ms = sorted(w * 1000 for w in d.windows)
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        exposure = d.rate * statistics.fmean(d.windows)
        print(
            f"  from arriving at the fake to its 'sent' committed ({len(ms)} rows): median "
            f"{statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms, so a crash "
            f"at a random moment of the run finds {exposure:.2f} messages in that part of the "
            f"window on average; the window opens earlier, when the request leaves the client, "
            f"so this is a lower bound"
        )
    if d.intervals:
        steps = sorted(d.intervals)
        slow = sum(1 for x in steps if x > 0.1)
        print(
            f"  between arrivals: median {statistics.median(steps) * 1000:.1f} ms (the channel "
            f"paces {1000 / PACED_RATE:.1f} ms, the fake allows {1000 / LIMIT_TOTAL:.1f} ms), "
            f"p99 {steps[round(0.99 * (len(steps) - 1))] * 1000:.1f} ms, "
            f"{slow} gap{'s' * (slow != 1)} over 100 ms"
        )
    print(f"  load average after: {' '.join(f'{x:.2f}' for x in d.load)}")
    if d.error:
        print(f"  ERROR: {d.error}")


def print_results(results: list[Delivery]) -> None:
    header = (
        f"{'database':9s} {'delivered':>9s} {'seconds':>7s} {'msg/s':>6s} {'of 30/s':>7s} "
        f"{'w/o restart':>11s} {'lost':>4s} {'dup':>4s} {'429s':>4s} {'gap s':>5s}"
    )
    print("\n" + header)
    print("-" * len(header))
    for d in results:
        print(
            f"{d.database:9s} {d.delivered:9d} {d.seconds:7.2f} {d.rate:6.2f} "
            f"{d.rate / LIMIT_TOTAL:7.1%} {d.rate_without_restart / LIMIT_TOTAL:11.1%} "
            f"{d.lost:4d} {sum(d.duplicates.values()):4d} {d.throttled:4d} {d.gap:5.2f}"
        )
    ceiling = 1 / PACING_MARGIN
    print(
        f"\ngoals: ≥ {GOAL_SHARE:.0%} of {LIMIT_TOTAL}/s over the whole run (restart included), "
        f"0 lost, 0 duplicated; the channel paces at {ceiling:.1%} of {LIMIT_TOTAL}/s, so that "
        f"is the ceiling"
    )
    for d in results:
        dups = d.duplicates
        window = [m for m in dups if m in d.in_window and dups[m] == 1]
        other = [m for m in dups if m not in window]
        share = d.rate / LIMIT_TOTAL
        print(
            f"  {d.database}: rate {share:.2%}: {verdict(share >= GOAL_SHARE)} "
            f"({d.rate_without_restart / LIMIT_TOTAL:.2%} without the restart gap); "
            f"lost {d.lost}: {verdict(d.lost == 0)}; duplicated {sum(dups.values())}: "
            f"{verdict(not dups)}"
        )
        if window:
            print(
                f"    duplicated in the at-least-once window (delivered, then killed before the "
                f"row was marked sent): {', '.join(f'#{m:04d}' for m in sorted(window))}"
            )
        if other:
            print(
                f"    duplicated OUTSIDE that window: "
                f"{', '.join(f'#{m:04d} ×{dups[m] + 1}' for m in sorted(other))}"
            )
        if not d.finished:
            print(f"    the run did not finish: {d.error}")
    if PTB_429_LOG.count:
        print(
            f"(python-telegram-bot logged a traceback for each of {PTB_429_LOG.count} 429s, "
            f'"Rate limit hit after maximum of 0 retries"; left out above)'
        )


# --- main -----------------------------------------------------------------------------------


async def postgres_database(server: PgServer) -> tuple[str, str]:
    """A fresh database on the private server: its URL and the server's version."""
    conn = await server.connect()
    try:
        await conn.execute('CREATE DATABASE "bench"')
        version = conn.get_server_version()
    finally:
        await conn.close()
    return server.url("bench"), f"{version.major}.{version.minor}"


async def run_all(args: argparse.Namespace, sqlite_dir: Path, pg: PgServer | None) -> None:
    pg_url, pg_version = await postgres_database(pg) if pg is not None else (None, None)
    print_machine(pg_version)
    calendar = WorkingCalendar()
    setup = build_setup(args.year)
    planned = timed_plan(memory_snapshot(setup), args.year, calendar)
    print_planning(setup, planned)

    databases: list[tuple[str, str]] = []
    if args.db in ("sqlite", "both"):
        databases.append(("sqlite", f"sqlite+aiosqlite:///{sqlite_dir / 'bench.db'}"))
    if pg_url is not None:
        databases.append(("postgres", pg_url))
    results = []
    for database, url in databases:
        stored = await store_and_load(url, setup, calendar)
        print_stored(database, stored, planned)
        expect = args.messages / PACED_RATE
        print(f"  sending {args.messages} … (≈{expect:.0f} s at the paced rate)", flush=True)
        result = await deliver(database, url, stored, calendar, args)
        print_delivery(result)
        results.append(result)
    print_results(results)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument(
        "--kill-after", type=int, help="deliveries before the forced restart (default: half)"
    )
    parser.add_argument(
        "--year", type=int, default=local_today(SystemClock()).year, help="the plan's year"
    )
    args = parser.parse_args()
    if args.messages < 2:
        parser.error("--messages must be at least 2")
    if args.kill_after is None:
        args.kill_after = args.messages // 2
    if not 1 <= args.kill_after < args.messages:
        parser.error("--kill-after must be between 1 and --messages - 1")
    return args


def main() -> int:
    args = parse_args()
    logging.getLogger("aiohttp.server").addFilter(HungUpFilter())
    logging.getLogger("telegram.ext.AIORateLimiter").addFilter(PTB_429_LOG)
    with contextlib.ExitStack() as stack:
        sqlite_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nhacviec-")))
        pg = None
        if args.db in ("postgres", "both"):
            bindir = find_pg_bindir()
            if bindir is None:
                print("no PostgreSQL server binaries found (initdb, postgres)", file=sys.stderr)
                return 2
            pg = start_pg_server(bindir)
            # Last in, first out: the server is stopped (by its own pid) before its folder goes.
            stack.callback(shutil.rmtree, pg.root, ignore_errors=True)
            stack.callback(_stop, pg.process)
        try:
            asyncio.run(run_all(args, sqlite_dir, pg))
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
