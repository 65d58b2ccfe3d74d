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
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime, utcnow

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
