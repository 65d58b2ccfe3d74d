"""What both platforms' webhooks check before a body is handed on: secret, state, size, JSON."""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.channels.text import read_at_most


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


async def webhook_payload(
    request: web.Request, *, verified: bool, accepting: bool, limit: int, kind: str
) -> dict[str, Any] | web.Response:
    """The posted JSON object, or the response refusing it. The secret travels in a header, so
    a forged request is refused unread; a stopping service answers 503 and the platform
    retries; `kind` names what the body should be ("update", "event")."""
    if not verified:
        return web.Response(status=403, text="forbidden")
    if not accepting:
        return web.Response(status=503, text="not running")
    if (request.content_length or 0) > limit:
        return web.Response(status=413, text="too large")
    body = await read_at_most(request, limit)
    if body is None:
        return web.Response(status=413, text="too large")
    try:
        payload = json.loads(body)
    except ValueError:
        return web.Response(status=400, text="not JSON")
    if not isinstance(payload, dict):
        return web.Response(status=400, text=f"not an {kind}")
    return payload
