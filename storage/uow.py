"""The unit of work: one session, its repositories, and the only place that commits."""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


class UnitOfWork:
    """`async with UnitOfWork(sessions) as uow: …; await uow.commit()`.

    Leaving the block without `commit()` discards the work, so a handler that fails half way
    (or forgets) never leaves half a change behind.
    """

    session: AsyncSession
    plans: PlanRepository
    agencies: AgencyRepository
    tasks: TaskRepository
    assignments: AssignmentRepository
    contacts: ContactRepository
    link_codes: LinkCodeRepository
    identities: IdentityRepository
    inbound: InboundRepository
    conversations: ConversationRepository
    outbox: OutboxRepository
    reports: ReportRepository
    evidence: EvidenceRepository
    files: StoredFileRepository
    digest_runs: DigestRunRepository
    rounds: RoundRepository
    assigned: AssignedRepository
    choices: ChoiceRepository
    zalo_bots: ZaloBotRepository
    media: MediaRepository

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, single_statement: bool = False
    ) -> None:
        self._sessions = sessions
        self._open = False
        # One statement is atomic by itself: on PostgreSQL it runs without BEGIN and COMMIT,
        # two round trips fewer. (SQLite's are calls in this process, not round trips.)
        self._single_statement = single_statement

    async def __aenter__(self) -> UnitOfWork:
        if self._open:
            raise RuntimeError("this UnitOfWork is already in use; make one per piece of work")
        self._lock = _sqlite_lock(self._sessions)
        if self._lock is not None:
            key, lock = self._lock
            task = asyncio.current_task()
            if task is not None and _HOLDERS.get(key) is task:
                # A second unit of work inside the first would wait for itself forever.
                raise RuntimeError("nested UnitOfWork on SQLite: finish the first one first")
            await lock.acquire()
            if task is not None:
                _HOLDERS[key] = task
        self.session = self._sessions()
        if self._single_statement and self._lock is None:
            await self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        self.plans = PlanRepository(self.session)
        self.agencies = AgencyRepository(self.session)
        self.tasks = TaskRepository(self.session)
        self.assignments = AssignmentRepository(self.session)
        self.contacts = ContactRepository(self.session)
        self.link_codes = LinkCodeRepository(self.session)
        self.identities = IdentityRepository(self.session)
        self.inbound = InboundRepository(self.session)
        self.conversations = ConversationRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.reports = ReportRepository(self.session)
        self.evidence = EvidenceRepository(self.session)
        self.calendar_days = CalendarDayRepository(self.session)
        self.leaves = LeaveRepository(self.session)
        self.reminder_runs = ReminderRunRepository(self.session)
        self.reminder_inputs = ReminderInputs(self.session)
        self.outbox_overview = OutboxOverview(self.session)
        self.files = StoredFileRepository(self.session)
        self.digest_runs = DigestRunRepository(self.session)
        self.rounds = RoundRepository(self.session)
        self.assigned = AssignedRepository(self.session)
        self.choices = ChoiceRepository(self.session)
        self.zalo_bots = ZaloBotRepository(self.session)
        self.media = MediaRepository(self.session)
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
            # close() also ends an uncommitted transaction (so that work is discarded) but, unlike
            # rollback(), leaves loaded objects readable for building the reply afterwards.
            await self.session.close()
            self._open = False
            if self._lock is not None:
                key, lock = self._lock
                _HOLDERS.pop(key, None)
                lock.release()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def flush(self) -> None:
        await self.session.flush()
