"""A strict fake Zalo Bot Platform API on 127.0.0.1, for our client over real HTTP.

What it holds to is what PLATFORMS.md §1 documents: POST with a JSON body for every method,
the `{ok, result}` / `{ok: false, error_code, description}` envelope, getUpdates giving one
update per call and HTTP 408 when nothing came, text of 1–2000 characters, photos by URL only,
no buttons or other undocumented parameters, setWebhook's secret of 8–256 characters echoed in
`X-Bot-Api-Secret-Token`, getWebhookInfo answering 404 when no webhook is set, and getUpdates
refused while a webhook is set. Where Zalo documents nothing (the status of that refusal, what
a send to a person who blocked the bot answers) the fake picks an answer and says so: those are
the points docs/zalo.md lists to check once against the real platform.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import json
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

T = TypeVar("T")

MAX_TEXT = 2000
SECRET_MIN, SECRET_MAX = 8, 256
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
SECRET_HEADER = "X-Bot-Api-Secret-Token"
CHAT_ACTIONS = {"typing"}  # "upload_photo" is documented as coming soon
# The parameters each method documents; anything else is refused, so the client never comes
# to rely on something Zalo ignores (reply_markup, parse_mode, reply_to_message_id, …).
PARAMETERS: dict[str, set[str]] = {
    "getme": set(),
    "getupdates": {"timeout"},
    "setwebhook": {"url", "secret_token"},
    "deletewebhook": set(),
    "getwebhookinfo": set(),
    "sendmessage": {"chat_id", "text"},
    "sendphoto": {"chat_id", "photo", "caption"},
    "sendsticker": {"chat_id", "sticker"},
    "sendchataction": {"chat_id", "action"},
}
SENDS = {"sendmessage", "sendphoto", "sendsticker"}
# Chosen by the fake where Zalo documents nothing (see the module docstring).
WEBHOOK_ACTIVE = "Conflict: a webhook is set; call deleteWebhook before getUpdates"
BLOCKED = "Bad Request: user has blocked the bot"


class ApiError(Exception):
    """An error answer: Zalo's error_code and description, and the HTTP status it comes with."""

    def __init__(self, code: int, description: str, http_status: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.http_status = http_status if http_status is not None else code

    def response(self) -> web.Response:
        body = {"ok": False, "error_code": self.code, "description": self.description}
        return web.json_response(body, status=self.http_status)


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Failure:
    method: str  # lower case, or "*"
    error: ApiError
    times: int
    after: int


@dataclass(frozen=True)
class ZaloRequest:
    """One call as it arrived: the method, the HTTP verb, the headers and the decoded body."""

    method: str
    verb: str
    headers: dict[str, str]
    body: Any
    raw: bytes = field(repr=False)
    token_ok: bool


class FakeZaloAPI:
    """A stand-in for https://bot-api.zaloplatforms.com serving one bot token.

    `async with FakeZaloAPI(token) as fake:`, point the client at `fake.api_url`, then:

    - `user_sends(...)`, `user_sends_image(...)`, `user_sends_sticker(...)`,
      `user_sends_unsupported(...)`, `queue_event(...)` queue events that getUpdates returns
      (one per call) or that are POSTed to the webhook;
    - `sent(chat_id)` lists what the bot sent; `await wait_sent(chat_id, count)` waits for it;
      `requests` is the log of every call (verb, headers, decoded body);
    - `fail_next()`, `set_quota()`, `revoke_token()`, `block()` make it refuse like Zalo.
    """

    def __init__(
        self,
        token: str,
        *,
        account_name: str = "bot_nhacviec_thu",
        display_name: str = "Bot Nhắc việc (thử nghiệm)",
        envelope: str = "bare",
        echo_bot_messages: bool = False,
        fetch_photos: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if envelope not in ("bare", "wrapped"):
            raise ValueError("envelope: 'bare' ({event_name, message}) or 'wrapped' ({ok, result})")
        self.token = token
        self.bot_id = token.split(":", 1)[0]
        self.bot = {
            "id": self.bot_id,
            "account_name": account_name,
            "account_type": "BASIC",
            "can_join_groups": False,
            "display_name": display_name,
        }
        # How webhook bodies are shaped: sources disagree, so both are tried (PLATFORMS §1.4).
        self.envelope = envelope
        # Zalo may send the bot's own messages back as events (PLATFORMS §1.4): on, every send
        # is queued again as an event from the bot.
        self.echo_bot_messages = echo_bot_messages
        # On, sendPhoto downloads the URL as Zalo would and refuses the photo when it cannot.
        self.fetch_photos = fetch_photos
        self._host = host
        self._port = port
        # Every bot this server answers for, by token (more with `add_bot`): Zalo serves all
        # bots from one host, the token in the path telling them apart.
        self._bots: dict[str, FakeZaloAPI] = {token: self}
        self._children: list[FakeZaloAPI] = []
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._delivery_task: asyncio.Task[None] | None = None
        self._closing = False

        # What a test may read.
        self.requests: list[ZaloRequest] = []
        self.webhook_deliveries: list[dict[str, Any]] = []
        self.chat_actions: list[tuple[str, str]] = []
        self.fetched_photos: list[dict[str, Any]] = []

        # The "Zalo server".
        self._changed = asyncio.Event()
        self._users: dict[str, dict[str, Any]] = {}
        self._blocked: set[str] = set()
        self._sent: list[dict[str, Any]] = []
        self._cursor: dict[str, int] = {}
        self._updates: list[dict[str, Any]] = []
        self._webhook: dict[str, Any] = {"url": "", "secret_token": None, "updated_at": None}
        self._failures: list[_Failure] = []
        self._quota: int | None = None
        self._sends = 0
        self._revoked = False
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "sendsticker": self._send_sticker,
            "sendchataction": self._send_chat_action,
        }

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> FakeZaloAPI:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # No access log: it would print every URL, and the token is in each.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        self._port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._delivery_task = asyncio.create_task(self._deliver(), name="fake-zalo-webhook")
        return self

    async def add_bot(self, token: str, **options: Any) -> FakeZaloAPI:
        """Another bot on the same server (same api_url): a FakeZaloAPI of its own."""
        if self._runner is None:
            raise RuntimeError("start the server first")
        bot = FakeZaloAPI(token, host=self._host, port=self._port, **options)
        bot._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        bot._delivery_task = asyncio.create_task(bot._deliver(), name="fake-zalo-webhook")
        self._bots[token] = bot
        self._children.append(bot)
        return bot

    async def stop(self) -> None:
        for child in self._children:
            await child.stop()
        self._children.clear()
        self._closing = True
        self._notify()
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

    async def __aenter__(self) -> FakeZaloAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """What ZALO_API_URL takes: the client appends /bot{token}/{method}."""
        return f"http://{self._host}:{self._port}"

    # --- test side: what people do ----------------------------------------------------------

    def _person(self, user_id: str, display_name: str) -> dict[str, Any]:
        user = self._users.setdefault(user_id, {"id": user_id, "is_bot": False})
        user["display_name"] = display_name
        self._blocked.discard(user_id)  # writing to the bot again unblocks it
        return user

    def _event(self, name: str, user_id: str, display_name: str, **fields: Any) -> str:
        user = self._person(str(user_id), display_name)
        message_id = secrets.token_hex(16)
        message = {
            "message_id": message_id,
            "date": int(time.time() * 1000),  # milliseconds
            "from": dict(user),
            "chat": {"id": user["id"], "chat_type": "PRIVATE"},
            **fields,
        }
        self._queue({"event_name": name, "message": message})
        return message_id

    def user_sends(self, user_id: str, text: str, *, display_name: str = "Nguyễn Văn A") -> str:
        """Queue a text message from `user_id` (chat id == user id); its message_id."""
        if not text:
            raise ValueError("an empty message cannot be sent")
        if utf16_len(text) > MAX_TEXT:
            raise ValueError("Zalo clients are taken to send at most 2000 characters at once")
        return self._event("message.text.received", user_id, display_name, text=text)

    def user_sends_image(
        self,
        user_id: str,
        photo_url: str,
        caption: str | None = None,
        *,
        display_name: str = "Nguyễn Văn A",
    ) -> str:
        fields: dict[str, Any] = {"photo_url": photo_url}
        if caption:
            fields["caption"] = caption
        return self._event("message.image.received", user_id, display_name, **fields)

    def user_sends_sticker(
        self, user_id: str, sticker: str = "b1a2c3", *, display_name: str = "Nguyễn Văn A"
    ) -> str:
        return self._event("message.sticker.received", user_id, display_name, sticker=sticker)

    def user_sends_unsupported(self, user_id: str, *, display_name: str = "Nguyễn Văn A") -> str:
        """A voice note, a file, a location: what the Bot Platform does not hand to bots."""
        return self._event("message.unsupported.received", user_id, display_name)

    def queue_event(self, event: dict[str, Any]) -> None:
        """Queue any event body as it is."""
        self._queue(dict(event))

    def block(self, user_id: str) -> None:
        """The person blocks the bot: sends to them are refused until they write again."""
        self._blocked.add(str(user_id))

    def fail_next(
        self,
        method: str,
        code: int = 429,
        *,
        http_status: int | None = None,
        description: str | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Answer `times` calls of `method` ("*" for any) with error `code`, after letting
        `after` calls through. `http_status=200` gives Zalo's other shape of an error: HTTP 200
        with `ok: false`."""
        phrase = {429: "Quota exceeded", 401: "Unauthorized"}.get(code)
        text = description or phrase or HTTPStatus(code).phrase
        error = ApiError(code, text, http_status)
        self._failures.append(_Failure(method.lower(), error, times, after))

    def set_quota(self, messages: int | None) -> None:
        """Allow this many more sends, then answer 429 "Quota exceeded" (None: no limit)."""
        self._quota = messages
        self._sends = 0

    def revoke_token(self) -> None:
        """The token is regenerated in Bot Manager: every call answers 401 from now on."""
        self._revoked = True

    # --- test side: what the bot did --------------------------------------------------------

    def sent(self, chat_id: str | None = None) -> list[dict[str, Any]]:
        """The bot's messages in the order sent: method, chat_id, message_id, date, text,
        photo (URL), caption, sticker."""
        if chat_id is None:
            return list(self._sent)
        return [m for m in self._sent if m["chat_id"] == str(chat_id)]

    def calls(self, method: str) -> list[ZaloRequest]:
        return [r for r in self.requests if r.method.lower() == method.lower()]

    async def wait_sent(
        self, chat_id: str, count: int = 1, timeout: float = 5.0, *, since: int | None = None
    ) -> list[dict[str, Any]]:
        """Wait until `count` messages to `chat_id` came after the chat's cursor (or `since`);
        return all of them and move the cursor past them."""
        chat_id = str(chat_id)
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
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._updates)

    @property
    def webhook_url(self) -> str:
        return self._webhook["url"]

    @property
    def webhook_secret(self) -> str | None:
        return self._webhook["secret_token"]

    # --- HTTP -------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        given = request.match_info["token"]
        bot, known = self, False
        for token, candidate in self._bots.items():
            if hmac.compare_digest(given, token):
                bot, known = candidate, True
        return await bot._answer(request, token_ok=known)

    async def _answer(self, request: web.Request, *, token_ok: bool) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self.requests.append(
            ZaloRequest(method, request.method, dict(request.headers), body, raw, token_ok)
        )
        try:
            if not token_ok or self._revoked:
                raise ApiError(401, "Unauthorized")
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            if request.method != "POST":
                raise ApiError(405, f"Method Not Allowed: {method} takes POST with a JSON body")
            params = self._params(request, raw, method.lower())
            self._take_injected_failure(method.lower())
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            return error.response()
        finally:
            self._notify()
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _params(request: web.Request, raw: bytes, method: str) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise bad_request(f"Content-Type must be application/json, not {request.content_type}")
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise bad_request("body is not valid JSON") from None
        if not isinstance(body, dict):
            raise bad_request("body must be a JSON object")
        unknown = sorted(set(body) - PARAMETERS[method])
        if unknown:
            raise bad_request(f"parameters Zalo does not document for this method: {unknown}")
        return body

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
        self._changed.set()
        self._changed = asyncio.Event()

    # --- methods ----------------------------------------------------------------------------

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.bot)

    async def _get_updates(self, params: dict[str, Any]) -> dict[str, Any]:
        raw = params.get("timeout", "30")
        if not isinstance(raw, str) or not raw.isdigit():
            raise bad_request("timeout must be a string of seconds, as documented")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + int(raw)
        while True:
            changed = self._changed
            if self._webhook["url"]:
                raise ApiError(409, WEBHOOK_ACTIVE)
            if self._updates:
                return self._updates.pop(0)  # one update per call, no offset to confirm
            remaining = deadline - loop.time()
            if self._closing or remaining <= 0:
                raise ApiError(408, "Request timeout")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _set_webhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not url:
            raise bad_request("url is required")
        parts = urlsplit(url)
        # HTTPS only; plain HTTP is let through to loopback, for tests.
        if not parts.hostname or not (
            parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
        ):
            raise bad_request("webhook url must be HTTPS")
        if not isinstance(secret, str) or not SECRET_MIN <= len(secret) <= SECRET_MAX:
            raise bad_request(f"secret_token must have {SECRET_MIN}-{SECRET_MAX} characters")
        now = int(time.time() * 1000)
        self._webhook = {"url": url, "secret_token": secret, "updated_at": now}
        return {"url": url, "updated_at": now}

    def _delete_webhook(self, params: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time() * 1000)
        self._webhook = {"url": "", "secret_token": None, "updated_at": now}
        return {"url": "", "updated_at": now}

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        if not self._webhook["url"]:
            raise ApiError(404, "Not Found")  # observed on the real API (PLATFORMS §1.3)
        return {"url": self._webhook["url"], "updated_at": self._webhook["updated_at"]}

    def _writable_chat(self, params: dict[str, Any]) -> str:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            raise bad_request("chat_id must be a non-empty string")
        if chat_id not in self._users:
            # A bot learns a chat id only when the person writes first.
            raise bad_request("chat not found")
        if chat_id in self._blocked:
            raise bad_request(BLOCKED.removeprefix("Bad Request: "))
        return chat_id

    def _count_send(self) -> None:
        if self._quota is not None:
            if self._sends >= self._quota:
                raise ApiError(429, "Quota exceeded")
            self._sends += 1

    @staticmethod
    def _text(value: Any, name: str, *, required: bool) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise bad_request(f"{name} must be a non-empty string")
        if utf16_len(value) > MAX_TEXT:
            raise bad_request(f"{name} is longer than {MAX_TEXT} characters")
        return value

    def _record(self, method: str, chat_id: str, **fields: Any) -> dict[str, Any]:
        record = {
            "method": method,
            "chat_id": chat_id,
            "message_id": secrets.token_hex(16),
            "date": int(time.time() * 1000),
            "text": None,
            "photo": None,
            "caption": None,
            "sticker": None,
            **fields,
        }
        self._sent.append(record)
        if self.echo_bot_messages:
            echo = {
                "message_id": record["message_id"],
                "date": record["date"],
                "from": {"id": self.bot_id, "display_name": self.bot["display_name"]}
                | {"is_bot": True},
                "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            }
            if record["text"] is not None:
                echo["text"] = record["text"]
            self._queue({"event_name": "message.text.received", "message": echo})
        return {"message_id": record["message_id"], "date": record["date"]}

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._writable_chat(params)
        text = self._text(params.get("text"), "text", required=True)
        self._count_send()
        return self._record("sendMessage", chat_id, text=text)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._writable_chat(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or urlsplit(photo).scheme not in ("http", "https"):
            raise bad_request("photo must be an http(s) URL (Zalo takes photos by URL only)")
        caption = self._text(params.get("caption"), "caption", required=False)
        self._count_send()
        if self.fetch_photos:
            await self._fetch(photo)
        return self._record("sendPhoto", chat_id, photo=photo, caption=caption)

    async def _fetch(self, url: str) -> None:
        assert self._session is not None
        try:
            async with self._session.get(url) as response:
                content = await response.read()
                status, kind = response.status, response.content_type
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.fetched_photos.append({"url": url, "status": None, "error": repr(exc)})
            raise bad_request("cannot download the photo") from None
        self.fetched_photos.append(
            {"url": url, "status": status, "content_type": kind, "content": content}
        )
        if status != 200 or not kind.startswith("image/"):
            raise bad_request("cannot download the photo")

    def _send_sticker(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._writable_chat(params)
        sticker = params.get("sticker")
        if not isinstance(sticker, str) or not sticker:
            raise bad_request("sticker must be a sticker id")
        self._count_send()
        return self._record("sendSticker", chat_id, sticker=sticker)

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat_id = self._writable_chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request(f"action must be one of {sorted(CHAT_ACTIONS)}")
        self.chat_actions.append((chat_id, action))
        return True

    # --- updates ----------------------------------------------------------------------------

    def _queue(self, event: dict[str, Any]) -> None:
        self._updates.append(event)
        self._notify()

    async def _deliver(self) -> None:
        """While a webhook is set, POST each queued event to it, one at a time, in order.

        The body is the bare event or `{ok, result}` (see `envelope`); the secret goes in
        X-Bot-Api-Secret-Token. A failed delivery is recorded and dropped (no retries)."""
        while True:
            changed = self._changed
            url = self._webhook["url"]
            if not (url and self._updates and self._session is not None):
                await changed.wait()
                continue
            event = self._updates.pop(0)
            body = event if self.envelope == "bare" else {"ok": True, "result": event}
            headers = {SECRET_HEADER: self._webhook["secret_token"] or ""}
            status: int | None = None
            error: str | None = None
            try:
                async with self._session.post(url, json=body, headers=headers) as response:
                    status = response.status
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            message = event.get("message") or {}
            self.webhook_deliveries.append(
                {"message_id": message.get("message_id"), "status": status, "error": error}
            )
            self._notify()


async def _console(fake: FakeZaloAPI) -> None:
    """Read "USER_ID text" lines from stdin as user messages; print what the bot sends."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def show_sent() -> None:
        shown = 0
        while True:
            await fake.wait_for(lambda seen=shown: len(fake.sent()) > seen, timeout=None)
            for message in fake.sent()[shown:]:
                body = message["text"] or message["caption"] or message["photo"] or ""
                print(f"bot → {message['chat_id']}: {body}")
            shown = len(fake.sent())

    printer = asyncio.create_task(show_sent())
    try:
        while line := (await reader.readline()).decode().strip():
            user, _, text = line.partition(" ")
            if user and text:
                fake.user_sends(user, text)
                print(f"queued a message from {user}")
            else:
                print("type: USER_ID text")
    finally:
        printer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await printer


async def _serve(token: str, port: int) -> None:
    async with FakeZaloAPI(token, port=port) as fake:
        print(f"fake Zalo Bot API: ZALO_API_URL={fake.api_url} ZALO_BOT_TOKEN={token}")
        print("type 'USER_ID text' to send as a user; Ctrl-D or Ctrl-C to stop")
        await _console(fake)


def run_fake_zalo(argv: list[str] | None = None) -> None:
    """Start a fake server by hand: python -m tests.fakes.zalo_api [--port 8082]."""
    parser = argparse.ArgumentParser(description=run_fake_zalo.__doc__)
    parser.add_argument("--token", default="1234567890:fake-zalo-secret-for-local-runs")
    parser.add_argument("--port", type=int, default=8082)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.token, args.port))


if __name__ == "__main__":
    run_fake_zalo()
