"""What a handler gets: the message, the person, the database, the clock, and `reply()`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.channels.base import Attachment, Button, ChatRef, IncomingMessage
from handlers.policy import Policy
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock, local_today
from storage.messaging import ConversationRepository
from storage.models import Agency, ChannelIdentity, Contact, Conversation
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Draft:
    """A message a handler wants sent; it becomes an outbox row when the handler succeeds."""

    ref: ChatRef
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    reply_to: str | None = None
    task_ids: tuple[int, ...] = ()
    contact_id: int | None = None
    kind: str = "reply"
    # A file to send with the text (a report, a chart); stored when the draft is queued.
    attachment: Attachment | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [[{"label": b.label, "data": b.data} for b in row] for row in self.buttons],
            "reply_to": self.reply_to,
            "task_ids": list(self.task_ids),
        }


@dataclass
class HandlerContext:
    message: IncomingMessage
    uow: UnitOfWork
    clock: Clock
    calendar: WorkingCalendar
    policy: Policy
    inbound_id: int
    identity: ChannelIdentity | None
    conversation: Conversation | None
    drafts: list[Draft] = field(default_factory=list)
    handled_by: str | None = None
    dialog_changed: bool = False  # set_state was called: the dispatcher stores the dialog

    # ---------------------------------------------------------------- who and when

    @property
    def contact(self) -> Contact | None:
        return self.identity.contact if self.identity is not None else None

    @property
    def agency(self) -> Agency | None:
        return self.contact.agency if self.contact is not None else None

    @property
    def role(self) -> str | None:
        return self.contact.role if self.contact is not None else None

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_today(self.clock)

    @property
    def text(self) -> str:
        return self.message.text or ""

    # ---------------------------------------------------------------- answering

    def reply(
        self,
        text: str,
        *,
        buttons: Sequence[Sequence[Button]] = (),
        task_ids: Sequence[int] = (),
        quote: bool = False,
        attachment: Attachment | None = None,
    ) -> None:
        """Answer the person who wrote; sent once the handler has finished without error."""
        self.drafts.append(
            Draft(
                ref=self.message.ref,
                text=text,
                buttons=tuple(tuple(row) for row in buttons),
                reply_to=self.message.message_id if quote else None,
                task_ids=tuple(task_ids),
                contact_id=self.contact.id if self.contact is not None else None,
                attachment=attachment,
            )
        )

    async def notify(
        self,
        contacts: Sequence[Contact],
        text: str,
        *,
        buttons: Sequence[Sequence[Button]] = (),
        task_ids: Sequence[int] = (),
        kind: str = "notice",
    ) -> int:
        """Tell other people (on the account each linked last); returns how many were reached."""
        identities = await self.uow.identities.for_contacts([c.id for c in contacts])
        for identity in identities:
            assert identity.chat_id is not None  # for_contacts returns only reachable chats
            self.drafts.append(
                Draft(
                    ref=ChatRef(identity.channel, identity.chat_id, identity.external_id),
                    text=text,
                    buttons=tuple(tuple(row) for row in buttons),
                    task_ids=tuple(task_ids),
                    contact_id=identity.contact_id,
                    kind=kind,
                )
            )
        return len(identities)

    async def coordinators(self) -> list[Contact]:
        return await self.uow.contacts.with_role("coordinator")

    # ---------------------------------------------------------------- dialog state

    @property
    def state(self) -> str | None:
        conv = self.conversation
        if conv is None or conv.state is None:
            return None
        if self.now() - conv.updated_at > self.policy.dialog_ttl:
            return None  # a question left unanswered overnight no longer binds the next message
        return conv.state

    @property
    def state_data(self) -> dict[str, Any]:
        return dict(self.conversation.data) if self.conversation and self.state else {}

    def set_state(self, state: str | None, data: dict[str, Any] | None = None) -> None:
        """Move the dialog on; stored with the handler's other writes when it has finished."""
        ref = self.message.ref
        self.conversation = ConversationRepository.stage(
            ref.channel, ref.chat_id, state, data or {}, self.now(), row=self.conversation
        )
        self.dialog_changed = True

    def clear_state(self) -> None:
        if self.conversation is not None and self.conversation.state is not None:
            self.set_state(None, {})
