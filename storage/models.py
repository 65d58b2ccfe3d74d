"""The tables: plans, their tasks, agencies and who in them is reached on which channel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import LOCAL_TZ, UTCDateTime, utcnow

# Named constraints: Alembic's SQLite batch mode rebuilds tables and can only drop or alter a
# constraint it can name, and PostgreSQL's generated names would differ from SQLite's.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AGENCY_KINDS = ("department", "district", "press", "provincial", "group")
ASSIGNMENT_ROLES = ("lead", "support")
CONTACT_ROLES = ("focal", "coordinator", "leader")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _created() -> Mapped[datetime]:
    # The Python default is what the application uses; the server default covers rows written
    # by hand or by a data migration.
    return mapped_column(UTCDateTime(), default=utcnow, server_default=func.current_timestamp())


def _updated() -> Mapped[datetime]:
    return mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.current_timestamp()
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Plan(Base):
    """One plan document (kế hoạch) as last imported."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(String(100))  # số / ký hiệu, "44/KH-UBND"
    issued_on: Mapped[date | None] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    issuer: Mapped[str | None] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))
    reporting: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{text, schedule}]
    review: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The coordinator's choices for this plan, e.g. {"reminders": {"before_days": [5, 1]}};
    # what is not set here takes the defaults of scheduler.policy.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()

    tasks: Mapped[list[Task]] = relationship(back_populates="plan", lazy="raise")


class Agency(Base):
    """A provincial body tasks are assigned to, under its canonical name."""

    __tablename__ = "agencies"
    __table_args__ = (CheckConstraint(_one_of("kind", AGENCY_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500), unique=True)
    key: Mapped[str] = mapped_column(String(500), unique=True)  # plans.agencies.agency_key
    kind: Mapped[str] = mapped_column(String(20))
    # For a group ("Các sở, ban, ngành"): the kind of agency it stands for, None when vague.
    group_of: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = _created()

    # lazy="raise" everywhere: an implicit lazy load under asyncio fails far from its cause,
    # so every repository says what it loads.
    aliases: Mapped[list[AgencyAlias]] = relationship(
        back_populates="agency",
        cascade="all, delete-orphan",
        order_by="AgencyAlias.id",
        lazy="raise",
    )


class AgencyAlias(Base):
    """Another spelling of an agency's name seen in a document or typed by an admin."""

    __tablename__ = "agency_aliases"
    __table_args__ = (UniqueConstraint("agency_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(500))
    key: Mapped[str] = mapped_column(String(500), index=True)

    agency: Mapped[Agency] = relationship(back_populates="aliases", lazy="raise")


class Task(Base):
    """One task of a plan; never deleted, only deactivated, so replies and reports keep it."""

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text)
    full_text: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(String(50))
    section: Mapped[str | None] = mapped_column(Text)
    timeframe: Mapped[str | None] = mapped_column(Text)  # as written in the document
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON)  # plans.schedule.Schedule.to_json()
    review: Mapped[list[Any]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)  # document order
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Set by a person (an extension granted); an import never touches it.
    deadline_override: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()

    plan: Mapped[Plan] = relationship(back_populates="tasks", lazy="raise")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="task", cascade="all, delete-orphan", lazy="raise"
    )


class Assignment(Base):
    """An agency leading (chủ trì) or supporting (phối hợp) a task."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("task_id", "agency_id", "role"),
        CheckConstraint(_one_of("role", ASSIGNMENT_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    # The agency's place in the document's list for this role, so the list reads back in the
    # order the plan wrote it (the first lead is usually the one that answers for the task).
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    task: Mapped[Task] = relationship(back_populates="assignments", lazy="raise")
    agency: Mapped[Agency] = relationship(lazy="raise")


class Contact(Base):
    """A person who answers for an agency: its focal point, coordinator or leader."""

    __tablename__ = "contacts"
    __table_args__ = (CheckConstraint(_one_of("role", CONTACT_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # A focal point's stand-in: receives the agency's reminders only while every other focal
    # point of the agency is on leave.
    is_deputy: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Where messages to this person go when linked on several channels: "telegram" or "zalo"
    # as the coordinator set it, None for the channel they last wrote from (`last_channel`).
    preferred_channel: Mapped[str | None] = mapped_column(String(20))
    last_channel: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = _created()

    agency: Mapped[Agency] = relationship(lazy="raise")
    identities: Mapped[list[ChannelIdentity]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", lazy="raise"
    )


class ChannelIdentity(Base):
    """A contact's account on one chat channel (Telegram user id, Zalo user id)."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))  # ids as text: Telegram int64, Zalo str
    chat_id: Mapped[str | None] = mapped_column(String(100))
    # False once the platform says the bot cannot write (blocked, left the chat).
    reachable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    linked_at: Mapped[datetime] = _created()

    contact: Mapped[Contact] = relationship(back_populates="identities", lazy="raise")


LINK_CODE_LENGTH = 8
INBOUND_STATES = ("received", "done", "failed")
REPORT_STATUSES = ("done", "in_progress", "blocked", "extension_request")
# recorded: stands as said; awaiting_review: waits for the coordinator (a "done" or an extension
# request); confirmed/returned answer a "done"; approved/rejected answer an extension request.
REPORT_STATES = ("recorded", "awaiting_review", "confirmed", "returned", "approved", "rejected")
OUTBOX_STATES = ("pending", "sending", "sent", "failed")


class LinkCode(Base):
    """A one-time code that links whoever sends it to a contact (single use, expires)."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[str | None] = mapped_column(String(130))  # "channel:external_id"

    contact: Mapped[Contact] = relationship(lazy="raise")


class LinkFailure(Base):
    """A wrong code sent from a chat, kept to throttle guessing."""

    __tablename__ = "link_failures"
    __table_args__ = (
        # The throttle asks "how many failures from this chat since T".
        Index("ix_link_failures_chat", "channel", "chat_id", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InboundMessage(Base):
    """Every message or button press as received, stored before anything acts on it."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "event_id"),
        CheckConstraint(_one_of("state", INBOUND_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100))
    chat_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[str | None] = mapped_column(String(100))
    message_id: Mapped[str | None] = mapped_column(String(100))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    callback_data: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the platform's own
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(10), default="received")
    handled_by: Mapped[str | None] = mapped_column(String(50))
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Conversation(Base):
    """Where a multi-step dialog with one chat stands (awaiting a yes, a task choice, a note)."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Report(Base):
    """What an agency said about a task: status, percent, a date, a reason, in its own words."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(_one_of("status", REPORT_STATUSES), name="status"),
        CheckConstraint(_one_of("state", REPORT_STATES), name="state"),
        Index("ix_reports_task_agency", "task_id", "agency_id"),
        # Where a task stands is read from the reports not superseded (storage.reporting).
        Index("ix_reports_current", "task_id", "agency_id", "superseded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    inbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20))
    percent: Mapped[int | None] = mapped_column(Integer)
    # Named apart from the `date` type so the class body keeps the type name usable.
    said_date: Mapped[date | None] = mapped_column(Date)
    date_role: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")  # the person's words, verbatim
    # The deadline this report answers (a recurring task has one per occurrence).
    checkpoint: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="recorded")
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A progress report (done, in progress, blocked) with a newer one, not sent back, from the
    # same agency on the same task and checkpoint: only the newest counts, and this lets the
    # reading skip the rest instead of ranking them all. Set only when certain; a report not
    # marked is still ranked out when read (storage.reporting).
    superseded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def created_on(self) -> date:
        """The local day the report was made (for "done on time")."""
        return self.created_at.astimezone(LOCAL_TZ).date()


class Evidence(Base):
    """A file sent with or after a report: the platform's file id, its name and size."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    inbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    file_id: Mapped[str | None] = mapped_column(String(300))
    name: Mapped[str | None] = mapped_column(String(300))
    size: Mapped[int | None] = mapped_column(Integer)
    mime_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A message to send: written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_one_of("state", OUTBOX_STATES), name="state"),
        # The sender's question: what is pending and due, oldest first.
        Index("ix_outbox_state_due", "state", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), default="reply")
    # Unique when set: planning the same reminder twice yields one row, not two messages.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # text, buttons, reply_to, context
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SentMessage(Base):
    """A platform message the bot sent, so a reply to it can be traced to its tasks."""

    __tablename__ = "sent_messages"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    message_id: Mapped[str] = mapped_column(String(100))
    task_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarDay(Base):
    """A day off the coordinator added beyond the public holidays (a local decision, a storm)."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()


class Leave(Base):
    """A contact away from work: no reminders for them from start to end, both included."""

    __tablename__ = "leaves"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = _created()


class ReminderRun(Base):
    """One day's reminders planned: the unique day keeps two instances from planning it twice."""

    __tablename__ = "reminder_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    worker: Mapped[str] = mapped_column(String(100))
    messages: Mapped[int] = mapped_column(Integer, default=0)


class OfferedChoice(Base):
    """The numbered options last offered in a chat of a channel without buttons (Zalo).

    One row per chat: a bare number typed there means the option with that number, while the
    row is fresh and no later plain reply has replaced the question (bot.outbox).
    """

    __tablename__ = "offered_choices"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    options: Mapped[list[Any]] = mapped_column(JSON)  # [{"label": …, "data": …}] in number order
    message_id: Mapped[str | None] = mapped_column(String(100))  # the platform message
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ZaloBot(Base):
    """A Zalo bot the service has run, and the channel name its chats are stored under.

    Names are handed out once ("zalo", "zalo2", …) so they survive reordering the token list
    and replacing a token (the bot id stays the same).
    """

    __tablename__ = "zalo_bots"

    id: Mapped[int] = mapped_column(primary_key=True)
    bot_id: Mapped[str] = mapped_column(String(100), unique=True)
    channel: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))  # as Zalo shows it (getMe)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class MediaFile(Base):
    """An image or file served at an unguessable URL, for platforms that fetch by URL (Zalo)."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    mime_type: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
class StoredFile(Base):
    """A file the bot sends (a report, a chart): outbox rows point at it from their payload."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "document" | "photo"
    name: Mapped[str] = mapped_column(String(300))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DigestRun(Base):
    """One plan's weekly digest sent: the unique week keeps two instances from sending twice."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("plan_id", "week_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    week_of: Mapped[date] = mapped_column(Date)  # the Monday of the week
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    worker: Mapped[str] = mapped_column(String(100))
    messages: Mapped[int] = mapped_column(Integer, default=0)


ROUND_STATES = ("open", "closed")
ANSWER_STATES = ("answered", "skipped")


class ReportRound(Base):
    """A reporting round: focal points walked through their tasks before a reporting deadline."""

    __tablename__ = "report_rounds"
    __table_args__ = (
        UniqueConstraint("plan_id", "due"),
        CheckConstraint(_one_of("state", ROUND_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    period_code: Mapped[str] = mapped_column(String(30))  # reports.period: "2026H1", "2026"
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)  # the plan's reporting deadline
    cutoff: Mapped[date] = mapped_column(Date)  # the coordinator gets the draft this day
    state: Mapped[str] = mapped_column(String(10), default="open")
    opened_by: Mapped[str] = mapped_column(String(100))  # "schedule" or "cli"
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RoundAnswer(Base):
    """What an agency answered (or skipped) for one task in a round."""

    __tablename__ = "round_answers"
    __table_args__ = (
        UniqueConstraint("round_id", "task_id", "agency_id"),
        CheckConstraint(_one_of("state", ANSWER_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("report_rounds.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
