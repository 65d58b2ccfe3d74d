"""A strict fake Telegram Bot API server on 127.0.0.1 for python-telegram-bot over real HTTP."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import json
import math
import re
import secrets
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

T = TypeVar("T")

MAX_TEXT = 4096  # UTF-16 code units, counted after trimming, as Telegram counts
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes of UTF-8
MAX_CALLBACK_ANSWER = 200
MAX_BUTTONS = 100
MAX_UPLOAD_PHOTO = 10 * 1024 * 1024
MAX_UPLOAD_DOCUMENT = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

# Methods that count against the flood limits when enforce_rate() is on.
RATE_LIMITED = {
    "sendmessage",
    "senddocument",
    "sendphoto",
    "editmessagetext",
    "editmessagereplymarkup",
}
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]+(?:@\w+)?")
BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF")

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
OTHER_POLLER = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class ApiError(Exception):
    """An error answer of the API: HTTP status, description, optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def response(self) -> web.Response:
        if self.status == HTTPStatus.BAD_GATEWAY:
            # The real 502 comes from Telegram's nginx as an HTML page, not JSON.
            return web.Response(status=502, text=BAD_GATEWAY_HTML, content_type="text/html")
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.status)


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class _Failure:
    """An injected error waiting for its call."""

    method: str  # lower case, or "*"
    error: ApiError
    times: int
    after: int


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes = field(repr=False)
    content_type: str | None

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class StoredFile:
    """A file the fake knows: uploaded by the bot, sent by a user, or sent by URL."""

    file_id: str
    file_unique_id: str
    kind: str  # "document" | "photo"
    content: bytes = field(repr=False)
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.file_name is not None:
            doc["file_name"] = self.file_name
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        return doc

    def photo_sizes(self) -> list[dict[str, Any]]:
        # Telegram lists several sizes, smallest first; a client should take the last one.
        # The fake does not decode images, so the dimensions are nominal.
        return [
            {
                "file_id": f"{self.file_id}-thumb",
                "file_unique_id": f"{self.file_unique_id}-t",
                "file_size": min(len(self.content), 1024),
                "width": 90,
                "height": 68,
            },
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": len(self.content),
                "width": 1280,
                "height": 960,
            },
        ]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegramAPI:
    """A strict stand-in for https://api.telegram.org serving one bot token.

    Start it (`async with FakeTelegramAPI(token) as fake:`), point python-telegram-bot at
    `fake.base_url` / `fake.base_file_url`, then drive it from the test:

    - `user_sends(...)`, `user_presses(...)`, `user_edits(...)`, `queue_update(...)` queue
      updates that getUpdates returns (long polling) or that are POSTed to the webhook;
    - `sent(chat_id)` lists what the bot sent; `await wait_sent(chat_id, count)` waits for new
      messages (see its docstring); `await wait_for(predicate)` waits for anything else;
    - `block()`, `deactivate()`, `fail_next()`, `enforce_rate()` make it refuse like Telegram.

    Every waiting primitive wakes on a state change (no polling loops, no sleeps).
    """

    def __init__(
        self,
        token: str,
        bot_username: str = "nhacviec_test_bot",
        *,
        bot_first_name: str = "Nhắc việc (thử nghiệm)",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(prefix) if prefix.isdigit() else 7_000_000_001,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._delivery_task: asyncio.Task[None] | None = None
        self._closing = False

        # Everything a test may read.
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.answered_callbacks: list[dict[str, Any]] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.webhook_deliveries: list[dict[str, Any]] = []
        self.throttled: list[dict[str, Any]] = []  # 429s answered by enforce_rate()

        # State of the "Telegram server".
        self._changed = asyncio.Event()
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._chat_instances: dict[int, str] = {}
        self._blocked: set[int] = set()
        self._deactivated: set[int] = set()
        self._last_message_id: dict[int, int] = {}
        self._user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._bot_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._sent: list[dict[str, Any]] = []
        self._cursor: dict[int, int] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = 0
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 100_000
        self._poll_generation = 0
        self._open_callbacks: dict[str, dict[str, Any]] = {}
        self._webhook: dict[str, Any] = {"url": "", "secret_token": None}
        self._webhook_last_error: tuple[int, str] | None = None
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._failures: list[_Failure] = []
        self._rate_total: float | None = None
        self._rate_chat: float | None = None
        self._rate_window = 1.0
        self._sends_total: deque[float] = deque()
        self._sends_chat: dict[int, deque[float]] = {}

        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            name.lower(): fn
            for name, fn in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "sendDocument": self._send_document,
                "sendPhoto": self._send_photo,
                "getFile": self._get_file,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getChat": self._get_chat,
            }.items()
        }

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> FakeTelegramAPI:
        app = web.Application(client_max_size=MAX_UPLOAD_DOCUMENT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # access_log=None: the access log would print every URL, and the token is in each.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._delivery_task = asyncio.create_task(
            self._deliver_webhooks(), name="fake-telegram-webhook-delivery"
        )
        return self

    async def stop(self) -> None:
        self._closing = True
        self._notify()  # long polls return at once instead of holding the shutdown
        if self._delivery_task is not None:
            self._delivery_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery_task
            self._delivery_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """What ApplicationBuilder().base_url() takes: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # --- test-side API: what people do ------------------------------------------------------

    def user_sends(
        self,
        user_id: int,
        text: str = "",
        *,
        first_name: str = "Nguyễn Văn A",
        last_name: str | None = None,
        reply_to: int | None = None,
        document: tuple[str, bytes, str] | None = None,
        photo: bytes | None = None,
        caption: str | None = None,
    ) -> int:
        """Queue a private-chat message from `user_id` (chat id == user id); its message_id.

        `document` is (file name, content, MIME type). Text and a file are exclusive, as in
        Telegram; a file takes `caption`. Writing to the bot also unblocks it, as pressing
        "Restart" does in the app.
        """
        if (document or photo is not None) and text:
            raise ValueError("a message has either text or a file with a caption")
        if not (text or document or photo is not None):
            raise ValueError("an empty message cannot be sent")
        if utf16_len(text) > MAX_TEXT:
            raise ValueError("Telegram clients never send more than 4096 characters at once")
        if reply_to is not None and not self._has_message(user_id, reply_to):
            raise ValueError(f"no message {reply_to} in chat {user_id} to reply to")
        user = self._users.setdefault(user_id, {"id": user_id, "is_bot": False})
        user.update(first_name=first_name, language_code="vi")
        if last_name:
            user["last_name"] = last_name
        chat = self._chats.setdefault(user_id, {"id": user_id, "type": "private"})
        chat["first_name"] = first_name
        if last_name:
            chat["last_name"] = last_name
        self._blocked.discard(user_id)

        message: dict[str, Any] = {
            "message_id": self._next_message_id(user_id),
            "from": dict(user),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        if text:
            message["text"] = text
            command = COMMAND_RE.match(text)
            if command:
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
                ]
        if document is not None:
            name, content, mime = document
            stored = self._store_file("document", content, name, mime)
            message["document"] = stored.document()
        if photo is not None:
            stored = self._store_file("photo", photo, None, "image/jpeg")
            message["photo"] = stored.photo_sizes()
        if caption:
            message["caption"] = caption
        if reply_to is not None:
            message["reply_to_message"] = self._nested_message(user_id, reply_to)
        self._user_messages[(user_id, message["message_id"])] = message
        self._queue({"message": message})
        return message["message_id"]

    def user_message(self, user_id: int, message_id: int) -> dict[str, Any]:
        """A message the user sent, as it went out in its update."""
        return self._user_messages[(user_id, message_id)]

    def user_edits(self, user_id: int, message_id: int, text: str) -> int:
        """Queue an edited_message update for a message the user sent; the update_id."""
        original = self._user_messages.get((user_id, message_id))
        if original is None:
            raise ValueError(f"user {user_id} sent no message {message_id}")
        original["text"] = text
        original["edit_date"] = int(time.time())
        return self._queue({"edited_message": dict(original)})

    def user_presses(self, user_id: int, message_id: int, data: str) -> str:
        """Queue a button press on the bot's message; the callback query id to acknowledge.

        Only a button that is on the message right now can be pressed.
        """
        record = self._bot_messages.get((user_id, message_id))
        if record is None:
            raise ValueError(f"the bot sent no message {message_id} to chat {user_id}")
        markup = record["reply_markup"] or {}
        offered = [
            button.get("callback_data")
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]
        if data not in offered:
            raise ValueError(f"message {message_id} offers no button {data!r} (it has {offered})")
        query_id = str(secrets.randbits(63))
        query = {
            "id": query_id,
            "from": dict(self._users[user_id]),
            "message": self._bot_message_payload(record),
            "chat_instance": self._chat_instances.setdefault(user_id, str(secrets.randbits(63))),
            "data": data,
        }
        self._open_callbacks[query_id] = query
        self._queue({"callback_query": query})
        return query_id

    def queue_update(self, update: dict[str, Any]) -> int:
        """Queue any update body (without update_id) as it is; the update_id it gets."""
        return self._queue(dict(update))

    def block(self, user_id: int) -> None:
        """The person blocks the bot: sends to them answer 403 until they write again."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def deactivate(self, user_id: int) -> None:
        """The person deleted their account: sends to them answer 403 "user is deactivated"."""
        self._deactivated.add(user_id)

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Answer `times` calls of `method` ("*" for any) with an error, before any other
        check, after letting `after` calls of it through (to fail the 2nd part of a split).
        429 carries `parameters.retry_after` (default 1 second); 502 answers an HTML page like
        Telegram's nginx; other statuses answer JSON with `description`.
        """
        if status == 429:
            seconds = 1 if retry_after is None else retry_after
            error = ApiError(429, f"Too Many Requests: retry after {seconds}", seconds)
        else:
            phrase = HTTPStatus(status).phrase
            error = ApiError(status, description or phrase, retry_after)
        self._failures.append(_Failure(method.lower(), error, times, after))

    def enforce_rate(
        self,
        per_second_total: float | None = 30,
        per_chat_per_second: float | None = 1,
        *,
        window: float = 1.0,
    ) -> None:
        """Answer 429 with retry_after when sends exceed these counts in any sliding `window`
        seconds (server's monotonic time), overall or to one chat; None switches a limit off.
        Off by default. Refusals are listed in `throttled`.
        """
        self._rate_total = per_second_total
        self._rate_chat = per_chat_per_second
        self._rate_window = window
        self._sends_total.clear()
        self._sends_chat.clear()

    # --- test-side API: what the bot did ----------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """The bot's messages in the order sent (all chats, or one).

        Each is a dict: method, chat_id, message_id, date, text (current, after edits) or None,
        caption, parse_mode, reply_markup (the dict as sent, None when removed), reply_to
        (message id or None), document / photo (file_id, file_name, mime_type, file_size,
        content) or None, url (a file sent by URL), edits (earlier texts, oldest first).
        """
        if chat_id is None:
            return list(self._sent)
        return [m for m in self._sent if m["chat_id"] == chat_id]

    async def wait_sent(
        self, chat_id: int, count: int = 1, timeout: float = 5.0, *, since: int | None = None
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent `chat_id` at least `count` messages after a start
        position, and return all messages after it (there may be more than `count`).

        The start position is `since` (an index into `sent(chat_id)`) when given, otherwise
        the chat's cursor: the end of what earlier wait_sent calls for this chat returned.
        Either way the cursor then moves past the returned messages, so consecutive calls
        return consecutive replies. Raises TimeoutError naming what did arrive.
        """
        start = self._cursor.get(chat_id, 0) if since is None else since

        def ready() -> list[dict[str, Any]] | None:
            fresh = self.sent(chat_id)[start:]
            return fresh if len(fresh) >= count else None

        try:
            fresh = await self.wait_for(ready, timeout)
        except TimeoutError:
            got = [m["text"] or m["caption"] for m in self.sent(chat_id)[start:]]
            raise TimeoutError(
                f"chat {chat_id}: expected {count} new message(s) within {timeout}s, got {got}"
            ) from None
        self._cursor[chat_id] = start + len(fresh)
        return fresh

    async def wait_for(self, predicate: Callable[[], T], timeout: float | None = 5.0) -> T:
        """Wait until `predicate()` is truthy (checked on every state change); its value."""

        async def until() -> T:
            while True:
                changed = self._changed
                value = predicate()
                if value:
                    return value
                await changed.wait()

        return await asyncio.wait_for(until(), timeout)

    @property
    def last_update_id(self) -> int:
        """The update_id of the most recently queued update."""
        return self._next_update_id - 1

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by getUpdates nor delivered to the webhook."""
        return list(self._updates)

    @property
    def webhook_url(self) -> str:
        return self._webhook["url"]

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id].content

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list:
        return list(self._commands.get((self._scope_key(scope), language_code), []))

    # --- HTTP -------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.match_info["token"], self.token):
            return ApiError(401, "Unauthorized").response()
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except ApiError as error:
            return error.response()
        self.requests.append((method, params))
        handler = self._methods.get(method.lower())
        if handler is None:
            return ApiError(404, "Not Found").response()
        try:
            self._take_injected_failure(method.lower())
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            return error.response()
        finally:
            self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        stored = self._files_by_path.get(request.match_info["path"])
        if not hmac.compare_digest(request.match_info["token"], self.token) or stored is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.content, content_type="application/octet-stream")

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        # Telegram takes parameters from the query string, JSON, urlencoded or multipart
        # bodies; PTB sends urlencoded (objects as JSON strings) or multipart with files.
        params: dict[str, Any] = dict(request.query)
        if request.method == "GET" or not request.body_exists:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            params.update(body)
            return params
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    params[name] = Upload(value.filename, value.file.read(), value.content_type)
                else:
                    params[name] = value
            return params
        raise bad_request(f"unsupported Content-Type {request.content_type}")

    def _take_injected_failure(self, method: str) -> None:
        for failure in self._failures:
            if failure.method not in (method, "*"):
                continue
            if failure.after > 0:
                failure.after -= 1
                continue
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            raise failure.error

    def _notify(self) -> None:
        # A broadcast every waiter sees: set the current event and start a new one.
        self._changed.set()
        self._changed = asyncio.Event()

    # --- parameter parsing ------------------------------------------------------------------

    @staticmethod
    def _int(params: dict[str, Any], name: str, default: int | None = None) -> int | None:
        value = params.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            try:
                return int(float(value))
            except (TypeError, ValueError):
                raise bad_request(f"invalid {name} specified") from None

    @staticmethod
    def _bool(params: dict[str, Any], name: str) -> bool:
        value = params.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    @staticmethod
    def _json(params: dict[str, Any], name: str) -> Any:
        value = params.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    @staticmethod
    def _text(value: Any, limit: int, empty: str, too_long: str) -> str:
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            raise bad_request(empty)
        if utf16_len(text) > limit:
            raise bad_request(too_long)
        return text

    @staticmethod
    def _parse_mode(params: dict[str, Any]) -> str | None:
        mode = params.get("parse_mode") or None
        if mode is not None and str(mode).lower() not in ("html", "markdown", "markdownv2"):
            raise bad_request(f"unsupported parse_mode {mode}")
        return mode

    # --- chats and messages -----------------------------------------------------------------

    def _chat_id(self, params: dict[str, Any]) -> int:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None  # "@username": no such chat here

    def _writable_chat(self, params: dict[str, Any]) -> int:
        """The chat id, if the bot may write there: the person wrote first and did not block."""
        chat_id = self._chat_id(params)
        if chat_id not in self._chats:
            raise bad_request("chat not found")
        if chat_id in self._deactivated:
            raise ApiError(403, "Forbidden: user is deactivated")
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _next_message_id(self, chat_id: int) -> int:
        # In a private chat both sides share one increasing sequence of message ids.
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _nested_message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A message as it appears inside reply_to_message (one level, no further nesting)."""
        if (chat_id, message_id) in self._user_messages:
            found = dict(self._user_messages[(chat_id, message_id)])
        elif (chat_id, message_id) in self._bot_messages:
            found = self._bot_message_payload(self._bot_messages[(chat_id, message_id)])
        else:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        found.pop("reply_to_message", None)
        return found

    def _has_message(self, chat_id: int, message_id: int) -> bool:
        key = (chat_id, message_id)
        return key in self._user_messages or key in self._bot_messages

    def _reply_target(self, chat_id: int, params: dict[str, Any]) -> int | None:
        reply = self._json(params, "reply_parameters")
        allow_missing = self._bool(params, "allow_sending_without_reply")
        if isinstance(reply, dict):
            target = self._int(reply, "message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            if reply.get("chat_id") not in (None, chat_id, str(chat_id)):
                raise bad_request("replies to other chats are not supported by the fake")
        elif reply is not None:
            raise bad_request("can't parse reply parameters JSON object")
        else:
            target = self._int(params, "reply_to_message_id")
        if target is None:
            return None
        if not self._has_message(chat_id, target):
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _reply_markup(self, params: dict[str, Any], inline_only: bool = False) -> dict | None:
        markup = self._json(params, "reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if inline_only:
                raise bad_request("inline keyboard expected")
            return markup
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" must be an Array of Arrays')
        buttons = [button for row in rows for button in row]
        if len(buttons) > MAX_BUTTONS:
            raise bad_request("reply markup is too long")
        for button in buttons:
            self._check_button(button)
        return markup

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise bad_request("can't parse inline keyboard button: InlineKeyboardButton expected")
        text = button.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("can't parse inline keyboard button: Text must be non-empty")
        actions = [key for key in button if key != "text"]
        if not actions:
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        if len(actions) > 1 or actions[0] not in ("callback_data", "url"):
            raise bad_request(
                f"can't parse inline keyboard button: the fake accepts exactly one of "
                f"callback_data or url, got {actions}"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
        else:
            url = button["url"]
            parts = urlsplit(url) if isinstance(url, str) else None
            if parts is None or parts.scheme not in ("http", "https", "tg") or not parts.netloc:
                raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong URL")

    def _check_rate(self, method: str, chat_id: int) -> None:
        if method not in RATE_LIMITED or (self._rate_total is None and self._rate_chat is None):
            return
        now = time.monotonic()
        horizon = now - self._rate_window
        per_chat = self._sends_chat.setdefault(chat_id, deque())
        for window in (self._sends_total, per_chat):
            while window and window[0] <= horizon:
                window.popleft()
        for window, limit in ((self._sends_total, self._rate_total), (per_chat, self._rate_chat)):
            if limit is not None and len(window) >= limit:
                # Seconds until the oldest send leaves the window; Telegram answers whole ones.
                wait = self._rate_window - (now - window[0])
                retry_after = max(1, math.ceil(wait))
                self.throttled.append(
                    {"method": method, "chat_id": chat_id, "retry_after": retry_after}
                )
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        self._sends_total.append(now)
        per_chat.append(now)

    def _record(self, method: str, chat_id: int, **fields: Any) -> dict[str, Any]:
        record: dict[str, Any] = {
            "method": method,
            "chat_id": chat_id,
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "edit_date": None,
            "text": None,
            "caption": None,
            "parse_mode": None,
            "reply_markup": None,
            "reply_to": None,
            "document": None,
            "photo": None,
            "url": None,
            "edits": [],
        }
        record.update(fields)
        self._bot_messages[(chat_id, record["message_id"])] = record
        self._sent.append(record)
        return record

    def _bot_message_payload(self, record: dict[str, Any]) -> dict[str, Any]:
        chat_id = record["chat_id"]
        message: dict[str, Any] = {
            "message_id": record["message_id"],
            "from": dict(self.bot_user),
            "chat": dict(self._chats[chat_id]),
            "date": record["date"],
        }
        if record["edit_date"] is not None:
            message["edit_date"] = record["edit_date"]
        if record["text"] is not None:
            message["text"] = record["text"]
        if record["caption"]:
            message["caption"] = record["caption"]
        if record["document"] is not None:
            message["document"] = self._files[record["document"]["file_id"]].document()
        if record["photo"] is not None:
            message["photo"] = self._files[record["photo"]["file_id"]].photo_sizes()
        markup = record["reply_markup"]
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        if record["reply_to"] is not None:
            message["reply_to_message"] = self._nested_message(chat_id, record["reply_to"])
        return message

    # --- files ------------------------------------------------------------------------------

    def _store_file(
        self,
        kind: str,
        content: bytes,
        name: str | None,
        mime: str | None,
        url: str | None = None,
    ) -> StoredFile:
        self._file_counter += 1
        n = self._file_counter
        suffix = (name.rsplit(".", 1)[-1] if name and "." in name else "bin").lower()
        path = f"photos/file_{n}.jpg" if kind == "photo" else f"documents/file_{n}.{suffix}"
        stored = StoredFile(
            file_id=f"{'AgAC' if kind == 'photo' else 'BQAC'}{n:05d}{secrets.token_hex(8)}",
            file_unique_id=f"AQAD{n:05d}",
            kind=kind,
            content=content,
            file_path=path,
            file_name=name,
            mime_type=mime,
            url=url,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[path] = stored
        return stored

    def _input_file(self, params: dict[str, Any], kind: str) -> StoredFile:
        value = params.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, Upload):
            if not value.content:
                raise bad_request("file must be non-empty")
            limit = MAX_UPLOAD_PHOTO if kind == "photo" else MAX_UPLOAD_DOCUMENT
            if value.size > limit:
                raise ApiError(413, "Request Entity Too Large")
            if kind == "photo" and not value.content.startswith(IMAGE_MAGIC):
                raise bad_request("IMAGE_PROCESS_FAILED")
            return self._store_file(kind, value.content, value.filename, value.content_type)
        if isinstance(value, str) and value:
            known = self._files.get(value)
            if known is not None:
                if known.kind != kind:
                    raise bad_request(f"can't use file of type {known.kind.title()} as {kind}")
                return known
            if urlsplit(value).scheme in ("http", "https"):
                # Telegram would fetch the URL; the fake keeps the URL and no content.
                name = urlsplit(value).path.rsplit("/", 1)[-1] or None
                return self._store_file(kind, b"", name, None, url=value)
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {kind} in the request")

    def _send_file(self, params: dict[str, Any], kind: str, method: str) -> dict[str, Any]:
        chat_id = self._writable_chat(params)
        self._check_rate(method.lower(), chat_id)
        caption = params.get("caption")
        caption = caption.strip() if isinstance(caption, str) else None
        if caption and utf16_len(caption) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        parse_mode = self._parse_mode(params)
        markup = self._reply_markup(params)
        reply_to = self._reply_target(chat_id, params)
        stored = self._input_file(params, kind)
        info = {
            "file_id": stored.file_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.content),
            "content": stored.content,
        }
        record = self._record(
            method,
            chat_id,
            caption=caption or None,
            parse_mode=parse_mode,
            reply_markup=markup,
            reply_to=reply_to,
            url=stored.url,
            **{kind: info},
        )
        return self._bot_message_payload(record)

    # --- methods ----------------------------------------------------------------------------

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self._webhook["url"]:
            raise ApiError(409, WEBHOOK_ACTIVE)
        offset = self._int(params, "offset", 0) or 0
        limit = min(max(self._int(params, "limit", 100) or 100, 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        # A newer getUpdates ends an older one still waiting, as on the real server.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            if generation != self._poll_generation:
                raise ApiError(409, OTHER_POLLER)
            if self._webhook["url"]:
                raise ApiError(409, WEBHOOK_ACTIVE)
            remaining = deadline - loop.time()
            if self._updates or self._closing or remaining <= 0:
                return [dict(u) for u in self._updates[:limit]]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        secret = params.get("secret_token") or None
        if url:
            parts = urlsplit(url)
            # Telegram demands HTTPS; plain HTTP is let through only to loopback, for tests.
            if not parts.hostname or not (
                parts.scheme == "https"
                or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
            ):
                raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not SECRET_TOKEN_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        if self._bool(params, "drop_pending_updates"):
            self._updates.clear()
        self._webhook = {"url": url, "secret_token": secret if url else None}
        self._webhook_last_error = None
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if self._bool(params, "drop_pending_updates"):
            self._updates.clear()
        self._webhook = {"url": "", "secret_token": None}
        self._webhook_last_error = None
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook["url"]:
            info["max_connections"] = 40
        if self._webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._writable_chat(params)
        self._check_rate("sendmessage", chat_id)
        text = self._text(
            params.get("text"), MAX_TEXT, "message text is empty", "message is too long"
        )
        record = self._record(
            "sendMessage",
            chat_id,
            text=text,
            parse_mode=self._parse_mode(params),
            reply_markup=self._reply_markup(params),
            reply_to=self._reply_target(chat_id, params),
        )
        return self._bot_message_payload(record)

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the fake")
        chat_id = self._chat_id(params)
        if chat_id not in self._chats:
            raise bad_request("chat not found")
        message_id = self._int(params, "message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        if (chat_id, message_id) in self._user_messages:
            raise bad_request("message can't be edited")
        record = self._bot_messages.get((chat_id, message_id))
        if record is None:
            raise bad_request("message to edit not found")
        return record

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._editable(params)
        self._check_rate("editmessagetext", record["chat_id"])
        if record["text"] is None:
            raise bad_request("there is no text in the message to edit")
        text = self._text(
            params.get("text"), MAX_TEXT, "message text is empty", "message is too long"
        )
        # Without reply_markup the inline keyboard goes away, as on Telegram.
        markup = self._reply_markup(params, inline_only=True)
        if text == record["text"] and markup == record["reply_markup"]:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        record["edits"].append(record["text"])
        record.update(
            text=text,
            reply_markup=markup,
            parse_mode=self._parse_mode(params),
            edit_date=int(time.time()),
        )
        return self._bot_message_payload(record)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._editable(params)
        self._check_rate("editmessagereplymarkup", record["chat_id"])
        markup = self._reply_markup(params, inline_only=True)
        if markup == record["reply_markup"]:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        record.update(reply_markup=markup, edit_date=int(time.time()))
        return self._bot_message_payload(record)

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = params.get("text")
        if isinstance(text, str) and utf16_len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        query = self._open_callbacks.pop(query_id)
        self.answered_callbacks.append(
            {
                "callback_query_id": query_id,
                "data": query.get("data"),
                "text": text or None,
                "show_alert": self._bool(params, "show_alert"),
                "url": params.get("url") or None,
                "cache_time": self._int(params, "cache_time", 0),
            }
        )
        return True

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_file(params, "document", "sendDocument")

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_file(params, "photo", "sendPhoto")

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            # A photo's thumbnail id points at the same content.
            file_id = str(params.get("file_id") or "")
            stored = self._files.get(file_id.removesuffix("-thumb"))
            if stored is None:
                raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat_id = self._writable_chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat_id, action))
        return True

    @staticmethod
    def _scope_key(scope: Any) -> str:
        return json.dumps(scope or {"type": "default"}, sort_keys=True)

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = self._json(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be an Array of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("BotCommand expected")
            if not BOT_COMMAND_NAME_RE.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            description = str(command.get("description", "")).strip()
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (self._scope_key(self._json(params, "scope")), params.get("language_code") or "")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        key = (self._scope_key(self._json(params, "scope")), params.get("language_code") or "")
        return self._commands.get(key, [])

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        key = (self._scope_key(self._json(params, "scope")), params.get("language_code") or "")
        self._commands.pop(key, None)
        return True

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        if chat_id not in self._chats:
            raise bad_request("chat not found")
        return {
            **self._chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    # --- updates ----------------------------------------------------------------------------

    def _queue(self, body: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, **body})
        self._notify()
        return update_id

    async def _deliver_webhooks(self) -> None:
        """While a webhook is set, POST each pending update to it in order, one at a time.

        A failed delivery is recorded (status, error; getWebhookInfo's last_error_*) and the
        update is dropped: unlike Telegram, the fake does not retry.
        """
        while True:
            changed = self._changed
            url = self._webhook["url"]
            if not (url and self._updates and self._session is not None):
                await changed.wait()
                continue
            update = self._updates[0]
            headers = {}
            if self._webhook["secret_token"]:
                headers["X-Telegram-Bot-Api-Secret-Token"] = self._webhook["secret_token"]
            status: int | None = None
            error: str | None = None
            try:
                async with self._session.post(url, json=update, headers=headers) as response:
                    status = response.status
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            if status is None or not 200 <= status < 300:
                message = error or f"Wrong response from the webhook: {status}"
                self._webhook_last_error = (int(time.time()), message)
            self.webhook_deliveries.append(
                {"update_id": update["update_id"], "url": url, "status": status, "error": error}
            )
            with contextlib.suppress(ValueError):  # deleteWebhook may have dropped it meanwhile
                self._updates.remove(update)
            self._notify()


async def _console(fake: FakeTelegramAPI) -> None:
    """Read "USER_ID text" lines from stdin as user messages; print what the bot sends."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def show_sent() -> None:
        shown = 0
        while True:
            await fake.wait_for(lambda seen=shown: len(fake.sent()) > seen, timeout=None)
            for message in fake.sent()[shown:]:
                body = message["text"] or message["caption"] or message["url"] or ""
                print(f"bot → {message['chat_id']} #{message['message_id']}: {body}")
                if message["reply_markup"]:
                    print(f"    buttons: {json.dumps(message['reply_markup'], ensure_ascii=False)}")
            shown = len(fake.sent())

    printer = asyncio.create_task(show_sent())
    try:
        while line := (await reader.readline()).decode().strip():
            user, _, text = line.partition(" ")
            if user.isdigit() and text:
                print(f"queued message {fake.user_sends(int(user), text)} from {user}")
            else:
                print("type: USER_ID text")
    finally:
        printer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await printer


async def _serve(token: str, username: str, port: int) -> None:
    async with FakeTelegramAPI(token, username, port=port) as fake:
        print(f"fake Telegram Bot API on {fake.url}")
        print(f"  base_url={fake.base_url}  base_file_url={fake.base_file_url}  token={token}")
        print("type 'USER_ID text' to send as a user; Ctrl-D or Ctrl-C to stop")
        await _console(fake)


def run_fake_telegram(argv: list[str] | None = None) -> None:
    """Start a fake server by hand: python -m tests.fakes.telegram_api [--port 8081]."""
    parser = argparse.ArgumentParser(description=run_fake_telegram.__doc__)
    parser.add_argument("--token", default="123456:TEST-token-for-the-fake")
    parser.add_argument("--username", default="nhacviec_test_bot")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.token, args.username, args.port))


if __name__ == "__main__":
    run_fake_telegram()
