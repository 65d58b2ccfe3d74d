"""Test helpers for Telegram: the test token, a waiting message sink, a channel on the fake."""

from __future__ import annotations

import asyncio

from bot.channels.base import IncomingMessage
from bot.channels.telegram import TelegramChannel
from tests.fakes.telegram_api import FakeTelegramAPI

# Shaped like a real token (bot id, colon, secret) so redaction sees the real format.
TELEGRAM_TOKEN = "7012345678:AAHfakeSecretPart-for_tests_0123456789"
BOT_USERNAME = "nhacviec_bot"
WEBHOOK_SECRET = "webhook-Secret_0123456789"


class Inbox:
    """A message sink that keeps what it got and lets a test wait for the next one."""

    def __init__(self) -> None:
        self.messages: list[IncomingMessage] = []
        self._queue: asyncio.Queue[IncomingMessage] = asyncio.Queue()

    async def __call__(self, message: IncomingMessage) -> None:
        self.messages.append(message)
        self._queue.put_nowait(message)

    async def next(self, timeout: float = 5.0) -> IncomingMessage:
        return await asyncio.wait_for(self._queue.get(), timeout)


def make_channel(fake: FakeTelegramAPI, **options: object) -> TelegramChannel:
    """A channel pointed at the fake; rate limiting off unless asked (it paces sends)."""
    options.setdefault("rate_limit", False)
    options.setdefault("poll_timeout", 10)
    return TelegramChannel(
        fake.token,
        api_url=fake.base_url,
        file_url=fake.base_file_url,
        **options,  # type: ignore[arg-type]
    )
