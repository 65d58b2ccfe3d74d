"""Benchmark: replies per second and latency through the fake Bot API, beside a bare echo bot.

Two runs per bot, because one run cannot measure both goals:

- Throughput, closed loop: every contact sends at once and each waits for the answer before
  its next message, so the bot is never idle. This finds the most replies per second it can
  give. Its latencies only restate the load: by Little's law, 100 chats each waiting on one
  answer at R replies/s wait 100/R seconds on average, so under saturation even the bare
  echo bot's p95 is hundreds of milliseconds, and "p95 under 300 ms" could not be met by any
  bot. They are printed, but judged by nothing.
- Latency, open loop: messages arrive at a fixed offered rate (by default the throughput
  goal, half the echo bot's closed-loop replies/s in the same run; --rate to choose), spread
  over the contacts in turn, each contact's messages in its own order, sent on schedule
  whether or not the previous answer came. Latency is counted from the moment a message was
  due, so a generator that falls behind cannot hide a slow bot (coordinated omission). This
  is the p95 the goal is about: how long a person waits while the bot carries its target
  load. With --repeat N it runs N times and the p95 is of all their replies together (each
  run's own p95 printed too): one run's slowest 5% is 50 replies, a second of noise.

The goal is judged against bare python-telegram-bot (its default httpx transport), as the
issue sets it. nhacviec sends through its own aiohttp transport for python-telegram-bot
(bot/channels/telegram_http.py), so the same echo bot on that transport runs too and the
report gives nhacviec's ratio to it as well: what the transport buys and what handling costs
are both in view.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402
import telegram  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)

# The channel's own pacing, so --rate-limit paces the echo bot exactly as it paces ours.
from bot.channels.telegram import _PacedRateLimiter  # noqa: E402
from bot.channels.telegram_http import AiohttpRequest  # noqa: E402
from bot.gc_settings import settle_after_start  # noqa: E402
from bot.service import build_service  # noqa: E402
from plans.importer import import_plan  # noqa: E402
from plans.replies import read_reply  # noqa: E402
from plans.samples import DEFAULT_SAMPLE  # noqa: E402
from scheduler.clock import LOCAL_TZ, ManualClock  # noqa: E402
from storage.db import create_engine, session_factory, upgrade  # noqa: E402
from tests.conftest import PgServer, _stop, find_pg_bindir, start_pg_server  # noqa: E402
from tests.fakes.harness import BotHarness  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402
from tests.fakes.telegram_helpers import BOT_USERNAME, TELEGRAM_TOKEN  # noqa: E402

START = datetime(2018, 6, 21, 9, 0, tzinfo=LOCAL_TZ)
# Agencies of the sample that lead tasks by themselves (not the "all districts" groups).
AGENCIES = (
    "Sở Thông tin và Truyền thông",
    "Sở Ngoại vụ",
    "Báo Hà Tĩnh",
    "Đài Phát thanh và Truyền hình tỉnh",
    "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # what handlers/link.py accepts
FIRST_USER_ID = 5_000_001
ANSWER_TIMEOUT = 30.0
POLL_TIMEOUT = timedelta(seconds=10)
GOAL_RATIO = 0.5
ECHO_BARE = "echo (bare PTB)"
ECHO_AIOHTTP = "echo (PTB+aiohttp)"
GOAL_P95_MS = 300.0
MAX_WRONG_SHOWN = 20
DRAIN_TIMEOUT = 30.0  # after the last scheduled send, how long the open loop waits for answers


class TimedFake(FakeTelegramAPI):
    """The fake Bot API, stamping each bot message with the monotonic time it arrived.

    Its wait_sent() wakes every waiter on every state change and rescans all sent messages;
    with 100 chats waiting at once that costs more than the bots being measured, so each chat
    gets a queue of its own instead.
    """

    def __init__(self) -> None:
        super().__init__(TELEGRAM_TOKEN, bot_username=BOT_USERNAME)
        self.inboxes: dict[int, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)

    def _record(self, method: str, chat_id: int, **fields: Any) -> dict[str, Any]:
        record = super()._record(method, chat_id, **fields)
        record["arrived"] = time.perf_counter()
        self.inboxes[chat_id].put_nowait(record)
        return record


class HungUpFilter(logging.Filter):
    """Drops the fake server's report of a client that hung up in the middle of a request.

    On Ctrl-C the bots' pollers are cancelled between sending a request's headers and its
    body; aiohttp then logs a ConnectionResetError traceback that says nothing about either.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionResetError))


@dataclass(frozen=True)
class Exchange:
    """One message a person sends and the answer it must get (exactly, or starting with)."""

    text: str
    want: str
    exact: bool = True

    def right(self, answer: str) -> bool:
        return answer == self.want if self.exact else answer.startswith(self.want)


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    agency: str
    link_code: str
    task_code: str


@dataclass
class Result:
    bot: str
    database: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered reply
    wrong: list[str] = field(default_factory=list)
    offered: float | None = None  # open loop: the rate messages were sent at, per second
    lag: float = 0.0  # open loop: the latest any message left after it was due, seconds
    runs_p95: list[float] = field(default_factory=list)  # pooled open loops: each one's p95, ms

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else float("nan")


@dataclass
class Runs:
    """One bot's two runs on one database."""

    closed: Result
    open: Result


def led_codes(today: date) -> dict[str, list[str]]:
    """Per agency, the codes of the tasks it leads that a reply like "5.1 dang lam 10%" names.

    Checked with the reply reader, not assumed: a bare "6" before "dang lam" reads as no code.
    """
    plan = import_plan(DEFAULT_SAMPLE, None)
    codes: dict[str, list[str]] = {agency: [] for agency in AGENCIES}
    for task in plan.tasks:
        named = read_reply(f"{task.code} dang lam 10%", today).task_code == task.code
        for agency in task.lead:
            if agency in codes and named:
                codes[agency].append(task.code)
    empty = [agency for agency, found in codes.items() if not found]
    if empty:
        raise SystemExit(f"the sample plan gives these agencies no task to report on: {empty}")
    return codes


def link_code(index: int) -> str:
    digits = ""
    for _ in range(6):
        index, rest = divmod(index, len(CODE_ALPHABET))
        digits = CODE_ALPHABET[rest] + digits
    return "BN" + digits


def people(count: int, codes: dict[str, list[str]]) -> list[Person]:
    found = []
    for i in range(count):
        agency = AGENCIES[i % len(AGENCIES)]
        own = codes[agency]
        found.append(
            Person(
                user_id=FIRST_USER_ID + i,
                name=f"Cán bộ {i + 1:03d}",
                agency=agency,
                link_code=link_code(i),
                task_code=own[(i // len(AGENCIES)) % len(own)],
            )
        )
    return found


def report_script(person: Person, replies: int) -> list[Exchange]:
    """Alternately a progress report on a task the person's agency leads and a typed yes."""
    code = person.task_code
    script = []
    for i in range(replies):
        if i % 2 == 0:
            percent = 10 + (i // 2 * 10) % 90
            script.append(
                Exchange(
                    f"{code} dang lam {percent}%",
                    f"Nhiệm vụ {code}: đang thực hiện {percent}%. Đúng không ạ?",
                )
            )
        else:
            script.append(Exchange("dung", f"Đã ghi nhận tiến độ nhiệm vụ {code}.", exact=False))
    return script


def echo_script(script: list[Exchange]) -> list[Exchange]:
    return [Exchange(e.text, e.text) for e in script]


async def converse(fake: TimedFake, user_id: int, script: list[Exchange], result: Result) -> None:
    """Send each message after the answer to the one before, as a person in a chat does."""
    inbox = fake.inboxes[user_id]
    for exchange in script:
        while not inbox.empty():  # a second answer to one message would shift all later ones
            extra = inbox.get_nowait()
            result.wrong.append(f"user {user_id}: unasked-for message {extra['text']!r}")
        sent = time.perf_counter()
        fake.user_sends(user_id, exchange.text, first_name=f"U{user_id}")
        try:
            answer = await asyncio.wait_for(inbox.get(), ANSWER_TIMEOUT)
        except TimeoutError:
            result.wrong.append(
                f"user {user_id}: no answer to {exchange.text!r} within {ANSWER_TIMEOUT:.0f}s"
            )
            return  # the rest of this chat would be out of step
        result.latencies.append(answer["arrived"] - sent)
        if not exchange.right(answer["text"] or ""):
            result.wrong.append(f"user {user_id}: {exchange.text!r} → {answer['text']!r}")


async def load(fake: TimedFake, scripts: dict[int, list[Exchange]], result: Result) -> Result:
    """Every chat at once, each one message at a time; wall time from first send to last answer."""
    start = time.perf_counter()
    await asyncio.gather(*(converse(fake, u, s, result) for u, s in scripts.items()))
    result.seconds = time.perf_counter() - start
    return result


async def open_loop(
    fake: TimedFake, scripts: dict[int, list[Exchange]], rate: float, result: Result
) -> Result:
    """Messages due at `rate` per second, contact after contact; latency from when each was due.

    Message k is contact k mod n's (k div n)th: each contact writes every n/rate seconds, in
    its own order, and the bot must answer each chat in order (matched first in, first out).
    """
    users = list(scripts)
    for user_id in users:  # an answer an earlier run gave up on is not this run's
        inbox = fake.inboxes[user_id]
        while not inbox.empty():
            late = inbox.get_nowait()
            result.wrong.append(f"user {user_id}: late answer {late['text']!r} from a run before")
    waiting: dict[int, list[tuple[float, Exchange]]] = {u: [] for u in users}
    expected = sum(len(script) for script in scripts.values())
    answered = asyncio.Event() if expected else None

    async def receive(user_id: int) -> None:
        inbox = fake.inboxes[user_id]
        while True:
            answer = await inbox.get()
            if not waiting[user_id]:
                result.wrong.append(f"user {user_id}: unasked-for message {answer['text']!r}")
                continue
            due, exchange = waiting[user_id].pop(0)
            result.latencies.append(answer["arrived"] - due)
            if not exchange.right(answer["text"] or ""):
                result.wrong.append(f"user {user_id}: {exchange.text!r} → {answer['text']!r}")
            if answered is not None and len(result.latencies) >= expected:
                answered.set()

    receivers = [asyncio.create_task(receive(u)) for u in users]
    try:
        start = time.perf_counter()
        k = 0
        for index in range(max(len(script) for script in scripts.values())):
            for user_id in users:
                if index >= len(scripts[user_id]):
                    continue
                due = start + k / rate
                k += 1
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                exchange = scripts[user_id][index]
                waiting[user_id].append((due, exchange))
                result.lag = max(result.lag, time.perf_counter() - due)
                fake.user_sends(user_id, exchange.text, first_name=f"U{user_id}")
        if answered is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(answered.wait(), DRAIN_TIMEOUT)
        result.seconds = time.perf_counter() - start
    finally:
        for task in receivers:
            task.cancel()
        await asyncio.gather(*receivers, return_exceptions=True)
    for user_id, left in waiting.items():
        for _, exchange in left:
            result.wrong.append(
                f"user {user_id}: no answer to {exchange.text!r} within {DRAIN_TIMEOUT:.0f}s "
                f"of the last send"
            )
    result.offered = rate
    return result


async def warm_up(fake: TimedFake, exchanges: dict[int, Exchange], what: str) -> None:
    """One untimed exchange per chat (the link for the service), so both bots start warm."""
    result = Result("warm-up", "")
    await load(fake, {u: [e] for u, e in exchanges.items()}, result)
    if result.wrong:
        raise RuntimeError(f"{what} failed: " + "; ".join(result.wrong[:5]))


async def best_of(repeat: int, run: Callable[[], Awaitable[Result]]) -> Result:
    """The fastest of `repeat` throughput runs: other work on the machine only slows a run down."""
    results = [await run() for _ in range(repeat)]
    best = max(results, key=lambda r: r.rate)
    best.wrong = [line for r in results for line in r.wrong]  # a wrong answer in any counts
    return best


async def pooled(repeat: int, run: Callable[[], Awaitable[Result]]) -> Result:
    """`repeat` latency runs as one: every reply of every run counted in one p95.

    One run's p95 rests on its slowest 50 replies of 1 000, so a second of other work on the
    machine can move it by hundreds of milliseconds; the replies of several runs together say
    more about the bot. A slow spell still counts: it is in the pool, and each run's own p95 is
    printed beside the pooled one.
    """
    results = [await run() for _ in range(repeat)]
    first = results[0]
    first.runs_p95 = [percentile([x * 1000 for x in r.latencies], 95) for r in results]
    for r in results[1:]:
        first.latencies += r.latencies
        first.wrong += r.wrong
        first.seconds += r.seconds
        first.lag = max(first.lag, r.lag)
    return first


async def run_echo(
    persons: list[Person],
    replies: int,
    rate_limit: bool,
    rate: float | None,
    repeat: int = 1,
    transport: str = "httpx",
) -> Runs:
    """The echo bot's two runs; the open loop at `rate`, or at the goal throughput.

    transport "httpx" is bare python-telegram-bot, the bot the goal is measured against;
    "aiohttp" is the same bot on nhacviec's own transport (bot/channels/telegram_http.py), so
    the report can say how much of nhacviec's speed is the transport and how much the rest.
    """

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    scripts = {p.user_id: echo_script(report_script(p, replies)) for p in persons}
    async with contextlib.AsyncExitStack() as stack:
        fake = await stack.enter_async_context(TimedFake())
        builder = (
            ApplicationBuilder()
            .token(TELEGRAM_TOKEN)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
            .concurrent_updates(True)
            .job_queue(None)
        )
        if transport == "aiohttp":
            builder = builder.request(AiohttpRequest()).get_updates_request(
                AiohttpRequest(connection_pool_size=1)
            )
        if rate_limit:
            builder = builder.rate_limiter(_PacedRateLimiter())
        app: Application = builder.build()  # type: ignore[type-arg]
        app.add_handler(MessageHandler(filters.TEXT, echo))
        await stack.enter_async_context(app)  # initialize / shutdown
        await app.start()
        stack.push_async_callback(app.stop)
        assert app.updater is not None
        await app.updater.start_polling(timeout=POLL_TIMEOUT, allowed_updates=["message"])
        stack.push_async_callback(app.updater.stop)
        await warm_up(fake, {p.user_id: Exchange("/start", "/start") for p in persons}, "warm-up")
        name = ECHO_BARE if transport == "httpx" else ECHO_AIOHTTP
        closed = await best_of(repeat, lambda: load(fake, scripts, Result(name, "-")))
        offered = rate if rate is not None else GOAL_RATIO * closed.rate
        latency = await pooled(
            repeat, lambda: open_loop(fake, scripts, offered, Result(closed.bot, "-"))
        )
        return Runs(closed, latency)


async def set_up(url: str, persons: list[Person]) -> None:
    """Schema, the sample plan, and a focal-point contact with a link code for each person."""
    await upgrade(url)
    engine = create_engine(url)
    try:
        setup = BotHarness(session_factory(engine), START)
        await setup.import_plan()
        for p in persons:
            await setup.issue_code(await setup.new_contact(p.name, p.agency, "focal"), p.link_code)
    finally:
        await engine.dispose()


async def run_service(
    database: str,
    url: str,
    persons: list[Person],
    replies: int,
    rate_limit: bool,
    rate: float,
    repeat: int = 1,
) -> Runs:
    await set_up(url, persons)
    scripts = {p.user_id: report_script(p, replies) for p in persons}
    links = {
        p.user_id: Exchange(f"/start {p.link_code}", f"Xin chào anh/chị {p.name}!", exact=False)
        for p in persons
    }
    engine = create_engine(url)
    try:
        async with TimedFake() as fake:
            service = build_service(
                session_factory(engine),
                telegram_token=TELEGRAM_TOKEN,
                telegram_api_url=fake.base_url,
                telegram_rate_limit=rate_limit,
                clock=ManualClock(START),
            )
            await service.start()
            settle_after_start()  # as `nhacviec run` does once started
            try:
                await warm_up(fake, links, "linking")
                closed = await best_of(
                    repeat, lambda: load(fake, scripts, Result("nhacviec", database))
                )
                # The same people again, at the offered rate: each chat's dialog starts afresh.
                latency = await pooled(
                    repeat, lambda: open_loop(fake, scripts, rate, Result("nhacviec", database))
                )
                return Runs(closed, latency)
            finally:
                await service.stop()
    finally:
        await engine.dispose()


async def postgres_database(server: PgServer) -> tuple[str, str]:
    """A fresh database on the private server: its URL and the server's version."""
    conn = await server.connect()
    try:
        await conn.execute('CREATE DATABASE "bench"')
        version = conn.get_server_version()
    finally:
        await conn.close()
    return server.url("bench"), f"{version.major}.{version.minor}"


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _table(title: str, results: list[Result]) -> None:
    header = (
        f"{'bot':16s} {'database':9s} {'replies':>7s} {'seconds':>8s} {'replies/s':>9s} "
        f"{'p50 ms':>7s} {'p95 ms':>7s} {'max ms':>7s} {'wrong':>5s}"
    )
    print(f"\n{title}\n{header}")
    print("-" * len(header))
    for r in results:
        ms = [x * 1000 for x in r.latencies]
        print(
            f"{r.bot:16s} {r.database:9s} {len(ms):7d} {r.seconds:8.2f} {r.rate:9.1f} "
            f"{percentile(ms, 50):7.1f} {percentile(ms, 95):7.1f} {max(ms, default=0):7.1f} "
            f"{len(r.wrong):5d}"
        )


def print_results(runs: list[Runs], repeat: int = 1) -> None:
    closed = [r.closed for r in runs]
    opened = [r.open for r in runs]
    _table(
        "THROUGHPUT run (closed loop: every chat at once, each waits for its answer; latency "
        "here is queueing, not judged"
        + (f"; the fastest of {repeat} runs per bot, wrong answers of all)" if repeat > 1 else ")"),
        closed,
    )
    offered = opened[0].offered if opened else None
    lag = max((r.lag for r in opened), default=0.0)
    _table(
        f"LATENCY run (open loop: {offered or 0:.1f} messages/s offered, contact after contact; "
        f"latency from when each message was due; latest send {lag * 1000:.0f} ms behind "
        f"schedule" + (f"; {repeat} runs per bot, their replies pooled)" if repeat > 1 else ")"),
        opened,
    )
    if repeat > 1:
        for r in opened:
            each = ", ".join(f"{p95:.0f}" for p95 in r.runs_p95)
            print(f"  p95 of each run, ms ({r.bot}, {r.database}): {each}")
    for r in closed + opened:
        kind = "throughput" if r.offered is None else "latency"
        for line in r.wrong[:MAX_WRONG_SHOWN]:
            print(f"  wrong ({r.bot}, {r.database}, {kind} run): {line}")
        if len(r.wrong) > MAX_WRONG_SHOWN:
            print(f"  … and {len(r.wrong) - MAX_WRONG_SHOWN} more")

    echo = next((r for r in runs if r.closed.bot == ECHO_BARE), None)
    matched = next((r for r in runs if r.closed.bot == ECHO_AIOHTTP), None)
    if echo is None or not echo.closed.latencies:
        return
    print(
        f"\ngoals: throughput run at least {GOAL_RATIO:.0%} of the echo bot's replies/s; latency "
        f"run p95 under {GOAL_P95_MS:.0f} ms; no wrong answers in either run"
    )
    measured = [r for r in runs if r is not echo and r is not matched and r.closed.latencies]
    for r in measured:
        ratio = r.closed.rate / echo.closed.rate
        p95 = percentile([x * 1000 for x in r.open.latencies], 95)
        wrong = len(r.closed.wrong) + len(r.open.wrong)
        verdicts = [
            f"throughput {r.closed.rate:.0f}/s = {ratio:.2f}× echo "
            f"({echo.closed.rate:.0f}/s): {'met' if ratio >= GOAL_RATIO else 'NOT met'}",
            f"p95 at {r.open.offered or 0:.0f}/s {p95:.0f} ms: "
            f"{'met' if p95 < GOAL_P95_MS else 'NOT met'}",
            f"wrong {wrong}: {'ok' if not wrong else 'NOT ok'}",
        ]
        print(f"  {r.closed.bot} on {r.closed.database}: " + "; ".join(verdicts))
    if matched is not None and matched.closed.latencies:
        print(
            f"\nnot a goal, for reading the ratio: the echo bot on nhacviec's aiohttp transport "
            f"gives {matched.closed.rate:.0f}/s ({matched.closed.rate / echo.closed.rate:.2f}× "
            f"bare PTB), so the transport's share of the gain shows beside the handling's:"
        )
        for r in measured:
            print(
                f"  {r.closed.bot} on {r.closed.database}: "
                f"{r.closed.rate / matched.closed.rate:.2f}× that echo bot"
            )


def print_machine(rate_limit: bool, pg_version: str | None) -> None:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores ({usable} usable), "
        f"{platform.system()} {platform.release()}"
    )
    print(
        f"python {platform.python_version()}, python-telegram-bot {telegram.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {pg_version} (fsync=off, synchronous_commit=off)" if pg_version else "")
    )
    print("everything (fake API, bots, client) runs in one process and one event loop")
    if rate_limit:
        print("Telegram pacing: ON for both bots (1 message/s per chat, 30/s overall)")
    else:
        print(
            "Telegram pacing: OFF for both bots (the fake does not enforce 1 message/s per "
            "chat; with pacing each bot is capped near 1 reply/s per chat); --rate-limit "
            "turns it on"
        )


async def run_all(args: argparse.Namespace, sqlite_dir: Path, pg: PgServer | None) -> None:
    persons = people(args.contacts, led_codes(START.date()))
    pg_url, pg_version = await postgres_database(pg) if pg is not None else (None, None)
    print_machine(args.rate_limit, pg_version)
    print(
        f"load: {args.contacts} contacts × {args.replies} replies, twice per bot (a throughput "
        f"run, then a latency run: see --help); latency from the user's message being queued "
        f"on the fake (or due, in the latency run) to the bot's answer reaching it"
    )

    print("running echo …", flush=True)
    echo = await run_echo(persons, args.replies, args.rate_limit, args.rate, args.repeat)
    rate = echo.open.offered
    print("running echo on nhacviec's transport …", flush=True)
    matched = await run_echo(
        persons, args.replies, args.rate_limit, rate, args.repeat, transport="aiohttp"
    )
    assert rate is not None
    services: list[tuple[str, Callable[[], Awaitable[Runs]]]] = []
    if args.db in ("sqlite", "both"):
        url = f"sqlite+aiosqlite:///{sqlite_dir / 'bench.db'}"
        services.append(
            (
                "sqlite",
                lambda: run_service(
                    "sqlite", url, persons, args.replies, args.rate_limit, rate, args.repeat
                ),
            )
        )
    if pg_url is not None:
        services.append(
            (
                "postgres",
                lambda: run_service(
                    "postgres", pg_url, persons, args.replies, args.rate_limit, rate, args.repeat
                ),
            )
        )
    results = [echo, matched]
    for name, run in services:
        print(f"running {name} …", flush=True)
        results.append(await run())
    print_results(results, args.repeat)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--contacts", type=int, default=100)
    parser.add_argument("--replies", type=int, default=10)
    parser.add_argument(
        "--rate",
        type=float,
        help="messages per second offered in the latency run (default: the throughput goal, "
        "half the echo bot's replies/s in the throughput run)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per bot: of the throughput runs the fastest counts (other work on the "
        "machine only slows a run down); the latency runs' replies are pooled into one p95",
    )
    parser.add_argument(
        "--rate-limit",
        action="store_true",
        help="pace sends as the channel does for Telegram (off by default, for both bots)",
    )
    args = parser.parse_args()
    if args.contacts < 1 or args.replies < 1:
        parser.error("--contacts and --replies must be at least 1")
    if args.rate is not None and args.rate <= 0:
        parser.error("--rate must be above 0")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main() -> int:
    args = parse_args()
    logging.getLogger("aiohttp.server").addFilter(HungUpFilter())
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
