"""The serving process's collector settings: start-up objects frozen, young ones collected less."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.gc_settings import OLDER_THRESHOLD, YOUNG_THRESHOLD, settle_after_start


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()  # the test process's own objects go back to being collected
        gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_gc")
def test_after_start_what_is_alive_is_frozen_and_collections_are_rarer() -> None:
    kept = [[] for _ in range(10)]  # lists are tracked by the collector
    settle_after_start()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == (YOUNG_THRESHOLD, OLDER_THRESHOLD, OLDER_THRESHOLD)
    assert YOUNG_THRESHOLD > 700  # the default it replaces
