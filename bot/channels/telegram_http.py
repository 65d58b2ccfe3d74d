"""python-telegram-bot's HTTP transport on aiohttp: the same Bot API calls, cheaper to make."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.redact import redact, scrub_exception

log = logging.getLogger(__name__)

# Why not PTB's default (httpx over httpcore): httpcore's pool re-examines every pooled
# connection on every request, polling each socket, so a send costs more the more sends ever
# ran together; measured in-process against a local server, a form POST with 16 in flight cost
# 1.7 ms of CPU through httpx and 0.14 ms through aiohttp, which the service already uses for
# its webhooks and the Zalo client. PTB keeps its part: building each call, reading answers
# and errors, rate limiting. This module only moves the bytes.

# Sends in flight at once: the outbox's 32 chats, the dispatcher's 16 replies, button answers.
# Idle connections cost nothing per request here, so the pool is not kept small.
DEFAULT_POOL_SIZE = 64
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: every connection in the pool is busy; the request was not sent."
)


def _finite(*values: float | None) -> float | None:
    """The sum of the time limits, or None (no limit) when any of them is unlimited."""
    if any(value is None for value in values):
        return None
    return float(sum(values))  # type: ignore[arg-type]


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` on one aiohttp session with a bounded pool.

    Timeouts keep PTB's names: `read_timeout` bounds each wait on the answer, and uploads get
    `media_write_timeout` instead of `write_timeout`. aiohttp times waiting for a free
    connection and opening one together, so those two share `pool_timeout + connect_timeout`
    (opening alone is still bounded by `connect_timeout`); it has no write timeout of its own,
    so the whole request is bounded by the sum of the four.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_on_answer",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_secrets",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        connection_pool_size: int = DEFAULT_POOL_SIZE,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        secrets: Iterable[str] = (),
        on_answer: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._secrets = [s for s in secrets if s]  # the token sits in every URL
        self._session: aiohttp.ClientSession | None = None
        self._on_answer = on_answer  # sees each answer as the Bot API sent it

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        # Made here, not in __init__: a session belongs to the loop it was made on, and PTB
        # builds its requests before the loop runs.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data.multipart_data if request_data is not None else {}
        fields = request_data.json_parameters if request_data is not None else {}
        read = self._given(read_timeout, self._read_timeout)
        write = self._given(
            write_timeout, self._media_write_timeout if uploads else self._write_timeout
        )
        connect = self._given(connect_timeout, self._connect_timeout)
        pool = self._given(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            total=_finite(pool, connect, write, read),
            connect=_finite(pool, connect),  # aiohttp's "connect" includes waiting for the pool
            sock_connect=connect,
            sock_read=read,
        )
        headers = {"User-Agent": self.USER_AGENT}
        body: bytes | aiohttp.FormData | None = None
        if uploads:
            body = self._multipart(fields, uploads)
        elif fields:
            # The Bot API takes JSON bodies, and PTB has them ready: objects inside are already
            # JSON text, which the API reads as it reads them from a form. The form encoding
            # httpx did (percent-escaping every byte of Vietnamese text) cost more than the
            # rest of the request.
            body = json.dumps(fields).encode()
            headers["Content-Type"] = "application/json"
        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
            ) as response:
                status, payload = response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            scrub_exception(exc, self._secrets)
            raise TimedOut(POOL_TIMEOUT_MESSAGE) from exc
        except TimeoutError as exc:  # aiohttp's read and connect timeouts are TimeoutErrors
            scrub_exception(exc, self._secrets)
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            scrub_exception(exc, self._secrets)
            text = redact(f"aiohttp.{type(exc).__name__}: {exc}", self._secrets)
            raise NetworkError(text) from exc
        if log.isEnabledFor(logging.DEBUG):  # what httpx logged for each call, token removed
            log.debug("HTTP %s %s: %s", method, redact(url, self._secrets), status)
        return status, payload

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        """PTB's reading of an answer, shown first to `on_answer` (the raw updates, kept to be
        stored verbatim: rebuilding them from PTB's objects costs more than reading them)."""
        answer = BaseRequest.parse_json_payload(payload)
        if self._on_answer is not None:
            self._on_answer(answer)
        return answer

    @staticmethod
    def _given(value: Any, default: float | None) -> float | None:
        """A timeout PTB passed for this call, or this request's default when it passed none."""
        return default if value is BaseRequest.DEFAULT_NONE else value

    @staticmethod
    def _multipart(
        fields: dict[str, str], uploads: dict[str, tuple[str, Any, str]]
    ) -> aiohttp.FormData:
        """Fields and files as multipart/form-data, as httpx sent them for PTB."""
        # Names as they are (UTF-8), as httpx sends them: "Tổng hợp Q1.xlsx", not "T%E1%BB%95ng…".
        form = aiohttp.FormData(quote_fields=False)
        for name, value in fields.items():
            form.add_field(name, value)
        for name, (filename, content, mime_type) in uploads.items():
            form.add_field(name, content, filename=filename, content_type=mime_type)
        return form
