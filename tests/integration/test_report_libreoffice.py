"""The generated .docx opens in LibreOffice: converted to PDF headless, when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from reports.build import plan_data, report_files
from reports.period import parse_period
from tests.fixtures.report_season import build_season

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(OFFICE is None, reason="LibreOffice (libreoffice/soffice) not on PATH"),
]


async def test_the_report_converts_to_pdf(make_uow, tmp_path: Path) -> None:
    async with make_uow() as uow:
        season = await build_season(uow)
        await uow.commit()
    async with make_uow() as uow:
        data = await plan_data(uow, season.plan_id)
    files = await report_files(data, parse_period("2026H1"), date(2026, 7, 6), xlsx=False)
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(files.docx)
    assert OFFICE is not None
    done = subprocess.run(
        [
            OFFICE,
            "--headless",
            # A profile of its own: a desktop LibreOffice, or another run, holds the default one.
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.exists(), done.stdout + done.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "BÁO CÁO" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH" in text  # the appendix page
        assert text.count("\f") >= 3  # the body runs onto pages of its own, then the appendix
