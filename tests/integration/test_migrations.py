"""`nhacviec db upgrade` on an empty database and on the previous release's data; models agree."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import JSON, MetaData, inspect, text
from sqlalchemy.engine import Connection

from bot.cli import main
from plans.agencies import agency_key
from plans.timegrammar import parse_time
from scheduler.clock import LOCAL_TZ
from storage.backup import head_revision, reset_sequences
from storage.db import create_engine, session_factory, upgrade
from storage.models import Base
from tests.fakes.harness import CHANNEL, BotHarness
from tests.fixtures.databases import read_all, revision_of

PREVIOUS_RELEASE = "0002"  # before reminders: no plan settings, deputies, leave or days off
# Tables added since: reminders (0003), reports, digests and rounds (0004), Zalo (0005).
NEW_SINCE = {
    "calendar_days",
    "leaves",
    "reminder_runs",
    "stored_files",
    "digest_runs",
    "report_rounds",
    "round_answers",
    "offered_choices",
    "zalo_bots",
    "media_files",
}
SO_NGOAI_VU, SO_TTTT = "Sở Ngoại vụ", "Sở Thông tin và Truyền thông"
SCHEDULE = json.dumps(parse_time("Tháng 7/2018", plan_year=2018).to_json(), ensure_ascii=False)


async def _cli(monkeypatch: pytest.MonkeyPatch, url: str, *argv: str) -> int:
    monkeypatch.setenv("DATABASE_URL", url)
    return await asyncio.to_thread(main, list(argv))


def _reflected(conn: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(conn)
    return metadata


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_db_upgrade_migrates_an_empty_database_to_head(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert await _cli(monkeypatch, database_url, "db", "upgrade") == 0
    assert await revision_of(database_url) == head_revision()
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(_tables)
    finally:
        await engine.dispose()
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    # Running it again is harmless: nothing to do.
    assert await _cli(monkeypatch, database_url, "db", "upgrade") == 0
    assert await revision_of(database_url) == head_revision()


def _previous_release_rows(dialect: str) -> list[str]:
    """The previous release's data, as its own SQL would have written it (no ORM)."""

    def ts(moment: str) -> str:
        # What each database holds for a UTC instant: SQLite naive text, PostgreSQL with a zone.
        return f"'{moment}+00'" if dialect == "postgresql" else f"'{moment}'"

    snv, tttt = agency_key(SO_NGOAI_VU), agency_key(SO_TTTT)
    payload = json.dumps({"message": {"text": "xong 70%"}}, ensure_ascii=False)
    outbox = json.dumps({"text": "Đã ghi nhận", "buttons": [], "task_ids": [1]}, ensure_ascii=False)
    conversation = json.dumps({"report": {"percent": 70}}, ensure_ascii=False)
    return [
        "INSERT INTO plans (id, title, number, issued_on, year, issuer, source_name, source_hash,"
        " reporting, review, created_at, updated_at) VALUES (1, 'Kế hoạch thông tin đối ngoại',"
        f" '44/KH-UBND', '2018-03-05', 2018, 'UBND tỉnh Hà Tĩnh', 'kh.docx', '{'a' * 64}', '[]',"
        f" '[]', {ts('2018-03-06 01:00:00')}, {ts('2018-03-06 01:00:00')})",
        "INSERT INTO agencies (id, name, key, kind, group_of, created_at) VALUES"
        f" (1, '{SO_NGOAI_VU}', '{snv}', 'department', NULL, {ts('2018-03-06 01:00:00')}),"
        f" (2, '{SO_TTTT}', '{tttt}', 'department', NULL, {ts('2018-03-06 01:00:00')})",
        "INSERT INTO agency_aliases (id, agency_id, alias, key) VALUES (1, 1, 'Sở NV', 'so nv')",
        "INSERT INTO tasks (id, plan_id, code, title, full_text, parent_code, section, timeframe,"
        " schedule, review, source, position, active, deadline_override, created_at, updated_at)"
        " VALUES (1, 1, '1.1', 'Tổ chức hội nghị đối ngoại', 'Tổ chức hội nghị đối ngoại năm 2018',"
        f" NULL, 'I', 'Tháng 7/2018', '{SCHEDULE}', '[]', 'body', 1, TRUE, NULL,"
        f" {ts('2018-03-06 01:00:00')}, {ts('2018-03-06 01:00:00')})",
        "INSERT INTO assignments (id, task_id, agency_id, role, position) VALUES"
        " (1, 1, 1, 'lead', 0), (2, 1, 2, 'support', 0)",
        "INSERT INTO contacts (id, name, agency_id, role, phone, active, created_at) VALUES"
        f" (1, 'Nguyễn Văn An', 1, 'focal', '0912345678', TRUE, {ts('2018-03-07 02:00:00')}),"
        f" (2, 'Trần Thị Bình', 2, 'coordinator', NULL, TRUE, {ts('2018-03-07 02:00:00')})",
        "INSERT INTO channel_identities (id, contact_id, channel, external_id, chat_id, reachable,"
        f" linked_at) VALUES (1, 1, '{CHANNEL}', '5001', '5001', TRUE,"
        f" {ts('2018-03-08 03:00:00.123456')})",
        "INSERT INTO link_codes (id, contact_id, code, created_at, expires_at, used_at, used_by)"
        f" VALUES (1, 1, 'ABCDEFGH', {ts('2018-03-07 02:00:00')}, {ts('2018-03-14 02:00:00')},"
        f" {ts('2018-03-08 03:00:00')}, '{CHANNEL}:5001')",
        "INSERT INTO link_failures (id, channel, chat_id, failed_at) VALUES"
        f" (1, '{CHANNEL}', '6001', {ts('2018-03-08 04:00:00')})",
        "INSERT INTO inbound_messages (id, channel, event_id, chat_id, user_id, message_id,"
        " contact_id, text, callback_data, payload, received_at, state, handled_by, error,"
        f" processed_at) VALUES (1, '{CHANNEL}', 'e-1', '5001', '5001', 'm-1', 1, 'xong 70%',"
        f" NULL, '{payload}', {ts('2018-06-01 02:00:00')}, 'done', 'fallback', NULL,"
        f" {ts('2018-06-01 02:00:01')})",
        "INSERT INTO conversations (id, channel, chat_id, state, data, updated_at) VALUES"
        f" (1, '{CHANNEL}', '5001', NULL, '{conversation}', {ts('2018-06-01 02:00:01')})",
        "INSERT INTO reports (id, task_id, agency_id, contact_id, inbound_id, status, percent,"
        " said_date, date_role, reason, text, checkpoint, state, review_note, reviewed_by,"
        " reviewed_at, created_at) VALUES (1, 1, 1, 1, 1, 'in_progress', 70, NULL, NULL, NULL,"
        f" 'xong 70%', '2018-07-31', 'recorded', NULL, NULL, NULL, {ts('2018-06-01 02:00:01')})",
        "INSERT INTO evidence (id, report_id, contact_id, inbound_id, channel, kind, file_id, name,"
        f" size, mime_type, created_at) VALUES (1, 1, 1, 1, '{CHANNEL}', 'document', 'F-1',"
        f" 'bc.pdf', 81234, 'application/pdf', {ts('2018-06-01 02:00:01')})",
        "INSERT INTO outbox (id, channel, chat_id, contact_id, kind, idempotency_key, payload,"
        " state, attempts, not_before, claimed_at, claimed_by, sent_at, error, created_at) VALUES"
        f" (1, '{CHANNEL}', '5001', 1, 'reply', NULL, '{outbox}', 'sent', 0,"
        f" {ts('2018-06-01 02:00:01')}, {ts('2018-06-01 02:00:01')}, 'w-old',"
        f" {ts('2018-06-01 02:00:02')}, NULL, {ts('2018-06-01 02:00:01')})",
        "INSERT INTO sent_messages (id, outbox_id, channel, chat_id, message_id, task_ids, sent_at)"
        f" VALUES (1, 1, '{CHANNEL}', '5001', '77', '[1]', {ts('2018-06-01 02:00:02')})",
    ]


def _dump(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows as the driver returns them, before any model reads them."""
    found = {}
    for name in sorted(inspect(conn).get_table_names()):
        if name == "alembic_version":
            continue
        rows = conn.exec_driver_sql(f"SELECT * FROM {name} ORDER BY id").mappings().all()
        found[name] = [dict(row) for row in rows]
    return found


async def test_db_upgrade_keeps_the_previous_release_data(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    await upgrade(database_url, PREVIOUS_RELEASE)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            for statement in _previous_release_rows(conn.dialect.name):
                await conn.exec_driver_sql(statement)
            if conn.dialect.name == "postgresql":
                # The rows came with their ids; the old release's own inserts moved the sequences.
                tables = await conn.run_sync(lambda c: _reflected(c).sorted_tables)
                await reset_sequences(conn, [t for t in tables if t.name != "alembic_version"])
        async with engine.connect() as conn:
            before = await conn.run_sync(_dump)
    finally:
        await engine.dispose()
    assert all(before.values()) and not NEW_SINCE & set(before)

    assert await _cli(monkeypatch, database_url, "db", "upgrade") == 0
    assert await revision_of(database_url) == head_revision()
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            after = await conn.run_sync(_dump)
    finally:
        await engine.dispose()
    assert set(after) == set(before) | NEW_SINCE
    for name, rows in before.items():
        kept = [{k: row[k] for k in rows[0]} for row in after[name]]
        assert kept == rows, name  # every old value, byte for byte as the driver reads it
    assert all(not after[name] for name in NEW_SINCE)

    # New columns have their defaults, read through the models.
    models = await read_all(database_url)
    assert [p["settings"] for p in models["plans"]] == [{}]
    assert [c["is_deputy"] for c in models["contacts"]] == [False, False]
    assert models["channel_identities"][0]["linked_at"].microsecond == 123456

    # And the service works on the upgraded data: the linked person asks, a reminder goes out.
    engine = create_engine(database_url)
    try:
        bot = BotHarness(session_factory(engine), datetime(2018, 7, 31, 9, 0, tzinfo=LOCAL_TZ))
        answer = await bot.say("/nhiemvu", as_="5001")
        assert "1.1" in answer[-1].text and "Tổ chức hội nghị đối ngoại" in answer[-1].text
        planned = await bot.tick()
        assert planned is not None and planned.day == date(2018, 7, 31) and planned.planned == 1
        reminder = bot.last("5001").text
        assert "Nguyễn Văn An" in reminder and "Tổ chức hội nghị đối ngoại" in reminder
    finally:
        await engine.dispose()


def _same_json_default(
    context: Any,
    inspected_column: Any,
    metadata_column: Any,
    inspected_default: str | None,
    metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    """PostgreSQL has no `=` for json, so Alembic's own check of a JSON default fails there:
    compare the literal text instead ('{}'::json against '{}'); other columns: Alembic's way."""
    if not isinstance(metadata_column.type, JSON):
        return None

    def bare(default: str | None) -> str | None:
        return None if default is None else default.split("::", 1)[0].strip("'\"")

    return bare(inspected_default) != bare(rendered_metadata_default)


def _differences(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": _same_json_default}
    )
    return compare_metadata(context, Base.metadata)


async def test_models_and_migrations_agree_types_and_server_defaults_included(
    migrated_url: str,
) -> None:
    # What `alembic revision --autogenerate` would write: nothing, or a migration is missing.
    engine = create_engine(migrated_url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == []


async def test_the_previous_release_schema_is_what_0003_starts_from(database_url: str) -> None:
    await upgrade(database_url, PREVIOUS_RELEASE)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(_tables)
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("contacts")}
            )
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        await engine.dispose()
    assert version == PREVIOUS_RELEASE
    assert not NEW_SINCE & tables and "is_deputy" not in columns
