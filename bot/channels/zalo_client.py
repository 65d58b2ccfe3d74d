"""Our own small async client for the Zalo Bot Platform API (no third-party Zalo SDK).

Every method is a POST with a JSON body to `{api_url}/bot{token}/{method}`; the answer is
`{"ok": true, "result": …}` or `{"ok": false, "error_code": N, "description": "…"}`, and an
error may come with HTTP 200 as well as with a 4xx/5xx status, so both are checked.

Errors are the channel errors of bot.channels.base, never None:

- 401: ZaloUnauthorized (the token is wrong or revoked: fatal for the bot);
- 429: QuotaExceeded, a RetryLater (Zalo's "quota exceeded": the free plan's monthly messages);
- 5xx, timeouts, connection errors: RetryLater;
- 403 (documented as "internal server error; retry", but it could be a real refusal):
  ZaloApiError, a plain ChannelError the outbox retries a bounded number of times;
- a send refused because the person blocked the bot or is gone: Unreachable;
- anything else (400, 404, a body that is not the envelope): PermanentFailure.

The wait in a RetryLater grows while the platform keeps failing (one counter per client,
reset by any success). The token is in every URL, so no URL is ever put in a message: errors
are built from the method name, the status and Zalo's description, redacted, and raised
outside the `except` that caught the HTTP library's own error (which holds the URL).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.channels.base import (
    ChannelError,
    PermanentFailure,
    QuotaExceeded,
    RetryLater,
    Unreachable,
)
from bot.redact import redact, scrub_exception, token_secrets

DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
MAX_TEXT = 2000  # sendMessage text and sendPhoto caption, characters
DEFAULT_POLL_SECONDS = 30
# Extra time on top of the long poll's own before the request is given up as lost.
POLL_GRACE_SECONDS = 15
REQUEST_TIMEOUT_SECONDS = 30
MAX_RESPONSE_BYTES = 1024 * 1024
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendSticker", "sendChatAction"})
# Descriptions of a send refused because the chat is gone. Zalo documents no code for a person
# who blocked the bot; these are guesses to check against the real platform (docs/zalo.md).
UNREACHABLE_MARKERS = (
    "blocked",
    "block bot",
    "user not found",
    "chat not found",
    "not exist",
    "không tồn tại",
)


@dataclass(frozen=True)
class Backoff:
    """Waits that double with each consecutive failure: base, 2×base, 4×base, … up to cap."""

    base: float
    cap: float

    def wait(self, failures: int) -> float:
        return min(self.cap, self.base * 2 ** max(0, failures - 1))


# Over quota the platform will not change its mind for a while; down, it often comes back soon.
UNAVAILABLE_BACKOFF = Backoff(base=2.0, cap=300.0)
QUOTA_BACKOFF = Backoff(base=60.0, cap=3600.0)


class ZaloApiError(ChannelError):
    """An error answer that is neither clearly passing nor clearly final (403 today)."""


class ZaloUnauthorized(PermanentFailure):
    """Zalo refused the bot token (401): nothing will work until it is replaced."""


def _describe(
    error: ChannelError, *, method: str, status: int | None, code: Any, text: str
) -> ChannelError:
    """Keep the answer's parts on the error (method, HTTP status, Zalo's code, description)."""
    error.method = method  # type: ignore[attr-defined]
    error.status = status  # type: ignore[attr-defined]
    error.error_code = code  # type: ignore[attr-defined]
    error.description = text  # type: ignore[attr-defined]
    return error


class ZaloBotClient:
    """One bot's API client: one aiohttp session for the client's life (`await close()`)."""

    def __init__(
        self,
        token: str,
        *,
        api_url: str | None = None,
        request_timeout: float = REQUEST_TIMEOUT_SECONDS,
        unavailable_backoff: Backoff = UNAVAILABLE_BACKOFF,
        quota_backoff: Backoff = QUOTA_BACKOFF,
    ) -> None:
        token = (token or "").strip()
        bot_id, colon, secret = token.partition(":")
        if not (bot_id and colon and secret):
            raise ValueError("a Zalo bot token has the form {bot_id}:{secret}")
        self._token = token
        self.bot_id = bot_id
        self.secrets = token_secrets(token)
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self._request_timeout = request_timeout
        self._unavailable = unavailable_backoff
        self._quota = quota_backoff
        self._session: aiohttp.ClientSession | None = None
        self._failures = 0  # consecutive failed calls, for the backoff
        self._closed = False

    def __repr__(self) -> str:
        return f"ZaloBotClient(bot_id={self.bot_id!r}, api_url={self.api_url!r})"

    # --- lifecycle --------------------------------------------------------------------------

    def _http(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("this ZaloBotClient is closed")
        if self._session is None:
            # Made on first use, inside the running loop; one for the client's whole life.
            self._session = aiohttp.ClientSession(
                headers={"User-Agent": "nhacviec"},
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=10),
            )
        return self._session

    async def close(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> ZaloBotClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- methods ----------------------------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        """The bot's account: id, account_name, account_type, display_name (when given)."""
        return self._object(await self._call("getMe"), "getMe")

    async def get_updates(self, timeout: int = DEFAULT_POLL_SECONDS) -> list[dict[str, Any]]:
        """Wait up to `timeout` seconds for the next update: [] when none came (Zalo's 408).

        Zalo gives one update per call, with no offset to confirm it by; a list is returned
        anyway (a list answer is passed through) so callers need not guess.
        """
        seconds = max(1, int(timeout))
        result = await self._call(
            "getUpdates",
            {"timeout": str(seconds)},  # a string, as documented
            timeout=seconds + POLL_GRACE_SECONDS,
            nothing_on_408=True,
        )
        if result is None:
            return []
        if isinstance(result, list):
            return [u for u in result if isinstance(u, dict)]
        if isinstance(result, dict):
            return [result]
        raise self._unexpected("getUpdates", result)

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        body = {"url": url, "secret_token": secret_token}
        return self._object(await self._call("setWebhook", body), "setWebhook")

    async def delete_webhook(self) -> dict[str, Any]:
        return self._object(await self._call("deleteWebhook"), "deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        """{url, updated_at}; {"url": ""} when none is set (Zalo answers 404 Not Found then)."""
        try:
            return self._object(await self._call("getWebhookInfo"), "getWebhookInfo")
        except PermanentFailure as exc:
            if getattr(exc, "status", None) == 404 or getattr(exc, "error_code", None) == 404:
                return {"url": ""}
            raise

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        """Send 1–2000 characters of plain text; {message_id, date}."""
        if not text or not text.strip():
            raise PermanentFailure("zalo sendMessage: empty text")
        if len(text) > MAX_TEXT:
            raise PermanentFailure(f"zalo sendMessage: {len(text)} characters, over {MAX_TEXT}")
        body = {"chat_id": str(chat_id), "text": text}
        return self._object(await self._call("sendMessage", body), "sendMessage")

    async def send_photo(
        self, chat_id: str, photo_url: str, caption: str | None = None
    ) -> dict[str, Any]:
        """Send a photo Zalo fetches from `photo_url` (there is no upload); {message_id, date}."""
        if not photo_url.startswith(("https://", "http://")):
            raise PermanentFailure("zalo sendPhoto: the photo must be an http(s) URL")
        body: dict[str, Any] = {"chat_id": str(chat_id), "photo": photo_url}
        if caption:
            if len(caption) > MAX_TEXT:
                raise PermanentFailure(f"zalo sendPhoto: caption over {MAX_TEXT} characters")
            body["caption"] = caption
        return self._object(await self._call("sendPhoto", body), "sendPhoto")

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self._call("sendChatAction", {"chat_id": str(chat_id), "action": action})

    # --- the call ---------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        body: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        nothing_on_408: bool = False,
    ) -> Any:
        url = f"{self.api_url}/bot{self._token}/{method}"
        total = timeout if timeout is not None else self._request_timeout
        status: int | None = None
        raw = b""
        failure: ChannelError | None = None
        try:
            async with self._http().post(
                url, json=dict(body or {}), timeout=aiohttp.ClientTimeout(total=total)
            ) as response:
                status = response.status
                raw = await response.content.read(MAX_RESPONSE_BYTES + 1)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            # Built here, raised below: raising inside this block would chain the library's
            # exception (whose text and request_info carry the URL, token included).
            kind = type(exc).__name__
            detail = redact(str(exc), self.secrets) or "no details"
            failure = self._retry_later(f"zalo {method}: {kind}: {detail}", quota=False)
            _describe(failure, method=method, status=None, code=None, text=detail)
        except asyncio.CancelledError:
            raise
        if failure is not None:
            raise failure
        assert status is not None
        try:
            data = json.loads(raw) if len(raw) <= MAX_RESPONSE_BYTES else None
        except ValueError:
            data = None
        if status == 200 and isinstance(data, dict) and data.get("ok") is True:
            self._failures = 0
            return data.get("result")
        error = self._error(method, status, data, nothing_on_408=nothing_on_408)
        if error is None:  # a long poll that ended with nothing: not a failure
            self._failures = 0
            return None
        scrub_exception(error, self.secrets)
        raise error

    def _error(
        self, method: str, status: int, data: Any, *, nothing_on_408: bool
    ) -> ChannelError | None:
        envelope = data if isinstance(data, dict) else {}
        code = envelope.get("error_code")
        description = redact(str(envelope.get("description") or ""), self.secrets)
        # The code in the body says what went wrong when the status is a plain 200.
        number = code if isinstance(code, int) and not isinstance(code, bool) else None
        if number is None and isinstance(code, str) and code.lstrip("-").isdigit():
            number = int(code)
        kind = number if number is not None and (status == 200 or number > 0) else status
        where = f"zalo {method}: HTTP {status}"
        if number is not None and number != status:
            where += f", error_code {number}"
        text = f"{where}: {description or 'no description'}"
        if kind == 408 and nothing_on_408:
            return None
        error: ChannelError
        if kind == 401:
            error = ZaloUnauthorized(f"{where}: Zalo refused the bot token ({description})")
        elif kind == 429:
            error = self._retry_later(text, quota=True)
        elif kind == 408 or kind >= 500 or status >= 500:
            error = self._retry_later(text, quota=False)
        elif kind == 403:
            error = ZaloApiError(text)
        elif data is None or not isinstance(data, dict):
            error = PermanentFailure(f"zalo {method}: HTTP {status}, not the API's JSON answer")
        elif method in SEND_METHODS and any(m in description.lower() for m in UNREACHABLE_MARKERS):
            error = Unreachable(text)
        else:
            error = PermanentFailure(text)
        return _describe(error, method=method, status=status, code=code, text=description)

    def _retry_later(self, text: str, *, quota: bool) -> RetryLater:
        self._failures += 1
        if quota:
            return QuotaExceeded(text, self._quota.wait(self._failures))
        return RetryLater(text, self._unavailable.wait(self._failures))

    def _object(self, result: Any, method: str) -> dict[str, Any]:
        if isinstance(result, dict):
            return result
        if result is True or result is None:
            return {}
        raise self._unexpected(method, result)

    @staticmethod
    def _unexpected(method: str, result: Any) -> PermanentFailure:
        return PermanentFailure(f"zalo {method}: unexpected result of type {type(result).__name__}")
