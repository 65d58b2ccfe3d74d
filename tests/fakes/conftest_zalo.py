"""Pytest fixtures for Zalo tests (load with pytest_plugins): the fake Bot API and a client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.zalo_client import Backoff, ZaloBotClient
from tests.fakes.zalo_api import FakeZaloAPI
from tests.fakes.zalo_helpers import ZALO_TOKEN


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZaloAPI]:
    """The fake Zalo Bot API, started on a free port, stopped after the test."""
    async with FakeZaloAPI(ZALO_TOKEN) as fake:
        yield fake


@pytest.fixture
async def zalo_client(fake_zalo: FakeZaloAPI) -> AsyncIterator[ZaloBotClient]:
    client = ZaloBotClient(
        ZALO_TOKEN,
        api_url=fake_zalo.api_url,
        unavailable_backoff=Backoff(base=0.5, cap=4.0),
        quota_backoff=Backoff(base=60.0, cap=240.0),
    )
    try:
        yield client
    finally:
        await client.close()
