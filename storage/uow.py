"""The unit of work: one session, its repositories, and the only place that commits."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.messaging import (
    ConversationRepository,
    IdentityRepository,
    InboundRepository,
    LinkCodeRepository,
    OutboxRepository,
)
from storage.reporting import EvidenceRepository, ReportRepository
from storage.repositories import (
    AgencyRepository,
    AssignmentRepository,
    ContactRepository,
    PlanRepository,
    TaskRepository,
)


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

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._open = False

    async def __aenter__(self) -> UnitOfWork:
        if self._open:
            raise RuntimeError("this UnitOfWork is already in use; make one per piece of work")
        self.session = self._sessions()
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

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def flush(self) -> None:
        await self.session.flush()
