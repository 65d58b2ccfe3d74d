"""The service as its operators see it: /healthz, /metrics, a draining stop, the webhook check."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import health, metrics
from bot.app import build_conversation
from bot.channels.base import ChatRef, IncomingMessage, OutgoingMessage, Receipt
from bot.outbox import OutboxSender
from bot.service import Service, build_service
from scheduler.calendar import WorkingCalendar
from scheduler.clock import LOCAL_TZ, ManualClock
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage, ReminderRun
from storage.uow import UnitOfWork
from tests.conftest import DB_KIND
from tests.fakes.harness import CHANNEL, RecordingChannel
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_helpers import (
    BOT_USERNAME,
    TELEGRAM_TOKEN,
    WEBHOOK_SECRET,
    Inbox,
    make_channel,
)

NOW = datetime(2018, 6, 20, 9, 0, tzinfo=LOCAL_TZ)
USER = 4242


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GatedChannel(RecordingChannel):
    """A channel whose sends wait for the test to open the gate; it notes what happened when."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.sending = asyncio.Event()
        self.receiving_stopped = asyncio.Event()
        self.events: list[str] = []

    async def start(self, sink: Any) -> None:
        await super().start(sink)
        self.events.append("start")

    async def stop_receiving(self) -> None:
        self.events.append("stop_receiving")
        self.receiving_stopped.set()

    async def stop(self) -> None:
        self.events.append("stop")

    async def send(self, message: OutgoingMessage) -> Receipt:
        self.sending.set()
        await self.gate.wait()
        receipt = await super().send(message)
        self.events.append(f"sent {message.text}")
        return receipt


def _service(
    db_engine: AsyncEngine, channel: Any, *, port: int = 0, drain: float = 20.0, clock: Any = None
) -> Service:
    sessions = session_factory(db_engine)
    channels = {CHANNEL: channel}
    clock = clock or ManualClock(NOW)
    dispatcher, sender = build_conversation(sessions, channels, clock, calendar=WorkingCalendar())
    return Service(
        sessions,
        channels,
        dispatcher,
        sender,
        [],
        "127.0.0.1",
        port or _free_port(),
        clock=clock,
        web=True,
        drain_seconds=drain,
    )


async def _queue(db_engine: AsyncEngine, *texts: str, due: datetime = NOW, **extra: Any) -> None:
    async with UnitOfWork(session_factory(db_engine)) as uow:
        for index, body in enumerate(texts):
            await uow.outbox.add(
                {
                    "channel": extra.get("channel", CHANNEL),
                    "chat_id": str(extra.get("chat_id", 9000 + index)),
                    "kind": extra.get("kind", "notice"),
                    "payload": {"text": body, "buttons": [], "task_ids": []},
                    "not_before": due,
                    "created_at": due,
                    **{k: v for k, v in extra.items() if k not in ("channel", "chat_id", "kind")},
                }
            )
        await uow.commit()


async def _outbox(db_engine: AsyncEngine) -> list[OutboxMessage]:
    async with UnitOfWork(session_factory(db_engine)) as uow:
        return list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def _get(service: Service, path: str) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{service.port}{path}") as response,
    ):
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, (response.headers["Content-Type"], await response.text())


@asynccontextmanager
async def running(service: Service) -> AsyncIterator[Service]:
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


# --- /healthz ---------------------------------------------------------------------------------


async def test_healthz_reports_the_database_and_each_channel(db_engine: AsyncEngine) -> None:
    service = _service(db_engine, RecordingChannel())
    async with running(service):
        status, body = await _get(service, "/healthz")
    assert status == 200
    assert body["status"] == "ok" and body["channels"] == {CHANNEL: "running"}
    assert body["database"]["ok"] is True and body["database"]["ms"] >= 0


def _unreachable_database(tmp_path: Path) -> str:
    if DB_KIND == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}"  # a folder: SQLite cannot open it
    return f"postgresql+asyncpg://postgres@127.0.0.1:{_free_port()}/gone"  # nobody listens


async def test_healthz_is_503_when_the_database_is_down(
    db_engine: AsyncEngine, tmp_path: Path
) -> None:
    down = create_engine(_unreachable_database(tmp_path))
    try:
        service = _service(db_engine, RecordingChannel())
        service.sessions = session_factory(down)
        async with running(service):
            status, body = await _get(service, "/healthz")
            metrics_status, (_, text) = await _get(service, "/metrics")
    finally:
        await down.dispose()
    assert status == 503
    assert body["status"] == "down" and body["database"]["ok"] is False
    assert body["database"]["error"]  # the error's class, never the URL with its password
    assert "postgres@" not in str(body) and str(tmp_path) not in str(body)
    # /metrics still answers, saying so.
    assert metrics_status == 200 and "nhacviec_database_up 0" in text


async def test_healthz_shows_a_refused_token_and_the_service_goes_on(
    db_engine: AsyncEngine,
) -> None:
    async with FakeTelegramAPI(TELEGRAM_TOKEN, bot_username=BOT_USERNAME) as fake:
        service = build_service(
            session_factory(db_engine),
            telegram_token="7012345678:AAHrevokedSecret-refused_by_telegram",
            telegram_api_url=fake.base_url,
            telegram_rate_limit=False,
            port=_free_port(),
            clock=ManualClock(NOW),
            web=True,
        )
        async with running(service):
            status, body = await _get(service, "/healthz")
            _, (_, text) = await _get(service, "/metrics")
    assert status == 200 and body["status"] == "degraded"
    assert body["channels"] == {"telegram": "unauthorized"}
    assert 'nhacviec_channel_up{channel="telegram",status="unauthorized"} 0' in text


async def test_a_token_revoked_while_running_keeps_the_messages_waiting(
    db_engine: AsyncEngine,
) -> None:
    sessions = session_factory(db_engine)
    async with FakeTelegramAPI(TELEGRAM_TOKEN, bot_username=BOT_USERNAME) as fake:
        telegram = make_channel(fake)
        await telegram.start(Inbox())
        try:
            fake.user_sends(USER, "xin chào")  # the chat exists once the person wrote
            await _queue(db_engine, "nhắc việc", chat_id=USER, channel="telegram")
            sender = OutboxSender(sessions, {"telegram": telegram}, ManualClock(NOW))
            fake.fail_next("sendMessage", 401)
            assert await sender.send_due() == 1
            result = await health.check(sessions, {"telegram": telegram.status})
        finally:
            await telegram.stop()
    assert (result.status, result.channels) == ("degraded", {"telegram": "unauthorized"})
    [waiting] = await _outbox(db_engine)
    # Not failed for good: it waits for a valid token, tried again every five minutes.
    assert (waiting.state, waiting.attempts) == ("pending", 0)
    assert waiting.not_before == NOW + timedelta(minutes=5)
    assert "Unauthorized" in (waiting.error or "")


# --- /metrics ---------------------------------------------------------------------------------


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_count_from_the_database(db_engine: AsyncEngine) -> None:
    sessions = session_factory(db_engine)
    clock = ManualClock(NOW)
    channel = RecordingChannel()
    dispatcher, _ = build_conversation(sessions, {CHANNEL: channel}, clock)
    # Strangers write (each is answered), one of them twice.
    for event, chat in (("1", "501"), ("2", "502"), ("3", "501")):
        ref = ChatRef(CHANNEL, chat, chat)
        await dispatcher.handle(IncomingMessage(ref=ref, event_id=event, text="xin chào"))
    # Failed rows of each kind, two due rows waiting, one planned for later today.
    await _queue(db_engine, "a", state="failed", error="unreachable: bot was blocked")
    await _queue(db_engine, "b", "c", state="failed", error="refused: Bad Request: x")
    await _queue(db_engine, "d", state="failed", error="stale: folded into 2018-06-21")
    await _queue(db_engine, "e", "f", due=NOW - timedelta(minutes=10))
    await _queue(db_engine, "g", due=NOW + timedelta(hours=3), kind="reminder")
    await _queue(db_engine, "h", due=NOW + timedelta(minutes=5), error="retry: 502 Bad Gateway")
    async with UnitOfWork(sessions) as uow:
        yesterday = NOW - timedelta(days=1)
        uow.session.add(ReminderRun(day=NOW.date(), run_at=NOW, worker="w-1", messages=7))
        uow.session.add(ReminderRun(day=yesterday.date(), run_at=yesterday, worker="w", messages=5))
        await uow.commit()
    text = metrics.render(await metrics.database_families(sessions, clock))
    m = _samples(text)
    assert m[("nhacviec_messages_received_total", (("channel", CHANNEL), ("state", "done")))] == 3
    assert m[("nhacviec_messages_sent_total", (("channel", CHANNEL), ("kind", "reply")))] == 3
    assert m[("nhacviec_outbox_messages", (("state", "failed"),))] == 4
    assert m[("nhacviec_outbox_messages", (("state", "pending"),))] == 4
    assert m[("nhacviec_outbox_due", ())] == 2  # "g" is due only this afternoon
    assert m[("nhacviec_outbox_oldest_due_age_seconds", ())] == 600
    failures = {
        dict(labels)["reason"]: value
        for (name, labels), value in m.items()
        if name == "nhacviec_send_failures_total"
    }
    assert failures == {"refused": 2, "stale": 1, "unreachable": 1}
    assert m[("nhacviec_outbox_retrying", (("channel", CHANNEL), ("reason", "retry")))] == 1
    assert m[("nhacviec_reminders_planned_total", ())] == 12
    assert m[("nhacviec_reminders_planned_today", ())] == 7
    assert m[("nhacviec_reminders_sent_today", ())] == 0
    assert m[("nhacviec_reminder_last_run_timestamp_seconds", ())] == NOW.timestamp()


def test_metric_text_escapes_labels_and_names_counters() -> None:
    family = metrics.Family("x_events", "counter", "Events.").add(2, why='a "b"\\c\nd')
    text = metrics.render([family, metrics.Family("y", "gauge", "Y.").add(0.5)])
    assert text == (
        "# HELP x_events_total Events.\n# TYPE x_events_total counter\n"
        'x_events_total{why="a \\"b\\"\\\\c\\nd"} 2\n'
        "# HELP y Y.\n# TYPE y gauge\ny 0.5\n"
    )
    [parsed, _] = text_string_to_metric_families(text)
    assert parsed.samples[0].labels == {"why": 'a "b"\\c\nd'}
    assert [
        metrics.failure_reason(e) for e in ("unreachable: x", "channel zalo not running", None)
    ] == [
        "unreachable",
        "channel_not_running",
        "other",
    ]


async def test_the_metrics_endpoint(db_engine: AsyncEngine) -> None:
    # Due only in an hour: the running services' outbox passes leave the rows alone.
    await _queue(db_engine, "a", "b", due=NOW + timedelta(hours=1))
    first, second = _service(db_engine, RecordingChannel()), _service(db_engine, RecordingChannel())
    async with running(first), running(second):
        status, (content_type, one) = await _get(first, "/metrics")
        two = (await _get(second, "/metrics"))[1][1]
    assert status == 200 and content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert one == two  # counted from the database: every instance says the same
    m = _samples(one)
    assert m[("nhacviec_outbox_messages", (("state", "pending"),))] == 2
    assert m[("nhacviec_database_up", ())] == 1
    assert m[("nhacviec_channel_up", (("channel", CHANNEL), ("status", "running")))] == 1


# --- stopping ---------------------------------------------------------------------------------


async def test_stop_takes_no_new_messages_and_sends_what_is_in_hand(
    db_engine: AsyncEngine,
) -> None:
    channel = GatedChannel()
    service = _service(db_engine, channel)
    await _queue(db_engine, "một", "hai", chat_id=9000)  # one chat: sent in order
    await service.start()
    await asyncio.wait_for(channel.sending.wait(), 5)  # the outbox pass is sending "một"
    stopping = asyncio.create_task(service.stop())
    await asyncio.wait_for(channel.receiving_stopped.wait(), 5)
    status, body = await _get(service, "/healthz")
    assert (status, body["status"]) == (503, "stopping")  # balancers send webhooks elsewhere
    assert "stop" not in channel.events  # the channel still sends while the outbox drains
    channel.gate.set()
    await asyncio.wait_for(stopping, 10)
    assert channel.events == ["start", "stop_receiving", "sent một", "sent hai", "stop"]
    assert [r.state for r in await _outbox(db_engine)] == ["sent", "sent"]


async def test_stop_is_bounded_and_puts_unsent_rows_back(db_engine: AsyncEngine) -> None:
    channel = GatedChannel()  # the gate never opens: a platform that hangs
    service = _service(db_engine, channel, drain=0.3)
    await _queue(db_engine, "treo")
    await service.start()
    await asyncio.wait_for(channel.sending.wait(), 5)
    await asyncio.wait_for(service.stop(), 5)  # returns although the send never finished
    [row] = await _outbox(db_engine)
    assert (row.state, row.claimed_by, row.error) == ("pending", None, "released at stop")
    assert channel.events[-1] == "stop"


async def test_telegram_stops_receiving_but_still_sends_until_stopped(
    db_engine: AsyncEngine,
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with FakeTelegramAPI(TELEGRAM_TOKEN, bot_username=BOT_USERNAME) as fake:
        service = build_service(
            session_factory(db_engine),
            telegram_token=TELEGRAM_TOKEN,
            telegram_api_url=fake.base_url,
            telegram_webhook_url=url,
            telegram_webhook_secret=WEBHOOK_SECRET,
            telegram_rate_limit=False,
            port=port,
            clock=ManualClock(NOW),
        )
        await service.channels["telegram"].set_webhook()  # type: ignore[attr-defined]
        await service.start()
        try:
            fake.user_sends(USER, "xin chào")
            await fake.wait_sent(USER)
            telegram = service.channels["telegram"]
            await telegram.stop_receiving()  # type: ignore[attr-defined]
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    url,
                    json={"update_id": 1, "message": {}},
                    headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
                ) as refused,
            ):
                assert refused.status == 503  # Telegram keeps the update and retries later
            await _queue(db_engine, "vẫn gửi được", chat_id=USER, channel="telegram")
            await service.sender.send_due()
            assert (await fake.wait_sent(USER))[-1]["text"] == "vẫn gửi được"
        finally:
            await service.stop()


# --- the webhook Telegram has ------------------------------------------------------------------


@pytest.mark.parametrize("registered", ["https://old.example.gov.vn/hook", "same"])
async def test_start_warns_when_telegram_has_another_webhook_and_never_sets_it(
    registered: str, db_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.channels.telegram")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with FakeTelegramAPI(TELEGRAM_TOKEN, bot_username=BOT_USERNAME) as fake:
        setup = build_service(
            session_factory(db_engine),
            telegram_token=TELEGRAM_TOKEN,
            telegram_api_url=fake.base_url,
            telegram_webhook_url=url if registered == "same" else registered,
            telegram_webhook_secret=WEBHOOK_SECRET,
        )
        await setup.channels["telegram"].set_webhook()  # type: ignore[attr-defined]
        await setup.channels["telegram"].stop()
        fake.requests.clear()
        service = build_service(
            session_factory(db_engine),
            telegram_token=TELEGRAM_TOKEN,
            telegram_api_url=fake.base_url,
            telegram_webhook_url=url,
            telegram_webhook_secret=WEBHOOK_SECRET,
            telegram_rate_limit=False,
            port=port,
            clock=ManualClock(NOW),
        )
        async with running(service):
            called = [method for method, _ in fake.requests]
            assert "getWebhookInfo" in called and "setWebhook" not in called
        expected = url if registered == "same" else registered
        assert fake.webhook_url == expected  # untouched by the start
    warned = [r.getMessage() for r in caplog.records if "webhook Telegram has" in r.getMessage()]
    if registered == "same":
        assert warned == []
    else:
        assert warned == [
            f"telegram: the webhook Telegram has is '{registered}', not the configured "
            f"'{url}'; run the set-webhook command (nhacviec telegram set-webhook)"
        ]
