"""The unit of work: one session, its repositories, and the only place that commits."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar, overload

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import first_write
from storage.assigned import AssignedRepository
from storage.channels import ChoiceRepository, MediaRepository, ZaloBotRepository
from storage.handing import DigestRunRepository, RoundRepository, StoredFileRepository
from storage.messaging import (
    ConversationRepository,
    IdentityRepository,
    InboundRepository,
    LinkCodeRepository,
    OutboxRepository,
)
from storage.reminding import (
    CalendarDayRepository,
    LeaveRepository,
    OutboxOverview,
    ReminderInputs,
    ReminderRunRepository,
)
from storage.reporting import EvidenceRepository, ReportRepository
from storage.repositories import (
    AgencyRepository,
    AssignmentRepository,
    ContactRepository,
    PlanRepository,
    TaskRepository,
)

# One lock per SQLite engine. Every SQLite transaction takes the write lock at BEGIN (see
# storage.db); queued in SQLite's busy handler, waiting writers sleep and poll (1 ms up to
# 100 ms a try), which under a hundred concurrent chats costs seconds. Queued here they are
# woken the moment the previous unit of work ends.
_SQLITE_LOCKS: weakref.WeakKeyDictionary[object, asyncio.Lock] = weakref.WeakKeyDictionary()
_HOLDERS: weakref.WeakKeyDictionary[object, asyncio.Task[object]] = weakref.WeakKeyDictionary()


def _sqlite_lock(sessions: async_sessionmaker[AsyncSession]) -> tuple[object, asyncio.Lock] | None:
    bind = sessions.kw.get("bind")
    if bind is None or bind.dialect.name != "sqlite":
        return None
    key = bind.sync_engine
    lock = _SQLITE_LOCKS.get(key)
    if lock is None:
        lock = _SQLITE_LOCKS[key] = asyncio.Lock()
    return key, lock


def holds_sqlite_lock(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Whether the running task is inside a UnitOfWork on this SQLite database."""
    found = _sqlite_lock(sessions)
    if found is None:
        return False
    task = asyncio.current_task()
    return task is not None and _HOLDERS.get(found[0]) is task


R = TypeVar("R")


class _Repository(Generic[R]):
    """A repository of the unit of work, made on first use: a message's work touches a few of
    the two dozen, and making them all for every transaction was a cost of its own."""

    def __init__(self, make: Callable[[AsyncSession], R]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type | None = None) -> _Repository[R]: ...
    @overload
    def __get__(self, uow: UnitOfWork, owner: type | None = None) -> R: ...
    def __get__(self, uow: UnitOfWork | None, owner: type | None = None) -> R | _Repository[R]:
        if uow is None:
            return self
        made = self._make(uow.session)
        uow.__dict__[self._name] = made  # found there from now on, before this descriptor
        return made


class UnitOfWork:
    """`async with UnitOfWork(sessions) as uow: …; await uow.commit()`.

    Leaving the block without `commit()` discards the work, so a handler that fails half way
    (or forgets) never leaves half a change behind.
    """

    session: AsyncSession
    plans = _Repository(PlanRepository)
    agencies = _Repository(AgencyRepository)
    tasks = _Repository(TaskRepository)
    assignments = _Repository(AssignmentRepository)
    contacts = _Repository(ContactRepository)
    link_codes = _Repository(LinkCodeRepository)
    identities = _Repository(IdentityRepository)
    inbound = _Repository(InboundRepository)
    conversations = _Repository(ConversationRepository)
    outbox = _Repository(OutboxRepository)
    reports = _Repository(ReportRepository)
    evidence = _Repository(EvidenceRepository)
    calendar_days = _Repository(CalendarDayRepository)
    leaves = _Repository(LeaveRepository)
    reminder_runs = _Repository(ReminderRunRepository)
    reminder_inputs = _Repository(ReminderInputs)
    outbox_overview = _Repository(OutboxOverview)
    files = _Repository(StoredFileRepository)
    digest_runs = _Repository(DigestRunRepository)
    rounds = _Repository(RoundRepository)
    assigned = _Repository(AssignedRepository)
    choices = _Repository(ChoiceRepository)
    zalo_bots = _Repository(ZaloBotRepository)
    media = _Repository(MediaRepository)

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        single_statement: bool = False,
        begin_at_first_write: bool = False,
    ) -> None:
        self._sessions = sessions
        self._open = False
        # On PostgreSQL, reads before the first write run without a transaction, and a unit of
        # work whose only write is its last may need none (storage.first_write): two round
        # trips fewer. (SQLite's BEGIN and COMMIT are calls in this process, not round trips.)
        # `single_statement` says at the start that the one write will be the last: it runs
        # alone, and a second one is an error.
        self._single_statement = single_statement
        self._begin_at_first_write = begin_at_first_write or single_statement
        self._reading: Connection | None = None

    async def __aenter__(self) -> UnitOfWork:
        if self._open:
            raise RuntimeError("this UnitOfWork is already in use; make one per piece of work")
        if holds_sqlite_lock(self._sessions):
            # A second unit of work inside the first would wait for itself forever.
            raise RuntimeError("nested UnitOfWork on SQLite: finish the first one first")
        self._lock = _sqlite_lock(self._sessions)
        if self._lock is not None:
            key, lock = self._lock
            task = asyncio.current_task()
            await lock.acquire()
            if task is not None:
                _HOLDERS[key] = task
        self.session = self._sessions()
        try:
            if self._begin_at_first_write and self._lock is None:
                connection = await self.session.connection()
                if await first_write.read_until_first_write(connection):
                    self._reading = connection.sync_connection
                    if self._single_statement:
                        first_write.last_write_follows(self._reading)
        except BaseException:
            # No __aexit__ follows a failed __aenter__: the connection goes back to the pool here.
            await self.session.close()
            raise
        self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is not None:
                await self.session.rollback()
        finally:
            for name in _REPOSITORIES:  # on this session: the next use makes new ones
                self.__dict__.pop(name, None)
            # close() also ends an uncommitted transaction (so that work is discarded) but, unlike
            # rollback(), leaves loaded objects readable for building the reply afterwards.
            await self.session.close()
            self._open = False
            self._reading = None
            if self._lock is not None:
                key, lock = self._lock
                _HOLDERS.pop(key, None)
                lock.release()

    async def commit(self) -> None:
        await self.session.commit()

    def last_write_follows(self) -> None:
        """The next write is this unit of work's last: with `begin_at_first_write`, if it is
        also the first, it runs as a statement of its own, without BEGIN and COMMIT.

        Not while changed objects wait to be flushed: commit() would write them after it."""
        session = self.session
        if self._reading is not None and not (session.new or session.dirty or session.deleted):
            first_write.last_write_follows(self._reading)

    async def rollback(self) -> None:
        await self.session.rollback()

    async def flush(self) -> None:
        await self.session.flush()


_REPOSITORIES = tuple(
    name for name, value in vars(UnitOfWork).items() if isinstance(value, _Repository)
)
