"""Small Vietnamese text helpers: tone-mark folding, whitespace, sentence cleanup."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold_char(ch: str) -> str:
    """One character without its tone and vowel marks; đ becomes d. Never changes length."""
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    if ord(ch) < 128:
        return ch
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
    return base[:1] if base else " "


def fold(text: str) -> str:
    """Text without Vietnamese tone marks, same length as the NFC form of the input."""
    return "".join(fold_char(c) for c in unicodedata.normalize("NFC", text))


def key(text: str) -> str:
    """Lower-case, tone-free, single-spaced: for comparing names and phrases."""
    return _SPACES.sub(" ", fold(text).lower()).strip()


def squash(text: str) -> str:
    """Collapse runs of whitespace to single spaces and trim."""
    return _SPACES.sub(" ", text).strip()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
