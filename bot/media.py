"""Images and files served by the service's own web server at unguessable URLs.

Zalo sends photos by URL only (no upload): a chart or a report to send is stored in the
database (`store_media`), its outbox payload names it (`{"attachment": {"kind": "photo",
"media": token}}`), and the platform fetches `{PUBLIC_BASE_URL}/media/{token}`. The token is
256 random bits and the only key; nothing lists the files; they expire.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.clock import Clock
from storage.uow import UnitOfWork

MEDIA_PATH = "/media/{token}"
MEDIA_TTL = timedelta(days=30)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


async def store_media(
    uow: UnitOfWork,
    content: bytes,
    mime_type: str,
    *,
    now: datetime,
    name: str | None = None,
    ttl: timedelta | None = MEDIA_TTL,
) -> str:
    """Keep a file to be served; its token (no commit: the caller's unit of work commits)."""
    return await uow.media.add(
        content, mime_type, name=name, at=now, expires_at=now + ttl if ttl else None
    )


def media_handler(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """GET /media/{token}: the file, or 404 for anything unknown, malformed or expired."""

    async def handle(request: web.Request) -> web.StreamResponse:
        token = request.match_info.get("token", "")
        if not _TOKEN.fullmatch(token):
            raise web.HTTPNotFound()
        async with UnitOfWork(sessions) as uow:
            media = await uow.media.get(token)
        if media is None or (media.expires_at is not None and media.expires_at <= clock.now()):
            raise web.HTTPNotFound()
        return web.Response(
            body=media.content,
            content_type=media.mime_type,
            headers={
                "Cache-Control": "private, max-age=86400",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    return handle
