"""The Zalo commands and the Zalo side of `contact add|import|channel`, against the fake."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from plans.samples import DEFAULT_SAMPLE
from storage.db import create_engine, session_factory
from storage.models import Contact, ZaloBot
from storage.uow import UnitOfWork
from tests.fakes.zalo_api import FakeZaloAPI
from tests.fakes.zalo_helpers import ZALO_TOKEN, ZALO_TOKEN_2, ZALO_WEBHOOK_SECRET

BOT_1, BOT_2 = ZALO_TOKEN.split(":")[0], ZALO_TOKEN_2.split(":")[0]


async def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))  # main() runs its own event loop
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeZaloAPI, FakeZaloAPI]]:
    async with FakeZaloAPI(ZALO_TOKEN, display_name="Bot Nhắc việc Hà Tĩnh") as first:
        second = await first.add_bot(ZALO_TOKEN_2, display_name="Bot Nhắc việc Hà Tĩnh 2")
        yield first, second


@pytest.fixture
async def env(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fakes: tuple[FakeZaloAPI, FakeZaloAPI],
) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)
    monkeypatch.delenv("ZALO_BOT_TOKEN", raising=False)
    monkeypatch.setenv("ZALO_BOT_TOKENS", f"{ZALO_TOKEN},{ZALO_TOKEN_2}")
    monkeypatch.setenv("ZALO_API_URL", fakes[0].api_url)
    monkeypatch.chdir(tmp_path)
    code, _, err = await _run(capsys, "plan", "import", str(DEFAULT_SAMPLE))
    assert code == 0, err
    return database_url


async def _sessions_do(url: str, work) -> object:  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            result = await work(uow)
            await uow.commit()
            return result
    finally:
        await engine.dispose()


async def test_info_names_the_bots_and_keeps_their_channel_names(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await _run(capsys, "zalo", "info")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"Bot Zalo {BOT_1} «Bot Nhắc việc Hà Tĩnh» (BASIC), kênh «zalo»")
    assert lines[1].startswith(f"Bot Zalo {BOT_2} «Bot Nhắc việc Hà Tĩnh 2» (BASIC), kênh «zalo2»")
    assert "chưa đặt (long polling)" in lines[0] and "0/50 người" in lines[0]

    async def bots(uow: UnitOfWork) -> list[tuple[str, str, str | None]]:
        rows = await uow.session.scalars(select(ZaloBot).order_by(ZaloBot.id))
        return [(r.bot_id, r.channel, r.name) for r in rows]

    assert await _sessions_do(env, bots) == [
        (BOT_1, "zalo", "Bot Nhắc việc Hà Tĩnh"),
        (BOT_2, "zalo2", "Bot Nhắc việc Hà Tĩnh 2"),
    ]


async def test_set_webhook_is_per_bot_and_deliberate(
    env: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fakes: tuple[FakeZaloAPI, FakeZaloAPI],
) -> None:
    code, _, err = await _run(capsys, "zalo", "set-webhook")
    assert code == 2 and "ZALO_WEBHOOK_URL" in err
    monkeypatch.setenv("ZALO_WEBHOOK_URL", "https://nhacviec.hatinh.gov.vn/zalo/")
    monkeypatch.setenv("ZALO_WEBHOOK_SECRET", "short")
    code, _, err = await _run(capsys, "zalo", "set-webhook")
    assert code == 2 and "ZALO_WEBHOOK_SECRET" in err
    monkeypatch.setenv("ZALO_WEBHOOK_SECRET", ZALO_WEBHOOK_SECRET)
    code, out, err = await _run(capsys, "zalo", "set-webhook")
    assert code == 0, err
    first, second = fakes
    assert first.webhook_url == f"https://nhacviec.hatinh.gov.vn/zalo/{BOT_1}"
    assert second.webhook_url == f"https://nhacviec.hatinh.gov.vn/zalo/{BOT_2}"
    assert first.webhook_secret == second.webhook_secret == ZALO_WEBHOOK_SECRET
    assert out.count("Đã đăng ký webhook Zalo") == 2
    assert ZALO_TOKEN.split(":")[1] not in out + err
    code, out, _ = await _run(capsys, "zalo", "delete-webhook")
    assert code == 0 and first.webhook_url == second.webhook_url == ""


async def test_contact_add_names_the_least_loaded_bot(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await _run(capsys, "zalo", "info"))[0] == 0

    async def link_two_on_the_first_bot(uow: UnitOfWork) -> None:
        agency = (await uow.agencies.list_all())[0]
        now = datetime.now(UTC)
        for n in range(2):
            contact = await uow.contacts.add(f"Người {n}", agency.id, "focal")
            await uow.identities.link(contact.id, "zalo", f"z-{n}", f"z-{n}", now)

    await _sessions_do(env, link_two_on_the_first_bot)
    code, out, err = await _run(
        capsys, "contact", "add", "--name", "Nguyễn Văn An", "--agency", "Sở Ngoại vụ",
        "--role", "focal",
    )  # fmt: skip
    assert code == 0, err
    code_typed = out.split("Mã liên kết: ")[1].split()[0]
    assert f"Trên Zalo: tìm và mở bot «Bot Nhắc việc Hà Tĩnh 2», rồi gửi mã {code_typed}" in out
    code, out, err = await _run(
        capsys, "contact", "add", "--name", "Lê Thị Bình", "--agency", "Sở Ngoại vụ",
        "--role", "focal", "--format", "json",
    )  # fmt: skip
    assert json.loads(out)["zalo_bot"] == {
        "bot_id": BOT_2,
        "name": "Bot Nhắc việc Hà Tĩnh 2",
        "channel": "zalo2",
        "linked": 0,
    }


async def test_contact_import_spreads_people_over_the_bots(
    env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "danh-sach.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Họ tên", "Cơ quan", "Vai trò"])
        for n in range(4):
            writer.writerow([f"Cán bộ {n}", "Sở Ngoại vụ", "đầu mối"])
    code, out, err = await _run(capsys, "contact", "import", str(path), "--format", "json")
    assert code == 0, err
    bots = [c["zalo_bot"]["bot_id"] for c in json.loads(out)["created"]]
    assert bots == [BOT_1, BOT_2, BOT_1, BOT_2]
    code, out, _ = await _run(capsys, "contact", "import", str(path))
    assert "Bot Zalo" in out and "cột «Bot Zalo»" in out


async def test_contact_channel_sets_where_messages_go(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = await _run(
        capsys, "contact", "add", "--name", "Nguyễn Văn An", "--agency", "Sở Ngoại vụ",
        "--role", "focal", "--format", "json",
    )  # fmt: skip
    contact_id = str(json.loads(out)["contact_id"])
    code, out, _ = await _run(capsys, "contact", "channel", contact_id, "zalo")
    assert code == 0
    assert "Từ nay tin nhắn gửi Nguyễn Văn An đi qua Zalo." in out
    assert "chưa liên kết trên Zalo" in out
    code, out, _ = await _run(capsys, "contact", "list", "--format", "json")
    assert json.loads(out)[0]["preferred_channel"] == "zalo"
    code, out, _ = await _run(capsys, "contact", "list")
    assert "(ưu tiên Zalo)" in out
    code, _, err = await _run(capsys, "contact", "channel", contact_id, "sms")
    assert code == 2 and "telegram, zalo, auto" in err
    code, out, _ = await _run(capsys, "contact", "channel", contact_id, "auto")
    assert "kênh người đó nhắn gần nhất" in out

    async def preferred(uow: UnitOfWork) -> str | None:
        return (await uow.session.get(Contact, int(contact_id))).preferred_channel

    assert await _sessions_do(env, preferred) is None


async def test_run_refuses_a_zalo_webhook_without_a_good_secret(
    env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZALO_WEBHOOK_URL", "https://nhacviec.hatinh.gov.vn/zalo")
    code, _, err = await _run(capsys, "run")
    assert code == 2 and "ZALO_WEBHOOK_SECRET" in err
    monkeypatch.delenv("ZALO_WEBHOOK_URL")
    monkeypatch.setenv("ZALO_BOT_TOKENS", "not-a-token")
    code, _, err = await _run(capsys, "run")
    assert code == 2 and "{mã bot}:{khóa}" in err
