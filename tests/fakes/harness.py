"""A whole bot on a recording channel and a hand-moved clock: dialog tests read like chats."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_conversation
from bot.channels.base import (
    Attachment,
    Button,
    Capabilities,
    ChatRef,
    IncomingMessage,
    MessageSink,
    OutgoingMessage,
    Receipt,
    RetryLater,
    Unreachable,
)
from bot.channels.choices import numbered
from bot.channels.text import utf16_len
from bot.channels.zalo import render_parts
from bot.digests import DigestJob, DigestSent
from bot.reminders import DayPlan, ReminderJob
from bot.rounds import RoundJob
from handlers.policy import Policy
from plans.agencies import agency_key
from plans.importer import import_plan
from plans.persist import save_plan
from plans.samples import DEFAULT_SAMPLE
from scheduler.calendar import WorkingCalendar
from scheduler.clock import ManualClock
from storage.uow import UnitOfWork

CHANNEL = "test"
FLAVOURS = ("telegram", "zalo")
ZALO_MAX_TEXT = 2000


class NotOnZalo(AssertionError):
    """The test does something a person cannot do on Zalo (press a button no message offers
    now, reply to a message, send a file): mark it `telegram_only` with the reason."""


@dataclass(frozen=True)
class Sent:
    """A message the bot sent, as the person's phone would show it.

    `text` and `buttons` are what the handler wrote; `parts` the messages the phone shows (on
    Zalo: split at 2000 characters, the buttons as numbered options under the last part).
    """

    chat_id: str
    text: str
    buttons: tuple[tuple[Button, ...], ...]
    message_id: str
    reply_to: str | None
    parts: tuple[str, ...] = ()
    attachment: Attachment | None = None  # with its bytes, as the platform would receive them

    @property
    def shown(self) -> str:
        return "\n".join(self.parts) if self.parts else self.text

    @property
    def labels(self) -> list[str]:
        return [b.label for row in self.buttons for b in row]

    def data_for(self, label: str) -> str:
        for row in self.buttons:
            for b in row:
                if b.label == label:
                    return b.data
        raise KeyError(f"no button {label!r} in {self.labels}")


class RecordingChannel:
    """Records what the bot sends; can pretend a person blocked the bot.

    The "zalo" flavour is a channel without buttons, edits or files, at 2000 characters: what
    it records is rendered as the Zalo channel renders it (bot.channels.zalo.render_parts).
    """

    name = CHANNEL

    def __init__(self, flavour: str = "telegram") -> None:
        if flavour not in FLAVOURS:
            raise ValueError(f"flavour is one of {FLAVOURS}")
        self.flavour = flavour
        if flavour == "zalo":
            self.capabilities = Capabilities(
                buttons=False, edit=False, files=False, max_text=ZALO_MAX_TEXT
            )
        else:
            self.capabilities = Capabilities(buttons=True, edit=True, files=True, max_text=4096)
        self.sent: list[Sent] = []
        self.blocked: set[str] = set()
        self.down = False  # the platform fails every send (a 5xx day)
        self.acknowledged: list[str] = []
        self._ids = itertools.count(1)

    async def start(self, sink: MessageSink) -> None:
        self.sink = sink

    async def stop(self) -> None:
        return None

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        return True

    def parse(self, payload: Mapping[str, Any]) -> list[IncomingMessage]:
        return []

    async def send(self, message: OutgoingMessage) -> Receipt:
        if message.ref.chat_id in self.blocked:
            raise Unreachable("Forbidden: bot was blocked by the user")
        if self.down:
            raise RetryLater("Bad Gateway", 30)
        parts: tuple[str, ...] = ()
        if self.flavour == "zalo":
            parts = tuple(render_parts(message.text, message.buttons, ZALO_MAX_TEXT))
            assert parts and all(utf16_len(p) <= ZALO_MAX_TEXT for p in parts), parts
        sent = Sent(
            message.ref.chat_id,
            message.text,
            message.buttons,
            str(next(self._ids)),
            None if self.flavour == "zalo" else message.reply_to,  # Zalo bots cannot quote
            parts,
            message.attachment,
        )
        self.sent.append(sent)
        return Receipt((sent.message_id,))

    async def edit(self, ref: ChatRef, message_id: str, text: str) -> None:
        return None

    async def acknowledge(self, message: IncomingMessage, text: str | None = None) -> None:
        if message.callback_id:
            self.acknowledged.append(message.callback_id)


@dataclass(frozen=True)
class Person:
    contact_id: int
    name: str
    chat_id: str
    agency: str
    role: str


class BotHarness:
    """`await bot.say("xong roi", as_=focal)` returns what the bot answered that person."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        start: datetime,
        *,
        policy: Policy | None = None,
        calendar: WorkingCalendar | None = None,
        flavour: str = "telegram",
    ) -> None:
        self.sessions = sessions
        self.clock = ManualClock(start)
        self.flavour = flavour
        self.channel = RecordingChannel(flavour)
        self.channels = {CHANNEL: self.channel}
        self.calendar = calendar or WorkingCalendar()
        self.dispatcher, self.sender = build_conversation(
            sessions,
            self.channels,
            self.clock,
            calendar=self.calendar,
            policy=policy,
            raise_errors=True,
        )
        self.reminders = ReminderJob(sessions, self.sender, self.clock, self.calendar)
        self.digests = DigestJob(sessions, self.sender, self.clock, self.calendar)
        self.rounds = RoundJob(sessions, self.sender, self.clock, self.calendar, policy)
        self._events = itertools.count(1)
        self._chats = itertools.count(1001)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def restarted(self) -> BotHarness:
        """The service started again on the same database (nothing in memory carried over but
        the platform's own counters: update ids and message ids go on)."""
        again = BotHarness(self.sessions, self.clock.now(), calendar=WorkingCalendar())
        again._events = self._events
        again._chats = self._chats
        again.channel._ids = self.channel._ids
        return again

    # ------------------------------------------------------------------ setting up

    async def import_plan(self, path: Path = DEFAULT_SAMPLE, year: int | None = None) -> int:
        plan = import_plan(path, year)
        async with self.uow() as uow:
            result = await save_plan(uow, plan, province=plan.province)
            await uow.commit()
        return result.plan_id

    async def agency_named(self, name: str) -> tuple[int, str]:
        async with self.uow() as uow:
            agency = await uow.agencies.get_by_key(agency_key(name))
            if agency is None:
                agency = await uow.agencies.get_by_name(name)
            if agency is None:
                raise LookupError(f"no agency {name!r}")
            return agency.id, agency.name

    async def issue_code(self, contact_id: int, code: str, *, days: int = 7) -> str:
        async with self.uow() as uow:
            now = self.clock.now()
            await uow.link_codes.add(contact_id, code, now, now + timedelta(days=days))
            await uow.commit()
        return code

    async def new_contact(self, name: str, agency: str, role: str = "focal") -> int:
        agency_id, _ = await self.agency_named(agency)
        async with self.uow() as uow:
            contact = await uow.contacts.add(name, agency_id, role)
            await uow.commit()
            return contact.id

    async def person(self, name: str, agency: str, role: str = "focal") -> Person:
        """A contact linked through the real flow: a code, then `/start CODE` from a new chat."""
        contact_id = await self.new_contact(name, agency, role)
        code = "".join(
            "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[(contact_id * 7 + i * 5) % 32] for i in range(8)
        )
        await self.issue_code(contact_id, code)
        _, agency_name = await self.agency_named(agency)
        chat_id = str(next(self._chats))
        person = Person(contact_id, name, chat_id, agency_name, role)
        answer = await self.say(f"/start {code}", as_=chat_id)
        assert answer and name in answer[-1].text, answer
        return person

    # ------------------------------------------------------------------ talking

    def _ref(self, who: Person | str) -> ChatRef:
        chat_id = who.chat_id if isinstance(who, Person) else who
        return ChatRef(CHANNEL, chat_id, chat_id)

    async def send(self, message: IncomingMessage) -> list[Sent]:
        before = len(self.channel.sent)
        await self.dispatcher.handle(message)
        return [s for s in self.channel.sent[before:] if s.chat_id == message.ref.chat_id]

    async def say(
        self,
        text: str,
        *,
        as_: Person | str,
        reply_to: str | None = None,
        attachments: Sequence[Attachment] = (),
        event_id: str | None = None,
    ) -> list[Sent]:
        command, args = None, ""
        if text.startswith("/"):
            head, _, args = text[1:].partition(" ")
            command = head.split("@", 1)[0].lower()
        if self.flavour == "zalo":
            if reply_to is not None:
                raise NotOnZalo("Zalo bots receive no replies to a message")
            if any(a.kind != "photo" for a in attachments):
                raise NotOnZalo("Zalo bots receive photos, not files")
        event = event_id or str(next(self._events))
        message = IncomingMessage(
            ref=self._ref(as_),
            event_id=event,
            text=text,
            command=command,
            args=args.strip(),
            reply_to=reply_to,
            message_id=f"in-{event}",
            attachments=tuple(attachments),
            sent_at=self.clock.now(),
            raw={"text": text},
        )
        return await self.send(message)

    async def press(
        self, data: str, *, as_: Person | str, message_id: str | None = None
    ) -> list[Sent]:
        """Press a button; on Zalo, type the number of the option with this data, which must
        be among the options the chat was last offered (nothing else can be typed there)."""
        if self.flavour == "zalo":
            number = await self._offered_number(as_, data, message_id)
            return await self.say(str(number), as_=as_)
        event = str(next(self._events))
        message = IncomingMessage(
            ref=self._ref(as_),
            event_id=event,
            callback_data=data,
            callback_id=f"cb-{event}",
            reply_to=message_id,
            sent_at=self.clock.now(),
            raw={"data": data},
        )
        return await self.send(message)

    async def tap(self, label: str, *, on: Sent, as_: Person) -> list[Sent]:
        """Press the button with this label under a message the person received; on Zalo,
        type its number as the message shows it."""
        if self.flavour == "zalo":
            number = next((n for n, b in numbered(on.buttons) if b.label == label), None)
            if number is None:
                raise KeyError(f"no option {label!r} in {on.labels}")
            assert f"{number} = " in on.parts[-1], on.parts[-1]  # shown to the person
            return await self.press(on.data_for(label), as_=as_, message_id=on.message_id)
        return await self.press(on.data_for(label), as_=as_, message_id=on.message_id)

    async def _offered_number(self, who: Person | str, data: str, message_id: str | None) -> int:
        ref = self._ref(who)
        async with self.uow() as uow:
            offered = await uow.choices.get(ref.channel, ref.chat_id)
        if offered is None:
            raise NotOnZalo(f"no options are open in this chat, so {data!r} cannot be typed")
        if message_id is not None and offered.message_id != message_id:
            raise NotOnZalo(
                f"only the options of the latest question can be answered on Zalo; "
                f"{data!r} is on message {message_id}, the open options on {offered.message_id}"
            )
        for number, option in enumerate(offered.options, 1):
            if option["data"] == data:
                return number
        raise NotOnZalo(f"{data!r} is not among the open options {offered.options}")

    def inbox(self, who: Person | str) -> list[Sent]:
        chat_id = who.chat_id if isinstance(who, Person) else who
        return [s for s in self.channel.sent if s.chat_id == chat_id]

    def last(self, who: Person | str) -> Sent:
        return self.inbox(who)[-1]

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))

    async def tick(self) -> DayPlan | None:
        """One wake-up of the reminder job at the clock's time."""
        return await self.reminders.tick()

    async def tick_digests(self) -> list[DigestSent]:
        """One wake-up of the weekly digest job at the clock's time."""
        return await self.digests.tick()

    async def tick_rounds(self) -> None:
        """One wake-up of the reporting-round job at the clock's time."""
        await self.rounds.tick()
