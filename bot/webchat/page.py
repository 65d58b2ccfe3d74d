"""The web chat's routes: the page, its texts and people, history, files, the demo clock."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.web import WebChannel
from bot.demo import CHAT_PREFIX, order_key
from bot.demo_time import DemoControls
from bot.webchat.items import FILES_PATH, from_history
from storage.uow import UnitOfWork
from storage.webchat import chat_history, people_in_chats
from texts import t
from texts.catalogue import VI

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
HISTORY_LIMIT = 100
# Everything the page loads comes from this server: no CDN, no inline script.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: https: http:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
CLOCK_EVENT = "clock"


def page_texts() -> dict[str, str]:
    """The page's own words, from the catalogue (keys "web.*" without the prefix)."""
    return {key.removeprefix("web."): text for key, text in VI.items() if key.startswith("web.")}


class WebChatPage:
    """Adds the page's routes to the service's web server."""

    def __init__(
        self,
        channel: WebChannel,
        sessions: async_sessionmaker[AsyncSession],
        controls: DemoControls | None = None,
    ) -> None:
        self._channel = channel
        self._sessions = sessions
        self._controls = controls

    def setup(self, app: web.Application) -> None:
        app.router.add_get("/", self.index)
        app.router.add_static("/web/static", STATIC, append_version=False)
        app.router.add_get("/web/api/config", self.config)
        app.router.add_get("/web/api/history", self.history)
        app.router.add_post("/web/api/messages", self._channel.post_handler())
        app.router.add_get("/web/api/events", self._channel.events_handler())
        app.router.add_get(FILES_PATH + "/{message_id}/{name}", self.file)
        if self._controls is not None:
            # Only in demo mode: a real deployment has no way to move its clock.
            app.router.add_post("/web/api/demo/clock", self.jump)
        app.on_response_prepare.append(self._headers)

    async def _headers(self, request: web.Request, response: web.StreamResponse) -> None:
        if request.path == "/" or request.path.startswith("/web/"):
            for key, value in SECURITY_HEADERS.items():
                response.headers.setdefault(key, value)

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def config(self, request: web.Request) -> web.Response:
        data: dict[str, Any] = {"demo": self._controls is not None, "texts": page_texts()}
        if self._controls is not None:
            async with UnitOfWork(self._sessions) as uow:
                people = await people_in_chats(uow.session, self._channel.name, CHAT_PREFIX)
            people.sort(key=lambda p: order_key(p.chat_id))
            data["people"] = [
                {
                    "chat_id": p.chat_id,
                    "name": p.name,
                    "role": p.role,
                    "role_label": t(f"role.{p.role}"),
                    "agency": p.agency,
                }
                for p in people
            ]
            data["clock"] = self._controls.state()
        return web.json_response(data, dumps=_dumps)

    async def history(self, request: web.Request) -> web.Response:
        chat_id = request.query.get("chat", "")
        if not self._channel.valid_chat_id(chat_id):
            return web.json_response({"error": "bad chat"}, status=400)
        async with UnitOfWork(self._sessions) as uow:
            items = await chat_history(uow.session, self._channel.name, chat_id, HISTORY_LIMIT)
        files = self._channel.files
        return web.json_response(
            {"items": [from_history(item, files) for item in items]}, dumps=_dumps
        )

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self._channel.files.find(request.match_info["message_id"])
        if stored is None or stored.name != request.match_info["name"]:
            raise web.HTTPNotFound()
        # Images open in the page; anything else downloads under its own name.
        disposition = "inline" if stored.mime_type.startswith("image/") else "attachment"
        return web.FileResponse(
            stored.path,
            headers={
                "Content-Type": stored.mime_type,
                "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.name)}",
            },
        )

    async def jump(self, request: web.Request) -> web.Response:
        assert self._controls is not None
        if not self._channel.verify(request.headers, b""):
            return web.json_response({"error": "forbidden"}, status=403)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "not JSON"}, status=400)
        kind = body.get("jump") if isinstance(body, dict) else None
        try:
            result = await self._controls.jump(str(kind))
        except ValueError:
            return web.json_response({"error": "unknown jump"}, status=400)
        state = self._controls.state()
        self._channel.broadcast(CLOCK_EVENT, state)
        message = None if result.moved else t("web.clock.no_deadline")
        return web.json_response(
            {"clock": state, "stops": result.stops, "message": message}, dumps=_dumps
        )


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
