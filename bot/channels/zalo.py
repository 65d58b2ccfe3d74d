"""The Zalo channel: the Zalo Bot Platform (our own client) behind the channel interface.

In: long polling (getUpdates, one update per call) when no webhook URL is set, otherwise
webhook posts checked by their secret header. Out: text split at 2000 characters with a short
pause between parts, buttons written as numbered options (Zalo has none; the outbox keeps
them and the dispatcher maps a bare number back), photos by URL.

Several bots can run side by side (the free plan allows 50 users per bot); each is its own
channel, named by the service ("zalo", "zalo2", …, kept in the zalo_bots table) and reached
at its own webhook path (the configured URL plus "/<bot id>").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.channels.base import (
    Attachment,
    Capabilities,
    ChannelError,
    ChatRef,
    IncomingMessage,
    MessageSink,
    OutgoingMessage,
    PermanentFailure,
    Receipt,
    RetryLater,
)
from bot.channels.choices import options_text
from bot.channels.text import split_text, utf16_len
from bot.channels.webhook import header_secret_matches, webhook_payload
from bot.channels.zalo_client import MAX_TEXT, ZaloBotClient, ZaloUnauthorized
from bot.redact import install_redaction, redact
from texts import t

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{8,256}")  # setWebhook takes 8–256 characters
MAX_WEBHOOK_BODY = 256 * 1024  # one event is a few hundred bytes
PART_PAUSE_SECONDS = 0.5  # between the parts of a long message, as other Zalo bots do
STOP_GRACE_SECONDS = 10.0
DEDUPE_WINDOW_SECONDS = 600.0
DEDUPE_MAX = 10_000
# While the token is refused, messages wait this long between looks (they go out once the
# token is replaced and the service restarted).
HALTED_WAIT_SECONDS = 300.0
POLL_ERROR_BASE, POLL_ERROR_CAP = 2.0, 60.0
MAX_FILE_ID = 300  # evidence.file_id
COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_.]+)?(?:\s+(.*))?$", re.DOTALL)
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
STICKER_EVENT = "message.sticker.received"
UNSUPPORTED_EVENT = "message.unsupported.received"

Pause = Callable[[float], Awaitable[None]]


def webhook_url_for(base_url: str, bot_id: str) -> str:
    """Each bot's own webhook URL: the configured one plus "/<bot id>"."""
    return f"{base_url.rstrip('/')}/{bot_id}"


def render_parts(text: str, buttons: Any = (), limit: int = MAX_TEXT) -> list[str]:
    """The messages a text becomes: parts of at most `limit` characters cut at paragraph,
    line or word boundaries, the numbered options (if any) under the last one."""
    parts = split_text(text, limit)
    options = options_text(buttons)
    if options:
        if parts and utf16_len(parts[-1]) + 2 + utf16_len(options) <= limit:
            parts[-1] = f"{parts[-1]}\n\n{options}"
        else:
            parts.extend(split_text(options, limit))
    return parts


def _unwrap(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The event, whether it came bare ({event_name, message}) or wrapped ({ok, result})."""
    if "event_name" not in payload and isinstance(payload.get("result"), Mapping):
        return payload["result"]
    return payload


def _sent_at(value: Any) -> datetime | None:
    """Zalo dates are milliseconds; plain seconds are taken as well."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number > 10**11:  # milliseconds (seconds would be after the year 5000)
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


class ZaloChannel:
    """One Zalo bot: polling or webhook in, the Bot API out."""

    capabilities = Capabilities(buttons=False, edit=False, files=False, max_text=MAX_TEXT)

    def __init__(
        self,
        token: str,
        *,
        name: str = "zalo",
        api_url: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        poll_timeout: int = 30,
        part_pause: float = PART_PAUSE_SECONDS,
        pause: Pause | None = None,
        client: ZaloBotClient | None = None,
    ) -> None:
        if webhook_url and not webhook_secret:
            # Without it anyone who finds the URL could post messages as any person.
            raise ValueError("Zalo webhook mode needs a webhook_secret")
        if webhook_secret is not None and not SECRET_RE.fullmatch(webhook_secret):
            raise ValueError("the Zalo webhook secret must be 8-256 characters of A-Z a-z 0-9 _ -")
        self.name = name
        self._client = client or ZaloBotClient(token, api_url=api_url)
        self.bot_id = self._client.bot_id
        self._bot_ids = {self.bot_id}  # getMe's id joins it: events from either are echoes
        self.display_name: str | None = None
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret or None
        self._poll_timeout = poll_timeout
        self._part_pause = part_pause
        self._pause: Pause = pause or asyncio.sleep
        self._secrets = [*self._client.secrets, *([webhook_secret] if webhook_secret else [])]
        install_redaction(self._secrets)

        self._sink: MessageSink | None = None
        self._accepting = False
        self._halted = False
        self._stopping = asyncio.Event()
        self._poll_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __repr__(self) -> str:
        return f"ZaloChannel(name={self.name!r}, bot_id={self.bot_id!r})"

    @property
    def webhook_url(self) -> str | None:
        return self._webhook_url

    @property
    def halted(self) -> bool:
        """True once Zalo refused the token: nothing is fetched or sent until a restart."""
        return self._halted

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self, sink: MessageSink) -> None:
        """Check the token (getMe), then poll, or get ready for webhook posts.

        A refused token (401) stops this channel with one log line and leaves the rest of the
        service running; Zalo being unreachable is logged and polling keeps trying.
        """
        install_redaction(self._secrets)  # logging may have been configured since __init__
        self._sink = sink
        self._stopping.clear()
        try:
            me = await self._client.get_me()
        except ZaloUnauthorized as exc:
            self._halt(exc)
            return
        except ChannelError as exc:
            log.warning("zalo %s: getMe failed, carrying on: %s", self.name, exc)
        else:
            if me.get("id"):
                self._bot_ids.add(str(me["id"]))
            self.display_name = me.get("display_name") or me.get("account_name") or None
        try:
            info = await self._client.get_webhook_info()
        except ZaloUnauthorized as exc:
            self._halt(exc)
            return
        except ChannelError as exc:
            log.warning("zalo %s: getWebhookInfo failed: %s", self.name, exc)
            info = None
        if self._webhook_url is None:
            if info and info.get("url"):
                log.warning(
                    "zalo %s: a webhook is set (%s); deleting it to poll instead",
                    self.name,
                    info["url"],
                )
                with contextlib.suppress(ChannelError):
                    await self._client.delete_webhook()
            self._accepting = True
            self._poll_task = asyncio.create_task(self._poll(), name=f"zalo-poll-{self.name}")
        else:
            if info is not None and info.get("url") != self._webhook_url:
                # Setting it is a deliberate command (nhacviec zalo set-webhook), not a start-up
                # side effect.
                log.warning(
                    "zalo %s: the webhook Zalo has is %r, not %r; run: nhacviec zalo set-webhook",
                    self.name,
                    info.get("url"),
                    self._webhook_url,
                )
            self._accepting = True

    async def stop(self) -> None:
        """Stop fetching, finish the messages in hand, close the HTTP session."""
        self._accepting = False
        self._stopping.set()
        if self._poll_task is not None:
            self._poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll_task
            self._poll_task = None
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=STOP_GRACE_SECONDS)
            for task in pending:
                log.warning("zalo %s: cancelling a message still being handled at stop", self.name)
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self._client.close()

    def _halt(self, exc: BaseException) -> None:
        """The token was refused: stop fetching and sending, say so once."""
        if self._halted:
            return
        self._halted = True
        self._accepting = False
        log.error(
            "zalo %s (bot %s): Zalo refused the bot token (401); the channel is stopped. "
            "Put the bot's current token in ZALO_BOT_TOKEN(S) and restart. (%s)",
            self.name,
            self.bot_id,
            redact(str(exc), self._secrets),
        )
        task = self._poll_task
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def set_webhook(self) -> dict[str, Any]:
        """Register this bot's webhook URL and the secret with Zalo: a deliberate step."""
        if not self._webhook_url or not self._webhook_secret:
            raise ValueError("no Zalo webhook URL and secret configured")
        return await self._client.set_webhook(self._webhook_url, self._webhook_secret)

    async def delete_webhook(self) -> dict[str, Any]:
        return await self._client.delete_webhook()

    async def describe(self) -> dict[str, Any]:
        """What Zalo says about this bot (getMe) and its webhook (getWebhookInfo)."""
        me = await self._client.get_me()
        self.display_name = me.get("display_name") or me.get("account_name") or None
        return {"me": me, "webhook": await self._client.get_webhook_info()}

    # --- receiving --------------------------------------------------------------------------

    def parse(self, payload: Mapping[str, Any]) -> list[IncomingMessage]:
        """One event (bare or wrapped) in, zero or one message out.

        Text becomes text (commands typed as on Telegram), an image a photo attachment with its
        caption, something the Bot Platform cannot pass on an `unsupported` message (the person
        is told plainly). Stickers (a reaction, as on Telegram), group chats, the bot's own
        echoes and unknown events give [].
        """
        event = _unwrap(payload)
        name = event.get("event_name")
        message = event.get("message")
        if not isinstance(name, str) or not isinstance(message, Mapping):
            return []
        sender = message.get("from") if isinstance(message.get("from"), Mapping) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), Mapping) else {}
        user_id = str(sender.get("id") or "")
        chat_id = str(chat.get("id") or user_id)
        message_id = str(message.get("message_id") or "")
        if not chat_id or not message_id:
            log.warning("zalo %s: an event without chat or message id (%s)", self.name, name)
            return []
        if sender.get("is_bot") is True or user_id in self._bot_ids:
            return []  # the bot's own message coming back
        chat_type = str(chat.get("chat_type") or "PRIVATE").upper()
        if chat_type != "PRIVATE":
            return []  # the bot works in one-to-one chats only
        text = ""
        attachments: tuple[Attachment, ...] = ()
        unsupported = None
        if name == TEXT_EVENT:
            text = str(message.get("text") or "")
            if not text.strip():
                return []
        elif name == IMAGE_EVENT:
            url = message.get("photo_url") or message.get("photo")
            text = str(message.get("caption") or "")
            if isinstance(url, str) and url:
                attachments = (
                    Attachment("photo", file_id=url if len(url) <= MAX_FILE_ID else None, url=url),
                )
            elif not text.strip():
                unsupported = "image"
        elif name == UNSUPPORTED_EVENT:
            unsupported = "unsupported"
        else:  # stickers, and events this version does not know
            return []
        command, args = self._command(text)
        return [
            IncomingMessage(
                ref=ChatRef(self.name, chat_id, user_id or chat_id),
                event_id=message_id,
                text=text,
                command=command,
                args=args,
                message_id=message_id,
                attachments=attachments,
                sent_at=_sent_at(message.get("date")),
                sender_name=str(sender.get("display_name") or "") or None,
                unsupported=unsupported,
                raw=dict(event),
            )
        ]

    @staticmethod
    def _command(text: str) -> tuple[str | None, str]:
        """Commands still work typed ("/start ABCD2345", "/nhiemvu"): Zalo has no menu."""
        match = COMMAND_RE.match(text.strip())
        if match is None:
            return None, ""
        return match.group(1).lower(), (match.group(2) or "").strip()

    def _first_time(self, message: IncomingMessage) -> bool:
        """False for a message seen in the last few minutes (a webhook retry, a repeated poll).

        The dispatcher drops duplicates for good (the stored event id is unique); this only
        spares the database the ones that come straight back."""
        now = time.monotonic()
        while self._seen and (
            len(self._seen) > DEDUPE_MAX
            or next(iter(self._seen.values())) < now - DEDUPE_WINDOW_SECONDS
        ):
            self._seen.popitem(last=False)
        if message.event_id in self._seen:
            return False
        self._seen[message.event_id] = now
        return True

    def _hand_over(self, payload: Mapping[str, Any]) -> int:
        """Parse one event and hand each new message to the sink in the background."""
        count = 0
        for message in self.parse(payload):
            if not self._first_time(message):
                log.info("zalo %s: duplicate message %s dropped", self.name, message.event_id)
                continue
            task = asyncio.create_task(self._deliver(message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            count += 1
        return count

    async def _deliver(self, message: IncomingMessage) -> None:
        if self._sink is None:
            raise RuntimeError("ZaloChannel.start(sink) has not been called")
        try:
            await self._sink(message)
        except Exception:
            log.exception("zalo %s: handling message %s failed", self.name, message.event_id)

    async def feed(self, payload: Mapping[str, Any]) -> None:
        """Process one event as the webhook would, and wait for it to be handled."""
        before = set(self._tasks)
        self._hand_over(payload)
        fresh = self._tasks - before
        if fresh:
            await asyncio.gather(*fresh)

    async def _poll(self) -> None:
        """getUpdates until stopped: one update per call, each handed over as it comes."""
        failures = 0
        last_problem = ""
        while not self._stopping.is_set():
            try:
                updates = await self._client.get_updates(self._poll_timeout)
            except ZaloUnauthorized as exc:
                self._halt(exc)
                return
            except RetryLater as exc:
                failures += 1
                problem, wait = str(exc), min(exc.retry_after, POLL_ERROR_CAP)
            except ChannelError as exc:  # a webhook set meanwhile, a bad request: keep trying
                failures += 1
                problem = str(exc)
                wait = min(POLL_ERROR_CAP, POLL_ERROR_BASE * 2 ** (failures - 1))
            except Exception as exc:
                failures += 1
                problem = f"{type(exc).__name__}: {redact(str(exc), self._secrets)}"
                wait = min(POLL_ERROR_CAP, POLL_ERROR_BASE * 2 ** (failures - 1))
            else:
                if failures:
                    log.info("zalo %s: polling works again", self.name)
                failures, last_problem = 0, ""
                for update in updates:
                    self._hand_over(update)
                continue
            if problem != last_problem:  # one line per kind of trouble, not one per try
                log.warning("zalo %s: polling failed, retrying: %s", self.name, problem)
                last_problem = problem
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), wait)

    # --- webhook ----------------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether the secret header matches (constant time); a missing or empty one never does."""
        return header_secret_matches(headers, SECRET_HEADER, self._webhook_secret)

    def webhook_handler(self) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """An aiohttp handler for Zalo's POSTs: check, answer 200 at once, handle later."""

        async def handle(request: web.Request) -> web.StreamResponse:
            payload = await webhook_payload(
                request,
                verified=self.verify(request.headers, b""),
                accepting=self._accepting,
                limit=MAX_WEBHOOK_BODY,
                kind="event",
            )
            if isinstance(payload, web.Response):
                return payload
            self._hand_over(payload)
            return web.Response(status=200)

        return handle

    # --- sending ----------------------------------------------------------------------------

    async def send(self, message: OutgoingMessage) -> Receipt:
        """Text in parts of at most 2000 characters (a pause between them), the buttons as
        numbered options under the last part, a photo by its URL (with the text as caption
        when it fits), a file as a link (Zalo bots cannot send files)."""
        if self._halted:
            raise RetryLater(
                f"zalo {self.name}: stopped, the token was refused", HALTED_WAIT_SECONDS
            )
        chat_id = message.ref.chat_id
        text = message.text.strip()
        attachment = message.attachment
        photo: str | None = None
        if attachment is not None:
            if attachment.kind == "photo":
                photo = self._public_url(attachment)
            else:
                link = t(
                    "zalo.file_link", name=attachment.name or "", url=self._public_url(attachment)
                )
                text = f"{text}\n\n{link}" if text else link
        parts = render_parts(text, message.buttons)
        if not parts and photo is None:
            raise PermanentFailure(f"zalo {self.name}: nothing to send (no text, no photo)")
        delivered: list[str] = []
        try:
            if photo is not None and len(parts) <= 1:
                result = await self._client.send_photo(chat_id, photo, parts[0] if parts else None)
                delivered.append(self._message_id(result))
                return Receipt(tuple(delivered))
            for index, part in enumerate(parts):
                if index:
                    await self._pause(self._part_pause)
                result = await self._client.send_message(chat_id, part)
                delivered.append(self._message_id(result))
            if photo is not None:
                await self._pause(self._part_pause)
                delivered.append(self._message_id(await self._client.send_photo(chat_id, photo)))
        except ZaloUnauthorized as exc:
            self._halt(exc)
            error: ChannelError = RetryLater(
                f"zalo {self.name}: stopped, the token was refused", HALTED_WAIT_SECONDS
            )
            error.delivered = tuple(delivered)
            raise error from None
        except ChannelError as exc:
            exc.delivered = tuple(delivered)
            raise
        return Receipt(tuple(delivered))

    def _public_url(self, attachment: Attachment) -> str:
        if attachment.url and attachment.url.startswith(("https://", "http://")):
            return attachment.url
        raise PermanentFailure(
            f"zalo {self.name}: Zalo fetches photos and files by URL; this one has none "
            "(is PUBLIC_BASE_URL set?)"
        )

    @staticmethod
    def _message_id(result: Mapping[str, Any]) -> str:
        # Each part's id is stored (unique per chat): a part without one still gets its own.
        found = result.get("message_id")
        return str(found) if found else f"zalo-unknown-{uuid.uuid4().hex}"

    async def typing(self, ref: ChatRef) -> None:
        """Show "typing…" (best effort)."""
        with contextlib.suppress(ChannelError):
            await self._client.send_chat_action(ref.chat_id, "typing")

    async def edit(self, ref: ChatRef, message_id: str, text: str) -> None:
        """Zalo bots cannot edit a sent message: nothing to do."""
        return None

    async def acknowledge(self, message: IncomingMessage, text: str | None = None) -> None:
        """No button presses to answer on Zalo."""
        return None
