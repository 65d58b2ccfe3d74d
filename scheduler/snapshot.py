"""Loads the reminder planner's snapshot from the database in a few plain queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from plans.schedule import Schedule
from scheduler.planner import Person, Snapshot
from scheduler.policy import ReminderPolicy, policy_for
from scheduler.triggers import Duty
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class ReportFacts:
    """A report as the reminder rules read it (plans.progress.ReportLike)."""

    agency_id: int
    status: str
    state: str
    percent: int | None
    said_date: date | None
    date_role: str | None
    reason: str | None
    checkpoint: date | None
    created_at: datetime

    @property
    def created_on(self) -> date:
        return self.created_at.astimezone(LOCAL_TZ).date()


def _reporting_dues(reporting: list[dict] | None) -> tuple[date, ...]:
    dues: set[date] = set()
    for entry in reporting or ():
        schedule = entry.get("schedule") if isinstance(entry, dict) else None
        if schedule:
            dues.update(Schedule.from_json(schedule).due)
    return tuple(sorted(dues))


PlanRules = tuple[dict[int, ReminderPolicy], dict[int, tuple[date, ...]]]


async def load_plan_rules(uow: UnitOfWork) -> PlanRules:
    """Each plan's reminder policy and reporting deadlines (one small query)."""
    policies: dict[int, ReminderPolicy] = {}
    reporting: dict[int, tuple[date, ...]] = {}
    for plan in await uow.reminder_inputs.plans():
        policies[plan.id] = policy_for(plan.settings)
        reporting[plan.id] = _reporting_dues(plan.reporting)
    return policies, reporting


async def load_snapshot(uow: UnitOfWork, today: date, rules: PlanRules | None = None) -> Snapshot:
    """Every active task's duties, every active contact, each plan's rules, as of now."""
    inputs = uow.reminder_inputs
    policies, reporting = rules if rules is not None else await load_plan_rules(uow)

    reports: dict[tuple[int, int], list[ReportFacts]] = defaultdict(list)
    for r in await inputs.reports():
        reports[(r.task_id, r.agency_id)].append(
            ReportFacts(
                r.agency_id,
                r.status,
                r.state,
                r.percent,
                r.said_date,
                r.date_role,
                r.reason,
                r.checkpoint,
                r.created_at,
            )
        )
    assignments: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    agency_names: dict[int, str] = {}
    for a in await inputs.assignments():
        assignments[a.task_id].append((a.agency_id, a.role, a.name))
        agency_names[a.agency_id] = a.name

    duties: list[Duty] = []
    for task in await inputs.tasks():
        schedule = Schedule.from_json(task.schedule)
        parts = assignments.get(task.id, [])
        leads = [(agency_id, name) for agency_id, role, name in parts if role == "lead"]
        lead_reports = tuple(r for agency_id, _ in leads for r in reports[(task.id, agency_id)])
        for agency_id, role, agency_name in parts:
            duties.append(
                Duty(
                    task_id=task.id,
                    code=task.code,
                    title=task.title,
                    plan_id=task.plan_id,
                    agency_id=agency_id,
                    agency_name=agency_name,
                    role=role,
                    schedule=schedule,
                    override=task.deadline_override,
                    reports=tuple(reports[(task.id, agency_id)]),
                    lead_reports=lead_reports if role == "support" else (),
                    leads=tuple(name for _, name in leads),
                )
            )

    where: dict[int, tuple[str, str]] = {}
    for account in await inputs.reachable():
        where.setdefault(account.contact_id, (account.channel, account.chat_id))
    away: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for leave in await inputs.leaves(today):
        away[leave.contact_id].append((leave.starts_on, leave.ends_on))
    people = []
    for c in await inputs.people():
        channel, chat_id = where.get(c.id, (None, None))
        people.append(
            Person(
                contact_id=c.id,
                name=c.name,
                agency_id=c.agency_id,
                agency_name=c.agency_name,
                role=c.role,
                is_deputy=bool(c.is_deputy),
                leaves=tuple(away.get(c.id, ())),
                channel=channel,
                chat_id=chat_id,
            )
        )
    return Snapshot(tuple(duties), tuple(people), policies, reporting, agency_names)
