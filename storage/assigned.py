"""Who does which task, read lean: the first question of every report by chat."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Assignment, Task

# Built once: building and keying a statement costs more than running it (every message asks).
_TASKS_OF = (
    select(Task, Assignment.role)
    .join(Assignment, Assignment.task_id == Task.id)
    .where(Assignment.agency_id == bindparam("agency_id"), Task.active.is_(True))
    .order_by(Task.plan_id, Task.position, Assignment.id)
)
_TASK_OF = _TASKS_OF.where(Task.id == bindparam("task_id"))
_CODED = _TASKS_OF.where(Task.code == bindparam("code"))
_LEAD_IDS = (
    select(Assignment.task_id, Assignment.agency_id)
    .where(Assignment.task_id.in_(bindparam("task_ids", expanding=True)), Assignment.role == "lead")
    .order_by(Assignment.task_id, Assignment.position, Assignment.id)
)


class AssignedRepository:
    """Tasks with an agency's role in them, and lead agencies by id: no Assignment objects."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def tasks_of(
        self, agency_id: int, task_id: int | None = None, code: str | None = None
    ) -> list[tuple[Task, str]]:
        """The agency's active tasks (or the one with this id, or those with this code) with
        its role, in plan order."""
        if task_id is not None:
            stmt, params = _TASK_OF, {"agency_id": agency_id, "task_id": task_id}
        elif code is not None:
            stmt, params = _CODED, {"agency_id": agency_id, "code": code}
        else:
            stmt, params = _TASKS_OF, {"agency_id": agency_id}
        return [(task, role) for task, role in await self._session.execute(stmt, params)]

    async def lead_ids(self, task_ids: Iterable[int]) -> dict[int, list[int]]:
        """Per task, its lead agencies' ids in the order the plan lists them."""
        ids = sorted(set(task_ids))
        if not ids:
            return {}
        leads: dict[int, list[int]] = defaultdict(list)
        for task, agency in await self._session.execute(_LEAD_IDS, {"task_ids": ids}):
            leads[task].append(agency)
        return dict(leads)
