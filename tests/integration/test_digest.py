"""The weekly digest of a season of reports: the text leaders read and the chart."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
from matplotlib.image import imread

from reports.build import digest_with_chart, plan_data
from reports.chart import status_chart
from storage.uow import UnitOfWork
from tests.fixtures.report_season import Season, build_season


@pytest.fixture
async def season(make_uow: Callable[[], UnitOfWork]) -> Season:
    async with make_uow() as uow:
        season = await build_season(uow)
        await uow.commit()
    return season


async def _digest(make_uow, season: Season, today: date):
    async with make_uow() as uow:
        data = await plan_data(uow, season.plan_id)
    return await digest_with_chart(data, today)


async def test_monday_digest_text(make_uow, season) -> None:
    digest, _ = await _digest(make_uow, season, date(2026, 6, 1))
    assert digest.text == "\n".join(
        [
            "BẢN TIN TUẦN: Kế hoạch chuyển đổi số tỉnh Quảng Trị năm 2026",
            "Số liệu đến ngày 01/06/2026.",
            "",
            # Due by 25/05: 1.1 (on time), 1.2 (late), 2.2 (overdue): 1 of 3. By 01/06 also
            # 2.3 (overdue, silent) and 2.5 (on time): 2 of 5.
            "Tỷ lệ hoàn thành đúng hạn: 40% (2/5 nhiệm vụ đã đến hạn), tăng 7 điểm phần trăm so "
            "với tuần trước (33%).",
            "",
            "Hoàn thành trong tuần (2):",
            "• 2.4 Cập nhật danh mục cơ sở dữ liệu chuyên ngành tài chính — Sở Tài chính (đúng "
            "hạn, chờ xác nhận)",
            "• 2.5 Triển khai nền tảng họp trực tuyến đến cấp xã — Sở Thông tin và Truyền thông "
            "(đúng hạn)",
            "",
            # 2.3 was due Sunday 31/05: the deadline runs to Monday, so not overdue yet.
            "Trong tuần không có nhiệm vụ nào mới quá hạn.",
            "",
            "Quá hạn theo cơ quan chủ trì, lâu nhất trước (1 cơ quan):",
            # 30/04 and 01/05 are holidays: 2.2's deadline ran to Monday 04/05.
            "• Sở Thông tin và Truyền thông: 1 nhiệm vụ, lâu nhất 28 ngày (2.2)",
            "",
            "Cơ quan chưa báo cáo nhiệm vụ quá hạn hoặc sắp đến hạn (1 cơ quan):",
            "• Sở Văn hóa, Thể thao và Du lịch: 1 nhiệm vụ (2.3)",
        ]
    )
    assert (digest.percent, digest.last_percent) == (40, 33)
    assert digest.chart_rows[0] == (
        "Sở Thông tin và Truyền thông",
        {"done_on_time": 2, "not_started": 1, "overdue": 1},
    )


async def test_the_next_monday_digest_shows_what_slipped(make_uow, season) -> None:
    digest, _ = await _digest(make_uow, season, date(2026, 6, 8))
    blocks = digest.text.split("\n\n")
    assert blocks[1].endswith(", không đổi so với tuần trước (40%).")
    assert blocks[2] == "Trong tuần không có nhiệm vụ nào được báo hoàn thành."
    assert blocks[3] == (
        "Mới quá hạn trong tuần (1):\n"
        "• 2.3 Triển khai wifi công cộng tại các điểm du lịch — Sở Văn hóa, Thể thao và Du lịch, "
        "hạn 31/05/2026"
    )
    assert blocks[4].splitlines()[1:] == [
        "• Sở Thông tin và Truyền thông: 1 nhiệm vụ, lâu nhất 35 ngày (2.2)",
        "• Sở Văn hóa, Thể thao và Du lịch: 1 nhiệm vụ, lâu nhất 7 ngày (2.3)",
    ]
    assert digest.chart_rows[1] == ("Sở Văn hóa, Thể thao và Du lịch", {"overdue": 1})


async def test_a_quiet_week_says_so(make_uow, season) -> None:
    # 13/07: 2.3's report of 3 July awaits review; nothing else moved in the week before.
    digest, _ = await _digest(make_uow, season, date(2026, 7, 13))
    blocks = digest.text.split("\n\n")
    assert blocks[1].endswith(", không đổi so với tuần trước (29%).")
    assert blocks[2] == "Trong tuần không có nhiệm vụ nào được báo hoàn thành."
    assert blocks[3] == "Trong tuần không có nhiệm vụ nào mới quá hạn."
    assert blocks[5] == "Các nhiệm vụ quá hạn và sắp đến hạn đều đã có báo cáo."


async def test_before_anything_is_due(make_uow, season) -> None:
    digest, _ = await _digest(make_uow, season, date(2026, 1, 12))
    blocks = digest.text.split("\n\n")
    assert blocks[1] == "Chưa có nhiệm vụ nào đến hạn, chưa tính tỷ lệ hoàn thành đúng hạn."
    assert blocks[4] == "Không có nhiệm vụ nào quá hạn."


async def test_the_chart_is_a_phone_sized_png(make_uow, season) -> None:
    _, png = await _digest(make_uow, season, date(2026, 6, 1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = imread(io.BytesIO(png)).shape
    assert width == 960 and 600 < height < 1400  # 6.4 in at 150 dpi, taller with more agencies


def test_many_agencies_fold_into_one_bar() -> None:
    rows = [
        (f"Ủy ban nhân dân huyện số {i}", {"overdue": i % 3, "in_progress": 2}) for i in range(20)
    ]
    png = status_chart(rows, "Tình trạng nhiệm vụ")
    tall = imread(io.BytesIO(png)).shape[0]
    few = imread(io.BytesIO(status_chart(rows[:3], "Tình trạng nhiệm vụ"))).shape[0]
    assert tall > few and tall < 3000  # 15 bars and "Các cơ quan khác (5)", not 20
