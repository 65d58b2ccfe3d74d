"""Where a task stands is the same from the reduced report history as from every report."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from handlers.standings import LATEST_ONLY
from plans.progress import VOID_STATES, checkpoints, standing
from plans.schedule import Schedule
from scheduler.calendar import WorkingCalendar
from scheduler.clock import LOCAL_TZ
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
