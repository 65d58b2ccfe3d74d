"""`nhacviec round open|status|policy` and `nhacviec report digest-policy`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.models import ChannelIdentity, OutboxMessage
from tests.fixtures.report_season import NOI_VU, TTTT, build_season


async def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))  # main() runs its own event loop
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
async def env(make_uow, migrated_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    async with make_uow() as uow:
        season = await build_season(uow)
        linked = await uow.contacts.add("Nguyễn Văn Thông", season.agencies[TTTT], "focal")
        await uow.contacts.add("Trần Thị Nội", season.agencies[NOI_VU], "focal")
        uow.session.add(
            ChannelIdentity(contact_id=linked.id, channel="telegram", external_id="501",
                            chat_id="501", linked_at=datetime(2026, 1, 5, tzinfo=UTC))
        )  # fmt: skip
        await uow.commit()
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def test_open_a_round_by_hand_and_see_who_answered(env, capsys, make_uow) -> None:
    code, out, err = await _run(capsys, "round", "open", "--period", "2026H2", "--due",
                                "25/11/2026", "--today", "10/11/2026")  # fmt: skip
    assert code == 0, err
    # 24/11 is a day off (Ngày Văn hóa Việt Nam): two working days before 25/11 is Friday 20/11.
    assert out.splitlines() == [
        "Đã mở kỳ báo cáo #1 (6 tháng cuối năm 2026), hạn báo cáo 25/11/2026, tổng hợp dự thảo "
        "ngày 20/11/2026: 1 lời mời đã đưa vào hộp thư đi (dịch vụ đang chạy sẽ gửi).",
        "1 cán bộ đầu mối chưa liên kết kênh chat nên chưa nhận được.",
    ]
    async with make_uow() as uow:
        [row] = (await uow.session.scalars(select(OutboxMessage))).all()
    assert (row.chat_id, row.kind) == ("501", "round")
    assert row.payload["buttons"] == [[{"label": "Bắt đầu báo cáo", "data": "rd:1"}]]
    assert "Đề nghị Sở Thông tin và Truyền thông báo cáo kết quả thực hiện" in row.payload["text"]
    code, _, err = await _run(capsys, "round", "open", "--period", "2026H2", "--due",
                              "25/11/2026", "--today", "10/11/2026")  # fmt: skip
    assert code == 2 and "Kế hoạch 1 đã có kỳ báo cáo với hạn 25/11/2026." in err
    code, out, _ = await _run(capsys, "round", "status")
    assert code == 0
    assert out.splitlines()[0] == (
        "Kỳ báo cáo 6 tháng cuối năm 2026 (hạn báo cáo 25/11/2026, tổng hợp ngày 20/11/2026) — "
        "các cơ quan:"
    )
    assert "• Sở Thông tin và Truyền thông: đã báo cáo 0/2 nhiệm vụ" in out


async def test_a_cut_off_already_past_is_refused(env, capsys) -> None:
    code, _, err = await _run(capsys, "round", "open", "--period", "2026H1", "--today",
                              "10/11/2026")  # fmt: skip
    assert code == 2 and "Ngày tổng hợp 26/06/2026 đã qua" in err


async def test_settings_of_rounds_and_digest(env, capsys, make_uow) -> None:
    code, out, _ = await _run(capsys, "round", "policy", "--set", "open_before=15")
    assert code == 0 and "open_before = 15" in out and out.startswith("Đã lưu thiết lập")
    code, out, _ = await _run(capsys, "report", "digest-policy", "--set", "weekday=6",
                              "--set", "send_at=16:30")  # fmt: skip
    assert code == 0 and "weekday = 6" in out and "send_at = 16:30" in out
    code, _, err = await _run(capsys, "report", "digest-policy", "--set", "weekday=9")
    assert code == 2 and "«weekday»" in err
    async with make_uow() as uow:
        [summary] = await uow.plans.list_all()
    assert summary.plan.settings["rounds"] == {"open_before": 15}
    assert summary.plan.settings["digest"] == {"weekday": 6, "send_at": "16:30"}
