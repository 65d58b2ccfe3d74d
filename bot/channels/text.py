"""Channel-neutral helpers: cutting long text into platform-sized parts, reading bounded bodies."""

from __future__ import annotations

import re

from aiohttp import web


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: how Telegram counts, and never less than a character count."""
    return len(text.encode("utf-16-le")) // 2


def prefix_within(text: str, limit: int) -> int:
    """The largest index i such that text[:i] fits in `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _cut_point(text: str, limit: int) -> int:
    end = prefix_within(text, limit)
    if end >= len(text) or text[end].isspace():
        return end
    window = text[:end]
    # A paragraph or line break in the second half keeps parts readable; earlier than that
    # it would make a tiny part, so a space anywhere is preferred over it.
    for separator in ("\n\n", "\n"):
        index = window.rfind(separator)
        if index >= end // 2:
            return index
    spaces = [m.start() for m in re.finditer(r"\s", window)]
    if spaces and spaces[-1] > 0:
        return spaces[-1]
    return max(end, 1)  # one word longer than a message: nothing better than a hard cut


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` UTF-16 units, cut at paragraph, line or space boundaries."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(rest) <= limit:
            parts.append(rest)
            break
        cut = _cut_point(rest, limit)
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if head:
            parts.append(head)
    return parts


async def read_at_most(request: web.Request, limit: int) -> bytes | None:
    """The body, or None when it is longer than `limit` (a missing Content-Length is no help)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
