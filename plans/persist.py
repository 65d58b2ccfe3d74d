"""Storing an imported plan (re-imports update in place) and reading it back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plans.agencies import agency_key
from plans.model import (
    LEAD,
    SUPPORT,
    ImportedAgency,
    ImportedPlan,
    ImportedTask,
    ReportingRule,
)
from plans.schedule import Schedule
from storage.models import Agency, Assignment, Plan, Task
from storage.types import utcnow
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class SaveResult:
    plan_id: int
    created: bool
    tasks_added: int
    tasks_updated: int  # existing tasks whose text, schedule, assignments or activity changed
    tasks_deactivated: int  # tasks the document no longer has (kept, marked inactive)


async def save_plan(
    uow: UnitOfWork, imported: ImportedPlan, province: str | None = None
) -> SaveResult:
    """Store `imported`, updating the plan it is a new version of; the caller commits.

    `province` (default: the one the importer read) is dropped from agency names when keying
    them, so "Sở Nội vụ tỉnh Hà Tĩnh" and "Sở Nội vụ" are one agency.

    A re-import keeps every id: reminders, replies and extensions hang off task ids, so a task
    is matched by its code, updated, and deactivated (never deleted) when the document drops it.
    """
    _check_codes(imported.tasks)
    if province is None:
        # The importer may have read the province from the title (older models lack the field).
        province = getattr(imported, "province", None)
    plan, created = await _upsert_plan(uow, imported)
    find_agency = await _resolve_agencies(uow, imported, province)

    existing = {t.code: t for t in await uow.tasks.list_for_plan(plan.id, include_inactive=True)}
    current = await uow.assignments.list_for_tasks(t.id for t in existing.values())
    by_task: dict[int, list[Assignment]] = {}
    for row in current:
        by_task.setdefault(row.task_id, []).append(row)

    added = updated = 0
    for position, item in enumerate(imported.tasks):
        task = existing.get(item.code)
        if task is None:
            task = Task(plan_id=plan.id, code=item.code, position=position, active=True)
            _set_task_fields(task, item)
            await uow.tasks.add(task)
            added += 1
            await _reconcile(uow, task.id, _wanted_assignments(item, find_agency), [])
            continue
        # A task that only moved because another was inserted above it is not "updated".
        task.position = position
        changed = _set_task_fields(task, item)
        if not task.active:
            task.active = True
            changed = True
        wanted = _wanted_assignments(item, find_agency)
        if await _reconcile(uow, task.id, wanted, by_task.get(task.id, [])):
            changed = True
        if changed:
            task.updated_at = utcnow()  # assignment changes alone would not touch the row
            updated += 1

    present = {t.code for t in imported.tasks}
    deactivated = 0
    for task in existing.values():
        if task.code not in present and task.active:
            # Assignments stay: they say who answered for the task while it existed.
            task.active = False
            deactivated += 1

    if not created and (added or updated or deactivated):
        plan.updated_at = utcnow()
    await uow.flush()
    return SaveResult(plan.id, created, added, updated, deactivated)


async def load_plan(uow: UnitOfWork, plan_id: int) -> ImportedPlan:
    """The stored plan as an ImportedPlan: its active tasks in document order, and the
    agencies those tasks name, in order of first mention (leads before supports)."""
    plan = await uow.plans.get(plan_id)
    if plan is None:
        raise LookupError(f"no plan with id {plan_id}")
    tasks = await uow.tasks.list_for_plan(plan_id)
    rows = await uow.assignments.list_for_tasks(t.id for t in tasks)
    lead: dict[int, list[Agency]] = {}
    support: dict[int, list[Agency]] = {}
    for row in rows:  # ordered by task, role, position
        (lead if row.role == LEAD else support).setdefault(row.task_id, []).append(row.agency)

    mentioned: dict[int, Agency] = {}
    out_tasks = []
    for task in tasks:
        leads = lead.get(task.id, [])
        supports = support.get(task.id, [])
        for agency in (*leads, *supports):
            mentioned.setdefault(agency.id, agency)
        out_tasks.append(
            ImportedTask(
                code=task.code,
                title=task.title,
                full_text=task.full_text,
                section=task.section,
                parent_code=task.parent_code,
                lead=[a.name for a in leads],
                support=[a.name for a in supports],
                timeframe=task.timeframe,
                schedule=Schedule.from_json(task.schedule),
                review=list(task.review or []),
                source=task.source,
            )
        )
    return ImportedPlan(
        title=plan.title,
        number=plan.number,
        issued_on=plan.issued_on,
        year=plan.year,
        issuer=plan.issuer,
        source_name=plan.source_name,
        source_hash=plan.source_hash,
        reporting=[
            ReportingRule(text=r["text"], schedule=Schedule.from_json(r["schedule"]))
            for r in plan.reporting or []
        ],
        tasks=out_tasks,
        agencies=[
            ImportedAgency(
                name=a.name,
                kind=a.kind,
                aliases=[x.alias for x in a.aliases],
                group_of=a.group_of,
            )
            for a in mentioned.values()
        ],
        review=list(plan.review or []),
    )


def _check_codes(tasks: list[ImportedTask]) -> None:
    seen: set[str] = set()
    for task in tasks:
        if task.code in seen:
            # The code is what a re-import matches on; two tasks sharing one cannot be told apart.
            raise ValueError(f"task code {task.code!r} appears twice in the plan")
        seen.add(task.code)


async def _upsert_plan(uow: UnitOfWork, imported: ImportedPlan) -> tuple[Plan, bool]:
    if imported.number:
        plan = await uow.plans.get_by_number_year(imported.number, imported.year)
    else:
        plan = await uow.plans.get_by_title_year(imported.title, imported.year)
    fields: dict[str, Any] = {
        "title": imported.title,
        "number": imported.number,
        "issued_on": imported.issued_on,
        "year": imported.year,
        "issuer": imported.issuer,
        "source_name": imported.source_name,
        "source_hash": imported.source_hash,
        "reporting": [r.to_json() for r in imported.reporting],
        "review": list(imported.review),
    }
    if plan is None:
        return await uow.plans.add(Plan(**fields)), True
    _assign(plan, fields)
    return plan, False


async def _resolve_agencies(
    uow: UnitOfWork, imported: ImportedPlan, province: str | None
) -> Callable[[str], Agency | None]:
    """A name → agency lookup, after creating the plan's new agencies and recording the
    document's new spellings as aliases.

    All agencies are read once: a province has a few hundred, and one query beats one per name.
    """
    by_key: dict[str, Agency] = {}
    by_alias_key: dict[str, Agency] = {}
    by_name: dict[str, Agency] = {}
    for agency in await uow.agencies.list_all():
        by_key[agency.key] = agency
        by_name[agency.name] = agency
        for alias in agency.aliases:
            by_alias_key.setdefault(alias.key, agency)

    def find(name: str) -> Agency | None:
        key = agency_key(name, province)
        return by_key.get(key) or by_alias_key.get(key) or by_name.get(name)

    for item in imported.agencies:
        spellings = [item.name, *item.aliases]
        agency = next((a for a in map(find, spellings) if a is not None), None)
        if agency is None:
            key = agency_key(item.name, province)
            agency = await uow.agencies.add(item.name, key, item.kind, item.group_of)
            by_key[key] = agency
            by_name[agency.name] = agency
        # An agency already known keeps its canonical name (and kind: an admin may have fixed
        # it); the document's spellings become aliases so they are recognised in replies.
        for spelling in spellings:
            if spelling != agency.name:
                alias = await uow.agencies.add_alias(
                    agency, spelling, agency_key(spelling, province)
                )
                by_alias_key.setdefault(alias.key, agency)
    return find


def _wanted_assignments(
    item: ImportedTask, find: Callable[[str], Agency | None]
) -> list[tuple[int, str, int]]:
    """(agency id, role, place in the document's list) for each agency the task names."""
    wanted: list[tuple[int, str, int]] = []
    for role, names in ((LEAD, item.lead), (SUPPORT, item.support)):
        ids: list[int] = []
        for name in names:
            agency = find(name)
            if agency is None:
                raise ValueError(f"task {item.code!r} names agency {name!r}, which is unknown")
            if agency.id not in ids:  # two spellings of one agency in one list
                ids.append(agency.id)
        wanted.extend((agency_id, role, place) for place, agency_id in enumerate(ids))
    return wanted


async def _reconcile(
    uow: UnitOfWork, task_id: int, wanted: list[tuple[int, str, int]], have: list[Assignment]
) -> bool:
    """Make the task's assignments exactly `wanted`; True when anything changed."""
    changed = False
    current = {(row.agency_id, row.role): row for row in have}
    for agency_id, role, position in wanted:
        row = current.pop((agency_id, role), None)
        if row is None:
            await uow.assignments.add(task_id, agency_id, role, position)
            changed = True
        elif row.position != position:
            row.position = position
            changed = True
    if current:
        await uow.assignments.delete(list(current.values()))
        changed = True
    return changed


def _set_task_fields(task: Task, item: ImportedTask) -> bool:
    return _assign(
        task,
        {
            "title": item.title,
            "full_text": item.full_text,
            "parent_code": item.parent_code,
            "section": item.section,
            "timeframe": item.timeframe,
            "schedule": item.schedule.to_json(),
            "review": list(item.review),
            "source": item.source,
        },
    )


def _assign(row: Any, fields: dict[str, Any]) -> bool:
    """Set only the attributes that differ, so an unchanged re-import writes nothing."""
    changed = False
    for name, value in fields.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
            changed = True
    return changed
