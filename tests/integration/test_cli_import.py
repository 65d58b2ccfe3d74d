"""The `nhacviec` commands against a real database: import, re-import, show, list, bad input."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.fixtures.documents import HA_TINH, QUANG_TRI


async def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    # main() runs its own event loop, so it goes to a worker thread here.
    code = await asyncio.to_thread(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's tree
    return database_url


async def test_import_store_show_and_reimport(env: str, capsys, tmp_path: Path) -> None:
    code, out, _ = await _run(capsys, "plan", "import", str(HA_TINH))
    assert code == 0
    assert "5.2.1" in out and "Sở Thông tin và Truyền thông" in out
    assert "Đã lưu kế hoạch «Kế hoạch Công tác thông tin đối ngoại tỉnh Hà Tĩnh năm 2018»" in out
    assert "18 mới" in out

    code, out, _ = await _run(capsys, "plan", "show", "--format", "json")
    shown = json.loads(out)
    assert [t["code"] for t in shown["tasks"]][:3] == ["1.1", "1.2", "1.3"]
    assert shown["plan"]["number"] == "44/KH-UBND"
    assert shown["plan"]["reporting"][0]["schedule"]["due"] == ["2018-06-30", "2018-12-31"]
    t54 = next(t for t in shown["tasks"] if t["code"] == "5.4")
    assert t54["schedule"]["due"] == ["2018-06-30"]
    assert any("Quý III/2018" in r for r in t54["review"])

    # The same plan again, edited: one task dropped, one retitled. Updated in place.
    edited = tmp_path / "ha-tinh-sua.txt"
    text = HA_TINH.read_text(encoding="utf-8")
    text = text.replace(
        "5.4. Xuất bản Sổ tay Công tác thông tin đối ngoại.",
        "5.4. Xuất bản Sổ tay Công tác thông tin đối ngoại (tái bản).",
    )
    start = text.index("5.3. Thông tin, tuyên truyền")
    end = text.index("5.4. Xuất bản")
    edited.write_text(text[:start] + text[end:], encoding="utf-8")
    code, out, _ = await _run(capsys, "plan", "import", str(edited))
    assert code == 0
    assert "0 mới" in out and "1 không còn trong văn bản" in out

    code, out, _ = await _run(capsys, "plan", "list")
    assert out.count("44/KH-UBND") == 1
    code, out, _ = await _run(capsys, "plan", "show", "--format", "json")
    shown = json.loads(out)
    titles = {t["code"]: t["title"] for t in shown["tasks"]}
    assert "5.3" not in titles
    assert titles["5.4"].endswith("(tái bản)")


async def test_dry_run_json_stores_nothing(env: str, capsys) -> None:
    code, out, err = await _run(
        capsys, "plan", "import", str(QUANG_TRI), "--dry-run", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert len(data["tasks"]) == 14
    assert data["tasks"][5]["schedule"]["due"] == ["2022-06-30", "2022-12-31"]
    assert "Chạy thử" in err
    code, out, _ = await _run(capsys, "plan", "list")
    assert "Chưa có kế hoạch nào" in out


async def test_two_plans_share_agencies(env: str, capsys) -> None:
    await _run(capsys, "plan", "import", str(QUANG_TRI))
    await _run(capsys, "plan", "import", str(HA_TINH))
    code, out, _ = await _run(capsys, "agencies", "--format", "json")
    assert code == 0
    agencies = json.loads(out)
    names = [a["name"] for a in agencies]
    assert names.count("Sở Thông tin và Truyền thông") == 1
    assert names.count("Sở Ngoại vụ") == 1
    dai = next(a for a in agencies if a["name"].startswith("Đài Phát thanh"))
    # Three spellings across the two plans meet in one agency.
    assert len(dai["aliases"]) >= 2
    _code, out, _ = await _run(capsys, "plan", "list")
    assert "Quảng Trị" in out and "Hà Tĩnh" in out


async def test_damaged_file_stores_nothing(env: str, capsys, tmp_path: Path) -> None:
    broken = tmp_path / "ke-hoach.docx"
    broken.write_bytes(b"PK\x03\x04 broken")
    code, out, err = await _run(capsys, "plan", "import", str(broken))
    assert code == 2
    assert "bị hỏng" in err and "Chưa có dữ liệu nào được lưu" in err
    code, out, _ = await _run(capsys, "plan", "list")
    assert "Chưa có kế hoạch nào" in out


async def test_no_tasks_exit_code(env: str, capsys, tmp_path: Path) -> None:
    empty = tmp_path / "cong-van.txt"
    empty.write_text("CÔNG VĂN\nV/v góp ý dự thảo năm 2026\nKính gửi các sở.\n", encoding="utf-8")
    code, _, err = await _run(capsys, "plan", "import", str(empty))
    assert code == 2 and "Không tìm thấy nhiệm vụ nào" in err


async def test_parse_time_command(capsys) -> None:
    code, out, _ = await _run(capsys, "parse", "time", "Quý II và IV/2022", "--plan-year", "2022")
    assert code == 0
    assert json.loads(out) == {
        "kind": "range",
        "start": "2022-04-01",
        "due": ["2022-06-30", "2022-12-31"],
        "rrule": None,
        "event": None,
        "text": "Quý II và IV/2022",
    }
    code, out, _ = await _run(
        capsys, "parse", "time", "xin gia han den 15/12", "--today", "2026-11-22"
    )
    assert json.loads(out)["due"] == ["2026-12-15"]
    code, _, err = await _run(capsys, "parse", "time", "  ")
    assert code == 2 and "biểu thức thời gian" in err


async def test_run_imports_the_sample_and_serves_the_demo(
    env: str, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.service

    for key in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("WEB_PORT", "0")  # any free port
    served: list[str] = []

    async def serve_once(service, on_started=None) -> None:
        # The real one waits for Ctrl+C; here the service starts, says so, and stops.
        await service.start()
        try:
            if on_started is not None:
                await on_started()
            served.append(service.url)
        finally:
            await service.stop()

    monkeypatch.setattr(bot.service, "run_until_stopped", serve_once)
    code, out, _ = await _run(capsys, "run")
    assert code == 0
    assert "Đang nhập kế hoạch mẫu" in out and "5.2.4" in out
    code, out, _ = await _run(capsys, "plan", "list")
    assert "44/KH-UBND" in out
    # A second run keeps the plan; with no channel it serves the demo and says how to add one.
    code, out, _ = await _run(capsys, "run")
    assert code == 0 and "Đang nhập kế hoạch mẫu" not in out
    assert "CHẾ ĐỘ CHẠY THỬ" in out and "DEMO MODE" in out
    assert f"Mở trang chat trên trình duyệt: {served[-1]}" in out
    assert f"Open the web chat in a browser: {served[-1]}" in out
    assert "hôm nay là 22/06/2018" in out  # resumed where the first run left the clock
    assert "TELEGRAM_BOT_TOKEN" in out and "ZALO_BOT_TOKEN" in out and "make run" in out


async def test_run_refuses_a_webhook_without_a_secret(
    env: str, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.vn/telegram/webhook")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    code, _, err = await _run(capsys, "run")
    assert code == 2 and "TELEGRAM_WEBHOOK_SECRET" in err
    assert "123:abc" not in err


async def test_parse_reply_prints_the_reading(env: str, capsys) -> None:
    code, out, _ = await _run(
        capsys, "parse", "reply", "dang lam 70%, du kien xong 15/12", "--today", "2026-11-22"
    )
    reading = json.loads(out)
    assert code == 0
    assert reading["status"] == "in_progress" and reading["percent"] == 70
    assert (reading["date"], reading["date_role"]) == ("2026-12-15", "expected_done")
    assert reading["confidence"] >= 0.7
    _, out, _ = await _run(capsys, "parse", "reply", "ok", "--today", "2026-11-22")
    assert json.loads(out)["status"] != "done"
