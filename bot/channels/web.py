"""The web chat channel: the page posts messages and button presses, replies stream back live."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.base import (
    Capabilities,
    ChatRef,
    IncomingMessage,
    MessageSink,
    OutgoingMessage,
    PermanentFailure,
    Receipt,
)
from bot.webchat.files import FileStore, safe_name
from bot.webchat.items import attachment_json, bot_item, file_url, person_item
from scheduler.clock import Clock

logger = logging.getLogger(__name__)

NAME = "web"
MAX_TEXT = 4000
MAX_BODY = 16 * 1024
MAX_CALLBACK_DATA = 64  # the same limit as Telegram's, so the handlers' buttons fit both
HEARTBEAT_SECONDS = 15.0  # a comment line now and then finds closed connections
STOP_GRACE_SECONDS = 10.0
# A browser's own chat id is random and unguessable (it is all that stands for the person);
# the demo's people have readable ids, accepted only when the channel runs the demo.
BROWSER_CHAT_ID = re.compile(r"[0-9a-f]{32}")
DEMO_CHAT_ID = re.compile(r"demo-[a-z0-9-]{1,40}")
EVENT_ID = re.compile(r"[A-Za-z0-9-]{1,40}")
COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\S+)?(?:\s+(.*))?$", re.DOTALL)

Event = tuple[str, dict[str, Any]]  # (SSE event name, JSON data)


class Hub:
    """Who is watching which chat: one queue per open page, events fanned out to each."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Event | None]]] = defaultdict(set)

    def subscribe(self, chat_id: str) -> asyncio.Queue[Event | None]:
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._queues[chat_id].add(queue)
        return queue

    def unsubscribe(self, chat_id: str, queue: asyncio.Queue[Event | None]) -> None:
        watchers = self._queues.get(chat_id)
        if watchers is not None:
            watchers.discard(queue)
            if not watchers:
                del self._queues[chat_id]

    def publish(self, chat_id: str, event: Event) -> int:
        watchers = self._queues.get(chat_id, ())
        for queue in watchers:
            queue.put_nowait(event)
        return len(watchers)

    def broadcast(self, event: Event) -> None:
        for watchers in self._queues.values():
            for queue in watchers:
                queue.put_nowait(event)

    def close_all(self) -> None:
        """Tell every open stream to end (None), and forget them."""
        for watchers in self._queues.values():
            for queue in watchers:
                queue.put_nowait(None)
        self._queues.clear()

    def watching(self, chat_id: str) -> int:
        return len(self._queues.get(chat_id, ()))


def _sse(name: str, data: Mapping[str, Any]) -> bytes:
    body = json.dumps(data, ensure_ascii=False)
    return f"event: {name}\ndata: {body}\n\n".encode()


class WebChannel:
    """Messages in by POST from the page, out by server-sent events; history from the database.

    Nothing is kept here that matters: what was said both ways is in the database (inbound and
    outbox), and a page that reconnects reads it again.
    """

    name = NAME
    capabilities = Capabilities(buttons=True, edit=True, files=True, max_text=MAX_TEXT * 4)

    def __init__(self, clock: Clock, files: FileStore, *, demo: bool = False) -> None:
        self._clock = clock
        self.files = files
        self.demo = demo
        self.hub = Hub()
        self._sink: MessageSink | None = None
        self._accepting = False
        self._tasks: set[asyncio.Task[None]] = set()

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self, sink: MessageSink) -> None:
        self._sink = sink
        self._accepting = True

    async def stop(self) -> None:
        """Refuse new messages, end every open stream, finish the messages in hand."""
        self._accepting = False
        self.hub.close_all()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=STOP_GRACE_SECONDS)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def valid_chat_id(self, chat_id: object) -> bool:
        if not isinstance(chat_id, str):
            return False
        if BROWSER_CHAT_ID.fullmatch(chat_id):
            return True
        return self.demo and DEMO_CHAT_ID.fullmatch(chat_id) is not None

    # --- receiving --------------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Same-origin only: another site open in the browser must not post as the person.

        There is no platform secret here; a browser always sends Origin on a cross-site POST.
        """
        origin = headers.get("Origin")
        if not origin:
            return True  # not a browser's cross-site request (curl, tests)
        host = headers.get("Host", "")
        return urlsplit(origin).netloc.lower() == host.lower()

    def parse(self, payload: Mapping[str, Any]) -> list[IncomingMessage]:
        """What the page posted: {chat_id, event_id, text} or a press {…, data, label}."""
        chat_id, event_id = payload.get("chat_id"), payload.get("event_id")
        if not self.valid_chat_id(chat_id) or not isinstance(event_id, str):
            return []
        if not EVENT_ID.fullmatch(event_id):
            return []
        assert isinstance(chat_id, str)
        ref = ChatRef(self.name, chat_id, chat_id)
        now = self._clock.now()
        data = payload.get("data")
        reply_to = payload.get("reply_to")
        reply_to = reply_to if isinstance(reply_to, str) and EVENT_ID.fullmatch(reply_to) else None
        # Stored verbatim with the message; the label lets the history show what was pressed.
        if data is not None:
            if not isinstance(data, str) or not data or len(data.encode()) > MAX_CALLBACK_DATA:
                return []
            label = str(payload.get("label") or "")[:100]
            return [
                IncomingMessage(
                    ref=ref,
                    event_id=f"{chat_id}:{event_id}",
                    callback_data=data,
                    callback_id=event_id,
                    reply_to=reply_to,
                    sent_at=now,
                    raw={"data": data, "label": label, "reply_to": reply_to},
                )
            ]
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            return []
        text = text.strip()
        command, args = None, ""
        match = COMMAND_RE.match(text)
        if match is not None:
            command, args = match.group(1).lower(), (match.group(2) or "").strip()
        return [
            IncomingMessage(
                ref=ref,
                event_id=f"{chat_id}:{event_id}",
                text=text,
                command=command,
                args=args,
                reply_to=reply_to,
                message_id=event_id,
                sent_at=now,
                raw={"text": text, "reply_to": reply_to},
            )
        ]

    def post_handler(self) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """POST /web/api/messages: check, answer at once, handle in the background."""

        async def handle(request: web.Request) -> web.StreamResponse:
            if not self.verify(request.headers, b""):
                return web.json_response({"error": "forbidden"}, status=403)
            if not self._accepting:
                return web.json_response({"error": "not running"}, status=503)
            if (request.content_length or 0) > MAX_BODY:
                return web.json_response({"error": "too large"}, status=413)
            body = await request.content.read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                return web.json_response({"error": "too large"}, status=413)
            try:
                payload = json.loads(body)
            except ValueError:
                return web.json_response({"error": "not JSON"}, status=400)
            messages = self.parse(payload) if isinstance(payload, dict) else []
            if not messages:
                return web.json_response({"error": "not a message"}, status=400)
            for message in messages:
                # Other pages open on the same person show the message too.
                own_id = message.event_id.split(":", 1)[1]
                pressed = payload.get("label") if message.callback_data else None
                item = person_item(own_id, self._clock.now(), message.text, pressed)
                self.hub.publish(message.ref.chat_id, ("message", item))
                task = asyncio.create_task(self._feed(message))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return web.json_response({"ok": True}, status=202)

        return handle

    async def _feed(self, message: IncomingMessage) -> None:
        if self._sink is None:
            raise RuntimeError("WebChannel.start(sink) has not been called")
        try:
            await self._sink(message)
        except Exception:
            logger.exception("web: message %s failed", message.event_id)

    def events_handler(self) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """GET /web/api/events?chat=ID: server-sent events for one chat, until it closes."""

        async def handle(request: web.Request) -> web.StreamResponse:
            chat_id = request.query.get("chat", "")
            if not self.valid_chat_id(chat_id):
                return web.json_response({"error": "bad chat"}, status=400)
            if not self._accepting:
                return web.json_response({"error": "not running"}, status=503)
            response = web.StreamResponse(
                headers={
                    "Content-Type": "text/event-stream; charset=utf-8",
                    "Cache-Control": "no-cache",
                    "X-Accel-Buffering": "no",  # a proxy in front must not hold events back
                }
            )
            await response.prepare(request)
            queue = self.hub.subscribe(chat_id)
            try:
                # The browser reconnects after a second if the stream drops; "ready" tells the
                # page to read the history again, so nothing sent meanwhile is missed.
                await response.write(b"retry: 1000\n\n" + _sse("ready", {"chat_id": chat_id}))
                while True:
                    try:
                        event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                    except TimeoutError:
                        await response.write(b": ping\n\n")
                        continue
                    if event is None:
                        break
                    await response.write(_sse(*event))
            except ConnectionResetError:
                pass  # the page went away; found by the next write
            finally:
                self.hub.unsubscribe(chat_id, queue)
            with contextlib.suppress(ConnectionResetError):
                await response.write_eof()
            return response

        return handle

    # --- sending ----------------------------------------------------------------------------

    async def send(self, message: OutgoingMessage) -> Receipt:
        """Show the message on every page open on that chat; a file is kept to be downloaded.

        Nobody watching is no failure: the message is in the database and the page reads it
        from the history when it opens.
        """
        if not self.valid_chat_id(message.ref.chat_id):
            raise PermanentFailure(f"web: chat id {message.ref.chat_id!r} is not a web chat")
        text = message.text.strip()
        if not text and message.attachment is None:
            raise PermanentFailure("web: nothing to send (empty text, no attachment)")
        message_id = uuid.uuid4().hex
        attachment = None
        if message.attachment is not None:
            a = message.attachment
            url = None
            if a.content is not None:
                name = safe_name(a.name, a.content, a.kind, a.mime_type)
                stored = self.files.save(message_id, name, a.content)
                url = file_url(message_id, stored.name)
            attachment = attachment_json(a, url)
        item = bot_item(message_id, self._clock.now(), text, message.buttons, attachment)
        self.hub.publish(message.ref.chat_id, ("message", item))
        return Receipt((message_id,))

    async def edit(self, ref: ChatRef, message_id: str, text: str) -> None:
        """Replace the text on open pages and drop the buttons (history keeps the original)."""
        self.hub.publish(ref.chat_id, ("edit", {"id": message_id, "text": text.strip()}))

    async def acknowledge(self, message: IncomingMessage, text: str | None = None) -> None:
        """The page disables a pressed button itself; a short answer is shown as a notice."""
        if text:
            self.hub.publish(message.ref.chat_id, ("notice", {"text": text}))

    def broadcast(self, name: str, data: Mapping[str, Any]) -> None:
        """An event for every open page (the demo clock moved)."""
        self.hub.broadcast((name, dict(data)))
