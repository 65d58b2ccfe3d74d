"""Pytest fixtures for Telegram tests (load with pytest_plugins): the fake API and a channel."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.telegram import TelegramChannel
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_helpers import BOT_USERNAME, TELEGRAM_TOKEN, Inbox, make_channel


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegramAPI]:
    """The fake Bot API, started on a free port, stopped after the test."""
    async with FakeTelegramAPI(TELEGRAM_TOKEN, bot_username=BOT_USERNAME) as fake:
        yield fake


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
async def telegram_channel(
    fake_telegram: FakeTelegramAPI, inbox: Inbox
) -> AsyncIterator[TelegramChannel]:
    """A started channel long-polling the fake; messages land in `inbox`."""
    channel = make_channel(fake_telegram)
    await channel.start(inbox)
    try:
        yield channel
    finally:
        await channel.stop()
