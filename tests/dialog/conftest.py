"""Every dialog test runs twice: on a channel with buttons (Telegram's shape) and on one
without (Zalo's: numbered options typed back as numbers, 2000 characters a message)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from tests.conftest import DEFAULT_BOT_START
from tests.fakes.harness import FLAVOURS, BotHarness


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "telegram_only(reason): does what a person can do on Telegram but not on Zalo (press "
        "a button no message offers now, reply to a message, send a file); skipped on Zalo",
    )


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    marker = request.node.get_closest_marker("telegram_only")
    if request.param == "zalo" and marker is not None:
        pytest.skip(f"not possible on Zalo: {marker.args[0] if marker.args else ''}")
    return str(request.param)


@pytest.fixture
def make_bot(db_engine: AsyncEngine, flavour: str) -> Callable[..., BotHarness]:
    """A whole bot on the test database, on the flavour of channel this run is for."""
    sessions = session_factory(db_engine)

    def make(start: datetime | None = None, **kwargs: object) -> BotHarness:
        kwargs.setdefault("flavour", flavour)
        return BotHarness(sessions, start or DEFAULT_BOT_START, **kwargs)  # type: ignore[arg-type]

    return make
