"""The webhook secret check both platforms use: a header compared in constant time."""

from __future__ import annotations

import hmac
from collections.abc import Mapping


def header_secret_matches(headers: Mapping[str, str], name: str, secret: str | None) -> bool:
    """Whether header `name` carries `secret`; no secret configured or none sent never does."""
    if not secret:
        return False
    given = headers.get(name)
    if given is None:  # a plain dict need not be case-insensitive like aiohttp's headers
        wanted = name.lower()
        given = next((v for k, v in headers.items() if k.lower() == wanted), None)
    if not given:
        return False
    return hmac.compare_digest(given.encode(), secret.encode())
