"""`nhacviec backup` / `restore`: every table round-trips, on either database and across them."""

from __future__ import annotations

import asyncio
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.cli import main
from storage import backup as bk
from storage.db import create_engine, session_factory, upgrade
from storage.models import Base
from storage.uow import UnitOfWork
from tests.conftest import DB_KIND
from tests.fixtures.databases import fill_every_table, fresh_database, read_all, revision_of


async def _filled(url: str) -> dict[str, list[dict]]:
    await upgrade(url)
    engine = create_engine(url)
    try:
        await fill_every_table(session_factory(engine))
    finally:
        await engine.dispose()
    rows = await read_all(url)
    empty = [name for name, found in rows.items() if not found]
    assert not empty, f"the fixture must fill every table; empty: {empty}"
    return rows


def _server(request: pytest.FixtureRequest, kind: str) -> object:
    return request.getfixturevalue("pg_server") if kind == "postgres" else None


async def test_round_trip_keeps_every_row_of_every_table(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    before = await _filled(database_url)
    path = tmp_path / "nhacviec.zip"
    made = await bk.backup(database_url, path)
    assert made.revision == bk.head_revision()
    assert made.tables == {name: len(rows) for name, rows in before.items()}
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # names and phone numbers inside

    async with fresh_database(DB_KIND, tmp_path, _server(request, DB_KIND)) as target:
        done = await bk.restore(target, path)
        assert done.tables == made.tables
        after = await read_all(target)
        assert await revision_of(target) == bk.head_revision()
    assert after == before
    # The awkward values came back as they went in.
    outbox = {r["idempotency_key"]: r for r in after["outbox"]}["k-" + "đ" * 50]
    assert outbox["not_before"] == datetime(2018, 6, 21, 23, 59, 59, 999999, tzinfo=UTC)
    assert outbox["payload"] == {
        "text": "Chào anh/chị 👋",
        "buttons": [],
        "task_ids": [],
        "n": None,
    }
    conversation = next(r for r in after["conversations"] if r["chat_id"] == "z-😀")
    assert conversation["data"]["deep"] == {"a": [None, True, 1.5]}
    assert after["calendar_days"][0]["day"] == date(2018, 9, 3)
    assert {c["is_deputy"] for c in after["contacts"]} == {False}
    assert after["stored_files"][0]["content"] == bytes(range(256))  # every byte value


async def test_the_file_is_json_lines_per_table_with_a_manifest(
    database_url: str, tmp_path: Path
) -> None:
    before = await _filled(database_url)
    path = tmp_path / "b.zip"
    await bk.backup(database_url, path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == "nhacviec-backup" and manifest["format_version"] == 1
        assert manifest["alembic_revision"] == bk.head_revision()
        assert manifest["source"] == ("sqlite" if DB_KIND == "sqlite" else "postgresql")
        assert set(manifest["tables"]) == set(before)
        assert manifest["tables"]["outbox"]["columns"]["not_before"] == "datetime"
        assert manifest["tables"]["plans"]["columns"]["settings"] == "json"
        lines = archive.read("tables/contacts.jsonl").decode().splitlines()
    names = [json.loads(line)["name"] for line in lines]
    assert names == [c["name"] for c in before["contacts"]]
    created = json.loads(lines[0])["created_at"]
    assert created.endswith("+00:00")  # every timestamp written in UTC with its offset


async def test_restore_refuses_a_database_with_data_unless_forced(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    before = await _filled(database_url)
    path = tmp_path / "b.zip"
    await bk.backup(database_url, path)
    with pytest.raises(bk.TargetNotEmpty, match=r"not empty: .*contacts \(3\)"):
        await bk.restore(database_url, path)
    # Something changed after the backup: --force puts the backup's state back exactly.
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            agency = (await uow.agencies.list_all())[0]
            await uow.contacts.add("Người mới", agency.id, "focal")
            await uow.commit()
    finally:
        await engine.dispose()
    await bk.restore(database_url, path, force=True)
    assert await read_all(database_url) == before


async def test_new_rows_after_a_restore_get_fresh_ids(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    before = await _filled(database_url)
    path = tmp_path / "b.zip"
    await bk.backup(database_url, path)
    async with fresh_database(DB_KIND, tmp_path, _server(request, DB_KIND)) as target:
        await bk.restore(target, path)
        engine = create_engine(target)
        try:
            async with UnitOfWork(session_factory(engine)) as uow:
                agency = (await uow.agencies.list_all())[0]
                contact = await uow.contacts.add("Người mới", agency.id, "focal")
                await uow.commit()
        finally:
            await engine.dispose()
    # On PostgreSQL the id sequences were moved past the restored rows.
    assert contact.id == max(c["id"] for c in before["contacts"]) + 1


async def test_a_backup_of_the_previous_release_restores_and_is_upgraded(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    await upgrade(database_url, "0002")
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql(
                "INSERT INTO agencies (id, name, key, kind, created_at) "
                "VALUES (1, 'Sở Nội vụ', 'so noi vu', 'department', '2018-06-01 01:02:03')"
            )
            await conn.exec_driver_sql(
                "INSERT INTO contacts (id, name, agency_id, role, phone, active, created_at) "
                "VALUES (1, 'Lê Văn Cường', 1, 'focal', '0912345678', TRUE, '2018-06-01 01:02:03')"
            )
    finally:
        await engine.dispose()
    path = tmp_path / "old.zip"
    assert (await bk.backup(database_url, path)).revision == "0002"
    async with fresh_database(DB_KIND, tmp_path, _server(request, DB_KIND)) as target:
        await bk.restore(target, path)
        assert await revision_of(target) == bk.head_revision()
        rows = await read_all(target)
    [contact] = rows["contacts"]
    assert (contact["name"], contact["phone"], contact["is_deputy"]) == (
        "Lê Văn Cường",
        "0912345678",
        False,  # the column 0003 added, with its default
    )
    assert contact["created_at"] == datetime(2018, 6, 1, 1, 2, 3, tzinfo=UTC)


async def test_a_restore_that_fails_leaves_the_target_as_it_was(
    database_url: str, tmp_path: Path
) -> None:
    before = await _filled(database_url)
    path = tmp_path / "b.zip"
    await bk.backup(database_url, path)
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "tables/reports.jsonl":
                data += b'{"id": 999999, "task_id": 123456789}\n'  # a dangling foreign key
            dst.writestr(item, data)
    with pytest.raises(Exception):  # noqa: B017 - the database's own integrity error
        await bk.restore(database_url, broken, force=True)
    assert await read_all(database_url) == before


async def test_what_restore_refuses(database_url: str, tmp_path: Path) -> None:
    await _filled(database_url)
    path = tmp_path / "b.zip"
    await bk.backup(database_url, path)
    with pytest.raises(bk.BackupError, match="no such file"):
        bk.read_manifest(tmp_path / "missing.zip")
    (tmp_path / "plain.txt").write_text("hello")
    with pytest.raises(bk.BackupError, match="not a nhacviec backup"):
        bk.read_manifest(tmp_path / "plain.txt")
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(newer, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["alembic_revision"] = "0099"
                data = json.dumps(manifest).encode()
            dst.writestr(item, data)
    with pytest.raises(bk.BackupError, match="'0099' is newer than this release knows"):
        bk.read_manifest(newer)
    with pytest.raises(bk.BackupError, match="no database file"):
        await bk.backup(f"sqlite+aiosqlite:///{tmp_path / 'nothing.db'}", tmp_path / "x.zip")
    assert not (tmp_path / "nothing.db").exists()


@pytest.mark.postgres
@pytest.mark.parametrize("direction", ["sqlite→postgres", "postgres→sqlite"])
async def test_across_database_kinds(direction: str, tmp_path: Path, pg_server: object) -> None:
    source_kind, _, target_kind = direction.partition("→")
    async with (
        fresh_database(source_kind, tmp_path, pg_server) as source,
        fresh_database(target_kind, tmp_path, pg_server) as target,
    ):
        before = await _filled(source)
        path = tmp_path / "across.zip"
        await bk.backup(source, path)
        await bk.restore(target, path)
        assert await read_all(target) == before
        # The service goes on writing there: fresh ids past the restored ones.
        engine = create_engine(target)
        try:
            async with UnitOfWork(session_factory(engine)) as uow:
                contact = await uow.contacts.add("Người mới", before["agencies"][0]["id"], "focal")
                await uow.commit()
        finally:
            await engine.dispose()
        assert contact.id == max(c["id"] for c in before["contacts"]) + 1


async def test_the_commands(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    before = await _filled(database_url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    code = await asyncio.to_thread(main, ["backup", "sao-luu.zip"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"Đã sao lưu {sum(len(r) for r in before.values())} dòng của {len(before)} bảng" in out
    assert "contacts: 3/3" in err  # progress, per table, on stderr

    code = await asyncio.to_thread(main, ["restore", "sao-luu.zip"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Cơ sở dữ liệu đích đã có dữ liệu nên chưa khôi phục" in err and "--force" in err

    target = f"sqlite+aiosqlite:///{tmp_path / 'moi.db'}"
    monkeypatch.setenv("DATABASE_URL", target)
    code = await asyncio.to_thread(main, ["restore", "sao-luu.zip"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Đã khôi phục" in out and "nâng cấp cấu trúc lên phiên bản mới nhất" in out
    assert await read_all(target) == before


def test_every_model_column_has_a_backup_kind() -> None:
    # A new column of a type the dump cannot spell must fail here, not in a real backup.
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            assert bk._kind(column) in {"datetime", "date", "json", "bool", "int", "str", "bytes"}
