"""The consolidated report of a season of reports, read back from the .docx and the .xlsx."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.shared import Pt

from reports.build import plan_data, report_files
from reports.consolidated import build_report
from reports.period import parse_period
from scheduler.calendar import WorkingCalendar
from storage.uow import UnitOfWork
from tests.fixtures.report_season import (
    BLOCKED_2_2,
    RESULT_1_1,
    RESULT_5,
    RESULT_NOI_VU_1_1,
    Season,
    build_season,
)

AFTER_H1 = date(2026, 7, 6)  # the Monday after the first half ends


@pytest.fixture
async def season(make_uow: Callable[[], UnitOfWork]) -> Season:
    async with make_uow() as uow:
        season = await build_season(uow)
        await uow.commit()
    return season


async def _files(make_uow, season: Season, period: str, today: date = AFTER_H1):
    async with make_uow() as uow:
        data = await plan_data(uow, season.plan_id)
    return await report_files(data, parse_period(period), today)


def _paragraphs(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def _after(lines: list[str], start: str, end: str | None = None) -> list[str]:
    """The lines from the one starting with `start` up to (not with) the one starting `end`."""
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    last = next(
        (i for i, line in enumerate(lines[first + 1 :], first + 1) if end and line.startswith(end)),
        len(lines),
    )
    return lines[first:last]


async def test_the_word_document_has_the_administrative_layout(make_uow, season) -> None:
    files = await _files(make_uow, season, "2026H1")
    document = docx.Document(io.BytesIO(files.docx))

    normal = document.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(14))
    first, appendix = document.sections
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    margins = (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)
    assert [round(m.mm) for m in margins] == [20, 20, 30, 15]  # stored in twips
    assert appendix.orientation == WD_ORIENT.LANDSCAPE
    assert round(appendix.page_width.mm) == 297

    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == [
        "UBND TỈNH QUẢNG TRỊ",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "Số:          /BC-STTTT",
    ]
    assert left.paragraphs[1].runs[0].bold
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Quảng Trị, ngày      tháng      năm 2026",
    ]
    lines = _paragraphs(document)
    assert lines[:2] == [
        "BÁO CÁO",
        "Kết quả thực hiện Kế hoạch chuyển đổi số tỉnh Quảng Trị năm 2026\n(6 tháng đầu năm 2026)",
    ]
    assert lines[2].startswith(
        "Thực hiện Kế hoạch số 15/KH-UBND ngày 10/01/2026 của UBND tỉnh Quảng Trị về chuyển đổi "
        "số tỉnh Quảng Trị năm 2026, Sở Thông tin và Truyền thông tổng hợp kết quả thực hiện "
        "6 tháng đầu năm 2026 (số liệu tính đến ngày 30/06/2026)"
    )
    headings = [line for line in lines if line[:3] in ("I. ", "II.", "III", "IV.")]
    assert headings == [
        "I. KẾT QUẢ THỰC HIỆN",
        "II. ĐÁNH GIÁ CHUNG",
        "III. KHÓ KHĂN, VƯỚNG MẮC",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    signature = document.tables[2].rows[0].cells
    assert signature[0].paragraphs[0].text == "Nơi nhận:"
    assert "- UBND tỉnh Quảng Trị (để báo cáo);" in [p.text for p in signature[0].paragraphs]
    assert signature[1].paragraphs[0].text == "GIÁM ĐỐC"


async def test_results_are_grouped_as_the_plan_and_compiled_lead_first(make_uow, season) -> None:
    lines = _paragraphs(docx.Document(io.BytesIO((await _files(make_uow, season, "2026H1")).docx)))
    part_one = _after(lines, "I. KẾT QUẢ", "II. ĐÁNH GIÁ")
    order = [line.split(" ", 1)[0] for line in part_one if line[0].isdigit()]
    assert order == ["1.", "1.1.", "1.2.", "2.", "2.1.", "2.2.", "2.3.", "2.4.", "2.5.", "3.", "4.",
                     "5."]  # fmt: skip
    assert "1. Hoàn thiện thể chế, cơ chế, chính sách" in part_one

    task = _after(part_one, "1.1.", "1.2.")
    assert task[1] == (
        "Cơ quan chủ trì: Sở Thông tin và Truyền thông. Cơ quan phối hợp: Sở Nội vụ. "
        "Thời hạn: 31/03/2026. Tình trạng: Hoàn thành đúng hạn."
    )
    assert task[2:] == [
        "- Sở Thông tin và Truyền thông (chủ trì): Đã hoàn thành ngày 20/03/2026 (đúng hạn). "
        f"{RESULT_1_1}.",
        f"- Sở Nội vụ (phối hợp): Đã hoàn thành ngày 05/03/2026. {RESULT_NOI_VU_1_1}.",
    ]
    late = _after(part_one, "1.2.", "2.")
    assert late[-1] == "- Sở Nội vụ (chủ trì): Đã hoàn thành ngày 02/04/2026 (trễ hạn 17 ngày)."
    extended = _after(part_one, "2.1.", "2.2.")
    assert "Thời hạn: 30/06/2026 (gia hạn đến 31/07/2026)." in extended[1]
    assert extended[2] == (
        "- Sở Thông tin và Truyền thông (chủ trì): Đang triển khai thực hiện, ước đạt 50%. "
        "Đã được gia hạn đến ngày 31/07/2026."
    )
    blocked = _after(part_one, "2.2.", "2.3.")
    assert "Tình trạng: Quá hạn 57 ngày, có vướng mắc." in blocked[1]
    assert blocked[2] == (
        f"- Sở Thông tin và Truyền thông (chủ trì): Đang gặp khó khăn, vướng mắc: {BLOCKED_2_2}. "
        "Đề nghị gia hạn đến ngày 31/08/2026 không được chấp thuận."
    )
    # 31/05 is a Sunday: the deadline ran to Monday 01/06 (and 30/04 to Monday 04/05, after the
    # holidays). Sở VH-TT&DL said nothing before 30 June; its report of 3 July is too late.
    silent = _after(part_one, "2.3.", "2.4.")
    assert "Tình trạng: Quá hạn 29 ngày, chưa báo cáo." in silent[1]
    assert silent[2:] == [
        "- Sở Văn hóa, Thể thao và Du lịch (chủ trì): Chưa báo cáo kết quả thực hiện."
    ]
    pending = _after(part_one, "2.4.", "2.5.")
    assert pending[2] == (
        "- Sở Tài chính (chủ trì): Đã báo cáo hoàn thành ngày 29/05/2026 (đúng hạn), đang chờ "
        "cơ quan điều phối xác nhận."
    )
    quarterly = _after(part_one, "3.", "4.")
    assert "Thời hạn: Hàng quý (kỳ hiện tại: 30/06/2026)." in quarterly[1]
    assert quarterly[2] == (
        "- Báo Quảng Trị (chủ trì): Đã hoàn thành 1 kỳ báo cáo. Đang triển khai thực hiện, "
        "ước đạt 60%."
    )
    training = _after(part_one, "5.")
    assert training[2] == (
        "- Sở Nội vụ (chủ trì): Đang triển khai thực hiện, ước đạt 20%. Đề nghị gia hạn đến "
        f"ngày 31/10/2026, đang chờ xem xét. {RESULT_5}."
    )


async def test_assessment_difficulties_and_proposals(make_uow, season) -> None:
    document = docx.Document(io.BytesIO((await _files(make_uow, season, "2026H1")).docx))
    lines = _paragraphs(document)
    part_two = _after(lines, "II. ĐÁNH GIÁ", "III.")
    assert part_two[1] == (
        "Kế hoạch có 10 nhiệm vụ; tính đến ngày 30/06/2026 có 7 nhiệm vụ đã đến hạn hoặc đã hoàn "
        "thành."
    )
    table = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert table == [
        ["Nhiệm vụ", "Đúng hạn", "Trễ hạn", "Tổng số"],
        ["Đã hoàn thành", "2", "1", "3"],
        ["Chưa hoàn thành", "3", "2", "5"],
        ["Tổng số", "5", "3", "8"],
    ]
    assert "- Ngoài ra có 1 nhiệm vụ đã được báo cáo hoàn thành, đang chờ xác nhận." in part_two
    assert "- Có 1 nhiệm vụ chưa xác định thời hạn." in part_two
    assert "Tỷ lệ hoàn thành đúng hạn: 29% (2/7 nhiệm vụ đã đến hạn)." in part_two
    assert _after(part_two, "Các nhiệm vụ quá hạn lâu nhất:")[1:] == [
        "- Nhiệm vụ 2.2 «Xây dựng kho dữ liệu dùng chung của tỉnh» (Sở Thông tin và Truyền thông "
        "chủ trì): quá hạn 57 ngày (hạn 30/04/2026).",
        "- Nhiệm vụ 2.3 «Triển khai wifi công cộng tại các điểm du lịch» (Sở Văn hóa, Thể thao và "
        "Du lịch chủ trì): quá hạn 29 ngày (hạn 31/05/2026).",
    ]
    assert _after(lines, "III.", "IV.")[1:] == [
        "- Nhiệm vụ 2.2 «Xây dựng kho dữ liệu dùng chung của tỉnh» (Sở Thông tin và Truyền "
        "thông): Chưa được phân bổ vốn đầu tư công năm 2026."
    ]
    proposals = _after(lines, "IV.", "Trên đây")[1:]
    assert proposals == [
        "- Đề nghị xem xét gia hạn nhiệm vụ 5 «Đào tạo kỹ năng số cho cán bộ, công chức» đến ngày "
        "31/10/2026 theo đề nghị của Sở Nội vụ (lý do: trùng lịch tập huấn của Bộ).",
        "- Đề nghị các cơ quan liên quan phối hợp tháo gỡ vướng mắc của nhiệm vụ 2.2 (Sở Thông "
        "tin và Truyền thông): Chưa được phân bổ vốn đầu tư công năm 2026.",
        "- Đề nghị các cơ quan chủ trì 2 nhiệm vụ quá hạn khẩn trương hoàn thành và báo cáo kết "
        "quả về Sở Thông tin và Truyền thông.",
        "- Đề nghị các cơ quan chưa báo cáo kết quả các nhiệm vụ đã quá hạn (Sở Văn hóa, Thể thao "
        "và Du lịch) báo cáo đầy đủ, đúng thời hạn.",
    ]
    closing = _after(lines, "Trên đây")[0]
    assert closing.endswith(
        "(6 tháng đầu năm 2026), Sở Thông tin và Truyền thông kính báo cáo UBND tỉnh Quảng Trị "
        "xem xét, chỉ đạo./."
    )


async def test_the_appendix_table(make_uow, season) -> None:
    document = docx.Document(io.BytesIO((await _files(make_uow, season, "2026H1")).docx))
    table = document.tables[-1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn",
                       "Kết quả", "Tình trạng"]  # fmt: skip
    assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")  # repeated on every page
    # A group's row spans the table; each task has its row.
    assert rows[1] == ["1. Hoàn thiện thể chế, cơ chế, chính sách"] * 7
    by_code = {r[0]: r for r in rows if r[0][0].isdigit() and r[1] != r[0]}
    assert list(by_code) == ["1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5", "3", "4", "5"]
    assert by_code["2.1"][4] == "30/06/2026 (gia hạn đến 31/07/2026)"
    assert by_code["2.1"][6] == "Đang thực hiện (50%), trong hạn"
    assert by_code["2.2"][6] == "Quá hạn 57 ngày, có vướng mắc"
    assert by_code["1.1"][3] == "Sở Nội vụ" and by_code["1.2"][3] == "—"
    assert (
        by_code["1.1"][5]
        .split("\n")[0]
        .startswith("Sở Thông tin và Truyền thông (chủ trì): Đã hoàn thành")
    )
    assert by_code["4"][4:] == [
        "Khi có yêu cầu",
        "Báo Quảng Trị (chủ trì): Chưa báo cáo kết quả thực hiện.",
        "Chưa xác định thời hạn",
    ]


async def test_the_spreadsheet_has_the_table_filters_and_colours(make_uow, season) -> None:
    files = await _files(make_uow, season, "2026H1")
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx))
    sheet = book["Nhiệm vụ"]
    header = [c.value for c in sheet[1]]
    assert header == ["STT", "Nhiệm vụ", "Nhóm nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
                      "Thời hạn", "Hạn hiện hành", "Hạn ban đầu (trước gia hạn)", "Kết quả",
                      "Tình trạng", "Số ngày quá hạn"]  # fmt: skip
    assert sheet.auto_filter.ref == "A1:K11"
    assert sheet.freeze_panes == "C2"
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert list(rows) == ["1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5", "3", "4", "5"]
    fills = {code: r[9].fill.fgColor.rgb[-6:] for code, r in rows.items()}
    assert fills == {
        "1.1": "C6EFCE",  # green: done on time
        "1.2": "F8CBAD",  # orange: done late
        "2.1": "BDD7EE",  # blue: in progress, in time
        "2.2": "FFC7CE",  # red: overdue
        "2.3": "FFC7CE",
        "2.4": "BDD7EE",  # reported done, not yet confirmed: not done
        "2.5": "C6EFCE",
        "3": "BDD7EE",
        "4": "D9D9D9",  # grey: not started
        "5": "BDD7EE",
    }
    extended = [c.value for c in rows["2.1"]]
    assert extended[6] == datetime(2026, 7, 31) and extended[7] == datetime(2026, 6, 30)
    assert rows["2.1"][6].number_format == "DD/MM/YYYY"
    assert [c.value for c in rows["2.2"]][9:] == ["Quá hạn 57 ngày, có vướng mắc", 57]
    assert rows["1.1"][2].value == "1. Hoàn thiện thể chế, cơ chế, chính sách"
    assert RESULT_1_1 in rows["1.1"][8].value
    assert sheet.column_dimensions["B"].width == 45
    summary = [c.value for c in book["Chú giải"]["A"]]
    assert summary[:2] == [
        "Kết quả thực hiện Kế hoạch chuyển đổi số tỉnh Quảng Trị năm 2026 (6 tháng đầu năm 2026)",
        "Tỷ lệ hoàn thành đúng hạn: 29% (2/7 nhiệm vụ đã đến hạn).",
    ]


async def test_an_earlier_period_sees_things_as_they_stood_then(make_uow, season) -> None:
    async with make_uow() as uow:
        data = await plan_data(uow, season.plan_id)
    calendar = WorkingCalendar()

    def entry(period: str, code: str):
        report = build_report(data, parse_period(period), AFTER_H1, calendar)
        return next(e for e in report.entries if e.code == code), report

    # On 12 March 1.2's "done" had just been sent back; 1.1 was half done.
    returned, report = entry("01/01/2026:12/03/2026", "1.2")
    assert report.title_period == "(từ ngày 01/01/2026 đến ngày 12/03/2026)"
    assert returned.results == (
        "Sở Nội vụ (chủ trì): Chưa báo cáo kết quả thực hiện. Báo cáo hoàn thành ngày "
        "10/03/2026 đã được trả lại để bổ sung, hoàn thiện (chưa kèm danh mục thủ tục đã rà "
        "soát).",
    )
    half, _ = entry("01/01/2026:12/03/2026", "1.1")
    assert half.status == "Đang thực hiện (50%), trong hạn"
    # 2.5 was reported done on 28 May and confirmed on the 29th: on the 28th it awaited review.
    waiting, _ = entry("01/01/2026:28/05/2026", "2.5")
    assert waiting.status == "Đã báo hoàn thành, chờ xác nhận"
    # 2.1's extension was approved on 12 June: on the 11th the plan's deadline still held.
    asked, report = entry("2026-01-01:2026-06-11", "2.1")
    assert asked.deadline == "30/06/2026"
    assert "Đề nghị gia hạn đến ngày 31/07/2026, đang chờ xem xét." in asked.results[0]
    assert any("nhiệm vụ 2.1" in p and "31/07/2026" in p for p in report.proposals)
    # Asked before the period ends: the figures are today's.
    early = build_report(data, parse_period("2026"), date(2026, 6, 1), calendar)
    assert early.as_of == date(2026, 6, 1)
    assert "(số liệu tính đến ngày 01/06/2026)" in early.intro
