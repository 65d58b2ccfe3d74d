"""Buttons where the platform has none (Zalo): numbered options in the text, a number back.

A message's buttons are numbered in reading order (row by row) and written under its text as
"Trả lời 1 = Đúng, 2 = Sửa"; the outbox keeps what was offered per chat (storage:
offered_choices) and the dispatcher turns a bare number typed in that chat back into the
button's data. These helpers are shared by the channel and the tests, so the numbers a person
sees and the numbers the bot reads can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.channels.base import Button
from texts import t

# "1", " 2 ", "3.", "4)", "số 2": a bare number and nothing else.
_CHOICE = re.compile(r"^\s*(?:s[ốo]\s*)?(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)
# A label that is a task code ("3", "5.2.1"): "1 = 3" would read as a riddle.
_CODE_LABEL = re.compile(r"^\d+(?:\.\d+)*[a-zđ]?$", re.IGNORECASE)


def numbered(rows: Sequence[Sequence[Button]]) -> list[tuple[int, Button]]:
    """The buttons in reading order with their numbers, from 1."""
    return list(enumerate((b for row in rows for b in row), 1))


def option_label(number: int, label: str) -> str:
    """The label as an option: without its own number when it starts with it ("2. 5.3" →
    "5.3"), and a bare task code named as one ("3" → "nhiệm vụ 3", not "1 = 3")."""
    match = re.match(rf"^\s*{number}\s*[.)]\s+(.+)$", label)
    label = match.group(1) if match else label
    return t("choice.task", code=label) if _CODE_LABEL.fullmatch(label.strip()) else label


def options_text(rows: Sequence[Sequence[Button]]) -> str:
    """ "Trả lời 1 = Đúng, 2 = Sửa" for a message's buttons; "" when it has none."""
    items = [t("choice.item", n=n, label=option_label(n, b.label)) for n, b in numbered(rows)]
    return t("choice.prompt", options=", ".join(items)) if items else ""


def parse_choice(text: str | None) -> int | None:
    """The number when the whole message is a bare choice ("2", "2.", "số 2"), else None."""
    match = _CHOICE.match(text or "")
    return int(match.group(1)) if match else None
