"""The conversation's settings: what needs the coordinator, how long codes last, throttles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Policy:
    # A "done" stands only once the coordinator confirms it (MISSION: done awaiting confirmation).
    confirm_done: bool = True
    link_code_ttl: timedelta = timedelta(days=7)
    # Wrong link codes: this many from one chat within the window and further tries are refused.
    link_failures_allowed: int = 5
    link_failure_window: timedelta = timedelta(minutes=15)
    # Files sent this long before or after a report count as its evidence.
    evidence_window: timedelta = timedelta(days=2)
    # A question the bot asked (a yes, a task choice) is forgotten after this long.
    dialog_ttl: timedelta = timedelta(hours=12)
    # On a channel without buttons (Zalo) a bare number answers the options last offered in
    # the chat for this long (a later plain reply in the chat withdraws them sooner).
    choice_ttl: timedelta = timedelta(days=7)
    # Longest text read for understanding; the full text is stored regardless.
    max_text: int = 4000
