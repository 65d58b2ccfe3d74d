"""The running service: channels in, the dispatcher, the outbox sender, the web server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import health, metrics
from bot.app import build_conversation
from bot.channels.base import Channel
from bot.channels.zalo import ZaloChannel, webhook_url_for
from bot.digests import DigestJob
from bot.dispatcher import Dispatcher
from bot.gc_settings import settle_after_start
from bot.media import MEDIA_PATH, media_handler
from bot.outbox import OutboxSender
from bot.reminders import ReminderJob
from bot.rounds import RoundJob
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock, SystemClock, local_today
from scheduler.hours import WorkingHours
from scheduler.policy import DEFAULT_POLICY
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

OUTBOX_INTERVAL_SECONDS = 5.0
REMINDER_INTERVAL_SECONDS = 60
MEDIA_PRUNE_EVERY = 720  # outbox passes: about an hour
# How long a stop may take: taking in no more messages, finishing those in hand, sending what
# is due. Below systemd's 90 s and the compose file's stop_grace_period, so nothing is killed.
DRAIN_SECONDS = 20.0
METRICS_TIMEOUT_SECONDS = 10.0
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
    # GET routes (the media files Zalo fetches photos from).
    pages: list[tuple[str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = field(
        default_factory=list
    )
    # Zalo bots: named from the database at start ("zalo", "zalo2", …), then channels.
    zalo: list[ZaloChannel] = field(default_factory=list)
    # More jobs woken with the reminders, in order (the digest, reporting rounds): each runs
    # on every scheduler tick and at every stop of a demo clock jump.
    jobs: list[Job] = field(default_factory=list)
    # Adds routes beyond the webhooks (the web chat's page, its streams, the demo clock).
    web_setup: list[Callable[[web.Application], None]] = field(default_factory=list)
    bound_port: int | None = None  # the port really listened on (port 0 picks a free one)
    clock: Clock = field(default_factory=SystemClock)
    web: bool = False  # serve /healthz and /metrics even with no other route
    drain_seconds: float = DRAIN_SECONDS
    _scheduler: AsyncIOScheduler | None = None
    _runner: web.AppRunner | None = None
    _loop_task: asyncio.Task[None] | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _jobs_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _started: set[str] = field(default_factory=set)
    _refused: dict[str, Channel] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.bound_port or self.port}"

    async def start(self) -> None:
        await self._name_zalo_bots()
        if self.routes or self.pages or self.web_setup or self.web:
            app = web.Application(client_max_size=1024 * 1024)
            for path, handler in self.routes:
                app.router.add_post(path, handler)
            for path, handler in self.pages:
                app.router.add_get(path, handler)
            app.router.add_get("/healthz", self._health)
            app.router.add_get("/metrics", self._metrics)
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
        for name, channel in list(self.channels.items()):
            try:
                await channel.start(self.dispatcher)
            except Exception:
                if getattr(channel, "status", None) != "unauthorized":
                    raise
                # A refused token stops this channel only: the others, the web server and the
                # outbox go on, and its messages wait in the outbox for a valid token.
                log.critical("channel %s: the platform refused the token; not serving it", name)
                self._refused[name] = self.channels.pop(name)
                continue
            self._started.add(name)
            log.info("channel %s started", channel.name)
        await self._remember_zalo_names()
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

    def channel_states(self) -> dict[str, str]:
        """Each channel's state: its own `status` where it has one, else started or not."""
        states = {
            name: getattr(channel, "status", "running" if name in self._started else "stopped")
            for name, channel in self.channels.items()
        }
        states.update({name: "unauthorized" for name in self._refused})
        return states

    async def _health(self, request: web.Request) -> web.Response:
        result = await health.check(
            self.sessions, self.channel_states(), stopping=self._stopping.is_set()
        )
        return web.json_response(result.to_json(), status=result.http_status)

    async def _metrics(self, request: web.Request) -> web.Response:
        try:
            counted = await asyncio.wait_for(
                metrics.database_families(self.sessions, self.clock), METRICS_TIMEOUT_SECONDS
            )
        except Exception as exc:  # the scrape still says the database is down
            log.warning("metrics: the database did not answer (%s)", type(exc).__name__)
            counted, up = [], False
        else:
            up = True
        families = metrics.instance_families(up, self.channel_states()) + counted
        return web.Response(
            body=metrics.render(families).encode(),
            headers={"Content-Type": metrics.CONTENT_TYPE},
        )

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
        """Stop taking messages, finish those in hand, send what is due; then close.

        Bounded by `drain_seconds`: what is still being sent then is put back in the outbox
        for the next start or another instance (a send cut off after the platform took it is
        the one case sent twice).
        """
        self._stopping.set()  # /healthz answers 503 from here on
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.drain_seconds

        def left() -> float:
            return max(0.0, deadline - loop.time())

        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        for channel in self.channels.values():
            pause = getattr(channel, "stop_receiving", None)
            if pause is not None:
                await _bounded(pause(), left(), f"channel {channel.name}: updates in hand")
        # A pass already running finishes (cancelling it would leave a day half planned).
        await _bounded(self._jobs_done(), left(), "scheduled jobs")
        drained = True
        if self._loop_task is not None:
            drained = await _bounded(self._loop_task, left(), "outbox pass")
        if drained and left() > 0:
            drained = await _bounded(self.sender.send_due(), left(), "outbox drain")
        if not drained:
            released = await self.sender.release_claims()
            log.warning("stop: %d outbox rows put back unsent for the next start", released)
        for channel in [*self.channels.values(), *self._refused.values()]:
            await channel.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _jobs_done(self) -> None:
        async with self._jobs_lock:
            pass


async def _bounded(work: Awaitable[object], timeout: float, what: str) -> bool:
    """Wait for `work` at most `timeout` seconds; False (and cancelled) when it ran over."""
    task = work if isinstance(work, asyncio.Future) else asyncio.ensure_future(work)
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout)
    except TimeoutError:
        log.warning("stop: %s still running after the drain time; cancelled", what)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        return False
    except Exception:
        log.exception("stop: %s failed", what)
    return True


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
    web_chat: bool = False,
    web_files: Path = WEB_FILES,
    demo: bool = False,
    web: bool = False,
    drain_seconds: float = DRAIN_SECONDS,
) -> Service:
    """The service with the channels configured; `demo` (with a DemoClock) adds the web chat's
    demo people and clock controls, which a real deployment never has."""
    channels: dict[str, Channel] = {}
    clock = clock or SystemClock()
    calendar = WorkingCalendar()
    # The holiday tables load on first use (about 0.1 s): now, not on the first message.
    calendar.is_working_day(local_today(clock))
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
    service = Service(
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
        web=web,
        drain_seconds=drain_seconds,
    )
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
    settle_after_start()
    try:
        if on_started is not None:
            await on_started()
        await stop.wait()
    finally:
        await service.stop()
