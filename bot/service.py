"""The running service: channels in, the dispatcher, the outbox sender, the web server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
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
WEB_FILES = Path("data/web-files")  # files the bot sent on the web chat

Job = Callable[[], Awaitable[Any]]


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
    # More jobs woken with the reminders, in order (the digest, reporting rounds): each runs
    # on every scheduler tick and at every stop of a demo clock jump.
    jobs: list[Job] = field(default_factory=list)
    # Adds routes beyond the webhooks (the web chat's page, its streams, the demo clock).
    web_setup: list[Callable[[web.Application], None]] = field(default_factory=list)
    bound_port: int | None = None  # the port really listened on (port 0 picks a free one)
    _scheduler: AsyncIOScheduler | None = None
    _runner: web.AppRunner | None = None
    _loop_task: asyncio.Task[None] | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _jobs_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.bound_port or self.port}"

    async def start(self) -> None:
        if self.routes or self.web_setup:
            app = web.Application(client_max_size=1024 * 1024)
            for path, handler in self.routes:
                app.router.add_post(path, handler)
            app.router.add_get("/healthz", self._health)
            for setup in self.web_setup:
                setup(app)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            try:
                await web.TCPSite(self._runner, self.host, self.port).start()
            except OSError:
                await self._runner.cleanup()  # the port is taken: leave nothing half open
                self._runner = None
                raise
            sockets = [a for a in self._runner.addresses if isinstance(a, tuple)]
            self.bound_port = sockets[0][1] if sockets else self.port
            log.info("web server on %s", self.url)
        for channel in self.channels.values():
            await channel.start(self.dispatcher)
            log.info("channel %s started", channel.name)
        self._loop_task = asyncio.create_task(self._outbox_loop())
        if self.reminders is not None or self.jobs:
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
            self._scheduler.start()

    async def _remind(self) -> None:
        await self.run_jobs()

    async def run_jobs(self) -> None:
        """One wake-up of every job at the clock's time; one failing does not stop the rest."""
        if self._stopping.is_set():
            return  # a wake-up queued just before stop: the next start does it
        async with self._jobs_lock:  # the interval and a demo jump must not overlap
            if self.reminders is not None:
                try:
                    await self.reminders.tick()
                except Exception:
                    log.exception("reminder pass failed")
            for job in self.jobs:
                try:
                    await job()
                except Exception:
                    log.exception("job %s failed", getattr(job, "__qualname__", job))

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
        async with self._jobs_lock:
            pass  # a pass already running finishes (the loop would cancel it half way)
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
    web_chat: bool = False,
    web_files: Path = WEB_FILES,
    demo: bool = False,
) -> Service:
    """The service with the channels configured; `demo` (with a DemoClock) adds the web chat's
    demo people and clock controls, which a real deployment never has."""
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
        from bot.channels.telegram import TelegramChannel

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
    service = Service(sessions, channels, dispatcher, sender, routes, host, port, job)
    if reminders:
        # The weekly digest and the reporting rounds, woken with the reminders; each decides
        # from the database what is due, so a restart neither repeats nor forgets one.
        service.jobs += [
            DigestJob(sessions, sender, clock, calendar).tick,
            RoundJob(sessions, sender, clock, calendar).tick,
        ]
    if web_chat or demo:
        _add_web_chat(service, clock, calendar, web_files, demo=demo)
    return service


def _add_web_chat(
    service: Service, clock: Clock, calendar: WorkingCalendar, files: Path, *, demo: bool
) -> None:
    from bot.channels.web import WebChannel
    from bot.demo_time import DemoControls
    from bot.webchat.files import FileStore
    from bot.webchat.page import WebChatPage
    from scheduler.demo_clock import DemoClock

    controls = None
    if demo:
        if not isinstance(clock, DemoClock):
            raise TypeError("demo mode needs a DemoClock")
        controls = DemoControls(clock, calendar, service.sessions, service.run_jobs)
    channel = WebChannel(clock, FileStore(files), demo=demo)
    service.channels[channel.name] = channel
    service.web_setup.append(WebChatPage(channel, service.sessions, controls).setup)


async def run_until_stopped(
    service: Service, on_started: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Start, run `on_started` (say what runs), wait for Ctrl-C or SIGTERM, stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await service.start()
    try:
        if on_started is not None:
            await on_started()
        await stop.wait()
    finally:
        await service.stop()
