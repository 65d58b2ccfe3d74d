"""The reminder commands: preview, status, policy, days off, a deadline set by hand."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from plans.samples import DEFAULT_SAMPLE

SO_TTTT = "Sở Thông tin và Truyền thông"
SO_NGOAI_VU = "Sở Ngoại vụ"


async def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))  # main() runs its own event loop
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
async def env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert (await _run(capsys, "plan", "import", str(DEFAULT_SAMPLE)))[0] == 0
    for name, agency, role in (
        ("Nguyễn Văn An", SO_TTTT, "focal"),
        ("Trần Thị Bình", SO_NGOAI_VU, "focal"),
        ("Lê Thu Hà", SO_TTTT, "coordinator"),
    ):
        code, _, err = await _run(capsys, "contact", "add", "--name", name, "--agency", agency,
                                  "--role", role)  # fmt: skip
        assert code == 0, err
    return database_url


async def _preview(capsys, start: str, end: str) -> list[dict]:
    code, out, err = await _run(
        capsys, "remind", "preview", "--from", start, "--to", end, "--format", "json"
    )
    assert code == 0, err
    return json.loads(out)


async def test_preview_lists_each_message_with_its_day_kind_and_tasks(env, capsys) -> None:
    rows = await _preview(capsys, "25/06/2018", "02/07/2018")
    assert rows and set(rows[0]) == {"send_at", "contact", "agency", "channel", "kind", "tasks"}
    by_day = {(r["send_at"][:10], r["contact"]): r for r in rows}
    # Hà Tĩnh 2018, tasks 3.1 and 5.4 (Sở TT&TT) are due 30/06/2018, a Saturday: 3 working
    # days before Monday 02/07 is 27/06; the day itself is 02/07.
    before = by_day[("2018-06-27", "Nguyễn Văn An")]
    assert before["kind"] == "before" and {"3.1", "5.4"} <= set(before["tasks"])
    assert before["send_at"] == "2018-06-27T08:00:00+07:00"
    assert before["channel"] is None  # not linked yet: listed, not sendable
    assert by_day[("2018-07-02", "Nguyễn Văn An")]["kind"] == "due"
    assert all(r["send_at"][:10] not in ("2018-06-30", "2018-07-01") for r in rows)  # weekend

    code, out, _ = await _run(capsys, "remind", "preview", "--from", "2018-06-27",
                              "--to", "2018-06-27")  # fmt: skip
    assert code == 0 and "Nguyễn Văn An" in out and "sắp đến hạn" in out and "3.1" in out


async def test_a_day_off_moves_the_preview(env, capsys) -> None:
    code, out, _ = await _run(capsys, "calendar", "add-holiday", "27/06/2018", "--note", "Bão số 3")
    assert code == 0 and "27/06/2018" in out and "Bão số 3" in out
    code, out, _ = await _run(capsys, "calendar", "add-holiday", "2018-06-27")
    assert code == 0 and "đã có" in out
    rows = await _preview(capsys, "25/06/2018", "29/06/2018")
    days = {r["send_at"][:10] for r in rows if r["contact"] == "Nguyễn Văn An"}
    assert "2018-06-27" not in days and "2018-06-26" in days  # 3 working days back from 02/07
    code, out, _ = await _run(capsys, "calendar", "list", "--year", "2018")
    assert "27/06/2018" in out and "Bão số 3" in out and "02/09/2018" in out
    assert (await _run(capsys, "calendar", "remove-holiday", "27/06/2018"))[0] == 0
    code, _, err = await _run(capsys, "calendar", "remove-holiday", "27/06/2018")
    assert code == 2 and "27/06/2018" in err


async def test_set_deadline_for_an_event_task_and_bad_input(env, capsys) -> None:
    code, out, err = await _run(capsys, "task", "set-deadline", "9.9", "15/07/2018")
    assert code == 2 and "9.9" in err
    with pytest.raises(SystemExit) as exit_:
        await _run(capsys, "task", "set-deadline", "3.1", "31/13/2018")
    assert exit_.value.code == 2 and "«31/13/2018»" in capsys.readouterr().err
    code, out, err = await _run(capsys, "task", "set-deadline", "3.1", "20/07/2018")
    assert code == 0 and "3.1" in out and "20/07/2018" in out
    rows = await _preview(capsys, "27/06/2018", "20/07/2018")
    an = [r for r in rows if r["contact"] == "Nguyễn Văn An" and "3.1" in r["tasks"]]
    days = [r["send_at"][:10] for r in an]
    # The 02/07 deadline is gone; 7, 3, 1 working days before 20/07 and the day itself.
    assert days == ["2018-07-11", "2018-07-17", "2018-07-19", "2018-07-20"]


async def test_policy_per_plan(env, capsys) -> None:
    code, out, err = await _run(capsys, "remind", "policy", "--set", "before_days=5,1",
                                "--set", "send_at=07:30", "--format", "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["before_days"] == [5, 1] and data["send_at"] == "07:30"
    rows = await _preview(capsys, "21/06/2018", "29/06/2018")
    an = [r for r in rows if r["contact"] == "Nguyễn Văn An" and "3.1" in r["tasks"]]
    # 5 and 1 working days before Monday 02/07: 25/06 and 29/06; no 7- or 3-day reminder.
    assert [r["send_at"] for r in an] == ["2018-06-25T08:00:00+07:00", "2018-06-29T08:00:00+07:00"]
    code, _, err = await _run(capsys, "remind", "policy", "--set", "every_hour=1")
    assert code == 2 and "every_hour" in err
    code, out, _ = await _run(capsys, "remind", "policy", "--reset", "--format", "json")
    assert json.loads(out)["before_days"] == [7, 3, 1]


async def test_status_shows_the_outbox_and_who_cannot_be_reached(env, capsys) -> None:
    code, out, err = await _run(capsys, "remind", "status")
    assert code == 0, err
    assert "Hộp thư đi" in out and "chờ gửi: 0" in out
    assert "Chưa liên kết" in out and "Trần Thị Bình" in out
