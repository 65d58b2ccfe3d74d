"""`nhacviec report consolidated` and `nhacviec report digest` on a season of reports."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.cli import main
from plans.persist import save_plan
from tests.fixtures.report_season import build_season, plan


async def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))  # main() runs its own event loop
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
async def env(make_uow, migrated_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    async with make_uow() as uow:
        await build_season(uow)
        await uow.commit()
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def test_consolidated_writes_both_files(env: Path, capsys) -> None:
    code, out, err = await _run(capsys, "report", "consolidated", "--period", "2026H1",
                                "--out", "bc.docx", "--xlsx", "bc.xlsx",
                                "--today", "06/07/2026")  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == [
        "Đã lập báo cáo tổng hợp 6 tháng đầu năm 2026 (số liệu đến ngày 30/06/2026): 10 nhiệm "
        "vụ, tỷ lệ hoàn thành đúng hạn 29%.",
        "  bc.docx",
        "  bc.xlsx",
    ]
    document = docx.Document(io.BytesIO((env / "bc.docx").read_bytes()))
    assert "(6 tháng đầu năm 2026)" in document.paragraphs[1].text
    sheet = openpyxl.load_workbook(env / "bc.xlsx")["Nhiệm vụ"]
    assert sheet.max_row == 11 and sheet["A2"].value == "1.1"


async def test_a_bad_period_is_refused_in_vietnamese(env: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        await _run(capsys, "report", "consolidated", "--period", "2026H3", "--out", "x.docx")
    assert stopped.value.code == 2
    assert "Kỳ báo cáo «2026H3» không hợp lệ" in capsys.readouterr().err
    assert not (env / "x.docx").exists()


async def test_an_unknown_plan_and_a_second_plan(env: Path, capsys, make_uow) -> None:
    code, _, err = await _run(capsys, "report", "consolidated", "--period", "2026", "--out",
                              "x.docx", "--plan", "99")  # fmt: skip
    assert code == 2 and "99" in err
    other = plan()
    other.number, other.title = "16/KH-UBND", "Kế hoạch cải cách hành chính năm 2026"
    async with make_uow() as uow:
        await save_plan(uow, other)
        await uow.commit()
    code, _, err = await _run(capsys, "report", "digest")
    assert code == 2 and "--plan ID (1, 2)" in err.replace("2, 1", "1, 2")


async def test_digest_prints_the_text_and_writes_the_chart(env: Path, capsys) -> None:
    code, out, err = await _run(capsys, "report", "digest", "--today", "01/06/2026", "--out",
                                "tuan.png")  # fmt: skip
    assert code == 0, err
    assert out.startswith("BẢN TIN TUẦN: Kế hoạch chuyển đổi số tỉnh Quảng Trị năm 2026\n")
    assert "Tỷ lệ hoàn thành đúng hạn: 40% (2/5 nhiệm vụ đã đến hạn)" in out
    assert out.rstrip().endswith("Biểu đồ: tuan.png")
    assert (env / "tuan.png").read_bytes()[:4] == b"\x89PNG"
