"""The running service: channels in, the dispatcher, the outbox sender, the web server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_conversation
from bot.channels.base import Channel
from bot.digests import DigestJob
from bot.dispatcher import Dispatcher
from bot.outbox import OutboxSender
from bot.reminders import ReminderJob
from bot.rounds import RoundJob
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock, SystemClock
from scheduler.hours import WorkingHours
from scheduler.policy import DEFAULT_POLICY
from storage.types import LOCAL_TZ

log = logging.getLogger(__name__)

OUTBOX_INTERVAL_SECONDS = 5.0
REMINDER_INTERVAL_SECONDS = 60
JOBS_INTERVAL_SECONDS = 120


@dataclass
class Service:
    """Everything that runs for the service's life, started and stopped in order."""

    sessions: async_sessionmaker[AsyncSession]
    channels: dict[str, Channel]
    dispatcher: Dispatcher
    sender: OutboxSender
    routes: list[tuple[str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = field(
        default_factory=list
    )
    host: str = "127.0.0.1"
    port: int = 8080
    reminders: ReminderJob | None = None
    # The weekly digest and the reporting rounds: woken like the reminders, decided from the
    # database, so a restart neither repeats nor forgets one.
    digests: DigestJob | None = None
    rounds: RoundJob | None = None
    _scheduler: AsyncIOScheduler | None = None
    _runner: web.AppRunner | None = None
    _loop_task: asyncio.Task[None] | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        if self.routes:
            app = web.Application(client_max_size=1024 * 1024)
            for path, handler in self.routes:
                app.router.add_post(path, handler)
            app.router.add_get("/healthz", self._health)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, self.host, self.port).start()
            log.info("web server on http://%s:%s", self.host, self.port)
        for channel in self.channels.values():
            await channel.start(self.dispatcher)
            log.info("channel %s started", channel.name)
        self._loop_task = asyncio.create_task(self._outbox_loop())
        if self.reminders is not None:
            # APScheduler only wakes the job; what is due is decided from the database and the
            # injected clock, so a missed wake-up costs a minute, never a reminder.
            self._scheduler = AsyncIOScheduler(timezone=LOCAL_TZ)
            self._scheduler.add_job(
                self._remind,
                "interval",
                seconds=REMINDER_INTERVAL_SECONDS,
                id="reminders",
                next_run_time=datetime.now(LOCAL_TZ),
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
            )
            if self.digests is not None:
                self._scheduler.add_job(
                    self._digest,
                    "interval",
                    seconds=JOBS_INTERVAL_SECONDS,
                    id="digests",
                    next_run_time=datetime.now(LOCAL_TZ),
                    coalesce=True,
                    max_instances=1,
                    misfire_grace_time=None,
                )
            self._scheduler.start()

    async def _remind(self) -> None:
        assert self.reminders is not None
        try:
            await self.reminders.tick()
        except Exception:
            log.exception("reminder pass failed")

    async def _digest(self) -> None:
        for name, job in (("digest", self.digests), ("round", self.rounds)):
            if job is None:
                continue
            try:
                await job.tick()
            except Exception:  # one job failing must not keep the other from its turn
                log.exception("%s pass failed", name)

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "channels": sorted(self.channels)})

    async def _outbox_loop(self) -> None:
        """Resend what is due again (retries after 429 or network errors, rows of a crash)."""
        while not self._stopping.is_set():
            try:
                await self.sender.send_due()
            except Exception:
                log.exception("outbox pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), OUTBOX_INTERVAL_SECONDS)

    async def stop(self) -> None:
        self._stopping.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        for channel in self.channels.values():
            await channel.stop()
        if self._loop_task is not None:
            await self._loop_task
        if self._runner is not None:
            await self._runner.cleanup()


def build_service(
    sessions: async_sessionmaker[AsyncSession],
    *,
    telegram_token: str | None,
    telegram_api_url: str | None = None,
    telegram_webhook_url: str | None = None,
    telegram_webhook_secret: str | None = None,
    telegram_rate_limit: bool = True,
    host: str = "127.0.0.1",
    port: int = 8080,
    clock: Clock | None = None,
    reminders: bool = False,
) -> Service:
    from bot.channels.telegram import TelegramChannel

    channels: dict[str, Channel] = {}
    clock = clock or SystemClock()
    calendar = WorkingCalendar()
    dispatcher, sender = build_conversation(
        sessions,
        channels,
        clock,
        calendar=calendar,
        hours=WorkingHours(calendar, DEFAULT_POLICY.slots),
    )
    routes = []
    if telegram_token:
        file_url = None
        if telegram_api_url:
            # A local Bot API server serves files beside the API: .../bot → .../file/bot
            file_url = telegram_api_url.rstrip("/").removesuffix("/bot") + "/file/bot"
        telegram = TelegramChannel(
            telegram_token,
            api_url=telegram_api_url,
            file_url=file_url,
            webhook_url=telegram_webhook_url,
            webhook_secret=telegram_webhook_secret,
            rate_limit=telegram_rate_limit,
        )
        channels["telegram"] = telegram
        if telegram_webhook_url:
            routes.append((urlsplit(telegram_webhook_url).path or "/", telegram.webhook_handler()))
    job = ReminderJob(sessions, sender, clock, calendar) if reminders else None
    digests = DigestJob(sessions, sender, clock, calendar) if reminders else None
    rounds = RoundJob(sessions, sender, clock, calendar) if reminders else None
    return Service(sessions, channels, dispatcher, sender, routes, host, port, job, digests, rounds)


async def run_until_stopped(service: Service) -> None:
    """Start, wait for Ctrl-C or SIGTERM, stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await service.start()
    try:
        await stop.wait()
    finally:
        await service.stop()
