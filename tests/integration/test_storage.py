"""Storage on this run's database: schema, UTC timestamps, saving and re-importing plans."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from plans.agencies import agency_key
from plans.model import ImportedAgency, ImportedPlan, ImportedTask, ReportingRule
from plans.persist import load_plan, save_plan
from plans.schedule import Schedule
from storage.db import alembic_config, create_engine
from storage.models import Agency, AgencyAlias, Assignment, Base, ChannelIdentity, Plan, Task
from storage.uow import UnitOfWork

MakeUow = Callable[[], UnitOfWork]

TTTT = "Sở Thông tin và Truyền thông"
TTTT_SHORT = "Sở TT&TT"
NOI_VU = "Sở Nội vụ"
BAO = "Báo Hà Tĩnh"
HUYEN = "UBND các huyện, thành phố, thị xã"

TABLES = {
    "plans",
    "agencies",
    "agency_aliases",
    "tasks",
    "assignments",
    "contacts",
    "channel_identities",
    "link_codes",
    "link_failures",
    "inbound_messages",
    "conversations",
    "reports",
    "evidence",
    "outbox",
    "sent_messages",
    "calendar_days",
    "leaves",
    "reminder_runs",
    "offered_choices",
    "zalo_bots",
    "media_files",
    "stored_files",
    "digest_runs",
    "report_rounds",
    "round_answers",
}


def make_plan() -> ImportedPlan:
    """A small plan as the importer would hand it over: 3 tasks, 4 agencies, one alias."""
    return ImportedPlan(
        title="Kế hoạch thực hiện chuyển đổi số tỉnh Hà Tĩnh năm 2025",
        number="44/KH-UBND",
        issued_on=date(2025, 2, 7),
        year=2025,
        issuer="Ủy ban nhân dân tỉnh Hà Tĩnh",
        source_name="kh-44.docx",
        source_hash="a" * 64,
        reporting=[
            ReportingRule(
                text="Báo cáo kết quả thực hiện trước ngày 15/12/2025",
                schedule=Schedule(
                    kind="one-off", text="trước ngày 15/12/2025", due=(date(2025, 12, 15),)
                ),
            )
        ],
        tasks=[
            ImportedTask(
                code="1",
                title="Xây dựng kho dữ liệu dùng chung của tỉnh",
                full_text="1. Xây dựng kho dữ liệu dùng chung của tỉnh. Thời gian: Quý II/2025.",
                section="II. NHIỆM VỤ",
                parent_code=None,
                lead=[TTTT],
                support=[NOI_VU, BAO],
                timeframe="Quý II/2025",
                schedule=Schedule(
                    kind="one-off",
                    text="Quý II/2025",
                    start=date(2025, 4, 1),
                    due=(date(2025, 6, 30),),
                ),
                source="dòng 12",
            ),
            ImportedTask(
                code="2",
                title="Tuyên truyền về chuyển đổi số",
                full_text="2. Tuyên truyền về chuyển đổi số trên báo, đài. Thời gian: hằng quý.",
                section="II. NHIỆM VỤ",
                parent_code=None,
                lead=[NOI_VU],
                support=[TTTT],
                timeframe="Hằng quý",
                schedule=Schedule(
                    kind="recurring",
                    text="Hằng quý",
                    due=(date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30)),
                    rrule="FREQ=MONTHLY;INTERVAL=3",
                ),
                review=["Không rõ ngày báo cáo trong quý"],
                source="dòng 15",
            ),
            ImportedTask(
                code="2.1",
                title="Rà soát thủ tục hành chính trực tuyến",
                full_text="2.1. Rà soát thủ tục hành chính trực tuyến. Thường xuyên.",
                section="II. NHIỆM VỤ",
                parent_code="2",
                lead=[HUYEN],
                support=[],
                timeframe="Thường xuyên",
                schedule=Schedule(kind="ongoing", text="Thường xuyên"),
                source="dòng 18",
            ),
        ],
        # In order of first mention, leads before supports: the order load_plan gives back.
        agencies=[
            ImportedAgency(name=TTTT, kind="department", aliases=[TTTT_SHORT]),
            ImportedAgency(name=NOI_VU, kind="department"),
            ImportedAgency(name=BAO, kind="press"),
            ImportedAgency(name=HUYEN, kind="group", group_of="district"),
        ],
        review=["Phụ lục chưa đọc được"],
    )


async def _save(make_uow: MakeUow, plan: ImportedPlan, province: str | None = "Hà Tĩnh"):
    async with make_uow() as uow:
        result = await save_plan(uow, plan, province=province)
        await uow.commit()
    return result


async def _tasks_by_code(make_uow: MakeUow, plan_id: int) -> dict[str, Task]:
    async with make_uow() as uow:
        tasks = await uow.tasks.list_for_plan(plan_id, include_inactive=True)
    return {t.code: t for t in tasks}


async def _assignments(make_uow: MakeUow, plan_id: int) -> set[tuple[str, str, str]]:
    async with make_uow() as uow:
        rows = await uow.assignments.list_for_plan(plan_id)
        tasks = {
            t.id: t.code for t in await uow.tasks.list_for_plan(plan_id, include_inactive=True)
        }
    return {(tasks[r.task_id], r.role, r.agency.name) for r in rows}


# --- schema -----------------------------------------------------------------------------------


def _schema(conn: Connection) -> dict[str, set[str]]:
    insp = inspect(conn)
    return {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}


async def test_migrations_create_every_table_with_the_models_columns(migrated_url: str) -> None:
    engine = create_engine(migrated_url)
    try:
        async with engine.connect() as conn:
            schema = await conn.run_sync(_schema)
            version = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).all()
    finally:
        await engine.dispose()
    assert set(schema) == TABLES | {"alembic_version"}
    for name, table in Base.metadata.tables.items():
        assert schema[name] == {c.name for c in table.columns}, name
    assert schema["tasks"] >= {"plan_id", "code", "position", "active", "deadline_override"}
    head = ScriptDirectory.from_config(alembic_config(migrated_url)).get_current_head()
    assert version == [(head,)]


def _diff_and_indexes(conn: Connection) -> tuple[list, dict[str, set[str]], dict[str, set[str]]]:
    diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    insp = inspect(conn)
    indexes = {t: {i["name"] for i in insp.get_indexes(t)} for t in TABLES}
    uniques = {t: {u["name"] for u in insp.get_unique_constraints(t)} for t in TABLES}
    return diff, indexes, uniques


async def test_migration_matches_the_models(migrated_url: str) -> None:
    engine = create_engine(migrated_url)
    try:
        async with engine.connect() as conn:
            diff, indexes, uniques = await conn.run_sync(_diff_and_indexes)
    finally:
        await engine.dispose()
    assert diff == []
    assert "ix_tasks_plan_id" in indexes["tasks"]
    assert "ix_assignments_agency_id" in indexes["assignments"]
    assert "uq_tasks_plan_id_code" in uniques["tasks"]
    assert "uq_assignments_task_id_agency_id_role" in uniques["assignments"]
    assert "uq_channel_identities_channel_external_id" in uniques["channel_identities"]


async def test_downgrade_removes_every_table_and_upgrade_restores_them(migrated_url: str) -> None:
    engine = create_engine(migrated_url, foreign_keys=False)

    def down_then_up(conn: Connection) -> tuple[set[str], set[str]]:
        cfg = alembic_config(migrated_url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
        after_down = set(inspect(conn).get_table_names())
        command.upgrade(cfg, "head")
        return after_down, set(inspect(conn).get_table_names())

    try:
        async with engine.begin() as conn:
            after_down, after_up = await conn.run_sync(down_then_up)
    finally:
        await engine.dispose()
    assert after_down <= {"alembic_version"}
    assert after_up == TABLES | {"alembic_version"}


async def test_foreign_keys_are_enforced(make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        uow.session.add(AgencyAlias(agency_id=999_999, alias="Không có", key="khong co"))
        with pytest.raises(IntegrityError):
            await uow.flush()


# --- timestamps -------------------------------------------------------------------------------


async def test_timestamps_come_back_timezone_aware_utc(make_uow: MakeUow) -> None:
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    before = datetime.now(UTC)
    async with make_uow() as uow:
        default_stamped = await uow.agencies.add(NOI_VU, agency_key(NOI_VU), "department")
        given = Agency(
            name=BAO,
            key=agency_key(BAO),
            kind="press",
            created_at=datetime(2025, 3, 1, 7, 30, tzinfo=hanoi),
        )
        uow.session.add(given)
        await uow.commit()
        ids = default_stamped.id, given.id

    async with make_uow() as uow:
        first = await uow.agencies.get(ids[0])
        second = await uow.agencies.get(ids[1])
        assert first is not None and second is not None
        for value in (first.created_at, second.created_at):
            assert value.tzinfo is UTC
        assert before - timedelta(seconds=1) <= first.created_at <= datetime.now(UTC)
        # 07:30 in Hà Nội is 00:30 UTC: the instant is kept, not the wall-clock figures.
        assert second.created_at == datetime(2025, 3, 1, 0, 30, tzinfo=UTC)
        # Comparisons in SQL are between instants too, whatever zone the bound value has.
        cutoff = datetime(2025, 3, 1, 8, 0, tzinfo=hanoi)  # 01:00 UTC
        older = await uow.session.scalars(select(Agency.name).where(Agency.created_at < cutoff))
        assert list(older) == [BAO]


async def test_naive_datetimes_are_refused(make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        uow.session.add(
            Agency(name=BAO, key=agency_key(BAO), kind="press", created_at=datetime(2025, 3, 1))
        )
        with pytest.raises(StatementError, match="naive datetime"):
            await uow.flush()


# --- the unit of work -------------------------------------------------------------------------


async def test_unit_of_work_commits_only_when_told(make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        await uow.agencies.add(NOI_VU, agency_key(NOI_VU), "department")  # no commit
    with pytest.raises(RuntimeError, match="handler failed"):
        async with make_uow() as uow:
            await uow.agencies.add(BAO, agency_key(BAO), "press")
            raise RuntimeError("handler failed")
    async with make_uow() as uow:
        await uow.agencies.add(TTTT, agency_key(TTTT), "department")
        await uow.commit()
    async with make_uow() as uow:
        assert [a.name for a in await uow.agencies.list_all()] == [TTTT]


# --- saving plans -----------------------------------------------------------------------------


async def test_save_plan_stores_tasks_assignments_and_agencies_with_aliases(
    make_uow: MakeUow,
) -> None:
    imported = make_plan()
    result = await _save(make_uow, imported)
    assert result.created is True
    assert (result.tasks_added, result.tasks_updated, result.tasks_deactivated) == (3, 0, 0)

    async with make_uow() as uow:
        plan = await uow.plans.get(result.plan_id)
        assert plan is not None
        assert (plan.number, plan.year, plan.title) == ("44/KH-UBND", 2025, imported.title)
        assert plan.issued_on == date(2025, 2, 7)
        assert plan.reporting[0]["schedule"]["due"] == ["2025-12-15"]
        assert plan.review == ["Phụ lục chưa đọc được"]

        tasks = await uow.tasks.list_for_plan(result.plan_id)
        assert [(t.code, t.position, t.active) for t in tasks] == [
            ("1", 0, True),
            ("2", 1, True),
            ("2.1", 2, True),
        ]
        assert tasks[0].schedule["due"] == ["2025-06-30"]
        assert tasks[1].review == ["Không rõ ngày báo cáo trong quý"]
        assert tasks[2].parent_code == "2"
        assert (await uow.tasks.get_by_code(result.plan_id, "2.1")).title.startswith("Rà soát")

        agencies = {a.name: a for a in await uow.agencies.list_all()}
        assert set(agencies) == {TTTT, NOI_VU, BAO, HUYEN}
        assert [x.alias for x in agencies[TTTT].aliases] == [TTTT_SHORT]
        assert agencies[TTTT].aliases[0].key == agency_key(TTTT_SHORT, "Hà Tĩnh")
        assert agencies[HUYEN].kind == "group" and agencies[HUYEN].group_of == "district"
        assert (await uow.agencies.get_by_key(agency_key(TTTT_SHORT))).name == TTTT
        assert (await uow.agencies.find_by_alias_key(agency_key(TTTT_SHORT))).name == TTTT

        summaries = await uow.plans.list_all()
        assert [(s.plan.id, s.task_count, s.inactive_tasks) for s in summaries] == [
            (result.plan_id, 3, 0)
        ]
        baos = await uow.assignments.list_for_agency(agencies[BAO].id)
        assert [(a.task.code, a.role) for a in baos] == [("1", "support")]

    assert await _assignments(make_uow, result.plan_id) == {
        ("1", "lead", TTTT),
        ("1", "support", NOI_VU),
        ("1", "support", BAO),
        ("2", "lead", NOI_VU),
        ("2", "support", TTTT),
        ("2.1", "lead", HUYEN),
    }


async def test_another_plan_spelling_a_known_agency_differently_reuses_it(
    make_uow: MakeUow,
) -> None:
    await _save(make_uow, make_plan())
    other = ImportedPlan(
        title="Kế hoạch tuyên truyền năm 2025",
        number="45/KH-UBND",
        issued_on=None,
        year=2025,
        issuer=None,
        source_name="kh-45.txt",
        source_hash="b" * 64,
        tasks=[
            ImportedTask(
                code="1",
                title="Tuyên truyền",
                full_text="1. Tuyên truyền",
                section=None,
                parent_code=None,
                lead=["Sở Thông tin - Truyền thông tỉnh"],
            )
        ],
        agencies=[ImportedAgency(name="Sở Thông tin - Truyền thông tỉnh", kind="department")],
    )
    result = await _save(make_uow, other)
    assert result.created is True
    async with make_uow() as uow:
        agencies = await uow.agencies.list_all()
        assert len(agencies) == 4
        tttt = next(a for a in agencies if a.name == TTTT)  # the first name stays canonical
        assert {x.alias for x in tttt.aliases} == {TTTT_SHORT, "Sở Thông tin - Truyền thông tỉnh"}
    assert await _assignments(make_uow, result.plan_id) == {("1", "lead", TTTT)}


async def test_saving_again_updates_in_place(make_uow: MakeUow) -> None:
    first = await _save(make_uow, make_plan())
    before = await _tasks_by_code(make_uow, first.plan_id)

    # What people attach between imports must survive the next one.
    async with make_uow() as uow:
        bao = await uow.agencies.get_by_key(agency_key(BAO))
        contact = await uow.contacts.add("Nguyễn Văn An", bao.id, "focal", phone="0912345678")
        uow.session.add(
            ChannelIdentity(contact_id=contact.id, channel="telegram", external_id="42")
        )
        task2 = await uow.tasks.get(before["2"].id)
        task2.deadline_override = date(2025, 7, 15)
        await uow.commit()
        contact_id = contact.id
    async with make_uow() as uow:
        plan_row = await uow.plans.get(first.plan_id)
        stamped = plan_row.updated_at

    revised = make_plan()
    revised.title = "Kế hoạch thực hiện chuyển đổi số tỉnh Hà Tĩnh năm 2025 (sửa đổi)"
    revised.tasks[0].title = "Xây dựng và vận hành kho dữ liệu dùng chung"
    revised.tasks[1].support = [BAO]  # Sở TT&TT no longer supports task 2; the newspaper does
    revised.tasks.pop()  # task 2.1 dropped
    revised.tasks.insert(
        0,
        ImportedTask(
            code="0",
            title="Kiện toàn Ban chỉ đạo chuyển đổi số",
            full_text="Kiện toàn Ban chỉ đạo chuyển đổi số. Tháng 3/2025.",
            section="I. TỔ CHỨC",
            parent_code=None,
            lead=[NOI_VU],
            timeframe="Tháng 3/2025",
            schedule=Schedule(kind="one-off", text="Tháng 3/2025", due=(date(2025, 3, 31),)),
        ),
    )
    revised.agencies.pop()  # HUYEN no longer named
    second = await _save(make_uow, revised)

    assert second.plan_id == first.plan_id
    assert second.created is False
    # Task "2" only moved down a place (not an update by itself) and lost a supporter.
    assert (second.tasks_added, second.tasks_updated, second.tasks_deactivated) == (1, 2, 1)

    after = await _tasks_by_code(make_uow, first.plan_id)
    assert {c: after[c].id for c in ("1", "2", "2.1")} == {
        c: before[c].id for c in ("1", "2", "2.1")
    }
    assert after["1"].title == "Xây dựng và vận hành kho dữ liệu dùng chung"
    assert after["2.1"].active is False  # kept, not deleted
    assert [(c, t.position) for c, t in sorted(after.items(), key=lambda kv: kv[1].position)][
        :3
    ] == [("0", 0), ("1", 1), ("2", 2)]
    assert after["2"].deadline_override == date(2025, 7, 15)
    assert after["1"].updated_at > before["1"].updated_at
    assert after["2"].updated_at.tzinfo is UTC

    async with make_uow() as uow:
        plan_row = await uow.plans.get(first.plan_id)
        assert plan_row.title.endswith("(sửa đổi)")
        assert plan_row.updated_at > stamped
        assert [t.code for t in await uow.tasks.list_for_plan(first.plan_id)] == ["0", "1", "2"]
        assert len(await uow.agencies.list_all()) == 4  # agencies are never dropped
        bao = await uow.agencies.get_by_key(agency_key(BAO))
        contacts = await uow.contacts.list_for_agency(bao.id)
        assert [(c.id, c.name, c.phone) for c in contacts] == [
            (contact_id, "Nguyễn Văn An", "0912345678")
        ]
        identities = await uow.session.scalars(select(ChannelIdentity))
        assert [(i.contact_id, i.external_id, i.reachable) for i in identities] == [
            (contact_id, "42", True)
        ]
        summary = (await uow.plans.list_all())[0]
        assert (summary.active_tasks, summary.inactive_tasks) == (3, 1)

    assignments = await _assignments(make_uow, first.plan_id)
    assert ("2", "support", TTTT) not in assignments
    assert ("2", "support", BAO) in assignments
    assert ("0", "lead", NOI_VU) in assignments
    # The dropped task keeps the record of who was answerable for it.
    assert ("2.1", "lead", HUYEN) in assignments

    # The first version again: 2.1 comes back under its old id, 0 is dropped in turn.
    third = await _save(make_uow, make_plan())
    assert (third.plan_id, third.created) == (first.plan_id, False)
    assert (third.tasks_added, third.tasks_updated, third.tasks_deactivated) == (0, 3, 1)
    again = await _tasks_by_code(make_uow, first.plan_id)
    assert again["2.1"].id == before["2.1"].id and again["2.1"].active is True
    assert again["0"].active is False
    assert [c for c, t in sorted(again.items(), key=lambda kv: kv[1].position) if t.active] == [
        "1",
        "2",
        "2.1",
    ]

    # And once more unchanged: nothing to do.
    fourth = await _save(make_uow, make_plan())
    assert (fourth.tasks_added, fourth.tasks_updated, fourth.tasks_deactivated) == (0, 0, 0)


async def test_a_plan_without_number_is_matched_by_title_and_year(make_uow: MakeUow) -> None:
    plan = make_plan()
    plan.number = None
    first = await _save(make_uow, plan)
    plan.source_hash = "c" * 64
    second = await _save(make_uow, plan)
    assert (second.plan_id, second.created) == (first.plan_id, False)
    next_year = make_plan()
    next_year.number, next_year.year = None, 2026
    third = await _save(make_uow, next_year)
    assert third.created is True and third.plan_id != first.plan_id


async def test_duplicate_task_codes_are_refused(make_uow: MakeUow) -> None:
    plan = make_plan()
    plan.tasks.append(dataclasses.replace(plan.tasks[0]))
    async with make_uow() as uow:
        with pytest.raises(ValueError, match="appears twice"):
            await save_plan(uow, plan)


async def test_load_plan_round_trips(make_uow: MakeUow) -> None:
    imported = make_plan()
    saved = await _save(make_uow, imported)
    async with make_uow() as uow:
        loaded = await load_plan(uow, saved.plan_id)
    assert loaded.to_json() == imported.to_json()
    assert loaded == imported  # the fields to_json leaves out too (full text, section, source)

    revised = make_plan()
    revised.tasks.pop(0)
    revised.tasks[0].lead = [TTTT, NOI_VU]  # order as written: Sở TT&TT first now
    await _save(make_uow, revised)
    async with make_uow() as uow:
        reloaded = await load_plan(uow, saved.plan_id)
        with pytest.raises(LookupError):
            await load_plan(uow, saved.plan_id + 1000)
    assert [t["code"] for t in reloaded.to_json()["tasks"]] == ["2", "2.1"]
    assert reloaded.tasks[0].lead == [TTTT, NOI_VU]
    assert [a.name for a in reloaded.agencies] == [TTTT, NOI_VU, HUYEN]


async def test_assignment_uniqueness_is_enforced(make_uow: MakeUow) -> None:
    saved = await _save(make_uow, make_plan())
    async with make_uow() as uow:
        task = await uow.tasks.get_by_code(saved.plan_id, "1")
        existing = (await uow.assignments.list_for_tasks([task.id]))[0]
        uow.session.add(
            Assignment(task_id=task.id, agency_id=existing.agency_id, role=existing.role)
        )
        with pytest.raises(IntegrityError):
            await uow.flush()


async def test_plan_row_defaults(db_engine: AsyncEngine, make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        plan = Plan(title="T", number=None, year=2025, source_name="x", source_hash="0" * 64)
        await uow.plans.add(plan)
        await uow.commit()
    async with make_uow() as uow:
        row = await uow.plans.get(plan.id)
        assert (row.reporting, row.review) == ([], [])
        assert row.created_at.tzinfo is UTC and row.updated_at.tzinfo is UTC
