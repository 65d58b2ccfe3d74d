"""The running service: channels in, the dispatcher, the outbox sender, the web server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_conversation
from bot.channels.base import Channel
from bot.channels.zalo import ZaloChannel, webhook_url_for
from bot.dispatcher import Dispatcher
from bot.media import MEDIA_PATH, media_handler
from bot.outbox import OutboxSender
from bot.reminders import ReminderJob
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock, SystemClock
from scheduler.hours import WorkingHours
from scheduler.policy import DEFAULT_POLICY
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

OUTBOX_INTERVAL_SECONDS = 5.0
REMINDER_INTERVAL_SECONDS = 60
MEDIA_PRUNE_EVERY = 720  # outbox passes: about an hour


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
    # GET routes (the media files Zalo fetches photos from).
    pages: list[tuple[str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = field(
        default_factory=list
    )
    # Zalo bots: named from the database at start ("zalo", "zalo2", …), then channels.
    zalo: list[ZaloChannel] = field(default_factory=list)
    clock: Clock = field(default_factory=SystemClock)
    _scheduler: AsyncIOScheduler | None = None
    _runner: web.AppRunner | None = None
    _loop_task: asyncio.Task[None] | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        await self._name_zalo_bots()
        if self.routes or self.pages:
            app = web.Application(client_max_size=1024 * 1024)
            for path, handler in self.routes:
                app.router.add_post(path, handler)
            for path, handler in self.pages:
                app.router.add_get(path, handler)
            app.router.add_get("/healthz", self._health)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, self.host, self.port).start()
            log.info("web server on http://%s:%s", self.host, self.port)
        for channel in self.channels.values():
            await channel.start(self.dispatcher)
            log.info("channel %s started", channel.name)
        await self._remember_zalo_names()
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
            self._scheduler.start()

    async def _name_zalo_bots(self) -> None:
        """Each Zalo bot's channel name, kept in the database so it never changes."""
        if not self.zalo:
            return
        async with UnitOfWork(self.sessions) as uow:
            names = await uow.zalo_bots.register([c.bot_id for c in self.zalo])
            await uow.commit()
        for channel in self.zalo:
            channel.name = names[channel.bot_id]
            self.channels[channel.name] = channel

    async def _remember_zalo_names(self) -> None:
        """The bots' names as Zalo shows them, for the link instructions (contact add)."""
        named = [c for c in self.zalo if c.display_name]
        if not named:
            return
        async with UnitOfWork(self.sessions) as uow:
            for channel in named:
                await uow.zalo_bots.set_name(channel.bot_id, channel.display_name or "")
            await uow.commit()

    async def _remind(self) -> None:
        assert self.reminders is not None
        try:
            await self.reminders.tick()
        except Exception:
            log.exception("reminder pass failed")

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "channels": sorted(self.channels)})

    async def _outbox_loop(self) -> None:
        """Resend what is due again (retries after 429 or network errors, rows of a crash)."""
        passes = 0
        while not self._stopping.is_set():
            try:
                await self.sender.send_due()
            except Exception:
                log.exception("outbox pass failed")
            passes += 1
            if self.pages and passes % MEDIA_PRUNE_EVERY == 0:
                await self._prune_media()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), OUTBOX_INTERVAL_SECONDS)

    async def _prune_media(self) -> None:
        """Media files past their expiry (charts served to Zalo) leave the database."""
        try:
            async with UnitOfWork(self.sessions) as uow:
                await uow.media.prune(self.clock.now())
                await uow.commit()
        except Exception:
            log.exception("pruning media files failed")

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
    zalo_tokens: Sequence[str] = (),
    zalo_api_url: str | None = None,
    zalo_webhook_url: str | None = None,
    zalo_webhook_secret: str | None = None,
    zalo_part_pause: float | None = None,
    zalo_poll_timeout: int = 30,
    public_base_url: str | None = None,
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
        public_base_url=public_base_url,
    )
    routes = []
    pages = []
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
    zalo: list[ZaloChannel] = []
    for token in dict.fromkeys(t.strip() for t in zalo_tokens if t and t.strip()):
        bot_id = token.partition(":")[0]
        if any(c.bot_id == bot_id for c in zalo):
            continue  # the same bot twice (an old and a new token): the first one counts
        options = {} if zalo_part_pause is None else {"part_pause": zalo_part_pause}
        webhook = webhook_url_for(zalo_webhook_url, bot_id) if zalo_webhook_url else None
        channel = ZaloChannel(
            token,
            api_url=zalo_api_url,
            webhook_url=webhook,
            webhook_secret=zalo_webhook_secret,
            poll_timeout=zalo_poll_timeout,
            **options,  # type: ignore[arg-type]
        )
        zalo.append(channel)
        if webhook:
            routes.append((urlsplit(webhook).path, channel.webhook_handler()))
    if public_base_url:
        pages.append((MEDIA_PATH, media_handler(sessions, clock)))
    job = ReminderJob(sessions, sender, clock, calendar) if reminders else None
    return Service(
        sessions,
        channels,
        dispatcher,
        sender,
        routes,
        host,
        port,
        job,
        pages=pages,
        zalo=zalo,
        clock=clock,
    )


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
