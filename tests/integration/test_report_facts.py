"""Where a task stands is the same from the reduced report history as from every report."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.standings import LATEST_ONLY
from plans.progress import VOID_STATES, checkpoints, standing
from plans.schedule import Schedule
from scheduler.calendar import WorkingCalendar
from scheduler.clock import LOCAL_TZ
from storage.db import create_engine, downgrade, upgrade
from storage.models import REPORT_STATES, REPORT_STATUSES
from tests.fakes.harness import BotHarness

DAYS = [date(2018, 3, 1) + timedelta(days=40 * i) for i in range(10)]


async def test_reduced_history_gives_every_standing_the_full_one_gives(make_bot) -> None:
    bot: BotHarness = make_bot()
    plan_id = await bot.import_plan()
    rng = random.Random(20180621)
    async with bot.uow() as uow:
        tasks = await uow.tasks.list_for_plan(plan_id)
        agencies = [a.id for a in await uow.agencies.list_all()][:3]
        # Two of them made quarterly, so that checkpoints (one per occurrence) come into play.
        for task in tasks[:2]:
            quarters = (date(2018, 3, 31), date(2018, 6, 30), date(2018, 9, 30), date(2018, 12, 31))
            task.schedule = Schedule("recurring", "hằng quý", due=quarters).to_json()
        picked = tasks[:6]
        stamp = datetime(2018, 2, 1, 9, tzinfo=LOCAL_TZ)
        for _ in range(400):
            task = rng.choice(picked)
            dues = checkpoints(Schedule.from_json(task.schedule), None)
            stamp += timedelta(hours=rng.choice((0, 1, 7)))  # ties in created_at too
            await uow.reports.add(
                task_id=task.id,
                agency_id=rng.choice(agencies),
                contact_id=None,
                inbound_id=None,
                status=rng.choice(REPORT_STATUSES),
                percent=rng.choice((None, 10, 50, 90)),
                said_date=rng.choice((None, *DAYS)),
                date_role=rng.choice((None, "done_on", "expected_done", "new_deadline")),
                reason=rng.choice((None, "kinh phí")),
                text="",
                checkpoint=rng.choice((None, *dues)) if dues else None,
                state=rng.choice(REPORT_STATES),
                created_at=stamp,
            )
        await uow.commit()

    await _assert_reduced_history_agrees(bot, picked, agencies)

    # Reports sent back after newer ones came (the coordinator's "Trả lại"): the report each
    # had superseded counts again, and the reduced history still agrees.
    async with bot.uow() as uow:
        every = await uow.reports.for_tasks(t.id for t in picked)
        live = [r for r in every if r.state not in VOID_STATES and r.status in LATEST_ONLY]
        for report in rng.sample(live, 60):
            report.state = "returned"
            await uow.reports.reinstate_before(report)
        await uow.commit()
    await _assert_reduced_history_agrees(bot, picked, agencies)


async def test_a_newer_report_supersedes_and_sending_it_back_reinstates(make_bot) -> None:
    bot: BotHarness = make_bot()
    plan_id = await bot.import_plan()
    async with bot.uow() as uow:
        task = (await uow.tasks.list_for_plan(plan_id))[0]
        agency = (await uow.agencies.list_all())[0].id
        at = datetime(2018, 6, 1, 9, tzinfo=LOCAL_TZ)
        made = {}
        for name, status, state, percent in (
            ("first", "in_progress", "recorded", 30),
            ("second", "in_progress", "recorded", 60),
            ("done", "done", "awaiting_review", 100),
            ("third", "in_progress", "recorded", 90),
        ):
            made[name] = await uow.reports.add(
                task_id=task.id,
                agency_id=agency,
                status=status,
                percent=percent,
                checkpoint=None,
                state=state,
                created_at=at,  # one instant: the order is the ids'
            )
        await uow.commit()
    async with bot.uow() as uow:
        kept = await uow.reports.facts_for(
            [task.id], [agency], void_states=VOID_STATES, latest_only=LATEST_ONLY
        )
        superseded = {r.id for r in await uow.reports.for_tasks([task.id]) if r.superseded}
    assert [(r.status, r.percent) for r in kept] == [("done", 100), ("in_progress", 90)]
    assert superseded == {made["first"].id, made["second"].id}

    async with bot.uow() as uow:
        third = await uow.reports.get(made["third"].id)
        assert third is not None
        third.state = "returned"
        await uow.reports.reinstate_before(third)
        await uow.commit()
    async with bot.uow() as uow:
        kept = await uow.reports.facts_for(
            [task.id], [agency], void_states=VOID_STATES, latest_only=LATEST_ONLY
        )
    assert [(r.status, r.percent) for r in kept] == [("in_progress", 60), ("done", 100)]


async def _assert_reduced_history_agrees(bot: BotHarness, picked, agencies) -> None:
    calendar = WorkingCalendar()
    async with bot.uow() as uow:
        every = await uow.reports.for_tasks(t.id for t in picked)
        reduced = await uow.reports.facts_for(
            (t.id for t in picked), agencies, void_states=VOID_STATES, latest_only=LATEST_ONLY
        )
    assert len(reduced) < len(every)
    compared = 0
    for task in picked:
        schedule = Schedule.from_json(task.schedule)
        for agency in agencies:
            full = [r for r in every if (r.task_id, r.agency_id) == (task.id, agency)]
            few = [r for r in reduced if (r.task_id, r.agency_id) == (task.id, agency)]
            for today in DAYS:
                for override in (None, date(2018, 9, 30)):
                    for confirm in (True, False):
                        args = (schedule, override)
                        kw = {"needs_confirmation": confirm}
                        assert standing(*args, few, today, calendar, **kw) == standing(
                            *args, full, today, calendar, **kw
                        ), (task.code, agency, today, override, confirm)
                        compared += 1
    assert compared > 100


async def test_the_migration_marks_the_reports_already_stored(
    make_bot, db_engine: AsyncEngine, migrated_url: str
) -> None:
    bot: BotHarness = make_bot()
    plan_id = await bot.import_plan()
    async with bot.uow() as uow:
        task = (await uow.tasks.list_for_plan(plan_id))[0]
        agency = (await uow.agencies.list_all())[0].id
        at = datetime(2018, 6, 1, 9, tzinfo=LOCAL_TZ)
        for percent, state in ((20, "recorded"), (40, "recorded"), (70, "recorded")):
            await uow.reports.add(
                task_id=task.id,
                agency_id=agency,
                status="in_progress",
                percent=percent,
                state=state,
                created_at=at,
            )
        await uow.reports.add(
            task_id=task.id, agency_id=agency, status="done", state="returned", created_at=at
        )
        await uow.commit()
    await db_engine.dispose()  # its pooled connections would hold the tables
    # Back to before the mark, and up again: the upgrade works out the marks from the rows.
    await downgrade(migrated_url, "0005")
    await upgrade(migrated_url)
    engine = create_engine(migrated_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT status, percent, superseded FROM reports ORDER BY id")
            )
            marks = [(status, percent, bool(superseded)) for status, percent, superseded in rows]
    finally:
        await engine.dispose()
    assert marks == [
        ("in_progress", 20, True),
        ("in_progress", 40, True),
        ("in_progress", 70, False),
        ("done", None, False),
    ]
