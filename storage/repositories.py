"""Queries over the tables, one repository per aggregate; none of them ever commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from storage.models import Agency, AgencyAlias, Assignment, Contact, Plan, Task


@dataclass(frozen=True)
class PlanSummary:
    """A plan with how many of its tasks are in the current document and how many were dropped."""

    plan: Plan
    active_tasks: int
    inactive_tasks: int

    @property
    def task_count(self) -> int:
        return self.active_tasks


class PlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, plan_id: int) -> Plan | None:
        return await self._session.get(Plan, plan_id)

    async def get_by_number_year(self, number: str, year: int) -> Plan | None:
        stmt = select(Plan).where(Plan.number == number, Plan.year == year).order_by(Plan.id)
        return (await self._session.scalars(stmt.limit(1))).first()

    async def get_by_title_year(self, title: str, year: int) -> Plan | None:
        stmt = select(Plan).where(Plan.title == title, Plan.year == year).order_by(Plan.id)
        return (await self._session.scalars(stmt.limit(1))).first()

    async def add(self, plan: Plan) -> Plan:
        self._session.add(plan)
        await self._session.flush()  # callers need the id for the tasks
        return plan

    async def list_all(self) -> list[PlanSummary]:
        """Every plan, newest year first, with its task counts (one query)."""
        # count(CASE …) rather than FILTER (…): plain SQL that every SQLite build understands.
        active = func.count(case((Task.active.is_(True), Task.id)))
        inactive = func.count(case((Task.active.is_(False), Task.id)))
        stmt = (
            select(Plan, active, inactive)
            .outerjoin(Task, Task.plan_id == Plan.id)
            .group_by(Plan.id)
            .order_by(Plan.year.desc(), Plan.id.desc())
        )
        rows = await self._session.execute(stmt)
        return [PlanSummary(plan, int(a), int(i)) for plan, a, i in rows]


class AgencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, agency_id: int) -> Agency | None:
        return await self._session.get(Agency, agency_id, options=[selectinload(Agency.aliases)])

    async def get_by_key(self, key: str) -> Agency | None:
        stmt = select(Agency).where(Agency.key == key).options(selectinload(Agency.aliases))
        return (await self._session.scalars(stmt)).first()

    async def get_by_name(self, name: str) -> Agency | None:
        stmt = select(Agency).where(Agency.name == name).options(selectinload(Agency.aliases))
        return (await self._session.scalars(stmt)).first()

    async def find_by_alias_key(self, key: str) -> Agency | None:
        """The agency one of whose aliases has this key (an alias an admin taught the bot)."""
        stmt = (
            select(Agency)
            .join(AgencyAlias, AgencyAlias.agency_id == Agency.id)
            .where(AgencyAlias.key == key)
            .order_by(Agency.id)
            .limit(1)
            .options(selectinload(Agency.aliases))
        )
        return (await self._session.scalars(stmt)).first()

    async def add(self, name: str, key: str, kind: str, group_of: str | None = None) -> Agency:
        # aliases=[] marks the collection loaded, so reading it never triggers a lazy load.
        agency = Agency(name=name, key=key, kind=kind, group_of=group_of, aliases=[])
        self._session.add(agency)
        await self._session.flush()
        return agency

    async def add_alias(self, agency: Agency, alias: str, key: str) -> AgencyAlias:
        """Record another spelling; the agency's aliases must have been loaded."""
        for existing in agency.aliases:
            if existing.alias == alias:
                return existing
        row = AgencyAlias(alias=alias, key=key)
        agency.aliases.append(row)
        await self._session.flush()
        return row

    async def list_all(self) -> list[Agency]:
        """Every agency with its aliases loaded, by name."""
        stmt = select(Agency).options(selectinload(Agency.aliases)).order_by(Agency.name)
        return list(await self._session.scalars(stmt))


class TaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, task_id: int) -> Task | None:
        return await self._session.get(Task, task_id)

    async def get_by_code(self, plan_id: int, code: str) -> Task | None:
        stmt = select(Task).where(Task.plan_id == plan_id, Task.code == code)
        return (await self._session.scalars(stmt)).first()

    async def list_for_plan(self, plan_id: int, *, include_inactive: bool = False) -> list[Task]:
        """The plan's tasks in document order; dropped tasks only when asked for."""
        stmt = select(Task).where(Task.plan_id == plan_id)
        if not include_inactive:
            stmt = stmt.where(Task.active.is_(True))
        stmt = stmt.order_by(Task.position, Task.id)
        return list(await self._session.scalars(stmt))

    async def add(self, task: Task) -> Task:
        self._session.add(task)
        await self._session.flush()
        return task


class AssignmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_for_tasks(
        self, task_ids: Iterable[int], *, with_aliases: bool = True
    ) -> list[Assignment]:
        """Assignments of these tasks with their agencies loaded, in document order."""
        ids = list(task_ids)
        if not ids:
            return []
        agency = (
            selectinload(Assignment.agency).selectinload(Agency.aliases)
            if with_aliases
            else joinedload(Assignment.agency)
        )
        stmt = (
            select(Assignment)
            .where(Assignment.task_id.in_(ids))
            .options(agency)
            .order_by(Assignment.task_id, Assignment.role, Assignment.position, Assignment.id)
        )
        return list(await self._session.scalars(stmt))

    async def list_for_plan(self, plan_id: int) -> list[Assignment]:
        stmt = (
            select(Assignment)
            .join(Task, Task.id == Assignment.task_id)
            .where(Task.plan_id == plan_id)
            .options(selectinload(Assignment.agency).selectinload(Agency.aliases))
            .order_by(Task.position, Assignment.role, Assignment.position, Assignment.id)
        )
        return list(await self._session.scalars(stmt))

    async def list_for_agency(
        self, agency_id: int, *, active_only: bool = True
    ) -> list[Assignment]:
        """What an agency is assigned, with the tasks loaded (for "my tasks")."""
        stmt = (
            select(Assignment)
            .join(Task, Task.id == Assignment.task_id)
            .where(Assignment.agency_id == agency_id)
            .options(joinedload(Assignment.task))
            .order_by(Task.plan_id, Task.position, Assignment.id)
        )
        if active_only:
            stmt = stmt.where(Task.active.is_(True))
        return list(await self._session.scalars(stmt))

    async def add(self, task_id: int, agency_id: int, role: str, position: int = 0) -> Assignment:
        row = Assignment(task_id=task_id, agency_id=agency_id, role=role, position=position)
        self._session.add(row)
        return row

    async def delete(self, assignments: Sequence[Assignment]) -> None:
        for row in assignments:
            await self._session.delete(row)


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, name: str, agency_id: int, role: str, phone: str | None = None) -> Contact:
        contact = Contact(name=name, agency_id=agency_id, role=role, phone=phone)
        self._session.add(contact)
        await self._session.flush()
        return contact

    async def list_for_agency(self, agency_id: int, *, active_only: bool = True) -> list[Contact]:
        stmt = select(Contact).where(Contact.agency_id == agency_id).order_by(Contact.id)
        if active_only:
            stmt = stmt.where(Contact.active.is_(True))
        return list(await self._session.scalars(stmt))

    async def get(self, contact_id: int) -> Contact | None:
        """The contact with its agency loaded."""
        return await self._session.get(Contact, contact_id, options=[selectinload(Contact.agency)])

    async def list_all(self) -> list[Contact]:
        """Every contact with agency and identities loaded, by agency then name."""
        stmt = (
            select(Contact)
            .join(Agency, Agency.id == Contact.agency_id)
            .options(selectinload(Contact.agency), selectinload(Contact.identities))
            .order_by(Agency.name, Contact.name, Contact.id)
        )
        return list(await self._session.scalars(stmt))

    async def note_channel(self, contact_id: int, channel: str) -> None:
        """The person wrote from `channel`: their messages go there (unless one is chosen)."""
        await self._session.execute(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(last_channel=channel)
            .execution_options(synchronize_session=False)
        )

    async def set_preferred_channel(self, contact_id: int, channel: str | None) -> None:
        await self._session.execute(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(preferred_channel=channel)
            .execution_options(synchronize_session=False)
        )

    async def with_role(self, role: str) -> list[Contact]:
        """Active contacts holding a role (every coordinator, every leader), agency loaded."""
        stmt = (
            select(Contact)
            .where(Contact.role == role, Contact.active.is_(True))
            .options(selectinload(Contact.agency))
            .order_by(Contact.id)
        )
        return list(await self._session.scalars(stmt))
