"""One chat message as the page shows it (JSON), the same whether live or from history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from bot.channels.base import Attachment, Button
from bot.webchat.files import FileStore
from storage.types import LOCAL_TZ
from storage.webchat import HistoryItem

FILES_PATH = "/web/files"


def local_time(at: datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def file_url(message_id: str, name: str) -> str:
    return f"{FILES_PATH}/{message_id}/{quote(name)}"


def safe_url(url: str | None) -> str | None:
    """Only web addresses and our own files reach an href or src (no javascript: links)."""
    if not url:
        return None
    lowered = url.strip().lower()
    if lowered.startswith(("https://", "http://")) or url.startswith(f"{FILES_PATH}/"):
        return url.strip()
    return None


def attachment_json(attachment: Attachment | None, url: str | None = None) -> dict[str, Any] | None:
    if attachment is None:
        return None
    return {
        "kind": "photo" if attachment.kind == "photo" else "document",
        "name": attachment.name or "",
        "url": safe_url(url or attachment.url),
    }


def button_rows(rows: Any) -> list[list[dict[str, str]]]:
    """Rows of {label, data}, from Button objects or from an outbox payload's dicts."""
    out = []
    for row in rows or ():
        line = []
        for b in row:
            if isinstance(b, Button):
                line.append({"label": b.label, "data": b.data})
            elif isinstance(b, Mapping):
                line.append({"label": str(b.get("label", "")), "data": str(b.get("data", ""))})
        if line:
            out.append(line)
    return out


def bot_item(
    message_id: str,
    at: datetime,
    text: str,
    buttons: Any = (),
    attachment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": message_id,
        "from": "bot",
        "at": at.isoformat(),
        "time": local_time(at),
        "text": text,
        "buttons": button_rows(buttons),
        "attachment": attachment,
        "pressed": None,
    }


def person_item(
    event_id: str, at: datetime, text: str, pressed: str | None = None
) -> dict[str, Any]:
    return {
        "id": event_id,
        "from": "me",
        "at": at.isoformat(),
        "time": local_time(at),
        "text": text,
        "buttons": [],
        "attachment": None,
        "pressed": pressed,
    }


def from_history(item: HistoryItem, files: FileStore) -> dict[str, Any]:
    payload = item.payload or {}
    if item.direction == "in":
        # Stored as "<chat id>:<page's id>"; the page knows its own messages by the second part.
        event_id = item.message_id.split(":", 1)[-1]
        pressed = None
        if item.callback_data:
            pressed = str(payload.get("label") or item.callback_data)
        return person_item(event_id, item.at, item.text, pressed)
    attachment = None
    stored = files.find(item.message_id)
    sent_with = payload.get("attachment")
    if stored is not None:
        kind = (sent_with or {}).get("kind") or (
            "photo" if stored.mime_type.startswith("image/") else "document"
        )
        attachment = attachment_json(
            Attachment(kind=kind, name=stored.name), file_url(item.message_id, stored.name)
        )
    elif sent_with:
        attachment = attachment_json(
            Attachment(kind=sent_with.get("kind") or "document", name=sent_with.get("name")),
            sent_with.get("url"),
        )
    return bot_item(item.message_id, item.at, item.text, payload.get("buttons"), attachment)
