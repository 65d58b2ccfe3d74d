"""The channel-neutral message types and the interface every chat channel implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class ChatRef:
    """Where a message comes from or goes to; ids are text (Telegram int64, Zalo strings)."""

    channel: str
    chat_id: str
    user_id: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (kept as evidence) or to be sent (a report, a chart)."""

    kind: str  # "document" | "photo"
    file_id: str | None = None  # the platform's id for a received file
    name: str | None = None
    size: int | None = None
    mime_type: str | None = None
    # For sending: bytes to upload, or a URL the platform fetches (Zalo sends photos by URL).
    content: bytes | None = None
    url: str | None = None


@dataclass(frozen=True)
class Button:
    """One choice offered under a message; `data` must fit Telegram's 64 bytes."""

    label: str
    data: str


@dataclass(frozen=True)
class IncomingMessage:
    """A message or button press from a person, already out of the platform's shape."""

    ref: ChatRef
    event_id: str  # unique per channel: the update id, used to drop duplicates
    text: str = ""
    command: str | None = None  # "start" for "/start abc" (lower case, no slash, no @bot)
    args: str = ""  # "abc"
    callback_data: str | None = None  # set for a button press
    callback_id: str | None = None  # the platform's id to acknowledge the press
    reply_to: str | None = None  # the platform message id this message replies to
    message_id: str | None = None  # the platform id of this message
    attachments: tuple[Attachment, ...] = ()
    sent_at: datetime | None = None
    sender_name: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Set when the platform delivered something the bot cannot read (a voice note, a file on
    # a platform that does not hand files to bots): the platform's word for it.
    unsupported: str | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    """A message for one chat; the channel splits long text and renders the buttons."""

    ref: ChatRef
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    reply_to: str | None = None
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Receipt:
    """What the platform gave back: the ids of the messages it created (one per part)."""

    message_ids: tuple[str, ...]


@dataclass(frozen=True)
class Capabilities:
    buttons: bool
    edit: bool
    files: bool
    max_text: int


class ChannelError(Exception):
    """Sending failed; subclasses say whether and when to try again."""

    # Ids of the parts of a split message that did go out before the failure (set by the
    # channel), so whoever retries knows a resend would repeat them.
    delivered: tuple[str, ...] = ()


class RetryLater(ChannelError):
    """The platform asked us to slow down (429) or was briefly unavailable."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExceeded(RetryLater):
    """The platform's message quota is used up (Zalo's free plan: so many messages a month).

    Like any RetryLater the message waits; the coordinator is told once (bot.outbox)."""


class Unreachable(ChannelError):
    """The person blocked the bot or the chat is gone: stop writing to this identity."""


class PermanentFailure(ChannelError):
    """The platform refused this message for good (bad request); retrying will not help."""


MessageSink = Callable[["IncomingMessage"], Awaitable[None]]


class Channel(Protocol):
    name: str
    capabilities: Capabilities

    async def start(self, sink: MessageSink) -> None:
        """Begin receiving (polling, or get ready for webhook posts); each message goes to sink."""
        ...

    async def stop(self) -> None: ...

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether a webhook request really comes from the platform (constant-time check)."""
        ...

    def parse(self, payload: Mapping[str, Any]) -> list[IncomingMessage]:
        """Pure: one platform update in, zero or more messages out (unknown events give [])."""
        ...

    async def send(self, message: OutgoingMessage) -> Receipt:
        """Deliver one message; raises RetryLater, Unreachable or PermanentFailure."""
        ...

    async def edit(self, ref: ChatRef, message_id: str, text: str) -> None:
        """Replace a sent message's text and drop its buttons; no-op where editing is missing."""
        ...

    async def acknowledge(self, message: IncomingMessage, text: str | None = None) -> None:
        """Answer a button press (stops the client's spinner); no-op where there is none."""
        ...
