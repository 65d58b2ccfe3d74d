"""The Telegram channel: python-telegram-bot for the Bot API, behind the channel interface."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import timedelta
from typing import Any

from aiohttp import web

# PTB 22 warns (PTBDeprecationWarning) whenever it builds a RetryAfter unless this opt-in into
# timedelta durations is set; under warnings-as-errors the warning would replace the 429.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from aiolimiter import AsyncLimiter
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, TypeHandler
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import (
    Attachment,
    Button,
    Capabilities,
    ChannelError,
    ChatRef,
    IncomingMessage,
    MessageSink,
    OutgoingMessage,
    PermanentFailure,
    Receipt,
    RetryLater,
    Unreachable,
)
from bot.channels.telegram_http import AiohttpRequest
from bot.channels.text import prefix_within as _prefix_within
from bot.channels.text import split_text as _split_text
from bot.channels.text import utf16_len
from bot.channels.webhook import header_secret_matches, webhook_payload
from bot.redact import install_redaction, redact

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_WEBHOOK_BODY = 1024 * 1024
MAX_KEPT_UPDATES = 1000  # raw polled updates waiting for their handler (PTB fetches ≤ 100)
STOP_GRACE_SECONDS = 10.0
# After each answer to getUpdates, wait this long before asking again. Asked at once, a busy
# bot fetches its updates one by one, and each fetch, and each message handled alone (stored,
# answered and marked sent in transactions of its own), costs as much as several handled
# together: at 220 messages a second the service then falls behind. 20 ms gathers the few
# that arrive meanwhile into one answer; a person never notices it beside the network's own
# delay. (bench/inbound.py: PostgreSQL at 223 offered/s, p95 452 ms at 0 s, 43 ms at 0.02 s.)
POLL_INTERVAL = 0.02
# A refused token (revoked in BotFather) is the operator's to fix: messages wait, retried this
# often, instead of failing for good while the new token is on its way.
UNAUTHORIZED_RETRY_SECONDS = 300.0
# Only what parse() understands: fewer updates to fetch, and the same list for both modes.
ALLOWED_UPDATES = ("message", "callback_query")
# Telegram asks for about 30 messages a second overall and one a second per chat. Sends are
# paced evenly with 5% to spare so no sliding one-second window ever sees more.
OVERALL_PER_SECOND = 30
PER_CHAT_PER_SECOND = 1
GROUP_PER_MINUTE = 20
PACING_MARGIN = 1.05
# Errors that mean the chat itself is gone, whatever status Telegram gave them.
UNREACHABLE_MARKERS = (
    "chat not found",
    "user is deactivated",
    "bot was blocked",
    "bot was kicked",
    "bot can't initiate conversation",
    "peer_id_invalid",
)
SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts
COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?$", re.DOTALL)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most `limit` units, cut at paragraph, line or space boundaries."""
    return _split_text(text, limit)


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # Without PTB_TIMEDELTA the attribute is an int and reading it warns.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class _PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter (overall and per group) plus one limiter per private chat.

    PTB only limits groups per chat; Telegram's one-message-a-second guidance is per chat.
    """

    def __init__(self) -> None:
        super().__init__(
            overall_max_rate=1,
            overall_time_period=PACING_MARGIN / OVERALL_PER_SECOND,
            group_max_rate=GROUP_PER_MINUTE,
            group_time_period=60 * PACING_MARGIN,
            max_retries=0,  # a 429 surfaces as RetryAfter: the outbox decides when to retry
        )
        self._chat_limiters: dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: object) -> AsyncLimiter | None:
        try:
            chat = int(chat_id)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return None
        if chat <= 0:  # groups and channels: the parent's group limiter handles them
            return None
        if len(self._chat_limiters) > 1024:
            # Drop limiters that are fully drained; a chat idle that long starts afresh.
            for key, limiter in list(self._chat_limiters.items()):
                if key != chat and limiter.has_capacity(limiter.max_rate):
                    del self._chat_limiters[key]
        limiter = self._chat_limiters.get(chat)
        if limiter is None:
            limiter = AsyncLimiter(1, PACING_MARGIN / PER_CHAT_PER_SECOND)
            self._chat_limiters[chat] = limiter
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        limiter = self._chat_limiter(data.get("chat_id"))
        if limiter is None:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        async with limiter:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )


class TelegramChannel:
    """Telegram through python-telegram-bot: polling or webhook in, Bot API calls out."""

    name = "telegram"
    capabilities = Capabilities(buttons=True, edit=True, files=True, max_text=MAX_TEXT)

    def __init__(
        self,
        token: str,
        *,
        api_url: str | None = None,
        file_url: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        poll_timeout: float = 30,
        poll_interval: float = POLL_INTERVAL,
        rate_limit: bool = True,
    ) -> None:
        if not token:
            raise ValueError("a Telegram bot token is required")
        if webhook_url and not webhook_secret:
            # Without it anyone who finds the URL could post updates; verify() refuses all.
            raise ValueError("webhook mode needs a webhook_secret")
        if webhook_secret is not None and not SECRET_TOKEN_RE.fullmatch(webhook_secret):
            raise ValueError("webhook_secret must be 1-256 characters of A-Z a-z 0-9 _ -")
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret or None
        self._poll_timeout = poll_timeout
        self._poll_interval = poll_interval
        # The token's secret half alone is redacted too, in case something logs it split.
        self._secrets = [s for s in (token, token.partition(":")[2], webhook_secret) if s]
        install_redaction(self._secrets)

        builder = (
            ApplicationBuilder()
            .token(token)
            .job_queue(None)  # APScheduler is installed, so PTB would start a JobQueue
            .concurrent_updates(True)  # the dispatcher keeps each chat's order itself
            .request(AiohttpRequest(secrets=self._secrets))
            # Long polling holds one connection of its own, as PTB's default does.
            .get_updates_request(
                AiohttpRequest(
                    connection_pool_size=1, secrets=self._secrets, on_answer=self._keep_updates
                )
            )
        )
        if api_url:
            builder = builder.base_url(api_url)
        if file_url:
            builder = builder.base_file_url(file_url)
        if rate_limit:
            builder = builder.rate_limiter(_PacedRateLimiter())
        if webhook_url:
            builder = builder.updater(None)
        self._app: Application = builder.build()  # type: ignore[type-arg]
        self._app.add_handler(TypeHandler(Update, self._bridge))
        self._app.add_error_handler(self._on_handler_error)

        self._sink: MessageSink | None = None
        # Polled updates as Telegram sent them, by update_id, until handled: stored verbatim.
        self._raw_updates: dict[int, dict[str, Any]] = {}
        self._accepting = False
        self._unauthorized = False
        self._tasks: set[asyncio.Task[None]] = set()

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self, sink: MessageSink) -> None:
        """Check the token (getMe), then poll, or get ready for webhook posts."""
        install_redaction(self._secrets)  # logging may have been configured since __init__
        self._sink = sink
        try:
            await self._app.initialize()
        except TelegramError as exc:
            # A failed initialize leaves the HTTP clients open and shutdown() would skip them.
            await self._app.bot.shutdown()
            raise self._error(exc, "start") from exc
        await self._app.start()
        bot = self._app.bot
        try:
            info = await bot.get_webhook_info()
            if self._webhook_url is None:
                if info.url:
                    logger.warning(
                        "telegram: a webhook is set (%s); deleting it to poll instead", info.url
                    )
                    await bot.delete_webhook()
                assert self._app.updater is not None
                await self._app.updater.start_polling(
                    timeout=timedelta(seconds=self._poll_timeout),
                    poll_interval=self._poll_interval,
                    allowed_updates=list(ALLOWED_UPDATES),
                    error_callback=self._on_polling_error,
                )
            elif info.url != self._webhook_url:
                # Setting it is an explicit command (set_webhook), not a side effect of start.
                logger.warning(
                    "telegram: the webhook Telegram has is %r, not the configured %r; "
                    "run the set-webhook command (nhacviec telegram set-webhook)",
                    info.url,
                    self._webhook_url,
                )
        except TelegramError as exc:
            await self._shutdown_app()
            raise self._error(exc, "start") from exc
        self._accepting = True
        self._unauthorized = False

    @property
    def status(self) -> str:
        """running, stopped, or unauthorized once Telegram refused the token."""
        if self._unauthorized:
            return "unauthorized"
        return "running" if self._accepting else "stopped"

    async def stop_receiving(self) -> None:
        """Stop fetching and refuse webhook posts, finish the updates in hand; sending still
        works, so the service can drain its outbox before `stop()`."""
        self._accepting = False
        updater = self._app.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self._app.running:
            await self._app.stop()  # waits for the updates being handled
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=STOP_GRACE_SECONDS)
            for task in pending:
                logger.warning("telegram: cancelling webhook update still running at stop")
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def stop(self) -> None:
        """Stop fetching, finish the updates in hand, then close the HTTP clients."""
        await self._shutdown_app()

    async def _shutdown_app(self) -> None:
        await self.stop_receiving()
        await self._app.shutdown()
        await self._app.bot.shutdown()  # set_webhook() alone initializes only the bot

    async def set_webhook(self, *, drop_pending_updates: bool = False) -> None:
        """Register webhook_url (and the secret) with Telegram: an explicit, deliberate step."""
        if not self._webhook_url:
            raise ValueError("no webhook_url configured")
        bot = self._app.bot
        try:
            await bot.initialize()
            await bot.set_webhook(
                url=self._webhook_url,
                secret_token=self._webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=drop_pending_updates,
            )
        except TelegramError as exc:
            raise self._error(exc, "set_webhook") from exc

    # --- receiving --------------------------------------------------------------------------

    def parse(self, payload: Mapping[str, Any]) -> list[IncomingMessage]:
        """One Update as JSON in, zero or one message out (edits and other kinds give [])."""
        try:
            update = Update.de_json(dict(payload), self._app.bot)
        except (KeyError, TypeError, ValueError):
            logger.warning("telegram: cannot read update %r", payload.get("update_id"))
            return []
        if update is None:
            return []
        return self._convert(update, payload)

    def _convert(self, update: Update, raw: Mapping[str, Any]) -> list[IncomingMessage]:
        event_id = str(update.update_id)
        query = update.callback_query
        if query is not None:
            # Inline-mode and game presses carry no chat message or no data: not ours.
            if query.message is None or query.data is None:
                return []
            return [
                IncomingMessage(
                    ref=ChatRef(self.name, str(query.message.chat.id), str(query.from_user.id)),
                    event_id=event_id,
                    callback_data=query.data,
                    callback_id=query.id,
                    reply_to=str(query.message.message_id),
                    sender_name=query.from_user.full_name,
                    # sent_at stays None: a press carries no date of its own.
                    raw=raw,
                )
            ]
        message = update.message
        if message is None:  # edited messages, channel posts, member updates, …
            return []
        attachments = self._attachments(message)
        text = message.text or message.caption or ""
        if not text and not attachments:  # stickers, service messages
            return []
        command, args = self._command(message.text or "")
        user = message.from_user
        return [
            IncomingMessage(
                ref=ChatRef(self.name, str(message.chat.id), str(user.id) if user else None),
                event_id=event_id,
                text=text,
                command=command,
                args=args,
                reply_to=(
                    str(message.reply_to_message.message_id) if message.reply_to_message else None
                ),
                message_id=str(message.message_id),
                attachments=attachments,
                sent_at=message.date,  # PTB gives an aware UTC datetime
                sender_name=user.full_name if user else None,
                raw=raw,
            )
        ]

    def _command(self, text: str) -> tuple[str | None, str]:
        match = COMMAND_RE.match(text)
        if match is None:
            return None, ""
        name, target, rest = match.groups()
        username = self._bot_username()
        if target and username and target.lower() != username.lower():
            return None, ""  # "/start@other_bot" in a group is for another bot
        return name.lower(), (rest or "").strip()

    def _bot_username(self) -> str | None:
        try:
            return self._app.bot.username
        except RuntimeError:  # not initialized yet: getMe has not run
            return None

    @staticmethod
    def _attachments(message: Message) -> tuple[Attachment, ...]:
        if message.document is not None:
            doc = message.document
            return (
                Attachment("document", doc.file_id, doc.file_name, doc.file_size, doc.mime_type),
            )
        if message.photo:
            largest = message.photo[-1]  # Telegram lists sizes smallest first
            # Telegram re-encodes every photo as JPEG and gives it no name.
            return (Attachment("photo", largest.file_id, None, largest.file_size, "image/jpeg"),)
        for media in (message.video, message.audio, message.voice):
            if media is not None:
                name = getattr(media, "file_name", None)
                return (
                    Attachment("document", media.file_id, name, media.file_size, media.mime_type),
                )
        return ()

    def _keep_updates(self, answer: dict[str, Any]) -> None:
        """getUpdates' answer, before PTB reads it: each update kept as it came (PTB copies
        what it reads, so these stay as they are)."""
        updates = answer.get("result")
        if not isinstance(updates, list):
            return
        for update in updates:
            if isinstance(update, dict) and isinstance(update.get("update_id"), int):
                self._raw_updates[update["update_id"]] = update
        while len(self._raw_updates) > MAX_KEPT_UPDATES:  # never handled: forget the oldest
            del self._raw_updates[next(iter(self._raw_updates))]

    async def _bridge(self, update: object, context: object) -> None:
        """The one PTB handler: every polled update goes through parse's conversion to sink."""
        assert isinstance(update, Update)
        raw = self._raw_updates.pop(update.update_id, None)
        await self._deliver(self._convert(update, raw if raw is not None else update.to_dict()))

    async def _deliver(self, messages: list[IncomingMessage]) -> None:
        if self._sink is None:
            raise RuntimeError("TelegramChannel.start(sink) has not been called")
        for message in messages:
            await self._sink(message)

    async def _on_handler_error(self, update: object, context: Any) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("telegram: handling update %s failed", update_id, exc_info=context.error)

    def _on_polling_error(self, exc: TelegramError) -> None:
        logger.warning("telegram: polling failed, retrying: %s", redact(str(exc), self._secrets))

    async def feed(self, payload: Mapping[str, Any]) -> None:
        """Process one webhook body: parse it and hand each message to the sink."""
        await self._deliver(self.parse(payload))

    # --- webhook ----------------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether the secret header matches webhook_secret (constant time); the body is unused."""
        return header_secret_matches(headers, SECRET_HEADER, self._webhook_secret)

    def webhook_handler(self) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """An aiohttp handler for Telegram's POSTs: check, answer 200 at once, work later."""

        async def handle(request: web.Request) -> web.StreamResponse:
            payload = await webhook_payload(
                request,
                verified=self.verify(request.headers, b""),
                accepting=self._accepting,
                limit=MAX_WEBHOOK_BODY,
                kind="update",
            )
            if isinstance(payload, web.Response):
                return payload
            task = asyncio.create_task(self._feed_logged(payload))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return web.Response(status=200)

        return handle

    async def _feed_logged(self, payload: dict[str, Any]) -> None:
        try:
            await self.feed(payload)
        except Exception:
            logger.exception("telegram: webhook update %s failed", payload.get("update_id"))

    # --- sending ----------------------------------------------------------------------------

    async def send(self, message: OutgoingMessage) -> Receipt:
        """Send text (split when long), buttons on the last part, reply on the first."""
        chat_id = self._chat_id(message.ref)
        markup = self._markup(message.buttons)
        reply = self._reply_parameters(message.reply_to)
        attachment = message.attachment
        delivered: list[str] = []
        try:
            if attachment is not None and utf16_len(message.text.strip()) <= MAX_CAPTION:
                sent = await self._send_attachment(
                    chat_id, attachment, message.text.strip() or None, markup, reply
                )
                delivered.append(str(sent.message_id))
                return Receipt(tuple(delivered))
            parts = split_text(message.text)
            if not parts and attachment is None:
                raise PermanentFailure("telegram: nothing to send (empty text, no attachment)")
            for index, part in enumerate(parts):
                last = index == len(parts) - 1 and attachment is None
                delivered.append(
                    await self._send_text(
                        chat_id,
                        part,
                        markup if last else None,
                        reply if index == 0 else None,
                    )
                )
            if attachment is not None:
                sent = await self._send_attachment(chat_id, attachment, None, markup, None)
                delivered.append(str(sent.message_id))
        except TelegramError as exc:
            error = self._error(exc, "send", chat_id)
            error.delivered = tuple(delivered)
            raise error from exc
        return Receipt(tuple(delivered))

    async def _send_text(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None,
        reply: ReplyParameters | None,
    ) -> str:
        """sendMessage through python-telegram-bot (its defaults, rate limiter and errors
        alike); the id of the message sent.

        `Bot.send_message` would also build a `Message` of the answer, a few hundred attribute
        sets, for the one id kept: a tenth of the work of answering a report
        (bench/inbound.py). `_post` is the step every Bot method ends in, below the building;
        the tests send through it to the fake Bot API, so a change in it shows there.
        """
        data = {"chat_id": chat_id, "text": text}
        data |= {"reply_markup": markup, "reply_parameters": reply}
        answer = await self._app.bot._post("sendMessage", data)
        return str(answer["message_id"])

    async def _send_attachment(
        self,
        chat_id: int,
        attachment: Attachment,
        caption: str | None,
        markup: InlineKeyboardMarkup | None,
        reply: ReplyParameters | None,
    ) -> Message:
        file: InputFile | str
        if attachment.content is not None:
            default_name = "photo.jpg" if attachment.kind == "photo" else "document.bin"
            file = InputFile(attachment.content, filename=attachment.name or default_name)
            if attachment.mime_type:
                file.mimetype = attachment.mime_type
        elif attachment.file_id or attachment.url:
            file = attachment.file_id or attachment.url  # type: ignore[assignment]
        else:
            raise PermanentFailure("telegram: attachment without content, file_id or url")
        bot = self._app.bot
        if attachment.kind == "photo":
            return await bot.send_photo(
                chat_id, file, caption=caption, reply_markup=markup, reply_parameters=reply
            )
        return await bot.send_document(
            chat_id, file, caption=caption, reply_markup=markup, reply_parameters=reply
        )

    async def edit(self, ref: ChatRef, message_id: str, text: str) -> None:
        """Replace the message's text; leaving out reply_markup removes its buttons."""
        chat_id = self._chat_id(ref)
        try:
            target = int(message_id)
        except ValueError:
            raise PermanentFailure(f"telegram: message id {message_id!r} is not a number") from None
        body = text.strip()
        if not body:
            raise PermanentFailure("telegram: cannot edit a message to empty text")
        if utf16_len(body) > MAX_TEXT:
            # An edit cannot add messages: the end is cut off, visibly.
            body = body[: _prefix_within(body, MAX_TEXT - 2)].rstrip() + " …"
        try:
            await self._app.bot.edit_message_text(body, chat_id=chat_id, message_id=target)
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():
                return
            raise self._error(exc, "edit", chat_id) from exc
        except TelegramError as exc:
            raise self._error(exc, "edit", chat_id) from exc

    async def acknowledge(self, message: IncomingMessage, text: str | None = None) -> None:
        """Answer a button press. Best effort: the spinner is cosmetic and must not undo work."""
        if not message.callback_id:
            return
        try:
            await self._app.bot.answer_callback_query(
                message.callback_id, text=text[:MAX_CALLBACK_ANSWER] if text else None
            )
        except TelegramError as exc:
            logger.warning(
                "telegram: answering button press %s (event %s) failed: %s",
                message.callback_id,
                message.event_id,
                redact(str(exc), self._secrets),
            )

    async def download(self, file_id: str) -> bytes:
        """A received file's bytes (getFile, then the file server), e.g. for evidence."""
        try:
            file = await self._app.bot.get_file(file_id)
            return bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            raise self._error(exc, "download") from exc

    # --- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _chat_id(ref: ChatRef) -> int:
        try:
            return int(ref.chat_id)
        except ValueError:
            raise PermanentFailure(f"telegram: chat id {ref.chat_id!r} is not a number") from None

    @staticmethod
    def _markup(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
        keyboard = [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in rows
            if row
        ]
        return InlineKeyboardMarkup(keyboard) if keyboard else None

    @staticmethod
    def _reply_parameters(reply_to: str | None) -> ReplyParameters | None:
        if reply_to is None:
            return None
        try:
            message_id = int(reply_to)
        except ValueError:
            raise PermanentFailure(f"telegram: reply_to {reply_to!r} is not a number") from None
        # A reply to a message deleted meanwhile should still arrive, just unthreaded.
        return ReplyParameters(message_id, allow_sending_without_reply=True)

    def _error(self, exc: TelegramError, action: str, chat_id: int | None = None) -> ChannelError:
        """The channel error for a PTB error, with every secret removed from its message."""
        # PTB writes the token into some messages ("The token `…` was rejected"), and the
        # original stays chained as __cause__, so it is cleaned in place as well.
        clean = redact(exc.message, self._secrets)
        if clean != exc.message:
            exc.message = clean
            exc.args = (clean,)
        where = f" (chat {chat_id})" if chat_id is not None else ""
        text = f"telegram {action}{where}: {clean}"
        lowered = exc.message.lower()
        if isinstance(exc, InvalidToken):
            self._unauthorized = True
            logger.error("telegram: the bot token was refused (%s); set a valid token", action)
            if action == "send":
                return RetryLater(text, UNAUTHORIZED_RETRY_SECONDS)
            return PermanentFailure(text)
        if isinstance(exc, RetryAfter):
            return RetryLater(text, _retry_seconds(exc))
        if isinstance(exc, Forbidden) or any(m in lowered for m in UNREACHABLE_MARKERS):
            return Unreachable(text)
        if isinstance(exc, BadRequest | ChatMigrated):
            return PermanentFailure(text)
        if isinstance(exc, NetworkError):  # timeouts, connection errors, 5xx
            return RetryLater(text, 1.0)
        return PermanentFailure(text)  # invalid token, conflict, anything unforeseen
