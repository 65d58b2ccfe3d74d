"""The garbage collector's settings for a long-running service process, applied once started."""

from __future__ import annotations

import gc

# Why: the service imports a great deal (SQLAlchemy, python-telegram-bot, python-docx,
# openpyxl, matplotlib, the holiday tables) and keeps it all for its whole life, while each
# message makes and drops thousands of small objects. With the defaults (a young collection
# every 700 allocations, a full one every 100 of those) the collector kept walking the same
# long-lived objects: in bench/inbound.py it took 1.3-1.6 s of CPU in a run of 4 000
# messages. Frozen start-up objects and collections a few times rarer took 0.25 s.
YOUNG_THRESHOLD = 10_000
OLDER_THRESHOLD = 10


def settle_after_start() -> None:
    """Collect once, move every object alive now out of the collector's sight, and collect
    the young generation less often. For the process that serves, not for tests: frozen
    objects that later become garbage in a cycle are never freed."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, OLDER_THRESHOLD, OLDER_THRESHOLD)
