"""A page's side of the web chat for tests: post messages, read the event stream, with timeouts."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from bot.service import Service

WAIT = 20.0  # seconds a test waits for an event before failing (never a fixed sleep)
_ids = itertools.count(1)


@asynccontextmanager
async def running(service: Service) -> AsyncIterator[Service]:
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


class EventStream:
    """One open `/web/api/events` stream, read event by event."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def next(self, name: str | None = None, timeout: float = WAIT) -> tuple[str, Any]:
        """The next event (of this name, when given): (name, decoded data)."""
        return await asyncio.wait_for(self._next(name), timeout)

    async def _next(self, wanted: str | None) -> tuple[str, Any]:
        event, data = "message", []
        while True:
            raw = await self._response.content.readline()
            if not raw:
                raise EOFError("the event stream ended")
            line = raw.decode().rstrip("\n")
            if line.startswith(":") or line.startswith("retry:"):
                continue
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif not line and data:
                if wanted is None or event == wanted:
                    return event, json.loads("\n".join(data))
                event, data = "message", []

    async def bot_message(self, containing: str, timeout: float = WAIT) -> dict[str, Any]:
        """The next message from the bot whose text contains `containing`."""

        async def find() -> dict[str, Any]:
            while True:
                _, item = await self._next("message")
                if item["from"] == "bot" and containing in item["text"]:
                    return item

        return await asyncio.wait_for(find(), timeout)


class Page:
    """What the page does over HTTP, for one chat."""

    def __init__(self, http: aiohttp.ClientSession, base: str, chat_id: str) -> None:
        self.http, self.base, self.chat_id = http, base, chat_id

    @asynccontextmanager
    async def events(self) -> AsyncIterator[EventStream]:
        async with self.http.get(
            f"{self.base}/web/api/events", params={"chat": self.chat_id}
        ) as response:
            assert response.status == 200, await response.text()
            stream = EventStream(response)
            await stream.next("ready")
            yield stream

    async def say(self, text: str) -> str:
        event_id = f"t{next(_ids)}"
        body = {"chat_id": self.chat_id, "event_id": event_id, "text": text}
        async with self.http.post(f"{self.base}/web/api/messages", json=body) as response:
            assert response.status == 202, await response.text()
        return event_id

    async def press(self, item: dict[str, Any], label: str) -> str:
        data = next(b["data"] for row in item["buttons"] for b in row if b["label"] == label)
        event_id = f"t{next(_ids)}"
        body = {
            "chat_id": self.chat_id,
            "event_id": event_id,
            "data": data,
            "label": label,
            "reply_to": item["id"],
        }
        async with self.http.post(f"{self.base}/web/api/messages", json=body) as response:
            assert response.status == 202, await response.text()
        return event_id

    async def history(self) -> list[dict[str, Any]]:
        async with self.http.get(
            f"{self.base}/web/api/history", params={"chat": self.chat_id}
        ) as response:
            assert response.status == 200
            return (await response.json())["items"]

    async def history_of(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The history once it holds `count` messages. A reply reaches the page as it is sent
        and the history as its "sent" mark is committed, a moment later (group commit)."""
        async with asyncio.timeout(timeout):
            while len(items := await self.history()) < count:
                await asyncio.sleep(0)
        return items
